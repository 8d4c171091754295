//! Byte-identical output within one process: printpdf's random ids advance a
//! global counter, so this fails unless every id is fixed by keikaku.

mod common;

use keikaku::fonts::FontSet;
use keikaku::markup_to_pdf;
use keikaku::pdf::PdfOptions;

const DOC: &str = r##"<document title="決定性"><footer>- <page-number/> -</footer>
<h>第一章</h><p>本文です。<b>太字</b>と<gothic>ゴシック</gothic>。</p>
<h level="2">第一節</h>
<table columns="20mm 1fr"><thead><tr><th>日程</th><th>内容</th></tr></thead><tr><td shade="#eeeeee">6月</td><td>総会</td></tr></table>
</document>"##;

#[test]
fn two_renders_in_one_process_are_identical() {
    let fonts = FontSet::embedded();
    let opts = PdfOptions { date: Some(1_600_000_000), standard: None };
    let a = markup_to_pdf(DOC, "t", &fonts, &opts).unwrap();
    // Something else in between, which would advance any global counter.
    let _ = markup_to_pdf("<document><p>別の文書</p></document>", "u", &fonts, &opts).unwrap();
    let b = markup_to_pdf(DOC, "t", &FontSet::embedded(), &opts).unwrap();
    assert_eq!(a, b);
    // And the date does change the bytes (the option is really used).
    let c = markup_to_pdf(DOC, "t", &fonts, &PdfOptions { date: Some(1_600_000_001), standard: None }).unwrap();
    assert_ne!(a, c);
}

/// A long document made part by part (`parts_to_pdf`, as 結果報告.pdf is):
/// the same bytes on one thread and on two, and as a reader sees it, every
/// part with its contents line, page number and page count.
#[test]
fn a_document_made_part_by_part_is_the_same_on_one_thread_and_two() {
    let fonts = FontSet::embedded();
    let opts = PdfOptions { date: Some(1_600_000_000), standard: None };
    let doc = r#"<document title="部分ごと"><footer><page-number/> / <page-count/></footer><p>表紙</p><page-break/><toc/></document>"#;
    let part = |i: usize| {
        Ok(format!("<part><h>第{}部</h><p>{}</p></part>", i + 1, "本文の続き。".repeat(REPEAT * (i % 3 + 1))))
    };
    let dir = tempfile::tempdir().unwrap();
    let make = |threads: usize| {
        let path = dir.path().join(format!("{threads}.pdf"));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            keikaku::parts_to_pdf(doc, "d", 12, part, "p", |i| format!("第{}部", i + 1), &fonts, &opts, &path)
        })
        .unwrap();
        path
    };
    let (one, two) = (make(1), make(2));
    assert!(std::fs::read(&one).unwrap() == std::fs::read(&two).unwrap(), "bytes differ between thread counts");
    let pages = common::page_count(&one);
    let contents = common::pdftotext(&one, &["-layout", "-f", "2", "-l", "2"]);
    assert!(contents.contains(&format!("2 / {pages}")), "{contents}");
    // Each part's contents line points at the page it starts on, and each
    // page counts all pages.
    let mut last = 2;
    for k in 1..=12 {
        let line = contents
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("第{k}部 ")))
            .unwrap_or_else(|| panic!("{contents}"));
        let at: usize = line.rsplit('…').next().unwrap().trim().parse().unwrap();
        assert!(at > last, "{line}");
        last = at;
        let page = common::page_text(&one, at);
        assert!(page.starts_with(&format!("第{k}部")) && page.contains(&format!("{at} / {pages}")), "{page}");
    }
    assert!(pages > last + 1, "the last part runs over pages: {pages}");
    // No text is lost: every repeated sentence is there.
    let text = common::pdftotext(&one, &[]);
    let repeats: usize = (0..12).map(|i| REPEAT * (i % 3 + 1)).sum();
    assert_eq!(text.matches('続').count(), repeats);
}

const REPEAT: usize = 300;

/// An error in a part says which part, and the first failing part is the
/// one reported, on any number of threads.
#[test]
fn an_error_in_a_part_names_the_first_part_that_failed() {
    let fonts = FontSet::embedded();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.pdf");
    let doc = "<document><toc/></document>";
    let part = |i: usize| {
        Ok(if i >= 7 { format!("<part><p>絵文字{}😀</p></part>", i) } else { "<part><p>本文</p></part>".into() })
    };
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let e = pool
            .install(|| {
                keikaku::parts_to_pdf(
                    doc,
                    "d",
                    300,
                    part,
                    "p",
                    |i| format!("第{}部", i + 1),
                    &fonts,
                    &PdfOptions::default(),
                    &path,
                )
            })
            .unwrap_err();
        assert!(e.message.starts_with("第8部: ") && e.message.contains("😀"), "{}", e.message);
    }
}
