//! The 議案 form: the input workbook a clerk fills (議案, 本文, 日程), its
//! reader, and the job that typesets it through `templates/agenda.hbs`.
//!
//! - [`input`]: the input workbook's description and reader;
//! - [`render`]: workbook → template data → markup → PDF (`keikaku agenda`);
//! - [`init_workbook`]: the input workbook, the example or from JSON
//!   (`keikaku init agenda`).

pub mod input;

use std::path::Path;

use crate::error::Error;
use crate::fonts::FontSet;
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;
use crate::{template, xlsx};

use input::{Agenda, AgendaInput};

/// A 議案, typeset: what was read, the data the template got, the markup it
/// made, and the PDF.
pub struct Rendered {
    /// The 議案 as read.
    pub input: AgendaInput,
    /// The template data (`--emit-data`).
    pub data: serde_json::Value,
    /// The markup (`--emit-markup`).
    pub markup: String,
    /// The PDF bytes.
    pub pdf: Vec<u8>,
}

/// Reads the input workbook, checks that the fonts have every character of
/// it (reported by sheet and cell), and typesets it with `agenda.hbs` (from
/// `templates` when it has one).
pub fn render(wb: &Workbook, fonts: &FontSet, templates: Option<&Path>, opts: &PdfOptions) -> Result<Rendered, Error> {
    let input = input::read(wb)?;
    input::check_glyphs(wb, fonts)?;
    let data = input.template_data();
    let markup = template::render_named("agenda.hbs", templates, &data)?;
    let pdf = crate::markup_to_pdf(&markup, "agenda.hbs を展開したマークアップ", fonts, opts)?;
    Ok(Rendered { input, data, markup, pdf })
}

/// The input workbook: the example 議案, or `from` (the JSON file's path
/// and its data). The workbook is read back with [`input::read`]; a 議案
/// from JSON must come back as given. `name` names the workbook in
/// messages.
pub fn init_workbook(from: Option<(&Path, serde_json::Value)>, name: &str) -> Result<Vec<u8>, Error> {
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
        for (g, w) in got.sections.iter_mut().zip(&mut want.sections) {
            if w.schedule_header.is_none() {
                g.schedule_header = None;
            }
            // 日程 text dates are read back in the printed 和暦 form.
            for r in &mut w.schedule {
                if let Some(t) = crate::workbook::convert::schedule_date_text(&r.date) {
                    r.date = t;
                }
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
