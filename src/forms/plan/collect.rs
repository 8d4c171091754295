//! `keikaku plan collect`: reading the centres' plan workbooks through the
//! shared reader ([`crate::jobs::collect::submission::read_form`]) and combining them into
//! the city's 事業計画書 (PDF in the reference's layout, and a workbook with
//! the tidy table, the 提出状況, the 差戻し and a print sheet).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value as Json};

use super::master::{Item, Master};
use super::sheets::{self as plan, actions, section_heading, Field};
use crate::error::Error;
use crate::forms::grid::{Content, Grid, GridBuilder, Input, Role, LINE_ROW_HEIGHT};
use crate::output::Staging;
use crate::wareki::{format_fiscal_year, Digits};
use crate::workbook::Workbook;
use crate::xlsx::{Column, DataBook, DataSheet, Datum};

use crate::jobs::collect::tables::text;

use crate::jobs::collect::submission::{read_form, Expected};
use crate::jobs::collect::{
    commit_outputs, gather, returns_books, tables, Found, Kind, Options, Origin, Outcome, Roster, Severity,
};

use super::FORM;

/// The `keikaku.form` property of the files plan collect writes.
pub const OUTPUT_FORM_KIND: &str = "keikaku.plan.collect";

/// The file names plan collect writes into the output folder.
pub mod file {
    /// The combined workbook.
    pub const WORKBOOK: &str = "事業計画書.xlsx";
    /// The combined document.
    pub const REPORT: &str = "事業計画書.pdf";
}

/// What a centre plan input is: the item (its position in
/// [`Master::items`]; `None` for the centre-wide fields) and the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The item, as its position in [`Master::items`].
    pub item: Option<u32>,
    /// The field.
    pub field: Field,
}

impl Key {
    /// The defined name of the input (`KP_3_1_GOAL_2`).
    pub fn name(&self, master: &Master) -> String {
        self.field.name(self.item.map(|i| &master.items[i as usize]))
    }
}

/// A returned centre plan workbook, read.
pub type Submission = crate::jobs::collect::Submission<Key>;
/// One centre plan input, read.
pub type Answer = crate::jobs::collect::Answer<Key>;
/// A centre plan collection.
pub type Collection = crate::jobs::collect::Collection<Key>;

/// The master indexed once for many files.
#[derive(Debug)]
pub struct MasterIndex<'m> {
    centres: HashMap<&'m str, usize>,
    items: Vec<Vec<usize>>,
    keys: HashMap<String, usize>,
}

impl<'m> MasterIndex<'m> {
    /// Indexes the master.
    pub fn new(master: &'m Master) -> MasterIndex<'m> {
        MasterIndex {
            centres: master.centre_index(),
            items: master.items_by_centre(),
            keys: master.items.iter().enumerate().map(|(k, i)| (crate::forms::name_key(&i.number), k)).collect(),
        }
    }

    /// A centre's items (positions in [`Master::items`]).
    pub fn items_of(&self, centre: usize) -> &[usize] {
        &self.items[centre]
    }

    /// The centres a plan collection expects: those with items.
    pub fn roster<'a>(&self, master: &'a Master) -> Roster<'a> {
        Roster {
            centres: master.centres.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect(),
            expected: self.items.iter().map(|i| !i.is_empty()).collect(),
            fiscal_year: master.plan.fiscal_year,
        }
    }
}

/// The centres a plan collection expects: those with items.
pub fn roster(master: &Master) -> Roster<'_> {
    MasterIndex::new(master).roster(master)
}

/// Reads a returned workbook against the master.
pub fn read_submission(master: &Master, wb: &Workbook) -> Submission {
    read_submission_in(master, &MasterIndex::new(master), wb)
}

/// [`read_submission`] with the master indexed once.
pub fn read_submission_in(master: &Master, index: &MasterIndex, wb: &Workbook) -> Submission {
    let sheets = |centre: usize| plan::sheets_of(master, &master.centres[centre].name, &index.items[centre]);
    let hash = |centre: usize| {
        plan::plan_hash(master, super::distribute::recipient(&master.centres[centre]), &index.items[centre])
    };
    let key = |centre: usize, _sheet: usize, input: &Input| -> Option<Key> {
        let (item_key, field) = Field::of_name(&input.name)?;
        if item_key.is_empty() {
            return Some(Key { item: None, field });
        }
        let &k = index.keys.get(&item_key)?;
        index.items[centre].contains(&k).then_some(Key { item: Some(k as u32), field })
    };
    let expected = Expected {
        form: FORM,
        fiscal_year: master.plan.fiscal_year,
        centres: &index.centres,
        sheets: &sheets,
        hash: &hash,
        label: &|c: usize| format!("{} {}", master.centres[c].id, master.centres[c].name),
        key: &key,
    };
    let mut sub = read_form(wb, &expected);
    check_goals(master, &mut sub);
    sub
}

/// A centre's overall goal (part I), as read.
pub fn overall_of(sub: &Submission) -> Option<&Answer> {
    sub.answers.iter().find(|a| a.key == Key { item: None, field: Field::Overall })
}

/// The 具体的な取り組み内容 input of an item's goal slot, as read.
fn actions_of(sub: &Submission, item: u32, slot: u8) -> Option<&Answer> {
    sub.answers.iter().find(|b| b.key == Key { item: Some(item), field: Field::Actions(slot) })
}

/// One goal of a centre for an item, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal<'a> {
    /// The goal slot, from 1.
    pub slot: u8,
    /// The 目標 text.
    pub text: &'a str,
    /// The 具体的な取り組み内容, one per line of the cell.
    pub actions: Vec<&'a str>,
    /// Where the goal was read.
    pub goal_at: &'a Answer,
    /// Where the actions were read.
    pub actions_at: Option<&'a Answer>,
}

/// A centre's goals for an item, in slot order: every slot with a 目標.
pub fn goals_of(sub: &Submission, item: usize) -> Vec<Goal<'_>> {
    let item = item as u32;
    let mut goals = Vec::new();
    for a in sub.answers.iter().filter(|a| a.key.item == Some(item)) {
        let Field::Goal(slot) = a.key.field else { continue };
        let Some(text) = a.text() else { continue };
        let actions_at = actions_of(sub, item, slot);
        goals.push(Goal {
            slot,
            text,
            actions: actions_at.and_then(|b| b.text()).map(actions).unwrap_or_default(),
            goal_at: a,
            actions_at,
        });
    }
    goals
}

/// What the form's cells alone cannot say: a 目標 needs its 具体的な取り組み
/// 内容, and 取り組み内容 need the 目標 they belong to.
fn check_goals(master: &Master, sub: &mut Submission) {
    let mut found = Vec::new();
    for a in &sub.answers {
        let (Some(item), Field::Goal(slot)) = (a.key.item, a.key.field) else { continue };
        let Some(b) = actions_of(sub, item, slot) else { continue };
        let what = master.item_title(&master.items[item as usize]);
        match (a.text().is_some(), b.text().is_some_and(|t| !actions(t).is_empty())) {
            (true, false) => found.push((
                Origin::cell(sub.sheet_of(b), b.cell),
                Kind::GoalWithoutActions { item: what.to_string(), slot },
            )),
            (false, true) => found.push((
                Origin::cell(sub.sheet_of(a), a.cell),
                Kind::ActionsWithoutGoal { item: what.to_string(), slot },
            )),
            _ => {}
        }
    }
    for (origin, kind) in found {
        sub.add(Severity::Fix, origin, kind);
    }
}

/// The columns of the 目標 sheet (part I).
pub const OVERALL_COLUMNS: &[Column] = &[
    Column { header: "年度", width: 7.0 },
    Column { header: "年度（和暦）", width: 11.0 },
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 28.0 },
    Column { header: "略称", width: 12.0 },
    Column { header: "種別", width: 7.0 },
    Column { header: "目標", width: 70.0 },
    Column { header: "提出ファイル", width: 30.0 },
    Column { header: "シート", width: 14.0 },
    Column { header: "セル", width: 6.0 },
    Column { header: "SHA-256", width: 20.0 },
];

/// The columns of the 取組み sheet: one row per centre × item × goal ×
/// action.
pub const ACTION_COLUMNS: &[Column] = &[
    Column { header: "年度", width: 7.0 },
    Column { header: "年度（和暦）", width: 11.0 },
    Column { header: "区分番号", width: 8.0 },
    Column { header: "区分", width: 26.0 },
    Column { header: "項目番号", width: 8.0 },
    Column { header: "項目", width: 26.0 },
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 28.0 },
    Column { header: "略称", width: 12.0 },
    Column { header: "目標番号", width: 8.0 },
    Column { header: "目標", width: 44.0 },
    Column { header: "取組み番号", width: 8.0 },
    Column { header: "具体的な取り組み内容", width: 50.0 },
    Column { header: "提出ファイル", width: 30.0 },
    Column { header: "シート", width: 20.0 },
    Column { header: "目標のセル", width: 8.0 },
    Column { header: "取組みのセル", width: 8.0 },
    Column { header: "SHA-256", width: 20.0 },
];

fn overall_row(master: &Master, col: &Collection, k: usize) -> Option<Vec<Datum>> {
    let c = &col.centres[k];
    let r = col.used(c)?;
    let centre = &master.centres[c.centre];
    let a = overall_of(&r.submission);
    let fy = master.plan.fiscal_year;
    Some(vec![
        Datum::Number(f64::from(fy)),
        text(&format_fiscal_year(fy, Digits::Ascii)),
        text(&centre.id),
        text(&centre.name),
        text(&centre.short),
        text(&centre.kind),
        a.and_then(|a| a.text()).map_or(Datum::Empty, text),
        text(&r.source.name),
        a.map_or(Datum::Empty, |a| text(r.submission.sheet_of(a))),
        a.map_or(Datum::Empty, |a| Datum::Text(a.cell.to_string())),
        text(&r.source.sha256),
    ])
}

fn action_rows(master: &Master, index: &MasterIndex, col: &Collection, k: usize) -> Vec<Vec<Datum>> {
    let c = &col.centres[k];
    let Some(r) = col.used(c) else { return vec![] };
    let centre = &master.centres[c.centre];
    let fy = master.plan.fiscal_year;
    let mut rows = Vec::new();
    for &item in index.items_of(c.centre) {
        let i = &master.items[item];
        let section = master.section_of(i);
        for g in goals_of(&r.submission, item) {
            let acts: Vec<Option<&str>> =
                if g.actions.is_empty() { vec![None] } else { g.actions.iter().map(|a| Some(*a)).collect() };
            for (n, act) in acts.into_iter().enumerate() {
                rows.push(vec![
                    Datum::Number(f64::from(fy)),
                    text(&format_fiscal_year(fy, Digits::Ascii)),
                    section.map_or(Datum::Empty, |s| text(&s.number)),
                    section.map_or(Datum::Empty, |s| text(&s.name)),
                    text(&i.number),
                    text(&i.name),
                    text(&centre.id),
                    text(&centre.name),
                    text(&centre.short),
                    Datum::Number(f64::from(g.slot)),
                    text(g.text),
                    act.map_or(Datum::Empty, |_| Datum::Number((n + 1) as f64)),
                    act.map_or(Datum::Empty, text),
                    text(&r.source.name),
                    text(r.submission.sheet_of(g.goal_at)),
                    Datum::Text(g.goal_at.cell.to_string()),
                    g.actions_at.map_or(Datum::Empty, |a| Datum::Text(a.cell.to_string())),
                    text(&r.source.sha256),
                ]);
            }
        }
    }
    rows
}

/// The print sheet: the combined plan in the document's layout (part I as
/// centre | goal, part II per section as 項目 | センター | 目標 | 具体的な取り
/// 組み内容 with the item and centre cells merged over their rows).
pub fn print_grid(master: &Master, col: &Collection) -> Grid {
    let mut g = GridBuilder::new("印刷用", vec![18.0, 11.0, 34.0, 42.0]);
    let text = |s: &str| Content::Text(s.to_string());
    let r = g.rows(&[26.0]);
    g.cell(r, 0, 1, 4, text(&master.title_line()), Role::Title);
    g.title_rows(0, 0);
    let by_centre = col.positions(master.centres.len());
    let r = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(r, 0, 1, 4, text(plan::OVERALL_HEADING), Role::Block);
    for (ci, centre) in master.centres.iter().enumerate() {
        let Some(k) = by_centre[ci] else { continue };
        let goal = col
            .used(&col.centres[k])
            .and_then(|r| overall_of(&r.submission))
            .and_then(|a| a.text())
            .map_or_else(|| format!("（{}）", col.centres[k].state.label()), str::to_string);
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 0, 1, 2, text(&centre.short), Role::Label);
        g.cell(r, 2, 1, 2, text(&goal), Role::Plan);
    }
    let r = g.rows(&[LINE_ROW_HEIGHT]);
    g.cell(r, 0, 1, 4, text("II. 各事業に関する取り組みの方針"), Role::Block);
    for (section, items) in master
        .sections
        .iter()
        .map(|s| (s, master.items.iter().enumerate().filter(|(_, i)| i.section == s.number).collect::<Vec<_>>()))
    {
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        g.cell(r, 0, 1, 4, text(&section_heading(section)), Role::Header);
        if !section.description.is_empty() {
            let r = g.rows(&[LINE_ROW_HEIGHT]);
            g.cell(r, 0, 1, 4, text(&section.description), Role::Plan);
        }
        let r = g.rows(&[LINE_ROW_HEIGHT]);
        for (c, h) in ["項目", "センター", plan::GOAL_HEADER, plan::ACTIONS_HEADER].iter().enumerate() {
            g.cell(r, c as u32, 1, 1, text(h), Role::Header);
        }
        for (k, item) in items {
            let start = g.next_row();
            for ci in master.respondents(item) {
                let Some(pos) = by_centre[ci] else { continue };
                let c = &col.centres[pos];
                let goals = col.used(c).map(|r| goals_of(&r.submission, k)).unwrap_or_default();
                let first = g.next_row();
                if goals.is_empty() {
                    let r = g.rows(&[LINE_ROW_HEIGHT]);
                    g.cell(r, 2, 1, 2, text(&format!("（{}）", c.state.label())), Role::Plan);
                }
                for goal in &goals {
                    let r = g.rows(&[LINE_ROW_HEIGHT]);
                    g.cell(r, 2, 1, 1, text(goal.text), Role::Plan);
                    let lines: Vec<String> = goal.actions.iter().map(|a| format!("・{a}")).collect();
                    g.cell(r, 3, 1, 1, text(&lines.join("\n")), Role::Plan);
                }
                g.cell(first, 1, g.next_row() - first, 1, text(&master.centres[ci].short), Role::Label);
            }
            if g.next_row() > start {
                g.cell(start, 0, g.next_row() - start, 1, text(&item_label(item)), Role::Label);
            }
        }
    }
    g.finish()
}

/// An item's cell text: its name and the city's 運営方針.
fn item_label(item: &Item) -> String {
    if item.policy.is_empty() {
        item.name.clone()
    } else {
        format!("{}\n{}\n{}", item.name, plan::POLICY_LABEL, item.policy)
    }
}

/// Writes 事業計画書.xlsx into the file at `path`: the tidy 目標 and 取組み
/// sheets, 提出状況, 差戻し一覧 and the print sheet.
pub fn save_workbook(
    master: &Master,
    index: &MasterIndex,
    col: &Collection,
    created: Option<&str>,
    path: &Path,
) -> Result<(), Error> {
    let roster = index.roster(master);
    let n = col.centres.len();
    let title = format!("{} 集計", master.title_line());
    let print = [print_grid(master, col)];
    let book = DataBook {
        title: &title,
        properties: vec![
            (crate::forms::property::FORM, OUTPUT_FORM_KIND.to_string()),
            (crate::forms::property::FISCAL_YEAR, master.plan.fiscal_year.to_string()),
        ],
        sheets: vec![
            DataSheet {
                name: "目標",
                columns: OVERALL_COLUMNS,
                rows: Box::new((0..n).filter_map(|k| overall_row(master, col, k))),
                fit_rows: true,
            },
            DataSheet {
                name: "取組み",
                columns: ACTION_COLUMNS,
                rows: Box::new((0..n).flat_map(move |k| action_rows(master, index, col, k))),
                fit_rows: false,
            },
            DataSheet {
                name: tables::sheet::STATUS,
                columns: tables::STATUS_COLUMNS,
                rows: Box::new((0..n).map(|k| tables::status_row(&roster, col, k))),
                fit_rows: true,
            },
            DataSheet {
                name: tables::sheet::PROBLEMS,
                columns: tables::PROBLEM_COLUMNS,
                rows: Box::new(tables::problem_rows(&roster, col).into_iter()),
                fit_rows: true,
            },
        ],
        chart: None,
        print: &print,
        footer: &master.plan.city,
        created,
    };
    crate::xlsx::save_data(book, path)
}

/// The template data of 事業計画書.pdf (`templates/plan.hbs`): the title,
/// whether every centre is in, part I (each centre's goal) and part II
/// (per section and item, each answering centre's goals with their
/// actions). See docs/templates.md.
pub fn report_data(master: &Master, col: &Collection) -> Json {
    let by_centre = col.positions(master.centres.len());
    let state = |k: usize| col.centres[k].state;
    let lines = |s: &str| s.split('\n').filter(|l| !l.trim().is_empty()).map(str::to_string).collect::<Vec<_>>();
    let overall: Vec<Json> = master
        .centres
        .iter()
        .enumerate()
        .filter_map(|(ci, c)| by_centre[ci].map(|k| (c, k)))
        .map(|(c, k)| {
            let goal = col
                .used(&col.centres[k])
                .and_then(|r| {
                    r.submission.answers.iter().find(|a| a.key.item.is_none() && a.key.field == Field::Overall)
                })
                .and_then(|a| a.text());
            json!({
                "id": c.id, "name": c.name, "short": c.short,
                "submitted": goal.is_some(),
                "state": state(k).label(),
                "lines": goal.map(lines).unwrap_or_default(),
            })
        })
        .collect();
    let sections: Vec<Json> = master
        .sections
        .iter()
        .map(|s| {
            let items: Vec<Json> = master
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.section == s.number)
                .map(|(k, item)| {
                    let centres: Vec<Json> = master
                        .respondents(item)
                        .into_iter()
                        .filter_map(|ci| by_centre[ci].map(|pos| (ci, pos)))
                        .map(|(ci, pos)| {
                            let goals: Vec<Json> = col
                                .used(&col.centres[pos])
                                .map(|r| goals_of(&r.submission, k))
                                .unwrap_or_default()
                                .iter()
                                .map(|g| json!({ "slot": g.slot, "lines": lines(g.text), "actions": g.actions }))
                                .collect();
                            let c = &master.centres[ci];
                            json!({
                                "id": c.id, "name": c.name, "short": c.short,
                                "state": state(pos).label(),
                                "submitted": !goals.is_empty(),
                                "rows": goals.len().max(1),
                                "goals": goals,
                            })
                        })
                        .collect();
                    let rows: u64 = centres.iter().map(|c| c["rows"].as_u64().unwrap_or(1)).sum();
                    let policy = lines(&item.policy);
                    // The item's table rows, flat, each saying which merged
                    // cells start on it (the item over all its rows, a
                    // centre over its goals).
                    let mut table = Vec::new();
                    for (n, c) in centres.iter().enumerate() {
                        let goals = c["goals"].as_array().cloned().unwrap_or_default();
                        let first_item = n == 0;
                        let row = |k: usize, goal: Option<&Json>| {
                            json!({
                                "item": first_item && k == 0,
                                "item_rows": rows,
                                "item_name": item.name,
                                "policy": policy,
                                "centre": k == 0,
                                "centre_rows": c["rows"],
                                "short": c["short"],
                                "missing": goal.is_none(),
                                "state": c["state"],
                                "lines": goal.map_or(Json::Null, |g| g["lines"].clone()),
                                "actions": goal.map_or(Json::Null, |g| g["actions"].clone()),
                            })
                        };
                        if goals.is_empty() {
                            table.push(row(0, None));
                        }
                        for (k, g) in goals.iter().enumerate() {
                            table.push(row(k, Some(g)));
                        }
                    }
                    json!({
                        "number": item.number,
                        "name": item.name,
                        "policy": policy,
                        "rows": rows,
                        "centres": centres,
                        "table": table,
                    })
                })
                .collect();
            json!({
                "number": s.number,
                "name": s.name,
                "heading": format!("{}. {}", s.number, s.name),
                "description": s.description,
                "note": s.note,
                "named": items.iter().any(|i| !i["name"].as_str().unwrap_or("").is_empty()),
                "items": items,
            })
        })
        .collect();
    json!({
        "plan": {
            "title_line": master.title_line(),
            "title": master.plan.title,
            "city": master.plan.city,
            "fiscal_year": master.plan.fiscal_year,
            "fiscal_year_label": format_fiscal_year(master.plan.fiscal_year, Digits::Ascii),
        },
        "labels": {
            "overall": plan::OVERALL_HEADING,
            "goal": plan::GOAL_HEADER,
            "actions": plan::ACTIONS_HEADER,
            "policy": plan::POLICY_LABEL,
        },
        "complete": col.is_complete(),
        "counts": col.counts_json(),
        "overall": overall,
        "sections": sections,
    })
}

/// Checks one returned file against the master at once, as `collect`
/// would read it (see [`crate::jobs::collect::Checked`]).
pub fn check(master: &Master, file: &Found, opts: &Options) -> Result<crate::jobs::collect::Checked, Error> {
    let index = MasterIndex::new(master);
    let roster = index.roster(master);
    let read = |wb: &Workbook| read_submission_in(master, &index, wb);
    let what = format!("{} センター事業計画シート", master.title_line());
    crate::jobs::collect::check_one(&roster, file, file::REPORT, &what, OUTPUT_FORM_KIND, opts, read)
}

/// Reads `files` against the plan master (in parallel, each file dropped
/// once read) and writes 事業計画書.xlsx, 事業計画書.pdf and the 差戻し
/// workbooks. Outputs appear together or not at all; inputs are never
/// written.
pub fn collect(
    master: &Master,
    files: &[Found],
    out_dir: &Path,
    opts: &Options,
    progress: impl Fn(usize) + Sync,
) -> Result<Outcome<Key>, Error> {
    let index = MasterIndex::new(master);
    let roster = index.roster(master);
    let read = |wb: &Workbook| read_submission_in(master, &index, wb);
    let outputs = [file::WORKBOOK, file::REPORT];
    let collection = gather(&roster, &outputs, file::REPORT, out_dir, files, opts, OUTPUT_FORM_KIND, read, progress)?;
    let mut stages = crate::timing::Stages::start();
    let staging = Staging::new(out_dir)?;
    staging.write_with(file::WORKBOOK, |path| save_workbook(master, &index, &collection, opts.created, path))?;
    stages.done(file::WORKBOOK);
    let mut names = vec![file::WORKBOOK.to_string()];
    if let Some((fonts, pdf_opts)) = opts.pdf {
        let printable = crate::jobs::collect::printable(&collection, fonts);
        let data = report_data(master, printable.as_ref().unwrap_or(&collection));
        let markup = crate::template::render_named("plan.hbs", opts.templates, &data)?;
        drop(data);
        let pdf = crate::markup_to_pdf(&markup, "plan.hbs を展開したマークアップ", fonts, pdf_opts)?;
        stages.done(&format!("{} ({} bytes)", file::REPORT, pdf.len()));
        staging.write(file::REPORT, &pdf)?;
        names.push(file::REPORT.to_string());
    }
    let what = format!("{} センター事業計画シート", master.title_line());
    let returns = returns_books(&roster, &collection, &what, OUTPUT_FORM_KIND, opts)?;
    let (files, returned) = commit_outputs(staging, &names, opts.returns, &returns)?;
    stages.done(&format!("差戻し and writing ({} 差戻し workbooks)", returns.len()));
    Ok(Outcome { collection, files, returns: returned })
}
