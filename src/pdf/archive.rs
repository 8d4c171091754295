//! PDF/A-2b (ISO 19005-2, level B), on request (`--pdf-standard a-2b` or
//! `<document pdf-standard="a-2b">`): the XMP metadata stream that
//! identifies the file as PDF/A-2b and repeats the document information,
//! and an sRGB output intent with its ICC profile embedded (the pages draw
//! in DeviceRGB).
//!
//! What else PDF/A-2b asks for, every keikaku PDF already has: every font
//! embedded (as subsets, with `/W` from the font's own advances and a
//! `/CIDToGIDMap` stream), a trailer `/ID`, no encryption, no JavaScript,
//! no transparency, a binary comment after the header. The files are
//! tagged too, but declare level B only (see docs/markup.md).

use lopdf::{Dictionary, Object, StringFormat};

use super::file::FileWriter;
use super::outline::text_string;
use super::PdfOptions;
use crate::error::Error;
use crate::markup::Meta;

/// The sRGB IEC61966-2.1 profile of the output intent (icc/README.md).
pub const SRGB_ICC: &[u8] = include_bytes!("../../icc/sRGB.icc");

/// The output condition the intent names.
const SRGB_NAME: &str = "sRGB IEC61966-2.1";

/// Object numbers of the PDF/A objects.
#[derive(Debug, Clone, Copy)]
pub(super) struct ArchiveIds {
    /// The XMP metadata stream (`/Metadata` of the catalog).
    pub(super) metadata: u32,
    /// The ICC profile of the output intent.
    pub(super) icc: u32,
}

/// The date of `secs` as (PDF date, XMP date), both in UTC.
fn dates(secs: i64) -> Result<(String, String), Error> {
    let d = super::date(secs)?;
    let (y, mo, da, h, mi, s) = (d.year(), d.month() as u8, d.day(), d.hour(), d.minute(), d.second());
    Ok((
        format!("D:{y:04}{mo:02}{da:02}{h:02}{mi:02}{s:02}+00'00'"),
        format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}+00:00"),
    ))
}

/// Text for XML content.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The document information entries, written the same in the Info
/// dictionary and in the XMP (PDF/A-2 6.6.2.3.1 wants them equivalent).
struct Entries {
    title: String,
    author: String,
    subject: String,
    keywords: String,
    producer: String,
    dates: Option<(String, String)>,
}

impl Entries {
    fn of(meta: &Meta, opts: &PdfOptions) -> Result<Entries, Error> {
        Ok(Entries {
            title: meta.title.clone(),
            author: meta.author.clone(),
            subject: meta.subject.clone(),
            keywords: meta.keywords.join(", "),
            producer: super::PRODUCER.to_string(),
            dates: opts.date.map(dates).transpose()?,
        })
    }
}

/// Rewrites the Info dictionary of `lo` from `meta` (so that it says what
/// the XMP says) and drops `/Trapped`, which the XMP does not repeat.
pub(super) fn info(lo: &mut lopdf::Document, meta: &Meta, opts: &PdfOptions) -> Result<(), Error> {
    let e = Entries::of(meta, opts)?;
    let Ok(Object::Reference(id)) = lo.trailer.get(b"Info").cloned() else { return Ok(()) };
    let Ok(Object::Dictionary(d)) = lo.get_object_mut(id) else { return Ok(()) };
    let mut info = Dictionary::new();
    for (key, value) in [("Title", &e.title), ("Author", &e.author), ("Subject", &e.subject), ("Keywords", &e.keywords)]
    {
        if !value.is_empty() {
            info.set(key, text_string(value));
        }
    }
    info.set("Creator", text_string("keikaku"));
    info.set("Producer", text_string(&e.producer));
    if let Some((pdf_date, _)) = &e.dates {
        info.set("CreationDate", Object::String(pdf_date.as_bytes().to_vec(), StringFormat::Literal));
        info.set("ModDate", Object::String(pdf_date.as_bytes().to_vec(), StringFormat::Literal));
    }
    *d = info;
    Ok(())
}

/// The XMP metadata packet: PDF/A-2b identification and the document
/// information.
pub(super) fn xmp(meta: &Meta, opts: &PdfOptions) -> Result<Vec<u8>, Error> {
    let e = Entries::of(meta, opts)?;
    let mut s = String::from(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         <pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
         <dc:format>application/pdf</dc:format>\n",
    );
    let lang = xml(if meta.lang.is_empty() { "x-default" } else { &meta.lang });
    if !e.title.is_empty() {
        s.push_str(&format!(
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
            xml(&e.title)
        ));
    }
    if !e.author.is_empty() {
        s.push_str(&format!("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n", xml(&e.author)));
    }
    if !e.subject.is_empty() {
        s.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            xml(&e.subject)
        ));
    }
    s.push_str(&format!("<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n"));
    if !e.keywords.is_empty() {
        s.push_str(&format!("<pdf:Keywords>{}</pdf:Keywords>\n", xml(&e.keywords)));
    }
    s.push_str(&format!("<pdf:Producer>{}</pdf:Producer>\n<xmp:CreatorTool>keikaku</xmp:CreatorTool>\n", xml(&e.producer)));
    if let Some((_, date)) = &e.dates {
        s.push_str(&format!(
            "<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
             <xmp:MetadataDate>{date}</xmp:MetadataDate>\n"
        ));
    }
    s.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
    Ok(s.into_bytes())
}

/// The catalog's `/OutputIntents`: sRGB, its profile object `icc`.
pub(super) fn output_intents(icc: u32) -> Object {
    let text = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set("OutputConditionIdentifier", text(SRGB_NAME));
    intent.set("Info", text(SRGB_NAME));
    intent.set("DestOutputProfile", Object::Reference((icc, 0)));
    Object::Array(vec![Object::Dictionary(intent)])
}

/// Writes the XMP stream (not compressed, so that any reader finds the
/// identification) and the ICC profile.
pub(super) fn write_objects<W: std::io::Write>(
    w: &mut FileWriter<W>,
    ids: ArchiveIds,
    xmp: &[u8],
) -> std::io::Result<()> {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    w.stream(ids.metadata, &dict, xmp)?;
    let profile = super::file::deflate_io(SRGB_ICC)?;
    let mut dict = Dictionary::new();
    dict.set("N", Object::Integer(3));
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    w.stream(ids.icc, &dict, &profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_an_rgb_display_profile() {
        assert_eq!(&SRGB_ICC[36..40], b"acsp", "ICC signature");
        assert_eq!(&SRGB_ICC[16..20], b"RGB ", "colour space");
        assert_eq!(u32::from_be_bytes(SRGB_ICC[0..4].try_into().unwrap()) as usize, SRGB_ICC.len());
    }

    #[test]
    fn dates_agree_between_info_and_xmp() {
        let (pdf, xmp) = dates(1_700_000_000).unwrap();
        assert_eq!(pdf, "D:20231114221320+00'00'");
        assert_eq!(xmp, "2023-11-14T22:13:20+00:00");
    }
}
