//! PDF export: positioned pages ([`Laid`]) → PDF bytes.
//!
//! printpdf makes the subset fonts (with their widths) from a one-page
//! document that shows every used glyph once; this module writes everything
//! else itself so that the output is byte-identical for identical input and
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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Codepoint, FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem,
    TextMatrix,
};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::fonts::{Family, Font, FontSet};
use crate::layout::{Item, Laid, Page};

mod file;

/// Options of the PDF writer.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Creation date as Unix seconds (from `SOURCE_DATE_EPOCH`); `None`
    /// writes no date, which keeps the output reproducible.
    pub date: Option<i64>,
}

impl PdfOptions {
    /// Options from the environment: `SOURCE_DATE_EPOCH` if set.
    pub fn from_env() -> Result<PdfOptions, Error> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => {
                let secs = v.trim().parse::<i64>().map_err(|_| {
                    Error::input(format!("環境変数 SOURCE_DATE_EPOCH「{v}」は Unix 時刻（秒）の整数にしてください。"))
                })?;
                Ok(PdfOptions { date: Some(secs) })
            }
            Err(_) => Ok(PdfOptions { date: None }),
        }
    }
}

const PRODUCER: &str = concat!("keikaku ", env!("CARGO_PKG_VERSION"), " (printpdf 0.12.8)");

fn pt_to_mm(v: f32) -> Mm {
    Mm(v * 25.4 / 72.0)
}

/// Parsing a large CJK font takes tens of milliseconds; parse each face once
/// per process. The cache holds the font bytes themselves, so an entry can
/// never be confused with another font at a reused address.
fn parsed(font: &Font) -> Result<ParsedFont, Error> {
    type Entry = (Arc<[u8]>, u32, Arc<ParsedFont>);
    static CACHE: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let poisoned = |_| Error::internal("font cache poisoned");
    if let Some((_, _, p)) =
        cache.lock().map_err(poisoned)?.iter().find(|(b, i, _)| Arc::ptr_eq(b, &font.bytes) && *i == font.index)
    {
        return Ok((**p).clone());
    }
    let mut warnings = Vec::new();
    let p = ParsedFont::from_bytes(&font.bytes, font.index as usize, &mut warnings).ok_or_else(|| {
        Error::input(format!("フォント「{}」を PDF に埋め込めません（printpdf が読めない形式です）。", font.name))
    })?;
    cache.lock().map_err(poisoned)?.push((font.bytes.clone(), font.index, Arc::new(p.clone())));
    Ok(p)
}

/// A six-letter subset tag and resource name derived from the used text.
fn font_tag(family: Family, chars: &BTreeSet<char>) -> String {
    let mut h = Sha256::new();
    h.update(format!("{family:?}"));
    for c in chars {
        h.update(c.to_string());
    }
    h.finalize().iter().take(6).map(|b| (b'A' + b % 26) as char).collect()
}

/// The resource names of the two faces in every page's content.
const FONT_NAMES: [&[u8]; 2] = [b"F1", b"F2"];

/// The glyphs a set of pages draws, per family: a bit per original glyph id,
/// and each glyph's character (the first one drawn with it), in drawing order.
#[derive(Debug, Clone, Default)]
struct Used {
    bits: [Vec<u64>; 2],
    glyphs: [Vec<(u16, char)>; 2],
}

impl Used {
    fn insert(&mut self, family: usize, gid: u16, c: char) {
        let bits = &mut self.bits[family];
        if bits.is_empty() {
            bits.resize(1024, 0);
            for &(g, _) in &self.glyphs[family] {
                bits[g as usize / 64] |= 1u64 << (g % 64);
            }
        }
        let (w, b) = (gid as usize / 64, 1u64 << (gid % 64));
        if bits[w] & b == 0 {
            bits[w] |= b;
            self.glyphs[family].push((gid, c));
        }
    }

    /// Drops the bits (8 KB a face), which [`Used::insert`] makes again
    /// from the glyph list: a report keeps the glyphs of thousands of parts.
    fn compact(&mut self) {
        self.bits = Default::default();
        for g in &mut self.glyphs {
            g.shrink_to_fit();
        }
    }

    fn merge(&mut self, other: &Used) {
        for f in 0..2 {
            for &(gid, c) in &other.glyphs[f] {
                self.insert(f, gid, c);
            }
        }
    }

    /// Glyph id → character, per family.
    fn maps(&self) -> [BTreeMap<u16, char>; 2] {
        [0, 1].map(|f| self.glyphs[f].iter().copied().collect())
    }
}

/// A page's content stream, compressed unless it is short.
#[derive(Debug, Clone)]
struct Content {
    bytes: Vec<u8>,
    deflated: bool,
}

impl Content {
    /// Streams shorter than this are kept as they are: a running footer
    /// would shrink by a few bytes, for the cost of setting up a compressor.
    const SHORT: usize = 256;

    fn new(content: Vec<u8>) -> Result<Content, Error> {
        if content.len() < Content::SHORT {
            return Ok(Content { bytes: content, deflated: false });
        }
        let mut bytes = deflate(&content)?;
        // Kept until the end of a long report: no spare capacity.
        bytes.shrink_to_fit();
        Ok(Content { bytes, deflated: true })
    }
}

/// Pages made into compressed content streams, with the glyphs they draw:
/// all the writer keeps of a page, so that a long document can be laid out
/// and made into streams part by part (see [`write_with`]).
///
/// The content shows each glyph by its id in the original font (a CID); the
/// writer maps the CIDs to the embedded subset's glyphs (`/CIDToGIDMap`).
#[derive(Debug, Clone, Default)]
pub struct Streams {
    /// Per page, its content streams (compressed), drawn in order.
    pages: Vec<Vec<Content>>,
    used: Used,
}

impl Streams {
    /// The content streams of `pages` (on pages `page_height` pt high),
    /// made and compressed in parallel. Fails when a character has no
    /// glyph (the layout reports such characters before this).
    pub fn of_pages(pages: &[Page], page_height: f32, fonts: &FontSet) -> Result<Streams, Error> {
        use rayon::prelude::*;
        let made: Vec<(Content, Used)> = pages
            .par_iter()
            .map(|page| {
                let mut used = Used::default();
                let content = page_content(page, page_height, fonts, &mut used)?;
                used.compact();
                Ok((Content::new(content)?, used))
            })
            .collect::<Result<_, Error>>()?;
        let mut streams = Streams { pages: Vec::with_capacity(made.len()), used: Used::default() };
        for (content, used) in made {
            streams.used.merge(&used);
            streams.pages.push(vec![content]);
        }
        streams.used.compact();
        Ok(streams)
    }

    /// Adds the pages of `more` after these.
    pub fn append(&mut self, more: Streams) {
        self.used.merge(&more.used);
        self.pages.extend(more.pages);
    }

    /// Draws `over` on top of these pages, page by page (running headers
    /// and footers made once the page count is known). Both must have the
    /// same number of pages.
    pub fn overlay(&mut self, over: Streams) -> Result<(), Error> {
        if over.pages.len() != self.pages.len() {
            return Err(Error::internal("overlay of a different page count"));
        }
        self.used.merge(&over.used);
        for (page, more) in self.pages.iter_mut().zip(over.pages) {
            page.extend(more);
        }
        Ok(())
    }

    /// The number of pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// True when there are no pages.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// Writes the laid-out document as PDF bytes.
pub fn write(laid: &Laid, fonts: &FontSet, opts: &PdfOptions) -> Result<Vec<u8>, Error> {
    write_with(laid, Streams::default(), fonts, opts)
}

/// Writes the laid-out document, followed by the pages of `after` (the
/// parts laid out on their own, see [`crate::layout::layout_part`]), as
/// PDF bytes. The outline of `laid` counts these pages after its own.
///
/// printpdf makes the document and its fonts: each used face is embedded as
/// a subset with its widths, from a one-page document that shows every used
/// glyph once. The pages' content streams are written here, straight from
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
    let mut streams = Streams::of_pages(&laid.pages, laid.page.height, fonts)?;
    streams.append(after);
    let mut doc = PdfDocument::new(&laid.meta.title);
    let info = &mut doc.metadata.info;
    info.author = laid.meta.author.clone();
    info.subject = laid.meta.subject.clone();
    info.keywords = laid.meta.keywords.clone();
    info.creator = "keikaku".to_string();
    info.producer = PRODUCER.to_string();
    if let Some(secs) = opts.date {
        let d = printpdf::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| Error::input(format!("SOURCE_DATE_EPOCH={secs} を日付にできません: {e}")))?;
        info.creation_date = d;
        info.modification_date = d;
        info.metadata_date = d;
    }

    // The glyphs each face draws (glyph id → the character, for ToUnicode).
    let used = streams.used.maps();
    // Register only the faces that are used, under text-derived ids, and
    // show each used glyph once on a page printpdf lays out.
    let mut ids: [Option<FontId>; 2] = [None, None];
    let mut ops = vec![Op::StartTextSection];
    for family in Family::ALL {
        let glyphs = &used[family as usize];
        if glyphs.is_empty() {
            continue;
        }
        let chars: BTreeSet<char> = glyphs.values().copied().collect();
        let mut tag = font_tag(family, &chars);
        if ids.iter().flatten().any(|id| id.0 == tag) {
            tag.replace_range(0..1, "Z");
        }
        let id = FontId(tag);
        doc.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(parsed(fonts.get(family))?));
        ops.push(Op::SetFont { font: PdfFontHandle::External(id.clone()), size: Pt(10.0) });
        ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(0.0), Pt(0.0)) });
        let items = glyphs.iter().map(|(&gid, &c)| Codepoint { gid, offset: 0.0, cid: Some(c.to_string()) }).collect();
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(items)] });
        ids[family as usize] = Some(id);
    }
    ops.push(Op::EndTextSection);
    let (pw, ph) = (laid.page.width, laid.page.height);
    doc.with_pages(vec![PdfPage::new(pt_to_mm(pw), pt_to_mm(ph), ops)]);
    let save = PdfSaveOptions { subset_fonts: true, ..Default::default() };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);

    // The font page: its fonts and the glyph ids the subsets gave.
    let font_page = *lo.get_pages().values().next().ok_or_else(|| Error::internal("PDF without a page"))?;
    let (names, remap) = font_page_glyphs(&lo, font_page, &ids, &used)?;
    let page_dict = lo
        .get_object(font_page)
        .and_then(Object::as_dict)
        .map_err(|e| Error::internal(format!("PDF page: {e}")))?
        .clone();
    let pages_id = page_dict
        .get(b"Parent")
        .and_then(Object::as_reference)
        .map_err(|e| Error::internal(format!("PDF page parent: {e}")))?;
    if let Ok(Object::Reference(c)) = page_dict.get(b"Contents") {
        lo.objects.remove(c);
    }
    map_fonts(&mut lo, &page_dict, &names, &remap, &used, fonts)?;

    lo.objects.remove(&font_page);
    info_and_lang(&mut lo, laid, opts)?;
    strip_embedded_hints(&mut lo);
    compress_streams(&mut lo)?;

    // Number printpdf's objects from 1, then the pages (each page's
    // streams, then the page) and the outline after them.
    let renumbered = renumber(&mut lo);
    let pages_id = renumbered(pages_id.0);
    let mut next = lo.objects.len() as u32 + 1;
    let mut page_ids = Vec::with_capacity(streams.pages.len());
    for contents in &streams.pages {
        next += contents.len() as u32;
        page_ids.push(next);
        next += 1;
    }
    let outline_ids: Vec<u32> =
        if laid.outline.is_empty() { vec![] } else { (next..=next + laid.outline.len() as u32).collect() };
    let pages = lo
        .get_object_mut((pages_id, 0))
        .and_then(Object::as_dict_mut)
        .map_err(|e| Error::internal(format!("PDF pages: {e}")))?;
    pages.set("Count", Object::Integer(page_ids.len() as i64));
    pages.set("Kids", Object::Array(page_ids.iter().map(|&id| Object::Reference((id, 0))).collect()));
    for key in [&b"MediaBox"[..], b"Resources"] {
        let v = page_dict.get(key).map_err(|e| Error::internal(format!("PDF page: {e}")))?;
        pages.set(key, renumber_object(v.clone(), &|id| renumbered(id)));
    }
    if let Some(&root) = outline_ids.first() {
        let catalog = lo.catalog_mut().map_err(|e| Error::internal(format!("PDF catalog: {e}")))?;
        catalog.set("Outlines", Object::Reference((root, 0)));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    let root =
        lo.trailer.get(b"Root").and_then(Object::as_reference).map_err(|_| Error::internal("PDF without a catalog"))?;
    let info = lo.trailer.get(b"Info").and_then(Object::as_reference).ok().map(|r| r.0);

    let mut w = file::FileWriter::new(out).map_err(&fail)?;
    for (id, object) in &lo.objects {
        w.object(id.0, object).map_err(&fail)?;
    }
    drop(lo);
    for (contents, &page_id) in streams.pages.into_iter().zip(&page_ids) {
        let first = page_id - contents.len() as u32;
        let mut refs = Vec::with_capacity(contents.len());
        for (id, content) in (first..).zip(contents) {
            let mut dict = Dictionary::new();
            if content.deflated {
                dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            }
            w.stream(id, &dict, &content.bytes).map_err(&fail)?;
            refs.push(Object::Reference((id, 0)));
        }
        // The media box and resources are the page tree's, inherited.
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference((pages_id, 0)));
        page.set("Contents", if refs.len() == 1 { refs.remove(0) } else { Object::Array(refs) });
        w.object(page_id, &Object::Dictionary(page)).map_err(&fail)?;
    }
    write_outline(&mut w, laid, &outline_ids, &page_ids).map_err(&fail)?;
    w.finish(root.0, info).map_err(&fail)
}

/// Numbers the objects from 1 in their order, rewriting every reference
/// (in objects and trailer), and returns the old → new map.
fn renumber(lo: &mut lopdf::Document) -> impl Fn(u32) -> u32 {
    let map: HashMap<u32, u32> = lo.objects.keys().enumerate().map(|(k, id)| (id.0, k as u32 + 1)).collect();
    let objects = std::mem::take(&mut lo.objects);
    let by = |id: u32| map.get(&id).copied().unwrap_or(id);
    lo.objects = objects.into_iter().map(|(id, o)| ((by(id.0), 0), renumber_object(o, &by))).collect();
    let trailer = std::mem::take(&mut lo.trailer);
    if let Object::Dictionary(t) = renumber_object(Object::Dictionary(trailer), &by) {
        lo.trailer = t;
    }
    lo.max_id = lo.objects.len() as u32;
    move |id| map.get(&id).copied().unwrap_or(id)
}

fn renumber_object(o: Object, by: &dyn Fn(u32) -> u32) -> Object {
    match o {
        Object::Reference((id, _)) => Object::Reference((by(id), 0)),
        Object::Array(a) => Object::Array(a.into_iter().map(|x| renumber_object(x, by)).collect()),
        Object::Dictionary(d) => Object::Dictionary(renumber_dict(d, by)),
        Object::Stream(mut s) => {
            s.dict = renumber_dict(std::mem::take(&mut s.dict), by);
            Object::Stream(s)
        }
        other => other,
    }
}

fn renumber_dict(d: Dictionary, by: &dyn Fn(u32) -> u32) -> Dictionary {
    let mut out = Dictionary::new();
    for (k, v) in d.into_iter() {
        out.set(k, renumber_object(v, by));
    }
    out
}

/// Points the pages' font resources [`FONT_NAMES`] at the embedded fonts,
/// and gives each font what content in original glyph ids needs: a
/// `/CIDToGIDMap` to the subset's glyphs, `/W` (widths) and `/ToUnicode`
/// by original id.
fn map_fonts(
    lo: &mut lopdf::Document,
    page: &Dictionary,
    names: &[Vec<u8>; 2],
    remap: &[HashMap<u16, u16>; 2],
    used: &[BTreeMap<u16, char>; 2],
    fonts: &FontSet,
) -> Result<(), Error> {
    let bad = |what: &str| Error::internal(format!("printpdf の出力を読めません（{what}）"));
    let resources = page.get(b"Resources").and_then(Object::as_reference).map_err(|_| bad("page resources"))?;
    let font_dict_id = lo
        .get_object(resources)
        .and_then(Object::as_dict)
        .and_then(|d| d.get(b"Font"))
        .and_then(Object::as_reference)
        .map_err(|_| bad("font resources"))?;
    let font_dict = lo.get_object(font_dict_id).and_then(Object::as_dict).map_err(|_| bad("font dictionary"))?.clone();
    let mut mapped = Dictionary::new();
    for f in 0..2 {
        if used[f].is_empty() {
            continue;
        }
        let font_id = font_dict.get(&names[f]).and_then(Object::as_reference).map_err(|_| bad("font reference"))?;
        mapped.set(FONT_NAMES[f], Object::Reference(font_id));
        let max = used[f].keys().next_back().copied().unwrap_or(0) as usize;
        let mut map = vec![0u8; 2 * (max + 1)];
        for (&gid, &sub) in &remap[f] {
            map[2 * gid as usize..2 * gid as usize + 2].copy_from_slice(&sub.to_be_bytes());
        }
        let map_id = lo.add_object(Object::Stream(lopdf::Stream::new(Dictionary::new(), map)));
        let face = fonts.get(Family::ALL[f]);
        let mut widths = Vec::new();
        let mut run: Option<(u16, Vec<Object>)> = None;
        for (&gid, &c) in &used[f] {
            let w = Object::Real(((face.advance(c).unwrap_or(1.0) * 1000.0) * 1000.0).round() / 1000.0);
            match &mut run {
                Some((start, ws)) if *start as usize + ws.len() == gid as usize => ws.push(w),
                _ => {
                    if let Some((start, ws)) = run.take() {
                        widths.push(Object::Integer(start.into()));
                        widths.push(Object::Array(ws));
                    }
                    run = Some((gid, vec![w]));
                }
            }
        }
        if let Some((start, ws)) = run {
            widths.push(Object::Integer(start.into()));
            widths.push(Object::Array(ws));
        }
        let to_unicode = lo.add_object(Object::Stream(lopdf::Stream::new(Dictionary::new(), to_unicode(&used[f]))));
        let font = lo.get_object_mut(font_id).and_then(Object::as_dict_mut).map_err(|_| bad("font"))?;
        font.set("ToUnicode", Object::Reference(to_unicode));
        let descendant = match font.get_mut(b"DescendantFonts") {
            Ok(Object::Array(a)) => a.first_mut(),
            _ => None,
        };
        let Some(Object::Dictionary(cid_font)) = descendant else { return Err(bad("descendant font")) };
        cid_font.set("CIDToGIDMap", Object::Reference(map_id));
        cid_font.set("W", Object::Array(widths));
    }
    // The old ToUnicode maps (by subset id) are no longer referenced.
    lo.prune_objects();
    *lo.get_object_mut(font_dict_id).map_err(|_| bad("font dictionary"))? = Object::Dictionary(mapped);
    Ok(())
}

/// A `/ToUnicode` CMap from original glyph ids (two-byte codes) to text.
fn to_unicode(glyphs: &BTreeMap<u16, char>) -> Vec<u8> {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let all: Vec<(&u16, &char)> = glyphs.iter().collect();
    for chunk in all.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (gid, c) in chunk {
            let mut buf = [0u16; 2];
            let units: String = c.encode_utf16(&mut buf).iter().map(|u| format!("{u:04X}")).collect();
            out.push_str(&format!("<{gid:04X}> <{units}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out.into_bytes()
}

/// The resource name of each family's font on the font page, and for each
/// family the subset's glyph id of every original glyph id, read back from
/// the page's content stream (which shows the used glyphs in order).
#[allow(clippy::type_complexity)]
fn font_page_glyphs(
    lo: &lopdf::Document,
    page: ObjectId,
    ids: &[Option<FontId>; 2],
    used: &[BTreeMap<u16, char>; 2],
) -> Result<([Vec<u8>; 2], [HashMap<u16, u16>; 2]), Error> {
    let bad = |what: &str| Error::internal(format!("printpdf の出力を読めません（{what}）"));
    let content = lo.get_page_content(page);
    let ops = lopdf::content::Content::decode(&content).map_err(|_| bad("content"))?.operations;
    let mut names: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let mut shown: [Vec<u16>; 2] = [Vec::new(), Vec::new()];
    let mut current: Option<usize> = None;
    for op in &ops {
        match op.operator.as_str() {
            "Tf" => {
                let name = op.operands.first().and_then(|o| o.as_name().ok()).ok_or_else(|| bad("Tf"))?;
                // printpdf names each font resource by the id it was given.
                let f = ids
                    .iter()
                    .position(|id| id.as_ref().is_some_and(|id| id.0.as_bytes() == name))
                    .ok_or_else(|| bad("font resource name"))?;
                names[f] = name.to_vec();
                current = Some(f);
            }
            "Tj" | "TJ" => {
                let f = current.ok_or_else(|| bad("text before Tf"))?;
                let mut strings = Vec::new();
                for o in &op.operands {
                    match o {
                        Object::String(b, _) => strings.push(b.clone()),
                        Object::Array(a) => {
                            strings.extend(a.iter().filter_map(|x| x.as_str().ok().map(<[u8]>::to_vec)))
                        }
                        _ => {}
                    }
                }
                for b in strings {
                    shown[f].extend(b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])));
                }
            }
            _ => {}
        }
    }
    let mut remap: [HashMap<u16, u16>; 2] = [HashMap::new(), HashMap::new()];
    for f in 0..2 {
        if used[f].is_empty() {
            continue;
        }
        if names[f].is_empty() || shown[f].len() != used[f].len() {
            return Err(bad("subset glyph ids"));
        }
        remap[f] = used[f].keys().copied().zip(shown[f].iter().copied()).collect();
    }
    Ok((names, remap))
}

/// A number for a content stream: at most three decimals, no trailing zeros
/// (written from integer thousandths: float formatting was a tenth of the
/// time of a large report).
fn num(out: &mut Vec<u8>, v: f32) {
    let t = (f64::from(v) * 1000.0).round() as i64;
    if t < 0 {
        out.push(b'-');
    }
    let t = t.unsigned_abs();
    let (int, mut frac) = (t / 1000, t % 1000);
    push_u64(out, int);
    if frac != 0 {
        out.push(b'.');
        let mut digits = 3;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        // `frac` has at most `digits` digits; pad with leading zeros.
        let width = if frac >= 100 {
            3
        } else if frac >= 10 {
            2
        } else {
            1
        };
        out.extend(std::iter::repeat_n(b'0', digits - width));
        push_u64(out, frac);
    }
}

/// Appends the decimal digits of `n`.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// One page's content stream: shading, then cell borders, then text on top.
/// A fill colour is set only when it changes, and the borders of one width
/// are one path of rectangles stroked once (tables were half of the bytes).
/// The stream saves and restores the graphics state (`q` … `Q`): a page's
/// streams are read as one, and the running footer drawn over a part's
/// page must not inherit its character spacing or bold.
fn page_content(page: &Page, ph: f32, fonts: &FontSet, used: &mut Used) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(page.items.len() * 40);
    out.extend_from_slice(b"q\n");
    let sp = |out: &mut Vec<u8>| out.push(b' ');
    let rect = |out: &mut Vec<u8>, x: f32, y: f32, w: f32, h: f32| {
        for v in [x, ph - y - h, w, h] {
            num(out, v);
            out.push(b' ');
        }
        out.extend_from_slice(b"re");
    };
    let mut color = None;
    for item in &page.items {
        if let Item::Fill { x, y, w, h, color: c } = item {
            if color != Some(*c) {
                for v in [c.0, c.1, c.2] {
                    num(&mut out, v);
                    sp(&mut out);
                }
                out.extend_from_slice(b"rg\n");
                color = Some(*c);
            }
            rect(&mut out, *x, *y, *w, *h);
            out.extend_from_slice(b" f\n");
        }
    }
    let mut stroke_width = None;
    for item in &page.items {
        if let Item::Frame { x, y, w, h, width } = item {
            if stroke_width != Some(*width) {
                if stroke_width.is_some() {
                    out.extend_from_slice(b"S\n");
                }
                num(&mut out, *width);
                out.extend_from_slice(b" w\n");
                stroke_width = Some(*width);
            }
            rect(&mut out, *x, *y, *w, *h);
            out.push(b'\n');
        }
    }
    if stroke_width.is_some() {
        out.extend_from_slice(b"S\n");
    }
    out.extend_from_slice(b"0 0 0 rg 0 0 0 RG\nBT\n");
    let mut font_state: Option<(Family, f32)> = None;
    let mut cs_state = 0.0f32;
    let mut bold_state = false;
    for item in &page.items {
        let Item::Text { x, y, run } = item else { continue };
        if run.text.is_empty() {
            continue;
        }
        let f = run.family as usize;
        if font_state != Some((run.family, run.size)) {
            out.push(b'/');
            out.extend_from_slice(FONT_NAMES[f]);
            sp(&mut out);
            num(&mut out, run.size);
            out.extend_from_slice(b" Tf\n");
            font_state = Some((run.family, run.size));
        }
        if run.char_spacing != cs_state {
            num(&mut out, run.char_spacing);
            out.extend_from_slice(b" Tc\n");
            cs_state = run.char_spacing;
        }
        if run.bold != bold_state {
            if run.bold {
                num(&mut out, run.size * 0.035);
                out.extend_from_slice(b" w 2 Tr\n");
            } else {
                out.extend_from_slice(b"0 Tr\n");
            }
            bold_state = run.bold;
        }
        out.extend_from_slice(b"1 0 0 1 ");
        num(&mut out, *x);
        sp(&mut out);
        num(&mut out, ph - y);
        // The glyph ids as a literal string of two-byte codes (half the
        // bytes of hex, so less to compress), escaped as literal strings
        // must be: a bare CR would be read as LF.
        out.extend_from_slice(b" Tm (");
        let face = fonts.get(run.family);
        for c in run.text.chars() {
            // Last guard before writing: every character has a glyph.
            let gid = face.glyph(c).ok_or_else(|| {
                Error::internal(format!(
                    "「{c}」(U+{:04X}) を{}体で描こうとしましたが、フォントに字形がありません。",
                    c as u32,
                    run.family.label()
                ))
            })?;
            used.insert(f, gid, c);
            for b in gid.to_be_bytes() {
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        out.extend_from_slice(b") Tj\n");
    }
    out.extend_from_slice(b"ET\nQ\n");
    Ok(out)
}

/// zlib at the default level.
fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::new(4));
    encoder
        .write_all(data)
        .and_then(|_| encoder.finish())
        .map_err(|e| Error::internal(format!("PDF のストリームを圧縮できません: {e}")))
}

fn text_string(s: &str) -> Object {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// Dates (only from `SOURCE_DATE_EPOCH`) and the document's language.
fn info_and_lang(lo: &mut lopdf::Document, laid: &Laid, opts: &PdfOptions) -> Result<(), Error> {
    if opts.date.is_none() {
        if let Ok(Object::Reference(info_id)) = lo.trailer.get(b"Info").cloned() {
            if let Ok(Object::Dictionary(d)) = lo.get_object_mut(info_id) {
                d.remove(b"CreationDate");
                d.remove(b"ModDate");
            }
        }
    }
    if !laid.meta.lang.is_empty() {
        let catalog = lo.catalog_mut().map_err(|e| Error::internal(format!("PDF catalog: {e}")))?;
        catalog.set("Lang", Object::String(laid.meta.lang.as_bytes().to_vec(), StringFormat::Literal));
    }
    Ok(())
}

/// The outline (bookmarks), nested by heading level in document order:
/// the root is `ids[0]`, entry `i` is `ids[i + 1]`.
fn write_outline<W: std::io::Write>(
    w: &mut file::FileWriter<W>,
    laid: &Laid,
    ids: &[u32],
    page_ids: &[u32],
) -> std::io::Result<()> {
    let Some((&root_id, ids)) = ids.split_first() else { return Ok(()) };
    let r = |id: u32| Object::Reference((id, 0));
    // Parent of each entry: the nearest earlier entry with a lower level.
    let n = laid.outline.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in laid.outline.iter().enumerate() {
        while stack.last().is_some_and(|&j| laid.outline[j].level >= e.level) {
            stack.pop();
        }
        parent[i] = stack.last().copied();
        stack.push(i);
    }
    // Each entry's children and the top level, in document order.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut top = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => top.push(i),
        }
    }
    let mut descendants = vec![0i64; n];
    for i in (0..n).rev() {
        if let Some(p) = parent[i] {
            descendants[p] += 1 + descendants[i];
        }
    }
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"Outlines".to_vec()));
    root.set("First", r(ids[top[0]]));
    root.set("Last", r(ids[*top.last().unwrap_or(&top[0])]));
    root.set("Count", Object::Integer(n as i64));
    w.object(root_id, &Object::Dictionary(root))?;
    for (i, e) in laid.outline.iter().enumerate() {
        let siblings = parent[i].map_or(&top, |p| &children[p]);
        let pos = siblings.binary_search(&i).unwrap_or(0);
        let mut d = Dictionary::new();
        d.set("Title", text_string(&e.title));
        d.set("Parent", r(parent[i].map(|p| ids[p]).unwrap_or(root_id)));
        if pos > 0 {
            d.set("Prev", r(ids[siblings[pos - 1]]));
        }
        if pos + 1 < siblings.len() {
            d.set("Next", r(ids[siblings[pos + 1]]));
        }
        let kids = &children[i];
        if let (Some(f), Some(l)) = (kids.first(), kids.last()) {
            d.set("First", r(ids[*f]));
            d.set("Last", r(ids[*l]));
            d.set("Count", Object::Integer(descendants[i]));
        }
        let page = page_ids.get(e.page).copied().ok_or_else(|| std::io::Error::other("outline page out of range"))?;
        d.set(
            "Dest",
            Object::Array(vec![
                r(page),
                Object::Name(b"XYZ".to_vec()),
                Object::Null,
                Object::Real(laid.page.height - e.y + 2.0),
                Object::Null,
            ]),
        );
        w.object(ids[i], &Object::Dictionary(d))?;
    }
    Ok(())
}

/// Compresses every stream that may be compressed and is not yet, as
/// lopdf's `Document::compress` does, but at zlib's default level (lopdf
/// uses level 9, which took a third of the time of a large report for
/// about 1 % smaller streams) and on all cores. The bytes do not depend on
/// the number of threads.
fn compress_streams(lo: &mut lopdf::Document) -> Result<(), Error> {
    use rayon::prelude::*;
    let mut streams: Vec<&mut lopdf::Stream> = lo
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    streams.par_iter_mut().try_for_each(|s| {
        let compressed = deflate(&s.content)?;
        // As lopdf: only when it saves more than the filter entry costs.
        if compressed.len() + 19 < s.content.len() {
            s.dict.set("Filter", "FlateDecode");
            s.set_content(compressed);
        }
        Ok(())
    })
}

/// Removes the TrueType hinting instructions from every simple glyph of a
/// font program. In IPAex they are about 40 % of the outline data, and
/// viewers and printers rasterise embedded CJK text well without them
/// (poppler, pdf.js and most RIPs ignore or auto-hint). Composite glyphs are
/// kept as they are, and so are `fpgm`/`prep`/`cvt`, so nothing a remaining
/// instruction could refer to disappears. Returns `None` for anything that
/// is not a well-formed TrueType font; the caller then keeps the original.
fn strip_hints(font: &[u8]) -> Option<Vec<u8>> {
    let u16_at = |d: &[u8], o: usize| -> Option<u16> { Some(u16::from_be_bytes(d.get(o..o + 2)?.try_into().ok()?)) };
    let u32_at = |d: &[u8], o: usize| -> Option<u32> { Some(u32::from_be_bytes(d.get(o..o + 4)?.try_into().ok()?)) };
    if u32_at(font, 0)? != 0x0001_0000 {
        return None;
    }
    let n = u16_at(font, 4)? as usize;
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::with_capacity(n);
    for i in 0..n {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let off = u32_at(font, rec + 8)? as usize;
        let len = u32_at(font, rec + 12)? as usize;
        tables.push((tag, font.get(off..off.checked_add(len)?)?.to_vec()));
    }
    let find = |tag: &[u8; 4]| tables.iter().position(|(t, _)| t == tag);
    let (head, loca, glyf) = (find(b"head")?, find(b"loca")?, find(b"glyf")?);
    let long = u16_at(&tables[head].1, 50)? == 1;
    let loca_data = &tables[loca].1;
    let count = loca_data.len() / if long { 4 } else { 2 };
    let offset = |i: usize| -> Option<usize> {
        Some(if long { u32_at(loca_data, 4 * i)? as usize } else { 2 * u16_at(loca_data, 2 * i)? as usize })
    };
    let glyf_data = &tables[glyf].1;
    let mut new_glyf = Vec::with_capacity(glyf_data.len());
    let mut new_loca = Vec::with_capacity(loca_data.len());
    let push_offset = |loca: &mut Vec<u8>, o: usize| {
        if long {
            loca.extend_from_slice(&(o as u32).to_be_bytes());
        } else {
            loca.extend_from_slice(&((o / 2) as u16).to_be_bytes());
        }
    };
    for i in 0..count.saturating_sub(1) {
        push_offset(&mut new_loca, new_glyf.len());
        let g = glyf_data.get(offset(i)?..offset(i + 1)?)?;
        let contours = if g.len() >= 10 { i16::from_be_bytes([g[0], g[1]]) } else { -1 };
        if contours >= 0 {
            let at = 10 + 2 * contours as usize;
            let ilen = u16_at(g, at)? as usize;
            let rest = g.get(at + 2 + ilen..)?;
            new_glyf.extend_from_slice(&g[..at]);
            new_glyf.extend_from_slice(&[0, 0]);
            new_glyf.extend_from_slice(rest);
        } else {
            new_glyf.extend_from_slice(g);
        }
        while new_glyf.len() % 4 != 0 {
            new_glyf.push(0);
        }
    }
    push_offset(&mut new_loca, new_glyf.len());
    if !long && new_glyf.len() / 2 > u16::MAX as usize {
        return None;
    }
    tables[glyf].1 = new_glyf;
    tables[loca].1 = new_loca;
    // Reassemble with fresh offsets and checksums.
    let checksum = |d: &[u8]| -> u32 {
        d.chunks(4).fold(0u32, |s, c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            s.wrapping_add(u32::from_be_bytes(w))
        })
    };
    tables[head].1.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    let mut out = font[..12].to_vec();
    let mut body = Vec::new();
    let data_start = 12 + 16 * n;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&((data_start + body.len()) as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    out.extend_from_slice(&body);
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let head_off = u32_at(&out, 12 + 16 * head + 8)? as usize;
    out.get_mut(head_off + 8..head_off + 12)?.copy_from_slice(&adjust.to_be_bytes());
    Some(out)
}

/// Applies [`strip_hints`] to every embedded TrueType program (`/FontFile2`).
fn strip_embedded_hints(lo: &mut lopdf::Document) {
    for obj in lo.objects.values_mut() {
        let Object::Stream(stream) = obj else { continue };
        if stream.dict.get(b"Length1").is_err() {
            continue;
        }
        let program = if stream.dict.get(b"Filter").is_ok() {
            match stream.decompressed_content() {
                Ok(c) => c,
                Err(_) => continue,
            }
        } else {
            stream.content.clone()
        };
        if let Some(stripped) = strip_hints(&program) {
            stream.dict.remove(b"Filter");
            stream.dict.set("Length1", Object::Integer(stripped.len() as i64));
            stream.set_content(stripped);
        }
    }
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
        let opts = PdfOptions { date: Some(1_600_000_000) };
        let bytes = write(&laid, &fonts, &opts).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_file_with(&laid, Streams::default(), &fonts, &opts, &path).unwrap();
        assert!(std::fs::read(&path).unwrap() == bytes);
        // The /ID is the file's hash, not the placeholder.
        let tail = String::from_utf8_lossy(&bytes[bytes.len() - 300..]).into_owned();
        assert!(!tail.contains("4B45494B414B55") && tail.contains("/ID"), "{tail}");
    }

    #[test]
    fn glyph_strings_escape_delimiters_and_carriage_returns() {
        let fonts = FontSet::embedded();
        let pick = |byte: u8| {
            ('\u{4E00}'..='\u{9FFF}')
                .find(|&c| fonts.mincho.glyph(c).is_some_and(|g| g.to_be_bytes()[1] == byte))
                .unwrap()
        };
        let text: String = [b'\r', b'(', b')', b'\\', b'A'].into_iter().map(pick).collect();
        let run = crate::typeset::Run {
            x: 0.0,
            text: text.clone(),
            family: Family::Mincho,
            size: 10.0,
            bold: false,
            char_spacing: 0.0,
            width: 0.0,
        };
        let page = Page { items: vec![Item::Text { x: 0.0, y: 0.0, run }] };
        let out = page_content(&page, 800.0, &fonts, &mut Used::default()).unwrap();
        // A bare CR in a literal string would be read as LF.
        assert!(!out.contains(&b'\r'));
        let ops = lopdf::content::Content::decode(&out).unwrap().operations;
        let tj = ops.iter().find(|o| o.operator == "Tj").unwrap();
        let bytes = tj.operands[0].as_str().unwrap();
        let gids: Vec<u16> = bytes.chunks(2).map(|b| u16::from_be_bytes([b[0], b[1]])).collect();
        let want: Vec<u16> = text.chars().map(|c| fonts.mincho.glyph(c).unwrap()).collect();
        assert_eq!(gids, want);
    }

    #[test]
    fn borders_of_one_width_are_one_path_and_fill_colours_are_set_once() {
        let fonts = FontSet::embedded();
        let grey = crate::markup::Rgb(0.9, 0.9, 0.9);
        let mut items = vec![];
        for k in 0..3 {
            let x = 10.0 * k as f32;
            items.push(Item::Fill { x, y: 0.0, w: 10.0, h: 5.0, color: grey });
            items.push(Item::Frame { x, y: 0.0, w: 10.0, h: 5.0, width: 0.5 });
        }
        items.push(Item::Frame { x: 0.0, y: 20.0, w: 30.0, h: 5.0, width: 1.0 });
        let out = page_content(&Page { items }, 100.0, &fonts, &mut Used::default()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches(" rg\n").count(), 1, "{out}");
        assert_eq!(out.matches("re f\n").count(), 3, "{out}");
        // Two widths: two strokes, each after its rectangles.
        let strokes = out.split("BT").next().unwrap();
        assert!(
            strokes.ends_with(
                "0.5 w\n0 95 10 5 re\n10 95 10 5 re\n20 95 10 5 re\nS\n1 w\n0 75 30 5 re\nS\n0 0 0 rg 0 0 0 RG\n"
            ),
            "{out}"
        );
        // The stream leaves the graphics state as it found it: a footer drawn
        // over the page starts from the defaults.
        assert!(out.starts_with("q\n") && out.ends_with("ET\nQ\n"), "{out}");
    }

    #[test]
    fn content_numbers_have_at_most_three_decimals() {
        let f = |v: f32| {
            let mut out = Vec::new();
            num(&mut out, v);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(f(0.0), "0");
        assert_eq!(f(-0.0001), "0");
        assert_eq!(f(12.5), "12.5");
        assert_eq!(f(595.2757), "595.276");
        assert_eq!(f(0.05), "0.05");
        assert_eq!(f(-3.007), "-3.007");
        assert_eq!(f(100.0), "100");
        assert_eq!(f(0.1), "0.1");
    }

    #[test]
    fn hint_stripping_keeps_every_glyph_and_shrinks_the_font() {
        let font = crate::fonts::IPAEX_GOTHIC;
        let stripped = strip_hints(font).expect("IPAex is plain TrueType");
        assert!(stripped.len() < font.len() * 9 / 10, "{} -> {}", font.len(), stripped.len());
        let a = ttf_parser::Face::parse(font, 0).unwrap();
        let b = ttf_parser::Face::parse(&stripped, 0).unwrap();
        assert_eq!(a.number_of_glyphs(), b.number_of_glyphs());
        for ch in "議案令和ABC、。".chars() {
            let (ga, gb) = (a.glyph_index(ch).unwrap(), b.glyph_index(ch).unwrap());
            assert_eq!(ga, gb);
            assert_eq!(a.glyph_bounding_box(ga), b.glyph_bounding_box(gb), "{ch}");
            struct Count(usize);
            impl ttf_parser::OutlineBuilder for Count {
                fn move_to(&mut self, _: f32, _: f32) {
                    self.0 += 1
                }
                fn line_to(&mut self, _: f32, _: f32) {
                    self.0 += 1
                }
                fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {
                    self.0 += 1
                }
                fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
                    self.0 += 1
                }
                fn close(&mut self) {
                    self.0 += 1
                }
            }
            let (mut ca, mut cb) = (Count(0), Count(0));
            a.outline_glyph(ga, &mut ca);
            b.outline_glyph(gb, &mut cb);
            assert_eq!(ca.0, cb.0, "outline of {ch} unchanged");
        }
        assert_eq!(strip_hints(b"not a font"), None);
    }
}
