//! The 議案 form: the input workbook a clerk fills (議案, 本文, 日程) and
//! its reader, which hands typed data to `templates/agenda.hbs`.
//!
//! - [`input`]: the input workbook's description and reader.

pub mod input;
