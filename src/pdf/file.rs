//! Writing a PDF file object by object, with its cross-reference table.
//!
//! The writer serialises each object when it is given one and keeps only
//! its offset, so the pages of a long report go to the file one at a time
//! and are never held as objects. The trailer's `/ID` is the SHA-256 of the
//! file up to the trailer, which the writer hashes on the way.

use std::io::Write;

use lopdf::{Dictionary, Object, StringFormat};
use sha2::{Digest, Sha256};

/// A PDF file being written.
pub(super) struct FileWriter<W: Write> {
    out: W,
    /// Bytes written so far.
    at: u64,
    /// Offset of each object by id (index 0 unused).
    offsets: Vec<Option<u64>>,
    hash: Sha256,
    buf: Vec<u8>,
}

impl<W: Write> FileWriter<W> {
    /// Starts a PDF 1.7 file.
    pub(super) fn new(out: W) -> std::io::Result<FileWriter<W>> {
        let mut w = FileWriter { out, at: 0, offsets: vec![None], hash: Sha256::new(), buf: Vec::new() };
        w.emit(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(w)
    }

    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.hash.update(bytes);
        self.at += bytes.len() as u64;
        Ok(())
    }

    fn start(&mut self, id: u32) {
        let id = id as usize;
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, None);
        }
        self.offsets[id] = Some(self.at);
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

    /// Writes object `id`.
    pub(super) fn object(&mut self, id: u32, object: &Object) -> std::io::Result<()> {
        self.start(id);
        serialize(&mut self.buf, object);
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
        let xref_at = self.at;
        let n = self.offsets.len();
        let mut table = format!("xref\n0 {n}\n0000000000 65535 f \n");
        for (id, offset) in self.offsets.iter().enumerate().skip(1) {
            let offset = offset.ok_or_else(|| std::io::Error::other(format!("PDF object {id} was not written")))?;
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
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
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
        assert!(w.finish(2, None).is_err());
    }
}
