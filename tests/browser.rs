//! `keikaku serve` in a real browser: Debian's headless Chromium driven
//! through chromedriver (WebDriver, fantoccini), as a clerk would use it:
//! log in through the printed link, open a round from the sample master,
//! download every centre's workbook, send the sample returns (two uploads
//! one after the other: chosen files, then a file dropped on the page), read C02's 差戻し items and C03 未提出, and
//! download 集計.xlsx. A screenshot of every page is kept in
//! `target/tmp/browser/` to be looked at.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them).

#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use server::Server;

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A fontconfig file that adds the repository's IPAex fonts, so that the
/// screenshots show Japanese on a machine without Japanese fonts.
fn fontconfig(dir: &Path) -> PathBuf {
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  <dir>{}</dir>\n  <cachedir>{}</cachedir>\n</fontconfig>\n",
            fonts.display(),
            dir.join("fontcache").display()
        ),
    )
    .unwrap();
    conf
}

fn start_driver(work: &Path) -> Driver {
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .env("FONTCONFIG_FILE", fontconfig(work))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{driver} を起動できません（{e}）。apt-get install -y chromium chromium-driver で入れてください。")
        });
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, url: format!("http://127.0.0.1:{port}") }
}

async fn connect(driver: &Driver, downloads: &Path, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1100", "--lang=ja-JP",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "intl.accept_languages": "ja-JP,ja",
            },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.expect("a browser session")
}

/// Waits until `check` holds, polling.
async fn until<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn body_text(c: &Client) -> String {
    match c.find(Locator::Css("body")).await {
        Ok(b) => b.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// A downloaded file, once complete.
async fn downloaded(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    until(&format!("the download {name}"), 60, || {
        let path = path.clone();
        let partial = dir.join(format!("{name}.crdownload"));
        async move { path.exists() && !partial.exists() }
    })
    .await;
    std::fs::read(path).unwrap()
}

#[test]
fn a_clerk_runs_a_pdca_round_in_the_browser() {
    let work = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let server = Server::start(&work.path().join("data"), &[]);
    let driver = start_driver(work.path());
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = connect(&driver, &downloads, &work.path().join("profile")).await;

        // Log in through the printed link: the home page.
        c.goto(&server.login).await.unwrap();
        until("the home page", 20, || async { body_text(&c).await.contains("議案を作る") }).await;
        assert_eq!(c.current_url().await.unwrap().path(), "/");
        shot(&c, &shots, "1_home").await;

        // Open a round from the sample master.
        let master = c.find(Locator::Css("input[name=master]")).await.unwrap();
        master.send_keys(&samples.join("pdca_master.xlsx").display().to_string()).await.unwrap();
        c.find(Locator::XPath("//button[contains(., '回を始める')]")).await.unwrap().click().await.unwrap();
        until("the round page with its distribution", 120, || async {
            body_text(&c).await.contains("まとめてダウンロード")
        })
        .await;
        assert_eq!(c.current_url().await.unwrap().path(), "/rounds/1");
        let text = body_text(&c).await;
        for expected in ["C01", "勝田地域ステーション", "C02", "C03", "未提出 3"] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        shot(&c, &shots, "2_round_opened").await;

        // Download every centre's workbook as one zip.
        c.find(Locator::XPath("//a[contains(., 'まとめてダウンロード')]")).await.unwrap().click().await.unwrap();
        let zip = downloaded(&downloads, "配布_1.zip").await;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let names: Vec<String> =
            (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().unwrap().to_string()).collect();
        assert!(names.contains(&"C02_大原地域ステーション.xlsx".to_string()), "{names:?}");
        assert_eq!(names.len(), 6);
        // C03's workbook as distributed (nothing filled in), for the portal below.
        let mut blank = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name("C03_作東地域ステーション.xlsx").unwrap(), &mut blank).unwrap();
        let c03_blank = work.path().join("C03_作東地域ステーション.xlsx");
        std::fs::write(&c03_blank, blank).unwrap();

        // Send the returns: C01's two files, then at once C02's (queued behind the first).
        let returns = samples.join("pdca_returns");
        let input = c.find(Locator::Id("files")).await.unwrap();
        let c01 =
            [returns.join("C01_勝田地域ステーション.xlsx"), returns.join("C01_勝田地域ステーション（下書き）.xlsx")];
        input.send_keys(&c01.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n")).await.unwrap();
        let send = c.find(Locator::XPath("//button[contains(., '送る')]")).await.unwrap();
        send.click().await.unwrap();
        // C02's workbook is dropped on the upload area, as from the Explorer.
        let c02_bytes = std::fs::read(returns.join("C02_大原地域ステーション.xlsx")).unwrap();
        let drop = r#"
            const [name, b64] = arguments;
            const bytes = Uint8Array.from(atob(b64), ch => ch.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name));
            const zone = document.getElementById("upload");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
        "#;
        c.execute(
            drop,
            vec![
                serde_json::json!("C02_大原地域ステーション.xlsx"),
                serde_json::json!(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &c02_bytes)),
            ],
        )
        .await
        .unwrap();
        shot(&c, &shots, "3_sending").await;

        // The page follows the job and shows the 提出状況 when it is done.
        until("the 提出状況 of C01 and C02", 120, || async {
            let t = body_text(&c).await;
            t.contains("要修正 1") && t.contains("提出済み 1")
        })
        .await;
        let c02 = c.find(Locator::Id("centre-C02")).await.unwrap().text().await.unwrap();
        assert!(c02.contains("要修正"), "{c02}");
        assert!(c02.contains("「4-2-2 障害者作業所の運営（むぎの会）」シート C25"), "{c02}");
        assert!(c02.contains("未入力"), "{c02}");
        let c03 = c.find(Locator::Id("centre-C03")).await.unwrap().text().await.unwrap();
        assert!(c03.contains("未提出"), "{c03}");
        let c01 = c.find(Locator::Id("centre-C01")).await.unwrap().text().await.unwrap();
        assert!(c01.contains("提出済み") && c01.contains("使わなかったファイル"), "{c01}");
        shot(&c, &shots, "4_status").await;
        c.find(Locator::Id("centre-C02")).await.unwrap();
        c.execute("document.getElementById('centre-C02').scrollIntoView()", vec![]).await.unwrap();
        shot(&c, &shots, "5_status_c02").await;

        // Download 集計.xlsx.
        c.find(Locator::XPath("//a[contains(., '集計.xlsx')]")).await.unwrap().click().await.unwrap();
        let xlsx = downloaded(&downloads, "集計.xlsx").await;
        assert!(xlsx.starts_with(b"PK"));
        let summary = tokio::task::block_in_place(|| server.get("/api/rounds/1/summary.xlsx").bytes().unwrap());
        assert!(xlsx == summary.to_vec(), "the browser downloaded the round's 集計.xlsx");

        // The 議案: a filled workbook gives the PDF shown in the page.
        c.goto(&server.at("/")).await.unwrap();
        let file = c.find(Locator::Css("input[name=file]")).await.unwrap();
        file.send_keys(&samples.join("agenda.xlsx").display().to_string()).await.unwrap();
        c.find(Locator::XPath("//button[contains(., 'PDF を作る')]")).await.unwrap().click().await.unwrap();
        until("the 議案 page", 60, || async { body_text(&c).await.contains("PDF をダウンロード") }).await;
        assert!(body_text(&c).await.contains("第３号議案"));
        c.find(Locator::Css("iframe.pdf")).await.unwrap();
        shot(&c, &shots, "6_agenda").await;

        // The portal: C03 opens its own link in a second window and sends its
        // workbook (C02's sample renamed: refused, another centre's), then
        // the secretariat's page, left open, shows the refusal in its log
        // and C03 still 未提出 without a reload; a good upload then moves it.
        c.goto(&server.at("/rounds/1")).await.unwrap();
        let secretariat = c.window().await.unwrap();
        let c03_link = c
            .find(Locator::Css("#link-C03 input.url"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .expect("C03 has a link");
        let centre = c.new_window(true).await.unwrap();
        c.switch_to_window(centre.handle).await.unwrap();
        c.goto(&c03_link).await.unwrap();
        until("the centre's page", 20, || async {
            body_text(&c).await.contains("C03 作東地域ステーション の提出")
        })
        .await;
        let text = body_text(&c).await;
        assert!(text.contains("未提出") && !text.contains("勝田地域ステーション"), "{text}");
        shot(&c, &shots, "8_centre_page").await;
        let file = c.find(Locator::Css("input[name=file]")).await.unwrap();
        file.send_keys(&returns.join("C02_大原地域ステーション.xlsx").display().to_string()).await.unwrap();
        c.find(Locator::XPath("//button[contains(., '送る')]")).await.unwrap().click().await.unwrap();
        until("the refusal", 30, || async { body_text(&c).await.contains("受け付けていません") }).await;
        let text = body_text(&c).await;
        assert!(text.contains("C02 大原地域ステーション のブックです"), "{text}");
        shot(&c, &shots, "9_centre_refused").await;
        // Its own workbook, sent as distributed: accepted, with every input to fill.
        let file = c.find(Locator::Css("input[name=file]")).await.unwrap();
        file.send_keys(&c03_blank.display().to_string()).await.unwrap();
        c.find(Locator::XPath("//button[contains(., '送る')]")).await.unwrap().click().await.unwrap();
        until("the acceptance", 30, || async { body_text(&c).await.contains("受け付けました") }).await;
        let text = body_text(&c).await;
        assert!(
            text.contains("要修正") && text.contains("未入力") && text.contains("差戻しの一覧をダウンロード"),
            "{text}"
        );
        shot(&c, &shots, "10_centre_accepted").await;
        // The secretariat's page, open all along, shows it without a reload.
        c.switch_to_window(secretariat).await.unwrap();
        c.execute("window.keikakuMark = 1", vec![]).await.unwrap();
        until("the secretariat's page to show C03 要修正", 60, || async {
            match c.find(Locator::Id("centre-C03")).await {
                Ok(r) => r.text().await.unwrap_or_default().contains("要修正"),
                Err(_) => false,
            }
        })
        .await;
        let mark = c.execute("return window.keikakuMark === 1", vec![]).await.unwrap();
        assert_eq!(mark, serde_json::json!(true), "the page was not reloaded");
        let log = c.find(Locator::Id("audit")).await.unwrap().text().await.unwrap();
        assert!(log.contains("受け付けず") && log.contains("受け付け"), "{log}");
        c.execute("document.getElementById('centre-C03').scrollIntoView()", vec![]).await.unwrap();
        shot(&c, &shots, "11_secretariat_live").await;

        // A master with problems lists them on the home page.
        c.goto(&server.at("/")).await.unwrap();
        let master = c.find(Locator::Css("input[name=master]")).await.unwrap();
        master.send_keys(&samples.join("agenda.xlsx").display().to_string()).await.unwrap();
        c.find(Locator::XPath("//button[contains(., '回を始める')]")).await.unwrap().click().await.unwrap();
        until("the master's problems", 30, || async { body_text(&c).await.contains("回を始められません") }).await;
        assert!(body_text(&c).await.contains("マスターのブックではありません"));
        shot(&c, &shots, "7_master_problem").await;

        c.close().await.unwrap();
    });
    eprintln!("screenshots: {}", shots.display());
}
