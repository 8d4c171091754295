//! Tagged PDF read back the way assistive technology reads it: the
//! structure tree of the sample agenda is walked from the catalog, each
//! element's marked content is looked up in the page streams and turned
//! into text through the fonts' /ToUnicode maps, and the result is compared
//! with the reference document and with the outline.

mod common;

use std::collections::HashMap;

use common::*;
use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId};

/// What a marked-content sequence in a page stream is.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Mcid(i64),
    Artifact,
    /// A span with /ActualText inside a sequence: its glyphs belong to the
    /// sequence around it.
    Span,
}

/// The text drawn in a page's streams: per MCID, the artifacts, and the
/// glyphs drawn outside any marked content.
#[derive(Default)]
struct PageText {
    by_mcid: HashMap<i64, String>,
    artifacts: String,
    unmarked: String,
}

/// A /ToUnicode CMap of two-byte codes (as keikaku writes them: bfchar).
fn cmap(doc: &Document, font: &lopdf::Dictionary) -> HashMap<u16, String> {
    let mut map = HashMap::new();
    let Ok(Object::Reference(id)) = font.get(b"ToUnicode") else { return map };
    let stream = doc.get_object(*id).unwrap().as_stream().unwrap();
    let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let hex = |s: &str| s.trim_matches(|c| c == '<' || c == '>').to_string();
    let mut in_chars = false;
    for line in text.lines() {
        if line.ends_with("beginbfchar") {
            in_chars = true;
        } else if line == "endbfchar" {
            in_chars = false;
        } else if in_chars {
            let mut parts = line.split_whitespace();
            let (code, uni) = (hex(parts.next().unwrap()), hex(parts.next().unwrap()));
            let units: Vec<u16> =
                (0..uni.len() / 4).map(|k| u16::from_str_radix(&uni[4 * k..4 * k + 4], 16).unwrap()).collect();
            map.insert(u16::from_str_radix(&code, 16).unwrap(), String::from_utf16(&units).unwrap());
        }
    }
    map
}

fn page_text(doc: &Document, page: ObjectId) -> PageText {
    let fonts: HashMap<Vec<u8>, HashMap<u16, String>> =
        doc.get_page_fonts(page).unwrap().into_iter().map(|(name, f)| (name, cmap(doc, f))).collect();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut out = PageText::default();
    let mut stack: Vec<Mark> = Vec::new();
    let mut font: Vec<u8> = Vec::new();
    for op in content.operations {
        match op.operator.as_str() {
            "BDC" => {
                let mcid = op.operands.get(1).and_then(|d| d.as_dict().ok()).and_then(|d| d.get(b"MCID").ok());
                stack.push(match mcid {
                    Some(m) => Mark::Mcid(m.as_i64().unwrap()),
                    None if op.operands[0].as_name().unwrap() == b"Artifact" => Mark::Artifact,
                    None => Mark::Span,
                });
            }
            "BMC" => stack.push(if op.operands[0].as_name().unwrap() == b"Artifact" { Mark::Artifact } else { Mark::Span }),
            "EMC" => {
                stack.pop().expect("EMC without a sequence");
            }
            "Tf" => font = op.operands[0].as_name().unwrap().to_vec(),
            "Tj" | "TJ" => {
                let strings: Vec<&Object> = match &op.operands[0] {
                    Object::Array(a) => a.iter().filter(|o| matches!(o, Object::String(..))).collect(),
                    s => vec![s],
                };
                let map = &fonts[&font];
                let mut text = String::new();
                for s in strings {
                    for pair in s.as_str().unwrap().chunks(2) {
                        let code = u16::from_be_bytes([pair[0], pair[1]]);
                        text.push_str(map.get(&code).map(String::as_str).unwrap_or("\u{FFFD}"));
                    }
                }
                match stack.iter().rev().find(|m| **m != Mark::Span) {
                    Some(Mark::Mcid(m)) => out.by_mcid.entry(*m).or_default().push_str(&text),
                    Some(Mark::Artifact) => out.artifacts.push_str(&text),
                    _ => out.unmarked.push_str(&text),
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unbalanced marked content on page {page:?}");
    out
}

/// An element of the structure tree, in document order.
#[derive(Debug, Clone)]
struct Elem {
    role: String,
    /// Its own marked content's text.
    own: String,
    /// Its text and its descendants', in order.
    text: String,
    /// Its children's roles.
    kids: Vec<String>,
}

struct Walker<'a> {
    doc: &'a Document,
    pages: HashMap<ObjectId, PageText>,
    out: Vec<Elem>,
}

impl<'a> Walker<'a> {
    /// The structure tree of `doc` walked from its catalog's root element.
    fn of(doc: &'a Document) -> Walker<'a> {
        let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap().as_reference().unwrap();
        let top = doc.get_object(root).unwrap().as_dict().unwrap().get(b"K").unwrap().as_reference().unwrap();
        let mut w = Walker { doc, pages: HashMap::new(), out: Vec::new() };
        w.walk(top);
        w
    }

    fn mcid_text(&mut self, page: ObjectId, mcid: i64) -> String {
        let doc = self.doc;
        let p = self.pages.entry(page).or_insert_with(|| page_text(doc, page));
        p.by_mcid.get(&mcid).cloned().unwrap_or_else(|| panic!("MCID {mcid} of page {page:?} draws nothing"))
    }

    /// Walks element `id`; returns its text.
    fn walk(&mut self, id: ObjectId) -> String {
        let e = self.doc.get_object(id).unwrap().as_dict().unwrap().clone();
        let role = String::from_utf8(e.get(b"S").unwrap().as_name().unwrap().to_vec()).unwrap();
        let pg = e.get(b"Pg").ok().map(|p| p.as_reference().unwrap());
        let at = self.out.len();
        self.out.push(Elem { role, own: String::new(), text: String::new(), kids: Vec::new() });
        let kids = match e.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(k) => vec![k.clone()],
            Err(_) => vec![],
        };
        let (mut own, mut text) = (String::new(), String::new());
        for k in kids {
            match k {
                Object::Integer(mcid) => {
                    let t = self.mcid_text(pg.expect("/Pg for bare MCIDs"), mcid);
                    own.push_str(&t);
                    text.push_str(&t);
                }
                Object::Dictionary(mcr) => {
                    let page = mcr.get(b"Pg").unwrap().as_reference().unwrap();
                    let t = self.mcid_text(page, mcr.get(b"MCID").unwrap().as_i64().unwrap());
                    own.push_str(&t);
                    text.push_str(&t);
                }
                Object::Reference(child) => {
                    let kid_role = self.doc.get_object(child).unwrap().as_dict().unwrap().get(b"S").unwrap();
                    let kid_role = String::from_utf8(kid_role.as_name().unwrap().to_vec()).unwrap();
                    self.out[at].kids.push(kid_role);
                    text.push_str(&self.walk(child));
                }
                other => panic!("unexpected /K entry {other:?}"),
            }
        }
        self.out[at].own = own;
        self.out[at].text = text.clone();
        text
    }
}

#[test]
fn the_sample_agenda_reads_in_order_through_its_structure_tree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agenda.pdf");
    let o = render_sample_agenda(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_tagged(&out);
    let doc = Document::load(&out).unwrap();
    let catalog = doc.catalog().unwrap();
    let mark_info = catalog.get(b"MarkInfo").unwrap().as_dict().unwrap();
    assert!(mark_info.get(b"Marked").unwrap().as_bool().unwrap());
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"ja");
    let mut w = Walker::of(&doc);
    let elems = w.out.clone();
    assert_eq!(elems[0].role, "Document");

    // Every glyph drawn is marked: content of some element, or an artifact
    // (the page numbers at the foot).
    let mut artifacts = String::new();
    for (_, page) in doc.get_pages() {
        let t = w.pages.remove(&page).unwrap_or_else(|| page_text(&doc, page));
        assert_eq!(t.unmarked, "", "glyphs outside marked content");
        artifacts.push_str(&t.artifacts);
    }
    assert_eq!(squash(&artifacts), "-1--2--3-", "the footers are artifacts");

    // The text in structure order is the reference, sentence by sentence.
    let all: String = elems.iter().map(|e| e.own.as_str()).collect();
    assert_in_order(&squash(&all), &reference_sentences());

    // Headings: the outline's, in the same order and with the same text.
    let headings: Vec<String> = elems
        .iter()
        .filter(|e| e.role.len() == 2 && e.role.starts_with('H'))
        .map(|e| squash(&e.text))
        .collect();
    let titles: Vec<String> = outline_titles(&out).iter().map(|t| squash(t)).collect();
    assert_eq!(headings, titles);
    assert!(headings.len() >= 5, "{headings:?}");
    // The agenda's chapters (1．はじめに …) are its top level.
    assert!(elems.iter().filter(|e| e.role.starts_with('H') && e.role.len() == 2).all(|e| e.role == "H1"));

    // Paragraphs hold text; list items a label and a body.
    let count = |r: &str| elems.iter().filter(|e| e.role == r).count();
    assert!(count("P") >= 10, "{} paragraphs", count("P"));
    for e in elems.iter().filter(|e| e.role == "P") {
        assert!(!e.text.trim().is_empty(), "an empty paragraph");
    }
    assert!(count("LI") >= 8, "{} list items", count("LI"));
    for (i, e) in elems.iter().enumerate().filter(|(_, e)| e.role == "LI") {
        assert_eq!(e.kids, ["Lbl", "LBody"], "{e:?}");
        let label = &elems[i + 1];
        assert!(label.role == "Lbl" && label.text.starts_with('（'), "{label:?}");
        assert!(!elems[i + 2].text.trim().is_empty());
    }
    // The first list item: （1） and the reference's first 基本方針.
    let first = elems.iter().position(|e| e.role == "LI").unwrap();
    assert_eq!(elems[first + 1].text, "（1）");
    assert!(squash(&elems[first + 2].text).starts_with("研修・研究を通して"), "{:?}", elems[first + 2]);

    // Nothing is both in the tree and an artifact, and nothing is lost:
    // the structure's text and the artifacts are all the page text.
    let drawn = squash(&pdftotext(&out, &[]));
    assert_eq!(squash(&all).chars().count() + squash(&artifacts).chars().count(), drawn.chars().count());
}

#[test]
fn tables_are_rows_of_cells_with_their_spans_and_a_repeated_header_is_an_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (1..=80).map(|i| format!("<tr><td>行{i}</td><td>内容{i}</td></tr>")).collect();
    let markup = format!(
        r#"<document title="表"><table columns="1fr 2fr"><thead><tr><th>番号</th><th>内容</th></tr></thead>
        <tr><td rowspan="2">結合</td><td>一</td></tr><tr><td>二</td></tr>{rows}</table></document>"#
    );
    let (o, pdf) = render(dir.path(), &markup, &serde_json::json!({}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_tagged(&pdf);
    let doc = Document::load(&pdf).unwrap();
    assert!(doc.get_pages().len() >= 2, "the table goes over pages");
    let elems = Walker::of(&doc).out;
    let table = elems.iter().find(|e| e.role == "Table").unwrap();
    assert_eq!(table.kids, ["THead", "TBody"]);
    let rows: Vec<&Elem> = elems.iter().filter(|e| e.role == "TR").collect();
    assert_eq!(rows.len(), 1 + 2 + 80, "one TR per row, the header once");
    assert_eq!(rows[0].kids, ["TH", "TH"]);
    assert_eq!(rows[1].kids, ["TD", "TD"]);
    assert_eq!(rows[2].kids, ["TD"], "the second row's first cell is the spanned one");
    assert_eq!(squash(&rows[0].text), "番号内容");
    assert_eq!(squash(&rows[82].text), "行80内容80");
    // The spanning cell says so.
    assert!(elems.iter().any(|e| e.role == "TD" && e.text == "結合"));
    let mut attrs = Vec::new();
    for (_, o) in doc.objects.iter() {
        if let Ok(d) = o.as_dict() {
            if d.get(b"S").ok().and_then(|s| s.as_name().ok()) == Some(b"TD") {
                if let Ok(a) = d.get(b"A") {
                    attrs.push(a.as_dict().unwrap().get(b"RowSpan").unwrap().as_i64().unwrap());
                }
            }
        }
    }
    assert_eq!(attrs, vec![2]);
    // The header drawn again on the next page is an artifact: the header
    // text is in the tree once.
    let mut artifacts = String::new();
    for (_, page) in doc.get_pages() {
        artifacts.push_str(&page_text(&doc, page).artifacts);
    }
    assert!(artifacts.contains("番号内容"), "{artifacts}");
    let all: String = elems.iter().map(|e| e.own.as_str()).collect();
    assert_eq!(all.matches("番号").count(), 1);
}
