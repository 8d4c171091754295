//! The space between neighbouring characters before a line is adjusted,
//! and how far each such space may shrink or stretch (JLReq 3.1 and 3.2).
//!
//! Full-width punctuation has a blank half of its em: an opening bracket on
//! the left, a closing bracket, comma or full stop on the right, a middle dot
//! a quarter on each side. Where two such characters meet, one blank is
//! taken away (3.1.4): 、「 and 」「 keep a half em between the marks, 。」 and
//! 「『 none, 」・ and ・「 a quarter. A quarter em goes between Japanese and
//! Western letters or digits that the text does not already separate
//! (3.2.6). An opening bracket at the start of a line loses its blank half
//! under the default house rule (3.1.5, [`LineStartBracket`]).
//!
//! Each boundary `i` (between glyphs `i` and `i + 1`, on one line) gets its
//! natural adjustment (`gap`, added to the advance of glyph `i`) and what
//! line adjustment may take from it or add to it, in the order JLReq 3.8
//! gives: first the punctuation blanks (down to nothing), then the space
//! between scripts (down to an eighth), and when a line must be spread, the
//! space between scripts and word spaces first (up to a half em), and only
//! then the characters evenly.

use super::class::{is_repeat_char, is_word_char, Class};
use super::{Glyph, BREAK};
use crate::markup::LineStartBracket;

/// The space between scripts (JLReq 3.2.6), in em: natural, least, most.
pub const SCRIPT_SPACE: (f32, f32, f32) = (0.25, 0.125, 0.5);

/// How far a word space may stretch, in em.
const WORD_SPACE_STRETCH: f32 = 0.25;

/// The spacing of a paragraph's glyphs, per glyph and per boundary.
#[derive(Debug, Clone, Default)]
pub struct Spacing {
    /// Per glyph: its blank left half, taken away when it starts a line.
    pub start_trim: Vec<f32>,
    /// Per glyph: its blank right side, which may shrink away when it ends a
    /// line (first priority).
    pub end_shrink: Vec<f32>,
    /// Per boundary: the natural adjustment, added to the glyph's advance.
    pub gap: Vec<f32>,
    /// Per boundary: how far its punctuation blank may shrink (first priority).
    pub shrink_punct: Vec<f32>,
    /// Per boundary: how far the space between scripts may shrink (second).
    pub shrink_script: Vec<f32>,
    /// Per boundary: how far the space between scripts or a word space may
    /// stretch (first priority when spreading).
    pub stretch_script: Vec<f32>,
    /// Per boundary: the characters may be spread apart (or squeezed a
    /// little to avoid a short last line): not inside a Latin word, a number
    /// or a run of …… or ——.
    pub spreadable: Vec<bool>,
}

impl Spacing {
    /// Whether a spacing rule sets boundary `b` apart from plain text: a
    /// natural gap, or room to shrink or stretch it.
    pub fn touched(&self, b: usize) -> bool {
        self.gap[b] != 0.0 || self.shrink_punct[b] != 0.0 || self.shrink_script[b] != 0.0 || self.stretch_script[b] != 0.0
    }

    /// The spacing of `gs`, whose advances (in pt) are `adv`.
    pub fn of(gs: &[Glyph], adv: &[f32]) -> Spacing {
        let n = gs.len();
        let mut s = Spacing {
            start_trim: vec![0.0; n],
            end_shrink: vec![0.0; n],
            gap: vec![0.0; n],
            shrink_punct: vec![0.0; n],
            shrink_script: vec![0.0; n],
            stretch_script: vec![0.0; n],
            spreadable: vec![false; n],
        };
        let class: Vec<Class> = gs.iter().map(|g| Class::of(g.ch)).collect();
        // A character's blanks in pt: only a full-width glyph has them.
        let blanks = |i: usize| -> (f32, f32) {
            let em = gs[i].style.size;
            if adv[i] < em * 0.99 {
                return (0.0, 0.0);
            }
            let (l, r) = class[i].blanks();
            (l * em, r * em)
        };
        for i in 0..n {
            let (left, right) = blanks(i);
            if class[i] == Class::Opening && gs[i].style.line_start_bracket == LineStartBracket::Trim {
                s.start_trim[i] = left;
            }
            s.end_shrink[i] = right;
            if i + 1 == n {
                break;
            }
            let (a, b) = (gs[i].ch, gs[i + 1].ch);
            if a == BREAK || b == BREAK {
                continue;
            }
            let (ca, cb) = (class[i], class[i + 1]);
            let (ema, emb) = (gs[i].style.size, gs[i + 1].style.size);
            // JLReq 3.1.4: the blank between two punctuation marks.
            let sum = right + blanks(i + 1).0;
            let wanted = match (ca, cb) {
                (x, Class::Opening) if x.closes() => 0.5 * ema,
                (x, y) if x.closes() && y.closes() => 0.0,
                (Class::Opening, Class::Opening) => 0.0,
                (x, Class::MiddleDot) if x.closes() => 0.25 * ema,
                (Class::MiddleDot, Class::Opening) => 0.25 * emb,
                _ => sum,
            }
            .min(sum);
            s.gap[i] = wanted - sum;
            // What is left may go in line adjustment, down to nothing. (The
            // PDF writer gives such closed-up pairs an /ActualText, so that
            // readers rebuilding text from positions do not take the
            // overlapping glyph boxes for a new line.)
            s.shrink_punct[i] = wanted;
            // JLReq 3.2.6: a quarter em between Japanese and Western.
            if matches!((ca, cb), (Class::Japanese, Class::Western) | (Class::Western, Class::Japanese)) {
                let em = ema.min(emb);
                s.gap[i] += SCRIPT_SPACE.0 * em;
                s.shrink_script[i] = (SCRIPT_SPACE.0 - SCRIPT_SPACE.1) * em;
                s.stretch_script[i] = (SCRIPT_SPACE.2 - SCRIPT_SPACE.0) * em;
            } else if b == ' ' {
                s.stretch_script[i] = WORD_SPACE_STRETCH * emb;
            }
            let in_word = is_word_char(a) && is_word_char(b);
            let in_repeat = a == b && is_repeat_char(a);
            s.spreadable[i] = !(in_word || in_repeat);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::Family;
    use crate::markup::{Pos, TextStyle};

    fn spacing(text: &str, rule: LineStartBracket) -> (Vec<char>, Spacing) {
        let style = TextStyle { family: Family::Mincho, size: 10.0, bold: false, line_start_bracket: rule };
        let gs: Vec<Glyph> = text.chars().map(|ch| Glyph { ch, style, src: Pos::default() }).collect();
        // Full-width characters are one em, the others half.
        let adv: Vec<f32> = gs.iter().map(|g| if g.ch.is_ascii() { 5.0 } else { 10.0 }).collect();
        (text.chars().collect(), Spacing::of(&gs, &adv))
    }

    #[test]
    fn consecutive_punctuation_loses_one_blank() {
        // 、「: the pair keeps a half em between the marks (1.5 em in all).
        let (_, s) = spacing("催、「お", LineStartBracket::Trim);
        assert_eq!(s.gap[1], -5.0);
        assert_eq!(s.shrink_punct[1], 5.0, "the half em may shrink away in adjustment");
        // 。」「: no blank between 。 and 」, a half em between 」 and 「.
        let (_, s) = spacing("す。」「あ", LineStartBracket::Trim);
        assert_eq!((s.gap[0], s.gap[1], s.gap[2], s.gap[3]), (0.0, -5.0, -5.0, 0.0));
        // 「『: none between opening brackets; 」・ a quarter.
        let (_, s) = spacing("「『あ』」・「", LineStartBracket::Trim);
        assert_eq!(s.gap[0], -5.0);
        assert_eq!(s.gap[3], -5.0);
        assert_eq!(s.gap[4], -5.0, "」・ keeps a quarter: 0.5 + 0.25 - 0.5");
        assert_eq!(s.gap[5], -5.0, "・「 keeps a quarter");
        // A comma before a kanji keeps its blank, which may shrink away.
        let (_, s) = spacing("あ、い", LineStartBracket::Trim);
        assert_eq!((s.gap[1], s.shrink_punct[1]), (0.0, 5.0));
        assert_eq!(s.end_shrink[1], 5.0);
    }

    #[test]
    fn a_quarter_em_between_scripts_unless_punctuation_or_a_space_separates_them() {
        let (c, s) = spacing("令和2年のICTを（IT）、R 2", LineStartBracket::Trim);
        let gap = |i: usize| s.gap[i];
        assert_eq!((c[1], c[2], gap(1)), ('和', '2', 2.5));
        assert_eq!((c[2], c[3], gap(2)), ('2', '年', 2.5));
        assert_eq!(gap(4), 2.5, "の|I");
        assert_eq!(gap(5), 0.0, "inside ICT");
        assert_eq!(gap(6), 0.0, "inside ICT");
        assert_eq!(gap(7), 2.5, "T|を");
        assert_eq!(gap(8), 0.0, "を|（ keeps the bracket's blank only");
        assert_eq!(gap(9), 0.0, "（|I");
        assert_eq!(gap(11), 0.0, "T|）");
        assert_eq!(gap(14), 0.0, "R| (a space of its own)");
        assert_eq!(s.shrink_script[1], 1.25);
        assert_eq!(s.stretch_script[1], 2.5);
        assert!(!s.spreadable[5], "a Latin word is not spread");
        assert!(s.spreadable[1]);
    }

    #[test]
    fn an_opening_bracket_starting_a_line_loses_its_blank_under_the_default_rule() {
        let (_, s) = spacing("「あ」", LineStartBracket::Trim);
        assert_eq!(s.start_trim[0], 5.0);
        let (_, s) = spacing("「あ」", LineStartBracket::Keep);
        assert_eq!(s.start_trim[0], 0.0);
        // A half-width bracket has no blank to lose.
        let (_, s) = spacing("(a)", LineStartBracket::Trim);
        assert_eq!(s.start_trim[0], 0.0);
    }
}
