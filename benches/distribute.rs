//! Benchmark for issues #4 and #22: `keikaku pdca distribute` on a generated
//! master of 1,000 centres × 6 事業 (6,000 事業, 18,000 達成目標 rows), whole
//! process, with and without `--pdf`, median of the runs.
//!
//! Targets on the 2-core machine (issue #22): distribute under 1.0 s and
//! `--pdf` under 4 s, peak memory under 200 MB. Beside them, in the same
//! run, the calamine floor: calamine alone opening the 1,000 workbooks
//! distribute wrote and visiting every cell ([`floor`]), the least any
//! program that reads them back pays.
//!
//! Run with `cargo bench --bench distribute`. Peak memory comes from
//! `/usr/bin/time -v` when it is installed. Environment:
//! - `KEIKAKU_BENCH_RUNS=N`: runs per measurement (default 3);
//! - `KEIKAKU_BENCH_PDF=0`: without the `--pdf` runs;
//! - `KEIKAKU_BENCH_KEEP=DIR`: the generated master is written there (for profiling).

use std::path::Path;
use std::time::Instant;

#[path = "floor/mod.rs"]
mod floor;
#[path = "generated/mod.rs"]
mod generated;
#[path = "measure/mod.rs"]
mod measure;

use generated::generated_master;
use keikaku::forms::pdca::master::SHEETS as FORM;

const CENTRES: usize = 1_000;

fn run(master: &Path, out: &Path, extra: &[&str]) -> (f64, Option<u64>) {
    let _ = std::fs::remove_dir_all(out);
    let mut args = vec!["pdca", "distribute", master.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (secs, rss, _) = measure::timed(&args).unwrap_or_else(|e| panic!("{e}"));
    (secs, rss)
}

/// Median, min and max of `times` (sorted in place).
fn spread(times: &mut [f64]) -> (f64, f64, f64) {
    times.sort_by(|a, b| a.total_cmp(b));
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

fn main() {
    if floor::run_if_asked() {
        return;
    }
    let runs: usize = std::env::var("KEIKAKU_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let pdf = std::env::var("KEIKAKU_BENCH_PDF").map_or(true, |v| v != "0" && v != "no");
    let dir = tempfile::tempdir().unwrap();
    // KEIKAKU_BENCH_KEEP=DIR keeps the generated master there (for profiling).
    let master_path = match std::env::var_os("KEIKAKU_BENCH_KEEP") {
        Some(d) => Path::new(&d).join("pdca_master_1000.xlsx"),
        None => dir.path().join("master.xlsx"),
    };
    let t = Instant::now();
    let m = generated_master(CENTRES);
    std::fs::write(&master_path, keikaku::xlsx::write_form("bench", &FORM, &m.to_sheets()).unwrap()).unwrap();
    println!(
        "generated master: {} centres, {} 事業, {} bytes ({:.1} s)",
        m.centres.len(),
        m.projects.len(),
        std::fs::metadata(&master_path).unwrap().len(),
        t.elapsed().as_secs_f64()
    );
    let me = std::env::current_exe().unwrap();
    let mut modes: Vec<(&str, &[&str], f64)> = vec![("", &[], 1.0)];
    if pdf {
        modes.push((" --pdf", &["--pdf"], 4.0));
    }
    for (label, extra, target) in modes {
        let out = dir.path().join("out");
        let mut times = Vec::new();
        let mut floor_times = Vec::new();
        let mut peak = 0;
        for _ in 0..runs {
            let (secs, rss) = run(&master_path, &out, extra);
            times.push(secs);
            peak = peak.max(rss.unwrap_or(0));
            // The floor on what this run wrote, between keikaku's runs.
            let (f, _, _) = measure::timed_program(me.to_str().unwrap(), &[floor::FLAG, out.to_str().unwrap()])
                .unwrap_or_else(|e| panic!("{e}"));
            floor_times.push(f);
        }
        let files = std::fs::read_dir(&out).unwrap().count();
        let bytes: u64 = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
        let (median, min, max) = spread(&mut times);
        let (floor_median, _, _) = spread(&mut floor_times);
        println!(
            "distribute{label} 1,000 centres × 6 事業   median {median:.2} s (min {min:.2}, max {max:.2}; {runs} runs)  peak RSS {} MB  {files} files, {} MB",
            peak / 1024,
            bytes / 1_000_000
        );
        println!(
            "  target < {target:.1} s: {}; calamine floor (reading the 1,000 workbooks back) {floor_median:.2} s, distribute{label} is {:.1}× it",
            if median < target { "met" } else { "NOT met" },
            median / floor_median
        );
    }
}
