//! Reading returned PDCA workbooks (`keikaku::jobs::collect`): the sample is
//! distributed, then filled the way centres do (values typed into the input
//! cells, by editing the sheet XML of the distributed file), then read back
//! against the master.

mod common;

use common::fill::{complete_answers, distributed, fill, replace_in};
use common::xlsx_entries;

use keikaku::forms::pdca::collect::read_submission;
use keikaku::forms::pdca::collect::Submission;
use keikaku::forms::pdca::master::Master;
use keikaku::jobs::collect::Severity;
use keikaku::workbook::{CellRef, Workbook};

fn read(bytes: &[u8], master: &Master) -> Submission {
    let wb = Workbook::from_bytes("提出.xlsx", bytes).unwrap();
    read_submission(master, &wb)
}

#[test]
fn round_trip_returns_exactly_what_was_filled() {
    let m = Master::example();
    let answers = complete_answers(&m, "C03");
    let filled = fill(&distributed(&m, "C03"), &m, "C03", &answers);
    let sub = read(&filled, &m);
    assert_eq!(sub.problems, vec![], "a complete, untouched workbook has nothing to fix");
    assert!(sub.usable());
    assert_eq!(sub.centre.as_deref(), Some("C03"));
    let got: Vec<(String, String)> =
        sub.answers.iter().map(|a| (a.key.name(&m), a.text().unwrap().to_string())).collect();
    // A date cell reads back as the date (the sheet shows 令和8年7月31日).
    let want: Vec<(String, String)> = answers
        .into_iter()
        .map(|(n, v)| if n.ends_with("_DATE") { (n, "2026-07-31".to_string()) } else { (n, v) })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn empty_required_inputs_and_values_outside_the_dropdown_are_to_fix_with_their_cell() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C01");
    answers.retain(|(n, _)| n != "KK_4_1_1_ACTION");
    for (n, v) in answers.iter_mut() {
        if n == "KK_4_1_1_CHECK_DIRECTION" {
            *v = "継続（見直し）".into();
        }
    }
    let sub = read(&fill(&distributed(&m, "C01"), &m, "C01", &answers), &m);
    let fix: Vec<String> = sub
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Fix)
        .map(|p| format!("{} {} {}", p.sheet().unwrap_or(""), p.cell().as_deref().unwrap_or(""), p.message()))
        .collect();
    assert_eq!(fix.len(), 2, "{fix:#?}");
    assert!(
        fix[0].starts_with("4-1-1 福祉会議事業（地区ケア会議） C22 ")
            && fix[0].contains("「継続（見直し）」は選択肢にありません"),
        "{}",
        fix[0]
    );
    assert!(
        fix[1].starts_with("4-1-1 福祉会議事業（地区ケア会議） C23 ")
            && fix[1].contains("ACTION 具体的な取組み内容が未入力です"),
        "{}",
        fix[1]
    );
    assert!(sub.usable(), "to fix, but usable");
}

#[test]
fn full_width_digits_are_normalised_and_noted() {
    let m = Master::example();
    let mut answers = complete_answers(&m, "C01");
    let k = answers.iter().position(|(n, _)| n.contains("_RESULT_")).unwrap();
    answers[k].1 = "２４地区".into();
    let sub = read(&fill(&distributed(&m, "C01"), &m, "C01", &answers), &m);
    assert_eq!(sub.answers[k].text(), Some("24地区"));
    let noted: Vec<_> = sub.problems.iter().filter(|p| p.severity == Severity::Noted).collect();
    assert_eq!(noted.len(), 1, "{:?}", sub.problems);
    assert_eq!(noted[0].cell().as_deref(), Some(sub.answers[k].cell.to_string().as_str()));
    assert!(noted[0].message().contains("全角数字を半角にしました（24地区）"));
}

#[test]
fn another_centre_another_year_or_not_distributed_is_rejected() {
    let m = Master::example();
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    let other = replace_in(&bytes, "docProps/custom.xml", "<vt:lpwstr>C01</vt:lpwstr>", "<vt:lpwstr>C99</vt:lpwstr>");
    let sub = read(&other, &m);
    assert!(!sub.usable() && sub.problems[0].message().contains("センター ID「C99」"), "{:?}", sub.problems);
    let year = replace_in(&bytes, "docProps/custom.xml", "<vt:lpwstr>2026</vt:lpwstr>", "<vt:lpwstr>2025</vt:lpwstr>");
    let sub = read(&year, &m);
    assert!(!sub.usable() && sub.problems[0].message().contains("令和7年度 のブックです"), "{:?}", sub.problems);
    let agenda = std::fs::read(common::root().join("samples/agenda.xlsx")).unwrap();
    let sub = read(&agenda, &m);
    assert!(
        !sub.usable() && sub.problems[0].message().contains("配布した PDCA シートではありません"),
        "{:?}",
        sub.problems
    );
}

#[test]
fn structure_edits_are_found_through_the_defined_names() {
    let m = Master::example();
    let answers = complete_answers(&m, "C01");
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &answers);
    // A named cell deleted: Excel turns its name into #REF!.
    let gone = replace_in(
        &bytes,
        "xl/workbook.xml",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$23<",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!#REF!<",
    );
    let sub = read(&gone, &m);
    assert!(
        sub.problems.iter().any(|p| p.severity == Severity::Fix
            && p.cell().as_deref() == Some("C23")
            && p.message().contains("ACTION 具体的な取組み内容の欄が削除されています")),
        "{:?}",
        sub.problems
    );
    // A sheet renamed: Excel renames the sheet and the names' references together.
    let renamed = replace_in(&bytes, "xl/workbook.xml", "4-2-1 美作市内の社会福祉法人等連絡協議会", "美作お助け隊");
    let sub = read(&renamed, &m);
    let fix: Vec<_> = sub.problems.iter().filter(|p| p.severity == Severity::Fix).collect();
    assert_eq!(fix.len(), 1, "one message for the sheet, not one per cell: {fix:?}");
    assert!(fix[0].message().contains("に変わっています"), "{:?}", fix[0]);
    assert_eq!(sub.answers.len(), answers.len(), "the inputs are still read through the names");
    // A name pointing elsewhere while every locked cell is in place: the
    // value is read from the form's cell, and the name is to be put back.
    let moved = replace_in(
        &bytes,
        "xl/workbook.xml",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$23<",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$24<",
    );
    let sub = read(&moved, &m);
    assert!(
        sub.problems.iter().any(|p| p.severity == Severity::Fix
            && p.cell().as_deref() == Some("C23")
            && p.message().contains("C23 から「4-1-1 福祉会議事業（地区ケア会議）」C24 に変わっています")),
        "{:?}",
        sub.problems
    );
    assert_eq!(sub.answers.len(), answers.len());
    assert_eq!(read(&bytes, &m).answers, sub.answers, "every value from its own cell");
    // A name removed altogether.
    let wb_xml = xlsx_entries(&bytes).into_iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
    let wb_xml = String::from_utf8(wb_xml).unwrap();
    let start = wb_xml.find("<definedName name=\"KK_4_1_1_ACTION\"").unwrap();
    let end = start + wb_xml[start..].find("</definedName>").unwrap() + "</definedName>".len();
    let no_name = replace_in(&bytes, "xl/workbook.xml", &wb_xml[start..end], "");
    let sub = read(&no_name, &m);
    assert!(
        sub.problems.iter().any(|p| p.cell().as_deref() == Some(CellRef::new(22, 2).to_string().as_str())
            && p.message().contains("目印（名前の定義 KK_4_1_1_ACTION）がありません")),
        "{:?}",
        sub.problems
    );
}

/// The shipped `samples/pdca_returns/` are what `sample_returns` makes
/// (regenerate with `KEIKAKU_UPDATE_SAMPLES=1 cargo test --test collect`).
#[test]
fn sample_returns_are_current() {
    let m = Master::example();
    let dir = common::root().join("samples/pdca_returns");
    let update = std::env::var_os("KEIKAKU_UPDATE_SAMPLES").is_some();
    for (name, bytes) in common::fill::sample_returns(&m) {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let shipped = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(shipped == bytes, "{name} is stale: run KEIKAKU_UPDATE_SAMPLES=1 cargo test --test collect");
    }
}

/// Reads every row of a sheet of an xlsx as display strings.
fn sheet_rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn cell_text(d: &calamine::Data) -> String {
    match d {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        calamine::Data::Float(f) => f.to_string(),
        calamine::Data::Int(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

/// Runs `keikaku pdca collect MASTER INPUT -o OUT EXTRA...`.
fn run_collect(
    master: &std::path::Path,
    input: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args =
        vec!["pdca", "collect", master.to_str().unwrap(), input.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::keikaku(&args, &[])
}

/// Runs `pdca collect` on the shipped sample returns, plus a stray
/// workbook and a broken file, into a fresh folder.
fn collect_samples(dir: &std::path::Path, extra: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for e in std::fs::read_dir(common::root().join("samples/pdca_returns")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inbox.join(e.file_name())).unwrap();
    }
    std::fs::copy(common::root().join("samples/agenda.xlsx"), inbox.join("議案.xlsx")).unwrap();
    std::fs::write(inbox.join("壊れた.xlsx"), b"PK\x03\x04 not really a zip").unwrap();
    std::fs::write(inbox.join("~$C01_勝田地域ステーション.xlsx"), b"lock file").unwrap();
    std::fs::write(inbox.join("メモ.txt"), b"not a workbook").unwrap();
    let out = dir.join("out");
    let master = common::root().join("samples/pdca_master.xlsx");
    (run_collect(&master, &inbox, &out, extra), out)
}

#[test]
fn collect_combines_the_samples_and_reports_what_each_centre_must_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let returns = tmp.path().join("returns");
    let inbox_before: Vec<(String, Vec<u8>)> = std::fs::read_dir(common::root().join("samples/pdca_returns"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    let (o, out) = collect_samples(tmp.path(), &["--returns", returns.to_str().unwrap()]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "partial: C03 missing, C02 to fix, two stray files\n{err}");
    // The terminal 提出状況.
    assert!(err.contains("提出済み 1、要修正 1、受付不可 0、未提出 1"), "{err}");
    assert!(err.contains("C03 作東地域ステーション: 未提出"), "{err}");
    assert!(
        err.contains("「4-2-2 障害者作業所の運営（むぎの会）」シート C25: ACTION 具体的な取組み内容が未入力です"),
        "{err}"
    );
    assert!(
        err.contains("シート C24: CHECK 今後の方向性（継続・見直し・終了）「継続（拡充）」は選択肢にありません"),
        "{err}"
    );
    assert!(
        err.contains("[注記] 「4-1-1 福祉会議事業（地区ケア会議）」シート H10")
            && err.contains("全角数字を半角にしました（28地区）")
    );
    assert!(err.contains("「1」は数値ではなく文字列として入力されています"), "{err}");
    assert!(err.contains(
        "記入日「令和8年7月30日」は日付ではなく文字列として入力されています。令和8年7月30日（2026-07-30）と読みました"
    ));
    assert!(
        err.contains("C01_勝田地域ステーション（下書き）.xlsx」: ") && err.contains("の方が新しく保存されているため"),
        "{err}"
    );
    assert!(err.contains("議案.xlsx") && err.contains("配布した PDCA シートではありません"), "{err}");
    assert!(err.contains("壊れた.xlsx"), "{err}");
    assert!(!err.contains("~$") && !err.contains("メモ.txt"), "lock files and non-workbooks are skipped: {err}");
    // Inputs untouched.
    for (name, bytes) in &inbox_before {
        assert_eq!(&std::fs::read(common::root().join("samples/pdca_returns").join(name)).unwrap(), bytes);
        assert_eq!(&std::fs::read(tmp.path().join("inbox").join(name)).unwrap(), bytes, "{name} modified");
    }

    // 集計.xlsx: the tidy 達成目標 sheet.
    let summary = out.join("集計.xlsx");
    let rows = sheet_rows(&summary, "達成目標");
    let header: Vec<String> = rows[0].iter().map(cell_text).collect();
    assert_eq!(
        header[..8],
        ["センターID", "センター名", "事業番号", "事業名", "取組み番号", "取組み", "年度", "年度（和暦）"]
    );
    assert_eq!(header[8..14], ["計画", "計画値", "結果", "結果値", "単位", "達成率"]);
    assert_eq!(header[14..], ["提出ファイル", "シート", "セル", "SHA-256"]);
    let m = Master::example();
    // One row per centre × 事業 × indicator × year, for the two centres that submitted.
    let expected: usize =
        ["C01", "C02"].iter().flat_map(|c| m.projects_of(c)).map(|p| p.indicators.len() * m.plan.years().len()).sum();
    assert_eq!(rows.len() - 1, expected);
    let c02_411_r8 = rows
        .iter()
        .find(|r| {
            cell_text(&r[0]) == "C02"
                && cell_text(&r[2]) == "4-1-1"
                && cell_text(&r[4]) == "1"
                && cell_text(&r[6]) == "2026"
        })
        .expect("C02 4-1-1 indicator 1 in 2026");
    assert_eq!(c02_411_r8[6], calamine::Data::Float(2026.0), "西暦 as a number");
    assert_eq!(cell_text(&c02_411_r8[7]), "令和8年度");
    assert_eq!(cell_text(&c02_411_r8[8]), "31地区");
    assert_eq!(c02_411_r8[9], calamine::Data::Float(31.0));
    assert_eq!(cell_text(&c02_411_r8[10]), "28地区", "full-width digits normalised");
    assert_eq!(c02_411_r8[11], calamine::Data::Float(28.0));
    assert_eq!(cell_text(&c02_411_r8[12]), "地区");
    match c02_411_r8[13] {
        calamine::Data::Float(r) => assert!((r - 28.0 / 31.0).abs() < 1e-9, "{r}"),
        ref other => panic!("達成率 {other:?}"),
    }
    assert!(cell_text(&c02_411_r8[14]).ends_with("C02_大原地域ステーション.xlsx"));
    assert_eq!(cell_text(&c02_411_r8[15]), "4-1-1 福祉会議事業（地区ケア会議）");
    assert_eq!(cell_text(&c02_411_r8[16]), "H10");
    let sha = keikaku::jobs::collect::sha256_hex(
        &std::fs::read(common::root().join("samples/pdca_returns/C02_大原地域ステーション.xlsx")).unwrap(),
    );
    assert_eq!(cell_text(&c02_411_r8[17]), sha);
    // Only the newer C01 file was used.
    assert!(rows.iter().skip(1).all(|r| !cell_text(&r[14]).contains("下書き")));
    // The text answers.
    let texts = sheet_rows(&summary, "記述");
    let direction = texts
        .iter()
        .find(|r| cell_text(&r[0]) == "C02" && cell_text(&r[2]) == "4-2-2" && cell_text(&r[4]) == "CHECK 今後の方向性")
        .unwrap();
    assert_eq!(cell_text(&direction[7]), "継続（拡充）");
    assert_eq!(cell_text(&direction[10]), "C24");
    let do_r5 = texts
        .iter()
        .find(|r| {
            cell_text(&r[0]) == "C01"
                && cell_text(&r[2]) == "4-2-1"
                && cell_text(&r[4]) == "DO 取組み内容"
                && cell_text(&r[5]) == "2023"
        })
        .unwrap();
    assert_eq!(cell_text(&do_r5[6]), "令和5年度");
    assert!(cell_text(&do_r5[7]).starts_with("令和5年度は美作市内の社会福祉法人等連絡協議会について"));
    // 提出状況 and 差戻し一覧.
    let status = sheet_rows(&summary, "提出状況");
    let states: Vec<(String, String)> = status.iter().skip(1).map(|r| (cell_text(&r[0]), cell_text(&r[2]))).collect();
    assert_eq!(
        states,
        [("C01".into(), "提出済み".into()), ("C02".into(), "要修正".into()), ("C03".into(), "未提出".into())]
    );
    let problems = sheet_rows(&summary, "差戻し一覧");
    assert!(problems.iter().any(|r| cell_text(&r[0]) == "C02"
        && cell_text(&r[2]) == "差戻し"
        && cell_text(&r[5]) == "C25"
        && cell_text(&r[6]).contains("ACTION")));
    assert!(problems.iter().any(|r| cell_text(&r[0]).is_empty() && cell_text(&r[3]).ends_with("議案.xlsx")));
    // 達成率 by centre, with a native bar chart on that sheet.
    let rates = sheet_rows(&summary, "達成率");
    assert_eq!(rates.len(), 4);
    assert!(matches!(rates[1][5], calamine::Data::Float(_)) && rates[3][5] == calamine::Data::Empty);
    let parts = common::xlsx_entries(&std::fs::read(&summary).unwrap());
    let chart =
        String::from_utf8(parts.iter().find(|(n, _)| n == "xl/charts/chart1.xml").expect("a chart").1.clone()).unwrap();
    assert!(chart.contains("<c:barChart>") && chart.contains("達成率!$F$2:$F$4"), "{chart}");
    // No merged cells anywhere.
    assert!(parts
        .iter()
        .all(|(n, x)| !n.starts_with("xl/worksheets/") || !String::from_utf8_lossy(x).contains("<mergeCell ")));

    // The 差戻し workbook: only C02 has something to fix.
    let files: Vec<String> =
        std::fs::read_dir(&returns).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files, ["C02_大原地域ステーション_差戻し.xlsx"]);
    let back = sheet_rows(&returns.join(&files[0]), "差戻し");
    assert_eq!(cell_text(&back[1][0]), "差戻し", "差戻し first");
    assert!(back
        .iter()
        .any(|r| cell_text(&r[1]) == "4-2-2 障害者作業所の運営（むぎの会）" && cell_text(&r[2]) == "C25"));

    // 結果報告.pdf, as a reader sees it.
    let pdf = out.join("結果報告.pdf");
    common::qpdf_check(&pdf);
    common::assert_tagged(&pdf);
    let text = common::squash(&common::pdftotext(&pdf, &[]));
    common::assert_in_order(
        &text,
        &[
            "美作市地域福祉活動計画".into(),
            "PDCA結果報告".into(),
            "目次".into(),
            "提出状況".into(),
            "4-1-1福祉会議事業（地区ケア会議）".into(),
            "取組みの達成目標（計画と結果）".into(),
            "4-1-1C01勝田地域ステーション".into(),
            "4-2-5訪問介護事業".into(),
        ],
    );
    assert!(text.contains("28地区") && text.contains("未提出") && text.contains("継続（拡充）"));
    // The contents give page numbers that match where the sections are.
    let toc = common::page_text(&pdf, 2);
    let line = toc.lines().find(|l| l.contains("4-2-1 美作市内")).unwrap().to_string();
    let page: usize = line.split_whitespace().last().unwrap().parse().unwrap();
    assert!(common::page_text(&pdf, page).contains("4-2-1 美作市内の社会福祉法人等連絡協議会"), "{line}");
    assert!(common::pdffonts(&pdf).contains("IPAex"));
}

#[test]
fn collect_is_deterministic_and_refuses_to_overwrite_its_inputs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (oa, out_a) = collect_samples(a.path(), &[]);
    let (ob, out_b) = collect_samples(b.path(), &[]);
    assert_eq!(oa.status.code(), Some(3));
    assert_eq!(ob.status.code(), Some(3));
    for f in ["集計.xlsx", "結果報告.pdf"] {
        assert!(std::fs::read(out_a.join(f)).unwrap() == std::fs::read(out_b.join(f)).unwrap(), "{f} differs");
    }
    // A second run into the inbox itself: the earlier 集計.xlsx is skipped,
    // and an output that would replace a submission is refused.
    let inbox = a.path().join("inbox");
    std::fs::copy(out_a.join("集計.xlsx"), inbox.join("集計.xlsx")).unwrap();
    let master = common::root().join("samples/pdca_master.xlsx");
    let o = run_collect(&master, &inbox, &inbox, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("入力のファイルと同じです"), "{}", common::stderr(&o));
    let o = run_collect(&master, &inbox, &out_a, &["--no-pdf"]);
    assert!(
        common::stderr(&o).contains("keikaku が作った集計ファイルなので読み飛ばしました"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn a_complete_collection_exits_zero_and_an_empty_one_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let m = Master::example();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for c in ["C01", "C02", "C03"] {
        let bytes = fill(&distributed(&m, c), &m, c, &common::fill::sample_answers(&m, c));
        std::fs::write(inbox.join(format!("{c}.xlsx")), bytes).unwrap();
    }
    let master = common::root().join("samples/pdca_master.xlsx");
    let out = tmp.path().join("out");
    let o = run_collect(&master, &inbox, &out, &["--no-pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("提出済み 3、要修正 0、受付不可 0、未提出 0"));
    assert!(out.join("集計.xlsx").exists() && !out.join("結果報告.pdf").exists());
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run_collect(&master, &empty, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("提出されたブック（.xlsx / .xlsm / .xls / .ods）が見つかりません"));
}

/// A file that cannot be read is 受付不可 with why as data (the reader's
/// class of refusal) as well as the reader's message naming the file.
#[test]
fn unreadable_files_say_why_as_data() {
    use keikaku::diagnostic::{Kind, Refused};
    let dir = tempfile::tempdir().unwrap();
    let master = Master::example();
    let zip_head = b"PK\x03\x04\x14\x00\x00\x00\x08\x00broken".to_vec();
    let cases: [(&str, Option<Vec<u8>>, Refused); 4] = [
        ("empty.xlsx", Some(vec![]), Refused::Empty),
        ("text.xlsx", Some(b"ID,name\nC01,x\n".to_vec()), Refused::NotAWorkbook),
        ("cut.xlsx", Some(zip_head), Refused::Broken),
        ("gone.xlsx", None, Refused::Unopenable),
    ];
    for (name, bytes, want) in cases {
        let path = dir.path().join(name);
        if let Some(b) = &bytes {
            std::fs::write(&path, b).unwrap();
        }
        let r = keikaku::jobs::collect::read_file(&path, name, &[], |wb| {
            keikaku::forms::pdca::collect::read_submission(&master, wb)
        });
        assert!(!r.submission.usable(), "{name}");
        let p = &r.submission.problems[0];
        match &p.kind {
            Kind::Unreadable { refused, message } => {
                assert_eq!(*refused, Some(want), "{name}: {message}");
                assert!(message.contains(name), "{name}: {message}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
