//! A round: a master distributed to its centres and their workbooks
//! collected back, for the jobs that run one without knowing the form
//! (`keikaku serve`). Each form kind that is distributed and collected
//! ([`super::pdca`], [`super::plan`]) implements [`RoundMaster`] for its
//! master, in its own folder; [`read_master`] tells from a workbook's
//! sheets which form's master it is and reads it.

use std::path::Path;

use super::{FormKind, SheetForm};
use crate::error::Error;
use crate::fonts::FontSet;
use crate::jobs::collect::{Checked, Found, Standing};
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;

/// A centre of a round's master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundCentre {
    /// The centre's ID (C01).
    pub id: String,
    /// The centre's name.
    pub name: String,
    /// What it answers, one line each (「4-1-1 福祉会議事業」); empty for a
    /// centre that is given no workbook.
    pub work: Vec<String>,
}

/// The files a round's collection writes: the data workbook and the PDF
/// report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundOutputs {
    /// The workbook (集計.xlsx, 事業計画書.xlsx).
    pub summary: &'static str,
    /// The PDF report (結果報告.pdf, 事業計画書.pdf).
    pub report: &'static str,
}

/// What a round needs of the fonts, templates and dates, for both steps.
#[derive(Clone, Copy)]
pub struct RoundOptions<'a> {
    /// The fonts of the PDFs.
    pub fonts: &'a FontSet,
    /// The PDF options (creation date).
    pub pdf: &'a PdfOptions,
    /// The creation date of the workbooks when `SOURCE_DATE_EPOCH` is not
    /// set (the master's save time).
    pub created: Option<&'a str>,
    /// The master's file, which no output may replace.
    pub master_path: &'a Path,
}

impl RoundOptions<'_> {
    /// Runs a form's collect job `collect` with the options of a round
    /// (the PDF with these fonts, no template folder, the 差戻し workbooks
    /// into `returns`, the master never replaced) and makes its standing
    /// against `roster`.
    pub fn collect_with<K>(
        &self,
        returns: &Path,
        roster: &crate::jobs::collect::Roster,
        collect: impl FnOnce(&crate::jobs::collect::Options) -> Result<crate::jobs::collect::Outcome<K>, Error>,
    ) -> Result<Standing, Error> {
        let protected = [self.master_path.to_path_buf()];
        let options = crate::jobs::collect::Options {
            pdf: Some((self.fonts, self.pdf)),
            templates: None,
            created: self.created,
            returns: Some(returns),
            protected: &protected,
        };
        Ok(Standing::of(roster, &collect(&options)?))
    }

    /// Runs a form's check of one file with the options of a round (the
    /// glyph check against these fonts; nothing is written).
    pub fn check_with(
        &self,
        check: impl FnOnce(&crate::jobs::collect::Options) -> Result<Checked, Error>,
    ) -> Result<Checked, Error> {
        let options = crate::jobs::collect::Options {
            pdf: Some((self.fonts, self.pdf)),
            templates: None,
            created: self.created,
            returns: None,
            protected: &[],
        };
        check(&options)
    }
}

/// A master read for a round: what the generic jobs need to show it,
/// distribute it and collect it, whatever its form.
pub trait RoundMaster: Send + Sync {
    /// The form its workbooks are.
    fn form(&self) -> FormKind;
    /// The title line (「令和8年度 …」).
    fn title(&self) -> String;
    /// The 記入年度 (西暦 start year).
    fn fiscal_year(&self) -> i32;
    /// Every centre, in master order.
    fn centres(&self) -> Vec<RoundCentre>;
    /// The names of the collection's outputs.
    fn outputs(&self) -> RoundOutputs;
    /// Writes every centre's files into `out_dir` (as `distribute` names
    /// them, with printed PDFs where the form has them) and returns their
    /// paths. `progress` is called after each centre.
    fn distribute(
        &self,
        out_dir: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<std::path::PathBuf>, Error>;
    /// Checks one returned file at once, as the collection will read it:
    /// whose it is by its content, its findings, its 差戻し workbook.
    fn check(&self, file: &Found, opts: &RoundOptions) -> Result<Checked, Error>;
    /// Reads `files` against the master and writes the outputs into
    /// `out_dir` and the 差戻し workbooks into `returns`. `progress` is
    /// called after each file read.
    fn collect(
        &self,
        files: &[Found],
        out_dir: &Path,
        returns: &Path,
        opts: &RoundOptions,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Standing, Error>;
}

/// A form kind whose masters are distributed and collected.
struct RoundForm {
    sheets: &'static [SheetForm],
    label: &'static str,
    read: fn(&Workbook) -> Result<Box<dyn RoundMaster>, Error>,
}

fn forms() -> [RoundForm; 2] {
    [
        RoundForm {
            sheets: &super::pdca::master::SHEETS,
            label: "PDCA シートのマスター",
            read: |wb| Ok(Box::new(super::pdca::master::read(wb)?)),
        },
        RoundForm {
            sheets: &super::plan::master::SHEETS,
            label: "センター計画のマスター",
            read: |wb| Ok(Box::new(super::plan::master::read(wb)?)),
        },
    ]
}

/// Reads a master workbook of any form that is distributed: the form is
/// the one of whose own sheets (those no other form has) the workbook has
/// the most. A workbook with none of them is refused with what each form's
/// master must have.
///
/// ```
/// use keikaku::workbook::Workbook;
/// let wb = Workbook::open(std::path::Path::new("samples/pdca_master.xlsx")).unwrap();
/// let master = keikaku::forms::round::read_master(&wb).unwrap();
/// assert_eq!(master.form().kind, "keikaku.pdca");
/// assert_eq!(master.centres()[0].id, "C01");
/// ```
pub fn read_master(wb: &Workbook) -> Result<Box<dyn RoundMaster>, Error> {
    let forms = forms();
    let has = |name: &str| wb.sheets.iter().any(|s| s.name.trim() == name);
    let own = |f: &RoundForm| -> Vec<&'static str> {
        f.sheets
            .iter()
            .map(|s| s.name)
            .filter(|n| forms.iter().filter(|g| g.sheets.iter().any(|s| s.name == *n)).count() == 1)
            .collect()
    };
    let best = forms
        .iter()
        .map(|f| (own(f).into_iter().filter(|n| has(n)).count(), f))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n);
    match best {
        Some((_, f)) => (f.read)(wb),
        None => {
            let wanted: Vec<String> = forms
                .iter()
                .map(|f| {
                    let sheets: String = f.sheets.iter().map(|s| format!("「{}」", s.name)).collect();
                    format!("{}（{sheets}シート）", f.label)
                })
                .collect();
            Err(crate::workbook::error_in(
                &wb.file,
                format!(
                    "マスターのブックではありません。{}のどちらかを指定してください（keikaku init pdca / keikaku init plan で空のマスターを作れます）。",
                    wanted.join("、")
                ),
            ))
        }
    }
}
