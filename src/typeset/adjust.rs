//! Line adjustment (JLReq 3.8): a line that is too long for its measure
//! shrinks, a justified line that is too short is spread, and the glyphs'
//! positions become runs.
//!
//! Shrinking takes from the punctuation blanks first (the half em after a
//! closing bracket or comma, before an opening bracket, the quarters of a
//! middle dot, the blank of the last mark on the line), then from the space
//! between scripts (to an eighth of an em), and last from the small squeeze
//! a line was allowed to take back a short last line. Spreading stretches
//! the space between scripts and word spaces first (to a half em), and only
//! then spreads the characters evenly, never inside a Latin word or a
//! number; a line that would need more than half an em between characters
//! stays ragged.

use super::breaking::{Measure, Pending};
use super::spacing::Spacing;
use super::{Glyph, Line, Run};
use crate::fonts::{Family, FontSet};
use crate::markup::{Align, TextStyle};

/// What every line of a paragraph shares.
pub struct Paragraph<'a> {
    /// The glyphs.
    pub gs: &'a [Glyph],
    /// The family that draws each glyph.
    pub fam: &'a [Family],
    /// Each glyph's advance, in pt.
    pub adv: &'a [f32],
    /// The spacing between them.
    pub sp: &'a Spacing,
    /// Their widths, as line breaking measured them.
    pub measure: &'a Measure<'a>,
    /// Alignment.
    pub align: Align,
    /// Line height as a multiple of the largest size on the line.
    pub line_height: f32,
    /// The paragraph's own style (for an empty line's height).
    pub base: TextStyle,
    /// The fonts.
    pub fonts: &'a FontSet,
}

/// Below this, two spacings are the same (pt).
const SAME: f32 = 1e-3;

impl Paragraph<'_> {
    /// Sets the line `p` in `limit` pt; `last` is the paragraph's last line.
    pub fn set_line(&self, p: &Pending, limit: f32, last: bool) -> Line {
        let (s, e) = (p.start, p.end);
        let (gs, adv, sp) = (self.gs, self.adv, self.sp);
        let max_size = gs[s..e].iter().map(|g| g.style.size).fold(0.0, f32::max);
        let height_of = |size: f32| {
            let size = if size == 0.0 { self.base.size } else { size };
            let height = size * self.line_height;
            let asc = self.fonts.get(self.base.family).ascent;
            (height, (height - size) / 2.0 + size * asc)
        };
        if e <= s {
            let (height, baseline) = height_of(0.0);
            return Line { runs: Vec::new(), width: 0.0, height, baseline, page_ref: None };
        }
        let n = e - s;
        // Boundary k of the line is boundary s + k of the paragraph.
        let bounds = s..e - 1;
        // As line breaking measured it, so that a line it found to fit does.
        let natural = self.measure.natural(s, e) as f32;
        let mut extra = vec![0.0f32; n - 1];
        let mut end_trim = 0.0f32;
        if natural > limit + SAME {
            let mut need = natural - limit;
            let punct: f32 = sp.shrink_punct[bounds.clone()].iter().sum::<f32>() + sp.end_shrink[e - 1];
            if punct > 0.0 {
                let f = (need / punct).min(1.0);
                for (k, i) in bounds.clone().enumerate() {
                    extra[k] -= sp.shrink_punct[i] * f;
                }
                end_trim = sp.end_shrink[e - 1] * f;
                need -= punct * f;
            }
            let script: f32 = sp.shrink_script[bounds.clone()].iter().sum();
            if need > SAME && script > 0.0 {
                let f = (need / script).min(1.0);
                for (k, i) in bounds.clone().enumerate() {
                    extra[k] -= sp.shrink_script[i] * f;
                }
                need -= script * f;
            }
            let squeeze: f32 =
                bounds.clone().filter(|&i| sp.spreadable[i]).map(|i| gs[i].style.size * p.squeeze).sum();
            if need > SAME && squeeze > 0.0 {
                let f = (need / squeeze).min(1.0);
                for (k, i) in bounds.clone().enumerate() {
                    if sp.spreadable[i] {
                        extra[k] -= gs[i].style.size * p.squeeze * f;
                    }
                }
            }
        } else if self.align == Align::Justify && !last && !p.forced && n > 1 && natural < limit - SAME {
            let need = limit - natural;
            let stretch: f32 = sp.stretch_script[bounds.clone()].iter().sum();
            let spreadable = bounds.clone().filter(|&i| sp.spreadable[i]).count();
            if stretch >= need {
                for (k, i) in bounds.clone().enumerate() {
                    extra[k] += sp.stretch_script[i] * need / stretch;
                }
            } else if spreadable > 0 {
                let per = (need - stretch) / spreadable as f32;
                // A line with very few characters (a long word pushed to
                // the next line) would be spread grotesquely: left ragged.
                if per <= max_size * 0.5 {
                    for (k, i) in bounds.clone().enumerate() {
                        extra[k] += sp.stretch_script[i] + if sp.spreadable[i] { per } else { 0.0 };
                    }
                }
            }
        }
        // Positions, from the line's left edge.
        let mut x = Vec::with_capacity(n);
        x.push(-sp.start_trim[s]);
        for (k, i) in bounds.clone().enumerate() {
            x.push(x[k] + adv[i] + sp.gap[i] + extra[k]);
        }
        let end = x[n - 1] + adv[e - 1];
        let width = end - end_trim;
        let offset = match self.align {
            Align::Center => ((limit - width) / 2.0).max(0.0),
            Align::Right => (limit - width).max(0.0),
            _ => 0.0,
        };
        let runs = self.runs(s, &x, end, offset);
        let (height, baseline) = height_of(max_size);
        Line { runs, width: width + offset, height, baseline, page_ref: None }
    }

    /// Runs of the glyphs from `s` at positions `x` (the line ending at
    /// `end`): a run goes on while the font, size and weight stay the same.
    /// Its character spacing is the one most of its plain boundaries have
    /// (the even spread of a justified line: those the spacing rules leave
    /// alone); the others are its adjustments.
    fn runs(&self, s: usize, x: &[f32], end: f32, offset: f32) -> Vec<Run> {
        let (gs, adv, fam) = (self.gs, self.adv, self.fam);
        let mut runs: Vec<Run> = Vec::new();
        // Per run: its first glyph (in the line), then the spacing of each
        // of its boundaries.
        let mut starts: Vec<usize> = Vec::new();
        let mut spacings: Vec<Vec<(f32, bool)>> = Vec::new();
        for (k, &xk) in x.iter().enumerate() {
            let (i, g) = (s + k, gs[s + k]);
            match runs.last_mut() {
                Some(r) if r.family == fam[i] && r.size == g.style.size && r.bold == g.style.bold => {
                    r.text.push(g.ch);
                    let plain = !self.sp.touched(i - 1);
                    spacings.last_mut().expect("spacings of the run").push((xk - x[k - 1] - adv[i - 1], plain));
                }
                _ => {
                    // Set apart from the run before by a spacing rule.
                    let apart = k > 0 && self.sp.touched(i - 1) && (xk - x[k - 1] - adv[i - 1]).abs() >= SAME;
                    starts.push(k);
                    spacings.push(Vec::new());
                    runs.push(Run {
                        x: xk + offset,
                        text: g.ch.to_string(),
                        family: fam[i],
                        size: g.style.size,
                        bold: g.style.bold,
                        char_spacing: 0.0,
                        adjust: Vec::new(),
                        apart,
                        width: 0.0,
                    });
                }
            }
        }
        for (j, r) in runs.iter_mut().enumerate() {
            let next = starts.get(j + 1).map(|&k| x[k]).unwrap_or(end);
            r.width = next + offset - r.x;
            let sp = &spacings[j];
            let plain: Vec<f32> = sp.iter().filter(|p| p.1).map(|p| p.0).collect();
            r.char_spacing = most_common(&plain);
            r.adjust = sp
                .iter()
                .enumerate()
                .filter(|(_, &(d, _))| (d - r.char_spacing).abs() >= SAME)
                .map(|(b, &(d, _))| (b + 1, d - r.char_spacing))
                .collect();
        }
        runs
    }
}

/// The value most of `v` have (to [`SAME`]), the first such on a tie; 0
/// for none.
fn most_common(v: &[f32]) -> f32 {
    let mut best = (0.0, 0usize);
    let mut seen: Vec<(f32, usize)> = Vec::new();
    for &d in v {
        match seen.iter_mut().find(|(x, _)| (x - d).abs() < SAME) {
            Some(e) => e.1 += 1,
            None => seen.push((d, 1)),
        }
    }
    for (d, n) in seen {
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}
