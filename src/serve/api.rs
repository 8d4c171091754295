//! The JSON API (docs/serve.md), and the actions the pages share with it:
//! making a 議案, opening a round, adding submissions, and the files to
//! download.

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::auth::Admin;
use super::json::problems_of;
use super::store::{db_error, now_iso, Store};
use super::upload::{receive, Upload, UploadError};
use super::view;
use super::work::{JobKind, Work};
use super::{ApiAdmin, App};
use crate::error::Error;
use crate::forms::round::read_master;
use crate::workbook::Workbook;

/// A failed request: a status and a JSON body (`{"error"}` or
/// `{"problems"}`).
#[derive(Debug)]
pub struct Failure {
    /// The status.
    pub status: StatusCode,
    /// The body.
    pub body: Value,
}

impl Failure {
    /// A failure with a message.
    pub fn message(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure { status, body: json!({ "error": message.into() }) }
    }

    /// 422 with the problems found in a file.
    pub fn problems(problems: Vec<Value>) -> Failure {
        let error = problems.first().and_then(|p| p["message"].as_str()).unwrap_or("").to_string();
        Failure { status: StatusCode::UNPROCESSABLE_ENTITY, body: json!({ "error": error, "problems": problems }) }
    }

    /// The message, for a page.
    pub fn text(&self) -> String {
        self.body["error"].as_str().unwrap_or("").to_string()
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let status = match e.kind {
            crate::ErrorKind::Input => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure::message(status, e.to_string())
    }
}

impl From<UploadError> for Failure {
    fn from(e: UploadError) -> Failure {
        Failure::message(e.status, e.message)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Runs blocking work (the database, a workbook) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(Failure::message(StatusCode::INTERNAL_SERVER_ERROR, format!("内部エラー（{e}）。"))))
}

/// Reads an uploaded workbook from its blob, naming it as it came.
fn workbook_of(app: &App, upload: &Upload) -> Result<Workbook, Error> {
    let wb = Workbook::from_bytes(&upload.name, &app.store.read_blob(&upload.sha256)?)?;
    wb.refuse_uncomputed()?;
    Ok(wb)
}

/// A document made (its PDF) or its problems.
pub type Made = Result<Vec<u8>, Vec<Value>>;

/// Makes the 議案 PDF of an uploaded workbook and records it (with its
/// problems when it fails): the 議案's id, and the PDF or the problems.
pub fn make_agenda(app: &App, upload: &Upload) -> Result<(i64, Made), Failure> {
    let made = workbook_of(app, upload)
        .and_then(|wb| crate::forms::document::render(&wb, &app.fonts, &crate::pdf::PdfOptions::from_env()?));
    let (title, pdf_sha, problems, result) = match made {
        Ok(doc) => {
            let sha = app.store.keep_bytes(&doc.pdf)?;
            (Some(doc.title), Some(sha), json!([]), Ok(doc.pdf))
        }
        Err(e) if e.kind == crate::ErrorKind::Input => {
            let p = problems_of(&e, &upload.name);
            (None, None, Value::Array(p.clone()), Err(p))
        }
        Err(e) => return Err(e.into()),
    };
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    Store::record_blob(&tx, &upload.sha256, upload.size)?;
    tx.execute(
        "INSERT INTO agendas (name, sha256, pdf_sha256, title, problems, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![upload.name, upload.sha256, pdf_sha, title, problems.to_string(), now_iso()],
    )
    .map_err(db_error)?;
    let id = tx.last_insert_rowid();
    tx.commit().map_err(db_error)?;
    Ok((id, result))
}

/// Opens a round from an uploaded master: reads it, records the round and
/// queues its distribution. The round's id, or the master's problems.
pub fn open_round(app: &App, upload: &Upload) -> Result<Result<i64, Vec<Value>>, Failure> {
    let master = match workbook_of(app, upload).and_then(|wb| read_master(&wb)) {
        Ok(m) => m,
        Err(e) if e.kind == crate::ErrorKind::Input => return Ok(Err(problems_of(&e, &upload.name))),
        Err(e) => return Err(e.into()),
    };
    let centres: Vec<Value> =
        master.centres().iter().map(|c| json!({"id": c.id, "name": c.name, "work": c.work})).collect();
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    Store::record_blob(&tx, &upload.sha256, upload.size)?;
    tx.execute(
        "INSERT INTO rounds (form, title, fiscal_year, master_name, master_sha256, created, centres)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            master.form().kind,
            master.title(),
            master.fiscal_year(),
            upload.name,
            upload.sha256,
            now_iso(),
            Value::Array(centres).to_string()
        ],
    )
    .map_err(db_error)?;
    let id = tx.last_insert_rowid();
    let expected: Vec<String> = master.centres().into_iter().filter(|c| !c.work.is_empty()).map(|c| c.id).collect();
    super::links::issue_all(&tx, &app.portal_key, id, &expected.iter().map(String::as_str).collect::<Vec<_>>())?;
    Work::enqueue(&tx, id, JobKind::Distribute)?;
    tx.commit().map_err(db_error)?;
    drop(db);
    app.work.wake();
    Ok(Ok(id))
}

/// Whether a round exists.
pub fn round_exists(app: &App, id: i64) -> Result<bool, Failure> {
    Ok(app
        .store
        .db()
        .query_row("SELECT 1 FROM rounds WHERE id = ?1", [id], |_| Ok(()))
        .optional()
        .map_err(db_error)?
        .is_some())
}

fn no_round(id: i64) -> Failure {
    Failure::message(StatusCode::NOT_FOUND, format!("回 {id} はありません。"))
}

/// Records uploaded submissions of a round (one record per content: the
/// same file sent again is the same submission) and queues its
/// collection, all in one transaction. The collection job's id.
pub fn add_submissions(app: &App, round: i64, uploads: &[Upload]) -> Result<i64, Failure> {
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    let now = now_iso();
    for u in uploads {
        Store::record_blob(&tx, &u.sha256, u.size)?;
        tx.execute(
            "INSERT OR IGNORE INTO submissions (round, name, sha256, received) VALUES (?1, ?2, ?3, ?4)",
            params![round, u.name, u.sha256, now],
        )
        .map_err(db_error)?;
    }
    let job = Work::enqueue(&tx, round, JobKind::Collect)?;
    tx.commit().map_err(db_error)?;
    drop(db);
    app.work.wake();
    Ok(job)
}

/// The last job of a kind for a round.
fn last_job(app: &App, round: i64, kind: JobKind) -> Result<Option<i64>, Failure> {
    Ok(app
        .store
        .db()
        .query_row("SELECT max(id) FROM jobs WHERE round = ?1 AND kind = ?2", params![round, kind.name()], |r| r.get(0))
        .map_err(db_error)?)
}

/// The round's JSON, with each centre's `upload_url`.
pub fn round_value(app: &App, id: i64) -> Result<Value, Failure> {
    let mut round = view::round_json(&app.store, &app.work, id)?.ok_or_else(|| no_round(id))?;
    let links: std::collections::HashMap<String, String> =
        super::links::current(&app.store.db(), &app.portal_key, id)?.into_iter().collect();
    if let Some(centres) = round["centres"].as_array_mut() {
        for c in centres {
            let url = c["id"].as_str().and_then(|i| links.get(i)).map(|t| app.upload_url(t));
            c["upload_url"] = json!(url);
        }
    }
    Ok(round)
}

/// `Content-Disposition` for a file name (RFC 6266: an ASCII fallback and
/// the UTF-8 name).
pub fn disposition(name: &str, inline: bool) -> HeaderValue {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let mut encoded = String::new();
    for b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(b) {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A file response.
pub fn file_response(bytes: Vec<u8>, name: &str, inline: bool) -> Response {
    let kind = if name.ends_with(".pdf") {
        "application/pdf"
    } else if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else if name.ends_with(".zip") {
        "application/zip"
    } else {
        "application/octet-stream"
    };
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut().insert(header::CONTENT_DISPOSITION, disposition(name, inline));
    r
}

/// The files of a round with a role, (name, SHA-256), by name.
fn role_files(app: &App, round: i64, role: &str) -> Result<Vec<(String, String)>, Failure> {
    let db = app.store.db();
    let mut q =
        db.prepare("SELECT name, sha256 FROM files WHERE round = ?1 AND role = ?2 ORDER BY name").map_err(db_error)?;
    let rows = q
        .query_map(params![round, role], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    Ok(rows)
}

/// A zip of kept files, the same bytes for the same files: stored (the
/// workbooks and PDFs are compressed already), by name, dated 1980-01-01.
pub fn zip_of(app: &App, files: &[(String, String)]) -> Result<Vec<u8>, Failure> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let fail = |e: zip::result::ZipError| {
        Failure::message(StatusCode::INTERNAL_SERVER_ERROR, format!("zip を作れません（{e}）。"))
    };
    for (name, sha) in files {
        zip.start_file(name.as_str(), options).map_err(fail)?;
        zip.write_all(&app.store.read_blob(sha)?)
            .map_err(|e| Failure::message(StatusCode::INTERNAL_SERVER_ERROR, format!("zip を作れません（{e}）。")))?;
    }
    Ok(zip.finish().map_err(fail)?.into_inner())
}

/// What can be downloaded of a round.
#[derive(Debug, Clone)]
pub enum Download {
    /// Every centre's files, as one zip.
    Distribution,
    /// The collection's workbook.
    Summary,
    /// The collection's PDF.
    Report,
    /// The 差戻し workbooks, as one zip.
    Returns,
    /// One output by name.
    Output(String),
}

/// A round's file. The distribution waits for its job.
pub async fn download(app: Arc<App>, round: i64, what: Download, inline: bool) -> Result<Response, Failure> {
    let a = app.clone();
    if !blocking(move || round_exists(&a, round)).await? {
        return Err(no_round(round));
    }
    if let Download::Distribution = what {
        let a = app.clone();
        if let Some(job) = blocking(move || last_job(&a, round, JobKind::Distribute)).await? {
            app.work.wait(job).await;
        }
    }
    let a = app.clone();
    blocking(move || {
        let zip_name = |label: &str| -> Result<String, Failure> { Ok(format!("{label}_{round}.zip")) };
        match &what {
            Download::Distribution => {
                let files = role_files(&a, round, "distribution")?;
                if files.is_empty() {
                    return Err(Failure::message(
                        StatusCode::CONFLICT,
                        "配布ファイルがありません（作成に失敗しました。回のページのメッセージを見てください）。",
                    ));
                }
                Ok(file_response(zip_of(&a, &files)?, &zip_name("配布")?, false))
            }
            Download::Returns => {
                let files = role_files(&a, round, "returns")?;
                Ok(file_response(zip_of(&a, &files)?, &zip_name("差戻し")?, false))
            }
            Download::Summary | Download::Report | Download::Output(_) => {
                let files = role_files(&a, round, "output")?;
                let found = files.iter().find(|(n, _)| match &what {
                    Download::Summary => n.ends_with(".xlsx"),
                    Download::Report => n.ends_with(".pdf"),
                    Download::Output(name) => n == name,
                    _ => false,
                });
                match found {
                    Some((n, sha)) => Ok(file_response(a.store.read_blob(sha)?, n, inline)),
                    None => Err(Failure::message(
                        StatusCode::NOT_FOUND,
                        "まだ集計していません。提出されたブックを送ると集計します。",
                    )),
                }
            }
        }
    })
    .await
}

/// `?wait=0`: answer at once instead of after the collection.
#[derive(Debug, serde::Deserialize)]
pub struct WaitQuery {
    wait: Option<String>,
}

impl WaitQuery {
    fn waits(&self) -> bool {
        !matches!(self.wait.as_deref(), Some("0" | "false" | "no"))
    }
}

/// `POST /api/agenda`: 200 with the PDF, or 422 with the problems.
pub async fn post_agenda(State(app): State<Arc<App>>, _: ApiAdmin, multipart: Multipart) -> Result<Response, Failure> {
    let uploads = receive(&app.store, multipart, "file", app.limits, None).await?;
    let a = app.clone();
    let (_, made) = blocking(move || make_agenda(&a, &uploads[0])).await?;
    match made {
        Ok(pdf) => Ok(file_response(pdf, "議案.pdf", true)),
        Err(problems) => Err(Failure::problems(problems)),
    }
}

/// `GET /api/rounds`: the rounds, newest first.
pub async fn get_rounds(State(app): State<Arc<App>>, _: ApiAdmin) -> Result<Json<Value>, Failure> {
    let a = app.clone();
    Ok(Json(json!({ "rounds": blocking(move || Ok(view::rounds_json(&a.store)?)).await? })))
}

/// `POST /api/rounds`: 201 with the round, or 422 with the master's
/// problems.
pub async fn post_round(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), Failure> {
    let uploads = receive(&app.store, multipart, "master", app.limits, None).await?;
    if uploads.len() > 1 {
        return Err(Failure::message(StatusCode::UNPROCESSABLE_ENTITY, "マスターのブックは 1 つだけ送ってください。"));
    }
    let a = app.clone();
    blocking(move || match open_round(&a, &uploads[0])? {
        Ok(id) => Ok((StatusCode::CREATED, Json(round_value(&a, id)?))),
        Err(problems) => Err(Failure::problems(problems)),
    })
    .await
}

/// `GET /api/rounds/{id}`; `?wait=1` answers once the round's queued and running jobs are done.
pub async fn get_round(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path(id): Path<i64>,
    Query(q): Query<WaitQuery>,
) -> Result<Json<Value>, Failure> {
    if matches!(q.wait.as_deref(), Some("1" | "true" | "yes")) {
        let a = app.clone();
        let pending: Option<i64> = blocking(move || {
            Ok(a.store
                .db()
                .query_row("SELECT max(id) FROM jobs WHERE round = ?1 AND state IN ('queued', 'running')", [id], |r| {
                    r.get(0)
                })
                .map_err(db_error)?)
        })
        .await?;
        if let Some(job) = pending {
            app.work.wait(job).await;
        }
    }
    let a = app.clone();
    Ok(Json(blocking(move || round_value(&a, id)).await?))
}

/// `POST /api/rounds/{id}/submissions`: keeps the files, queues the
/// collection and answers with the round once it is collected (at once
/// with `?wait=0`).
pub async fn post_submissions(
    State(app): State<Arc<App>>,
    admin: ApiAdmin,
    Path(id): Path<i64>,
    Query(q): Query<WaitQuery>,
    multipart: Multipart,
) -> Result<Json<Value>, Failure> {
    submissions(app, admin.0, id, q.waits(), multipart, None).await.map(Json)
}

/// Receives and records a round's submissions; the round's JSON (after
/// its collection when `wait`).
pub async fn submissions(
    app: Arc<App>,
    _admin: Admin,
    id: i64,
    wait: bool,
    multipart: Multipart,
    csrf: Option<&str>,
) -> Result<Value, Failure> {
    let a = app.clone();
    if !blocking(move || round_exists(&a, id)).await? {
        return Err(no_round(id));
    }
    let uploads = receive(&app.store, multipart, "file", app.limits, csrf).await?;
    let a = app.clone();
    let job = blocking(move || add_submissions(&a, id, &uploads)).await?;
    if wait {
        app.work.wait(job).await;
    }
    let a = app.clone();
    blocking(move || round_value(&a, id)).await
}

/// The download routes of a round: `distribution.zip`, `summary.xlsx`,
/// `report.pdf`, `returns.zip`.
pub async fn get_round_file(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, Failure> {
    let what = match file.as_str() {
        "distribution.zip" => Download::Distribution,
        "summary.xlsx" => Download::Summary,
        "report.pdf" => Download::Report,
        "returns.zip" => Download::Returns,
        _ => return Err(Failure::message(StatusCode::NOT_FOUND, format!("{file} はありません。"))),
    };
    download(app, id, what, false).await
}

/// `GET /api/rounds/{id}/files/{name}`: one output by its name
/// (事業計画書.xlsx), shown in the browser (`?inline=1`) or downloaded.
pub async fn get_output(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path((id, name)): Path<(i64, String)>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, Failure> {
    let inline = q.get("inline").is_some_and(|v| v == "1");
    download(app, id, Download::Output(name), inline).await
}
