//! The layout markup: a small XML vocabulary that templates render and the
//! layout engine sets. This module parses it into a typed tree
//! ([`Document`]) and rejects anything it does not know, with the line and
//! column of the mistake. The vocabulary is documented in `docs/markup.md`.
//!
//! Styles (font family, size, bold, line height) are inherited from parent
//! elements and resolved here, so the layout stage sees plain values.

use roxmltree::{Node, NodeType};

use crate::error::Error;
use crate::fonts::Family;

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// A position in the markup text (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub col: u32,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}行{}列", self.line, self.col)
    }
}

/// Character style after inheritance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    /// Mincho or Gothic.
    pub family: Family,
    /// Size in points.
    pub size: f32,
    /// Bold (drawn as fill + thin stroke; the IPAex fonts have no bold face).
    pub bold: bool,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
    /// Spread to the full measure, last line flush left.
    Justify,
}

/// Vertical alignment in a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VAlign {
    /// Top of the cell.
    Top,
    /// Middle of the cell.
    Middle,
    /// Bottom of the cell.
    Bottom,
}

/// A piece of inline content.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Text with its style; `pos` is where the text starts in the markup.
    Text { text: String, style: TextStyle, pos: Pos },
    /// `<br/>`: an explicit line break.
    Break,
    /// `<page-number/>` in a running header or footer.
    PageNumber { style: TextStyle },
    /// `<page-count/>` in a running header or footer.
    PageCount { style: TextStyle },
}

/// Paragraph formatting.
#[derive(Debug, Clone, PartialEq)]
pub struct ParaStyle {
    /// Alignment of the lines.
    pub align: Align,
    /// Extra indent of the first line, in pt (一字下げ = one em).
    pub indent: f32,
    /// Indent of every line after the first, in pt (ぶら下げ).
    pub hanging: f32,
    /// Left indent of the whole paragraph, in pt.
    pub left: f32,
    /// Line height as a multiple of the largest font size on the line.
    pub line_height: f32,
    /// Space before, in pt.
    pub space_before: f32,
    /// Space after, in pt.
    pub space_after: f32,
    /// Base character style (used for empty paragraphs and list markers).
    pub style: TextStyle,
}

/// A paragraph (or heading text).
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    /// Inline content.
    pub inlines: Vec<Inline>,
    /// Formatting.
    pub para: ParaStyle,
    /// Where the element starts.
    pub pos: Pos,
}

/// A heading: a paragraph in the outline and table of contents, kept with
/// what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 = chapter, 2 = section, …
    pub level: u8,
    /// The heading text and style.
    pub body: Paragraph,
    /// Listed in `<toc/>`.
    pub toc: bool,
    /// Listed in the PDF outline.
    pub bookmark: bool,
}

/// One list item.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// Marker text such as 「（１）」.
    pub marker: String,
    /// Content of the item (paragraphs, nested lists).
    pub blocks: Vec<Block>,
    /// Where the item starts.
    pub pos: Pos,
}

/// A list with markers and hanging indent.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// The items.
    pub items: Vec<ListItem>,
    /// Width of the marker column in pt; `None` = widest marker.
    pub marker_width: Option<f32>,
    /// Gap between marker and text in pt.
    pub gap: f32,
    /// Left indent of the whole list in pt.
    pub left: f32,
    /// Style of the markers.
    pub marker_style: TextStyle,
    /// Space between items in pt.
    pub item_space: f32,
    /// Space before and after the list in pt.
    pub space_before: f32,
    /// Space after the list.
    pub space_after: f32,
}

/// Width of a table column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColWidth {
    /// Fixed width in pt.
    Fixed(f32),
    /// Share of the remaining width (`1fr`, `2fr`).
    Relative(f32),
}

/// A colour for shading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Columns spanned.
    pub colspan: usize,
    /// Rows spanned.
    pub rowspan: usize,
    /// Vertical alignment.
    pub valign: VAlign,
    /// Background shading.
    pub shade: Option<Rgb>,
    /// Content.
    pub blocks: Vec<Block>,
    /// Where the cell starts.
    pub pos: Pos,
}

/// A table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Cells, left to right.
    pub cells: Vec<Cell>,
    /// Where the row starts.
    pub pos: Pos,
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column widths; empty = equal shares.
    pub columns: Vec<ColWidth>,
    /// Number of grid columns (from `columns`, or from the rows and spans).
    pub ncols: usize,
    /// Rows repeated at the top of every page (`<thead>`).
    pub head: Vec<Row>,
    /// Body rows.
    pub body: Vec<Row>,
    /// Border line width in pt; 0 = no borders.
    pub border: f32,
    /// Cell padding in pt.
    pub padding: f32,
    /// Caption line drawn above the table on continuation pages (「（続き）」).
    pub continued: Option<Paragraph>,
    /// Space before, in pt.
    pub space_before: f32,
    /// Space after, in pt.
    pub space_after: f32,
    /// Base text style of the cells.
    pub style: TextStyle,
    /// Base line height of the cells.
    pub line_height: f32,
    /// Where the table starts.
    pub pos: Pos,
}

/// Table of contents, filled in after layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Toc {
    /// Deepest heading level listed.
    pub levels: u8,
    /// Entry style.
    pub para: ParaStyle,
    /// Indent per level in pt.
    pub level_indent: f32,
    /// Show each entry's page range (`2-7`) instead of its first page.
    pub ranges: bool,
}

/// A block-level element.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `<h>`.
    Heading(Heading),
    /// `<p>`, or loose inline content.
    Paragraph(Paragraph),
    /// `<list>`.
    List(List),
    /// `<table>`.
    Table(Table),
    /// `<toc/>`.
    Toc(Toc),
    /// `<page-break/>`.
    PageBreak,
    /// `<space height="…"/>`.
    Space(f32),
}

/// A running header or footer line.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    /// Content, with `<page-number/>` and `<page-count/>`.
    pub inlines: Vec<Inline>,
    /// Alignment.
    pub align: Align,
    /// Distance from the page edge to the line's box, in pt.
    pub offset: f32,
    /// Pages on which it is drawn: false skips the first page.
    pub first_page: bool,
    /// Paragraph style.
    pub para: ParaStyle,
}

/// Document metadata (the PDF Info dictionary).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Natural language (PDF `/Lang`), `ja` unless the markup says otherwise.
    pub lang: String,
}

/// Page size and margins, in pt.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Top margin.
    pub top: f32,
    /// Right margin.
    pub right: f32,
    /// Bottom margin.
    pub bottom: f32,
    /// Left margin.
    pub left: f32,
}

/// A parsed markup document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Metadata.
    pub meta: Meta,
    /// Page setup.
    pub page: PageSetup,
    /// Running header.
    pub header: Option<Running>,
    /// Running footer.
    pub footer: Option<Running>,
    /// Body.
    pub blocks: Vec<Block>,
    /// The formatting the document's root element sets, which its parts
    /// ([`parse_part`]) start from.
    pub defaults: Defaults,
}

/// The formatting a document's blocks start from.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaults {
    /// Font, size and weight.
    pub style: TextStyle,
    /// Line height as a multiple of the size.
    pub line_height: f32,
    /// Paragraph alignment.
    pub align: Align,
}

/// Parses layout markup. `origin` names the source in messages.
pub fn parse(text: &str, origin: &str) -> Result<Document, Error> {
    let xml = xml_document(text, origin)?;
    let p = Parser { xml: &xml, text, origin, cursor: std::cell::Cell::new((0, 1, 1)) };
    p.document(xml.root_element())
}

/// Parses a part of `doc`: markup whose root element is `<part>`, with the
/// block elements of a document body. It is formatted as `doc`'s body is
/// (the root may set `font`, `size`, `line-height` and `align`), starts on
/// a new page, and is laid out on its own ([`crate::layout::layout_part`]).
/// A part cannot hold a table of contents (that belongs to the document).
pub fn parse_part(text: &str, origin: &str, doc: &Document) -> Result<Vec<Block>, Error> {
    let xml = xml_document(text, origin)?;
    let p = Parser { xml: &xml, text, origin, cursor: std::cell::Cell::new((0, 1, 1)) };
    let root = xml.root_element();
    if root.tag_name().name() != "part" {
        return Err(p.err(
            root,
            format!("部分の最上位の要素は <part> にしてください（見つかったのは <{}>）。", root.tag_name().name()),
        ));
    }
    p.check_attrs(root, &["font", "size", "line-height", "align"])?;
    let d = &doc.defaults;
    let ctx = p.ctx(root, &Ctx { style: d.style, line_height: d.line_height, align: d.align })?;
    let kids: Vec<Node> = root.children().collect();
    let mut blocks = Vec::new();
    p.blocks(&kids, &ctx, &mut blocks)?;
    if let Some(toc) = kids.iter().find(|k| k.is_element() && k.tag_name().name() == "toc") {
        return Err(p.err(*toc, "<part> の中に <toc> は置けません。目次は <document> の側に置いてください。"));
    }
    Ok(blocks)
}

/// The XML tree of markup, or an error with line, column and the line.
fn xml_document<'input>(text: &'input str, origin: &str) -> Result<roxmltree::Document<'input>, Error> {
    roxmltree::Document::parse(text).map_err(|e| {
        let p = e.pos();
        Error::input(format!(
            "{origin} {}行{}列: レイアウトのマークアップが XML として正しくありません（{}）。{}",
            p.row,
            p.col,
            e,
            line_excerpt(text, p.row)
        ))
    })
}

fn line_excerpt(text: &str, row: u32) -> String {
    match text.lines().nth(row.saturating_sub(1) as usize) {
        Some(l) => {
            let l: String = l.trim().chars().take(80).collect();
            format!("該当行: {l}")
        }
        None => String::new(),
    }
}

struct Parser<'a, 'input> {
    xml: &'a roxmltree::Document<'input>,
    text: &'a str,
    origin: &'a str,
    /// Last resolved (byte offset, line, column): nodes are visited in
    /// document order, so positions are found by walking forward from the
    /// previous one (roxmltree's `text_pos_at` scans from the start, which
    /// is quadratic over a large document).
    cursor: std::cell::Cell<(usize, u32, u32)>,
}

/// Inherited formatting context.
#[derive(Debug, Clone)]
struct Ctx {
    style: TextStyle,
    line_height: f32,
    align: Align,
}

const BLOCK_ELEMENTS: &[&str] = &["h", "p", "list", "table", "toc", "page-break", "space"];

impl<'a, 'input> Parser<'a, 'input> {
    fn pos(&self, node: Node) -> Pos {
        let target = node.range().start;
        let (mut at, mut line, mut col) = self.cursor.get();
        if target < at {
            let p = self.xml.text_pos_at(target);
            return Pos { line: p.row, col: p.col };
        }
        for c in self.text[at..target].chars() {
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        at = target;
        self.cursor.set((at, line, col));
        Pos { line, col }
    }

    fn err(&self, node: Node, msg: impl std::fmt::Display) -> Error {
        Error::input(format!("{} {}: {msg}", self.origin, self.pos(node)))
    }

    fn check_attrs(&self, node: Node, allowed: &[&str]) -> Result<(), Error> {
        for a in node.attributes() {
            if !allowed.contains(&a.name()) {
                return Err(self.err(
                    node,
                    format!(
                        "<{}> に属性「{}」は使えません。使える属性: {}",
                        node.tag_name().name(),
                        a.name(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn document(&self, root: Node) -> Result<Document, Error> {
        if root.tag_name().name() != "document" {
            return Err(self.err(
                root,
                format!("最上位の要素は <document> にしてください（見つかったのは <{}>）。", root.tag_name().name()),
            ));
        }
        self.check_attrs(
            root,
            &[
                "title",
                "author",
                "subject",
                "keywords",
                "paper",
                "orientation",
                "margin",
                "font",
                "size",
                "line-height",
                "align",
                "lang",
            ],
        )?;
        let meta = Meta {
            title: root.attribute("title").unwrap_or("").to_string(),
            author: root.attribute("author").unwrap_or("").to_string(),
            subject: root.attribute("subject").unwrap_or("").to_string(),
            keywords: root
                .attribute("keywords")
                .map(|k| k.split([',', '、', '，']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            lang: root.attribute("lang").unwrap_or("ja").to_string(),
        };
        let (mut w, mut h) = match root.attribute("paper").unwrap_or("A4") {
            "A4" | "a4" => (210.0, 297.0),
            "A3" | "a3" => (297.0, 420.0),
            "A5" | "a5" => (148.0, 210.0),
            "B4" | "b4" => (257.0, 364.0),
            "B5" | "b5" => (182.0, 257.0),
            "Letter" | "letter" => (215.9, 279.4),
            other => {
                return Err(self.err(
                    root,
                    format!("用紙「{other}」は使えません。A4, A3, A5, B4, B5, Letter のどれかにしてください。"),
                ))
            }
        };
        match root.attribute("orientation").unwrap_or("portrait") {
            "portrait" | "縦" => {}
            "landscape" | "横" => std::mem::swap(&mut w, &mut h),
            other => {
                return Err(self.err(
                    root,
                    format!("向き「{other}」は使えません。portrait（縦）か landscape（横）にしてください。"),
                ))
            }
        }
        let base = TextStyle { family: Family::Mincho, size: 10.5, bold: false };
        let ctx0 = Ctx { style: base, line_height: 1.6, align: Align::Justify };
        let ctx = self.ctx(root, &ctx0)?;
        let margins = match root.attribute("margin") {
            Some(m) => {
                let v = self.box_lengths(root, m, ctx.style.size)?;
                if v.iter().any(|x| *x < 0.0) {
                    return Err(self.err(root, format!("margin=\"{m}\" に負の長さは使えません。")));
                }
                v
            }
            None => [25.0 * PT_PER_MM, 20.0 * PT_PER_MM, 25.0 * PT_PER_MM, 20.0 * PT_PER_MM],
        };
        let page = PageSetup {
            width: w * PT_PER_MM,
            height: h * PT_PER_MM,
            top: margins[0],
            right: margins[1],
            bottom: margins[2],
            left: margins[3],
        };
        if page.width - page.left - page.right < 20.0 || page.height - page.top - page.bottom < 40.0 {
            return Err(self.err(root, "余白が大きすぎて本文を置く場所がありません。margin を小さくしてください。"));
        }
        let mut header = None;
        let mut footer = None;
        let mut body = Vec::new();
        for child in root.children() {
            if child.is_element() {
                match child.tag_name().name() {
                    "header" => header = Some(self.running(child, &ctx)?),
                    "footer" => footer = Some(self.running(child, &ctx)?),
                    _ => {}
                }
            }
        }
        let kids: Vec<Node> = root
            .children()
            .filter(|c| !(c.is_element() && matches!(c.tag_name().name(), "header" | "footer")))
            .collect();
        self.blocks(&kids, &ctx, &mut body)?;
        let defaults = Defaults { style: ctx.style, line_height: ctx.line_height, align: ctx.align };
        Ok(Document { meta, page, header, footer, blocks: body, defaults })
    }

    /// Applies `font`, `size`, `bold`, `line-height`, `align` of `node`.
    fn ctx(&self, node: Node, parent: &Ctx) -> Result<Ctx, Error> {
        let mut c = parent.clone();
        if let Some(f) = node.attribute("font") {
            c.style.family = match f {
                "mincho" | "明朝" => Family::Mincho,
                "gothic" | "ゴシック" => Family::Gothic,
                other => {
                    return Err(
                        self.err(node, format!("font=\"{other}\" は使えません。mincho か gothic にしてください。"))
                    )
                }
            };
        }
        if let Some(s) = node.attribute("size") {
            let v = self.length(node, s, parent.style.size, true)?;
            if !(4.0..=72.0).contains(&v) {
                return Err(self.err(node, format!("文字の大きさ size=\"{s}\" は 4pt から 72pt の間にしてください。")));
            }
            c.style.size = v;
        }
        if let Some(b) = node.attribute("bold") {
            c.style.bold = self.boolean(node, "bold", b)?;
        }
        if let Some(l) = node.attribute("line-height") {
            let v: f32 = l
                .parse()
                .map_err(|_| self.err(node, format!("line-height=\"{l}\" は 1.5 のような倍率で書いてください。")))?;
            if !(0.8..=4.0).contains(&v) {
                return Err(self.err(node, format!("line-height=\"{l}\" は 0.8 から 4 の間にしてください。")));
            }
            c.line_height = v;
        }
        if let Some(a) = node.attribute("align") {
            c.align = self.align(node, a)?;
        }
        Ok(c)
    }

    fn align(&self, node: Node, a: &str) -> Result<Align, Error> {
        Ok(match a {
            "left" => Align::Left,
            "center" => Align::Center,
            "right" => Align::Right,
            "justify" => Align::Justify,
            other => {
                return Err(self.err(
                    node,
                    format!("align=\"{other}\" は使えません。left, center, right, justify のどれかにしてください。"),
                ))
            }
        })
    }

    fn boolean(&self, node: Node, name: &str, v: &str) -> Result<bool, Error> {
        match v {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            other => Err(self.err(node, format!("{name}=\"{other}\" は true か false にしてください。"))),
        }
    }

    /// Parses a length: `12mm`, `1.5cm`, `10pt`, `2zw`/`2em` (full-width
    /// characters of the current size). A bare number is points when
    /// `bare_pt`, else an error.
    fn length(&self, node: Node, s: &str, em: f32, bare_pt: bool) -> Result<f32, Error> {
        parse_length(s, em, bare_pt).ok_or_else(|| {
            self.err(
                node,
                format!("長さ「{s}」を読めません。12mm, 1.5cm, 10pt, 1zw（全角1字）のように単位を付けてください。"),
            )
        })
    }

    fn box_lengths(&self, node: Node, s: &str, em: f32) -> Result<[f32; 4], Error> {
        let v: Vec<f32> = s.split_whitespace().map(|p| self.length(node, p, em, false)).collect::<Result<_, _>>()?;
        Ok(match v.as_slice() {
            [a] => [*a; 4],
            [tb, lr] => [*tb, *lr, *tb, *lr],
            [t, lr, b] => [*t, *lr, *b, *lr],
            [t, r, b, l] => [*t, *r, *b, *l],
            _ => {
                return Err(self.err(node, format!("margin=\"{s}\" は 1〜4 個の長さで書いてください（上 右 下 左）。")))
            }
        })
    }

    /// An optional length attribute. Only `indent` and `hanging` may be
    /// negative (a first line or a hanging marker out to the left); anything
    /// else negative would draw over other text or off the page.
    fn opt_length(&self, node: Node, name: &str, em: f32, default: f32) -> Result<f32, Error> {
        match node.attribute(name) {
            Some(s) => {
                let v = self.length(node, s, em, false)?;
                if v < 0.0 && !matches!(name, "indent" | "hanging") {
                    return Err(self.err(node, format!("{name}=\"{s}\" に負の長さは使えません。")));
                }
                Ok(v)
            }
            None => Ok(default),
        }
    }

    fn running(&self, node: Node, ctx: &Ctx) -> Result<Running, Error> {
        self.check_attrs(node, &["align", "font", "size", "bold", "offset", "first-page"])?;
        let mut c = self.ctx(node, ctx)?;
        if node.attribute("size").is_none() {
            c.style.size = (ctx.style.size * 0.85).max(6.0);
        }
        let align = match node.attribute("align") {
            Some(a) => self.align(node, a)?,
            None => Align::Center,
        };
        let mut inlines = Vec::new();
        for ch in node.children() {
            self.inline(ch, &c, &mut inlines, true)?;
        }
        Ok(Running {
            inlines,
            align,
            offset: self.opt_length(node, "offset", c.style.size, 10.0 * PT_PER_MM)?,
            first_page: match node.attribute("first-page") {
                Some(v) => self.boolean(node, "first-page", v)?,
                None => true,
            },
            para: self.para_style(node, &c, align)?,
        })
    }

    fn para_style(&self, node: Node, c: &Ctx, align: Align) -> Result<ParaStyle, Error> {
        let em = c.style.size;
        Ok(ParaStyle {
            align,
            indent: self.opt_length(node, "indent", em, 0.0)?,
            hanging: self.opt_length(node, "hanging", em, 0.0)?,
            left: self.opt_length(node, "left", em, 0.0)?,
            line_height: c.line_height,
            space_before: self.opt_length(node, "space-before", em, 0.0)?,
            space_after: self.opt_length(node, "space-after", em, 0.0)?,
            style: c.style,
        })
    }

    /// Parses children into blocks; loose inline content becomes paragraphs.
    fn blocks(&self, nodes: &[Node], ctx: &Ctx, out: &mut Vec<Block>) -> Result<(), Error> {
        let mut loose: Vec<Inline> = Vec::new();
        let mut loose_pos = None;
        let flush = |loose: &mut Vec<Inline>, pos: &mut Option<Pos>, out: &mut Vec<Block>| -> Result<(), Error> {
            let has_text = loose.iter().any(|i| match i {
                Inline::Text { text, .. } => !text.trim().is_empty(),
                _ => true,
            });
            if has_text {
                out.push(Block::Paragraph(Paragraph {
                    inlines: std::mem::take(loose),
                    para: ParaStyle {
                        align: ctx.align,
                        indent: 0.0,
                        hanging: 0.0,
                        left: 0.0,
                        line_height: ctx.line_height,
                        space_before: 0.0,
                        space_after: 0.0,
                        style: ctx.style,
                    },
                    pos: pos.take().unwrap_or_default(),
                }));
            }
            loose.clear();
            *pos = None;
            Ok(())
        };
        for &node in nodes {
            let is_block = node.is_element() && BLOCK_ELEMENTS.contains(&node.tag_name().name());
            if is_block {
                flush(&mut loose, &mut loose_pos, out)?;
                out.push(self.block(node, ctx)?);
            } else {
                if loose_pos.is_none() && (node.is_element() || node.text().is_some_and(|t| !t.trim().is_empty())) {
                    loose_pos = Some(self.pos(node));
                }
                self.inline(node, ctx, &mut loose, false)?;
            }
        }
        flush(&mut loose, &mut loose_pos, out)
    }

    fn block(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
        let name = node.tag_name().name();
        let pos = self.pos(node);
        match name {
            "p" => {
                self.check_attrs(
                    node,
                    &[
                        "align",
                        "indent",
                        "hanging",
                        "left",
                        "font",
                        "size",
                        "bold",
                        "line-height",
                        "space-before",
                        "space-after",
                    ],
                )?;
                let c = self.ctx(node, ctx)?;
                let para = self.para_style(node, &c, c.align)?;
                let mut inlines = Vec::new();
                for ch in node.children() {
                    self.inline(ch, &c, &mut inlines, false)?;
                }
                Ok(Block::Paragraph(Paragraph { inlines, para, pos }))
            }
            "h" => {
                self.check_attrs(
                    node,
                    &[
                        "level",
                        "align",
                        "indent",
                        "hanging",
                        "left",
                        "font",
                        "size",
                        "bold",
                        "line-height",
                        "space-before",
                        "space-after",
                        "toc",
                        "bookmark",
                    ],
                )?;
                let level: u8 = match node.attribute("level") {
                    Some(l) => l
                        .parse()
                        .ok()
                        .filter(|l| (1..=6).contains(l))
                        .ok_or_else(|| self.err(node, format!("level=\"{l}\" は 1 から 6 にしてください。")))?,
                    None => 1,
                };
                let mut base = ctx.clone();
                base.style.family = Family::Gothic;
                base.style.size = ctx.style.size
                    * match level {
                        1 => 1.2,
                        2 => 1.1,
                        _ => 1.0,
                    };
                base.align = Align::Left;
                let c = self.ctx(node, &base)?;
                let mut para = self.para_style(node, &c, c.align)?;
                if node.attribute("space-before").is_none() {
                    para.space_before = c.style.size * if level == 1 { 0.8 } else { 0.4 };
                }
                if node.attribute("space-after").is_none() {
                    para.space_after = c.style.size * 0.2;
                }
                let mut inlines = Vec::new();
                for ch in node.children() {
                    self.inline(ch, &c, &mut inlines, false)?;
                }
                let flag = |n: &str| -> Result<bool, Error> {
                    match node.attribute(n) {
                        Some(v) => self.boolean(node, n, v),
                        None => Ok(true),
                    }
                };
                Ok(Block::Heading(Heading {
                    level,
                    body: Paragraph { inlines, para, pos },
                    toc: flag("toc")?,
                    bookmark: flag("bookmark")?,
                }))
            }
            "list" => self.list(node, ctx),
            "table" => self.table(node, ctx),
            "toc" => {
                self.check_attrs(node, &["levels", "font", "size", "line-height", "level-indent", "pages"])?;
                let c = self.ctx(node, ctx)?;
                let levels = match node.attribute("levels") {
                    Some(l) => l
                        .parse()
                        .ok()
                        .filter(|l| (1..=6).contains(l))
                        .ok_or_else(|| self.err(node, format!("levels=\"{l}\" は 1 から 6 にしてください。")))?,
                    None => 2,
                };
                let ranges = match node.attribute("pages") {
                    None | Some("first") => false,
                    Some("range") => true,
                    Some(v) => {
                        return Err(self.err(
                            node,
                            format!(
                                "pages=\"{v}\" は first（最初のページ）か range（2-7 のような範囲）にしてください。"
                            ),
                        ))
                    }
                };
                Ok(Block::Toc(Toc {
                    levels,
                    para: self.para_style(node, &c, Align::Left)?,
                    level_indent: self.opt_length(node, "level-indent", c.style.size, c.style.size)?,
                    ranges,
                }))
            }
            "page-break" => {
                self.check_attrs(node, &[])?;
                Ok(Block::PageBreak)
            }
            "space" => {
                self.check_attrs(node, &["height"])?;
                let h = node
                    .attribute("height")
                    .ok_or_else(|| self.err(node, "<space> には height=\"5mm\" のように高さを書いてください。"))?;
                let v = self.length(node, h, ctx.style.size, false)?;
                if v < 0.0 {
                    return Err(self.err(node, format!("<space height=\"{h}\"> に負の長さは使えません。")));
                }
                Ok(Block::Space(v))
            }
            _ => unreachable!("block() is only called for block elements"),
        }
    }

    fn list(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
        self.check_attrs(
            node,
            &[
                "marker",
                "numbering",
                "start",
                "marker-width",
                "gap",
                "left",
                "font",
                "size",
                "bold",
                "line-height",
                "align",
                "item-space",
                "space-before",
                "space-after",
                "marker-font",
            ],
        )?;
        let c = self.ctx(node, ctx)?;
        let em = c.style.size;
        let mut marker_style = c.style;
        if let Some(f) = node.attribute("marker-font") {
            marker_style.family = match f {
                "mincho" | "明朝" => Family::Mincho,
                "gothic" | "ゴシック" => Family::Gothic,
                other => {
                    return Err(self.err(node, format!("marker-font=\"{other}\" は mincho か gothic にしてください。")))
                }
            };
        }
        let numbering = match node.attribute("numbering") {
            Some(n) => Some(crate::japanese::Numbering::parse(n).ok_or_else(|| {
                self.err(
                    node,
                    format!("numbering=\"{n}\" は使えません。使えるもの: {}", crate::japanese::Numbering::NAMES),
                )
            })?),
            None => None,
        };
        let start: u32 = match node.attribute("start") {
            Some(s) => {
                s.parse().map_err(|_| self.err(node, format!("start=\"{s}\" は 1 以上の整数にしてください。")))?
            }
            None => 1,
        };
        let list_marker = node.attribute("marker");
        let mut items = Vec::new();
        let mut n = start;
        for item in node.children() {
            if item.is_text() && item.text().unwrap_or("").trim().is_empty() || item.is_comment() {
                continue;
            }
            if !item.is_element() || item.tag_name().name() != "item" {
                return Err(self.err(item, "<list> の中には <item> だけを書いてください。"));
            }
            self.check_attrs(item, &["marker"])?;
            let marker = match (item.attribute("marker"), list_marker, numbering) {
                (Some(m), _, _) => m.to_string(),
                (None, _, Some(num)) => num.format(n),
                (None, Some(m), None) => m.to_string(),
                (None, None, None) => "・".to_string(),
            };
            n = n.saturating_add(1);
            let item_pos = self.pos(item);
            let kids: Vec<Node> = item.children().collect();
            let mut blocks = Vec::new();
            let mut ic = c.clone();
            ic.align = c.align;
            self.blocks(&kids, &ic, &mut blocks)?;
            if blocks.iter().any(|b| !matches!(b, Block::Paragraph(_) | Block::List(_))) {
                return Err(
                    self.err(item, "箇条書きの項目（<item>）の中には文章（<p>）と箇条書き（<list>）だけを書けます。")
                );
            }
            items.push(ListItem { marker, blocks, pos: item_pos });
        }
        Ok(Block::List(List {
            items,
            marker_width: match node.attribute("marker-width") {
                Some(_) => Some(self.opt_length(node, "marker-width", em, 0.0)?),
                None => None,
            },
            gap: self.opt_length(node, "gap", em, 0.0)?,
            left: self.opt_length(node, "left", em, 0.0)?,
            marker_style,
            item_space: self.opt_length(node, "item-space", em, 0.0)?,
            space_before: self.opt_length(node, "space-before", em, 0.0)?,
            space_after: self.opt_length(node, "space-after", em, 0.0)?,
        }))
    }

    fn table(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
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
    fn grid_columns(&self, rows: &[Row], declared: usize) -> Result<usize, Error> {
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

    fn rows(&self, node: Node, c: &Ctx, header: bool, out: &mut Vec<Row>) -> Result<(), Error> {
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

    fn row(&self, node: Node, c: &Ctx, header: bool) -> Result<Row, Error> {
        self.check_attrs(node, &["font", "size", "bold", "align", "shade"])?;
        let pos = self.pos(node);
        let rc = self.ctx(node, c)?;
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
                if matches!(b, Block::Table(_) | Block::Toc(_) | Block::PageBreak | Block::Heading(_)) {
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
        Ok(Row { cells, pos })
    }

    fn color(&self, node: Node, s: &str) -> Result<Rgb, Error> {
        let bad = || self.err(node, format!("色「{s}」を読めません。#e6e6e6 のように書くか、none にしてください。"));
        let hex = s.strip_prefix('#').ok_or_else(bad)?;
        if hex.len() != 6 {
            return Err(bad());
        }
        let v = u32::from_str_radix(hex, 16).map_err(|_| bad())?;
        Ok(Rgb(((v >> 16) & 0xff) as f32 / 255.0, ((v >> 8) & 0xff) as f32 / 255.0, (v & 0xff) as f32 / 255.0))
    }

    fn inline(&self, node: Node, ctx: &Ctx, out: &mut Vec<Inline>, running: bool) -> Result<(), Error> {
        match node.node_type() {
            NodeType::Text => {
                let t = node.text().unwrap_or("");
                if !t.is_empty() {
                    out.push(Inline::Text { text: t.to_string(), style: ctx.style, pos: self.pos(node) });
                }
                Ok(())
            }
            NodeType::Comment | NodeType::PI => Ok(()),
            NodeType::Element => {
                let name = node.tag_name().name();
                match name {
                    "br" => {
                        self.check_attrs(node, &[])?;
                        out.push(Inline::Break);
                        Ok(())
                    }
                    "page-number" | "page-count" if running => {
                        self.check_attrs(node, &[])?;
                        out.push(if name == "page-number" {
                            Inline::PageNumber { style: ctx.style }
                        } else {
                            Inline::PageCount { style: ctx.style }
                        });
                        Ok(())
                    }
                    "page-number" | "page-count" => Err(self.err(
                        node,
                        format!("<{name}/> はヘッダー・フッター（<header>, <footer>）の中でだけ使えます。"),
                    )),
                    "b" | "gothic" | "mincho" | "span" => {
                        self.check_attrs(node, if name == "span" { &["font", "size", "bold"] } else { &[] })?;
                        let mut c = self.ctx(node, ctx)?;
                        match name {
                            "b" => c.style.bold = true,
                            "gothic" => c.style.family = Family::Gothic,
                            "mincho" => c.style.family = Family::Mincho,
                            _ => {}
                        }
                        for ch in node.children() {
                            self.inline(ch, &c, out, running)?;
                        }
                        Ok(())
                    }
                    other if BLOCK_ELEMENTS.contains(&other) => Err(self.err(
                        node,
                        format!("<{other}> は段落の中には書けません。段落（<p>）や見出しの外に出してください。"),
                    )),
                    other => Err(self.err(
                        node,
                        format!("<{other}> という要素はありません。使える要素は docs/markup.md を見てください。"),
                    )),
                }
            }
            NodeType::Root => Ok(()),
        }
    }
}

/// Parses `12mm`, `1.5cm`, `10pt`, `2zw`, `2em`; a bare number is pt when
/// `bare_pt` is true. Returns points.
pub fn parse_length(s: &str, em: f32, bare_pt: bool) -> Option<f32> {
    let s = s.trim();
    if s == "0" {
        return Some(0.0);
    }
    let (num, factor) = if let Some(n) = s.strip_suffix("mm") {
        (n, PT_PER_MM)
    } else if let Some(n) = s.strip_suffix("cm") {
        (n, PT_PER_MM * 10.0)
    } else if let Some(n) = s.strip_suffix("pt") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("zw").or_else(|| s.strip_suffix("em")) {
        (n, em)
    } else if bare_pt {
        (s, 1.0)
    } else {
        return None;
    };
    let v: f32 = num.trim().parse().ok()?;
    if !v.is_finite() || !(-10000.0..=10000.0).contains(&v) {
        return None;
    }
    Some(v * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(parse_length("10pt", 10.0, false), Some(10.0));
        assert!((parse_length("25.4mm", 10.0, false).unwrap() - 72.0).abs() < 1e-3);
        assert_eq!(parse_length("2zw", 10.5, false), Some(21.0));
        assert_eq!(parse_length("12", 10.0, true), Some(12.0));
        assert_eq!(parse_length("12", 10.0, false), None);
        assert_eq!(parse_length("12xx", 10.0, true), None);
    }

    #[test]
    fn xml_error_has_line_and_column() {
        let err = parse("<document>\n<p>abc</q>\n</document>", "t.xml").unwrap_err();
        assert!(err.message.contains("t.xml 2行"), "{}", err.message);
    }

    #[test]
    fn unknown_element_and_attribute_are_named_with_position() {
        let err = parse("<document>\n  <p><blink>x</blink></p></document>", "t").unwrap_err();
        assert!(err.message.contains("2行6列") && err.message.contains("<blink>"), "{}", err.message);
        let err = parse("<document><p colour=\"red\">x</p></document>", "t").unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn positions_are_right_after_nested_content() {
        // Positions are resolved walking forward through the text; an error
        // after a table row with children must still point at its own line.
        let xml = "<document>\n<table><tr><td><p>a</p></td></tr>\n<tr><td>b</td></tr>\n<tr><td colour=\"x\">c</td></tr></table></document>";
        let err = parse(xml, "t").unwrap_err();
        assert!(err.message.contains("t 4行5列"), "{}", err.message);
        let d = parse("<document>\n\n  <p>x</p><p>y</p></document>", "t").unwrap();
        let Block::Paragraph(p) = &d.blocks[1] else { panic!() };
        assert_eq!(p.pos, Pos { line: 3, col: 11 });
    }

    #[test]
    fn overlapping_or_excess_cells_are_errors() {
        let over = r#"<document><table columns="1fr 1fr"><tr><td rowspan="2">A</td><td>B</td></tr><tr><td>C</td><td>D</td></tr></table></document>"#;
        let err = parse(over, "t").unwrap_err();
        assert!(err.message.contains("2 行目") && err.message.contains("3 列分"), "{}", err.message);
        let ok = r#"<document><table><tr><td rowspan="2">A</td><td>B</td></tr><tr><td>C</td></tr></table></document>"#;
        let Block::Table(t) = &parse(ok, "t").unwrap().blocks[0] else { panic!() };
        assert_eq!(t.ncols, 2);
        let clash = r#"<document><table><tr><td>x</td><td rowspan="2">A</td></tr><tr><td colspan="2">C</td></tr></table></document>"#;
        assert!(parse(clash, "t").unwrap_err().message.contains("重なります"));
    }

    #[test]
    fn negative_lengths_are_rejected_except_indents() {
        assert!(parse(r#"<document><space height="-3mm"/></document>"#, "t").is_err());
        assert!(parse(r#"<document><table padding="-1mm"><tr><td>a</td></tr></table></document>"#, "t").is_err());
        assert!(parse(r#"<document margin="-5mm"><p>a</p></document>"#, "t").is_err());
        assert!(parse(r#"<document><p hanging="-1zw">a</p></document>"#, "t").is_ok());
    }

    #[test]
    fn only_text_and_lists_inside_list_items() {
        let err = parse("<document><list><item><table><tr><td>a</td></tr></table></item></list></document>", "t")
            .unwrap_err();
        assert!(err.message.contains("<item>"), "{}", err.message);
        assert!(parse("<document><list><item><h>x</h></item></list></document>", "t").is_err());
    }

    #[test]
    fn styles_inherit() {
        let d = parse(
            r#"<document size="12"><p font="gothic"><b>太</b><span size="8">小</span></p><h level="2">見出し</h></document>"#,
            "t",
        )
        .unwrap();
        let Block::Paragraph(p) = &d.blocks[0] else { panic!() };
        let styles: Vec<TextStyle> = p
            .inlines
            .iter()
            .map(|i| match i {
                Inline::Text { style, .. } => *style,
                _ => panic!(),
            })
            .collect();
        assert_eq!(styles[0], TextStyle { family: Family::Gothic, size: 12.0, bold: true });
        assert_eq!(styles[1], TextStyle { family: Family::Gothic, size: 8.0, bold: false });
        let Block::Heading(h) = &d.blocks[1] else { panic!() };
        assert_eq!(h.level, 2);
        assert_eq!(h.body.para.style.family, Family::Gothic);
    }

    #[test]
    fn list_numbering_generates_markers() {
        let d =
            parse(r#"<document><list numbering="（１）"><item>a</item><item>b</item></list></document>"#, "t").unwrap();
        let Block::List(l) = &d.blocks[0] else { panic!() };
        assert_eq!(l.items[0].marker, "（１）");
        assert_eq!(l.items[1].marker, "（２）");
    }

    #[test]
    fn page_number_only_in_running_text() {
        assert!(parse("<document><p><page-number/></p></document>", "t").is_err());
        let d = parse("<document><footer>- <page-number/> -</footer></document>", "t").unwrap();
        assert!(d.footer.unwrap().inlines.iter().any(|i| matches!(i, Inline::PageNumber { .. })));
    }
}
