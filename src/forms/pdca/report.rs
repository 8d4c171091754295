//! The data of 結果報告.pdf (for `templates/report.hbs`).

use std::collections::HashMap;

use serde_json::{json, Value as Json};

use super::collect::{Answer, Collection, Key, MasterIndex};
use super::master::Master;
use super::sheets::{Field, DIRECTIONS};
use super::tables::{achievement, answers_by_field, centre_achievement, quantity};
use crate::jobs::collect::Severity;
use crate::wareki::{format_fiscal_year, format_fiscal_year_short, Digits};

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_default()
}

/// The template data of 結果報告.pdf (see docs/templates.md): the document
/// (`report.hbs`: cover, contents, the 提出状況 with every centre's 差戻し)
/// and one part per 事業 (`report_project.hbs`: the PLAN, the 達成目標 with
/// the 計画 and each centre's 結果 side by side, and each centre's DO, CHECK
/// and ACTION). A part's data is made when it is laid out, so that the
/// report of a large collection is never held whole.
pub struct ReportData<'a> {
    master: &'a Master,
    col: &'a Collection,
    plan: Json,
    /// Each centre's answers by key, by collection position.
    answers: Vec<Option<HashMap<Key, &'a Answer>>>,
    /// Per 事業, the collection positions of its centres.
    centres: Vec<Vec<usize>>,
}

impl<'a> ReportData<'a> {
    /// Prepares the data of the report of `col`.
    pub fn new(master: &'a Master, col: &'a Collection) -> ReportData<'a> {
        let plan = &master.plan;
        let years = plan.years();
        let fy = plan.fiscal_year;
        let position = col.positions(master.centres.len());
        let centre_index = master.centre_index();
        let centres = master
            .projects
            .iter()
            .map(|p| {
                p.centres
                    .iter()
                    .filter_map(|id| centre_index.get(id.as_str()).copied())
                    .filter_map(|ci| position[ci])
                    .collect()
            })
            .collect();
        let plan_json = json!({
            "name": plan.name,
            "organisation": plan.organisation,
            "fiscal_year": fy,
            "fiscal_year_label": format_fiscal_year(fy, Digits::Ascii),
            "check_point": plan.check_point,
            "years": years.iter().map(|y| format_fiscal_year_short(*y)).collect::<Vec<_>>(),
            "fiscal_year_short": format_fiscal_year_short(fy),
            // The 結果 cells and the 達成率 of a centre that did not submit.
            "result_span": years.len() + 1,
        });
        let answers = col.centres.iter().map(|c| col.used(c).map(answers_by_field)).collect();
        ReportData { master, col, plan: plan_json, answers, centres }
    }

    /// The data of `report.hbs`: the plan, the counts, the 提出状況 and the
    /// files that could not be used.
    pub fn document(&self, index: &MasterIndex) -> Json {
        let (master, col) = (self.master, self.col);
        let status: Vec<Json> = col
            .centres
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let centre = &master.centres[c.centre];
                let used = col.used(c);
                let count =
                    |s: Severity| used.map_or(0, |r| r.submission.problems.iter().filter(|p| p.severity == s).count());
                let rate = centre_achievement(master, index, col, k).and_then(|a| a.0);
                json!({
                    "id": centre.id,
                    "name": centre.name,
                    "state": c.state.label(),
                    "missing": c.used.is_none(),
                    "file": used.map(|r| r.source.name.rsplit(['/', '\\']).next().unwrap_or("").to_string()),
                    "fixes": count(Severity::Fix),
                    "notes": count(Severity::Noted),
                    "rate": percent(rate),
                    "problems": used.map(|r| r.submission.problems.iter().filter(|p| p.severity != Severity::Noted).map(|p| p.line()).collect::<Vec<_>>()).unwrap_or_default(),
                    "unused": c.unused.iter().map(|(i, why)| format!("{}: {why}", col.received[*i].source.name)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let stray: Vec<Json> = col
            .stray
            .iter()
            .map(|&i| {
                let r = &col.received[i];
                json!({ "file": r.source.name, "problems": r.submission.problems.iter().map(|p| p.message()).collect::<Vec<_>>() })
            })
            .collect();
        json!({
            "plan": self.plan,
            "counts": col.counts_json(),
            "directions": DIRECTIONS,
            "status": status,
            "stray": stray,
        })
    }

    /// The 事業 that have a part: those with at least one centre in the
    /// collection, in the master's order.
    pub fn projects(&self) -> Vec<usize> {
        (0..self.centres.len()).filter(|&pk| !self.centres[pk].is_empty()).collect()
    }

    /// The data of `report_project.hbs` for the 事業 `pk`: `plan` as in the
    /// document, and `project`.
    pub fn project(&self, pk: usize) -> Json {
        let (master, col) = (self.master, self.col);
        let plan = &master.plan;
        let years = plan.years();
        let fy = plan.fiscal_year;
        let fy_index = years.iter().position(|y| *y == fy);
        let p = &master.projects[pk];
        let centres = &self.centres[pk];
        let value = |k: usize, field: Field| -> Option<String> {
            let key = Key { project: pk as u32, field };
            self.answers[k].as_ref().and_then(|m| m.get(&key)).and_then(|a| a.text().map(str::to_string))
        };
        let indicators: Vec<Json> = p
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                let plan_values: Vec<String> =
                    years.iter().enumerate().map(|(k, _)| ind.plan.get(k).cloned().flatten().unwrap_or_default()).collect();
                let results: Vec<Json> = centres
                    .iter()
                    .map(|&k| {
                        let centre = &master.centres[col.centres[k].centre];
                        let submitted = col.centres[k].used.is_some();
                        let values: Vec<Json> = years
                            .iter()
                            .map(|&y| {
                                let open = y <= fy;
                                json!({
                                    "value": if submitted && open { value(k, Field::Result { indicator: i + 1, year: y }).unwrap_or_default() } else { String::new() },
                                    "open": open,
                                })
                            })
                            .collect();
                        let rate = fy_index.and_then(|fk| {
                            let plan = ind.plan.get(fk).and_then(|v| v.as_deref()).and_then(quantity);
                            let got = value(k, Field::Result { indicator: i + 1, year: fy }).as_deref().and_then(quantity);
                            achievement(plan.as_ref(), got.as_ref())
                        });
                        json!({ "centre": centre.name, "id": centre.id, "submitted": submitted, "values": values, "rate": percent(rate) })
                    })
                    .collect();
                json!({ "name": ind.name, "plan": plan_values, "results": results, "rows": results.len() + 1 })
            })
            .collect();
        let centre_answers: Vec<Json> = centres
            .iter()
            .map(|&k| {
                let c = &col.centres[k];
                let centre = &master.centres[c.centre];
                let dos: Vec<Json> = plan
                    .reported_years()
                    .iter()
                    .filter_map(|&y| {
                        value(k, Field::Do(y)).map(|t| json!({ "year": format_fiscal_year_short(y), "text": t }))
                    })
                    .collect();
                json!({
                    "id": centre.id,
                    "name": centre.name,
                    "state": c.state.label(),
                    "submitted": c.used.is_some(),
                    "date": value(k, Field::Date).and_then(|d| crate::wareki::parse(&d)).and_then(|d| match d {
                        crate::wareki::ParsedDate::Date(d) => Some(crate::wareki::format_date(d, Digits::Ascii)),
                        _ => None,
                    }),
                    "writer": value(k, Field::Writer),
                    "do": dos,
                    "achievement": value(k, Field::Achievement),
                    "issues": value(k, Field::Issues),
                    "direction": value(k, Field::Direction),
                    "action": value(k, Field::Action),
                })
            })
            .collect();
        let project = json!({
            "number": p.number,
            "name": p.name,
            "goal": p.goal,
            "area": p.area,
            "paragraphs_situation": super::master::paragraphs(&p.situation),
            "paragraphs_policy": super::master::paragraphs(&p.policy),
            "indicators": indicators,
            "centres": centre_answers,
            "centre_count": centres.len(),
        });
        json!({ "plan": self.plan, "project": project })
    }
}
