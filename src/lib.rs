//! keikaku (計画): official Japanese plan documents from Excel workbooks.
//!
//! The pipeline is one module per stage:
//!
//! ```text
//! data (JSON / workbook) ──template──▶ markup ──markup──▶ Document
//!     ──layout (typeset)──▶ positioned pages ──pdf──▶ PDF bytes ──output──▶ file
//! ```
//!
//! - [`template`]: handlebars with Japanese helpers renders the layout markup;
//! - [`markup`]: parses and checks the markup (errors with line:column);
//! - [`typeset`]: Japanese line breaking (kinsoku, justification);
//! - [`layout`]: pagination, tables, table of contents, running heads;
//! - [`pdf`]: printpdf output with subset fonts, outline, reproducible bytes;
//! - [`wareki`]: 和暦 dates and 年度, and reading dates typed as text;
//! - [`fonts`]: embedded IPAex fonts and user fonts, with their metrics;
//! - [`output`]: atomic file writing;
//! - [`cli`]: the command line.

pub mod cli;
pub mod error;
pub mod fonts;
pub mod japanese;
pub mod layout;
pub mod markup;
pub mod output;
pub mod pdf;
pub mod template;
pub mod typeset;
pub mod wareki;

pub use error::{Error, ErrorKind, Result};

/// Markup text → PDF bytes: parse, lay out, write.
pub fn markup_to_pdf(markup_text: &str, origin: &str, fonts: &fonts::FontSet, opts: &pdf::PdfOptions) -> Result<Vec<u8>> {
    let doc = markup::parse(markup_text, origin)?;
    let laid = layout::layout(&doc, fonts)?;
    pdf::write(&laid, fonts, opts)
}
