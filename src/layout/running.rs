//! Running headers and footers, drawn once the page count is known (for a
//! document) or over the pages of its parts ([`running_pages`]).

use super::{missing_error, Item, Page};
use crate::error::Error;
use crate::fonts::FontSet;
use crate::markup::{Document, PageSetup, Running};
use crate::typeset::{self, MissingGlyph};

/// The running header and footer of the pages `first..first + count` of a
/// document of `total` pages, each on a page of its own (to be drawn over
/// the parts' pages, see [`crate::pdf::Streams::overlay`]).
pub fn running_pages(
    doc: &Document,
    fonts: &FontSet,
    first: usize,
    count: usize,
    total: usize,
) -> Result<Vec<Page>, Error> {
    let mut missing = Vec::new();
    let pages = (first..first + count)
        .map(|i| {
            let mut page = Page::default();
            draw_runnings(&mut page, doc, fonts, (i, &(i + 1).to_string(), total), &mut missing);
            page
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing_error(&missing));
    }
    Ok(pages)
}

pub(super) fn draw_runnings(
    page: &mut Page,
    doc: &Document,
    fonts: &FontSet,
    (i, label, total): (usize, &str, usize),
    missing: &mut Vec<MissingGlyph>,
) {
    for (running, is_header) in [(&doc.header, true), (&doc.footer, false)] {
        let Some(r) = running else { continue };
        if i == 0 && !r.first_page {
            continue;
        }
        draw_running(page, r, is_header, &doc.page, fonts, (label, total), missing);
    }
}

pub(super) fn draw_running(
    page: &mut Page,
    r: &Running,
    is_header: bool,
    setup: &PageSetup,
    fonts: &FontSet,
    numbers: (&str, usize),
    missing: &mut Vec<MissingGlyph>,
) {
    let gs = typeset::glyphs(&r.inlines, Some(numbers));
    let width = setup.width - setup.left - setup.right;
    let lines = typeset::set_lines(&gs, width, width, r.align, r.para.line_height, r.para.style, fonts, missing);
    let total: f32 = lines.iter().map(|l| l.height).sum();
    let mut y = if is_header { r.offset } else { setup.height - r.offset - total };
    for l in &lines {
        for run in &l.runs {
            page.items.push(Item::Text {
                x: setup.left + run.x,
                y: y + l.baseline,
                run: run.clone(),
                node: super::ARTIFACT,
            });
        }
        y += l.height;
    }
}
