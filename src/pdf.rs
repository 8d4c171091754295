//! PDF export: positioned pages ([`Laid`]) → PDF bytes through printpdf.
//!
//! printpdf writes the page content and the subset fonts (with ToUnicode
//! maps); this module then finishes the document through lopdf so that the
//! output is byte-identical for identical input:
//! - font resource ids are derived from the text, not printpdf's counter;
//! - the outline (bookmarks) is built here, nested by heading level and in
//!   document order;
//! - dates come only from `SOURCE_DATE_EPOCH` (no date otherwise);
//! - the trailer `/ID` is a SHA-256 of the finished file.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Color, FontId, Line as PLine, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix, TextRenderingMode,
};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::fonts::{Family, Font, FontSet};
use crate::layout::{Item, Laid};

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
/// Placeholder for the trailer /ID, replaced by the file's hash.
const ID_PLACEHOLDER: [u8; 16] = *b"KEIKAKU-ID-XXXXX";

fn pt_to_mm(v: f32) -> Mm {
    Mm(v * 25.4 / 72.0)
}

/// Parsing a large CJK font takes tens of milliseconds; parse each face once
/// per process.
fn parsed(font: &Font) -> Result<ParsedFont, Error> {
    type Key = (usize, usize, u32);
    static CACHE: OnceLock<Mutex<Vec<(Key, Arc<ParsedFont>)>>> = OnceLock::new();
    let key = (font.bytes.as_ptr() as usize, font.bytes.len(), font.index);
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    if let Some((_, p)) = cache.lock().map_err(|_| Error::internal("font cache poisoned"))?.iter().find(|(k, _)| *k == key) {
        return Ok((**p).clone());
    }
    let mut warnings = Vec::new();
    let p = ParsedFont::from_bytes(&font.bytes, font.index as usize, &mut warnings).ok_or_else(|| {
        Error::input(format!("フォント「{}」を PDF に埋め込めません（printpdf が読めない形式です）。", font.name))
    })?;
    let mut c = cache.lock().map_err(|_| Error::internal("font cache poisoned"))?;
    c.push((key, Arc::new(p.clone())));
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

/// Writes the laid-out document as PDF bytes.
pub fn write(laid: &Laid, fonts: &FontSet, opts: &PdfOptions) -> Result<Vec<u8>, Error> {
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
        info.creation_date = d.clone();
        info.modification_date = d.clone();
        info.metadata_date = d;
    }

    // Register only the faces that are used, under text-derived ids.
    let mut used: [BTreeSet<char>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for page in &laid.pages {
        for item in &page.items {
            if let Item::Text { run, .. } = item {
                used[run.family as usize].extend(run.text.chars());
            }
        }
    }
    let mut ids: [Option<FontId>; 2] = [None, None];
    for family in Family::ALL {
        let chars = &used[family as usize];
        if chars.is_empty() {
            continue;
        }
        // Last guard before writing: every character has a glyph.
        let face = fonts.get(family);
        if let Some(c) = chars.iter().find(|c| !face.has(**c)) {
            return Err(Error::internal(format!(
                "「{c}」(U+{:04X}) を{}体で描こうとしましたが、フォントに字形がありません。",
                *c as u32,
                family.label()
            )));
        }
        let mut tag = font_tag(family, chars);
        if ids.iter().flatten().any(|id| id.0 == tag) {
            tag.replace_range(0..1, "Z");
        }
        let id = FontId(tag);
        doc.resources.fonts.map.insert(id.clone(), printpdf::PdfFont::new(parsed(face)?));
        ids[family as usize] = Some(id);
    }

    let (pw, ph) = (laid.page.width, laid.page.height);
    let black = Color::Rgb(printpdf::Rgb::new(0.0, 0.0, 0.0, None));
    let mut pages = Vec::with_capacity(laid.pages.len());
    for page in &laid.pages {
        let mut ops = Vec::new();
        // Shading first, then rules, then text on top.
        for item in &page.items {
            if let Item::Fill { x, y, w, h, color } = item {
                ops.push(Op::SetFillColor { col: Color::Rgb(printpdf::Rgb::new(color.0, color.1, color.2, None)) });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(ph - y - h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
        }
        let mut stroke_width = None;
        for item in &page.items {
            if let Item::Rule { x1, y1, x2, y2, width } = item {
                if stroke_width != Some(*width) {
                    ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                    stroke_width = Some(*width);
                }
                ops.push(Op::DrawLine {
                    line: PLine {
                        points: vec![
                            LinePoint { p: Point { x: Pt(*x1), y: Pt(ph - y1) }, bezier: false },
                            LinePoint { p: Point { x: Pt(*x2), y: Pt(ph - y2) }, bezier: false },
                        ],
                        is_closed: false,
                    },
                });
            }
        }
        ops.push(Op::SetFillColor { col: black.clone() });
        ops.push(Op::SetOutlineColor { col: black.clone() });
        ops.push(Op::StartTextSection);
        let mut font_state: Option<(Family, f32)> = None;
        let mut cs_state = 0.0f32;
        let mut bold_state = false;
        for item in &page.items {
            let Item::Text { x, y, run } = item else { continue };
            if run.text.is_empty() {
                continue;
            }
            if font_state != Some((run.family, run.size)) {
                let id = ids[run.family as usize].clone().ok_or_else(|| Error::internal("font not registered"))?;
                ops.push(Op::SetFont { font: PdfFontHandle::External(id), size: Pt(run.size) });
                font_state = Some((run.family, run.size));
            }
            if run.char_spacing != cs_state {
                ops.push(Op::SetCharacterSpacing { multiplier: run.char_spacing });
                cs_state = run.char_spacing;
            }
            if run.bold != bold_state {
                if run.bold {
                    ops.push(Op::SetOutlineThickness { pt: Pt(run.size * 0.035) });
                    ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
                } else {
                    ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
                }
                bold_state = run.bold;
            }
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(*x), Pt(ph - y)) });
            ops.push(Op::ShowText { items: vec![TextItem::Text(run.text.clone())] });
        }
        ops.push(Op::EndTextSection);
        pages.push(PdfPage::new(pt_to_mm(pw), pt_to_mm(ph), ops));
    }
    doc.with_pages(pages);

    let save = PdfSaveOptions { subset_fonts: true, ..Default::default() };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);
    finish(&mut lo, laid, opts)?;
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| Error::internal(format!("PDF の書き出しに失敗しました: {e}")))?;
    stamp_id(&mut bytes)?;
    Ok(bytes)
}

fn text_string(s: &str) -> Object {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// Dates, outline and a placeholder /ID.
fn finish(lo: &mut lopdf::Document, laid: &Laid, opts: &PdfOptions) -> Result<(), Error> {
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
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    if !laid.outline.is_empty() {
        let root_id = lo.new_object_id();
        let ids: Vec<ObjectId> = laid.outline.iter().map(|_| lo.new_object_id()).collect();
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
        let children = |p: Option<usize>| -> Vec<usize> { (0..n).filter(|&i| parent[i] == p).collect() };
        let mut descendants = vec![0i64; n];
        for i in (0..n).rev() {
            if let Some(p) = parent[i] {
                descendants[p] += 1 + descendants[i];
            }
        }
        for (i, e) in laid.outline.iter().enumerate() {
            let siblings = children(parent[i]);
            let pos = siblings.iter().position(|&s| s == i).unwrap_or(0);
            let mut d = Dictionary::new();
            d.set("Title", text_string(&e.title));
            d.set("Parent", Object::Reference(parent[i].map(|p| ids[p]).unwrap_or(root_id)));
            if pos > 0 {
                d.set("Prev", Object::Reference(ids[siblings[pos - 1]]));
            }
            if pos + 1 < siblings.len() {
                d.set("Next", Object::Reference(ids[siblings[pos + 1]]));
            }
            let kids = children(Some(i));
            if let (Some(f), Some(l)) = (kids.first(), kids.last()) {
                d.set("First", Object::Reference(ids[*f]));
                d.set("Last", Object::Reference(ids[*l]));
                d.set("Count", Object::Integer(descendants[i]));
            }
            let page = page_ids.get(e.page).copied().ok_or_else(|| Error::internal("outline page out of range"))?;
            d.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Real(laid.page.height - e.y + 2.0),
                    Object::Null,
                ]),
            );
            lo.objects.insert(ids[i], Object::Dictionary(d));
        }
        let top = children(None);
        let mut root = Dictionary::new();
        root.set("Type", Object::Name(b"Outlines".to_vec()));
        root.set("First", Object::Reference(ids[top[0]]));
        root.set("Last", Object::Reference(ids[*top.last().unwrap()]));
        root.set("Count", Object::Integer(n as i64));
        lo.objects.insert(root_id, Object::Dictionary(root));
        let catalog = lo.catalog_mut().map_err(|e| Error::internal(format!("PDF catalog: {e}")))?;
        catalog.set("Outlines", Object::Reference(root_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    let id = Object::String(ID_PLACEHOLDER.to_vec(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

/// Replaces the placeholder /ID with the first 16 bytes of the file's SHA-256.
fn stamp_id(bytes: &mut [u8]) -> Result<(), Error> {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let placeholder = hex(&ID_PLACEHOLDER);
    let lower = placeholder.to_lowercase();
    let digest = Sha256::digest(&*bytes);
    let id = hex(&digest[..16]);
    let tail_start = bytes.len().saturating_sub(4096);
    let mut replaced = 0;
    let mut i = tail_start;
    while i + placeholder.len() <= bytes.len() {
        let w = &bytes[i..i + placeholder.len()];
        if w == placeholder.as_bytes() || w == lower.as_bytes() {
            bytes[i..i + placeholder.len()].copy_from_slice(id.as_bytes());
            replaced += 1;
            i += placeholder.len();
        } else {
            i += 1;
        }
    }
    if replaced != 2 {
        return Err(Error::internal(format!("PDF の /ID を埋められませんでした（{replaced} 箇所）")));
    }
    Ok(())
}
