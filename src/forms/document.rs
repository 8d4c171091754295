//! Forms that make one document from one workbook (the 議案), and the
//! blank workbooks of every form, for the jobs that know no form
//! (`keikaku serve`).

use crate::error::Error;
use crate::fonts::FontSet;
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;

/// A document made from a workbook.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its title (「第３号議案 令和二年度事業計画(案)」).
    pub title: String,
    /// The PDF.
    pub pdf: Vec<u8>,
}

/// Makes the document of a filled input workbook (a 議案 or a whole 議案書)
/// with the shipped template.
pub fn render(wb: &Workbook, fonts: &FontSet, opts: &PdfOptions) -> Result<Document, Error> {
    let r = super::agenda::render(wb, fonts, None, opts)?;
    Ok(Document { title: r.title, pdf: r.pdf })
}

/// A blank workbook a user can download and fill.
#[derive(Clone, Copy)]
pub struct Blank {
    /// Its short name in addresses (`agenda`).
    pub slug: &'static str,
    /// The file name it is downloaded as.
    pub file: &'static str,
    /// What it is, for the page.
    pub label: &'static str,
    /// Makes it.
    pub make: fn() -> Result<Vec<u8>, Error>,
}

/// The blank workbooks: the 議案 input and the masters of the rounds.
pub fn blanks() -> [Blank; 4] {
    use crate::jobs::init::master_workbook;
    [
        Blank {
            slug: "agenda",
            file: "議案書.xlsx",
            label: "議案書の入力ブック（表紙・議案一覧と、議案の種類ごとの見本入り）",
            make: || super::agenda::init_workbook(None, "議案書.xlsx"),
        },
        Blank {
            slug: "agenda-item",
            file: "議案.xlsx",
            label: "議案 1 件の入力ブック（見本の議案入り）",
            make: || super::agenda::init_single_workbook("議案.xlsx"),
        },
        Blank {
            slug: "pdca",
            file: "PDCAマスター.xlsx",
            label: "PDCA シートのマスター（空）",
            make: || master_workbook(&super::pdca::INIT, None, "PDCAマスター.xlsx"),
        },
        Blank {
            slug: "plan",
            file: "センター計画マスター.xlsx",
            label: "センター計画のマスター（空）",
            make: || master_workbook(&super::plan::INIT, None, "センター計画マスター.xlsx"),
        },
    ]
}
