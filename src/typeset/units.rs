//! Units that a line break may not split (a CJK character, a Latin word or
//! number run, a run of …… or ——), glued together by kinsoku: a unit that
//! begins with a line-start prohibited character (、。」ー ゃ …) joins the
//! unit before it, and one that ends with a line-end prohibited character
//! (（「 …) joins the next.

use super::class::{is_repeat_char, is_word_char, no_line_end, no_line_start};
use super::{Glyph, BREAK};

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// Characters set on a line.
    Text,
    /// A word space: a line may break there, and then it is dropped.
    Space,
    /// An explicit line break.
    Break,
}

/// A range of glyphs that a line break may not split.
#[derive(Debug, Clone, Copy)]
pub(super) struct Unit {
    /// First glyph.
    pub(super) start: usize,
    /// One past the last glyph.
    pub(super) end: usize,
    /// What it is.
    pub(super) kind: Kind,
}

/// The units of `gs`, glued by kinsoku.
pub(super) fn units(gs: &[Glyph]) -> Vec<Unit> {
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

