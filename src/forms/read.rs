//! Reading helpers shared by the master readers ([`super::pdca`],
//! [`super::plan`]): every problem of a master is collected with its cell
//! and reported in one message, text is cleaned the same way, and IDs are
//! split and compared the same way.

use crate::error::Error;
use crate::forms::SheetForm;
use crate::japanese::hankaku;
use crate::workbook::shape::{normalize, Table};
use crate::workbook::{convert, Origin, Value, Workbook};

/// How many problems one error message lists before it says how many more.
const MAX_LISTED_PROBLEMS: usize = 30;

/// Problems found while reading, reported together.
#[derive(Default)]
pub(crate) struct Problems(pub(crate) Vec<String>);

impl Problems {
    pub(crate) fn push(&mut self, at: &Origin, msg: impl std::fmt::Display) {
        self.0.push(format!("{at}: {msg}"));
    }

    pub(crate) fn err(&mut self, e: Error) {
        self.0.push(e.message);
    }

    /// Keeps the value of a conversion, or records its error.
    pub(crate) fn take<T>(&mut self, r: Result<T, Error>) -> Option<T> {
        r.map_err(|e| self.err(e)).ok()
    }

    /// Optional text, cleaned ([`clean_text`]) and checked against `max`
    /// UTF-16 units (how Excel counts). `None` when empty or wrong (reported).
    pub(crate) fn text(&mut self, v: Option<&Value>, at: &Origin, field: &str, max: usize) -> Option<String> {
        let text = clean_text(&self.take(convert::text(v, at, field))??);
        let len = text.encode_utf16().count();
        if len > max {
            self.push(at, format!("{field}が長すぎます（{len} 文字）。{max} 文字以内にしてください。"));
            return None;
        }
        (!text.is_empty()).then_some(text)
    }

    /// Required text: as [`Problems::text`], and an empty cell is reported.
    pub(crate) fn required(&mut self, v: Option<&Value>, at: &Origin, field: &str, max: usize) -> Option<String> {
        let empty = v.is_none_or(|v| v.is_blank());
        if empty {
            self.push(at, format!("{field}が空です。入力してください。"));
            return None;
        }
        self.text(v, at, field, max)
    }

    pub(crate) fn count(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn into_result(self) -> Result<(), Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        let n = self.0.len();
        let mut lines: Vec<String> = self.0.into_iter().take(MAX_LISTED_PROBLEMS).map(|l| format!("  - {l}")).collect();
        if n > MAX_LISTED_PROBLEMS {
            lines.push(format!("  …ほか {} 件", n - MAX_LISTED_PROBLEMS));
        }
        Err(Error::input(format!(
            "マスターブックに {n} 件の問題があります。直してからもう一度実行してください。\n{}",
            lines.join("\n")
        )))
    }
}

/// Text as keikaku keeps it: line breaks as `\n` (a Word line break U+000B
/// too), tabs as spaces, other control characters (invisible, and not
/// allowed in Excel names or XML) removed.
pub(crate) fn clean_text(s: &str) -> String {
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

/// The separators of a 担当センター cell.
pub(crate) const ID_SEPARATORS: [char; 10] = ['、', ',', '，', ' ', '　', '\n', '\r', '・', ';', '；'];

/// Splits a 担当センター cell into IDs: 「C01、C03」, 「C01,C03」, 「C01 C03」,
/// one per line.
pub(crate) fn split_ids(s: &str) -> Vec<String> {
    s.split(ID_SEPARATORS).map(|x| hankaku(x.trim())).filter(|x| !x.is_empty()).collect()
}

/// An ID or number as compared: half-width, no spaces, upper case.
pub(crate) fn id_key(s: &str) -> String {
    normalize(s).to_uppercase()
}

/// A table sheet, or `None` with the problem recorded (the other sheets are
/// still checked).
pub(crate) fn table<'a>(p: &mut Problems, wb: &'a Workbook, form: &SheetForm) -> Option<Table<'a>> {
    let sheet = p.take(wb.require_sheet(form.name))?;
    p.take(Table::find(sheet, &form.headers()))
}
