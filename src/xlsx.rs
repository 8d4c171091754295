//! Writing workbooks with rust_xlsxwriter.
//!
//! [`write_form`] writes an input workbook from its [`SheetForm`]s: headers
//! with a note on each saying what goes there, a 説明 column on key/value
//! sheets, dropdown validation where a field has fixed choices, wrapped long
//! text, frozen header rows, Japanese fonts (charset 128) and a fixed
//! creation date so the bytes are reproducible.

use rust_xlsxwriter::{DataValidation, DocProperties, ExcelDateTime, Format, FormatBorder, Note, Workbook, Worksheet};

use crate::error::Error;
use crate::form::{CellData, FieldKind, Shape, SheetData, SheetForm};

/// Rows that carry validation below a table header (room to add rows).
const VALIDATION_ROWS: u32 = 1_000;
/// The font of every cell.
const FONT: &str = "游ゴシック";

fn xerr(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::internal(format!("xlsx を書き出せません（{e}）"))
}

fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_charset(128).set_font_size(11).set_align(rust_xlsxwriter::FormatAlign::Top)
}

fn header_format() -> Format {
    base().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin).set_text_wrap()
}

/// The creation date written into the document properties: `SOURCE_DATE_EPOCH`
/// when set, otherwise 2000-01-01 so that output does not depend on the clock.
fn creation_date() -> Result<ExcelDateTime, Error> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            Error::input(format!("環境変数 SOURCE_DATE_EPOCH「{v}」は Unix 時刻（秒）の整数にしてください。"))
        })?,
        Err(_) => 946_684_800,
    };
    ExcelDateTime::from_timestamp(secs).map_err(xerr)
}

/// Writes a workbook for `forms`, filled with `data` (one entry per form, in
/// the same order). Returns the xlsx bytes.
pub fn write_form(title: &str, forms: &[SheetForm], data: &[SheetData]) -> Result<Vec<u8>, Error> {
    let mut wb = Workbook::new();
    let props = DocProperties::new().set_title(title).set_author("keikaku").set_creation_datetime(&creation_date()?);
    wb.set_properties(&props);
    for (form, data) in forms.iter().zip(data) {
        let ws = wb.add_worksheet();
        ws.set_name(form.name).map_err(xerr)?;
        match (form.shape, data) {
            (Shape::KeyValue(fields), SheetData::KeyValue(values)) => write_key_value(ws, fields, values)?,
            (Shape::Table(fields), SheetData::Table { headers, rows }) => write_table(ws, fields, headers.as_deref(), rows)?,
            _ => return Err(Error::internal(format!("sheet {}: data does not match the form", form.name))),
        }
    }
    wb.save_to_buffer().map_err(xerr)
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, v: &CellData, kind: FieldKind) -> Result<(), Error> {
    let fmt = match kind {
        FieldKind::LongText => base().set_text_wrap(),
        _ => base(),
    };
    match v {
        CellData::Text(s) => ws.write_string_with_format(row, col, s, &fmt).map(|_| ()),
        CellData::Number(n) => ws.write_number_with_format(row, col, *n, &fmt).map(|_| ()),
        CellData::Date(d) => {
            let dt = ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8).map_err(xerr)?;
            let fmt = fmt.set_num_format("[$-ja-JP]ggge\"年\"m\"月\"d\"日\"");
            ws.write_datetime_with_format(row, col, &dt, &fmt).map(|_| ())
        }
    }
    .map_err(xerr)
}

fn validation(kind: FieldKind, name: &str, note: &str) -> Result<Option<DataValidation>, Error> {
    let prompt: String = note.chars().take(250).collect();
    Ok(match kind {
        FieldKind::Choice(list) => Some(
            DataValidation::new()
                .allow_list_strings(list)
                .map_err(xerr)?
                .set_input_title(name)
                .map_err(xerr)?
                .set_input_message(&prompt)
                .map_err(xerr)?
                .set_error_title("選べない値です")
                .map_err(xerr)?
                .set_error_message(&format!("{name}は一覧から選んでください: {}", list.join("、")))
                .map_err(xerr)?,
        ),
        _ => None,
    })
}

fn write_key_value(ws: &mut Worksheet, fields: &[crate::form::Field], values: &[Option<CellData>]) -> Result<(), Error> {
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
        ws.write_string_with_format(row, 2, &format!("{}{}", f.note, required), &note_fmt).map_err(xerr)?;
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
    fields: &[crate::form::Field],
    headers: Option<&[String]>,
    rows: &[Vec<Option<CellData>>],
) -> Result<(), Error> {
    let h = header_format();
    for (c, f) in fields.iter().enumerate() {
        let col = c as u16;
        let text = headers.and_then(|hs| hs.get(c)).map(String::as_str).unwrap_or(f.name);
        ws.write_string_with_format(0, col, text, &h).map_err(xerr)?;
        ws.set_column_width(col, f.width).map_err(xerr)?;
        let required = if f.required { "（必須）" } else { "（省略可）" };
        ws.insert_note(0, col, &Note::new(format!("{}{}", f.note, required)).set_author("keikaku")).map_err(xerr)?;
        if let Some(dv) = validation(f.kind, f.name, f.note)? {
            ws.add_data_validation(1, col, VALIDATION_ROWS, col, &dv).map_err(xerr)?;
        }
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, (v, f)) in row.iter().zip(fields).enumerate() {
            if let Some(v) = v {
                write_cell(ws, r as u32 + 1, c as u16, v, f.kind)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}
