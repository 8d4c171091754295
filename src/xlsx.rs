//! Writing workbooks with rust_xlsxwriter.
//!
//! [`write_form`] writes an input workbook from its [`SheetForm`]s: headers
//! with a note on each saying what goes there, a 説明 column on key/value
//! sheets, dropdown validation where a field has fixed choices, wrapped long
//! text, frozen header rows, Japanese fonts (charset 128) and a fixed
//! creation date so the bytes are reproducible.

use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, ProtectionOptions, Workbook,
    Worksheet,
};

use crate::error::Error;
use crate::forms::grid::{self, Content, Grid, GridCell, Input, InputKind, Role};
use crate::forms::{CellData, FieldKind, Shape, SheetData, SheetForm};
use crate::workbook::CellRef;

/// Rows that carry validation below a table header (room to add rows).
const VALIDATION_ROWS: u32 = 1_000;
/// Width of table columns that are not fields of the form.
const EXTRA_COLUMN_WIDTH: f64 = 10.0;
/// The font of every cell.
const FONT: &str = "游ゴシック";

/// The most text an Excel cell holds, in UTF-16 units (how Excel counts).
pub const MAX_CELL_TEXT: usize = 32_767;

/// Checks, before a workbook is written from JSON data, that no string in
/// the data is longer than a cell holds ([`MAX_CELL_TEXT`]). Every string
/// that is too long is reported, by its place in the JSON
/// (`sections[3].paragraphs[0]`), as one input error; `file` names the JSON.
pub fn check_json_fits_cells(file: &str, data: &serde_json::Value) -> Result<(), Error> {
    fn walk(v: &serde_json::Value, path: &mut String, found: &mut Vec<(String, usize)>) {
        match v {
            serde_json::Value::String(s) => {
                let n = s.encode_utf16().count();
                if n > MAX_CELL_TEXT {
                    found.push((path.clone(), n));
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(x, path, found);
                    path.truncate(len);
                }
            }
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(x, path, found);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(data, &mut String::new(), &mut found);
    if found.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = found
        .iter()
        .map(|(path, n)| {
            let path = if path.is_empty() { "データ全体" } else { path };
            format!(
                "{file} の {path}: {} 文字あります。Excel のセルには {} 文字までしか入りません。",
                crate::japanese::thousands(*n),
                crate::japanese::thousands(MAX_CELL_TEXT)
            )
        })
        .collect();
    Err(Error::input(format!("{}\n文章を短くするか、いくつかに分けてください。", lines.join("\n"))))
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::internal(format!("xlsx を書き出せません（{e}）"))
}

fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_family(3)
        .set_font_charset(128)
        .set_font_size(11)
        .set_align(FormatAlign::Top)
}

fn header_format() -> Format {
    base().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin).set_text_wrap()
}

/// The creation date written into the document properties:
/// `SOURCE_DATE_EPOCH` when set, else `fallback` (an ISO 8601 date-time such
/// as the master workbook's save time) when it is readable, else 2000-01-01,
/// so that output never depends on the clock.
fn creation_date(fallback: Option<&str>) -> Result<ExcelDateTime, Error> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs = v.trim().parse::<i64>().map_err(|_| {
            Error::input(format!("環境変数 SOURCE_DATE_EPOCH「{v}」は Unix 時刻（秒）の整数にしてください。"))
        })?;
        return ExcelDateTime::from_timestamp(secs).map_err(xerr);
    }
    if let Some(dt) = fallback.and_then(|s| ExcelDateTime::parse_from_str(s.trim()).ok()) {
        return Ok(dt);
    }
    ExcelDateTime::from_timestamp(946_684_800).map_err(xerr)
}

/// Writes a workbook for `forms`, filled with `data` (one entry per form, in
/// the same order). Returns the xlsx bytes.
pub fn write_form(title: &str, forms: &[SheetForm], data: &[SheetData]) -> Result<Vec<u8>, Error> {
    let sheets: Vec<(String, Shape, SheetData)> =
        forms.iter().zip(data).map(|(f, d)| (f.name.to_string(), f.shape, d.clone())).collect();
    write_sheets(title, &sheets)
}

/// Writes a workbook of input sheets, each named, shaped and filled (a
/// 議案書's sheets are named by its 議案一覧). Returns the xlsx bytes.
pub fn write_sheets(title: &str, sheets: &[(String, Shape, SheetData)]) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let props =
        DocProperties::new().set_title(title).set_author("keikaku").set_creation_datetime(&creation_date(None)?);
    wb.set_properties(&props);
    for (name, shape, data) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(|e| {
            Error::input(format!("シート名「{name}」は Excel のシート名にできません（31 文字まで、: \\ / ? * [ ] は使えません）: {e}"))
        })?;
        match (shape, data) {
            (Shape::KeyValue(fields), SheetData::KeyValue(values)) => write_key_value(ws, fields, values)?,
            (Shape::Table(fields), SheetData::Table { headers, rows }) => {
                write_table(ws, fields, headers.as_deref(), rows)?
            }
            _ => return Err(Error::internal(format!("sheet {name}: data does not match the form"))),
        }
    }
    wb.save_to_buffer().map_err(|e| match e {
        rust_xlsxwriter::XlsxError::SheetnameReused(n) => {
            Error::input(format!("シート名「{n}」が 2 回使われています。議案や表ごとに別のシート名にしてください。"))
        }
        e => xerr(e),
    })
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, v: &CellData, kind: FieldKind) -> Result<(), Error> {
    let fmt = match kind {
        FieldKind::LongText => base().set_text_wrap(),
        FieldKind::Amount => base().set_num_format(AMOUNT_FORMAT),
        _ => base(),
    };
    match v {
        CellData::Text(s) if s.encode_utf16().count() > MAX_CELL_TEXT => {
            // Text joined from several values (an item's body lines) can
            // still be too long after check_json_fits_cells.
            return Err(Error::input(format!(
                "「{}」シート {} に入れる文字が {} 文字あります。Excel のセルには {} 文字までしか入りません。文章を短くするか、いくつかに分けてください。",
                ws.name(),
                CellRef::new(row, col as u32),
                crate::japanese::thousands(s.encode_utf16().count()),
                crate::japanese::thousands(MAX_CELL_TEXT)
            )));
        }
        CellData::Text(s) => ws.write_string_with_format(row, col, s, &fmt).map(|_| ()),
        CellData::Number(n) => ws.write_number_with_format(row, col, *n, &fmt).map(|_| ()),
        CellData::Date(d) => {
            let dt = ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8).map_err(|_| {
                Error::input(format!(
                    "「{}」シート {}: 日付 {d} は Excel の日付にできません（1900年1月1日から 9999年12月31日まで）。",
                    ws.name(),
                    CellRef::new(row, col as u32)
                ))
            })?;
            let fmt = fmt.set_num_format("[$-ja-JP]ggge\"年\"m\"月\"d\"日\"");
            ws.write_datetime_with_format(row, col, &dt, &fmt).map(|_| ())
        }
    }
    .map_err(xerr)
}

fn validation(kind: FieldKind, name: &str, note: &str) -> Result<Option<DataValidation>, Error> {
    // Excel limits an input message to 255 UTF-16 units.
    let prompt = grid::utf16_prefix(note, 255);
    let (list, error) = match kind {
        FieldKind::Choice(list) => (
            DataValidation::new().allow_list_strings(list).map_err(xerr)?,
            format!("{name}は一覧から選んでください: {}", list.join("、")),
        ),
        FieldKind::KeyOf(sheet) => (
            DataValidation::new().allow_list_formula(
                format!("='{}'!$A$2:$A${}", sheet.replace('\'', "''"), crate::workbook::limits::MAX_ROWS)
                    .as_str()
                    .into(),
            ),
            format!("{name}は「{sheet}」シートの 1 列目にあるものを選んでください。"),
        ),
        _ => return Ok(None),
    };
    Ok(Some(
        list.set_input_title(name)
            .map_err(xerr)?
            .set_input_message(&prompt)
            .map_err(xerr)?
            .set_error_title("選べない値です")
            .map_err(xerr)?
            .set_error_message(&error)
            .map_err(xerr)?,
    ))
}

fn write_key_value(
    ws: &mut Worksheet,
    fields: &[crate::forms::Field],
    values: &[Option<CellData>],
) -> Result<(), Error> {
    let h = header_format();
    for (c, t) in ["項目", "値", "説明"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *t, &h).map_err(xerr)?;
    }
    ws.set_column_width(0, 14).map_err(xerr)?;
    ws.set_column_width(1, 44).map_err(xerr)?;
    ws.set_column_width(2, 60).map_err(xerr)?;
    let key = base().set_bold().set_border(FormatBorder::Thin);
    let note_fmt = base().set_text_wrap().set_font_color(0x595959);
    for (i, f) in fields.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, f.name, &key).map_err(xerr)?;
        let required = if f.required { "（必須）" } else { "（省略可）" };
        ws.write_string_with_format(row, 2, format!("{}{}", f.note, required), &note_fmt).map_err(xerr)?;
        ws.insert_note(row, 0, &Note::new(format!("{}{}", f.note, required)).set_author("keikaku")).map_err(xerr)?;
        if let Some(v) = values.get(i).and_then(|v| v.as_ref()) {
            write_cell(ws, row, 1, v, f.kind)?;
        }
        if let Some(dv) = validation(f.kind, f.name, f.note)? {
            ws.add_data_validation(row, 1, row, 1, &dv).map_err(xerr)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

fn write_table(
    ws: &mut Worksheet,
    fields: &[crate::forms::Field],
    headers: Option<&[String]>,
    rows: &[Vec<Option<CellData>>],
) -> Result<(), Error> {
    let h = header_format();
    for (c, f) in fields.iter().enumerate() {
        let col = c as u16;
        let text = headers.and_then(|hs| hs.get(c)).map(String::as_str).unwrap_or(f.name);
        ws.write_string_with_format(0, col, text, &h).map_err(xerr)?;
        ws.set_column_width(col, f.width).map_err(xerr)?;
        if f.kind == FieldKind::Amount {
            // Amounts typed later show as 1,234,567 too.
            ws.set_column_format(col, &base().set_num_format(AMOUNT_FORMAT)).map_err(xerr)?;
        }
        let required = if f.required { "（必須）" } else { "（省略可）" };
        ws.insert_note(0, col, &Note::new(format!("{}{}", f.note, required)).set_author("keikaku")).map_err(xerr)?;
        if let Some(dv) = validation(f.kind, f.name, f.note)? {
            ws.add_data_validation(1, col, VALIDATION_ROWS, col, &dv).map_err(xerr)?;
        }
    }
    // Columns beyond the form's fields (the year columns of a 達成目標 sheet).
    for (c, text) in headers.unwrap_or_default().iter().enumerate().skip(fields.len()) {
        ws.write_string_with_format(0, c as u16, text, &h).map_err(xerr)?;
        ws.set_column_width(c as u16, EXTRA_COLUMN_WIDTH).map_err(xerr)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let kind = fields.get(c).map_or(FieldKind::Text, |f| f.kind);
            if let Some(v) = v {
                write_cell(ws, r as u32 + 1, c as u16, v, kind)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

/// Amounts in input sheets: 1,234,567 and △5,000 for a negative.
pub const AMOUNT_FORMAT: &str = "#,##0;\"△\"#,##0";

/// Dates in form sheets: 和暦 with the era name (令和8年7月31日).
pub const DATE_FORMAT: &str = "[$-411]ggge\"年\"m\"月\"d\"日\"";

/// A workbook of form sheets ([`Grid`]s) to distribute.
#[derive(Debug)]
pub struct FormBook<'a> {
    /// Document title (also the window title in Excel).
    pub title: &'a str,
    /// Shown at the bottom left of every printed page (the centre's name).
    pub footer: &'a str,
    /// Custom document properties that identify the workbook to the collector.
    pub properties: &'a [(&'a str, String)],
    /// The sheets.
    pub sheets: &'a [Grid],
    /// The creation date when `SOURCE_DATE_EPOCH` is not set (ISO 8601; the
    /// master's save time), so the same master gives the same bytes.
    pub created: Option<&'a str>,
}

/// The look of each [`Role`], built once per workbook.
struct RoleFormats {
    title: Format,
    block: Format,
    label: Format,
    header: Format,
    plan: Format,
    plan_value: Format,
    closed: Format,
    input: Format,
    input_short: Format,
    input_date: Format,
}

impl RoleFormats {
    fn new() -> RoleFormats {
        let cell = || base().set_font_size(grid::FONT_SIZE).set_border(FormatBorder::Thin).set_text_wrap();
        let middle = FormatAlign::VerticalCenter;
        RoleFormats {
            title: base().set_font_size(grid::TITLE_FONT_SIZE).set_bold().set_text_wrap().set_align(middle),
            block: cell().set_bold().set_align(FormatAlign::Center).set_align(middle).set_background_color(0xDDEBF7),
            label: cell().set_bold().set_align(middle).set_background_color(0xF2F2F2),
            header: cell().set_bold().set_align(FormatAlign::Center).set_align(middle).set_background_color(0xDDEBF7),
            plan: cell(),
            plan_value: cell().set_align(FormatAlign::Center).set_align(middle),
            closed: cell().set_background_color(0xBFBFBF).set_pattern(rust_xlsxwriter::FormatPattern::LightGray),
            input: cell().set_unlocked().set_background_color(0xFFF2CC),
            input_short: cell()
                .set_unlocked()
                .set_background_color(0xFFF2CC)
                .set_align(FormatAlign::Center)
                .set_align(middle),
            input_date: cell()
                .set_unlocked()
                .set_background_color(0xFFF2CC)
                .set_align(FormatAlign::Center)
                .set_align(middle)
                .set_num_format(DATE_FORMAT),
        }
    }

    fn of(&self, cell: &GridCell) -> &Format {
        match &cell.role {
            Role::Title => &self.title,
            Role::Block => &self.block,
            Role::Label => &self.label,
            Role::Header => &self.header,
            Role::Value => &self.plan_value,
            Role::Plan => &self.plan,
            Role::Closed => &self.closed,
            Role::Input(i) if matches!(i.kind, InputKind::LongText | InputKind::Text) => &self.input,
            Role::Input(i) if i.kind == InputKind::Date => &self.input_date,
            Role::Input(_) => &self.input_short,
        }
    }
}

/// `'sheet name'!$C$5`: an absolute reference for a defined name.
pub fn sheet_reference(sheet: &str, cell: CellRef) -> String {
    let col = CellRef::column_name(cell.col);
    format!("='{}'!${col}${}", sheet.replace('\'', "''"), cell.row + 1)
}

/// `&` starts a code in Excel headers and footers; a literal one is doubled.
fn footer_text(s: &str) -> String {
    s.replace('&', "&&")
}

/// Writes a protected, print-ready workbook of form sheets. Returns the
/// xlsx bytes.
///
/// - Only input cells are unlocked; they are shaded, carry an input
///   message, and choice inputs a dropdown that refuses other values.
/// - Every input cell gets its workbook-level defined name.
/// - A4 portrait, one page wide, title rows repeated, footer with the
///   centre's name and page number.
/// - Row heights come from the grid (computed from the text).
pub fn write_grids(book: &FormBook) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(book.title)
        .set_author("keikaku")
        .set_company(book.footer)
        .set_creation_datetime(&creation_date(book.created)?);
    for (name, value) in book.properties {
        props = props.set_custom_property(*name, value.as_str());
    }
    wb.set_properties(&props);
    // Level 1: a thousand workbooks are made per run; level 6 (the default)
    // saves about a quarter of a 30 KB file and costs a fifth of the run.
    wb.set_zip_compression_level(1);
    let formats = RoleFormats::new();
    let protection = ProtectionOptions { format_rows: true, ..ProtectionOptions::default() };
    for grid in book.sheets {
        let ws = wb.add_worksheet();
        write_grid_sheet(ws, grid, &formats, book.footer)?;
        ws.protect_with_options(&protection);
    }
    for grid in book.sheets {
        for (cell, input) in grid.inputs() {
            wb.define_name(&input.name, &sheet_reference(&grid.sheet, cell.at())).map_err(xerr)?;
        }
    }
    wb.save_to_buffer().map_err(xerr)
}

/// One grid as a print-ready sheet: widths, heights, cells (inputs with
/// their message and dropdown), A4 portrait one page wide, title rows
/// repeated, footer. Protection is the caller's.
fn write_grid_sheet(ws: &mut Worksheet, grid: &Grid, formats: &RoleFormats, footer: &str) -> Result<(), Error> {
    ws.set_name(&grid.sheet).map_err(xerr)?;
    for (c, w) in grid.columns.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xerr)?;
    }
    for (r, h) in grid.rows.iter().enumerate() {
        ws.set_row_height(r as u32, *h).map_err(xerr)?;
    }
    for cell in &grid.cells {
        write_grid_cell(ws, cell, formats.of(cell))?;
        if let Role::Input(input) = &cell.role {
            add_input(ws, cell, input, grid.fiscal_year)?;
        }
    }
    let last_row = grid.rows.len().saturating_sub(1) as u32;
    let last_col = grid.columns.len().saturating_sub(1) as u16;
    ws.set_paper_size(9).set_portrait().set_print_fit_to_pages(1, 0).set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    ws.set_repeat_rows(grid.title_rows.0, grid.title_rows.1).map_err(xerr)?;
    ws.set_print_area(0, 0, last_row, last_col).map_err(xerr)?;
    ws.set_footer(format!("&L{}&R&P / &N ページ", footer_text(footer)));
    Ok(())
}

fn write_grid_cell(ws: &mut Worksheet, cell: &GridCell, fmt: &Format) -> Result<(), Error> {
    let (r, c) = (cell.row, cell.col as u16);
    if cell.rows > 1 || cell.cols > 1 {
        let text = match &cell.content {
            Content::Text(s) => s.as_str(),
            _ => "",
        };
        let (lr, lc) = (cell.row + cell.rows - 1, (cell.col + cell.cols - 1) as u16);
        ws.merge_range(r, c, lr, lc, text, fmt).map_err(xerr)?;
        if let Content::Number(n) = cell.content {
            ws.write_number_with_format(r, c, n, fmt).map_err(xerr)?;
        }
        return Ok(());
    }
    match &cell.content {
        Content::Empty => ws.write_blank(r, c, fmt),
        Content::Text(s) => ws.write_string_with_format(r, c, s, fmt),
        Content::Number(n) => ws.write_number_with_format(r, c, *n, fmt),
    }
    .map_err(xerr)?;
    Ok(())
}

/// The data validation (prompt, dropdown) of an input cell; `fiscal_year`
/// is the sheet's ([`Grid::fiscal_year`]), for the example in date prompts.
fn add_input(ws: &mut Worksheet, cell: &GridCell, input: &Input, fiscal_year: Option<i32>) -> Result<(), Error> {
    let title = grid::utf16_prefix(&input.label, 32);
    let required = if input.required { "（必須）" } else { "" };
    let dv = match input.kind {
        InputKind::Choice(list) => DataValidation::new()
            .allow_list_strings(list)
            .map_err(xerr)?
            .set_input_message(format!("一覧から選んでください{required}。"))
            .map_err(xerr)?
            .set_error_title("選べない値です")
            .map_err(xerr)?
            .set_error_message(format!("一覧から選んでください: {}", list.join("、")))
            .map_err(xerr)?,
        InputKind::Short => DataValidation::new()
            .allow_any_value()
            .set_input_message(format!("数と単位（例: 24地区、1回）か、実施状況を入力します{required}。"))
            .map_err(xerr)?,
        InputKind::Date => {
            let how = match fiscal_year {
                Some(fy) => {
                    let (seireki, wareki) = crate::wareki::example_date(fy);
                    format!("日付を {seireki} のように入力します（{wareki} と表示されます）")
                }
                None => "日付を 年/月/日 の形で入力します（和暦で表示されます）".to_string(),
            };
            DataValidation::new().allow_any_value().set_input_message(format!("{how}{required}。")).map_err(xerr)?
        }
        InputKind::Text => DataValidation::new()
            .allow_any_value()
            .set_input_message(format!("1 行で入力します{required}。"))
            .map_err(xerr)?,
        InputKind::LongText => DataValidation::new()
            .allow_any_value()
            .set_input_message(format!("文章で入力します。セル内の改行は Alt+Enter です{required}。"))
            .map_err(xerr)?,
    };
    let dv = dv.set_input_title(&title).map_err(xerr)?;
    let (lr, lc) = (cell.row + cell.rows - 1, (cell.col + cell.cols - 1) as u16);
    ws.add_data_validation(cell.row, cell.col as u16, lr, lc, &dv).map_err(xerr)?;
    Ok(())
}

/// A value of a data sheet cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// No value.
    Empty,
    /// Text.
    Text(String),
    /// A number, shown as written (`24`, `1.5`).
    Number(f64),
    /// A ratio shown as a percentage (0.8 → 80.0%).
    Percent(f64),
}

/// A column of a data sheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header, the only text in row 1.
    pub header: &'static str,
    /// The width in characters.
    pub width: f64,
}

/// A machine-readable data sheet: one header row, then one record per row,
/// one value per cell, numbers as numbers, no merged cells and no blank
/// rows (総務省「統計表における機械判読可能なデータ作成に関する表記方法」).
/// Rows are written as they come, so a sheet of any length takes little memory.
pub struct DataSheet<'a> {
    /// The sheet name.
    pub name: &'a str,
    /// The columns.
    pub columns: &'a [Column],
    /// The records, in order; each as long as `columns`.
    pub rows: Box<dyn Iterator<Item = Vec<Datum>> + Send + 'a>,
    /// Give every row the height of its text. For sheets people read row
    /// by row (提出状況, 差戻し); the bulk tidy sheets leave it to Excel,
    /// which fits a row of wrapped text to its content when it opens the
    /// file, because rust_xlsxwriter keeps each explicit height in memory
    /// until the file is saved (about 600 bytes a row, 290 MB for the
    /// 750,000 rows of 5,000 centres; LibreOffice does not refit such rows).
    pub fit_rows: bool,
}

/// A bar chart of one column of a data sheet by another (categories).
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    /// The data sheet (must be one of the book's sheets).
    pub sheet: &'a str,
    /// The chart title.
    pub title: &'a str,
    /// The column of the category labels.
    pub categories: u16,
    /// The column of the values.
    pub values: u16,
    /// The number of data rows (after the header).
    pub rows: u32,
    /// The value axis title.
    pub axis: &'a str,
    /// Values are ratios (0.8 = 80%).
    pub percent: bool,
}

/// A workbook of data sheets (the 集計 of a collection).
pub struct DataBook<'a> {
    /// Document title.
    pub title: &'a str,
    /// Custom document properties.
    pub properties: Vec<(&'a str, String)>,
    /// The sheets, in order.
    pub sheets: Vec<DataSheet<'a>>,
    /// A chart placed beside the data of its sheet.
    pub chart: Option<BarChart<'a>>,
    /// Print sheets after the data sheets: grids of locked cells, written
    /// unprotected, to print the combined result in the document's layout.
    pub print: &'a [Grid],
    /// The footer of the print sheets.
    pub footer: &'a str,
    /// The creation date when `SOURCE_DATE_EPOCH` is not set (ISO 8601).
    pub created: Option<&'a str>,
}

/// Writes a workbook of data sheets: a bold header row with a filter,
/// frozen and repeated on every printed page, then the records; printed A4
/// landscape, one page wide. Returns the xlsx bytes.
///
/// Record text is wrapped, so a long 差戻し message prints whole instead of
/// being cut at the column edge; see [`DataSheet::fit_rows`] for row
/// heights.
///
/// Built for large collections (hundreds of thousands of rows):
/// - every sheet but the chart's is written in rust_xlsxwriter's
///   constant-memory mode: each row goes to a temporary file once the next
///   begins, and strings are written inline, so no table of every distinct
///   string is kept in memory;
/// - the workbook's default cell format (xf 0) is the record format
///   (游ゴシック 10 pt, wrapped, top-aligned), so record cells are written
///   without a format of their own and rust_xlsxwriter does not look a
///   format up for each of them;
/// - the sheets are filled in parallel, one thread each;
/// - the zip is compressed at level 1 (the file is 10–20 % larger than at
///   the default level 6, and deflate takes a fraction of the time).
pub fn write_data(book: DataBook) -> Result<Vec<u8>, Error> {
    build_data(book)?.save_to_buffer().map_err(xerr)
}

/// [`write_data`] straight into a file at `path` (the workbook of a large
/// collection never sits in memory whole).
pub fn save_data(book: DataBook, path: &std::path::Path) -> Result<(), Error> {
    build_data(book)?.save(path).map_err(xerr)
}

fn build_data(book: DataBook) -> Result<Workbook, Error> {
    use rayon::prelude::*;
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(book.title)
        .set_author("keikaku")
        .set_creation_datetime(&creation_date(book.created)?);
    for (name, value) in &book.properties {
        props = props.set_custom_property(*name, value.as_str());
    }
    wb.set_properties(&props);
    wb.set_zip_compression_level(1);
    let size = grid::FONT_SIZE;
    // Record text: the default format (row height 18 px, column width 64 px
    // are Excel's defaults for a 10–11 pt font; every column width is set).
    let record = base().set_font_size(size).set_text_wrap();
    wb.set_default_format(&record, 18, 64).map_err(xerr)?;
    let header = base().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin);
    let percent = base().set_font_size(size).set_num_format("0.0%");
    let mut charted = Vec::new();
    for sheet in &book.sheets {
        let is_chart = book.chart.as_ref().is_some_and(|c| c.sheet == sheet.name);
        let ws = if is_chart { wb.add_worksheet() } else { wb.add_worksheet_with_constant_memory().map_err(xerr)? };
        ws.set_name(sheet.name).map_err(xerr)?;
        charted.push(is_chart);
    }
    // Formats used from several threads get their index first, so that the
    // threads only read the shared table.
    wb.register_format(&header);
    wb.register_format(&percent);
    let chart = book.chart.as_ref();
    wb.worksheets_mut()
        .par_iter_mut()
        .zip(book.sheets.into_par_iter())
        .zip(charted.into_par_iter())
        .map(|((ws, sheet), is_chart)| {
            // The chart goes one column right of the data.
            let chart_col = sheet.columns.len() as u16 + 1;
            write_data_sheet(ws, sheet, &header, &percent)?;
            if let Some(chart) = chart.filter(|_| is_chart) {
                insert_bar_chart(ws, chart, chart_col)?;
            }
            Ok(())
        })
        .collect::<Result<Vec<()>, Error>>()?;
    if !book.print.is_empty() {
        let formats = RoleFormats::new();
        for grid in book.print {
            write_grid_sheet(wb.add_worksheet(), grid, &formats, book.footer)?;
        }
    }
    Ok(wb)
}

fn write_data_sheet(ws: &mut Worksheet, sheet: DataSheet, header: &Format, percent: &Format) -> Result<(), Error> {
    for (c, col) in sheet.columns.iter().enumerate() {
        ws.set_column_width(c as u16, col.width).map_err(xerr)?;
        ws.write_string_with_format(0, c as u16, col.header, header).map_err(xerr)?;
    }
    let mut last = 0u32;
    for (i, row) in sheet.rows.enumerate() {
        let r = u32::try_from(i + 1).ok().filter(|r| *r < 1_048_576).ok_or_else(|| {
            Error::input(format!("「{}」シートが Excel の行数の上限（1,048,576 行）を超えます。", sheet.name))
        })?;
        if sheet.fit_rows {
            let lines = row
                .iter()
                .zip(sheet.columns)
                .map(|(d, col)| match d {
                    Datum::Text(s) => grid::line_count(s, col.width),
                    _ => 1,
                })
                .max()
                .unwrap_or(1);
            if lines > 1 {
                ws.set_row_height(r, grid::lines_height(lines).min(grid::MAX_ROW_HEIGHT)).map_err(xerr)?;
            }
        }
        for (c, d) in row.into_iter().enumerate() {
            let c = c as u16;
            match d {
                Datum::Empty => continue,
                Datum::Text(s) => ws.write_string(r, c, s),
                Datum::Number(n) => ws.write_number(r, c, n),
                Datum::Percent(n) => ws.write_number_with_format(r, c, n, percent),
            }
            .map_err(xerr)?;
        }
        last = r;
    }
    let last_col = sheet.columns.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, last.max(1), last_col).map_err(xerr)?;
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    // Printed on A4 landscape, all columns on one page width, the header on every page.
    ws.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0).map_err(xerr)?;
    Ok(())
}

fn insert_bar_chart(ws: &mut Worksheet, spec: &BarChart, at_col: u16) -> Result<(), Error> {
    use rust_xlsxwriter::{Chart, ChartLegendPosition};
    let mut chart = Chart::new_bar();
    let last = spec.rows.max(1);
    chart
        .add_series()
        .set_categories((spec.sheet, 1, spec.categories, last, spec.categories))
        .set_values((spec.sheet, 1, spec.values, last, spec.values))
        .set_name(spec.axis);
    chart.title().set_name(spec.title);
    chart.legend().set_position(ChartLegendPosition::Bottom).set_hidden();
    // In rust_xlsxwriter's bar charts the x axis is the horizontal value
    // axis and the y axis the vertical category axis.
    chart.x_axis().set_name(spec.axis);
    if spec.percent {
        chart.x_axis().set_num_format("0%").set_min(0);
    }
    // Categories top to bottom in sheet order.
    chart.y_axis().set_reverse();
    let height = (120 + 28 * spec.rows).clamp(320, 8_000);
    chart.set_width(640).set_height(height);
    ws.insert_chart(1, at_col, &chart).map_err(xerr)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_json_strings_are_named_by_their_place_in_the_json() {
        let long = "あ".repeat(40_000);
        let data = serde_json::json!({"sections": [{"paragraphs": ["短い", long]}], "title": "x".repeat(32_767)});
        let e = check_json_fits_cells("データ.json", &data).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.starts_with(
                "データ.json の sections[0].paragraphs[1]: 40,000 文字あります。Excel のセルには 32,767 文字までしか入りません。"
            ),
            "{}",
            e.message
        );
        assert!(!e.message.contains("title"), "32,767 fits: {}", e.message);
        assert_eq!(crate::japanese::thousands(1_234_567), "1,234,567");
        assert_eq!(crate::japanese::thousands(999), "999");
    }
}
