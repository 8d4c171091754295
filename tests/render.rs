//! End-to-end tests of `keikaku render`: the PDF is read back with poppler
//! (pdftotext, pdffonts, pdfinfo) the way a reader's tools see it.

mod common;

use common::*;
use serde_json::json;

/// Every sentence of the reference 議案, in order, in the sample's PDF.
#[test]
fn sample_agenda_contains_every_sentence_of_the_reference_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("agenda.pdf");
    let o = render_sample_agenda(&out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    qpdf_check(&out);
    let text = squash(&pdftotext(&out, &[]));
    let needles = reference_sentences();
    assert_in_order(&text, &needles);
}

#[test]
fn fonts_are_embedded_subset_with_unicode_maps() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) =
        render(dir.path(), r#"<document><h>見出し</h><p>本文の明朝体です。</p></document>"#, &json!({}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fonts = pdffonts(&pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{fonts}");
    for row in rows {
        assert!(row.contains("CID TrueType"), "{row}");
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type... emb sub uni object ID
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "emb/sub/uni in {row}");
        assert!(cols[0].contains('+'), "subset tag in {row}");
    }
    assert!(fonts.contains("IPAexMincho") && fonts.contains("IPAexGothic"), "{fonts}");
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 60_000, "a one-page PDF with a few glyphs is small: {size} bytes");
}

#[test]
fn a_thousand_character_table_cell_survives_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let sentence = "地域包括ケアシステムの構築に向けて、関係機関との連携（ICT活用を含む）を2024年度も進めます。";
    let long: String = sentence.chars().cycle().take(1000).collect();
    let (o, pdf) = render(
        dir.path(),
        r#"<document><table columns="25mm 1fr"><thead><tr><th>項目</th><th>内容</th></tr></thead><tr><td>連携</td><td>{{long}}</td></tr></table></document>"#,
        &json!({ "long": long }),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = squash(&pdftotext(&pdf, &[]));
    assert!(text.contains(&squash(&long)), "the 1,000 characters are all there, in order");
}

#[test]
fn a_hundred_page_table_repeats_its_header_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<serde_json::Value> = (1..=2600)
        .map(|i| json!({"no": i, "date": format!("令和{}年{}月", 2 + i / 12, 1 + i % 12), "what": format!("第{i}回定期連絡会")}))
        .collect();
    let (o, pdf) = render(
        dir.path(),
        r#"<document><footer><page-number/> / <page-count/></footer><table columns="15mm 40mm 1fr" continued="（続き）"><thead><tr><th>番号</th><th>日程</th><th>内容</th></tr></thead>{{#each rows}}<tr><td>{{no}}</td><td>{{date}}</td><td>{{what}}</td></tr>{{/each}}</table></document>"#,
        &json!({ "rows": rows }),
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pages = page_count(&pdf);
    assert!(pages >= 100, "{pages} pages");
    for p in [1, 2, 50, pages] {
        let t = squash(&page_text(&pdf, p));
        assert!(t.contains("番号日程内容"), "page {p} repeats the header");
        assert!(t.contains(&format!("{p}/{pages}")), "page {p} footer");
        if p > 1 {
            assert!(t.starts_with("（続き）"), "page {p} starts with the continuation caption");
        }
    }
    let all = squash(&pdftotext(&pdf, &[]));
    let needles: Vec<String> = (1..=2600).map(|i| format!("第{i}回定期連絡会")).collect();
    assert_in_order(&all, &needles);
}

#[test]
fn same_input_gives_the_same_bytes_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = r#"<document title="{{t}}"><h>{{t}}</h><p>{{t}}の本文。</p><h level="2">節</h></document>"#;
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    let (o1, p) = render(dir.path(), tpl, &json!({"t": "決定性"}), &env);
    assert!(o1.status.success(), "{}", stderr(&o1));
    let a = std::fs::read(&p).unwrap();
    let (o2, p) = render(dir.path(), tpl, &json!({"t": "決定性"}), &env);
    assert!(o2.status.success());
    let b = std::fs::read(&p).unwrap();
    assert_eq!(a, b);
    let info = |bytes: &[u8], key: &[u8]| -> Option<Vec<u8>> {
        let doc = lopdf::Document::load_mem(bytes).unwrap();
        let id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let d = doc.get_object(id).unwrap().as_dict().unwrap();
        d.get(key).ok().map(|v| v.as_str().unwrap().to_vec())
    };
    let created = info(&a, b"CreationDate").expect("a creation date");
    assert!(created.starts_with(b"D:20231114"), "creation date from SOURCE_DATE_EPOCH");
    // Different content, different /ID.
    let (_, p) = render(dir.path(), tpl, &json!({"t": "別の文書"}), &env);
    let c = std::fs::read(&p).unwrap();
    let id = |b: &[u8]| {
        let s = String::from_utf8_lossy(b).into_owned();
        let i = s.rfind("/ID").unwrap();
        s[i..i + 80].to_string()
    };
    assert_ne!(id(&a), id(&c));
    // Without SOURCE_DATE_EPOCH no date is written at all.
    let (_, p) = render(dir.path(), tpl, &json!({"t": "決定性"}), &[]);
    let d = std::fs::read(&p).unwrap();
    assert_eq!(info(&d, b"CreationDate"), None);
    assert_eq!(info(&d, b"ModDate"), None);
}

#[test]
fn missing_glyph_is_an_error_that_names_the_character_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(
        dir.path(),
        "<document>\n<p>{{a}}</p>\n<p>{{b}}</p>\n</document>",
        &json!({"a": "介護の日😀", "b": "問題のない文"}),
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("😀") && e.contains("U+1F600"), "{e}");
    assert!(e.contains("2行"), "points at the markup line: {e}");
    assert!(e.contains("介護の日"), "shows the context: {e}");
    assert!(!pdf.exists());
}

#[test]
fn markup_error_has_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(dir.path(), "<document>\n  <p>a</p>\n  <p>b</x>\n</document>", &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("3行"), "{e}");
    assert!(e.contains("--emit-markup"), "{e}");
    assert!(!pdf.exists());
}

#[test]
fn data_cannot_inject_markup() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(dir.path(), "<document><p>{{x}}</p></document>", &json!({"x": "</p><page-break/><p>&"}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(page_count(&pdf), 1);
    assert!(pdftotext(&pdf, &[]).contains("</p><page-break/><p>&"));
}

#[test]
fn template_errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (o, _) =
        render(dir.path(), "<document>\n<p>{{organisaton}}</p></document>", &json!({"organisation": "x"}), &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("t.hbs 2行") && e.contains("organisaton"), "{e}");

    let (o, _) = render(dir.path(), "<document>{{#each x}}</document>", &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("t.hbs"), "{}", stderr(&o));
}

#[test]
fn an_existing_output_survives_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(dir.path(), "<document><p>良い</p></document>", &json!({}), &[]);
    assert!(o.status.success());
    let before = std::fs::read(&pdf).unwrap();
    let (o, pdf) = render(dir.path(), "<document><p>悪い😀</p></document>", &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&pdf).unwrap(), before);
}

#[test]
fn outline_has_nested_bookmarks() {
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(
        dir.path(),
        r#"<document><h>第一章</h><h level="2">第一節</h><p>本文</p><h>第二章</h></document>"#,
        &json!({}),
        &[("SOURCE_DATE_EPOCH", "0")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(outline_titles(&pdf), ["第一章", "第一節", "第二章"]);
    let doc = lopdf::Document::load(&pdf).unwrap();
    assert_eq!(doc.catalog().unwrap().get(b"PageMode").unwrap().as_name().unwrap(), b"UseOutlines");
}

/// Glyph ids are written as literal strings of two-byte codes: ids with a
/// byte that is a string delimiter, a backslash or a carriage return must
/// come back as the same text.
#[test]
fn glyph_ids_that_look_like_string_delimiters_come_back_as_text() {
    let fonts = keikaku::fonts::FontSet::embedded();
    let mut chosen = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in ('\u{3041}'..='\u{30FF}').chain('\u{4E00}'..='\u{9FFF}') {
        let Some(gid) = fonts.mincho.glyph(c) else { continue };
        for (k, b) in gid.to_be_bytes().into_iter().enumerate() {
            if matches!(b, b'(' | b')' | b'\\' | b'\r') && seen.insert((b, k)) {
                chosen.push(c);
            }
        }
    }
    // Each byte as the low byte, and all but the backslash as the high byte
    // (IPAex has fewer than 0x5C00 glyphs).
    assert_eq!(seen.len(), 7, "{seen:?}");
    let dir = tempfile::tempdir().unwrap();
    let (o, pdf) = render(dir.path(), &format!("<document><p>始{chosen}終</p></document>"), &json!({}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(squash(&pdftotext(&pdf, &[])).contains(&format!("始{chosen}終")), "{chosen}");
}

/// An error in the markup a template made (or in laying it out) points the
/// user at `--emit-markup`; an error of the template itself does not, and
/// with `--emit-markup` given the hint is left out. The CLI tells them apart
/// by the error's stage, not by its text.
#[test]
fn markup_and_layout_errors_offer_emit_markup() {
    let dir = tempfile::tempdir().unwrap();
    let hint = "--emit-markup FILE で展開後のマークアップを確認できます";
    let (o, _) = render(dir.path(), "<document><p>閉じていない</document>", &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("XML として正しくありません") && stderr(&o).contains(hint), "{}", stderr(&o));
    let wide = r#"<document><table columns="120mm 120mm"><tr><td>a</td><td>b</td></tr></table></document>"#;
    let (o, _) = render(dir.path(), wide, &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("本文の幅") && stderr(&o).contains(hint), "{}", stderr(&o));
    let (o, _) = render(dir.path(), "<document><p>{{missing.name}}</p></document>", &json!({}), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains(hint), "{}", stderr(&o));
    render(dir.path(), "<document><p>閉じていない</document>", &json!({}), &[]);
    let (t, d, m) = (dir.path().join("t.hbs"), dir.path().join("d.json"), dir.path().join("m.xml"));
    let o = keikaku(
        &[
            "render",
            "--template",
            t.to_str().unwrap(),
            "--data",
            d.to_str().unwrap(),
            "-o",
            dir.path().join("x.pdf").to_str().unwrap(),
            "--emit-markup",
            m.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("XML として正しくありません") && !stderr(&o).contains(hint), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&m).unwrap().contains("閉じていない"), "the markup was written");
}

/// The spacing rules move glyphs closer (、「) and apart (年 2020): a reader
/// rebuilding the text from positions still gets it exactly, with no space
/// added and no line broken (each such pair carries its /ActualText).
#[test]
fn closed_up_punctuation_and_script_spaces_read_back_as_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let body = "本会は開催、「おおた福祉フェス」への協力、令和2年度のICT活用（AI）を進めます。";
    let long = format!("{body}{body}{body}");
    let (o, pdf) = render(dir.path(), &format!("<document><p>{long}</p><p>{body}</p></document>"), &json!({}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for mode in [&[][..], &["-layout"][..], &["-raw"][..]] {
        let text = pdftotext(&pdf, mode);
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        // Nothing but the line breaks between the text and what comes back.
        assert!(!lines.iter().any(|l| l.contains(' ')), "{mode:?}: a space was added: {lines:?}");
        assert_eq!(lines.concat(), format!("{long}{body}"), "{mode:?}");
        // The justified paragraph has its 3 lines, none split.
        assert_eq!(lines.len(), 4, "{mode:?}: {lines:?}");
    }
}

/// A spacing rule at a change of font or weight (<b>ICT</b>を, 」<b>「</b>)
/// reads back as the text too: the pair spans the two runs.
#[test]
fn spacing_across_a_change_of_font_reads_back_as_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let body = "本会は<b>ICT</b>を活用し、<gothic>「おおた」</gothic>「<b>福祉</b>」の2020年度<b>R</b>2計画<gothic>A</gothic>を進めます。";
    let (o, pdf) = render(dir.path(), &format!("<document><p>{body}</p></document>"), &json!({}), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = "本会はICTを活用し、「おおた」「福祉」の2020年度R2計画Aを進めます。";
    for mode in [&[][..], &["-layout"][..], &["-raw"][..]] {
        let text = pdftotext(&pdf, mode);
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines, [want], "{mode:?}");
    }
    qpdf_check(&pdf);
}
