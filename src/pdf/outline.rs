//! Document information and the outline: dates only from
//! `SOURCE_DATE_EPOCH`, the document's language, and the bookmarks nested
//! by heading level in document order.

use lopdf::{Dictionary, Object, StringFormat};

use super::file;
use super::PdfOptions;
use crate::error::Error;
use crate::layout::Laid;

/// A PDF text string: UTF-16BE with a byte order mark.
pub(super) fn text_string(s: &str) -> Object {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// Dates (only from `SOURCE_DATE_EPOCH`) and the document's language.
/// printpdf's empty `/GTS_PDFXVersion` and `/Identifier` are dropped: a
/// reader takes the first for a claim of PDF/X (pdfinfo printed "PDF
/// subtype: PDF/X"), which these files are not.
pub(super) fn info_and_lang(lo: &mut lopdf::Document, laid: &Laid, opts: &PdfOptions) -> Result<(), Error> {
    if let Ok(Object::Reference(info_id)) = lo.trailer.get(b"Info").cloned() {
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(info_id) {
            if opts.date.is_none() {
                d.remove(b"CreationDate");
                d.remove(b"ModDate");
            }
            d.remove(b"GTS_PDFXVersion");
            d.remove(b"Identifier");
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
pub(super) fn write_outline<W: std::io::Write>(
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
