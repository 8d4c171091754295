//! PDF/A-2b on request (`--pdf-standard a-2b`, `<document pdf-standard>`):
//! the XMP identification and its agreement with the document information,
//! the sRGB output intent with the profile embedded, and what PDF/A-2b
//! forbids absent. veraPDF is not installable here; the rules these checks
//! stand for are listed in docs/markup.md.

mod common;

use common::*;
use lopdf::Document;

/// The value of XMP element `tag` (its first text content).
fn xmp_value<'a>(xmp: &'a str, tag: &str) -> Option<&'a str> {
    let start = xmp.find(&format!("<{tag}>"))? + tag.len() + 2;
    let inner = &xmp[start..start + xmp[start..].find(&format!("</{tag}>"))?];
    // rdf:Alt / rdf:Seq: the first li.
    match inner.find("<rdf:li") {
        Some(li) => {
            let from = li + inner[li..].find('>')? + 1;
            Some(&inner[from..from + inner[from..].find("</rdf:li>")?])
        }
        None => Some(inner),
    }
}

#[test]
fn the_agenda_as_pdf_a_2b_identifies_itself_and_carries_its_output_intent() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agenda.pdf");
    let o = keikaku(
        &["agenda", root().join("samples/agenda.xlsx").to_str().unwrap(), "-o", out.to_str().unwrap(), "--pdf-standard", "a-2b"],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    qpdf_check(&out);
    assert_tagged(&out);
    let doc = Document::load(&out).unwrap();
    assert!(doc.trailer.get(b"Encrypt").is_err(), "no encryption");
    assert_eq!(doc.trailer.get(b"ID").unwrap().as_array().unwrap().len(), 2, "a file identifier");
    let catalog = doc.catalog().unwrap();

    // XMP: unfiltered, identifying PDF/A-2b, and saying what Info says.
    let meta = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap();
    assert_eq!(meta.dict.get(b"Subtype").unwrap().as_name().unwrap(), b"XML");
    assert!(meta.dict.get(b"Filter").is_err(), "metadata readable without decoding");
    let xmp = String::from_utf8(meta.content.clone()).unwrap();
    assert!(xmp.starts_with("<?xpacket begin=\"\u{FEFF}\"") && xmp.ends_with("<?xpacket end=\"r\"?>"));
    assert_eq!(xmp_value(&xmp, "pdfaid:part"), Some("2"));
    assert_eq!(xmp_value(&xmp, "pdfaid:conformance"), Some("B"));
    let info = doc.get_object(doc.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap().as_dict().unwrap();
    for (key, tag) in [
        (&b"Title"[..], "dc:title"),
        (b"Author", "dc:creator"),
        (b"Subject", "dc:description"),
        (b"Keywords", "pdf:Keywords"),
        (b"Producer", "pdf:Producer"),
        (b"Creator", "xmp:CreatorTool"),
    ] {
        let v = pdf_text_string(info.get(key).unwrap());
        assert_eq!(xmp_value(&xmp, tag), Some(v.as_str()), "{tag}");
    }
    assert_eq!(xmp_value(&xmp, "dc:title"), Some("第３号議案 大田区訪問介護事業者連絡会 令和二年度事業計画(案)"));
    assert_eq!(info.get(b"CreationDate").unwrap().as_str().unwrap(), b"D:20231114221320+00'00'");
    assert_eq!(xmp_value(&xmp, "xmp:CreateDate"), Some("2023-11-14T22:13:20+00:00"));
    assert!(info.get(b"Trapped").is_err() && info.get(b"GTS_PDFXVersion").is_err());

    // The output intent: sRGB, the profile embedded as shipped.
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = intents[0].as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    assert_eq!(intent.get(b"OutputConditionIdentifier").unwrap().as_str().unwrap(), b"sRGB IEC61966-2.1");
    let icc = doc.get_object(intent.get(b"DestOutputProfile").unwrap().as_reference().unwrap()).unwrap();
    let icc = icc.as_stream().unwrap();
    assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    assert_eq!(icc.decompressed_content().unwrap(), std::fs::read(root().join("icc/sRGB.icc")).unwrap());

    // Every font embedded, with its widths and glyph map.
    let fonts = pdffonts(&out);
    for row in fonts.lines().skip(2) {
        assert!(row.contains(" yes yes yes "), "{row}");
    }
    for (_, o) in doc.objects.iter() {
        let Ok(d) = o.as_dict() else { continue };
        if d.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"CIDFontType2") {
            assert!(d.get(b"W").is_ok() && d.get(b"CIDToGIDMap").unwrap().as_reference().is_ok(), "{d:?}");
            let desc = doc.get_object(d.get(b"FontDescriptor").unwrap().as_reference().unwrap()).unwrap();
            assert!(desc.as_dict().unwrap().get(b"FontFile2").is_ok());
        }
    }
    // Nothing PDF/A forbids.
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7\n%") && bytes[10..14].iter().all(|&b| b > 127), "binary comment");
    for (_, o) in doc.objects.iter() {
        if let Ok(d) = o.as_dict() {
            for bad in [&b"JS"[..], b"JavaScript", b"EmbeddedFiles", b"Encrypt", b"AA"] {
                assert!(d.get(bad).is_err(), "{}", String::from_utf8_lossy(bad));
            }
        }
    }
}

#[test]
fn a_template_can_ask_for_pdf_a_and_a_plain_pdf_has_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(
        dir.path(),
        r#"<document title="保存用" pdf-standard="a-2b"><p>本文</p></document>"#,
        &serde_json::json!({}),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = Document::load(&pdf).unwrap();
    assert!(doc.catalog().unwrap().get(b"OutputIntents").is_ok());
    let meta = doc.catalog().unwrap().get(b"Metadata").unwrap().as_reference().unwrap();
    let xmp = String::from_utf8(doc.get_object(meta).unwrap().as_stream().unwrap().content.clone()).unwrap();
    assert_eq!(xmp_value(&xmp, "dc:title"), Some("保存用"));
    // No date without SOURCE_DATE_EPOCH, in either place.
    assert!(!xmp.contains("CreateDate"));

    let (o, pdf) = render(dir.path(), r#"<document title="通常"><p>本文</p></document>"#, &serde_json::json!({}), &[]);
    assert!(o.status.success());
    let doc = Document::load(&pdf).unwrap();
    assert!(doc.catalog().unwrap().get(b"OutputIntents").is_err() && doc.catalog().unwrap().get(b"Metadata").is_err());

    // A standard keikaku does not write is refused, naming the attribute.
    let other = tempfile::tempdir().unwrap();
    let (o, pdf) =
        render(other.path(), r#"<document pdf-standard="a-1b"><p>本文</p></document>"#, &serde_json::json!({}), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pdf-standard=\"a-1b\"") && stderr(&o).contains("a-2b"), "{}", stderr(&o));
    assert!(!pdf.exists());
}
