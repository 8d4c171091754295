//! Distribution, shared by every form kind: one workbook (and optionally a
//! PDF) per centre, from a checked master. [`distribute_centres`] names the
//! files (`ID_名称.ext`), refuses outputs it must not replace
//! ([`check_targets`]), makes the centres' files in parallel into a staging
//! folder and moves them into place only when every centre succeeded.
//!
//! What a centre's files hold is the form's business: the form passes a
//! `make` function (for PDCA sheets [`crate::forms::pdca::distribute`], for
//! centre plans [`crate::forms::plan::distribute`]). This module knows only
//! the form's [`FormKind`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fonts::FontSet;
use crate::forms::{property, FormKind};
use crate::output::{safe_file_stem, same_file, Staging};
use crate::pdf::PdfOptions;
use crate::workbook::parse_reference;

/// The file name stem of a centre's outputs (any form): 「C01_勝田地域ステーション」.
pub fn centre_stem(id: &str, name: &str) -> String {
    safe_file_stem(&format!("{id}_{name}"))
}

/// What `distribute` did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Centres that got a workbook.
    pub centres: usize,
    /// Sheets written in all workbooks.
    pub sheets: usize,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// Centres without any 事業 (no file written for them).
    pub idle: Vec<String>,
}

/// Options of a distribution run.
pub struct Options<'a> {
    /// Also write each centre's PDF.
    pub pdf: Option<(&'a FontSet, &'a PdfOptions)>,
    /// A folder whose `pdca.hbs` replaces the shipped template.
    pub templates: Option<&'a Path>,
    /// The workbooks' creation date when `SOURCE_DATE_EPOCH` is not set: the
    /// master's save time (ISO 8601).
    pub created: Option<&'a str>,
    /// The master file, which an output must never replace.
    pub master_path: Option<&'a Path>,
}

/// Why an existing file in the output folder must not be replaced by a
/// blank `form` workbook, or `None` when it may: it is a workbook keikaku
/// wrote for this form (`keikaku.form` is `form.kind`) and none of its
/// input cells (the cells its defined names point at) holds a value.
fn not_replaceable(path: &Path, form: &FormKind) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.is_dir() {
        return Some("同じ名前のフォルダーです".into());
    }
    let is_workbook = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_workbook {
        return None;
    }
    let wb = match crate::workbook::Workbook::open(path) {
        Ok(wb) => wb,
        Err(e) => {
            let prefix = format!("{}: ", path.display());
            let why = e.message.strip_prefix(&prefix).unwrap_or(&e.message);
            return Some(format!("keikaku が配ったブックとして読めません。{why}"));
        }
    };
    let kind = wb.properties.iter().find(|(k, _)| k == property::FORM).map(|(_, v)| v.as_str());
    if kind != Some(form.kind) {
        return Some(format!(
            "keikaku が配った{}ではありません（Excel で作り直したブックや別の様式のブックは上書きしません）",
            form.label
        ));
    }
    for (_, formula) in &wb.names {
        let Some((sheet, cell)) = parse_reference(formula) else { continue };
        let filled = wb.sheets.iter().find(|s| *s.name == *sheet).and_then(|s| s.get(cell)).is_some();
        if filled {
            return Some(format!(
                "提出されたブックです（入力があります: 「{sheet}」シート {cell}）。上書きすると回答が失われます"
            ));
        }
    }
    None
}

/// Refuses, before anything is written, any output `names` in `out_dir`
/// that is one of the `inputs` (the master, compared by file identity, not
/// by name) or that would replace a file keikaku must not replace (see
/// `not_replaceable`). Every such file is named in one error.
pub fn check_targets(out_dir: &Path, names: &[String], form: &FormKind, inputs: &[&Path]) -> Result<(), Error> {
    use rayon::prelude::*;
    for name in names {
        let path = out_dir.join(name);
        if let Some(input) = inputs.iter().find(|i| same_file(i, &path)) {
            return Err(Error::input(format!(
                "出力の「{name}」がマスターブック {} と同じファイルになります。別の出力先フォルダーを指定してください。",
                input.display()
            )));
        }
    }
    // Re-distributing into a full folder reads every earlier workbook: in parallel.
    let problems: Vec<String> = names
        .par_iter()
        .filter_map(|name| {
            let path = out_dir.join(name);
            not_replaceable(&path, form).map(|why| format!("  - {}: {why}", path.display()))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!(
        "出力先 {} に、上書きできないファイルが {} 個あります。配布は行わず、ファイルは 1 つも書いていません。別のフォルダーを出力先にしてください。\n{}",
        out_dir.display(),
        problems.len(),
        problems.join("\n")
    )))
}

/// Checks that no two centres end up with the same file name (on a
/// case-insensitive file system too). `stems` are the centres' file stems.
fn check_file_names(centres: &[(&str, &str)], stems: &[String]) -> Result<(), Error> {
    let mut seen: HashMap<String, (&str, &str)> = HashMap::new();
    for (&(id, name), stem) in centres.iter().zip(stems) {
        if let Some((prev_id, prev_name)) = seen.insert(stem.to_lowercase(), (id, name)) {
            return Err(Error::input(format!(
                "センター「{prev_id}」（{prev_name}）と「{id}」（{name}）のファイル名が同じ「{stem}.xlsx」になります。どちらかの ID か名称を変えてください。"
            )));
        }
    }
    Ok(())
}

/// The outputs of one centre: (file extension, bytes) and the number of
/// sheets; an empty list for a centre that gets nothing.
pub type CentreFiles = (Vec<(&'static str, Vec<u8>)>, usize);

/// The distribution shared by every form kind: for every centre (ID, name)
/// that `busy` marks, `make` gives its files, named `ID_名称.ext`; they are
/// made in parallel into a staging folder inside `out_dir` and moved into
/// place only when every centre succeeded. `extensions` are the file
/// extensions `make` may give: before anything is made, every such file
/// already in `out_dir` is checked with [`check_targets`] (never the
/// master, never a workbook that is not a blank `form` workbook).
#[allow(clippy::too_many_arguments)]
pub fn distribute_centres(
    form: &FormKind,
    centres: &[(&str, &str)],
    busy: &[bool],
    extensions: &[&str],
    out_dir: &Path,
    master_path: Option<&Path>,
    make: impl Fn(usize) -> Result<CentreFiles, Error> + Sync,
    progress: impl Fn(usize) + Sync,
) -> Result<Summary, Error> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let stems: Vec<String> = centres.iter().map(|(id, name)| centre_stem(id, name)).collect();
    check_file_names(centres, &stems)?;
    // What an interrupted earlier run left is finished first, so the
    // files checked are the ones this run would replace.
    crate::output::recover(out_dir)?;
    let targets: Vec<String> = stems
        .iter()
        .zip(busy)
        .filter(|(_, b)| **b)
        .flat_map(|(stem, _)| extensions.iter().map(move |e| format!("{stem}.{e}")))
        .collect();
    check_targets(out_dir, &targets, form, &master_path.into_iter().collect::<Vec<_>>())?;
    let staging = Staging::new(out_dir)?;
    let done = AtomicUsize::new(0);
    // Per centre: the file names written and the sheet count, or the error.
    let results: Vec<Result<(Vec<String>, usize), Error>> = (0..centres.len())
        .into_par_iter()
        .map(|c| {
            let mut names = Vec::new();
            let mut sheets = 0;
            if busy[c] {
                let (files, n) = make(c)?;
                sheets = n;
                for (ext, bytes) in files {
                    let name = format!("{}.{ext}", stems[c]);
                    staging.write(&name, &bytes)?;
                    names.push(name);
                }
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            Ok((names, sheets))
        })
        .collect();
    let mut summary = Summary::default();
    let mut names = Vec::new();
    for (&(id, name), result) in centres.iter().zip(results) {
        let (files, sheets) = result?;
        if files.is_empty() {
            summary.idle.push(format!("{id}（{name}）"));
        } else {
            summary.centres += 1;
            summary.sheets += sheets;
            names.extend(files);
        }
    }
    summary.files = staging.commit(&names)?;
    Ok(summary)
}
