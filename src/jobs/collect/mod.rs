//! Collecting returned workbooks and combining them, for every form kind
//! (`keikaku pdca collect`, `keikaku plan collect`). The stages are shared;
//! only the last one is the form's own:
//!
//! 1. [`find_files`] turns the command line's files and folders into a
//!    sorted list of workbook files.
//! 2. [`read_all`] reads the files in parallel, each through the guarded
//!    reader and [`submission::read_form`] (by defined name, against the
//!    master), and drops each workbook once read, so memory holds only the
//!    answers.
//! 3. [`Collection::new`] decides which file counts for each centre (the
//!    newest when a centre sent two) and what is missing; [`status_text`]
//!    is the 提出状況 for the terminal.
//! 4. The form's job writes its outputs (for PDCA sheets
//!    [`crate::forms::pdca::collect::collect`], for centre plans
//!    [`crate::forms::plan::collect::collect`]), with the tables every form
//!    shares ([`tables`]: 提出状況, 差戻し一覧, the 差戻し workbooks) and
//!    `commit_outputs`, which writes them together or not at all.

pub mod standing;
pub mod submission;
pub mod tables;

pub use crate::diagnostic::{Diagnostic, Kind, Origin, Severity};
pub use standing::Standing;
pub use submission::{plain_number, Answer, Submission};

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::workbook::Workbook;

/// Folders are searched this deep.
const MAX_DEPTH: usize = 8;
/// At most this many files per run.
pub const MAX_FILES: usize = 100_000;

/// The file extensions taken from folders (a file named on the command
/// line is read whatever its name).
const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods"];

/// A file to read and the name it goes by in messages and provenance
/// columns: its name for a file given on the command line, and the path
/// below the folder, starting with the folder's own name, for a file found
/// in a folder (`提出/C01_勝田.xlsx`). Names therefore do not depend on
/// where the folder is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// The path to read.
    pub path: PathBuf,
    /// The name shown.
    pub name: String,
}

fn display_name(path: &Path, base: Option<&Path>) -> String {
    let file =
        || path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let Some(base) = base else { return file() };
    let top = base.canonicalize().ok().and_then(|b| b.file_name().map(|n| n.to_string_lossy().into_owned()));
    match path.strip_prefix(base) {
        Ok(rel) => {
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            match top {
                Some(t) => format!("{t}/{}", rel.join("/")),
                None => rel.join("/"),
            }
        }
        Err(_) => file(),
    }
}

/// Lists the workbook files named by `inputs` (files, or folders searched
/// recursively), sorted by path, each once. In folders, Excel's lock files
/// (`~$…`), hidden files and files that are not workbooks are skipped;
/// symbolic links to folders are not followed.
pub fn find_files(inputs: &[PathBuf]) -> Result<Vec<Found>, Error> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| {
            Error::input(match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!("{}: ファイルもフォルダーも見つかりません。パスを確かめてください。", input.display())
                }
                _ => format!("{}: 開けません（{e}）。", input.display()),
            })
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, 0, &mut found)?;
            files.extend(found.into_iter().map(|p| Found { name: display_name(&p, Some(input)), path: p }));
        } else {
            files.push(Found { path: input.clone(), name: display_name(input, None) });
        }
        if files.len() > MAX_FILES {
            return Err(Error::input(format!(
                "提出ファイルが多すぎます（{MAX_FILES} 個まで）。フォルダーを分けてください。"
            )));
        }
    }
    files.sort();
    // The same file named twice (a folder and a file in it) counts once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.path.canonicalize().unwrap_or_else(|_| f.path.clone())));
    Ok(files)
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::input(format!("フォルダー {} を読めません（{e}）。", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::input(format!("フォルダー {} を読めません（{e}）。", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, depth + 1, files)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
            if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
                files.push(path);
            }
        }
        if files.len() > MAX_FILES {
            return Ok(());
        }
    }
    Ok(())
}

/// Where a submission came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The path as found.
    pub path: PathBuf,
    /// The file name, as shown in messages and in the provenance columns.
    pub name: String,
    /// SHA-256 of the file's bytes (empty when it could not be read).
    pub sha256: String,
    /// The save time written by Excel (docProps/core.xml), when present.
    pub saved: Option<String>,
}

/// One file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<K> {
    /// Where it came from.
    pub source: Source,
    /// What was read; a file that could not be opened has one
    /// [`Severity::Rejected`] problem.
    pub submission: Submission<K>,
    /// A file keikaku wrote itself (an earlier 集計.xlsx): not a submission.
    pub own_output: bool,
}

/// Reads one submitted file with `read` (the form's call of
/// [`submission::read_form`]). Never fails: a file that cannot be read is
/// returned with the reason as a rejected problem. Files whose
/// `keikaku.form` property is one of `own_outputs` are keikaku's own
/// earlier outputs, marked and not read.
pub fn read_file<K>(
    path: &Path,
    name: &str,
    own_outputs: &[&str],
    read: impl Fn(&Workbook) -> Submission<K>,
) -> Received<K> {
    let mut source = Source { path: path.to_path_buf(), name: name.to_string(), sha256: String::new(), saved: None };
    let rejected = |source: Source, e: Error| {
        // The reader's finding as it is (why it was refused), else its message.
        let kind = match e.diagnostics.into_iter().next() {
            Some(Diagnostic { kind: kind @ Kind::Unreadable { .. }, .. }) => kind,
            _ => Kind::Unreadable { refused: None, message: e.message },
        };
        Received { source, submission: Submission::rejected(name, kind), own_output: false }
    };
    let bytes = match Workbook::read_file(path) {
        Ok(b) => b,
        Err(e) => return rejected(source, e),
    };
    source.sha256 = sha256_hex(&bytes);
    let wb = match Workbook::from_bytes(name, &bytes) {
        Ok(wb) => wb,
        Err(e) => return rejected(source, e),
    };
    drop(bytes);
    source.saved = wb.saved.clone();
    let own_output =
        wb.properties.iter().any(|(n, v)| n == crate::forms::property::FORM && own_outputs.contains(&v.as_str()));
    let submission = if own_output { Submission::empty(name) } else { read(&wb) };
    Received { source, submission, own_output }
}

/// Reads `files` in parallel with `read` (see [`read_file`]), each workbook
/// dropped once read; `progress` is called after each file with the number
/// read so far. The result is in the order of `files`.
pub fn read_all<K: Send>(
    files: &[Found],
    own_outputs: &[&str],
    read: impl Fn(&Workbook) -> Submission<K> + Sync,
    progress: impl Fn(usize) + Sync,
) -> Vec<Received<K>> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let done = AtomicUsize::new(0);
    files
        .par_iter()
        .map(|f| {
            let r = read_file(&f.path, &f.name, own_outputs, &read);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            r
        })
        .collect()
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// How a centre stands after collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A usable workbook with nothing to fix.
    Complete,
    /// A usable workbook with something to fix (差戻し).
    ToFix,
    /// Files for the centre came in, but none could be used.
    Unusable,
    /// Nothing came in.
    Missing,
}

impl State {
    /// The label in the 提出状況.
    pub fn label(self) -> &'static str {
        match self {
            State::Complete => "提出済み",
            State::ToFix => "要修正",
            State::Unusable => "受付不可",
            State::Missing => "未提出",
        }
    }
}

/// The centres a collection expects, whatever the form: every centre of
/// the master with its ID and name, and whether it is expected to send a
/// workbook (a PDCA centre with 事業, a centre with plan items).
#[derive(Debug, Clone)]
pub struct Roster<'a> {
    /// Every centre of the master, in order: (ID, name).
    pub centres: Vec<(&'a str, &'a str)>,
    /// Per centre, whether a workbook is expected from it.
    pub expected: Vec<bool>,
    /// The 記入年度 (西暦 start year).
    pub fiscal_year: i32,
}

impl Roster<'_> {
    fn index(&self) -> std::collections::HashMap<&str, usize> {
        self.centres.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect()
    }

    /// `C01 勝田地域ステーション`.
    pub fn label(&self, centre: usize) -> String {
        let (id, name) = self.centres[centre];
        format!("{id} {name}")
    }
}

/// One centre's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreResult {
    /// The centre's position in the master.
    pub centre: usize,
    /// The file used (index into [`Collection::received`]).
    pub used: Option<usize>,
    /// Other files for this centre, not used (index, why).
    pub unused: Vec<(usize, String)>,
    /// How it stands.
    pub state: State,
}

/// Every file read, and per centre which one counts.
#[derive(Debug, Clone)]
pub struct Collection<K> {
    /// Every file, in path order.
    pub received: Vec<Received<K>>,
    /// Per centre expected to send a workbook, in master order.
    pub centres: Vec<CentreResult>,
    /// Files that belong to no centre of the master (unreadable, not
    /// distributed, unknown centre), by index.
    pub stray: Vec<usize>,
    /// keikaku's own earlier outputs found among the inputs, skipped.
    pub skipped: Vec<usize>,
}

fn fix_count<K>(r: &Received<K>) -> usize {
    r.submission.count(Severity::Fix)
}

impl<K> Collection<K> {
    /// Decides, for every expected centre, which file counts: of its usable
    /// files the one saved last (docProps/core.xml), then the one with fewer
    /// things to fix, then the first by path.
    pub fn new(roster: &Roster, received: Vec<Received<K>>) -> Collection<K> {
        // The files of each centre, found in one pass.
        let index = roster.index();
        let mut files_of: Vec<Vec<usize>> = vec![Vec::new(); roster.centres.len()];
        for (i, r) in received.iter().enumerate() {
            if let Some(&c) = r.submission.centre.as_deref().and_then(|id| index.get(id)).filter(|_| !r.own_output) {
                files_of[c].push(i);
            }
        }
        let mut centres = Vec::new();
        let mut stray = Vec::new();
        let mut skipped = Vec::new();
        let mut claimed = vec![false; received.len()];
        for (i, r) in received.iter().enumerate() {
            if r.own_output {
                skipped.push(i);
                claimed[i] = true;
            }
        }
        for (ci, mine) in files_of.into_iter().enumerate() {
            if !roster.expected[ci] {
                continue;
            }
            for &i in &mine {
                claimed[i] = true;
            }
            let usable: Vec<usize> = mine.iter().copied().filter(|&i| received[i].submission.usable()).collect();
            let used = usable.iter().copied().min_by(|&a, &b| {
                let (ra, rb) = (&received[a], &received[b]);
                rb.source
                    .saved
                    .cmp(&ra.source.saved)
                    .then(fix_count(ra).cmp(&fix_count(rb)))
                    .then(ra.source.path.cmp(&rb.source.path))
            });
            let unused = mine
                .iter()
                .copied()
                .filter(|&i| Some(i) != used)
                .map(|i| (i, why_unused(&received, i, used)))
                .collect();
            let state = match used {
                Some(u) if fix_count(&received[u]) > 0 => State::ToFix,
                Some(_) => State::Complete,
                None if mine.is_empty() => State::Missing,
                None => State::Unusable,
            };
            centres.push(CentreResult { centre: ci, used, unused, state });
        }
        for (i, c) in claimed.iter().enumerate() {
            if !c {
                stray.push(i);
            }
        }
        Collection { received, centres, stray, skipped }
    }

    /// The file used for a centre.
    pub fn used(&self, c: &CentreResult) -> Option<&Received<K>> {
        c.used.map(|i| &self.received[i])
    }

    /// The files whose problems a centre must see: the one used, then those
    /// of its files that could not be used (a usable duplicate has nothing
    /// the centre must act on).
    pub fn problem_files(&self, c: &CentreResult) -> Vec<&Received<K>> {
        let refused = c.unused.iter().map(|(i, _)| &self.received[*i]).filter(|r| !r.submission.usable());
        self.used(c).into_iter().chain(refused).collect()
    }

    /// Whether everything came in and nothing is to fix: every centre
    /// complete, no stray or refused file.
    pub fn is_complete(&self) -> bool {
        self.stray.is_empty()
            && self.centres.iter().all(|c| {
                c.state == State::Complete && c.unused.iter().all(|(i, _)| self.received[*i].submission.usable())
            })
    }

    /// For each of the master's `centres` centres, its position in
    /// [`Collection::centres`] (`None` for a centre not expected).
    pub fn positions(&self, centres: usize) -> Vec<Option<usize>> {
        let mut position = vec![None; centres];
        for (k, c) in self.centres.iter().enumerate() {
            position[c.centre] = Some(k);
        }
        position
    }

    /// The counts for templates: `{"centres", "complete", "to_fix",
    /// "unusable", "missing", "files"}` (files read, keikaku's own outputs
    /// not counted).
    pub fn counts_json(&self) -> serde_json::Value {
        let [complete, to_fix, unusable, missing] = self.counts();
        serde_json::json!({
            "centres": self.centres.len(),
            "complete": complete,
            "to_fix": to_fix,
            "unusable": unusable,
            "missing": missing,
            "files": self.received.len() - self.skipped.len(),
        })
    }

    /// Counts by state: (complete, to fix, unusable, missing).
    pub fn counts(&self) -> [usize; 4] {
        let mut n = [0; 4];
        for c in &self.centres {
            n[match c.state {
                State::Complete => 0,
                State::ToFix => 1,
                State::Unusable => 2,
                State::Missing => 3,
            }] += 1;
        }
        n
    }
}

fn saved_label<K>(r: &Received<K>) -> String {
    r.source
        .saved
        .as_deref()
        .map_or("保存日時なし".to_string(), |s| format!("保存 {}", s.replace('T', " ").trim_end_matches('Z')))
}

/// Why a file of a centre was not used, in Japanese.
fn why_unused<K>(received: &[Received<K>], i: usize, used: Option<usize>) -> String {
    let r = &received[i];
    if !r.submission.usable() {
        return "受け付けられないため".into();
    }
    let Some(u) = used.map(|u| &received[u]) else { return String::new() };
    if u.source.sha256 == r.source.sha256 {
        return format!("「{}」と同じ内容のため", u.source.name);
    }
    if u.source.saved != r.source.saved {
        format!(
            "「{}」（{}）の方が新しく保存されているため（こちらは{}）",
            u.source.name,
            saved_label(u),
            saved_label(r)
        )
    } else if fix_count(u) != fix_count(r) {
        format!("保存日時が同じで、「{}」の方が直すところが少ないため", u.source.name)
    } else {
        format!("保存日時も内容の状態も同じため、ファイル名の順で先の「{}」を使いました", u.source.name)
    }
}

/// The 提出状況 for the terminal: counts, then every centre with its file
/// and what it must fix, then files that could not be used.
pub fn status_text<K>(roster: &Roster, col: &Collection<K>) -> String {
    let [complete, fix, unusable, missing] = col.counts();
    let mut out = format!(
        "提出状況（{}、対象 {} センター）: 提出済み {complete}、要修正 {fix}、受付不可 {unusable}、未提出 {missing}\n",
        crate::wareki::format_fiscal_year(roster.fiscal_year, crate::wareki::Digits::Ascii),
        col.centres.len()
    );
    for c in &col.centres {
        let label = roster.label(c.centre);
        match col.used(c) {
            Some(r) => out.push_str(&format!("  {label}: {}（{}）\n", c.state.label(), r.source.name)),
            None => out.push_str(&format!("  {label}: {}\n", c.state.label())),
        }
        if let Some(r) = col.used(c) {
            for p in &r.submission.problems {
                out.push_str(&format!("    - {}\n", p.line()));
            }
        }
        for (i, why) in &c.unused {
            let r = &col.received[*i];
            out.push_str(&format!("    - 使わなかったファイル「{}」: {why}\n", r.source.name));
            if !r.submission.usable() {
                for p in &r.submission.problems {
                    out.push_str(&format!("      {}\n", p.line()));
                }
            }
        }
    }
    if !col.stray.is_empty() {
        out.push_str("使えなかったファイル:\n");
        for &i in &col.stray {
            let r = &col.received[i];
            out.push_str(&format!("  {}\n", r.source.name));
            for p in &r.submission.problems {
                out.push_str(&format!("    - {}\n", p.line()));
            }
        }
    }
    if !col.skipped.is_empty() {
        out.push_str("keikaku が作った集計ファイルなので読み飛ばしました:");
        for &i in &col.skipped {
            out.push_str(&format!(" {}", col.received[i].source.name));
        }
        out.push('\n');
    }
    out
}

/// The character a PDF report shows for a character of an answer that no
/// font has (〓, the 下駄記号 Japanese print uses for a missing character).
pub const MISSING_GLYPH: char = '〓';

/// Whether a font of `fonts` can draw `c` (line breaks and tabs are layout,
/// not glyphs).
fn drawable(fonts: &crate::fonts::FontSet, c: char) -> bool {
    c == '\n' || c == '\t' || fonts.resolve(crate::fonts::Family::Mincho, c).is_some()
}

/// Notes every answer with characters that no font of the report has: a
/// 差戻し naming the cell and the characters, which the PDF shows as
/// [`MISSING_GLYPH`] (the workbook outputs keep the text as it was).
/// `report` names the PDF in the message.
fn check_glyphs<K>(sub: &mut Submission<K>, fonts: &crate::fonts::FontSet, report: &'static str) {
    let mut found = Vec::new();
    for a in &sub.answers {
        let Some(text) = a.text() else { continue };
        let mut missing: Vec<char> = text.chars().filter(|&c| !drawable(fonts, c)).collect();
        if missing.is_empty() {
            continue;
        }
        missing.sort_unstable();
        missing.dedup();
        found.push((Origin::cell(sub.sheet_of(a), a.cell), missing));
    }
    for (origin, chars) in found {
        sub.add(Severity::Fix, origin, Kind::MissingGlyphs { chars, report, shown_as: MISSING_GLYPH });
    }
}

/// The collection as the PDF report shows it: `None` when everything that
/// came from the files (answers, messages quoting them, file and sheet
/// names) can be drawn (the usual case, nothing is copied), else a copy in
/// which each character no font has is [`MISSING_GLYPH`].
pub(crate) fn printable<K: Clone>(col: &Collection<K>, fonts: &crate::fonts::FontSet) -> Option<Collection<K>> {
    let bad = |t: &str| t.chars().any(|c| !drawable(fonts, c));
    let needs = |r: &Received<K>| {
        bad(&r.source.name)
            || r.submission.sheets.iter().any(|s| bad(s))
            || r.submission.answers.iter().any(|a| a.text().is_some_and(bad))
            || r.submission.problems.iter().any(|p| bad(&p.message()) || p.sheet().is_some_and(bad))
    };
    if !col.received.iter().any(needs) {
        return None;
    }
    let fix = |t: &mut String| {
        if bad(t) {
            *t = t.chars().map(|c| if drawable(fonts, c) { c } else { MISSING_GLYPH }).collect();
        }
    };
    let mut copy = col.clone();
    for r in &mut copy.received {
        fix(&mut r.source.name);
        r.submission.sheets.iter_mut().for_each(fix);
        for a in &mut r.submission.answers {
            if let Some(v) = a.value.take() {
                let mut t = v.into_string();
                fix(&mut t);
                a.value = Some(t.into_boxed_str());
            }
        }
        for p in &mut r.submission.problems {
            let mut text = p.message();
            if bad(&text) {
                fix(&mut text);
                p.kind = Kind::Text { text };
            }
            if let Some(s) = &mut p.origin.sheet {
                fix(s);
            }
        }
    }
    Some(copy)
}

/// Options of a collection run.
pub struct Options<'a> {
    /// Write the PDF report with these fonts (`None`: the workbook only).
    pub pdf: Option<(&'a crate::fonts::FontSet, &'a crate::pdf::PdfOptions)>,
    /// A folder whose template of the same name replaces the shipped one.
    pub templates: Option<&'a Path>,
    /// The creation date of the workbooks when `SOURCE_DATE_EPOCH` is not
    /// set (ISO 8601; the master's save time).
    pub created: Option<&'a str>,
    /// Also write one 差戻し workbook per centre with something to fix here.
    pub returns: Option<&'a Path>,
    /// Files that an output must never replace (the master).
    pub protected: &'a [PathBuf],
}

/// What a collection run did.
#[derive(Debug)]
pub struct Outcome<K> {
    /// Every file read and the decision per centre.
    pub collection: Collection<K>,
    /// The files written into the output folder.
    pub files: Vec<PathBuf>,
    /// The 差戻し workbooks written.
    pub returns: Vec<PathBuf>,
}

/// The 差戻し workbook's file name for a centre: 「C01_勝田_差戻し.xlsx」.
pub fn returns_file_name(id: &str, name: &str) -> String {
    format!("{}_差戻し.xlsx", crate::jobs::distribute::centre_stem(id, name))
}

/// Refuses a run whose outputs would replace one of its inputs: the same
/// file by identity ([`crate::output::FileId`]: a hard or symbolic link to
/// an input is the input), not by name.
fn check_inputs_kept(outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<(), Error> {
    use crate::output::FileId;
    let inputs: std::collections::HashSet<FileId> = inputs.iter().filter_map(|p| FileId::of(p)).collect();
    for out in outputs {
        if FileId::of(out).is_some_and(|id| inputs.contains(&id)) {
            return Err(Error::input(format!(
                "出力の {} が入力のファイルと同じです。入力を上書きしないよう、別の出力先を指定してください。",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Checks before reading that no output of a run (the files in `out_dir`,
/// one 差戻し workbook per centre in the returns folder) would replace an
/// input: a submission or a protected file such as the master.
fn check_outputs(
    roster: &Roster,
    outputs: &[&str],
    out_dir: &Path,
    files: &[Found],
    opts: &Options,
) -> Result<(), Error> {
    let mut paths: Vec<PathBuf> = outputs.iter().map(|n| out_dir.join(n)).collect();
    if let Some(dir) = opts.returns {
        paths.extend(roster.centres.iter().map(|(id, name)| dir.join(returns_file_name(id, name))));
    }
    let mut inputs: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    inputs.extend(opts.protected.iter().cloned());
    check_inputs_kept(&paths, &inputs)
}

/// The first steps of every collection run: checks that no output would
/// replace an input, reads every file with `read` (in parallel), checks
/// the answers against the fonts of the PDF report `report` when there is
/// one ([`check_glyphs`]), and decides per centre of the roster. `outputs`
/// are the file names the run writes into `out_dir`; `own_kind` marks
/// keikaku's own earlier outputs, skipped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gather<K: Send>(
    roster: &Roster,
    outputs: &[&str],
    report: &'static str,
    out_dir: &Path,
    files: &[Found],
    opts: &Options,
    own_kind: &str,
    read: impl Fn(&Workbook) -> Submission<K> + Sync,
    progress: impl Fn(usize) + Sync,
) -> Result<Collection<K>, Error> {
    check_outputs(roster, outputs, out_dir, files, opts)?;
    let mut stages = crate::timing::Stages::start();
    let read = |wb: &Workbook| {
        let mut sub = read(wb);
        if let Some((fonts, _)) = opts.pdf {
            check_glyphs(&mut sub, fonts, report);
        }
        sub
    };
    let received = read_all(files, &[own_kind], read, progress);
    stages.done(&format!("read {} files", files.len()));
    Ok(Collection::new(roster, received))
}

/// One file checked at once against the master, as a collection of that
/// file alone would see it (`keikaku serve`'s centre links): the standing
/// (the file's centre, or the file as a stray one) and, when its centre
/// has something to fix, that centre's 差戻し workbook (file name, bytes).
#[derive(Debug, Clone)]
pub struct Checked {
    /// The standing of the collection of this one file.
    pub standing: Standing,
    /// The centre whose file it is, by its content (`None`: no centre's).
    pub centre: Option<String>,
    /// The 差戻し workbook of its centre, when it has something to fix.
    pub returns: Option<(String, Vec<u8>)>,
}

/// Checks one file as [`gather`] reads it (with the glyph check of the
/// report when `opts.pdf` is set) and makes its standing and 差戻し
/// workbook; nothing is written. `what` and `own_kind` as for the 差戻し
/// workbooks of a run.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_one<K: Send>(
    roster: &Roster,
    file: &Found,
    report: &'static str,
    what: &str,
    own_kind: &str,
    opts: &Options,
    read: impl Fn(&Workbook) -> Submission<K> + Sync,
) -> Result<Checked, Error> {
    let read = |wb: &Workbook| {
        let mut sub = read(wb);
        if let Some((fonts, _)) = opts.pdf {
            check_glyphs(&mut sub, fonts, report);
        }
        sub
    };
    let received = read_all(std::slice::from_ref(file), &[own_kind], read, |_| {});
    let centre = received[0].submission.centre.clone().filter(|_| !received[0].own_output);
    let collection = Collection::new(roster, received);
    let k = collection.centres.iter().position(|c| c.used == Some(0) || c.unused.iter().any(|(i, _)| *i == 0));
    let returns = match k {
        Some(k) => tables::returns_book(roster, &collection, k, what, own_kind, opts.created)?.map(|bytes| {
            let (id, name) = roster.centres[collection.centres[k].centre];
            (returns_file_name(id, name), bytes)
        }),
        None => None,
    };
    let outcome = Outcome { collection, files: vec![], returns: vec![] };
    Ok(Checked { standing: Standing::of(roster, &outcome), centre: k.and(centre), returns })
}

/// The 差戻し workbooks of the run, when it has a returns folder: one for
/// each centre with something to fix, named `ID_名称_差戻し.xlsx`. `what`
/// names the form in their title, `own_kind` marks them as keikaku's own.
pub(crate) fn returns_books<K>(
    roster: &Roster,
    col: &Collection<K>,
    what: &str,
    own_kind: &str,
    opts: &Options,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut returns = Vec::new();
    if opts.returns.is_none() {
        return Ok(returns);
    }
    for (k, c) in col.centres.iter().enumerate() {
        if let Some(bytes) = tables::returns_book(roster, col, k, what, own_kind, opts.created)? {
            let (id, name) = roster.centres[c.centre];
            returns.push((returns_file_name(id, name), bytes));
        }
    }
    Ok(returns)
}

/// Finishes a run's outputs: the files `names` already staged for the
/// output folder, and the 差戻し workbooks staged here for the returns
/// folder, all moved into place together. Returns the paths written
/// (outputs, then 差戻し).
pub(crate) fn commit_outputs(
    staging: crate::output::Staging,
    names: &[String],
    returns_dir: Option<&Path>,
    returns: &[(String, Vec<u8>)],
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let returns_staging = match returns_dir {
        Some(dir) if !returns.is_empty() => {
            let s = crate::output::Staging::new(dir)?;
            for (name, bytes) in returns {
                s.write(name, bytes)?;
            }
            Some(s)
        }
        _ => None,
    };
    let written = staging.commit(names)?;
    let returned = match returns_staging {
        Some(s) => s.commit(&returns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>())?,
        None => vec![],
    };
    Ok((written, returned))
}
