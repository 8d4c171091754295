//! `keikaku serve` over HTTP: the real binary on a free loopback port,
//! every route, the security checks, hostile uploads, limits, and state
//! kept across a restart and a kill -9.

mod common;
#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

use std::io::Read;

use reqwest::blocking::multipart;
use serde_json::Value;
use server::{csrf_of, pdca_returns, sample, Server};

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len()).map(|i| z.by_index(i).unwrap().name().unwrap().to_string()).collect()
}

fn zip_entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn returns_as_refs(files: &[(String, Vec<u8>)]) -> Vec<(&str, Vec<u8>)> {
    files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect()
}

fn centre<'a>(round: &'a Value, id: &str) -> &'a Value {
    round["centres"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no centre {id}"))
}

/// Opens the sample PDCA round through the API: its id.
fn open_pdca_round(s: &Server) -> i64 {
    let r = s.post_files("/api/rounds", "master", &[("pdca_master.xlsx", sample("samples/pdca_master.xlsx"))]);
    assert_eq!(r.status(), 201);
    let round: Value = r.json().unwrap();
    round["id"].as_i64().unwrap()
}

#[test]
fn every_request_needs_the_right_host_and_the_token_or_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    // No token, a wrong one: 401 with a Japanese reason.
    let r = s.http.get(s.at("/api/rounds")).send().unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().unwrap().contains("ログインしていません"));
    let r = s.http.get(s.at("/api/rounds")).bearer_auth("0".repeat(64)).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = s.post_files("/api/rounds", "master", &[]);
    assert_ne!(r.status(), 401);
    let r = s.http.post(s.at("/api/agenda")).send().unwrap();
    assert_eq!(r.status(), 401);
    // A foreign Host (DNS rebinding) is refused before anything else, even with the token.
    let r = s.http.get(s.at("/api/rounds")).bearer_auth(&s.token).header("Host", "evil.example:80").send().unwrap();
    assert_eq!(r.status(), 421);
    let port = s.url.rsplit(':').next().unwrap();
    let r = s
        .http
        .get(s.at("/api/rounds"))
        .bearer_auth(&s.token)
        .header("Host", format!("localhost:{port}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = s.http.get(s.at("/login")).header("Host", format!("127.0.0.1.evil.example:{port}")).send().unwrap();
    assert_eq!(r.status(), 421);
    // Pages without a session go to the login page.
    let r = s.http.get(s.at("/")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    let r = s.http.get(s.at("/blank/agenda")).send().unwrap();
    assert_eq!(r.status(), 303);
    // Every response carries the security headers.
    let r = s.http.get(s.at("/login")).send().unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.text().unwrap().contains("管理トークン"));
    // The admin token file is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("admin.token")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(s.token.len(), 64, "256 bits as hex");
    }
}

#[test]
fn the_login_link_works_once_and_forms_need_the_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let r = s.http.get(&s.login).send().unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    // A second use of the link opens nothing.
    let again = s.http.get(&s.login).send().unwrap();
    assert_eq!(again.status(), 401);
    assert!(again.headers().get("set-cookie").is_none());
    // The session opens the pages, which carry its CSRF token.
    let home = s.http.get(s.at("/")).header("Cookie", &cookie).send().unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().unwrap();
    assert!(html.contains("議案を作る") && html.contains("配布と回収を始める"), "{html}");
    let csrf = csrf_of(&html);
    // A form without the CSRF token, or with another, is refused and nothing is opened.
    let master = || multipart::Part::bytes(sample("samples/pdca_master.xlsx")).file_name("pdca_master.xlsx");
    let r = s
        .http
        .post(s.at("/rounds"))
        .header("Cookie", &cookie)
        .multipart(multipart::Form::new().part("master", master()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = s
        .http
        .post(s.at("/rounds"))
        .header("Cookie", &cookie)
        .multipart(multipart::Form::new().text("csrf", "f".repeat(64)).part("master", master()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    // The API from a session needs the CSRF header for changes.
    let r = s
        .http
        .post(s.at("/api/rounds"))
        .header("Cookie", &cookie)
        .multipart(multipart::Form::new().part("master", master()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let listed: Value = s.get("/api/rounds").json().unwrap();
    assert_eq!(listed["rounds"].as_array().unwrap().len(), 0, "no refused form opened a round");
    // With the token the form opens the round and shows its page.
    let r = s
        .http
        .post(s.at("/rounds"))
        .header("Cookie", &cookie)
        .multipart(multipart::Form::new().text("csrf", csrf.clone()).part("master", master()))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/rounds/1");
    let page = s.http.get(s.at("/rounds/1")).header("Cookie", &cookie).send().unwrap().text().unwrap();
    assert!(page.contains("C01") && page.contains("勝田地域ステーション") && page.contains("未提出"), "{page}");
    // Logging out ends the session.
    let r = s.http.post(s.at("/logout")).header("Cookie", &cookie).form(&[("csrf", csrf.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    let r = s.http.get(s.at("/")).header("Cookie", &cookie).send().unwrap();
    assert_eq!(r.status(), 303, "the session is closed");
    // The admin token opens a session too; a wrong one does not.
    let r = s.http.post(s.at("/login")).form(&[("token", "nope")]).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = s.http.post(s.at("/login")).form(&[("token", s.token.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers().get("set-cookie").is_some());
}

#[test]
fn a_pdca_round_from_master_to_report_matches_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let r = s.post_files("/api/rounds", "master", &[("pdca_master.xlsx", sample("samples/pdca_master.xlsx"))]);
    assert_eq!(r.status(), 201);
    let round: Value = r.json().unwrap();
    assert_eq!(round["kind"], "pdca");
    let ids: Vec<&str> = round["centres"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C01", "C02", "C03"]);
    assert_eq!(round["centres"][0]["name"], "勝田地域ステーション");
    let id = round["id"].as_i64().unwrap();

    // Every centre's workbook and PDF, named as distribute names them.
    let zip = s.get(&format!("/api/rounds/{id}/distribution.zip"));
    assert_eq!(zip.status(), 200);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let zip = zip.bytes().unwrap().to_vec();
    assert_eq!(
        zip_names(&zip),
        [
            "C01_勝田地域ステーション.pdf",
            "C01_勝田地域ステーション.xlsx",
            "C02_大原地域ステーション.pdf",
            "C02_大原地域ステーション.xlsx",
            "C03_作東地域ステーション.pdf",
            "C03_作東地域ステーション.xlsx"
        ]
    );
    // The same bytes as the command line's distribute.
    let cli = tempfile::tempdir().unwrap();
    let out = cli.path().join("dist");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["pdca", "distribute"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pdca_master.xlsx"))
        .arg("-o")
        .arg(&out)
        .arg("--pdf")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(
        zip_entry(&zip, "C02_大原地域ステーション.xlsx"),
        std::fs::read(out.join("C02_大原地域ステーション.xlsx")).unwrap()
    );
    assert_eq!(
        zip_entry(&zip, "C03_作東地域ステーション.pdf"),
        std::fs::read(out.join("C03_作東地域ステーション.pdf")).unwrap()
    );

    // The sample returns: C01 twice (the newer counts), C02 with things to fix, C03 missing.
    let returns = pdca_returns();
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &returns_as_refs(&returns));
    assert_eq!(r.status(), 200);
    let round: Value = r.json().unwrap();
    assert_eq!(centre(&round, "C01")["status"], "提出済み");
    assert_eq!(centre(&round, "C01")["file"], "C01_勝田地域ステーション.xlsx");
    assert!(centre(&round, "C01")["unused"][0]["why"].as_str().unwrap().contains("新しく保存されている"));
    let c02 = centre(&round, "C02");
    assert_eq!(c02["status"], "要修正");
    let fixes: Vec<&Value> = c02["problems"].as_array().unwrap().iter().filter(|p| p["severity"] == "fix").collect();
    assert!(!fixes.is_empty());
    let p = fixes.iter().find(|p| p["cell"] == "C25").expect("the ACTION cell of 4-2-2");
    assert_eq!(p["sheet"], "4-2-2 障害者作業所の運営（むぎの会）");
    assert_eq!(p["kind"], "missing");
    assert_eq!(p["file"], "C02_大原地域ステーション.xlsx");
    assert!(p["message"].as_str().unwrap().contains("未入力"), "{p}");
    assert_eq!(centre(&round, "C03")["status"], "未提出");
    assert_eq!(round["counts"]["未提出"], 1);

    // The outputs are the command line's, byte for byte.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["pdca", "collect"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pdca_master.xlsx"))
        .args(
            returns
                .iter()
                .map(|(n, _)| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/pdca_returns").join(n)),
        )
        .arg("-o")
        .arg(cli.path().join("collect"))
        .arg("--returns")
        .arg(cli.path().join("returns"))
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let summary = s.get(&format!("/api/rounds/{id}/summary.xlsx"));
    assert_eq!(summary.status(), 200);
    assert!(summary.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''%E9%9B%86%E8%A8%88.xlsx"));
    assert_eq!(summary.bytes().unwrap().to_vec(), std::fs::read(cli.path().join("collect/集計.xlsx")).unwrap());
    let report = s.get(&format!("/api/rounds/{id}/report.pdf"));
    assert_eq!(report.headers()["content-type"], "application/pdf");
    assert_eq!(report.bytes().unwrap().to_vec(), std::fs::read(cli.path().join("collect/結果報告.pdf")).unwrap());
    let returned = s.get(&format!("/api/rounds/{id}/returns.zip")).bytes().unwrap().to_vec();
    assert_eq!(zip_names(&returned), ["C02_大原地域ステーション_差戻し.xlsx"]);
    assert_eq!(
        zip_entry(&returned, "C02_大原地域ステーション_差戻し.xlsx"),
        std::fs::read(cli.path().join("returns/C02_大原地域ステーション_差戻し.xlsx")).unwrap()
    );
    // One output by name, shown inline.
    let inline = s.get(&format!("/api/rounds/{id}/files/結果報告.pdf?inline=1"));
    assert_eq!(inline.status(), 200);
    assert!(inline.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
    // The same file sent again is the same submission.
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &returns_as_refs(&returns[..1]));
    let round: Value = r.json().unwrap();
    assert_eq!(round["submissions"].as_array().unwrap().len(), 3);
    // Rounds are listed.
    let list: Value = s.get("/api/rounds").json().unwrap();
    assert_eq!(list["rounds"][0]["id"], id);
    assert_eq!(list["rounds"][0]["counts"]["要修正"], 1);
    // Unknown rounds and files.
    assert_eq!(s.get("/api/rounds/99").status(), 404);
    assert_eq!(s.get(&format!("/api/rounds/{id}/nothing.zip")).status(), 404);
    assert_eq!(s.get("/api/rounds/99/distribution.zip").status(), 404);
}

#[test]
fn a_plan_round_collects_into_the_plan_documents() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let r = s.post_files("/api/rounds", "master", &[("plan_master.xlsx", sample("samples/plan_master.xlsx"))]);
    assert_eq!(r.status(), 201);
    let round: Value = r.json().unwrap();
    assert_eq!(round["kind"], "plan");
    let id = round["id"].as_i64().unwrap();
    let zip = s.get(&format!("/api/rounds/{id}/distribution.zip")).bytes().unwrap().to_vec();
    assert_eq!(zip_names(&zip).len(), 3);
    assert!(zip_names(&zip).iter().all(|n| n.ends_with(".xlsx")));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/plan_submissions");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    let round: Value =
        s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &returns_as_refs(&files)).json().unwrap();
    assert!(round["centres"].as_array().unwrap().iter().all(|c| c["status"] == "提出済み"), "{round}");
    assert_eq!(round["summary"]["name"], "事業計画書.xlsx");
    assert_eq!(round["report"]["name"], "事業計画書.pdf");
    let pdf = s.get(&format!("/api/rounds/{id}/report.pdf")).bytes().unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let xlsx = s.get(&format!("/api/rounds/{id}/summary.xlsx")).bytes().unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

#[test]
fn hostile_uploads_are_refused_with_their_reason_and_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.xlsx", Vec::new(), "empty"),
        ("notes.xlsx", "これはブックではありません".as_bytes().to_vec(), "not_a_workbook"),
        ("broken.xlsx", b"PK\x03\x04 broken".to_vec(), "broken"),
        ("bomb.xlsx", common::bomb_zip(30 << 20), "too_large"),
    ];
    // As masters: 422 with the reason, and no round.
    for (name, bytes, _) in &hostile {
        let r = s.post_files("/api/rounds", "master", &[(name, bytes.clone())]);
        assert_eq!(r.status(), 422, "{name}");
        let body: Value = r.json().unwrap();
        assert_eq!(body["problems"][0]["file"], *name);
        assert_eq!(body["problems"][0]["kind"], "unreadable");
        assert!(!body["problems"][0]["message"].as_str().unwrap().is_empty());
    }
    // A workbook that is no master says what a master has.
    let r = s.post_files("/api/rounds", "master", &[("agenda.xlsx", sample("samples/agenda.xlsx"))]);
    assert_eq!(r.status(), 422);
    let body: Value = r.json().unwrap();
    assert!(body["error"].as_str().unwrap().contains("マスターのブックではありません"), "{body}");
    let list: Value = s.get("/api/rounds").json().unwrap();
    assert!(list["rounds"].as_array().unwrap().is_empty());
    // As 議案: 422 with the reason.
    let r = s.post_files("/api/agenda", "file", &[("broken.xlsx", b"PK\x03\x04 broken".to_vec())]);
    assert_eq!(r.status(), 422);
    // As submissions: acknowledged, listed as files that could not be used, with the reason; the
    // centres' statuses do not move.
    let id = open_pdca_round(&s);
    let files: Vec<(&str, Vec<u8>)> = hostile.iter().map(|(n, b, _)| (*n, b.clone())).collect();
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &files);
    assert_eq!(r.status(), 200);
    let round: Value = r.json().unwrap();
    let stray = round["stray"].as_array().unwrap();
    assert_eq!(stray.len(), hostile.len());
    for (name, _, _) in &hostile {
        let f = stray.iter().find(|f| f["file"] == *name).unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(f["problems"][0]["severity"], "rejected", "{f}");
        assert_eq!(f["problems"][0]["kind"], "unreadable");
    }
    assert!(round["centres"].as_array().unwrap().iter().all(|c| c["status"] == "未提出"));
    // A returned workbook of another centre renamed as C03 does not land under C03.
    let c01 = pdca_returns().into_iter().find(|(n, _)| n == "C01_勝田地域ステーション.xlsx").unwrap().1;
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &[("C03_作東地域ステーション.xlsx", c01)]);
    let round: Value = r.json().unwrap();
    assert_eq!(centre(&round, "C03")["status"], "未提出");
    assert_eq!(centre(&round, "C01")["status"], "提出済み");
    // Nothing uploaded is a path: the kept files are named by their SHA-256 only.
    for entry in walk(&dir.path().join("blobs")) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn uploads_over_the_limits_get_413_and_leave_nothing_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--max-file-mb", "1", "--max-files", "2", "--max-request-mb", "3"]);
    let id = open_pdca_round(&s);
    let big = vec![b'x'; 1_500_000];
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &[("big.xlsx", big)]);
    assert_eq!(r.status(), 413);
    assert!(r.text().unwrap().contains("1 ファイル 1 MB まで"));
    let small = sample("samples/pdca_returns/C02_大原地域ステーション.xlsx");
    let three: Vec<(&str, Vec<u8>)> =
        vec![("a.xlsx", small.clone()), ("b.xlsx", small.clone()), ("c.xlsx", small.clone())];
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &three);
    assert_eq!(r.status(), 413);
    assert!(r.text().unwrap().contains("2 個まで"));
    let two: Vec<(&str, Vec<u8>)> = vec![("a.xlsx", vec![b'y'; 900_000]), ("b.xlsx", vec![b'y'; 900_000])];
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &two);
    assert_eq!(r.status(), 200, "two files under every limit pass");
    // A form whose file field was left empty, as a browser sends it.
    let r = s
        .http
        .post(s.at(&format!("/api/rounds/{id}/submissions")))
        .bearer_auth(&s.token)
        .multipart(multipart::Form::new().part("file", multipart::Part::bytes(Vec::new()).file_name("")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422, "a request with no file");
    assert!(r.text().unwrap().contains("ファイルが送られていません"));
    let round = s.round(id);
    assert_eq!(
        round["submissions"].as_array().unwrap().len(),
        1,
        "only the accepted request is recorded (two equal files)"
    );
    // The request limit: 3 MB in all.
    let r = s
        .http
        .post(s.at(&format!("/api/rounds/{id}/submissions")))
        .bearer_auth(&s.token)
        .multipart(
            multipart::Form::new()
                .part("other", multipart::Part::bytes(vec![b'q'; 3_500_000]).file_name("x.bin"))
                .part("file", multipart::Part::bytes(small).file_name("late.xlsx")),
        )
        .send();
    if let Ok(r) = r {
        assert_eq!(r.status(), 413);
    }
    assert_eq!(s.round(id)["submissions"].as_array().unwrap().len(), 1);
}

#[test]
fn agenda_api_gives_the_pdf_or_the_problems_with_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let r = s.post_files("/api/agenda", "file", &[("agenda.xlsx", sample("samples/agenda.xlsx"))]);
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().unwrap().to_vec();
    let out = dir.path().join("agenda.pdf");
    std::fs::write(&out, &pdf).unwrap();
    let text = std::process::Command::new("pdftotext").arg(&out).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("第３号議案"), "{text}");
    // The CLI makes the same bytes.
    let cli = dir.path().join("cli.pdf");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .arg("agenda")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/agenda.xlsx"))
        .arg("-o")
        .arg(&cli)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(std::fs::read(&cli).unwrap(), pdf);
    // A 議案 workbook with a wrong 号: the problem names the sheet and the cell.
    let blank = s.http.get(s.at("/blank/agenda")).header("Cookie", s.log_in()).send().unwrap();
    assert_eq!(blank.status(), 200);
    let blank = blank.bytes().unwrap().to_vec();
    assert!(blank.starts_with(b"PK"));
    let r = s.post_files("/api/agenda", "file", &[("master.xlsx", sample("samples/pdca_master.xlsx"))]);
    assert_eq!(r.status(), 422);
    let body: Value = r.json().unwrap();
    assert_eq!(body["problems"][0]["file"], "master.xlsx");
    assert!(body["problems"][0]["message"].as_str().unwrap().contains("「議案」シート"), "{body}");
}

#[test]
fn what_was_acknowledged_survives_a_restart_and_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path(), &[]);
    let id = open_pdca_round(&s);
    // Acknowledged without waiting for the collection, then killed at once.
    let r = s.post_files(&format!("/api/rounds/{id}/submissions?wait=0"), "file", &returns_as_refs(&pdca_returns()));
    assert_eq!(r.status(), 200);
    s.kill();
    // The next server has the round and the files, and finishes the work left.
    let s = Server::start(dir.path(), &[]);
    let round = s.round(id);
    assert_eq!(round["submissions"].as_array().unwrap().len(), 3);
    assert_eq!(round["centres"].as_array().unwrap().len(), 3);
    let zip = s.get(&format!("/api/rounds/{id}/distribution.zip"));
    assert_eq!(zip.status(), 200);
    // The collection left undone runs again by itself; `?wait=1` answers when it is done.
    let round: Value = s.get(&format!("/api/rounds/{id}?wait=1")).json().unwrap();
    assert_eq!(round["job"]["state"], "done", "{}", round["job"]);
    assert_eq!(centre(&round, "C02")["status"], "要修正");
    assert!(round["submissions"].as_array().unwrap().iter().all(|s| s["collected"] == true));
    // Waiting on a new upload of a known file waits for every job before it.
    let r = s.post_files(&format!("/api/rounds/{id}/submissions"), "file", &returns_as_refs(&pdca_returns()[..1]));
    let round: Value = r.json().unwrap();
    assert_eq!(centre(&round, "C02")["status"], "要修正");
    assert_eq!(centre(&round, "C03")["status"], "未提出");
    assert!(round["submissions"].as_array().unwrap().iter().all(|s| s["collected"] == true));
    // A graceful restart keeps it too, and the old login link is gone.
    let old_login = s.login.clone();
    drop(s);
    let s = Server::start(dir.path(), &[]);
    assert_ne!(s.login, old_login);
    assert_eq!(
        s.http.get(old_login.replace(&old_login[..old_login.find("/login").unwrap()], &s.url)).send().unwrap().status(),
        401
    );
    assert_eq!(centre(&s.round(id), "C02")["status"], "要修正");
}

#[test]
fn a_second_server_on_the_same_data_and_other_addresses_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _s = Server::start(dir.path(), &[]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["serve", "--data"])
        .arg(dir.path())
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ほかの keikaku serve が使っています"));
    let other = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_keikaku"))
        .args(["serve", "--data"])
        .arg(other.path())
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--public-url"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!other.path().join("admin.token").exists(), "nothing is made before the address is checked");
}

#[test]
fn the_pages_work_without_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let cookie = s.log_in();
    let get = |path: &str| s.http.get(s.at(path)).header("Cookie", &cookie).send().unwrap();
    let csrf = csrf_of(&get("/").text().unwrap());
    // The assets are served with their types and no login.
    let js = s.http.get(s.at("/assets/app.js")).send().unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    let css = s.http.get(s.at("/assets/app.css")).send().unwrap();
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert_eq!(s.http.get(s.at("/assets/other.js")).send().unwrap().status(), 404);
    // The blank workbooks open as workbooks with their sheets.
    for (slug, sheet) in [("agenda", "議案一覧"), ("agenda-item", "議案"), ("pdca", "事業"), ("plan", "項目")] {
        let r = get(&format!("/blank/{slug}"));
        assert_eq!(r.status(), 200, "{slug}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let wb = keikaku::workbook::Workbook::from_bytes(slug, &r.bytes().unwrap()).unwrap();
        assert!(wb.sheets.iter().any(|w| &*w.name == sheet), "{slug}: {sheet}");
    }
    assert_eq!(get("/blank/other").status(), 404);
    assert_eq!(get("/nowhere").status(), 404);
    // 議案 by the plain form: the page shows the PDF, which downloads.
    let form = |field: &str, name: &str, bytes: Vec<u8>| {
        multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(field.to_string(), multipart::Part::bytes(bytes).file_name(name.to_string()))
    };
    let r = s
        .http
        .post(s.at("/agenda"))
        .header("Cookie", &cookie)
        .multipart(form("file", "agenda.xlsx", sample("samples/agenda.xlsx")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = r.headers()["location"].to_str().unwrap().to_string();
    let html = get(&page).text().unwrap();
    assert!(html.contains("第３号議案") && html.contains("iframe"), "{html}");
    let pdf = get(&format!("{page}/pdf"));
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers().get("content-security-policy").is_none(), "no page policy on a PDF");
    assert!(pdf.bytes().unwrap().starts_with(b"%PDF"));
    // A 議案 with problems: the page lists them, with no PDF.
    let r = s
        .http
        .post(s.at("/agenda"))
        .header("Cookie", &cookie)
        .multipart(form("file", "master.xlsx", sample("samples/pdca_master.xlsx")))
        .send()
        .unwrap();
    let page = r.headers()["location"].to_str().unwrap().to_string();
    let html = get(&page).text().unwrap();
    assert!(html.contains("直すところがあります") && html.contains("「議案」シート"), "{html}");
    assert_eq!(get(&format!("{page}/pdf")).status(), 404);
    // A round by the plain forms, its returns too: the page shows the 提出状況.
    let r = s
        .http
        .post(s.at("/rounds"))
        .header("Cookie", &cookie)
        .multipart(form("master", "pdca_master.xlsx", sample("samples/pdca_master.xlsx")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let round = r.headers()["location"].to_str().unwrap().to_string();
    let mut f = multipart::Form::new().text("csrf", csrf.clone());
    for (name, bytes) in pdca_returns() {
        f = f.part("file", multipart::Part::bytes(bytes).file_name(name));
    }
    let r = s.http.post(s.at(&format!("{round}/submissions"))).header("Cookie", &cookie).multipart(f).send().unwrap();
    assert_eq!(r.status(), 303);
    let html = get(&round).text().unwrap();
    assert!(html.contains("id=\"centre-C02\" class=\"row-fix\""), "{html}");
    assert!(html.contains("「4-2-2 障害者作業所の運営（むぎの会）」シート C25"));
    assert!(html.contains("id=\"centre-C03\" class=\"row-none\""));
    // The page's script sends with the CSRF header; a wrong one is refused.
    let r = s
        .http
        .post(s.at(&format!("{round}/submissions?wait=0")))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", "0".repeat(64))
        .multipart(multipart::Form::new().part("file", multipart::Part::bytes(b"x".to_vec()).file_name("x.xlsx")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    // What the page shows is escaped: a file name with markup stays text.
    let mut f = multipart::Form::new().text("csrf", csrf.clone());
    f = f.part(
        "file",
        multipart::Part::bytes(b"not a workbook".to_vec()).file_name("<img src=x onerror=alert(1)>.xlsx"),
    );
    s.http.post(s.at(&format!("{round}/submissions"))).header("Cookie", &cookie).multipart(f).send().unwrap();
    let html = get(&round).text().unwrap();
    assert!(!html.contains("<img src=x"), "escaped");
    assert!(
        html.contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;.xlsx")
            || html.contains("&lt;img src=x onerror=alert(1)&gt;.xlsx"),
        "{html}"
    );
}
