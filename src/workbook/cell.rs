//! Cell addresses (`B3`), cell values and where a value came from.

use std::fmt;
use std::sync::Arc;

use crate::wareki::{self, Date};

/// A cell position, zero-based (`row 2, col 1` is `B3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    /// Zero-based row (row 1 in Excel is 0).
    pub row: u32,
    /// Zero-based column (A is 0).
    pub col: u32,
}

impl CellRef {
    /// The cell at a zero-based row and column.
    pub fn new(row: u32, col: u32) -> CellRef {
        CellRef { row, col }
    }

    /// Excel's letters for a zero-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
    pub fn column_name(col: u32) -> String {
        let mut n = col as u64 + 1;
        let mut letters = Vec::new();
        while n > 0 {
            let r = ((n - 1) % 26) as u8;
            letters.push((b'A' + r) as char);
            n = (n - 1) / 26;
        }
        letters.iter().rev().collect()
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", CellRef::column_name(self.col), self.row as u64 + 1)
    }
}

/// Where a value came from: file, sheet and cell. Displayed the way the
/// user looks for it: `議案.xlsx 「議案」シート B3`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file name as the user gave it.
    pub file: Arc<str>,
    /// The sheet name.
    pub sheet: Arc<str>,
    /// The cell.
    pub cell: CellRef,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 「{}」シート {}", self.file, self.sheet, self.cell)
    }
}

/// A cell value with its type kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text as typed (never empty: empty cells are not stored).
    Text(String),
    /// A number (Excel stores integers as numbers too).
    Number(f64),
    /// TRUE / FALSE.
    Bool(bool),
    /// A date cell (or a date-time at midnight).
    Date(Date),
    /// A date-time cell; `seconds` since midnight.
    DateTime(Date, u32),
    /// A date cell whose number format shows only the year and month
    /// (`yyyy"年"m"月"`, what Japanese Excel makes of typing 2025/9): 西暦
    /// year and month. The day Excel stores (the 1st) is not part of it.
    YearMonth(i32, u32),
    /// An Excel error value such as `#DIV/0!`.
    Error(String),
}

impl Value {
    /// True for text that is only spaces (a cell that looks empty).
    pub fn is_blank(&self) -> bool {
        matches!(self, Value::Text(s) if s.trim().is_empty())
    }

    /// The value as the user sees it in the cell: numbers without a needless
    /// `.0`, dates in 和暦 with full-width digits (令和２年６月１日), text as typed.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Date(d) => wareki::format_date(*d, wareki::Digits::Zenkaku),
            Value::DateTime(d, s) => {
                format!("{} {}:{:02}", wareki::format_date(*d, wareki::Digits::Zenkaku), s / 3600, (s / 60) % 60)
            }
            Value::YearMonth(y, m) => {
                wareki::format_year_month(*y, *m, wareki::Digits::Zenkaku).unwrap_or_else(|| format!("{y}-{m:02}"))
            }
            Value::Error(e) => e.clone(),
        }
    }

    /// The value for templates: text as a string, numbers as JSON numbers
    /// (integers without a fraction), booleans, dates as ISO text
    /// (`2020-06-01`, which the `wareki` and `nendo` helpers read), year-months
    /// as `2025-09`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Text(s) => J::String(s.clone()),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    J::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map(J::Number).unwrap_or(J::Null)
                }
            }
            Value::Bool(b) => J::Bool(*b),
            Value::Date(d) => J::String(iso(*d)),
            Value::DateTime(d, s) => {
                J::String(format!("{}T{:02}:{:02}:{:02}", iso(*d), s / 3600, (s / 60) % 60, s % 60))
            }
            Value::YearMonth(y, m) => J::String(format!("{y:04}-{m:02}")),
            Value::Error(e) => J::String(e.clone()),
        }
    }

    /// A short description of the value for error messages: 「三」, 数値 3.5, 日付 2020-06-01.
    pub fn describe(&self) -> String {
        match self {
            Value::Text(s) => {
                let short: String = s.chars().take(30).collect();
                let more = if s.chars().count() > 30 { "…" } else { "" };
                format!("「{short}{more}」")
            }
            Value::Number(n) => format!("数値 {}", format_number(*n)),
            Value::Bool(b) => format!("真偽値 {}", if *b { "TRUE" } else { "FALSE" }),
            Value::Date(d) => format!("日付 {}", iso(*d)),
            Value::DateTime(d, s) => format!("日時 {} {}:{:02}", iso(*d), s / 3600, (s / 60) % 60),
            Value::YearMonth(y, m) => format!("年月 {y:04}-{m:02}"),
            Value::Error(e) => format!("エラー値 {e}"),
        }
    }
}

/// `2020-06-01`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// A number as Excel shows it in a General cell: `3`, `3.5`, `0.125`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `'4-1-1 福祉会議事業'!$C$22` → (sheet, cell). `None` for anything else
/// (ranges, formulas, `#REF!` after the cell was deleted).
pub fn parse_reference(formula: &str) -> Option<(String, CellRef)> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, cell) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => sheet.to_string(),
    };
    let cell = cell.replace('$', "");
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = cell.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
    let col = letters.bytes().fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1)) - 1;
    Some((sheet, CellRef::new(row - 1, col)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(
            parse_reference("='4-1-1 福祉会議事業'!$C$22"),
            Some(("4-1-1 福祉会議事業".into(), CellRef::new(21, 2)))
        );
        assert_eq!(parse_reference("Sheet1!$AA$3"), Some(("Sheet1".into(), CellRef::new(2, 26))));
        assert_eq!(parse_reference("'it''s'!B2"), Some(("it's".into(), CellRef::new(1, 1))));
        assert_eq!(parse_reference("'s'!#REF!"), None);
        assert_eq!(parse_reference("'s'!$C$2:$D$3"), None);
        assert_eq!(parse_reference("#REF!"), None);
    }

    #[test]
    fn column_names() {
        assert_eq!(CellRef::column_name(0), "A");
        assert_eq!(CellRef::column_name(25), "Z");
        assert_eq!(CellRef::column_name(26), "AA");
        assert_eq!(CellRef::column_name(701), "ZZ");
        assert_eq!(CellRef::column_name(702), "AAA");
        assert_eq!(CellRef::column_name(16383), "XFD");
        assert_eq!(CellRef::new(1_048_575, 16383).to_string(), "XFD1048576");
        assert_eq!(CellRef::new(2, 1).to_string(), "B3");
    }

    #[test]
    fn origin_reads_like_a_place_in_excel() {
        let o = Origin { file: "議案.xlsx".into(), sheet: "議案".into(), cell: CellRef::new(2, 1) };
        assert_eq!(o.to_string(), "議案.xlsx 「議案」シート B3");
    }

    #[test]
    fn values_for_templates_and_people() {
        assert_eq!(Value::Number(3.0).to_json(), serde_json::json!(3));
        assert_eq!(Value::Number(3.5).to_json(), serde_json::json!(3.5));
        assert_eq!(Value::Date(Date::new(2019, 6, 1).unwrap()).display(), "令和元年６月１日");
        assert_eq!(Value::Date(Date::new(2019, 6, 1).unwrap()).to_json(), serde_json::json!("2019-06-01"));
        assert_eq!(Value::Number(12.0).display(), "12");
        assert!(Value::Text(" \u{3000}".into()).is_blank());
        assert_eq!(Value::YearMonth(2025, 9).display(), "令和７年９月");
        assert_eq!(Value::YearMonth(2025, 9).to_json(), serde_json::json!("2025-09"));
    }
}
