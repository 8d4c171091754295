//! The centres' portal: each centre's own page behind its secret link
//! (`/c/{token}`, [`super::links`]). The link, not the file, decides which
//! centre is submitting: an upload is checked at once with the reader the
//! collection uses, and kept only when it is that centre's workbook of
//! this round; otherwise it is refused (409 another centre's, 422 not
//! usable) and changes nothing. Every attempt is in the audit log.
//! Wrong links get 404, and an address that keeps guessing gets 429; each
//! link has its own upload rate.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::api::{blocking, file_response, Failure};
use super::audit::{self, Entry};
use super::json::problem_json;
use super::links::{self, Link};
use super::pages::status_class;
use super::store::{db_error, japan_time, now_iso, Store};
use super::upload::{receive, Upload};
use super::work::{JobKind, Work};
use super::App;
use crate::forms::round::{read_master, RoundMaster, RoundOptions};
use crate::jobs::collect::{Found, State as Standing};
use crate::workbook::Workbook;

/// Failed link lookups an address may make in [`WINDOW`] before it gets 429.
pub const FAILURES: u32 = 10;
/// Uploads a link may take in [`WINDOW`].
pub const UPLOADS_PER_LINK: usize = 30;
/// The window of both limits.
pub const WINDOW: Duration = Duration::from_secs(600);

/// The most addresses the guessing limit remembers; past it, the oldest
/// are forgotten.
const REMEMBERED: usize = 100_000;

/// The portal's limits, in memory (they start afresh with the server).
#[derive(Default)]
pub struct Throttle {
    /// Per address (IPv6 per /64): failures, the first and the last.
    failures: Mutex<HashMap<IpAddr, (u32, Instant, Instant)>>,
    uploads: Mutex<HashMap<i64, VecDeque<Instant>>>,
}

/// The address a limit counts: an IPv6 address by its /64 (one network
/// has many).
fn counted(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

impl Throttle {
    /// Whether an address has failed too often lately: [`FAILURES`] in a
    /// [`WINDOW`], and blocked until a window has passed since the last.
    pub fn blocked(&self, ip: IpAddr) -> bool {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&counted(ip)).is_some_and(|(n, _, last)| *n >= FAILURES && last.elapsed() < WINDOW)
    }

    /// Counts a failed lookup from an address.
    pub fn failed(&self, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= REMEMBERED {
            map.retain(|_, (_, _, last)| last.elapsed() < WINDOW);
            if map.len() >= REMEMBERED {
                // Forget the older half at once (rarely: only under a flood).
                let mut lasts: Vec<Instant> = map.values().map(|(_, _, l)| *l).collect();
                lasts.sort_unstable();
                let cut = lasts[lasts.len() / 2];
                map.retain(|_, (_, _, last)| *last > cut);
            }
        }
        let now = Instant::now();
        let e = map.entry(counted(ip)).or_insert((0, now, now));
        if e.0 < FAILURES && e.1.elapsed() >= WINDOW {
            *e = (0, now, now);
        }
        e.0 += 1;
        e.2 = now;
    }

    /// Takes one upload of a link's allowance; false when it is used up.
    pub fn take_upload(&self, link: i64) -> bool {
        let mut map = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        let q = map.entry(link).or_default();
        while q.front().is_some_and(|t| t.elapsed() >= WINDOW) {
            q.pop_front();
        }
        if q.len() >= UPLOADS_PER_LINK {
            return false;
        }
        q.push_back(Instant::now());
        true
    }
}

/// A round's master as read once, with its save time (the outputs'
/// creation date).
#[derive(Clone)]
pub struct CachedMaster {
    /// The master.
    pub master: Arc<dyn RoundMaster>,
    /// When the master workbook was saved.
    pub saved: Option<String>,
}

/// A round's master read once and kept (masters never change), and its file.
pub fn round_master(app: &App, round: i64) -> Result<(CachedMaster, std::path::PathBuf), Failure> {
    let (name, sha): (String, String) = app
        .store
        .db()
        .query_row("SELECT master_name, master_sha256 FROM rounds WHERE id = ?1", [round], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(db_error)?;
    let path = app.store.blob_path(&sha);
    let mut cache = app.masters.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = cache.get(&round) {
        return Ok((m.clone(), path));
    }
    let wb = Workbook::from_bytes(&name, &app.store.read_blob(&sha)?)?;
    let m = CachedMaster { master: Arc::from(read_master(&wb)?), saved: wb.saved.clone() };
    cache.insert(round, m.clone());
    Ok((m, path))
}

/// What a page or an answer needs to know of a link's round and centre.
struct Place {
    link: Link,
    title: String,
    centre_name: String,
    deadline: Option<String>,
}

fn place(app: &App, token: &str) -> Result<Option<Place>, Failure> {
    let db = app.store.db();
    let Some(link) = links::find(&db, token)? else { return Ok(None) };
    let (title, centres, deadline): (String, String, Option<String>) = db
        .query_row("SELECT title, centres, deadline FROM rounds WHERE id = ?1", [link.round], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(db_error)?;
    let centres: Value = serde_json::from_str(&centres).unwrap_or(Value::Null);
    let centre_name = centres
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == link.centre.as_str()))
        .and_then(|c| c["name"].as_str())
        .unwrap_or("")
        .to_string();
    Ok(Some(Place { link, title, centre_name, deadline }))
}

fn past(deadline: &Option<String>) -> bool {
    deadline.as_deref().is_some_and(|d| now_iso().as_str() > d)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

fn not_found(app: &App, ip: IpAddr, json: bool) -> Response {
    app.throttle.failed(ip);
    let text = "このリンクは使えません。事務局から届いた提出用のリンクを、そのまま開いてください（新しいリンクが届いたときは古いリンクは使えません）。";
    if json {
        Failure::message(StatusCode::NOT_FOUND, text).into_response()
    } else {
        app.pages.message(StatusCode::NOT_FOUND, "リンクが見つかりません", text)
    }
}

fn too_many(app: &App, json: bool, text: &str) -> Response {
    if json {
        (StatusCode::TOO_MANY_REQUESTS, Json(json!({"error": text, "status": null, "problems": []}))).into_response()
    } else {
        app.pages.message(StatusCode::TOO_MANY_REQUESTS, "しばらく待ってください", text)
    }
}

const GUESSING: &str = "このアドレスからの誤ったリンクが続いたため、しばらく受け付けません。10 分ほど待ってから、届いたリンクをそのまま開いてください。";

/// The centre's standing: from the round's collection when it covers the
/// centre's last upload, else from that upload's own check.
fn centre_state(app: &App, link: &Link) -> Result<Value, Failure> {
    let db = app.store.db();
    let last: Option<(i64, Option<String>)> = db
        .query_row(
            "SELECT id, checked FROM submissions WHERE round = ?1 AND centre = ?2 ORDER BY id DESC LIMIT 1",
            params![link.round, link.centre],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_error)?;
    let standing: Option<(String, i64)> = db
        .query_row("SELECT standing, submissions FROM standings WHERE round = ?1", [link.round], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(db_error)?;
    if let Some((s, covered)) = &standing {
        if last.as_ref().is_none_or(|(id, _)| id <= covered) {
            let s: Value = serde_json::from_str(s).unwrap_or(Value::Null);
            if let Some(c) = s["centres"].as_array().and_then(|a| a.iter().find(|c| c["id"] == link.centre.as_str())) {
                return Ok(c.clone());
            }
        }
    }
    match last.and_then(|(_, c)| c) {
        Some(checked) => Ok(serde_json::from_str(&checked).unwrap_or(Value::Null)),
        None => Ok(json!({"status": Standing::Missing.label(), "file": null, "problems": []})),
    }
}

fn page_data(app: &App, token: &str, p: &Place, result: Option<Value>) -> Result<Value, Failure> {
    let mut state = centre_state(app, &p.link)?;
    // The file is named once, above its findings.
    let used = state["file"].clone();
    if let Some(problems) = state["problems"].as_array_mut() {
        for f in problems.iter_mut().filter(|f| f["file"] == used) {
            f["file"] = Value::Null;
        }
    }
    let status = state["status"].as_str().unwrap_or("未提出").to_string();
    state["status_class"] = json!(status_class(&status));
    let history = audit::of_round(&app.store.db(), p.link.round, Some(&p.link.centre), 50)?;
    let history: Vec<Value> = history.into_iter().filter(|h| h["action"] == "upload").collect();
    let has_returns = matches!(status.as_str(), "要修正" | "受付不可");
    Ok(json!({
        "title": format!("{} {} の提出", p.link.centre, p.centre_name),
        "token": token,
        "round_title": p.title,
        "centre": {"id": p.link.centre, "name": p.centre_name},
        "deadline": p.deadline.as_deref().map(japan_time),
        "closed": past(&p.deadline),
        "state": state,
        "returns": has_returns,
        "history": history,
        "result": result,
    }))
}

/// `GET /c/{token}`: the centre's page.
pub async fn centre_page(
    State(app): State<Arc<App>>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let peer = app.client(socket.ip(), &headers);
    if app.throttle.blocked(peer) {
        return too_many(&app, false, GUESSING);
    }
    let a = app.clone();
    let t = token.clone();
    let found = blocking(move || {
        let Some(p) = place(&a, &t)? else { return Ok(None) };
        Ok(Some(page_data(&a, &t, &p, None)?))
    })
    .await;
    match found {
        Ok(Some(data)) => app.pages.render(StatusCode::OK, "centre", data),
        Ok(None) => not_found(&app, peer, false),
        Err(f) => app.pages.message(f.status, "表示できません", &f.text()),
    }
}

/// `GET /c/{token}/returns.xlsx`: the centre's 差戻し workbook.
pub async fn centre_returns(
    State(app): State<Arc<App>>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let peer = app.client(socket.ip(), &headers);
    if app.throttle.blocked(peer) {
        return too_many(&app, false, GUESSING);
    }
    let a = app.clone();
    let found = blocking(move || {
        let Some(p) = place(&a, &token)? else { return Ok(None) };
        let name = crate::jobs::collect::returns_file_name(&p.link.centre, &p.centre_name);
        let db = a.store.db();
        // The collection's 差戻し workbook when it covers the centre's last
        // upload (it may use another file of the centre), else the last
        // upload's own.
        let collected: Option<String> = db
            .query_row(
                "SELECT f.sha256 FROM files f JOIN standings s ON s.round = f.round
                 WHERE f.round = ?1 AND f.role = 'returns' AND f.name = ?2
                   AND s.submissions >= coalesce((SELECT max(id) FROM submissions WHERE round = ?1 AND centre = ?3), 0)",
                params![p.link.round, name, p.link.centre],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)?;
        if let Some(sha) = collected {
            drop(db);
            return Ok(Some(Ok((a.store.read_blob(&sha)?, name))));
        }
        let row: Option<(String, Option<String>)> = db
            .query_row(
                "SELECT name, returns_sha256 FROM submissions WHERE round = ?1 AND centre = ?2 ORDER BY id DESC LIMIT 1",
                params![p.link.round, p.link.centre],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_error)?;
        drop(db);
        match row.and_then(|(_, sha)| sha) {
            Some(sha) => Ok(Some(Ok((a.store.read_blob(&sha)?, name)))),
            None => Ok(Some(Err(()))),
        }
    })
    .await;
    match found {
        Ok(Some(Ok((bytes, name)))) => file_response(bytes, &name, false),
        Ok(Some(Err(()))) => {
            app.pages.message(StatusCode::NOT_FOUND, "差戻しはありません", "直すところのあるブックは届いていません。")
        }
        Ok(None) => not_found(&app, peer, false),
        Err(f) => app.pages.message(f.status, "表示できません", &f.text()),
    }
}

/// What the check of an upload decided.
enum Verdict {
    /// Kept: the centre's state after it.
    Accepted(Value),
    /// Refused: the status, the message and the problems.
    Refused(StatusCode, String, Vec<Value>),
}

/// Checks an upload against the link's round and centre, keeps it when it
/// is the centre's, and writes the audit entry, in one transaction.
fn check_upload(app: &App, p: &Place, upload: &Upload, address: &str) -> Result<Verdict, Failure> {
    let (CachedMaster { master, saved }, master_path) = round_master(app, p.link.round)?;
    let pdf = crate::pdf::PdfOptions::from_env()?;
    let opts = RoundOptions { fonts: &app.fonts, pdf: &pdf, created: saved.as_deref(), master_path: &master_path };
    let file = Found { path: app.store.blob_path(&upload.sha256), name: upload.name.clone() };
    let checked = master.check(&file, &opts)?;
    let label = |id: &str| -> String {
        master.centres().iter().find(|c| c.id == id).map(|c| format!("{} {}", c.id, c.name)).unwrap_or(id.to_string())
    };
    let mine = checked.standing.centres.iter().find(|c| c.id == p.link.centre);
    let problems_of_file = |diags: Vec<&crate::diagnostic::Diagnostic>| -> Vec<Value> {
        diags.into_iter().map(|d| problem_json(d, Some(&upload.name))).collect()
    };
    let verdict = match checked.centre.as_deref() {
        Some(c) if c != p.link.centre => Verdict::Refused(
            StatusCode::CONFLICT,
            format!(
                "このリンクは {} の提出用ですが、送られた「{}」は {} のブックです。自分のセンターのブックを送ってください（受け付けていません）。",
                label(&p.link.centre),
                upload.name,
                label(c)
            ),
            vec![],
        ),
        Some(_) if mine.is_some_and(|m| m.state != Standing::Unusable) => {
            let m = mine.expect("checked above");
            Verdict::Accepted(json!({
                "status": m.state.label(),
                "file": m.file,
                "problems": m.problems.iter().map(|f| problem_json(&f.diagnostic, Some(&f.file))).collect::<Vec<_>>(),
                "unused": [],
            }))
        }
        _ => {
            let diags: Vec<&crate::diagnostic::Diagnostic> = match mine.filter(|m| m.state == Standing::Unusable) {
                Some(m) => m.problems.iter().map(|f| &f.diagnostic).collect(),
                None => checked.standing.stray.iter().flat_map(|s| s.problems.iter()).collect(),
            };
            let problems = problems_of_file(diags);
            let first = problems.first().and_then(|p| p["message"].as_str()).unwrap_or("").to_string();
            Verdict::Refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("「{}」は受け付けられません: {first}", upload.name),
                problems,
            )
        }
    };
    let returns_sha = match (&verdict, &checked.returns) {
        (Verdict::Accepted(_), Some((_, bytes))) => Some(app.store.keep_bytes(bytes)?),
        _ => None,
    };
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    // The link may have been renewed, or the deadline passed, while the
    // file was arriving: what holds now decides.
    let (live, deadline): (bool, Option<String>) = tx
        .query_row(
            "SELECT (SELECT revoked IS NULL FROM links WHERE id = ?1), deadline FROM rounds WHERE id = ?2",
            params![p.link.id, p.link.round],
            |r| Ok((r.get::<_, Option<bool>>(0)?.unwrap_or(false), r.get(1)?)),
        )
        .map_err(db_error)?;
    let verdict = match verdict {
        Verdict::Accepted(_) if !live => Verdict::Refused(
            StatusCode::NOT_FOUND,
            "このリンクは、送っている間に事務局が作り直したため使えなくなりました。新しいリンクから送ってください。"
                .into(),
            vec![],
        ),
        Verdict::Accepted(_) if past(&deadline) => Verdict::Refused(
            StatusCode::FORBIDDEN,
            format!(
                "送っている間に締め切り（{}）を過ぎたため、受け付けていません。事務局に連絡してください。",
                deadline.as_deref().map(japan_time).unwrap_or_default()
            ),
            vec![],
        ),
        v => v,
    };
    let (result, detail) = match &verdict {
        Verdict::Accepted(state) => {
            Store::record_blob(&tx, &upload.sha256, upload.size)?;
            tx.execute(
                "INSERT INTO submissions (round, name, sha256, received, centre, checked, returns_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (round, sha256) DO UPDATE SET centre = excluded.centre, checked = excluded.checked,
                     returns_sha256 = excluded.returns_sha256",
                params![
                    p.link.round,
                    upload.name,
                    upload.sha256,
                    now_iso(),
                    p.link.centre,
                    state.to_string(),
                    returns_sha
                ],
            )
            .map_err(db_error)?;
            Work::enqueue(&tx, p.link.round, JobKind::Collect)?;
            ("accepted", Some(state["status"].as_str().unwrap_or("").to_string()))
        }
        Verdict::Refused(_, message, _) => ("refused", Some(message.clone())),
    };
    audit::record(
        &tx,
        &Entry {
            round: Some(p.link.round),
            centre: Some(&p.link.centre),
            actor: "centre link",
            address: Some(address.to_string()),
            action: "upload",
            name: Some(&upload.name),
            sha256: Some(&upload.sha256),
            result,
            detail,
        },
    )?;
    tx.commit().map_err(db_error)?;
    drop(db);
    if let Verdict::Accepted(_) = verdict {
        app.work.wake();
    }
    Ok(verdict)
}

/// Reads a refused request to its end (within the route's body limit), so
/// that a client still sending sees the answer.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// `POST /c/{token}` with the multipart field `file`: checked at once;
/// JSON `{"status", "problems"}` with `Accept: application/json`, the page
/// otherwise.
pub async fn centre_upload(
    State(app): State<Arc<App>>,
    ConnectInfo(socket): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let json = wants_json(&headers);
    let peer = app.client(socket.ip(), &headers);
    if app.throttle.blocked(peer) {
        drain(&mut multipart).await;
        return too_many(&app, json, GUESSING);
    }
    let a = app.clone();
    let t = token.clone();
    let found = match blocking(move || place(&a, &t)).await {
        Ok(f) => f,
        Err(f) => return f.into_response(),
    };
    let Some(p) = found else {
        drain(&mut multipart).await;
        return not_found(&app, peer, json);
    };
    let address = peer.to_string();
    let refuse = |status: StatusCode, heading: &str, text: String| -> Response {
        if json {
            (status, Json(json!({"error": text, "status": null, "problems": []}))).into_response()
        } else {
            app.pages.message(status, heading, &text)
        }
    };
    if past(&p.deadline) {
        let text = format!(
            "締め切り（{}）を過ぎたため、受け付けていません。事務局に連絡してください。",
            p.deadline.as_deref().map(japan_time).unwrap_or_default()
        );
        let _ = audit::record(
            &app.store.db(),
            &Entry {
                round: Some(p.link.round),
                centre: Some(&p.link.centre),
                actor: "centre link",
                address: Some(address.clone()),
                action: "upload",
                result: "refused",
                detail: Some(text.clone()),
                ..Entry::default()
            },
        );
        drain(&mut multipart).await;
        return refuse(StatusCode::FORBIDDEN, "締め切りを過ぎています", text);
    }
    let log_refusal = |detail: &str| {
        let _ = audit::record(
            &app.store.db(),
            &Entry {
                round: Some(p.link.round),
                centre: Some(&p.link.centre),
                actor: "centre link",
                address: Some(address.clone()),
                action: "upload",
                result: "refused",
                detail: Some(detail.to_string()),
                ..Entry::default()
            },
        );
    };
    if !app.throttle.take_upload(p.link.id) {
        drain(&mut multipart).await;
        let text = format!("このリンクからの提出が続いています（10 分に {UPLOADS_PER_LINK} 回まで）。しばらく待ってから送ってください。");
        log_refusal(&text);
        return too_many(&app, json, &text);
    }
    // One file per request (the portal's limits); a second is 413.
    let uploads = match receive(&app.store, multipart, "file", app.limits.portal(), None).await {
        Ok(u) => u,
        Err(e) => {
            log_refusal(&e.message);
            return refuse(e.status, "送れませんでした", e.message);
        }
    };
    let a = app.clone();
    let t = token.clone();
    let verdict = blocking(move || {
        let v = check_upload(&a, &p, &uploads[0], &address)?;
        let result = match &v {
            Verdict::Accepted(state) => json!({"accepted": true, "state": state}),
            Verdict::Refused(status, message, problems) => {
                json!({"accepted": false, "code": status.as_u16(), "message": message, "problems": problems})
            }
        };
        let page = page_data(&a, &t, &p, Some(result))?;
        Ok((v, page))
    })
    .await;
    match verdict {
        Ok((v, page)) => {
            let status = match &v {
                Verdict::Accepted(_) => StatusCode::OK,
                Verdict::Refused(s, _, _) => *s,
            };
            if json {
                let body = match v {
                    Verdict::Accepted(state) => {
                        json!({"status": state["status"], "file": state["file"], "problems": state["problems"]})
                    }
                    Verdict::Refused(_, message, problems) => {
                        json!({"error": message, "status": null, "problems": problems})
                    }
                };
                (status, Json(body)).into_response()
            } else {
                app.pages.render(status, "centre", page)
            }
        }
        Err(f) => refuse(f.status, "送れませんでした", f.text()),
    }
}
