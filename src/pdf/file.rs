//! Writing a PDF file object by object, with its cross-reference table.
//!
//! The writer serialises each object when it is given one and keeps only
//! its offset, so the pages of a long report go to the file one at a time
//! and are never held as objects. The trailer's `/ID` is the SHA-256 of the
//! file up to the trailer, which the writer hashes on the way.
//!
//! Once given spare object numbers ([`FileWriter::pack_from`]), the writer
//! packs the objects that are not streams (page dictionaries, structure
//! elements, outline entries, font dictionaries) into compressed object
//! streams of [`PACK_OBJECTS`] at most, and ends the file with a
//! cross-reference stream (PDF 1.5): a tagged document's hundreds of small
//! structure elements would otherwise be a tenth of its bytes.

use std::io::Write;

use lopdf::{Dictionary, Object, StringFormat};
use sha2::{Digest, Sha256};

/// The most objects an object stream holds.
pub(super) const PACK_OBJECTS: usize = 200;

/// Where an object is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// At this offset of the file.
    At(u64),
    /// The `index`-th object of object stream `stream`.
    Packed { stream: u32, index: u16 },
}

/// A PDF file being written.
pub(super) struct FileWriter<W: Write> {
    out: W,
    /// Bytes written so far.
    at: u64,
    /// Where each object is, by id (index 0 unused).
    offsets: Vec<Option<Place>>,
    hash: Sha256,
    buf: Vec<u8>,
    /// The next spare object number for object streams and the
    /// cross-reference stream; 0: objects are not packed.
    spare: u32,
    /// Objects waiting for their object stream: id and PDF syntax.
    pack: Vec<(u32, Vec<u8>)>,
}

impl<W: Write> FileWriter<W> {
    /// Starts a PDF 1.7 file.
    pub(super) fn new(out: W) -> std::io::Result<FileWriter<W>> {
        let mut w = FileWriter {
            out,
            at: 0,
            offsets: vec![None],
            hash: Sha256::new(),
            buf: Vec::new(),
            spare: 0,
            pack: Vec::new(),
        };
        w.emit(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(w)
    }

    /// Packs the objects given from now on into object streams numbered
    /// from `first_spare` on (numbers no other object has), and ends the
    /// file with a cross-reference stream.
    pub(super) fn pack_from(&mut self, first_spare: u32) {
        self.spare = first_spare;
    }

    fn place(&mut self, id: u32, place: Place) {
        let id = id as usize;
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, None);
        }
        self.offsets[id] = Some(place);
    }

    /// Writes the waiting objects as one compressed object stream.
    fn flush_pack(&mut self) -> std::io::Result<()> {
        if self.pack.is_empty() {
            return Ok(());
        }
        let stream = self.spare;
        self.spare += 1;
        let pack = std::mem::take(&mut self.pack);
        let (mut head, mut body) = (Vec::new(), Vec::new());
        for (index, (id, bytes)) in pack.iter().enumerate() {
            head.extend_from_slice(format!("{id} {} ", body.len()).as_bytes());
            body.extend_from_slice(bytes);
            body.push(b'\n');
            self.place(*id, Place::Packed { stream, index: index as u16 });
        }
        let first = head.len();
        head.extend_from_slice(&body);
        let content = deflate_io(&head)?;
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        dict.set("N", Object::Integer(pack.len() as i64));
        dict.set("First", Object::Integer(first as i64));
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        self.stream(stream, &dict, &content)
    }

    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.hash.update(bytes);
        self.at += bytes.len() as u64;
        Ok(())
    }

    fn start(&mut self, id: u32) {
        self.place(id, Place::At(self.at));
        self.buf.clear();
        self.buf.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    /// Writes out what is in the buffer.
    fn emit_buf(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.hash.update(&self.buf);
        self.at += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn end(&mut self) -> std::io::Result<()> {
        self.buf.extend_from_slice(b"\nendobj\n");
        self.emit_buf()
    }

    /// Writes object `id` (or packs it, see [`FileWriter::pack_from`]).
    pub(super) fn object(&mut self, id: u32, object: &Object) -> std::io::Result<()> {
        if self.spare != 0 && !matches!(object, Object::Stream(_)) {
            let mut bytes = Vec::new();
            serialize(&mut bytes, object);
            return self.object_bytes(id, bytes);
        }
        self.start(id);
        serialize(&mut self.buf, object);
        self.end()
    }

    /// Writes object `id` given in PDF syntax (not a stream), or packs it.
    pub(super) fn object_bytes(&mut self, id: u32, bytes: Vec<u8>) -> std::io::Result<()> {
        if self.spare != 0 {
            self.pack.push((id, bytes));
            if self.pack.len() >= PACK_OBJECTS {
                self.flush_pack()?;
            }
            return Ok(());
        }
        self.start(id);
        self.buf.extend_from_slice(&bytes);
        self.end()
    }

    /// Writes stream `id` with `dict` (its `/Length` is set here) and
    /// `content`, without making it an object first.
    pub(super) fn stream(&mut self, id: u32, dict: &Dictionary, content: &[u8]) -> std::io::Result<()> {
        self.start(id);
        stream_head(&mut self.buf, dict, content.len());
        self.emit_buf()?;
        self.emit(content)?;
        self.buf.extend_from_slice(b"\nendstream");
        self.end()
    }

    /// Writes the cross-reference table and the trailer, and returns the
    /// output. Every id from 1 to the largest must have been written.
    pub(super) fn finish(mut self, root: u32, info: Option<u32>) -> std::io::Result<W> {
        if self.spare != 0 {
            return self.finish_with_stream(root, info);
        }
        let xref_at = self.at;
        let n = self.offsets.len();
        let mut table = format!("xref\n0 {n}\n0000000000 65535 f \n");
        for (id, offset) in self.offsets.iter().enumerate().skip(1) {
            let offset = match offset {
                Some(Place::At(offset)) => offset,
                _ => return Err(std::io::Error::other(format!("PDF object {id} was not written"))),
            };
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        self.emit(table.as_bytes())?;
        let digest = self.hash.clone().finalize();
        let id: String = digest[..16].iter().map(|b| format!("{b:02X}")).collect();
        let info = info.map(|i| format!("/Info {i} 0 R")).unwrap_or_default();
        let trailer =
            format!("trailer\n<</Size {n}/Root {root} 0 R{info}/ID[<{id}><{id}>]>>\nstartxref\n{xref_at}\n%%EOF\n");
        self.emit(trailer.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> FileWriter<W> {
    /// Ends a file of object streams: the cross-reference stream (rows of
    /// type, offset or object stream, generation or index: 1, 4 and 2
    /// bytes) with the trailer's entries, then `startxref`.
    fn finish_with_stream(mut self, root: u32, info: Option<u32>) -> std::io::Result<W> {
        self.flush_pack()?;
        let xref_id = self.spare;
        let xref_at = self.at;
        self.place(xref_id, Place::At(xref_at));
        let n = self.offsets.len();
        let mut rows = Vec::with_capacity(n * 7);
        rows.extend_from_slice(&[0, 0, 0, 0, 0, 0xFF, 0xFF]);
        for (id, place) in self.offsets.iter().enumerate().skip(1) {
            let (kind, a, b) = match place {
                Some(Place::At(offset)) => (1u8, *offset, 0u16),
                Some(Place::Packed { stream, index }) => (2, u64::from(*stream), *index),
                None => return Err(std::io::Error::other(format!("PDF object {id} was not written"))),
            };
            let a = u32::try_from(a).map_err(|_| std::io::Error::other("PDF larger than 4 GB"))?;
            rows.push(kind);
            rows.extend_from_slice(&a.to_be_bytes());
            rows.extend_from_slice(&b.to_be_bytes());
        }
        let rows = deflate_io(&rows)?;
        let digest = self.hash.clone().finalize();
        let file_id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"XRef".to_vec()));
        dict.set("Size", Object::Integer(n as i64));
        dict.set("W", Object::Array(vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)]));
        dict.set("Root", Object::Reference((root, 0)));
        if let Some(i) = info {
            dict.set("Info", Object::Reference((i, 0)));
        }
        dict.set("ID", Object::Array(vec![file_id.clone(), file_id]));
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        self.stream(xref_id, &dict, &rows)?;
        self.emit(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// zlib at level 4 (level 1 made a report's pages 21 % larger; 2 and 3
/// were no faster).
pub(super) fn deflate(data: &[u8]) -> Result<Vec<u8>, crate::error::Error> {
    deflate_at(data, 4)
}

/// [`deflate`] for the writer, whose errors are I/O errors.
pub(super) fn deflate_io(data: &[u8]) -> std::io::Result<Vec<u8>> {
    deflate(data).map_err(|e| std::io::Error::other(e.to_string()))
}

/// zlib at `level` (0–9).
pub(super) fn deflate_at(data: &[u8], level: u32) -> Result<Vec<u8>, crate::error::Error> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::new(level));
    encoder
        .write_all(data)
        .and_then(|_| encoder.finish())
        .map_err(|e| crate::error::Error::internal(format!("PDF のストリームを圧縮できません: {e}")))
}

fn stream_head(out: &mut Vec<u8>, dict: &Dictionary, len: usize) {
    let mut dict = dict.clone();
    dict.set("Length", Object::Integer(len as i64));
    serialize_dict(out, &dict);
    out.extend_from_slice(b"stream\n");
}

/// Whether `o` needs a space before it (it does not start with a delimiter).
fn bare(o: &Object) -> bool {
    matches!(o, Object::Null | Object::Boolean(_) | Object::Integer(_) | Object::Real(_) | Object::Reference(_))
}

/// Appends `o` in PDF syntax.
pub(super) fn serialize(out: &mut Vec<u8>, o: &Object) {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r}").as_bytes()),
        Object::Name(n) => name(out, n),
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            for b in s {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::String(s, StringFormat::Literal) => {
            out.push(b'(');
            for &b in s {
                literal_byte(out, b);
            }
            out.push(b')');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (k, x) in a.iter().enumerate() {
                if k > 0 && bare(x) {
                    out.push(b' ');
                }
                serialize(out, x);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => serialize_dict(out, d),
        Object::Stream(s) => {
            stream_head(out, &s.dict, s.content.len());
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => out.extend_from_slice(format!("{id} {generation} R").as_bytes()),
    }
}

/// A byte of a literal string, escaped as it must be: the delimiters and
/// the backslash, and a bare CR (which a reader would take for LF).
pub(super) fn literal_byte(out: &mut Vec<u8>, b: u8) {
    match b {
        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
        b'\r' => out.extend_from_slice(b"\\r"),
        _ => out.push(b),
    }
}

fn serialize_dict(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        name(out, k);
        if bare(v) {
            out.push(b' ');
        }
        serialize(out, v);
    }
    out.extend_from_slice(b">>");
}

/// A name, with delimiters, white space and bytes outside `!`..`~` as `#XX`.
fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_written_in_pdf_syntax() {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Page".to_vec()));
        d.set("Kids", Object::Array(vec![Object::Reference((3, 0)), Object::Reference((4, 0))]));
        d.set("T", Object::String(b"a(b)\\c\r".to_vec(), StringFormat::Literal));
        d.set("H", Object::String(vec![0xFE, 0xFF], StringFormat::Hexadecimal));
        d.set("N", Object::Name(b"A B#".to_vec()));
        d.set("R", Object::Real(595.2757));
        d.set("B", Object::Boolean(true));
        let mut out = Vec::new();
        serialize(&mut out, &Object::Dictionary(d));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r"<</Type/Page/Kids[3 0 R 4 0 R]/T(a\(b\)\\c\r)/H<FEFF>/N/A#20B#23/R 595.2757/B true>>"
        );
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let mut w = FileWriter::new(Vec::new()).unwrap();
        w.object(1, &Object::Integer(7)).unwrap();
        w.stream(2, &Dictionary::new(), b"BT ET").unwrap();
        let out = w.finish(1, None).unwrap();
        let text = String::from_utf8_lossy(&out).into_owned();
        let xref = text.split("xref\n").nth(1).unwrap();
        for (id, line) in xref.lines().skip(2).take(2).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(out[offset..].starts_with(format!("{} 0 obj\n", id + 1).as_bytes()), "{line}");
        }
        assert!(text.contains("2 0 obj\n<</Length 5>>stream\nBT ET\nendstream\nendobj\n"), "{text}");
        assert!(text.contains("/Size 3/Root 1 0 R/ID[<") && text.ends_with("%%EOF\n"), "{text}");
        // An object left out is an error, not a broken table.
        let mut w = FileWriter::new(Vec::new()).unwrap();
        w.object(2, &Object::Null).unwrap();
        w.pack_from(3);
        assert!(w.finish(2, None).is_err());
        let mut w = FileWriter::new(Vec::new()).unwrap();
        w.object(2, &Object::Null).unwrap();
        assert!(w.finish(2, None).is_err());
    }

    #[test]
    fn packed_objects_read_back_through_their_object_streams() {
        let mut w = FileWriter::new(Vec::new()).unwrap();
        w.pack_from(4 + PACK_OBJECTS as u32 + 10);
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((2, 0)));
        w.object(1, &Object::Dictionary(catalog)).unwrap();
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(vec![]));
        pages.set("Count", Object::Integer(0));
        w.object(2, &Object::Dictionary(pages)).unwrap();
        w.stream(3, &Dictionary::new(), b"BT ET").unwrap();
        // More than one object stream's worth.
        for id in 4..4 + PACK_OBJECTS as u32 + 10 {
            w.object(id, &Object::Integer(i64::from(id) * 7)).unwrap();
        }
        let out = w.finish(1, None).unwrap();
        let doc = lopdf::Document::load_mem(&out).unwrap();
        assert_eq!(doc.get_object((5, 0)).unwrap().as_i64().unwrap(), 35);
        let last = 3 + PACK_OBJECTS as u32 + 10;
        assert_eq!(doc.get_object((last, 0)).unwrap().as_i64().unwrap(), i64::from(last) * 7);
        assert_eq!(doc.catalog().unwrap().get(b"Type").unwrap().as_name().unwrap(), b"Catalog");
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(text.contains("/Type/ObjStm") && text.contains("/Type/XRef") && text.ends_with("%%EOF\n"));
        assert!(!text.contains("\nxref\n"), "no table beside the stream");
    }
}
