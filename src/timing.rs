//! Progress and timings, from one place: the progress bar the commands
//! draw on a terminal ([`progress_bar`]), and stage timings for profiling,
//! printed to stderr when `KEIKAKU_TIMING` is set in the environment (the
//! outputs are unchanged either way).
//!
//! ```text
//! timing: read 1,000 files 1.21 s (peak RSS 180 MB)
//! ```

use std::time::Instant;

/// A progress bar over `len` things called `unit` (センター, ファイル),
/// drawn on stderr only when it is a terminal.
pub fn progress_bar(len: usize, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(len as u64), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}}"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Whether `KEIKAKU_TIMING` is set.
pub fn enabled() -> bool {
    std::env::var_os("KEIKAKU_TIMING").is_some()
}

/// The process's peak resident memory so far in MB (Linux; `None` elsewhere).
pub fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Times consecutive stages.
#[derive(Debug)]
pub struct Stages {
    on: bool,
    last: Instant,
}

impl Stages {
    /// Starts timing (a no-op unless [`enabled`]).
    pub fn start() -> Stages {
        Stages { on: enabled(), last: Instant::now() }
    }

    /// Ends a stage: prints its name, its time and the peak memory so far.
    pub fn done(&mut self, stage: &str) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        let peak = peak_rss_mb().map_or(String::new(), |m| format!(" (peak RSS {m} MB)"));
        eprintln!("timing: {stage} {:.2} s{peak}", (now - self.last).as_secs_f64());
        self.last = now;
    }
}

/// Time spent in the steps of work done in parallel (summed over threads),
/// for the parts of a long report: which step the cores spend their time in.
#[derive(Debug)]
pub struct Tally<const N: usize> {
    on: bool,
    names: [&'static str; N],
    micros: [std::sync::atomic::AtomicU64; N],
}

impl<const N: usize> Tally<N> {
    /// A tally of the steps `names` (a no-op unless [`enabled`]).
    pub fn new(names: [&'static str; N]) -> Tally<N> {
        Tally { on: enabled(), names, micros: [const { std::sync::atomic::AtomicU64::new(0) }; N] }
    }

    /// Runs step `k`, adding its time.
    pub fn time<T>(&self, k: usize, step: impl FnOnce() -> T) -> T {
        if !self.on {
            return step();
        }
        let start = Instant::now();
        let out = step();
        self.micros[k].fetch_add(start.elapsed().as_micros() as u64, std::sync::atomic::Ordering::Relaxed);
        out
    }

    /// Prints each step's summed time.
    pub fn print(&self, what: &str) {
        if !self.on {
            return;
        }
        let steps: Vec<String> = self
            .names
            .iter()
            .zip(&self.micros)
            .map(|(n, m)| format!("{n} {:.2} s", m.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6))
            .collect();
        eprintln!("timing: {what} (CPU time summed over threads): {}", steps.join(", "));
    }
}
