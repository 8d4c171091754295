//! The JSON the API answers and the pages show: the rounds, a round with
//! its centres' 提出状況 and findings, its job.

use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::store::{db_error, Store};
use super::work::{JobKind, Work};
use crate::error::Error;

/// The short form name of a form kind (`keikaku.pdca` → `pdca`).
pub fn kind_name(form: &str) -> &str {
    form.strip_prefix("keikaku.").unwrap_or(form)
}

/// The rounds, newest first: `{"id", "kind", "title", "created", "counts"}`.
pub fn rounds_json(store: &Store) -> Result<Vec<Value>, Error> {
    let db = store.db();
    let mut q = db
        .prepare(
            "SELECT r.id, r.form, r.title, r.created, r.master_name, s.standing,
                    (SELECT count(*) FROM submissions WHERE round = r.id)
             FROM rounds r LEFT JOIN standings s ON s.round = r.id ORDER BY r.id DESC",
        )
        .map_err(db_error)?;
    let rows = q
        .query_map([], |r| {
            let standing: Option<String> = r.get(5)?;
            let form: String = r.get(1)?;
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "kind": kind_name(&form),
                "title": r.get::<_, String>(2)?,
                "created": r.get::<_, String>(3)?,
                "master": r.get::<_, String>(4)?,
                "submissions": r.get::<_, i64>(6)?,
                "counts": standing.and_then(|s| serde_json::from_str::<Value>(&s).ok()).map(|s| counts(&s["centres"])),
            }))
        })
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    Ok(rows)
}

fn counts(centres: &Value) -> Value {
    let n = |label: &str| centres.as_array().map_or(0, |a| a.iter().filter(|c| c["status"] == label).count());
    json!({
        "提出済み": n("提出済み"),
        "要修正": n("要修正"),
        "受付不可": n("受付不可"),
        "未提出": n("未提出"),
    })
}

/// The addresses of a round's files.
fn file_url(round: i64, what: &str) -> String {
    format!("/api/rounds/{round}/{what}")
}

/// A round as the API answers it, or `None` when there is no such round.
pub fn round_json(store: &Store, work: &Work, id: i64) -> Result<Option<Value>, Error> {
    let db = store.db();
    type Row = (String, String, i64, String, String, String, String, Option<String>);
    let row: Option<Row> = db
        .query_row(
            "SELECT form, title, fiscal_year, master_name, master_sha256, created, centres, deadline FROM rounds WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
        )
        .optional()
        .map_err(db_error)?;
    let Some((form, title, fiscal_year, master_name, master_sha, created, centres, deadline)) = row else {
        return Ok(None);
    };
    let master_centres: Value = serde_json::from_str(&centres).map_err(|e| Error::internal(e.to_string()))?;
    let standing: Option<(String, i64)> = db
        .query_row("SELECT standing, submissions FROM standings WHERE round = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_error)?;
    let standing: Option<(Value, i64)> = standing.map(|(s, n)| (serde_json::from_str(&s).unwrap_or(Value::Null), n));
    let submissions: Vec<Value> = {
        let mut q = db
            .prepare("SELECT id, name, sha256, received FROM submissions WHERE round = ?1 ORDER BY id")
            .map_err(db_error)?;
        let covered = standing.as_ref().map_or(0, |(_, n)| *n);
        let rows = q
            .query_map([id], |r| {
                let sid: i64 = r.get(0)?;
                Ok(json!({
                    "id": sid,
                    "name": r.get::<_, String>(1)?,
                    "sha256": r.get::<_, String>(2)?,
                    "received": r.get::<_, String>(3)?,
                    "collected": sid <= covered,
                }))
            })
            .map_err(db_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_error)?;
        rows
    };
    let files = |role: &str| -> Result<Vec<String>, Error> {
        let mut q =
            db.prepare("SELECT name FROM files WHERE round = ?1 AND role = ?2 ORDER BY name").map_err(db_error)?;
        let rows = q
            .query_map(params![id, role], |r| r.get(0))
            .map_err(db_error)?
            .collect::<Result<Vec<String>, _>>()
            .map_err(db_error)?;
        Ok(rows)
    };
    let distribution = files("distribution")?;
    let outputs = files("output")?;
    let returns = files("returns")?;
    let job = latest_job(&db, work, id)?;
    drop(db);

    // The expected centres with their standing; those without work apart.
    let standing_centres = standing.as_ref().map(|(s, _)| s["centres"].clone()).unwrap_or(Value::Null);
    let mut expected = Vec::new();
    let mut idle = Vec::new();
    for c in master_centres.as_array().into_iter().flatten() {
        let work = c["work"].as_array().cloned().unwrap_or_default();
        if work.is_empty() {
            idle.push(json!({"id": c["id"], "name": c["name"]}));
            continue;
        }
        let found = standing_centres.as_array().and_then(|a| a.iter().find(|s| s["id"] == c["id"]));
        let mut centre = json!({
            "id": c["id"],
            "name": c["name"],
            "work": work,
            "status": "未提出",
            "file": null,
            "problems": [],
            "unused": [],
        });
        if let Some(s) = found {
            for key in ["status", "file", "problems", "unused"] {
                centre[key] = s[key].clone();
            }
        }
        expected.push(centre);
    }
    let outputs_json: Vec<Value> =
        outputs.iter().map(|n| json!({"name": n, "url": file_url(id, &format!("files/{n}"))})).collect();
    let summary = outputs.iter().find(|n| n.ends_with(".xlsx"));
    let report = outputs.iter().find(|n| n.ends_with(".pdf"));
    Ok(Some(json!({
        "id": id,
        "kind": kind_name(&form),
        "form": form,
        "title": title,
        "fiscal_year": fiscal_year,
        "master": {"name": master_name, "sha256": master_sha},
        "created": created,
        "deadline": deadline,
        "centres": expected,
        "idle": idle,
        "counts": counts(&Value::Array(expected.clone())),
        "stray": standing.as_ref().map(|(s, _)| s["stray"].clone()).unwrap_or(json!([])),
        "skipped": standing.as_ref().map(|(s, _)| s["skipped"].clone()).unwrap_or(json!([])),
        "complete": standing.as_ref().map(|(s, _)| s["complete"].clone()).unwrap_or(json!(false)),
        "status_text": standing.as_ref().map(|(s, _)| s["status_text"].clone()).unwrap_or(Value::Null),
        "collected": standing.is_some(),
        "submissions": submissions,
        "distribution": {
            "ready": !distribution.is_empty(),
            "files": distribution,
            "url": file_url(id, "distribution.zip"),
        },
        "outputs": outputs_json,
        "summary": summary.map(|n| json!({"name": n, "url": file_url(id, "summary.xlsx")})),
        "report": report.map(|n| json!({"name": n, "url": file_url(id, "report.pdf")})),
        "returns": {"files": returns, "url": file_url(id, "returns.zip")},
        "job": job,
    })))
}

/// The round's pending job (running or queued), else its last one.
fn latest_job(db: &rusqlite::Connection, work: &Work, round: i64) -> Result<Value, Error> {
    let row: Option<(i64, String, String, Option<String>)> = db
        .query_row(
            "SELECT id, kind, state, message FROM jobs WHERE round = ?1
             ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, id DESC LIMIT 1",
            [round],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db_error)?;
    let Some((id, kind, state, message)) = row else { return Ok(Value::Null) };
    let progress = work.progress().filter(|p| p.job == id);
    let label = match kind.as_str() {
        "distribute" => JobKind::Distribute.label(),
        _ => JobKind::Collect.label(),
    };
    Ok(json!({
        "id": id,
        "kind": kind,
        "label": label,
        "state": state,
        "message": message,
        "done": progress.map(|p| p.done),
        "total": progress.map(|p| p.total),
    }))
}
