//! Tables: column widths, cells placed on the grid (with their spans),
//! row groups that merged cells tie together, and how a group is measured
//! and cut at a page break.

use std::collections::BTreeMap;

use super::structure::{NodeId, Role, ARTIFACT};
use super::MARKUP;
use super::{v_height, Cx, V};
use crate::diagnostic::{Diagnostic, Origin};
use crate::error::Error;
use crate::markup::{Block, ColWidth, Rgb, Table, VAlign};

impl Cx<'_> {
    /// Lays out `t` in `width`; its structure (Table → THead, TBody → TR →
    /// TH, TD) goes under `parent`.
    pub(super) fn table(&mut self, t: &Table, width: f32, parent: NodeId) -> TableL {
        let node = self.tree.add(Role::Table, parent);
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
        let head = if t.head.is_empty() {
            None
        } else {
            let section = self.tree.add(Role::THead, node);
            Some(self.group_rows(&t.head, &col_x, t.padding, section, Role::TH))
        };
        let section = self.tree.add(Role::TBody, node);
        let body = self.group_rows(&t.body, &col_x, t.padding, section, Role::TD);
        let groups = split_groups(body);
        let continued = t.continued.as_ref().map(|p| {
            let mut v = Vec::new();
            // 「（続き）」 on a new page is not content of its own.
            self.paragraph(p, width, false, None, ARTIFACT, &mut v);
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

    /// Places rows on the grid (handling spans) and lays out each cell; each
    /// row is a TR under `section`, each cell a `cell_role` (TH or TD).
    pub(super) fn group_rows(
        &mut self,
        rows: &[crate::markup::Row],
        col_x: &[f32],
        pad: f32,
        section: NodeId,
        cell_role: Role,
    ) -> TGroup {
        let ncols = col_x.len() - 1;
        let mut occupied: BTreeMap<(usize, usize), bool> = BTreeMap::new();
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let mut c = 0;
            let tr = self.tree.add(Role::TR, section);
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
                let node = self.tree.add_cell(cell_role, tr, rowspan, colspan);
                match cell.blocks.as_slice() {
                    // A cell of one paragraph holds its text itself (a P in
                    // every cell was 40 % of a report's structure elements).
                    [Block::Paragraph(p)] => self.paragraph(p, w.max(1.0), false, None, node, &mut content),
                    blocks => self.flatten_into(blocks, w.max(1.0), &mut content, &mut hn, node),
                }
                // Leading and trailing spaces inside a cell only add padding.
                while matches!(content.first(), Some(V::Space(_))) {
                    content.remove(0);
                }
                while matches!(content.last(), Some(V::Space(_))) {
                    content.pop();
                }
                cells.push(TCell {
                    row: r,
                    rowspan,
                    col: c,
                    colspan,
                    content,
                    valign: cell.valign,
                    shade: cell.shade,
                    rule: row.rule,
                });
                c += colspan;
            }
        }
        TGroup { nrows: rows.len(), cells }
    }
}

/// Splits the body rows into groups that rowspans tie together.
pub(super) fn split_groups(all: TGroup) -> Vec<TGroup> {
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
pub(super) struct TCell {
    pub(super) row: usize,
    pub(super) rowspan: usize,
    pub(super) col: usize,
    pub(super) colspan: usize,
    pub(super) content: Vec<V>,
    pub(super) valign: VAlign,
    pub(super) shade: Option<Rgb>,
    /// Width of the rule above the cell (its row's `rule`; 0: none).
    pub(super) rule: f32,
}

#[derive(Debug, Clone)]
pub(super) struct TGroup {
    pub(super) nrows: usize,
    pub(super) cells: Vec<TCell>,
}

#[derive(Debug, Clone)]
pub(super) struct TableL {
    pub(super) col_x: Vec<f32>,
    pub(super) head: Option<TGroup>,
    pub(super) groups: Vec<TGroup>,
    pub(super) border: f32,
    pub(super) padding: f32,
    pub(super) min_row: f32,
    pub(super) continued: Option<Vec<V>>,
    pub(super) space_before: f32,
    pub(super) space_after: f32,
}

/// A table at most this share of the page body is kept on one page.
pub(super) const KEEP_TABLE_SHARE: f32 = 0.4;

impl TableL {
    /// Height of the whole table without page breaks.
    pub(super) fn total_height(&self) -> f32 {
        self.head.iter().chain(self.groups.iter()).map(|g| self.row_heights(g).iter().sum::<f32>()).sum()
    }

    pub(super) fn row_heights(&self, g: &TGroup) -> Vec<f32> {
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
    pub(super) fn split(&self, g: &TGroup, cut: f32) -> Option<Cut> {
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
                    tail.cells.push(TCell {
                        row: 0,
                        rowspan: c.row + c.rowspan - r_cut,
                        content: b,
                        rule: 0.0,
                        ..c.clone()
                    });
                }
            }
            ((head, head_h), tail, split_lines)
        };
        if cut > t[r_cut] + 0.01 {
            let ((head, head_heights), tail, split_lines) = attempt(cut);
            if split_lines {
                return Some(Cut { head, head_heights, tail });
            }
        }
        // Nothing of the crossing row fits above the cut: end the page at the
        // row's top, if any whole row stays above it.
        if r_cut == 0 {
            return None;
        }
        let ((head, head_heights), tail, _) = attempt(t[r_cut]);
        Some(Cut { head, head_heights, tail })
    }
}

/// A row group cut at a page break.
#[derive(Debug)]
pub(super) struct Cut {
    /// The rows above the cut (the row crossing it shortened).
    pub(super) head: TGroup,
    /// The heights of the head's rows.
    pub(super) head_heights: Vec<f32>,
    /// The rest, from the row crossing the cut.
    pub(super) tail: TGroup,
}

/// Splits a cell's lines: those that fit in `avail` and the rest.
pub(super) fn split_content(v: &[V], avail: f32) -> (Vec<V>, Vec<V>) {
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

/// Groups of table rows up to this share of a page are kept on one page.
pub(super) const KEEP_GROUP_SHARE: f32 = 0.35;

/// Fixed column widths that add up to more than the page would run off it.
pub(super) fn check_table_widths(blocks: &[Block], width: f32) -> Result<(), Error> {
    for b in blocks {
        if let Block::Table(t) = b {
            let fixed: f32 = t.columns.iter().map(|c| if let ColWidth::Fixed(w) = c { *w } else { 0.0 }).sum();
            let has_rel = t.columns.len() < t.ncols || t.columns.iter().any(|c| matches!(c, ColWidth::Relative(_)));
            let need = fixed + if has_rel { 20.0 } else { 0.0 };
            if need > width + 0.5 {
                let message = format!(
                    "表の列幅の合計（{:.0}mm）が本文の幅（{:.0}mm）を超えています。columns を見直してください。",
                    need / crate::markup::PT_PER_MM,
                    width / crate::markup::PT_PER_MM
                );
                return Err(Error::finding(Diagnostic::invalid(Origin::text(MARKUP, t.pos), message)));
            }
        }
    }
    Ok(())
}
