//! Japanese line breaking (JLReq / JIS X 4051, simplified): kinsoku shori,
//! unbreakable Latin words and number runs, and justification.
//!
//! Input is a paragraph's inline content; output is lines of positioned runs.
//! Breaking works on *units* that may not be split: a CJK character, a Latin
//! word or number run (`ICT`, `2020`, `R2.6.1`), a repeated `……` or `——`.
//! Kinsoku then glues units together: a unit that begins with a line-start
//! prohibited character (、。」ー ゃ …) joins the unit before it, and a unit
//! that ends with a line-end prohibited character (（「 …) joins the next.
//! Lines are filled greedily; a unit wider than the whole measure (a very long
//! URL) is broken between characters so that nothing is ever lost.

use crate::fonts::{Family, FontSet};
use crate::markup::{Align, Inline, Pos, TextStyle};

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

/// Line-start prohibited characters (行頭禁則), with half-width forms.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | '｝'
            | '〙'
            | '〗'
            | '”'
            | '’'
            | '〟'
            | 'ー'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ㇰ'
            ..='ㇿ' | '々' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' | '〻' | '゠' | '‐' | '–' | '〜' | '～'
            | '‼' | '⁇' | '⁈' | '⁉' | '％' | '℃' | '゛' | '゜'
            // half-width forms
            | '､' | '｡' | '･' | '｣' | 'ｰ' | 'ｧ' | 'ｨ' | 'ｩ' | 'ｪ' | 'ｫ' | 'ｬ' | 'ｭ' | 'ｮ' | 'ｯ' | 'ﾞ' | 'ﾟ'
            | ',' | '.' | ':' | ';' | '?' | '!' | ')' | ']' | '}'
    )
}

/// Line-end prohibited characters (行末禁則), with half-width forms.
pub fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「'
            | '『'
            | '【'
            | '〔'
            | '〈'
            | '《'
            | '［'
            | '｛'
            | '〘'
            | '〖'
            | '“'
            | '‘'
            | '〝'
            | '｢'
            | '('
            | '['
            | '{'
    )
}

/// Characters of an unbreakable Latin word or number run.
fn is_word_char(c: char) -> bool {
    c.is_ascii_graphic()
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('０'..='９').contains(&c)
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

/// Characters that form unbreakable runs when repeated (……, ——).
fn is_repeat_char(c: char) -> bool {
    matches!(c, '…' | '‥' | '—' | '―')
}

fn is_wide(c: char) -> bool {
    c as u32 >= 0x2000
}

/// Turns inline content into glyphs, normalising white space the way a
/// Japanese reader expects: a line break in the source between two Japanese
/// characters disappears, elsewhere white space collapses to one space, and
/// white space at the start or end of a paragraph or next to `<br/>` is
/// dropped. Full-width spaces (　) are text and are kept.
///
/// `page` is the page's number as printed (its label: `3`, `3-1`) and the
/// page count, for `<page-number/>` and `<page-count/>`.
pub fn glyphs(inlines: &[Inline], page: Option<(&str, usize)>) -> Vec<Glyph> {
    let mut raw: Vec<Glyph> = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Text { text, style, pos } => {
                raw.extend(text.chars().map(|ch| Glyph { ch, style: *style, src: *pos }))
            }
            Inline::Break => raw.push(Glyph {
                ch: BREAK,
                style: TextStyle { family: Family::Mincho, size: 1.0, bold: false },
                src: Pos::default(),
            }),
            Inline::PageNumber { style } | Inline::PageCount { style } => {
                let n = match (inline, page) {
                    (Inline::PageNumber { .. }, Some((n, _))) => n.to_string(),
                    (Inline::PageCount { .. }, Some((_, c))) => c.to_string(),
                    _ => "0".to_string(),
                };
                raw.extend(n.chars().map(|ch| Glyph { ch, style: *style, src: Pos::default() }))
            }
        }
    }
    let mut out: Vec<Glyph> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let g = raw[i];
        if matches!(g.ch, ' ' | '\t' | '\n' | '\r') {
            let mut j = i;
            let mut newline = false;
            while j < raw.len() && matches!(raw[j].ch, ' ' | '\t' | '\n' | '\r') {
                newline |= matches!(raw[j].ch, '\n' | '\r');
                j += 1;
            }
            let prev = out.last().map(|g| g.ch).filter(|&c| c != BREAK);
            let next = raw.get(j).map(|g| g.ch).filter(|&c| c != BREAK);
            match (prev, next) {
                (Some(p), Some(n)) if !(newline && is_wide(p) && is_wide(n)) => {
                    out.push(Glyph { ch: ' ', ..g });
                }
                _ => {}
            }
            i = j;
        } else {
            out.push(g);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Space,
    Break,
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    kind: Kind,
}

fn units(gs: &[Glyph]) -> Vec<Unit> {
    let mut raw = Vec::new();
    let mut i = 0;
    while i < gs.len() {
        let c = gs[i].ch;
        let kind = match c {
            ' ' => Kind::Space,
            BREAK => Kind::Break,
            _ => Kind::Text,
        };
        let mut j = i + 1;
        if is_word_char(c) {
            while j < gs.len() && is_word_char(gs[j].ch) {
                j += 1;
            }
        } else if is_repeat_char(c) {
            while j < gs.len() && gs[j].ch == c {
                j += 1;
            }
        }
        raw.push(Unit { start: i, end: j, kind });
        i = j;
    }
    // Kinsoku: glue a unit to its predecessor when it starts with a
    // line-start prohibited character or the predecessor ends with a
    // line-end prohibited character.
    let mut merged: Vec<Unit> = Vec::with_capacity(raw.len());
    for u in raw {
        if let Some(last) = merged.last_mut() {
            if u.kind == Kind::Text
                && last.kind == Kind::Text
                && (no_line_start(gs[u.start].ch) || no_line_end(gs[last.end - 1].ch))
            {
                last.end = u.end;
                continue;
            }
        }
        merged.push(u);
    }
    merged
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
    let width_of = |s: usize, e: usize| adv[s..e].iter().sum::<f32>();

    // Greedy fill: each line is a list of glyph ranges.
    struct Pending {
        start: usize,
        end: usize,
        forced: bool,
    }
    let mut lines: Vec<Pending> = Vec::new();
    let mut cur_start: Option<usize> = None;
    let mut cur_end = 0usize; // end of the last text unit placed
    let mut cur_w = 0.0f32;
    let mut space_w = 0.0f32; // pending spaces after cur_end
    let limit_for = |n: usize| if n == 0 { first_width } else { rest_width };
    const EPS: f32 = 0.01;

    for u in units(gs) {
        match u.kind {
            Kind::Break => {
                let s = cur_start.unwrap_or(u.start);
                lines.push(Pending { start: s, end: if cur_start.is_some() { cur_end } else { s }, forced: true });
                cur_start = None;
                cur_w = 0.0;
                space_w = 0.0;
            }
            Kind::Space => {
                if cur_start.is_some() {
                    space_w += width_of(u.start, u.end);
                }
            }
            Kind::Text => {
                let w = width_of(u.start, u.end);
                let limit = limit_for(lines.len());
                if cur_start.is_some() && cur_w + space_w + w <= limit + EPS {
                    cur_end = u.end;
                    cur_w += space_w + w;
                    space_w = 0.0;
                    continue;
                }
                if let Some(s) = cur_start.take() {
                    lines.push(Pending { start: s, end: cur_end, forced: false });
                }
                space_w = 0.0;
                // Start a new line with this unit; break it by characters if
                // it is wider than a whole line.
                let mut s = u.start;
                let mut w_acc = 0.0;
                let mut line_start = s;
                while s < u.end {
                    let limit = limit_for(lines.len());
                    if s > line_start && w_acc + adv[s] > limit + EPS {
                        lines.push(Pending { start: line_start, end: s, forced: false });
                        line_start = s;
                        w_acc = 0.0;
                    }
                    w_acc += adv[s];
                    s += 1;
                }
                cur_start = Some(line_start);
                cur_end = u.end;
                cur_w = w_acc;
            }
        }
    }
    if let Some(s) = cur_start {
        lines.push(Pending { start: s, end: cur_end, forced: true });
    }
    if lines.is_empty() {
        lines.push(Pending { start: 0, end: 0, forced: true });
    }

    // Build runs.
    let mut out = Vec::with_capacity(lines.len());
    for (li, p) in lines.iter().enumerate() {
        let limit = limit_for(li);
        let (s, e) = (p.start, p.end);
        let natural = width_of(s, e);
        let n = gs[s..e].len();
        let last = li + 1 == lines.len();
        let mut cs = 0.0;
        let mut offset = 0.0;
        match align {
            Align::Justify if !last && !p.forced && n > 1 && natural < limit => {
                let spread = (limit - natural) / (n as f32 - 1.0);
                let max_size = gs[s..e].iter().map(|g| g.style.size).fold(0.0, f32::max);
                // A line with very few characters (a long word pushed to the
                // next line) would be spread grotesquely; leave it ragged.
                if spread <= max_size * 0.5 {
                    cs = spread;
                }
            }
            Align::Center => offset = ((limit - natural) / 2.0).max(0.0),
            Align::Right => offset = (limit - natural).max(0.0),
            _ => {}
        }
        let mut runs: Vec<Run> = Vec::new();
        let mut x = offset;
        let mut max_size: f32 = 0.0;
        for i in s..e {
            let g = gs[i];
            max_size = max_size.max(g.style.size);
            let w = adv[i] + if i + 1 < e { cs } else { 0.0 };
            match runs.last_mut() {
                Some(r) if r.family == fam[i] && r.size == g.style.size && r.bold == g.style.bold => {
                    r.text.push(g.ch);
                    r.width += w;
                }
                _ => runs.push(Run {
                    x,
                    text: g.ch.to_string(),
                    family: fam[i],
                    size: g.style.size,
                    bold: g.style.bold,
                    char_spacing: cs,
                    width: w,
                }),
            }
            x += w;
        }
        if max_size == 0.0 {
            max_size = base.size;
        }
        let height = max_size * line_height;
        let asc = fonts.get(base.family).ascent;
        out.push(Line { runs, width: x, height, baseline: (height - max_size) / 2.0 + max_size * asc, page_ref: None });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> TextStyle {
        TextStyle { family: Family::Mincho, size: 10.0, bold: false }
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
