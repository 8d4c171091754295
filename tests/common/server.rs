//! A `keikaku serve` started for a test: the real binary on a free port of
//! loopback, with its own data folder, read back through its printed URL
//! and login link.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::{multipart, Client, Response};

/// A running server.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The one-time login link it printed.
    pub login: String,
    /// The admin token.
    pub token: String,
    /// The data folder.
    pub data: PathBuf,
    /// A client that follows no redirect.
    pub http: Client,
}

impl Server {
    /// Starts a server on `data` with extra arguments.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_keikaku"))
            .args(["serve", "--data"])
            .arg(data)
            .args(if extra.contains(&"--listen") { &[][..] } else { &["--listen", "127.0.0.1:0"][..] })
            .args(extra)
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start keikaku serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut login) = (None, None);
        let deadline = Instant::now() + Duration::from_secs(60);
        while url.is_none() || login.is_none() {
            assert!(Instant::now() < deadline, "the server printed no URL");
            let line = lines.next().expect("the server printed its URL").unwrap();
            if let Some(rest) = line.strip_prefix("keikaku serve: ") {
                // A server on every address is reached here through loopback.
                let u = rest.split('/').take(3).collect::<Vec<_>>().join("/");
                url = Some(u.replace("://0.0.0.0:", "://127.0.0.1:"));
            }
            if line.trim_start().starts_with("http") && line.contains("/login?code=") {
                login = Some(line.trim().to_string());
            }
        }
        // Keep reading stdout so that the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        let token = std::fs::read_to_string(data.join("admin.token")).unwrap().trim().to_string();
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        Server { child: Some(child), url: url.unwrap(), login: login.unwrap(), token, data: data.to_path_buf(), http }
    }

    /// The address of a path.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// GET with the admin token.
    pub fn get(&self, path: &str) -> Response {
        self.http.get(self.at(path)).bearer_auth(&self.token).send().unwrap()
    }

    /// GET a round's JSON.
    pub fn round(&self, id: i64) -> serde_json::Value {
        let r = self.get(&format!("/api/rounds/{id}"));
        assert_eq!(r.status(), 200);
        r.json().unwrap()
    }

    /// POST files as the multipart field `field`, with the admin token.
    pub fn post_files(&self, path: &str, field: &str, files: &[(&str, Vec<u8>)]) -> Response {
        let mut form = multipart::Form::new();
        for (name, bytes) in files {
            form = form.part(field.to_string(), multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        self.http.post(self.at(path)).bearer_auth(&self.token).multipart(form).send().unwrap()
    }

    /// Logs in through the login link: the session cookie.
    pub fn log_in(&self) -> String {
        let r = self.http.get(&self.login).send().unwrap();
        assert_eq!(r.status(), 303, "the login link opens a session");
        let cookie = r.headers().get("set-cookie").expect("a session cookie").to_str().unwrap().to_string();
        cookie.split(';').next().unwrap().to_string()
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The CSRF token in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("the page has a CSRF field") + 19;
    html[at..at + 64].to_string()
}

/// The sample file at `path` below the repository.
pub fn sample(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The sample PDCA returns: (file name, bytes).
pub fn pdca_returns() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pdca_returns");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}
