//! The Japanese pages (handlebars templates in templates/serve/, embedded)
//! and their assets (web/, embedded): nothing is fetched from elsewhere.

use std::sync::Arc;

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use rusqlite::OptionalExtension;
use serde_json::{json, Value};

use super::api::{self, blocking, file_response, Failure};
use super::auth::{csrf_header_ok, same_secret, Admin};
use super::store::{db_error, japan_time};
use super::upload::receive;
use super::view::{kind_name, rounds_json};
use super::{App, PageAdmin};
use crate::error::Error;

const TEMPLATES: [(&str, &str); 9] = [
    ("status", include_str!("../../templates/serve/status.hbs")),
    ("centre", include_str!("../../templates/serve/centre.hbs")),
    ("layout", include_str!("../../templates/serve/layout.hbs")),
    ("problems", include_str!("../../templates/serve/problems.hbs")),
    ("home", include_str!("../../templates/serve/home.hbs")),
    ("round", include_str!("../../templates/serve/round.hbs")),
    ("agenda", include_str!("../../templates/serve/agenda.hbs")),
    ("login", include_str!("../../templates/serve/login.hbs")),
    ("message", include_str!("../../templates/serve/message.hbs")),
];

const ASSETS: [(&str, &str, &str); 2] = [
    ("app.css", "text/css; charset=utf-8", include_str!("../../web/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../web/app.js")),
];

/// The page templates.
pub struct Pages {
    registry: Handlebars<'static>,
}

impl Pages {
    /// Registers the embedded templates (HTML-escaped, strict).
    pub fn new() -> Result<Pages, Error> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(false);
        for (name, text) in TEMPLATES {
            registry
                .register_template_string(name, text)
                .map_err(|e| Error::internal(format!("page template {name}: {e}")))?;
        }
        Ok(Pages { registry })
    }

    /// A page.
    pub fn render(&self, status: StatusCode, name: &str, mut data: Value) -> Response {
        data["version"] = json!(env!("CARGO_PKG_VERSION"));
        match self.registry.render(name, &data) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("page {name}: {e}")).into_response(),
        }
    }

    /// A page with a heading and a message.
    pub fn message(&self, status: StatusCode, heading: &str, text: &str) -> Response {
        self.render(status, "message", json!({"title": heading, "heading": heading, "text": text}))
    }
}

fn failure_page(app: &App, admin: &Admin, f: Failure) -> Response {
    let heading = match f.status {
        StatusCode::PAYLOAD_TOO_LARGE => "ファイルが大きすぎます",
        StatusCode::FORBIDDEN => "送れませんでした",
        StatusCode::NOT_FOUND => "見つかりません",
        _ => "できませんでした",
    };
    let mut r = app.pages.render(
        f.status,
        "message",
        json!({"title": heading, "heading": heading, "text": f.text(), "csrf": admin.csrf()}),
    );
    *r.status_mut() = f.status;
    r
}

/// `/assets/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, text)) => {
            let mut r = text.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Any other address.
pub async fn not_found(State(app): State<Arc<App>>) -> Response {
    app.pages.message(StatusCode::NOT_FOUND, "ページが見つかりません", "アドレスを確かめてください。")
}

/// `GET /login[?code=…]`: the one-time link opens a session.
pub async fn login_page(
    State(app): State<Arc<App>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(code) = q.get("code") {
        if app.auth.take_login_code(code) {
            return open_session(&app);
        }
        return app.pages.render(
            StatusCode::UNAUTHORIZED,
            "login",
            json!({"title": "ログイン", "error": "このログインのリンクは使えません（1 回使うと無効になります）。管理トークンでログインしてください。"}),
        );
    }
    app.pages.render(StatusCode::OK, "login", json!({"title": "ログイン"}))
}

fn open_session(app: &App) -> Response {
    match app.auth.open_session(&app.store) {
        Ok(cookie) => {
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            r.headers_mut().insert(header::SET_COOKIE, cookie);
            r
        }
        Err(e) => app.pages.message(StatusCode::INTERNAL_SERVER_ERROR, "ログインできません", &e.to_string()),
    }
}

/// The login form.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /login` with the admin token.
pub async fn login_with_token(State(app): State<Arc<App>>, Form(form): Form<LoginForm>) -> Response {
    if app.auth.is_admin_token(&form.token) {
        return open_session(&app);
    }
    app.pages.render(
        StatusCode::UNAUTHORIZED,
        "login",
        json!({"title": "ログイン", "error": "管理トークンが違います。admin.token の中身をそのまま貼り付けてください。"}),
    )
}

/// A form with only its CSRF token.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(app): State<Arc<App>>,
    PageAdmin(admin): PageAdmin,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !same_secret(&form.csrf, admin.csrf()) {
        return failure_page(&app, &admin, Failure::from_refusal());
    }
    let _ = app.auth.close_session(&app.store, &headers);
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("keikaku_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

impl Failure {
    /// The CSRF refusal as a failure.
    pub fn from_refusal() -> Failure {
        let r = super::auth::csrf_refusal();
        Failure::message(r.status, r.message)
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "pdca" => "PDCA シート",
        "plan" => "センター計画",
        _ => "配布と回収",
    }
}

fn home_data(app: &App, admin: &Admin) -> Result<Value, Failure> {
    let mut rounds = rounds_json(&app.store)?;
    for r in &mut rounds {
        let label = kind_label(r["kind"].as_str().unwrap_or(""));
        r["kind_label"] = json!(label);
        r["created"] = json!(japan_time(r["created"].as_str().unwrap_or("")));
    }
    let agendas: Vec<Value> = {
        let db = app.store.db();
        let mut q =
            db.prepare("SELECT id, name, title, created FROM agendas ORDER BY id DESC LIMIT 10").map_err(db_error)?;
        let rows = q
            .query_map([], |r| {
                Ok(json!({"id": r.get::<_, i64>(0)?, "name": r.get::<_, String>(1)?, "title": r.get::<_, Option<String>>(2)?, "created": japan_time(&r.get::<_, String>(3)?)}))
            })
            .map_err(db_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_error)?;
        rows
    };
    Ok(json!({"title": "ホーム", "csrf": admin.csrf(), "rounds": rounds, "agendas": agendas}))
}

/// `GET /`.
pub async fn home(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin) -> Response {
    let a = app.clone();
    let ad = admin.clone();
    match blocking(move || home_data(&a, &ad)).await {
        Ok(data) => app.pages.render(StatusCode::OK, "home", data),
        Err(f) => failure_page(&app, &admin, f),
    }
}

/// `GET /blank/{slug}`: a blank workbook.
pub async fn blank(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, Path(slug): Path<String>) -> Response {
    let Some(b) = crate::forms::document::blanks().into_iter().find(|b| b.slug == slug) else {
        return failure_page(&app, &admin, Failure::message(StatusCode::NOT_FOUND, "そのブックはありません。"));
    };
    match blocking(move || Ok((b.make)()?)).await {
        Ok(bytes) => file_response(bytes, b.file, false),
        Err(f) => failure_page(&app, &admin, f),
    }
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// `POST /agenda` (the page's form).
pub async fn post_agenda(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, multipart: Multipart) -> Response {
    let uploads = match receive(&app.store, multipart, "file", app.limits, Some(admin.csrf())).await {
        Ok(u) => u,
        Err(e) => return failure_page(&app, &admin, e.into()),
    };
    let a = app.clone();
    match blocking(move || api::make_agenda(&a, &uploads[0])).await {
        Ok((id, _)) => see_other(&format!("/agenda/{id}")),
        Err(f) => failure_page(&app, &admin, f),
    }
}

type AgendaRow = (String, Option<String>, Option<String>, String);

fn agenda_row(app: &App, id: i64) -> Result<Option<AgendaRow>, Failure> {
    Ok(app
        .store
        .db()
        .query_row("SELECT name, title, pdf_sha256, problems FROM agendas WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(db_error)?)
}

/// `GET /agenda/{id}`: the PDF shown, or the problems.
pub async fn agenda_page(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, Path(id): Path<i64>) -> Response {
    let a = app.clone();
    match blocking(move || agenda_row(&a, id)).await {
        Ok(Some((name, title, pdf, problems))) => {
            let problems: Value = serde_json::from_str(&problems).unwrap_or(json!([]));
            let page_title = title.clone().unwrap_or_else(|| format!("{name}（直すところがあります）"));
            app.pages.render(
                StatusCode::OK,
                "agenda",
                json!({
                    "title": page_title, "csrf": admin.csrf(), "ok": pdf.is_some(),
                    "agenda": {"id": id, "name": name, "title": title}, "problems": problems,
                }),
            )
        }
        Ok(None) => {
            failure_page(&app, &admin, Failure::message(StatusCode::NOT_FOUND, format!("議案 {id} はありません。")))
        }
        Err(f) => failure_page(&app, &admin, f),
    }
}

/// `GET /agenda/{id}/pdf[?download=1]`.
pub async fn agenda_pdf(
    State(app): State<Arc<App>>,
    PageAdmin(admin): PageAdmin,
    Path(id): Path<i64>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let a = app.clone();
    let inline = !q.contains_key("download");
    let found = blocking(move || {
        let row = agenda_row(&a, id)?;
        match row {
            Some((name, title, Some(sha), _)) => {
                let stem = title.unwrap_or_else(|| name.trim_end_matches(".xlsx").to_string());
                Ok((a.store.read_blob(&sha)?, format!("{stem}.pdf")))
            }
            _ => Err(Failure::message(StatusCode::NOT_FOUND, format!("議案 {id} の PDF はありません。"))),
        }
    })
    .await;
    match found {
        Ok((bytes, name)) => file_response(bytes, &name, inline),
        Err(f) => failure_page(&app, &admin, f),
    }
}

/// `POST /rounds` (the page's form): the round's page, or the home page
/// with the master's problems.
pub async fn post_round(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, multipart: Multipart) -> Response {
    let uploads = match receive(&app.store, multipart, "master", app.limits, Some(admin.csrf())).await {
        Ok(u) => u,
        Err(e) => return failure_page(&app, &admin, e.into()),
    };
    let a = app.clone();
    let ad = admin.clone();
    let opened = blocking(move || {
        let name = uploads[0].name.clone();
        match api::open_round(&a, &uploads[0])? {
            Ok(id) => Ok(Ok(id)),
            Err(problems) => Ok(Err((name, problems, home_data(&a, &ad)?))),
        }
    })
    .await;
    match opened {
        Ok(Ok(id)) => see_other(&format!("/rounds/{id}")),
        Ok(Err((name, problems, mut data))) => {
            data["error"] = json!({
                "heading": format!("「{name}」から回を始められません"),
                "text": "マスターに次の問題があります。直して保存し、もう一度送ってください。",
                "problems": problems,
            });
            app.pages.render(StatusCode::UNPROCESSABLE_ENTITY, "home", data)
        }
        Err(f) => failure_page(&app, &admin, f),
    }
}

/// The style class of a 提出状況 label.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "提出済み" => "ok",
        "要修正" => "fix",
        "受付不可" => "bad",
        _ => "none",
    }
}

/// `GET /rounds/{id}`.
pub async fn round_page(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, Path(id): Path<i64>) -> Response {
    let a = app.clone();
    let ad = admin.clone();
    match blocking(move || round_page_data(&a, &ad, id)).await {
        Ok(data) => app.pages.render(StatusCode::OK, "round", data),
        Err(f) => failure_page(&app, &admin, f),
    }
}

/// `GET /rounds/{id}/status`: the 提出状況 and downloads of the round's
/// page alone, which the page's script fetches to stay current.
pub async fn round_status(State(app): State<Arc<App>>, PageAdmin(admin): PageAdmin, Path(id): Path<i64>) -> Response {
    let a = app.clone();
    let ad = admin.clone();
    match blocking(move || round_page_data(&a, &ad, id)).await {
        Ok(data) => app.pages.render(StatusCode::OK, "status", data),
        Err(f) => failure_page(&app, &admin, f),
    }
}

fn round_page_data(app: &App, admin: &Admin, id: i64) -> Result<Value, Failure> {
    let mut round = api::round_value(app, id)?;
    if let Some(centres) = round["centres"].as_array_mut() {
        for c in centres {
            let class = status_class(c["status"].as_str().unwrap_or(""));
            c["status_class"] = json!(class);
            c["work_count"] = json!(c["work"].as_array().map_or(0, |w| w.len()));
            // The file used is in its own column: its findings need not name it.
            let used = c["file"].clone();
            if let Some(problems) = c["problems"].as_array_mut() {
                for p in problems {
                    if p["file"] == used {
                        p["file"] = Value::Null;
                    }
                }
            }
        }
    }
    let job = round["job"].clone();
    let state = job["state"].as_str().unwrap_or("");
    let active = matches!(state, "queued" | "running");
    let job_text = match state {
        "queued" => "順番を待っています".to_string(),
        "running" => match (job["done"].as_u64(), job["total"].as_u64()) {
            (Some(d), Some(t)) if t > 0 => format!("{d} / {t}"),
            _ => "処理しています".to_string(),
        },
        _ => String::new(),
    };
    let kind = kind_name(round["form"].as_str().unwrap_or("")).to_string();
    let has_pdf = round["distribution"]["files"]
        .as_array()
        .is_some_and(|f| f.iter().any(|n| n.as_str().is_some_and(|n| n.ends_with(".pdf"))));
    let centre_count = round["centres"].as_array().map_or(0, |c| c.len());
    let title = round["title"].clone();
    let deadline = round["deadline"].as_str().map(japan_time);
    let links = super::secretariat::link_list(app, id)?;
    let audit = super::audit::of_round(&app.store.db(), id, None, 100)?;
    round["created"] = json!(japan_time(round["created"].as_str().unwrap_or("")));
    let count = |v: &Value| v.as_array().map_or(0, |a| a.len());
    let (distribution_count, submission_count, returns_count) =
        (count(&round["distribution"]["files"]), count(&round["submissions"]), count(&round["returns"]["files"]));
    Ok(json!({
            "title": title, "csrf": admin.csrf(), "round": round, "kind_label": kind_label(&kind),
            "job_active": active, "job_failed": state == "failed", "job_text": job_text,
            "has_pdf": has_pdf, "centre_count": centre_count, "distribution_count": distribution_count,
            "submission_count": submission_count, "returns_count": returns_count,
            "links": links, "audit": audit,
            "deadline_label": deadline, "deadline_local": deadline.map(|d| d.replace(' ', "T")),
    }))
}

/// `POST /rounds/{id}/submissions`: from the page's script (with the CSRF
/// header: JSON), or its plain form (the CSRF field: back to the page).
pub async fn post_submissions(
    State(app): State<Arc<App>>,
    PageAdmin(admin): PageAdmin,
    Path(id): Path<i64>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let scripted = headers.contains_key(super::auth::CSRF_HEADER);
    if scripted && !csrf_header_ok(&admin, &headers) {
        return Failure::from_refusal().into_response();
    }
    let csrf = if scripted { None } else { Some(admin.csrf().to_string()) };
    let wait = !matches!(q.get("wait").map(String::as_str), Some("0"));
    let result = api::submissions(app.clone(), admin.clone(), id, wait && !scripted, multipart, csrf.as_deref()).await;
    match (result, scripted) {
        (Ok(round), true) => axum::Json(round).into_response(),
        (Err(f), true) => f.into_response(),
        (Ok(_), false) => see_other(&format!("/rounds/{id}")),
        (Err(f), false) => failure_page(&app, &admin, f),
    }
}
