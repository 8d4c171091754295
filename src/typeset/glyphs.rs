//! Inline content to glyphs: text, line breaks and page numbers as
//! characters with their style, white space normalised.

use super::class::is_wide;
use super::{Glyph, BREAK};
use crate::fonts::Family;
use crate::markup::{Inline, LineStartBracket, Pos, TextStyle};

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
                style: TextStyle { family: Family::Mincho, size: 1.0, bold: false, line_start_bracket: LineStartBracket::Trim },
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

