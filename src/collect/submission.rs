//! Reading one returned workbook of any form kind ([`read_form`]).
//!
//! A submission is read through the same form description that wrote it
//! ([`crate::form::grid::Grid`]): the custom properties say which form,
//! layout version, centre, year and plan it was made for, and every input
//! cell is found by its defined name, never by guessing coordinates. What a
//! centre must fix (差戻し) and what keikaku normalised (noted) are
//! collected as [`Problem`]s with their sheet and cell. The PDCA sheet
//! ([`crate::collect::pdca`]) and the centre plan sheet
//! ([`crate::collect::plan`]) differ only in their grids and in how an
//! input's name becomes their key.

use std::collections::HashMap;

use crate::form::grid::{Grid, Input, InputKind};
use crate::form::property;
use crate::japanese::hankaku;
use crate::workbook::{CellRef, Value, Workbook};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// keikaku changed the value to a standard form (全角数字 → 半角); nothing to fix.
    Noted,
    /// The centre must fix it (差戻し); the value may still be used.
    Fix,
    /// The workbook cannot be used at all (another centre, another year,
    /// not made by `distribute`).
    Rejected,
}

impl Severity {
    /// The label in lists and sheets: 注記, 差戻し, 受付不可.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Noted => "注記",
            Severity::Fix => "差戻し",
            Severity::Rejected => "受付不可",
        }
    }
}

/// One finding, where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// How serious it is.
    pub severity: Severity,
    /// The sheet, when the problem is in one.
    pub sheet: Option<String>,
    /// The cell (A1 style), when the problem is in one.
    pub cell: Option<String>,
    /// What is wrong and what to do, in Japanese.
    pub message: String,
}

/// One input as read. Kept small, because a collection of thousands of
/// workbooks keeps every answer: the value, the form's key for the input,
/// and where it was read (the sheet as an index into
/// [`Submission::sheets`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<K> {
    /// What the input is, in the form's terms (for PDCA sheets
    /// [`crate::collect::pdca::Key`]: the 事業 and the field).
    pub key: K,
    /// The value as text after normalisation, `None` when empty.
    pub value: Option<Box<str>>,
    /// The sheet the value was read from: an index into [`Submission::sheets`].
    pub sheet: u16,
    /// The cell the value was read from.
    pub cell: CellRef,
}

impl<K> Answer<K> {
    /// The value, `None` when empty.
    pub fn text(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

/// A returned workbook, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission<K> {
    /// The file, as named in messages.
    pub file: String,
    /// The centre ID its properties name (checked against the master).
    pub centre: Option<String>,
    /// The names of the sheets answers were read from.
    pub sheets: Vec<String>,
    /// Every input of the centre's sheets that could be found, in form order.
    pub answers: Vec<Answer<K>>,
    /// Problems, in the order found.
    pub problems: Vec<Problem>,
}

impl<K> Submission<K> {
    /// A submission with nothing read yet.
    pub fn empty(file: &str) -> Submission<K> {
        Submission { file: file.to_string(), centre: None, sheets: vec![], answers: vec![], problems: vec![] }
    }

    /// A file that cannot be used, with the reason.
    pub fn rejected(file: &str, message: String) -> Submission<K> {
        let mut s = Submission::empty(file);
        s.problem(Severity::Rejected, None, None, message);
        s
    }

    /// Whether the workbook can be combined (no [`Severity::Rejected`] problem).
    pub fn usable(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Rejected)
    }

    /// The name of the sheet an answer was read from.
    pub fn sheet_of(&self, a: &Answer<K>) -> &str {
        self.sheets.get(a.sheet as usize).map_or("", String::as_str)
    }

    /// The number of problems of this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.problems.iter().filter(|p| p.severity == severity).count()
    }

    /// Records a problem.
    pub fn problem(&mut self, severity: Severity, sheet: Option<&str>, cell: Option<CellRef>, message: String) {
        self.problems.push(Problem {
            severity,
            sheet: sheet.map(str::to_string),
            cell: cell.map(|c| c.to_string()),
            message,
        });
    }

    fn sheet_index(&mut self, name: &str) -> u16 {
        match self.sheets.iter().position(|s| s == name) {
            Some(i) => i as u16,
            None => {
                self.sheets.push(name.to_string());
                (self.sheets.len() - 1) as u16
            }
        }
    }
}

fn property<'a>(wb: &'a Workbook, name: &str) -> Option<&'a str> {
    wb.properties.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim())
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

/// A kind of form that `distribute` writes and `collect` reads back: the
/// PDCA sheet, the centre plan sheet.
#[derive(Debug, Clone, Copy)]
pub struct FormKind {
    /// The `keikaku.form` property of its workbooks.
    pub kind: &'static str,
    /// The layout version ([`property::SCHEMA`]).
    pub schema: i32,
    /// What the form is called in messages: 「PDCA シート」.
    pub label: &'static str,
}

/// What one workbook is read against: the form, the 年度 it was
/// distributed for, the centres of the master, and for a centre the sheets
/// it was given and the hash of what it was given.
pub struct Expected<'a, K> {
    /// The form kind.
    pub form: FormKind,
    /// The 記入年度 (西暦 start year).
    pub fiscal_year: i32,
    /// The centre IDs of the master, to their positions.
    pub centres: &'a HashMap<&'a str, usize>,
    /// The sheets of a centre (by position) and the hash of what it was
    /// given ([`property::PLAN_HASH`]).
    pub sheets: &'a (dyn Fn(usize) -> (Vec<Grid>, String) + Sync),
    /// The form's key for an input of a centre's (by position) `k`-th
    /// sheet; `None` skips the input.
    pub key: &'a (dyn Fn(usize, usize, &Input) -> Option<K> + Sync),
}

/// Reads a returned workbook of any form kind: checks that it is the form,
/// layout version, centre and 年度 expected, then reads every input of the
/// centre's sheets by its defined name (checked against the cell the form
/// put it in) and normalises the values, noting what it changed and what the
/// centre must fix. The one reader of every form kind.
pub fn read_form<K>(wb: &Workbook, expected: &Expected<K>) -> Submission<K> {
    let mut sub = Submission::empty(&wb.file);
    let form = expected.form;
    // Identity.
    if property(wb, property::FORM) != Some(form.kind) {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!("keikaku が配布した {}ではありません（ブックの情報に様式の印がありません）。配布されたブックに入力して提出してください。", form.label),
        );
        return sub;
    }
    let schema = property(wb, property::SCHEMA).and_then(|v| v.parse::<i32>().ok());
    if schema != Some(form.schema) {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!(
                "様式の版（{}）が今回の配布（{}）と違います。今回配布したブックに入力し直してください。",
                schema.map_or("なし".to_string(), |s| s.to_string()),
                form.schema
            ),
        );
        return sub;
    }
    let centre_id = property(wb, property::CENTRE).unwrap_or("").to_string();
    let Some(&centre) = expected.centres.get(centre_id.as_str()) else {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!("センター ID「{centre_id}」のブックですが、このセンターはマスターにありません。"),
        );
        return sub;
    };
    sub.centre = Some(centre_id);
    let year = property(wb, property::FISCAL_YEAR).and_then(|v| v.parse::<i32>().ok());
    if year != Some(expected.fiscal_year) {
        let label = |y: i32| crate::wareki::format_fiscal_year(y, crate::wareki::Digits::Ascii);
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!(
                "{} のブックです。今回は {} のブックを提出してください。",
                year.map_or("年度の分からない".to_string(), label),
                label(expected.fiscal_year)
            ),
        );
        return sub;
    }
    let (grids, hash) = (expected.sheets)(centre);
    if property(wb, property::PLAN_HASH) != Some(hash.as_str()) {
        sub.problem(
            Severity::Noted,
            None,
            None,
            "配布した後にマスターの内容（配布した計画や項目）が変わっています。入力はそのまま読みますが、配布し直すかどうか確かめてください。"
                .into(),
        );
    }
    // Defined names are looked up once per workbook, case-insensitively as
    // Excel compares them.
    let names: HashMap<String, &str> = wb.names.iter().map(|(n, f)| (n.to_ascii_uppercase(), f.as_str())).collect();
    for (k, grid) in grids.iter().enumerate() {
        read_sheet(wb, &names, grid, &mut sub, |input| (expected.key)(centre, k, input));
    }
    sub
}

fn read_sheet<K>(
    wb: &Workbook,
    names: &HashMap<String, &str>,
    grid: &Grid,
    sub: &mut Submission<K>,
    key: impl Fn(&Input) -> Option<K>,
) {
    let mut sheet_reported = false;
    for (cell, input) in grid.inputs() {
        let Some(&formula) = names.get(&input.name.to_ascii_uppercase()) else {
            if wb.sheet(&grid.sheet).is_none() && !sheet_reported {
                sheet_reported = true;
                sub.problem(
                    Severity::Fix,
                    Some(&grid.sheet),
                    None,
                    format!("「{}」シートがありません（シートの名前を変えたか、削除しています）。配布したシートのまま提出してください。", grid.sheet),
                );
            } else if wb.sheet(&grid.sheet).is_some() {
                sub.problem(
                    Severity::Fix,
                    Some(&grid.sheet),
                    Some(cell.at()),
                    format!("{}の欄の目印（名前の定義 {}）がありません。セルを削除したか、シートを作り直しています。配布したシートに入力してください。", input.label, input.name),
                );
            }
            continue;
        };
        let Some((sheet_name, at)) = parse_reference(formula) else {
            sub.problem(
                Severity::Fix,
                Some(&grid.sheet),
                Some(cell.at()),
                format!("{}の欄が削除されています（名前の定義 {} の参照先が「{formula}」）。配布したシートに入力してください。", input.label, input.name),
            );
            continue;
        };
        let Some(sheet) = wb.sheet(&sheet_name) else {
            sub.problem(
                Severity::Fix,
                Some(&sheet_name),
                Some(at),
                format!("{}の欄のあるシート「{sheet_name}」が見つかりません。", input.label),
            );
            continue;
        };
        if sheet_name != grid.sheet && !sheet_reported {
            sheet_reported = true;
            sub.problem(
                Severity::Fix,
                Some(&sheet_name),
                None,
                format!("シートの名前が「{}」から「{sheet_name}」に変わっています。元の名前に戻してください（入力は読めています）。", grid.sheet),
            );
        }
        if at != cell.at() {
            sub.problem(
                Severity::Fix,
                Some(&sheet_name),
                Some(at),
                format!(
                    "{}の欄が {} から {at} に動いています（行や列を挿入・削除しています）。入力は読めていますが、挿入した行や列を削除して配布した形に戻してください。",
                    input.label,
                    cell.at()
                ),
            );
        }
        let raw = sheet.get(at);
        let value = answer_value(raw, input.kind, &input.label, &sheet_name, at, sub);
        if value.is_none() && input.required {
            sub.problem(Severity::Fix, Some(&sheet_name), Some(at), format!("{}が未入力です。", input.label));
        }
        let Some(key) = key(input) else {
            continue;
        };
        let sheet = sub.sheet_index(&sheet_name);
        sub.answers.push(Answer { key, value: value.map(String::into_boxed_str), sheet, cell: at });
    }
}

/// An input's value as text, normalised, with problems noted.
fn answer_value<K>(
    raw: Option<&Value>,
    kind: InputKind,
    label: &str,
    sheet: &str,
    at: CellRef,
    sub: &mut Submission<K>,
) -> Option<String> {
    let raw = raw.filter(|v| !v.is_blank())?;
    if let Value::Error(e) = raw {
        sub.problem(
            Severity::Fix,
            Some(sheet),
            Some(at),
            format!("{label}のセルが Excel のエラー値 {e} です。値を入力し直してください。"),
        );
        return None;
    }
    if kind == InputKind::Date {
        return date_value(raw, label, sheet, at, sub);
    }
    let text = match raw {
        Value::Text(s) => s.trim().to_string(),
        other => other.display(),
    };
    match kind {
        InputKind::Choice(list) => {
            if !list.contains(&text.as_str()) {
                sub.problem(
                    Severity::Fix,
                    Some(sheet),
                    Some(at),
                    format!("{label}「{text}」は選択肢にありません。一覧（{}）から選んでください。", list.join("、")),
                );
            }
            Some(text)
        }
        InputKind::Short => {
            let half = hankaku(&text);
            let full_width = half != text && text.chars().any(|c| ('０'..='９').contains(&c));
            if full_width {
                sub.problem(
                    Severity::Noted,
                    Some(sheet),
                    Some(at),
                    format!("{label}「{text}」の全角数字を半角にしました（{half}）。"),
                );
            }
            if let (Value::Text(_), Some(n)) = (raw, plain_number(&half)) {
                sub.problem(
                    Severity::Noted,
                    Some(sheet),
                    Some(at),
                    format!(
                        "{label}「{text}」は数値ではなく文字列として入力されています。数値 {} として読みました（次回は数値で入力してください）。",
                        crate::workbook::cell::format_number(n)
                    ),
                );
                return Some(crate::workbook::cell::format_number(n));
            }
            Some(half)
        }
        InputKind::LongText | InputKind::Text | InputKind::Date => Some(text),
    }
}

/// A number typed as text: `24`, `1,200`, `-3`, `2.5` (half-width already).
pub fn plain_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let ok = !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && digits.matches('.').count() <= 1;
    if !ok {
        return None;
    }
    t.replace(',', "").parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A 記入日: a date cell, or a date typed as text (和暦 or 西暦), which is
/// read and noted. The value is ISO (`2026-07-31`).
fn date_value<K>(raw: &Value, label: &str, sheet: &str, at: CellRef, sub: &mut Submission<K>) -> Option<String> {
    use crate::wareki::{self, ParsedDate};
    match raw {
        Value::Date(d) | Value::DateTime(d, _) => Some(crate::workbook::cell::iso(*d)),
        Value::Number(n) => match wareki::Date::from_excel_serial(*n) {
            Some(d) => Some(crate::workbook::cell::iso(d)),
            None => {
                sub.problem(
                    Severity::Fix,
                    Some(sheet),
                    Some(at),
                    format!("{label}「{}」は日付として読めません。2026/7/31 のように入力してください。", raw.display()),
                );
                None
            }
        },
        Value::Text(text) => match wareki::parse(text) {
            Some(ParsedDate::Date(d)) => {
                sub.problem(
                    Severity::Noted,
                    Some(sheet),
                    Some(at),
                    format!(
                        "{label}「{}」は日付ではなく文字列として入力されています。{}（{}）と読みました（次回は 2026/7/31 のように入力してください）。",
                        text.trim(),
                        wareki::format_date(d, wareki::Digits::Ascii),
                        crate::workbook::cell::iso(d)
                    ),
                );
                Some(crate::workbook::cell::iso(d))
            }
            _ => {
                sub.problem(
                    Severity::Fix,
                    Some(sheet),
                    Some(at),
                    format!(
                        "{label}「{}」は日付として読めません。2026/7/31 や 令和8年7月31日 のように年月日を入力してください。",
                        text.trim()
                    ),
                );
                None
            }
        },
        other => {
            sub.problem(
                Severity::Fix,
                Some(sheet),
                Some(at),
                format!("{label}が日付ではありません（{}）。2026/7/31 のように入力してください。", other.describe()),
            );
            None
        }
    }
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
}
