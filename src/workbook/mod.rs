//! Reading workbooks: guarded, bounded, with every value's origin.
//!
//! [`Workbook::open`] reads `.xlsx`, `.xlsm`, `.xls` and `.ods` files into
//! sparse sheets of typed [`Value`]s. The file is read once into memory and
//! never written to. Before calamine parses anything, `guard` checks what
//! the file really is and that it cannot exhaust memory; xlsx sheets are then
//! streamed cell by cell and stop at the first cell beyond [`limits`].
//!
//! On top of the cells, [`shape`] finds the two sheet shapes the jobs use —
//! a key/value sheet (項目 | 値) and a table sheet with one header row — by
//! header text, and [`convert`] turns cells into typed fields (text, whole
//! numbers with full-width digits, 年度 and dates typed in 和暦) with
//! messages that name the file, sheet and cell.

pub mod cell;
pub mod convert;
mod guard;
pub mod shape;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{Data, Reader};

pub use cell::{parse_reference, CellRef, Origin, Value};

use crate::diagnostic::{Diagnostic, Kind, Severity};
use crate::error::Error;
use crate::wareki::Date;
use guard::{Reason, Refusal};

/// Bounds on what an input workbook may contain. A workbook for keikaku is a
/// few sheets of a few hundred rows; these leave a wide margin and still keep
/// memory small.
pub mod limits {
    /// Largest file read (bytes).
    pub const MAX_FILE_BYTES: u64 = 50_000_000;
    /// Most entries in a zip (xlsx / ods).
    pub const MAX_ZIP_ENTRIES: usize = 5_000;
    /// Largest inflated size of one zip entry (bytes).
    pub const MAX_ZIP_ENTRY_BYTES: u64 = 200_000_000;
    /// Largest inflated size of all zip entries together (bytes).
    pub const MAX_ZIP_TOTAL_BYTES: u64 = 400_000_000;
    /// Entries at least this large must not inflate more than [`MAX_ZIP_RATIO`] times.
    pub const RATIO_CHECK_FROM_BYTES: u64 = 5_000_000;
    /// Highest compression ratio for large entries. Real sheet XML compresses
    /// 5–30 times; a deflate bomb reaches 1,000.
    pub const MAX_ZIP_RATIO: u64 = 200;
    /// Rows a sheet may use (a cell with data in row 100,001 is refused).
    pub const MAX_ROWS: u32 = 100_000;
    /// Columns a sheet may use (up to column ALL).
    pub const MAX_COLS: u32 = 1_000;
    /// Cells in the bounding box of a sheet's data, for `.xls` and `.ods`
    /// (calamine builds a dense rectangle for those: 2,000,000 cells ≈ 64 MB).
    pub const MAX_DENSE_AREA: u64 = 2_000_000;
    /// Bytes of cell text in a workbook (after calamine expands repeats and
    /// copies shared strings into every cell that uses them).
    pub const MAX_TEXT_BYTES: u64 = 100_000_000;
    /// Cells with data in one sheet.
    pub const MAX_CELLS: usize = 1_000_000;
    /// Cell elements (including empty, formatted ones) scanned in one xlsx sheet.
    pub const MAX_SCANNED_CELLS: usize = 5_000_000;
}

/// The file format of a workbook, from its content (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel 97–2003 (`.xls`).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

/// One sheet: its non-empty cells.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet name.
    pub name: Arc<str>,
    file: Arc<str>,
    cells: BTreeMap<CellRef, Value>,
    uncomputed: Vec<CellRef>,
}

impl Sheet {
    /// A sheet from cells (for tests and generated data).
    pub fn new(file: &str, name: &str, cells: impl IntoIterator<Item = (CellRef, Value)>) -> Sheet {
        Sheet { name: name.into(), file: file.into(), cells: cells.into_iter().collect(), uncomputed: vec![] }
    }

    /// The cells that hold a formula whose result the file does not carry
    /// (saved by a program that does not calculate, such as a script
    /// library), in row order. They have no value in [`Sheet::get`].
    pub fn uncomputed(&self) -> &[CellRef] {
        &self.uncomputed
    }

    /// Whether `cell` holds a formula whose result was not saved.
    pub fn is_uncomputed(&self, cell: CellRef) -> bool {
        self.uncomputed.binary_search(&cell).is_ok()
    }

    /// The value of a cell, if it has one.
    pub fn get(&self, cell: CellRef) -> Option<&Value> {
        self.cells.get(&cell)
    }

    /// Where a cell of this sheet is, for messages.
    pub fn origin(&self, cell: CellRef) -> Origin {
        Origin { file: self.file.clone(), sheet: self.name.clone(), cell }
    }

    /// The file the sheet is in, as the user named it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The whole sheet as a finding's origin (file and sheet).
    pub fn whole(&self) -> crate::diagnostic::Origin {
        crate::diagnostic::Origin::sheet_of(&self.file, &self.name)
    }

    /// The sheet as a place in a message: `議案.xlsx 「議案」シート`.
    pub fn place(&self) -> String {
        format!("{} 「{}」シート", self.file, self.name)
    }

    /// Every non-empty cell, row by row, left to right.
    pub fn cells(&self) -> impl Iterator<Item = (CellRef, &Value)> {
        self.cells.iter().map(|(c, v)| (*c, v))
    }

    /// The cells of one row, left to right.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (CellRef, &Value)> {
        self.cells.range(CellRef::new(row, 0)..=CellRef::new(row, u32::MAX)).map(|(c, v)| (*c, v))
    }

    /// The last row with data, if any.
    pub fn last_row(&self) -> Option<u32> {
        self.cells.keys().next_back().map(|c| c.row)
    }

    /// True when the sheet has no data.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// A workbook read into memory.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The file name as given, for messages.
    pub file: Arc<str>,
    /// The format found from the content.
    pub format: Format,
    /// The worksheets in workbook order (chart sheets are skipped).
    pub sheets: Vec<Sheet>,
    /// When the workbook was last saved, as its properties say
    /// (`2026-11-20T01:02:03Z`; xlsx only).
    pub saved: Option<String>,
    /// Custom document properties, name and value as text (xlsx only).
    pub properties: Vec<(String, String)>,
    /// Defined names and what they refer to, as written
    /// (`KK_4_1_1_ACTION` → `'4-1-1 福祉会議事業'!$C$22`).
    pub names: Vec<(String, String)>,
}

impl Workbook {
    /// Reads a workbook file whose every value is needed as it is (a
    /// master, a 議案 workbook). Every refusal is an input error naming the
    /// file; a formula saved without its result is refused with every such
    /// cell named ([`Workbook::refuse_uncomputed`]).
    pub fn open(path: &Path) -> Result<Workbook, Error> {
        let bytes = Workbook::read_file(path)?;
        let wb = Workbook::from_bytes(&path.display().to_string(), &bytes)?;
        wb.refuse_uncomputed()?;
        Ok(wb)
    }

    /// An error naming every cell (at most 20, then how many more) whose
    /// formula was saved without its result, if there is one.
    pub fn refuse_uncomputed(&self) -> Result<(), Error> {
        const SHOWN: usize = 20;
        let cells: Vec<String> = self
            .sheets
            .iter()
            .flat_map(|s| s.uncomputed.iter().map(move |c| format!("「{}」シート {c}", s.name)))
            .collect();
        if cells.is_empty() {
            return Ok(());
        }
        let more = if cells.len() > SHOWN { format!(" ほか {} セル", cells.len() - SHOWN) } else { String::new() };
        Err(error_in(&self.file, format!("{}{more}: 数式の計算結果がブックに保存されていません（Excel 以外のソフトで作られたブックに多い状態です）。Excel で開いて保存し直すか、値を入力してください。", cells[..cells.len().min(SHOWN)].join("、"))))
    }

    /// Reads a file's bytes for [`Workbook::from_bytes`], refusing folders and
    /// files over [`limits::MAX_FILE_BYTES`] before reading them.
    pub fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
        let file = path.display();
        let file = file.to_string();
        let unopenable = |why: String| unreadable(&file, Some(Reason::Unopenable), why);
        let meta = std::fs::metadata(path).map_err(|e| {
            unopenable(match e.kind() {
                std::io::ErrorKind::NotFound => "ファイルが見つかりません。パスを確かめてください。".to_string(),
                _ => format!("ファイルを開けません（{e}）。"),
            })
        })?;
        if meta.is_dir() {
            return Err(unopenable("フォルダーです。Excel のブックを指定してください。".to_string()));
        }
        if meta.len() > limits::MAX_FILE_BYTES {
            return Err(unreadable(
                &file,
                Some(Reason::TooLarge),
                format!(
                    "ファイルが大きすぎます（{} MB）。扱えるのは {} MB までです。",
                    meta.len() / 1_000_000,
                    limits::MAX_FILE_BYTES / 1_000_000
                ),
            ));
        }
        std::fs::read(path).map_err(|e| unopenable(format!("ファイルを読めません（{e}）。")))
    }

    /// Reads a workbook from bytes; `file` names it in messages. Formulas
    /// saved without their result are kept as [`Sheet::uncomputed`] cells,
    /// for the caller to report.
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Workbook, Error> {
        let file: Arc<str> = file.into();
        let refuse = |why: Refusal| unreadable(&file, Some(why.reason), why.message);
        let checked = guard::check(bytes).map_err(refuse)?;
        // The guard bounds what calamine allocates; a panic inside calamine on
        // some malformed record we did not foresee still becomes a message.
        let source = checked.repacked.as_deref().unwrap_or(bytes);
        let parsed = std::panic::catch_unwind(|| Workbook::parse(&file, source, &checked))
            .unwrap_or_else(|_| Err(broken(&"読み込み中に想定外の形式に出会いました")));
        let (sheets, names) = parsed.map_err(refuse)?;
        Ok(Workbook {
            file,
            format: checked.format,
            sheets,
            saved: checked.saved,
            properties: checked.properties,
            names,
        })
    }

    fn parse(file: &Arc<str>, bytes: &[u8], checked: &guard::Checked) -> Result<SheetsAndNames, Refusal> {
        let file = file.clone();
        match checked.format {
            Format::Xlsx => read_xlsx(&file, bytes, checked.date1904, PARALLEL_FROM_BYTES),
            Format::Xls => {
                let wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| match e {
                    calamine::XlsError::Password => guard::encrypted_message(),
                    e => broken(&e),
                });
                wb.and_then(|mut wb| read_ranges(&file, &mut wb))
            }
            Format::Ods => {
                let wb = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
                    calamine::OdsError::Password => guard::encrypted_message(),
                    e => broken(&e),
                });
                wb.and_then(|mut wb| read_ranges(&file, &mut wb))
            }
        }
    }

    /// The sheet with this name. Names match exactly first, then ignoring
    /// spaces and full-width/half-width differences.
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| &*s.name == name).or_else(|| {
            let want = shape::normalize(name);
            self.sheets.iter().find(|s| shape::normalize(&s.name) == want)
        })
    }

    /// The sheet with this name, or an error listing the sheets there are.
    pub fn require_sheet(&self, name: &str) -> Result<&Sheet, Error> {
        self.sheet(name).ok_or_else(|| {
            error_in(
                &self.file,
                format!(
                    "「{name}」シートがありません（あるシート: {}）。シート名を「{name}」にしてください。",
                    self.sheet_list()
                ),
            )
        })
    }

    /// The sheets there are, for messages: 「表紙」、「議案一覧」 (なし when none).
    pub fn sheet_list(&self) -> String {
        let have: Vec<String> = self.sheets.iter().map(|s| format!("「{}」", s.name)).collect();
        if have.is_empty() {
            "なし".to_string()
        } else {
            have.join("、")
        }
    }
}

/// A workbook's worksheets and its defined names (name, what it refers to).
type SheetsAndNames = (Vec<Sheet>, Vec<(String, String)>);

fn broken(e: &dyn std::fmt::Display) -> Refusal {
    Refusal::new(
        Reason::Broken,
        format!("ブックの中身が壊れていて読めません（{e}）。Excel で開いて保存し直してください。"),
    )
}

/// An input error at a cell: the finding, and the message with its place.
pub(crate) fn error_at(at: &Origin, message: impl Into<String>) -> Error {
    Error::finding(Diagnostic::invalid(crate::diagnostic::Origin::of(at), message))
}

/// An input error about a whole sheet: the finding, and the message with
/// its place.
pub(crate) fn error_on(sheet: &Sheet, message: impl Into<String>) -> Error {
    Error::finding(Diagnostic::invalid(sheet.whole(), message))
}

/// An input error about a whole file.
pub(crate) fn error_in(file: &str, message: impl Into<String>) -> Error {
    let at = crate::diagnostic::Origin { file: Some(file.to_string()), ..Default::default() };
    Error::finding(Diagnostic::invalid(at, message))
}

/// The error of a file that cannot be read as a workbook: `{file}: {why}`,
/// with the finding as data ([`Kind::Unreadable`]).
fn unreadable(file: &str, refused: Option<Reason>, why: impl std::fmt::Display) -> Error {
    let message = format!("{file}: {why}");
    let finding = Diagnostic {
        severity: Severity::Error,
        origin: crate::diagnostic::Origin { file: Some(file.to_string()), ..Default::default() },
        kind: Kind::Unreadable { refused, message: message.clone() },
    };
    Error::input(message).with(vec![finding])
}

/// The names of the worksheets (chart sheets are skipped), in workbook order.
fn worksheet_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata().iter().filter(|s| s.typ == calamine::SheetType::WorkSheet).map(|s| s.name.clone()).collect()
}

/// More text in a workbook than [`limits::MAX_TEXT_BYTES`].
fn too_much_text() -> Refusal {
    Refusal::new(
        Reason::TooLarge,
        format!(
            "ブックの文字が多すぎます（{} MB まで）。keikaku の入力用のブックか確かめてください。",
            limits::MAX_TEXT_BYTES / 1_000_000
        ),
    )
}

/// Keeps one cell of sheet `name` after checking its position, the sheet's
/// cell count and the workbook's running text budget.
fn keep_cell(
    name: &str,
    cells: &mut BTreeMap<CellRef, Value>,
    text_bytes: &mut u64,
    at: CellRef,
    value: Value,
) -> Result<(), Refusal> {
    if let Value::Text(s) = &value {
        *text_bytes += s.len() as u64;
        if *text_bytes > limits::MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
    }
    guard::check_xlsx_cell(name, at, cells.len() + 1)?;
    cells.insert(at, value);
    Ok(())
}

/// The most defined names kept (a form has one per input cell).
const MAX_NAMES: usize = 100_000;

/// A workbook's defined names, bounded.
fn defined_names<RS: std::io::Read + std::io::Seek, R: Reader<RS>>(wb: &R) -> Result<Vec<(String, String)>, Refusal> {
    let names = wb.defined_names();
    if names.len() > MAX_NAMES {
        return Err(Refusal::new(
            Reason::TooLarge,
            format!("名前の定義が多すぎます（{} 個。{MAX_NAMES} 個まで）。", names.len()),
        ));
    }
    Ok(names.to_vec())
}

/// Streams each xlsx worksheet with calamine's cell reader, checking every
/// cell's position before keeping it. Also returns the defined names.
///
/// A sheet is read in one pass that gives each cell's value and style (the
/// style tells a year-month date from a full date). That pass cannot tell a
/// formula saved without its result from a cell with no value; only such a
/// cell comes back empty (blank cells are self-closing and not returned), so
/// a sheet with one is read again with the formula reader, whose values and
/// formulas are then kept ([`read_with_formulas`]).
fn read_xlsx(
    file: &Arc<str>,
    bytes: &[u8],
    date1904: bool,
    parallel_from: usize,
) -> Result<SheetsAndNames, Refusal> {
    let open = || {
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Password => guard::encrypted_message(),
            e => broken(&e),
        })
    };
    let mut wb = open()?;
    let names = worksheet_names(&wb);
    let mut sheets = Vec::with_capacity(names.len());
    let mut text_bytes = 0u64;
    if bytes.len() >= parallel_from && names.len() > 1 {
        // A large workbook (a master): its sheets on all cores, each with
        // a calamine reader of its own over the same bytes; the text budget
        // is the workbook's, summed in sheet order.
        use rayon::prelude::*;
        let read: Vec<Result<(Sheet, u64), Refusal>> = names
            .par_iter()
            .map(|name| {
                let mut own = open()?;
                let mut text = 0u64;
                let sheet = read_sheet(&mut own, file, name, date1904, &mut text)?;
                Ok((sheet, text))
            })
            .collect();
        for r in read {
            let (sheet, text) = r?;
            text_bytes += text;
            if text_bytes > limits::MAX_TEXT_BYTES {
                return Err(too_much_text());
            }
            sheets.push(sheet);
        }
    } else {
        for name in &names {
            sheets.push(read_sheet(&mut wb, file, name, date1904, &mut text_bytes)?);
        }
    }
    let names = defined_names(&wb)?;
    Ok((sheets, names))
}

/// The size of an xlsx (as the parser reads it) from which its sheets are
/// read in parallel: a master of a thousand centres is a few megabytes, a
/// returned workbook a few hundred kilobytes (and a thousand of those are
/// already read in parallel, one per core).
const PARALLEL_FROM_BYTES: usize = 1_000_000;

/// One worksheet: its cells, year-month dates and uncomputed formulas (see
/// [`read_xlsx`]); `text_bytes` is the running text budget.
fn read_sheet(
    wb: &mut calamine::Xlsx<Cursor<&[u8]>>,
    file: &Arc<str>,
    name: &str,
    date1904: bool,
    text_bytes: &mut u64,
) -> Result<Sheet, Refusal> {
    let before = *text_bytes;
    let mut cells = BTreeMap::new();
    let mut month_only = Vec::new();
    let mut valueless = false;
    {
        let mut reader = wb.worksheet_cells_reader(name).map_err(|e| broken(&e))?;
        let styles = reader.styles().to_vec();
        let mut scanned = 0usize;
        while let Some((c, style)) =
            reader.next_cell_with_style_id().map_err(|e| broken(&format!("「{name}」シート: {e}")))?
        {
            scanned += 1;
            if scanned > limits::MAX_SCANNED_CELLS {
                return Err(guard::too_many_cells(&format!("「{name}」シート")));
            }
            let at = CellRef::new(c.get_position().0, c.get_position().1);
            let Some(value) = convert(Data::from(c.get_value().clone()), date1904) else {
                valueless = true;
                guard::check_xlsx_cell(name, at, cells.len() + 1)?;
                continue;
            };
            if let Value::Date(d) = &value {
                let year_month = styles
                    .get(style)
                    .and_then(|s| s.number_format.as_ref())
                    .is_some_and(|f| is_year_month_format(&f.format_code, f.format_id));
                if year_month {
                    month_only.push((at, d.year, d.month));
                }
            }
            if !valueless {
                keep_cell(name, &mut cells, text_bytes, at, value)?;
            }
        }
    }
    let mut uncomputed = Vec::new();
    if valueless {
        *text_bytes = before;
        (cells, uncomputed) = read_with_formulas(wb, name, date1904, text_bytes)?;
    }
    for (at, year, month) in month_only {
        if let Some(v @ Value::Date(_)) = cells.get_mut(&at) {
            *v = Value::YearMonth(year, month);
        }
    }
    Ok(Sheet { name: name.into(), file: file.clone(), cells, uncomputed })
}

/// A sheet's values and its formulas saved without their result (sorted),
/// from calamine's formula reader.
fn read_with_formulas(
    wb: &mut calamine::Xlsx<Cursor<&[u8]>>,
    name: &str,
    date1904: bool,
    text_bytes: &mut u64,
) -> Result<(BTreeMap<CellRef, Value>, Vec<CellRef>), Refusal> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(|e| broken(&e))?;
    let mut cells = BTreeMap::new();
    let mut uncomputed = Vec::new();
    let mut scanned = 0usize;
    while let Some(c) =
        reader.next_cell_with_formula_metadata().map_err(|e| broken(&format!("「{name}」シート: {e}")))?
    {
        scanned += 1;
        if scanned > limits::MAX_SCANNED_CELLS {
            return Err(guard::too_many_cells(&format!("「{name}」シート")));
        }
        let at = CellRef::new(c.pos.0, c.pos.1);
        let value = match convert(Data::from(c.value), date1904) {
            Some(v) => v,
            None if c.formula.is_some() => {
                guard::check_xlsx_cell(name, at, cells.len() + uncomputed.len() + 1)?;
                uncomputed.push(at);
                continue;
            }
            None => continue,
        };
        keep_cell(name, &mut cells, text_bytes, at, value)?;
    }
    uncomputed.sort();
    uncomputed.dedup();
    Ok((cells, uncomputed))
}

/// Built-in number format ids that show only a year and a month: 17
/// (`mmm-yy`) and, in Japanese Excel, 34, 52 and 55 (`yyyy"年"m"月"`).
/// (57 is `[$-411]ge.m.d` and 58 `[$-411]ggge"年"m"月"d"日"`: full dates.)
const BUILTIN_YEAR_MONTH_IDS: [u32; 4] = [17, 34, 52, 55];

/// Whether a date number format shows a year and a month but no day:
/// `yyyy/m`, `yyyy"年"m"月"`, `[$-ja-JP]ggge"年"m"月"`, `mmm-yy`, or one of
/// `BUILTIN_YEAR_MONTH_IDS`. Only the first section (before `;`) counts;
/// quoted text, `[…]` locale and colour codes and escaped characters are
/// skipped. A format with hours or seconds is a time, not a month.
pub fn is_year_month_format(code: &str, id: Option<u32>) -> bool {
    if code.is_empty() || code.eq_ignore_ascii_case("general") {
        return id.is_some_and(|id| BUILTIN_YEAR_MONTH_IDS.contains(&id));
    }
    let mut tokens = String::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            ';' => break,
            '"' => {
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                }
            }
            '[' => {
                for q in chars.by_ref() {
                    if q == ']' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            c => tokens.push(c.to_ascii_lowercase()),
        }
    }
    let has = |c: char| tokens.contains(c);
    let year = has('y') || has('e') || has('g');
    year && has('m') && !has('d') && !has('a') && !has('h') && !has('s')
}

/// `.xls` and `.ods`: the guard has bounded every sheet's extent, so the
/// dense ranges calamine builds are small.
fn read_ranges<'b, R>(file: &Arc<str>, wb: &mut R) -> Result<SheetsAndNames, Refusal>
where
    R: Reader<Cursor<&'b [u8]>>,
    R::Error: std::fmt::Display,
{
    let names = worksheet_names(wb);
    let mut sheets = Vec::with_capacity(names.len());
    let mut text_bytes = 0u64;
    for name in names {
        let range = wb.worksheet_range(&name).map_err(|e| broken(&format!("「{name}」シート: {e}")))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells = BTreeMap::new();
        for (r, c, v) in range.used_cells() {
            if let Some(value) = convert(v.clone(), false) {
                let at = CellRef::new(r0 + r as u32, c0 + c as u32);
                keep_cell(&name, &mut cells, &mut text_bytes, at, value)?;
            }
        }
        sheets.push(Sheet { name: name.as_str().into(), file: file.clone(), cells, uncomputed: vec![] });
    }
    let names = defined_names(wb)?;
    Ok((sheets, names))
}

/// A calamine value → a [`Value`]; `None` for an empty cell. `date1904`:
/// the workbook counts dates from 1904 (old Mac Excel).
fn convert(v: Data, date1904: bool) -> Option<Value> {
    Some(match v {
        Data::Empty => return None,
        Data::String(s) if s.is_empty() => return None,
        Data::String(s) => Value::Text(s),
        Data::Int(i) => Value::Number(i as f64),
        Data::Float(f) => Value::Number(f),
        Data::Bool(b) => Value::Bool(b),
        Data::DateTime(dt) => excel_datetime(dt.as_f64(), dt.is_datetime(), date1904),
        Data::DateTimeIso(s) => iso_datetime(&s),
        Data::DurationIso(s) => Value::Text(s),
        Data::Error(e) => Value::Error(e.to_string()),
    })
}

fn excel_datetime(serial: f64, is_datetime: bool, date1904: bool) -> Value {
    if !is_datetime {
        return Value::Number(serial);
    }
    let serial = if date1904 { serial + 1462.0 } else { serial };
    match Date::from_excel_serial(serial) {
        Some(d) => {
            let secs = ((serial - serial.floor()) * 86_400.0).round() as u32;
            if secs == 0 || secs >= 86_400 {
                Value::Date(d)
            } else {
                Value::DateTime(d, secs)
            }
        }
        None => Value::Number(serial),
    }
}

/// ODS dates: `2020-06-01` or `2020-06-01T13:30:00`.
fn iso_datetime(s: &str) -> Value {
    let (date, time) = s.split_once('T').unwrap_or((s, ""));
    let mut it = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let d = match (it.next().flatten(), it.next().flatten(), it.next().flatten()) {
        (Some(y), Some(m), Some(d)) => Date::new(y as i32, m, d),
        _ => None,
    };
    let Some(d) = d else { return Value::Text(s.to_string()) };
    let mut t = time.split(':').map(|p| p.split('.').next().unwrap_or("").parse::<u32>().unwrap_or(0));
    let (h, m, sec) = (t.next().unwrap_or(0), t.next().unwrap_or(0), t.next().unwrap_or(0));
    if h > 23 || m > 59 || sec > 60 {
        return Value::Text(s.to_string());
    }
    let secs = h * 3600 + m * 60 + sec;
    if secs == 0 {
        Value::Date(d)
    } else {
        Value::DateTime(d, secs.min(86_399))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_month_formats() {
        for code in [
            "yyyy/m",
            "yyyy\"年\"m\"月\"",
            "[$-ja-JP]ggge\"年\"m\"月\"",
            "[$-411]ggge\"年\"m\"月\"",
            "mmm-yy",
            "yyyy\\-mm",
        ] {
            assert!(is_year_month_format(code, Some(176)), "{code}");
        }
        for code in [
            "yyyy/m/d",
            "[$-411]ggge\"年\"m\"月\"d\"日\"",
            "m\"月\"d\"日\"",
            "h:mm",
            "yyyy/m/d h:mm",
            "\"day\" yyyy",
            "0.00",
            "yyyy\"年\"m\"月\"(aaa)",
            "[$-411]ge.m.d",
        ] {
            assert!(!is_year_month_format(code, Some(176)), "{code}");
        }
        assert!(is_year_month_format("General", Some(55)));
        assert!(is_year_month_format("General", Some(34)));
        assert!(!is_year_month_format("General", Some(57)));
        assert!(!is_year_month_format("General", Some(58)));
        assert!(!is_year_month_format("General", Some(14)));
    }

    #[test]
    fn ods_date_times_with_absurd_times_stay_text() {
        assert_eq!(iso_datetime("2020-06-01"), Value::Date(Date::new(2020, 6, 1).unwrap()));
        assert_eq!(iso_datetime("2020-06-01T13:30:00"), Value::DateTime(Date::new(2020, 6, 1).unwrap(), 48_600));
        assert_eq!(iso_datetime("2020-06-01T99999999:00"), Value::Text("2020-06-01T99999999:00".into()));
        assert_eq!(iso_datetime("2020-13-01"), Value::Text("2020-13-01".into()));
    }

    /// The one-pass reader and its formula fallback give the same sheet: a
    /// formula saved without its result is reported, and a year-month date
    /// on the same sheet stays a year-month.
    #[test]
    fn a_sheet_with_an_uncomputed_formula_keeps_its_year_months() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula};
        let build = |formula: bool| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let month = Format::new().set_num_format("yyyy\"年\"m\"月\"");
            let day = Format::new().set_num_format("yyyy/m/d");
            let d = ExcelDateTime::from_ymd(2026, 4, 15).unwrap();
            ws.write_datetime_with_format(0, 0, &d, &month).unwrap();
            ws.write_datetime_with_format(1, 0, &d, &day).unwrap();
            ws.write_string(2, 0, "本文").unwrap();
            if formula {
                ws.write_formula(3, 0, Formula::new("=1+1")).unwrap();
            }
            let bytes = wb.save_to_buffer().unwrap();
            // No result saved, as tools other than Excel write formulas.
            let mut z = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
            let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for i in 0..z.len() {
                let mut f = z.by_index(i).unwrap();
                let name = f.name().unwrap().into_owned();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut data).unwrap();
                if name == "xl/worksheets/sheet1.xml" {
                    let xml = String::from_utf8(data).unwrap();
                    assert!(!formula || xml.contains("<f>1+1</f><v>0</v>"), "{xml}");
                    data = xml.replace("<f>1+1</f><v>0</v>", "<f>1+1</f>").into_bytes();
                }
                out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut out, &data).unwrap();
            }
            let bytes = out.finish().unwrap().into_inner();
            Workbook::from_bytes("t.xlsx", &bytes).unwrap()
        };
        for formula in [false, true] {
            let wb = build(formula);
            let sheet = &wb.sheets[0];
            assert_eq!(sheet.get(CellRef::new(0, 0)), Some(&Value::YearMonth(2026, 4)), "formula: {formula}");
            assert_eq!(sheet.get(CellRef::new(1, 0)), Some(&Value::Date(Date::new(2026, 4, 15).unwrap())));
            assert_eq!(sheet.get(CellRef::new(2, 0)), Some(&Value::Text("本文".into())));
            let expected: &[CellRef] = if formula { &[CellRef::new(3, 0)] } else { &[] };
            assert_eq!(sheet.uncomputed(), expected);
        }
    }

    /// A workbook read sheet by sheet and read on all cores gives the same
    /// sheets and names.
    #[test]
    fn sheets_read_in_parallel_are_the_sheets_read_in_turn() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for s in 0..4 {
            let ws = wb.add_worksheet();
            for r in 0..200u32 {
                ws.write_string(r, 0, format!("シート{s} 行{r}")).unwrap();
                ws.write_number(r, 1, f64::from(r * s)).unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let file: Arc<str> = "t.xlsx".into();
        let (turn, names_turn) = read_xlsx(&file, &bytes, false, usize::MAX).unwrap();
        let (parallel, names_parallel) = read_xlsx(&file, &bytes, false, 0).unwrap();
        assert_eq!(turn.len(), 4);
        assert_eq!(names_turn, names_parallel);
        for (a, b) in turn.iter().zip(&parallel) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.cells().collect::<Vec<_>>(), b.cells().collect::<Vec<_>>());
            assert_eq!(a.uncomputed(), b.uncomputed());
        }
        assert_eq!(parallel[3].get(CellRef::new(199, 0)), Some(&Value::Text("シート3 行199".into())));
    }
}
