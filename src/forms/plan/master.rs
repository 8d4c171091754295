//! The centre plan master: a city's 事業計画書 of its 地域包括支援センター,
//! from which `keikaku plan distribute` makes one workbook per centre and
//! `keikaku plan collect` the combined document
//! (`shared/reference/centre_plans_shiroi_2021.txt`).
//!
//! The master has four sheets, described once in [`SHEETS`]:
//!
//! - 「計画」 (項目 | 値 | 説明): 年度, 市町村, 表題;
//! - 「センター」 (ID | 名称 | 略称 | 種別): the centres, 直営 or 委託;
//! - 「区分」 (番号 | 名称 | 説明 | 注記): the sections of part II
//!   (1. 基本項目, 2. 介護予防・日常生活支援総合事業, …);
//! - 「項目」 (区分 | 番号 | 項目名 | 運営方針 | 回答するセンター | 目標の数):
//!   the items of each section (総合相談支援事業, 権利擁護事業, …) with the
//!   city's 運営方針【重点的取組み】 and who answers them (everyone, only the
//!   直営 centre, or listed IDs). A section answered as a whole (1. 基本項目)
//!   has one item without a name.
//!
//! Every centre also writes its overall goal toward the 地域包括ケアシステム
//! (part I of the document). [`read`] checks the whole master and reports
//! every problem with its cell before anything is written.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::forms::read::{id_key, no_rows, split_ids, table, Entries, Ids, Problems};
use crate::forms::{CellData, Field, FieldKind, Shape, SheetData, SheetForm};
use crate::japanese::hankaku;
use crate::workbook::{convert, Origin, Workbook};

/// The kinds of centre: run by the city itself, or contracted out.
pub const KINDS: &[&str] = &["直営", "委託"];

/// Goal slots an item offers when the master leaves 目標の数 empty.
pub const DEFAULT_GOALS: usize = 3;
/// Most goal slots an item may offer.
pub const MAX_GOALS: usize = 10;

/// The longest section or item number, in UTF-16 units (it becomes part of
/// Excel names).
pub const MAX_NUMBER_CHARS: usize = 20;

/// 「計画」 sheet.
pub const SHEET_PLAN: SheetForm = SheetForm {
    name: "計画",
    shape: Shape::KeyValue(&[
        Field::new(
            "年度",
            "計画の年度（例: 令和3年度、R3、2021）。表紙と各シートの見出しに出ます。",
            true,
            FieldKind::FiscalYear,
            0.0,
        ),
        Field::new("市町村", "センターを設置する市町村（例: 白井市）。", true, FieldKind::Text, 0.0),
        Field::new(
            "表題",
            "計画書の名前。表紙に「令和3年度 白井市各地域包括支援センター事業計画書」のように年度の後に出ます。",
            true,
            FieldKind::Text,
            0.0,
        ),
    ]),
};

/// 「センター」 sheet.
pub const SHEET_CENTRES: SheetForm = SheetForm {
    name: "センター",
    shape: Shape::Table(&[
        Field::new(
            "ID",
            "センターを区別する記号（例: S01）。配布するファイル名と回収の照合に使います。重複できません。",
            true,
            FieldKind::Text,
            10.0,
        ),
        Field::new("名称", "センターの正式な名前（例: 白井駅前地域包括支援センター）。", true, FieldKind::Text, 34.0),
        Field::new(
            "略称",
            "計画書の表の「センター」の欄に出す短い名前（例: 直営、白井駅前）。空なら名称。",
            false,
            FieldKind::Text,
            14.0,
        ),
        Field::new("種別", "直営（市が運営）か委託。", true, FieldKind::Choice(KINDS), 8.0),
    ]),
};

/// 「区分」 sheet.
pub const SHEET_SECTIONS: SheetForm = SheetForm {
    name: "区分",
    shape: Shape::Table(&[
        Field::new("番号", "区分の番号（例: 1）。重複できません。", true, FieldKind::Text, 8.0),
        Field::new("名称", "区分の名前（例: 基本項目、包括的支援事業(地域包括支援センターの運営)）。", true, FieldKind::Text, 40.0),
        Field::new(
            "説明",
            "区分の見出しの下に出す一行（任意。例: 組織運営体制・個人情報保護・利用者満足の向上・公平性中立性の確保）。",
            false,
            FieldKind::Text,
            40.0,
        ),
        Field::new("注記", "区分の名前の後に添える注記（任意。例: ※地域ケア会議は各包括実施。…）。", false, FieldKind::Text, 40.0),
    ]),
};

/// 「項目」 sheet.
pub const SHEET_ITEMS: SheetForm = SheetForm {
    name: "項目",
    shape: Shape::Table(&[
        Field::new("区分", "「区分」シートの番号。一覧から選べます。", true, FieldKind::KeyOf("区分"), 8.0),
        Field::new("番号", "項目の番号（例: 3-1）。20 文字まで。重複できません。", true, FieldKind::Text, 8.0),
        Field::new(
            "項目名",
            "事業の名前（例: 総合相談支援事業）。区分全体で一つの項目のとき（1. 基本項目など）は空にします。",
            false,
            FieldKind::Text,
            30.0,
        ),
        Field::new(
            "運営方針",
            "市の運営方針【重点的取組み】（任意）。センターのシートで項目名の下に出ます。セル内の改行（Alt+Enter）で「●」ごとに分けられます。",
            false,
            FieldKind::LongText,
            50.0,
        ),
        Field::new(
            "回答するセンター",
            "空なら全センター。「直営」「委託」でその種別のセンター、または ID を「、」で区切って（例: S01、S03）。",
            false,
            FieldKind::Text,
            16.0,
        ),
        Field::new(
            "目標の数",
            "センターのシートに用意する目標の欄の数（1〜10、空なら 3）。",
            false,
            FieldKind::Integer,
            9.0,
        ),
    ]),
};

/// The whole master workbook.
pub const SHEETS: [SheetForm; 4] = [SHEET_PLAN, SHEET_CENTRES, SHEET_SECTIONS, SHEET_ITEMS];

/// The plan itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The 年度 (西暦 start year).
    pub fiscal_year: i32,
    /// 市町村: 白井市.
    pub city: String,
    /// 表題: 白井市各地域包括支援センター事業計画書.
    pub title: String,
}

/// A 地域包括支援センター.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Centre {
    /// ID: S01.
    pub id: String,
    /// 名称: 白井駅前地域包括支援センター.
    pub name: String,
    /// 略称: 白井駅前 (the name itself when the master leaves it empty).
    pub short: String,
    /// 種別: one of [`KINDS`].
    pub kind: String,
}

/// A section of part II: 3. 包括的支援事業(地域包括支援センターの運営).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// 番号: 3.
    pub number: String,
    /// 名称.
    pub name: String,
    /// 説明: a line under the heading.
    #[serde(default)]
    pub description: String,
    /// 注記: a remark after the heading.
    #[serde(default)]
    pub note: String,
}

/// An item the centres answer: 総合相談支援事業.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The section's 番号.
    pub section: String,
    /// 番号: 3-1.
    pub number: String,
    /// 項目名; empty for a section answered as a whole.
    #[serde(default)]
    pub name: String,
    /// 運営方針【重点的取組み】.
    #[serde(default)]
    pub policy: String,
    /// 回答するセンター as written: empty (everyone), a kind, or IDs.
    #[serde(default)]
    pub answered_by: String,
    /// Goal slots offered.
    pub goals: usize,
}

/// The whole master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Master {
    /// 「計画」.
    pub plan: Plan,
    /// 「センター」.
    pub centres: Vec<Centre>,
    /// 「区分」.
    pub sections: Vec<Section>,
    /// 「項目」, in order.
    pub items: Vec<Item>,
}

/// Who answers an item, as read from its 回答するセンター text.
fn respondents(answered_by: &str, centres: &[Centre]) -> Result<Vec<usize>, Vec<String>> {
    let text = answered_by.trim();
    if text.is_empty() || text == "全センター" || text == "全て" {
        return Ok((0..centres.len()).collect());
    }
    if let Some(kind) = KINDS.iter().find(|k| **k == text) {
        return Ok(centres.iter().enumerate().filter(|(_, c)| c.kind == *kind).map(|(i, _)| i).collect());
    }
    let index: HashMap<String, usize> = centres.iter().enumerate().map(|(i, c)| (id_key(&c.id), i)).collect();
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for id in split_ids(text) {
        match index.get(&id_key(&id)) {
            Some(&i) if found.contains(&i) => {}
            Some(&i) => found.push(i),
            None => unknown.push(id),
        }
    }
    if unknown.is_empty() {
        found.sort_unstable();
        Ok(found)
    } else {
        Err(unknown)
    }
}

impl Master {
    /// The centres that answer an item (positions in [`Master::centres`],
    /// in master order).
    pub fn respondents(&self, item: &Item) -> Vec<usize> {
        respondents(&item.answered_by, &self.centres).unwrap_or_default()
    }

    /// Each centre's items, as positions in [`Master::items`], in master
    /// order (one pass over the items).
    pub fn items_by_centre(&self) -> Vec<Vec<usize>> {
        let mut by = vec![Vec::new(); self.centres.len()];
        for (k, item) in self.items.iter().enumerate() {
            for c in self.respondents(item) {
                by[c].push(k);
            }
        }
        by
    }

    /// What an item is called in messages and labels: its name, or for a
    /// section answered as a whole the section's name.
    pub fn item_title<'a>(&'a self, item: &'a Item) -> &'a str {
        if item.name.is_empty() {
            self.section_of(item).map_or("", |s| s.name.as_str())
        } else {
            &item.name
        }
    }

    /// The section of an item.
    pub fn section_of(&self, item: &Item) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == item.section)
    }

    /// Centre ID → position.
    pub fn centre_index(&self) -> HashMap<&str, usize> {
        self.centres.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect()
    }

    /// The title line: 「令和3年度 白井市各地域包括支援センター事業計画書」.
    pub fn title_line(&self) -> String {
        format!(
            "{} {}",
            crate::wareki::format_fiscal_year(self.plan.fiscal_year, crate::wareki::Digits::Ascii),
            self.plan.title
        )
    }

    /// The master's sheets, for `keikaku init plan --from` and the sample.
    pub fn to_sheets(&self) -> Vec<SheetData> {
        let t = |s: &str| (!s.is_empty()).then(|| CellData::Text(s.to_string()));
        let p = &self.plan;
        let plan = SheetData::KeyValue(vec![
            t(&crate::wareki::format_fiscal_year(p.fiscal_year, crate::wareki::Digits::Ascii)),
            t(&p.city),
            t(&p.title),
        ]);
        let centres = SheetData::Table {
            headers: None,
            rows: self
                .centres
                .iter()
                .map(|c| vec![t(&c.id), t(&c.name), t(if c.short == c.name { "" } else { &c.short }), t(&c.kind)])
                .collect(),
        };
        let sections = SheetData::Table {
            headers: None,
            rows: self.sections.iter().map(|s| vec![t(&s.number), t(&s.name), t(&s.description), t(&s.note)]).collect(),
        };
        let items = SheetData::Table {
            headers: None,
            rows: self
                .items
                .iter()
                .map(|i| {
                    vec![
                        t(&i.section),
                        t(&i.number),
                        t(&i.name),
                        t(&i.policy),
                        t(&i.answered_by),
                        Some(CellData::Number(i.goals as f64)),
                    ]
                })
                .collect(),
        };
        vec![plan, centres, sections, items]
    }

    /// A blank master's content.
    pub fn blank_sheets() -> Vec<SheetData> {
        vec![
            SheetData::KeyValue(vec![None, None, None]),
            SheetData::Table { headers: None, rows: vec![] },
            SheetData::Table { headers: None, rows: vec![] },
            SheetData::Table { headers: None, rows: vec![] },
        ]
    }

    /// The shipped sample: the 令和3年度 plan of 白井市's three centres
    /// (`shared/reference/centre_plans_shiroi_2021.txt`).
    pub fn example() -> Master {
        serde_json::from_str(include_str!("../../../samples/plan_master.json"))
            .expect("samples/plan_master.json is valid")
    }
}

/// Longest texts, in UTF-16 units (Excel's count).
mod max {
    pub const CITY: usize = 50;
    pub const TITLE: usize = 100;
    pub const CENTRE_ID: usize = 20;
    pub const CENTRE_NAME: usize = 100;
    pub const SHORT: usize = 20;
    pub const SECTION_NAME: usize = 100;
    pub const LINE: usize = 300;
    pub const ITEM_NAME: usize = 100;
    /// Excel holds at most 32,767 characters in a cell.
    pub const POLICY: usize = 32_000;
}

/// Reads and checks a master workbook. Every problem is reported, with its
/// cell, in one error.
pub fn read(wb: &Workbook) -> Result<Master, Error> {
    let mut problems = Problems::default();
    let p = &mut problems;
    let plan = read_plan(p, wb);
    let centres = read_centres(p, wb);
    let sections = read_sections(p, wb);
    let items = read_items(p, wb, &centres, &sections);
    problems.into_result()?;
    let (Some(fiscal_year), Some(city), Some(title)) = (plan.fiscal_year, plan.city, plan.title) else {
        return Err(Error::internal("master problems were not reported"));
    };
    Ok(Master { plan: Plan { fiscal_year, city, title }, centres: centres.list, sections: sections.list, items })
}

/// The 「計画」 sheet as read: each value, or `None` when it is missing or
/// wrong (reported).
struct PlanSheet {
    fiscal_year: Option<i32>,
    city: Option<String>,
    title: Option<String>,
}

fn read_plan(p: &mut Problems, wb: &Workbook) -> PlanSheet {
    let mut plan = PlanSheet { fiscal_year: None, city: None, title: None };
    let Some(rows) = Entries::find(p, wb, &SHEET_PLAN) else { return plan };
    if let Some(e) = rows.required(p, "年度") {
        plan.fiscal_year = p.take(convert::fiscal_year(e.value.as_ref(), &e.origin, "年度"));
    }
    if let Some(e) = rows.required(p, "市町村") {
        plan.city = p.required(e.value.as_ref(), &e.origin, "市町村", max::CITY);
    }
    if let Some(e) = rows.required(p, "表題") {
        plan.title = p.required(e.value.as_ref(), &e.origin, "表題", max::TITLE);
    }
    plan
}

/// The 「センター」 sheet as read: the centres without problems, and their
/// IDs (with the rows that had problems: an item's 回答するセンター that may
/// name such a centre is not reported again).
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
        let short = p.text(table.value(r, "略称"), &table.origin(r, "略称"), "略称", max::SHORT);
        let kind = p.take(convert::choice(table.value(r, "種別"), &table.origin(r, "種別"), "種別", KINDS));
        if p.count() != before {
            centres.ids.row_failed(id.as_deref());
        }
        let (Some(id), Some(name), Some(kind)) = (id, name, kind) else { continue };
        if centres.ids.claim_centre(p, &id, &at) {
            let short = short.unwrap_or_else(|| name.clone());
            centres.list.push(Centre { id, name, short, kind: kind.to_string() });
        }
    }
    no_rows(p, &table, "センターが 1 つもありません。見出し行の下に ID・名称・種別を入れてください。");
    centres
}

/// The 「区分」 sheet as read: the sections without problems, where each was
/// read, and the numbers of rows with problems (items in them are not
/// reported again).
struct SectionSheet {
    list: Vec<Section>,
    at: HashMap<String, Origin>,
    ids: Ids,
}

fn read_sections(p: &mut Problems, wb: &Workbook) -> SectionSheet {
    let mut sections = SectionSheet { list: Vec::new(), at: HashMap::new(), ids: Ids::default() };
    let Some(table) = table(p, wb, &SHEET_SECTIONS) else { return sections };
    for r in &table.records {
        let before = p.count();
        let at = table.origin(r, "番号");
        let number = p.required(table.value(r, "番号"), &at, "番号", MAX_NUMBER_CHARS).map(|s| hankaku(&s));
        let name = p.required(table.value(r, "名称"), &table.origin(r, "名称"), "名称", max::SECTION_NAME);
        let description = p.text(table.value(r, "説明"), &table.origin(r, "説明"), "説明", max::LINE);
        let note = p.text(table.value(r, "注記"), &table.origin(r, "注記"), "注記", max::LINE);
        if p.count() != before {
            sections.ids.row_failed(number.as_deref());
        }
        let (Some(number), Some(name)) = (number, name) else { continue };
        if let Some(prev) = sections.at.get(&id_key(&number)) {
            p.push(&at, format!("区分の番号「{number}」が {} と重複しています。", prev.cell));
            continue;
        }
        sections.at.insert(id_key(&number), at);
        sections.list.push(Section {
            number,
            name,
            description: description.unwrap_or_default(),
            note: note.unwrap_or_default(),
        });
    }
    no_rows(p, &table, "区分が 1 つもありません。見出し行の下に番号と名称を入れてください（例: 1 基本項目）。");
    sections
}

/// Reads the 「項目」 sheet: each item, checked against the sections and
/// centres read, then every section's items as a whole.
fn read_items(p: &mut Problems, wb: &Workbook, centres: &CentreSheet, sections: &SectionSheet) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    let mut item_at: HashMap<String, (usize, Origin)> = HashMap::new();
    let Some(table) = table(p, wb, &SHEET_ITEMS) else { return items };
    for r in &table.records {
        let before = p.count();
        let section_origin = table.origin(r, "区分");
        let section =
            p.required(table.value(r, "区分"), &section_origin, "区分", MAX_NUMBER_CHARS).map(|s| hankaku(&s));
        let at = table.origin(r, "番号");
        let number = p.required(table.value(r, "番号"), &at, "番号", MAX_NUMBER_CHARS).map(|s| hankaku(&s));
        let name = p.text(table.value(r, "項目名"), &table.origin(r, "項目名"), "項目名", max::ITEM_NAME);
        let policy = p.text(table.value(r, "運営方針"), &table.origin(r, "運営方針"), "運営方針", max::POLICY);
        let by_at = table.origin(r, "回答するセンター");
        let answered_by = p.text(table.value(r, "回答するセンター"), &by_at, "回答するセンター", 10_000);
        let goals_at = table.origin(r, "目標の数");
        let goals = match table.value(r, "目標の数").filter(|v| !v.is_blank()) {
            None => Some(DEFAULT_GOALS),
            Some(v) => p.take(convert::integer(Some(v), &goals_at, "目標の数", "3")).and_then(|n| {
                if (1..=MAX_GOALS as i64).contains(&n) {
                    Some(n as usize)
                } else {
                    p.push(&goals_at, format!("目標の数 {n} は 1 から {MAX_GOALS} までにしてください。"));
                    None
                }
            }),
        };
        if let Some(s) = &section {
            let reported = sections.ids.excused(s);
            if !sections.at.contains_key(&id_key(s)) && !reported {
                p.push(&section_origin, format!("区分「{s}」は「区分」シートにありません。番号を確かめてください。"));
            }
        }
        let answered_by = answered_by.unwrap_or_default();
        let centres_incomplete = centres.ids.incomplete();
        match respondents(&answered_by, &centres.list) {
            Err(unknown) if unknown.iter().all(|id| centres.ids.excused(id)) => {}
            Ok(found) if found.is_empty() && centres_incomplete => {}
            Err(unknown) => p.push(
                &by_at,
                format!(
                    "回答するセンター「{}」は「センター」シートにありません。ID を確かめてください。",
                    unknown.join("、")
                ),
            ),
            Ok(found) if found.is_empty() && !centres.list.is_empty() => p.push(
                &by_at,
                format!("回答するセンター「{answered_by}」に当たるセンターがありません（種別を確かめてください）。"),
            ),
            Ok(_) => {}
        }
        let complete = p.count() == before;
        let (Some(section), Some(number), Some(goals), true) = (section, number, goals, complete) else {
            continue;
        };
        let key = crate::forms::name_key(&number);
        if let Some((i, prev)) = item_at.get(&key) {
            let first = &items[*i].number;
            p.push(
                &at,
                if id_key(first) == id_key(&number) {
                    format!("項目の番号「{number}」が {} と重複しています。", prev.cell)
                } else {
                    format!(
                        "項目の番号「{number}」は {} の「{first}」と区別できません（英数字以外の文字はどれも同じ区切りとして扱います）。",
                        prev.cell
                    )
                },
            );
            continue;
        }
        item_at.insert(key, (items.len(), at));
        // The section's canonical number, as the 区分 sheet writes it.
        let section =
            sections.list.iter().find(|s| id_key(&s.number) == id_key(&section)).map_or(section, |s| s.number.clone());
        items.push(Item {
            section,
            number,
            name: name.unwrap_or_default(),
            policy: policy.unwrap_or_default(),
            answered_by,
            goals,
        });
    }
    no_rows(p, &table, "項目が 1 つもありません。見出し行の下に項目を入れてください。");
    // A section answered as a whole has exactly one item, without a name;
    // every section has at least one item.
    for s in &sections.list {
        let of: Vec<&Item> = items.iter().filter(|i| i.section == s.number).collect();
        let origin = sections.at.get(&id_key(&s.number)).cloned();
        if of.is_empty() && !table.records.is_empty() {
            if let Some(o) = &origin {
                p.push(o, format!("区分「{} {}」の項目が「項目」シートにありません。", s.number, s.name));
            }
        } else if of.len() > 1 && of.iter().any(|i| i.name.is_empty()) {
            let unnamed = of.iter().find(|i| i.name.is_empty()).map(|i| i.number.clone()).unwrap_or_default();
            if let Some((_, o)) = item_at.get(&crate::forms::name_key(&unnamed)) {
                p.push(
                    o,
                    format!("区分「{}」には項目名のない項目「{unnamed}」と他の項目があります。区分全体で答えるときは項目を 1 つにし、分けるときは項目名を入れてください。", s.number),
                );
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respondents_by_kind_ids_or_everyone() {
        let m = Master::example();
        assert_eq!(respondents("", &m.centres), Ok(vec![0, 1, 2]));
        assert_eq!(respondents("直営", &m.centres), Ok(vec![0]));
        assert_eq!(respondents("委託", &m.centres), Ok(vec![1, 2]));
        assert_eq!(respondents("S03、s01", &m.centres), Ok(vec![0, 2]));
        assert_eq!(respondents("S09", &m.centres), Err(vec!["S09".to_string()]));
    }

    #[test]
    fn sample_is_consistent() {
        let m = Master::example();
        assert_eq!(m.centres.len(), 3);
        assert_eq!(m.sections.len(), 4);
        for i in &m.items {
            assert!(m.section_of(i).is_some(), "{}", i.number);
            assert!(!m.respondents(i).is_empty(), "{}", i.number);
            assert!((1..=MAX_GOALS).contains(&i.goals));
        }
        let by = m.items_by_centre();
        assert!(by[0].len() > by[1].len(), "some items are answered by 直営 only");
        assert_eq!(m.title_line(), "令和3年度 白井市各地域包括支援センター事業計画書");
    }
}
