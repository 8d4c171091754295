//! Headings as the outline and the table of contents see them, the
//! contents lines (leader and a reserved place for the page number), and
//! the numbers written in once the headings' pages are known.

use super::pager::{Anchor, PageNumberPlace};
use super::structure::{NodeId, Role};
use super::{Cx, Item, LineTag, Page, V};
use crate::fonts::FontSet;
use crate::markup::{Block, Inline, Toc};
use crate::typeset::{self, PageRef, Run, BREAK};

/// The leader between a table of contents entry and its page number.
pub(super) const TOC_LEADER: char = '…';

/// A heading as the outline and the table of contents see it.
#[derive(Debug, Clone)]
pub(super) struct HeadingInfo {
    /// Heading level (1 = top).
    pub(super) level: u8,
    /// The heading's text on one line.
    pub(super) title: String,
    /// Listed in the table of contents.
    pub(super) toc: bool,
    /// Has a bookmark in the outline.
    pub(super) bookmark: bool,
}

pub(super) fn plain_text(inlines: &[Inline]) -> String {
    typeset::glyphs(inlines, None).iter().map(|g| if g.ch == BREAK { ' ' } else { g.ch }).collect()
}

/// The headings of `blocks`, in order, appended to `out`.
pub(super) fn collect_headings(blocks: &[Block], out: &mut Vec<HeadingInfo>) {
    for b in blocks {
        if let Block::Heading(h) = b {
            out.push(HeadingInfo {
                level: h.level,
                title: plain_text(&h.body.inlines),
                toc: h.toc,
                bookmark: h.bookmark,
            });
        }
    }
}

impl Cx<'_> {
    /// A table of contents: one entry per listed heading, its last line
    /// ending in a leader and a reserved place for the page number.
    /// Structure: TOC → one TOCI per entry, under `parent`.
    pub(super) fn toc(&mut self, t: &Toc, width: f32, out: &mut Vec<V>, parent: NodeId) {
        let toc_node = self.tree.add(Role::TOC, parent);
        let entries: Vec<(usize, HeadingInfo)> =
            self.headings.iter().cloned().enumerate().filter(|(_, h)| h.toc && h.level <= t.levels).collect();
        let style = t.para.style;
        let fonts = self.fonts;
        let adv = |c: char| fonts.get(style.family).advance(c).unwrap_or(1.0) * style.size;
        // The width kept for a page number (or range) at the right edge.
        let num_w = adv('0') * if t.ranges { 9.0 } else { 4.0 };
        let leader = TOC_LEADER;
        let leader_w = adv(leader);
        for (idx, h) in entries {
            // TOCI holds its text in a P (TOCI's children are Lbl,
            // Reference, NonStruct, P or TOC).
            let item = self.tree.add(Role::TOCI, toc_node);
            let entry = self.tree.add(Role::P, item);
            let indent = t.level_indent * (h.level as f32 - 1.0);
            let mut p = t.para.clone();
            p.left += indent;
            let inl = vec![Inline::Text { text: h.title.clone(), style, pos: Default::default() }];
            let avail = width - num_w - leader_w * 2.0;
            let mut lines = self.lines(&inl, &p, avail);
            if let Some((last, x)) = lines.last_mut() {
                let end = *x + last.width;
                // The leader dots and the page number, both written in
                // after pagination (see `layout`).
                last.runs.push(Run {
                    x: end - *x + style.size * 0.5,
                    text: String::new(),
                    family: style.family,
                    size: style.size,
                    bold: false,
                    char_spacing: 0.0,
                    adjust: Vec::new(),
                    apart: false,
                    width: 0.0,
                });
                last.runs.push(Run {
                    x: width - num_w - *x,
                    text: "0".into(),
                    family: style.family,
                    size: style.size,
                    bold: false,
                    char_spacing: 0.0,
                    adjust: Vec::new(),
                    apart: false,
                    width: num_w,
                });
                last.width = width - *x;
                last.page_ref = Some(PageRef { heading: idx, range: t.ranges });
            }
            for (line, x) in lines {
                out.push(V::Line { line, x, keep: false, anchor: None, tag: LineTag::of(entry) });
            }
        }
        if t.para.space_after > 0.0 {
            out.push(V::Space(t.para.space_after));
        }
    }
}

/// Each heading's pages (first, last; 0-based): from the page it is on to
/// the page before the next heading of the same or a higher level, or that
/// heading's own page when it does not start the page; the last section
/// runs to the end of the document.
pub(super) fn heading_ranges(
    headings: &[HeadingInfo],
    anchors: &[Option<Anchor>],
    page_count: usize,
    top: f32,
) -> Vec<PageRange> {
    let at = |i: usize| anchors.get(i).copied().flatten();
    (0..anchors.len().max(headings.len()))
        .map(|i| {
            let Some(Anchor { page: start, .. }) = at(i) else { return PageRange { first: 0, last: 0 } };
            let level = headings.get(i).map_or(1, |h| h.level);
            let next = (i + 1..headings.len()).find(|&j| headings[j].level <= level).and_then(at);
            let end = match next {
                Some(Anchor { page, y }) if (y - top).abs() < 0.01 => page.saturating_sub(1),
                Some(Anchor { page, .. }) => page,
                None => page_count.saturating_sub(1),
            };
            PageRange { first: start, last: end.max(start) }
        })
        .collect()
}

/// The pages a heading's section covers (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PageRange {
    /// The page the heading is on.
    pub(super) first: usize,
    /// The last page before the next heading of the same or a higher level.
    pub(super) last: usize,
}

/// Writes each contents line's page number (or range) into its reserved
/// place, right-aligned, with the leader dots before it filled up to it.
pub(super) fn fill_page_numbers(
    pages: &mut [Page],
    places: Vec<PageNumberPlace>,
    ranges: &[PageRange],
    labels: &[String],
    fonts: &FontSet,
) {
    for PageNumberPlace { page, item, what } in places {
        let (first, last) = ranges.get(what.heading).map_or((0, 0), |r| (r.first, r.last));
        let label = |i: usize| labels.get(i).cloned().unwrap_or_else(|| (i + 1).to_string());
        let num = if what.range && last > first {
            // 2-7, or 3-1～3-4 when the numbers have a prefix.
            let sep = if label(first).contains('-') { "～" } else { "-" };
            format!("{}{sep}{}", label(first), label(last))
        } else {
            label(first)
        };
        let Some(items) = pages.get_mut(page).map(|p| &mut p.items) else { continue };
        let Some(Item::Text { x, run, .. }) = items.get_mut(item) else { continue };
        // Right-aligned in the reserved width, with leader dots up to it.
        let face = fonts.get(run.family);
        let nw: f32 = num.chars().map(|c| face.advance(c).unwrap_or(0.5) * run.size).sum();
        *x += run.width - nw;
        run.width = nw;
        run.text = num;
        let num_x = *x;
        // The run before the number is the line's leader (see `Cx::toc`).
        if let Some(Item::Text { x: lx, run: leader, .. }) = item.checked_sub(1).and_then(|i| items.get_mut(i)) {
            let dot_w = face.advance(TOC_LEADER).unwrap_or(1.0) * leader.size;
            let n = ((num_x - leader.size * 0.5 - *lx) / dot_w).floor().clamp(0.0, 1000.0) as usize;
            leader.text = std::iter::repeat_n(TOC_LEADER, n).collect();
            leader.width = dot_w * n as f32;
        }
    }
}
