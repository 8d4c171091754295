//! `keikaku init`: an input workbook from a form's description, blank or
//! filled from JSON, and the JSON files the commands read.
//!
//! What `init` writes from JSON is read back with the form's own reader and
//! compared with the JSON, so a workbook `init` makes is always one the
//! commands read as given ([`master_workbook`]; the 議案's own round trip is
//! [`crate::forms::agenda::init_workbook`]).

use std::path::Path;

use crate::error::Error;
use crate::forms::{SheetData, SheetForm};
use crate::workbook::Workbook;
use crate::xlsx;

/// Reads a JSON file. A UTF-8 byte order mark (Windows Notepad writes one)
/// is skipped; text that is not UTF-8 is refused with how to save it.
pub fn read_json(path: &Path) -> Result<serde_json::Value, Error> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::input(format!("データ「{}」を読めません: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::input(format!(
            "データ「{}」の文字コードが UTF-8 ではありません（Shift_JIS など）。UTF-8 で保存し直してください（メモ帳なら「名前を付けて保存」の「エンコード」で UTF-8 を選びます）。",
            path.display()
        ))
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    serde_json::from_str(text).map_err(|e| {
        Error::input(format!(
            "{} {}行{}列: データが JSON として正しくありません（{e}）。",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Reads JSON that `init --from` writes into cells, refusing strings longer
/// than a cell holds, by their place in the JSON.
pub fn read_json_for_cells(path: &Path) -> Result<serde_json::Value, Error> {
    let data = read_json(path)?;
    xlsx::check_json_fits_cells(&path.display().to_string(), &data)?;
    Ok(data)
}

/// What `init` needs to know of a master form: its sheets, a blank
/// workbook's contents, the JSON's workbook contents, the reader, and what
/// to say when JSON does not fit.
pub struct MasterInit<M> {
    /// The workbook's title property.
    pub title: &'static str,
    /// The master's sheets.
    pub sheets: &'static [SheetForm],
    /// A blank master's sheets (headers and example rows).
    pub blank: fn() -> Vec<SheetData>,
    /// A master's sheets.
    pub to_sheets: fn(&M) -> Vec<SheetData>,
    /// The master reader.
    pub read: fn(&Workbook) -> Result<M, Error>,
    /// The sample JSON to model on (`samples/pdca_master.json`).
    pub sample: &'static str,
    /// What a workbook cannot hold, for the message when the round trip
    /// differs.
    pub lost: &'static str,
}

/// A master workbook: blank, or from `from` (the JSON file's path and its
/// data), read back with the form's reader and compared with the data, so
/// that what `init` writes is what the commands read. `name` names the
/// workbook in messages.
pub fn master_workbook<M: serde::de::DeserializeOwned + PartialEq>(
    form: &MasterInit<M>,
    from: Option<(&Path, serde_json::Value)>,
    name: &str,
) -> Result<Vec<u8>, Error> {
    let Some((path, data)) = from else {
        return xlsx::write_form(form.title, form.sheets, &(form.blank)());
    };
    let want = serde_json::from_value::<M>(data).map_err(|e| {
        Error::input(format!(
            "{}: マスターのデータの形が違います（{e}）。{} を見本にしてください。",
            path.display(),
            form.sample
        ))
    })?;
    let bytes = xlsx::write_form(form.title, form.sheets, &(form.to_sheets)(&want))?;
    let got = Workbook::from_bytes(name, &bytes).and_then(|wb| (form.read)(&wb)).map_err(|e| {
        Error::input(format!(
            "データをブックにすると、次の理由でマスターとして読めません。データを直してください。\n{e}"
        ))
    })?;
    if got != want {
        return Err(Error::input(format!(
            "{}: データの一部がブックで表せません（{}）。{} と見比べてください。",
            path.display(),
            form.lost,
            form.sample
        )));
    }
    Ok(bytes)
}
