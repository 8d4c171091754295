//! Fonts: the embedded IPAex Mincho / Gothic pair, fonts chosen by path, and
//! the advance-width metrics that the typesetter measures with.
//!
//! printpdf does no measuring, so every width in the layout comes from here:
//! the font's `cmap` maps a character to a glyph and `hmtx` gives its advance.
//! The same bytes are later cut to a subset for embedding (`pdf::fonts`), so
//! the glyph the layout measured is the glyph that is drawn.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;

/// IPAex明朝, shipped in `fonts/` and embedded in the binary.
pub const IPAEX_MINCHO: &[u8] = include_bytes!("../fonts/ipaexm.ttf");
/// IPAexゴシック, shipped in `fonts/` and embedded in the binary.
pub const IPAEX_GOTHIC: &[u8] = include_bytes!("../fonts/ipaexg.ttf");

/// The two typefaces of an official Japanese document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// 明朝: body text.
    Mincho,
    /// ゴシック: headings, labels, table heads.
    Gothic,
}

impl Family {
    /// Both families, in a fixed order.
    pub const ALL: [Family; 2] = [Family::Mincho, Family::Gothic];

    /// The other family, used as a fallback when a glyph is missing.
    pub fn other(self) -> Family {
        match self {
            Family::Mincho => Family::Gothic,
            Family::Gothic => Family::Mincho,
        }
    }

    /// Japanese name for messages.
    pub fn label(self) -> &'static str {
        match self {
            Family::Mincho => "明朝",
            Family::Gothic => "ゴシック",
        }
    }
}

/// Where a font comes from: `PATH` or `PATH#INDEX` for a face in a `.ttc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSpec {
    /// File path of a `.ttf`, `.otf` or `.ttc`.
    pub path: PathBuf,
    /// Face index inside a collection; 0 for a single-face file.
    pub index: u32,
}

impl FontSpec {
    /// Parses `PATH` or `PATH#INDEX` (`C:\Windows\Fonts\msmincho.ttc#0`).
    /// A path that exists as given is taken whole, even if it contains `#`.
    pub fn parse(s: &str) -> Result<FontSpec, Error> {
        if Path::new(s).exists() {
            return Ok(FontSpec { path: PathBuf::from(s), index: 0 });
        }
        if let Some((path, idx)) = s.rsplit_once('#') {
            let index = idx.trim().parse::<u32>().map_err(|_| {
                Error::input(format!("フォント指定「{s}」の「#」の後ろはフォント番号（0, 1, 2 …）にしてください。"))
            })?;
            return Ok(FontSpec { path: PathBuf::from(path), index });
        }
        Ok(FontSpec { path: PathBuf::from(s), index: 0 })
    }
}

/// One loaded face: its bytes (for embedding) and its metrics (for measuring).
#[derive(Clone)]
pub struct Font {
    /// Display name (PostScript or family name) for messages and `pdffonts`.
    pub name: String,
    /// The font file; shared, never copied per document.
    pub bytes: Arc<[u8]>,
    /// Face index inside the file.
    pub index: u32,
    units_per_em: f32,
    /// Ascender in em (positive).
    pub ascent: f32,
    /// Descender in em (positive distance below the baseline).
    pub descent: f32,
    /// Character → (glyph id, advance in font units); shared between clones.
    glyphs: Arc<GlyphMap>,
}

/// Character → (glyph id, advance in font units). The Basic Multilingual
/// Plane is a table indexed by code point (256 KB): layout and PDF writing
/// look up every character of a document, and a hash lookup was a tenth of
/// the layout time of a large report.
struct GlyphMap {
    /// Indexed by code point; glyph id 0 means no glyph.
    bmp: Vec<(u16, u16)>,
    /// Characters beyond U+FFFF.
    other: HashMap<char, (u16, u16)>,
    len: usize,
}

impl GlyphMap {
    fn new() -> GlyphMap {
        GlyphMap { bmp: vec![(0, 0); 0x10000], other: HashMap::new(), len: 0 }
    }

    /// Keeps the first glyph given for a character.
    fn insert(&mut self, ch: char, glyph: (u16, u16)) {
        let slot = match self.bmp.get_mut(ch as usize) {
            Some(slot) if slot.0 == 0 => slot,
            Some(_) => return,
            None => self.other.entry(ch).or_insert((0, 0)),
        };
        if slot.0 == 0 {
            *slot = glyph;
            self.len += 1;
        }
    }

    fn get(&self, ch: char) -> Option<(u16, u16)> {
        let g = match self.bmp.get(ch as usize) {
            Some(g) => *g,
            None => *self.other.get(&ch)?,
        };
        (g.0 != 0).then_some(g)
    }
}

impl fmt::Debug for Font {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name)
            .field("index", &self.index)
            .field("glyphs", &self.glyphs.len)
            .finish()
    }
}

impl Font {
    /// Parses a face from bytes. `origin` names the file for messages.
    pub fn from_bytes(bytes: Arc<[u8]>, index: u32, origin: &str) -> Result<Font, Error> {
        let face = ttf_parser::Face::parse(&bytes, index).map_err(|e| {
            Error::input(format!(
                "フォント「{origin}」（番号 {index}）を読み込めません: {e}。\
                 TrueType/OpenType（.ttf/.otf）または .ttc とその番号を指定してください。"
            ))
        })?;
        // The PDF writer names glyphs by their ids and maps them to the
        // embedded subset with a /CIDToGIDMap, which only TrueType-flavoured
        // CID fonts have: a CFF font would show wrong glyphs.
        if face.tables().glyf.is_none() {
            return Err(Error::input(format!(
                "フォント「{origin}」は CFF（PostScript）アウトラインの OpenType フォントなので、PDF に正しく埋め込めません。\
                 TrueType アウトラインのフォント（多くの .ttf / .ttc、例: IPAex、MS 明朝、游明朝）を指定してください。"
            )));
        }
        let units_per_em = face.units_per_em() as f32;
        let mut glyphs = GlyphMap::new();
        if let Some(cmap) = face.tables().cmap {
            for sub in cmap.subtables {
                if !sub.is_unicode() {
                    continue;
                }
                sub.codepoints(|cp| {
                    if let (Some(ch), Some(gid)) = (char::from_u32(cp), sub.glyph_index(cp)) {
                        if gid.0 != 0 {
                            let adv = face.glyph_hor_advance(gid).unwrap_or(0);
                            glyphs.insert(ch, (gid.0, adv));
                        }
                    }
                });
            }
        }
        if glyphs.len == 0 {
            return Err(Error::input(format!(
                "フォント「{origin}」には Unicode の文字表（cmap）がありません。別のフォントを指定してください。"
            )));
        }
        // The PostScript name, from a Unicode record or else a Mac Roman one
        // (PostScript names are ASCII).
        let ps_names = || face.names().into_iter().filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME);
        let name = ps_names()
            .find_map(|n| n.to_string())
            .or_else(|| {
                ps_names()
                    .map(|n| n.name)
                    .find(|b| !b.is_empty() && b.is_ascii())
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })
            .unwrap_or_else(|| origin.to_string());
        let (asc, desc) = (face.ascender() as f32, -(face.descender() as f32));
        let total = (asc + desc).max(1.0);
        // Normalise to one em so that the em box is centred in the line box.
        Ok(Font {
            name,
            index,
            units_per_em,
            ascent: asc / total,
            descent: desc / total,
            glyphs: Arc::new(glyphs),
            bytes,
        })
    }

    /// Loads a face from a file chosen by the user.
    pub fn from_spec(spec: &FontSpec) -> Result<Font, Error> {
        let origin = spec.path.display().to_string();
        let bytes = std::fs::read(&spec.path)
            .map_err(|e| Error::input(format!("フォントファイル「{origin}」を開けません: {e}")))?;
        Font::from_bytes(Arc::from(bytes), spec.index, &origin)
    }

    /// True when the face has a glyph for `ch`.
    pub fn has(&self, ch: char) -> bool {
        self.glyphs.get(ch).is_some()
    }

    /// The glyph id of `ch` in the face's `cmap`, or `None` when it lacks it.
    pub fn glyph(&self, ch: char) -> Option<u16> {
        self.glyphs.get(ch).map(|(gid, _)| gid)
    }

    /// Advance width of `ch` in em, or `None` when the face lacks it.
    pub fn advance(&self, ch: char) -> Option<f32> {
        self.glyphs.get(ch).map(|(_, adv)| adv as f32 / self.units_per_em)
    }
}

/// The Mincho / Gothic pair a document is set in.
#[derive(Debug, Clone)]
pub struct FontSet {
    /// Body face.
    pub mincho: Font,
    /// Heading face.
    pub gothic: Font,
}

impl FontSet {
    /// The embedded IPAex pair, parsed once per process and shared.
    pub fn embedded() -> FontSet {
        static EMBEDDED: std::sync::OnceLock<FontSet> = std::sync::OnceLock::new();
        EMBEDDED
            .get_or_init(|| FontSet {
                mincho: Font::from_bytes(Arc::from(IPAEX_MINCHO), 0, "ipaexm.ttf")
                    .expect("embedded IPAex Mincho parses"),
                gothic: Font::from_bytes(Arc::from(IPAEX_GOTHIC), 0, "ipaexg.ttf")
                    .expect("embedded IPAex Gothic parses"),
            })
            .clone()
    }

    /// The embedded pair with either face replaced by a user's font.
    pub fn with_overrides(mincho: Option<&FontSpec>, gothic: Option<&FontSpec>) -> Result<FontSet, Error> {
        let embedded = FontSet::embedded();
        let mincho = match mincho {
            Some(spec) => Font::from_spec(spec)?,
            None => embedded.mincho,
        };
        let gothic = match gothic {
            Some(spec) => Font::from_spec(spec)?,
            None => embedded.gothic,
        };
        Ok(FontSet { mincho, gothic })
    }

    /// The face of a family.
    pub fn get(&self, family: Family) -> &Font {
        match family {
            Family::Mincho => &self.mincho,
            Family::Gothic => &self.gothic,
        }
    }

    /// The family that will draw `ch` when `wanted` is asked for: the wanted
    /// face if it has the glyph, else the other face, else `None` (an error
    /// for the caller: no text may silently disappear).
    pub fn resolve(&self, wanted: Family, ch: char) -> Option<Family> {
        if self.get(wanted).has(ch) {
            Some(wanted)
        } else if self.get(wanted.other()).has(ch) {
            Some(wanted.other())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_font_without_truetype_outlines_is_refused_by_name() {
        // IPAex with its `glyf` table renamed: what a CFF-flavoured OpenType
        // font looks like to the check.
        let mut bytes = IPAEX_GOTHIC.to_vec();
        let n = u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
        let rec = (0..n).map(|i| 12 + 16 * i).find(|&r| &bytes[r..r + 4] == b"glyf").unwrap();
        bytes[rec..rec + 4].copy_from_slice(b"xxxx");
        let e = Font::from_bytes(Arc::from(bytes), 0, "Noto.otf").unwrap_err();
        assert!(e.message.contains("Noto.otf") && e.message.contains("CFF"), "{}", e.message);
    }

    #[test]
    fn embedded_fonts_cover_japanese_and_latin() {
        let fonts = FontSet::embedded();
        for ch in "第３号議案令和二年度（１）ー々ゃABC123、。「」　".chars() {
            assert!(fonts.mincho.has(ch), "mincho lacks {ch}");
            assert!(fonts.gothic.has(ch), "gothic lacks {ch}");
        }
        assert_eq!(fonts.mincho.advance('議'), Some(1.0));
        let a = fonts.mincho.advance('a').unwrap();
        assert!(a > 0.3 && a < 0.7, "proportional Latin in IPAex: {a}");
        assert!(!fonts.mincho.has('😀'));
        assert_eq!(fonts.resolve(Family::Mincho, '😀'), None);
    }

    /// Builds a TrueType collection (.ttc) from single fonts, as Windows'
    /// msmincho.ttc is built: a `ttcf` header, then each font with its table
    /// offsets made relative to the start of the file.
    fn make_ttc(fonts: &[&[u8]]) -> Vec<u8> {
        let header_len = 12 + 4 * fonts.len();
        let mut out = Vec::new();
        out.extend_from_slice(b"ttcf");
        out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        out.extend_from_slice(&(fonts.len() as u32).to_be_bytes());
        let mut body = Vec::new();
        for f in fonts {
            let base = header_len + body.len();
            out.extend_from_slice(&(base as u32).to_be_bytes());
            let mut f = f.to_vec();
            let n = u16::from_be_bytes([f[4], f[5]]) as usize;
            for i in 0..n {
                let at = 12 + 16 * i + 8;
                let off = u32::from_be_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]]) + base as u32;
                f[at..at + 4].copy_from_slice(&off.to_be_bytes());
            }
            body.extend_from_slice(&f);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn a_face_is_chosen_by_index_in_a_collection() {
        let dir = tempfile::tempdir().unwrap();
        let ttc = dir.path().join("pair.ttc");
        std::fs::write(&ttc, make_ttc(&[IPAEX_MINCHO, IPAEX_GOTHIC])).unwrap();
        let spec = FontSpec::parse(&format!("{}#1", ttc.display())).unwrap();
        let font = Font::from_spec(&spec).unwrap();
        assert_eq!(font.name, "IPAexGothic");
        let font = Font::from_spec(&FontSpec::parse(ttc.to_str().unwrap()).unwrap()).unwrap();
        assert_eq!(font.name, "IPAexMincho");
        let err = Font::from_spec(&FontSpec::parse(&format!("{}#5", ttc.display())).unwrap()).unwrap_err();
        assert!(err.message.contains("番号 5"), "{}", err.message);
        // And the PDF writer embeds the chosen face.
        let fonts = FontSet::with_overrides(Some(&spec), None).unwrap();
        let pdf =
            crate::markup_to_pdf("<document><p>明朝の代わり</p></document>", "t", &fonts, &Default::default()).unwrap();
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let names: Vec<Vec<u8>> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok()?.get(b"BaseFont").ok()?.as_name().ok().map(<[u8]>::to_vec))
            .collect();
        assert!(
            names.iter().any(|n| n.ends_with(b"+IPAexGothic")),
            "the Gothic face from the .ttc is embedded: {names:?}"
        );
    }

    #[test]
    fn font_spec_parses_collection_index() {
        let spec = FontSpec::parse("/no/such/msmincho.ttc#1").unwrap();
        assert_eq!(spec.index, 1);
        assert_eq!(spec.path, PathBuf::from("/no/such/msmincho.ttc"));
        assert!(FontSpec::parse("/no/such/x.ttc#a").is_err());
    }
}
