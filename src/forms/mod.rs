//! The forms keikaku writes and reads, one folder per form kind, and what
//! they share.
//!
//! - [`pdca`]: the PDCA sheet (one sheet per 事業, per centre);
//! - [`plan`]: the centre plan sheet (a goals sheet and one sheet per
//!   section, per centre);
//! - [`agenda`]: the 議案 input workbook.
//!
//! Each form folder owns its master or input description (`master.rs`,
//! `input.rs`), its printed sheets (`sheets.rs`: [`grid::Grid`]s), its
//! distribution and collect steps and its report data. The generic jobs
//! ([`crate::jobs`]) know only a form's [`FormKind`] and the functions it
//! passes them.
//!
//! Shared here: a [`SheetForm`] says which sheets an input workbook has,
//! their shape, their headers, what goes in each column and which columns
//! have fixed choices. The same description drives the writer (`keikaku
//! init`, the shipped samples: [`crate::xlsx::write_form`]) and the reader
//! (the header names and choices the master readers look for, [`read`]),
//! so the two cannot drift apart. A printed form sheet is a [`grid::Grid`],
//! which drives both the xlsx writer and the collector.

pub mod agenda;
pub mod document;
pub mod grid;
pub mod pdca;
pub mod plan;
pub mod read;
pub mod round;

/// A kind of form that `distribute` writes and `collect` reads back: the
/// PDCA sheet, the centre plan sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormKind {
    /// The `keikaku.form` property of its workbooks.
    pub kind: &'static str,
    /// The layout version ([`property::SCHEMA`]): raised whenever cells move,
    /// so the collector can tell a workbook from an older layout.
    pub schema: i32,
    /// What the form is called in messages: 「PDCA シート」.
    pub label: &'static str,
}

/// The custom document properties of every workbook `distribute` writes
/// (whatever the form), which the collector checks before it reads a cell.
pub mod property {
    /// Form kind: [`super::pdca::FORM`], [`super::plan::FORM`] (`FormKind::kind`).
    pub const FORM: &str = "keikaku.form";
    /// Layout version: raised whenever cells move.
    pub const SCHEMA: &str = "keikaku.schema";
    /// The centre's ID.
    pub const CENTRE: &str = "keikaku.centre";
    /// The 記入年度 (西暦 start year).
    pub const FISCAL_YEAR: &str = "keikaku.fiscal_year";
    /// SHA-256 of what the centre was given (its plan and items).
    pub const PLAN_HASH: &str = "keikaku.plan_hash";
}

use crate::wareki::Date;

/// Who a distributed workbook is for: the centre's ID and name. The name is
/// in the title line of every sheet and both are covered by the workbook's
/// [`property::PLAN_HASH`], so a workbook proves by its content, not only by
/// its [`property::CENTRE`] property, whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient<'a> {
    /// The centre's ID (C01).
    pub id: &'a str,
    /// The centre's name (勝田地域ステーション).
    pub name: &'a str,
}

/// Lowercase hex SHA-256 of the canonical JSON of what a centre was given,
/// its identity first.
pub(crate) fn given_hash(recipient: Recipient, given: serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let canonical = serde_json::json!([recipient.id, recipient.name, given]);
    Sha256::digest(canonical.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A number (事業 4-1-1, item 3-2) as used in defined names: ASCII letters,
/// digits and `_` (4-1-1 → 4_1_1). Two numbers whose keys are equal cannot
/// be distributed together; the master readers refuse them.
pub fn name_key(number: &str) -> String {
    crate::japanese::hankaku(number)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect()
}

/// What a field holds; decides the reader's conversion and the writer's
/// validation and cell format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Text that may run over several lines (wrapped in the cell).
    LongText,
    /// A whole number (full-width digits accepted).
    Integer,
    /// A 年度: 2020, 令和2年度, R2.
    FiscalYear,
    /// A date cell or free text such as 令和元年７月.
    DateOrText,
    /// An amount of money in whole 円 (written with `#,##0`, △ for a
    /// negative; read with [`crate::workbook::convert::amount`]).
    Amount,
    /// One of fixed choices (a dropdown list).
    Choice(&'static [&'static str]),
    /// A key from the first column of another sheet of the same workbook
    /// (a dropdown of that column, e.g. the 事業 numbers); read as text.
    KeyOf(&'static str),
}

/// One field: a row of a key/value sheet or a column of a table sheet.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The header (table) or 項目 name (key/value).
    pub name: &'static str,
    /// What goes there, shown as a cell note and in the 説明 column.
    pub note: &'static str,
    /// Whether the reader refuses an empty value.
    pub required: bool,
    /// The kind of value.
    pub kind: FieldKind,
    /// Column width in characters (table sheets).
    pub width: f64,
}

impl Field {
    /// A field (usable in `const` form descriptions).
    pub const fn new(name: &'static str, note: &'static str, required: bool, kind: FieldKind, width: f64) -> Field {
        Field { name, note, required, kind, width }
    }
}

/// The shape of a sheet.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// 項目 | 値 | 説明, one field per row.
    KeyValue(&'static [Field]),
    /// One header row, one record per row.
    Table(&'static [Field]),
}

/// One sheet of an input workbook.
#[derive(Debug, Clone, Copy)]
pub struct SheetForm {
    /// The sheet name.
    pub name: &'static str,
    /// Shape and fields.
    pub shape: Shape,
}

impl SheetForm {
    /// The fields in order.
    pub fn fields(&self) -> &'static [Field] {
        match self.shape {
            Shape::KeyValue(f) | Shape::Table(f) => f,
        }
    }

    /// The field with this name.
    pub fn field(&self, name: &str) -> &'static Field {
        self.fields()
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("form {} has no field {name}", self.name))
    }

    /// Names of the required table headers.
    pub fn headers(&self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.name).collect()
    }
}

/// A value to write into a form cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellData {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date (written as an Excel date with a 和暦 format).
    Date(Date),
}

impl From<&str> for CellData {
    fn from(s: &str) -> CellData {
        CellData::Text(s.to_string())
    }
}

/// The content of one sheet, in the order of its form's fields.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetData {
    /// A key/value sheet: one value per field.
    KeyValue(Vec<Option<CellData>>),
    /// A table sheet: rows of one value per field. `headers` replaces the
    /// header text (it must still match the field names after
    /// normalisation, e.g. 「日　　程」 for 日程).
    Table {
        /// Header text as it should appear, or `None` for the field names.
        headers: Option<Vec<String>>,
        /// The rows.
        rows: Vec<Vec<Option<CellData>>>,
    },
}
