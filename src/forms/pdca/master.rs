//! The PDCA master workbook: a plan's 事業, who is responsible for them and
//! their yearly targets, from which `keikaku pdca distribute` makes one
//! workbook per centre.
//!
//! The master has four sheets, described once in [`SHEETS`]:
//!
//! - 「計画」 (項目 | 値 | 説明): 計画名, 団体名, 計画期間 (R5～R9), 記入年度,
//!   CHECK時点 (毎年度7月末時点);
//! - 「センター」 (ID | 名称 | 連絡先): the regional centres;
//! - 「事業」 (番号 | 事業名 | 基本目標 | 基本項目 | 担当センター | 現状と課題 |
//!   方針・目標): one row per 事業; 担当センター lists centre IDs;
//! - 「達成目標」 (事業番号 | 取組み | one column per 年度 of the plan period):
//!   one row per indicator with its 計画 value for each year, as text or a
//!   number (30地区, 1回, 検討, →, -).
//!
//! [`read`] checks the whole master and reports every problem with its
//! cell (unknown centres, indicators for unknown 事業, duplicate IDs, years
//! outside the plan period) before anything is written.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::forms::{CellData, Field, FieldKind, Shape, SheetData, SheetForm};
use crate::japanese::hankaku;
use crate::wareki::{self, Digits};
use crate::workbook::shape::normalize;

use crate::forms::read::{id_key, no_rows, split_ids, table, Entries, Ids, Problems};
use crate::workbook::{convert, CellRef, Origin, Workbook};

/// The longest plan period, in years.
pub const MAX_PERIOD_YEARS: i32 = 10;

/// The longest 事業 number, in UTF-16 units (it becomes part of Excel names
/// and sheet names).
pub const MAX_NUMBER_CHARS: usize = 20;

/// 「計画」 sheet.
pub const SHEET_PLAN: SheetForm = SheetForm {
    name: "計画",
    shape: Shape::KeyValue(&[
        Field::new("計画名", "計画の名前。各シートの上と PDF の表紙に出ます。例: 美作市地域福祉活動計画", true, FieldKind::Text, 0.0),
        Field::new("団体名", "計画を作る団体（社会福祉協議会、市の担当課など）。", true, FieldKind::Text, 0.0),
        Field::new(
            "計画期間",
            "計画の最初と最後の年度を「～」でつなぎます。例: R5～R9、令和5年度～令和9年度、2023～2027。「達成目標」シートの年度の列はこの期間に合わせます。",
            true,
            FieldKind::Text,
            0.0,
        ),
        Field::new(
            "記入年度",
            "今回センターが記入する年度（例: 令和8年度、R8）。この年度までの「結果」と DO の行が入力欄になります。",
            true,
            FieldKind::FiscalYear,
            0.0,
        ),
        Field::new("CHECK時点", "CHECK 欄の見出しに添える時点。省略すると「毎年度7月末時点」。", false, FieldKind::Text, 0.0),
    ]),
};

/// 「センター」 sheet.
pub const SHEET_CENTRES: SheetForm = SheetForm {
    name: "センター",
    shape: Shape::Table(&[
        Field::new(
            "ID",
            "センターを区別する記号（例: C01）。配布するファイル名と回収の照合に使います。重複できません。",
            true,
            FieldKind::Text,
            10.0,
        ),
        Field::new(
            "名称",
            "センターの名前。シートの下（フッター）とファイル名に入ります。",
            true,
            FieldKind::Text,
            30.0,
        ),
        Field::new("連絡先", "担当者・電話など（任意）。", false, FieldKind::Text, 30.0),
    ]),
};

/// 「事業」 sheet.
pub const SHEET_PROJECTS: SheetForm = SheetForm {
    name: "事業",
    shape: Shape::Table(&[
        Field::new("番号", "事業の番号（例: 4-1-1）。20 文字まで。重複できません。", true, FieldKind::Text, 9.0),
        Field::new("事業名", "事業の名前。例: 福祉会議事業（地区ケア会議）", true, FieldKind::Text, 30.0),
        Field::new("基本目標", "例: 4. 利用者のための福祉サービス提供体制の整備", true, FieldKind::Text, 24.0),
        Field::new("基本項目", "例: 4-1 地域包括ケアシステムの構築", true, FieldKind::Text, 24.0),
        Field::new(
            "担当センター",
            "この事業のシートを送るセンターの ID。複数のときは「、」か「,」で区切ります（例: C01、C03）。",
            true,
            FieldKind::Text,
            14.0,
        ),
        Field::new(
            "現状と課題",
            "PLAN の「現状と課題」。セル内の改行（Alt+Enter）で段落を分けられます。",
            true,
            FieldKind::LongText,
            50.0,
        ),
        Field::new(
            "方針・目標",
            "PLAN の「方針・目標」。セル内の改行で段落を分けられます。",
            true,
            FieldKind::LongText,
            50.0,
        ),
    ]),
};

/// 「達成目標」 sheet. Besides these two columns it has one column per 年度
/// of the plan period (headers such as R5 or 令和5年度).
pub const SHEET_TARGETS: SheetForm = SheetForm {
    name: "達成目標",
    shape: Shape::Table(&[
        Field::new("事業番号", "「事業」シートの番号（例: 4-1-1）。一覧から選べます。", true, FieldKind::KeyOf("事業"), 9.0),
        Field::new(
            "取組み",
            "取組みの達成目標（指標）。右の年度の列に、その年度の計画（30地区、1回、検討、→、- など）を入れます。年度の列の見出しは計画期間の年度（R5 や 令和5年度）にします。",
            true,
            FieldKind::Text,
            40.0,
        ),
    ]),
};

/// The whole master workbook.
pub const SHEETS: [SheetForm; 4] = [SHEET_PLAN, SHEET_CENTRES, SHEET_PROJECTS, SHEET_TARGETS];

/// The CHECK time used when the master leaves it empty.
pub const DEFAULT_CHECK_POINT: &str = "毎年度7月末時点";

/// The plan itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// 計画名.
    pub name: String,
    /// 団体名.
    pub organisation: String,
    /// First 年度 of the plan period (西暦 start year).
    pub first_year: i32,
    /// Last 年度 of the plan period.
    pub last_year: i32,
    /// The 年度 the centres fill in now.
    pub fiscal_year: i32,
    /// When CHECK is taken: 毎年度7月末時点.
    pub check_point: String,
}

impl Plan {
    /// The years of the plan period, in order.
    pub fn years(&self) -> Vec<i32> {
        (self.first_year..=self.last_year).collect()
    }

    /// The years the centres report on now: from the first year up to the
    /// 記入年度.
    pub fn reported_years(&self) -> Vec<i32> {
        (self.first_year..=self.fiscal_year.min(self.last_year)).collect()
    }
}

/// A regional centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Centre {
    /// ID: C01.
    pub id: String,
    /// 名称.
    pub name: String,
    /// 連絡先.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// One 事業 with its PLAN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 番号: 4-1-1.
    pub number: String,
    /// 事業名.
    pub name: String,
    /// 基本目標.
    pub goal: String,
    /// 基本項目.
    pub area: String,
    /// IDs of the responsible centres.
    pub centres: Vec<String>,
    /// 現状と課題.
    pub situation: String,
    /// 方針・目標.
    pub policy: String,
    /// 取組みの達成目標.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

/// One indicator (取組み) with a 計画 value per year of the plan period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// 取組み.
    pub name: String,
    /// 計画 per year, in the order of [`Plan::years`]; `None` is an empty cell.
    pub plan: Vec<Option<String>>,
}

/// The whole master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Master {
    /// 「計画」.
    pub plan: Plan,
    /// 「センター」.
    pub centres: Vec<Centre>,
    /// 「事業」 with their 「達成目標」.
    pub projects: Vec<Project>,
}

impl Master {
    /// The 事業 a centre is responsible for, in master order.
    pub fn projects_of<'a>(&'a self, centre: &'a str) -> impl Iterator<Item = &'a Project> + 'a {
        self.projects.iter().filter(move |p| p.centres.iter().any(|c| c == centre))
    }

    /// Each centre's 事業, in the order of [`Master::centres`] (one pass over
    /// the 事業 instead of one per centre).
    pub fn projects_by_centre(&self) -> Vec<Vec<&Project>> {
        self.project_indices_by_centre()
            .into_iter()
            .map(|v| v.into_iter().map(|i| &self.projects[i]).collect())
            .collect()
    }

    /// Like [`Master::projects_by_centre`], as positions in [`Master::projects`].
    pub fn project_indices_by_centre(&self) -> Vec<Vec<usize>> {
        let index = self.centre_index();
        let mut by = vec![Vec::new(); self.centres.len()];
        for (k, p) in self.projects.iter().enumerate() {
            for c in &p.centres {
                if let Some(&i) = index.get(c.as_str()) {
                    by[i].push(k);
                }
            }
        }
        by
    }

    /// Each centre's position in [`Master::centres`], by ID.
    pub fn centre_index(&self) -> HashMap<&str, usize> {
        self.centres.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect()
    }

    /// The master's sheets, for `keikaku init pdca --from` and the sample.
    pub fn to_sheets(&self) -> Vec<SheetData> {
        let t = |s: &str| Some(CellData::Text(s.to_string()));
        let p = &self.plan;
        let period = format!(
            "{}～{}",
            wareki::format_fiscal_year(p.first_year, Digits::Ascii),
            wareki::format_fiscal_year(p.last_year, Digits::Ascii)
        );
        let plan = SheetData::KeyValue(vec![
            t(&p.name),
            t(&p.organisation),
            t(&period),
            t(&wareki::format_fiscal_year(p.fiscal_year, Digits::Ascii)),
            t(&p.check_point),
        ]);
        let centres = SheetData::Table {
            headers: None,
            rows: self.centres.iter().map(|c| vec![t(&c.id), t(&c.name), c.contact.as_deref().and_then(t)]).collect(),
        };
        let projects = SheetData::Table {
            headers: None,
            rows: self
                .projects
                .iter()
                .map(|pr| {
                    vec![
                        t(&pr.number),
                        t(&pr.name),
                        t(&pr.goal),
                        t(&pr.area),
                        t(&pr.centres.join("、")),
                        t(&pr.situation),
                        t(&pr.policy),
                    ]
                })
                .collect(),
        };
        let mut headers: Vec<String> = SHEET_TARGETS.headers().iter().map(|h| h.to_string()).collect();
        headers.extend(p.years().into_iter().map(wareki::format_fiscal_year_short));
        let targets = SheetData::Table {
            headers: Some(headers),
            rows: self
                .projects
                .iter()
                .flat_map(|pr| pr.indicators.iter().map(move |i| (pr, i)))
                .map(|(pr, i)| {
                    let mut row = vec![t(&pr.number), t(&i.name)];
                    row.extend(i.plan.iter().map(|v| v.as_deref().map(plan_cell)));
                    row
                })
                .collect(),
        };
        vec![plan, centres, projects, targets]
    }

    /// A blank master's content: the 計画 sheet's CHECK時点 and the year
    /// columns of a five-year period from `first_year`, which the user
    /// overwrites to match the 計画期間.
    pub fn blank_sheets(first_year: i32) -> Vec<SheetData> {
        let mut headers: Vec<String> = SHEET_TARGETS.headers().iter().map(|h| h.to_string()).collect();
        headers.extend((first_year..first_year + 5).map(wareki::format_fiscal_year_short));
        vec![
            SheetData::KeyValue(vec![None, None, None, None, Some(CellData::Text(DEFAULT_CHECK_POINT.into()))]),
            SheetData::Table { headers: None, rows: vec![] },
            SheetData::Table { headers: None, rows: vec![] },
            SheetData::Table { headers: Some(headers), rows: vec![] },
        ]
    }
}

/// The 事業 number as used in defined names: ASCII letters, digits and `_`
/// (4-1-1 → 4_1_1). Two 事業 whose keys are equal cannot be distributed
/// together; the master reader refuses them.
pub fn project_key(number: &str) -> String {
    crate::forms::name_key(number)
}

/// A 計画 value as a cell: a number that reads back as the same text (12,
/// 1.5) becomes a number cell; anything else stays text as typed (30地区,
/// 007, 1.50, -).
pub fn plan_cell(v: &str) -> CellData {
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && crate::workbook::cell::format_number(n) == v => CellData::Number(n),
        _ => CellData::Text(v.to_string()),
    }
}

/// Reads a plan period: R5～R9, 令和5年度～令和9年度, 2023-2027, R5–R9.
pub fn parse_period(s: &str) -> Option<(i32, i32)> {
    let t = hankaku(s);
    let parts: Vec<&str> =
        t.split(['～', '〜', '~', '–', '—', '-', 'ー', '－', '―']).map(str::trim).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [a, b] => {
            let (a, b) = (convert::parse_fiscal_year(a)?, convert::parse_fiscal_year(b)?);
            (a <= b).then_some((a, b))
        }
        _ => None,
    }
}

/// Longest texts, in UTF-16 units (Excel's count): they go into sheet
/// titles, names, footers and cells, whose sizes Excel limits.
mod max {
    pub const PLAN_NAME: usize = 100;
    pub const ORGANISATION: usize = 100;
    pub const CHECK_POINT: usize = 30;
    pub const CENTRE_ID: usize = 20;
    pub const CENTRE_NAME: usize = 100;
    pub const CONTACT: usize = 200;
    pub const PROJECT_NAME: usize = 200;
    pub const GOAL: usize = 300;
    /// Excel holds at most 32,767 characters in a cell.
    pub const PLAN_TEXT: usize = 32_000;
    pub const INDICATOR: usize = 200;
    pub const PLAN_VALUE: usize = 50;
}

/// Reads and checks a master workbook. Every problem is reported, with its
/// cell, in one error.
pub fn read(wb: &Workbook) -> Result<Master, Error> {
    let mut problems = Problems::default();
    let p = &mut problems;
    let plan = read_plan(p, wb);
    let centres = read_centres(p, wb);
    let mut projects = read_projects(p, wb, &centres);
    read_targets(p, wb, plan.period, &mut projects);
    problems.into_result()?;
    let (Some(name), Some(organisation), Some((first_year, last_year)), Some(fiscal_year)) =
        (plan.name, plan.organisation, plan.period, plan.fiscal_year)
    else {
        return Err(Error::internal("master problems were not reported"));
    };
    let check_point = plan.check_point.unwrap_or_else(|| DEFAULT_CHECK_POINT.to_string());
    Ok(Master {
        plan: Plan { name, organisation, first_year, last_year, fiscal_year, check_point },
        centres: centres.list,
        projects: projects.list,
    })
}

/// The 「計画」 sheet as read: each value, or `None` when it is missing or
/// wrong (reported).
struct PlanSheet {
    name: Option<String>,
    organisation: Option<String>,
    period: Option<(i32, i32)>,
    fiscal_year: Option<i32>,
    check_point: Option<String>,
}

fn read_plan(p: &mut Problems, wb: &Workbook) -> PlanSheet {
    let mut plan = PlanSheet { name: None, organisation: None, period: None, fiscal_year: None, check_point: None };
    let Some(rows) = Entries::find(p, wb, &SHEET_PLAN) else { return plan };
    if let Some(e) = rows.required(p, "計画名") {
        plan.name = p.required(e.value.as_ref(), &e.origin, "計画名", max::PLAN_NAME);
    }
    if let Some(e) = rows.required(p, "団体名") {
        plan.organisation = p.required(e.value.as_ref(), &e.origin, "団体名", max::ORGANISATION);
    }
    if let Some(e) = rows.required(p, "計画期間") {
        if let Some(text) = p.required(e.value.as_ref(), &e.origin, "計画期間", 100) {
            match parse_period(&text) {
                Some((a, b)) if b - a < MAX_PERIOD_YEARS && wareki::fiscal_year_era(a).is_some() => {
                    plan.period = Some((a, b))
                }
                Some(_) => p.push(
                    &e.origin,
                    format!("計画期間「{text}」は {MAX_PERIOD_YEARS} 年以内で、明治以降にしてください。"),
                ),
                None => p.push(
                    &e.origin,
                    format!("計画期間「{text}」を読めません。最初と最後の年度を「～」でつないでください（例: R5～R9、令和5年度～令和9年度）。"),
                ),
            }
        }
    }
    if let Some(e) = rows.required(p, "記入年度") {
        plan.fiscal_year = p.take(convert::fiscal_year(e.value.as_ref(), &e.origin, "記入年度"));
        if let (Some((a, b)), Some(fy)) = (plan.period, plan.fiscal_year) {
            if !(a..=b).contains(&fy) {
                p.push(
                    &e.origin,
                    format!(
                        "記入年度 {} が計画期間（{}～{}）の外です。",
                        wareki::format_fiscal_year(fy, Digits::Ascii),
                        wareki::format_fiscal_year_short(a),
                        wareki::format_fiscal_year_short(b)
                    ),
                );
            }
        }
    }
    if let Some(e) = rows.optional("CHECK時点") {
        plan.check_point = p.text(e.value.as_ref(), &e.origin, "CHECK時点", max::CHECK_POINT);
    }
    plan
}

/// The 「センター」 sheet as read: the centres without problems, and their
/// IDs (with the rows that had problems).
struct CentreSheet {
    list: Vec<Centre>,
    ids: Ids,
}

fn read_centres(p: &mut Problems, wb: &Workbook) -> CentreSheet {
    let mut centres = CentreSheet { list: Vec::new(), ids: Ids::default() };
    let Some(table) = table(p, wb, &SHEET_CENTRES) else { return centres };
    for r in &table.records {
        let before = p.count();
        let at = table.origin(r, "ID");
        let id = p.required(table.value(r, "ID"), &at, "ID", max::CENTRE_ID).map(|s| hankaku(&s));
        let name = p.required(table.value(r, "名称"), &table.origin(r, "名称"), "名称", max::CENTRE_NAME);
        let contact = p.text(table.value(r, "連絡先"), &table.origin(r, "連絡先"), "連絡先", max::CONTACT);
        if p.count() != before {
            centres.ids.row_failed(id.as_deref());
        }
        let (Some(id), Some(name)) = (id, name) else { continue };
        if centres.ids.claim_centre(p, &id, &at) {
            centres.list.push(Centre { id, name, contact });
        }
    }
    no_rows(p, &table, "センターが 1 つもありません。見出し行の下に ID と名称を入れてください。");
    centres
}

/// The 「事業」 sheet as read: the 事業 without problems, where each key was
/// read, and which 事業 had problems (already reported), so that their
/// 達成目標 rows are not reported again.
struct ProjectSheet {
    list: Vec<Project>,
    at: HashMap<String, (usize, Origin)>,
    rejected: HashSet<String>,
    /// Some 事業's 番号 could not be read (already reported).
    number_unreadable: bool,
}

fn read_projects(p: &mut Problems, wb: &Workbook, centres: &CentreSheet) -> ProjectSheet {
    let mut projects =
        ProjectSheet { list: Vec::new(), at: HashMap::new(), rejected: HashSet::new(), number_unreadable: false };
    let Some(table) = table(p, wb, &SHEET_PROJECTS) else { return projects };
    let canonical: HashMap<String, String> = centres.list.iter().map(|c| (id_key(&c.id), c.id.clone())).collect();
    for r in &table.records {
        let before = p.count();
        let req = |p: &mut Problems, h: &str, max: usize| p.required(table.value(r, h), &table.origin(r, h), h, max);
        let at = table.origin(r, "番号");
        let number = req(p, "番号", MAX_NUMBER_CHARS).map(|s| hankaku(&s));
        let name = req(p, "事業名", max::PROJECT_NAME);
        let goal = req(p, "基本目標", max::GOAL);
        let area = req(p, "基本項目", max::GOAL);
        let centre_text = req(p, "担当センター", 10_000);
        let situation = req(p, "現状と課題", max::PLAN_TEXT);
        let policy = req(p, "方針・目標", max::PLAN_TEXT);
        let mut ids = Vec::new();
        if let Some(text) = &centre_text {
            let centre_at = table.origin(r, "担当センター");
            for id in split_ids(text) {
                match canonical.get(&id_key(&id)) {
                    Some(c) if ids.contains(c) => {}
                    Some(c) => ids.push(c.clone()),
                    None if centres.ids.excused(&id) => {}
                    None => p.push(
                        &centre_at,
                        format!("担当センター「{id}」は「センター」シートにありません。ID を確かめてください。"),
                    ),
                }
            }
            if split_ids(text).is_empty() {
                p.push(
                    &centre_at,
                    format!(
                        "担当センター「{text}」に ID がありません。センターの ID を入れてください（例: C01、C03）。"
                    ),
                );
            }
        }
        let key = number.as_deref().map(project_key);
        let complete = p.count() == before;
        let (Some(number), Some(key), Some(name), Some(goal), Some(area), Some(situation), Some(policy), true) =
            (number, key.clone(), name, goal, area, situation, policy, complete)
        else {
            match key {
                Some(k) => _ = projects.rejected.insert(k),
                None => projects.number_unreadable = true,
            }
            continue;
        };
        if let Some((i, prev)) = projects.at.get(&key) {
            let first = &projects.list[*i].number;
            let msg = if id_key(first) == id_key(&number) {
                format!("番号「{number}」が {} と重複しています。事業ごとに別の番号にしてください。", prev.cell)
            } else {
                format!(
                    "番号「{number}」は {} の「{first}」と区別できません（英数字以外の文字はどれも同じ区切りとして扱います）。番号の数字か英字を変えてください。",
                    prev.cell
                )
            };
            p.push(&at, msg);
            continue;
        }
        projects.at.insert(key, (projects.list.len(), at));
        projects.list.push(Project { number, name, goal, area, centres: ids, situation, policy, indicators: vec![] });
    }
    no_rows(p, &table, "事業が 1 つもありません。見出し行の下に事業を入れてください。");
    projects
}

/// Reads the 「達成目標」 sheet into the 事業's indicators: one column per
/// 年度 of the plan's `period`.
fn read_targets(p: &mut Problems, wb: &Workbook, period: Option<(i32, i32)>, projects: &mut ProjectSheet) {
    let Some(table) = table(p, wb, &SHEET_TARGETS) else { return };
    let sheet = table.sheet;
    let known: Vec<String> = SHEET_TARGETS.headers().iter().map(|h| normalize(h)).collect();
    // Year columns: every other column, whose header must be a 年度 in the period.
    let mut year_cols: BTreeMap<i32, usize> = BTreeMap::new();
    for (i, c) in table.columns.iter().enumerate() {
        if known.contains(&c.key) {
            continue;
        }
        let at = sheet.origin(CellRef::new(table.header_row, c.col));
        match convert::parse_fiscal_year(&c.header) {
            None => {
                // The example is a year of the plan's own period when it is known.
                let y = period.map(|(a, _)| a).unwrap_or(2023);
                p.push(
                    &at,
                    format!(
                        "列の見出し「{}」は年度として読めません。年度の列の見出しは {} や {} のようにしてください。",
                        c.header,
                        wareki::format_fiscal_year_short(y),
                        wareki::format_fiscal_year(y, Digits::Ascii)
                    ),
                )
            }
            Some(y) => match period {
                Some((a, b)) if !(a..=b).contains(&y) => p.push(
                    &at,
                    format!(
                        "列「{}」（{}）が計画期間（{}～{}）の外です。",
                        c.header,
                        wareki::format_fiscal_year(y, Digits::Ascii),
                        wareki::format_fiscal_year_short(a),
                        wareki::format_fiscal_year_short(b)
                    ),
                ),
                _ => {
                    if year_cols.insert(y, i).is_some() {
                        p.push(&at, format!("{} の列が 2 つあります。", wareki::format_fiscal_year(y, Digits::Ascii)));
                    }
                }
            },
        }
    }
    if let Some((a, b)) = period {
        let missing: Vec<String> =
            (a..=b).filter(|y| !year_cols.contains_key(y)).map(wareki::format_fiscal_year_short).collect();
        if !missing.is_empty() {
            p.push(
                &sheet.origin(CellRef::new(table.header_row, 0)),
                format!("見出し行に計画期間の年度 {} の列がありません。", missing.join("、")),
            );
        }
    }
    for r in &table.records {
        let at = table.origin(r, "事業番号");
        let number = p.required(table.value(r, "事業番号"), &at, "事業番号", MAX_NUMBER_CHARS).map(|s| hankaku(&s));
        let name = p.required(table.value(r, "取組み"), &table.origin(r, "取組み"), "取組み", max::INDICATOR);
        let mut plan = Vec::new();
        if let Some((a, b)) = period {
            for y in a..=b {
                let v = year_cols.get(&y).and_then(|&i| {
                    let origin = sheet.origin(CellRef::new(r.row, table.columns[i].col));
                    p.text(r.values[i].as_ref(), &origin, "計画", max::PLAN_VALUE)
                });
                plan.push(v);
            }
        }
        let (Some(number), Some(name)) = (number, name) else { continue };
        let key = project_key(&number);
        match projects.at.get(&key) {
            Some((i, _)) => projects.list[*i].indicators.push(Indicator { name, plan }),
            None if projects.number_unreadable || projects.rejected.contains(&key) => {}
            None => p.push(&at, format!("事業番号「{number}」は「事業」シートにありません。番号を確かめてください。")),
        }
    }
}

impl Master {
    /// The shipped sample: 基本目標 4 of a social welfare council's plan
    /// (`shared/reference/pdca_mimasaka.txt`), assigned to three centres.
    pub fn example() -> Master {
        serde_json::from_str(include_str!("../../../samples/pdca_master.json"))
            .expect("samples/pdca_master.json is valid")
    }
}

/// A PLAN text (現状と課題, 方針・目標) as paragraphs for the templates: one
/// per line, blank lines dropped.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.split('\n').filter(|l| !l.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(parse_period("R5～R9"), Some((2023, 2027)));
        assert_eq!(parse_period("令和5年度～令和9年度"), Some((2023, 2027)));
        assert_eq!(parse_period("２０２３－２０２７"), Some((2023, 2027)));
        assert_eq!(parse_period("R5–R9"), Some((2023, 2027)));
        assert_eq!(parse_period("R9～R5"), None);
        assert_eq!(parse_period("R5"), None);
    }

    #[test]
    fn ids_split_on_japanese_and_ascii_separators() {
        assert_eq!(split_ids("C01、C03,Ｃ０４\nC05"), vec!["C01", "C03", "C04", "C05"]);
        assert_eq!(id_key(" c01 "), "C01");
    }

    #[test]
    fn plan_cells_keep_units_as_text() {
        assert_eq!(plan_cell("12"), CellData::Number(12.0));
        assert_eq!(plan_cell("30地区"), CellData::Text("30地区".into()));
        assert_eq!(plan_cell("-"), CellData::Text("-".into()));
        assert_eq!(plan_cell("→"), CellData::Text("→".into()));
        assert_eq!(plan_cell("1.5"), CellData::Number(1.5));
        for kept in ["007", "1.50", "12345678901234567890", "1e3", "+1", " 1"] {
            assert_eq!(plan_cell(kept), CellData::Text(kept.into()), "{kept}");
        }
    }

    #[test]
    fn sample_is_consistent() {
        let m = Master::example();
        assert_eq!(m.projects.len(), 6);
        for p in &m.projects {
            assert!(!p.centres.is_empty(), "{}", p.number);
            for i in &p.indicators {
                assert_eq!(i.plan.len(), m.plan.years().len(), "{} {}", p.number, i.name);
            }
        }
    }
}
