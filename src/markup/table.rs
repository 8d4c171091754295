//! `<table>`: columns, header and body rows, cells with their spans, and
//! the grid check (no overlapping or excess cells).

use roxmltree::{Node, NodeType};

use super::parse::{Ctx, Parser};
use super::schema::*;
use super::style::parse_length;
use crate::error::Error;
use crate::fonts::Family;

impl Parser<'_, '_> {
    pub(super) fn table(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
        self.check_attrs(
            node,
            &[
                "columns",
                "border",
                "padding",
                "continued",
                "font",
                "size",
                "bold",
                "line-height",
                "align",
                "space-before",
                "space-after",
            ],
        )?;
        let pos = self.pos(node);
        let mut c = self.ctx(node, ctx)?;
        if node.attribute("align").is_none() {
            c.align = Align::Left;
        }
        let em = c.style.size;
        let columns = match node.attribute("columns") {
            Some(s) => s
                .split_whitespace()
                .map(|w| {
                    if let Some(fr) = w.strip_suffix("fr") {
                        fr.parse::<f32>().ok().filter(|v| *v > 0.0).map(ColWidth::Relative)
                    } else if w == "*" {
                        Some(ColWidth::Relative(1.0))
                    } else {
                        parse_length(w, em, false).filter(|v| *v > 0.0).map(ColWidth::Fixed)
                    }
                    .ok_or_else(|| {
                        self.err(
                            node,
                            format!("columns の「{w}」を読めません。30mm や 1fr（残りの幅の割合）で書いてください。"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let border = match node.attribute("border") {
            Some("none") => 0.0,
            Some(_) => self.opt_length(node, "border", em, 0.5)?,
            None => 0.5,
        };
        let padding = self.opt_length(node, "padding", em, 1.5 * PT_PER_MM)?;
        let continued = node.attribute("continued").map(|t| Paragraph {
            inlines: vec![Inline::Text { text: t.to_string(), style: c.style, pos }],
            para: ParaStyle {
                align: Align::Left,
                indent: 0.0,
                hanging: 0.0,
                left: 0.0,
                line_height: c.line_height,
                space_before: 0.0,
                space_after: 0.0,
                style: c.style,
            },
            pos,
        });
        let mut head = Vec::new();
        let mut body = Vec::new();
        for child in node.children() {
            if child.is_text() && child.text().unwrap_or("").trim().is_empty() || child.is_comment() {
                continue;
            }
            match (child.node_type(), child.tag_name().name()) {
                (NodeType::Element, "thead") => {
                    self.check_attrs(child, &[])?;
                    self.rows(child, &c, true, &mut head)?
                }
                (NodeType::Element, "tbody") => {
                    self.check_attrs(child, &[])?;
                    self.rows(child, &c, false, &mut body)?
                }
                (NodeType::Element, "tr") => body.push(self.row(child, &c, false)?),
                _ => return Err(self.err(child, "<table> の中には <thead>, <tbody>, <tr> だけを書いてください。")),
            }
        }
        let ncols = self
            .grid_columns(&head, columns.len())?
            .max(self.grid_columns(&body, columns.len())?)
            .max(columns.len())
            .max(1);
        Ok(Block::Table(Table {
            ncols,
            columns,
            head,
            body,
            border,
            padding,
            continued,
            space_before: self.opt_length(node, "space-before", em, 0.0)?,
            space_after: self.opt_length(node, "space-after", em, 0.0)?,
            style: c.style,
            line_height: c.line_height,
            pos,
        }))
    }

    /// Places the cells on the grid the way the layout does (a cell takes the
    /// next column not held by a rowspan from above) and returns the number
    /// of columns used. With `columns` given, a row that needs more columns
    /// is an error: its cells would otherwise be drawn over each other.
    pub(super) fn grid_columns(&self, rows: &[Row], declared: usize) -> Result<usize, Error> {
        let mut held: Vec<usize> = Vec::new(); // rows still held per column
        let mut width = 0;
        for (i, row) in rows.iter().enumerate() {
            let mut c = 0;
            let mut next_held = held.iter().map(|h| h.saturating_sub(1)).collect::<Vec<_>>();
            for cell in &row.cells {
                while held.get(c).is_some_and(|h| *h > 0) {
                    c += 1;
                }
                let end = c + cell.colspan;
                if held.len() < end {
                    held.resize(end, 0);
                    next_held.resize(end, 0);
                }
                if held[c..end].iter().any(|h| *h > 0) {
                    return Err(Error::input(format!(
                        "{} {}: 表の {} 行目のセルが、上の行から rowspan で伸びているセルと重なります。rowspan・colspan を確認してください。",
                        self.origin, cell.pos, i + 1
                    )));
                }
                for h in &mut next_held[c..end] {
                    *h = (*h).max(cell.rowspan - 1);
                }
                c = end;
            }
            width = width.max(c).max(held.iter().rposition(|h| *h > 0).map(|p| p + 1).unwrap_or(0));
            if declared > 0 && c > declared {
                return Err(Error::input(format!(
                    "{} {}: 表の {} 行目は {} 列分ありますが、columns で決めた列は {} 列です。セルの数か rowspan・colspan を確認してください。",
                    self.origin, row.pos, i + 1, c, declared
                )));
            }
            held = next_held;
        }
        Ok(width)
    }

    pub(super) fn rows(&self, node: Node, c: &Ctx, header: bool, out: &mut Vec<Row>) -> Result<(), Error> {
        for child in node.children() {
            if child.is_text() && child.text().unwrap_or("").trim().is_empty() || child.is_comment() {
                continue;
            }
            if !(child.is_element() && child.tag_name().name() == "tr") {
                return Err(self.err(child, "<thead>/<tbody> の中には <tr> だけを書いてください。"));
            }
            out.push(self.row(child, c, header)?);
        }
        Ok(())
    }

    pub(super) fn row(&self, node: Node, c: &Ctx, header: bool) -> Result<Row, Error> {
        self.check_attrs(node, &["font", "size", "bold", "align", "shade", "rule"])?;
        let pos = self.pos(node);
        let rc = self.ctx(node, c)?;
        let rule = self.opt_length(node, "rule", rc.style.size, 0.0)?;
        let row_shade = match node.attribute("shade") {
            Some(s) => Some(self.color(node, s)?),
            None => None,
        };
        let mut cells = Vec::new();
        for child in node.children() {
            if child.is_text() && child.text().unwrap_or("").trim().is_empty() || child.is_comment() {
                continue;
            }
            let name = child.tag_name().name();
            if !(child.is_element() && (name == "td" || name == "th")) {
                return Err(self.err(child, "<tr> の中には <td> か <th> だけを書いてください。"));
            }
            self.check_attrs(
                child,
                &["colspan", "rowspan", "align", "valign", "shade", "font", "size", "bold", "line-height"],
            )?;
            let mut base = rc.clone();
            if name == "th" || header {
                base.style.family = Family::Gothic;
                base.align = Align::Center;
            }
            let cc = self.ctx(child, &base)?;
            let span = |n: &str| -> Result<usize, Error> {
                match child.attribute(n) {
                    Some(v) => v
                        .parse::<usize>()
                        .ok()
                        .filter(|v| (1..=100_000).contains(v))
                        .ok_or_else(|| self.err(child, format!("{n}=\"{v}\" は 1 以上の整数にしてください。"))),
                    None => Ok(1),
                }
            };
            let valign = match child.attribute("valign") {
                Some("top") => VAlign::Top,
                Some("middle") => VAlign::Middle,
                Some("bottom") => VAlign::Bottom,
                Some(o) => {
                    return Err(
                        self.err(child, format!("valign=\"{o}\" は top, middle, bottom のどれかにしてください。"))
                    )
                }
                None if name == "th" || header => VAlign::Middle,
                None => VAlign::Top,
            };
            let shade = match child.attribute("shade") {
                Some(s) => Some(self.color(child, s)?),
                None if name == "th" || header => row_shade.or(Some(Rgb(0.92, 0.92, 0.92))),
                None => row_shade,
            };
            let cell_pos = self.pos(child);
            let kids: Vec<Node> = child.children().collect();
            let mut blocks = Vec::new();
            self.blocks(&kids, &cc, &mut blocks)?;
            for b in &blocks {
                if matches!(b, Block::Table(_) | Block::Toc(_) | Block::PageBreak(_) | Block::Heading(_)) {
                    return Err(self.err(child, "表のセルの中には文章（<p>）と箇条書き（<list>）だけを書けます。"));
                }
            }
            cells.push(Cell {
                colspan: span("colspan")?,
                rowspan: span("rowspan")?,
                valign,
                shade,
                blocks,
                pos: cell_pos,
            });
        }
        Ok(Row { cells, rule, pos })
    }
}
