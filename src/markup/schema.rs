//! The typed tree of the layout markup: what [`super::parse`] makes and the
//! layout stage reads. Styles are already resolved (inherited from parent
//! elements), so every value here is plain.

use crate::fonts::Family;

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// A position in the markup text (1-based); it is also a finding's origin
/// ([`crate::diagnostic::Origin::text`]).
pub use crate::diagnostic::TextPos as Pos;

/// Character style after inheritance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    /// Mincho or Gothic.
    pub family: Family,
    /// Size in points.
    pub size: f32,
    /// Bold (drawn as fill + thin stroke; the IPAex fonts have no bold face).
    pub bold: bool,
    /// How an opening bracket starting a line is set (`line-start-bracket`).
    pub line_start_bracket: LineStartBracket,
}

/// The house rule for an opening bracket (「（『 …) at the start of a line,
/// the first line of a paragraph included (JLReq 3.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStartBracket {
    /// Its blank half em is taken away: the bracket's mark starts at the
    /// line's edge (or the paragraph's indent). The default.
    Trim,
    /// It keeps its full width: the mark starts half an em in.
    Keep,
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
    /// Text with its style.
    Text {
        /// The characters, whitespace already collapsed.
        text: String,
        /// Font, size and weight of the run.
        style: TextStyle,
        /// Where the text starts in the markup.
        pos: Pos,
    },
    /// `<br/>`: an explicit line break.
    Break,
    /// `<page-number/>` in a running header or footer.
    PageNumber {
        /// Font, size and weight of the number.
        style: TextStyle,
    },
    /// `<page-count/>` in a running header or footer.
    PageCount {
        /// Font, size and weight of the number.
        style: TextStyle,
    },
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
    /// Width of a rule drawn above the row (0: none), as above a total.
    pub rule: f32,
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
    /// `<page-break/>`; with `restart="3-"`, page numbers count from 1
    /// again on the next page, printed after the prefix (3-1, 3-2 …).
    PageBreak(Option<String>),
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
    /// The PDF standard the document asks for (`pdf-standard`), if any.
    pub standard: Option<PdfStandard>,
}

/// A PDF standard a document can be written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfStandard {
    /// PDF/A-2b (ISO 19005-2, level B): for long-term archiving.
    A2b,
}

impl PdfStandard {
    /// The standard named `s` as the markup and the command line write it
    /// (`a-2b`, also `pdf/a-2b`, any case).
    pub fn parse(s: &str) -> Option<PdfStandard> {
        let s = s.trim().to_ascii_lowercase();
        match s.strip_prefix("pdf/").unwrap_or(&s) {
            "a-2b" | "a2b" => Some(PdfStandard::A2b),
            _ => None,
        }
    }
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
    /// ([`super::parse_part`]) start from.
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
