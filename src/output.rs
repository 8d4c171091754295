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
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
        false
    }
    #[cfg(not(unix))]
    {
        match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
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

/// A set of output files that appear together or not at all: each is
/// written into a hidden staging folder inside the destination, and only
/// [`Staging::commit`] moves them into place. Dropping an uncommitted
/// staging removes everything written so far; files already in the
/// destination are untouched until the commit.
#[derive(Debug)]
pub struct Staging {
    dir: std::path::PathBuf,
    tmp: tempfile::TempDir,
}

impl Staging {
    /// Starts a staging area in `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        create_dir(dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".keikaku-")
            .tempdir_in(dir)
            .map_err(|e| Error::output(format!("出力先のフォルダ「{}」に書き込めません: {e}", dir.display())))?;
        Ok(Staging { dir: dir.to_path_buf(), tmp })
    }

    /// Writes one file (by bare file name) into the staging area. Safe to
    /// call from several threads for different names.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.tmp.path().join(name);
        let fail =
            |e: std::io::Error| Error::output(format!("「{}」に書き込めません: {e}", self.dir.join(name).display()));
        let mut f = std::fs::File::create(&path).map_err(fail)?;
        f.write_all(bytes).map_err(fail)?;
        f.sync_all().map_err(fail)?;
        Ok(())
    }

    /// Lets `write` make one file (by bare file name) at the path it is
    /// given inside the staging area, for writers that stream to a file
    /// rather than return bytes; the file is then flushed to disk.
    pub fn write_with(&self, name: &str, write: impl FnOnce(&Path) -> Result<(), Error>) -> Result<(), Error> {
        let path = self.tmp.path().join(name);
        write(&path)?;
        let fail =
            |e: std::io::Error| Error::output(format!("「{}」に書き込めません: {e}", self.dir.join(name).display()));
        std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(fail)
    }

    /// Moves the staged files `names` into the destination, in this order,
    /// replacing files of the same name. Returns their paths.
    ///
    /// If a move fails (a file open in Excel on Windows, a full disk), the
    /// files moved so far are taken back and the replaced ones restored, so
    /// the destination is as it was before; the error names the file.
    pub fn commit(self, names: &[String]) -> Result<Vec<std::path::PathBuf>, Error> {
        let old = self.tmp.path().join(".replaced");
        std::fs::create_dir(&old)
            .map_err(|e| Error::output(format!("出力先のフォルダ「{}」に書き込めません: {e}", self.dir.display())))?;
        // (target, whether an earlier file was moved aside)
        let mut done: Vec<(String, bool)> = Vec::new();
        for name in names {
            let to = self.dir.join(name);
            let step = || -> std::io::Result<bool> {
                let existed = to.exists();
                if existed {
                    std::fs::rename(&to, old.join(name))?;
                }
                if let Err(e) = std::fs::rename(self.tmp.path().join(name), &to) {
                    if existed {
                        let _ = std::fs::rename(old.join(name), &to);
                    }
                    return Err(e);
                }
                Ok(existed)
            };
            match step() {
                Ok(existed) => done.push((name.clone(), existed)),
                Err(e) => {
                    for (n, existed) in done.iter().rev() {
                        let at = self.dir.join(n);
                        let _ = std::fs::remove_file(&at);
                        if *existed {
                            let _ = std::fs::rename(old.join(n), &at);
                        }
                    }
                    return Err(Error::output(format!(
                        "「{}」を置けません（{e}）。Excel などで開いていたら閉じてから、もう一度実行してください。出力先は実行前のままです。",
                        to.display()
                    )));
                }
            }
        }
        Ok(names.iter().map(|n| self.dir.join(n)).collect())
    }
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
}
