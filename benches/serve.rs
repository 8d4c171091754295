//! Benchmark for issue #17 (`keikaku serve`), against the command line in
//! the same run:
//!
//! - **Page loads**: the home page, a round's page and its JSON, for a
//!   round of N centres after its collection (each page N requests,
//!   median and slowest). Target: under 50 ms.
//! - **A 1,000-workbook upload**: N returned workbooks in one request,
//!   until the upload is acknowledged (files synced and recorded) and
//!   until the round is collected (with the PDF, outputs kept), beside
//!   `keikaku pdca collect` on the same files. Target: the CLI's speed
//!   (the ratios are printed).
//!
//! The workbooks are generated as in `benches/collect.rs`
//! (`generated/returns.rs`). Run with `cargo bench --bench serve`.
//! Environment: `KEIKAKU_BENCH_SUBMISSIONS=N` (default 1000),
//! `KEIKAKU_BENCH_RUNS=R` (default 3).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "generated/mod.rs"]
mod generated;
#[path = "generated/returns.rs"]
#[allow(dead_code)]
mod returns;
#[path = "../tests/common/server.rs"]
#[allow(dead_code)]
mod server;

use std::path::Path;
use std::time::Instant;

use reqwest::blocking::multipart;
use returns::{check_submission, fail, write_master, write_submissions};
use server::Server;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Uploads every file of `dir` as one request to a new round of `master`
/// without waiting (`?wait=0`): the seconds until the upload is
/// acknowledged (every file on disk and in the database), and until the
/// round is collected (`GET /api/rounds/{id}?wait=1`).
fn server_run(s: &Server, master: &[u8], dir: &Path) -> (f64, f64, serde_json::Value) {
    let r = s.post_files("/api/rounds", "master", &[("master.xlsx", master.to_vec())]);
    if r.status() != 201 {
        fail(&format!("the server refused the master: {}", r.text().unwrap_or_default()));
    }
    let id = r.json::<serde_json::Value>().unwrap()["id"].as_i64().unwrap();
    // The distribution job runs first; wait for it so that only the upload is timed.
    let zip = s.get(&format!("/api/rounds/{id}/distribution.zip"));
    assert_eq!(zip.status(), 200);
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let start = Instant::now();
    let mut form = multipart::Form::new();
    for p in &files {
        form = form.file("file", p).unwrap();
    }
    let r = s
        .http
        .post(s.at(&format!("/api/rounds/{id}/submissions?wait=0")))
        .bearer_auth(&s.token)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let acknowledged = start.elapsed().as_secs_f64();
    let round: serde_json::Value = s.get(&format!("/api/rounds/{id}?wait=1")).json().unwrap();
    if round["job"]["state"] != "done" || round["collected"] != true {
        fail(&format!("the collection did not end well: {}", round["job"]));
    }
    (acknowledged, start.elapsed().as_secs_f64(), round)
}

fn page_times(s: &Server, cookie: &str, path: &str, n: usize) -> (f64, f64) {
    let mut times = Vec::new();
    for _ in 0..n {
        let start = Instant::now();
        let r = s.http.get(s.at(path)).header("Cookie", cookie).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let _ = r.bytes().unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let slowest = times.iter().cloned().fold(0.0, f64::max);
    (median(times), slowest)
}

fn main() {
    let n = env_or("KEIKAKU_BENCH_SUBMISSIONS", 1000);
    let runs = env_or("KEIKAKU_BENCH_RUNS", 3).max(1);
    let work = tempfile::tempdir().unwrap();
    let master_path = work.path().join("master.xlsx");
    let master = write_master(n, &master_path);
    let dir = work.path().join("submissions");
    let total = write_submissions(&master, &dir);
    check_submission(&master, &dir, &master.centres[0]);
    println!("serve bench: {n} returned workbooks ({:.1} MB), {runs} runs each", total as f64 / 1e6);
    let master_bytes = std::fs::read(&master_path).unwrap();

    let mut cli = Vec::new();
    let mut served = Vec::new();
    let mut acknowledged = Vec::new();
    let s = Server::start(&work.path().join("data"), &[]);
    let mut last = serde_json::Value::Null;
    for run in 0..runs {
        // Alternate the two so that both see the same machine.
        let out = work.path().join(format!("out_{run}"));
        let args =
            ["pdca", "collect", master_path.to_str().unwrap(), dir.to_str().unwrap(), "-o", out.to_str().unwrap()];
        let start = Instant::now();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku")).args(args).output().unwrap();
        if !matches!(o.status.code(), Some(0 | 3)) {
            fail(&format!("pdca collect failed: {}", String::from_utf8_lossy(&o.stderr)));
        }
        cli.push(start.elapsed().as_secs_f64());
        let (ack, secs, round) = server_run(&s, &master_bytes, &dir);
        acknowledged.push(ack);
        served.push(secs);
        last = round;
    }
    let complete = last["counts"]["提出済み"].as_u64().unwrap_or(0);
    if complete as usize != n {
        fail(&format!("the server's collection has {complete} of {n} centres 提出済み: {}", last["counts"]));
    }
    let (c, sv, ack) = (median(cli), median(served), median(acknowledged));
    println!("  pdca collect (CLI, with PDF):                median {c:.2} s");
    println!("  serve: upload of {n} files acknowledged:      median {ack:.2} s");
    println!("  serve: upload start → collected round:       median {sv:.2} s  (ratio to the CLI {:.2})", sv / c);
    println!(
        "  serve: the collection after the upload:      about {:.2} s  (ratio to the CLI {:.2})",
        sv - ack,
        (sv - ack) / c
    );

    let cookie = s.log_in();
    let id = last["id"].as_i64().unwrap();
    let requests = 20;
    for (label, path) in [
        ("home page /", "/".to_string()),
        ("round page /rounds/{id}", format!("/rounds/{id}")),
        ("round JSON /api/rounds/{id}", format!("/api/rounds/{id}")),
    ] {
        let (med, slowest) = page_times(&s, &cookie, &path, requests);
        let verdict = if slowest < 50.0 { "under 50 ms" } else { "OVER 50 ms" };
        println!("  {label:<32} ({n} centres): median {med:.1} ms, slowest of {requests} {slowest:.1} ms — {verdict}");
    }
}
