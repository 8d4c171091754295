//! TrueType hinting instructions dropped from the embedded subsets (40 %
//! of IPAex's outline data), and the `post` and `name` tables a PDF does
//! not use, which keeps a 3-page document small.

use lopdf::Object;

/// Removes the TrueType hinting instructions from every simple glyph of a
/// font program. In IPAex they are about 40 % of the outline data, and
/// viewers and printers rasterise embedded CJK text well without them
/// (poppler, pdf.js and most RIPs ignore or auto-hint). Composite glyphs are
/// kept as they are, and so are `fpgm`/`prep`/`cvt`, so nothing a remaining
/// instruction could refer to disappears. Returns `None` for anything that
/// is not a well-formed TrueType font; the caller then keeps the original.
fn strip_hints(font: &[u8]) -> Option<Vec<u8>> {
    let u16_at = |d: &[u8], o: usize| -> Option<u16> { Some(u16::from_be_bytes(d.get(o..o + 2)?.try_into().ok()?)) };
    let u32_at = |d: &[u8], o: usize| -> Option<u32> { Some(u32::from_be_bytes(d.get(o..o + 4)?.try_into().ok()?)) };
    if u32_at(font, 0)? != 0x0001_0000 {
        return None;
    }
    let n = u16_at(font, 4)? as usize;
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::with_capacity(n);
    for i in 0..n {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let off = u32_at(font, rec + 8)? as usize;
        let len = u32_at(font, rec + 12)? as usize;
        tables.push((tag, font.get(off..off.checked_add(len)?)?.to_vec()));
    }
    let find = |tag: &[u8; 4]| tables.iter().position(|(t, _)| t == tag);
    let (head, loca, glyf) = (find(b"head")?, find(b"loca")?, find(b"glyf")?);
    let long = u16_at(&tables[head].1, 50)? == 1;
    let loca_data = &tables[loca].1;
    let count = loca_data.len() / if long { 4 } else { 2 };
    let offset = |i: usize| -> Option<usize> {
        Some(if long { u32_at(loca_data, 4 * i)? as usize } else { 2 * u16_at(loca_data, 2 * i)? as usize })
    };
    let glyf_data = &tables[glyf].1;
    let mut new_glyf = Vec::with_capacity(glyf_data.len());
    let mut new_loca = Vec::with_capacity(loca_data.len());
    let push_offset = |loca: &mut Vec<u8>, o: usize| {
        if long {
            loca.extend_from_slice(&(o as u32).to_be_bytes());
        } else {
            loca.extend_from_slice(&((o / 2) as u16).to_be_bytes());
        }
    };
    for i in 0..count.saturating_sub(1) {
        push_offset(&mut new_loca, new_glyf.len());
        let g = glyf_data.get(offset(i)?..offset(i + 1)?)?;
        let contours = if g.len() >= 10 { i16::from_be_bytes([g[0], g[1]]) } else { -1 };
        if contours >= 0 {
            let at = 10 + 2 * contours as usize;
            let ilen = u16_at(g, at)? as usize;
            let rest = g.get(at + 2 + ilen..)?;
            new_glyf.extend_from_slice(&g[..at]);
            new_glyf.extend_from_slice(&[0, 0]);
            new_glyf.extend_from_slice(rest);
        } else {
            new_glyf.extend_from_slice(g);
        }
        while new_glyf.len() % 4 != 0 {
            new_glyf.push(0);
        }
    }
    push_offset(&mut new_loca, new_glyf.len());
    if !long && new_glyf.len() / 2 > u16::MAX as usize {
        return None;
    }
    tables[glyf].1 = new_glyf;
    tables[loca].1 = new_loca;
    // Glyph names and the font's naming strings: a PDF names the font in
    // its descriptor and maps glyphs to text by /ToUnicode, and a font
    // program embedded for a CIDFontType2 needs neither (PDF 32000-1 9.9);
    // they were 3 KB of the sample agenda.
    tables.retain(|(tag, _)| tag != b"post" && tag != b"name");
    let head = tables.iter().position(|(t, _)| t == b"head")?;
    let n = tables.len();
    // Reassemble with fresh offsets and checksums.
    let checksum = |d: &[u8]| -> u32 {
        d.chunks(4).fold(0u32, |s, c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            s.wrapping_add(u32::from_be_bytes(w))
        })
    };
    tables[head].1.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    let mut out = font[..4].to_vec();
    let log = (usize::BITS - 1 - n.leading_zeros()) as usize;
    let range = 16usize << log;
    for v in [n, range, log, n * 16 - range] {
        out.extend_from_slice(&(v as u16).to_be_bytes());
    }
    let mut body = Vec::new();
    let data_start = 12 + 16 * n;
    for (tag, data) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&((data_start + body.len()) as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    out.extend_from_slice(&body);
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let head_off = u32_at(&out, 12 + 16 * head + 8)? as usize;
    out.get_mut(head_off + 8..head_off + 12)?.copy_from_slice(&adjust.to_be_bytes());
    Some(out)
}

/// Applies [`strip_hints`] to every embedded TrueType program (`/FontFile2`).
pub(super) fn strip_embedded_hints(lo: &mut lopdf::Document) {
    for obj in lo.objects.values_mut() {
        let Object::Stream(stream) = obj else { continue };
        if stream.dict.get(b"Length1").is_err() {
            continue;
        }
        let program = if stream.dict.get(b"Filter").is_ok() {
            match stream.decompressed_content() {
                Ok(c) => c,
                Err(_) => continue,
            }
        } else {
            stream.content.clone()
        };
        if let Some(stripped) = strip_hints(&program) {
            stream.dict.remove(b"Filter");
            stream.dict.set("Length1", Object::Integer(stripped.len() as i64));
            stream.set_content(stripped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_stripping_keeps_every_glyph_and_shrinks_the_font() {
        let font = crate::fonts::IPAEX_GOTHIC;
        let stripped = strip_hints(font).expect("IPAex is plain TrueType");
        assert!(stripped.len() < font.len() * 9 / 10, "{} -> {}", font.len(), stripped.len());
        let a = ttf_parser::Face::parse(font, 0).unwrap();
        let b = ttf_parser::Face::parse(&stripped, 0).unwrap();
        assert_eq!(a.number_of_glyphs(), b.number_of_glyphs());
        for ch in "議案令和ABC、。".chars() {
            let (ga, gb) = (a.glyph_index(ch).unwrap(), b.glyph_index(ch).unwrap());
            assert_eq!(ga, gb);
            assert_eq!(a.glyph_bounding_box(ga), b.glyph_bounding_box(gb), "{ch}");
            struct Count(usize);
            impl ttf_parser::OutlineBuilder for Count {
                fn move_to(&mut self, _: f32, _: f32) {
                    self.0 += 1
                }
                fn line_to(&mut self, _: f32, _: f32) {
                    self.0 += 1
                }
                fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {
                    self.0 += 1
                }
                fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {
                    self.0 += 1
                }
                fn close(&mut self) {
                    self.0 += 1
                }
            }
            let (mut ca, mut cb) = (Count(0), Count(0));
            a.outline_glyph(ga, &mut ca);
            b.outline_glyph(gb, &mut cb);
            assert_eq!(ca.0, cb.0, "outline of {ch} unchanged");
        }
        assert_eq!(strip_hints(b"not a font"), None);
        // The tables a PDF does not use are gone; the directory is sound.
        assert!(b.tables().post.is_none() && b.tables().name.is_none());
        assert!(a.tables().post.is_some());
        let raw = ttf_parser::RawFace::parse(&stripped, 0).unwrap();
        let n = raw.table_records.len() as usize;
        assert_eq!(u16::from_be_bytes([stripped[4], stripped[5]]) as usize, n);
        assert_eq!(u16::from_be_bytes([stripped[6], stripped[7]]) as usize, 16 << (usize::BITS - 1 - n.leading_zeros()));
    }
}
