//! Checks on an untrusted file before any spreadsheet parser sees it.
//!
//! calamine trusts its input: a zip bomb makes it inflate whatever the archive
//! holds, a sheet with cells at A1 and XFD1048576 makes `worksheet_range`
//! allocate the whole rectangle (and abort the process), and an `.xls` or
//! `.ods` file is parsed in full when it is opened. So every file is checked
//! here first, on bytes already in memory:
//!
//! - what the file really is, from its first bytes (not its extension);
//! - for zip files (xlsx, xlsm, ods): the number of entries, every entry's
//!   declared size and compression ratio, and then the real inflated size of
//!   every entry, counted while inflating — an entry that inflates to more
//!   than it declared, or a broken stream (its CRC), stops here. An xlsx
//!   whose entries declare at most [`REPACK_MAX_BYTES`] in all is kept as
//!   it inflates, stored again uncompressed ([`Checked::repacked`]), and
//!   calamine reads those checked bytes instead of inflating everything a
//!   second time (a tenth of the time of reading a thousand returned
//!   workbooks); a larger one is counted into nothing and inflated again by
//!   calamine, so the guard never holds more than that bound;
//! - for `.ods`: the extent of the cells in `content.xml`, counting the
//!   `number-rows-repeated` / `number-columns-repeated` expansions;
//! - for `.xls`: the records of the workbook stream, for cells beyond the
//!   bounds and for a password (FILEPASS).
//!
//! xlsx sheets are bounded while they are read (see `super::read_xlsx`).

use std::io::{Cursor, Read};

use super::limits::*;
use super::Format;
use crate::workbook::cell::CellRef;

pub use crate::diagnostic::Refused as Reason;

/// Why a file was refused: its [`Reason`], and the sentence users read (in
/// Japanese, without the file name: the caller adds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What kind of refusal it is.
    pub reason: Reason,
    /// What is wrong and what to do.
    pub message: String,
}

impl Refusal {
    /// A refusal of `reason`, in words.
    pub fn new(reason: Reason, message: impl Into<String>) -> Refusal {
        Refusal { reason, message: message.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// What to do with a file that is not a workbook keikaku can read.
const RESAVE: &str =
    "Excel で開ける場合は「名前を付けて保存」で「Excel ブック (*.xlsx)」形式にしてから指定してください。";

/// The file's kind from its bytes, with the zip or OLE checks done.
pub fn check(bytes: &[u8]) -> Result<Checked, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::new(
            Reason::Empty,
            "空のファイルです（0 バイト）。保存が途中で止まったか、別のファイルを指定していないか確かめてください。",
        ));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::new(
            Reason::TooLarge,
            format!(
                "ファイルが大きすぎます（{} MB）。扱えるのは {} MB までです。",
                bytes.len() as u64 / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ),
        ));
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        return check_zip(bytes);
    }
    if bytes.starts_with(CFB_MAGIC) {
        return check_cfb(bytes);
    }
    Err(Refusal::new(
        Reason::NotAWorkbook,
        format!("Excel のブックではありません（{}）。{RESAVE}", describe_other(bytes)),
    ))
}

/// A file that passed the checks.
#[derive(Debug)]
pub struct Checked {
    /// The workbook format.
    pub format: Format,
    /// xlsx: the workbook uses the 1904 date system.
    pub date1904: bool,
    /// xlsx: when the workbook was last saved (docProps/core.xml
    /// `dcterms:modified`, else `dcterms:created`), as written: 2026-11-20T01:02:03Z.
    pub saved: Option<String>,
    /// xlsx: the custom document properties (docProps/custom.xml), name and
    /// value as text, in file order.
    pub properties: Vec<(String, String)>,
    /// xlsx of at most [`REPACK_MAX_BYTES`]: the same entries, as the guard
    /// inflated and checked them, in a zip that stores them uncompressed;
    /// the workbook is read from these bytes.
    pub repacked: Option<Vec<u8>>,
}

/// The largest xlsx (the sum of its entries' declared sizes) that the guard
/// keeps inflated for the parser ([`Checked::repacked`]). Returned
/// workbooks are a few hundred kilobytes inflated.
pub const REPACK_MAX_BYTES: u64 = 32_000_000;

/// A zip of `entries` (name, bytes) stored uncompressed, in order; `None`
/// when the zip writer refuses one (a duplicate or odd name): the caller
/// then reads the original file.
fn stored_zip(entries: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
    let total: usize = entries.iter().map(|(n, b)| n.len() * 2 + b.len() + 100).sum();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(total + 100)));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in entries {
        if name.ends_with('/') {
            zip.add_directory(name.as_str(), options).ok()?;
            continue;
        }
        zip.start_file(name.as_str(), options).ok()?;
        std::io::Write::write_all(&mut zip, bytes).ok()?;
    }
    Some(zip.finish().ok()?.into_inner())
}

/// A guess at what a non-workbook file is, for the message.
fn describe_other(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(512)];
    if head.starts_with(b"%PDF") {
        return "PDF ファイルです".into();
    }
    if head.starts_with(b"\x89PNG") || head.starts_with(b"\xFF\xD8\xFF") || head.starts_with(b"GIF8") {
        return "画像ファイルです".into();
    }
    if head.starts_with(b"Rar!") || head.starts_with(b"7z\xBC\xAF") || head.starts_with(b"\x1F\x8B") {
        return "圧縮ファイル（rar / 7z / gz）です".into();
    }
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    if lower.contains("<html") || lower.contains("<!doctype") || lower.contains("<table") {
        return "HTML ファイルです（Web ページやシステムから出力された「Excel 形式」の表の場合があります）".into();
    }
    if lower.starts_with("<?xml") {
        return "XML ファイルです（Excel 2003 XML 形式の場合があります）".into();
    }
    if std::str::from_utf8(head).is_ok() || head.iter().all(|b| *b >= 0x09) {
        return "テキストファイルです（CSV の場合は Excel で開いて保存し直してください）".into();
    }
    format!(
        "先頭のバイトが {:02X} {:02X} {:02X} {:02X} の、種類のわからないファイルです",
        head[0],
        head.get(1).copied().unwrap_or(0),
        head.get(2).copied().unwrap_or(0),
        head.get(3).copied().unwrap_or(0)
    )
}

fn broken_zip(detail: impl std::fmt::Display) -> Refusal {
    Refusal::new(Reason::Broken, format!(
        "ファイルが壊れています（zip 形式として読めません: {detail}）。コピーやダウンロードが途中で切れていないか確かめ、元のファイルをもう一度保存して送ってもらってください。"
    ))
}

fn check_zip(bytes: &[u8]) -> Result<Checked, Refusal> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(broken_zip)?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(Refusal::new(Reason::TooLarge, format!("zip の中のファイルが多すぎます（{} 個、扱えるのは {MAX_ZIP_ENTRIES} 個まで）。Excel のブックとしては不自然です。", zip.len())));
    }
    // 1. Names and declared sizes, before inflating anything.
    let mut names = Vec::with_capacity(zip.len());
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(broken_zip)?;
        let name = f.name().map_err(broken_zip)?.into_owned();
        if f.encrypted() {
            return Err(encrypted_message());
        }
        let size = f.size();
        let packed = f.compressed_size().max(1);
        if size > MAX_ZIP_ENTRY_BYTES {
            return Err(bomb(&name, size));
        }
        if size >= RATIO_CHECK_FROM_BYTES && size / packed > MAX_ZIP_RATIO {
            return Err(Refusal::new(Reason::TooLarge, format!(
                "zip の中の {name} が異常に高い圧縮率です（{} バイトが {} バイトに展開される、{} 倍）。展開するとメモリを使い尽くす「zip 爆弾」の可能性があるため読みません。",
                packed,
                size,
                size / packed
            )));
        }
        declared_total = declared_total.saturating_add(size);
        if declared_total > MAX_ZIP_TOTAL_BYTES {
            return Err(bomb("（全体）", declared_total));
        }
        names.push(name);
    }
    // 2. What kind of zip this is.
    let has = |n: &str| names.iter().any(|x| x == n);
    let format = if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("mimetype") {
        let mut f = zip.by_name("mimetype").map_err(broken_zip)?;
        let mut mime = Vec::new();
        f.by_ref().take(200).read_to_end(&mut mime).map_err(broken_zip)?;
        if mime.starts_with(ODS_MIME) && !mime.starts_with(b"application/vnd.oasis.opendocument.spreadsheet-template") {
            Format::Ods
        } else if mime.starts_with(b"application/vnd.oasis.opendocument.text") {
            return Err(Refusal::new(
                Reason::NotAWorkbook,
                format!("OpenDocument の文書（.odt）で、表計算のブックではありません。{RESAVE}"),
            ));
        } else {
            return Err(Refusal::new(
                Reason::NotAWorkbook,
                format!("OpenDocument の表計算以外のファイルです（{}）。{RESAVE}", String::from_utf8_lossy(&mime)),
            ));
        }
    } else if has("xl/workbook.bin") {
        return Err(Refusal::new(Reason::NotAWorkbook, format!("Excel バイナリブック（.xlsb）は読めません。{RESAVE}")));
    } else if has("word/document.xml") {
        return Err(Refusal::new(
            Reason::NotAWorkbook,
            format!("Word の文書（.docx）で、Excel のブックではありません。{RESAVE}"),
        ));
    } else if names.iter().any(|n| n.starts_with("ppt/")) {
        return Err(Refusal::new(
            Reason::NotAWorkbook,
            format!("PowerPoint のファイル（.pptx）で、Excel のブックではありません。{RESAVE}"),
        ));
    } else if has("EncryptedPackage") {
        return Err(encrypted_message());
    } else {
        return Err(Refusal::new(
            Reason::NotAWorkbook,
            format!("zip ファイルですが、Excel のブックではありません（中身: {}）。{RESAVE}", preview(&names)),
        ));
    };
    // 3. Inflate every entry: the real sizes, and the streams' CRCs; small
    //    xlsx files are kept as they inflate, for the parser.
    let repack = format == Format::Xlsx && declared_total <= REPACK_MAX_BYTES;
    let mut inflated: Vec<(String, Vec<u8>)> = Vec::with_capacity(if repack { names.len() } else { 0 });
    let mut date1904 = false;
    let mut saved = None;
    let mut properties = Vec::new();
    let mut ods_content = None;
    let mut real_total: u64 = 0;
    for (i, name) in names.iter().enumerate() {
        let mut f = zip.by_index(i).map_err(broken_zip)?;
        let name = name.clone();
        let declared = f.size();
        let keep =
            (format == Format::Xlsx && name == "xl/workbook.xml") || (format == Format::Ods && name == "content.xml");
        let strings = format == Format::Xlsx && name.to_ascii_lowercase().ends_with("sharedstrings.xml");
        let core = format == Format::Xlsx && name == "docProps/core.xml";
        let custom = format == Format::Xlsx && name == "docProps/custom.xml";
        let mut kept = Vec::new();
        let mut whole = Vec::with_capacity(if repack { declared as usize } else { 0 });
        let mut counted: u64 = 0;
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = f.read(&mut buf).map_err(|e| {
                if e.to_string().contains("larger than its declared") {
                    Refusal::new(Reason::Broken, format!("zip の中の {name} が宣言された大きさ（{declared} バイト）より大きく展開されます。壊れているか、細工されたファイルです。"))
                } else {
                    broken_zip(format!("{name}: {e}"))
                }
            })?;
            if n == 0 {
                break;
            }
            counted += n as u64;
            if counted > declared || counted > MAX_ZIP_ENTRY_BYTES {
                return Err(Refusal::new(Reason::Broken, format!(
                    "zip の中の {name} が宣言された大きさ（{declared} バイト）より大きく展開されます。壊れているか、細工されたファイルです。"
                )));
            }
            if keep || ((strings || core || custom) && kept.len() < 64 * 1024) {
                kept.extend_from_slice(&buf[..n]);
            }
            if repack {
                whole.extend_from_slice(&buf[..n]);
            }
        }
        // The stream ended: the zip reader has checked its CRC.
        if repack {
            inflated.push((name.clone(), whole));
        }
        if strings {
            check_shared_strings(&name, &kept, counted)?;
            kept.clear();
        }
        if core {
            saved = element_text(&kept, "modified").or_else(|| element_text(&kept, "created"));
            kept.clear();
        }
        if custom {
            properties = custom_properties(&kept);
            kept.clear();
        }
        real_total += counted;
        if real_total > MAX_ZIP_TOTAL_BYTES {
            return Err(bomb("（全体）", real_total));
        }
        if keep && format == Format::Xlsx {
            date1904 = uses_1904(&kept);
        } else if keep {
            ods_content = Some(kept);
        }
    }
    if let Some(content) = ods_content {
        check_ods_extent(&content)?;
    } else if format == Format::Ods {
        return Err(broken_zip("content.xml がありません"));
    }
    let repacked = if repack { stored_zip(&inflated) } else { None };
    Ok(Checked { format, date1904, saved, properties, repacked })
}

/// The first element with this local name in an XML text, if any (XML
/// errors end the search: calamine reports them when it parses).
fn first_element(xml: &[u8], local: &str) -> Option<quick_xml::events::BytesStart<'static>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == local => {
                return Some(e.into_owned())
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The text of the first element with this local name (bounded: at most 64
/// characters, enough for a date).
fn element_text(xml: &[u8], local: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == local => inside = true,
            Ok(Event::Text(t)) if inside => {
                let text = t.into_inner().trim().to_string();
                return (!text.is_empty() && text.len() <= 64).then_some(text);
            }
            Ok(Event::End(_)) if inside => return None,
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The most custom properties kept (the rest are ignored).
const MAX_PROPERTIES: usize = 100;

/// Custom document properties: `<property name="…"><vt:lpwstr>value</vt:lpwstr></property>`
/// (any value type, as its text). At most [`MAX_PROPERTIES`], values of at
/// most 1,000 characters; XML errors end the list.
fn custom_properties(xml: &[u8]) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "property" => {
                let name = e.attributes().flatten().find(|a| a.key.as_ref() == "name").map(|a| a.value.to_string());
                current = name.map(|n| (n, String::new()));
            }
            Ok(Event::Text(t)) => {
                if let Some((_, v)) = current.as_mut() {
                    if v.chars().count() < 1_000 {
                        v.push_str(&t.into_inner());
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "property" => {
                if let Some(p) = current.take() {
                    out.push(p);
                    if out.len() >= MAX_PROPERTIES {
                        return out;
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
        buf.clear();
    }
}

/// calamine reserves room for `uniqueCount` strings up front: a count no
/// real table of that size could hold is refused. (`count` is the number of
/// cells that use a shared string, which may be far more than the table
/// holds; calamine does not use it.)
fn check_shared_strings(name: &str, head: &[u8], size: u64) -> Result<(), Refusal> {
    let Some(sst) = first_element(head, "sst") else { return Ok(()) };
    if let Some(v) = sst.attributes().flatten().find(|a| a.key.as_ref() == "uniqueCount") {
        let n: u64 = v.value.trim().parse().unwrap_or(u64::MAX);
        if n > size / 4 + 16 {
            return Err(Refusal::new(Reason::Broken, format!(
                "zip の中の {name} の文字列の数（uniqueCount=\"{}\"）が中身の大きさに合いません。壊れているか、細工されたファイルです。",
                v.value
            )));
        }
    }
    Ok(())
}

fn preview(names: &[String]) -> String {
    let mut v: Vec<&str> = names.iter().take(3).map(|s| s.as_str()).collect();
    if names.len() > 3 {
        v.push("…");
    }
    v.join(", ")
}

fn bomb(name: &str, size: u64) -> Refusal {
    Refusal::new(Reason::TooLarge, format!(
        "zip の中の {name} を展開すると {} MB になります（扱えるのは 1 つ {} MB、合計 {} MB まで）。展開するとメモリを使い尽くす「zip 爆弾」の可能性があるため読みません。",
        size / 1_000_000,
        MAX_ZIP_ENTRY_BYTES / 1_000_000,
        MAX_ZIP_TOTAL_BYTES / 1_000_000
    ))
}

/// The message for a workbook protected by a password to open.
pub fn encrypted_message() -> Refusal {
    Refusal::new(Reason::Encrypted, "パスワードで暗号化されたブックです。Excel で開き、「ファイル」→「情報」→「ブックの保護」→「パスワードを使用して暗号化」でパスワードを消して保存し直してから指定してください。（シートの保護だけなら、そのまま読めます）")
}

/// `<workbookPr date1904="1"/>` in xl/workbook.xml.
fn uses_1904(workbook_xml: &[u8]) -> bool {
    first_element(workbook_xml, "workbookPr").is_some_and(|e| {
        e.attributes()
            .flatten()
            .any(|a| a.key.local_name().as_ref() == "date1904" && matches!(a.value.as_ref(), "1" | "true"))
    })
}

/// `place` is the sheet as the user finds it: 「Sheet1」シート, or 2 枚目のシート.
fn out_of_bounds(place: &str, cell: CellRef) -> Refusal {
    Refusal::new(Reason::TooLarge, format!(
        "{place} {cell} にデータがあります。読めるのは {} 列 × {} 行（{}）までです。離れた場所に入力された不要なセル（書式だけのセルを含む）を削除して保存し直してください。",
        MAX_COLS,
        MAX_ROWS,
        CellRef::new(MAX_ROWS - 1, MAX_COLS - 1)
    ))
}

/// Refuses a cell beyond the row and column bounds, or a sheet whose cell
/// count went over [`MAX_CELLS`]. Shared by every format.
fn check_bounds(place: &str, row: u64, col: u64, cells: u64) -> Result<(), Refusal> {
    if row >= MAX_ROWS as u64 || col >= MAX_COLS as u64 {
        let cell = CellRef::new(row.min(u32::MAX as u64) as u32, col.min(u32::MAX as u64) as u32);
        return Err(out_of_bounds(place, cell));
    }
    if cells > MAX_CELLS as u64 {
        return Err(too_many_cells(place));
    }
    Ok(())
}

/// The cells with data seen so far, for formats that calamine reads into a
/// dense rectangle per sheet (`.xls`, `.ods`): the current sheet's cell
/// count and bounding box, and the bounding-box area of the sheets before it.
#[derive(Default)]
struct Tally {
    cells: u64,
    first: Option<(u64, u64)>,
    last: (u64, u64),
    earlier_area: u64,
}

impl Tally {
    fn area(&self) -> u64 {
        match self.first {
            Some((r, c)) => (self.last.0 - r + 1).saturating_mul(self.last.1 - c + 1),
            None => 0,
        }
    }

    /// Starts the next sheet.
    fn next_sheet(&mut self) {
        *self = Tally { earlier_area: self.earlier_area.saturating_add(self.area()), ..Tally::default() };
    }

    /// Adds the cells from (r0, c0) to (r1, c1): refuses them beyond the
    /// bounds, over the cell count, or when the sheet's bounding box grows
    /// beyond [`MAX_DENSE_AREA`].
    fn add(&mut self, place: &str, r0: u64, c0: u64, r1: u64, c1: u64) -> Result<(), Refusal> {
        self.cells = self.cells.saturating_add((r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
        check_bounds(place, r1, c1, self.cells)?;
        let (fr, fc) = self.first.get_or_insert((r0, c0));
        *fr = (*fr).min(r0);
        *fc = (*fc).min(c0);
        let (fr, fc) = (*fr, *fc);
        self.last = (self.last.0.max(r1), self.last.1.max(c1));
        if self.area() > MAX_DENSE_AREA {
            let cell = |r: u64, c: u64| CellRef::new(r as u32, c as u32);
            return Err(Refusal::new(Reason::TooLarge, format!(
                "{place} {} にデータがあります。データのある範囲（{}〜{}）が広すぎて読めません（{MAX_DENSE_AREA} セル分まで）。離れた場所に入力された不要なセルを削除して保存し直してください。",
                cell(r1, c1),
                cell(fr, fc),
                cell(self.last.0, self.last.1)
            )));
        }
        Ok(())
    }

    /// Refuses a workbook whose sheets' bounding boxes add up to more than
    /// twice [`MAX_DENSE_AREA`].
    fn finish(self) -> Result<(), Refusal> {
        let total = self.earlier_area.saturating_add(self.area());
        if total > MAX_DENSE_AREA * 2 {
            return Err(Refusal::new(Reason::TooLarge, format!(
                "シートのデータの範囲が合わせて広すぎます（{} セル分、{} セル分まで）。不要なシートやセルを削除してください。",
                total,
                MAX_DENSE_AREA * 2
            )));
        }
        Ok(())
    }
}

/// Error for a sheet whose cell count is too high.
pub fn too_many_cells(place: &str) -> Refusal {
    Refusal::new(
        Reason::TooLarge,
        format!("{place}のセルが多すぎます（{MAX_CELLS} 個まで）。keikaku の入力用のブックか確かめてください。"),
    )
}

fn attr_u64(e: &quick_xml::events::BytesStart, name: &str) -> Result<Option<u64>, Refusal> {
    for a in e.attributes().flatten() {
        if a.key.as_ref() == name {
            return a.value.trim().parse::<u64>().map(Some).map_err(|_| broken_ods());
        }
    }
    Ok(None)
}

fn broken_ods() -> Refusal {
    broken_zip("content.xml の表の記述が正しくありません")
}

/// Walks `content.xml` and refuses cells with content beyond the bounds,
/// counting repeated rows and columns the way calamine expands them. A cell
/// has content when it has a value attribute (`office:value-type`,
/// `office:value`, `office:*-value`, `table:formula`) or text. Elements nested
/// inside a cell (annotations, sub-tables) do not move the row or column.
/// The text calamine will copy for every repeat is counted against
/// [`MAX_TEXT_BYTES`], including `<text:s text:c="N"/>` runs of spaces.
fn check_ods_extent(content: &[u8]) -> Result<(), Refusal> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let mut sheet = String::new();
    let mut row: u64 = 0;
    let mut row_repeat: u64 = 1;
    let mut col: u64 = 0;
    let mut tally = Tally::default();
    let mut text_bytes: u64 = 0;
    // The open cell: column, repeat count, has content, text bytes, nesting depth.
    struct Open {
        col: u64,
        repeat: u64,
        content: bool,
        text: u64,
        depth: usize,
    }
    let mut open: Option<Open> = None;
    let has_value = |e: &quick_xml::events::BytesStart| {
        e.attributes().flatten().any(|a| {
            let k = a.key.as_ref();
            k == "table:formula" || (k.starts_with("office:") && (k.ends_with("value") || k == "office:value-type"))
        })
    };
    let budget = |text_bytes: u64| -> Result<(), Refusal> {
        if text_bytes > MAX_TEXT_BYTES {
            return Err(Refusal::new(Reason::TooLarge, format!(
                "シートの文字が多すぎます（繰り返しを展開すると {} MB、{} MB まで）。keikaku の入力用のブックか確かめてください。",
                text_bytes / 1_000_000,
                MAX_TEXT_BYTES / 1_000_000
            )));
        }
        Ok(())
    };
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|_| broken_ods())?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                if let Some(o) = open.as_mut() {
                    // Inside a cell: only text matters.
                    if e.name().as_ref() == "text:s" {
                        let n = attr_u64(e, "text:c")?.unwrap_or(1);
                        o.text = o.text.saturating_add(n);
                        budget(o.text)?;
                    }
                    o.content = true;
                    if !empty {
                        o.depth += 1;
                    }
                    buf.clear();
                    continue;
                }
                match e.name().as_ref() {
                    "table:table" => {
                        tally.next_sheet();
                        sheet = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == "table:name")
                            .map(|a| a.value.to_string())
                            .unwrap_or_default();
                        row = 0;
                    }
                    "table:table-row" => {
                        row_repeat = attr_u64(e, "table:number-rows-repeated")?.unwrap_or(1).max(1);
                        col = 0;
                        if empty {
                            row = row.saturating_add(row_repeat);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let repeat = attr_u64(e, "table:number-columns-repeated")?.unwrap_or(1).max(1);
                        let valued = has_value(e);
                        if empty {
                            if valued {
                                note_content(&sheet, row, row_repeat, col, repeat, &mut tally)?;
                            }
                            col = col.saturating_add(repeat);
                        } else {
                            open = Some(Open { col, repeat, content: valued, text: 0, depth: 0 });
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) => {
                if let Some(o) = open.as_mut() {
                    o.text = o.text.saturating_add(t.len() as u64);
                    o.content = true;
                }
            }
            Event::End(ref e) => {
                if let Some(o) = open.as_mut() {
                    if o.depth > 0 {
                        o.depth -= 1;
                        buf.clear();
                        continue;
                    }
                    let o = open.take().expect("open cell");
                    if o.content {
                        note_content(&sheet, row, row_repeat, o.col, o.repeat, &mut tally)?;
                        text_bytes =
                            text_bytes.saturating_add(o.text.saturating_mul(o.repeat).saturating_mul(row_repeat));
                        budget(text_bytes)?;
                    }
                    col = o.col.saturating_add(o.repeat);
                    buf.clear();
                    continue;
                }
                if e.name().as_ref() == "table:table-row" {
                    row = row.saturating_add(row_repeat);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    tally.finish()
}

fn note_content(
    sheet: &str,
    row: u64,
    row_repeat: u64,
    col: u64,
    col_repeat: u64,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let last_row = row.saturating_add(row_repeat - 1);
    let last_col = col.saturating_add(col_repeat - 1);
    tally.add(&format!("「{sheet}」シート"), row, col, last_row, last_col)
}

fn check_cfb(bytes: &[u8]) -> Result<Checked, Refusal> {
    let broken = |e: &dyn std::fmt::Display| {
        Refusal::new(Reason::Broken, format!("ファイルが壊れています（古い Excel 形式 / OLE として読めません: {e}）。元のファイルをもう一度保存して送ってもらってください。"))
    };
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    if cfb.exists("/EncryptedPackage") || cfb.exists("/EncryptionInfo") {
        return Err(encrypted_message());
    }
    // calamine takes the first entry named Workbook/Book anywhere in the
    // tree, ignoring case: make sure there is exactly one, at the root.
    let named: Vec<String> = cfb
        .walk()
        .filter(|e| {
            e.is_stream() && (e.name().eq_ignore_ascii_case("Workbook") || e.name().eq_ignore_ascii_case("Book"))
        })
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    if named.len() > 1 {
        return Err(Refusal::new(
            Reason::Broken,
            format!(
            "ファイルが壊れています（ブックの本体が {} 個あります）。Excel で開いて .xlsx 形式で保存し直してください。",
            named.len()
        ),
        ));
    }
    let stream = if cfb.is_stream("/Workbook") {
        "/Workbook"
    } else if cfb.is_stream("/Book") {
        "/Book"
    } else if cfb.exists("/WordDocument") {
        return Err(Refusal::new(
            Reason::NotAWorkbook,
            format!("古い Word の文書（.doc）で、Excel のブックではありません。{RESAVE}"),
        ));
    } else {
        return Err(Refusal::new(
            Reason::NotAWorkbook,
            format!("Excel のブックではない OLE ファイルです（.doc / .ppt / .msg など）。{RESAVE}"),
        ));
    };
    let mut data = Vec::new();
    cfb.open_stream(stream)
        .map_err(|e| broken(&e))?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| broken(&e))?;
    check_biff(&data)?;
    Ok(Checked { format: Format::Xls, date1904: false, saved: None, properties: Vec::new(), repacked: None })
}

fn broken_xls(what: &str) -> Refusal {
    Refusal::new(Reason::Broken, format!("ファイルが壊れています（古い Excel 形式の記録が正しくありません: {what}）。Excel で開いて .xlsx 形式で保存し直してください。"))
}

/// Walks the BIFF records of an `.xls` workbook stream the way calamine will
/// read them: a FILEPASS record means a password; records calamine reads
/// without checking their length must be long enough; DIMENSIONS records
/// (which calamine uses to reserve memory) and the cell records must stay
/// within the bounds; every sheet offset (BOUNDSHEET) must be the start of a
/// record seen here, once, so calamine reads no record this walk did not check.
fn check_biff(data: &[u8]) -> Result<(), Refusal> {
    let mut pos = 0usize;
    let mut starts = std::collections::HashSet::new();
    let mut offsets = Vec::new();
    let mut depth = 0usize;
    let mut sheet_index = 0usize;
    let mut tally = Tally::default();
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as u32;
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    while pos + 4 <= data.len() {
        starts.insert(pos);
        let typ = u16_at(data, pos) as u16;
        let len = u16_at(data, pos + 2) as usize;
        if pos + 4 + len > data.len() {
            return Err(broken_xls("最後のレコードが途中で切れています"));
        }
        let body = &data[pos + 4..pos + 4 + len];
        pos += 4 + len;
        let place = || format!("{} 枚目のシート", sheet_index.saturating_sub(1).max(1));
        match typ {
            0x002F => return Err(encrypted_message()),
            0x0809 => {
                if depth == 0 {
                    sheet_index += 1;
                    tally.next_sheet();
                }
                depth += 1;
            }
            0x000A => depth = depth.saturating_sub(1),
            0x0085 => {
                if len < 8 {
                    return Err(broken_xls("BOUNDSHEET"));
                }
                offsets.push(u32_at(body, 0) as usize);
            }
            0x0042 | 0x0022 if len < 2 => return Err(broken_xls("CODEPAGE / DATEMODE")),
            0x00E5 if len < 2 || 2 + u16_at(body, 0) as usize * 8 > len => return Err(broken_xls("MERGECELLS")),
            0x0200 => {
                let (rf, rl, cf, cl) = match len {
                    10 => (u16_at(body, 0), u16_at(body, 2), u16_at(body, 4), u16_at(body, 6)),
                    14 | 16 => (u32_at(body, 0), u32_at(body, 4), u16_at(body, 8), u16_at(body, 10)),
                    _ => return Err(broken_xls("DIMENSIONS")),
                };
                let rows = rl.saturating_sub(rf) as u64;
                let cols = cl.saturating_sub(cf.min(cl)) as u64;
                if rl > MAX_ROWS || cl > MAX_COLS || rows.saturating_mul(cols) > MAX_DENSE_AREA {
                    return Err(out_of_bounds(&place(), CellRef::new(rl.saturating_sub(1), cl.saturating_sub(1))));
                }
            }
            // Number, Label, BoolErr, Formula, RK, LabelSST, RString.
            0x0203 | 0x0204 | 0x0205 | 0x0006 | 0x027E | 0x00FD | 0x00D6 => {
                if len < 6 {
                    return Err(broken_xls("セルのレコード"));
                }
                let (r, c) = (u16_at(body, 0) as u64, u16_at(body, 2) as u64);
                tally.add(&place(), r, c, r, c)?;
            }
            // MulRK: row, first col, RK values, last col.
            0x00BD => {
                if len < 6 {
                    return Err(broken_xls("MULRK"));
                }
                let (r, c, last) = (u16_at(body, 0), u16_at(body, 2), u16_at(body, len - 2));
                if last < c || (len - 6) != (last - c + 1) as usize * 6 {
                    return Err(broken_xls("MULRK"));
                }
                tally.add(&place(), r as u64, c as u64, r as u64, last as u64)?;
            }
            _ => {}
        }
    }
    tally.finish()?;
    let mut seen = std::collections::HashSet::new();
    for o in offsets {
        if !starts.contains(&o) || !seen.insert(o) {
            return Err(broken_xls("シートの位置"));
        }
    }
    Ok(())
}

/// Used by the xlsx reader while it streams a sheet.
pub fn check_xlsx_cell(sheet: &str, cell: CellRef, cells: usize) -> Result<(), Refusal> {
    // Called for every cell: the place is put into words only for a refusal.
    if (cell.row as u64) < MAX_ROWS as u64 && (cell.col as u64) < MAX_COLS as u64 && cells as u64 <= MAX_CELLS as u64 {
        return Ok(());
    }
    check_bounds(&format!("「{sheet}」シート"), cell.row as u64, cell.col as u64, cells as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xlsx is handed to the parser as the guard inflated it: the
    /// same entries, byte for byte, stored uncompressed.
    #[test]
    fn a_small_xlsx_is_repacked_with_the_same_entries() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        wb.add_worksheet().write_string(0, 0, "記入日").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let checked = check(&bytes).unwrap();
        let repacked = checked.repacked.expect("a small xlsx is repacked");
        let entries = |b: &[u8]| {
            let mut z = zip::ZipArchive::new(Cursor::new(b)).unwrap();
            (0..z.len())
                .map(|i| {
                    let mut f = z.by_index(i).unwrap();
                    let mut data = Vec::new();
                    f.read_to_end(&mut data).unwrap();
                    (f.name().unwrap().into_owned(), f.compression(), data)
                })
                .collect::<Vec<_>>()
        };
        let (before, after) = (entries(&bytes), entries(&repacked));
        assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!((&b.0, &b.2), (&a.0, &a.2));
            assert_eq!(a.1, zip::CompressionMethod::Stored, "{}", a.0);
        }
        // Too large to keep: the parser inflates the original itself.
        let mut big = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        big.start_file("xl/workbook.xml", stored).unwrap();
        std::io::Write::write_all(&mut big, b"<workbook/>").unwrap();
        big.start_file("xl/media/image1.bin", stored).unwrap();
        std::io::Write::write_all(&mut big, &vec![0u8; REPACK_MAX_BYTES as usize + 1]).unwrap();
        let big = big.finish().unwrap().into_inner();
        assert!(check(&big).unwrap().repacked.is_none());
    }

    #[test]
    fn date_system_from_workbook_xml() {
        assert!(uses_1904(br#"<workbook xmlns="x"><workbookPr date1904="1"/></workbook>"#));
        let core = br#"<cp:coreProperties xmlns:cp="c" xmlns:dcterms="d"><dcterms:created>2020-01-01T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-20T01:02:03Z</dcterms:modified></cp:coreProperties>"#;
        assert_eq!(element_text(core, "modified").as_deref(), Some("2026-11-20T01:02:03Z"));
        assert_eq!(element_text(core, "created").as_deref(), Some("2020-01-01T00:00:00Z"));
        assert_eq!(element_text(b"<a><modified></modified></a>", "modified"), None);
        let custom = br#"<Properties xmlns:vt="v"><property fmtid="{x}" pid="2" name="keikaku.form"><vt:lpwstr>keikaku.pdca</vt:lpwstr></property><property pid="3" name="n"><vt:i4>1</vt:i4></property></Properties>"#;
        assert_eq!(
            custom_properties(custom),
            vec![("keikaku.form".to_string(), "keikaku.pdca".to_string()), ("n".to_string(), "1".to_string())]
        );
        assert!(uses_1904(br#"<x:workbook xmlns:x="x"><x:workbookPr x:date1904="true"></x:workbookPr></x:workbook>"#));
        assert!(!uses_1904(br#"<workbook><workbookPr defaultThemeVersion="1"/></workbook>"#));
        assert!(!uses_1904(b"<workbook>"));
    }

    #[test]
    fn shared_string_counts_must_fit_the_entry() {
        assert!(check_shared_strings("s.xml", br#"<sst count="3" uniqueCount="2">"#, 200).is_ok());
        assert!(check_shared_strings("s.xml", br#"<sst uniqueCount="100000000000">"#, 200).is_err());
        assert!(check_shared_strings("s.xml", br#"<sst uniqueCount="x">"#, 200).is_err());
        // Many cells sharing a few strings: a large `count` is normal.
        assert!(check_shared_strings("s.xml", br#"<sst count="140035" uniqueCount="2000">"#, 30_000).is_ok());
    }
}
