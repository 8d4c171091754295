//! Generated returned workbooks, shared by the benchmarks: a master of N
//! centres written as a workbook and read back, and for every centre the
//! workbook `distribute` gives it, filled in every input the way a centre
//! does, named as `distribute` names it. The including bench declares
//! `mod common` (tests/common) and `mod generated`.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::common::fill::{complete_answers, fill};
use crate::generated::generated_master;
use keikaku::forms::pdca::collect::read_submission;
use keikaku::forms::pdca::distribute::{centre_workbook, file_stem};
use keikaku::forms::pdca::master::{Centre, Master, Project, SHEETS as FORM};
use keikaku::workbook::Workbook;

/// Prints a message and exits with status 1 (a clearer end than a panic
/// inside the generator).
pub fn fail(message: &str) -> ! {
    eprintln!("bench: {message}");
    std::process::exit(1)
}

/// Writes the master of `centres` centres to `path` and reads it back, as
/// `collect` will: the master the submissions are made from.
pub fn write_master(centres: usize, path: &Path) -> Master {
    let generated = generated_master(centres);
    let bytes = keikaku::xlsx::write_form("PDCA マスター", &FORM, &generated.to_sheets())
        .unwrap_or_else(|e| fail(&format!("writing the generated master failed: {e}")));
    std::fs::write(path, &bytes).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    let wb = Workbook::from_bytes("master.xlsx", &bytes)
        .unwrap_or_else(|e| fail(&format!("the generated master does not open: {e}")));
    let read = keikaku::forms::pdca::master::read(&wb)
        .unwrap_or_else(|e| fail(&format!("the generated master is refused by pdca::read: {e}")));
    if read != generated {
        println!("note: the master as read back differs from the generated one; submissions use the one read back");
    }
    read
}

/// A centre's returned workbook: distributed, then every input filled.
///
/// `own` is the master cut down to this centre and its 事業: a centre's
/// workbook depends only on the plan and its own 事業, and the helpers look
/// the centre's 事業 up with [`Master::projects_of`], a scan of every 事業 of
/// the master (three scans per centre of 30,000 事業 made generating 5,000
/// submissions quadratic: 77 s instead of 33 s on the 2-core machine).
pub fn submission(own: &Master) -> Vec<u8> {
    let centre = &own.centres[0];
    let projects: Vec<&Project> = own.projects.iter().collect();
    let (_, distributed) = centre_workbook(own, centre, &projects, None)
        .unwrap_or_else(|e| fail(&format!("centre_workbook({}) failed: {e}", centre.id)));
    fill(&distributed, own, &centre.id, &complete_answers(own, &centre.id))
}

/// The master cut down to one centre and its 事業, for each centre, in
/// master order.
pub fn per_centre(master: &Master) -> Vec<Master> {
    let mut of: HashMap<&str, Vec<&Project>> = HashMap::new();
    for p in &master.projects {
        for c in &p.centres {
            of.entry(c.as_str()).or_default().push(p);
        }
    }
    master
        .centres
        .iter()
        .map(|c| Master {
            plan: master.plan.clone(),
            centres: vec![c.clone()],
            projects: of.get(c.id.as_str()).map_or(vec![], |ps| ps.iter().map(|&p| p.clone()).collect()),
        })
        .collect()
}

/// The file a centre returns, as `distribute` named it.
pub fn submission_name(centre: &Centre) -> String {
    format!("{}.xlsx", file_stem(centre))
}

/// Makes every centre's returned workbook in `dir`, in parallel; returns
/// the total size in bytes.
pub fn write_submissions(master: &Master, dir: &Path) -> u64 {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())));
    per_centre(master)
        .par_iter()
        .map(|own| {
            let c = &own.centres[0];
            let bytes = submission(own);
            let path = dir.join(submission_name(c));
            std::fs::write(&path, &bytes).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
            bytes.len() as u64
        })
        .sum()
}

/// A folder with the first `n` centres' submissions of `all` (hard links,
/// or copies where links are not possible); returns the total size.
pub fn link_submissions(master: &Master, all: &Path, dir: &Path, n: usize) -> u64 {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(&format!("{}: {e}", dir.display())));
    let mut bytes = 0;
    for c in master.centres.iter().take(n) {
        let name = submission_name(c);
        let (from, to) = (all.join(&name), dir.join(&name));
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).unwrap_or_else(|e| fail(&format!("{}: {e}", to.display())));
        }
        bytes += std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
    }
    bytes
}

/// Reads one generated submission back against `master`: it must give
/// exactly the answers filled in, and no problems.
pub fn check_submission(master: &Master, dir: &Path, centre: &Centre) {
    let name = submission_name(centre);
    let bytes = std::fs::read(dir.join(&name)).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
    let wb = Workbook::from_bytes(&name, &bytes)
        .unwrap_or_else(|e| fail(&format!("generated submission {name} does not open: {e}")));
    let sub = read_submission(master, &wb);
    // As filled, but a 記入日 typed as a date serial reads back as its date.
    let expected: Vec<(String, String)> = complete_answers(master, &centre.id)
        .into_iter()
        .map(|(n, v)| match v.parse::<f64>().ok().filter(|_| n.ends_with("_DATE")) {
            Some(serial) => {
                (n, keikaku::wareki::Date::from_excel_serial(serial).map_or(v, keikaku::workbook::cell::iso))
            }
            None => (n, v),
        })
        .collect();
    let got: Vec<(String, String)> =
        sub.answers.iter().map(|a| (a.key.name(master), a.text().unwrap_or_default().to_string())).collect();
    if !sub.problems.is_empty() || got != expected || sub.centre.as_deref() != Some(centre.id.as_str()) {
        let problems: Vec<String> = sub
            .problems
            .iter()
            .map(|p| format!("  {:?} {:?} {:?}: {}", p.severity, p.sheet(), p.cell(), p.message()))
            .collect();
        fail(&format!(
            "generated submission {name} does not read back cleanly: centre {:?}, {} of {} answers as filled, {} problems\n{}",
            sub.centre,
            got.iter().zip(&expected).filter(|(g, e)| g == e).count(),
            expected.len(),
            problems.len(),
            problems.join("\n")
        ));
    }
}
