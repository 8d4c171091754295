//! Japanese line breaking and line adjustment after JLReq (W3C, Requirements
//! for Japanese Text Layout) and JIS X 4051, for horizontal text.
//!
//! Input is a paragraph's inline content; output is lines of positioned
//! runs. The stages, one file each:
//!
//! - [`glyphs`](fn@glyphs): inline content to characters with their style,
//!   white space normalised;
//! - `units`: the pieces a break may not split (a character, a Latin word
//!   or number, a run of ……), glued by kinsoku;
//! - [`spacing`]: the space between neighbours: consecutive punctuation
//!   closed up (3.1.4), an opening bracket at a line start (3.1.5), a
//!   quarter em between Japanese and Western (3.2.6), and what each may
//!   shrink or stretch;
//! - [`breaking`]: greedy filling that may shrink punctuation to take a
//!   unit in, and avoids a last line of one or two characters;
//! - [`adjust`]: shrinking punctuation first, spreading the rest, and the
//!   runs of the set line.
//!
//! [`class`] holds the character classes all of them use.

pub mod adjust;
pub mod breaking;
pub mod class;
mod glyphs;
pub mod spacing;
mod units;

pub use class::{no_line_end, no_line_start};
pub use glyphs::glyphs;

use crate::fonts::{Family, FontSet};
use crate::markup::{Align, Pos, TextStyle};

/// Internal marker for an explicit line break (`<br/>`).
pub const BREAK: char = '\u{2028}';

/// One character with its style and the markup position it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// The character.
    pub ch: char,
    /// Its requested style.
    pub style: TextStyle,
    /// Start of the markup text node it came from.
    pub src: Pos,
}

/// A run of text in one font, size and weight, positioned on its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Offset from the line's left edge, in pt.
    pub x: f32,
    /// The text.
    pub text: String,
    /// The family that actually has the glyphs (after fallback).
    pub family: Family,
    /// Size in pt.
    pub size: f32,
    /// Bold.
    pub bold: bool,
    /// Extra space after every character (PDF `Tc`), for justification.
    pub char_spacing: f32,
    /// Where a character sits apart from that: `(k, d)` moves the `k`-th
    /// character of `text` (and all after it) `d` pt further, for the
    /// spacing rules of [`spacing`] (negative where punctuation closes up).
    /// Ascending in `k`, never `k = 0`.
    pub adjust: Vec<(usize, f32)>,
    /// Its first character is set apart from the previous run's last by a
    /// spacing rule (a font change inside 」「 or between `ICT` and を): the
    /// PDF gives the pair one /ActualText, as for adjustments inside a run.
    pub apart: bool,
    /// Width including character spacing.
    pub width: f32,
}

/// A set line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// Runs, left to right.
    pub runs: Vec<Run>,
    /// Occupied width.
    pub width: f32,
    /// Line box height.
    pub height: f32,
    /// Baseline offset from the top of the line box.
    pub baseline: f32,
    /// A table of contents line: its last run is the place of a heading's
    /// page number, written in after pagination.
    pub page_ref: Option<PageRef>,
}

/// The page number (or page range) of a heading, to be written into a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRef {
    /// The heading, in document order.
    pub heading: usize,
    /// A range (`2-7`) rather than the first page.
    pub range: bool,
}

impl Line {
    /// The line's text, for tests and checks.
    pub fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A character that no font can draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingGlyph {
    /// The character.
    pub ch: char,
    /// Where its text starts in the markup.
    pub pos: Pos,
    /// A few characters around it.
    pub context: String,
}

/// Measures and sets glyphs into lines of `first_width` (first line) and
/// `rest_width` (the others). Characters no font has are recorded in
/// `missing` and measured as one em so that layout can go on and every
/// missing character can be reported at once.
#[allow(clippy::too_many_arguments)]
pub fn set_lines(
    gs: &[Glyph],
    first_width: f32,
    rest_width: f32,
    align: Align,
    line_height: f32,
    base: TextStyle,
    fonts: &FontSet,
    missing: &mut Vec<MissingGlyph>,
) -> Vec<Line> {
    // Resolve families and widths once.
    let mut fam = Vec::with_capacity(gs.len());
    let mut adv = Vec::with_capacity(gs.len());
    for (i, g) in gs.iter().enumerate() {
        if g.ch == BREAK {
            fam.push(g.style.family);
            adv.push(0.0);
            continue;
        }
        match fonts.resolve(g.style.family, g.ch) {
            Some(f) => {
                fam.push(f);
                adv.push(fonts.get(f).advance(g.ch).unwrap_or(1.0) * g.style.size);
            }
            None => {
                let context: String = gs[i.saturating_sub(8)..(i + 8).min(gs.len())]
                    .iter()
                    .map(|g| if g.ch == BREAK { '⏎' } else { g.ch })
                    .collect();
                missing.push(MissingGlyph { ch: g.ch, pos: g.src, context });
                fam.push(g.style.family);
                adv.push(g.style.size);
            }
        }
    }
    let sp = spacing::Spacing::of(gs, &adv);
    let measure = breaking::Measure::new(gs, &adv, &sp);
    let pending = breaking::break_lines(gs, &measure, first_width, rest_width);
    let para = adjust::Paragraph { gs, fam: &fam, adv: &adv, sp: &sp, measure: &measure, align, line_height, base, fonts };
    let count = pending.len();
    pending
        .iter()
        .enumerate()
        .map(|(li, p)| para.set_line(p, if li == 0 { first_width } else { rest_width }, li + 1 == count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::{Inline, LineStartBracket};

    fn style() -> TextStyle {
        TextStyle { family: Family::Mincho, size: 10.0, bold: false, line_start_bracket: LineStartBracket::Trim }
    }

    fn set(text: &str, width_chars: f32) -> Vec<String> {
        let fonts = FontSet::embedded();
        let inl = vec![Inline::Text { text: text.to_string(), style: style(), pos: Pos::default() }];
        let gs = glyphs(&inl, None);
        let mut missing = Vec::new();
        let lines =
            set_lines(&gs, width_chars * 10.0, width_chars * 10.0, Align::Justify, 1.5, style(), &fonts, &mut missing);
        assert!(missing.is_empty());
        lines.iter().map(|l| l.text()).collect()
    }

    #[test]
    fn newline_between_japanese_disappears_and_full_width_space_stays() {
        let inl = vec![Inline::Text {
            text: "\n  研修を\n   開催します。\nICT\nを\n　活用".into(),
            style: style(),
            pos: Pos::default(),
        }];
        let s: String = glyphs(&inl, None).iter().map(|g| g.ch).collect();
        // As in CSS Text 3: the break disappears only between two wide characters.
        assert_eq!(s, "研修を開催します。 ICT を　活用");
    }

    #[test]
    fn punctuation_never_starts_a_line() {
        // 5 characters per line: 「あいうえお」 then 「。」 would start line 2.
        let lines = set("あいうえお。かきくけこ", 5.0);
        assert_eq!(lines[0], "あいうえ");
        assert_eq!(lines[1], "お。かきく");
        for l in &lines {
            assert!(!no_line_start(l.chars().next().unwrap()), "{lines:?}");
        }
    }

    #[test]
    fn opening_bracket_never_ends_a_line() {
        let lines = set("あいうえ「かきくけこ」", 5.0);
        assert_eq!(lines[0], "あいうえ");
        assert!(lines[1].starts_with('「'));
    }

    #[test]
    fn numbers_and_latin_words_stay_whole() {
        let lines = set("あいう2020年ですICTを", 4.0);
        assert!(lines.iter().any(|l| l.contains("2020")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("ICT")), "{lines:?}");
        let lines = set("あ……いう", 2.0);
        assert!(lines.iter().any(|l| l.contains("……")), "{lines:?}");
    }

    #[test]
    fn overlong_word_is_broken_not_lost() {
        let url = "https://example.jp/very/long/path/that/does/not/fit";
        let lines = set(url, 3.0);
        assert_eq!(lines.concat(), url);
        assert!(lines.len() > 3);
    }

    #[test]
    fn justified_lines_fill_the_measure() {
        let fonts = FontSet::embedded();
        let inl =
            vec![Inline::Text {
                text: "あいう、えおかきくけこさしすせそ".into(), style: style(), pos: Pos::default()
            }];
        let gs = glyphs(&inl, None);
        let mut m = Vec::new();
        let lines = set_lines(&gs, 55.0, 55.0, Align::Justify, 1.5, style(), &fonts, &mut m);
        let first = &lines[0];
        let right = first.runs.last().map(|r| r.x + r.width).unwrap();
        assert!((right - 55.0).abs() < 0.05, "right edge {right}");
        let last = lines.last().unwrap();
        assert_eq!(last.runs[0].char_spacing, 0.0);
    }

    /// Sets `text` at 10pt in `width_em` em and returns each line's glyphs
    /// with their left edge, in em.
    fn placed(text: &str, width_em: f32, align: Align, rule: LineStartBracket) -> Vec<Vec<(char, f32)>> {
        let fonts = FontSet::embedded();
        let style = TextStyle { line_start_bracket: rule, ..style() };
        let inl = vec![Inline::Text { text: text.to_string(), style, pos: Pos::default() }];
        let mut missing = Vec::new();
        let lines =
            set_lines(&glyphs(&inl, None), width_em * 10.0, width_em * 10.0, align, 1.5, style, &fonts, &mut missing);
        assert!(missing.is_empty());
        let out: Vec<Vec<(char, f32)>> = lines
            .iter()
            .map(|l| {
                let mut v = Vec::new();
                for r in &l.runs {
                    let mut x = r.x;
                    for (k, c) in r.text.chars().enumerate() {
                        x += r.adjust.iter().filter(|a| a.0 == k).map(|a| a.1).sum::<f32>();
                        v.push((c, (x / 10.0 * 1000.0).round() / 1000.0));
                        x += fonts.get(r.family).advance(c).unwrap() * r.size + r.char_spacing;
                    }
                }
                v
            })
            .collect();
        for (l, line) in lines.iter().zip(&out) {
            assert!(l.width <= width_em * 10.0 + 0.05, "{line:?} overflows: {}", l.width);
        }
        out
    }

    fn at(line: &[(char, f32)], c: char) -> f32 {
        line.iter().find(|(ch, _)| *ch == c).unwrap().1
    }

    #[test]
    fn a_comma_before_an_opening_bracket_keeps_half_an_em_between_the_marks() {
        // JLReq 3.1.4: 、「 takes 1.5 em, not 2.
        let l = &placed("開催、「おおた」の案内", 40.0, Align::Left, LineStartBracket::Trim)[0];
        assert_eq!(at(l, '、'), 2.0);
        assert_eq!(at(l, '「'), 2.5);
        assert_eq!(at(l, 'お'), 3.5);
        // 」の: the closing bracket keeps its blank before a kana.
        assert_eq!(at(l, '」') + 1.0, at(l, 'の'));
        // 。」「: no blank between 。 and 」, half an em before 「.
        let l = &placed("です。」「次", 40.0, Align::Left, LineStartBracket::Trim)[0];
        assert_eq!((at(l, '。'), at(l, '」'), at(l, '「'), at(l, '次')), (2.0, 2.5, 3.0, 4.0));
    }

    #[test]
    fn an_opening_bracket_at_a_line_start_is_trimmed_unless_the_rule_keeps_it() {
        let trimmed = placed("「案」について説明します", 5.0, Align::Left, LineStartBracket::Trim);
        assert_eq!(trimmed[0][0], ('「', -0.5));
        let kept = placed("「案」について説明します", 5.0, Align::Left, LineStartBracket::Keep);
        assert_eq!(kept[0][0], ('「', 0.0));
        // On a later line too: the bracket's mark starts at the edge.
        let lines = placed("あいうえおか「きく」", 6.0, Align::Left, LineStartBracket::Trim);
        assert_eq!(lines[1][0], ('「', -0.5), "{lines:?}");
    }

    #[test]
    fn a_quarter_em_goes_between_japanese_and_western_but_not_next_to_punctuation() {
        let l = &placed("令和2年のICT（AI）、R 2を", 40.0, Align::Left, LineStartBracket::Trim)[0];
        let x: Vec<f32> = l.iter().map(|g| g.1).collect();
        let fonts = FontSet::embedded();
        let two = fonts.mincho.advance('2').unwrap();
        assert_eq!(x[2], 2.25, "和|2");
        assert!((x[3] - (2.25 + two + 0.25)).abs() < 0.002, "2|年 {l:?}");
        assert!((at(l, 'I') - (at(l, 'の') + 1.25)).abs() < 0.002, "の|I {l:?}");
        // （AI）: none inside the brackets; 、 after ） closes up.
        assert!((at(l, 'A') - (at(l, '（') + 1.0)).abs() < 0.002, "{l:?}");
        let close = at(l, '）');
        assert!((at(l, '、') - (close + 0.5)).abs() < 0.002, "{l:?}");
        // R 2: a space of the text's own, nothing added.
        let r = at(l, 'R');
        let space = fonts.mincho.advance(' ').unwrap();
        let r_adv = fonts.mincho.advance('R').unwrap();
        assert!((x[x.len() - 2] - (r + r_adv + space)).abs() < 0.002, "{l:?}");
    }

    #[test]
    fn a_line_takes_one_more_character_by_shrinking_its_punctuation_first() {
        // 11 characters in 10.5 em: 、 gives up its blank half and the
        // others keep their full width (today's even squeeze is gone).
        let lines = placed("あいうえ、かきくけこさ", 10.5, Align::Justify, LineStartBracket::Trim);
        assert_eq!(lines.len(), 1, "{lines:?}");
        let x: Vec<f32> = lines[0].iter().map(|g| g.1).collect();
        assert_eq!(x, vec![0.0, 1.0, 2.0, 3.0, 4.0, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
        // Not enough blank to shrink: the character goes to the next line.
        let lines = placed("あいうえおかきくけこさしすせそ", 10.5, Align::Justify, LineStartBracket::Trim);
        assert_eq!(lines[0].len(), 10, "{lines:?}");
    }

    #[test]
    fn spreading_widens_the_space_between_scripts_before_the_characters() {
        // The first line: 10 kana + ICT + 2 × 0.25 em around it. 0.3 em more fit
        // in the two script spaces (up to 0.25 em more each).
        let fonts = FontSet::embedded();
        let ict: f32 = "ICT".chars().map(|c| fonts.mincho.advance(c).unwrap()).sum();
        let natural = 10.0 + ict + 0.5;
        let text = "あいうICTかきくけこさしすせそたちつてとなにぬねのはひふへほま";
        let lines = placed(text, natural + 0.3, Align::Justify, LineStartBracket::Trim);
        let l = &lines[0];
        assert_eq!(at(l, 'い') - at(l, 'あ'), 1.0, "kana not spread: {l:?}");
        assert!((at(l, 'I') - at(l, 'う') - 1.4).abs() < 0.002, "{l:?}");
        assert!((at(l, 'か') - at(l, 'T') - fonts.mincho.advance('T').unwrap() - 0.4).abs() < 0.002, "{l:?}");
        // More than they can take: they take their most, the rest is spread
        // between the characters, none inside ICT.
        let lines = placed(text, natural + 0.7, Align::Justify, LineStartBracket::Trim);
        let l = &lines[0];
        // 12 boundaries, 2 of them inside ICT.
        let per = (0.7 - 0.5) / 10.0;
        assert!((at(l, 'い') - at(l, 'あ') - 1.0 - per).abs() < 0.002, "{l:?}");
        assert!((at(l, 'C') - at(l, 'I') - fonts.mincho.advance('I').unwrap()).abs() < 0.002, "{l:?}");
    }

    #[test]
    fn a_last_line_of_two_characters_is_taken_back_by_a_small_squeeze() {
        // 40 kanji and 「す。」 in lines of 20: greedily a third line of 「す。」.
        let text = format!("{}す。", "議".repeat(40));
        let lines = placed(&text, 20.0, Align::Justify, LineStartBracket::Trim);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let all: String = lines.iter().flat_map(|l| l.iter().map(|g| g.0)).collect();
        assert_eq!(all, text);
        // The squeeze is small: no more than 1/16 em between characters.
        let step = lines[0][1].1 - lines[0][0].1;
        assert!(step >= 1.0 - 1.0 / 16.0 - 0.001, "{step}");
        // A line that cannot take them back keeps the short last line.
        let lines = placed("議議議議議す。", 5.0, Align::Justify, LineStartBracket::Trim);
        assert_eq!(lines.len(), 2);
        // A long last line is left as it is: lines of 20 full em.
        let lines = placed(&format!("{}す。", "議".repeat(30)), 20.0, Align::Justify, LineStartBracket::Trim);
        assert_eq!(lines[0].len(), 20);
    }

    #[test]
    fn missing_glyph_is_reported() {
        let fonts = FontSet::embedded();
        let inl =
            vec![Inline::Text { text: "絵文字😀です".into(), style: style(), pos: Pos { line: 3, col: 4 } }];
        let mut m = Vec::new();
        set_lines(&glyphs(&inl, None), 100.0, 100.0, Align::Left, 1.5, style(), &fonts, &mut m);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].ch, '😀');
        assert_eq!(m[0].pos.line, 3);
    }
}
