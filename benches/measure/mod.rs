//! Running the keikaku binary for a benchmark: wall time, and peak memory
//! from `/usr/bin/time -v` when it is installed. Shared by the benchmarks.

use std::process::Command;
use std::time::Instant;

/// One run of `keikaku ARGS`: seconds, peak RSS in kB, and the command's
/// own stderr (without the lines of `/usr/bin/time`). Fails with the
/// command's message when it exits with an error.
pub fn timed(args: &[&str]) -> Result<(f64, Option<u64>, String), String> {
    timed_program(env!("CARGO_BIN_EXE_keikaku"), args)
}

/// One run of `bin ARGS`, measured as [`timed`] measures keikaku (a bench
/// runs itself this way for a peer or a floor in the same run).
#[allow(dead_code)] // Not every bench has a peer.
pub fn timed_program(bin: &str, args: &[&str]) -> Result<(f64, Option<u64>, String), String> {
    let time_v = std::path::Path::new("/usr/bin/time").exists();
    let start = Instant::now();
    let output = if time_v {
        Command::new("/usr/bin/time").arg("-v").arg(bin).args(args).output()
    } else {
        Command::new(bin).args(args).output()
    }
    .map_err(|e| format!("cannot run {bin}: {e}"))?;
    let secs = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    let (own, report) = match err.find("\tCommand being timed:") {
        Some(i) if time_v => (err[..i].to_string(), err[i..].to_string()),
        _ => (err.clone(), String::new()),
    };
    if !output.status.success() {
        return Err(format!("{bin} {} failed ({}):\n{}", args.join(" "), output.status, err.trim_end()));
    }
    let rss = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<u64>().ok());
    Ok((secs, rss, own.trim().to_string()))
}
