//! The pages' content streams: written straight from the positioned items,
//! with glyphs as their ids in the original font, and compressed in
//! parallel ([`Streams`]); then written to the file page by page.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object};

use super::file::{deflate, literal_byte, FileWriter};
use super::fonts::FONT_NAMES;
use crate::error::Error;
use crate::fonts::{Family, FontSet};
use crate::layout::{Item, NodeId, Page, Tree, ARTIFACT};

/// The glyphs a set of pages draws, per family: a bit per original glyph id,
/// and each glyph's character (the first one drawn with it), in drawing order.
#[derive(Debug, Clone, Default)]
pub(super) struct Used {
    bits: [Vec<u64>; 2],
    glyphs: [Vec<(u16, char)>; 2],
}

impl Used {
    /// Records that `family` draws glyph `gid` (for `c`), once per glyph.
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

    /// Adds the glyphs of `other` that these do not have yet.
    fn merge(&mut self, other: &Used) {
        for f in 0..2 {
            for &(gid, c) in &other.glyphs[f] {
                self.insert(f, gid, c);
            }
        }
    }

    /// Glyph id → character, per family.
    pub(super) fn maps(&self) -> [BTreeMap<u16, char>; 2] {
        [0, 1].map(|f| self.glyphs[f].iter().copied().collect())
    }
}

/// A page's content stream, compressed unless it is short.
#[derive(Debug, Clone)]
pub(super) struct Content {
    bytes: Vec<u8>,
    deflated: bool,
}

impl Content {
    /// Streams shorter than this are kept as they are: a running footer
    /// would shrink by a few bytes, for the cost of setting up a compressor.
    const SHORT: usize = 256;

    /// The stream `content`, compressed unless it is shorter than [`Content::SHORT`].
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
/// and made into streams part by part (see [`write_with`](super::write_with)).
///
/// The content shows each glyph by its id in the original font (a CID); the
/// writer maps the CIDs to the embedded subset's glyphs (`/CIDToGIDMap`).
#[derive(Debug, Clone, Default)]
pub struct Streams {
    /// Per page, its content streams (compressed), drawn in order.
    pub(super) pages: Vec<Vec<Content>>,
    /// The glyphs the pages draw.
    pub(super) used: Used,
    /// Per page, the structure node of each marked-content id (MCID).
    pub(super) marks: Vec<Vec<NodeId>>,
    /// The structure the marks point into.
    pub(super) tree: Tree,
}

impl Streams {
    /// The content streams of `pages` (on pages `page_height` pt high),
    /// made and compressed in parallel. Fails when a character has no
    /// glyph (the layout reports such characters before this).
    /// Text is marked as the content of its node in `tree` (or as an
    /// artifact), the rules and shading as artifacts.
    pub fn of_pages(pages: &[Page], tree: &Tree, page_height: f32, fonts: &FontSet) -> Result<Streams, Error> {
        use rayon::prelude::*;
        let made: Vec<(Content, Used, Vec<NodeId>)> = pages
            .par_iter()
            .map(|page| {
                let mut used = Used::default();
                let mut marks = Vec::new();
                let content = page_content(page, page_height, fonts, tree, &mut used, &mut marks)?;
                used.compact();
                marks.shrink_to_fit();
                Ok((Content::new(content)?, used, marks))
            })
            .collect::<Result<_, Error>>()?;
        let mut streams = Streams {
            pages: Vec::with_capacity(made.len()),
            used: Used::default(),
            marks: Vec::with_capacity(made.len()),
            tree: tree.clone(),
        };
        for (content, used, marks) in made {
            streams.used.merge(&used);
            streams.pages.push(vec![content]);
            streams.marks.push(marks);
        }
        streams.used.compact();
        Ok(streams)
    }

    /// Adds the pages of `more` after these, its structure after theirs.
    pub fn append(&mut self, more: Streams) {
        self.used.merge(&more.used);
        self.pages.extend(more.pages);
        let map = self.tree.append(&more.tree);
        for marks in more.marks {
            self.marks.push(marks.into_iter().map(|n| map[n as usize]).collect());
        }
    }

    /// Draws `over` on top of these pages, page by page (running headers
    /// and footers made once the page count is known). Both must have the
    /// same number of pages.
    pub fn overlay(&mut self, over: Streams) -> Result<(), Error> {
        if over.pages.len() != self.pages.len() {
            return Err(Error::internal("overlay of a different page count"));
        }
        if over.marks.iter().any(|m| !m.is_empty()) {
            return Err(Error::internal("an overlay with content of the structure"));
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

    /// Writes each page's streams, then the page (`page_ids`, each page's
    /// streams numbered just before it), a kid of the page tree `pages_id`.
    pub(super) fn write_pages<W: std::io::Write>(
        self,
        w: &mut FileWriter<W>,
        page_ids: &[u32],
        pages_id: u32,
    ) -> std::io::Result<()> {
        for (index, (contents, &page_id)) in self.pages.into_iter().zip(page_ids).enumerate() {
            let first = page_id - contents.len() as u32;
            let mut refs = Vec::with_capacity(contents.len());
            for (id, content) in (first..).zip(contents) {
                let mut dict = Dictionary::new();
                if content.deflated {
                    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                }
                w.stream(id, &dict, &content.bytes)?;
                refs.push(Object::Reference((id, 0)));
            }
            // The media box and resources are the page tree's, inherited.
            let mut page = Dictionary::new();
            page.set("Type", Object::Name(b"Page".to_vec()));
            page.set("Parent", Object::Reference((pages_id, 0)));
            page.set("Contents", if refs.len() == 1 { refs.remove(0) } else { Object::Array(refs) });
            // Its marked content's structure elements: entry `index` of the
            // structure tree's parent tree.
            page.set("StructParents", Object::Integer(index as i64));
            w.object(page_id, &Object::Dictionary(page))?;
        }
        Ok(())
    }
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
///
/// Text is marked content of its structure node (`/P <</MCID 3>> BDC` …
/// `EMC`, the node of each MCID pushed to `marks`), or an `/Artifact`; the
/// shading and borders are artifacts.
fn page_content(
    page: &Page,
    ph: f32,
    fonts: &FontSet,
    tree: &Tree,
    used: &mut Used,
    marks: &mut Vec<NodeId>,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(page.items.len() * 40);
    out.extend_from_slice(b"q\n");
    let has = |f: fn(&Item) -> bool| page.items.iter().any(f);
    let fills = has(|i| matches!(i, Item::Fill { .. }));
    let frames = has(|i| matches!(i, Item::Frame { .. }));
    if fills {
        out.extend_from_slice(b"/Artifact BMC\n");
    }
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
    if fills {
        out.extend_from_slice(b"EMC\n");
    }
    if frames {
        out.extend_from_slice(b"/Artifact BMC\n");
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
    if frames {
        out.extend_from_slice(b"EMC\n");
    }
    out.extend_from_slice(b"0 0 0 rg 0 0 0 RG\nBT\n");
    let mut font_state: Option<(Family, f32)> = None;
    let mut cs_state = 0.0f32;
    let mut bold_state = false;
    let mut open: Option<NodeId> = None;
    let texts: Vec<(f32, f32, &crate::typeset::Run, NodeId)> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Text { x, y, run, node } if !run.text.is_empty() => Some((*x, *y, run, *node)),
            _ => None,
        })
        .collect();
    // A pair across two runs of one line and node (a font change inside a
    // closed-up 」「): the span opened in the first run closes in the second.
    let joins = |i: usize| {
        texts.get(i + 1).is_some_and(|&(_, ny, next, nn)| {
            let (_, y, _, node) = texts[i];
            next.apart && nn == node && (ny - y).abs() < 0.01
        })
    };
    // Which runs open such a span (at which character, with which text),
    // and which close it (after how many characters) or lie wholly inside.
    let len = |i: usize| texts[i].2.text.chars().count();
    let mut heads: Vec<Option<Head>> = vec![None; texts.len()];
    let mut tails: Vec<Option<(usize, String)>> = vec![None; texts.len()];
    for i in 0..texts.len() {
        let start = match heads[i] {
            None => 0,
            Some(Head::Close(n)) => n,
            Some(Head::Through) => continue,
        };
        let from = tail_from(texts[i].2);
        if !joins(i) || from < start {
            continue;
        }
        let mut text: String = texts[i].2.text.chars().skip(from).collect();
        let mut j = i + 1;
        loop {
            let to = head_to(texts[j].2).min(len(j));
            if to == len(j) && joins(j) {
                heads[j] = Some(Head::Through);
                text.push_str(&texts[j].2.text);
                j += 1;
            } else {
                heads[j] = Some(Head::Close(to));
                text.extend(texts[j].2.text.chars().take(to));
                break;
            }
        }
        tails[i] = Some((from, text));
    }
    for (i, &(ref x, ref y, run, node)) in texts.iter().enumerate() {
        if open != Some(node) {
            if open.is_some() {
                out.extend_from_slice(b"EMC\n");
            }
            match tree.nodes.get(node as usize) {
                Some(n) if node != ARTIFACT => {
                    out.push(b'/');
                    out.extend_from_slice(n.role.name());
                    out.extend_from_slice(b" <</MCID ");
                    push_u64(&mut out, marks.len() as u64);
                    out.extend_from_slice(b">> BDC\n");
                    marks.push(node);
                }
                _ => out.extend_from_slice(b"/Artifact BMC\n"),
            }
            open = Some(node);
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
        out.extend_from_slice(b" Tm\n");
        run_text(&mut out, run, fonts, used, heads[i], tails[i].as_ref().map(|(f, t)| (*f, t.as_str())))?;
    }
    if open.is_some() {
        out.extend_from_slice(b"EMC\n");
    }
    out.extend_from_slice(b"ET\nQ\n");
    Ok(out)
}

/// The glyphs of `run` from the current text position: one `Tj` when
/// they follow its character spacing, else `TJ` with the adjustments.
///
/// Two characters set closer or further apart than their advances (、「
/// closed up, the quarter em between 年 and 2020) are marked content with
/// `/ActualText` of just those characters: without it, readers that
/// rebuild text from glyph positions (pdftotext, a viewer's search and
/// copy) take the overlap for a new line or the gap for a space.
///
/// A pair across runs is one span too: `tail` (from, text) opens it at
/// character `from` of this run with the text up to where it closes and
/// leaves it open; a later run's `head` closes it after its first
/// characters, or passes it through whole.
fn run_text(
    out: &mut Vec<u8>,
    run: &crate::typeset::Run,
    fonts: &FontSet,
    used: &mut Used,
    head: Option<Head>,
    tail: Option<(usize, &str)>,
) -> Result<(), Error> {
    let face = fonts.get(run.family);
    let f = run.family as usize;
    let chars: Vec<char> = run.text.chars().collect();
    let mut gids = Vec::with_capacity(chars.len());
    for &c in &chars {
        // Last guard before writing: every character has a glyph.
        let gid = face.glyph(c).ok_or_else(|| {
            Error::internal(format!(
                "「{c}」(U+{:04X}) を{}体で描こうとしましたが、フォントに字形がありません。",
                c as u32,
                run.family.label()
            ))
        })?;
        used.insert(f, gid, c);
        gids.push(gid);
    }
    // The glyphs `from..to` in one TJ with their adjustments.
    let tj = |out: &mut Vec<u8>, from: usize, to: usize| {
        out.push(b'[');
        for k in from..to {
            if let Some(&(_, d)) = run.adjust.iter().find(|a| a.0 == k) {
                // TJ numbers are thousandths of the size, positive leftwards.
                num(out, -d / run.size * 1000.0);
            }
            glyph_string(out, &gids[k..k + 1]);
        }
        out.extend_from_slice(b"] TJ");
    };
    let open_span = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(b"/Span <</ActualText <FEFF");
        for u in text.encode_utf16() {
            out.extend_from_slice(format!("{u:04X}").as_bytes());
        }
        out.extend_from_slice(b">>> BDC ");
    };
    let mut at = 0;
    match head {
        Some(Head::Through) => {
            // Wholly inside a span opened before and closed after.
            tj(out, 0, gids.len());
            out.push(b'\n');
            return Ok(());
        }
        Some(Head::Close(n)) => {
            // The rest of a span opened in a run before.
            tj(out, 0, n);
            out.extend_from_slice(b" EMC\n");
            at = n;
        }
        None => {}
    }
    let tail_from = tail.map_or(gids.len(), |t| t.0);
    for (from, to) in spans(run) {
        if from < at || to > tail_from {
            continue;
        }
        if from > at {
            glyph_string(out, &gids[at..from]);
            out.extend_from_slice(b" Tj\n");
        }
        open_span(out, &chars[from..to].iter().collect::<String>());
        tj(out, from, to);
        out.extend_from_slice(b" EMC\n");
        at = to;
    }
    if at < tail_from {
        glyph_string(out, &gids[at..tail_from]);
        out.extend_from_slice(b" Tj\n");
    }
    if let Some((from, text)) = tail {
        // Closed by the next run (see `head`).
        open_span(out, text);
        tj(out, from.max(at), gids.len());
        out.push(b'\n');
    }
    Ok(())
}

/// How a run begins with respect to a span opened in a run before it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Head {
    /// Its first `n` characters end the span.
    Close(usize),
    /// The whole run is inside the span.
    Through,
}

/// The spans of `run`'s characters that adjustments join: [from, to).
fn spans(run: &crate::typeset::Run) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &(k, _) in &run.adjust {
        match spans.last_mut() {
            Some(last) if last.1 == k => last.1 = k + 1,
            _ => spans.push((k - 1, k + 1)),
        }
    }
    spans
}

/// Where a span across into the next run starts in `run`: at its last
/// span when that reaches its end, else at its last character.
fn tail_from(run: &crate::typeset::Run) -> usize {
    let len = run.text.chars().count();
    match spans(run).last() {
        Some(&(from, to)) if to == len => from,
        _ => len.saturating_sub(1),
    }
}

/// Where a span from the run before ends in `run`: after its first span
/// when that starts at its first character, else after that character.
fn head_to(run: &crate::typeset::Run) -> usize {
    match spans(run).first() {
        Some(&(0, to)) => to,
        _ => 1,
    }
}

/// Glyph ids as a literal string of two-byte codes (half the bytes of hex,
/// so less to compress), escaped as literal strings must be: a bare CR
/// would be read as LF.
fn glyph_string(out: &mut Vec<u8>, gids: &[u16]) {
    out.push(b'(');
    for gid in gids {
        for b in gid.to_be_bytes() {
            literal_byte(out, b);
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run of `text` at 10 pt Mincho, at the origin, nothing adjusted.
    fn plain_run(text: &str) -> crate::typeset::Run {
        crate::typeset::Run {
            x: 0.0,
            text: text.into(),
            family: Family::Mincho,
            size: 10.0,
            bold: false,
            char_spacing: 0.0,
            adjust: Vec::new(),
            apart: false,
            width: 0.0,
        }
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
        let run = plain_run(&text);
        let page = Page { items: vec![Item::Text { x: 0.0, y: 0.0, run, node: ARTIFACT }] };
        let out = page_content(&page, 800.0, &fonts, &Tree::default(), &mut Used::default(), &mut Vec::new()).unwrap();
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
        let out =
            page_content(&Page { items }, 100.0, &fonts, &Tree::default(), &mut Used::default(), &mut Vec::new()).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches(" rg\n").count(), 1, "{out}");
        assert_eq!(out.matches("re f\n").count(), 3, "{out}");
        // Two widths: two strokes, each after its rectangles.
        let strokes = out.split("BT").next().unwrap();
        assert!(
            strokes.ends_with(
                "0.5 w\n0 95 10 5 re\n10 95 10 5 re\n20 95 10 5 re\nS\n1 w\n0 75 30 5 re\nS\nEMC\n0 0 0 rg 0 0 0 RG\n"
            ),
            "{out}"
        );
        // Shading and borders are artifacts, not content.
        assert!(out.starts_with("q\n/Artifact BMC\n0.9") && out.matches("/Artifact BMC\n").count() == 2, "{out}");
        // The stream leaves the graphics state as it found it: a footer drawn
        // over the page starts from the defaults.
        assert!(out.starts_with("q\n") && out.ends_with("ET\nQ\n"), "{out}");
    }

    #[test]
    fn text_is_marked_content_of_its_node_and_running_text_an_artifact() {
        use crate::layout::{Role, ROOT_FOR_TESTS};
        let fonts = FontSet::embedded();
        let mut tree = Tree::default();
        let p = tree.add(Role::P, ROOT_FOR_TESTS);
        let h = tree.add(Role::H(2), ROOT_FOR_TESTS);
        let text = |t: &str, node| Item::Text { x: 0.0, y: 0.0, run: plain_run(t), node };
        let items = vec![text("見出し", h), text("本文", p), text("続き", p), text("1", ARTIFACT), text("又", p)];
        let mut marks = Vec::new();
        let out = page_content(&Page { items }, 100.0, &fonts, &tree, &mut Used::default(), &mut marks).unwrap();
        let out = String::from_utf8_lossy(&out).into_owned();
        // One sequence per run of the same node, numbered in order.
        assert_eq!(marks, vec![h, p, p]);
        let tags: Vec<&str> = out.lines().filter(|l| l.ends_with("BDC") || l.ends_with("BMC")).collect();
        assert_eq!(tags, ["/H2 <</MCID 0>> BDC", "/P <</MCID 1>> BDC", "/Artifact BMC", "/P <</MCID 2>> BDC"]);
        assert_eq!(out.matches("EMC").count(), 4, "{out}");
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
}
