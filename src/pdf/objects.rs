//! printpdf's objects made ready for the file: their streams compressed,
//! numbered from 1 with the pages and the outline after them, and the page
//! tree and catalog pointed at those.

use std::collections::HashMap;

use lopdf::{Dictionary, Object, ObjectId};

use super::content::Streams;
use super::file::{deflate, deflate_at};
use crate::error::Error;
use crate::layout::Laid;

/// Compresses every stream that may be compressed and is not yet, as
/// lopdf's `Document::compress` does, but at zlib's default level (lopdf
/// uses level 9, which took a third of the time of a large report for
/// about 1 % smaller streams) and on all cores. The bytes do not depend on
/// the number of threads.
pub(super) fn compress_streams(lo: &mut lopdf::Document) -> Result<(), Error> {
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
        // Font programs (the bulk of a short document) at level 6: 2 % smaller
        // than the pages' level, for a few milliseconds.
        let compressed = if s.dict.get(b"Length1").is_ok() {
            deflate_at(&s.content, 6)?
        } else {
            deflate(&s.content)?
        };
        // As lopdf: only when it saves more than the filter entry costs.
        if compressed.len() + 19 < s.content.len() {
            s.dict.set("Filter", "FlateDecode");
            s.set_content(compressed);
        }
        Ok(())
    })
}

/// The object numbers of the file, after [`number`].
pub(super) struct Numbers {
    /// The page tree.
    pub(super) pages_id: u32,
    /// Each page's object; its streams are the numbers just before it.
    pub(super) page_ids: Vec<u32>,
    /// The outline's root, then its entries; empty without an outline.
    pub(super) outline_ids: Vec<u32>,
    /// The structure tree's objects.
    pub(super) structure: super::structure::StructIds,
    /// The PDF/A objects, when the file is PDF/A.
    pub(super) archive: Option<super::archive::ArchiveIds>,
    /// The first number no object has (for object streams).
    pub(super) free: u32,
}

/// Numbers printpdf's objects from 1, then the pages of `streams` (each
/// page's streams, then the page) and the outline of `laid` after them;
/// the page tree `pages_id` gets those pages as its kids and the font
/// page's media box and resources (`page_dict`), and the catalog the outline.
pub(super) fn number(
    lo: &mut lopdf::Document,
    pages_id: ObjectId,
    page_dict: &Dictionary,
    streams: &Streams,
    laid: &Laid,
    tree_len: usize,
    archive: bool,
) -> Result<Numbers, Error> {
    let renumbered = renumber(lo);
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
    next += outline_ids.len() as u32;
    let kids = streams.pages.len().div_ceil(super::structure::PAGES_PER_KID) as u32;
    let structure = super::structure::StructIds {
        root: next,
        parent_tree: next + 1,
        parent_kids: (next + 2..next + 2 + kids).collect(),
        nodes: (next + 2 + kids..next + 2 + kids + tree_len as u32).collect(),
    };
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
    let catalog = lo.catalog_mut().map_err(|e| Error::internal(format!("PDF catalog: {e}")))?;
    if let Some(&root) = outline_ids.first() {
        catalog.set("Outlines", Object::Reference((root, 0)));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    // Tagged PDF: the structure tree, marked content, and the title (not
    // the file name) in the viewer's window.
    catalog.set("StructTreeRoot", Object::Reference((structure.root, 0)));
    let mut mark_info = Dictionary::new();
    mark_info.set("Marked", Object::Boolean(true));
    catalog.set("MarkInfo", Object::Dictionary(mark_info));
    let mut viewer = Dictionary::new();
    viewer.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(viewer));
    let mut free = next + 2 + kids + tree_len as u32;
    let archive = archive.then(|| {
        let ids = super::archive::ArchiveIds { metadata: free, icc: free + 1 };
        free += 2;
        ids
    });
    // PDF/A-2 (ISO 19005-2, 6.1.13): at most 8,388,607 indirect objects.
    if archive.is_some() && free + 2 + free / super::file::PACK_OBJECTS as u32 > 8_388_607 {
        return Err(Error::input(format!(
            "PDF/A にするにはオブジェクトが多すぎます（{} 個。PDF/A-2 の上限は 8,388,607 個）。\
             --pdf-standard を付けずに作るか、文書を分けてください。",
            free
        )));
    }
    if let Some(a) = archive {
        let catalog = lo.catalog_mut().map_err(|e| Error::internal(format!("PDF catalog: {e}")))?;
        catalog.set("Metadata", Object::Reference((a.metadata, 0)));
        catalog.set("OutputIntents", super::archive::output_intents(a.icc));
    }
    Ok(Numbers { pages_id, page_ids, outline_ids, structure, archive, free })
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

/// `o` with every reference rewritten by `by`.
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

/// `d` with every reference rewritten by `by`.
fn renumber_dict(d: Dictionary, by: &dyn Fn(u32) -> u32) -> Dictionary {
    let mut out = Dictionary::new();
    for (k, v) in d.into_iter() {
        out.set(k, renumber_object(v, by));
    }
    out
}
