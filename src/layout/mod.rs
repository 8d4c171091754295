//! Layout: a parsed markup [`Document`] becomes positioned pages.
//!
//! Blocks are first flattened into a vertical list of lines and spaces
//! (`V`); tables stay whole so that they can be paginated row by row. The
//! pager then fills pages top to bottom: headings are kept with what follows,
//! table rows that do not fit move to the next page with the header rows
//! repeated, and a row taller than a page is split between its lines. Text is
//! never clipped: every line of the input is placed on some page.
//!
//! Coordinates are in points from the top-left corner of the page.
//!
//! The stage is split by job:
//! - `flow`: blocks to the vertical list (paragraphs, headings, lists);
//! - `table`: a table's columns, cells and row groups, and how a group is
//!   measured and cut at a page break;
//! - `toc`: headings, the table of contents lines and their page numbers;
//! - `pager`: the vertical list onto pages (keeping headings with what
//!   follows, tables row by row);
//! - `running`: running headers and footers;
//! - `structure`: the logical structure (headings, paragraphs, lists,
//!   tables, contents) each drawn run belongs to, for tagged PDF.

mod flow;
mod pager;
mod running;
pub mod structure;
mod table;
mod toc;

pub use running::running_pages;
pub use structure::{NodeId, Role, Tree, ARTIFACT};
#[cfg(test)]
pub(crate) use structure::ROOT as ROOT_FOR_TESTS;

use crate::diagnostic::{Diagnostic, Origin};
use crate::error::Error;
use crate::fonts::FontSet;
use crate::markup::{Align, Block, Document, Meta, PageSetup, ParaStyle, Rgb, TextStyle};
use crate::typeset::{Line, MissingGlyph, Run};
use pager::{Anchor, Pager, Paginated};
use running::draw_runnings;
use table::{check_table_widths, TableL};
use toc::{collect_headings, fill_page_numbers, heading_ranges, HeadingInfo};

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A run of text.
    Text {
        /// Left edge of the run.
        x: f32,
        /// The run's baseline.
        y: f32,
        /// The text, its font and size.
        run: Run,
        /// The structure node it belongs to, or [`ARTIFACT`].
        node: NodeId,
    },
    /// The outline of a rectangle (a table cell's border).
    Frame {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Line width of the border.
        width: f32,
    },
    /// A filled rectangle (cell shading).
    Fill {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        color: Rgb,
    },
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
    /// The logical structure the pages' text belongs to.
    pub tree: Tree,
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
    /// The part's structure (its root a [`Role::Part`]).
    pub tree: Tree,
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
    let mut cx = Cx { fonts, missing: Vec::new(), headings: Vec::new(), tree: Tree::new(Role::Part) };
    collect_headings(blocks, &mut cx.headings);
    let Paginated { pages, anchors, page_numbers, restarts } = cx.paginate(blocks, &doc.page)?;
    if !page_numbers.is_empty() {
        return Err(Error::internal("a table of contents in a part"));
    }
    if !restarts.is_empty() {
        return Err(Error::input("<page-break restart=\"…\"/>（ページ番号の振り直し）は <part> の中では使えません。"));
    }
    let headings = cx
        .headings
        .into_iter()
        .zip(anchors.into_iter().chain(std::iter::repeat(None)))
        .filter_map(|(info, a)| a.map(|Anchor { page, y }| PartHeading { info, page, y }))
        .collect();
    Ok(Part { pages, tree: cx.tree, headings })
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
    let mut cx = Cx { fonts, missing: Vec::new(), headings: Vec::new(), tree: Tree::default() };
    collect_headings(&doc.blocks, &mut cx.headings);
    let own_headings = cx.headings.len();
    cx.headings.extend(following.headings.iter().map(|h| h.info.clone()));
    let Paginated { mut pages, mut anchors, page_numbers, restarts } = cx.paginate(&doc.blocks, &doc.page)?;
    let own_pages = pages.len();
    let count = own_pages + following.pages;
    if !restarts.is_empty() && following.pages > 0 {
        return Err(Error::input(
            "<page-break restart=\"…\"/>（ページ番号の振り直し）は、<part> の続く文書では使えません。",
        ));
    }
    let labels = page_labels(count, &restarts);
    anchors.resize(own_headings, None);
    anchors.extend(following.headings.iter().map(|h| Some(Anchor { page: own_pages + h.page, y: h.y })));
    if !page_numbers.is_empty() {
        let ranges = heading_ranges(&cx.headings, &anchors, count, doc.page.top);
        fill_page_numbers(&mut pages, page_numbers, &ranges, &labels, fonts);
    }
    let headings = cx.headings;
    let tree = cx.tree;

    // Running header and footer, now that the page count is known.
    let mut missing = Vec::new();
    for (i, page) in pages.iter_mut().enumerate() {
        draw_runnings(page, doc, fonts, (i, &labels[i], count), &mut missing);
    }
    if !missing.is_empty() {
        return Err(missing_error(&missing));
    }

    let outline = headings
        .iter()
        .zip(anchors.iter())
        .filter(|(h, _)| h.bookmark)
        .filter_map(|(h, a)| {
            a.map(|Anchor { page, y }| OutlineEntry { level: h.level, title: h.title.clone(), page, y })
        })
        .collect();
    Ok(Laid { meta: doc.meta.clone(), page: doc.page.clone(), pages, outline, tree })
}

/// The printed number of each of `count` pages: 1, 2, 3 …, or, from a page
/// where numbering restarts with a prefix, the prefix and the count from 1
/// (3-1, 3-2 …).
fn page_labels(count: usize, restarts: &[(usize, String)]) -> Vec<String> {
    let mut labels = Vec::with_capacity(count);
    let (mut start, mut prefix) = (0usize, "");
    let mut next = restarts.iter().peekable();
    for i in 0..count {
        while let Some((at, p)) = next.peek() {
            if *at > i {
                break;
            }
            (start, prefix) = (*at, p.as_str());
            next.next();
        }
        labels.push(format!("{prefix}{}", i - start + 1));
    }
    labels
}

/// The error for characters no font has, each listed once with its place.
fn missing_error(missing: &[MissingGlyph]) -> Error {
    let mut seen = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    let mut findings = Vec::new();
    for m in missing {
        if seen.insert((m.ch, m.pos.line, m.pos.col)) {
            lines.push(format!("  「{}」(U+{:04X}) マークアップ {} の「{}」", m.ch, m.ch as u32, m.pos, m.context));
            let message =
                format!("「{}」(U+{:04X}) はフォントにない文字です（「{}」）。", m.ch, m.ch as u32, m.context);
            findings.push(Diagnostic::invalid(Origin::text(MARKUP, m.pos), message));
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
    .with(findings)
}

/// The name of the layout markup in findings (`マークアップ 3行1列`).
const MARKUP: &str = "マークアップ";

/// A vertical list item.
#[derive(Debug, Clone)]
enum V {
    /// A line; `x` is its offset from the container's left edge. Its runs
    /// belong to `tag`.
    Line { line: Line, x: f32, keep: bool, anchor: Option<usize>, tag: LineTag },
    /// Vertical space, dropped at the top of a page.
    Space(f32),
    /// A forced page break; `Some(prefix)` restarts the page numbers.
    PageBreak(Option<String>),
    /// A table, paginated row by row.
    Table(Box<TableL>),
}

/// The structure nodes a line's runs belong to: list markers first (the
/// runs before `labels[0].0` to `labels[0].1`, then up to `labels[1].0` …,
/// an item's marker before the marker of a list its body starts with), the
/// other runs to `node`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineTag {
    node: NodeId,
    labels: [(usize, NodeId); LineTag::DEPTH],
    count: usize,
}

impl LineTag {
    /// Nested list markers one line keeps apart; a deeper one's runs go to
    /// the label of the list around it.
    const DEPTH: usize = 4;

    /// All runs in `node`.
    fn of(node: NodeId) -> LineTag {
        LineTag { node, labels: [(0, node); LineTag::DEPTH], count: 0 }
    }

    /// The tag after `runs` runs of a marker in `label` are put before the
    /// line's runs.
    fn with_label(mut self, runs: usize, label: NodeId) -> LineTag {
        // Full: the deepest marker's runs join the one before it.
        let dropped = (self.count == LineTag::DEPTH).then(|| self.labels[LineTag::DEPTH - 1].0 + runs);
        for i in (0..self.count.min(LineTag::DEPTH - 1)).rev() {
            let (end, id) = self.labels[i];
            self.labels[i + 1] = (end + runs, id);
        }
        if let Some(end) = dropped {
            self.labels[LineTag::DEPTH - 1].0 = end;
        }
        self.labels[0] = (runs, label);
        self.count = (self.count + 1).min(LineTag::DEPTH);
        self
    }

    /// The node of run `k`.
    fn run(&self, k: usize) -> NodeId {
        self.labels[..self.count].iter().find(|(end, _)| k < *end).map_or(self.node, |&(_, id)| id)
    }
}

/// The height of a run of the vertical list.
fn v_height(v: &[V]) -> f32 {
    v.iter()
        .map(|i| match i {
            V::Line { line, .. } => line.height,
            V::Space(h) => *h,
            _ => 0.0,
        })
        .sum()
}

/// The layout's state while blocks are flattened: the fonts, the
/// characters found missing so far, and the headings (for the contents).
struct Cx<'a> {
    fonts: &'a FontSet,
    missing: Vec<MissingGlyph>,
    headings: Vec<HeadingInfo>,
    /// The structure of what has been flattened so far.
    tree: Tree,
}

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
    #[test]
    fn nested_list_markers_keep_their_own_labels() {
        // An item whose body starts with a list: outer marker (3 runs),
        // inner marker (2 runs), then the text.
        let tag = LineTag::of(9).with_label(2, 5).with_label(3, 4);
        let nodes: Vec<NodeId> = (0..7).map(|k| tag.run(k)).collect();
        assert_eq!(nodes, [4, 4, 4, 5, 5, 9, 9]);
        // Deeper than DEPTH: the deepest marker goes with the one around it.
        let mut t = LineTag::of(9);
        for label in 1..=5 {
            t = t.with_label(1, label);
        }
        let nodes: Vec<NodeId> = (0..6).map(|k| t.run(k)).collect();
        assert_eq!(nodes, [5, 4, 3, 2, 2, 9]);
    }

    #[test]
    fn page_labels_restart_with_their_prefix() {
        assert_eq!(page_labels(3, &[]), ["1", "2", "3"]);
        let r = vec![(2, "1-".to_string()), (4, "2-".to_string())];
        assert_eq!(page_labels(6, &r), ["1", "2", "1-1", "1-2", "2-1", "2-2"]);
        // A restart without a prefix counts from 1 again.
        assert_eq!(page_labels(3, &[(1, String::new())]), ["1", "1", "2"]);
    }

    use super::toc::TOC_LEADER;
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

    #[test]
    fn layout_errors_are_findings_at_the_markup_position() {
        use crate::diagnostic::TextPos;
        let doc = markup::parse("<document><p>絵😀</p>\n<p>外字\u{E000}</p></document>", "t").unwrap();
        let err = layout(&doc, &FontSet::embedded()).unwrap_err();
        let at: Vec<(Option<TextPos>, bool)> =
            err.diagnostics.iter().map(|d| (d.origin.text, d.to_string().contains("U+"))).collect();
        assert_eq!(at.len(), 2, "{:?}", err.diagnostics);
        assert!(at.iter().all(|(_, names_char)| *names_char), "{:?}", err.diagnostics);
        assert_eq!(at[0].0.map(|p| p.line), Some(1));
        assert_eq!(at[1].0.map(|p| p.line), Some(2));
        let doc = markup::parse(
            "<document>\n<table columns=\"150mm 100mm\"><tr><td>a</td><td>b</td></tr></table></document>",
            "t",
        )
        .unwrap();
        let err = layout(&doc, &FontSet::embedded()).unwrap_err();
        let [d] = err.diagnostics.as_slice() else { panic!("{:?}", err.diagnostics) };
        assert_eq!(d.origin.text.map(|p| p.line), Some(2), "{d:?}");
        assert_eq!(err.message, d.located());
        assert!(err.message.starts_with("マークアップ 2行"), "{}", err.message);
    }
}
