//! Collection integrity (issue 15): no answer lands under the wrong centre,
//! the wrong field, or nowhere. Every tampered workbook here is made by
//! editing the parts of a distributed workbook directly, the way other
//! programs (openpyxl, exporters, online editors) save them.

mod common;

use common::fill::{complete_answers, distributed, fill, replace_in, rezip, saved_at, xml_escape};
use common::{sheet_paths, xlsx_entries};

use keikaku::forms::pdca::collect::read_submission;
use keikaku::forms::pdca::master::Master;
use keikaku::jobs::collect::{Severity, Submission};
use keikaku::workbook::Workbook;

fn read(bytes: &[u8], master: &Master) -> keikaku::forms::pdca::collect::Submission {
    let wb = Workbook::from_bytes("提出.xlsx", bytes).unwrap();
    read_submission(master, &wb)
}

fn read_plan(bytes: &[u8], master: &keikaku::forms::plan::master::Master) -> keikaku::forms::plan::collect::Submission {
    let wb = Workbook::from_bytes("提出.xlsx", bytes).unwrap();
    keikaku::forms::plan::collect::read_submission(master, &wb)
}

fn rejected<K>(sub: &Submission<K>) -> String {
    assert!(!sub.usable(), "expected a rejected workbook: {:?}", sub.problems);
    assert!(sub.centre.is_none(), "a rejected workbook belongs to no centre");
    assert!(sub.answers.is_empty());
    sub.problems.iter().filter(|p| p.severity == Severity::Rejected).map(|p| p.message()).collect()
}

fn set_property(bytes: &[u8], name: &str, value: &str) -> Vec<u8> {
    let parts = xlsx_entries(bytes);
    let xml = String::from_utf8(parts.iter().find(|(n, _)| n == "docProps/custom.xml").unwrap().1.clone()).unwrap();
    let at = xml.find(&format!("name=\"{name}\"")).unwrap();
    let open = at + xml[at..].find("<vt:lpwstr>").unwrap() + "<vt:lpwstr>".len();
    let close = open + xml[open..].find("</vt:lpwstr>").unwrap();
    let old = format!("name=\"{name}\"{}", &xml[at + format!("name=\"{name}\"").len()..close]);
    let new = format!("name=\"{name}\"{}{value}", &xml[at + format!("name=\"{name}\"").len()..open]);
    replace_in(bytes, "docProps/custom.xml", &old, &new)
}

fn property_of(bytes: &[u8], name: &str) -> String {
    let parts = xlsx_entries(bytes);
    let xml = String::from_utf8(parts.iter().find(|(n, _)| n == "docProps/custom.xml").unwrap().1.clone()).unwrap();
    let at = xml.find(&format!("name=\"{name}\"")).unwrap();
    let open = at + xml[at..].find("<vt:lpwstr>").unwrap() + "<vt:lpwstr>".len();
    let close = open + xml[open..].find("</vt:lpwstr>").unwrap();
    xml[open..close].to_string()
}

/// `C23` → (column 0-based, row 1-based).
fn split_ref(r: &str) -> (u32, u32) {
    let digits = r.find(|c: char| c.is_ascii_digit()).unwrap();
    let col = r[..digits].bytes().fold(0u32, |a, b| a * 26 + u32::from(b - b'A' + 1)) - 1;
    (col, r[digits..].parse().unwrap())
}

fn make_ref(col: u32, row: u32) -> String {
    keikaku::workbook::CellRef::new(row - 1, col).to_string()
}

/// Moves the cells of a sheet XML as openpyxl's `insert_rows` /
/// `insert_cols` do: cells at or below row `row` (1-based) go down by
/// `rows`, cells at or right of column `col` (0-based) go right by `cols`;
/// defined names, merged ranges and validations stay where they were.
fn shift_cells(xml: &str, row: u32, rows: u32, col: u32, cols: u32) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    loop {
        let next = [rest.find("<row r=\""), rest.find("<c r=\"")].into_iter().flatten().min();
        let Some(at) = next else {
            out.push_str(rest);
            return out;
        };
        let is_row = rest[at..].starts_with("<row");
        let open = at + rest[at..].find('"').unwrap() + 1;
        let close = open + rest[open..].find('"').unwrap();
        out.push_str(&rest[..open]);
        let r = &rest[open..close];
        if is_row {
            let n: u32 = r.parse().unwrap();
            out.push_str(&(if n >= row { n + rows } else { n }).to_string());
        } else {
            let (c, n) = split_ref(r);
            let n = if n >= row { n + rows } else { n };
            let c = if c >= col { c + cols } else { c };
            out.push_str(&make_ref(c, n));
        }
        rest = &rest[close..];
    }
}

fn edit_sheet(bytes: &[u8], sheet: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut parts = xlsx_entries(bytes);
    let path = sheet_paths(&parts)[sheet].clone();
    let part = parts.iter_mut().find(|(p, _)| *p == path).unwrap();
    part.1 = edit(&String::from_utf8(part.1.clone()).unwrap()).into_bytes();
    rezip(&parts)
}

const SHEET: &str = "4-1-1 福祉会議事業（地区ケア会議）";

// ---------------------------------------------------------------- identity

#[test]
fn a_workbook_whose_centre_property_was_edited_is_nobodys() {
    let m = Master::example();
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    let as_c02 = set_property(&c01, "keikaku.centre", "C02");
    let why = rejected(&read(&as_c02, &m));
    assert!(why.contains("C02 大原地域ステーション") && why.contains("C01 勝田地域ステーション"), "{why}");
    // With C02's hash copied in too, the title lines still name C01.
    let c02_hash = property_of(&distributed(&m, "C02"), "keikaku.plan_hash");
    let forged = set_property(&as_c02, "keikaku.plan_hash", &c02_hash);
    let why = rejected(&read(&forged, &m));
    assert!(why.contains("C01 勝田地域ステーション") && why.contains("C02 大原地域ステーション"), "{why}");
    // An ID that is not in the master, holding C01's workbook.
    let why = rejected(&read(&set_property(&c01, "keikaku.centre", "C99"), &m));
    assert!(why.contains("C99") && why.contains("C01 勝田地域ステーション"), "{why}");
    // The hash of nobody: the master changed, or the hash was edited.
    let why = rejected(&read(&set_property(&c01, "keikaku.plan_hash", &"0".repeat(64)), &m));
    assert!(why.contains("C01 勝田地域ステーション") && why.contains("一致しません"), "{why}");
    // The untouched workbook is C01's.
    let sub = read(&c01, &m);
    assert!(sub.usable() && sub.centre.as_deref() == Some("C01"), "{:?}", sub.problems);
}

#[test]
fn the_file_name_is_a_hint_never_the_proof() {
    let m = Master::example();
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    let wb = Workbook::from_bytes("提出/C02_大原地域ステーション.xlsx", &c01).unwrap();
    let sub = read_submission(&m, &wb);
    assert_eq!(sub.centre.as_deref(), Some("C01"));
    assert!(
        sub.problems.iter().any(|p| p.severity == Severity::Noted
            && p.message().contains("C02 大原地域ステーション")
            && p.message().contains("C01 の提出として読みました")),
        "{:?}",
        sub.problems
    );
}

#[test]
fn a_plan_workbook_whose_centre_property_was_edited_is_nobodys() {
    let m = keikaku::forms::plan::master::Master::example();
    let (a, b) = (&m.centres[0], &m.centres[1]);
    let values = common::plan::values(&m, &a.id, &common::plan::sample_answers()[&a.id]);
    let filled = common::plan::filled(&m, &a.id, &values);
    let why = rejected(&read_plan(&set_property(&filled, "keikaku.centre", &b.id), &m));
    assert!(why.contains(&format!("{} {}", a.id, a.name)) && why.contains(&format!("{} {}", b.id, b.name)), "{why}");
    let b_hash = property_of(&common::plan::distributed(&m, &b.id), "keikaku.plan_hash");
    let forged = set_property(&set_property(&filled, "keikaku.centre", &b.id), "keikaku.plan_hash", &b_hash);
    let why = rejected(&read_plan(&forged, &m));
    assert!(why.contains(&a.name) && why.contains(&b.name), "{why}");
    assert!(read_plan(&filled, &m).usable());
}

#[test]
fn a_forged_workbook_saved_later_never_displaces_the_real_one() {
    let m = Master::example();
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let c02 = saved_at(&fill(&distributed(&m, "C02"), &m, "C02", &complete_answers(&m, "C02")), "2026-08-01T09:00:00Z");
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    let forged = saved_at(&set_property(&c01, "keikaku.centre", "C02"), "2026-09-01T09:00:00Z");
    std::fs::write(inbox.join("C02_大原地域ステーション.xlsx"), &c02).unwrap();
    std::fs::write(inbox.join("C02_大原地域ステーション（最新）.xlsx"), &forged).unwrap();
    let out = tmp.path().join("out");
    let master = common::root().join("samples/pdca_master.xlsx");
    let o = common::keikaku(
        &[
            "pdca",
            "collect",
            master.to_str().unwrap(),
            inbox.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--no-pdf",
        ],
        &[],
    );
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("C02 大原地域ステーション: 提出済み（inbox/C02_大原地域ステーション.xlsx）"), "{err}");
    let stray = &err[err.find("使えなかったファイル:").expect(&err)..];
    assert!(stray.contains("C02_大原地域ステーション（最新）.xlsx") && stray.contains("中身はセンター「C01"), "{err}");
}

// ------------------------------------------------------------ layout drift

#[test]
fn rows_inserted_without_moving_the_names_are_found_and_not_read() {
    let m = Master::example();
    let answers = complete_answers(&m, "C01");
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    let good = read(&bytes, &m);
    // openpyxl's insert_rows(12): the cells move, the names stay.
    let shifted = edit_sheet(&bytes, SHEET, |x| shift_cells(x, 12, 1, u32::MAX, 0));
    let sub = read(&shifted, &m);
    assert!(sub.usable());
    let fixes: Vec<_> = sub.problems.iter().filter(|p| p.severity == Severity::Fix).collect();
    assert!(
        fixes.iter().any(|p| p.cell().is_none() && p.message().contains("このシートの回答は読んでいません")),
        "{fixes:?}"
    );
    // A differing cell is named with what was distributed and what is there.
    assert!(
        fixes.iter().any(|p| p.sheet() == Some(SHEET)
            && p.cell().is_some()
            && p.message().contains("配布したときは")
            && p.message().contains("になっています")),
        "{fixes:?}"
    );
    // Nothing of the drifted sheet is read; the other sheets are.
    let sheet = |s: &keikaku::forms::pdca::collect::Submission, a: &keikaku::forms::pdca::collect::Answer| {
        s.sheet_of(a).to_string()
    };
    assert!(sub.answers.iter().all(|a| sheet(&sub, a) != SHEET));
    let seen = |s: &keikaku::forms::pdca::collect::Submission| -> Vec<_> {
        s.answers
            .iter()
            .filter(|a| sheet(s, a) != SHEET)
            .map(|a| (a.key, a.value.clone(), a.cell, sheet(s, a)))
            .collect()
    };
    assert!(!seen(&sub).is_empty());
    assert_eq!(seen(&sub), seen(&good), "the other sheets are read as before");
    // Columns inserted the same way.
    let shifted = edit_sheet(&bytes, SHEET, |x| shift_cells(x, u32::MAX, 0, 4, 1));
    let sub = read(&shifted, &m);
    assert!(sub.answers.iter().all(|a| sheet(&sub, a) != SHEET));
    assert!(sub.problems.iter().any(|p| p.message().contains("このシートの回答は読んでいません")));
}

#[test]
fn a_locked_cell_edited_after_removing_the_protection_is_named() {
    let m = Master::example();
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    // The 30地区 計画 of the first indicator (a locked value), rewritten.
    let grid = &keikaku::forms::pdca::sheets::centre_sheets(&m, "C01")[0];
    let cell = grid
        .cells
        .iter()
        .find(|c| c.role == keikaku::forms::grid::Role::Value && c.content != keikaku::forms::grid::Content::Empty)
        .unwrap();
    let at = cell.at().to_string();
    let edited = edit_sheet(&bytes, SHEET, |x| common::fill::set_cell(x, &at, "100地区"));
    let sub = read(&edited, &m);
    let p = sub
        .problems
        .iter()
        .find(|p| p.cell().as_deref() == Some(at.as_str()))
        .unwrap_or_else(|| panic!("{:?}", sub.problems));
    assert_eq!(p.severity, Severity::Fix);
    assert!(p.message().contains("「100地区」になっています"), "{}", p.message());
    // A label of the plan sheet, too.
    let pm = keikaku::forms::plan::master::Master::example();
    let c = &pm.centres[0];
    let values = common::plan::values(&pm, &c.id, &common::plan::sample_answers()[&c.id]);
    let filled = common::plan::filled(&pm, &c.id, &values);
    let grids = keikaku::forms::plan::sheets::sheets_of(&pm, &c.name, &pm.items_by_centre()[0]);
    let g = &grids[1];
    let label = g.cells.iter().find(|c| c.role == keikaku::forms::grid::Role::Header).unwrap();
    let at = label.at().to_string();
    let edited = edit_sheet(&filled, &g.sheet, |x| common::fill::set_cell(x, &at, "書き換えた見出し"));
    let sub = read_plan(&edited, &pm);
    assert!(
        sub.problems
            .iter()
            .any(|p| p.cell().as_deref() == Some(at.as_str()) && p.message().contains("書き換えた見出し")),
        "{:?}",
        sub.problems
    );
    assert!(sub.answers.iter().all(|a| sub.sheet_of(a) != g.sheet));
}

#[test]
fn plan_rows_inserted_without_moving_the_names_are_found() {
    let pm = keikaku::forms::plan::master::Master::example();
    let c = &pm.centres[0];
    let values = common::plan::values(&pm, &c.id, &common::plan::sample_answers()[&c.id]);
    let filled = common::plan::filled(&pm, &c.id, &values);
    let grids = keikaku::forms::plan::sheets::sheets_of(&pm, &c.name, &pm.items_by_centre()[0]);
    let g = &grids[1];
    let shifted = edit_sheet(&filled, &g.sheet, |x| shift_cells(x, 5, 1, u32::MAX, 0));
    let sub = read_plan(&shifted, &pm);
    assert!(sub.answers.iter().all(|a| sub.sheet_of(a) != g.sheet), "no answer from a shifted position");
    assert!(sub.problems.iter().any(|p| p.message().contains("このシートの回答は読んでいません")));
    assert!(sub.answers.iter().any(|a| a.text().is_some()), "the other sheets are read");
}

// ------------------------------------------------------------------ limits

#[test]
fn a_value_longer_than_an_excel_cell_is_to_fix_and_never_cut() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C02");
    let action = answers.iter_mut().find(|(n, _)| n.ends_with("_ACTION")).unwrap();
    action.1 = "長".repeat(40_000);
    let name = action.0.clone();
    let bytes = fill(&distributed(&m, "C02"), &m, "C02", &answers);
    let sub = read(&bytes, &m);
    let p = sub.problems.iter().find(|p| p.message().contains("長すぎます")).expect("a 差戻し");
    assert_eq!(p.severity, Severity::Fix);
    assert!(p.message().contains("40,000 文字") && p.message().contains("32,767"), "{}", p.message());
    assert!(p.cell().is_some());
    let a = sub.answers.iter().find(|a| a.key.name(&m) == name).unwrap();
    assert_eq!(a.text(), None, "not used, not cut short");

    // Through the command: the other centres are combined, exit 3, and no
    // cell of 集計.xlsx holds a part of the text.
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("C02.xlsx"), &bytes).unwrap();
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    std::fs::write(inbox.join("C01.xlsx"), &c01).unwrap();
    let out = tmp.path().join("out");
    let returns = tmp.path().join("returns");
    let master = common::root().join("samples/pdca_master.xlsx");
    let o = common::keikaku(
        &[
            "pdca",
            "collect",
            master.to_str().unwrap(),
            inbox.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--returns",
            returns.to_str().unwrap(),
        ],
        &[],
    );
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("C02 大原地域ステーション: 要修正") && err.contains("長すぎます"), "{err}");
    assert!(err.contains("C01 勝田地域ステーション: 提出済み"), "{err}");
    assert!(out.join("集計.xlsx").exists() && out.join("結果報告.pdf").exists());
    let summary = std::fs::read(out.join("集計.xlsx")).unwrap();
    let text: String =
        xlsx_entries(&summary).into_iter().map(|(_, b)| String::from_utf8_lossy(&b).into_owned()).collect();
    assert!(!text.contains(&"長".repeat(100)), "no part of the long text in 集計.xlsx");
    assert!(std::fs::read_dir(&returns).unwrap().count() == 1, "one 差戻し workbook, for C02");
}

#[test]
fn a_formula_saved_without_its_result_is_named_cell_by_cell() {
    let m = Master::example();
    let answers = complete_answers(&m, "C01");
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    let grid = &keikaku::forms::pdca::sheets::centre_sheets(&m, "C01")[0];
    let inputs: Vec<String> = grid
        .inputs()
        .filter(|(_, i)| i.kind == keikaku::forms::grid::InputKind::LongText)
        .take(2)
        .map(|(c, _)| c.at().to_string())
        .collect();
    let formula_cells = edit_sheet(&bytes, SHEET, |x| {
        let mut x = x.to_string();
        for at in &inputs {
            let start = x.find(&format!("<c r=\"{at}\"")).unwrap();
            let end = start + x[start..].find("</c>").unwrap() + 4;
            let style = x[start..end].split_whitespace().find(|a| a.starts_with("s=")).unwrap_or("").to_string();
            x.replace_range(
                start..end,
                &format!("<c r=\"{at}\" {style} t=\"str\"><f>{}</f></c>", xml_escape("A1&\"x\"")),
            );
        }
        x
    });
    let sub = read(&formula_cells, &m);
    assert!(sub.usable() && sub.centre.as_deref() == Some("C01"), "{:?}", sub.problems);
    // Through the command: 要修正, not 未提出, with a 差戻し workbook.
    let (o, tmp) =
        collect_files("pdca", "samples/pdca_master.xlsx", &[("C01.xlsx", formula_cells.clone())], &["--returns"]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("C01 勝田地域ステーション: 要修正"), "{err}");
    let returned: Vec<_> =
        std::fs::read_dir(tmp.path().join("returns")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(returned.len(), 1, "{returned:?}");
    let book = Workbook::open(&tmp.path().join("returns").join(&returned[0])).unwrap();
    let texts: Vec<String> = book.sheets.iter().flat_map(|s| s.cells().map(|(_, v)| v.display())).collect();
    for at in &inputs {
        assert!(texts.iter().any(|t| t == at), "{at} named in the 差戻し workbook: {texts:?}");
    }
    assert!(texts.iter().filter(|t| t.contains("数式の計算結果")).count() >= inputs.len());
    for at in &inputs {
        assert!(
            sub.problems.iter().any(|p| p.severity == Severity::Fix
                && p.cell().as_deref() == Some(at.as_str())
                && p.message().contains("数式の計算結果がブックに保存されていません")),
            "{at}: {:?}",
            sub.problems
        );
    }
}

#[test]
fn a_workbook_with_none_of_the_centres_sheets_is_refused() {
    let m = Master::example();
    let bytes = distributed(&m, "C01");
    let parts = xlsx_entries(&bytes);
    let wb_xml = String::from_utf8(parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1.clone()).unwrap();
    // Every sheet renamed and every defined name removed.
    let mut edited = bytes.clone();
    for (k, name) in keikaku::forms::pdca::sheets::centre_sheets(&m, "C01").iter().map(|g| g.sheet.clone()).enumerate()
    {
        let from = format!("name=\"{}\"", xml_escape(&name));
        assert!(wb_xml.contains(&from), "{from}");
        edited = replace_in(&edited, "xl/workbook.xml", &from, &format!("name=\"別{k}\""));
    }
    let parts = xlsx_entries(&edited);
    let xml = String::from_utf8(parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1.clone()).unwrap();
    let (a, b) = (xml.find("<definedNames>").unwrap(), xml.find("</definedNames>").unwrap() + "</definedNames>".len());
    let edited = replace_in(&edited, "xl/workbook.xml", &xml[a..b], "");
    let wb = Workbook::from_bytes("x.xlsx", &edited).unwrap();
    let sub = read_submission(&m, &wb);
    let why = rejected(&sub);
    assert!(why.contains("配布したシートが一つもありません"), "{why}");
}

/// The longest values a cell holds, unbreakable (no space, one script),
/// are laid out whole in 結果報告.pdf: no text is lost, and the run stays
/// quick (a 1 MB cell never gets this far: it is a 差戻し when read).
#[test]
fn the_longest_cells_are_laid_out_whole() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C01");
    for (n, v) in answers.iter_mut() {
        if n.ends_with("_ACTION") {
            *v = "q".repeat(32_000);
        } else if n.contains("_CHECK_ISSUES") {
            *v = "鑑".repeat(32_000);
        }
    }
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("C01.xlsx"), &bytes).unwrap();
    let out = tmp.path().join("out");
    let master = common::root().join("samples/pdca_master.xlsx");
    let o = common::keikaku(
        &["pdca", "collect", master.to_str().unwrap(), inbox.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(3), "C02 and C03 missing: {}", common::stderr(&o));
    let text = common::pdftotext(&out.join("結果報告.pdf"), &[]);
    let projects = m.projects_of("C01").count();
    assert_eq!(text.matches('鑑').count(), projects * 32_000);
    assert_eq!(text.matches('q').count(), projects * 32_000);
}

/// Runs `keikaku KIND collect MASTER INBOX -o OUT`, with `files` written
/// into the inbox first.
fn collect_files(
    kind: &str,
    master: &str,
    files: &[(&str, Vec<u8>)],
    extra: &[&str],
) -> (std::process::Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for (name, bytes) in files {
        std::fs::write(inbox.join(name), bytes).unwrap();
    }
    let out = tmp.path().join("out");
    let master = common::root().join(master);
    let returns = tmp.path().join("returns");
    let mut args =
        vec![kind, "collect", master.to_str().unwrap(), inbox.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    if extra.contains(&"--returns") {
        args.push(returns.to_str().unwrap());
    }
    let o = common::keikaku(&args, &[]);
    (o, tmp)
}

fn all_text(xlsx: &std::path::Path) -> String {
    xlsx_entries(&std::fs::read(xlsx).unwrap())
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect()
}

#[test]
fn a_character_no_font_has_is_that_centres_fix_not_the_end_of_the_run() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C01");
    let action = answers.iter_mut().find(|(n, _)| n.ends_with("_ACTION")).unwrap();
    action.1 = "笑顔😀で取り組む".into();
    let name = action.0.clone();
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    let c02 = fill(&distributed(&m, "C02"), &m, "C02", &complete_answers(&m, "C02"));
    let (o, tmp) = collect_files("pdca", "samples/pdca_master.xlsx", &[("C01.xlsx", c01), ("C02.xlsx", c02)], &[]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    let cell = keikaku::forms::pdca::sheets::centre_sheets(&m, "C01")
        .iter()
        .find_map(|g| g.inputs().find(|(_, i)| i.name == name).map(|(c, _)| c.at().to_string()))
        .unwrap();
    assert!(err.contains("C01 勝田地域ステーション: 要修正"), "{err}");
    assert!(err.contains(&format!("シート {cell}: PDF のフォントにない文字 「😀」(U+1F600)")), "{err}");
    assert!(err.contains("C02 大原地域ステーション: 提出済み"), "{err}");
    let out = tmp.path().join("out");
    let pdf = common::squash(&common::pdftotext(&out.join("結果報告.pdf"), &[]));
    assert!(pdf.contains("笑顔〓で取り組む"), "the PDF shows the place of the character");
    assert!(all_text(&out.join("集計.xlsx")).contains("笑顔😀で取り組む"), "集計.xlsx keeps the text as written");
}

#[test]
fn a_character_no_font_has_in_a_centre_plan_is_that_centres_fix() {
    let pm = keikaku::forms::plan::master::Master::example();
    let c = &pm.centres[0];
    let mut values = common::plan::values(&pm, &c.id, &common::plan::sample_answers()[&c.id]);
    let overall =
        values.iter_mut().find(|(n, _)| n == &keikaku::forms::plan::sheets::Field::Overall.name(None)).unwrap();
    overall.1 = format!("{}🙂", overall.1);
    let filled = common::plan::filled(&pm, &c.id, &values);
    let (o, tmp) = collect_files("plan", "samples/plan_master.xlsx", &[("a.xlsx", filled)], &[]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains(&format!("{} {}: 要修正", c.id, c.name)) && err.contains("「🙂」(U+1F642)"), "{err}");
    let pdf = common::squash(&common::pdftotext(&tmp.path().join("out/事業計画書.pdf"), &[]));
    assert!(pdf.contains("〓"), "the PDF shows the place of the character");
}

#[test]
fn plan_limits_and_formulas_are_that_centres_fix() {
    let pm = keikaku::forms::plan::master::Master::example();
    let c = &pm.centres[0];
    let mut values = common::plan::values(&pm, &c.id, &common::plan::sample_answers()[&c.id]);
    let overall = keikaku::forms::plan::sheets::Field::Overall.name(None);
    values.iter_mut().find(|(n, _)| *n == overall).unwrap().1 = "𠮷".repeat(20_000);
    let filled = common::plan::filled(&pm, &c.id, &values);
    let sub = read_plan(&filled, &pm);
    let p = sub.problems.iter().find(|p| p.message().contains("長すぎます")).expect("a 差戻し");
    assert_eq!(p.severity, Severity::Fix);
    assert!(p.message().contains("40,000 文字"), "a character outside the BMP counts two: {}", p.message());
    let a = sub.answers.iter().find(|a| a.key.field == keikaku::forms::plan::sheets::Field::Overall).unwrap();
    assert_eq!(a.text(), None);
    // A formula without its result in the first goal of the second sheet.
    let grids = keikaku::forms::plan::sheets::sheets_of(&pm, &c.name, &pm.items_by_centre()[0]);
    let (cell, _) = grids[1].inputs().next().unwrap();
    let at = cell.at().to_string();
    let values = common::plan::values(&pm, &c.id, &common::plan::sample_answers()[&c.id]);
    let filled = common::plan::filled(&pm, &c.id, &values);
    let formula = edit_sheet(&filled, &grids[1].sheet, |x| {
        let start = x.find(&format!("<c r=\"{at}\"")).unwrap();
        let end = start + x[start..].find("</c>").unwrap() + 4;
        format!("{}<c r=\"{at}\" t=\"str\"><f>1+1</f></c>{}", &x[..start], &x[end..])
    });
    let sub = read_plan(&formula, &pm);
    assert!(sub.usable());
    assert!(
        sub.problems.iter().any(|p| p.severity == Severity::Fix
            && p.cell().as_deref() == Some(at.as_str())
            && p.message().contains("数式の計算結果がブックに保存されていません")),
        "{:?}",
        sub.problems
    );
}

#[test]
fn messages_quote_long_values_short_so_every_output_holds_them() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C01");
    for (n, v) in answers.iter_mut() {
        if n.ends_with("_CHECK_DIRECTION") {
            *v = "継続".repeat(16_000);
        } else if n.contains("_RESULT_") {
            *v = "２".repeat(30_000);
        }
    }
    let c01 = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    let (o, tmp) = collect_files("pdca", "samples/pdca_master.xlsx", &[("C01.xlsx", c01)], &["--returns"]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{}", &err[..err.len().min(3000)]);
    assert!(err.contains("は選択肢にありません") && err.contains("全角数字を半角にしました"));
    assert!(err.lines().all(|l| l.chars().count() < 1_000), "no message repeats a long value");
    assert!(tmp.path().join("out/集計.xlsx").exists());
    assert_eq!(std::fs::read_dir(tmp.path().join("returns")).unwrap().count(), 1);
}

#[test]
fn collect_never_writes_over_an_input_reached_through_a_link() {
    let m = Master::example();
    let tmp = tempfile::tempdir().unwrap();
    let master = tmp.path().join("マスター.xlsx");
    std::fs::copy(common::root().join("samples/pdca_master.xlsx"), &master).unwrap();
    let before = std::fs::read(&master).unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("C01.xlsx"), fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01")))
        .unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::hard_link(&master, out.join("集計.xlsx")).unwrap();
    let o = common::keikaku(
        &["pdca", "collect", master.to_str().unwrap(), inbox.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("入力のファイルと同じです"), "{}", common::stderr(&o));
    assert_eq!(std::fs::read(&master).unwrap(), before, "the master is untouched");
}
