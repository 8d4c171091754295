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
//! - [`typeset`]: Japanese line breaking and adjustment after JLReq (kinsoku,
//!   closed-up punctuation, the space between scripts, justification);
//! - [`layout`]: pagination, tables, table of contents, running heads; a long document can be laid
//!   out part by part ([`parts_to_pdf`]);
//! - [`pdf`]: printpdf output with subset fonts, outline, reproducible bytes;
//! - [`workbook`]: guarded reading of xlsx/xls/ods, sheet shapes, typed cells with their origin;
//! - [`xlsx`]: writing workbooks (input forms, protected form grids, tidy data books);
//! - [`forms`]: one folder per form kind ([`forms::pdca`], [`forms::plan`], [`forms::agenda`]),
//!   each owning its master or input description, its printed sheets, its distribute and collect
//!   steps and its report data, and what forms share (input sheet descriptions, grids, the
//!   workbook properties, [`forms::FormKind`]);
//! - [`jobs`]: the generic jobs ([`jobs::distribute`], [`jobs::collect`], [`jobs::init`]), which
//!   know a form only through its `FormKind` and the functions it passes them;
//! - [`diagnostic`]: a finding about a returned workbook as data, with its Japanese message;
//! - [`amount`]: amounts of money in 円 (integers: reading, sums, 1,234,567 / △ / 千円);
//! - [`grouping`]: flat rows → nested sections;
//! - [`wareki`]: 和暦 dates and 年度, and reading dates typed as text;
//! - [`fonts`]: embedded IPAex fonts and user fonts, with their metrics;
//! - [`output`]: atomic file writing;
//! - [`timing`]: progress bars, and stage times and peak memory for profiling (`KEIKAKU_TIMING`);
//! - [`serve`]: `keikaku serve`, the browser workspace (HTTP server, SQLite database, background jobs);
//! - [`cli`]: the command line (arguments → a job → message and exit code).
//!
//! docs/architecture.md draws one collect run through these modules.

#![warn(missing_docs)]

pub mod amount;
pub mod cli;
pub mod diagnostic;
pub mod error;
pub mod fonts;
pub mod forms;
pub mod grouping;
pub mod japanese;
pub mod jobs;
pub mod layout;
pub mod markup;
pub mod output;
pub mod pdf;
pub mod serve;
pub mod template;
pub mod timing;
pub mod typeset;
pub mod wareki;
pub mod workbook;
pub mod xlsx;

pub use error::{Error, ErrorKind, Result, Stage};

/// Markup text → PDF bytes: parse, lay out, write.
///
/// With `KEIKAKU_TIMING` set in the environment, the time of each stage and
/// the peak memory are printed to stderr (for profiling; the output is
/// unchanged).
pub fn markup_to_pdf(
    markup_text: &str,
    origin: &str,
    fonts: &fonts::FontSet,
    opts: &pdf::PdfOptions,
) -> Result<Vec<u8>> {
    let mut stages = timing::Stages::start();
    let doc = markup::parse(markup_text, origin).map_err(|e| e.at_stage(Stage::Markup))?;
    stages.done("  markup");
    let laid = layout::layout(&doc, fonts).map_err(|e| e.at_stage(Stage::Layout))?;
    drop(doc);
    stages.done(&format!("  layout ({} pages)", laid.pages.len()));
    let bytes = pdf::write(&laid, fonts, opts)?;
    stages.done("  pdf");
    Ok(bytes)
}

/// A long document → PDF bytes, part by part: the document's markup
/// (`<document>`: cover, contents, …) and `parts` parts after it, whose
/// markup (`<part>`) `part(i)` makes when the part is laid out. An error in
/// a part is prefixed with `part_name(i)` (「4-1-1 福祉会議事業」の部分), and
/// when several parts fail, the first one's error is reported.
///
/// The parts are made, parsed, laid out and turned into compressed page
/// streams in parallel, one part at a time per core, so the memory a report
/// needs is its compressed pages, not its markup or laid-out pages. The
/// document is laid out last, when the parts' headings and page count are
/// known (its table of contents lists them, its page numbers count them).
/// The PDF is written to a new file at `path`. The bytes are the same for
/// any number of threads.
#[allow(clippy::too_many_arguments)]
pub fn parts_to_pdf(
    markup_text: &str,
    origin: &str,
    parts: usize,
    part: impl Fn(usize) -> Result<String> + Sync,
    part_origin: &str,
    part_name: impl Fn(usize) -> String + Sync,
    fonts: &fonts::FontSet,
    opts: &pdf::PdfOptions,
    path: &std::path::Path,
) -> Result<()> {
    use rayon::prelude::*;
    let mut stages = timing::Stages::start();
    let doc = markup::parse(markup_text, origin)?;
    let tally = timing::Tally::new(["markup", "parse", "layout", "page streams"]);
    let make_part = |i: usize| -> Result<(pdf::Streams, layout::Following)> {
        let text = tally.time(0, || part(i))?;
        let blocks = tally.time(1, || markup::parse_part(&text, part_origin, &doc))?;
        drop(text);
        let laid = tally.time(2, || layout::layout_part(&blocks, &doc, fonts))?;
        drop(blocks);
        let mut following = layout::Following::default();
        following.add(&laid);
        Ok((tally.time(3, || pdf::Streams::of_pages(&laid.pages, &laid.tree, doc.page.height, fonts))?, following))
    };
    let make = |i: usize| make_part(i).map_err(|e| e.context(part_name(i)));
    // In batches, so that each part's list of glyphs is merged and dropped
    // soon (30,000 parts' lists were 10 % of the memory).
    const BATCH: usize = 256;
    let mut streams = pdf::Streams::default();
    let mut following = layout::Following::default();
    for start in (0..parts).step_by(BATCH) {
        let made: Vec<Result<(pdf::Streams, layout::Following)>> =
            (start..(start + BATCH).min(parts)).into_par_iter().map(make).collect();
        for r in made {
            let (s, f) = r?;
            streams.append(s);
            following.append(f);
        }
    }
    stages.done(&format!("  {parts} parts ({} pages)", following.pages()));
    tally.print("  parts");
    let laid = layout::layout_before(&doc, fonts, &following)?;
    let first = laid.pages.len();
    let running = layout::running_pages(&doc, fonts, first, following.pages(), first + following.pages())?;
    streams.overlay(pdf::Streams::of_pages(&running, &layout::Tree::default(), doc.page.height, fonts)?)?;
    stages.done(&format!("  document ({first} pages)"));
    pdf::write_file_with(&laid, streams, fonts, opts, path)?;
    stages.done("  pdf");
    Ok(())
}
