//! Reading helpers shared by the master readers
//! ([`super::pdca::master`], [`super::plan::master`]): every problem of a
//! master is collected with its cell and reported in one message
//! ([`Problems`]), a 項目/値 sheet's rows are looked up the same way
//! ([`Entries`]), the IDs of a table are claimed and remembered the same way
//! ([`Ids`]), text is cleaned the same way, and IDs are split and compared
//! the same way.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{self, Diagnostic};
use crate::error::Error;
use crate::forms::SheetForm;
use crate::japanese::hankaku;
use crate::workbook::shape::{normalize, Entry, KeyValues, Table};
use crate::workbook::{convert, CellRef, Origin, Sheet, Value, Workbook};

/// How many problems one error message lists before it says how many more.
const MAX_LISTED_PROBLEMS: usize = 30;

/// Problems found while reading, reported together: each a
/// [`Diagnostic`] with its file, sheet and cell.
#[derive(Default)]
pub struct Problems(Vec<Diagnostic>);

impl Problems {
    /// Records a problem at a cell.
    pub fn push(&mut self, at: &Origin, msg: impl std::fmt::Display) {
        self.0.push(Diagnostic::invalid(diagnostic::Origin::of(at), msg.to_string()));
    }

    /// Records an error of a conversion or a lookup: its findings, or its
    /// message when it has none (the message names the place).
    pub fn err(&mut self, e: Error) {
        if e.diagnostics.is_empty() {
            self.0.push(Diagnostic::invalid(diagnostic::Origin::workbook(), e.message));
        } else {
            self.0.extend(e.diagnostics);
        }
    }

    /// Keeps the value of a conversion, or records its error.
    pub fn take<T>(&mut self, r: Result<T, Error>) -> Option<T> {
        r.map_err(|e| self.err(e)).ok()
    }

    /// Optional text, cleaned ([`clean_text`]) and checked against `max`
    /// UTF-16 units (how Excel counts). `None` when empty or wrong (reported).
    pub fn text(&mut self, v: Option<&Value>, at: &Origin, field: &str, max: usize) -> Option<String> {
        let text = clean_owned_text(self.take(convert::text(v, at, field))??);
        let len = text.encode_utf16().count();
        if len > max {
            self.push(at, format!("{field}が長すぎます（{len} 文字）。{max} 文字以内にしてください。"));
            return None;
        }
        (!text.is_empty()).then_some(text)
    }

    /// Required text: as [`Problems::text`], and an empty cell is reported.
    pub fn required(&mut self, v: Option<&Value>, at: &Origin, field: &str, max: usize) -> Option<String> {
        let empty = v.is_none_or(|v| v.is_blank());
        if empty {
            self.push(at, format!("{field}が空です。入力してください。"));
            return None;
        }
        self.text(v, at, field, max)
    }

    /// The number of problems so far.
    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// `Ok` when nothing was found, else one input error listing the
    /// problems (at most 30, then how many more).
    pub fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        let n = self.0.len();
        let mut lines: Vec<String> =
            self.0.iter().take(MAX_LISTED_PROBLEMS).map(|d| format!("  - {}", d.located())).collect();
        if n > MAX_LISTED_PROBLEMS {
            lines.push(format!("  …ほか {} 件", n - MAX_LISTED_PROBLEMS));
        }
        Err(Error::input(format!(
            "マスターブックに {n} 件の問題があります。直してからもう一度実行してください。\n{}",
            lines.join("\n")
        ))
        .with(self.0))
    }
}

/// Text as keikaku keeps it: line breaks as `\n` (a Word line break U+000B
/// too), tabs as spaces, other control characters (invisible, and not
/// allowed in Excel names or XML) removed.
pub fn clean_text(s: &str) -> String {
    // Most cells have nothing to clean: one copy, no pass per character.
    if !has_control(s) && s.trim().len() == s.len() {
        return s.to_string();
    }
    clean_each_character(s)
}

/// [`clean_text`] of a text already owned: the same text when it has
/// nothing to clean, without a copy.
pub fn clean_owned_text(s: String) -> String {
    if !has_control(&s) && s.trim().len() == s.len() {
        return s;
    }
    clean_each_character(&s)
}

/// [`clean_text`] character by character.
fn clean_each_character(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\r' | '\u{0B}' | '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Whether `s` has a control character (Unicode Cc: U+0000–U+001F,
/// U+007F–U+009F), looked for in its UTF-8 bytes.
fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &x)| x < 0x20 || x == 0x7F || (x == 0xC2 && b.get(i + 1).is_some_and(|y| (0x80..=0x9F).contains(y))))
}

/// The separators of a 担当センター cell.
pub const ID_SEPARATORS: [char; 10] = ['、', ',', '，', ' ', '　', '\n', '\r', '・', ';', '；'];

/// Splits a 担当センター cell into IDs: 「C01、C03」, 「C01,C03」, 「C01 C03」,
/// one per line.
pub fn split_ids(s: &str) -> Vec<String> {
    s.split(ID_SEPARATORS).map(|x| hankaku(x.trim())).filter(|x| !x.is_empty()).collect()
}

/// An ID or number as compared: half-width, no spaces, upper case.
pub fn id_key(s: &str) -> String {
    normalize(s).to_uppercase()
}

/// A table sheet, or `None` with the problem recorded (the other sheets are
/// still checked).
pub fn table<'a>(p: &mut Problems, wb: &'a Workbook, form: &SheetForm) -> Option<Table<'a>> {
    let sheet = p.take(wb.require_sheet(form.name))?;
    p.take(Table::find(sheet, &form.headers()))
}

/// Records that a table has no rows: `message` at the first cell below the
/// header row.
pub fn no_rows(p: &mut Problems, table: &Table, message: &str) {
    if table.records.is_empty() {
        p.push(&table.sheet.origin(CellRef::new(table.header_row + 1, 0)), message);
    }
}

/// A 項目/値 sheet, whose named rows are looked up and reported when
/// missing.
pub struct Entries<'a> {
    sheet: &'a Sheet,
    rows: KeyValues,
}

impl<'a> Entries<'a> {
    /// The sheet of `form`, or `None` with the problem recorded.
    pub fn find(p: &mut Problems, wb: &'a Workbook, form: &SheetForm) -> Option<Entries<'a>> {
        let sheet = p.take(wb.require_sheet(form.name))?;
        let rows = p.take(KeyValues::find(sheet))?;
        Some(Entries { sheet, rows })
    }

    /// The row of `key`; a missing row is recorded.
    pub fn required(&self, p: &mut Problems, key: &str) -> Option<&Entry> {
        let e = self.rows.get(key);
        if e.is_none() {
            p.0.push(Diagnostic::invalid(
                self.sheet.whole(),
                crate::workbook::shape::missing_entry(key),
            ));
        }
        e
    }

    /// The row of `key`, if there is one.
    pub fn optional(&self, key: &str) -> Option<&Entry> {
        self.rows.get(key)
    }
}

/// The IDs of a table as its rows are read (centre IDs): each ID claimed
/// once, and which rows had problems (already reported), so that
/// references to them are not reported again.
#[derive(Debug, Default)]
pub struct Ids {
    seen: HashMap<String, Origin>,
    rejected: HashSet<String>,
    unreadable: bool,
}

impl Ids {
    /// Notes that a row had a problem (reported): its ID, or `None` when the
    /// ID itself could not be read.
    pub fn row_failed(&mut self, id: Option<&str>) {
        match id {
            Some(id) => _ = self.rejected.insert(id_key(id)),
            None => self.unreadable = true,
        }
    }

    /// Whether a reference to `id`, which is not among the rows read, may
    /// name a row that had a problem (then it is not reported again).
    pub fn excused(&self, id: &str) -> bool {
        self.unreadable || self.rejected.contains(&id_key(id))
    }

    /// Whether some row had a problem.
    pub fn incomplete(&self) -> bool {
        self.unreadable || !self.rejected.is_empty()
    }

    /// Claims a centre ID at `at`: an ID with a separator in it, or one
    /// already claimed, is recorded as a problem and not claimed.
    pub fn claim_centre(&mut self, p: &mut Problems, id: &str, at: &Origin) -> bool {
        if id.contains(ID_SEPARATORS) {
            p.push(at, format!("ID「{id}」に区切りの文字（空白、「、」「,」「・」など）は使えません。"));
            return false;
        }
        if let Some(prev) = self.seen.get(&id_key(id)) {
            p.push(at, format!("ID「{id}」が {} と重複しています。センターごとに別の ID にしてください。", prev.cell));
            return false;
        }
        self.seen.insert(id_key(id), at.clone());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for text with nothing to clean gives what the full
    /// cleaning gives, for every kind of character it must notice.
    #[test]
    fn clean_text_shortcut_agrees_with_the_full_cleaning() {
        let samples = [
            "", "地区ケア会議", "30地区", " 前後に空白 ", "\u{3000}全角空白\u{3000}", "行1\r\n行2", "行1\r行2",
            "タブ\tあり", "縦タブ\u{0B}あり", "NUL\u{0}あり", "DEL\u{7F}あり", "C1\u{85}あり", "C1\u{9F}", "\u{A0}ノーブレーク",
            "é ü ¥ ©", "末尾改行\n", "\n\n", "𠮷野家", "Ａ１２３",
        ];
        for s in samples {
            assert_eq!(clean_text(s), clean_each_character(s), "{s:?}");
            assert_eq!(clean_owned_text(s.to_string()), clean_each_character(s), "{s:?}");
        }
        assert_eq!(clean_text("行1\r\n行2\u{85}"), "行1\n行2");
        assert_eq!(clean_text("\u{3000}全角\u{3000}"), "全角");
        assert!(has_control("a\u{9F}") && has_control("\u{1}") && !has_control("é¥©\u{A0}"));
    }
}
