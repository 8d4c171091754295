//! The secretariat's side of the portal: the centres' links (a list on the
//! round's page, as CSV and xlsx to paste into e-mails), renewing a link,
//! the round's deadline, and the audit log.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api::{blocking, file_response, round_exists, round_value, Failure};
use super::audit::{self, Entry};
use super::auth::same_secret;
use super::links;
use super::store::{db_error, from_japan_time, japan_time};
use super::{ApiAdmin, App, PageAdmin};

/// The live links of a round with the centres' names: `[{"centre",
/// "name", "upload_url"}]`.
pub fn link_list(app: &App, round: i64) -> Result<Vec<Value>, Failure> {
    if !round_exists(app, round)? {
        return Err(Failure::message(StatusCode::NOT_FOUND, format!("回 {round} はありません。")));
    }
    let db = app.store.db();
    let centres: String =
        db.query_row("SELECT centres FROM rounds WHERE id = ?1", [round], |r| r.get(0)).map_err(db_error)?;
    let centres: Value = serde_json::from_str(&centres).unwrap_or(Value::Null);
    let name = |id: &str| -> String {
        centres
            .as_array()
            .and_then(|a| a.iter().find(|c| c["id"] == id))
            .and_then(|c| c["name"].as_str())
            .unwrap_or("")
            .to_string()
    };
    Ok(links::current(&db, &app.portal_key, round)?
        .into_iter()
        .map(|(c, t)| json!({"centre": c, "name": name(&c), "upload_url": app.upload_url(&t)}))
        .collect())
}

/// `GET /api/rounds/{id}/links`.
pub async fn get_links(State(app): State<Arc<App>>, _: ApiAdmin, Path(id): Path<i64>) -> Result<Json<Value>, Failure> {
    let a = app.clone();
    Ok(Json(json!({"links": blocking(move || link_list(&a, id)).await?})))
}

/// `GET /api/rounds/{id}/links.csv`: UTF-8 with a BOM (Excel opens it as
/// such), CRLF.
pub async fn get_links_csv(State(app): State<Arc<App>>, _: ApiAdmin, Path(id): Path<i64>) -> Result<Response, Failure> {
    let a = app.clone();
    let list = blocking(move || link_list(&a, id)).await?;
    let fail =
        |e: csv::Error| Failure::message(StatusCode::INTERNAL_SERVER_ERROR, format!("CSV を作れません（{e}）。"));
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(["センターID", "センター名", "提出用リンク"]).map_err(fail)?;
    for l in &list {
        w.write_record([
            l["centre"].as_str().unwrap_or(""),
            l["name"].as_str().unwrap_or(""),
            l["upload_url"].as_str().unwrap_or(""),
        ])
        .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| Failure::message(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut r = file_response(bytes, &format!("提出用リンク_{id}.csv"), false);
    r.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/csv; charset=utf-8"));
    Ok(r)
}

/// `GET /api/rounds/{id}/links.xlsx`.
pub async fn get_links_xlsx(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path(id): Path<i64>,
) -> Result<Response, Failure> {
    let a = app.clone();
    let list = blocking(move || link_list(&a, id)).await?;
    const COLUMNS: [crate::xlsx::Column; 3] = [
        crate::xlsx::Column { header: "センターID", width: 10.0 },
        crate::xlsx::Column { header: "センター名", width: 28.0 },
        crate::xlsx::Column { header: "提出用リンク", width: 100.0 },
    ];
    let rows = list.into_iter().map(|l| {
        ["centre", "name", "upload_url"]
            .iter()
            .map(|k| crate::xlsx::Datum::Text(l[*k].as_str().unwrap_or("").to_string()))
            .collect::<Vec<_>>()
    });
    let bytes = crate::xlsx::write_data(crate::xlsx::DataBook {
        title: "提出用リンク",
        properties: vec![],
        sheets: vec![crate::xlsx::DataSheet {
            name: "提出用リンク",
            columns: &COLUMNS,
            rows: Box::new(rows),
            fit_rows: false,
        }],
        chart: None,
        print: &[],
        footer: "",
        created: None,
    })?;
    Ok(file_response(bytes, &format!("提出用リンク_{id}.xlsx"), false))
}

/// Renews a centre's link: its new address.
fn renew(app: &App, round: i64, centre: &str, actor: &str) -> Result<String, Failure> {
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    let Some(token) = links::renew(&tx, &app.portal_key, round, centre)? else {
        return Err(Failure::message(
            StatusCode::NOT_FOUND,
            format!("回 {round} に {centre} の提出用リンクはありません。"),
        ));
    };
    audit::record(
        &tx,
        &Entry {
            round: Some(round),
            centre: Some(centre),
            actor,
            action: "renew link",
            result: "done",
            detail: Some("古いリンクを使えなくし、新しいリンクを作りました。".into()),
            ..Entry::default()
        },
    )?;
    tx.commit().map_err(db_error)?;
    Ok(app.upload_url(&token))
}

/// `POST /api/rounds/{id}/links/{centre}/renew`: `{"centre", "upload_url"}`.
pub async fn post_renew(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path((id, centre)): Path<(i64, String)>,
) -> Result<Json<Value>, Failure> {
    let a = app.clone();
    let c = centre.clone();
    let url = blocking(move || renew(&a, id, &c, "secretariat")).await?;
    Ok(Json(json!({"centre": centre, "upload_url": url})))
}

/// Sets (or clears, with an empty text) a round's deadline, typed as
/// Japan's time.
fn set_deadline(app: &App, round: i64, local: Option<&str>) -> Result<(), Failure> {
    if !round_exists(app, round)? {
        return Err(Failure::message(StatusCode::NOT_FOUND, format!("回 {round} はありません。")));
    }
    let deadline = match local.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(from_japan_time(text).ok_or_else(|| {
            Failure::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "締め切り「{text}」を日時として読めません。2026-12-20T17:00 のように入力してください（日本時間）。"
                ),
            )
        })?),
        None => None,
    };
    let mut db = app.store.db();
    let tx = db.transaction().map_err(db_error)?;
    tx.execute("UPDATE rounds SET deadline = ?2 WHERE id = ?1", rusqlite::params![round, deadline])
        .map_err(db_error)?;
    audit::record(
        &tx,
        &Entry {
            round: Some(round),
            actor: "secretariat",
            action: "deadline",
            result: "done",
            detail: Some(match &deadline {
                Some(d) => format!("締め切りを {} にしました。", japan_time(d)),
                None => "締め切りをなくしました。".into(),
            }),
            ..Entry::default()
        },
    )?;
    tx.commit().map_err(db_error)?;
    Ok(())
}

/// The deadline of `POST /api/rounds/{id}/deadline` (Japan's time, or null).
#[derive(serde::Deserialize)]
pub struct Deadline {
    deadline: Option<String>,
}

/// `POST /api/rounds/{id}/deadline` with JSON `{"deadline": "2026-12-20T17:00"}`: the round.
pub async fn post_deadline(
    State(app): State<Arc<App>>,
    _: ApiAdmin,
    Path(id): Path<i64>,
    Json(d): Json<Deadline>,
) -> Result<Json<Value>, Failure> {
    let a = app.clone();
    Ok(Json(
        blocking(move || {
            set_deadline(&a, id, d.deadline.as_deref())?;
            round_value(&a, id)
        })
        .await?,
    ))
}

/// `GET /api/rounds/{id}/audit`: the newest 500 entries.
pub async fn get_audit(State(app): State<Arc<App>>, _: ApiAdmin, Path(id): Path<i64>) -> Result<Json<Value>, Failure> {
    let a = app.clone();
    let entries = blocking(move || Ok(audit::of_round(&a.store.db(), id, None, 500)?)).await?;
    Ok(Json(json!({"entries": entries})))
}

/// The page's forms: the CSRF token and the deadline.
#[derive(serde::Deserialize)]
pub struct PageForm {
    csrf: String,
    #[serde(default)]
    deadline: Option<String>,
}

fn back(id: i64, anchor: &str) -> Response {
    (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, format!("/rounds/{id}#{anchor}"))]).into_response()
}

/// `POST /rounds/{id}/links/{centre}/renew` (the page's form).
pub async fn page_renew(
    State(app): State<Arc<App>>,
    PageAdmin(admin): PageAdmin,
    Path((id, centre)): Path<(i64, String)>,
    Form(f): Form<PageForm>,
) -> Response {
    if !same_secret(&f.csrf, admin.csrf()) {
        return Failure::from_refusal().into_response();
    }
    let a = app.clone();
    match blocking(move || renew(&a, id, &centre, "secretariat")).await {
        Ok(_) => back(id, "links"),
        Err(f) => app.pages.message(f.status, "できませんでした", &f.text()),
    }
}

/// `POST /rounds/{id}/deadline` (the page's form).
pub async fn page_deadline(
    State(app): State<Arc<App>>,
    PageAdmin(admin): PageAdmin,
    Path(id): Path<i64>,
    Form(f): Form<PageForm>,
) -> Response {
    if !same_secret(&f.csrf, admin.csrf()) {
        return Failure::from_refusal().into_response();
    }
    let a = app.clone();
    match blocking(move || set_deadline(&a, id, f.deadline.as_deref())).await {
        Ok(()) => back(id, "links"),
        Err(f) => app.pages.message(f.status, "できませんでした", &f.text()),
    }
}
