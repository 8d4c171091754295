//! The audit log: every upload through a centre's link (accepted or
//! refused, with the address, the file's SHA-256 and why), every link
//! renewed and every deadline set, kept in the database and shown to the
//! secretariat.

use rusqlite::{params, Connection};
use serde_json::{json, Value};

use super::store::{db_error, japan_time, now_iso};
use crate::error::Error;

/// One entry.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    /// The round.
    pub round: Option<i64>,
    /// The centre.
    pub centre: Option<&'a str>,
    /// Who: `centre link`, `secretariat`.
    pub actor: &'a str,
    /// The peer address.
    pub address: Option<String>,
    /// What: `upload`, `renew link`, `deadline`.
    pub action: &'a str,
    /// The file's name, when a file came.
    pub name: Option<&'a str>,
    /// The file's SHA-256.
    pub sha256: Option<&'a str>,
    /// The result: `accepted`, `refused`, `done`.
    pub result: &'a str,
    /// Why, in Japanese.
    pub detail: Option<String>,
}

/// Records an entry (in the caller's transaction, when there is one).
pub fn record(db: &Connection, e: &Entry) -> Result<(), Error> {
    db.execute(
        "INSERT INTO audit (at, round, centre, actor, address, action, name, sha256, result, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![now_iso(), e.round, e.centre, e.actor, e.address, e.action, e.name, e.sha256, e.result, e.detail],
    )
    .map_err(db_error)?;
    Ok(())
}

/// A round's entries, newest first (at most `limit`), optionally of one
/// centre only.
pub fn of_round(db: &Connection, round: i64, centre: Option<&str>, limit: i64) -> Result<Vec<Value>, Error> {
    let mut q = db
        .prepare(
            "SELECT at, centre, actor, address, action, name, sha256, result, detail FROM audit
             WHERE round = ?1 AND (?2 IS NULL OR centre = ?2) ORDER BY id DESC LIMIT ?3",
        )
        .map_err(db_error)?;
    let rows = q
        .query_map(params![round, centre, limit], |r| {
            let at: String = r.get(0)?;
            let result: String = r.get(7)?;
            Ok(json!({
                "at": at,
                "at_label": japan_time(&at),
                "centre": r.get::<_, Option<String>>(1)?,
                "actor": r.get::<_, String>(2)?,
                "address": r.get::<_, Option<String>>(3)?,
                "action": r.get::<_, String>(4)?,
                "name": r.get::<_, Option<String>>(5)?,
                "sha256": r.get::<_, Option<String>>(6)?,
                "result_label": match result.as_str() {
                    "accepted" => "受け付け",
                    "refused" => "受け付けず",
                    _ => "済み",
                },
                "result": result,
                "detail": r.get::<_, Option<String>>(8)?,
            }))
        })
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    Ok(rows)
}
