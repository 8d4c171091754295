//! The centres' secret upload links. A link is `/c/{token}` where the
//! token is HMAC-SHA256 of the round, the centre and the link's generation
//! under the server's `portal.key` (256 bits): the database keeps only the
//! token's SHA-256 (a copy of the database gives no link), and the
//! secretariat can still list the links. Revoking a link marks it and
//! issues the next generation.

use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::store::{db_error, hex, now_iso};
use crate::error::Error;

/// A live link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its row.
    pub id: i64,
    /// The round.
    pub round: i64,
    /// The centre's ID.
    pub centre: String,
}

/// The token of a link.
pub fn token(key: &str, round: i64, centre: &str, generation: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("keikaku-link\0{round}\0{centre}\0{generation}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn insert(db: &Connection, key: &str, round: i64, centre: &str, generation: i64) -> Result<String, Error> {
    let t = token(key, round, centre, generation);
    db.execute(
        "INSERT INTO links (round, centre, generation, token_sha256, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![round, centre, generation, digest(&t), now_iso()],
    )
    .map_err(db_error)?;
    Ok(t)
}

/// Issues the first link of every centre of a round.
pub fn issue_all(db: &Connection, key: &str, round: i64, centres: &[&str]) -> Result<(), Error> {
    for c in centres {
        insert(db, key, round, c, 1)?;
    }
    Ok(())
}

/// Revokes a centre's live link and issues the next one; its token, or
/// `None` when the centre has no link in the round.
pub fn renew(db: &Connection, key: &str, round: i64, centre: &str) -> Result<Option<String>, Error> {
    let last: Option<i64> = db
        .query_row("SELECT max(generation) FROM links WHERE round = ?1 AND centre = ?2", params![round, centre], |r| {
            r.get(0)
        })
        .map_err(db_error)?;
    let Some(last) = last else { return Ok(None) };
    db.execute(
        "UPDATE links SET revoked = ?3 WHERE round = ?1 AND centre = ?2 AND revoked IS NULL",
        params![round, centre, now_iso()],
    )
    .map_err(db_error)?;
    insert(db, key, round, centre, last + 1).map(Some)
}

/// The live link of a token, if any (compared by SHA-256 through the
/// database's index, so that the time taken tells nothing of the token).
pub fn find(db: &Connection, token: &str) -> Result<Option<Link>, Error> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    db.query_row(
        "SELECT id, round, centre FROM links WHERE token_sha256 = ?1 AND revoked IS NULL",
        [digest(&token.to_ascii_lowercase())],
        |r| Ok(Link { id: r.get(0)?, round: r.get(1)?, centre: r.get(2)? }),
    )
    .optional()
    .map_err(db_error)
}

/// The live links of a round: (centre, token), in the order the centres'
/// first links were issued (the master's).
pub fn current(db: &Connection, key: &str, round: i64) -> Result<Vec<(String, String)>, Error> {
    let mut q = db
        .prepare(
            "SELECT centre, generation FROM links l WHERE round = ?1 AND revoked IS NULL
             ORDER BY (SELECT min(id) FROM links f WHERE f.round = l.round AND f.centre = l.centre)",
        )
        .map_err(db_error)?;
    let rows = q
        .query_map([round], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(db_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db_error)?;
    Ok(rows.into_iter().map(|(c, g)| (c.clone(), token(key, round, &c, g))).collect())
}

/// Makes the links agree with the key at start: when the key is not the
/// one the links were made with (`portal.key` deleted or replaced), every
/// live link is renewed under the new key (the old ones stop working), and
/// a round without links (opened before the portal existed) gets them for
/// its centres with work. Returns how many links were renewed.
pub fn settle(db: &mut Connection, key: &str) -> Result<usize, Error> {
    let check = token(key, 0, "keikaku-key-check", 0);
    let tx = db.transaction().map_err(db_error)?;
    let stored: Option<String> = tx
        .query_row("SELECT value FROM settings WHERE name = 'portal_key_check'", [], |r| r.get(0))
        .optional()
        .map_err(db_error)?;
    let mut renewed = 0;
    if stored.as_deref().is_some_and(|s| s != check) {
        let live: Vec<(i64, String)> = {
            let mut q = tx.prepare("SELECT round, centre FROM links WHERE revoked IS NULL").map_err(db_error)?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db_error)?;
            rows.collect::<Result<_, _>>().map_err(db_error)?
        };
        for (round, centre) in live {
            renew(&tx, key, round, &centre)?;
            renewed += 1;
        }
    }
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('portal_key_check', ?1) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [&check],
    )
    .map_err(db_error)?;
    let bare: Vec<(i64, String)> = {
        let mut q = tx
            .prepare("SELECT id, centres FROM rounds r WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.round = r.id)")
            .map_err(db_error)?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)?
    };
    for (round, centres) in bare {
        let centres: serde_json::Value = serde_json::from_str(&centres).unwrap_or(serde_json::Value::Null);
        let ids: Vec<&str> = centres
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["work"].as_array().is_some_and(|w| !w.is_empty()))
            .filter_map(|c| c["id"].as_str())
            .collect();
        issue_all(&tx, key, round, &ids)?;
    }
    tx.commit().map_err(db_error)?;
    Ok(renewed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_secret_and_renewed() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::serve::store::Store::open(dir.path()).unwrap();
        let db = store.db();
        db.execute_batch(
            "INSERT INTO blobs VALUES ('m', 1, 'x'); INSERT INTO rounds (id, form, title, fiscal_year, master_name, master_sha256, created, centres) VALUES (1, 'f', 't', 2026, 'm', 'm', 'x', '[]');",
        )
        .unwrap();
        let key = "k".repeat(64);
        issue_all(&db, &key, 1, &["C01", "C02"]).unwrap();
        let links = current(&db, &key, 1).unwrap();
        assert_eq!(links.len(), 2);
        let (c01, t1) = &links[0];
        assert_eq!(c01, "C01");
        assert_eq!(t1.len(), 64);
        assert_ne!(t1, &links[1].1);
        assert_eq!(find(&db, t1).unwrap().unwrap().centre, "C01");
        assert_eq!(find(&db, &t1.to_ascii_uppercase()).unwrap().unwrap().centre, "C01");
        // The database holds no token.
        let stored: String =
            db.query_row("SELECT token_sha256 FROM links WHERE centre = 'C01'", [], |r| r.get(0)).unwrap();
        assert_ne!(&stored, t1);
        // Renewing revokes the old link.
        let t2 = renew(&db, &key, 1, "C01").unwrap().unwrap();
        assert_ne!(&t2, t1);
        assert!(find(&db, t1).unwrap().is_none());
        assert_eq!(find(&db, &t2).unwrap().unwrap().centre, "C01");
        assert_eq!(current(&db, &key, 1).unwrap()[0], ("C01".to_string(), t2.clone()));
        assert!(renew(&db, &key, 1, "C99").unwrap().is_none());
        assert!(find(&db, "../../etc").unwrap().is_none());
        // Another key gives other tokens.
        assert_ne!(token(&"j".repeat(64), 1, "C01", 1), token(&key, 1, "C01", 1));
        drop(db);
        // A new key renews every live link at start: the old ones stop working.
        let mut db = store.db();
        assert_eq!(settle(&mut db, &key).unwrap(), 0, "the first start records the key");
        let other = "j".repeat(64);
        assert_eq!(settle(&mut db, &other).unwrap(), 2);
        assert!(find(&db, &t2).unwrap().is_none());
        let now = current(&db, &other, 1).unwrap();
        assert_eq!(find(&db, &now[0].1).unwrap().unwrap().centre, "C01");
        assert_eq!(settle(&mut db, &other).unwrap(), 0);
    }
}
