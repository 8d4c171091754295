//! Background jobs: distributing a round's master and collecting its
//! submissions run one at a time, in the order they were queued, on a
//! thread of their own, so the page never waits for them. A job is a row
//! of the `jobs` table: queued, running, done or failed. A job that was
//! running when the server stopped runs again at the next start (both
//! jobs only read what is kept and replace what they made).
//!
//! A collection is queued after every upload of submissions; an upload
//! while a collection is queued joins it, an upload while one runs queues
//! the next, so every upload is collected.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use rusqlite::{params, OptionalExtension};

use super::json;
use super::store::{db_error, now_iso, Store};
use crate::error::Error;
use crate::fonts::FontSet;
use crate::forms::round::{read_master, RoundMaster, RoundOptions};
use crate::jobs::collect::Found;
use crate::pdf::PdfOptions;
use crate::workbook::Workbook;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Writes every centre's files of a round.
    Distribute,
    /// Collects a round's submissions.
    Collect,
}

impl JobKind {
    /// Its name in the database and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Distribute => "distribute",
            JobKind::Collect => "collect",
        }
    }

    /// What it is called on the page.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Distribute => "配布ファイルの作成",
            JobKind::Collect => "提出ブックの確認と集計",
        }
    }

    fn of(name: &str) -> Option<JobKind> {
        match name {
            "distribute" => Some(JobKind::Distribute),
            "collect" => Some(JobKind::Collect),
            _ => None,
        }
    }
}

/// How far the running job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The job.
    pub job: i64,
    /// Steps done (centres written, files read).
    pub done: usize,
    /// Steps in all.
    pub total: usize,
}

/// The job runner.
pub struct Work {
    store: Arc<Store>,
    fonts: Arc<FontSet>,
    wake: (Mutex<bool>, Condvar),
    running: Mutex<Option<(i64, usize)>>,
    done: AtomicUsize,
    finished: tokio::sync::watch::Sender<i64>,
}

/// A round's master read again from its kept file.
struct Kept {
    master: Box<dyn RoundMaster>,
    /// When the master was saved (the outputs' creation date).
    saved: Option<String>,
    /// The kept file, which no output may replace.
    path: PathBuf,
}

/// The highest job id such that it and every job before it has finished.
fn finished_upto(store: &Store) -> Result<i64, Error> {
    let db = store.db();
    let pending: Option<i64> = db
        .query_row("SELECT min(id) FROM jobs WHERE state IN ('queued', 'running')", [], |r| r.get(0))
        .map_err(db_error)?;
    match pending {
        Some(m) => Ok(m - 1),
        None => db.query_row("SELECT coalesce(max(id), 0) FROM jobs", [], |r| r.get(0)).map_err(db_error),
    }
}

impl Work {
    /// Starts the runner's thread, which first runs the jobs left queued.
    pub fn start(store: Arc<Store>, fonts: Arc<FontSet>) -> Result<Arc<Work>, Error> {
        let (finished, _) = tokio::sync::watch::channel(finished_upto(&store)?);
        let work = Arc::new(Work {
            store,
            fonts,
            wake: (Mutex::new(true), Condvar::new()),
            running: Mutex::new(None),
            done: AtomicUsize::new(0),
            finished,
        });
        let runner = work.clone();
        std::thread::Builder::new()
            .name("keikaku-jobs".into())
            .spawn(move || runner.run())
            .map_err(|e| Error::internal(format!("cannot start the job thread: {e}")))?;
        Ok(work)
    }

    /// Queues a job for a round, inside the caller's transaction `db`. A
    /// job of the same kind already queued for the round (not yet running)
    /// is reused. Call [`Work::wake`] after the transaction commits.
    pub fn enqueue(db: &rusqlite::Connection, round: i64, kind: JobKind) -> Result<i64, Error> {
        let queued: Option<i64> = db
            .query_row(
                "SELECT id FROM jobs WHERE round = ?1 AND kind = ?2 AND state = 'queued' ORDER BY id LIMIT 1",
                params![round, kind.name()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)?;
        if let Some(id) = queued {
            return Ok(id);
        }
        db.execute(
            "INSERT INTO jobs (round, kind, state, created) VALUES (?1, ?2, 'queued', ?3)",
            params![round, kind.name(), now_iso()],
        )
        .map_err(db_error)?;
        Ok(db.last_insert_rowid())
    }

    /// Tells the runner that a job was queued.
    pub fn wake(&self) {
        let (lock, cv) = &self.wake;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_one();
    }

    /// Waits until job `id` (and every job before it) has finished.
    pub async fn wait(&self, id: i64) {
        let mut rx = self.finished.subscribe();
        let _ = rx.wait_for(|&upto| upto >= id).await;
    }

    /// How far the running job is, if one runs.
    pub fn progress(&self) -> Option<Progress> {
        let running = *self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.map(|(job, total)| Progress { job, done: self.done.load(Ordering::Relaxed).min(total), total })
    }

    fn next_job(&self) -> Result<Option<(i64, i64, String)>, Error> {
        self.store
            .db()
            .query_row(
                "SELECT id, round, kind FROM jobs WHERE state IN ('queued', 'running') ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db_error)
    }

    fn run(&self) {
        loop {
            {
                let (lock, cv) = &self.wake;
                let mut woken = lock.lock().unwrap_or_else(|p| p.into_inner());
                while !*woken {
                    woken = cv.wait(woken).unwrap_or_else(|p| p.into_inner());
                }
                *woken = false;
            }
            loop {
                let next = match self.next_job() {
                    Ok(Some(job)) => job,
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("エラー: {e}");
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        continue;
                    }
                };
                let (id, round, kind) = next;
                // The job is marked running before it reads anything, so
                // that an upload from now on queues the next job; when the
                // mark cannot be written, nothing runs until it can.
                if let Err(e) = self.store.db().execute("UPDATE jobs SET state = 'running' WHERE id = ?1", [id]) {
                    eprintln!("エラー: {}", db_error(e));
                    std::thread::sleep(std::time::Duration::from_secs(1));
                    continue;
                }
                self.done.store(0, Ordering::Relaxed);
                *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, 0));
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match JobKind::of(&kind) {
                    Some(JobKind::Distribute) => self.distribute(id, round),
                    Some(JobKind::Collect) => self.collect(id, round),
                    None => Err(Error::internal(format!("unknown job kind {kind}"))),
                }))
                .unwrap_or_else(|_| {
                    Err(Error::internal("内部エラーで処理が止まりました（不具合です。ログを添えて連絡してください）。"))
                });
                *self.running.lock().unwrap_or_else(|p| p.into_inner()) = None;
                let (state, message) = match result {
                    Ok(m) => ("done", m),
                    Err(e) => ("failed", e.to_string()),
                };
                // The end is recorded before the next job, retried until it
                // is (a job is never run twice for a failed write).
                let mut pause = std::time::Duration::from_millis(100);
                while let Err(e) = self.store.db().execute(
                    "UPDATE jobs SET state = ?2, message = ?3, finished = ?4 WHERE id = ?1",
                    params![id, state, message, now_iso()],
                ) {
                    eprintln!("エラー: {}", db_error(e));
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_secs(10));
                }
                self.finished.send_replace(id);
            }
        }
    }

    fn set_total(&self, id: i64, total: usize) {
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, total));
    }

    /// The round's master, read again from its kept file, and that file.
    fn master(&self, round: i64) -> Result<Kept, Error> {
        let (name, sha): (String, String) = self
            .store
            .db()
            .query_row("SELECT master_name, master_sha256 FROM rounds WHERE id = ?1", [round], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(db_error)?;
        let wb = Workbook::from_bytes(&name, &self.store.read_blob(&sha)?)?;
        wb.refuse_uncomputed()?;
        Ok(Kept { master: read_master(&wb)?, saved: wb.saved.clone(), path: self.store.blob_path(&sha) })
    }

    fn distribute(&self, id: i64, round: i64) -> Result<String, Error> {
        let Kept { master, saved, path: master_path } = self.master(round)?;
        self.set_total(id, master.centres().iter().filter(|c| !c.work.is_empty()).count());
        let pdf = PdfOptions::from_env()?;
        let opts = RoundOptions { fonts: &self.fonts, pdf: &pdf, created: saved.as_deref(), master_path: &master_path };
        let work = self.store.work_dir()?;
        let out = work.path().join("out");
        let files = master.distribute(&out, &opts, &|_| {
            self.done.fetch_add(1, Ordering::Relaxed);
        })?;
        let kept = self.keep(&files)?;
        let mut db = self.store.db();
        let tx = db.transaction().map_err(db_error)?;
        tx.execute("DELETE FROM files WHERE round = ?1 AND role = 'distribution'", [round]).map_err(db_error)?;
        for (name, sha) in &kept {
            tx.execute(
                "INSERT INTO files (round, role, name, sha256) VALUES (?1, 'distribution', ?2, ?3)",
                params![round, name, sha],
            )
            .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)?;
        Ok(format!("配布ファイルを {} 個作りました。", kept.len()))
    }

    /// Keeps the files a job wrote as blobs: (file name, SHA-256).
    fn keep(&self, files: &[PathBuf]) -> Result<Vec<(String, String)>, Error> {
        files
            .iter()
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                Ok((name, self.store.keep_file(p)?))
            })
            .collect()
    }

    fn collect(&self, id: i64, round: i64) -> Result<String, Error> {
        let Kept { master, saved, path: master_path } = self.master(round)?;
        let submissions: Vec<(i64, String, String)> = {
            let db = self.store.db();
            let mut q = db
                .prepare("SELECT id, name, sha256 FROM submissions WHERE round = ?1 ORDER BY name, id")
                .map_err(db_error)?;
            let rows = q
                .query_map([round], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            rows
        };
        let upto = submissions.iter().map(|s| s.0).max().unwrap_or(0);
        self.set_total(id, submissions.len());
        let work = self.store.work_dir()?;
        // Each file under a name of its rank by name, so that the
        // collector's order (and its tie-break by path) is the names'.
        let inputs = work.path().join("in");
        std::fs::create_dir_all(&inputs)
            .map_err(|e| Error::output(format!("作業フォルダー {} を作れません（{e}）。", inputs.display())))?;
        let mut files = Vec::with_capacity(submissions.len());
        for (k, (_, name, sha)) in submissions.iter().enumerate() {
            let path = inputs.join(format!("{k:06}"));
            let blob = self.store.blob_path(sha);
            // A kept file that has gone missing (a disk error) is read as a
            // file that cannot be opened: that submission's problem, not
            // the whole collection's.
            if std::fs::hard_link(&blob, &path).is_err() {
                let _ = std::fs::copy(&blob, &path);
            }
            files.push(Found { path, name: name.clone() });
        }
        let pdf = PdfOptions::from_env()?;
        let opts = RoundOptions { fonts: &self.fonts, pdf: &pdf, created: saved.as_deref(), master_path: &master_path };
        let out = work.path().join("out");
        let returns = work.path().join("returns");
        let standing = master.collect(&files, &out, &returns, &opts, &|_| {
            self.done.fetch_add(1, Ordering::Relaxed);
        })?;
        let outputs = self.keep(&standing.files)?;
        let returned = self.keep(&standing.returns)?;
        let json = json::standing_json(&standing).to_string();
        let mut db = self.store.db();
        let tx = db.transaction().map_err(db_error)?;
        tx.execute("DELETE FROM files WHERE round = ?1 AND role IN ('output', 'returns')", [round])
            .map_err(db_error)?;
        for (role, list) in [("output", &outputs), ("returns", &returned)] {
            for (name, sha) in list {
                tx.execute(
                    "INSERT INTO files (round, role, name, sha256) VALUES (?1, ?2, ?3, ?4)",
                    params![round, role, name, sha],
                )
                .map_err(db_error)?;
            }
        }
        tx.execute(
            "INSERT INTO standings (round, standing, submissions, job) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (round) DO UPDATE SET standing = excluded.standing, submissions = excluded.submissions, job = excluded.job",
            params![round, json, upto, id],
        )
        .map_err(db_error)?;
        tx.commit().map_err(db_error)?;
        Ok(format!("{} 個のファイルを読み、集計しました。", files.len()))
    }
}
