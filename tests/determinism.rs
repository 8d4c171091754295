//! Byte-identical output within one process: printpdf's random ids advance a
//! global counter, so this fails unless every id is fixed by keikaku.

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
    let opts = PdfOptions { date: Some(1_600_000_000) };
    let a = markup_to_pdf(DOC, "t", &fonts, &opts).unwrap();
    // Something else in between, which would advance any global counter.
    let _ = markup_to_pdf("<document><p>別の文書</p></document>", "u", &fonts, &opts).unwrap();
    let b = markup_to_pdf(DOC, "t", &FontSet::embedded(), &opts).unwrap();
    assert_eq!(a, b);
    // And the date does change the bytes (the option is really used).
    let c = markup_to_pdf(DOC, "t", &fonts, &PdfOptions { date: Some(1_600_000_001) }).unwrap();
    assert_ne!(a, c);
}
