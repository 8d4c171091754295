//! The PDCA sheet: one sheet per 事業, as in the published sheet set
//! (`shared/reference/pdca_mimasaka.txt`).
//!
//! ```text
//! ┌──────────────────────────────────────────────────────────────┐
//! │ 計画名　PDCAシート（令和8年度 記入）　センター名               │ title rows,
//! │ 基本目標 │ 4. 利用者のための…                                  │ repeated on
//! │ 基本項目 │ 4-1 地域包括ケアシステムの構築                       │ every page
//! │ 事業名   │ 4-1-1 福祉会議事業（地区ケア会議）                   │
//! │ 記入日   │ (input, date) │ 記入者 │ (input)                        │
//! ├────┬──────────┬───────────────────────────────────────────────┤
//! │PLAN│現状と課題 │ (locked text)                                 │
//! │    │方針・目標 │ (locked text)                                 │
//! │    │取組みの   │ 取組み          │    │ R5 │ R6 │ R7 │ R8 │ R9 │
//! │    │達成目標   │ 地区ケア会議…   │計画│30地区│…  (locked)        │
//! │    │          │                 │結果│ in │ in │ in │ in │ ░░ │ ░ = later year
//! ├────┼──────────┼───────────────────────────────────────────────┤
//! │DO  │年度      │ 取組み内容                                     │
//! │    │R5        │ (input)                                        │ one row per year
//! ├────┼──────────┼───────────────────────────────────────────────┤   up to 記入年度
//! │CHECK│達成状況と成果 / 課題 (inputs) / 今後の方向性 (dropdown)   │
//! │ACTION│具体的な取組み内容 (input)                                │
//! └──────────────────────────────────────────────────────────────┘
//! ```
//!
//! Every input cell has a workbook-level defined name built from the 事業
//! number ([`super::master::project_key`]): `KK_4_1_1_DATE`, `KK_4_1_1_WRITER`,
//! `KK_4_1_1_RESULT_2_2024` (indicator 2, 年度 2024), `KK_4_1_1_DO_2024`, `KK_4_1_1_CHECK_ACHIEVEMENT`,
//! `KK_4_1_1_CHECK_ISSUES`, `KK_4_1_1_CHECK_DIRECTION`, `KK_4_1_1_ACTION`.

use super::master::{plan_cell, project_key, Master, Plan, Project};
use crate::wareki::{self, Digits};

use crate::forms::grid::{
    lines_height, text_rows, Content, Grid, GridBuilder, Input, InputKind, Role, LINE_ROW_HEIGHT,
};
use crate::forms::{CellData, Recipient};

/// The 今後の方向性 choices.
pub const DIRECTIONS: &[&str] = &["継続", "継続（一部見直し）", "見直し", "終了"];

pub use crate::forms::property;

/// Column widths: block label, row label, 取組み, 計画/結果, then one column per year.
const COL_BLOCK: f64 = 7.5;
const COL_LABEL: f64 = 13.0;
const COL_INDICATOR: f64 = 26.0;
const COL_KIND: f64 = 5.5;
const COL_YEAR: f64 = 9.0;

/// What an input cell of a 事業 sheet is for. Its defined name is
/// `KK_<project key>_<suffix>`; the collector reads the name back into a
/// field, so the two never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// 記入日 (`DATE`).
    Date,
    /// 記入者 (`WRITER`).
    Writer,
    /// 結果 of indicator `indicator` (from 1) in 年度 `year` (`RESULT_2_2024`).
    Result {
        /// The indicator's position in the 事業, from 1.
        indicator: usize,
        /// The 年度 (西暦 start year).
        year: i32,
    },
    /// DO 取組み内容 of a 年度 (`DO_2024`).
    Do(i32),
    /// CHECK 達成状況と成果 (`CHECK_ACHIEVEMENT`).
    Achievement,
    /// CHECK 課題 (`CHECK_ISSUES`).
    Issues,
    /// CHECK 今後の方向性 (`CHECK_DIRECTION`).
    Direction,
    /// ACTION 具体的な取組み内容 (`ACTION`).
    Action,
}

impl Field {
    /// The part of the defined name after the 事業 key.
    pub fn suffix(self) -> String {
        match self {
            Field::Date => "DATE".into(),
            Field::Writer => "WRITER".into(),
            Field::Result { indicator, year } => format!("RESULT_{indicator}_{year}"),
            Field::Do(year) => format!("DO_{year}"),
            Field::Achievement => "CHECK_ACHIEVEMENT".into(),
            Field::Issues => "CHECK_ISSUES".into(),
            Field::Direction => "CHECK_DIRECTION".into(),
            Field::Action => "ACTION".into(),
        }
    }

    /// The field of a defined name of this 事業, if it is one.
    pub fn of_name(project: &Project, name: &str) -> Option<Field> {
        let prefix = format!("KK_{}_", project_key(&project.number));
        let rest =
            name.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(&prefix)).map(|_| &name[prefix.len()..])?;
        let rest = rest.to_ascii_uppercase();
        let field = match rest.as_str() {
            "DATE" => Field::Date,
            "WRITER" => Field::Writer,
            "CHECK_ACHIEVEMENT" => Field::Achievement,
            "CHECK_ISSUES" => Field::Issues,
            "CHECK_DIRECTION" => Field::Direction,
            "ACTION" => Field::Action,
            _ => {
                if let Some(y) = rest.strip_prefix("DO_") {
                    Field::Do(y.parse().ok()?)
                } else {
                    let (i, y) = rest.strip_prefix("RESULT_")?.split_once('_')?;
                    Field::Result { indicator: i.parse().ok()?, year: y.parse().ok()? }
                }
            }
        };
        Some(field)
    }

    /// The defined name of this field's cell on a 事業's sheet.
    pub fn name(self, project: &Project) -> String {
        format!("KK_{}_{}", project_key(&project.number), self.suffix())
    }
}

/// Sheet names for a centre's 事業, in order: 「4-1-1 福祉会議事業（地区ケ」,
/// at most 31 UTF-16 units (Excel's limit), without the characters Excel
/// forbids or control characters, unique (case-insensitively, as Excel
/// compares them).
pub fn sheet_names<'a>(projects: impl IntoIterator<Item = &'a Project>) -> Vec<String> {
    crate::forms::grid::sheet_names(projects.into_iter().map(|p| format!("{} {}", p.number, p.name)))
}

/// A hash of everything a centre's workbook was given: the centre's ID and
/// name, the plan's identity, and per 事業 (in sheet order) its header and
/// PLAN text and every 計画 value. The collector accepts a workbook for a
/// centre only when it carries that centre's hash. The input is a JSON
/// array, so lengths, counts and empty cells are all part of what is hashed.
pub fn plan_hash<'a>(plan: &Plan, recipient: Recipient, projects: impl IntoIterator<Item = &'a Project>) -> String {
    let projects: Vec<serde_json::Value> = projects
        .into_iter()
        .map(|p| {
            serde_json::json!([
                p.number,
                p.name,
                p.goal,
                p.area,
                p.situation,
                p.policy,
                p.indicators.iter().map(|i| serde_json::json!([i.name, i.plan])).collect::<Vec<_>>()
            ])
        })
        .collect();
    let given =
        serde_json::json!([plan.name, plan.organisation, plan.first_year, plan.last_year, plan.fiscal_year, projects]);
    crate::forms::given_hash(recipient, given)
}

fn text(s: &str) -> Content {
    Content::Text(s.to_string())
}

/// Whether a 計画 value asks for a 結果: not empty, not "-".
fn expects_result(v: Option<&str>) -> bool {
    v.is_some_and(|v| !matches!(v.trim(), "" | "-" | "－" | "ー" | "―"))
}

/// The PDCA sheet of one 事業 for the centre named `centre_name`.
pub fn sheet(master: &Master, centre_name: &str, project: &Project, sheet_name: &str) -> Grid {
    let plan = &master.plan;
    let years = plan.years();
    let reported = plan.reported_years();
    let mut columns = vec![COL_BLOCK, COL_LABEL, COL_INDICATOR, COL_KIND];
    columns.extend(years.iter().map(|_| COL_YEAR));
    let last_col = columns.len() as u32;
    let mut g = GridBuilder::new(sheet_name, columns);
    g.fiscal_year(plan.fiscal_year);
    // From the 取組み column to the right edge: the wide text area.
    let body = last_col - 2;
    let body_width = g.width(2, body);
    let name = |field: Field| field.name(project);

    // Title rows.
    let r = g.rows(&[26.0]);
    let title = format!(
        "{}　PDCAシート（{} 記入）　{centre_name}",
        plan.name,
        wareki::format_fiscal_year(plan.fiscal_year, Digits::Ascii)
    );
    g.cell(r, 0, 1, last_col, text(&title), Role::Title);
    for (label, value) in [
        ("基本目標", &project.goal),
        ("基本項目", &project.area),
        ("事業名", &format!("{} {}", project.number, project.name)),
    ] {
        let heights = text_rows(value, body_width, 1);
        let r = g.rows(&heights);
        g.cell(r, 0, heights.len() as u32, 2, text(label), Role::Label);
        g.cell(r, 2, heights.len() as u32, body, text(value), Role::Plan);
    }
    g.title_rows(0, g.next_row() - 1);

    // Who filled the sheet, and when (not repeated on every page).
    let r = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(r, 0, 1, 2, text("記入日"), Role::Label);
    let date = Input { name: name(Field::Date), label: "記入日".into(), kind: InputKind::Date, required: false };
    g.cell(r, 2, 1, 1, Content::Empty, Role::Input(date));
    g.cell(r, 3, 1, 2, text("記入者"), Role::Label);
    let writer = Input { name: name(Field::Writer), label: "記入者".into(), kind: InputKind::Text, required: false };
    g.cell(r, 5, 1, last_col - 5, Content::Empty, Role::Input(writer));

    // PLAN
    let plan_start = g.next_row();
    for (label, value) in [("現状と課題", &project.situation), ("方針・目標", &project.policy)] {
        let heights = text_rows(value, body_width, 2);
        let r = g.rows(&heights);
        g.cell(r, 1, heights.len() as u32, 1, text(label), Role::Label);
        g.cell(r, 2, heights.len() as u32, body, text(value), Role::Plan);
    }
    let targets_start = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(targets_start, 2, 1, 2, text("取組み"), Role::Header);
    for (k, y) in years.iter().enumerate() {
        g.cell(targets_start, 4 + k as u32, 1, 1, text(&wareki::format_fiscal_year_short(*y)), Role::Header);
    }
    if project.indicators.is_empty() {
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 2, 1, body, text("（達成目標はありません）"), Role::Plan);
    }
    for (i, ind) in project.indicators.iter().enumerate() {
        // Two rows (計画, 結果); `finish` makes them tall enough for the name.
        let r = g.rows(&[LINE_ROW_HEIGHT, LINE_ROW_HEIGHT]);
        g.cell(r, 2, 2, 1, text(&ind.name), Role::Plan);
        g.cell(r, 3, 1, 1, text("計画"), Role::Label);
        g.cell(r + 1, 3, 1, 1, text("結果"), Role::Label);
        for (k, y) in years.iter().enumerate() {
            let col = 4 + k as u32;
            let value = ind.plan.get(k).and_then(|v| v.as_deref());
            let content = match value.map(plan_cell) {
                Some(CellData::Number(n)) => Content::Number(n),
                Some(CellData::Text(s)) => Content::Text(s),
                _ => Content::Empty,
            };
            g.cell(r, col, 1, 1, content, Role::Value);
            let role = if reported.contains(y) {
                Role::Input(Input {
                    name: name(Field::Result { indicator: i + 1, year: *y }),
                    label: format!("結果（{}）: {}", wareki::format_fiscal_year_short(*y), ind.name),
                    kind: InputKind::Short,
                    required: *y == plan.fiscal_year && expects_result(value),
                })
            } else {
                Role::Closed
            };
            g.cell(r + 1, col, 1, 1, Content::Empty, role);
        }
    }
    let targets_rows = g.next_row() - targets_start;
    g.cell(targets_start, 1, targets_rows, 1, text("取組みの\n達成目標"), Role::Label);
    g.cell(plan_start, 0, g.next_row() - plan_start, 1, text("PLAN\n（計画）"), Role::Block);

    // DO
    let do_start = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(do_start, 1, 1, 1, text("年度"), Role::Header);
    g.cell(do_start, 2, 1, body, text("取組み内容"), Role::Header);
    for y in &reported {
        let r = g.rows(&[lines_height(3)]);
        g.cell(r, 1, 1, 1, text(&wareki::format_fiscal_year_short(*y)), Role::Label);
        let input = Input {
            name: name(Field::Do(*y)),
            label: format!("DO 取組み内容（{}）", wareki::format_fiscal_year_short(*y)),
            kind: InputKind::LongText,
            required: *y == plan.fiscal_year,
        };
        g.cell(r, 2, 1, body, Content::Empty, Role::Input(input));
    }
    g.cell(do_start, 0, g.next_row() - do_start, 1, text("DO\n（これまでの\n取組み）"), Role::Block);

    // CHECK
    let check_start = g.next_row();
    let inputs = [
        ("達成状況と成果", Field::Achievement, InputKind::LongText, 4),
        ("課題", Field::Issues, InputKind::LongText, 4),
        ("今後の方向性\n（継続・見直し・終了）", Field::Direction, InputKind::Choice(DIRECTIONS), 2),
    ];
    for (label, field, kind, lines) in inputs {
        let r = g.rows(&[lines_height(lines)]);
        g.cell(r, 1, 1, 1, text(label), Role::Label);
        let input =
            Input { name: name(field), label: format!("CHECK {}", label.replace('\n', "")), kind, required: true };
        g.cell(r, 2, 1, body, Content::Empty, Role::Input(input));
    }
    g.cell(check_start, 0, 3, 1, text(&format!("CHECK\n（{}）", plan.check_point)), Role::Block);

    // ACTION
    let r = g.rows(&[lines_height(5)]);
    g.cell(r, 0, 1, 1, text("ACTION\n（今後の\n取組み）"), Role::Block);
    g.cell(r, 1, 1, 1, text("具体的な\n取組み内容"), Role::Label);
    let input = Input {
        name: name(Field::Action),
        label: "ACTION 具体的な取組み内容".into(),
        kind: InputKind::LongText,
        required: true,
    };
    g.cell(r, 2, 1, body, Content::Empty, Role::Input(input));
    g.finish()
}

/// All PDCA sheets of a centre (by ID), in master order; none for an ID
/// the master does not have.
pub fn centre_sheets(master: &Master, centre: &str) -> Vec<Grid> {
    let Some(c) = master.centres.iter().find(|c| c.id == centre) else { return vec![] };
    let projects: Vec<&Project> = master.projects_of(centre).collect();
    sheets_of(master, &c.name, &projects)
}

/// The PDCA sheets of these 事業 (a centre's, in master order) for the
/// centre named `centre_name`.
pub fn sheets_of(master: &Master, centre_name: &str, projects: &[&Project]) -> Vec<Grid> {
    let names = sheet_names(projects.iter().copied());
    projects.iter().zip(&names).map(|(p, n)| sheet(master, centre_name, p, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::grid::Role;

    #[test]
    fn keys_and_sheet_names() {
        assert_eq!(project_key("4-1-1"), "4_1_1");
        assert_eq!(project_key("４－１－１"), "4_1_1");
        let m = Master::example();
        let names = sheet_names(&m.projects);
        assert_eq!(names[0], "4-1-1 福祉会議事業（地区ケア会議）");
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        let mut p = m.projects[0].clone();
        p.name = "a/b:c".repeat(10);
        let twice = sheet_names([&p, &p]);
        assert_eq!(twice[0].chars().count(), 31);
        assert!(!twice[0].contains(['/', ':']));
        assert_ne!(twice[0], twice[1]);
        assert!(twice[1].ends_with("(2)"));
        p.name = "𠮷".repeat(20);
        let wide = &sheet_names([&p])[0];
        assert!(wide.encode_utf16().count() <= 31, "{wide}");
    }

    #[test]
    fn sample_sheet_has_every_input_named_once() {
        let m = Master::example();
        let p = &m.projects[0];
        let g = sheet(&m, "勝田", p, "s");
        let names: Vec<&str> = g.inputs().map(|(_, i)| i.name.as_str()).collect();
        // 記入日 + 記入者, 3 indicators × 4 reported years (R5–R8), 4 DO rows, 3 CHECK, 1 ACTION.
        assert_eq!(names.len(), 2 + 12 + 4 + 3 + 1);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "names are unique");
        assert!(names.contains(&"KK_4_1_1_RESULT_3_2026"));
        assert!(!names.contains(&"KK_4_1_1_RESULT_1_2027"), "the year after 記入年度 is closed");
        assert!(names.contains(&"KK_4_1_1_CHECK_DIRECTION"));
        // Every name reads back into the field it was made from.
        for n in &names {
            let f = Field::of_name(p, n).unwrap_or_else(|| panic!("{n}"));
            assert_eq!(&f.name(p), n);
        }
        assert_eq!(Field::of_name(p, "kk_4_1_1_result_3_2026"), Some(Field::Result { indicator: 3, year: 2026 }));
        assert_eq!(Field::of_name(p, "KK_4_1_2_ACTION"), None);
        assert_eq!(Field::of_name(p, "KK_4_1_1_RESULT_x"), None);
        // No two cells overlap.
        let mut used = std::collections::HashSet::new();
        for c in &g.cells {
            for r in c.row..c.row + c.rows {
                for k in c.col..c.col + c.cols {
                    assert!(used.insert((r, k)), "cell {r},{k} placed twice");
                }
            }
        }
        assert!(g.cells.iter().any(|c| c.role == Role::Closed));
    }

    #[test]
    fn every_row_is_tall_enough_for_every_cell_in_it() {
        use crate::forms::grid::{line_count, lines_height, Content, MAX_ROW_HEIGHT};
        let m = Master::example();
        for p in &m.projects {
            let g = sheet(&m, "勝田", p, "s");
            for c in &g.cells {
                let Content::Text(t) = &c.content else { continue };
                if c.role == Role::Title {
                    continue;
                }
                let have: f64 = g.rows[c.row as usize..(c.row + c.rows) as usize].iter().sum();
                let need = lines_height(line_count(t, g.width(c.col, c.cols)));
                assert!(have >= need - 0.01, "{} {}: {have} < {need} for {t}", p.number, c.at());
            }
            assert!(g.rows.iter().all(|h| *h <= MAX_ROW_HEIGHT));
        }
    }

    #[test]
    fn hash_changes_with_the_plan() {
        let m = Master::example();
        let me = Recipient { id: "C01", name: "勝田" };
        let a = plan_hash(&m.plan, me, &m.projects);
        // The same plan for another centre, or under another name, is another hash.
        assert_ne!(a, plan_hash(&m.plan, Recipient { id: "C02", name: "勝田" }, &m.projects));
        assert_ne!(a, plan_hash(&m.plan, Recipient { id: "C01", name: "美作" }, &m.projects));
        let mut m2 = m.clone();
        m2.projects[3].indicators[0].plan[1] = Some("2回".into());
        assert_ne!(a, plan_hash(&m2.plan, me, &m2.projects));
        // An empty cell is not the text "" and not a missing year.
        let mut m3 = m.clone();
        m3.projects[0].indicators[1].plan[4] = Some(String::new());
        assert_ne!(a, plan_hash(&m3.plan, me, &m3.projects));
        // Moving an indicator to the next 事業 changes the hash.
        let mut m4 = m.clone();
        let moved = m4.projects[0].indicators.pop().unwrap();
        m4.projects[1].indicators.insert(0, moved);
        assert_ne!(a, plan_hash(&m4.plan, me, &m4.projects));
        assert_eq!(a, plan_hash(&m.plan, me, &m.projects));
        assert_eq!(a.len(), 64);
    }
}
