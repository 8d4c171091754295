//! Reading returned PDCA workbooks: the PDCA sheet's grids and keys for the
//! shared reader ([`crate::jobs::collect::submission::read_form`]).

use std::collections::HashMap;
use std::path::Path;

use super::master::Master;
use super::sheets::{self as pdca, Field};
use crate::error::Error;
use crate::forms::grid::Input;
use crate::output::Staging;
use crate::workbook::Workbook;

use crate::jobs::collect::submission::{read_form, Expected};
use crate::jobs::collect::{commit_outputs, gather, returns_books, Found, Options, Outcome, Roster};

use super::{report, tables, FORM};

/// What a PDCA input is: the 事業 (its position in [`Master::projects`])
/// and the field of its sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The 事業, as its position in [`Master::projects`].
    pub project: u32,
    /// The field.
    pub field: Field,
}

impl Key {
    /// The defined name of the input (`KK_4_1_1_RESULT_1_2026`).
    pub fn name(&self, master: &Master) -> String {
        self.field.name(&master.projects[self.project as usize])
    }
}

/// A returned PDCA workbook, read.
pub type Submission = crate::jobs::collect::Submission<Key>;
/// One PDCA input, read.
pub type Answer = crate::jobs::collect::Answer<Key>;

/// What [`read_submission_in`] needs to find a centre and its 事業 without
/// scanning the master for every file.
#[derive(Debug)]
pub struct MasterIndex<'m> {
    centres: HashMap<&'m str, usize>,
    projects: Vec<Vec<usize>>,
}

impl<'m> MasterIndex<'m> {
    /// Indexes the master once.
    pub fn new(master: &'m Master) -> MasterIndex<'m> {
        MasterIndex { centres: master.centre_index(), projects: master.project_indices_by_centre() }
    }

    /// The 事業 of a centre (by its position), as positions in [`Master::projects`].
    pub fn projects_of(&self, centre: usize) -> &[usize] {
        &self.projects[centre]
    }

    /// The centres a PDCA collection expects: those with 事業.
    pub fn roster<'a>(&self, master: &'a Master) -> Roster<'a> {
        Roster {
            centres: master.centres.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect(),
            expected: self.projects.iter().map(|p| !p.is_empty()).collect(),
            fiscal_year: master.plan.fiscal_year,
        }
    }
}

/// Reads a returned workbook against the master.
pub fn read_submission(master: &Master, wb: &Workbook) -> Submission {
    read_submission_in(master, &MasterIndex::new(master), wb)
}

/// [`read_submission`] with the master indexed once for many files.
pub fn read_submission_in(master: &Master, index: &MasterIndex, wb: &Workbook) -> Submission {
    // A centre's k-th sheet is its k-th 事業 in master order.
    let projects = |centre: usize| index.projects[centre].iter().map(|&k| &master.projects[k]);
    let sheets =
        |centre: usize| pdca::sheets_of(master, &master.centres[centre].name, &projects(centre).collect::<Vec<_>>());
    let hash = |centre: usize| {
        pdca::plan_hash(&master.plan, super::distribute::recipient(&master.centres[centre]), projects(centre))
    };
    let key = |centre: usize, k: usize, input: &Input| -> Option<Key> {
        let &p = index.projects[centre].get(k)?;
        Field::of_name(&master.projects[p], &input.name).map(|field| Key { project: p as u32, field })
    };
    let expected = Expected {
        form: FORM,
        fiscal_year: master.plan.fiscal_year,
        centres: &index.centres,
        sheets: &sheets,
        hash: &hash,
        label: &|c: usize| format!("{} {}", master.centres[c].id, master.centres[c].name),
        key: &key,
    };
    read_form(wb, &expected)
}

/// The centres a PDCA collection expects: those with 事業.
pub fn roster(master: &Master) -> Roster<'_> {
    MasterIndex::new(master).roster(master)
}

/// The `keikaku.form` property of the files PDCA collect writes, so that a
/// later run over the same folder skips them instead of refusing them.
pub const OUTPUT_FORM_KIND: &str = "keikaku.pdca.collect";

/// The file names PDCA collect writes into the output folder.
pub mod file {
    /// The combined workbook.
    pub const SUMMARY: &str = "集計.xlsx";
    /// The combined report.
    pub const REPORT: &str = "結果報告.pdf";
}

/// A PDCA collection.
pub type Collection = crate::jobs::collect::Collection<Key>;
/// One returned PDCA file.
pub type Received = crate::jobs::collect::Received<Key>;

/// Checks one returned file against the master at once, as `collect`
/// would read it (see [`crate::jobs::collect::Checked`]).
pub fn check(master: &Master, file: &Found, opts: &Options) -> Result<crate::jobs::collect::Checked, Error> {
    let index = MasterIndex::new(master);
    let roster = index.roster(master);
    let read = |wb: &Workbook| read_submission_in(master, &index, wb);
    let what = format!("{} PDCAシート", master.plan.name);
    crate::jobs::collect::check_one(&roster, file, file::REPORT, &what, OUTPUT_FORM_KIND, opts, read)
}

/// Reads `files` against the master (in parallel, each file dropped once
/// read) and writes 集計.xlsx, 結果報告.pdf and the 差戻し workbooks.
/// `progress` is called after each file with the number read so far.
/// Outputs appear together or not at all; inputs are never written.
pub fn collect(
    master: &Master,
    files: &[Found],
    out_dir: &Path,
    opts: &Options,
    progress: impl Fn(usize) + Sync,
) -> Result<Outcome<Key>, Error> {
    let index = MasterIndex::new(master);
    let roster = index.roster(master);
    let read = |wb: &Workbook| read_submission_in(master, &index, wb);
    let outputs = [file::SUMMARY, file::REPORT];
    let collection = gather(&roster, &outputs, file::REPORT, out_dir, files, opts, OUTPUT_FORM_KIND, read, progress)?;
    let mut stages = crate::timing::Stages::start();

    // 集計.xlsx goes straight into the staging folder (the workbook of a
    // large collection is never held in memory whole), while the report is
    // made on the other core.
    let staging = Staging::new(out_dir)?;
    let (summary, pdf) = rayon::join(
        || {
            staging
                .write_with(file::SUMMARY, |path| tables::save_summary(master, &index, &collection, opts.created, path))
        },
        || -> Result<bool, Error> {
            let Some((fonts, pdf_opts)) = opts.pdf else { return Ok(false) };
            let printable = crate::jobs::collect::printable(&collection, fonts);
            let data = report::ReportData::new(master, printable.as_ref().unwrap_or(&collection));
            let document = crate::template::render_named("report.hbs", opts.templates, &data.document(&index))?;
            let part = crate::template::Template::named("report_project.hbs", opts.templates)?;
            let projects = data.projects();
            staging.write_with(file::REPORT, |path| {
                crate::parts_to_pdf(
                    &document,
                    "report.hbs を展開したマークアップ",
                    projects.len(),
                    |i| part.render_owned(data.project(projects[i])),
                    "report_project.hbs を展開したマークアップ",
                    |i| {
                        let p = &master.projects[projects[i]];
                        format!("結果報告の「{} {}」の部分", p.number, p.name)
                    },
                    fonts,
                    pdf_opts,
                    path,
                )
            })?;
            Ok(true)
        },
    );
    summary?;
    let pdf = pdf?;
    stages.done(&format!("{} and {}", file::SUMMARY, if pdf { file::REPORT } else { "no PDF" }));
    let what = format!("{} PDCAシート", master.plan.name);
    let returns = returns_books(&roster, &collection, &what, OUTPUT_FORM_KIND, opts)?;
    let mut names = vec![file::SUMMARY.to_string()];
    if pdf {
        names.push(file::REPORT.to_string());
    }
    let (files, returned) = commit_outputs(staging, &names, opts.returns, &returns)?;
    stages.done(&format!("差戻し and writing ({} 差戻し workbooks)", returns.len()));
    Ok(Outcome { collection, files, returns: returned })
}
