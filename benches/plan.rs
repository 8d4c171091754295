//! Benchmark for issue #6: `keikaku plan collect MASTER SUBMISSIONS -o
//! OUT_DIR` with 300 centres' plans combined into one 事業計画書.pdf
//! (target: under 3 s on the 2-core machine), whole process.
//!
//! The input is made as in real use: a master of N centres (the first
//! 直営, the others 委託) with the sample's sections and items, written as a
//! master workbook and read back with [`keikaku::forms::plan::master::read`]; for
//! every centre the workbook `plan distribute` gives it, filled with the
//! sample's answers of a centre of the same kind (the reference document's
//! goals and actions, numbered per centre so no two centres write the
//! same text). One generated workbook is read back before timing: it must
//! give exactly what was filled and no problems.
//!
//! Run with `cargo bench --bench plan`. Environment:
//! - `KEIKAKU_BENCH_CENTRES=300` (the default) or `=50,300`: the counts;
//! - `KEIKAKU_BENCH_RUNS=N`: runs per measurement (default 3);
//! - `KEIKAKU_BENCH_KEEP=DIR`: keep the generated input and outputs there.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "measure/mod.rs"]
mod measure;

use std::path::{Path, PathBuf};
use std::process::exit;
use std::time::Instant;

use rayon::prelude::*;

use common::plan::{filled, sample_answers, values, CentreAnswers};
use keikaku::forms::plan::master::{Centre, Master};
use keikaku::workbook::Workbook;

/// The target for 300 centres, seconds.
const TARGET_300: f64 = 3.0;

fn fail(message: &str) -> ! {
    eprintln!("plan bench: {message}");
    exit(1)
}

/// The sample's plan with `n` centres.
fn generated_master(n: usize) -> Master {
    let sample = Master::example();
    let centres = (0..n)
        .map(|i| Centre {
            id: format!("S{:03}", i + 1),
            name: format!("第{}地域包括支援センター", i + 1),
            short: format!("第{}", i + 1),
            kind: if i == 0 { "直営".into() } else { "委託".into() },
        })
        .collect();
    Master { centres, ..sample }
}

/// A centre's answers: those of the sample centre of its kind (S01 for
/// 直営, S02 and S03 in turn for 委託), each text marked with the centre.
fn answers_for(i: usize, sample: &std::collections::BTreeMap<String, CentreAnswers>) -> CentreAnswers {
    let from = if i == 0 {
        "S01"
    } else if i % 2 == 1 {
        "S02"
    } else {
        "S03"
    };
    let mut a = sample[from].clone();
    let mark = |s: &mut String| s.push_str(&format!("（第{}センター）", i + 1));
    mark(&mut a.overall);
    for goals in a.items.values_mut() {
        for g in goals.iter_mut() {
            mark(&mut g.goal);
            g.actions.iter_mut().for_each(&mark);
        }
    }
    a
}

fn write_input(n: usize, dir: &Path) -> (PathBuf, PathBuf, Master) {
    let generated = generated_master(n);
    let bytes = keikaku::xlsx::write_form(
        "センター計画 マスター",
        &keikaku::forms::plan::master::SHEETS,
        &generated.to_sheets(),
    )
    .unwrap_or_else(|e| fail(&format!("writing the master: {e}")));
    let master_path = dir.join(format!("plan_master_{n}.xlsx"));
    std::fs::write(&master_path, &bytes).unwrap_or_else(|e| fail(&e.to_string()));
    let wb = Workbook::from_bytes("master.xlsx", &bytes).unwrap_or_else(|e| fail(&e.to_string()));
    let master = keikaku::forms::plan::master::read(&wb).unwrap_or_else(|e| fail(&format!("master refused: {e}")));
    let sample = sample_answers();
    let folder = dir.join(format!("plans_{n}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| fail(&e.to_string()));
    master.centres.par_iter().enumerate().for_each(|(i, c)| {
        let typed = values(&master, &c.id, &answers_for(i, &sample));
        let path = folder.join(format!("{}_{}.xlsx", c.id, c.name));
        std::fs::write(&path, filled(&master, &c.id, &typed)).unwrap_or_else(|e| fail(&e.to_string()));
    });
    // One workbook reads back as filled, with nothing to fix.
    let c = &master.centres[1];
    let bytes = std::fs::read(folder.join(format!("{}_{}.xlsx", c.id, c.name))).unwrap();
    let sub = keikaku::forms::plan::collect::read_submission(&master, &Workbook::from_bytes("x.xlsx", &bytes).unwrap());
    let filled_count = values(&master, &c.id, &answers_for(1, &sample)).len();
    if !sub.problems.is_empty() || sub.answers.iter().filter(|a| a.text().is_some()).count() != filled_count {
        fail(&format!("generated submission does not read back cleanly: {:?}", sub.problems));
    }
    (master_path, folder, master)
}

/// One run: seconds and peak RSS (kB).
fn run(master: &Path, folder: &Path, out: &Path, pdf: bool) -> (f64, Option<u64>) {
    let _ = std::fs::remove_dir_all(out);
    let mut args =
        vec!["plan", "collect", master.to_str().unwrap(), folder.to_str().unwrap(), "-o", out.to_str().unwrap()];
    if !pdf {
        args.push("--no-pdf");
    }
    let (secs, rss, _) = measure::timed(&args).unwrap_or_else(|e| fail(&e));
    (secs, rss)
}

fn main() {
    let counts: Vec<usize> = std::env::var("KEIKAKU_BENCH_CENTRES")
        .unwrap_or_else(|_| "300".into())
        .split(',')
        .map(|n| n.trim().parse().unwrap_or_else(|_| fail(&format!("count {n:?}?"))))
        .collect();
    let runs: usize = std::env::var("KEIKAKU_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&e.to_string()));
    let dir = match std::env::var_os("KEIKAKU_BENCH_KEEP") {
        Some(d) => {
            let d = PathBuf::from(d);
            std::fs::create_dir_all(&d).unwrap_or_else(|e| fail(&e.to_string()));
            d
        }
        None => temp.path().to_path_buf(),
    };
    for n in counts {
        let t = Instant::now();
        let (master_path, folder, master) = write_input(n, &dir);
        println!(
            "input: {n} centres, {} items, {n} workbooks, each with a sample centre's goals and actions ({:.1} s to make and check)",
            master.items.len(),
            t.elapsed().as_secs_f64()
        );
        for pdf in [true, false] {
            let out = dir.join(format!("plan_out_{n}"));
            let mut times = Vec::new();
            let mut peak = None;
            for _ in 0..runs {
                let (secs, rss) = run(&master_path, &folder, &out, pdf);
                times.push(secs);
                peak = peak.max(rss);
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let pages = if pdf { common::page_count(&out.join("事業計画書.pdf")).to_string() } else { "-".into() };
            println!(
                "plan collect {n} centres {}: median {median:.2} s (min {:.2}, max {:.2}; {runs} runs), peak RSS {}, PDF pages {pages}",
                if pdf { "with PDF" } else { "--no-pdf" },
                times[0],
                times[times.len() - 1],
                peak.map_or("?".into(), |k| format!("{} MB", k / 1024)),
            );
            if pdf && n == 300 {
                println!("  target < {TARGET_300} s: {}", if median < TARGET_300 { "met" } else { "NOT met" });
            }
        }
    }
}
