//! The centres' portal over HTTP: secret links, checks at once, refusals
//! that change nothing, renewed links, guessing (429), deadlines, the
//! audit log, and concurrent uploads through a kill -9.

mod common;
#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

use reqwest::blocking::multipart;
use serde_json::Value;
use server::{pdca_returns, sample, Server};

fn open_round(s: &Server) -> Value {
    let r = s.post_files("/api/rounds", "master", &[("pdca_master.xlsx", sample("samples/pdca_master.xlsx"))]);
    assert_eq!(r.status(), 201);
    r.json().unwrap()
}

fn link_of(round: &Value, centre: &str) -> String {
    round["centres"].as_array().unwrap().iter().find(|c| c["id"] == centre).unwrap()["upload_url"]
        .as_str()
        .unwrap()
        .to_string()
}

fn returned(name: &str) -> Vec<u8> {
    pdca_returns().into_iter().find(|(n, _)| n.starts_with(name)).unwrap().1
}

/// POSTs a file to a link asking for JSON.
fn send(s: &Server, link: &str, name: &str, bytes: Vec<u8>) -> reqwest::blocking::Response {
    s.http
        .post(link)
        .header("Accept", "application/json")
        .multipart(multipart::Form::new().part("file", multipart::Part::bytes(bytes).file_name(name.to_string())))
        .send()
        .unwrap()
}

fn submissions(s: &Server, id: i64) -> usize {
    s.round(id)["submissions"].as_array().unwrap().len()
}

#[test]
fn each_centre_has_its_own_link_and_sees_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let round = open_round(&s);
    let links: Vec<String> = ["C01", "C02", "C03"].iter().map(|c| link_of(&round, c)).collect();
    for l in &links {
        let token = l.rsplit('/').next().unwrap();
        assert_eq!(token.len(), 64, "256 bits in the path");
        assert!(l.starts_with(&s.url));
    }
    assert_ne!(links[0], links[1]);
    // No token is in the database, only digests.
    let db = std::fs::read(dir.path().join("keikaku.sqlite3")).unwrap();
    let wal = std::fs::read(dir.path().join("keikaku.sqlite3-wal")).unwrap_or_default();
    for l in &links {
        let token = l.rsplit('/').next().unwrap().as_bytes();
        assert!(!db.windows(token.len()).any(|w| w == token) && !wal.windows(token.len()).any(|w| w == token));
    }
    // The centre's page names it and no other centre.
    let page = s.http.get(&links[1]).send().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("C02 大原地域ステーション の提出") && html.contains("未提出"), "{html}");
    assert!(!html.contains("勝田") && !html.contains("作東"), "another centre's name on C02's page");
    assert!(!html.contains("ログアウト"));
    // A link is no admin token, and opens no admin page.
    let token = links[1].rsplit('/').next().unwrap();
    assert_eq!(s.http.get(s.at("/api/rounds/1")).bearer_auth(token).send().unwrap().status(), 401);
    assert_eq!(s.http.get(s.at("/rounds/1")).send().unwrap().status(), 303);
    // The list for e-mails: CSV (UTF-8 with BOM) and xlsx.
    let csv = s.get("/api/rounds/1/links.csv").bytes().unwrap().to_vec();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "センターID,センター名,提出用リンク");
    assert_eq!(lines[2], format!("C02,大原地域ステーション,{}", links[1]));
    let xlsx = s.get("/api/rounds/1/links.xlsx").bytes().unwrap();
    let wb = keikaku::workbook::Workbook::from_bytes("links.xlsx", &xlsx).unwrap();
    let rows: std::collections::BTreeSet<u32> = wb.sheets[0].cells().map(|(at, _)| at.row).collect();
    assert_eq!(rows.len(), 4, "a header and three centres");
}

#[test]
fn an_upload_is_checked_at_once_and_a_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let round = open_round(&s);
    let c02 = link_of(&round, "C02");
    // Another centre's workbook through C02's link: 409, nothing recorded.
    let r = send(&s, &c02, "C02_大原地域ステーション.xlsx", returned("C01_勝田地域ステーション.xlsx"));
    assert_eq!(r.status(), 409);
    let body: Value = r.json().unwrap();
    assert!(body["error"].as_str().unwrap().contains("C01 勝田地域ステーション のブックです"), "{body}");
    // A file that is no workbook: 422 with why.
    let r = send(&s, &c02, "C02.xlsx", b"not a workbook".to_vec());
    assert_eq!(r.status(), 422);
    let body: Value = r.json().unwrap();
    assert_eq!(body["problems"][0]["kind"], "unreadable");
    // The master itself: not a distributed workbook.
    let r = send(&s, &c02, "master.xlsx", sample("samples/pdca_master.xlsx"));
    assert_eq!(r.status(), 422);
    assert_eq!(submissions(&s, 1), 0, "no refused file is a submission");
    // Its own workbook: 200 with its items at once, the 差戻し workbook to download.
    let r = send(&s, &c02, "C02_大原地域ステーション.xlsx", returned("C02_大原地域ステーション.xlsx"));
    assert_eq!(r.status(), 200);
    let body: Value = r.json().unwrap();
    assert_eq!(body["status"], "要修正");
    let c25 = body["problems"].as_array().unwrap().iter().find(|p| p["cell"] == "C25").expect("C25");
    assert_eq!(c25["sheet"], "4-2-2 障害者作業所の運営（むぎの会）");
    assert_eq!(c25["severity"], "fix");
    let book = s.http.get(format!("{c02}/returns.xlsx")).send().unwrap();
    assert_eq!(book.status(), 200);
    let wb = keikaku::workbook::Workbook::from_bytes("r.xlsx", &book.bytes().unwrap()).unwrap();
    let names_c25 = wb
        .sheets
        .iter()
        .any(|sh| sh.cells().any(|(_, v)| matches!(v, keikaku::workbook::cell::Value::Text(t) if t.contains("C25"))));
    assert!(names_c25, "the 差戻し workbook names C25");
    // The page shows it too, and the round collects it.
    let html = s.http.get(&c02).send().unwrap().text().unwrap();
    assert!(html.contains("要修正") && html.contains("C25") && html.contains("差戻しの一覧をダウンロード"));
    let round: Value = s.get("/api/rounds/1?wait=1").json().unwrap();
    let c = round["centres"].as_array().unwrap().iter().find(|c| c["id"] == "C02").unwrap();
    assert_eq!(c["status"], "要修正");
    assert_eq!(submissions(&s, 1), 1);
    // The audit log has every attempt, with the address and the SHA-256.
    let audit: Value = s.get("/api/rounds/1/audit").json().unwrap();
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.iter().filter(|e| e["action"] == "upload").count(), 4);
    assert_eq!(entries.iter().filter(|e| e["result"] == "refused").count(), 3);
    let accepted = entries.iter().find(|e| e["result"] == "accepted").unwrap();
    assert_eq!(accepted["centre"], "C02");
    assert_eq!(accepted["address"], "127.0.0.1");
    assert_eq!(accepted["sha256"].as_str().unwrap().len(), 64);
    // Two files in one request through a link: 413, recorded as refused.
    let r = s
        .http
        .post(&c02)
        .header("Accept", "application/json")
        .multipart(
            multipart::Form::new()
                .part("file", multipart::Part::bytes(b"a".to_vec()).file_name("a.xlsx"))
                .part("file", multipart::Part::bytes(b"b".to_vec()).file_name("b.xlsx")),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(submissions(&s, 1), 1);
    // C01 in the plain page form: the page, not JSON.
    let r = s
        .http
        .post(link_of(&round, "C01"))
        .multipart(
            multipart::Form::new()
                .part("file", multipart::Part::bytes(returned("C01_勝田地域ステーション.xlsx")).file_name("C01.xlsx")),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().unwrap().contains("受け付けました"));
    // After a restart, the files of refused uploads are gone: every kept file is known.
    drop(s);
    let _s = Server::start(dir.path(), &[]);
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("keikaku.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let known: i64 = db.query_row("SELECT count(*) FROM blobs", [], |r| r.get(0)).unwrap();
    let on_disk = std::fs::read_dir(dir.path().join("blobs"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .count() as i64;
    assert_eq!(on_disk, known, "no file of a refused upload is kept");
}

#[test]
fn renewed_links_guessing_and_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let round = open_round(&s);
    let old = link_of(&round, "C02");
    let r = s.http.post(s.at("/api/rounds/1/links/C02/renew")).bearer_auth(&s.token).send().unwrap();
    assert_eq!(r.status(), 200);
    let new = r.json::<Value>().unwrap()["upload_url"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(s.http.get(&old).send().unwrap().status(), 404);
    assert_eq!(s.http.get(&new).send().unwrap().status(), 200);
    assert_eq!(link_of(&s.round(1), "C02"), new);
    assert_eq!(s.http.post(s.at("/api/rounds/1/links/C99/renew")).bearer_auth(&s.token).send().unwrap().status(), 404);
    // A deadline in the past closes the links; clearing it opens them.
    let r = s
        .http
        .post(s.at("/api/rounds/1/deadline"))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"deadline": "2020-04-01T17:00"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["deadline"], "2020-04-01T08:00:00Z");
    let r = send(&s, &new, "C02.xlsx", returned("C02_大原地域ステーション.xlsx"));
    assert_eq!(r.status(), 403);
    assert!(r.json::<Value>().unwrap()["error"].as_str().unwrap().contains("締め切り（2020-04-01 17:00）を過ぎた"));
    assert!(s.http.get(&new).send().unwrap().text().unwrap().contains("締め切りを過ぎました"));
    let r = s
        .http
        .post(s.at("/api/rounds/1/deadline"))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"deadline": "明日"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);
    s.http
        .post(s.at("/api/rounds/1/deadline"))
        .bearer_auth(&s.token)
        .json(&serde_json::json!({"deadline": null}))
        .send()
        .unwrap();
    assert_eq!(send(&s, &new, "C02.xlsx", returned("C02_大原地域ステーション.xlsx")).status(), 200);
    // Guessing: ten wrong links (the revoked one was the first), then even a
    // right one gets 429 from that address.
    let base = new.rsplit_once('/').unwrap().0.to_string();
    for i in 0..9 {
        let r = s.http.get(format!("{base}/{:064x}", i)).send().unwrap();
        assert_eq!(r.status(), 404);
    }
    assert_eq!(s.http.get(format!("{base}/{:064x}", 99)).send().unwrap().status(), 429);
    assert_eq!(s.http.get(&new).send().unwrap().status(), 429);
    assert_eq!(send(&s, &new, "C02.xlsx", returned("C02_大原地域ステーション.xlsx")).status(), 429);
    // The secretariat is not throttled by it.
    assert_eq!(s.get("/api/rounds/1").status(), 200);
}

#[test]
fn concurrent_uploads_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path(), &[]);
    let round = open_round(&s);
    let links = [link_of(&round, "C01"), link_of(&round, "C02")];
    let files = [returned("C01_勝田地域ステーション.xlsx"), returned("C02_大原地域ステーション.xlsx")];
    // 60 distinct workbooks (each saved at another minute; 30 a link, its
    // allowance), 20 at a time; the server is killed once 15 are answered.
    let jobs: Vec<(String, Vec<u8>)> = (0..60)
        .map(|i| {
            let k = i % 2;
            (links[k].clone(), common::fill::saved_at(&files[k], &format!("2026-08-01T09:{:02}:00Z", i)))
        })
        .collect();
    let acknowledged = std::sync::Mutex::new(Vec::new());
    let http = s.http.clone();
    std::thread::scope(|scope| {
        for chunk in jobs.chunks(3) {
            let http = http.clone();
            let acknowledged = &acknowledged;
            scope.spawn(move || {
                for (link, bytes) in chunk {
                    let sha = keikaku::jobs::collect::sha256_hex(bytes);
                    let r = http
                        .post(link)
                        .header("Accept", "application/json")
                        .multipart(
                            multipart::Form::new()
                                .part("file", multipart::Part::bytes(bytes.clone()).file_name("x.xlsx")),
                        )
                        .send();
                    if let Ok(r) = r {
                        if r.status() == 200 {
                            acknowledged.lock().unwrap().push(sha);
                        }
                    }
                }
            });
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while acknowledged.lock().unwrap().len() < 15 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        s.kill();
    });
    let acknowledged = acknowledged.into_inner().unwrap();
    let s = Server::start(dir.path(), &[]);
    let round: Value = s.get("/api/rounds/1?wait=1").json().unwrap();
    let kept: Vec<&str> =
        round["submissions"].as_array().unwrap().iter().map(|x| x["sha256"].as_str().unwrap()).collect();
    for sha in &acknowledged {
        assert!(kept.contains(&sha.as_str()), "an acknowledged upload was lost: {sha}");
    }
    eprintln!("{} of 60 acknowledged before the kill, all kept", acknowledged.len());
    assert!(acknowledged.len() >= 15 && acknowledged.len() < 60, "the kill came in the middle: {}", acknowledged.len());
    // And the round is collected from them after the restart.
    assert!(acknowledged.is_empty() || round["collected"] == true);
}

#[test]
fn beyond_loopback_only_the_links_are_open() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(
        dir.path(),
        &["--listen", "0.0.0.0:0", "--public-url", "https://keikaku.example.jp", "--admin-local", "--trust-proxy"],
    );
    let round = open_round(&s);
    let link = link_of(&round, "C02");
    assert!(link.starts_with("https://keikaku.example.jp/c/"), "{link}");
    let path = link.trim_start_matches("https://keikaku.example.jp");
    let from = |ip: &str, host: &str, p: &str| {
        s.http.get(s.at(p)).header("Host", host).header("X-Forwarded-For", ip).bearer_auth(&s.token).send().unwrap()
    };
    // A centre through the proxy, by the public name: its page.
    assert_eq!(from("203.0.113.5", "keikaku.example.jp", path).status(), 200);
    // The secretariat's side from outside: refused, even with the token.
    assert_eq!(from("203.0.113.5", "keikaku.example.jp", "/api/rounds").status(), 403);
    assert_eq!(from("203.0.113.5", "keikaku.example.jp", "/login").status(), 403);
    // From this machine it works; a foreign Host is still refused.
    assert_eq!(from("127.0.0.1", "keikaku.example.jp", "/api/rounds").status(), 200);
    assert_eq!(from("203.0.113.5", "evil.example", path).status(), 421);
    // Guessing is counted per client behind the proxy, not for the proxy.
    for i in 0..10 {
        assert_eq!(from("203.0.113.9", "keikaku.example.jp", &format!("/c/{i:064x}")).status(), 404);
    }
    assert_eq!(from("203.0.113.9", "keikaku.example.jp", path).status(), 429);
    assert_eq!(from("203.0.113.5", "keikaku.example.jp", path).status(), 200);
    // A proxy's address forms: ip:port is read; what cannot be read is not this machine.
    assert_eq!(from("127.0.0.1:5555", "keikaku.example.jp", "/api/rounds").status(), 200);
    assert_eq!(from("unknown", "keikaku.example.jp", "/api/rounds").status(), 403);
    drop(s);
    // Without --trust-proxy, a request a proxy forwards is never this machine's.
    let s = Server::start(
        dir.path(),
        &["--listen", "0.0.0.0:0", "--public-url", "https://keikaku.example.jp", "--admin-local"],
    );
    let r =
        s.http.get(s.at("/api/rounds")).header("X-Forwarded-For", "127.0.0.1").bearer_auth(&s.token).send().unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(s.get("/api/rounds").status(), 200);
    // A public address must be a plain address.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["serve", "--data"])
        .arg(dir.path().join("other"))
        .args(["--listen", "0.0.0.0:0", "--public-url", "keikaku.example.jp/portal"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("パスなしで指定"));
}

/// `curl` against the TLS server, trusting `ca`: (exit status, output).
fn curl(ca: &std::path::Path, args: &[&str]) -> (bool, String) {
    let o = std::process::Command::new("curl")
        .arg("-s")
        .arg("--cacert")
        .arg(ca)
        .args(args)
        .output()
        .expect("curl (apt-get install -y curl)");
    (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn https_with_its_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let o = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (apt-get install -y openssl)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let data = dir.path().join("data");
    let s = Server::start(&data, &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()]);
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);
    assert!(s.login.starts_with("https://"));
    // The login link over TLS gives a Secure cookie.
    let (ok, head) = curl(&cert, &["-D", "-", "-o", "/dev/null", &s.login]);
    assert!(ok);
    assert!(
        head.contains("303")
            && head.to_ascii_lowercase().contains("set-cookie: keikaku_session=")
            && head.contains("; Secure"),
        "{head}"
    );
    // The API and a round over TLS; the links are https.
    let auth = format!("Authorization: Bearer {}", s.token);
    let master = format!(
        "master=@{}",
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pdca_master.xlsx").display()
    );
    let (ok, body) = curl(&cert, &["-H", &auth, "-F", &master, &s.at("/api/rounds")]);
    assert!(ok, "{body}");
    let round: Value = serde_json::from_str(&body).unwrap();
    assert!(link_of(&round, "C02").starts_with(&format!("{}/c/", s.url)));
    // A foreign name over HTTP/2 (its authority, no Host header) is refused.
    let port = s.url.rsplit(':').next().unwrap().to_string();
    let (_, code) = curl(
        &cert,
        &[
            "-k",
            "--http2",
            "--resolve",
            &format!("evil.example:{port}:127.0.0.1"),
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("https://evil.example:{port}/login"),
        ],
    );
    assert_eq!(code, "421");
    // Plain HTTP on the TLS port gets no page.
    let plain = s.url.replace("https://", "http://");
    let (_, body) = curl(&cert, &[&format!("{plain}/login")]);
    assert!(!body.contains("ログイン"));
    // A certificate that cannot be read stops the start, with why.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["serve", "--data"])
        .arg(dir.path().join("other"))
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&key)
        .arg("--tls-key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("証明書"), "{}", String::from_utf8_lossy(&o.stderr));
}
