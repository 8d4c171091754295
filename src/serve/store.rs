//! The data folder: an SQLite database (rounds, submissions, files, jobs,
//! sessions) and the files themselves, stored once each under their
//! SHA-256 and never modified.
//!
//! ```text
//! DIR/
//!   admin.token        the admin token (mode 0600)
//!   keikaku.sqlite3    the database (WAL: also -wal and -shm)
//!   blobs/ab/ab12…     every file, named by its SHA-256
//!   tmp/               uploads being received (emptied at start)
//!   work/              jobs' working folders (emptied at start)
//!   lock               held while a server runs on DIR
//! ```
//!
//! A file is written to `tmp/`, synced, and renamed into `blobs/` (the
//! folder synced too) before the database records it, and the database
//! commits with `synchronous = FULL`: what the server has acknowledged
//! survives a crash or a power cut.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The database's layout version (`PRAGMA user_version`).
const SCHEMA_VERSION: i32 = 2;

const SCHEMA: &str = "
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    stored TEXT NOT NULL
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    form TEXT NOT NULL,
    title TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    master_name TEXT NOT NULL,
    master_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    created TEXT NOT NULL,
    centres TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds(id),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    received TEXT NOT NULL,
    UNIQUE (round, sha256)
);
CREATE TABLE files (
    round INTEGER NOT NULL REFERENCES rounds(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (round, role, name)
);
CREATE TABLE standings (
    round INTEGER PRIMARY KEY REFERENCES rounds(id),
    standing TEXT NOT NULL,
    submissions INTEGER NOT NULL,
    job INTEGER NOT NULL
);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    created TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE agendas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    pdf_sha256 TEXT REFERENCES blobs(sha256),
    title TEXT,
    problems TEXT NOT NULL,
    created TEXT NOT NULL
);
";

/// Version 2: the centres' links, the audit log, a round's deadline, and
/// for a submission through a link its centre, its check and its 差戻し
/// workbook.
const SCHEMA_2: &str = "
ALTER TABLE rounds ADD COLUMN deadline TEXT;
ALTER TABLE submissions ADD COLUMN centre TEXT;
ALTER TABLE submissions ADD COLUMN checked TEXT;
ALTER TABLE submissions ADD COLUMN returns_sha256 TEXT REFERENCES blobs(sha256);
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    round INTEGER NOT NULL REFERENCES rounds(id),
    centre TEXT NOT NULL,
    generation INTEGER NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE INDEX links_by_round ON links(round, centre);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    round INTEGER,
    centre TEXT,
    actor TEXT NOT NULL,
    address TEXT,
    action TEXT NOT NULL,
    name TEXT,
    sha256 TEXT,
    result TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_by_round ON audit(round, id);
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// The data folder and its database.
pub struct Store {
    dir: PathBuf,
    db: Mutex<Connection>,
    _lock: File,
}

/// A database error as the server's error (an internal failure: the
/// database is the server's own).
pub fn db_error(e: rusqlite::Error) -> Error {
    Error::output(format!("データベースの操作に失敗しました（{e}）。"))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::output(format!("{what} {} を書けません（{e}）。", path.display()))
}

/// The current time, ISO 8601 in UTC (`2026-12-03T10:00:00Z`).
pub fn now_iso() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    iso_utc(secs)
}

/// Seconds since 1970 → `YYYY-MM-DDThh:mm:ssZ` (the proleptic Gregorian
/// calendar, days to civil date after H. Hinnant).
pub fn iso_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Seconds since 1970 of a civil date and time (the inverse of
/// [`iso_utc`]'s days to civil date, after H. Hinnant).
fn epoch_of(y: i64, m: i64, day: i64, h: i64, min: i64, sec: i64) -> Option<i64> {
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0..61).contains(&sec)
    {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 + h * 3600 + min * 60 + sec)
}

/// `YYYY-MM-DD` and `hh:mm[:ss]` → the numbers.
fn split_date_time(date: &str, time: &str) -> Option<(i64, i64, i64, i64, i64, i64)> {
    let mut d = date.trim().splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.trim().splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, min) = (t.next()??, t.next()??);
    let sec = t.next().unwrap_or(Some(0))?;
    Some((y, m, day, h, min, sec))
}

/// Japan's UTC+9, all year.
const JAPAN: i64 = 9 * 3600;

/// An ISO 8601 UTC time of [`iso_utc`] as Japan's local time for pages
/// (`2026-12-03T12:08:05Z` → `2026-12-03 21:08`). Another text is
/// returned as it is.
pub fn japan_time(iso: &str) -> String {
    let parse = || {
        let (date, time) = iso.strip_suffix('Z')?.split_once('T')?;
        let (y, m, d, h, min, sec) = split_date_time(date, time)?;
        epoch_of(y, m, d, h, min, sec)
    };
    match parse() {
        Some(secs) => {
            let local = iso_utc(secs + JAPAN);
            format!("{} {}", &local[..10], &local[11..16])
        }
        None => iso.to_string(),
    }
}

/// A time typed in Japan (`2026-12-20T17:00`, as a browser's date and time
/// field sends it, or `2026-12-20 17:00`) as ISO 8601 UTC.
pub fn from_japan_time(local: &str) -> Option<String> {
    let (date, time) = local.trim().split_once(['T', ' '])?;
    let (y, m, d, h, min, sec) = split_date_time(date, time)?;
    Some(iso_utc(epoch_of(y, m, d, h, min, sec)? - JAPAN))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Syncs a folder, so that a rename into it is durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

impl Store {
    /// Opens (creating when needed) the data folder `dir`: takes its lock
    /// (one server per folder), empties `tmp/` and `work/`, opens the
    /// database in WAL mode and creates or checks its tables.
    pub fn open(dir: &Path) -> Result<Store, Error> {
        for sub in ["", "blobs", "tmp", "work"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d)
                .map_err(|e| Error::output(format!("データのフォルダー {} を作れません（{e}）。", d.display())))?;
        }
        let lock_path = dir.join("lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("ロックファイル", &lock_path, e))?;
        if lock.try_lock().is_err() {
            return Err(Error::input(format!(
                "データのフォルダー {} は、ほかの keikaku serve が使っています。先に起動したものを終了するか、別の --data を指定してください。",
                dir.display()
            )));
        }
        for sub in ["tmp", "work"] {
            let d = dir.join(sub);
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).map_err(|e| io_error("フォルダー", &d, e))?;
        }
        let db_path = dir.join("keikaku.sqlite3");
        let db = Connection::open(&db_path)
            .map_err(|e| Error::output(format!("データベース {} を開けません（{e}）。", db_path.display())))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(db_error)?;
        let version: i32 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error)?;
        match version {
            0 => {
                db.execute_batch(&format!("BEGIN; {SCHEMA} {SCHEMA_2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                    .map_err(db_error)?;
            }
            1 => {
                db.execute_batch(&format!("BEGIN; {SCHEMA_2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                    .map_err(db_error)?;
            }
            SCHEMA_VERSION => {}
            v => {
                return Err(Error::input(format!(
                    "データベース {} は新しい版の keikaku で作られています（版 {v}、この keikaku は版 {SCHEMA_VERSION}）。新しい keikaku で開いてください。",
                    db_path.display()
                )))
            }
        }
        // Files in blobs/ the database does not know (placed for an upload
        // that was then refused, or not yet recorded when the server
        // stopped: never acknowledged) are removed; no request runs yet.
        let known: std::collections::HashSet<String> = {
            let mut q = db.prepare("SELECT sha256 FROM blobs").map_err(db_error)?;
            let rows = q.query_map([], |r| r.get::<_, String>(0)).map_err(db_error)?;
            rows.collect::<Result<_, _>>().map_err(db_error)?
        };
        if let Ok(dirs) = std::fs::read_dir(dir.join("blobs")) {
            for d in dirs.flatten() {
                for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
                    let name = f.file_name().to_string_lossy().into_owned();
                    if !known.contains(&name) {
                        let _ = std::fs::remove_file(f.path());
                    }
                }
            }
        }
        // Jobs that were running when the server stopped run again.
        db.execute("UPDATE jobs SET state = 'queued' WHERE state = 'running'", []).map_err(db_error)?;
        Ok(Store { dir: dir.to_path_buf(), db: Mutex::new(db), _lock: lock })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database, for one short piece of work.
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the file with this SHA-256 is kept.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("blobs").join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    /// A new temporary file in `tmp/`, removed when dropped unless kept.
    pub fn temp_file(&self) -> Result<tempfile::NamedTempFile, Error> {
        tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(self.dir.join("tmp"))
            .map_err(|e| io_error("一時ファイル", &self.dir.join("tmp"), e))
    }

    /// A new working folder for a job, in `work/`.
    pub fn work_dir(&self) -> Result<tempfile::TempDir, Error> {
        tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(self.dir.join("work"))
            .map_err(|e| io_error("作業フォルダー", &self.dir.join("work"), e))
    }

    /// Moves a received temporary file (already synced) into `blobs/` as
    /// the blob `sha256`, unless it is kept already. Returns the folder
    /// the blob is in, which must be synced ([`Store::sync_dirs`]) before
    /// the blob is recorded.
    pub fn place(&self, temp: tempfile::NamedTempFile, sha256: &str) -> Result<Option<PathBuf>, Error> {
        let path = self.blob_path(sha256);
        let parent = path.parent().expect("blob paths have a parent").to_path_buf();
        // A blob already there may have been placed by a request that was
        // refused before it synced its folder: the folder is synced anyway.
        if !path.exists() {
            std::fs::create_dir_all(&parent).map_err(|e| io_error("フォルダー", &parent, e))?;
            temp.persist(&path).map_err(|e| io_error("ファイル", &path, e.error))?;
        }
        Ok(Some(parent))
    }

    /// Syncs the folders that blobs were moved into, so that the moves
    /// survive a crash.
    pub fn sync_dirs<'a>(&self, dirs: impl IntoIterator<Item = &'a PathBuf>) -> Result<(), Error> {
        for d in dirs {
            sync_dir(d).map_err(|e| io_error("フォルダー", d, e))?;
        }
        Ok(())
    }

    /// Records a placed and synced blob, in the caller's transaction.
    pub fn record_blob(db: &Connection, sha256: &str, size: u64) -> Result<(), Error> {
        db.execute(
            "INSERT OR IGNORE INTO blobs (sha256, size, stored) VALUES (?1, ?2, ?3)",
            params![sha256, size as i64, now_iso()],
        )
        .map_err(db_error)?;
        Ok(())
    }

    /// Keeps a received temporary file (already synced) as the blob
    /// `sha256`: placed, its folder synced, recorded.
    pub fn keep_temp(&self, temp: tempfile::NamedTempFile, sha256: &str, size: u64) -> Result<(), Error> {
        let dir = self.place(temp, sha256)?;
        self.sync_dirs(dir.iter())?;
        Store::record_blob(&self.db(), sha256, size)
    }

    /// Keeps `bytes` as a blob and returns its SHA-256.
    pub fn keep_bytes(&self, bytes: &[u8]) -> Result<String, Error> {
        let sha = hex(&Sha256::digest(bytes));
        let mut temp = self.temp_file()?;
        temp.write_all(bytes)
            .and_then(|_| temp.as_file().sync_all())
            .map_err(|e| io_error("一時ファイル", temp.path(), e))?;
        self.keep_temp(temp, &sha, bytes.len() as u64)?;
        Ok(sha)
    }

    /// Keeps the file at `path` (a job's output, in `work/`, on the same
    /// disk) as a blob: hashed as it is read, synced, and moved into
    /// `blobs/` (not copied).
    pub fn keep_file(&self, path: &Path) -> Result<String, Error> {
        use std::io::Read;
        let unreadable =
            |e: std::io::Error| Error::output(format!("作ったファイル {} を読めません（{e}）。", path.display()));
        let mut file = File::open(path).map_err(unreadable)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        file.sync_all().map_err(unreadable)?;
        let sha = hex(&hasher.finalize());
        let blob = self.blob_path(&sha);
        let parent = blob.parent().expect("blob paths have a parent");
        if blob.exists() {
            let _ = std::fs::remove_file(path);
        } else {
            std::fs::create_dir_all(parent).map_err(|e| io_error("フォルダー", parent, e))?;
            std::fs::rename(path, &blob).map_err(|e| io_error("ファイル", &blob, e))?;
        }
        sync_dir(parent).map_err(|e| io_error("フォルダー", parent, e))?;
        Store::record_blob(&self.db(), &sha, size)?;
        Ok(sha)
    }

    /// Reads a blob.
    pub fn read_blob(&self, sha256: &str) -> Result<Vec<u8>, Error> {
        let path = self.blob_path(sha256);
        std::fs::read(&path)
            .map_err(|e| Error::output(format!("保存したファイル {} を読めません（{e}）。", path.display())))
    }

    /// Whether a session token is live; its CSRF token if so.
    pub fn session_csrf(&self, token_sha256: &str, now: i64) -> Result<Option<String>, Error> {
        self.db()
            .query_row(
                "SELECT csrf FROM sessions WHERE token_sha256 = ?1 AND expires > ?2",
                params![token_sha256, now],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_796_299_199), "2026-12-03T11:59:59Z");
        assert_eq!(japan_time("2026-12-03T12:08:05Z"), "2026-12-03 21:08");
        assert_eq!(japan_time("2026-12-31T20:00:00Z"), "2027-01-01 05:00");
        assert_eq!(japan_time("2024-02-28T15:00:00Z"), "2024-02-29 00:00");
        assert_eq!(japan_time("昨日"), "昨日");
        assert_eq!(from_japan_time("2026-12-20T17:00").as_deref(), Some("2026-12-20T08:00:00Z"));
        assert_eq!(from_japan_time("2027-01-01 05:00").as_deref(), Some("2026-12-31T20:00:00Z"));
        assert_eq!(from_japan_time("2026-13-01T00:00"), None);
        assert_eq!(from_japan_time("明日"), None);
        for secs in [0, 951_782_400, 1_796_299_199, 4_102_444_800] {
            assert_eq!(japan_time(&iso_utc(secs)), {
                let l = iso_utc(secs + 9 * 3600);
                format!("{} {}", &l[..10], &l[11..16])
            });
        }
    }

    #[test]
    fn blobs_are_kept_once_and_the_folder_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store.keep_bytes(b"abc").unwrap();
        let b = store.keep_bytes(b"abc").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(store.read_blob(&a).unwrap(), b"abc");
        let n: i64 = store.db().query_row("SELECT count(*) FROM blobs", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        let second = Store::open(dir.path());
        assert!(second.is_err_and(|e| e.message.contains("ほかの keikaku serve")));
        drop(store);
        assert!(Store::open(dir.path()).is_ok());
    }
}
