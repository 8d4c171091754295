//! Blocks to the vertical list: paragraphs set into lines, headings kept
//! with what follows, lists with their markers in a column of their own.

use super::structure::{NodeId, Role, ROOT};
use super::{Cx, LineTag, V};
use crate::markup::{Block, Heading, Inline, List, ParaStyle, Paragraph};
use crate::typeset::{self, Line, Run};

impl Cx<'_> {
    pub(super) fn lines(&mut self, inlines: &[Inline], p: &ParaStyle, width: f32) -> Vec<(Line, f32)> {
        let gs = typeset::glyphs(inlines, None);
        let first_w = (width - p.left - p.indent).max(1.0);
        let rest_w = (width - p.left - p.hanging).max(1.0);
        let lines =
            typeset::set_lines(&gs, first_w, rest_w, p.align, p.line_height, p.style, self.fonts, &mut self.missing);
        lines.into_iter().enumerate().map(|(i, l)| (l, p.left + if i == 0 { p.indent } else { p.hanging })).collect()
    }

    /// Sets `para` into lines of `width`, all of them in structure node
    /// `node`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn paragraph(
        &mut self,
        para: &Paragraph,
        width: f32,
        keep: bool,
        anchor: Option<usize>,
        node: NodeId,
        out: &mut Vec<V>,
    ) {
        let p = &para.para;
        if p.space_before > 0.0 {
            out.push(V::Space(p.space_before));
        }
        for (i, (line, x)) in self.lines(&para.inlines, p, width).into_iter().enumerate() {
            out.push(V::Line { line, x, keep, anchor: if i == 0 { anchor } else { None }, tag: LineTag::of(node) });
        }
        if p.space_after > 0.0 {
            out.push(V::Space(p.space_after));
        }
    }

    pub(super) fn flatten(&mut self, blocks: &[Block], width: f32) -> Vec<V> {
        let mut out = Vec::new();
        let mut heading_no = 0;
        self.flatten_into(blocks, width, &mut out, &mut heading_no, ROOT);
        out
    }

    /// Flattens `blocks` into `out`, their structure under `parent`.
    pub(super) fn flatten_into(
        &mut self,
        blocks: &[Block],
        width: f32,
        out: &mut Vec<V>,
        heading_no: &mut usize,
        parent: NodeId,
    ) {
        for b in blocks {
            match b {
                Block::Paragraph(p) => {
                    let node = self.tree.add(Role::P, parent);
                    self.paragraph(p, width, false, None, node, out)
                }
                Block::Heading(Heading { body, level, .. }) => {
                    let idx = *heading_no;
                    *heading_no += 1;
                    let node = self.tree.add(Role::H((*level).clamp(1, 6)), parent);
                    // Space after a heading belongs to the heading group.
                    let start = out.len();
                    self.paragraph(body, width, true, Some(idx), node, out);
                    for v in &mut out[start..] {
                        if let V::Line { keep, .. } = v {
                            *keep = true;
                        }
                    }
                }
                Block::List(l) => self.list(l, width, out, parent),
                Block::Table(t) => {
                    let t = self.table(t, width, parent);
                    out.push(V::Table(Box::new(t)));
                }
                Block::Toc(t) => self.toc(t, width, out, parent),
                Block::PageBreak(restart) => out.push(V::PageBreak(restart.clone())),
                Block::Space(h) => out.push(V::Space(*h)),
            }
        }
    }

    /// A list: its items' markers in a column of their own, their bodies
    /// beside them; structure L → LI → Lbl, LBody.
    pub(super) fn list(&mut self, l: &List, width: f32, out: &mut Vec<V>, parent: NodeId) {
        let list_node = self.tree.add(Role::L, parent);
        // The markers set as the text is (a bracket starting them trimmed,
        // a quarter em in 第1条), and the column as wide as the widest.
        let marker_para = ParaStyle { line_height: 1.0, ..super::plain_para(l.marker_style) };
        let markers: Vec<(Vec<Run>, f32)> = l
            .items
            .iter()
            .map(|item| {
                let inl = vec![Inline::Text { text: item.marker.clone(), style: l.marker_style, pos: item.pos }];
                let lines = self.lines(&inl, &marker_para, f32::MAX / 4.0);
                let width = lines.iter().map(|(l, _)| l.width).fold(0.0, f32::max);
                (lines.into_iter().flat_map(|(l, _)| l.runs).collect(), width)
            })
            .collect();
        let mw = l.marker_width.unwrap_or_else(|| markers.iter().map(|m| m.1).fold(0.0, f32::max));
        let inner_x = l.left + mw + l.gap;
        let inner_w = (width - inner_x).max(1.0);
        if l.space_before > 0.0 {
            out.push(V::Space(l.space_before));
        }
        for (n, item) in l.items.iter().enumerate() {
            if n > 0 && l.item_space > 0.0 {
                out.push(V::Space(l.item_space));
            }
            let marker_runs: Vec<Run> = markers[n].0.clone();
            let item_node = self.tree.add(Role::LI, list_node);
            let label = self.tree.add(Role::Lbl, item_node);
            let body = self.tree.add(Role::LBody, item_node);
            let mut inner = Vec::new();
            let mut hn = 0;
            self.flatten_into(&item.blocks, inner_w, &mut inner, &mut hn, body);
            let mut placed = false;
            for v in inner {
                match v {
                    V::Line { mut line, x, keep, anchor, mut tag } => {
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
                            tag = tag.with_label(runs.len(), label);
                            runs.append(&mut line.runs);
                            line.runs = runs;
                            placed = true;
                        }
                        out.push(V::Line { line, x: x + inner_x, keep, anchor, tag });
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
                    tag: LineTag::of(label),
                });
            }
        }
        if l.space_after > 0.0 {
            out.push(V::Space(l.space_after));
        }
    }
}
