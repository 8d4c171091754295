//! `keikaku serve`: the office's browser workspace. One command starts a
//! web server on this machine; the clerk opens the printed link and does
//! every job of the command line in the page: 議案 PDFs, opening a PDCA or
//! centre plan round from its master, downloading every centre's workbook,
//! dropping the returned ones, reading the 提出状況 and downloading the
//! combined outputs.
//!
//! - [`store`]: the data folder (SQLite database and the files, kept once
//!   each under their SHA-256);
//! - [`auth`]: the admin token, the login link and sessions, CSRF, Host;
//! - [`upload`]: streaming uploads to kept files within the limits;
//! - [`work`]: the background jobs (distribute, collect) with progress;
//! - [`json`]: findings and a collection's standing as JSON;
//! - [`view`]: the JSON of the rounds and of a round;
//! - [`api`]: the JSON API and the actions the pages share with it;
//! - [`pages`]: the Japanese pages and their embedded assets.
//!
//! The server knows the forms only through [`crate::forms::round`] and
//! [`crate::forms::document`]. docs/serve.md describes it for users.

pub mod api;
pub mod audit;
pub mod auth;
pub mod json;
pub mod links;
pub mod pages;
pub mod portal;
pub mod secretariat;
pub mod store;
pub mod upload;
pub mod view;
pub mod work;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::Error;
use crate::fonts::FontSet;
use auth::{Admin, Auth, Refusal};
use store::Store;
use upload::Limits;
use work::Work;

/// How the server is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder.
    pub data: PathBuf,
    /// The address to listen on (loopback only; port 0 picks a free one).
    pub listen: SocketAddr,
    /// Upload limits.
    pub limits: Limits,
    /// The address centres reach the portal at (`https://keikaku.example.jp`),
    /// which the links start with; needed to listen beyond loopback.
    pub public_url: Option<String>,
    /// Only this machine may reach the secretariat's side (the pages and
    /// the API); the centres' links work from anywhere.
    pub admin_local: bool,
    /// The server is behind a reverse proxy on this machine: a client's
    /// address is the last one of `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// Everything a request handler reaches.
pub struct App {
    /// The data folder and database.
    pub store: Arc<Store>,
    /// The job runner.
    pub work: Arc<Work>,
    /// Secrets and sessions.
    pub auth: Auth,
    /// The fonts of every PDF.
    pub fonts: Arc<FontSet>,
    /// Upload limits.
    pub limits: Limits,
    /// The pages' templates.
    pub pages: pages::Pages,
    /// The key the centres' links are derived from.
    pub portal_key: String,
    /// The address the centres' links start with (`http://127.0.0.1:8080`).
    pub public_url: String,
    /// The portal's limits.
    pub throttle: portal::Throttle,
    /// Only loopback clients reach the secretariat's side.
    pub admin_local: bool,
    /// Client addresses come from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// The address listened on.
    pub listen: std::net::IpAddr,
    /// The rounds' masters, read once.
    pub masters: std::sync::Mutex<std::collections::HashMap<i64, portal::CachedMaster>>,
}

impl App {
    /// The client's address: the peer, or behind a trusted proxy (a peer
    /// on this machine, with `--trust-proxy`) the last address the proxy
    /// added to `X-Forwarded-For` (`ip` or `ip:port`). A forwarded address
    /// that cannot be read is "somewhere else" (`0.0.0.0`), never this
    /// machine; so is a peer on this machine that forwards for someone
    /// without `--trust-proxy`.
    pub fn client(&self, peer: std::net::IpAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        let peer = peer.to_canonical();
        let elsewhere = std::net::IpAddr::from([0, 0, 0, 0]);
        let forwarding = ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| headers.contains_key(*h));
        if !peer.is_loopback() || !forwarding {
            return peer;
        }
        if !self.trust_proxy {
            return elsewhere;
        }
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .map(str::trim);
        match last {
            Some(a) => a
                .parse::<std::net::IpAddr>()
                .or_else(|_| a.parse::<SocketAddr>().map(|s| s.ip()))
                .map(|ip| ip.to_canonical())
                .unwrap_or(elsewhere),
            None => elsewhere,
        }
    }

    /// Whether a client is this machine: loopback, or the address the
    /// server listens on.
    pub fn is_local(&self, client: std::net::IpAddr) -> bool {
        client.is_loopback() || (!self.listen.is_unspecified() && client == self.listen.to_canonical())
    }

    /// A centre's upload link.
    pub fn upload_url(&self, token: &str) -> String {
        format!("{}/c/{token}", self.public_url)
    }
}

/// The admin right of an API request (see [`Auth::api`]), found by
/// [`admit`].
pub struct ApiAdmin(pub Admin);

impl FromRequestParts<Arc<App>> for ApiAdmin {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<ApiAdmin, Refusal> {
        match parts.extensions.get::<Admin>() {
            Some(admin) => Ok(ApiAdmin(admin.clone())),
            None => app.auth.api(&app.store, &parts.method, &parts.headers).map(ApiAdmin),
        }
    }
}

/// The session of a page request, found by [`admit`].
pub struct PageAdmin(pub Admin);

impl FromRequestParts<Arc<App>> for PageAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<PageAdmin, Response> {
        match parts.extensions.get::<Admin>().cloned().or_else(|| app.auth.session(&app.store, &parts.headers)) {
            Some(admin) => Ok(PageAdmin(admin)),
            None => Err(not_logged_in(app, &parts.method)),
        }
    }
}

fn not_logged_in(app: &App, method: &axum::http::Method) -> Response {
    if auth::is_safe(method) {
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response()
    } else {
        app.pages.message(
            StatusCode::UNAUTHORIZED,
            "ログインしていません",
            "起動時に表示されたリンクか、管理トークンでログインしてください。",
        )
    }
}

/// The most of a refused request's body that is read (and dropped) before
/// the refusal is answered, so that a client still sending sees the
/// answer; a larger body is cut off.
const REFUSED_BODY_READ: usize = 16 * 1024 * 1024;

/// Lets a request in when it may act as the admin: the API with the token
/// or a session (changes with the CSRF header), the pages with a session.
/// The login page and the assets are open. The admin right is left in the
/// request's extensions for [`ApiAdmin`] and [`PageAdmin`].
async fn admit(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/assets/") || path.starts_with("/c/") {
        return next.run(request).await;
    }
    if app.admin_local {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
        if !app.is_local(app.client(peer, request.headers())) {
            let _ = axum::body::to_bytes(request.into_body(), REFUSED_BODY_READ).await;
            return (StatusCode::FORBIDDEN, "事務局の画面は、サーバーのパソコンからだけ開けます（--admin-local）。")
                .into_response();
        }
    }
    if path == "/login" {
        return next.run(request).await;
    }
    // A browser tells where a request comes from: a session's request
    // from another site, or another port of this machine, is refused
    // (the session cookie goes to every port of 127.0.0.1).
    let foreign = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !matches!(v, "same-origin" | "none"));
    if foreign && !request.headers().contains_key(header::AUTHORIZATION) {
        let _ = axum::body::to_bytes(request.into_body(), REFUSED_BODY_READ).await;
        return (StatusCode::FORBIDDEN, "ほかのサイトやほかのポートのページからの操作は受け付けません。")
            .into_response();
    }
    let admitted = if path.starts_with("/api/") {
        app.auth.api(&app.store, request.method(), request.headers()).map_err(IntoResponse::into_response)
    } else {
        app.auth.session(&app.store, request.headers()).ok_or_else(|| not_logged_in(&app, request.method()))
    };
    match admitted {
        Ok(admin) => {
            request.extensions_mut().insert(admin);
            next.run(request).await
        }
        Err(refusal) => {
            let _ = axum::body::to_bytes(request.into_body(), REFUSED_BODY_READ).await;
            refusal
        }
    }
}

/// Refuses a request whose Host is not the server's (421), and adds the
/// security headers to every response.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = if app.auth.host_allowed(request.headers(), request.uri()) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "このサーバーは、起動時に表示したアドレス（127.0.0.1 または localhost）で開いてください。",
        )
            .into_response()
    };
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = response.headers_mut();
    // The policy is the pages' (files are never run: nosniff and their
    // own types; a policy on a PDF would stop the browser's viewer).
    if html {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(auth::CSP));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    h.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The most a request that carries no file may send (a login, a form).
const SMALL_BODY: usize = 64 * 1024;

/// The routes.
pub fn router(app: Arc<App>) -> Router {
    let body_limit = usize::try_from(app.limits.request_bytes).unwrap_or(usize::MAX);
    let portal_limit = usize::try_from(app.limits.portal().request_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(pages::home))
        .route("/assets/{name}", get(pages::asset))
        .route("/login", get(pages::login_page).post(pages::login_with_token))
        .route("/logout", post(pages::logout))
        .route("/blank/{slug}", get(pages::blank))
        .route("/agenda", post(pages::post_agenda).layer(DefaultBodyLimit::max(body_limit)))
        .route("/agenda/{id}", get(pages::agenda_page))
        .route("/agenda/{id}/pdf", get(pages::agenda_pdf))
        .route("/rounds", post(pages::post_round).layer(DefaultBodyLimit::max(body_limit)))
        .route("/rounds/{id}", get(pages::round_page))
        .route("/rounds/{id}/status", get(pages::round_status))
        .route("/rounds/{id}/submissions", post(pages::post_submissions).layer(DefaultBodyLimit::max(body_limit)))
        .route(
            "/c/{token}",
            get(portal::centre_page).post(portal::centre_upload).layer(DefaultBodyLimit::max(portal_limit)),
        )
        .route("/c/{token}/returns.xlsx", get(portal::centre_returns))
        .route("/api/agenda", post(api::post_agenda).layer(DefaultBodyLimit::max(body_limit)))
        .route("/api/rounds", get(api::get_rounds).post(api::post_round).layer(DefaultBodyLimit::max(body_limit)))
        .route("/api/rounds/{id}", get(api::get_round))
        .route("/api/rounds/{id}/submissions", post(api::post_submissions).layer(DefaultBodyLimit::max(body_limit)))
        .route("/api/rounds/{id}/links", get(secretariat::get_links))
        .route("/api/rounds/{id}/links.csv", get(secretariat::get_links_csv))
        .route("/api/rounds/{id}/links.xlsx", get(secretariat::get_links_xlsx))
        .route("/api/rounds/{id}/links/{centre}/renew", post(secretariat::post_renew))
        .route("/api/rounds/{id}/deadline", post(secretariat::post_deadline))
        .route("/api/rounds/{id}/audit", get(secretariat::get_audit))
        .route("/rounds/{id}/links/{centre}/renew", post(secretariat::page_renew))
        .route("/rounds/{id}/deadline", post(secretariat::page_deadline))
        .route("/api/rounds/{id}/files/{name}", get(api::get_output))
        .route("/api/rounds/{id}/{file}", get(api::get_round_file))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .layer(axum::middleware::from_fn_with_state(app.clone(), admit))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The Hosts a server listening on `addr` answers to: the address, this
/// machine's names, and the public URL's host.
fn hosts(addr: SocketAddr, public: Option<&url::Url>) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![format!("localhost:{port}")];
    match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => hosts.push(format!("127.0.0.1:{port}")),
        SocketAddr::V6(a) if a.ip().is_unspecified() => {
            hosts.extend([format!("127.0.0.1:{port}"), format!("[::1]:{port}")])
        }
        SocketAddr::V4(a) => hosts.push(format!("{}:{port}", a.ip())),
        SocketAddr::V6(a) => hosts.push(format!("[{}]:{port}", a.ip())),
    }
    if let Some(u) = public {
        let host = u.host_str().unwrap_or_default();
        match u.port() {
            Some(p) => hosts.push(format!("{host}:{p}")),
            None => hosts.push(host.to_string()),
        }
    }
    if port == 80 {
        let bare: Vec<String> = hosts.iter().map(|h| h.trim_end_matches(":80").to_string()).collect();
        hosts.extend(bare);
    }
    hosts
}

/// Resolves at the first Ctrl+C; a second one exits at once (what was
/// acknowledged is kept whatever is running).
async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("終了しています（作業中の答えを待っています。すぐに止めるときは、もう一度 Ctrl+C）。");
    tokio::spawn(async {
        let _ = tokio::signal::ctrl_c().await;
        std::process::exit(130);
    });
}

/// Runs the server until Ctrl+C. `ready` is told the address listened on
/// and the login link.
pub fn serve(config: &Config, ready: impl FnOnce(&str, Option<&str>)) -> Result<(), Error> {
    let public = match config.public_url.as_deref() {
        Some(text) => {
            let u = url::Url::parse(text.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.path() == "/" && u.query().is_none())
                .ok_or_else(|| {
                    Error::input(format!(
                        "--public-url「{text}」はアドレスとして読めません。https://keikaku.example.jp や http://192.168.1.10:8080 のように、パスなしで指定してください。"
                    ))
                })?;
            Some(u)
        }
        None => None,
    };
    if !config.listen.ip().is_loopback() && public.is_none() {
        return Err(Error::input(format!(
            "{} では待ち受けません。このパソコンの外から使えるのはセンターの提出用のポータルだけで、そのときはセンターが開くアドレスを --public-url で指定します（例: --listen 0.0.0.0:8080 --public-url https://keikaku.example.jp --admin-local）。docs/serve.md「センターの提出用ポータル」を見てください。",
            config.listen
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|e| {
            Error::input(format!(
                "{} で待ち受けられません（{e}）。ほかのプログラムが使っているときは --listen 127.0.0.1:8081 のように別のポートを指定してください。",
                config.listen
            ))
        })?;
        let addr = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?;
        let store = Arc::new(Store::open(&config.data)?);
        let token = auth::admin_token(&config.data)?;
        let portal_key = auth::portal_key(&config.data)?;
        let renewed = links::settle(&mut store.db(), &portal_key)?;
        if renewed > 0 {
            eprintln!("提出用リンクの鍵（portal.key）が変わったため、{renewed} 個のリンクを作り直しました。新しいリンクをセンターに知らせてください。");
        }
        let fonts = Arc::new(FontSet::with_overrides(None, None)?);
        let work = Work::start(store.clone(), fonts.clone())?;
        // The secretariat's address: this machine's, also when every
        // address is listened on.
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        let base = match addr {
            SocketAddr::V4(a) if a.ip().is_unspecified() => format!("{scheme}://127.0.0.1:{}", a.port()),
            SocketAddr::V6(a) if a.ip().is_unspecified() => format!("{scheme}://[::1]:{}", a.port()),
            SocketAddr::V6(a) => format!("{scheme}://[{}]:{}", a.ip(), a.port()),
            SocketAddr::V4(a) => format!("{scheme}://{}:{}", a.ip(), a.port()),
        };
        // The certificate is read before anything is said to be ready.
        let tls = match &config.tls {
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                Some(axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await.map_err(|e| {
                    Error::input(format!(
                        "証明書 {} と秘密鍵 {} を読めません（{e}）。PEM 形式のファイルを指定してください。",
                        cert.display(),
                        key.display()
                    ))
                })?)
            }
            None => None,
        };
        let app = Arc::new(App {
            store,
            work,
            auth: if tls.is_some() {
                Auth::new(token, hosts(addr, public.as_ref())).over_tls()
            } else {
                Auth::new(token, hosts(addr, public.as_ref()))
            },
            fonts,
            limits: config.limits,
            pages: pages::Pages::new()?,
            portal_key,
            public_url: public.as_ref().map(|u| u.as_str().trim_end_matches('/').to_string()).unwrap_or_else(|| base.clone()),
            admin_local: config.admin_local,
            trust_proxy: config.trust_proxy,
            listen: addr.ip(),
            throttle: portal::Throttle::default(),
            masters: Default::default(),
        });
        let link = app.auth.login_code().map(|c| format!("{base}/login?code={c}"));
        ready(&base, link.as_deref());
        let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
        let stopped = |e: std::io::Error| Error::internal(format!("the server stopped: {e}"));
        match tls {
            None => axum::serve(listener, service).with_graceful_shutdown(shutdown()).await.map_err(stopped),
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let h = handle.clone();
                tokio::spawn(async move {
                    shutdown().await;
                    h.graceful_shutdown(None);
                });
                let listener = listener.into_std().map_err(stopped)?;
                axum_server::from_tcp_rustls(listener, tls).map_err(stopped)?.handle(handle).serve(service).await.map_err(stopped)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::hosts;

    #[test]
    fn hosts_are_the_listen_address_and_localhost() {
        assert_eq!(hosts("127.0.0.1:8080".parse().unwrap(), None), ["localhost:8080", "127.0.0.1:8080"]);
        assert_eq!(hosts("[::1]:9000".parse().unwrap(), None), ["localhost:9000", "[::1]:9000"]);
        assert_eq!(
            hosts("127.0.0.1:80".parse().unwrap(), None),
            ["localhost:80", "127.0.0.1:80", "localhost", "127.0.0.1"]
        );
        let public = url::Url::parse("https://keikaku.example.jp").unwrap();
        assert_eq!(
            hosts("0.0.0.0:8080".parse().unwrap(), Some(&public)),
            ["localhost:8080", "127.0.0.1:8080", "keikaku.example.jp"]
        );
        let public = url::Url::parse("http://192.168.1.10:8080/").unwrap();
        assert_eq!(
            hosts("0.0.0.0:8080".parse().unwrap(), Some(&public)),
            ["localhost:8080", "127.0.0.1:8080", "192.168.1.10:8080"]
        );
    }
}
