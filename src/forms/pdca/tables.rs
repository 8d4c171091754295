//! The tidy tables of 集計.xlsx.
//!
//! Every sheet follows the machine-readable rules of 総務省「統計表における
//! 機械判読可能なデータ作成に関する表記方法」: one header row, one record per
//! row, one value per cell, numbers as numbers, no merged cells, no blank
//! rows, and a 西暦 year column beside the 和暦 label. Each value carries
//! its provenance: the file, sheet and cell it was read from and the file's
//! SHA-256.
//!
//! Rows are produced per centre as the workbook is written, so the sheets
//! of 5,000 centres never sit in memory all at once.

use std::collections::HashMap;

use super::collect::{Answer, Collection, Key, MasterIndex, Received, OUTPUT_FORM_KIND};
use super::master::Master;
use super::sheets::Field;
use crate::jobs::collect::tables::{opt_text, problem_rows, status_row, text, PROBLEM_COLUMNS, STATUS_COLUMNS};
use crate::jobs::collect::Roster;
use crate::wareki::{format_fiscal_year, Digits};
use crate::xlsx::{BarChart, Column, DataBook, DataSheet, Datum};

/// A number with its unit, read from a 計画 or 結果 such as `30地区`,
/// `年2回`, `1,200人`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The number.
    pub value: f64,
    /// The unit: the text after the number, with a counting prefix such as
    /// 年 or 月 before it (`年□回` for 年2回). Empty for a bare number.
    pub unit: String,
}

/// Prefixes that count per period (年2回, 月1回); any other text before a
/// number (R6, 第3) means the text is not a quantity.
const PREFIXES: &[&str] = &["年", "月", "週", "毎年", "毎月", "毎週", "年間", "月間"];

/// Reads a quantity: an optional counting prefix, a number (half- or
/// full-width, with thousands separators), and a unit of at most ten
/// characters without digits. `None` for anything else (検討, →, R6実施).
///
/// ```
/// use keikaku::forms::pdca::tables::quantity;
/// assert_eq!(quantity("30地区").unwrap().value, 30.0);
/// assert_eq!(quantity("年２回").unwrap().unit, "年□回");
/// assert!(quantity("検討").is_none());
/// ```
pub fn quantity(text: &str) -> Option<Quantity> {
    let s: String = crate::japanese::hankaku(text).chars().filter(|c| !c.is_whitespace()).collect();
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let (prefix, rest) = s.split_at(start);
    if !prefix.is_empty() && !PREFIXES.contains(&prefix) {
        return None;
    }
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).unwrap_or(rest.len());
    let number = &rest[..end];
    let number = number.trim_end_matches(['.', ',']);
    let unit = &rest[number.len()..];
    if unit.chars().count() > 10 || unit.chars().any(|c| c.is_ascii_digit()) || number.matches('.').count() > 1 {
        return None;
    }
    let value: f64 = number.replace(',', "").parse().ok().filter(|v: &f64| v.is_finite())?;
    let unit = if prefix.is_empty() { unit.to_string() } else { format!("{prefix}□{unit}") };
    Some(Quantity { value, unit })
}

/// 達成率 = 結果 ÷ 計画, when both are quantities with the same unit (a bare
/// number as 結果 takes the unit printed in the 計画 cell) and the 計画 is
/// more than zero.
pub fn achievement(plan: Option<&Quantity>, result: Option<&Quantity>) -> Option<f64> {
    let (p, r) = (plan?, result?);
    let same_unit = p.unit == r.unit || r.unit.is_empty();
    (same_unit && p.value > 0.0).then(|| r.value / p.value)
}

/// The columns of the 達成目標 sheet.
pub const TARGET_COLUMNS: &[Column] = &[
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 22.0 },
    Column { header: "事業番号", width: 9.0 },
    Column { header: "事業名", width: 28.0 },
    Column { header: "取組み番号", width: 8.0 },
    Column { header: "取組み", width: 34.0 },
    Column { header: "年度", width: 7.0 },
    Column { header: "年度（和暦）", width: 12.0 },
    Column { header: "計画", width: 10.0 },
    Column { header: "計画値", width: 8.0 },
    Column { header: "結果", width: 10.0 },
    Column { header: "結果値", width: 8.0 },
    Column { header: "単位", width: 8.0 },
    Column { header: "達成率", width: 8.0 },
    Column { header: "提出ファイル", width: 30.0 },
    Column { header: "シート", width: 28.0 },
    Column { header: "セル", width: 6.0 },
    Column { header: "SHA-256", width: 20.0 },
];

/// The columns of the 記述 (text answers) sheet.
pub const TEXT_COLUMNS: &[Column] = &[
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 22.0 },
    Column { header: "事業番号", width: 9.0 },
    Column { header: "事業名", width: 28.0 },
    Column { header: "項目", width: 26.0 },
    Column { header: "年度", width: 7.0 },
    Column { header: "年度（和暦）", width: 12.0 },
    Column { header: "内容", width: 60.0 },
    Column { header: "提出ファイル", width: 30.0 },
    Column { header: "シート", width: 28.0 },
    Column { header: "セル", width: 6.0 },
    Column { header: "SHA-256", width: 20.0 },
];

/// The columns of the 達成率 sheet (the chart's data).
pub const RATE_COLUMNS: &[Column] = &[
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター", width: 28.0 },
    Column { header: "状況", width: 9.0 },
    Column { header: "年度", width: 7.0 },
    Column { header: "年度（和暦）", width: 12.0 },
    Column { header: "平均達成率", width: 10.0 },
    Column { header: "達成率のある取組み数", width: 12.0 },
    Column { header: "達成した取組み数", width: 12.0 },
];

/// A centre's answers by key (事業 and field).
pub fn answers_by_field(r: &Received) -> HashMap<Key, &Answer> {
    r.submission.answers.iter().map(|a| (a.key, a)).collect()
}

fn provenance(r: &Received, a: Option<&Answer>) -> [Datum; 4] {
    [
        text(&r.source.name),
        a.map_or(Datum::Empty, |a| text(r.submission.sheet_of(a))),
        a.map_or(Datum::Empty, |a| Datum::Text(a.cell.to_string())),
        text(&r.source.sha256),
    ]
}

fn number(q: Option<&Quantity>) -> Datum {
    q.map_or(Datum::Empty, |q| Datum::Number(q.value))
}

/// The 達成目標 rows of one centre: every 事業 × indicator × year of the
/// plan period.
pub fn target_rows(master: &Master, index: &MasterIndex, col: &Collection, c: usize) -> Vec<Vec<Datum>> {
    let result = &col.centres[c];
    let Some(r) = col.used(result) else { return vec![] };
    let centre = &master.centres[result.centre];
    let by_field = answers_by_field(r);
    let years = master.plan.years();
    let mut rows = Vec::new();
    for &pk in index.projects_of(result.centre) {
        let p = &master.projects[pk];
        for (i, ind) in p.indicators.iter().enumerate() {
            for (k, &y) in years.iter().enumerate() {
                let plan = ind.plan.get(k).and_then(|v| v.as_deref()).filter(|v| !v.trim().is_empty());
                let key = Key { project: pk as u32, field: Field::Result { indicator: i + 1, year: y } };
                let answer = by_field.get(&key).copied();
                let got = answer.and_then(|a| a.text());
                let (pq, rq) = (plan.and_then(quantity), got.and_then(quantity));
                let unit = pq.as_ref().or(rq.as_ref()).map(|q| q.unit.clone()).unwrap_or_default();
                let rate = achievement(pq.as_ref(), rq.as_ref());
                let mut row = vec![
                    text(&centre.id),
                    text(&centre.name),
                    text(&p.number),
                    text(&p.name),
                    Datum::Number((i + 1) as f64),
                    text(&ind.name),
                    Datum::Number(f64::from(y)),
                    text(&format_fiscal_year(y, Digits::Ascii)),
                    opt_text(plan),
                    number(pq.as_ref()),
                    opt_text(got),
                    number(rq.as_ref()),
                    text(&unit),
                    rate.map_or(Datum::Empty, Datum::Percent),
                ];
                row.extend(provenance(r, answer));
                rows.push(row);
            }
        }
    }
    rows
}

/// The label of a text field, and its 年度 when it has one.
pub fn field_label(field: Field) -> (&'static str, Option<i32>) {
    match field {
        Field::Date => ("記入日", None),
        Field::Writer => ("記入者", None),
        Field::Result { year, .. } => ("結果", Some(year)),
        Field::Do(y) => ("DO 取組み内容", Some(y)),
        Field::Achievement => ("CHECK 達成状況と成果", None),
        Field::Issues => ("CHECK 課題", None),
        Field::Direction => ("CHECK 今後の方向性", None),
        Field::Action => ("ACTION 具体的な取組み内容", None),
    }
}

/// The 記述 rows of one centre: every input but the 結果 (which are in
/// 達成目標), in form order, empty ones included.
pub fn text_rows(master: &Master, col: &Collection, c: usize) -> Vec<Vec<Datum>> {
    let result = &col.centres[c];
    let Some(r) = col.used(result) else { return vec![] };
    let centre = &master.centres[result.centre];
    let mut rows = Vec::new();
    for a in &r.submission.answers {
        if matches!(a.key.field, Field::Result { .. }) {
            continue;
        }
        let (label, year) = field_label(a.key.field);
        let p = &master.projects[a.key.project as usize];
        let mut row = vec![
            text(&centre.id),
            text(&centre.name),
            text(&p.number),
            text(&p.name),
            text(label),
            year.map_or(Datum::Empty, |y| Datum::Number(f64::from(y))),
            year.map_or(Datum::Empty, |y| text(&format_fiscal_year(y, Digits::Ascii))),
            opt_text(a.text()),
        ];
        row.extend(provenance(r, Some(a)));
        rows.push(row);
    }
    rows
}

/// A centre's achievement in the 記入年度: (mean 達成率, indicators with a
/// 達成率, indicators at 100% or more). `None` without a usable file.
pub fn centre_achievement(
    master: &Master,
    index: &MasterIndex,
    col: &Collection,
    c: usize,
) -> Option<(Option<f64>, usize, usize)> {
    let result = &col.centres[c];
    let r = col.used(result)?;
    let by_field = answers_by_field(r);
    let fy = master.plan.fiscal_year;
    let k = master.plan.years().iter().position(|y| *y == fy)?;
    let mut rates = Vec::new();
    for &pk in index.projects_of(result.centre) {
        let p = &master.projects[pk];
        for (i, ind) in p.indicators.iter().enumerate() {
            let plan = ind.plan.get(k).and_then(|v| v.as_deref()).and_then(quantity);
            let got = by_field
                .get(&Key { project: pk as u32, field: Field::Result { indicator: i + 1, year: fy } })
                .and_then(|a| a.text())
                .and_then(quantity);
            if let Some(rate) = achievement(plan.as_ref(), got.as_ref()) {
                rates.push(rate);
            }
        }
    }
    let mean = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
    Some((mean, rates.len(), rates.iter().filter(|r| **r >= 1.0).count()))
}

fn rate_row(master: &Master, index: &MasterIndex, col: &Collection, c: usize) -> Vec<Datum> {
    let result = &col.centres[c];
    let centre = &master.centres[result.centre];
    let fy = master.plan.fiscal_year;
    let got = centre_achievement(master, index, col, c);
    vec![
        text(&centre.id),
        text(&format!("{} {}", centre.id, centre.name)),
        text(result.state.label()),
        Datum::Number(f64::from(fy)),
        text(&format_fiscal_year(fy, Digits::Ascii)),
        got.and_then(|g| g.0).map_or(Datum::Empty, Datum::Percent),
        got.map_or(Datum::Empty, |g| Datum::Number(g.1 as f64)),
        got.map_or(Datum::Empty, |g| Datum::Number(g.2 as f64)),
    ]
}

/// Sheet names of 集計.xlsx.
pub mod sheet {
    /// Tidy 計画/結果/達成率.
    pub const TARGETS: &str = "達成目標";
    /// DO, CHECK, ACTION, 記入日, 記入者.
    pub const TEXTS: &str = "記述";
    /// Mean 達成率 per centre, with the chart.
    pub const RATES: &str = "達成率";
    pub use crate::jobs::collect::tables::sheet::{PROBLEMS, STATUS};
}

/// Writes 集計.xlsx into the file at `path`.
pub fn save_summary(
    master: &Master,
    index: &MasterIndex,
    col: &Collection,
    created: Option<&str>,
    path: &std::path::Path,
) -> Result<(), crate::Error> {
    crate::xlsx::save_data(summary_book(master, index, col, created, &titles(master, index)), path)
}

/// The workbook's title, the chart's, and the centres.
fn titles<'m>(master: &'m Master, index: &MasterIndex) -> (String, String, Roster<'m>) {
    let fy = format_fiscal_year(master.plan.fiscal_year, Digits::Ascii);
    (format!("{} PDCA 集計（{fy}）", master.plan.name), format!("センター別 平均達成率（{fy}）"), index.roster(master))
}

fn summary_book<'a>(
    master: &'a Master,
    index: &'a MasterIndex,
    col: &'a Collection,
    created: Option<&'a str>,
    (title, chart_title, roster): &'a (String, String, Roster<'a>),
) -> DataBook<'a> {
    let n = col.centres.len();
    DataBook {
        title,
        properties: vec![
            (crate::forms::property::FORM, OUTPUT_FORM_KIND.to_string()),
            (crate::forms::property::FISCAL_YEAR, master.plan.fiscal_year.to_string()),
        ],
        sheets: vec![
            DataSheet {
                name: sheet::TARGETS,
                columns: TARGET_COLUMNS,
                rows: Box::new((0..n).flat_map(move |c| target_rows(master, index, col, c))),
                fit_rows: false,
            },
            DataSheet {
                name: sheet::TEXTS,
                columns: TEXT_COLUMNS,
                rows: Box::new((0..n).flat_map(move |c| text_rows(master, col, c))),
                fit_rows: false,
            },
            DataSheet {
                name: sheet::RATES,
                columns: RATE_COLUMNS,
                rows: Box::new((0..n).map(move |c| rate_row(master, index, col, c))),
                fit_rows: true,
            },
            DataSheet {
                name: sheet::STATUS,
                columns: STATUS_COLUMNS,
                rows: Box::new((0..n).map(move |c| status_row(roster, col, c))),
                fit_rows: true,
            },
            DataSheet {
                name: sheet::PROBLEMS,
                columns: PROBLEM_COLUMNS,
                rows: Box::new(problem_rows(roster, col).into_iter()),
                fit_rows: true,
            },
        ],
        chart: Some(BarChart {
            sheet: sheet::RATES,
            title: chart_title,
            categories: 1,
            values: 5,
            rows: n as u32,
            axis: "平均達成率",
            percent: true,
        }),
        print: &[],
        footer: "",
        created,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_achievement() {
        let q = |s| quantity(s);
        assert_eq!(q("30地区"), Some(Quantity { value: 30.0, unit: "地区".into() }));
        assert_eq!(q("２４地区"), Some(Quantity { value: 24.0, unit: "地区".into() }));
        assert_eq!(q("1,200人"), Some(Quantity { value: 1200.0, unit: "人".into() }));
        assert_eq!(q("年2回"), Some(Quantity { value: 2.0, unit: "年□回".into() }));
        assert_eq!(q("12"), Some(Quantity { value: 12.0, unit: String::new() }));
        assert_eq!(q("2.5回"), Some(Quantity { value: 2.5, unit: "回".into() }));
        for not in ["検討", "→", "-", "R6実施", "第3回", "1.2.3回", "3回/2地区", ""] {
            assert_eq!(q(not), None, "{not}");
        }
        let rate = |p, r| achievement(q(p).as_ref(), q(r).as_ref());
        assert_eq!(rate("30地区", "24地区"), Some(0.8));
        assert_eq!(rate("30地区", "24"), Some(0.8), "a bare number takes the plan's unit");
        assert_eq!(rate("1回", "2回"), Some(2.0));
        assert_eq!(rate("30地区", "24人"), None, "different units");
        assert_eq!(rate("0回", "2回"), None);
        assert_eq!(rate("検討", "2回"), None);
        assert_eq!(rate("30", "24"), Some(0.8));
    }
}
