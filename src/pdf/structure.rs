//! The structure tree of tagged PDF (PDF 32000-1, 14.7 and 14.8): one
//! structure element per node of the layout's [`Tree`] (Document, H1–H6,
//! P, L/LI/Lbl/LBody, Table/THead/TBody/TR/TH/TD with their spans,
//! TOC/TOCI), each pointing at its children and at the marked content the
//! pages' streams drew for it (see `content`), and the parent tree that
//! leads from a page's marked content back to its elements.

use lopdf::{Dictionary, Object};

use super::file::FileWriter;
use crate::layout::{NodeId, Role, Tree};

/// Object numbers of the structure tree.
#[derive(Debug, Clone, Default)]
pub(super) struct StructIds {
    /// The structure tree root (`/StructTreeRoot` of the catalog).
    pub(super) root: u32,
    /// The parent tree (a number tree: page → its MCIDs' elements).
    pub(super) parent_tree: u32,
    /// One structure element per node of the tree, in order.
    pub(super) nodes: Vec<u32>,
}

/// Writes the structure tree of `tree`, whose marked content is `marks`
/// (per page, the node of each MCID), on pages `page_ids`.
pub(super) fn write_structure<W: std::io::Write>(
    w: &mut FileWriter<W>,
    tree: &Tree,
    marks: &[Vec<NodeId>],
    ids: &StructIds,
    page_ids: &[u32],
) -> std::io::Result<()> {
    let r = |id: u32| Object::Reference((id, 0));
    let name = |n: &[u8]| Object::Name(n.to_vec());
    let kids = tree.children();
    // Each node's marked content, (page, MCID) in page order.
    let mut content: Vec<Vec<(usize, usize)>> = vec![Vec::new(); tree.len()];
    for (page, m) in marks.iter().enumerate() {
        for (mcid, &node) in m.iter().enumerate() {
            if let Some(c) = content.get_mut(node as usize) {
                c.push((page, mcid));
            }
        }
    }

    let mut root = Dictionary::new();
    root.set("Type", name(b"StructTreeRoot"));
    root.set("K", r(ids.nodes[0]));
    root.set("ParentTree", r(ids.parent_tree));
    root.set("ParentTreeNextKey", Object::Integer(marks.len() as i64));
    w.object(ids.root, &Object::Dictionary(root))?;

    let mut nums = Vec::with_capacity(marks.len() * 2);
    for (page, m) in marks.iter().enumerate() {
        nums.push(Object::Integer(page as i64));
        nums.push(Object::Array(m.iter().map(|&n| r(ids.nodes[n as usize])).collect()));
    }
    let mut parent_tree = Dictionary::new();
    parent_tree.set("Nums", Object::Array(nums));
    w.object(ids.parent_tree, &Object::Dictionary(parent_tree))?;

    for (i, node) in tree.nodes.iter().enumerate() {
        let mut e = Dictionary::new();
        e.set("Type", name(b"StructElem"));
        e.set("S", name(node.role.name()));
        e.set("P", r(if i == 0 { ids.root } else { ids.nodes[node.parent as usize] }));
        let mut k: Vec<Object> = kids[i].iter().map(|&c| r(ids.nodes[c as usize])).collect();
        let marked = &content[i];
        // Content on one page: that page on the element and bare MCIDs.
        let one_page = marked.first().map(|f| f.0).filter(|&p| marked.iter().all(|m| m.0 == p));
        if let Some(p) = one_page {
            e.set("Pg", r(page_ids[p]));
        }
        for &(page, mcid) in marked {
            if one_page.is_some() {
                k.push(Object::Integer(mcid as i64));
            } else {
                let mut mcr = Dictionary::new();
                mcr.set("Type", name(b"MCR"));
                mcr.set("Pg", r(page_ids[page]));
                mcr.set("MCID", Object::Integer(mcid as i64));
                k.push(Object::Dictionary(mcr));
            }
        }
        match k.len() {
            0 => {}
            1 => e.set("K", k.remove(0)),
            _ => e.set("K", Object::Array(k)),
        }
        if matches!(node.role, Role::TH | Role::TD) {
            let mut a = Dictionary::new();
            a.set("O", name(b"Table"));
            if node.rowspan > 1 {
                a.set("RowSpan", Object::Integer(node.rowspan.into()));
            }
            if node.colspan > 1 {
                a.set("ColSpan", Object::Integer(node.colspan.into()));
            }
            if node.role == Role::TH {
                a.set("Scope", name(b"Column"));
            }
            if a.len() > 1 {
                e.set("A", Object::Dictionary(a));
            }
        }
        w.object(ids.nodes[i], &Object::Dictionary(e))?;
    }
    Ok(())
}
