//! The used faces embedded as subsets: each face's used glyphs are cut out
//! of the font with `subsetter` (typst's subsetter, which copies the used
//! glyphs' outlines and the tables a PDF needs, where printpdf's allsorts
//! path parsed every glyph of a 6–8 MB face and decoded them again for the
//! widths: a third of the time of a PDF of 6 pages), and written as a
//! Type0 / CIDFontType2 font whose CIDs are the original glyph ids
//! (`/CIDToGIDMap` to the subset's, `/W` and `/ToUnicode` by original id).
//! printpdf still makes the catalog, the page tree and the document
//! information, from a document with one empty page.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Object, ObjectId, Stream};
use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::fonts::{Family, Font, FontSet};
use crate::layout::Laid;

/// Points to millimetres, printpdf's page unit.
fn pt_to_mm(v: f32) -> Mm {
    Mm(v * 25.4 / 72.0)
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

/// printpdf's catalog, page tree and information for `doc`, with the faces
/// `used` draws (glyph id → character, per family) embedded as subsets
/// under [`FONT_NAMES`] in the page tree's resources; printpdf's page
/// itself is removed (the caller writes the pages).
pub(super) fn embed(
    mut doc: PdfDocument,
    laid: &Laid,
    used: &[BTreeMap<u16, char>; 2],
    fonts: &FontSet,
) -> Result<Embedded, Error> {
    let bad = |what: &str| Error::internal(format!("printpdf の出力を読めません（{what}）"));
    let (pw, ph) = (laid.page.width, laid.page.height);
    doc.with_pages(vec![PdfPage::new(pt_to_mm(pw), pt_to_mm(ph), Vec::new())]);
    let save = PdfSaveOptions { subset_fonts: false, ..Default::default() };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);

    let page = *lo.get_pages().values().next().ok_or_else(|| bad("no page"))?;
    let mut page_dict = lo.get_object(page).and_then(Object::as_dict).map_err(|_| bad("page"))?.clone();
    let pages_id = page_dict.get(b"Parent").and_then(Object::as_reference).map_err(|_| bad("page parent"))?;
    let mut font_dict = Dictionary::new();
    let mut tags: Vec<String> = Vec::new();
    for family in Family::ALL {
        let glyphs = &used[family as usize];
        if glyphs.is_empty() {
            continue;
        }
        let chars: BTreeSet<char> = glyphs.values().copied().collect();
        let mut tag = font_tag(family, &chars);
        if tags.contains(&tag) {
            tag.replace_range(0..1, "Z");
        }
        let id = embed_face(&mut lo, fonts.get(family), glyphs, &tag)?;
        font_dict.set(FONT_NAMES[family as usize], Object::Reference(id));
        tags.push(tag);
    }
    // The fonts go into the page's resources (the page tree's, once the
    // caller has copied them), replacing printpdf's empty font dictionary.
    let font_dict_id = lo.add_object(Object::Dictionary(font_dict));
    match page_dict.get(b"Resources") {
        Ok(Object::Reference(r)) => {
            let r = *r;
            lo.get_object_mut(r).and_then(Object::as_dict_mut).map_err(|_| bad("page resources"))?.set("Font", Object::Reference(font_dict_id));
        }
        Ok(Object::Dictionary(_)) => {
            if let Ok(Object::Dictionary(d)) = page_dict.get_mut(b"Resources") {
                d.set("Font", Object::Reference(font_dict_id));
            }
        }
        _ => {
            let mut d = Dictionary::new();
            d.set("Font", Object::Reference(font_dict_id));
            page_dict.set("Resources", Object::Dictionary(d));
        }
    }
    if let Some(Object::Dictionary(d)) = lo.objects.get_mut(&page) {
        *d = page_dict.clone();
    }
    // Anything printpdf made that nothing reaches, before its page goes
    // (the page is what reaches the resources and so the fonts).
    lo.prune_objects();
    if let Ok(Object::Reference(c)) = page_dict.get(b"Contents") {
        lo.objects.remove(c);
    }
    lo.objects.remove(&page);
    Ok(Embedded { objects: lo, pages_id, page_dict })
}

/// printpdf's objects with the fonts embedded ([`embed`]).
pub(super) struct Embedded {
    /// Every object but printpdf's page and its content.
    pub(super) objects: lopdf::Document,
    /// The page tree.
    pub(super) pages_id: ObjectId,
    /// printpdf's page dictionary, whose media box and resources (with the
    /// fonts) become the page tree's.
    pub(super) page_dict: Dictionary,
}

/// The PostScript name of a face (name id 6), else its display name, as a
/// PDF name may hold it (printable ASCII without delimiters).
fn postscript_name(face: &ttf_parser::Face, font: &Font) -> String {
    let from_table = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string());
    let name = from_table.unwrap_or_else(|| font.name.clone());
    let clean: String =
        name.chars().filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c)).take(63).collect();
    if clean.is_empty() { "Font".to_string() } else { clean }
}

/// One face as a Type0 font: the subset of the glyphs `glyphs` uses (glyph
/// id → character), its descriptor, `/CIDToGIDMap`, `/W` and `/ToUnicode`.
/// Returns the Type0 font's object id.
fn embed_face(lo: &mut lopdf::Document, font: &Font, glyphs: &BTreeMap<u16, char>, tag: &str) -> Result<ObjectId, Error> {
    let cannot = |why: String| Error::input(format!("フォント「{}」を PDF に埋め込めません（{why}）。", font.name));
    let face = ttf_parser::Face::parse(&font.bytes, font.index).map_err(|e| cannot(e.to_string()))?;
    let mut remapper = subsetter::GlyphRemapper::new();
    for &gid in glyphs.keys() {
        remapper.remap(gid);
    }
    let program = subsetter::subset(&font.bytes, font.index, &remapper).map_err(|e| cannot(format!("{e:?}")))?;
    let base_font = format!("{tag}+{}", postscript_name(&face, font));

    // The subset's glyph of every original glyph id the content uses.
    let max = glyphs.keys().next_back().copied().unwrap_or(0) as usize;
    let mut map = vec![0u8; 2 * (max + 1)];
    for &gid in glyphs.keys() {
        let sub = remapper.get(gid).ok_or_else(|| Error::internal(format!("subset without glyph {gid}")))?;
        map[2 * gid as usize..2 * gid as usize + 2].copy_from_slice(&sub.to_be_bytes());
    }

    let mut file = Dictionary::new();
    file.set("Length1", Object::Integer(program.len() as i64));
    let file_id = lo.add_object(Object::Stream(Stream::new(file, program)));

    let scale = 1000.0 / face.units_per_em().max(1) as f32;
    let em = |v: f32| Object::Integer((v * scale).round() as i64);
    let bbox = face.global_bounding_box();
    let ascent = face.ascender() as f32;
    let weight = face.weight().to_number() as f32;
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    descriptor.set("FontName", Object::Name(base_font.clone().into_bytes()));
    descriptor.set("Ascent", em(ascent));
    descriptor.set("Descent", em(face.descender() as f32));
    descriptor.set("CapHeight", em(face.capital_height().map_or(ascent, f32::from)));
    descriptor.set("ItalicAngle", Object::Integer(face.italic_angle().round() as i64));
    // Nonsymbolic: the glyphs are Latin and Japanese text.
    descriptor.set("Flags", Object::Integer(32));
    // No stem width in TrueType; the usual estimate from the weight class.
    descriptor.set("StemV", Object::Integer((10.0 + 220.0 * (weight - 50.0) / 900.0).round().max(10.0) as i64));
    descriptor.set(
        "FontBBox",
        Object::Array(vec![em(bbox.x_min as f32), em(bbox.y_min as f32), em(bbox.x_max as f32), em(bbox.y_max as f32)]),
    );
    descriptor.set("FontFile2", Object::Reference(file_id));
    let descriptor_id = lo.add_object(Object::Dictionary(descriptor));

    let map_id = lo.add_object(Object::Stream(Stream::new(Dictionary::new(), map)));
    let to_unicode = lo.add_object(Object::Stream(Stream::new(Dictionary::new(), to_unicode(glyphs))));

    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Identity"));
    system.set("Supplement", Object::Integer(0));
    let mut cid_font = Dictionary::new();
    cid_font.set("Type", Object::Name(b"Font".to_vec()));
    cid_font.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
    cid_font.set("BaseFont", Object::Name(base_font.clone().into_bytes()));
    cid_font.set("CIDSystemInfo", Object::Dictionary(system));
    cid_font.set("FontDescriptor", Object::Reference(descriptor_id));
    cid_font.set("W", Object::Array(widths(font, glyphs)));
    cid_font.set("CIDToGIDMap", Object::Reference(map_id));

    let mut type0 = Dictionary::new();
    type0.set("Type", Object::Name(b"Font".to_vec()));
    type0.set("Subtype", Object::Name(b"Type0".to_vec()));
    type0.set("BaseFont", Object::Name(base_font.into_bytes()));
    type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    type0.set("DescendantFonts", Object::Array(vec![Object::Dictionary(cid_font)]));
    type0.set("ToUnicode", Object::Reference(to_unicode));
    Ok(lo.add_object(Object::Dictionary(type0)))
}

/// `/W`: the advance of every used glyph by original id, in runs of
/// consecutive ids, in thousandths of an em.
fn widths(font: &Font, glyphs: &BTreeMap<u16, char>) -> Vec<Object> {
    let mut widths = Vec::new();
    let mut run: Option<(u16, Vec<Object>)> = None;
    for (&gid, &c) in glyphs {
        let w = Object::Real(((font.advance(c).unwrap_or(1.0) * 1000.0) * 1000.0).round() / 1000.0);
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
    widths
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
