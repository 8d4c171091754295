//! JSON given to the CLI (`init --from`, `render --data`): files saved by
//! Windows Notepad (UTF-8 with a byte order mark) are read, and text that no
//! Excel cell can hold is refused as an input error naming the JSON field.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A sample JSON with `edit` applied, written with or without a BOM.
fn sample(dir: &Path, name: &str, bom: bool, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(root().join("samples").join(name)).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    let mut bytes = if bom { "\u{FEFF}".as_bytes().to_vec() } else { vec![] };
    bytes.extend(serde_json::to_string_pretty(&v).unwrap().into_bytes());
    let p = dir.join(format!("データ_{name}"));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn init(kind: &str, json: &Path, out: &Path) -> (i32, String) {
    let o = keikaku(&["init", kind, "--from", json.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    (o.status.code().unwrap_or(-1), stderr(&o))
}

const KINDS: [(&str, &str); 3] =
    [("agenda", "agenda.json"), ("pdca", "pdca_master.json"), ("plan", "plan_master.json")];

#[test]
fn init_from_json_saved_by_notepad_with_a_bom_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, name) in KINDS {
        let json = sample(dir.path(), name, true, |_| {});
        let out = dir.path().join(format!("{kind}.xlsx"));
        let (code, err) = init(kind, &json, &out);
        assert_eq!(code, 0, "init {kind} --from a BOM file: {err}");
        assert!(out.exists());
    }
}

#[test]
fn render_data_saved_by_notepad_with_a_bom_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let json = sample(dir.path(), "agenda.json", true, |_| {});
    let out = dir.path().join("out.pdf");
    let r = root();
    let o = keikaku(
        &[
            "render",
            "--template",
            r.join("templates/agenda.hbs").to_str().unwrap(),
            "--data",
            json.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.exists());
}

/// A form kind, its sample JSON, the message expected, and the edit that
/// makes one string too long.
type LongCase<'a> = (&'a str, &'a str, &'a str, Box<dyn Fn(&mut serde_json::Value)>);

#[test]
fn init_from_json_with_text_too_long_for_a_cell_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "あ".repeat(700_000); // 2.1 MB of UTF-8
    let cases: [LongCase; 3] = [
        ("agenda", "agenda.json", "sections[0].paragraphs[1]: 700,000 文字あります", {
            let huge = huge.clone();
            Box::new(move |v| v["sections"][0]["paragraphs"][1] = huge.clone().into())
        }),
        ("pdca", "pdca_master.json", "centres[1].contact: 40,000 文字あります", {
            Box::new(|v| v["centres"][1]["contact"] = "a".repeat(40_000).into())
        }),
        ("plan", "plan_master.json", "plan.title: 32,768 文字あります", {
            Box::new(|v| v["plan"]["title"] = "字".repeat(32_768).into())
        }),
    ];
    for (kind, name, want, edit) in cases {
        let json = sample(dir.path(), name, false, edit);
        let out = dir.path().join(format!("{kind}.xlsx"));
        let (code, err) = init(kind, &json, &out);
        assert_eq!(code, 2, "init {kind}: {err}");
        assert!(err.contains(&format!("{} の {want}", json.display())), "init {kind}: {err}");
        assert!(err.contains("Excel のセルには 32,767 文字までしか入りません"), "{err}");
        assert!(!out.exists(), "no workbook for bad data");
    }
}

#[test]
fn an_item_body_joined_too_long_for_a_cell_exits_2_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let json = sample(dir.path(), "agenda.json", false, |v| {
        v["sections"][2]["items"][0]["body"] = serde_json::json!(["い".repeat(20_000), "ろ".repeat(20_000)]);
    });
    let out = dir.path().join("agenda.xlsx");
    let (code, err) = init("agenda", &json, &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("「本文」シート D"), "{err}");
    assert!(err.contains("40,001 文字あります"), "{err}");
    assert!(!out.exists());
}

#[test]
fn init_agenda_from_json_accepts_schedule_dates_in_any_form_it_prints_as_wareki() {
    let dir = tempfile::tempdir().unwrap();
    let json = sample(dir.path(), "agenda.json", false, |v| {
        let rows = v["sections"].as_array_mut().unwrap().iter_mut().find(|s| s["schedule"] != serde_json::json!([]));
        let rows = rows.unwrap()["schedule"].as_array_mut().unwrap();
        rows[0]["date"] = "2019-06-01".into();
        rows[1]["date"] = "R1.7".into();
    });
    let out = dir.path().join("agenda.xlsx");
    let (code, err) = init("agenda", &json, &out);
    assert_eq!(code, 0, "{err}");
    let pdf = dir.path().join("out.pdf");
    let data = dir.path().join("data.json");
    let o = keikaku(
        &["agenda", out.to_str().unwrap(), "-o", pdf.to_str().unwrap(), "--emit-data", data.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&data).unwrap();
    assert!(text.contains("令和元年６月１日") && text.contains("令和元年７月"), "{text}");
}

#[test]
fn init_agenda_from_json_with_a_schedule_date_before_1900_keeps_it_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let json = sample(dir.path(), "agenda.json", false, |v| {
        let rows = v["sections"].as_array_mut().unwrap().iter_mut().find(|s| s["schedule"] != serde_json::json!([]));
        rows.unwrap()["schedule"][0]["date"] = "明治10年1月1日".into();
    });
    let out = dir.path().join("agenda.xlsx");
    let (code, err) = init("agenda", &json, &out);
    assert_eq!(code, 0, "Excel has no date cells before 1900; the date is written as text: {err}");
}

#[test]
fn json_that_is_not_utf8_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("sjis.json");
    // {"a": "介護"} in Shift_JIS.
    std::fs::write(&json, b"{\"a\": \"\x89\xee\x8c\xec\"}").unwrap();
    let out = dir.path().join("agenda.xlsx");
    let (code, err) = init("agenda", &json, &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("UTF-8 ではありません") && err.contains("UTF-8 で保存し直してください"), "{err}");
}
