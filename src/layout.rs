//! Layout: a parsed markup [`Document`] becomes positioned pages.
//!
//! Blocks are first flattened into a vertical list of lines and spaces
//! ([`V`]); tables stay whole so that they can be paginated row by row. The
//! pager then fills pages top to bottom: headings are kept with what follows,
//! table rows that do not fit move to the next page with the header rows
//! repeated, and a row taller than a page is split between its lines. Text is
//! never clipped: every line of the input is placed on some page.
//!
//! Coordinates are in points from the top-left corner of the page.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::fonts::FontSet;
use crate::markup::{
    Align, Block, ColWidth, Document, Heading, Inline, List, Meta, PageSetup, ParaStyle, Paragraph, Rgb, Running,
    Table, TextStyle, Toc, VAlign,
};
use crate::typeset::{self, Line, MissingGlyph, PageRef, Run, BREAK};

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A run of text; `y` is its baseline.
    Text { x: f32, y: f32, run: Run },
    /// The outline of a rectangle (a table cell's border); `y` is its top.
    Frame { x: f32, y: f32, w: f32, h: f32, width: f32 },
    /// A filled rectangle (cell shading).
    Fill { x: f32, y: f32, w: f32, h: f32, color: Rgb },
}

/// One laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Items in drawing order.
    pub items: Vec<Item>,
}

impl Page {
    /// The page's text in drawing order, for tests.
    pub fn text(&self) -> String {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { run, .. } => Some(run.text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// An entry of the PDF outline (bookmarks).
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// Heading level (1 = top).
    pub level: u8,
    /// Heading text.
    pub title: String,
    /// Page index, from 0.
    pub page: usize,
    /// Top of the heading on its page, in pt from the top.
    pub y: f32,
}

/// A laid-out document, ready for the PDF writer.
#[derive(Debug, Clone, PartialEq)]
pub struct Laid {
    /// Metadata from the markup.
    pub meta: Meta,
    /// Page size and margins.
    pub page: PageSetup,
    /// The pages.
    pub pages: Vec<Page>,
    /// Bookmarks, in document order.
    pub outline: Vec<OutlineEntry>,
}

/// A heading of a [`Part`], where the part's layout put it.
#[derive(Debug, Clone)]
struct PartHeading {
    info: HeadingInfo,
    /// Page index within the part (or, in [`Following`], after the document).
    page: usize,
    y: f32,
}

/// A part of a long document laid out on pages of its own: the part starts
/// on a new page and its pages carry no running header or footer yet (see
/// [`running_pages`]). A report is laid out part by part so that only one
/// part's pages are held at a time; the document before the parts (cover,
/// contents) is laid out last, with the parts' headings ([`Following`]).
#[derive(Debug, Clone)]
pub struct Part {
    /// The part's pages.
    pub pages: Vec<Page>,
    headings: Vec<PartHeading>,
}

/// The parts that follow a document: their page count and headings, all
/// that [`layout_before`] needs of them for the table of contents, the
/// outline and the page numbers.
#[derive(Debug, Clone, Default)]
pub struct Following {
    pages: usize,
    headings: Vec<PartHeading>,
}

impl Following {
    /// Adds `part` after the parts so far.
    pub fn add(&mut self, part: &Part) {
        self.append(Following { pages: part.pages.len(), headings: part.headings.clone() });
    }

    /// Adds the parts of `more` after these.
    pub fn append(&mut self, more: Following) {
        for h in more.headings {
            self.headings.push(PartHeading { page: self.pages + h.page, ..h });
        }
        self.pages += more.pages;
    }

    /// The number of pages of the parts.
    pub fn pages(&self) -> usize {
        self.pages
    }
}

/// Lays out `blocks`, a part of `doc` (see [`crate::markup::parse_part`]),
/// on pages of its own. Fails as [`layout`] does.
pub fn layout_part(blocks: &[Block], doc: &Document, fonts: &FontSet) -> Result<Part, Error> {
    let mut cx = Cx { fonts, missing: Vec::new(), headings: Vec::new() };
    collect_headings(blocks, &mut cx.headings);
    let (pages, anchors, page_refs) = cx.paginate(blocks, &doc.page)?;
    if !page_refs.is_empty() {
        return Err(Error::internal("a table of contents in a part"));
    }
    let headings = cx
        .headings
        .into_iter()
        .zip(anchors.into_iter().chain(std::iter::repeat(None)))
        .filter_map(|(info, a)| a.map(|(page, y)| PartHeading { info, page, y }))
        .collect();
    Ok(Part { pages, headings })
}

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
            draw_runnings(&mut page, doc, fonts, (i, total), &mut missing);
            page
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing_error(&missing));
    }
    Ok(pages)
}

fn draw_runnings(
    page: &mut Page,
    doc: &Document,
    fonts: &FontSet,
    (i, total): (usize, usize),
    missing: &mut Vec<MissingGlyph>,
) {
    for (running, is_header) in [(&doc.header, true), (&doc.footer, false)] {
        let Some(r) = running else { continue };
        if i == 0 && !r.first_page {
            continue;
        }
        draw_running(page, r, is_header, &doc.page, fonts, (i + 1, total), missing);
    }
}

/// Lays out a document. Fails when a character has no glyph in any font (all
/// such characters are listed) or when something cannot fit on any page.
pub fn layout(doc: &Document, fonts: &FontSet) -> Result<Laid, Error> {
    layout_before(doc, fonts, &Following::default())
}

/// Lays out a document that `following` parts come after: its table of
/// contents lists their headings too, its page numbers count their pages,
/// and the outline has their headings (at their pages after the document's
/// own). The parts' running headers and footers are [`running_pages`].
pub fn layout_before(doc: &Document, fonts: &FontSet, following: &Following) -> Result<Laid, Error> {
    // One pass: the table of contents reserves a fixed width for each page
    // number, so its lines (and everything after them) do not depend on the
    // numbers, which are written in once the headings' pages are known.
    let mut cx = Cx { fonts, missing: Vec::new(), headings: Vec::new() };
    collect_headings(&doc.blocks, &mut cx.headings);
    let own_headings = cx.headings.len();
    cx.headings.extend(following.headings.iter().map(|h| h.info.clone()));
    let (mut pages, mut anchors, page_refs) = cx.paginate(&doc.blocks, &doc.page)?;
    let own_pages = pages.len();
    let count = own_pages + following.pages;
    anchors.resize(own_headings, None);
    anchors.extend(following.headings.iter().map(|h| Some((own_pages + h.page, h.y))));
    let ranges =
        if page_refs.is_empty() { vec![] } else { heading_ranges(&cx.headings, &anchors, count, doc.page.top) };
    for (page, item, r) in page_refs {
        let (first, last) = ranges.get(r.heading).map_or((0, 0), |(a, b)| (a + 1, b + 1));
        let num = if r.range && last > first { format!("{first}-{last}") } else { first.to_string() };
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
    let headings = cx.headings;

    // Running header and footer, now that the page count is known.
    let mut missing = Vec::new();
    for (i, page) in pages.iter_mut().enumerate() {
        draw_runnings(page, doc, fonts, (i, count), &mut missing);
    }
    if !missing.is_empty() {
        return Err(missing_error(&missing));
    }

    let outline = headings
        .iter()
        .zip(anchors.iter())
        .filter(|(h, _)| h.bookmark)
        .filter_map(|(h, a)| a.map(|(page, y)| OutlineEntry { level: h.level, title: h.title.clone(), page, y }))
        .collect();
    Ok(Laid { meta: doc.meta.clone(), page: doc.page.clone(), pages, outline })
}

/// Each heading's pages (first, last; 0-based): from the page it is on to
/// the page before the next heading of the same or a higher level, or that
/// heading's own page when it does not start the page; the last section
/// runs to the end of the document.
fn heading_ranges(
    headings: &[HeadingInfo],
    anchors: &[Option<(usize, f32)>],
    page_count: usize,
    top: f32,
) -> Vec<(usize, usize)> {
    let at = |i: usize| anchors.get(i).copied().flatten();
    (0..anchors.len().max(headings.len()))
        .map(|i| {
            let Some((start, _)) = at(i) else { return (0, 0) };
            let level = headings.get(i).map_or(1, |h| h.level);
            let next = (i + 1..headings.len()).find(|&j| headings[j].level <= level).and_then(at);
            let end = match next {
                Some((page, y)) if (y - top).abs() < 0.01 => page.saturating_sub(1),
                Some((page, _)) => page,
                None => page_count.saturating_sub(1),
            };
            (start, end.max(start))
        })
        .collect()
}

/// Fixed column widths that add up to more than the page would run off it.
fn check_table_widths(blocks: &[Block], width: f32) -> Result<(), Error> {
    for b in blocks {
        if let Block::Table(t) = b {
            let fixed: f32 = t.columns.iter().map(|c| if let ColWidth::Fixed(w) = c { *w } else { 0.0 }).sum();
            let has_rel = t.columns.len() < t.ncols || t.columns.iter().any(|c| matches!(c, ColWidth::Relative(_)));
            let need = fixed + if has_rel { 20.0 } else { 0.0 };
            if need > width + 0.5 {
                return Err(Error::input(format!(
                    "マークアップ {}: 表の列幅の合計（{:.0}mm）が本文の幅（{:.0}mm）を超えています。columns を見直してください。",
                    t.pos,
                    need / crate::markup::PT_PER_MM,
                    width / crate::markup::PT_PER_MM
                )));
            }
        }
    }
    Ok(())
}

fn missing_error(missing: &[MissingGlyph]) -> Error {
    let mut seen = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    for m in missing {
        if seen.insert((m.ch, m.pos.line, m.pos.col)) {
            lines.push(format!("  「{}」(U+{:04X}) マークアップ {} の「{}」", m.ch, m.ch as u32, m.pos, m.context));
        }
    }
    let shown = lines.len().min(20);
    let more = if lines.len() > shown { format!("\n  ほか {} 件", lines.len() - shown) } else { String::new() };
    Error::input(format!(
        "フォントにない文字があります。このままでは PDF で空白や□になるため、出力しませんでした。\n{}{}\n\
         文字を置き換える（例: 絵文字を削る、外字を常用漢字にする）か、--mincho / --gothic でその文字を含むフォントを指定してください。",
        lines[..shown].join("\n"),
        more
    ))
}

/// A heading as the outline and the table of contents see it.
#[derive(Debug, Clone)]
struct HeadingInfo {
    level: u8,
    title: String,
    toc: bool,
    bookmark: bool,
}

fn plain_text(inlines: &[Inline]) -> String {
    typeset::glyphs(inlines, None).iter().map(|g| if g.ch == BREAK { ' ' } else { g.ch }).collect()
}

fn collect_headings(blocks: &[Block], out: &mut Vec<HeadingInfo>) {
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

/// A vertical list item.
#[derive(Debug, Clone)]
enum V {
    /// A line; `x` is its offset from the container's left edge.
    Line { line: Line, x: f32, keep: bool, anchor: Option<usize> },
    /// Vertical space, dropped at the top of a page.
    Space(f32),
    /// A forced page break.
    PageBreak,
    /// A table, paginated row by row.
    Table(Box<TableL>),
}

fn v_height(v: &[V]) -> f32 {
    v.iter()
        .map(|i| match i {
            V::Line { line, .. } => line.height,
            V::Space(h) => *h,
            _ => 0.0,
        })
        .sum()
}

struct Cx<'a> {
    fonts: &'a FontSet,
    missing: Vec<MissingGlyph>,
    headings: Vec<HeadingInfo>,
}

/// What pagination gives: the pages, each heading's place (page, y) by
/// heading number, and the page number places of contents lines.
type Paginated = (Vec<Page>, Vec<Option<(usize, f32)>>, Vec<(usize, usize, PageRef)>);

impl Cx<'_> {
    /// Checks and flattens `blocks` (whose headings are `self.headings`,
    /// followed by any that only the contents list) and places them on
    /// pages of `setup`. Fails on characters no font has.
    fn paginate(&mut self, blocks: &[Block], setup: &PageSetup) -> Result<Paginated, Error> {
        let body_w = setup.width - setup.left - setup.right;
        check_table_widths(blocks, body_w)?;
        let vs = self.flatten(blocks, body_w);
        if !self.missing.is_empty() {
            return Err(missing_error(&self.missing));
        }
        let mut pager = Pager::new(setup);
        pager.place(vs)?;
        Ok(pager.finish())
    }

    fn lines(&mut self, inlines: &[Inline], p: &ParaStyle, width: f32) -> Vec<(Line, f32)> {
        let gs = typeset::glyphs(inlines, None);
        let first_w = (width - p.left - p.indent).max(1.0);
        let rest_w = (width - p.left - p.hanging).max(1.0);
        let lines =
            typeset::set_lines(&gs, first_w, rest_w, p.align, p.line_height, p.style, self.fonts, &mut self.missing);
        lines.into_iter().enumerate().map(|(i, l)| (l, p.left + if i == 0 { p.indent } else { p.hanging })).collect()
    }

    fn paragraph(&mut self, para: &Paragraph, width: f32, keep: bool, anchor: Option<usize>, out: &mut Vec<V>) {
        let p = &para.para;
        if p.space_before > 0.0 {
            out.push(V::Space(p.space_before));
        }
        for (i, (line, x)) in self.lines(&para.inlines, p, width).into_iter().enumerate() {
            out.push(V::Line { line, x, keep, anchor: if i == 0 { anchor } else { None } });
        }
        if p.space_after > 0.0 {
            out.push(V::Space(p.space_after));
        }
    }

    fn flatten(&mut self, blocks: &[Block], width: f32) -> Vec<V> {
        let mut out = Vec::new();
        let mut heading_no = 0;
        self.flatten_into(blocks, width, &mut out, &mut heading_no);
        out
    }

    fn flatten_into(&mut self, blocks: &[Block], width: f32, out: &mut Vec<V>, heading_no: &mut usize) {
        for b in blocks {
            match b {
                Block::Paragraph(p) => self.paragraph(p, width, false, None, out),
                Block::Heading(Heading { body, .. }) => {
                    let idx = *heading_no;
                    *heading_no += 1;
                    // Space after a heading belongs to the heading group.
                    let start = out.len();
                    self.paragraph(body, width, true, Some(idx), out);
                    for v in &mut out[start..] {
                        if let V::Line { keep, .. } = v {
                            *keep = true;
                        }
                    }
                }
                Block::List(l) => self.list(l, width, out),
                Block::Table(t) => {
                    let t = self.table(t, width);
                    out.push(V::Table(Box::new(t)));
                }
                Block::Toc(t) => self.toc(t, width, out),
                Block::PageBreak => out.push(V::PageBreak),
                Block::Space(h) => out.push(V::Space(*h)),
            }
        }
    }

    fn list(&mut self, l: &List, width: f32, out: &mut Vec<V>) {
        let fonts = self.fonts;
        let marker_w = |m: &str| -> f32 {
            m.chars()
                .map(|c| match fonts.resolve(l.marker_style.family, c) {
                    Some(f) => fonts.get(f).advance(c).unwrap_or(1.0) * l.marker_style.size,
                    None => l.marker_style.size,
                })
                .sum()
        };
        let mw = l.marker_width.unwrap_or_else(|| l.items.iter().map(|i| marker_w(&i.marker)).fold(0.0, f32::max));
        let inner_x = l.left + mw + l.gap;
        let inner_w = (width - inner_x).max(1.0);
        if l.space_before > 0.0 {
            out.push(V::Space(l.space_before));
        }
        for (n, item) in l.items.iter().enumerate() {
            if n > 0 && l.item_space > 0.0 {
                out.push(V::Space(l.item_space));
            }
            let marker_para = ParaStyle {
                align: Align::Left,
                indent: 0.0,
                hanging: 0.0,
                left: 0.0,
                line_height: 1.0,
                space_before: 0.0,
                space_after: 0.0,
                style: l.marker_style,
            };
            let inl = vec![Inline::Text { text: item.marker.clone(), style: l.marker_style, pos: item.pos }];
            let marker_lines = self.lines(&inl, &marker_para, f32::MAX / 4.0);
            let marker_runs: Vec<Run> = marker_lines.into_iter().flat_map(|(l, _)| l.runs).collect();
            let mut inner = Vec::new();
            let mut hn = 0;
            self.flatten_into(&item.blocks, inner_w, &mut inner, &mut hn);
            let mut placed = false;
            for v in inner {
                match v {
                    V::Line { mut line, x, keep, anchor } => {
                        if !placed {
                            // The marker sits on the item's first line, in the
                            // marker column to the left of the text.
                            let shift = -(x + mw + l.gap);
                            let mut runs: Vec<Run> = marker_runs
                                .iter()
                                .cloned()
                                .map(|mut r| {
                                    r.x += shift;
                                    r
                                })
                                .collect();
                            runs.append(&mut line.runs);
                            line.runs = runs;
                            placed = true;
                        }
                        out.push(V::Line { line, x: x + inner_x, keep, anchor });
                    }
                    V::Space(h) => out.push(V::Space(h)),
                    other => out.push(other),
                }
            }
            if !placed {
                let base = l.marker_style.size * 1.6;
                let asc = self.fonts.get(l.marker_style.family).ascent;
                out.push(V::Line {
                    line: Line {
                        runs: marker_runs,
                        width: mw,
                        height: base,
                        baseline: (base - l.marker_style.size) / 2.0 + l.marker_style.size * asc,
                        page_ref: None,
                    },
                    x: l.left,
                    keep: false,
                    anchor: None,
                });
            }
        }
        if l.space_after > 0.0 {
            out.push(V::Space(l.space_after));
        }
    }

    fn toc(&mut self, t: &Toc, width: f32, out: &mut Vec<V>) {
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
                    width: 0.0,
                });
                last.runs.push(Run {
                    x: width - num_w - *x,
                    text: "0".into(),
                    family: style.family,
                    size: style.size,
                    bold: false,
                    char_spacing: 0.0,
                    width: num_w,
                });
                last.width = width - *x;
                last.page_ref = Some(PageRef { heading: idx, range: t.ranges });
            }
            for (line, x) in lines {
                out.push(V::Line { line, x, keep: false, anchor: None });
            }
        }
        if t.para.space_after > 0.0 {
            out.push(V::Space(t.para.space_after));
        }
    }

    fn table(&mut self, t: &Table, width: f32) -> TableL {
        let ncols = t.ncols.max(t.columns.len()).max(1);
        let mut cols: Vec<ColWidth> = t.columns.clone();
        cols.resize(ncols, ColWidth::Relative(1.0));
        let fixed: f32 = cols.iter().map(|c| if let ColWidth::Fixed(w) = c { *w } else { 0.0 }).sum();
        let frs: f32 = cols.iter().map(|c| if let ColWidth::Relative(f) = c { *f } else { 0.0 }).sum();
        let rest = (width - fixed).max(0.0);
        let mut col_x = vec![0.0];
        for c in &cols {
            let w = match c {
                ColWidth::Fixed(w) => *w,
                ColWidth::Relative(f) => {
                    if frs > 0.0 {
                        rest * f / frs
                    } else {
                        0.0
                    }
                }
            };
            col_x.push(col_x.last().unwrap() + w);
        }
        // An empty row is as tall as one line of the table's text.
        let min_row = t.padding * 2.0 + t.style.size * t.line_height;
        let head = if t.head.is_empty() { None } else { Some(self.group_rows(&t.head, &col_x, t.padding)) };
        let body = self.group_rows(&t.body, &col_x, t.padding);
        let groups = split_groups(body);
        let continued = t.continued.as_ref().map(|p| {
            let mut v = Vec::new();
            self.paragraph(p, width, false, None, &mut v);
            v
        });
        TableL {
            col_x,
            head,
            groups,
            border: t.border,
            padding: t.padding,
            min_row,
            continued,
            space_before: t.space_before,
            space_after: t.space_after,
        }
    }

    /// Places rows on the grid (handling spans) and lays out each cell.
    fn group_rows(&mut self, rows: &[crate::markup::Row], col_x: &[f32], pad: f32) -> TGroup {
        let ncols = col_x.len() - 1;
        let mut occupied: BTreeMap<(usize, usize), bool> = BTreeMap::new();
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut c = 0;
            for cell in &row.cells {
                while occupied.contains_key(&(r, c)) {
                    c += 1;
                }
                let colspan = cell.colspan.min(ncols.saturating_sub(c)).max(1);
                let rowspan = cell.rowspan.min(rows.len() - r).max(1);
                if c >= ncols {
                    // More cells than columns: widen nothing, put it in the
                    // last column so that its text is not lost.
                    c = ncols - 1;
                }
                for rr in r..r + rowspan {
                    for cc in c..(c + colspan).min(ncols) {
                        occupied.insert((rr, cc), true);
                    }
                }
                let w = col_x[(c + colspan).min(ncols)] - col_x[c] - 2.0 * pad;
                let mut content = Vec::new();
                let mut hn = 0;
                self.flatten_into(&cell.blocks, w.max(1.0), &mut content, &mut hn);
                // Leading and trailing spaces inside a cell only add padding.
                while matches!(content.first(), Some(V::Space(_))) {
                    content.remove(0);
                }
                while matches!(content.last(), Some(V::Space(_))) {
                    content.pop();
                }
                cells.push(TCell { row: r, rowspan, col: c, colspan, content, valign: cell.valign, shade: cell.shade });
                c += colspan;
            }
        }
        TGroup { nrows: rows.len(), cells }
    }
}

/// Splits the body rows into groups that rowspans tie together.
fn split_groups(all: TGroup) -> Vec<TGroup> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut cells = all.cells;
    cells.sort_by_key(|c| (c.row, c.col));
    let mut idx = 0;
    while start < all.nrows {
        let mut end = start + 1;
        let mut changed = true;
        while changed {
            changed = false;
            let reach =
                cells.iter().filter(|c| c.row >= start && c.row < end).map(|c| c.row + c.rowspan).max().unwrap_or(end);
            if reach > end {
                end = reach;
                changed = true;
            }
        }
        let mut g = TGroup { nrows: end - start, cells: Vec::new() };
        while idx < cells.len() && cells[idx].row < end {
            let mut c = cells[idx].clone();
            c.row -= start;
            g.cells.push(c);
            idx += 1;
        }
        groups.push(g);
        start = end;
    }
    groups
}

#[derive(Debug, Clone)]
struct TCell {
    row: usize,
    rowspan: usize,
    col: usize,
    colspan: usize,
    content: Vec<V>,
    valign: VAlign,
    shade: Option<Rgb>,
}

#[derive(Debug, Clone)]
struct TGroup {
    nrows: usize,
    cells: Vec<TCell>,
}

#[derive(Debug, Clone)]
struct TableL {
    col_x: Vec<f32>,
    head: Option<TGroup>,
    groups: Vec<TGroup>,
    border: f32,
    padding: f32,
    min_row: f32,
    continued: Option<Vec<V>>,
    space_before: f32,
    space_after: f32,
}

/// A table at most this share of the page body is kept on one page.
const KEEP_TABLE_SHARE: f32 = 0.4;

impl TableL {
    /// Height of the whole table without page breaks.
    fn total_height(&self) -> f32 {
        self.head.iter().chain(self.groups.iter()).map(|g| self.row_heights(g).iter().sum::<f32>()).sum()
    }

    fn row_heights(&self, g: &TGroup) -> Vec<f32> {
        let mut h = vec![self.min_row; g.nrows];
        for c in g.cells.iter().filter(|c| c.rowspan == 1) {
            h[c.row] = h[c.row].max(v_height(&c.content) + 2.0 * self.padding);
        }
        let mut spanning: Vec<&TCell> = g.cells.iter().filter(|c| c.rowspan > 1).collect();
        spanning.sort_by_key(|c| c.rowspan);
        for c in spanning {
            let need = v_height(&c.content) + 2.0 * self.padding;
            let have: f32 = h[c.row..c.row + c.rowspan].iter().sum();
            if need > have {
                h[c.row + c.rowspan - 1] += need - have;
            }
        }
        h
    }

    /// Cuts a group at height `cut` from its top. Returns the part above the
    /// cut (with its row heights) and the rest, or `None` when no line of
    /// any cell fits above the cut.
    fn split(&self, g: &TGroup, cut: f32) -> Option<((TGroup, Vec<f32>), TGroup)> {
        let h = self.row_heights(g);
        let mut t = vec![0.0f32];
        for x in &h {
            t.push(t.last().unwrap() + x);
        }
        let r_cut = (0..g.nrows).find(|&r| t[r + 1] > cut + 0.01)?;
        // Returns the head (with row heights), the tail, and whether any
        // line of a cell crossing the cut stays above it.
        let attempt = |cut: f32| -> ((TGroup, Vec<f32>), TGroup, bool) {
            let head_rows = if cut > t[r_cut] + 0.01 { r_cut + 1 } else { r_cut };
            let mut head_h: Vec<f32> = h[..head_rows].to_vec();
            if head_rows > r_cut {
                head_h[r_cut] = cut - t[r_cut];
            }
            let mut head = TGroup { nrows: head_rows, cells: Vec::new() };
            let mut tail = TGroup { nrows: g.nrows - r_cut, cells: Vec::new() };
            let mut split_lines = false;
            for c in &g.cells {
                let top = t[c.row];
                let bottom = t[c.row + c.rowspan];
                if top >= cut - 0.01 {
                    let mut c = c.clone();
                    c.row -= r_cut;
                    tail.cells.push(c);
                } else if bottom <= cut + 0.01 {
                    head.cells.push(c.clone());
                } else {
                    let (a, b) = split_content(&c.content, cut - top - 2.0 * self.padding);
                    split_lines |= a.iter().any(|v| matches!(v, V::Line { .. }));
                    head.cells.push(TCell { rowspan: head_rows - c.row, content: a, ..c.clone() });
                    tail.cells.push(TCell { row: 0, rowspan: c.row + c.rowspan - r_cut, content: b, ..c.clone() });
                }
            }
            ((head, head_h), tail, split_lines)
        };
        if cut > t[r_cut] + 0.01 {
            let (head, tail, split_lines) = attempt(cut);
            if split_lines {
                return Some((head, tail));
            }
        }
        // Nothing of the crossing row fits above the cut: end the page at the
        // row's top, if any whole row stays above it.
        if r_cut == 0 {
            return None;
        }
        let (head, tail, _) = attempt(t[r_cut]);
        Some((head, tail))
    }
}

/// Splits a cell's lines: those that fit in `avail` and the rest.
fn split_content(v: &[V], avail: f32) -> (Vec<V>, Vec<V>) {
    let mut used = 0.0;
    let mut i = 0;
    while i < v.len() {
        let h = match &v[i] {
            V::Line { line, .. } => line.height,
            V::Space(h) => *h,
            _ => 0.0,
        };
        if used + h > avail + 0.01 {
            break;
        }
        used += h;
        i += 1;
    }
    let mut rest: Vec<V> = v[i..].to_vec();
    while matches!(rest.first(), Some(V::Space(_))) {
        rest.remove(0);
    }
    (v[..i].to_vec(), rest)
}

struct Pager<'a> {
    setup: &'a PageSetup,
    body_h: f32,
    pages: Vec<Page>,
    cur: Page,
    y: f32,
    has_content: bool,
    anchors: BTreeMap<usize, (usize, f32)>,
    /// Page number places of table of contents lines: (page, item, what).
    page_refs: Vec<(usize, usize, PageRef)>,
}

impl<'a> Pager<'a> {
    fn new(setup: &'a PageSetup) -> Pager<'a> {
        Pager {
            setup,
            body_h: setup.height - setup.top - setup.bottom,
            pages: Vec::new(),
            cur: Page::default(),
            y: 0.0,
            has_content: false,
            anchors: BTreeMap::new(),
            page_refs: Vec::new(),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.cur));
        self.y = 0.0;
        self.has_content = false;
    }

    fn finish(mut self) -> Paginated {
        // A page break at the very end leaves no empty page behind.
        if !self.cur.items.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.cur));
        }
        let n = self.anchors.keys().next_back().map(|k| k + 1).unwrap_or(0);
        let anchors = (0..n).map(|i| self.anchors.get(&i).copied()).collect();
        (self.pages, anchors, self.page_refs)
    }

    /// Draws a line that is drawn once (its runs move onto the page).
    fn draw_line(&mut self, line: Line, x: f32, y: f32) {
        let (baseline, page_ref) = (line.baseline, line.page_ref);
        for r in line.runs {
            self.cur.items.push(Item::Text { x: x + r.x, y: y + baseline, run: r });
        }
        if let Some(r) = page_ref {
            // The last run is the page number's place.
            self.page_refs.push((self.pages.len(), self.cur.items.len() - 1, r));
        }
    }

    /// Minimum height that must follow a kept heading on the same page.
    fn follow_height(vs: &[V], body_h: f32) -> f32 {
        let mut h = 0.0;
        let mut lines = 0;
        for v in vs {
            match v {
                V::Space(s) => h += s,
                V::Line { line, .. } => {
                    h += line.height;
                    lines += 1;
                    if lines == 2 {
                        break;
                    }
                }
                V::Table(t) => {
                    h += t.space_before + Self::table_start_height(t, body_h);
                    break;
                }
                V::PageBreak => break,
            }
        }
        h
    }

    /// The height a table needs at the bottom of a page to start there: the
    /// whole of a short table (kept together), else its header and the
    /// beginning of its first row.
    fn table_start_height(t: &TableL, body_h: f32) -> f32 {
        let total = t.total_height();
        if total <= body_h * KEEP_TABLE_SHARE {
            return total;
        }
        let head: f32 = t.head.as_ref().map(|g| t.row_heights(g).iter().sum()).unwrap_or(0.0);
        let cont: f32 = t.continued.as_ref().map(|v| v_height(v)).unwrap_or(0.0);
        let first: f32 = t.groups.first().map(|g| t.row_heights(g).iter().sum()).unwrap_or(0.0);
        let fresh_room = body_h - head - cont;
        let kept_whole = t.groups.first().is_some_and(|g| g.nrows == 1 || first <= fresh_room * KEEP_GROUP_SHARE);
        if first <= fresh_room && kept_whole {
            // The first row group would move whole to the next page rather
            // than split (see `table`), so it must fit here with the header.
            head + first
        } else {
            head + t.min_row
        }
    }

    /// Places `vs` in order, moving each item onto the pages (the items
    /// after the current one stay, for keeping headings with what follows).
    fn place(&mut self, mut vs: Vec<V>) -> Result<(), Error> {
        let mut i = 0;
        while i < vs.len() {
            match &vs[i] {
                V::Space(h) => {
                    if self.has_content {
                        if self.y + h > self.body_h {
                            self.new_page();
                        } else {
                            self.y += h;
                        }
                    }
                }
                V::PageBreak => {
                    if self.has_content {
                        self.new_page();
                    }
                }
                &V::Line { ref line, x, keep, anchor } => {
                    if line.height > self.body_h {
                        return Err(Error::input(
                            "1 行の高さがページの本文の高さを超えています。文字の大きさか余白を小さくしてください。",
                        ));
                    }
                    let height = line.height;
                    let mut need = height;
                    if keep {
                        // The whole heading, plus the start of what follows.
                        let mut j = i + 1;
                        while j < vs.len() && matches!(&vs[j], V::Line { keep: true, .. } | V::Space(_)) {
                            j += 1;
                        }
                        need = v_height(&vs[i..j]) + Self::follow_height(&vs[j..], self.body_h);
                    }
                    if self.has_content && self.y + need > self.body_h {
                        self.new_page();
                    }
                    if let Some(a) = anchor {
                        self.anchors.insert(a, (self.pages.len(), self.setup.top + self.y));
                    }
                    let (lx, ly) = (self.setup.left + x, self.setup.top + self.y);
                    if let V::Line { line, .. } = std::mem::replace(&mut vs[i], V::Space(0.0)) {
                        self.draw_line(line, lx, ly);
                    }
                    self.y += height;
                    self.has_content = true;
                }
                V::Table(_) => {
                    if let V::Table(t) = std::mem::replace(&mut vs[i], V::Space(0.0)) {
                        self.table(*t)?;
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// Draws a row group (its lines move onto the page).
    fn draw_group(&mut self, t: &TableL, g: TGroup, h: &[f32]) {
        let (x0, y0) = (self.setup.left, self.setup.top + self.y);
        let mut top = vec![0.0f32];
        for x in h {
            top.push(top.last().unwrap() + x);
        }
        let mut borders = Vec::new();
        for c in g.cells {
            let cx = x0 + t.col_x[c.col];
            let cw = t.col_x[(c.col + c.colspan).min(t.col_x.len() - 1)] - t.col_x[c.col];
            let cy = y0 + top[c.row];
            let ch = top[(c.row + c.rowspan).min(h.len())] - top[c.row];
            if let Some(color) = c.shade {
                self.cur.items.push(Item::Fill { x: cx, y: cy, w: cw, h: ch, color });
            }
            let content_h = v_height(&c.content);
            let free = (ch - 2.0 * t.padding - content_h).max(0.0);
            let mut y = cy
                + t.padding
                + match c.valign {
                    VAlign::Top => 0.0,
                    VAlign::Middle => free / 2.0,
                    VAlign::Bottom => free,
                };
            for v in c.content {
                match v {
                    V::Line { line, x, .. } => {
                        let height = line.height;
                        self.draw_line(line, cx + t.padding + x, y);
                        y += height;
                    }
                    V::Space(s) => y += s,
                    _ => {}
                }
            }
            if t.border > 0.0 {
                borders.push((cx, cy, cw, ch));
            }
        }
        for (x, y, w, h) in borders {
            self.cur.items.push(Item::Frame { x, y, w, h, width: t.border });
        }
    }

    fn table_page(&mut self, t: &TableL) {
        self.new_page();
        // The caption and repeated header are content: a page break or a
        // line after the table must see this page as used.
        self.has_content = true;
        if let Some(cont) = &t.continued {
            for v in cont {
                if let V::Line { line, x, .. } = v {
                    let (lx, ly) = (self.setup.left + x, self.setup.top + self.y);
                    self.draw_line(line.clone(), lx, ly);
                    self.y += line.height;
                }
            }
        }
        self.table_head(t);
    }

    fn table_head(&mut self, t: &TableL) {
        if let Some(g) = &t.head {
            let h = t.row_heights(g);
            self.draw_group(t, g.clone(), &h);
            self.y += h.iter().sum::<f32>();
        }
    }

    fn table(&mut self, mut t: TableL) -> Result<(), Error> {
        if self.has_content && t.space_before > 0.0 {
            self.y += t.space_before;
        }
        let head_h: f32 = t.head.as_ref().map(|g| t.row_heights(g).iter().sum()).unwrap_or(0.0);
        let cont_h: f32 = t.continued.as_ref().map(|v| v_height(v)).unwrap_or(0.0);
        if head_h + cont_h + t.min_row > self.body_h * 0.8 {
            return Err(Error::input(
                "表の見出し行が高すぎて、続きのページに本文の行を置けません。見出し行を短くしてください。",
            ));
        }
        let first_min = Self::table_start_height(&t, self.body_h);
        if self.has_content && self.y + first_min > self.body_h {
            self.new_page();
        }
        // A page on which only the table's header has been drawn so far.
        let mut fresh = !self.has_content;
        self.table_head(&t);
        self.has_content = true;
        let fresh_room = self.body_h - head_h - cont_h;
        let t_groups = std::mem::take(&mut t.groups);
        let t = &t;
        for mut g in t_groups {
            loop {
                let h = t.row_heights(&g);
                let total: f32 = h.iter().sum();
                let avail = self.body_h - self.y;
                if total <= avail + 0.01 {
                    self.draw_group(t, g, &h);
                    self.y += total;
                    fresh = false;
                    break;
                }
                // A row, or a small group of rows that merged cells tie
                // together, moves to the next page whole; a large group (an
                // item of a combined plan with every centre's goals) fills
                // the page and continues on the next, rather than leave most
                // of a page empty.
                let keep_whole = g.nrows == 1 || total <= fresh_room * KEEP_GROUP_SHARE;
                if total <= fresh_room + 0.01 && !fresh && keep_whole {
                    self.table_page(t);
                    fresh = true;
                    continue;
                }
                match t.split(&g, avail) {
                    Some(((head, head_h), tail)) => {
                        self.draw_group(t, head, &head_h);
                        self.table_page(t);
                        fresh = true;
                        g = tail;
                    }
                    None if !fresh => {
                        self.table_page(t);
                        fresh = true;
                    }
                    None => {
                        return Err(Error::input(
                            "表のセルの 1 行がページに収まりません。文字の大きさか余白を小さくしてください。",
                        ))
                    }
                }
            }
        }
        if t.space_after > 0.0 {
            self.y += t.space_after;
        }
        Ok(())
    }
}

/// The leader between a table of contents entry and its page number.
const TOC_LEADER: char = '…';

/// Groups of table rows up to this share of a page are kept on one page.
const KEEP_GROUP_SHARE: f32 = 0.35;

fn draw_running(
    page: &mut Page,
    r: &Running,
    is_header: bool,
    setup: &PageSetup,
    fonts: &FontSet,
    numbers: (usize, usize),
    missing: &mut Vec<MissingGlyph>,
) {
    let gs = typeset::glyphs(&r.inlines, Some(numbers));
    let width = setup.width - setup.left - setup.right;
    let lines = typeset::set_lines(&gs, width, width, r.align, r.para.line_height, r.para.style, fonts, missing);
    let total: f32 = lines.iter().map(|l| l.height).sum();
    let mut y = if is_header { r.offset } else { setup.height - r.offset - total };
    for l in &lines {
        for run in &l.runs {
            page.items.push(Item::Text { x: setup.left + run.x, y: y + l.baseline, run: run.clone() });
        }
        y += l.height;
    }
}

/// A plain paragraph style, for callers that build markup in code.
pub fn plain_para(style: TextStyle) -> ParaStyle {
    ParaStyle {
        align: Align::Left,
        indent: 0.0,
        hanging: 0.0,
        left: 0.0,
        line_height: 1.6,
        space_before: 0.0,
        space_after: 0.0,
        style,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup;

    fn lay(xml: &str) -> Laid {
        let doc = markup::parse(xml, "test").unwrap();
        layout(&doc, &FontSet::embedded()).unwrap()
    }

    #[test]
    fn parts_after_a_document_are_in_its_contents_outline_and_page_count() {
        let fonts = FontSet::embedded();
        let doc = markup::parse(
            r#"<document><footer><page-number/> / <page-count/></footer><toc/><page-break/><h>前書き</h><p>本文</p></document>"#,
            "test",
        )
        .unwrap();
        let long = "続く本文。".repeat(600);
        let mut following = Following::default();
        let mut parts = Vec::new();
        for (title, body) in [("第一部", long.as_str()), ("第二部", "短い本文")] {
            let text =
                format!(r#"<part><h>{title}</h><p>{body}</p><h level="2">{title}の節</h><p>節の本文</p></part>"#);
            let blocks = markup::parse_part(&text, "part", &doc).unwrap();
            let part = layout_part(&blocks, &doc, &fonts).unwrap();
            following.add(&part);
            parts.push(part);
        }
        // The first part runs over pages, the second starts on a page of its own.
        let first_len = parts[0].pages.len();
        assert!(first_len >= 2, "{first_len}");
        assert_eq!(following.pages(), first_len + 1);
        let laid = layout_before(&doc, &fonts, &following).unwrap();
        assert_eq!(laid.pages.len(), 2, "contents, 前書き");
        let total = 2 + following.pages();
        // Contents: 前書き on page 2, 第一部 on 3, 第二部 after the first part.
        let toc = laid.pages[0].text();
        let page_of = |title: &str| -> usize {
            let rest = toc.split(title).nth(1).unwrap_or_else(|| panic!("{title}: {toc}"));
            rest.trim_start_matches(TOC_LEADER)
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap()
        };
        let second = 3 + first_len;
        assert_eq!([page_of("前書き"), page_of("第一部"), page_of("第二部")], [2, 3, second], "{toc}");
        // The outline points at the same pages (0-based).
        let pages: Vec<(String, usize)> = laid.outline.iter().map(|e| (e.title.clone(), e.page)).collect();
        assert_eq!(
            pages,
            [
                ("前書き".to_string(), 1),
                ("第一部".to_string(), 2),
                ("第一部の節".to_string(), 2 + first_len - 1),
                ("第二部".to_string(), second - 1),
                ("第二部の節".to_string(), second - 1),
            ]
        );
        // Page numbers count the parts' pages; the parts' footers come apart.
        assert!(laid.pages[1].text().ends_with(&format!("2 / {total}")), "{}", laid.pages[1].text());
        let running = running_pages(&doc, &fonts, 2, following.pages(), total).unwrap();
        assert_eq!(running.len(), following.pages());
        assert_eq!(running[0].text(), format!("3 / {total}"));
        assert_eq!(running.last().unwrap().text(), format!("{total} / {total}"));
        assert!(parts[1].pages[0].text().starts_with("第二部"), "a part carries no footer itself");
    }

    #[test]
    fn a_part_is_formatted_as_its_document_and_holds_no_contents() {
        let doc = markup::parse(r#"<document size="14" font="gothic"><p>本文</p></document>"#, "test").unwrap();
        let blocks = markup::parse_part("<part><p>部分</p></part>", "part", &doc).unwrap();
        let Block::Paragraph(p) = &blocks[0] else { panic!("{blocks:?}") };
        assert_eq!((p.para.style.size, p.para.style.family), (14.0, crate::fonts::Family::Gothic));
        let e = markup::parse_part("<document><p>x</p></document>", "部分.hbs", &doc).unwrap_err();
        assert!(e.message.contains("<part>") && e.message.starts_with("部分.hbs"), "{}", e.message);
        let e = markup::parse_part("<part><toc/></part>", "部分.hbs", &doc).unwrap_err();
        assert!(e.message.contains("<toc>"), "{}", e.message);
    }

    #[test]
    fn long_paragraph_flows_over_pages_without_loss() {
        let text = "本会は訪問介護サービスの質の向上に取り組みます。".repeat(400);
        let laid = lay(&format!("<document><p>{text}</p></document>"));
        assert!(laid.pages.len() > 2);
        let all: String = laid.pages.iter().map(|p| p.text()).collect();
        assert_eq!(all, text);
    }

    #[test]
    fn heading_is_not_left_alone_at_the_bottom() {
        // Fill a page almost to the bottom, then a heading and a paragraph.
        let filler = "<p>行</p>".repeat(44);
        let laid = lay(&format!("<document>{filler}<h>見出し</h><p>本文です。</p></document>"));
        let page_of = |s: &str| laid.pages.iter().position(|p| p.text().contains(s)).unwrap();
        assert_eq!(page_of("見出し"), page_of("本文です。"));
    }

    #[test]
    fn table_header_repeats_and_rows_are_complete() {
        let rows: String = (1..=120).map(|i| format!("<tr><td>{i}行目</td><td>内容{i}</td></tr>")).collect();
        let laid = lay(&format!(
            r#"<document><table columns="30mm 1fr" continued="（続き）"><thead><tr><th>日程</th><th>内容</th></tr></thead>{rows}</table></document>"#
        ));
        assert!(laid.pages.len() >= 3);
        for (i, p) in laid.pages.iter().enumerate() {
            assert!(p.text().contains("日程内容"), "page {i} lacks the header");
            if i > 0 {
                assert!(p.text().starts_with("（続き）"), "page {i}");
            }
        }
        let all: String = laid.pages.iter().map(|p| p.text()).collect();
        for i in 1..=120 {
            assert!(all.contains(&format!("{i}行目内容{i}")), "row {i}");
        }
    }

    #[test]
    fn content_after_a_multi_page_table_respects_the_page() {
        let rows: String = (1..=80).map(|i| format!("<tr><td>{i}行目</td></tr>")).collect();
        let laid = lay(&format!(
            r#"<document><table><thead><tr><th>見出し</th></tr></thead>{rows}</table><page-break/><p>改ページ後</p>{}</document>"#,
            "<p>続く段落</p>".repeat(60)
        ));
        let table_last = laid.pages.iter().rposition(|p| p.text().contains("80行目")).unwrap();
        let after = laid.pages.iter().position(|p| p.text().contains("改ページ後")).unwrap();
        assert_eq!(after, table_last + 1, "the page break after the table is honoured");
        let bottom = laid.page.height - laid.page.bottom;
        for (i, p) in laid.pages.iter().enumerate() {
            for item in &p.items {
                if let Item::Text { y, run, .. } = item {
                    assert!(*y <= bottom + 1.0, "page {i}: {} drawn below the body at {y}", run.text);
                }
            }
        }
    }

    #[test]
    fn row_taller_than_a_page_is_split() {
        let long = "長い文章が続きます。".repeat(600);
        let laid = lay(&format!(
            r#"<document><table columns="20mm 1fr"><thead><tr><th>項目</th><th>内容</th></tr></thead><tr><td>項目A</td><td>{long}</td></tr><tr><td>項目B</td><td>短い</td></tr></table></document>"#
        ));
        assert!(laid.pages.len() >= 2);
        let all: String = laid.pages.iter().map(|p| p.text().replace("項目内容", "")).collect();
        assert_eq!(all, format!("項目A{long}項目B短い"));
    }

    #[test]
    fn rowspan_cells_span_their_rows() {
        let laid = lay(
            r#"<document><table columns="1fr 1fr"><tr><td rowspan="2">左</td><td>右上</td></tr><tr><td>右下</td></tr></table></document>"#,
        );
        let p = &laid.pages[0];
        assert_eq!(p.text(), "左右上右下");
        let ys: Vec<f32> =
            p.items.iter().filter_map(|i| if let Item::Text { y, .. } = i { Some(*y) } else { None }).collect();
        assert!(ys[2] > ys[1], "second row below the first");
    }

    #[test]
    fn toc_has_page_numbers_of_headings() {
        let laid = lay(r#"<document><toc/><page-break/><h>第一章</h><p>本文</p><page-break/><h>第二章</h></document>"#);
        let toc = laid.pages[0].text();
        assert!(toc.contains("第一章") && toc.ends_with('3'), "{toc}");
        assert!(toc.contains('2'), "{toc}");
        assert_eq!(laid.outline.len(), 2);
        assert_eq!(laid.outline[1].page, 2);
    }

    #[test]
    fn toc_ranges_run_to_the_next_heading_of_the_same_level() {
        let laid = lay(concat!(
            r#"<document><toc pages="range"/><page-break/>"#,
            r#"<h>第一章</h><p>本文</p><h level="2">節</h><p>本文</p><page-break/><p>続き</p><page-break/>"#,
            r#"<h>第二章</h><p>本文</p><h>第三章</h><p>同じページ</p></document>"#
        ));
        let toc = laid.pages[0].text();
        // 第一章 runs over pages 2–3; its 節 to the end of the chapter too;
        // 第二章 shares page 4 with 第三章, which runs to the end.
        let entry = |from: &str, to: &str| {
            let start = toc.find(from).unwrap_or_else(|| panic!("{from} in {toc}")) + from.len();
            let end = if to.is_empty() { toc.len() } else { toc.find(to).unwrap() };
            toc[start..end].trim_start_matches('…').to_string()
        };
        assert_eq!(entry("第一章", "節"), "2-3", "{toc}");
        assert_eq!(entry("節", "第二章"), "2-3", "{toc}");
        assert_eq!(entry("第二章", "第三章"), "4", "{toc}");
        assert_eq!(entry("第三章", ""), "4", "{toc}");
    }

    #[test]
    fn footer_counts_pages() {
        let laid = lay(
            r#"<document><footer>- <page-number/> / <page-count/> -</footer><p>一</p><page-break/><p>二</p></document>"#,
        );
        assert!(laid.pages[0].text().contains("- 1 / 2 -"));
        assert!(laid.pages[1].text().contains("- 2 / 2 -"));
    }

    #[test]
    fn missing_glyphs_are_all_reported() {
        let doc = markup::parse("<document><p>絵😀</p>\n<p>外字𠀋\u{E000}</p></document>", "t").unwrap();
        let err = layout(&doc, &FontSet::embedded()).unwrap_err();
        assert!(err.message.contains("😀") && err.message.contains("U+E000"), "{}", err.message);
        assert!(err.message.contains("2行"), "{}", err.message);
    }
}
