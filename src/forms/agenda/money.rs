//! The money 議案: 収支予算 (budget) and 収支決算 (settlement) sheets, read
//! into account lines and computed into a statement.
//!
//! A sheet has one row per 科目 under a 区分 (収入の部 / 支出の部), either in
//! two columns (大科目 | 中科目) or in one 科目 column where an indented name
//! (leading spaces) is a 中科目. The user types only the 科目's amounts; the
//! tool computes, in whole 円 with checked integer arithmetic:
//!
//! - every 大科目's subtotal (the sum of its 中科目);
//! - 収入合計 and 支出合計, and 当期収入合計 when a 繰越 row is among the income;
//! - 当期収支差額 (当期収入合計 − 支出合計) and 次期繰越収支差額 (収入合計 − 支出合計);
//! - 増減 (予算額 − 前年度予算額) of a budget, 差異 (決算額 − 予算額) of a
//!   settlement, for every line and total.
//!
//! A total the user typed anyway (a 大科目's amount above its 中科目, or a
//! row named 合計, 収入合計, 小計, 次期繰越収支差額 …) must agree with the
//! computed one; if it does not, the error names its cell and both values.

use serde::{Deserialize, Serialize};

use crate::amount::{self, Unit};
use crate::error::Error;
use crate::forms::{Field, FieldKind, Shape, SheetForm};
use crate::workbook::shape::{normalize, Table};
use crate::workbook::{convert, error_at, error_on, Origin, Sheet};

/// The 区分 choices.
pub const DIVISIONS: &[&str] = &["収入の部", "支出の部"];

/// Which statement a sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatementKind {
    /// 収支予算: 予算額, 前年度予算額; computes 増減.
    #[serde(rename = "budget")]
    Budget,
    /// 収支決算: 予算額, 決算額; computes 差異.
    #[serde(rename = "settlement")]
    Settlement,
}

impl StatementKind {
    /// The two typed amount columns and the computed one.
    pub fn columns(self) -> [&'static str; 3] {
        match self {
            StatementKind::Budget => ["予算額", "前年度予算額", "増減"],
            StatementKind::Settlement => ["予算額", "決算額", "差異"],
        }
    }

    /// The computed column from the typed two.
    fn difference(self, a: i64, b: i64) -> i64 {
        match self {
            StatementKind::Budget => a - b,
            StatementKind::Settlement => b - a,
        }
    }

    /// What the statement is called: 収支予算.
    pub fn label(self) -> &'static str {
        match self {
            StatementKind::Budget => "収支予算",
            StatementKind::Settlement => "収支決算",
        }
    }

    /// The sheet's shape (two-level 科目), written by `init` and read back.
    pub fn shape(self) -> Shape {
        match self {
            StatementKind::Budget => BUDGET_SHEET.shape,
            StatementKind::Settlement => SETTLEMENT_SHEET.shape,
        }
    }
}

const DIVISION_NOTE: &str =
    "収入の部 か 支出の部。同じ区分の行が続くときは 2 行目から空欄でかまいません。合計や差額の行は入れなくてかまいません（keikaku が計算します）。";
const MAJOR_NOTE: &str = "大科目（会費収入、事業費 など）。中科目があるときは、大科目の金額は空欄にします（中科目の計を keikaku が計算します）。";
const MINOR_NOTE: &str = "中科目（正会員会費 など）。上の大科目の内訳になります。大科目と同じ行に書くと、その大科目の最初の中科目です。";
const NOTE_NOTE: &str = "備考。金額の説明など。";

const BUDGET_FIELDS: [Field; 6] = [
    Field::new("区分", DIVISION_NOTE, false, FieldKind::Choice(DIVISIONS), 11.0),
    Field::new("大科目", MAJOR_NOTE, false, FieldKind::Text, 18.0),
    Field::new("中科目", MINOR_NOTE, false, FieldKind::Text, 20.0),
    Field::new("予算額", "今年度の予算額（円の整数）。マイナスは △500 や -500。", false, FieldKind::Amount, 14.0),
    Field::new("前年度予算額", "前年度の予算額（円の整数）。増減は keikaku が計算します。", false, FieldKind::Amount, 14.0),
    Field::new("備考", NOTE_NOTE, false, FieldKind::Text, 36.0),
];

const SETTLEMENT_FIELDS: [Field; 6] = [
    Field::new("区分", DIVISION_NOTE, false, FieldKind::Choice(DIVISIONS), 11.0),
    Field::new("大科目", MAJOR_NOTE, false, FieldKind::Text, 18.0),
    Field::new("中科目", MINOR_NOTE, false, FieldKind::Text, 20.0),
    Field::new("予算額", "その年度の予算額（円の整数）。", false, FieldKind::Amount, 14.0),
    Field::new("決算額", "決算額（円の整数）。差異（決算額 − 予算額）は keikaku が計算します。", false, FieldKind::Amount, 14.0),
    Field::new("備考", NOTE_NOTE, false, FieldKind::Text, 36.0),
];

/// The budget sheet of the example workbook.
pub const BUDGET_SHEET: SheetForm = SheetForm { name: "収支予算", shape: Shape::Table(&BUDGET_FIELDS) };

/// The settlement sheet of the example workbook.
pub const SETTLEMENT_SHEET: SheetForm = SheetForm { name: "収支決算", shape: Shape::Table(&SETTLEMENT_FIELDS) };

/// One row of a money sheet as typed (the JSON of `init --from` and the
/// inverse of the reader). `division` empty means the same as above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccountLine {
    /// 区分: 収入の部 or 支出の部.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// 大科目.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    /// 中科目.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor: Option<String>,
    /// 予算額.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    /// 前年度予算額 (budget) or 決算額 (settlement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<i64>,
    /// 備考.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A computed line of a statement: a 大科目, a 中科目, a total or a balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The 科目 or the total's name.
    pub label: String,
    /// 1: 大科目 or total; 2: 中科目.
    pub level: u8,
    /// The two typed amounts and the computed difference, in 円.
    pub amounts: [i64; 3],
    /// 備考 (empty when none).
    pub note: String,
    /// A 大科目 whose amounts are the sum of the 中科目 below it.
    pub subtotal: bool,
}

/// One 区分 of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// 収入の部 / 支出の部.
    pub name: String,
    /// The 大科目 and their 中科目, in sheet order.
    pub lines: Vec<Line>,
    /// 当期収入合計 (income without the 繰越 rows), when the income has a 繰越 row.
    pub current_total: Option<Line>,
    /// 収入合計 / 支出合計.
    pub total: Line,
}

/// A computed statement: what the template prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// budget or settlement.
    pub kind: StatementKind,
    /// The column headings: 予算額, 前年度予算額, 増減.
    pub columns: [&'static str; 3],
    /// 収入の部, then 支出の部.
    pub parts: Vec<Part>,
    /// 当期収支差額 and 次期繰越収支差額.
    pub balances: Vec<Line>,
    /// The unit the amounts are printed in.
    pub unit: Unit,
    /// The caption above the table: （単位：円）.
    pub unit_caption: &'static str,
}

/// What a row named like a total stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TotalKind {
    /// 合計, 計, 収入合計 … : the total of a 区分 (the named one, or the row's).
    Division(Option<usize>),
    /// 当期収入合計.
    CurrentIncome,
    /// 小計: the 大科目 above.
    Subtotal,
    /// 当期収支差額.
    CurrentBalance,
    /// 次期繰越収支差額, 収支差額, 差引 ….
    NextBalance,
}

fn total_kind(name: &str) -> Option<TotalKind> {
    let n = normalize(name);
    Some(match n.as_str() {
        "合計" | "計" | "総計" | "合計額" => TotalKind::Division(None),
        "収入合計" | "収入計" | "収入の部合計" | "収入の部計" | "収入総計" => TotalKind::Division(Some(0)),
        "支出合計" | "支出計" | "支出の部合計" | "支出の部計" | "支出総計" => TotalKind::Division(Some(1)),
        "当期収入合計" | "当期収入計" | "当年度収入合計" => TotalKind::CurrentIncome,
        "小計" => TotalKind::Subtotal,
        "当期収支差額" | "当年度収支差額" => TotalKind::CurrentBalance,
        "次期繰越収支差額" | "次期繰越金" | "次年度繰越金" | "次期繰越額" | "次年度繰越収支差額" | "収支差額"
        | "差引" | "差引額" | "差引残額" => TotalKind::NextBalance,
        _ => return None,
    })
}

/// A 科目 in the income that is the balance carried in from the year before.
fn is_carry_in(name: &str) -> bool {
    let n = normalize(name);
    n.contains("繰越") || n.contains("繰入")
}

/// A 大科目 as read, with where its typed amounts are.
struct Major {
    name: String,
    own: [Option<i64>; 2],
    own_at: [Origin; 2],
    note: Option<String>,
    minors: Vec<(String, [i64; 2], Option<String>)>,
}

/// A typed total, to check once everything is summed.
struct Typed {
    kind: TotalKind,
    label: String,
    division: usize,
    /// The 大科目 above it (for 小計).
    major: Option<usize>,
    amounts: [Option<i64>; 2],
    at: [Origin; 2],
}

/// Which columns name the 科目.
enum Names {
    /// 大科目 | 中科目.
    TwoLevel,
    /// One 科目 column; an indented name is a 中科目.
    Indented,
}

/// Reads a budget or settlement sheet into its lines as typed and the
/// computed statement. Every problem is an error at its cell.
pub fn read(sheet: &Sheet, kind: StatementKind, unit: Unit) -> Result<(Vec<AccountLine>, Statement), Error> {
    let [a_col, b_col, diff_col] = kind.columns();
    let two = ["区分", "大科目", "中科目", a_col, b_col];
    let one = ["区分", "科目", a_col, b_col];
    let (table, names) = match Table::find(sheet, &two) {
        Ok(t) => (t, Names::TwoLevel),
        Err(e) => match Table::find(sheet, &one) {
            Ok(t) => (t, Names::Indented),
            Err(_) => return Err(e),
        },
    };
    let known: &[&str] = match names {
        Names::TwoLevel => &["区分", "大科目", "中科目", a_col, b_col, "備考"],
        Names::Indented => &["区分", "科目", a_col, b_col, "備考"],
    };
    if let Some((c, at)) = table.unknown_column(known) {
        let why = if c.key == normalize(diff_col) {
            format!("{diff_col}は keikaku が計算します。この列を消してください。")
        } else {
            format!(
                "この列は{}に載りません。列を消すか、内容を「備考」の列に入れてください（使える見出し: {}）。",
                kind.label(),
                known.iter().map(|k| format!("「{k}」")).collect::<String>()
            )
        };
        return Err(error_at(&at, format!("見出し「{}」: {why}", c.header)));
    }
    if table.records.is_empty() {
        return Err(error_on(
            sheet,
            "科目の行がありません。見出し行の下に、区分（収入の部・支出の部）ごとに科目と金額を入れてください。",
        ));
    }

    let mut lines = Vec::new();
    // Per 区分 (in DIVISIONS order): its 大科目, and the order 区分 came in.
    let mut parts: [Vec<Major>; 2] = [Vec::new(), Vec::new()];
    let mut order: Vec<usize> = Vec::new();
    let mut typed: Vec<Typed> = Vec::new();
    let mut division: Option<usize> = None;
    for r in &table.records {
        let at = |h: &str| table.origin(r, h);
        let div_text = convert::text(table.value(r, "区分"), &at("区分"), "区分")?;
        if let Some(t) = &div_text {
            let n = normalize(t);
            let d = match n.as_str() {
                "収入の部" | "収入" | "収入の部門" => 0,
                "支出の部" | "支出" => 1,
                _ => {
                    return Err(error_at(
                        &at("区分"),
                        format!("区分「{t}」は選べる値ではありません。「収入の部」か「支出の部」にしてください。"),
                    ))
                }
            };
            if division != Some(d) {
                if order.contains(&d) {
                    return Err(error_at(
                        &at("区分"),
                        format!("{}の行が離れた 2 か所にあります。同じ区分の行は続けて並べてください。", DIVISIONS[d]),
                    ));
                }
                order.push(d);
            }
            division = Some(d);
        }
        let (major_name, minor_name, name_at) = match names {
            Names::TwoLevel => {
                let major = convert::text(table.value(r, "大科目"), &at("大科目"), "大科目")?;
                let minor = convert::text(table.value(r, "中科目"), &at("中科目"), "中科目")?;
                let name_at = if major.is_some() || minor.is_none() { at("大科目") } else { at("中科目") };
                (major, minor, name_at)
            }
            Names::Indented => {
                let raw = match table.value(r, "科目") {
                    Some(crate::workbook::Value::Text(s)) => Some(s.clone()),
                    v => convert::text(v, &at("科目"), "科目")?,
                };
                let indented = raw.as_deref().is_some_and(|s| s.starts_with(|c: char| c.is_whitespace()));
                let name = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                if indented {
                    (None, name, at("科目"))
                } else {
                    (name, None, at("科目"))
                }
            }
        };
        let amounts = [
            convert::amount(table.value(r, a_col), &at(a_col), a_col)?,
            convert::amount(table.value(r, b_col), &at(b_col), b_col)?,
        ];
        let amounts_at = [at(a_col), at(b_col)];
        let note = convert::text(table.value(r, "備考"), &at("備考"), "備考")?;
        lines.push(AccountLine {
            division: div_text.clone(),
            major: major_name.clone(),
            minor: minor_name.clone(),
            budget: amounts[0],
            other: amounts[1],
            note: note.clone(),
        });
        let Some(d) = division else {
            return Err(error_at(
                &at("区分"),
                "科目が区分の下にありません。最初の科目の行の「区分」に「収入の部」か「支出の部」を入れてください。",
            ));
        };
        let label = major_name.clone().or_else(|| minor_name.clone());
        let Some(label) = label else {
            let what = if note.is_some() { "備考" } else { "金額" };
            return Err(error_at(
                &name_at,
                format!("科目が空なのに{what}が入っています。科目の名前を入れるか、行を消してください。"),
            ));
        };
        if let Some(k) = total_kind(&label) {
            if major_name.is_some() && minor_name.is_some() {
                return Err(error_at(&name_at, format!("「{label}」の行に中科目があります。合計の行には科目を書かないでください。")));
            }
            if let Some(note) = &note {
                return Err(error_at(
                    &at("備考"),
                    format!("「{label}」の行の備考「{note}」は載りません（合計は keikaku が計算して載せます）。備考は科目の行に入れてください。"),
                ));
            }
            typed.push(Typed {
                kind: k,
                label,
                division: d,
                major: parts[d].len().checked_sub(1),
                amounts,
                at: amounts_at,
            });
            continue;
        }
        match major_name {
            Some(major) => {
                let first_minor = minor_name.map(|m| (m, amounts.map(|v| v.unwrap_or(0)), note.clone()));
                let own = if first_minor.is_some() { [None, None] } else { amounts };
                parts[d].push(Major {
                    name: major,
                    own,
                    own_at: amounts_at,
                    note: if first_minor.is_some() { None } else { note },
                    minors: first_minor.into_iter().collect(),
                });
            }
            // Without a 大科目 the label is the 中科目.
            None => {
                let minor = label;
                let Some(m) = parts[d].last_mut() else {
                    return Err(error_at(
                        &name_at,
                        format!("中科目「{minor}」の上に{}の大科目がありません。大科目の行を上に入れてください。", DIVISIONS[d]),
                    ));
                };
                // A 大科目 typed with amounts, then its 中科目: the amounts
                // are a typed subtotal, checked below.
                m.minors.push((minor, amounts.map(|v| v.unwrap_or(0)), note));
            }
        }
    }
    for d in [0, 1] {
        if parts[d].is_empty() {
            return Err(error_on(
                sheet,
                format!("{}の科目がありません。区分が「{}」の行を入れてください。", DIVISIONS[d], DIVISIONS[d]),
            ));
        }
    }

    let overflow = |what: &str| {
        error_on(sheet, format!("{what}の金額が大きすぎて計算できません（{} 円まで）。", amount::format(amount::MAX, Unit::Yen)))
    };
    let line = |label: String, level: u8, v: [i64; 2], note: String, subtotal: bool| Line {
        label,
        level,
        amounts: [v[0], v[1], kind.difference(v[0], v[1])],
        note,
        subtotal,
    };
    let mut out_parts = Vec::new();
    // [total, total without carry-in] per 区分, and each 大科目's values.
    let mut totals = [[[0i64; 2]; 2]; 2];
    let mut major_values: [Vec<[i64; 2]>; 2] = [Vec::new(), Vec::new()];
    for d in order.iter().copied() {
        let mut out = Vec::new();
        let mut vals: Vec<([i64; 2], bool)> = Vec::new();
        for m in &parts[d] {
            let value = if m.minors.is_empty() {
                m.own.map(|v| v.unwrap_or(0))
            } else {
                let mut s = [0i64; 2];
                for k in 0..2 {
                    s[k] = amount::sum(m.minors.iter().map(|x| x.1[k])).ok_or_else(|| overflow(&m.name))?;
                    if let Some(typed) = m.own[k] {
                        if typed != s[k] {
                            return Err(mismatch(&m.own_at[k], &format!("大科目「{}」", m.name), [a_col, b_col][k], typed, s[k]));
                        }
                    }
                }
                s
            };
            out.push(line(m.name.clone(), 1, value, m.note.clone().unwrap_or_default(), !m.minors.is_empty()));
            for (name, v, note) in &m.minors {
                out.push(line(name.clone(), 2, *v, note.clone().unwrap_or_default(), false));
            }
            vals.push((value, d == 0 && is_carry_in(&m.name)));
            major_values[d].push(value);
        }
        // [all, without the carry-in rows], per amount column.
        for (without_carry, total) in totals[d].iter_mut().enumerate() {
            for (k, t) in total.iter_mut().enumerate() {
                let rows = vals.iter().filter(|v| without_carry == 0 || !v.1);
                *t = amount::sum(rows.map(|v| v.0[k])).ok_or_else(|| overflow(DIVISIONS[d]))?;
            }
        }
        let has_carry = vals.iter().any(|v| v.1);
        out_parts.push(Part {
            name: DIVISIONS[d].to_string(),
            lines: out,
            current_total: (d == 0 && has_carry).then(|| line("当期収入合計".into(), 1, totals[0][1], String::new(), true)),
            total: line(if d == 0 { "収入合計" } else { "支出合計" }.into(), 1, totals[d][0], String::new(), true),
        });
    }
    let diff = |a: [i64; 2], b: [i64; 2]| [a[0] - b[0], a[1] - b[1]];
    let current = diff(totals[0][1], totals[1][0]);
    let next = diff(totals[0][0], totals[1][0]);
    let balances = vec![
        line("当期収支差額".into(), 1, current, String::new(), true),
        line("次期繰越収支差額".into(), 1, next, String::new(), true),
    ];

    for t in &typed {
        let (what, want) = match t.kind {
            TotalKind::Division(named) => {
                let d = named.unwrap_or(t.division);
                (format!("{}の「{}」", DIVISIONS[d], t.label), totals[d][0])
            }
            TotalKind::CurrentIncome => ("「当期収入合計」".to_string(), totals[0][1]),
            TotalKind::CurrentBalance => ("「当期収支差額」".to_string(), current),
            TotalKind::NextBalance => (format!("「{}」", t.label), next),
            TotalKind::Subtotal => match t.major {
                Some(i) => (format!("大科目「{}」の小計", parts[t.division][i].name), major_values[t.division][i]),
                None => {
                    return Err(error_at(&t.at[0], "小計の行の上に大科目がありません。小計の行を消してください。"));
                }
            },
        };
        for k in 0..2 {
            if let Some(v) = t.amounts[k] {
                if v != want[k] {
                    return Err(mismatch(&t.at[k], &what, [a_col, b_col][k], v, want[k]));
                }
            }
        }
    }
    Ok((
        lines,
        Statement {
            kind,
            columns: kind.columns(),
            parts: out_parts,
            balances,
            unit,
            unit_caption: unit.caption(),
        },
    ))
}

fn mismatch(at: &Origin, what: &str, column: &str, typed: i64, computed: i64) -> Error {
    let f = |v| amount::format(v, Unit::Yen);
    error_at(
        at,
        format!(
            "{what}の{column}が {} 円と入力されていますが、科目から計算すると {} 円です。合計・小計は keikaku が計算します。科目の金額を確かめるか、このセルを空にしてください。",
            f(typed),
            f(computed)
        ),
    )
}

/// The sheet rows of `lines` (the inverse of [`read`], two-level form).
pub fn to_rows(lines: &[AccountLine]) -> Vec<Vec<Option<crate::forms::CellData>>> {
    use crate::forms::CellData;
    let text = |s: &Option<String>| s.as_ref().map(|s| CellData::Text(s.clone()));
    let num = |v: Option<i64>| v.map(|v| CellData::Number(v as f64));
    lines
        .iter()
        .map(|l| vec![text(&l.division), text(&l.major), text(&l.minor), num(l.budget), num(l.other), text(&l.note)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::{CellRef, Sheet, Value};

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let value = match v.parse::<f64>() {
                    Ok(n) => Value::Number(n),
                    Err(_) => Value::Text(v.to_string()),
                };
                cells.push((CellRef::new(r as u32, c as u32), value));
            }
        }
        Sheet::new("予算.xlsx", "収支予算", cells)
    }

    const HEAD: &[&str] = &["区分", "大科目", "中科目", "予算額", "前年度予算額", "備考"];

    fn budget(rows: &[&[&str]]) -> Result<Statement, Error> {
        let mut all = vec![HEAD];
        all.extend_from_slice(rows);
        read(&sheet(&all), StatementKind::Budget, Unit::Yen).map(|(_, s)| s)
    }

    #[test]
    fn computes_subtotals_totals_and_differences() {
        let s = budget(&[
            &["収入の部", "会費収入", "正会員会費", "100000", "90000", ""],
            &["", "", "賛助会員会費", "20000", "30000", ""],
            &["", "補助金収入", "", "50000", "50000", "区補助"],
            &["", "前期繰越金", "", "7000", "5000", ""],
            &["支出の部", "事業費", "研修費", "80000", "70000", ""],
            &["", "", "会議費", "30000", "", ""],
            &["", "予備費", "", "60000", "1000", ""],
        ])
        .unwrap();
        let inc = &s.parts[0];
        assert_eq!(inc.lines[0].label, "会費収入");
        assert_eq!(inc.lines[0].amounts, [120000, 120000, 0]);
        assert!(inc.lines[0].subtotal);
        assert_eq!(inc.lines[2].amounts, [20000, 30000, -10000]);
        assert_eq!(inc.total.amounts, [177000, 175000, 2000]);
        assert_eq!(inc.current_total.as_ref().unwrap().amounts, [170000, 170000, 0]);
        let out = &s.parts[1];
        assert_eq!(out.total.amounts, [170000, 71000, 99000]);
        assert_eq!(s.balances[0].amounts, [0, 99000, -99000]);
        assert_eq!(s.balances[1].amounts, [7000, 104000, -97000]);
    }

    #[test]
    fn settlement_difference_is_actual_minus_budget() {
        let head: &[&str] = &["区分", "大科目", "中科目", "予算額", "決算額", "備考"];
        let rows: &[&[&str]] =
            &[head, &["収入の部", "会費", "", "1000", "900", ""], &["支出の部", "事業費", "", "800", "850", ""]];
        let (_, s) = read(&sheet(rows), StatementKind::Settlement, Unit::Yen).unwrap();
        assert_eq!(s.parts[0].total.amounts, [1000, 900, -100]);
        assert_eq!(s.parts[1].total.amounts, [800, 850, 50]);
        assert_eq!(s.balances[1].amounts, [200, 50, -150]);
    }

    #[test]
    fn one_column_with_indentation() {
        let rows: &[&[&str]] = &[
            &["区分", "科目", "予算額", "前年度予算額"],
            &["収入の部", "会費収入", "", ""],
            &["", "　正会員会費", "300", "200"],
            &["", "  賛助会員会費", "100", "100"],
            &["支出の部", "事務費", "250", "300"],
        ];
        let (_, s) = read(&sheet(rows), StatementKind::Budget, Unit::Yen).unwrap();
        assert_eq!(s.parts[0].lines.len(), 3);
        assert_eq!(s.parts[0].lines[1].level, 2);
        assert_eq!(s.parts[0].lines[0].amounts, [400, 300, 100]);
    }

    #[test]
    fn typed_totals_must_agree() {
        // Agreeing totals are accepted and not printed twice.
        let s = budget(&[
            &["収入の部", "会費", "", "1000", "900", ""],
            &["", "収入合計", "", "1000", "900", ""],
            &["支出の部", "事業費", "", "800", "850", ""],
            &["", "合計", "", "800", "", ""],
            &["", "次期繰越収支差額", "", "200", "", ""],
        ])
        .unwrap();
        assert_eq!(s.parts[0].lines.len(), 1);
        let e = budget(&[
            &["収入の部", "会費", "", "1000", "900", ""],
            &["支出の部", "事業費", "", "800", "850", ""],
            &["", "支出合計", "", "810", "", ""],
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("D4") && e.contains("810") && e.contains("800") && e.contains("支出の部"), "{e}");
        // A 大科目 amount over its 中科目 is a typed subtotal.
        let e = budget(&[
            &["収入の部", "会費", "", "1000", "", ""],
            &["", "", "正会員", "600", "", ""],
            &["", "", "賛助会員", "300", "", ""],
            &["支出の部", "事業費", "", "800", "", ""],
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("D2") && e.contains("1,000") && e.contains("900") && e.contains("会費"), "{e}");
    }

    #[test]
    fn bad_input_is_reported_at_its_cell() {
        let cases: &[(&[&[&str]], &str, &str)] = &[
            (&[&["", "会費", "", "1000", "", ""]], "A2", "区分の下にありません"),
            (&[&["収入の部", "会費", "", "未定", "", ""], &["支出の部", "x", "", "1", "", ""]], "D2", "円の整数"),
            (&[&["収入の部", "会費", "", "12.5", "", ""], &["支出の部", "x", "", "1", "", ""]], "D2", "12.5"),
            (&[&["収入", "", "正会員", "1", "", ""], &["支出の部", "x", "", "1", "", ""]], "C2", "大科目がありません"),
            (&[&["雑入", "会費", "", "1", "", ""]], "A2", "「雑入」"),
            (&[&["収入の部", "会費", "", "1", "", ""]], "", "支出の部の科目がありません"),
            (
                &[&["収入の部", "会費", "", "1", "", ""], &["支出の部", "x", "", "1", "", ""], &["収入の部", "y", "", "1", "", ""]],
                "A4",
                "離れた 2 か所",
            ),
            (&[&["収入の部", "", "", "100", "", ""], &["支出の部", "x", "", "1", "", ""]], "B2", "科目が空"),
        ];
        for (rows, cell, what) in cases {
            let e = budget(rows).unwrap_err().to_string();
            assert!(e.contains(what) && e.contains(cell), "{rows:?}: {e}");
        }
        let rows: &[&[&str]] = &[&["区分", "大科目", "中科目", "予算額", "前年度予算額", "増減"]];
        let e = read(&sheet(rows), StatementKind::Budget, Unit::Yen).unwrap_err().to_string();
        assert!(e.contains("F1") && e.contains("計算します"), "{e}");
    }
}
