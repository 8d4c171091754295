//! Who may do what: the admin token, the one-time login link and the
//! sessions it opens, CSRF tokens, and the checks every request passes
//! (its Host, then its session or token).
//!
//! - The admin token is 256 random bits in `DIR/admin.token` (mode 0600).
//!   The JSON API takes it as `Authorization: Bearer …`.
//! - At start the server prints a login link with a one-time code (128
//!   random bits). Opening it, or sending the admin token to `/login`,
//!   opens a session: a cookie (HttpOnly, SameSite=Strict) naming a random
//!   token whose SHA-256 the database keeps with the session's CSRF token
//!   and its end.
//! - Every request that changes something from a session carries the CSRF
//!   token (a form's `csrf` field or the `X-CSRF-Token` header).
//! - Every request's Host must be the address the server listens on
//!   (against DNS rebinding); another Host gets 421.

use std::path::Path;
use std::sync::Mutex;

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::store::{db_error, hex, Store};
use crate::error::Error;

/// The session cookie's name.
pub const COOKIE: &str = "keikaku_session";
/// The header that carries the CSRF token of a session's script requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts (12 hours).
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// `bytes` random bytes as lowercase hex, from the operating system.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system gives random bytes");
    hex(&buf)
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Compares two secrets without telling by time how much of them matched
/// (their digests are compared).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (x, y) = (digest(a), digest(b));
    x.iter().zip(y.iter()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

/// The admin token of `dir`: read from `admin.token`, or made (256 random
/// bits) and written with mode 0600 when there is none. A token file that
/// others may read is made private again.
pub fn admin_token(dir: &Path) -> Result<String, Error> {
    secret(dir, "admin.token", "管理トークン")
}

/// The key the centres' links are derived from (`portal.key`, as the
/// admin token): the database keeps only the links' SHA-256, and the links
/// can still be listed for the secretariat.
pub fn portal_key(dir: &Path) -> Result<String, Error> {
    secret(dir, "portal.key", "提出リンクの鍵")
}

/// A secret file of `dir`, made when there is none; `what` names it in
/// messages.
fn secret(dir: &Path, name: &str, what: &str) -> Result<String, Error> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let token = text.trim().to_string();
            if token.len() < 32 || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(Error::input(format!(
                    "{what}のファイル {} の中身が正しくありません（英数字 32 文字以上）。ファイルを消すと、起動時に新しく作ります。",
                    path.display()
                )));
            }
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if let Ok(meta) = std::fs::metadata(&path) {
                    if meta.permissions().mode() & 0o077 != 0 {
                        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
                            Error::output(format!("{} を本人だけが読めるようにできません（{e}）。", path.display()))
                        })?;
                    }
                }
            }
            Ok(token)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = random_hex(32);
            let mut options = std::fs::File::options();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let write = |mut f: std::fs::File| {
                use std::io::Write;
                f.write_all(format!("{token}\n").as_bytes()).and_then(|_| f.sync_all())
            };
            options
                .open(&path)
                .and_then(write)
                .map_err(|e| Error::output(format!("{what}のファイル {} を作れません（{e}）。", path.display())))?;
            Ok(token)
        }
        Err(e) => Err(Error::output(format!("{what}のファイル {} を読めません（{e}）。", path.display()))),
    }
}

/// The server's secrets and the Hosts it answers to.
pub struct Auth {
    admin_token: String,
    login_code: Mutex<Option<String>>,
    hosts: Vec<String>,
    secure: bool,
}

/// A request's right to act as the admin.
#[derive(Debug, Clone)]
pub enum Admin {
    /// The admin token (the JSON API).
    Token,
    /// A browser session, with its CSRF token.
    Session {
        /// The session's CSRF token, for the forms of the page.
        csrf: String,
    },
}

impl Admin {
    /// The CSRF token to put in the page's forms (empty for the token).
    pub fn csrf(&self) -> &str {
        match self {
            Admin::Token => "",
            Admin::Session { csrf } => csrf,
        }
    }
}

/// Why a request was refused, as a response.
#[derive(Debug)]
pub struct Refusal {
    /// The status: 401, 403 or 421.
    pub status: StatusCode,
    /// The message, in Japanese.
    pub message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(serde_json::json!({ "error": self.message }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl Auth {
    /// The secrets, with a new one-time login code, answering to `hosts`
    /// (`127.0.0.1:8080`, `localhost:8080`).
    pub fn new(admin_token: String, hosts: Vec<String>) -> Auth {
        Auth { admin_token, login_code: Mutex::new(Some(random_hex(16))), hosts, secure: false }
    }

    /// The same, over TLS: the session cookie is `Secure`.
    pub fn over_tls(self) -> Auth {
        Auth { secure: true, ..self }
    }

    /// The one-time login code, while it is unused.
    pub fn login_code(&self) -> Option<String> {
        self.login_code.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Uses the one-time code: true, once, for the right code.
    pub fn take_login_code(&self, code: &str) -> bool {
        let mut slot = self.login_code.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_deref().is_some_and(|c| same_secret(c, code)) {
            *slot = None;
            true
        } else {
            false
        }
    }

    /// Whether `token` is the admin token.
    pub fn is_admin_token(&self, token: &str) -> bool {
        same_secret(&self.admin_token, token.trim())
    }

    /// Whether the request's Host (or, over HTTP/2, its authority) is one
    /// the server answers to.
    pub fn host_allowed(&self, headers: &HeaderMap, uri: &axum::http::Uri) -> bool {
        let host =
            headers.get(header::HOST).and_then(|h| h.to_str().ok()).or_else(|| uri.authority().map(|a| a.as_str()));
        host.is_some_and(|h| self.hosts.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }

    /// Opens a session; returns the cookie to set.
    pub fn open_session(&self, store: &Store) -> Result<HeaderValue, Error> {
        let token = random_hex(32);
        let csrf = random_hex(32);
        let now = unix_now();
        let db = store.db();
        db.execute("DELETE FROM sessions WHERE expires <= ?1", [now]).map_err(db_error)?;
        db.execute(
            "INSERT INTO sessions (token_sha256, csrf, expires) VALUES (?1, ?2, ?3)",
            rusqlite::params![hex(&digest(&token)), csrf, now + SESSION_SECONDS],
        )
        .map_err(db_error)?;
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"))
            .map_err(|e| Error::internal(e.to_string()))
    }

    /// Ends the session of the request, if any.
    pub fn close_session(&self, store: &Store, headers: &HeaderMap) -> Result<(), Error> {
        if let Some(token) = session_cookie(headers) {
            store
                .db()
                .execute("DELETE FROM sessions WHERE token_sha256 = ?1", [hex(&digest(&token))])
                .map_err(db_error)?;
        }
        Ok(())
    }

    /// The request's session, if it has a live one.
    pub fn session(&self, store: &Store, headers: &HeaderMap) -> Option<Admin> {
        let token = session_cookie(headers)?;
        let csrf = store.session_csrf(&hex(&digest(&token)), unix_now()).ok()??;
        Some(Admin::Session { csrf })
    }

    /// The admin right of an API request: the admin token as a Bearer
    /// token, or a session (whose requests that change something carry the
    /// CSRF header).
    pub fn api(&self, store: &Store, method: &Method, headers: &HeaderMap) -> Result<Admin, Refusal> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
            return match token {
                Some(t) if self.is_admin_token(t) => Ok(Admin::Token),
                _ => Err(Refusal {
                    status: StatusCode::UNAUTHORIZED,
                    message: "管理トークンが違います。データのフォルダーの admin.token の中身を「Authorization: Bearer トークン」で送ってください。".into(),
                }),
            };
        }
        match self.session(store, headers) {
            Some(admin) => {
                if !is_safe(method) && !csrf_header_ok(&admin, headers) {
                    return Err(csrf_refusal());
                }
                Ok(admin)
            }
            None => Err(Refusal {
                status: StatusCode::UNAUTHORIZED,
                message: "ログインしていません。「Authorization: Bearer 管理トークン」を付けるか、起動時に表示されたリンクからログインしてください。".into(),
            }),
        }
    }
}

/// Whether a method only reads.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// Whether the request's CSRF header is the session's.
pub fn csrf_header_ok(admin: &Admin, headers: &HeaderMap) -> bool {
    match admin {
        Admin::Token => true,
        Admin::Session { csrf } => {
            headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).is_some_and(|v| same_secret(v, csrf))
        }
    }
}

/// The refusal of a request without the session's CSRF token.
pub fn csrf_refusal() -> Refusal {
    Refusal {
        status: StatusCode::FORBIDDEN,
        message: "フォームの確認用トークン（CSRF）がないか、違います。ページを開き直してからもう一度送ってください。"
            .into(),
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    jar.get(COOKIE).map(|c| c.value().to_string()).filter(|v| !v.is_empty())
}

/// Seconds since 1970.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The Content-Security-Policy of every response: only the server's own
/// scripts, styles, images and frames (the PDF preview), no plugins, no
/// other site may frame a page.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(random_hex(16).len(), 32);
        assert_ne!(random_hex(16), random_hex(16));
    }

    #[test]
    fn the_login_code_works_once() {
        let auth = Auth::new("t".repeat(64), vec!["127.0.0.1:1".into()]);
        let code = auth.login_code().unwrap();
        assert!(!auth.take_login_code("wrong"));
        assert!(auth.take_login_code(&code));
        assert!(!auth.take_login_code(&code));
        assert!(auth.login_code().is_none());
    }

    #[test]
    fn the_admin_token_is_made_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let t = admin_token(dir.path()).unwrap();
        assert_eq!(t.len(), 64);
        assert_eq!(admin_token(dir.path()).unwrap(), t);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join("admin.token");
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            admin_token(dir.path()).unwrap();
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("admin.token"), "short").unwrap();
        assert!(admin_token(dir.path()).is_err());
    }
}
