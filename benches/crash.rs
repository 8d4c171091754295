//! Crash safety of the final move (issue 15): `keikaku pdca distribute` of a
//! generated 600-centre master over a previous result, killed with SIGKILL
//! (`kill -9`) at random moments, again and again. After every kill each
//! centre's workbook must be there, in its old or its new version; the next
//! run (the library's `recover`, which every staging runs first, or a whole
//! `distribute`) must finish an interrupted commit or leave the old files,
//! and leave no staging folder.
//!
//! Half of the kills fall anywhere in a run, half during the final move (a
//! random delay after the journal appears). Run with
//! `cargo bench --bench crash`; `KEIKAKU_CRASH_KILLS=N` sets the number of
//! kills (default 30), `KEIKAKU_CRASH_SEED=N` the random seed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "generated/mod.rs"]
mod generated;

use generated::generated_master;
use keikaku::forms::pdca::master::SHEETS as FORM;

const CENTRES: usize = 600;

/// xorshift64*: enough randomness for kill times, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

type Files = BTreeMap<String, Vec<u8>>;

/// The centre files of a folder (staging folders left out).
fn files(dir: &Path) -> Files {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().starts_with(".keikaku-"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn staging_folders(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".keikaku-"))
        .collect()
}

/// Whether a commit was under way (a staging folder with a journal).
fn journaled(dir: &Path) -> bool {
    staging_folders(dir).iter().any(|s| s.join(".journal").exists())
}

fn command(master: &Path, out: &Path, epoch: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keikaku"));
    cmd.args(["pdca", "distribute", master.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", epoch)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn run(master: &Path, out: &Path, epoch: &str) {
    let status = command(master, out, epoch).status().unwrap();
    assert!(status.success(), "distribute failed: {status}");
}

fn main() {
    let kills: usize = std::env::var("KEIKAKU_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let seed: u64 = std::env::var("KEIKAKU_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    }) | 1;
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.xlsx");
    let m = generated_master(CENTRES);
    std::fs::write(&master, keikaku::xlsx::write_form("bench", &FORM, &m.to_sheets()).unwrap()).unwrap();
    // Two versions of the result (different creation dates), made whole.
    let epochs = ["1700000000", "1800000000"];
    let versions: Vec<Files> = epochs
        .iter()
        .map(|e| {
            let out = dir.path().join(format!("v{e}"));
            run(&master, &out, e);
            files(&out)
        })
        .collect();
    assert_eq!(versions[0].len(), CENTRES);
    assert!(versions[0].iter().zip(&versions[1]).all(|(a, b)| a.0 == b.0 && a.1 != b.1));
    let out = dir.path().join("out");
    let t = Instant::now();
    run(&master, &out, epochs[0]);
    let whole = t.elapsed();
    println!("seed {seed}: {CENTRES} centres, one whole run {:.2} s", whole.as_secs_f64());

    let mut current = 0; // which version the folder holds
    let (mut during_move, mut recovered_forward, mut kept_old, mut by_cli) = (0, 0, 0, 0);
    let mut finished_before_kill = 0;
    let mut k = 0;
    while k < kills {
        let next = 1 - current;
        let mut child = command(&master, &out, epochs[next]).spawn().unwrap();
        let start = Instant::now();
        if k % 2 == 0 {
            // Anywhere in the run.
            std::thread::sleep(Duration::from_micros(rng.below(whole.as_micros() as u64 * 11 / 10)));
        } else {
            // During the final move: wait for the journal, then a little more.
            while !journaled(&out) && start.elapsed() < whole * 3 {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(Duration::from_micros(rng.below(4_000)));
        }
        let exited = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        if exited || status.success() {
            finished_before_kill += 1;
            assert!(files(&out) == versions[next], "a finished run wrote the new version");
            assert!(staging_folders(&out).is_empty());
            current = next;
            continue;
        }
        k += 1;
        // Right after the kill: every centre's file, old or new.
        let now = files(&out);
        assert_eq!(now.len(), CENTRES, "kill {k}: a centre's file is missing");
        for (name, bytes) in &now {
            assert!(
                bytes == &versions[current][name] || bytes == &versions[next][name],
                "kill {k}: {name} is neither the old nor the new version"
            );
        }
        let mid_move = journaled(&out);
        during_move += usize::from(mid_move);
        if k % 3 == 0 {
            // The next run is a whole distribute: it finishes what was left
            // and writes its own version.
            run(&master, &out, epochs[next]);
            assert!(files(&out) == versions[next], "kill {k}: the next run's result");
            by_cli += 1;
            current = next;
        } else {
            keikaku::output::recover(&out).unwrap();
            let after = files(&out);
            if after == versions[next] {
                // Finished: the commit was under way, or already complete
                // and only its staging folder was left.
                recovered_forward += 1;
                current = next;
            } else {
                assert!(!mid_move, "kill {k}: an interrupted commit is not finished by the next run");
                assert!(after == versions[current], "kill {k}: neither all old nor all new after recovery");
                kept_old += 1;
            }
        }
        assert!(staging_folders(&out).is_empty(), "kill {k}: a staging folder was left behind");
    }
    println!(
        "{kills} kills (SIGKILL), {during_move} during the final move; after each: {CENTRES} files, each old or new. \
         Recovered: {recovered_forward} commits finished, {kept_old} runs left the old files, {by_cli} by a whole next run; \
         no staging folder left. ({finished_before_kill} runs finished before their kill and were not counted.)"
    );
}
