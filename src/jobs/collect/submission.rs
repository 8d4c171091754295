//! Reading one returned workbook of any form kind ([`read_form`]).
//!
//! A submission is read through the same form description that wrote it
//! ([`crate::forms::grid::Grid`]): the custom properties say which form,
//! layout version, centre, year and plan it was made for, and every input
//! cell is found by its defined name, never by guessing coordinates. What a
//! centre must fix (差戻し) and what keikaku normalised (noted) are
//! collected as [`Diagnostic`]s with their sheet and cell. The PDCA sheet
//! ([`crate::forms::pdca::collect`]) and the centre plan sheet
//! ([`crate::forms::plan::collect`]) differ only in their grids and in how an
//! input's name becomes their key.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Kind, Origin, Severity};
use crate::forms::grid::{Content, Grid, Input, InputKind, Role};
use crate::forms::property;
use crate::japanese::hankaku;
use crate::workbook::{parse_reference, CellRef, Sheet, Value, Workbook};

/// One input as read. Kept small, because a collection of thousands of
/// workbooks keeps every answer: the value, the form's key for the input,
/// and where it was read (the sheet as an index into
/// [`Submission::sheets`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<K> {
    /// What the input is, in the form's terms (for PDCA sheets
    /// [`crate::forms::pdca::collect::Key`]: the 事業 and the field).
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
    /// What was found, in the order found.
    pub problems: Vec<Diagnostic>,
}

impl<K> Submission<K> {
    /// A submission with nothing read yet.
    pub fn empty(file: &str) -> Submission<K> {
        Submission { file: file.to_string(), centre: None, sheets: vec![], answers: vec![], problems: vec![] }
    }

    /// A file that cannot be used, with the reason.
    pub fn rejected(file: &str, kind: Kind) -> Submission<K> {
        let mut s = Submission::empty(file);
        s.add(Severity::Rejected, Origin::workbook(), kind);
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

    /// Records a finding.
    pub fn add(&mut self, severity: Severity, origin: Origin, kind: Kind) {
        self.problems.push(Diagnostic { severity, origin, kind });
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

/// What one workbook is read against: the form, the 年度 it was
/// distributed for, the centres of the master, and for a centre the sheets
/// it was given and the hash of what it was given.
pub struct Expected<'a, K> {
    /// The form kind.
    pub form: crate::forms::FormKind,
    /// The 記入年度 (西暦 start year).
    pub fiscal_year: i32,
    /// The centre IDs of the master, to their positions.
    pub centres: &'a HashMap<&'a str, usize>,
    /// The sheets of a centre (by position), as distributed.
    pub sheets: &'a (dyn Fn(usize) -> Vec<Grid> + Sync),
    /// The hash of what a centre (by position) was given
    /// ([`property::PLAN_HASH`]), which covers its identity.
    pub hash: &'a (dyn Fn(usize) -> String + Sync),
    /// A centre (by position) in messages: 「C01 勝田地域ステーション」.
    pub label: &'a (dyn Fn(usize) -> String + Sync),
    /// The form's key for an input of a centre's (by position) `k`-th
    /// sheet; `None` skips the input.
    pub key: &'a (dyn Fn(usize, usize, &Input) -> Option<K> + Sync),
}

/// The longest text a cell may hold, in UTF-16 units: Excel's limit, so
/// that every answer fits into a cell of 集計.xlsx whole. A longer value
/// (written by another program) is a 差戻し, never cut short.
pub const MAX_CELL_UNITS: usize = 32_767;

/// At most this many differing cells are listed per sheet; the rest are
/// counted.
const MAX_DRIFT_LISTED: usize = 10;

/// Reads a returned workbook of any form kind: checks that it is the form,
/// layout version and 年度 expected, and that it is the workbook of the
/// centre it names (its hash is that centre's, its title lines name that
/// centre); then compares every locked cell of each sheet with what was
/// distributed, and reads the inputs of the sheets that are as distributed
/// from the cells the form put them in (their defined names are checked
/// too), normalising the values and noting what it changed and what the
/// centre must fix. The one reader of every form kind.
pub fn read_form<K>(wb: &Workbook, expected: &Expected<K>) -> Submission<K> {
    let mut sub = Submission::empty(&wb.file);
    let form = expected.form;
    // Form and layout version.
    if property(wb, property::FORM) != Some(form.kind) {
        sub.add(Severity::Rejected, Origin::workbook(), Kind::NotDistributed { form: form.label });
        return sub;
    }
    let schema = property(wb, property::SCHEMA).and_then(|v| v.parse::<i32>().ok());
    if schema != Some(form.schema) {
        sub.add(Severity::Rejected, Origin::workbook(), Kind::OtherLayout { found: schema, expected: form.schema });
        return sub;
    }
    let Some(centre) = identify(wb, expected, &mut sub) else { return sub };
    let grids = (expected.sheets)(centre);
    if !holds_what_was_given(wb, &grids, centre, expected, &mut sub) {
        sub.centre = None;
        return sub;
    }
    // Defined names are looked up once per workbook, case-insensitively as
    // Excel compares them.
    let names: HashMap<String, &str> = wb.names.iter().map(|(n, f)| (n.to_ascii_uppercase(), f.as_str())).collect();
    for (k, grid) in grids.iter().enumerate() {
        if let Some(sheet) = find_sheet(wb, &names, grid, &mut sub) {
            if sheet_as_distributed(sheet, grid, &mut sub) {
                read_sheet(sheet, &names, grid, expected.fiscal_year, &mut sub, |input| {
                    (expected.key)(centre, k, input)
                });
            }
        }
    }
    sub
}

/// Which centre's workbook this is, proven by its content: the centre it
/// names ([`property::CENTRE`]) must be in the master, and the hash it
/// carries must be the hash of what that centre was given (which covers the
/// centre's ID and name). A mismatch is [`Severity::Rejected`] naming both
/// centres, and the workbook is then nobody's ([`Submission::centre`] stays
/// `None`), so it can never replace or alter another centre's answers. The
/// file name's `ID_` prefix is only cross-checked (noted when it names
/// another centre).
fn identify<K>(wb: &Workbook, expected: &Expected<K>, sub: &mut Submission<K>) -> Option<usize> {
    let centre_id = property(wb, property::CENTRE).unwrap_or("").to_string();
    let claimed = expected.centres.get(centre_id.as_str()).copied();
    let year = property(wb, property::FISCAL_YEAR).and_then(|v| v.parse::<i32>().ok());
    if let (Some(c), false) = (claimed, year == Some(expected.fiscal_year)) {
        // Another year's workbook of a centre: the centre's, but not usable.
        sub.centre = Some(centre_id);
        sub.add(
            Severity::Rejected,
            Origin::workbook(),
            Kind::OtherYear { found: year, expected: expected.fiscal_year, centre: (expected.label)(c) },
        );
        return None;
    }
    let hash = property(wb, property::PLAN_HASH).unwrap_or("");
    let owner = match claimed {
        Some(c) if (expected.hash)(c) == hash => Some(c),
        _ if hash.is_empty() => None,
        _ => {
            let mut all: Vec<usize> = expected.centres.values().copied().collect();
            all.sort_unstable();
            all.into_iter().find(|&c| (expected.hash)(c) == hash)
        }
    };
    let refuse = |sub: &mut Submission<K>, kind: Kind| {
        sub.add(Severity::Rejected, Origin::workbook(), kind);
        None
    };
    match (claimed, owner) {
        (Some(c), Some(o)) if c == o => {}
        (Some(c), Some(o)) => {
            return refuse(
                sub,
                Kind::PropertyOfOtherCentre { claimed: (expected.label)(c), owner: (expected.label)(o) },
            )
        }
        (None, Some(o)) => {
            return refuse(sub, Kind::UnknownCentreOfOther { id: centre_id, owner: (expected.label)(o) })
        }
        (None, None) => return refuse(sub, Kind::UnknownCentre { id: centre_id }),
        (Some(c), None) => return refuse(sub, Kind::NotWhatWasGiven { centre: (expected.label)(c) }),
    }
    let centre = claimed?;
    sub.centre = Some(centre_id.clone());
    // The file name is a hint: 「C02_…xlsx」 holding C01's workbook is C01's.
    let file = wb.file.rsplit(['/', '\\']).next().unwrap_or(&wb.file);
    if let Some((prefix, _)) = file.split_once('_') {
        let prefix = hankaku(prefix);
        if let Some(&named) = expected.centres.get(prefix.as_str()).filter(|&&n| n != centre) {
            sub.add(
                Severity::Noted,
                Origin::workbook(),
                Kind::FileNameOfOtherCentre {
                    named: (expected.label)(named),
                    centre: (expected.label)(centre),
                    id: centre_id.clone(),
                },
            );
        }
    }
    Some(centre)
}

/// The sheet of the workbook that holds a grid: the sheet of that name, or
/// (renamed) the sheet its inputs' defined names point at. A missing sheet
/// is a 差戻し.
fn find_sheet<'w, K>(
    wb: &'w Workbook,
    names: &HashMap<String, &str>,
    grid: &Grid,
    sub: &mut Submission<K>,
) -> Option<&'w Sheet> {
    if let Some(sheet) = wb.sheet(&grid.sheet) {
        return Some(sheet);
    }
    let renamed = grid
        .inputs()
        .filter_map(|(_, input)| names.get(&input.name.to_ascii_uppercase()))
        .filter_map(|f| parse_reference(f))
        .find_map(|(name, _)| wb.sheet(&name));
    match renamed {
        Some(sheet) => {
            sub.add(
                Severity::Fix,
                Origin::sheet(&sheet.name),
                Kind::SheetRenamed { from: grid.sheet.clone(), to: sheet.name.to_string() },
            );
            Some(sheet)
        }
        None => {
            sub.add(Severity::Fix, Origin::sheet(&grid.sheet), Kind::SheetMissing { sheet: grid.sheet.clone() });
            None
        }
    }
}

/// What a locked cell holds, as text, for comparison and messages.
fn locked_text(sheet: &Sheet, at: CellRef) -> Option<String> {
    if sheet.is_uncomputed(at) {
        return Some("（計算結果のない数式）".into());
    }
    sheet.get(at).filter(|v| !v.is_blank()).map(|v| match v {
        Value::Text(s) => s.replace("\r\n", "\n").trim_end().to_string(),
        other => other.display(),
    })
}

fn expected_text(content: &Content) -> Option<String> {
    match content {
        Content::Empty => None,
        Content::Text(s) if s.trim().is_empty() => None,
        Content::Text(s) => Some(s.trim_end().to_string()),
        Content::Number(n) => Some(crate::workbook::cell::format_number(*n)),
    }
}

/// Compares every locked cell of `grid` (labels, headers, distributed text
/// and values, closed cells) with what `sheet` holds there. Each difference
/// is a 差戻し naming the cell, what was distributed and what is there now;
/// a sheet with any difference is not read at all (rows or columns inserted
/// without the defined names following, or cells edited after the
/// protection was removed: an input could be read from a shifted cell).
/// Returns whether the sheet is as distributed.
fn sheet_as_distributed<K>(sheet: &Sheet, grid: &Grid, sub: &mut Submission<K>) -> bool {
    let mut differs: Vec<(CellRef, Option<String>, Option<String>)> = Vec::new();
    for cell in &grid.cells {
        if matches!(cell.role, Role::Input(_)) {
            continue;
        }
        let want = expected_text(&cell.content);
        let found = locked_text(sheet, cell.at());
        if want == found {
            continue;
        }
        differs.push((cell.at(), want, found));
    }
    if differs.is_empty() {
        return true;
    }
    sub.add(Severity::Fix, Origin::sheet(&sheet.name), Kind::LayoutChanged { cells: differs.len() });
    let more = differs.len().saturating_sub(MAX_DRIFT_LISTED);
    for (at, want, found) in differs.into_iter().take(MAX_DRIFT_LISTED) {
        sub.add(Severity::Fix, Origin::cell(&sheet.name, at), Kind::LockedCellChanged { distributed: want, found });
    }
    if more > 0 {
        sub.add(Severity::Fix, Origin::sheet(&sheet.name), Kind::MoreCellsChanged { more });
    }
    false
}

/// The title line of a form sheet: its first cell.
const TITLE_CELL: CellRef = CellRef { row: 0, col: 0 };

/// Checks that the workbook holds what `centre` was given: none of its
/// sheets carries the title line of another centre's sheet (a sheet copied
/// in from another centre's workbook), and at least one of the centre's
/// sheets is there. Either failure rejects the workbook.
fn holds_what_was_given<K>(
    wb: &Workbook,
    grids: &[Grid],
    centre: usize,
    expected: &Expected<K>,
    sub: &mut Submission<K>,
) -> bool {
    let title = |g: &Grid| {
        g.cells.iter().find(|c| c.role == Role::Title && c.at() == TITLE_CELL).and_then(|c| expected_text(&c.content))
    };
    let mine: Vec<String> = grids.iter().filter_map(title).collect();
    // Other centres' titles are made only when a sheet has a title that is
    // not this centre's (rare: a sheet added or copied in).
    let mut others: Option<Vec<(String, usize)>> = None;
    for sheet in &wb.sheets {
        let Some(found) = locked_text(sheet, TITLE_CELL) else { continue };
        if mine.contains(&found) {
            continue;
        }
        let others = others.get_or_insert_with(|| {
            let mut all: Vec<usize> = expected.centres.values().copied().filter(|&c| c != centre).collect();
            all.sort_unstable();
            all.into_iter()
                .flat_map(|c| (expected.sheets)(c).iter().filter_map(title).map(move |t| (t, c)).collect::<Vec<_>>())
                .collect()
        });
        if let Some((_, other)) = others.iter().find(|(t, _)| *t == found) {
            sub.add(
                Severity::Rejected,
                Origin::cell(&sheet.name, TITLE_CELL),
                Kind::SheetOfOtherCentre {
                    title: found,
                    other: (expected.label)(*other),
                    centre: (expected.label)(centre),
                },
            );
            return false;
        }
    }
    let any = grids.iter().any(|g| wb.sheet(&g.sheet).is_some())
        || wb.names.iter().any(|(n, _)| grids.iter().any(|g| g.inputs().any(|(_, i)| i.name.eq_ignore_ascii_case(n))));
    if !any {
        sub.add(Severity::Rejected, Origin::workbook(), Kind::NoSheetOfCentre { centre: (expected.label)(centre) });
        return false;
    }
    true
}

/// Reads the inputs of a sheet that is as distributed, each from the cell
/// the form put it in. Its defined name must still point there; a name
/// that is missing or points elsewhere is a 差戻し (the value is read from
/// the form's cell, which the locked cells around it prove to be in place).
fn read_sheet<K>(
    sheet: &Sheet,
    names: &HashMap<String, &str>,
    grid: &Grid,
    fiscal_year: i32,
    sub: &mut Submission<K>,
    key: impl Fn(&Input) -> Option<K>,
) {
    let sheet_name: &str = &sheet.name;
    for (cell, input) in grid.inputs() {
        let at = cell.at();
        match names.get(&input.name.to_ascii_uppercase()) {
            None => sub.add(
                Severity::Fix,
                Origin::cell(sheet_name, at),
                Kind::NameMissing { field: input.label.clone(), name: input.name.clone(), at },
            ),
            Some(&formula) => match parse_reference(formula) {
                None => sub.add(
                    Severity::Fix,
                    Origin::cell(sheet_name, at),
                    Kind::NameDeleted {
                        field: input.label.clone(),
                        name: input.name.clone(),
                        formula: formula.to_string(),
                        at,
                    },
                ),
                Some((to_sheet, to)) if to != at || to_sheet != sheet_name => sub.add(
                    Severity::Fix,
                    Origin::cell(sheet_name, at),
                    Kind::NameMoved { field: input.label.clone(), name: input.name.clone(), at, to_sheet, to },
                ),
                Some(_) => {}
            },
        }
        let value = if sheet.is_uncomputed(at) {
            sub.add(Severity::Fix, Origin::cell(sheet_name, at), Kind::Uncomputed { field: input.label.clone() });
            None
        } else {
            let value = answer_value(sheet.get(at), input.kind, &input.label, sheet_name, at, fiscal_year, sub);
            if value.is_none() && input.required {
                sub.add(Severity::Fix, Origin::cell(sheet_name, at), Kind::Missing { field: input.label.clone() });
            }
            value
        };
        let Some(key) = key(input) else {
            continue;
        };
        let sheet = sub.sheet_index(sheet_name);
        sub.answers.push(Answer { key, value: value.map(String::into_boxed_str), sheet, cell: at });
    }
}

/// An input's value as text, normalised, with problems noted.
/// Values over [`MAX_CELL_UNITS`] are a 差戻し and not used.
fn answer_value<K>(
    raw: Option<&Value>,
    kind: InputKind,
    label: &str,
    sheet: &str,
    at: CellRef,
    fiscal_year: i32,
    sub: &mut Submission<K>,
) -> Option<String> {
    let raw = raw.filter(|v| !v.is_blank())?;
    if let Value::Text(t) = raw {
        let units = t.encode_utf16().count();
        if units > MAX_CELL_UNITS {
            sub.add(
                Severity::Fix,
                Origin::cell(sheet, at),
                Kind::TooLong { field: label.to_string(), units, limit: MAX_CELL_UNITS },
            );
            return None;
        }
    }
    if let Value::Error(e) = raw {
        sub.add(
            Severity::Fix,
            Origin::cell(sheet, at),
            Kind::ErrorValue { field: label.to_string(), error: e.to_string() },
        );
        return None;
    }
    if kind == InputKind::Date {
        return date_value(raw, label, sheet, at, fiscal_year, sub);
    }
    let text = match raw {
        Value::Text(s) => s.trim().to_string(),
        other => other.display(),
    };
    match kind {
        InputKind::Choice(list) => {
            if !list.contains(&text.as_str()) {
                sub.add(
                    Severity::Fix,
                    Origin::cell(sheet, at),
                    Kind::NotAChoice {
                        field: label.to_string(),
                        found: text.clone(),
                        choices: list.iter().map(|c| c.to_string()).collect(),
                    },
                );
            }
            Some(text)
        }
        InputKind::Short => {
            let half = hankaku(&text);
            let full_width = half != text && text.chars().any(|c| ('０'..='９').contains(&c));
            if full_width {
                sub.add(
                    Severity::Noted,
                    Origin::cell(sheet, at),
                    Kind::FullWidthDigits { field: label.to_string(), found: text.clone(), used: half.clone() },
                );
            }
            if let (Value::Text(_), Some(n)) = (raw, plain_number(&half)) {
                sub.add(
                    Severity::Noted,
                    Origin::cell(sheet, at),
                    Kind::NumberAsText { field: label.to_string(), found: text.clone(), number: n },
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
/// read and noted. The value is ISO (`2026-07-31`). Hints show dates of the
/// plan's 年度.
fn date_value<K>(
    raw: &Value,
    label: &str,
    sheet: &str,
    at: CellRef,
    fiscal_year: i32,
    sub: &mut Submission<K>,
) -> Option<String> {
    use crate::wareki::{self, ParsedDate};
    let (example, example_wareki) = wareki::example_date(fiscal_year);
    match raw {
        Value::Date(d) | Value::DateTime(d, _) => Some(crate::workbook::cell::iso(*d)),
        Value::YearMonth(..) => {
            sub.add(
                Severity::Fix,
                Origin::cell(sheet, at),
                Kind::YearMonthOnly { field: label.to_string(), found: raw.display(), example },
            );
            None
        }
        Value::Number(n) => match wareki::Date::from_excel_serial(*n) {
            Some(d) => Some(crate::workbook::cell::iso(d)),
            None => {
                sub.add(
                    Severity::Fix,
                    Origin::cell(sheet, at),
                    Kind::NotADate { field: label.to_string(), found: raw.display(), example, example_wareki: None },
                );
                None
            }
        },
        Value::Text(text) => match wareki::parse(text) {
            Some(ParsedDate::Date(d)) => {
                sub.add(
                    Severity::Noted,
                    Origin::cell(sheet, at),
                    Kind::DateAsText { field: label.to_string(), found: text.trim().to_string(), date: d, example },
                );
                Some(crate::workbook::cell::iso(d))
            }
            _ => {
                sub.add(
                    Severity::Fix,
                    Origin::cell(sheet, at),
                    Kind::NotADate {
                        field: label.to_string(),
                        found: text.trim().to_string(),
                        example,
                        example_wareki: Some(example_wareki),
                    },
                );
                None
            }
        },
        other => {
            sub.add(
                Severity::Fix,
                Origin::cell(sheet, at),
                Kind::NotADateValue { field: label.to_string(), found: other.describe(), example },
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_input_needs_a_day_and_hints_use_the_plans_year() {
        let mut sub: Submission<()> = Submission::empty("x.xlsx");
        let at = CellRef::new(4, 2);
        assert_eq!(date_value(&Value::YearMonth(2025, 9), "記入日", "s", at, 2025, &mut sub), None);
        assert_eq!(sub.problems.len(), 1);
        assert_eq!(sub.problems[0].severity, Severity::Fix);
        assert!(
            sub.problems[0].message().contains("年と月だけです（令和７年９月）。2025/7/31 のように"),
            "{:?}",
            sub.problems
        );
        let text = Value::Text("きのう".into());
        assert_eq!(date_value(&text, "記入日", "s", at, 2019, &mut sub), None);
        assert!(sub.problems[1].message().contains("2019/7/31 や 令和元年7月31日"), "{:?}", sub.problems[1]);
        let typed = Value::Text("R7.8.1".into());
        assert_eq!(date_value(&typed, "記入日", "s", at, 2025, &mut sub).as_deref(), Some("2025-08-01"));
        assert_eq!(sub.problems[2].severity, Severity::Noted);
    }
}
