//! Benchmark for issue #5: `keikaku pdca collect MASTER.xlsx SUBMISSIONS -o OUT_DIR [--no-pdf]`
//! on generated returned workbooks, whole process.
//!
//! Targets on the 2-core machine:
//! - 1,000 submissions × 6 事業: under 3 s, peak memory under 300 MB;
//! - issue #22: 1,000 `--no-pdf` at most 1.5× the calamine floor (this
//!   binary run again as [`floor`], in the same run: calamine alone opening
//!   the same files and visiting every cell on all cores), and with the PDF
//!   under 1.5 s; keikaku's own read stage (`KEIKAKU_TIMING`) is printed
//!   beside the floor too;
//! - 5,000 submissions × 6 事業: peak memory reported, to show that it does
//!   not grow with the number of submissions beyond the combined result.
//!
//! Each count is measured with `--no-pdf` and with the PDF (the default of
//! `collect`), median of the runs.
//!
//! The input is made as in real use: a master of N centres, each with the
//! sample's six 事業 and numbers of its own (as `benches/distribute.rs`),
//! written as a master workbook and read back with
//! [`keikaku::forms::pdca::master::read`]; for every centre the workbook
//! `distribute` gives it ([`keikaku::forms::pdca::distribute::centre_workbook`]), filled
//! in every input the way a centre does (`tests/common/fill.rs`: typed text
//! as inline string cells keeping the cell's style), named as `distribute`
//! names it, all in one folder that is passed as SUBMISSIONS. One generated
//! workbook of each master is read back with
//! [`keikaku::forms::pdca::collect::read_submission`] before timing: it must return
//! exactly what was filled and no problems.
//!
//! Submissions do not depend on the size of the master (a centre's
//! workbook depends only on the plan and its own 事業), so the workbooks are
//! made once for the largest count and the smaller counts' folders hold
//! hard links to the first N of them.
//!
//! Run with `cargo bench --bench collect`. Peak memory comes from
//! `/usr/bin/time -v` when it is installed. Making the input takes about
//! 30 s (5,000 workbooks, 145 MB); the whole default run takes about 2½
//! minutes on the 2-core machine, most of it the runs of 5,000 (use
//! `KEIKAKU_BENCH_PDF=0` or `KEIKAKU_BENCH_RUNS=1` for a quicker look).
//! This machine is shared: the same run varies by a tenth or more from one
//! minute to the next, so compare medians taken close together.
//! Environment:
//! - `KEIKAKU_BENCH_SUBMISSIONS=20` or `=1000,5000` (the default): the counts;
//! - `KEIKAKU_BENCH_RUNS=N`: runs per measurement (default 3);
//! - `KEIKAKU_BENCH_PDF=0`: only `--no-pdf` runs; `=only`: only PDF runs;
//! - `KEIKAKU_BENCH_KEEP=DIR`: the generated masters (`pdca_master_N.xlsx`),
//!   submissions (`submissions_N/`) and the last outputs (`out_N/`) are
//!   written into DIR and kept (for profiling or manual runs);
//! - `KEIKAKU_BENCH_GENERATE_ONLY=1`: make and check the input, run nothing.
//!
//! While `pdca collect` is not in the binary, the bench still makes and
//! checks the input, then says so and exits with status 2.

#[path = "floor/mod.rs"]
mod floor;
#[path = "generated/mod.rs"]
mod generated;
#[path = "measure/mod.rs"]
mod measure;
#[path = "generated/returns.rs"]
mod returns;

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{exit, Command};
use std::time::Instant;

use generated::PROJECTS_PER_CENTRE;
use returns::{check_submission, link_submissions, write_master, write_submissions};

const DEFAULT_COUNTS: &[usize] = &[1_000, 5_000];
/// The targets for 1,000 submissions (seconds, MB).
const TARGET_1000: (f64, u64) = (3.0, 300);

/// Whether the binary has `pdca collect` (its `--help` succeeds); else the
/// first line clap gave.
fn collect_command() -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["pdca", "collect", "--help"])
        .output()
        .map_err(|e| format!("cannot run keikaku: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().find(|l| !l.trim().is_empty()).unwrap_or("").to_string())
    }
}

/// One run of `collect`: seconds, peak RSS in kB, and the command's own
/// message.
fn run(master: &Path, submissions: &Path, out: &Path, pdf: bool) -> (f64, Option<u64>, String) {
    let _ = std::fs::remove_dir_all(out);
    let mut args =
        vec!["pdca", "collect", master.to_str().unwrap(), submissions.to_str().unwrap(), "-o", out.to_str().unwrap()];
    if !pdf {
        args.push("--no-pdf");
    }
    measure::timed(&args).unwrap_or_else(|e| fail(&e))
}

/// The outputs: each top-level file with its size, each folder as its
/// number of files and total size.
fn describe_outputs(out: &Path) -> String {
    fn walk(p: &Path) -> (usize, u64) {
        match std::fs::read_dir(p) {
            Ok(entries) => entries.flatten().map(|e| walk(&e.path())).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
            Err(_) => (1, std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)),
        }
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(out) {
        Ok(d) => d.flatten().map(|e| e.path()).collect(),
        Err(e) => return format!("(no output folder: {e})"),
    };
    entries.sort();
    let parts: Vec<String> = entries
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            let (files, bytes) = walk(p);
            if p.is_dir() {
                format!("{name}/ {files} files {}", size(bytes))
            } else {
                format!("{name} {}", size(bytes))
            }
        })
        .collect();
    let (files, bytes) = walk(out);
    format!("{files} files, {}: {}", size(bytes), parts.join(", "))
}

fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// Prints a message and exits with status 1 (a clearer end than a panic
/// inside the generator).
fn fail(message: &str) -> ! {
    eprintln!("collect bench: {message}");
    exit(1)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| fail(&format!("{name}={v}: not understood"))),
        Err(_) => default,
    }
}

/// One run of the calamine floor on `submissions` (this binary, run again
/// with [`floor::FLAG`]): seconds and peak RSS in kB.
fn run_floor(submissions: &Path) -> (f64, Option<u64>) {
    let me = std::env::current_exe().unwrap_or_else(|e| fail(&format!("this bench's own path: {e}")));
    let (secs, rss, _) = measure::timed_program(me.to_str().unwrap(), &[floor::FLAG, submissions.to_str().unwrap()])
        .unwrap_or_else(|e| fail(&e));
    (secs, rss)
}

/// The seconds of the read stage in keikaku's timings (`timing: read 1000 files 0.71 s`).
fn read_stage(stderr: &str) -> Option<f64> {
    let line = stderr.lines().find(|l| l.starts_with("timing: read ") && l.contains(" files "))?;
    let after = line.split(" files ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    if floor::run_if_asked() {
        return;
    }
    // keikaku's stage timings (stderr), for the read stage beside the floor.
    std::env::set_var("KEIKAKU_TIMING", "1");
    let mut counts: Vec<usize> = match std::env::var("KEIKAKU_BENCH_SUBMISSIONS") {
        Ok(v) => v
            .split(',')
            .map(|n| n.trim().replace('_', "").parse().unwrap_or_else(|_| fail(&format!("count {n:?}?"))))
            .collect(),
        Err(_) => DEFAULT_COUNTS.to_vec(),
    };
    counts.sort_unstable();
    counts.dedup();
    counts.retain(|&n| n > 0);
    let Some(&largest) = counts.last() else { fail("KEIKAKU_BENCH_SUBMISSIONS has no count") };
    let runs: usize = env_or("KEIKAKU_BENCH_RUNS", 3).max(1);
    let modes: Vec<bool> = match std::env::var("KEIKAKU_BENCH_PDF").as_deref() {
        Ok("0") | Ok("no") => vec![false],
        Ok("only") => vec![true],
        _ => vec![false, true],
    };
    let generate_only = std::env::var_os("KEIKAKU_BENCH_GENERATE_ONLY").is_some_and(|v| v != "0");

    let missing = if generate_only { None } else { collect_command().err() };
    if let Some(why) = &missing {
        println!("`keikaku pdca collect` is not in this binary yet ({why}); making and checking the input only");
    }

    let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temporary folder: {e}")));
    // KEIKAKU_BENCH_KEEP=DIR keeps the generated input (and the last outputs) there.
    let dir = match std::env::var_os("KEIKAKU_BENCH_KEEP") {
        Some(d) => {
            let d = PathBuf::from(d);
            std::fs::create_dir_all(&d).unwrap_or_else(|e| fail(&format!("{}: {e}", d.display())));
            d
        }
        None => temp.path().to_path_buf(),
    };

    // Masters, smallest first; the submissions come from the largest.
    let mut masters = Vec::new();
    for &n in &counts {
        let t = Instant::now();
        let path = dir.join(format!("pdca_master_{n}.xlsx"));
        let master = write_master(n, &path);
        println!(
            "master: {n} centres, {} 事業, {} ({:.1} s to make, write and read back)",
            master.projects.len(),
            size(std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)),
            t.elapsed().as_secs_f64()
        );
        masters.push((n, path, master));
    }
    let (_, _, big) = masters.last().unwrap();
    let all = dir.join(format!("submissions_{largest}"));
    let t = Instant::now();
    let total = write_submissions(big, &all);
    println!(
        "submissions: {largest} filled workbooks, {} ({:.0} kB each), {:.1} s to make ({} threads)",
        size(total),
        total as f64 / largest as f64 / 1e3,
        t.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let mut inputs = Vec::new();
    for (n, master_path, master) in &masters {
        let (folder, bytes) = if *n == largest {
            (all.clone(), total)
        } else {
            let folder = dir.join(format!("submissions_{n}"));
            let bytes = link_submissions(big, &all, &folder, *n);
            (folder, bytes)
        };
        // The first and the last centre of each master read back cleanly.
        check_submission(master, &folder, &master.centres[0]);
        check_submission(master, &folder, master.centres.last().unwrap());
        inputs.push((*n, master_path.clone(), folder, bytes));
    }
    println!("checked: generated submissions read back with read_submission exactly as filled, no problems");

    if generate_only {
        return;
    }
    if let Some(why) = missing {
        eprintln!(
            "collect bench: `keikaku pdca collect` is missing from {} ({why}); nothing was timed",
            env!("CARGO_BIN_EXE_keikaku")
        );
        exit(2);
    }

    let mut peaks = Vec::new();
    for (n, master_path, folder, bytes) in &inputs {
        // The floor, timed between keikaku's runs so that both see the same machine.
        let mut floor_times = Vec::new();
        let mut floor_peak = None;
        for _ in 0..runs {
            let (secs, rss) = run_floor(folder);
            floor_times.push(secs);
            floor_peak = floor_peak.max(rss);
        }
        let floor_median = median(&mut floor_times);
        println!(
            "calamine floor: {n} submissions opened and every cell visited, on {} threads  median {floor_median:.2} s (min {:.2}, max {:.2})  peak RSS {}",
            rayon::current_num_threads(),
            floor_times[0],
            floor_times[floor_times.len() - 1],
            floor_peak.map_or("?".to_string(), |k| format!("{} MB", k / 1024))
        );
        for &pdf in &modes {
            let out = dir.join(format!("out_{n}"));
            let mut times = Vec::new();
            let mut peak = None;
            let mut message = String::new();
            let mut reads = Vec::new();
            for _ in 0..runs {
                let (secs, rss, own) = run(master_path, folder, &out, pdf);
                times.push(secs);
                reads.extend(read_stage(&own));
                peak = peak.max(rss);
                message = own;
            }
            times.sort_by(|a, b| a.total_cmp(b));
            let mode = if pdf { "with PDF " } else { "--no-pdf " };
            let peak_text = peak.map_or("? (no /usr/bin/time)".to_string(), |k| format!("{} MB", k / 1024));
            println!(
                "collect {n} submissions × {PROJECTS_PER_CENTRE} 事業 ({} in) {mode}  median {:.2} s (min {:.2}, max {:.2}; {runs} runs)  peak RSS {peak_text}",
                size(*bytes),
                times[times.len() / 2],
                times[0],
                times[times.len() - 1]
            );
            let ratio = times[times.len() / 2] / floor_median;
            let goal = if pdf { "" } else { " (target ≤ 1.5×: " };
            if !reads.is_empty() {
                let read = median(&mut reads);
                println!("  of which the read stage (keikaku's own timing) {read:.2} s, {:.2}× the floor", read / floor_median);
            }
            if pdf {
                println!("  {ratio:.2}× the calamine floor");
                if *n == 1_000 {
                    let median = times[times.len() / 2];
                    println!("  target (issue #22) < 1.5 s: {}", if median < 1.5 { "met" } else { "NOT met" });
                }
            } else {
                println!("  {ratio:.2}× the calamine floor{goal}{})", if ratio <= 1.5 { "met" } else { "NOT met" });
            }
            if *n == 1_000 {
                let (secs, mb) = TARGET_1000;
                let median = times[times.len() / 2];
                let ok = median < secs && peak.is_none_or(|k| k / 1024 < mb);
                println!("  target < {secs} s, < {mb} MB: {}", if ok { "met" } else { "NOT met" });
            }
            println!("  outputs: {}", describe_outputs(&out));
            if let Some(last) = message.lines().last() {
                println!("  keikaku: {last}");
            }
            peaks.push((*n, pdf, peak));
        }
    }
    // Memory against the number of submissions, per mode.
    for &pdf in &modes {
        let row: Vec<String> = peaks
            .iter()
            .filter(|p| p.1 == pdf)
            .map(|(n, _, k)| format!("{n}: {}", k.map_or("?".into(), |k| format!("{} MB", k / 1024))))
            .collect();
        if row.len() > 1 {
            println!("peak RSS by count ({}): {}", if pdf { "with PDF" } else { "--no-pdf" }, row.join(", "));
        }
    }
}
