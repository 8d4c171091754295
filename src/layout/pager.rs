//! The pager: the vertical list onto pages, top to bottom. Headings are
//! kept with the start of what follows; tables go row group by row group,
//! with the header (and a continued caption) repeated on each new page.

use std::collections::BTreeMap;

use super::table::{Cut, TGroup, TableL, KEEP_GROUP_SHARE, KEEP_TABLE_SHARE};
use super::{v_height, Item, LineTag, Page, V, ARTIFACT};
use crate::error::Error;
use crate::markup::{PageSetup, VAlign};
use crate::typeset::{Line, PageRef};

/// Where a heading was placed: its page (from 0) and its top, in pt from
/// the top of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Anchor {
    /// Page index, from 0.
    pub(super) page: usize,
    /// Top of the heading's first line.
    pub(super) y: f32,
}

/// The place of a table of contents line's page number: the text item
/// `item` of page `page`, to be written in as `what` says.
#[derive(Debug, Clone, Copy)]
pub(super) struct PageNumberPlace {
    /// Page index, from 0.
    pub(super) page: usize,
    /// Index of the number's run among the page's items.
    pub(super) item: usize,
    /// Which heading's page, and whether as a range.
    pub(super) what: PageRef,
}

/// What pagination gives.
#[derive(Debug)]
pub(super) struct Paginated {
    /// The pages.
    pub(super) pages: Vec<Page>,
    /// Each heading's place, by heading number (`None`: not placed).
    pub(super) anchors: Vec<Option<Anchor>>,
    /// The page number places of contents lines.
    pub(super) page_numbers: Vec<PageNumberPlace>,
    /// Where page numbers restart: (page index, prefix), in page order.
    pub(super) restarts: Vec<(usize, String)>,
}

/// The pager's state: the page being filled and how far down it is.
pub(super) struct Pager<'a> {
    setup: &'a PageSetup,
    body_h: f32,
    pages: Vec<Page>,
    cur: Page,
    y: f32,
    has_content: bool,
    anchors: BTreeMap<usize, Anchor>,
    /// Page number places of table of contents lines: (page, item, what).
    page_numbers: Vec<PageNumberPlace>,
    /// Where page numbers restart: (page index, prefix).
    restarts: Vec<(usize, String)>,
}

impl<'a> Pager<'a> {
    pub(super) fn new(setup: &'a PageSetup) -> Pager<'a> {
        Pager {
            setup,
            body_h: setup.height - setup.top - setup.bottom,
            pages: Vec::new(),
            cur: Page::default(),
            y: 0.0,
            has_content: false,
            anchors: BTreeMap::new(),
            page_numbers: Vec::new(),
            restarts: Vec::new(),
        }
    }

    pub(super) fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.cur));
        self.y = 0.0;
        self.has_content = false;
    }

    pub(super) fn finish(mut self) -> Paginated {
        // A page break at the very end leaves no empty page behind.
        if !self.cur.items.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.cur));
        }
        let n = self.anchors.keys().next_back().map(|k| k + 1).unwrap_or(0);
        let anchors = (0..n).map(|i| self.anchors.get(&i).copied()).collect();
        Paginated { pages: self.pages, anchors, page_numbers: self.page_numbers, restarts: self.restarts }
    }

    /// Draws a line that is drawn once (its runs move onto the page), its
    /// runs in the structure nodes of `tag`.
    pub(super) fn draw_line(&mut self, line: Line, x: f32, y: f32, tag: LineTag) {
        let (baseline, page_ref) = (line.baseline, line.page_ref);
        for (k, r) in line.runs.into_iter().enumerate() {
            self.cur.items.push(Item::Text { x: x + r.x, y: y + baseline, run: r, node: tag.run(k) });
        }
        if let Some(r) = page_ref {
            // The last run is the page number's place.
            self.page_numbers.push(PageNumberPlace { page: self.pages.len(), item: self.cur.items.len() - 1, what: r });
        }
    }

    /// Minimum height that must follow a kept heading on the same page.
    pub(super) fn follow_height(vs: &[V], body_h: f32) -> f32 {
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
                V::PageBreak(_) => break,
            }
        }
        h
    }

    /// The height a table needs at the bottom of a page to start there: the
    /// whole of a short table (kept together), else its header and the
    /// beginning of its first row.
    pub(super) fn table_start_height(t: &TableL, body_h: f32) -> f32 {
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
    pub(super) fn place(&mut self, mut vs: Vec<V>) -> Result<(), Error> {
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
                V::PageBreak(restart) => {
                    if self.has_content {
                        self.new_page();
                    }
                    if let Some(prefix) = restart {
                        // The page being filled now is the first of the new count.
                        self.restarts.push((self.pages.len(), prefix.clone()));
                    }
                }
                &V::Line { ref line, x, keep, anchor, tag } => {
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
                        self.anchors.insert(a, Anchor { page: self.pages.len(), y: self.setup.top + self.y });
                    }
                    let (lx, ly) = (self.setup.left + x, self.setup.top + self.y);
                    if let V::Line { line, .. } = std::mem::replace(&mut vs[i], V::Space(0.0)) {
                        self.draw_line(line, lx, ly, tag);
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

    /// Draws a row group (its lines move onto the page); a `repeated` one
    /// (the header again on a new page) is drawn as an artifact.
    pub(super) fn draw_group(&mut self, t: &TableL, g: TGroup, h: &[f32], repeated: bool) {
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
            if c.rule > 0.0 {
                // A rule above the row (a total's): drawn over the border.
                let black = crate::markup::Rgb(0.0, 0.0, 0.0);
                self.cur.items.push(Item::Fill { x: cx, y: cy - c.rule / 2.0, w: cw, h: c.rule, color: black });
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
                    V::Line { line, x, tag, .. } => {
                        let height = line.height;
                        let tag = if repeated { LineTag::of(ARTIFACT) } else { tag };
                        self.draw_line(line, cx + t.padding + x, y, tag);
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

    pub(super) fn table_page(&mut self, t: &TableL) {
        self.new_page();
        // The caption and repeated header are content: a page break or a
        // line after the table must see this page as used.
        self.has_content = true;
        if let Some(cont) = &t.continued {
            for v in cont {
                if let V::Line { line, x, .. } = v {
                    let (lx, ly) = (self.setup.left + x, self.setup.top + self.y);
                    self.draw_line(line.clone(), lx, ly, LineTag::of(ARTIFACT));
                    self.y += line.height;
                }
            }
        }
        self.table_head(t, true);
    }

    /// Draws the table's header rows; `repeated` on a page the table
    /// continues on.
    pub(super) fn table_head(&mut self, t: &TableL, repeated: bool) {
        if let Some(g) = &t.head {
            let h = t.row_heights(g);
            self.draw_group(t, g.clone(), &h, repeated);
            self.y += h.iter().sum::<f32>();
        }
    }

    pub(super) fn table(&mut self, mut t: TableL) -> Result<(), Error> {
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
        self.table_head(&t, false);
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
                    self.draw_group(t, g, &h, false);
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
                    Some(Cut { head, head_heights, tail }) => {
                        self.draw_group(t, head, &head_heights, false);
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
