//! Helpers shared by the integration tests: run the binary, read PDFs back
//! with poppler's pdftotext / pdffonts, as a reader would.
#![allow(dead_code)]

pub mod fill;
pub mod plan;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the keikaku binary with arguments and extra environment.
pub fn keikaku(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keikaku"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run keikaku")
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Text of a PDF by pdftotext (poppler-utils must be installed: .ci/run does it).
pub fn pdftotext(pdf: &Path, extra: &[&str]) -> String {
    let out = Command::new("pdftotext")
        .args(extra)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("pdftotext output is UTF-8")
}

/// Text of one page (1-based).
pub fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    pdftotext(pdf, &["-f", &p, "-l", &p])
}

/// Text of one page (1-based) in the order it is drawn (`pdftotext -raw`):
/// a table cell's lines stay together however the cells beside it line up.
pub fn page_text_drawn(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    pdftotext(pdf, &["-raw", "-f", &p, "-l", &p])
}

/// `qpdf --check` finds no error and no warning in `pdf` (qpdf must be
/// installed: .ci/run does it).
pub fn qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf not found: install qpdf (apt-get install -y qpdf)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No syntax or stream encoding errors"),
        "qpdf --check {}: {}{}",
        pdf.display(),
        text,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PDF text string written as UTF-16BE with its byte order mark, as text.
pub fn pdf_text_string(o: &lopdf::Object) -> String {
    let b = o.as_str().unwrap();
    assert!(b.starts_with(&[0xFE, 0xFF]), "a UTF-16 text string");
    let units: Vec<u16> = b[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    String::from_utf16(&units).unwrap()
}

/// The titles of the PDF's outline (bookmarks), in document order, read
/// through lopdf (the objects are in compressed object streams).
pub fn outline_titles(pdf: &Path) -> Vec<String> {
    use lopdf::{Document, ObjectId};
    let doc = &Document::load(pdf).unwrap();
    fn visit(doc: &Document, first: Option<ObjectId>, out: &mut Vec<String>) {
        let mut at = first;
        while let Some(id) = at {
            let d = doc.get_object(id).unwrap().as_dict().unwrap();
            out.push(pdf_text_string(d.get(b"Title").unwrap()));
            visit(doc, d.get(b"First").ok().map(|f| f.as_reference().unwrap()), out);
            at = d.get(b"Next").ok().map(|n| n.as_reference().unwrap());
        }
    }
    let mut out = Vec::new();
    let outlines = doc.catalog().unwrap().get(b"Outlines").unwrap().as_reference().unwrap();
    let first = doc.get_object(outlines).unwrap().as_dict().unwrap().get(b"First").unwrap().as_reference().unwrap();
    visit(doc, Some(first), &mut out);
    out
}

/// pdfinfo says the PDF is tagged.
pub fn assert_tagged(pdf: &Path) {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{s}");
}

/// Number of pages by pdfinfo.
pub fn page_count(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let s = String::from_utf8_lossy(&out.stdout);
    s.lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).expect("Pages: line")
}

/// pdffonts output.
pub fn pdffonts(pdf: &Path) -> String {
    let out = Command::new("pdffonts").arg(pdf).output().expect("pdffonts");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes all white space (pdftotext breaks lines where the layout did).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that every needle occurs in the haystack, in order.
pub fn assert_in_order(haystack: &str, needles: &[String]) {
    let mut from = 0;
    for n in needles {
        match haystack[from..].find(n.as_str()) {
            Some(i) => from += i + n.len(),
            None => {
                let found_anywhere = haystack.contains(n.as_str());
                panic!("missing or out of order (found elsewhere: {found_anywhere}): {n}");
            }
        }
    }
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Renders the shipped sample (`templates/agenda.hbs` with `samples/agenda.json`) to `out`.
pub fn render_sample_agenda(out: &Path, env: &[(&str, &str)]) -> Output {
    let r = root();
    keikaku(
        &[
            "render",
            "--template",
            r.join("templates/agenda.hbs").to_str().unwrap(),
            "--data",
            r.join("samples/agenda.json").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        env,
    )
}

/// Writes a template and JSON data, renders them, returns the output.
pub fn render(dir: &Path, template: &str, data: &serde_json::Value, env: &[(&str, &str)]) -> (Output, PathBuf) {
    let t = dir.join("t.hbs");
    let d = dir.join("d.json");
    let o = dir.join("out.pdf");
    std::fs::write(&t, template).unwrap();
    std::fs::write(&d, serde_json::to_string(data).unwrap()).unwrap();
    let out = keikaku(
        &["render", "--template", t.to_str().unwrap(), "--data", d.to_str().unwrap(), "-o", o.to_str().unwrap()],
        env,
    );
    (out, o)
}

/// The reference 議案 split into sentences (at 。 and line ends), without
/// white space, for [`assert_in_order`] against pdftotext output.
pub fn reference_sentences() -> Vec<String> {
    let r = root();
    let reference = std::fs::read_to_string(r.join("../shared/reference/agenda_ota_2020.txt"))
        .or_else(|_| std::fs::read_to_string(r.join("tests/data/agenda_ota_2020.txt")))
        .unwrap();
    let mut needles = Vec::new();
    for line in reference.lines() {
        for part in line.split_inclusive('。') {
            let s = squash(part);
            if !s.is_empty() {
                needles.push(s);
            }
        }
    }
    assert!(needles.len() > 60, "reference parsed into {} pieces", needles.len());
    needles
}

/// The entries of an xlsx (zip) file: name and bytes, in zip order.
pub fn xlsx_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

/// The sheet XML path of each sheet name, through workbook.xml and its rels.
pub fn sheet_paths(parts: &[(String, Vec<u8>)]) -> std::collections::HashMap<String, String> {
    let get = |n: &str| String::from_utf8(parts.iter().find(|(p, _)| p == n).unwrap().1.clone()).unwrap();
    let wb = get("xl/workbook.xml");
    let rels = get("xl/_rels/workbook.xml.rels");
    let wb = roxmltree::Document::parse(&wb).unwrap();
    let rels = roxmltree::Document::parse(&rels).unwrap();
    let target: std::collections::HashMap<&str, &str> = rels
        .descendants()
        .filter(|n| n.has_tag_name("Relationship"))
        .map(|n| (n.attribute("Id").unwrap(), n.attribute("Target").unwrap()))
        .collect();
    let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    wb.descendants()
        .filter(|n| n.has_tag_name("sheet"))
        .map(|n| (n.attribute("name").unwrap().to_string(), format!("xl/{}", target[n.attribute((r, "id")).unwrap()])))
        .collect()
}

/// A zip holding `xl/workbook.xml` and a sheet of `size` spaces.
pub fn bomb_zip(size: usize) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<Types/>").unwrap();
        z.start_file("xl/workbook.xml", opts).unwrap();
        z.write_all(b"<workbook/>").unwrap();
        z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len());
            z.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}
