//! The markup parser: an XML tree (roxmltree) walked in document order
//! into the typed tree of [`super::schema`]; anything unknown is an error at
//! its line and column.

use roxmltree::{Node, NodeType};

use super::schema::*;
use crate::diagnostic::{Diagnostic, Kind, Origin, Severity};
use crate::error::Error;
use crate::fonts::Family;

/// The XML tree of markup, or an error with line, column and the line.
pub(super) fn xml_document<'input>(text: &'input str, origin: &str) -> Result<roxmltree::Document<'input>, Error> {
    roxmltree::Document::parse(text).map_err(|e| {
        let p = e.pos();
        markup_error(
            origin,
            Pos { line: p.row, col: p.col },
            format!("レイアウトのマークアップが XML として正しくありません（{}）。{}", e, line_excerpt(text, p.row)),
        )
    })
}

/// An error of the markup at `at`, as a finding (origin: the markup's
/// name, line and column) whose printed message is `{origin} 2行3列: …`.
fn markup_error(origin: &str, at: Pos, message: String) -> Error {
    Error::finding(Diagnostic {
        severity: Severity::Error,
        origin: Origin::text(origin, at),
        kind: Kind::Invalid { message },
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

/// The parser's state: the XML tree, the text it came from (for positions)
/// and the name of the source for messages.
pub(super) struct Parser<'a, 'input> {
    pub(super) xml: &'a roxmltree::Document<'input>,
    pub(super) text: &'a str,
    pub(super) origin: &'a str,
    /// Last resolved (byte offset, line, column): nodes are visited in
    /// document order, so positions are found by walking forward from the
    /// previous one (roxmltree's `text_pos_at` scans from the start, which
    /// is quadratic over a large document).
    pub(super) cursor: std::cell::Cell<(usize, u32, u32)>,
}

/// Inherited formatting context.
#[derive(Debug, Clone)]
pub(super) struct Ctx {
    pub(super) style: TextStyle,
    pub(super) line_height: f32,
    pub(super) align: Align,
}

const BLOCK_ELEMENTS: &[&str] = &["h", "p", "list", "table", "toc", "page-break", "space"];

impl<'a, 'input> Parser<'a, 'input> {
    pub(super) fn pos(&self, node: Node) -> Pos {
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

    pub(super) fn err(&self, node: Node, msg: impl std::fmt::Display) -> Error {
        markup_error(self.origin, self.pos(node), msg.to_string())
    }

    pub(super) fn check_attrs(&self, node: Node, allowed: &[&str]) -> Result<(), Error> {
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

    pub(super) fn document(&self, root: Node) -> Result<Document, Error> {
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
                "line-start-bracket",
                "pdf-standard",
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
            standard: match root.attribute("pdf-standard") {
                None => None,
                Some(s) => Some(PdfStandard::parse(s).ok_or_else(|| {
                    self.err(root, format!("pdf-standard=\"{s}\" は使えません。PDF/A-2b にするなら a-2b と書いてください。"))
                })?),
            },
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
        let base =
            TextStyle { family: Family::Mincho, size: 10.5, bold: false, line_start_bracket: LineStartBracket::Trim };
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
    pub(super) fn running(&self, node: Node, ctx: &Ctx) -> Result<Running, Error> {
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

    /// Parses children into blocks; loose inline content becomes paragraphs.
    pub(super) fn blocks(&self, nodes: &[Node], ctx: &Ctx, out: &mut Vec<Block>) -> Result<(), Error> {
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

    pub(super) fn block(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
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
                        "line-start-bracket",
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
                        "line-start-bracket",
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
                self.check_attrs(node, &["restart"])?;
                Ok(Block::PageBreak(node.attribute("restart").map(String::from)))
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

    pub(super) fn list(&self, node: Node, ctx: &Ctx) -> Result<Block, Error> {
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

    pub(super) fn inline(&self, node: Node, ctx: &Ctx, out: &mut Vec<Inline>, running: bool) -> Result<(), Error> {
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
