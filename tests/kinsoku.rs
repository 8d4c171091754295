//! Property test of the line breaker: over many random paragraphs mixing
//! kana, kanji, punctuation, brackets, small kana, Latin words and numbers,
//! no line starts with a line-start prohibited character, no line ends with
//! a line-end prohibited character, no number run is split, no character
//! is lost, and no line is wider than its measure after the spacing rules
//! (closed-up punctuation, the quarter em between scripts, shrinking and
//! spreading) have been applied.

use keikaku::fonts::{Family, FontSet};
use keikaku::markup::{Align, Inline, LineStartBracket, Pos, TextStyle};
use keikaku::typeset::{glyphs, no_line_end, no_line_start, set_lines};

/// xorshift64*: deterministic, so a failure can be reproduced by its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "介護",
    "事業所",
    "連携",
    "を",
    "の",
    "は",
    "研修",
    "会員",
    "、",
    "。",
    "「",
    "」",
    "（",
    "）",
    "ー",
    "ゃ",
    "っ",
    "ョ",
    "々",
    "・",
    "？",
    "！",
    "ICT",
    "2020",
    "R5",
    "年",
    "月",
    "……",
    "『",
    "』",
    "【",
    "】",
    "ケア",
    "サービス",
    "提供",
    "責任者",
    "　",
    "％",
];

#[test]
fn kinsoku_holds_for_random_paragraphs() {
    let fonts = FontSet::embedded();
    let style =
        TextStyle { family: Family::Mincho, size: 10.5, bold: false, line_start_bracket: LineStartBracket::Trim };
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for case in 0..400 {
        let n = 5 + (rng.next() % 120) as usize;
        let text: String = (0..n).map(|_| rng.pick(PIECES)).collect();
        let width = 10.5 * (10.0 + (rng.next() % 30) as f32);
        let align = if case % 2 == 0 { Align::Justify } else { Align::Left };
        let rule = if case % 4 < 2 { LineStartBracket::Trim } else { LineStartBracket::Keep };
        let style = TextStyle { line_start_bracket: rule, ..style };
        let inl = vec![Inline::Text { text: text.clone(), style, pos: Pos::default() }];
        let gs = glyphs(&inl, None);
        let mut missing = Vec::new();
        let lines = set_lines(&gs, width, width, align, 1.6, style, &fonts, &mut missing);
        assert!(missing.is_empty());
        let texts: Vec<String> = lines.iter().map(|l| l.text()).collect();
        assert_eq!(texts.concat(), text, "case {case}: characters lost or reordered");
        for (i, l) in texts.iter().enumerate() {
            if i > 0 {
                let first = l.chars().next().unwrap();
                assert!(!no_line_start(first), "case {case}: line {i} starts with {first}: {texts:?}");
            }
            if i + 1 < texts.len() {
                let last = l.chars().last().unwrap();
                assert!(!no_line_end(last), "case {case}: line {i} ends with {last}: {texts:?}");
                let next_first = texts[i + 1].chars().next().unwrap();
                assert!(
                    !(last.is_ascii_digit() && next_first.is_ascii_digit()),
                    "case {case}: number split across lines {i}/{}: {texts:?}",
                    i + 1
                );
                assert!(!(last == '…' && next_first == '…'), "case {case}: …… split: {texts:?}");
            }
            let w = lines[i].width;
            assert!(w <= width + 0.05, "case {case}: line {i} overflows: {w} > {width}");
        }
    }
}
