//! The document's logical structure, for the PDF's structure tree (tagged
//! PDF): what each drawn run of text belongs to — a heading, a paragraph,
//! a list item's label or body, a table cell, a contents entry — in reading
//! order. Layout builds it while it flattens the blocks; the PDF writer
//! marks each run's glyphs with the node they belong to and writes the tree.
//!
//! Running headers and footers, repeated table headers and the rules and
//! shading of tables are not content: they are drawn as artifacts
//! ([`ARTIFACT`]).

/// A node of the tree, by its index.
pub type NodeId = u32;

/// The tree's root (the document, or a part of it).
pub const ROOT: NodeId = 0;

/// Drawn text that is not part of the content (running headers and
/// footers, a table's header repeated on a new page).
pub const ARTIFACT: NodeId = u32::MAX;

/// The structure type of a node (PDF 32000-1 14.8.4, standard types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole document.
    Document,
    /// A part of a long document laid out on its own.
    Part,
    /// A heading of level 1 to 6.
    H(u8),
    /// A paragraph.
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's marker (（1）, ・).
    Lbl,
    /// A list item's body.
    LBody,
    /// A table.
    Table,
    /// A table's header rows.
    THead,
    /// A table's body rows.
    TBody,
    /// A table row.
    TR,
    /// A header cell.
    TH,
    /// A data cell.
    TD,
    /// A table of contents.
    TOC,
    /// An entry of a table of contents (its text in a P).
    TOCI,
}

impl Role {
    /// The structure type's name in the PDF (`/S`).
    pub fn name(self) -> &'static [u8] {
        match self {
            Role::Document => b"Document",
            Role::Part => b"Part",
            Role::H(1) => b"H1",
            Role::H(2) => b"H2",
            Role::H(3) => b"H3",
            Role::H(4) => b"H4",
            Role::H(5) => b"H5",
            Role::H(_) => b"H6",
            Role::P => b"P",
            Role::L => b"L",
            Role::LI => b"LI",
            Role::Lbl => b"Lbl",
            Role::LBody => b"LBody",
            Role::Table => b"Table",
            Role::THead => b"THead",
            Role::TBody => b"TBody",
            Role::TR => b"TR",
            Role::TH => b"TH",
            Role::TD => b"TD",
            Role::TOC => b"TOC",
            Role::TOCI => b"TOCI",
        }
    }
}

/// A node: its type, its parent and, for a table cell, its spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The structure type.
    pub role: Role,
    /// The parent node ([`ROOT`] for the root itself).
    pub parent: NodeId,
    /// Rows a cell spans (1 for anything else).
    pub rowspan: u16,
    /// Columns a cell spans (1 for anything else).
    pub colspan: u16,
}

/// The structure of a document: nodes in reading order, the root first.
/// A node's children are the nodes naming it as parent, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The nodes; `nodes[0]` is the root.
    pub nodes: Vec<Node>,
}

impl Default for Tree {
    fn default() -> Tree {
        Tree::new(Role::Document)
    }
}

impl Tree {
    /// A tree of only its root.
    pub fn new(root: Role) -> Tree {
        Tree { nodes: vec![Node { role: root, parent: ROOT, rowspan: 1, colspan: 1 }] }
    }

    /// Adds a node of `role` as the last child of `parent`.
    pub fn add(&mut self, role: Role, parent: NodeId) -> NodeId {
        self.add_cell(role, parent, 1, 1)
    }

    /// Adds a table cell spanning `rowspan` rows and `colspan` columns.
    pub fn add_cell(&mut self, role: Role, parent: NodeId, rowspan: usize, colspan: usize) -> NodeId {
        let id = self.nodes.len() as NodeId;
        let span = |n: usize| n.clamp(1, u16::MAX as usize) as u16;
        self.nodes.push(Node { role, parent, rowspan: span(rowspan), colspan: span(colspan) });
        id
    }

    /// Adds `other` after this tree's content: its root becomes the last
    /// child of this root or, when it is a [`Role::Document`] too, its
    /// children do. Returns the new id of each of `other`'s nodes.
    pub fn append(&mut self, other: &Tree) -> Vec<NodeId> {
        let splice = other.nodes[0].role == Role::Document;
        let base = self.nodes.len() as NodeId;
        let map: Vec<NodeId> = (0..other.nodes.len() as NodeId)
            .map(|i| match (i, splice) {
                (0, true) => ROOT,
                (_, true) => base + i - 1,
                (_, false) => base + i,
            })
            .collect();
        for (i, n) in other.nodes.iter().enumerate() {
            if i == 0 && splice {
                continue;
            }
            let parent = if i == 0 { ROOT } else { map[n.parent as usize] };
            self.nodes.push(Node { parent, ..*n });
        }
        map
    }

    /// Each node's children, in order.
    pub fn children(&self) -> Vec<Vec<NodeId>> {
        let mut kids = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            kids[n.parent as usize].push(i as NodeId);
        }
        kids
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the tree has only its root.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appended_tree_is_a_child_of_the_root_with_its_ids_moved() {
        let mut doc = Tree::default();
        let p = doc.add(Role::P, ROOT);
        let mut part = Tree::new(Role::Part);
        let h = part.add(Role::H(1), ROOT);
        let q = part.add(Role::P, ROOT);
        let map = doc.append(&part);
        assert_eq!(map, vec![2, 3, 4]);
        let kids = doc.children();
        assert_eq!(kids[0], vec![p, 2]);
        assert_eq!(kids[2], vec![map[h as usize], map[q as usize]]);
        assert_eq!(doc.nodes[map[h as usize] as usize].role, Role::H(1));
        // A document's tree after another: its children follow the first's.
        let mut more = Tree::default();
        let r = more.add(Role::P, ROOT);
        let map = doc.append(&more);
        assert_eq!(map[0], ROOT);
        assert_eq!(doc.children()[0], vec![p, 2, map[r as usize]]);
    }
}
