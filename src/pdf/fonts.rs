//! The used faces embedded through printpdf: each as a subset with its
//! widths, made from a one-page document that shows every used glyph once,
//! and mapped to the content's glyph ids (`/CIDToGIDMap`, `/W` and
//! `/ToUnicode` by original id).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use lopdf::{Dictionary, Object, ObjectId};
use printpdf::{
    Codepoint, FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem,
    TextMatrix,
};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::fonts::{Family, Font, FontSet};
use crate::layout::Laid;

/// Points to millimetres, printpdf's page unit.
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
pub(super) const FONT_NAMES: [&[u8]; 2] = [b"F1", b"F2"];

/// printpdf's objects for `doc` with the faces `used` draws (glyph id →
/// character, per family) embedded as subsets and mapped to the original
/// glyph ids ([`map_fonts`]); the font page itself and its content are
/// removed.
pub(super) fn embed(
    mut doc: PdfDocument,
    laid: &Laid,
    used: &[BTreeMap<u16, char>; 2],
    fonts: &FontSet,
) -> Result<Embedded, Error> {
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
    let (names, remap) = font_page_glyphs(&lo, font_page, &ids, used)?;
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
    map_fonts(&mut lo, &page_dict, &names, &remap, used, fonts)?;
    lo.objects.remove(&font_page);
    Ok(Embedded { objects: lo, pages_id, page_dict })
}

/// printpdf's objects with the fonts embedded ([`embed`]).
pub(super) struct Embedded {
    /// Every object but the font page and its content.
    pub(super) objects: lopdf::Document,
    /// The page tree.
    pub(super) pages_id: ObjectId,
    /// The font page's dictionary, whose media box and resources become the
    /// page tree's.
    pub(super) page_dict: Dictionary,
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
