//! Where the lines of a paragraph break.
//!
//! Lines are filled greedily, unit by unit. A unit still goes on a line
//! when the line can take it by shrinking its punctuation blanks and the
//! space between scripts (追い込み, JLReq 3.8.2); otherwise it starts the
//! next line. A unit wider than a whole line (a very long URL) is broken
//! between characters so that nothing is ever lost.
//!
//! A paragraph (or the text before a `<br/>`) whose last line would hold
//! only one or two characters is filled again, allowing the lines a small
//! squeeze between characters ([`SQUEEZE_STEPS`]); the first allowance
//! that takes those characters back into the lines before is kept.

use super::spacing::Spacing;
use super::units::{units, Kind, Unit};
use super::Glyph;

/// The squeeze between characters (in em) that may be allowed, smallest
/// first, to take a last line of one or two characters back.
pub const SQUEEZE_STEPS: [f32; 4] = [1.0 / 64.0, 1.0 / 32.0, 3.0 / 64.0, 1.0 / 16.0];

/// Tolerance of the width comparisons, in pt.
const EPS: f64 = 0.01;

/// A line before it is set: a range of glyphs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pending {
    /// First glyph.
    pub start: usize,
    /// One past the last glyph (trailing spaces excluded).
    pub end: usize,
    /// Ends a paragraph or comes before a `<br/>`: not spread.
    pub forced: bool,
    /// The squeeze between characters the line may use, in em.
    pub squeeze: f32,
}

/// Widths of glyph ranges in O(1), from prefix sums over a paragraph.
#[derive(Debug)]
pub struct Measure<'a> {
    sp: &'a Spacing,
    /// Sum of advances and natural gaps before each glyph.
    pos: Vec<f64>,
    /// Sum of the boundaries' shrink (punctuation and scripts).
    shrink: Vec<f64>,
    /// Sum of the sizes at spreadable boundaries (the squeeze's base).
    squeeze: Vec<f64>,
}

impl<'a> Measure<'a> {
    /// Prefix sums of `adv` and `sp` over the glyphs `gs`.
    pub fn new(gs: &[Glyph], adv: &[f32], sp: &'a Spacing) -> Measure<'a> {
        let n = adv.len();
        let (mut pos, mut shrink, mut squeeze) =
            (Vec::with_capacity(n + 1), Vec::with_capacity(n + 1), Vec::with_capacity(n + 1));
        let (mut p, mut k, mut q) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..n {
            pos.push(p);
            shrink.push(k);
            squeeze.push(q);
            p += f64::from(adv[i] + sp.gap[i]);
            k += f64::from(sp.shrink_punct[i] + sp.shrink_script[i]);
            if sp.spreadable[i] {
                q += f64::from(gs[i].style.size);
            }
        }
        pos.push(p);
        shrink.push(k);
        squeeze.push(q);
        Measure { sp, pos, shrink, squeeze }
    }

    /// The natural width of glyphs `s..e` set as one line.
    pub fn natural(&self, s: usize, e: usize) -> f64 {
        if e <= s {
            return 0.0;
        }
        self.pos[e] - self.pos[s] - f64::from(self.sp.gap[e - 1]) - f64::from(self.sp.start_trim[s])
    }

    /// How far that line may shrink: its punctuation blanks (the last
    /// glyph's too), the space between scripts, and `squeeze` em at every
    /// spreadable boundary.
    pub fn shrinkable(&self, s: usize, e: usize, squeeze: f32) -> f64 {
        if e <= s + 1 {
            return if e == s + 1 { f64::from(self.sp.end_shrink[s]) } else { 0.0 };
        }
        self.shrink[e - 1] - self.shrink[s]
            + f64::from(self.sp.end_shrink[e - 1])
            + f64::from(squeeze) * (self.squeeze[e - 1] - self.squeeze[s])
    }

    /// Glyphs `s..e` fit in `limit` pt.
    fn fits(&self, s: usize, e: usize, limit: f32, squeeze: f32) -> bool {
        self.natural(s, e) - self.shrinkable(s, e, squeeze) <= f64::from(limit) + EPS
    }
}

/// The lines of `gs`: the first `first_width` wide, the others `rest_width`.
pub fn break_lines(gs: &[Glyph], m: &Measure, first_width: f32, rest_width: f32) -> Vec<Pending> {
    let limit_for = |n: usize| if n == 0 { first_width } else { rest_width };
    let all = units(gs);
    let mut lines: Vec<Pending> = Vec::new();
    // Segments between explicit breaks.
    let mut seg_start = 0;
    for (k, u) in all.iter().enumerate() {
        let at_end = k + 1 == all.len();
        if u.kind != Kind::Break && !at_end {
            continue;
        }
        let seg_end = if u.kind == Kind::Break { k } else { k + 1 };
        let seg = &all[seg_start..seg_end];
        if seg.iter().any(|u| u.kind == Kind::Text) {
            lines.extend(fill_segment(gs, seg, m, lines.len(), &limit_for));
        } else if u.kind == Kind::Break {
            // An empty line before a break (`<br/><br/>`, or one at the start).
            lines.push(Pending { start: u.start, end: u.start, forced: true, squeeze: 0.0 });
        }
        seg_start = k + 1;
    }
    if lines.is_empty() {
        lines.push(Pending { start: 0, end: 0, forced: true, squeeze: 0.0 });
    }
    lines
}

/// The lines of one segment (no breaks inside), the first of them line
/// number `first` of the paragraph.
fn fill_segment(
    gs: &[Glyph],
    seg: &[Unit],
    m: &Measure,
    first: usize,
    limit_for: &dyn Fn(usize) -> f32,
) -> Vec<Pending> {
    let mut lines = fill(seg, m, first, limit_for, 0.0);
    let short = |p: &Pending| gs[p.start..p.end].iter().filter(|g| g.ch != ' ').count() <= 2;
    if lines.len() >= 2 && lines.last().is_some_and(short) {
        for squeeze in SQUEEZE_STEPS {
            let again = fill(seg, m, first, limit_for, squeeze);
            if again.len() < lines.len() {
                lines = again;
                break;
            }
        }
    }
    lines
}

/// Greedy fill of `seg` allowing `squeeze` em between characters.
fn fill(seg: &[Unit], m: &Measure, first: usize, limit_for: &dyn Fn(usize) -> f32, squeeze: f32) -> Vec<Pending> {
    let mut lines: Vec<Pending> = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    for u in seg {
        if u.kind != Kind::Text {
            continue;
        }
        let limit = limit_for(first + lines.len());
        if let Some((s, e)) = cur {
            if m.fits(s, u.end, limit, squeeze) {
                cur = Some((s, u.end));
                continue;
            }
            lines.push(Pending { start: s, end: e, forced: false, squeeze });
        }
        // Start a new line with this unit; break it between characters if
        // it is wider than a whole line.
        let mut s = u.start;
        for k in u.start + 1..u.end {
            if !m.fits(s, k + 1, limit_for(first + lines.len()), squeeze) {
                lines.push(Pending { start: s, end: k, forced: false, squeeze });
                s = k;
            }
        }
        cur = Some((s, u.end));
    }
    if let Some((s, e)) = cur {
        lines.push(Pending { start: s, end: e, forced: true, squeeze });
    }
    lines
}
