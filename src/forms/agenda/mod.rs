//! The 議案 form: the input workbooks a clerk fills, their readers, and the
//! job that typesets them.
//!
//! Two workbooks are read: one 議案 (「議案」「本文」「日程」, typeset through
//! `templates/agenda.hbs`), and the whole 議案書 of a general meeting
//! (「表紙」「議案一覧」 and a sheet per 議案, through
//! `templates/general_meeting.hbs`). A workbook with a 「議案一覧」 sheet is a
//! 議案書.
//!
//! - [`input`]: the single 議案's description and reader, and the 本文-shaped
//!   sheet both workbooks use;
//! - [`book`]: the 議案書's description and reader;
//! - [`money`]: the 収支予算 and 収支決算 sheets and what is computed from them;
//! - [`render`]: workbook → template data → markup → PDF (`keikaku agenda`);
//! - [`init_workbook`]: the input workbook, the example or from JSON
//!   (`keikaku init agenda`).

pub mod book;
pub mod example;
pub mod input;
pub mod money;

use std::path::Path;

use crate::error::Error;
use crate::fonts::FontSet;
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;
use crate::{template, xlsx};

use book::{BookInput, GeneralMeeting};
use input::{Agenda, AgendaInput};

/// What a 議案 workbook was read as.
pub enum Read {
    /// One 議案.
    Single(AgendaInput),
    /// A whole 議案書.
    Book(BookInput),
}

/// Reads a 議案 workbook: a 議案書 when it has a 「議案一覧」 sheet, else one 議案.
pub fn read(wb: &Workbook) -> Result<Read, Error> {
    if book::is_book(wb) {
        book::read(wb).map(Read::Book)
    } else {
        input::read(wb).map(Read::Single)
    }
}

/// A 議案 or 議案書, typeset: what was read, the data the template got, the
/// markup it made, and the PDF.
pub struct Rendered {
    /// The workbook as read.
    pub input: Read,
    /// The document's title: 第３号議案 事業計画(案), 令和８年度 第１１回通常総会 議案書.
    pub title: String,
    /// What was made, for the command's message: 第３号議案 事業計画(案)、4 章.
    pub summary: String,
    /// The template data (`--emit-data`).
    pub data: serde_json::Value,
    /// The markup (`--emit-markup`).
    pub markup: String,
    /// The PDF bytes.
    pub pdf: Vec<u8>,
}

/// Reads the input workbook, checks that the fonts have every character of
/// it (reported by sheet and cell), and typesets it with `agenda.hbs` or
/// `general_meeting.hbs` (from `templates` when it has one).
pub fn render(wb: &Workbook, fonts: &FontSet, templates: Option<&Path>, opts: &PdfOptions) -> Result<Rendered, Error> {
    let read = read(wb)?;
    let (template, data, title, summary) = match &read {
        Read::Single(input) => {
            input::check_glyphs(wb, fonts)?;
            let a = &input.agenda;
            let title = format!("第{}号議案 {}", crate::japanese::zenkaku(&a.number.to_string()), a.title);
            let summary = format!("{title}、{} 章", a.sections.len());
            ("agenda.hbs", input.template_data(), title, summary)
        }
        Read::Book(b) => {
            book::check_glyphs(wb, fonts)?;
            let numbered = b.book.motions.iter().filter(|m| m.number.is_some()).count();
            let summary = format!("{}、議案 {numbered} 件（全 {} 部）", b.title(), b.book.motions.len());
            ("general_meeting.hbs", b.template_data(), b.title(), summary)
        }
    };
    let markup = template::render_named(template, templates, &data)?;
    let pdf = crate::markup_to_pdf(&markup, &format!("{template} を展開したマークアップ"), fonts, opts)?;
    Ok(Rendered { input: read, title, summary, data, markup, pdf })
}

/// The input workbook: the example 議案書 ([`example::book`]), or `from`
/// (the JSON file's path and its data: a 議案書 when it has `motions`, else
/// one 議案). The workbook is read back with its reader; what comes back
/// must be what was given. `name` names the workbook in messages.
pub fn init_workbook(from: Option<(&Path, serde_json::Value)>, name: &str) -> Result<Vec<u8>, Error> {
    match from {
        None => book_workbook(&example::book(), None, name),
        Some((path, data)) if data.get("motions").is_some() => {
            let want = serde_json::from_value::<GeneralMeeting>(data).map_err(|e| {
                Error::input(format!(
                    "{}: 議案書データの形が違います（{e}）。samples/general_meeting.json を見本にしてください。",
                    path.display()
                ))
            })?;
            book_workbook(&want, Some(path), name)
        }
        Some((path, data)) => agenda_workbook(Some((path, data)), name),
    }
}

/// One 議案's input workbook (「議案」「本文」「日程」): the example, or from JSON.
pub fn init_single_workbook(name: &str) -> Result<Vec<u8>, Error> {
    agenda_workbook(None, name)
}

fn book_workbook(want: &GeneralMeeting, from: Option<&Path>, name: &str) -> Result<Vec<u8>, Error> {
    let bytes = xlsx::write_sheets("議案書 入力ブック", &want.to_sheets())?;
    let back = Workbook::from_bytes(name, &bytes).and_then(|wb| book::read(&wb)).map_err(|e| {
        Error::input(format!("データをブックにすると、次の理由で議案書として読めません。データを直してください。\n{e}"))
    })?;
    if let Some(path) = from {
        if back.book != book::as_read_back(want) {
            return Err(Error::input(format!(
                "{}: データの一部がブックで表せません（空の文字、空の章、見出しのない章、日程の列名、区分の書き方など）。samples/general_meeting.json と見比べてください。",
                path.display()
            )));
        }
    }
    Ok(bytes)
}

fn agenda_workbook(from: Option<(&Path, serde_json::Value)>, name: &str) -> Result<Vec<u8>, Error> {
    let from = match from {
        Some((path, data)) => Some((
            path,
            serde_json::from_value::<Agenda>(data).map_err(|e| {
                Error::input(format!(
                    "{}: 議案データの形が違います（{e}）。samples/agenda.json を見本にしてください。",
                    path.display()
                ))
            })?,
        )),
        None => None,
    };
    let a = from.as_ref().map_or_else(Agenda::example, |(_, a)| a.clone());
    let bytes = xlsx::write_form("議案 入力ブック", &input::SHEETS, &a.to_sheets())?;
    // Read the workbook back: what init writes must be what agenda reads.
    let back = Workbook::from_bytes(name, &bytes).and_then(|wb| input::read(&wb)).map_err(|e| {
        Error::input(format!("データをブックにすると、次の理由で議案として読めません。データを直してください。\n{e}"))
    })?;
    if let Some((path, mut want)) = from {
        let mut got = back.agenda;
        for w in &mut want.sections {
            input::as_read_back(w);
        }
        for (g, w) in got.sections.iter_mut().zip(&want.sections) {
            if w.schedule_header.is_none() {
                g.schedule_header = None;
            }
        }
        if got != want {
            return Err(Error::input(format!(
                "{}: データの一部がブックで表せません（空の章、見出しのない章、項目の本文の空行、日程の列名など）。samples/agenda.json と見比べてください。",
                path.display()
            )));
        }
    }
    Ok(bytes)
}
