//! Benchmarks for the figures issues #2 and #3 name (run with `cargo bench`):
//! - a 100-page table-heavy document, whole process (`keikaku render`);
//! - a one-page document, whole process;
//! - the size of a 3-page Japanese document;
//! - the whole `keikaku agenda samples/agenda.xlsx` process (issue #3).
//!
//! Whole-process times include start-up, font parsing, layout, subsetting and
//! writing. Each figure is the median of several runs.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn run(dir: &Path, template: &str, data: &serde_json::Value) -> (Duration, u64, usize) {
    let t = dir.join("t.hbs");
    let d = dir.join("d.json");
    let o = dir.join("o.pdf");
    std::fs::write(&t, template).unwrap();
    std::fs::write(&d, serde_json::to_string(data).unwrap()).unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["render", "--template", t.to_str().unwrap(), "--data", d.to_str().unwrap(), "-o", o.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let size = std::fs::metadata(&o).unwrap().len();
    let pages = Command::new("pdfinfo")
        .arg(&o)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap_or(0)))
        })
        .unwrap_or(0);
    (elapsed, size, pages)
}

fn median(dir: &Path, name: &str, template: &str, data: &serde_json::Value, runs: usize) {
    let mut times = Vec::new();
    let mut last = (0, 0);
    for _ in 0..runs {
        let (t, size, pages) = run(dir, template, data);
        times.push(t);
        last = (size, pages);
    }
    times.sort();
    let med = times[times.len() / 2];
    println!(
        "{name:<28} median {:>8.1} ms  (min {:.1}, max {:.1}; {} runs)  {} pages  {} bytes",
        med.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        runs,
        last.1,
        last.0
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    let rows: Vec<serde_json::Value> = (1..=1500)
        .map(|i| {
            serde_json::json!({
                "no": i,
                "date": format!("令和{}年{}月", 2 + i / 12, 1 + i % 12),
                "what": format!("第{i}回定期連絡会（テーマ：サービス提供責任者の業務に関すること）。会員相互の情報交換を図ります。")
            })
        })
        .collect();
    let table = r#"<document title="100ページの表"><footer>- <page-number/> -</footer><h>日程</h><table columns="15mm 35mm 1fr" continued="（続き）"><thead><tr><th>番号</th><th>日程</th><th>内容</th></tr></thead>{{#each rows}}<tr><td>{{no}}</td><td>{{date}}</td><td>{{what}}</td></tr>{{/each}}</table></document>"#;
    median(dir, "100-page table document", table, &serde_json::json!({ "rows": rows }), 7);

    let one = r#"<document><footer>- <page-number/> -</footer><p font="gothic" size="12">第３号議案</p><p align="center" size="15" font="gothic">大田区訪問介護事業者連絡会</p><h>1． はじめに</h><p indent="1zw">{{t}}</p></document>"#;
    let t = "平成２２年３月の設立以来、本会は大田区の訪問介護サービスの質の向上と事業所間の連携強化に向けて、定期連絡会や大田区との意見交換会をはじめとした様々な活動を行ってまいりました。".repeat(5);
    median(dir, "one-page document", one, &serde_json::json!({ "t": t }), 15);

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let agenda_t = std::fs::read_to_string(root.join("templates/agenda.hbs")).unwrap();
    let agenda_d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("samples/agenda.json")).unwrap()).unwrap();
    median(dir, "sample 議案 (agenda.json)", &agenda_t, &agenda_d, 9);

    let three = format!(
        r#"<document><footer>- <page-number/> -</footer>{}</document>"#,
        (0..3)
            .map(|i| format!(
                "<h>第{i}章 地域包括ケア</h><p indent=\"1zw\">{}</p><page-break/>",
                "地域包括支援センターは、高齢者が住み慣れた地域で安心して暮らし続けられるよう、介護・医療・予防・生活支援を一体的に提供する拠点です。".repeat(14)
            ))
            .collect::<String>()
    );
    median(dir, "3-page Japanese document", &three, &serde_json::json!({}), 5);

    // Issue #3: the whole `keikaku agenda samples/agenda.xlsx` process
    // (guarded read of the workbook, model, template, layout, PDF).
    let xlsx = root.join("samples/agenda.xlsx");
    let out = dir.join("agenda.pdf");
    let mut times = Vec::new();
    for _ in 0..15 {
        let start = Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_keikaku"))
            .args(["agenda", xlsx.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        times.push(start.elapsed());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    times.sort();
    println!(
        "{:<28} median {:>8.1} ms  (min {:.1}, max {:.1}; {} runs)  {} bytes  (target < 100 ms)",
        "keikaku agenda agenda.xlsx",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len(),
        std::fs::metadata(&out).unwrap().len()
    );
}
