//! Reading one returned PDCA workbook against the master.
//!
//! A submission is read through the same form description that wrote it
//! ([`crate::form::pdca`]): the custom properties say which centre, year and
//! PLAN it was made for, and every input cell is found by its defined name,
//! never by guessing coordinates. What a centre must fix (差戻し) and what
//! keikaku normalised (noted) are collected as [`Problem`]s with their
//! sheet and cell.

use crate::form::grid::{Grid, InputKind};
use crate::form::pdca::{self, property, Field};
use crate::japanese::hankaku;
use crate::model::pdca::{Master, Project};
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

/// One input as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The 事業 number.
    pub project: String,
    /// What the input is for.
    pub field: Field,
    /// The defined name of the input (`KK_4_1_1_RESULT_1_2026`).
    pub name: String,
    /// The value as text after normalisation, `None` when empty.
    pub value: Option<String>,
    /// The sheet the value was read from.
    pub sheet: String,
    /// The cell the value was read from.
    pub cell: String,
}

/// A returned workbook, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The file, as named in messages.
    pub file: String,
    /// The centre ID its properties name (checked against the master).
    pub centre: Option<String>,
    /// Every input of the centre's sheets that could be found, in form order.
    pub answers: Vec<Answer>,
    /// Problems, in the order found.
    pub problems: Vec<Problem>,
}

impl Submission {
    /// Whether the workbook can be combined (no [`Severity::Rejected`] problem).
    pub fn usable(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Rejected)
    }

    fn problem(&mut self, severity: Severity, sheet: Option<&str>, cell: Option<CellRef>, message: String) {
        self.problems.push(Problem {
            severity,
            sheet: sheet.map(str::to_string),
            cell: cell.map(|c| c.to_string()),
            message,
        });
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

/// What [`read_submission_in`] needs to find a centre and its 事業 without
/// scanning the master for every file.
#[derive(Debug)]
pub struct MasterIndex<'m> {
    centres: std::collections::HashMap<&'m str, usize>,
    projects: Vec<Vec<usize>>,
}

impl<'m> MasterIndex<'m> {
    /// Indexes the master once.
    pub fn new(master: &'m Master) -> MasterIndex<'m> {
        MasterIndex { centres: master.centre_index(), projects: master.project_indices_by_centre() }
    }
}

/// Reads a returned workbook against the master.
pub fn read_submission(master: &Master, wb: &Workbook) -> Submission {
    read_submission_in(master, &MasterIndex::new(master), wb)
}

/// [`read_submission`] with the master indexed once for many files.
pub fn read_submission_in(master: &Master, index: &MasterIndex, wb: &Workbook) -> Submission {
    let mut sub = Submission { file: wb.file.to_string(), centre: None, answers: vec![], problems: vec![] };
    // Identity.
    if property(wb, property::FORM) != Some(pdca::FORM_KIND) {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            "keikaku が配布した PDCA シートではありません（ブックの情報に様式の印がありません）。配布されたブックに入力して提出してください。".into(),
        );
        return sub;
    }
    let schema = property(wb, property::SCHEMA).and_then(|v| v.parse::<i32>().ok());
    if schema != Some(pdca::SCHEMA_VERSION) {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!(
                "様式の版（{}）が今回の配布（{}）と違います。今回配布したブックに入力し直してください。",
                schema.map_or("なし".to_string(), |s| s.to_string()),
                pdca::SCHEMA_VERSION
            ),
        );
        return sub;
    }
    let centre_id = property(wb, property::CENTRE).unwrap_or("").to_string();
    let Some(centre) = index.centres.get(centre_id.as_str()).map(|&i| &master.centres[i]) else {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!("センター ID「{centre_id}」のブックですが、このセンターはマスターにありません。"),
        );
        return sub;
    };
    sub.centre = Some(centre.id.clone());
    let year = property(wb, property::FISCAL_YEAR).and_then(|v| v.parse::<i32>().ok());
    if year != Some(master.plan.fiscal_year) {
        sub.problem(
            Severity::Rejected,
            None,
            None,
            format!(
                "{} のブックです。今回は {} のブックを提出してください。",
                year.map_or("年度の分からない".to_string(), |y| crate::wareki::format_fiscal_year(
                    y,
                    crate::wareki::Digits::Ascii
                )),
                crate::wareki::format_fiscal_year(master.plan.fiscal_year, crate::wareki::Digits::Ascii)
            ),
        );
        return sub;
    }
    let projects: Vec<&Project> =
        index.projects[index.centres[centre.id.as_str()]].iter().map(|&k| &master.projects[k]).collect();
    if property(wb, property::PLAN_HASH) != Some(pdca::plan_hash(&master.plan, projects.iter().copied()).as_str()) {
        sub.problem(
            Severity::Noted,
            None,
            None,
            "配布した後にマスターの PLAN（事業・取組み・計画値）が変わっています。入力はそのまま読みますが、配布し直すかどうか確かめてください。"
                .into(),
        );
    }
    for (grid, project) in pdca::sheets_of(master, &projects).iter().zip(&projects) {
        read_sheet(wb, grid, project, &mut sub);
    }
    sub
}

fn read_sheet(wb: &Workbook, grid: &Grid, project: &Project, sub: &mut Submission) {
    let mut sheet_reported = false;
    for (cell, input) in grid.inputs() {
        let found = wb.names.iter().find(|(n, _)| n.eq_ignore_ascii_case(&input.name));
        let Some((_, formula)) = found else {
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
        let Some(field) = Field::of_name(project, &input.name) else {
            continue;
        };
        sub.answers.push(Answer {
            project: project.number.clone(),
            field,
            name: input.name.clone(),
            value,
            sheet: sheet_name.clone(),
            cell: at.to_string(),
        });
    }
}

/// An input's value as text, normalised, with problems noted.
fn answer_value(
    raw: Option<&Value>,
    kind: InputKind,
    label: &str,
    sheet: &str,
    at: CellRef,
    sub: &mut Submission,
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
        InputKind::LongText | InputKind::Date => Some(text),
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
fn date_value(raw: &Value, label: &str, sheet: &str, at: CellRef, sub: &mut Submission) -> Option<String> {
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
