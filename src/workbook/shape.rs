//! The two sheet shapes, found by header text rather than fixed positions.
//!
//! - A **table sheet** has one header row and a record per row below it.
//!   [`Table::find`] looks for the header row among the first
//!   [`HEADER_SEARCH_ROWS`] rows; headers match after [`normalize`], so
//!   「 日　程 」, 「日程\n」 and 「ﾆｯﾃｲ」-free variants of the same text are
//!   one column. Columns the caller does not know are kept.
//! - A **key/value sheet** has a header row with 項目 and 値; each row below
//!   is one named value ([`KeyValues::find`]).
//!
//! Nothing is dropped silently: a value under a column without a header is an
//! error that names the cell.

use crate::error::Error;
use crate::japanese::hankaku;

use super::{CellRef, Origin, Sheet, Value};

/// How many rows from the top are searched for a header row.
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// Header text for matching: full-width letters and digits made half-width,
/// every space (including 　 and line breaks) removed, Latin letters lower-cased.
pub fn normalize(s: &str) -> String {
    hankaku(s).chars().filter(|c| !c.is_whitespace()).flat_map(|c| c.to_lowercase()).collect()
}

/// Header text as the user wrote it, for display: trimmed, line breaks removed.
fn display_header(s: &str) -> String {
    s.trim().replace(['\r', '\n'], "")
}

/// One column of a table sheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header as written (trimmed, without line breaks): 「日　　程」.
    pub header: String,
    /// The normalised header used for matching: 「日程」.
    pub key: String,
    /// Zero-based column index in the sheet.
    pub col: u32,
}

impl Column {
    /// The header without any spaces, as used for template field names.
    pub fn name(&self) -> String {
        self.header.chars().filter(|c| !c.is_whitespace()).collect()
    }
}

/// One record of a table sheet.
#[derive(Debug, Clone)]
pub struct Record {
    /// Zero-based row in the sheet.
    pub row: u32,
    /// One value per table column (same order as [`Table::columns`]).
    pub values: Vec<Option<Value>>,
}

/// A table sheet: header row and records.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    /// The sheet it was read from.
    pub sheet: &'a Sheet,
    /// Zero-based header row.
    pub header_row: u32,
    /// Every column with a header, left to right.
    pub columns: Vec<Column>,
    /// Non-empty rows below the header, top to bottom.
    pub records: Vec<Record>,
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Text(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) | Value::Date(_) | Value::DateTime(..) | Value::YearMonth(..) => {
            Some(v.display())
        }
        _ => None,
    }
}

impl<'a> Table<'a> {
    /// Finds the header row holding every `required` header and reads the
    /// records below it.
    pub fn find(sheet: &'a Sheet, required: &[&str]) -> Result<Table<'a>, Error> {
        let wanted: Vec<String> = required.iter().map(|h| normalize(h)).collect();
        // The row that comes closest, with the headers it lacks.
        let mut best: Option<(u32, Vec<&str>)> = None;
        for row in 0..HEADER_SEARCH_ROWS {
            let keys: Vec<String> = sheet.row(row).filter_map(|(_, v)| text_of(v)).map(|t| normalize(&t)).collect();
            let missing: Vec<&str> =
                required.iter().zip(&wanted).filter(|(_, w)| !keys.contains(w)).map(|(h, _)| *h).collect();
            if missing.is_empty() {
                return Table::read(sheet, row);
            }
            if missing.len() < required.len() && best.as_ref().is_none_or(|(_, m)| missing.len() < m.len()) {
                best = Some((row, missing));
            }
        }
        let list = |names: &[&str]| names.iter().map(|h| format!("「{h}」")).collect::<Vec<_>>().join("");
        // A finding at the sheet; the row it names is the one that came closest.
        let what = match best {
            Some((row, missing)) => format!(
                "{} 行目の見出し行に{}の列がありません。見出しの文字を確かめてください（必要な見出し: {}）。",
                row + 1,
                list(&missing),
                list(required)
            ),
            None => format!(
                "見出し行が見つかりません。1〜{HEADER_SEARCH_ROWS} 行目のどこかに{}の見出しを 1 行に並べてください。",
                list(required)
            ),
        };
        Err(super::error_on(sheet, what))
    }

    /// A table whose headers are not known in advance: the first row with a
    /// value (among the first [`HEADER_SEARCH_ROWS`]) is the header row.
    pub fn first_row(sheet: &'a Sheet) -> Result<Table<'a>, Error> {
        let row = (0..HEADER_SEARCH_ROWS).find(|r| sheet.row(*r).any(|(_, v)| text_of(v).is_some())).ok_or_else(|| {
            super::error_on(sheet, format!("表が見つかりません。1〜{HEADER_SEARCH_ROWS} 行目に見出しの行を入れてください。"))
        })?;
        Table::read(sheet, row)
    }

    fn read(sheet: &'a Sheet, header_row: u32) -> Result<Table<'a>, Error> {
        let mut columns: Vec<Column> = Vec::new();
        for (at, v) in sheet.row(header_row) {
            let Some(text) = text_of(v) else { continue };
            let key = normalize(&text);
            if let Some(prev) = columns.iter().find(|c| c.key == key) {
                return Err(super::error_at(&sheet.origin(at), format!("見出し「{}」が {} 列と {} 列の 2 か所にあります。どちらかの見出しを変えるか、列を消してください。", display_header(&text), CellRef::column_name(prev.col), CellRef::column_name(at.col))));
            }
            columns.push(Column { header: display_header(&text), key, col: at.col });
        }
        let mut records = Vec::new();
        let last = sheet.last_row().unwrap_or(header_row);
        for row in header_row + 1..=last {
            let mut values: Vec<Option<Value>> = vec![None; columns.len()];
            let mut any = false;
            for (at, v) in sheet.row(row) {
                if v.is_blank() {
                    continue;
                }
                match columns.iter().position(|c| c.col == at.col) {
                    Some(i) => {
                        values[i] = Some(v.clone());
                        any = true;
                    }
                    None => {
                        return Err(super::error_at(
                            &sheet.origin(at),
                            format!(
                                "見出しのない列に値{}があります。この列に見出しを付けるか、値を消してください。",
                                v.describe()
                            ),
                        ))
                    }
                }
            }
            if any {
                records.push(Record { row, values });
            }
        }
        Ok(Table { sheet, header_row, columns, records })
    }

    /// The index of a column by header (matched after [`normalize`]).
    pub fn column(&self, header: &str) -> Option<usize> {
        // Callers mostly pass the form's own (already normalised) header;
        // normalising is idempotent, so an exact match is the same answer.
        if let Some(i) = self.columns.iter().position(|c| c.key == header) {
            return Some(i);
        }
        let key = normalize(header);
        self.columns.iter().position(|c| c.key == key)
    }

    /// The value of a record under a header, if the column exists and the cell has a value.
    pub fn value<'r>(&self, record: &'r Record, header: &str) -> Option<&'r Value> {
        self.column(header).and_then(|i| record.values[i].as_ref())
    }

    /// Where a record's cell under a header is (the header's column, or the
    /// record's first cell when the column does not exist).
    pub fn origin(&self, record: &Record, header: &str) -> Origin {
        let col = self.column(header).map(|i| self.columns[i].col).unwrap_or(0);
        self.sheet.origin(CellRef::new(record.row, col))
    }

    /// The header as written for a known column (falls back to the given name).
    pub fn header(&self, header: &str) -> String {
        self.column(header).map(|i| self.columns[i].header.clone()).unwrap_or_else(|| header.to_string())
    }

    /// The first column whose header is none of `known` (matched after
    /// [`normalize`]), with where its header is: a column a reader that
    /// prints every value it reads must refuse.
    pub fn unknown_column(&self, known: &[&str]) -> Option<(&Column, Origin)> {
        self.columns
            .iter()
            .find(|c| !known.iter().any(|k| normalize(k) == c.key))
            .map(|c| (c, self.sheet.origin(CellRef::new(self.header_row, c.col))))
    }

    /// A record as a JSON object keyed by the headers without spaces
    /// (「日　　程」 → 「日程」): every column, known or not, so templates can
    /// use extra columns as `{{備考}}`.
    pub fn record_json(&self, record: &Record) -> serde_json::Map<String, serde_json::Value> {
        self.columns
            .iter()
            .zip(&record.values)
            .map(|(c, v)| (c.name(), v.as_ref().map(Value::to_json).unwrap_or(serde_json::Value::Null)))
            .collect()
    }
}

/// What to say of a 項目 row a key/value sheet lacks.
pub fn missing_entry(key: &str) -> String {
    format!("項目「{key}」の行がありません。「項目」の列に「{key}」、「値」の列にその値を入れてください。")
}

/// One row of a key/value sheet.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key as written: 「議案番号」.
    pub key: String,
    /// The value, if the cell is not empty.
    pub value: Option<Value>,
    /// Where the value is (or would be).
    pub origin: Origin,
}

/// A key/value sheet (項目 | 値).
#[derive(Debug, Clone)]
pub struct KeyValues {
    /// The entries, top to bottom.
    pub entries: Vec<Entry>,
}

impl KeyValues {
    /// Reads a key/value sheet whose header row has 「項目」 and 「値」.
    /// Other columns (such as a 説明 column of notes) are ignored.
    pub fn find(sheet: &Sheet) -> Result<KeyValues, Error> {
        let table = Table::find(sheet, &["項目", "値"])?;
        let (k, v) = (table.column("項目").unwrap_or(0), table.column("値").unwrap_or(0));
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for r in &table.records {
            let origin = sheet.origin(CellRef::new(r.row, table.columns[v].col));
            let key_at = sheet.origin(CellRef::new(r.row, table.columns[k].col));
            let key = match &r.values[k] {
                Some(key @ Value::Error(_)) => {
                    return Err(super::error_at(
                        &key_at,
                        format!("項目名のセルが Excel のエラー値 {} です。項目名を入れてください。", key.display()),
                    ))
                }
                Some(key) => text_of(key).unwrap_or_default().trim().to_string(),
                None => {
                    if let Some(val) = &r.values[v] {
                        return Err(super::error_at(
                            &origin,
                            format!(
                                "値 {} がありますが、同じ行の「項目」が空です。項目名を入れるか、値を消してください。",
                                val.describe()
                            ),
                        ));
                    }
                    continue;
                }
            };
            if let Some(prev) = seen.insert(normalize(&key), r.row) {
                return Err(super::error_at(
                    &key_at,
                    format!(
                        "項目「{key}」が {} 行目と {} 行目の 2 回あります。1 つにしてください。",
                        prev + 1,
                        r.row + 1
                    ),
                ));
            }
            entries.push(Entry { key, value: r.values[v].clone(), origin });
        }
        Ok(KeyValues { entries })
    }

    /// The entry for a key, or the error that `sheet` (the sheet these
    /// entries were read from) lacks its row.
    pub fn require(&self, sheet: &Sheet, key: &str) -> Result<&Entry, Error> {
        self.get(key).ok_or_else(|| super::error_on(sheet, missing_entry(key)))
    }

    /// The entry for a key (matched after [`normalize`]).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        let k = normalize(key);
        self.entries.iter().find(|e| normalize(&e.key) == k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(cells: &[(u32, u32, &str)]) -> Sheet {
        Sheet::new("t.xlsx", "本文", cells.iter().map(|(r, c, t)| (CellRef::new(*r, *c), Value::Text(t.to_string()))))
    }

    #[test]
    fn a_missing_header_row_is_a_finding_at_the_sheet() {
        let s = sheet(&[(1, 0, "区分"), (1, 1, "内容")]);
        let err = Table::find(&s, &["区分", "種別", "内容"]).unwrap_err();
        let [d] = err.diagnostics.as_slice() else { panic!("{:?}", err.diagnostics) };
        assert_eq!(d.origin, crate::diagnostic::Origin::sheet_of("t.xlsx", "本文"));
        assert!(d.to_string().starts_with("2 行目の見出し行に「種別」の列がありません"), "{d}");
        assert_eq!(err.message, d.located());
        let err = Table::find(&s, &["日程"]).unwrap_err();
        assert!(err.diagnostics[0].to_string().starts_with("見出し行が見つかりません"), "{}", err.message);
    }

    #[test]
    fn headers_match_despite_spaces_width_and_line_breaks() {
        assert_eq!(normalize(" 日　　程\n"), "日程");
        assert_eq!(normalize("ＩＤ"), "id");
        let s = sheet(&[
            (0, 0, "表題"),
            (2, 1, " 日　程 "),
            (2, 2, "内\n容"),
            (2, 3, "備考"),
            (3, 1, "6月"),
            (3, 2, "総会"),
            (5, 3, "メモ"),
        ]);
        let t = Table::find(&s, &["日程", "内容"]).unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.records.len(), 2, "blank row 5 skipped, row 6 kept for its extra column");
        assert_eq!(t.value(&t.records[0], "内容"), Some(&Value::Text("総会".into())));
        assert_eq!(t.header("日程"), "日　程");
        let json = t.record_json(&t.records[1]);
        assert_eq!(json["備考"], serde_json::json!("メモ"), "unknown columns are kept");
        assert_eq!(t.origin(&t.records[0], "内容").to_string(), "t.xlsx 「本文」シート C4");
    }

    #[test]
    fn missing_header_is_named() {
        let s = sheet(&[(0, 0, "日程"), (0, 1, "中身")]);
        let e = Table::find(&s, &["日程", "内容"]).unwrap_err();
        assert!(e.message.contains("1 行目") && e.message.contains("「内容」の列がありません"), "{}", e.message);
        let e = Table::find(&sheet(&[(0, 0, "x")]), &["日程"]).unwrap_err();
        assert!(e.message.contains("見出し行が見つかりません"), "{}", e.message);
    }

    #[test]
    fn value_without_header_is_an_error_not_lost() {
        let s = sheet(&[(0, 0, "日程"), (1, 0, "6月"), (1, 3, "迷子")]);
        let e = Table::find(&s, &["日程"]).unwrap_err();
        assert!(e.message.contains("D2") && e.message.contains("迷子"), "{}", e.message);
    }

    #[test]
    fn duplicate_header_is_an_error() {
        let s = sheet(&[(0, 0, "日程"), (0, 1, "日 程")]);
        assert!(Table::find(&s, &["日程"]).unwrap_err().message.contains("2 か所"));
    }

    #[test]
    fn key_values() {
        let s = sheet(&[
            (0, 0, "項目"),
            (0, 1, "値"),
            (0, 2, "説明"),
            (1, 0, "年度"),
            (1, 1, "令和2年度"),
            (1, 2, "注"),
            (2, 0, "表題"),
        ]);
        let kv = KeyValues::find(&s).unwrap();
        assert_eq!(kv.get("年度").unwrap().value, Some(Value::Text("令和2年度".into())));
        assert_eq!(kv.get("表題").unwrap().value, None);
        assert_eq!(kv.get("表題").unwrap().origin.cell.to_string(), "B3");
        let dup = sheet(&[(0, 0, "項目"), (0, 1, "値"), (1, 0, "年度"), (2, 0, "年 度")]);
        assert!(KeyValues::find(&dup).unwrap_err().message.contains("2 回"));
        let orphan = sheet(&[(0, 0, "項目"), (0, 1, "値"), (1, 1, "x")]);
        assert!(KeyValues::find(&orphan).unwrap_err().message.contains("B2"));
    }
}
