//! PDF export: positioned pages ([`Laid`]) → PDF bytes.
//!
//! printpdf makes the catalog, the page tree and the document information;
//! the fonts are cut to their used glyphs by `subsetter` and written here
//! (`fonts`), as is everything else, so that the output is byte-identical for identical input and
//! a long report is never held whole:
//! - page content streams are written straight from the positioned items,
//!   with glyphs as their ids in the original font (a `/CIDToGIDMap` maps
//!   them to the subset), and compressed in parallel ([`Streams`]);
//! - font resource ids are derived from the text, not printpdf's counter;
//! - the outline (bookmarks) is built here, nested by heading level and in
//!   document order;
//! - dates come only from `SOURCE_DATE_EPOCH` (no date otherwise);
//! - the file is serialised object by object ([`file`]): printpdf's objects
//!   through lopdf's object model, then each page as it comes, and the
//!   trailer `/ID` is the SHA-256 of the file up to the trailer;
//! - TrueType hinting instructions are dropped from the embedded subsets
//!   (40 % of IPAex's outline data), which keeps a 3-page document small.
//!
//! The stages, a file each:
//! - `content`: the pages' content streams ([`Streams`]) and the page
//!   objects;
//! - `fonts`: the used faces embedded as subsets (`subsetter`) and mapped
//!   to the content's glyph ids;
//! - `hints`: hinting instructions dropped from the embedded fonts;
//! - `outline`: document information (dates, language) and the outline;
//! - `archive`: PDF/A-2b on request (XMP metadata, sRGB output intent);
//! - `structure`: the structure tree of tagged PDF (headings, paragraphs,
//!   lists, tables, contents; the content marks each run with its node);
//! - `objects`: printpdf's objects compressed, numbered and pointed at
//!   the pages and the outline;
//! - `file`: the file serialised object by object.

use lopdf::Object;
use printpdf::PdfDocument;

use crate::error::Error;
use crate::fonts::FontSet;
use crate::layout::Laid;

mod archive;
mod content;
mod file;
mod fonts;
mod hints;
mod objects;
mod outline;
mod structure;

pub use content::Streams;

/// Options of the PDF writer.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Creation date as Unix seconds (from `SOURCE_DATE_EPOCH`); `None`
    /// writes no date, which keeps the output reproducible.
    pub date: Option<i64>,
    /// The standard to write to (`--pdf-standard`); the document's own
    /// `pdf-standard` applies when this is `None`.
    pub standard: Option<crate::markup::PdfStandard>,
}

impl PdfOptions {
    /// Options from the environment: `SOURCE_DATE_EPOCH` if set.
    pub fn from_env() -> Result<PdfOptions, Error> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => {
                let secs = v.trim().parse::<i64>().map_err(|_| {
                    Error::input(format!("環境変数 SOURCE_DATE_EPOCH「{v}」は Unix 時刻（秒）の整数にしてください。"))
                })?;
                Ok(PdfOptions { date: Some(secs), standard: None })
            }
            Err(_) => Ok(PdfOptions { date: None, standard: None }),
        }
    }
}

/// The document information's producer.
const PRODUCER: &str = concat!("keikaku ", env!("CARGO_PKG_VERSION"), " (printpdf 0.12.8)");

/// Writes the laid-out document as PDF bytes.
pub fn write(laid: &Laid, fonts: &FontSet, opts: &PdfOptions) -> Result<Vec<u8>, Error> {
    write_with(laid, Streams::default(), fonts, opts)
}

/// Writes the laid-out document, followed by the pages of `after` (the
/// parts laid out on their own, see [`crate::layout::layout_part`]), as
/// PDF bytes. The outline of `laid` counts these pages after its own.
///
/// printpdf makes the document's catalog and information; each used face is
/// embedded as a subset of its used glyphs, with their widths. The pages' content streams are written here, straight from
/// the positioned items, and compressed in parallel: a report of thousands
/// of pages never becomes printpdf operations (about 100 bytes a glyph),
/// only its compressed streams. Since the content names glyphs by their ids
/// in the original font, each font gets a `/CIDToGIDMap` to the subset, and
/// `/W` and `/ToUnicode` written here for those ids.
pub fn write_with(laid: &Laid, after: Streams, fonts: &FontSet, opts: &PdfOptions) -> Result<Vec<u8>, Error> {
    let fail = |e: std::io::Error| Error::internal(format!("PDF の書き出しに失敗しました: {e}"));
    write_to(laid, after, fonts, opts, Vec::new(), fail)
}

/// As [`write_with`], into a new file at `path`: each page goes to the file
/// as it is serialised, so the bytes of a long report are never held whole.
pub fn write_file_with(
    laid: &Laid,
    after: Streams,
    fonts: &FontSet,
    opts: &PdfOptions,
    path: &std::path::Path,
) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::output(format!("「{}」に書き込めません: {e}", path.display()));
    let file = std::fs::File::create(path).map_err(fail)?;
    let out = write_to(laid, after, fonts, opts, std::io::BufWriter::with_capacity(1 << 20, file), fail)?;
    out.into_inner().map_err(|e| fail(e.into_error()))?;
    Ok(())
}

/// Writes the document to `out`: printpdf's objects (fonts, catalog, info,
/// page tree) through lopdf, then each page's streams and dictionary and the
/// outline, serialised one by one (see [`file`]). `fail` turns a write
/// error into the caller's message.
fn write_to<W: std::io::Write>(
    laid: &Laid,
    after: Streams,
    fonts: &FontSet,
    opts: &PdfOptions,
    out: W,
    fail: impl Fn(std::io::Error) -> Error,
) -> Result<W, Error> {
    let mut streams = Streams::of_pages(&laid.pages, &laid.tree, laid.page.height, fonts)?;
    streams.append(after);
    let marks = std::mem::take(&mut streams.marks);
    let tree = std::mem::take(&mut streams.tree);
    let doc = document(laid, opts)?;

    // The glyphs each face draws (glyph id → the character, for ToUnicode).
    let used = streams.used.maps();
    let standard = opts.standard.or(laid.meta.standard);
    let fonts::Embedded { objects: mut lo, pages_id, page_dict } = fonts::embed(doc, laid, &used, fonts)?;
    outline::info_and_lang(&mut lo, laid, opts)?;
    let xmp = match standard {
        Some(crate::markup::PdfStandard::A2b) => {
            archive::info(&mut lo, &laid.meta, opts)?;
            Some(archive::xmp(&laid.meta, opts)?)
        }
        None => None,
    };
    hints::strip_embedded_hints(&mut lo);
    objects::compress_streams(&mut lo)?;
    let ids = objects::number(&mut lo, pages_id, &page_dict, &streams, laid, tree.len(), xmp.is_some())?;
    let root =
        lo.trailer.get(b"Root").and_then(Object::as_reference).map_err(|_| Error::internal("PDF without a catalog"))?;
    let info = lo.trailer.get(b"Info").and_then(Object::as_reference).ok().map(|r| r.0);

    let mut w = file::FileWriter::new(out).map_err(&fail)?;
    w.pack_from(ids.free);
    for (id, object) in &lo.objects {
        w.object(id.0, object).map_err(&fail)?;
    }
    drop(lo);
    streams.write_pages(&mut w, &ids.page_ids, ids.pages_id).map_err(&fail)?;
    outline::write_outline(&mut w, laid, &ids.outline_ids, &ids.page_ids).map_err(&fail)?;
    structure::write_structure(&mut w, &tree, &marks, &ids.structure, &ids.page_ids).map_err(&fail)?;
    if let (Some(a), Some(xmp)) = (ids.archive, &xmp) {
        archive::write_objects(&mut w, a, xmp).map_err(&fail)?;
    }
    w.finish(root.0, info).map_err(&fail)
}

/// printpdf's document with the document information: title, author,
/// subject, keywords, creator, producer and, from [`PdfOptions::date`]
/// only, the dates.
fn document(laid: &Laid, opts: &PdfOptions) -> Result<PdfDocument, Error> {
    let mut doc = PdfDocument::new(&laid.meta.title);
    let info = &mut doc.metadata.info;
    info.author = laid.meta.author.clone();
    info.subject = laid.meta.subject.clone();
    info.keywords = laid.meta.keywords.clone();
    info.creator = "keikaku".to_string();
    info.producer = PRODUCER.to_string();
    if let Some(secs) = opts.date {
        let d = date(secs)?;
        info.creation_date = d;
        info.modification_date = d;
        info.metadata_date = d;
    }
    Ok(doc)
}

/// The date `secs` (Unix seconds, from `SOURCE_DATE_EPOCH`) stands for.
fn date(secs: i64) -> Result<printpdf::OffsetDateTime, Error> {
    printpdf::OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|e| Error::input(format!("SOURCE_DATE_EPOCH={secs} を日付にできません: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_as_it_is_made_has_the_bytes_of_the_buffer() {
        let fonts = FontSet::embedded();
        let doc = crate::markup::parse("<document><h>見出し</h><p>本文と<gothic>ゴシック</gothic></p></document>", "t")
            .unwrap();
        let laid = crate::layout::layout(&doc, &fonts).unwrap();
        let opts = PdfOptions { date: Some(1_600_000_000), standard: None };
        let bytes = write(&laid, &fonts, &opts).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_file_with(&laid, Streams::default(), &fonts, &opts, &path).unwrap();
        assert!(std::fs::read(&path).unwrap() == bytes);
        // The /ID is the file's hash, not the placeholder.
        let tail = String::from_utf8_lossy(&bytes[bytes.len() - 300..]).into_owned();
        assert!(!tail.contains("4B45494B414B55") && tail.contains("/ID"), "{tail}");
    }
}
