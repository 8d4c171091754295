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
    (elapsed, size, pages(&o))
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

/// Typst source for a keikaku markup document, element for element (the
/// peer of the agenda figure: same text, fonts, sizes and page): headings,
/// paragraphs (indent, alignment, font, size), lists with their markers,
/// tables, vertical space and the page-number footer.
fn to_typst(markup: &str) -> String {
    fn esc(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if "#[]*_`$<>@\\~/=+-".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
    fn text(n: roxmltree::Node) -> String {
        n.descendants().filter(|d| d.is_text()).map(|d| d.text().unwrap_or("").trim()).collect()
    }
    fn font(n: roxmltree::Node) -> &'static str {
        if n.attribute("font") == Some("gothic") {
            "IPAexGothic"
        } else {
            "IPAexMincho"
        }
    }
    fn block(n: roxmltree::Node, out: &mut String) {
        match n.tag_name().name() {
            "p" | "h" => {
                let size = n.attribute("size").unwrap_or(if n.tag_name().name() == "h" { "12" } else { "10.5" });
                let f = if n.tag_name().name() == "h" { "IPAexGothic" } else { font(n) };
                let body = format!("#text(font: \"{f}\", size: {size}pt)[{}]", esc(&text(n)));
                let indent = if n.attribute("indent").is_some() { "#h(1em)" } else { "" };
                match n.attribute("align") {
                    Some("center") => out.push_str(&format!("#align(center)[{body}]\n\n")),
                    _ => out.push_str(&format!("{indent}{body}\n\n")),
                }
            }
            "space" => out.push_str("#v(6mm)\n"),
            "list" => {
                for item in n.children().filter(|c| c.has_tag_name("item")) {
                    let marker = esc(item.attribute("marker").unwrap_or(""));
                    out.push_str(&format!("#grid(columns: (3em, 1fr), [{marker}], ["));
                    let blocks: Vec<_> = item.children().filter(|c| c.is_element() && !c.has_tag_name("b")).collect();
                    if blocks.is_empty() {
                        out.push_str(&esc(&text(item)));
                    }
                    for c in blocks {
                        block(c, out);
                    }
                    out.push_str("])\n");
                }
            }
            "table" => {
                let rows: Vec<_> = n.descendants().filter(|d| d.has_tag_name("tr")).collect();
                let cols = rows.iter().map(|r| r.children().filter(|c| c.is_element()).count()).max().unwrap_or(1);
                out.push_str(&format!("#table(columns: {cols},\n"));
                for r in rows {
                    for c in r.children().filter(|c| c.is_element()) {
                        out.push_str(&format!("  [{}],\n", esc(&text(c))));
                    }
                }
                out.push_str(")\n");
            }
            _ => {}
        }
    }
    let doc = roxmltree::Document::parse(markup).unwrap();
    let mut out = String::from(
        "#set page(paper: \"a4\", margin: (top: 22mm, right: 22mm, bottom: 20mm, left: 22mm), \
         footer: context align(center)[- #counter(page).display() -])\n\
         #set text(font: \"IPAexMincho\", size: 10.5pt, lang: \"ja\")\n\
         #set par(justify: true, leading: 1.05em, spacing: 1.05em)\n",
    );
    for n in doc.root_element().children().filter(|c| c.is_element()) {
        block(n, &mut out);
    }
    out
}

/// The page count pdfinfo gives (0 without pdfinfo).
fn pages(pdf: &Path) -> usize {
    Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

/// Median of `runs` whole-process runs of `cmd`.
fn median_of(runs: usize, mut cmd: impl FnMut() -> Command) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let o = cmd().output().unwrap();
        times.push(start.elapsed());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    times.sort();
    times[times.len() / 2]
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

    // Issue #21: the agenda beside Typst in the same run (Typst through its
    // Python binding, `pip install typst`, whole process as keikaku's:
    // interpreter start, font loading, layout, PDF). The Typst source is the
    // agenda's markup converted element for element.
    let markup = dir.join("agenda.xml");
    let o = Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["agenda", xlsx.to_str().unwrap(), "-o", out.to_str().unwrap(), "--emit-markup", markup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let typ = dir.join("agenda.typ");
    std::fs::write(&typ, to_typst(&std::fs::read_to_string(&markup).unwrap())).unwrap();
    let typst_pdf = dir.join("agenda-typst.pdf");
    let script = format!(
        "import typst; typst.compile({:?}, output={:?}, font_paths=[{:?}], ignore_system_fonts=True)",
        typ.to_str().unwrap(),
        typst_pdf.to_str().unwrap(),
        root.join("fonts").to_str().unwrap()
    );
    // The interpreter itself, not a version manager's shim in front of it
    // (pyenv's added 80 ms a start).
    let python = Command::new("python3")
        .args(["-c", "import sys, typst; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(python) = python {
        // Interleaved, so that both see the same machine state.
        let mut k = Vec::new();
        let mut t = Vec::new();
        for _ in 0..5 {
            k.push(median_of(3, || {
                let mut c = Command::new(env!("CARGO_BIN_EXE_keikaku"));
                c.args(["agenda", xlsx.to_str().unwrap(), "-o", out.to_str().unwrap()]);
                c
            }));
            t.push(median_of(3, || {
                let mut c = Command::new(&python);
                c.args(["-c", &script]);
                c
            }));
        }
        k.sort();
        t.sort();
        let (k, t) = (k[2].as_secs_f64() * 1000.0, t[2].as_secs_f64() * 1000.0);
        let py = median_of(9, || {
            let mut c = Command::new(&python);
            c.args(["-c", "pass"]);
            c
        })
        .as_secs_f64()
            * 1000.0;
        println!(
            "agenda beside Typst          keikaku {k:.1} ms, Typst {t:.1} ms (of which Python start {py:.1} ms): \
             ratio {:.2} (target ≤ 0.60), {:.2} against Typst without the interpreter's start; \
             sizes {} / {} bytes (target ≤ 100 KB), pages {} / {}",
            k / t,
            k / (t - py),
            std::fs::metadata(&out).unwrap().len(),
            std::fs::metadata(&typst_pdf).unwrap().len(),
            pages(&out),
            pages(&typst_pdf)
        );
        let _ = std::fs::copy(&typst_pdf, std::env::temp_dir().join("keikaku-bench-agenda-typst.pdf"));
    } else {
        println!("agenda beside Typst          Typst not installed (pip install typst): no ratio");
    }
}
