//! The structure tree of tagged PDF (PDF 32000-1, 14.7 and 14.8): one
//! structure element per node of the layout's [`Tree`] (Document, H1–H6,
//! P, L/LI/Lbl/LBody, Table/THead/TBody/TR/TH/TD with their spans,
//! TOC/TOCI), each pointing at its children and at the marked content the
//! pages' streams drew for it (see `content`), and the parent tree that
//! leads from a page's marked content back to its elements.
//!
//! A report of thousands of pages has millions of elements: they are
//! written straight as PDF syntax from flat arrays (children and marked
//! content indexed by node), and the parent tree is a number tree of
//! [`PAGES_PER_KID`] pages a leaf, so no part of it is one huge object.

use super::file::FileWriter;
use crate::layout::{NodeId, Role, Tree};

/// Pages per leaf of the parent tree.
pub(super) const PAGES_PER_KID: usize = 256;

/// Object numbers of the structure tree.
#[derive(Debug, Clone, Default)]
pub(super) struct StructIds {
    /// The structure tree root (`/StructTreeRoot` of the catalog).
    pub(super) root: u32,
    /// The parent tree's root (a number tree: page → its MCIDs' elements).
    pub(super) parent_tree: u32,
    /// The parent tree's leaves, [`PAGES_PER_KID`] pages each.
    pub(super) parent_kids: Vec<u32>,
    /// One structure element per node of the tree, in order.
    pub(super) nodes: Vec<u32>,
}

/// Items grouped by an index: `items[start[i]..start[i + 1]]` are index
/// `i`'s, in the order given.
struct Grouped<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> Grouped<T> {
    /// Groups `pairs` (index, item) of indices below `n`.
    fn new(n: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> Grouped<T> {
        let mut start = vec![0u32; n + 1];
        for (i, _) in pairs.clone() {
            start[i + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut at = start.clone();
        let mut items = vec![T::default(); start[n] as usize];
        for (i, item) in pairs {
            items[at[i] as usize] = item;
            at[i] += 1;
        }
        Grouped { start, items }
    }

    fn of(&self, i: usize) -> &[T] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }
}

/// Appends ` N 0 R`.
fn reference(out: &mut Vec<u8>, id: u32) {
    out.extend_from_slice(format!(" {id} 0 R").as_bytes());
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
    let n = tree.len();
    let children = Grouped::new(n, tree.nodes.iter().enumerate().skip(1).map(|(i, node)| (node.parent as usize, i as u32)));
    // Each node's marked content, (page, MCID) in page order.
    let content = Grouped::new(
        n,
        marks
            .iter()
            .enumerate()
            .flat_map(|(page, m)| m.iter().enumerate().map(move |(mcid, &node)| (node as usize, (page as u32, mcid as u32))))
            .filter(|(node, _)| *node < n),
    );

    let mut root = format!("<</Type/StructTreeRoot/K {} 0 R/ParentTree {} 0 R", ids.nodes[0], ids.parent_tree);
    root.push_str(&format!("/ParentTreeNextKey {}>>", marks.len()));
    w.object_bytes(ids.root, root.into_bytes())?;

    let mut parent = b"<</Kids[".to_vec();
    for &kid in &ids.parent_kids {
        reference(&mut parent, kid);
    }
    parent.extend_from_slice(b"]>>");
    w.object_bytes(ids.parent_tree, parent)?;
    for (k, &kid) in ids.parent_kids.iter().enumerate() {
        let first = k * PAGES_PER_KID;
        let last = (first + PAGES_PER_KID).min(marks.len()) - 1;
        let mut leaf = format!("<</Limits[{first} {last}]/Nums[").into_bytes();
        for (page, m) in marks.iter().enumerate().take(last + 1).skip(first) {
            leaf.extend_from_slice(format!(" {page}[").as_bytes());
            for &node in m {
                match ids.nodes.get(node as usize) {
                    Some(&id) => reference(&mut leaf, id),
                    // Never so (marks point into the tree); kept aligned.
                    None => leaf.extend_from_slice(b" null"),
                }
            }
            leaf.push(b']');
        }
        leaf.extend_from_slice(b"]>>");
        w.object_bytes(kid, leaf)?;
    }

    for (i, node) in tree.nodes.iter().enumerate() {
        let mut e = b"<</S/".to_vec();
        e.extend_from_slice(node.role.name());
        e.extend_from_slice(b"/P");
        reference(&mut e, if i == 0 { ids.root } else { ids.nodes[node.parent as usize] });
        let kids = children.of(i);
        let marked = content.of(i);
        // Content on one page: that page on the element and bare MCIDs.
        let one_page = marked.first().map(|f| f.0).filter(|&p| marked.iter().all(|m| m.0 == p));
        if let Some(p) = one_page {
            e.extend_from_slice(b"/Pg");
            reference(&mut e, page_ids[p as usize]);
        }
        if kids.len() + marked.len() > 0 {
            e.extend_from_slice(b"/K[");
            for &c in kids {
                reference(&mut e, ids.nodes[c as usize]);
            }
            for &(page, mcid) in marked {
                if one_page.is_some() {
                    e.extend_from_slice(format!(" {mcid}").as_bytes());
                } else {
                    e.extend_from_slice(format!("<</Type/MCR/Pg {} 0 R/MCID {mcid}>>", page_ids[page as usize]).as_bytes());
                }
            }
            e.push(b']');
        }
        if matches!(node.role, Role::TH | Role::TD) {
            let mut a = String::new();
            if node.rowspan > 1 {
                a.push_str(&format!("/RowSpan {}", node.rowspan));
            }
            if node.colspan > 1 {
                a.push_str(&format!("/ColSpan {}", node.colspan));
            }
            if node.role == Role::TH {
                a.push_str("/Scope/Column");
            }
            if !a.is_empty() {
                e.extend_from_slice(format!("/A<</O/Table{a}>>").as_bytes());
            }
        }
        e.extend_from_slice(b">>");
        w.object_bytes(ids.nodes[i], e)?;
    }
    Ok(())
}
