//! The layout markup: a small XML vocabulary that templates render and the
//! layout engine sets. This module parses it into a typed tree
//! ([`Document`]) and rejects anything it does not know, with the line and
//! column of the mistake. The vocabulary is documented in `docs/markup.md`.
//!
//! Styles (font family, size, bold, line height) are inherited from parent
//! elements and resolved here, so the layout stage sees plain values.
//!
//! The stage is split by job:
//! - [`schema`]: the typed tree the parser makes and the layout reads
//!   ([`Document`], [`Block`], [`Inline`], the resolved styles);
//! - `parse`: the parser proper — the XML tree, positions for messages,
//!   the document, blocks, lists and inline content;
//! - `table`: `<table>` and its rows and cells, with the grid check;
//! - `style`: attributes to styles (font, size, alignment, lengths,
//!   colours), inherited through the `Ctx` of each element.

mod parse;
pub mod schema;
mod style;
mod table;

pub use schema::*;
pub use style::parse_length;

use crate::error::Error;
use parse::{xml_document, Ctx, Parser};
use roxmltree::Node;

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
    p.check_attrs(root, &["font", "size", "line-height", "align", "line-start-bracket"])?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::Family;

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
    fn markup_errors_are_findings_at_their_line_and_column() {
        use crate::diagnostic::{Origin, Severity};
        let err = parse("<document>\n  <p><blink>x</blink></p></document>", "t.hbs").unwrap_err();
        let [d] = err.diagnostics.as_slice() else { panic!("one finding: {:?}", err.diagnostics) };
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.origin, Origin::text("t.hbs", Pos { line: 2, col: 6 }));
        assert!(d.to_string().contains("<blink>") && !d.to_string().contains("2行"), "{d}");
        assert_eq!(err.message, d.located());
        // A document that is not XML: the parser's position.
        let err = parse("<document>\n<p>abc</q>\n</document>", "t.hbs").unwrap_err();
        let [d] = err.diagnostics.as_slice() else { panic!("one finding: {:?}", err.diagnostics) };
        assert_eq!(d.origin.text.map(|p| p.line), Some(2), "{d:?}");
        assert!(err.message.starts_with("t.hbs 2行"), "{}", err.message);
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
        assert_eq!(
            styles[0],
            TextStyle { family: Family::Gothic, size: 12.0, bold: true, line_start_bracket: LineStartBracket::Trim }
        );
        assert_eq!(
            styles[1],
            TextStyle { family: Family::Gothic, size: 8.0, bold: false, line_start_bracket: LineStartBracket::Trim }
        );
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
