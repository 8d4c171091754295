//! Benchmark for issue #4: `keikaku pdca distribute` on a generated master of
//! 1,000 centres × 6 事業 (6,000 事業, 18,000 達成目標 rows), whole process.
//! Target: under 5 s on the 2-core machine, peak memory under 200 MB.
//!
//! Run with `cargo bench --bench distribute`. Peak memory comes from
//! `/usr/bin/time -v` when it is installed.

use std::path::Path;
use std::time::Instant;

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

fn main() {
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
    let out = dir.path().join("out");
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..3 {
        let (secs, rss) = run(&master_path, &out, &[]);
        times.push(secs);
        peak = peak.max(rss.unwrap_or(0));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let files = std::fs::read_dir(&out).unwrap().count();
    let bytes: u64 = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    println!(
        "distribute 1,000 centres × 6 事業   median {:.2} s (min {:.2}, max {:.2}; 3 runs)  peak RSS {} MB  {files} files, {} MB",
        times[1],
        times[0],
        times[2],
        peak / 1024,
        bytes / 1_000_000
    );
}
