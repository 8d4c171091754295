//! The centre plan samples: what each centre of the sample master wrote
//! (`samples/plan_answers.json`, transcribed from
//! `shared/reference/centre_plans_shiroi_2021.txt`), typed into the
//! workbooks `keikaku plan distribute` gives them. Shared by `tests/plan.rs`
//! and `benches/plan.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;

use keikaku::forms::plan::distribute::centre_workbook;
use keikaku::forms::plan::master::Master;
use keikaku::forms::plan::sheets::{sheets_of, Field};

use super::fill::{fill_grids, saved_at};

/// One goal as a centre wrote it.
#[derive(Debug, Clone, Deserialize)]
pub struct GoalAnswer {
    pub goal: String,
    pub actions: Vec<String>,
}

/// What one centre wrote.
#[derive(Debug, Clone, Deserialize)]
pub struct CentreAnswers {
    /// 記入日, ISO.
    pub date: String,
    pub writer: String,
    /// Part I.
    pub overall: String,
    /// Per item number, the goals in order.
    pub items: BTreeMap<String, Vec<GoalAnswer>>,
}

/// `samples/plan_answers.json`: centre ID → answers.
pub fn sample_answers() -> BTreeMap<String, CentreAnswers> {
    serde_json::from_str(include_str!("../../samples/plan_answers.json")).expect("samples/plan_answers.json")
}

/// Excel's date serial of an ISO date (days since 1899-12-30).
pub fn excel_serial(iso: &str) -> i64 {
    let p: Vec<i64> = iso.split('-').map(|x| x.parse().unwrap()).collect();
    let (y, m, d) = (p[0], p[1], p[2]);
    // Days from civil (Howard Hinnant), 1970-01-01 = 0.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 + 25_569
}

/// The inputs of a centre as typed: 記入日 as a date, actions one per line
/// with a 「・」 in front of each, as centres type them.
pub fn values(master: &Master, centre: &str, a: &CentreAnswers) -> Vec<(String, String)> {
    let mut v = vec![
        (Field::Date.name(None), excel_serial(&a.date).to_string()),
        (Field::Writer.name(None), a.writer.clone()),
        (Field::Overall.name(None), a.overall.clone()),
    ];
    let c = master.centres.iter().position(|c| c.id == centre).unwrap();
    for &k in &master.items_by_centre()[c] {
        let item = &master.items[k];
        for (n, g) in a.items.get(&item.number).into_iter().flatten().enumerate() {
            let slot = (n + 1) as u8;
            v.push((Field::Goal(slot).name(Some(item)), g.goal.clone()));
            let lines: Vec<String> = g.actions.iter().map(|x| format!("・{x}")).collect();
            v.push((Field::Actions(slot).name(Some(item)), lines.join("\n")));
        }
    }
    v
}

/// A centre's distributed workbook.
pub fn distributed(master: &Master, centre: &str) -> Vec<u8> {
    let c = master.centres.iter().position(|x| x.id == centre).unwrap();
    centre_workbook(master, &master.centres[c], &master.items_by_centre()[c], None).unwrap().1
}

/// A centre's workbook filled with `values`.
pub fn filled(master: &Master, centre: &str, values: &[(String, String)]) -> Vec<u8> {
    let c = master.centres.iter().position(|x| x.id == centre).unwrap();
    let grids = sheets_of(master, &master.centres[c].name, &master.items_by_centre()[c]);
    fill_grids(&distributed(master, centre), &grids, values)
}

/// The shipped `samples/plan_submissions/`: every centre's workbook with
/// the whole reference document, saved on its 記入日.
pub fn sample_submissions(master: &Master) -> Vec<(String, Vec<u8>)> {
    let answers = sample_answers();
    master
        .centres
        .iter()
        .map(|c| {
            let a = &answers[&c.id];
            let bytes = filled(master, &c.id, &values(master, &c.id, a));
            let name = format!("{}_{}.xlsx", c.id, c.name);
            (name, saved_at(&bytes, &format!("{}T17:00:00Z", a.date)))
        })
        .collect()
}
