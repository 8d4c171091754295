//! The centre plan sheets: what one 地域包括支援センター fills in for the
//! combined 事業計画書 (`shared/reference/centre_plans_shiroi_2021.txt`).
//!
//! A centre's workbook has a first sheet 「I 目標」 and one sheet per
//! section (区分) that has items the centre answers:
//!
//! ```text
//! 「I 目標」                                  「3 包括的支援事業(地域包括支…」
//! ┌──────────────────────────────────────┐  ┌──────────────────────────────────────────┐
//! │ 令和3年度 白井市各…事業計画書 白井駅前… │  │ 令和3年度 …（白井駅前地域包括支援センター）│ title rows,
//! │ 記入日 │ (date)                        │  │ 3. 包括的支援事業(地域包括支援センターの運営)│ repeated
//! │ 記入者 │ (input)                       │  ├──────┬───────────────────────────────────┤
//! │ I. 地域包括ケアシステムの構築に向けた… │  │ 項目 │ 総合相談支援事業                    │ locked
//! │ (input: the centre's overall goal)    │  │ 運営方針│ ●基幹型地域包括支援センターにおいて…│ locked
//! └──────────────────────────────────────┘  │ No.  │ 目標           │ 具体的な取り組み内容 │
//!                                            │ (1)  │ (input)        │ (input, 1 行に 1 つ) │ one row per
//!                                            │ (2)  │ (input)        │ (input)              │ goal slot
//!                                            └──────┴───────────────────────────────────┘
//! ```
//!
//! Every input has a workbook-level defined name: `KP_OVERALL`, `KP_DATE`,
//! `KP_WRITER`, and per item (its number as [`crate::forms::name_key`]) and goal
//! slot `KP_3_1_GOAL_2` and `KP_3_1_ACTIONS_2`. The collector reads the
//! names back with [`Field::of_name`].

use super::master::{Item, Master, Section};

use crate::forms::grid::{
    lines_height, sheet_names, text_rows, Content, Grid, GridBuilder, Input, InputKind, Role, LINE_ROW_HEIGHT,
};
use crate::forms::Recipient;

/// The heading of part I, as in the reference document.
pub const OVERALL_HEADING: &str = "I. 地域包括ケアシステムの構築に向けた地域包括支援センターとしての目標";
/// The column headers of the goal table.
pub const GOAL_HEADER: &str = "市の運営方針をふまえた今年度の地域包括支援センターの目標";
/// The actions column header.
pub const ACTIONS_HEADER: &str = "具体的な取り組み内容（実施時期・回数などの目標など）";
/// The label of the city's policy for an item.
pub const POLICY_LABEL: &str = "【運営方針重点的取組み】";

/// Column widths: label / No., 目標, 具体的な取り組み内容.
const COL_LABEL: f64 = 11.0;
const COL_GOAL: f64 = 38.0;
const COL_ACTIONS: f64 = 48.0;

/// What an input of a centre plan workbook is for. Its defined name is
/// `KP_<suffix>`, with the item's key for the per-item fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The centre's goal toward the 地域包括ケアシステム (part I): `OVERALL`.
    Overall,
    /// 記入日: `DATE`.
    Date,
    /// 記入者: `WRITER`.
    Writer,
    /// 目標 of goal slot `n` (from 1) of an item: `<key>_GOAL_<n>`.
    Goal(u8),
    /// 具体的な取り組み内容 of goal slot `n`, one action per line:
    /// `<key>_ACTIONS_<n>`.
    Actions(u8),
}

impl Field {
    /// The defined name of this field; `item` is the item of a per-item field.
    pub fn name(self, item: Option<&Item>) -> String {
        let key = || item.map(|i| crate::forms::name_key(&i.number)).unwrap_or_default();
        match self {
            Field::Overall => "KP_OVERALL".into(),
            Field::Date => "KP_DATE".into(),
            Field::Writer => "KP_WRITER".into(),
            Field::Goal(n) => format!("KP_{}_GOAL_{n}", key()),
            Field::Actions(n) => format!("KP_{}_ACTIONS_{n}", key()),
        }
    }

    /// Reads a defined name back: the item key (empty for the centre-wide
    /// fields) and the field. `None` for a name that is not one of ours.
    pub fn of_name(name: &str) -> Option<(String, Field)> {
        let rest = name.get(..3).filter(|p| p.eq_ignore_ascii_case("KP_")).map(|_| name[3..].to_ascii_uppercase())?;
        match rest.as_str() {
            "OVERALL" => return Some((String::new(), Field::Overall)),
            "DATE" => return Some((String::new(), Field::Date)),
            "WRITER" => return Some((String::new(), Field::Writer)),
            _ => {}
        }
        let (head, n) = rest.rsplit_once('_')?;
        let n: u8 = n.parse().ok().filter(|n| *n >= 1)?;
        if let Some(key) = head.strip_suffix("_GOAL") {
            Some((key.to_string(), Field::Goal(n)))
        } else {
            head.strip_suffix("_ACTIONS").map(|key| (key.to_string(), Field::Actions(n)))
        }
    }
}

/// The actions of a 具体的な取り組み内容 cell: one per line, a leading
/// 「・」 (or ･, -, ●) dropped, empty lines skipped.
///
/// ```
/// use keikaku::forms::plan::sheets::actions;
/// assert_eq!(actions("・研修会を開く(年1回)\n\n ・周知する "), vec!["研修会を開く(年1回)", "周知する"]);
/// ```
pub fn actions(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(|l| l.trim().trim_start_matches(['・', '･', '-', '●', '・']).trim())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The title of every sheet of a centre's workbook.
fn title(master: &Master, centre_name: &str) -> String {
    format!("{}（{}）", master.title_line(), centre_name)
}

/// The heading of a section: 「3. 包括的支援事業(地域包括支援センターの運営)」
/// with its 注記.
pub fn section_heading(section: &Section) -> String {
    let mut h = format!("{}. {}", section.number, section.name);
    if !section.note.is_empty() {
        h.push_str(&format!("　{}", section.note));
    }
    h
}

fn text(s: &str) -> Content {
    Content::Text(s.to_string())
}

/// The 「I 目標」 sheet: who filled it in, when, and the overall goal.
fn overall_sheet(master: &Master, centre_name: &str, sheet: &str) -> Grid {
    let mut g = GridBuilder::new(sheet, vec![COL_LABEL, COL_GOAL, COL_ACTIONS]);
    g.fiscal_year(master.plan.fiscal_year);
    let r = g.rows(&[26.0]);
    g.cell(r, 0, 1, 3, text(&title(master, centre_name)), Role::Title);
    g.title_rows(0, 0);
    for (label, field, kind) in [("記入日", Field::Date, InputKind::Date), ("記入者", Field::Writer, InputKind::Text)]
    {
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 0, 1, 1, text(label), Role::Label);
        let input = Input { name: field.name(None), label: label.into(), kind, required: false };
        g.cell(r, 1, 1, 2, Content::Empty, Role::Input(input));
    }
    let r = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(r, 0, 1, 3, text(OVERALL_HEADING), Role::Header);
    let r = g.rows(&[lines_height(10)]);
    let input = Input {
        name: Field::Overall.name(None),
        label: "I. 地域包括支援センターとしての目標".into(),
        kind: InputKind::LongText,
        required: true,
    };
    g.cell(r, 0, 1, 3, Content::Empty, Role::Input(input));
    g.finish()
}

/// The sheet of one section with the items a centre answers.
fn section_sheet(master: &Master, centre_name: &str, section: &Section, items: &[&Item], sheet: &str) -> Grid {
    let mut g = GridBuilder::new(sheet, vec![COL_LABEL, COL_GOAL, COL_ACTIONS]);
    g.fiscal_year(master.plan.fiscal_year);
    let wide = g.width(1, 2);
    let r = g.rows(&[26.0]);
    g.cell(r, 0, 1, 3, text(&title(master, centre_name)), Role::Title);
    let heading = section_heading(section);
    let r = g.rows(&text_rows(&heading, g.width(0, 3), 1));
    g.cell(r, 0, 1, 3, text(&heading), Role::Block);
    if !section.description.is_empty() {
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 0, 1, 3, text(&section.description), Role::Plan);
    }
    g.title_rows(0, g.next_row() - 1);
    for item in items {
        if !item.name.is_empty() {
            let r = g.rows(&[LINE_ROW_HEIGHT]);
            g.cell(r, 0, 1, 1, text("項目"), Role::Label);
            g.cell(r, 1, 1, 2, text(&item.name), Role::Plan);
        }
        if !item.policy.is_empty() {
            let heights = text_rows(&item.policy, wide, 1);
            let r = g.rows(&heights);
            g.cell(r, 0, heights.len() as u32, 1, text(&format!("運営方針\n{POLICY_LABEL}")), Role::Label);
            g.cell(r, 1, heights.len() as u32, 2, text(&item.policy), Role::Plan);
        }
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 0, 1, 1, text("No."), Role::Header);
        g.cell(r, 1, 1, 1, text(GOAL_HEADER), Role::Header);
        g.cell(r, 2, 1, 1, text(&format!("{ACTIONS_HEADER}\n※ 1 行に 1 つ（セル内の改行は Alt+Enter）")), Role::Header);
        let what = master.item_title(item);
        for n in 1..=item.goals as u8 {
            let r = g.rows(&[lines_height(5)]);
            g.cell(r, 0, 1, 1, text(&format!("({n})")), Role::Label);
            let goal = Input {
                name: Field::Goal(n).name(Some(item)),
                label: format!("{what} 目標({n})"),
                kind: InputKind::LongText,
                required: n == 1,
            };
            g.cell(r, 1, 1, 1, Content::Empty, Role::Input(goal));
            let acts = Input {
                name: Field::Actions(n).name(Some(item)),
                label: format!("{what} 目標({n}) の具体的な取り組み内容"),
                kind: InputKind::LongText,
                required: false,
            };
            g.cell(r, 2, 1, 1, Content::Empty, Role::Input(acts));
        }
        g.rows(&[8.0]);
    }
    g.finish()
}

/// The sections a centre answers, in master order, each with its items
/// (from the centre's items, positions in [`Master::items`]).
pub fn sections_of<'m>(master: &'m Master, items: &[usize]) -> Vec<(&'m Section, Vec<&'m Item>)> {
    master
        .sections
        .iter()
        .map(|s| (s, items.iter().map(|&k| &master.items[k]).filter(|i| i.section == s.number).collect::<Vec<_>>()))
        .filter(|(_, items)| !items.is_empty())
        .collect()
}

/// A centre's sheets: 「I 目標」, then one per section it answers. `items`
/// are the centre's items (positions in [`Master::items`]).
pub fn sheets_of(master: &Master, centre_name: &str, items: &[usize]) -> Vec<Grid> {
    let sections = sections_of(master, items);
    let titles =
        std::iter::once("I 目標".to_string()).chain(sections.iter().map(|(s, _)| format!("{} {}", s.number, s.name)));
    let names = sheet_names(titles);
    let mut grids = vec![overall_sheet(master, centre_name, &names[0])];
    for ((section, items), name) in sections.iter().zip(&names[1..]) {
        grids.push(section_sheet(master, centre_name, section, items, name));
    }
    grids
}

/// A hash of everything a centre's workbook was given: the centre's ID and
/// name, the plan, and per section and item (in sheet order) the texts and
/// the number of goal slots. The collector accepts a workbook for a centre
/// only when it carries that centre's hash.
pub fn plan_hash(master: &Master, recipient: Recipient, items: &[usize]) -> String {
    let sections: Vec<serde_json::Value> = sections_of(master, items)
        .iter()
        .map(|(s, items)| {
            serde_json::json!([
                s.number,
                s.name,
                s.description,
                s.note,
                items.iter().map(|i| serde_json::json!([i.number, i.name, i.policy, i.goals])).collect::<Vec<_>>()
            ])
        })
        .collect();
    let p = &master.plan;
    crate::forms::given_hash(recipient, serde_json::json!([p.fiscal_year, p.city, p.title, sections]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_into_their_fields() {
        let m = Master::example();
        let item = &m.items[2];
        for f in [Field::Overall, Field::Date, Field::Writer, Field::Goal(1), Field::Actions(3)] {
            let name = f.name(Some(item));
            let (key, back) = Field::of_name(&name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(back, f);
            if matches!(f, Field::Goal(_) | Field::Actions(_)) {
                assert_eq!(key, crate::forms::name_key(&item.number));
            }
        }
        assert_eq!(Field::of_name("kp_3_1_goal_2"), Some(("3_1".into(), Field::Goal(2))));
        assert_eq!(Field::of_name("KK_4_1_1_ACTION"), None);
        assert_eq!(Field::of_name("KP_3_1_GOAL_0"), None);
        assert_eq!(Field::of_name("KP_3_1_OTHER_1"), None);
    }

    #[test]
    fn sheets_have_every_input_once_and_no_overlap() {
        let m = Master::example();
        let by = m.items_by_centre();
        for (c, items) in by.iter().enumerate() {
            let grids = sheets_of(&m, &m.centres[c].name, items);
            let mut names: Vec<String> = grids.iter().flat_map(|g| g.inputs().map(|(_, i)| i.name.clone())).collect();
            let slots: usize = items.iter().map(|&k| m.items[k].goals).sum();
            assert_eq!(names.len(), 3 + 2 * slots, "centre {c}");
            names.sort();
            names.dedup();
            assert_eq!(names.len(), 3 + 2 * slots, "names are unique");
            for g in &grids {
                let mut used = std::collections::HashSet::new();
                for cell in &g.cells {
                    for r in cell.row..cell.row + cell.rows {
                        for k in cell.col..cell.col + cell.cols {
                            assert!(used.insert((r, k)), "{} cell {r},{k} placed twice", g.sheet);
                        }
                    }
                }
                assert!(g.sheet.encode_utf16().count() <= 31);
            }
        }
        // The 直営 centre answers the 直営-only items of section 4.
        let first = sheets_of(&m, &m.centres[0].name, &by[0]);
        let second = sheets_of(&m, &m.centres[1].name, &by[1]);
        let count = |gs: &[Grid]| gs.iter().map(|g| g.inputs().count()).sum::<usize>();
        assert!(count(&first) > count(&second));
    }

    #[test]
    fn actions_are_lines_without_their_bullets() {
        assert_eq!(actions(""), Vec::<&str>::new());
        assert_eq!(actions("一つだけ"), vec!["一つだけ"]);
        assert_eq!(actions("・医療・介護の連携\n・研修"), vec!["医療・介護の連携", "研修"], "only a leading ・ goes");
    }

    #[test]
    fn hash_follows_what_the_centre_was_given() {
        let m = Master::example();
        let by = m.items_by_centre();
        let me = Recipient { id: &m.centres[1].id, name: &m.centres[1].name };
        let a = plan_hash(&m, me, &by[1]);
        assert_ne!(a, plan_hash(&m, Recipient { id: &m.centres[0].id, name: &m.centres[1].name }, &by[1]));
        let mut m2 = m.clone();
        let k = by[1][0];
        m2.items[k].goals += 1;
        assert_ne!(a, plan_hash(&m2, me, &by[1]));
        // An item the centre does not answer does not change its hash.
        let mut m3 = m.clone();
        let other = (0..m.items.len()).find(|k| !by[1].contains(k)).unwrap();
        m3.items[other].policy.push('x');
        assert_eq!(a, plan_hash(&m3, me, &by[1]));
    }
}
