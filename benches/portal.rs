//! Benchmark for issue #18 (the centres' portal): 1,000 centres upload
//! their filled workbooks through their own links, 16, 32 and 64 at a
//! time, each upload checked at once (and the round collected in the
//! background meanwhile). Prints uploads per second and the latency of
//! an upload (median, p95, slowest). Target: p95 under 1 s on the 2-core
//! machine.
//!
//! The workbooks are generated as in `benches/collect.rs`
//! (`generated/returns.rs`). Run with `cargo bench --bench portal`.
//! Environment: `KEIKAKU_BENCH_SUBMISSIONS=N` (default 1000),
//! `KEIKAKU_BENCH_CONCURRENCY=16,32,64`.

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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use reqwest::blocking::multipart;
use returns::{check_submission, fail, submission_name, write_master, write_submissions};
use server::Server;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n: usize = std::env::var("KEIKAKU_BENCH_SUBMISSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let levels: Vec<usize> = std::env::var("KEIKAKU_BENCH_CONCURRENCY")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![16, 32, 64]);
    let work = tempfile::tempdir().unwrap();
    let master_path = work.path().join("master.xlsx");
    let master = write_master(n, &master_path);
    let dir = work.path().join("submissions");
    let total = write_submissions(&master, &dir);
    check_submission(&master, &dir, &master.centres[0]);
    let files: Vec<(String, Vec<u8>)> =
        master.centres.iter().map(|c| (c.id.clone(), std::fs::read(dir.join(submission_name(c))).unwrap())).collect();
    println!("portal bench: {n} centres, {:.1} MB of workbooks", total as f64 / 1e6);
    let s = Server::start(&work.path().join("data"), &[]);
    let master_bytes = std::fs::read(&master_path).unwrap();
    for level in levels {
        let r = s.post_files("/api/rounds", "master", &[("master.xlsx", master_bytes.clone())]);
        if r.status() != 201 {
            fail("the server refused the master");
        }
        let round: serde_json::Value = r.json().unwrap();
        let id = round["id"].as_i64().unwrap();
        let links: std::collections::HashMap<String, String> = round["centres"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().to_string(), c["upload_url"].as_str().unwrap().to_string()))
            .collect();
        // Let the distribution finish first: the uploads are measured alone.
        assert_eq!(s.get(&format!("/api/rounds/{id}/distribution.zip")).status(), 200);
        let next = AtomicUsize::new(0);
        let latencies = Mutex::new(Vec::with_capacity(n));
        let refused = AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..level {
                scope.spawn(|| {
                    let http = reqwest::blocking::Client::builder()
                        .timeout(std::time::Duration::from_secs(600))
                        .build()
                        .unwrap();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((centre, bytes)) = files.get(i) else { break };
                        let t = Instant::now();
                        let r = http
                            .post(&links[centre])
                            .header("Accept", "application/json")
                            .multipart(multipart::Form::new().part(
                                "file",
                                multipart::Part::bytes(bytes.clone()).file_name(format!("{centre}.xlsx")),
                            ))
                            .send();
                        let ok = r.map(|r| r.status() == 200).unwrap_or(false);
                        if !ok {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        latencies.lock().unwrap().push(t.elapsed().as_secs_f64());
                    }
                });
            }
        });
        let secs = start.elapsed().as_secs_f64();
        let mut l = latencies.into_inner().unwrap();
        l.sort_by(f64::total_cmp);
        let refused = refused.into_inner();
        if refused > 0 {
            fail(&format!("{refused} uploads were not accepted"));
        }
        let collected: serde_json::Value = s.get(&format!("/api/rounds/{id}?wait=1")).json().unwrap();
        let complete = collected["counts"]["提出済み"].as_u64().unwrap_or(0);
        let verdict = if percentile(&l, 0.95) < 1.0 { "under 1 s" } else { "OVER 1 s" };
        println!(
            "  {level:>2} at a time: {n} uploads in {secs:.1} s = {:.0} uploads/s; latency median {:.0} ms, p95 {:.0} ms ({verdict}), slowest {:.0} ms; collected afterwards: {complete} 提出済み",
            n as f64 / secs,
            percentile(&l, 0.5) * 1000.0,
            percentile(&l, 0.95) * 1000.0,
            l.last().unwrap() * 1000.0,
        );
    }
}
