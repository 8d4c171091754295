//! Writing outputs safely: a file appears complete or not at all.
//!
//! Every output is written to a temporary file in the destination directory
//! and renamed over the target, so an interrupted run never leaves a
//! half-written PDF, and a failed run leaves an existing file untouched.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Creates an output folder and its parents if missing.
fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::output(format!("出力先のフォルダ「{}」を作れません: {e}", dir.display())))
}

/// Writes `bytes` to `path` atomically (temp file + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    let fail = |e: std::io::Error| Error::output(format!("「{}」に書き込めません: {e}", path.display()));
    let mut tmp = tempfile::Builder::new().prefix(".keikaku-").suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    // Temporary files are private (0600); an output is an ordinary document.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Whether `a` and `b` are the same file: the same device and inode on
/// Unix (hard links and symbolic links included), the same canonical path
/// elsewhere. A path that does not exist is the same as nothing.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (FileId::of(a), FileId::of(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// What identifies a file whatever the path that reaches it: device and
/// inode on Unix (hard links and symbolic links included), the canonical
/// path elsewhere. `None` for a path that does not exist. Two paths are
/// [`same_file`] exactly when their ids are equal; the id lets a set of many
/// inputs be compared with many outputs in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] std::path::PathBuf);

impl FileId {
    /// The id of the file at `path`, if it exists.
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path).ok().map(|m| FileId((m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            path.canonicalize().ok().map(FileId)
        }
    }
}

/// Characters Windows forbids in file names (Linux forbids `/`).
const FORBIDDEN: &[char] = &['\\', '/', ':', '*', '?', '"', '<', '>', '|'];

/// Names Windows reserves for devices, whatever the extension.
const RESERVED: &[&str] = &["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];

/// The longest file name stem made by [`safe_file_stem`], in UTF-8 bytes
/// (Linux allows 255 bytes per name, Windows 255 UTF-16 units; an extension
/// still fits).
pub const MAX_STEM_BYTES: usize = 200;

/// Turns text (a centre's ID and name) into a file name stem that is safe
/// on Windows and Linux: no path separators or `\ / : * ? " < > |`, no
/// control characters, no leading dots (no `..` traversal, no hidden
/// files), no trailing dots or spaces, not a reserved device name such as
/// `CON` or `COM1`, at most [`MAX_STEM_BYTES`] bytes.
///
/// ```
/// use keikaku::output::safe_file_stem;
/// assert_eq!(safe_file_stem("C01_勝田地域ステーション"), "C01_勝田地域ステーション");
/// assert_eq!(safe_file_stem("../a/b:c"), "_a_b_c");
/// assert_eq!(safe_file_stem("con"), "_con");
/// ```
pub fn safe_file_stem(text: &str) -> String {
    let mut s: String = text.chars().map(|c| if c.is_control() || FORBIDDEN.contains(&c) { '_' } else { c }).collect();
    // Collapse runs of '_' that replacement made.
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_start_matches(['.', ' ', '　']);
    let mut s = s.to_string();
    while s.len() > MAX_STEM_BYTES {
        s.pop();
    }
    while s.ends_with(['.', ' ', '　']) {
        s.pop();
    }
    if s.is_empty() || s == "_" {
        return "_".into();
    }
    let device = s.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    let numbered = |p: &str| {
        device
            .strip_prefix(p)
            .is_some_and(|n| n.chars().count() == 1 && n.chars().all(|c| c.is_ascii_digit() || "¹²³".contains(c)))
    };
    if RESERVED.contains(&device.as_str()) || numbered("COM") || numbered("LPT") {
        s.insert(0, '_');
    }
    s
}

/// The journal of a commit in progress, inside the staging folder: which
/// files move into the destination and which of them replace a file.
const JOURNAL: &str = ".journal";
/// Present (next to the journal) while a failed commit is being taken back.
const ROLLBACK: &str = ".rollback";
/// The staging folder's copies (hard links) of the files a commit replaces.
const REPLACED: &str = ".replaced";
/// Held locked by the run that owns a staging folder, so that recovery by
/// another run never touches a live one.
const LOCK: &str = ".lock";
/// The first line of a journal.
const JOURNAL_HEADER: &str = "keikaku-staging-journal 1";
/// Test hook: `KEIKAKU_FAULT_AFTER_MOVES=N` makes a commit abort the
/// process (as a crash or `kill -9` would) right after the N-th file is
/// moved into place (`0`: after the journal is written, before any move).
pub const FAULT_AFTER_MOVES: &str = "KEIKAKU_FAULT_AFTER_MOVES";

/// Makes the files `names` written in `dir` durable before anything is
/// promised about them. On Linux one `syncfs(2)` flushes the whole file
/// system the folder is on (one flush for a thousand files, where a
/// `fsync` each took a tenth of `pdca distribute`); elsewhere each file is
/// flushed in turn.
fn sync_files(dir: &Path, names: &[String]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let _ = names;
        let folder = std::fs::File::open(dir)?;
        // SAFETY: syncfs only reads the descriptor, which `folder` keeps open.
        if unsafe { libc::syncfs(folder.as_raw_fd()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        for name in names {
            flush_file(&dir.join(name))?;
        }
        Ok(())
    }
}

/// Flushes a written file's data to disk. The file is opened for writing
/// (without truncating it): Windows flushes only through a handle that may
/// write (`FlushFileBuffers`).
fn flush_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().write(true).open(path)?.sync_all()
}

/// Flushes a folder's entries (new, renamed, removed names) to disk; a no-op
/// where folders cannot be opened as files.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// One move of a commit: the file name, and whether a file of that name
/// was in the destination when the commit started.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Move {
    name: String,
    replaces: bool,
}

/// Whether `name` is a bare file name (one normal path component).
fn is_bare_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!((parts.next(), parts.next()), (Some(std::path::Component::Normal(_)), None))
}

fn journal_text(moves: &[Move]) -> String {
    let mut text = format!("{JOURNAL_HEADER}\n");
    for m in moves {
        text.push_str(if m.replaces { "=\t" } else { "+\t" });
        text.push_str(&m.name);
        text.push('\n');
    }
    text
}

fn parse_journal(text: &str) -> Option<Vec<Move>> {
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    lines
        .map(|l| {
            let (flag, name) = l.split_once('\t')?;
            let replaces = match flag {
                "=" => true,
                "+" => false,
                _ => return None,
            };
            is_bare_name(name).then(|| Move { name: name.to_string(), replaces })
        })
        .collect()
}

/// Keeps a copy of `to` (about to be replaced) at `backup`: a hard link
/// where the file system has them, else a copy flushed to disk. `to` is
/// never moved, so its name always holds a file.
fn keep_copy(to: &Path, backup: &Path) -> std::io::Result<()> {
    if backup.exists() {
        return Ok(());
    }
    if std::fs::hard_link(to, backup).is_ok() {
        return Ok(());
    }
    std::fs::copy(to, backup)?;
    flush_file(backup)
}

/// Finishes an interrupted commit: moves every file still in the staging
/// folder `st` into `dir` (each move atomically replaces the old file).
fn roll_forward(dir: &Path, st: &Path, moves: &[Move]) -> std::io::Result<()> {
    for m in moves {
        let staged = st.join(&m.name);
        if staged.exists() {
            std::fs::rename(&staged, dir.join(&m.name))?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Takes back a commit: every file already moved into `dir` (its staged
/// copy is gone) is replaced again by the file it replaced, or removed if
/// it replaced nothing. Safe to repeat after an interruption.
fn roll_back(dir: &Path, st: &Path, moves: &[Move]) -> std::io::Result<()> {
    for m in moves.iter().rev() {
        if st.join(&m.name).exists() {
            continue; // never moved: the destination still has the old file (or none)
        }
        let to = dir.join(&m.name);
        if m.replaces {
            let backup = st.join(REPLACED).join(&m.name);
            if backup.exists() {
                std::fs::rename(&backup, &to)?;
            }
        } else if to.exists() {
            std::fs::remove_file(&to)?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// Brings back to a consistent state what an interrupted run left in the
/// staging folder `st` of `dir`, then removes `st`:
///
/// - a commit with a journal and no rollback mark is **finished** (every
///   staged file was complete before the journal was written);
/// - a commit being taken back (rollback mark) is taken back;
/// - without a journal nothing was moved: the folder holds only unfinished
///   outputs. (A folder left by keikaku before journals existed may hold
///   replaced files in `.replaced`; any whose name is missing from `dir` is
///   put back.)
fn recover_one(dir: &Path, st: &Path) -> std::io::Result<()> {
    let journal = st.join(JOURNAL);
    if journal.exists() {
        let text = std::fs::read_to_string(&journal)?;
        let moves = parse_journal(&text).ok_or_else(|| std::io::Error::other("journal unreadable"))?;
        if st.join(ROLLBACK).exists() {
            roll_back(dir, st, &moves)?;
        } else {
            roll_forward(dir, st, &moves)?;
        }
    } else if let Ok(entries) = std::fs::read_dir(st.join(REPLACED)) {
        for e in entries.flatten() {
            let to = dir.join(e.file_name());
            if std::fs::symlink_metadata(&to).is_err() {
                std::fs::rename(e.path(), &to)?;
            }
        }
        sync_dir(dir);
    }
    std::fs::remove_dir_all(st)
}

/// Whether another live run holds the staging folder `st` (its lock file
/// is locked).
fn is_live(st: &Path) -> bool {
    match std::fs::OpenOptions::new().write(true).open(st.join(LOCK)) {
        Ok(f) => matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

/// Recovers every staging folder (`.keikaku-*`) that an interrupted run
/// (a crash, `kill -9`, a power cut) left in `dir`, so that afterwards each
/// output file is there in its old or its new version and no staging
/// folder remains; folders of runs still going are left alone. Called by
/// [`Staging::new`]; a missing `dir` has nothing to recover.
pub fn recover(dir: &Path) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for e in entries.flatten() {
        let is_staging =
            e.file_name().to_string_lossy().starts_with(".keikaku-") && e.file_type().is_ok_and(|t| t.is_dir());
        if !is_staging || is_live(&e.path()) {
            continue;
        }
        recover_one(dir, &e.path()).map_err(|err| {
            Error::output(format!(
                "出力先の「{}」は前回の中断した実行の作業フォルダーですが、片付けられません（{err}）。中のファイルは消さずに、書き込みできることを確かめてから、もう一度実行してください。",
                e.path().display()
            ))
        })?;
    }
    Ok(())
}

/// A set of output files that appear together or not at all: each is
/// written into a hidden staging folder inside the destination, and only
/// [`Staging::commit`] moves them into place. Dropping an uncommitted
/// staging removes everything written so far (and the destination folder
/// if this staging created it and it is empty); files already in the
/// destination are untouched until the commit.
///
/// The commit is journaled, so that a crash at any moment leaves every
/// file in its old or its new version, and the next staging in the same
/// folder finishes the interrupted commit ([`recover`]).
#[derive(Debug)]
pub struct Staging {
    dir: std::path::PathBuf,
    tmp: Option<tempfile::TempDir>,
    lock: Option<std::fs::File>,
    /// The destination folder did not exist before.
    created: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        self.lock.take();
        if let Some(tmp) = self.tmp.take() {
            let _ = tmp.close();
            if self.created {
                // Only succeeds when the folder is empty.
                let _ = std::fs::remove_dir(&self.dir);
            }
        }
    }
}

impl Staging {
    /// Starts a staging area in `dir` (created if missing), after
    /// recovering what an interrupted earlier run left there ([`recover`]).
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        let created = !dir.exists();
        create_dir(dir)?;
        recover(dir)?;
        let fail =
            |e: std::io::Error| Error::output(format!("出力先のフォルダ「{}」に書き込めません: {e}", dir.display()));
        let tmp = match tempfile::Builder::new().prefix(".keikaku-").tempdir_in(dir) {
            Ok(t) => t,
            Err(e) => {
                if created {
                    let _ = std::fs::remove_dir(dir);
                }
                return Err(fail(e));
            }
        };
        let mut staging = Staging { dir: dir.to_path_buf(), tmp: Some(tmp), lock: None, created };
        let lock = std::fs::File::create(staging.path().join(LOCK)).map_err(fail)?;
        // Where the file system cannot lock, recovery by a parallel run is
        // the only risk, and it only ever finishes or removes this staging.
        let _ = lock.try_lock();
        staging.lock = Some(lock);
        Ok(staging)
    }

    /// The staging folder.
    fn path(&self) -> &Path {
        self.tmp.as_ref().map(|t| t.path()).unwrap_or(&self.dir)
    }

    /// Writes one file (by bare file name) into the staging area. Safe to
    /// call from several threads for different names. The file reaches
    /// the disk in [`Staging::commit`], before the journal that promises it.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.path().join(name);
        let fail =
            |e: std::io::Error| Error::output(format!("「{}」に書き込めません: {e}", self.dir.join(name).display()));
        let mut f = std::fs::File::create(&path).map_err(fail)?;
        f.write_all(bytes).map_err(fail)?;
        Ok(())
    }

    /// Lets `write` make one file (by bare file name) at the path it is
    /// given inside the staging area, for writers that stream to a file
    /// rather than return bytes; flushed to disk as [`Staging::write`]'s.
    pub fn write_with(&self, name: &str, write: impl FnOnce(&Path) -> Result<(), Error>) -> Result<(), Error> {
        write(&self.path().join(name))
    }

    /// Moves the staged files `names` into the destination, in this order,
    /// replacing files of the same name. Returns their paths.
    ///
    /// First a journal of the moves is written and flushed; then for each
    /// file that replaces one, the old file is kept in the staging folder
    /// (a hard link, or a copy), and the new file is renamed over it, so
    /// the name never goes missing. A crash at any point is finished by the
    /// next run ([`recover`]). If a move fails (a file open in Excel on
    /// Windows, a full disk), the files moved so far are taken back and the
    /// replaced ones restored, so the destination is as it was before; the
    /// error names the file.
    pub fn commit(self, names: &[String]) -> Result<Vec<std::path::PathBuf>, Error> {
        let fault = std::env::var(FAULT_AFTER_MOVES).ok().and_then(|v| v.trim().parse().ok());
        self.commit_until(names, fault.map(Stop::Abort)).map(|done| done.unwrap_or_default())
    }

    /// [`Staging::commit`], stopping after `stop`'s number of moves (as a
    /// crash would: the staging folder stays); `None` when it stopped.
    fn commit_until(mut self, names: &[String], stop: Option<Stop>) -> Result<Option<Vec<std::path::PathBuf>>, Error> {
        let st = self.path().to_path_buf();
        let dir = self.dir.clone();
        let fail =
            |e: std::io::Error| Error::output(format!("出力先のフォルダ「{}」に書き込めません: {e}", dir.display()));
        if let Some(bad) = names.iter().find(|n| !is_bare_name(n)) {
            return Err(Error::internal(format!("出力のファイル名「{bad}」がフォルダーを含んでいます。")));
        }
        let moves: Vec<Move> = names
            .iter()
            .map(|n| Move { name: n.clone(), replaces: std::fs::symlink_metadata(dir.join(n)).is_ok() })
            .collect();
        std::fs::create_dir(st.join(REPLACED)).map_err(fail)?;
        // The staged files and their names reach the disk before the
        // journal that promises them (for a power cut; a killed process
        // loses nothing).
        sync_files(&st, names).map_err(fail)?;
        sync_dir(&st);
        let pending = st.join(".journal.tmp");
        std::fs::write(&pending, journal_text(&moves)).map_err(fail)?;
        flush_file(&pending).map_err(fail)?;
        std::fs::rename(&pending, st.join(JOURNAL)).map_err(fail)?;
        sync_dir(&st);
        let mut crash = |moved: usize| -> bool {
            match stop {
                Some(Stop::Abort(n)) if n == moved => std::process::abort(),
                Some(Stop::Leave(n)) if n == moved => {
                    self.lock.take();
                    if let Some(tmp) = self.tmp.take() {
                        let _ = tmp.keep();
                    }
                    true
                }
                _ => false,
            }
        };
        if crash(0) {
            return Ok(None);
        }
        for (i, m) in moves.iter().enumerate() {
            let to = dir.join(&m.name);
            let step = || -> std::io::Result<()> {
                if m.replaces {
                    keep_copy(&to, &st.join(REPLACED).join(&m.name))?;
                }
                std::fs::rename(st.join(&m.name), &to)
            };
            if let Err(e) = step() {
                let undone = std::fs::write(st.join(ROLLBACK), b"")
                    .and_then(|_| flush_file(&st.join(ROLLBACK)))
                    .and_then(|_| roll_back(&dir, &st, &moves));
                if let Err(again) = undone {
                    // Keep the staging folder: the next run takes the commit back.
                    if let Some(tmp) = self.tmp.take() {
                        let _ = tmp.keep();
                    }
                    return Err(Error::output(format!(
                        "「{}」を置けません（{e}）。置いたファイルを戻す途中でも失敗しました（{again}）。元のファイルは {} に残っています。消さずに、次に同じ出力先で実行すると元に戻ります。",
                        to.display(),
                        st.display()
                    )));
                }
                return Err(Error::output(format!(
                    "「{}」を置けません（{e}）。Excel などで開いていたら閉じてから、もう一度実行してください。出力先は実行前のままです。",
                    to.display()
                )));
            }
            if crash(i + 1) {
                return Ok(None);
            }
        }
        sync_dir(&dir);
        self.created = false;
        self.lock.take();
        if let Some(tmp) = self.tmp.take() {
            // The commit is complete; a folder left behind here is finished
            // (a no-op) by the next run.
            let _ = std::fs::remove_file(st.join(JOURNAL));
            let _ = tmp.close();
        }
        Ok(Some(names.iter().map(|n| dir.join(n)).collect()))
    }
}

/// Where [`Staging::commit_until`] stops, after how many moves.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// Aborts the process (the [`FAULT_AFTER_MOVES`] test hook).
    Abort(usize),
    /// Returns, leaving the staging folder as a crash would (unit tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Leave(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.pdf");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn file_stems_are_safe_everywhere() {
        for (given, want) in [
            ("大原地域包括支援センター", "大原地域包括支援センター"),
            ("a\\b/c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
            ("..", "_"),
            ("../../etc/passwd", "_.._etc_passwd"),
            (".hidden", "hidden"),
            ("名前. . ", "名前"),
            ("CON", "_CON"),
            ("com1", "_com1"),
            ("LPT9.txt", "_LPT9.txt"),
            ("COM10", "COM10"),
            ("CONSOLE", "CONSOLE"),
            ("tab\there", "tab_here"),
            ("", "_"),
        ] {
            assert_eq!(safe_file_stem(given), want, "{given:?}");
        }
        let long = safe_file_stem(&"あ".repeat(300));
        assert!(long.len() <= MAX_STEM_BYTES && long.len() > MAX_STEM_BYTES - 4, "{}", long.len());
        assert!(safe_file_stem(&"𠮷".repeat(100)).len() <= MAX_STEM_BYTES, "4-byte characters counted in bytes");
    }

    #[test]
    fn staging_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"old").unwrap();
        {
            let s = Staging::new(dir.path()).unwrap();
            s.write("a.txt", b"new").unwrap();
            s.write("b.txt", b"b").unwrap();
            // dropped without commit
        }
        let names = |d: &Path| {
            let mut v: Vec<String> =
                std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
            v.sort();
            v
        };
        assert_eq!(names(dir.path()), vec!["a.txt"]);
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"old");
        let s = Staging::new(dir.path()).unwrap();
        s.write("a.txt", b"new").unwrap();
        s.write("b.txt", b"b").unwrap();
        assert_eq!(s.commit(&["a.txt".into(), "b.txt".into()]).unwrap().len(), 2);
        assert_eq!(names(dir.path()), vec!["a.txt", "b.txt"]);
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"new");
    }

    #[test]
    fn a_failed_commit_restores_the_destination() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"old a").unwrap();
        let s = Staging::new(dir.path()).unwrap();
        s.write("a.txt", b"new a").unwrap();
        s.write("b.txt", b"b").unwrap();
        // The third move fails (nothing was staged under that name).
        let e = s.commit(&["a.txt".into(), "b.txt".into(), "c.txt".into()]).unwrap_err();
        assert!(e.message.contains("c.txt") && e.message.contains("実行前のまま"), "{}", e.message);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["a.txt"], "b.txt taken back, staging removed");
        assert_eq!(std::fs::read(dir.path().join("a.txt")).unwrap(), b"old a", "a.txt restored");
    }

    /// The names in a folder, sorted.
    fn listing(d: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn read(d: &Path, name: &str) -> Option<String> {
        std::fs::read_to_string(d.join(name)).ok()
    }

    #[test]
    fn a_commit_interrupted_after_any_move_is_finished_by_the_next_run() {
        let names: Vec<String> = ["a.txt", "b.txt", "c.txt"].map(String::from).to_vec();
        for k in 0..=3 {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("a.txt"), "old a").unwrap();
            std::fs::write(dir.path().join("b.txt"), "old b").unwrap();
            let s = Staging::new(dir.path()).unwrap();
            for n in &names {
                s.write(n, format!("new {}", &n[..1]).as_bytes()).unwrap();
            }
            assert_eq!(s.commit_until(&names, Some(Stop::Leave(k))).unwrap(), None);
            // At the crash: every file that was there is there, old or new.
            for n in ["a.txt", "b.txt"] {
                let v = read(dir.path(), n).unwrap();
                assert!(v == format!("old {}", &n[..1]) || v == format!("new {}", &n[..1]), "k={k}: {n} = {v}");
            }
            assert_eq!(listing(dir.path()).iter().filter(|n| n.starts_with(".keikaku-")).count(), 1);
            // The next run finishes the commit and leaves no staging folder.
            recover(dir.path()).unwrap();
            assert_eq!(listing(dir.path()), names, "k={k}");
            for n in &names {
                assert_eq!(read(dir.path(), n).unwrap(), format!("new {}", &n[..1]), "k={k}");
            }
        }
    }

    #[test]
    fn an_interrupted_rollback_is_finished_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.txt"), "old a").unwrap();
        std::fs::write(d.join("b.txt"), "old b").unwrap();
        // a.txt replaced (old kept), c.txt placed new, b.txt not moved yet;
        // the rollback had begun.
        let st = d.join(".keikaku-x");
        std::fs::create_dir_all(st.join(REPLACED)).unwrap();
        let moves =
            [("a.txt", true), ("c.txt", false), ("b.txt", true)].map(|(n, r)| Move { name: n.into(), replaces: r });
        std::fs::write(st.join(JOURNAL), journal_text(&moves)).unwrap();
        std::fs::write(st.join(ROLLBACK), "").unwrap();
        std::fs::hard_link(d.join("a.txt"), st.join(REPLACED).join("a.txt")).unwrap();
        std::fs::write(st.join("new a"), "new a").unwrap();
        std::fs::rename(st.join("new a"), d.join("a.txt")).unwrap();
        std::fs::write(d.join("c.txt"), "new c").unwrap();
        std::fs::write(st.join("b.txt"), "new b").unwrap();
        recover(d).unwrap();
        assert_eq!(listing(d), ["a.txt", "b.txt"]);
        assert_eq!(read(d, "a.txt").unwrap(), "old a");
        assert_eq!(read(d, "b.txt").unwrap(), "old b");
        // Repeating the recovery changes nothing.
        recover(d).unwrap();
        assert_eq!(read(d, "a.txt").unwrap(), "old a");
    }

    #[test]
    fn a_folder_left_before_journals_gives_back_the_files_it_took() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // The old commit had moved a.txt aside and died before placing the new one.
        let st = d.join(".keikaku-old");
        std::fs::create_dir_all(st.join(REPLACED)).unwrap();
        std::fs::write(st.join(REPLACED).join("a.txt"), "old a").unwrap();
        std::fs::write(st.join(REPLACED).join("b.txt"), "old b").unwrap();
        std::fs::write(st.join("a.txt"), "new a").unwrap();
        std::fs::write(d.join("b.txt"), "new b").unwrap();
        Staging::new(d).unwrap();
        assert_eq!(listing(d), ["a.txt", "b.txt"]);
        assert_eq!(read(d, "a.txt").unwrap(), "old a");
        assert_eq!(read(d, "b.txt").unwrap(), "new b");
    }

    #[test]
    fn a_live_staging_is_left_alone_and_a_dead_one_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = d.join(".keikaku-dead");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join("a.txt"), "half").unwrap();
        std::fs::write(dead.join(LOCK), "").unwrap();
        let s = Staging::new(d).unwrap();
        assert!(!dead.exists(), "an unlocked staging without a journal moved nothing: removed");
        s.write("a.txt", b"new").unwrap();
        let live = s.path().to_path_buf();
        recover(d).unwrap();
        assert!(live.join("a.txt").exists(), "a run still going is not touched");
        s.commit(&["a.txt".into()]).unwrap();
        assert_eq!(listing(d), ["a.txt"]);
    }

    #[test]
    fn a_failed_run_removes_the_output_folder_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("new/out");
        let s = Staging::new(&out).unwrap();
        s.write("a.txt", b"a").unwrap();
        drop(s);
        assert!(!out.exists());
        std::fs::create_dir_all(&out).unwrap();
        drop(Staging::new(&out).unwrap());
        assert!(out.exists(), "a folder that was there stays");
    }

    #[test]
    fn journals_name_only_bare_files() {
        let moves = [Move { name: "C01_勝田.xlsx".into(), replaces: true }, Move { name: "b".into(), replaces: false }];
        assert_eq!(parse_journal(&journal_text(&moves)).unwrap(), moves);
        for bad in ["../x", "a/b", "/etc/passwd", "..", ""] {
            assert_eq!(parse_journal(&format!("{JOURNAL_HEADER}\n=\t{bad}\n")), None, "{bad:?}");
        }
        assert_eq!(parse_journal("something else\n"), None);
    }
}
