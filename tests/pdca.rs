//! `keikaku init pdca` and `keikaku pdca distribute`: the distributed
//! workbooks are read back the way the collector and Excel see them: values
//! through calamine, defined names, cell locking and validation from the
//! xlsx XML, custom properties from docProps/custom.xml.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::Reader;
use common::{keikaku, page_count, pdftotext, qpdf_check, root, squash, stderr};
use keikaku::forms::grid::{Content, Grid, InputKind, Role};
use keikaku::forms::pdca::distribute::file_stem;
use keikaku::forms::pdca::master::{Centre, Master, SHEETS as FORM};
use keikaku::forms::pdca::sheets::{self as pdca, property};
use keikaku::forms::SheetData;
use keikaku::workbook::{CellRef, Value, Workbook};

fn sample_master() -> PathBuf {
    root().join("samples/pdca_master.xlsx")
}

fn distribute(master: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["pdca", "distribute", master.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    keikaku(&args, &[])
}

fn entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap_or_else(|_| panic!("{name} missing")).read_to_string(&mut s).unwrap();
    s
}

/// The sheet XML path of each sheet name.
fn sheet_paths(bytes: &[u8]) -> HashMap<String, String> {
    common::sheet_paths(&common::xlsx_entries(bytes))
}

/// Whether each cell format (cellXfs index) is locked.
fn locked_styles(bytes: &[u8]) -> Vec<bool> {
    let styles = entry(bytes, "xl/styles.xml");
    let doc = roxmltree::Document::parse(&styles).unwrap();
    let xfs = doc.descendants().find(|n| n.has_tag_name("cellXfs")).unwrap();
    xfs.children()
        .filter(|n| n.has_tag_name("xf"))
        .map(|xf| !xf.children().any(|p| p.has_tag_name("protection") && p.attribute("locked") == Some("0")))
        .collect()
}

fn parse_ref(r: &str) -> CellRef {
    let split = r.find(|c: char| c.is_ascii_digit()).unwrap();
    let col = r[..split].bytes().fold(0u32, |a, b| a * 26 + (b - b'A' + 1) as u32) - 1;
    CellRef::new(r[split..].parse::<u32>().unwrap() - 1, col)
}

struct SheetXml {
    /// Style index per written cell.
    styles: BTreeMap<CellRef, usize>,
    xml: String,
}

fn sheet_xml(bytes: &[u8], path: &str) -> SheetXml {
    let xml = entry(bytes, path);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let styles = doc
        .descendants()
        .filter(|n| n.has_tag_name("c"))
        .map(|c| (parse_ref(c.attribute("r").unwrap()), c.attribute("s").map_or(0, |s| s.parse().unwrap())))
        .collect();
    SheetXml { styles, xml }
}

fn custom_properties(bytes: &[u8]) -> HashMap<String, String> {
    let xml = entry(bytes, "docProps/custom.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|n| {
            let v = n.children().find(|c| c.is_element()).and_then(|c| c.text()).unwrap_or("").to_string();
            (n.attribute("name").unwrap().to_string(), v)
        })
        .collect()
}

fn defined_names(bytes: &[u8]) -> HashMap<String, String> {
    let xlsx: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    xlsx.defined_names().iter().cloned().collect()
}

/// Everything the tests check about one distributed workbook.
fn check_workbook(master: &Master, centre: &Centre, bytes: &[u8]) {
    let grids: Vec<Grid> = pdca::centre_sheets(master, &centre.id);
    let projects: Vec<_> = master.projects_of(&centre.id).collect();
    assert_eq!(grids.len(), projects.len());

    // Custom properties identify the workbook.
    let props = custom_properties(bytes);
    assert_eq!(props[property::FORM], keikaku::forms::pdca::FORM.kind);
    assert_eq!(props[property::SCHEMA], keikaku::forms::pdca::FORM.schema.to_string());
    assert_eq!(props[property::CENTRE], centre.id);
    assert_eq!(props[property::FISCAL_YEAR], master.plan.fiscal_year.to_string());
    assert_eq!(
        props[property::PLAN_HASH],
        pdca::plan_hash(&master.plan, keikaku::forms::pdca::distribute::recipient(centre), projects.iter().copied())
    );
    assert_eq!(props.len(), 5, "{props:?}");

    // Values as calamine reads them (keikaku's reader is calamine behind the guard).
    let wb = Workbook::from_bytes("distributed.xlsx", bytes).unwrap();
    let names = defined_names(bytes);
    let locked = locked_styles(bytes);
    let paths = sheet_paths(bytes);
    let mut input_names = 0;
    for (grid, project) in grids.iter().zip(&projects) {
        let sheet = wb.sheet(&grid.sheet).unwrap_or_else(|| panic!("sheet {} missing", grid.sheet));
        // The PLAN text is the master's, cell by cell.
        let text_at = |label: &str| {
            let label_cell = grid.cells.iter().find(|c| c.content == Content::Text(label.into())).unwrap();
            let value_cell = grid.cells.iter().find(|c| c.row == label_cell.row && c.col == 2).unwrap();
            sheet.get(value_cell.at()).cloned()
        };
        assert_eq!(text_at("現状と課題"), Some(Value::Text(project.situation.clone())));
        assert_eq!(text_at("方針・目標"), Some(Value::Text(project.policy.clone())));
        for cell in &grid.cells {
            let got = sheet.get(cell.at());
            match &cell.content {
                Content::Text(s) => assert_eq!(got, Some(&Value::Text(s.clone())), "{} {}", grid.sheet, cell.at()),
                Content::Number(n) => assert_eq!(got, Some(&Value::Number(*n)), "{} {}", grid.sheet, cell.at()),
                Content::Empty => assert!(got.is_none_or(Value::is_blank), "{} {} = {got:?}", grid.sheet, cell.at()),
            }
        }
        // Every indicator's 計画 values are in its row, under its years.
        for ind in &project.indicators {
            let name_cell = grid.cells.iter().find(|c| c.content == Content::Text(ind.name.clone())).unwrap();
            for (k, v) in ind.plan.iter().enumerate() {
                let got = sheet.get(CellRef::new(name_cell.row, 4 + k as u32)).map(Value::display);
                assert_eq!(got.as_deref(), v.as_deref(), "{} {} year {k}", project.number, ind.name);
            }
        }

        // Locking: input cells (every cell of a merged input) unlocked, every other written cell locked.
        let xml = sheet_xml(bytes, &paths[&grid.sheet]);
        assert!(xml.xml.contains("<sheetProtection sheet=\"1\""), "sheet protection on");
        assert!(xml.xml.contains("paperSize=\"9\"") && xml.xml.contains("orientation=\"portrait\""), "A4 portrait");
        assert!(
            xml.xml.contains("<pageSetUpPr fitToPage=\"1\"/>") && xml.xml.contains("fitToHeight=\"0\""),
            "one page wide"
        );
        assert!(xml.xml.contains(&format!("&amp;L{}", centre.name)), "footer names the centre");
        let mut input_cells = std::collections::HashSet::new();
        for (cell, input) in grid.inputs() {
            for r in cell.row..cell.row + cell.rows {
                for c in cell.col..cell.col + cell.cols {
                    input_cells.insert(CellRef::new(r, c));
                }
            }
            // Named, at the expected cell.
            let want = keikaku::xlsx::sheet_reference(&grid.sheet, cell.at());
            assert_eq!(names.get(&input.name).map(|f| format!("={f}")), Some(want), "{}", input.name);
            input_names += 1;
            if let InputKind::Choice(list) = input.kind {
                // A list that shows its prompt and refuses other values (stop style, the default).
                let formula = format!("<formula1>\"{}\"</formula1>", list.join(","));
                let dv = xml.xml.split("<dataValidation ").find(|d| d.contains(&formula)).expect("dropdown");
                assert!(
                    dv.contains("type=\"list\"")
                        && dv.contains("showErrorMessage=\"1\"")
                        && dv.contains("showInputMessage=\"1\""),
                    "{dv}"
                );
                assert!(!dv.contains("errorStyle"), "stop style: other values are refused: {dv}");
            }
        }
        assert!(!input_cells.is_empty());
        // Row heights: the grid's (computed from the text), written as custom heights.
        let doc = roxmltree::Document::parse(&xml.xml).unwrap();
        let heights: HashMap<u32, f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("row"))
            .map(|n| {
                (n.attribute("r").unwrap().parse::<u32>().unwrap() - 1, n.attribute("ht").unwrap().parse().unwrap())
            })
            .collect();
        for (r, want) in grid.rows.iter().enumerate() {
            let got = heights[&(r as u32)];
            assert!(
                (got - want).abs() <= 1.0 && got <= 409.0,
                "{} row {}: height {got}, grid {want}",
                grid.sheet,
                r + 1
            );
        }
        for (at, style) in &xml.styles {
            assert_eq!(
                locked[*style],
                !input_cells.contains(at),
                "{} {at}: locked must be {}",
                grid.sheet,
                !input_cells.contains(at)
            );
        }
        for at in &input_cells {
            assert!(xml.styles.contains_key(at), "{} {at}: input cell written with its unlocked format", grid.sheet);
        }
        // Title rows repeat on every printed page.
        let (first, last) = grid.title_rows;
        let titles = format!("'{}'!${}:${}", grid.sheet, first + 1, last + 1);
        let wbxml = entry(bytes, "xl/workbook.xml");
        assert!(wbxml.contains(&titles), "print titles {titles}");
    }
    // No name the grid does not know (so the collector can trust every name).
    let ours: usize = names.keys().filter(|n| n.starts_with("KK_")).count();
    assert_eq!(ours, input_names);
}

#[test]
fn distributed_workbooks_read_back_as_the_master_says() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("配布");
    let o = distribute(&sample_master(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let master = Master::example();
    let mut files: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(
        files,
        vec!["C01_勝田地域ステーション.xlsx", "C02_大原地域ステーション.xlsx", "C03_作東地域ステーション.xlsx"]
    );
    let msg = stderr(&o);
    assert!(msg.contains("3 センター分、9 シート") && msg.contains("ファイル 3 個"), "{msg}");
    for centre in &master.centres {
        let bytes = std::fs::read(out.join(format!("{}.xlsx", file_stem(centre)))).unwrap();
        check_workbook(&master, centre, &bytes);
    }
}

#[test]
fn the_sample_master_is_the_sample_json_and_init_reproduces_it() {
    let wb = Workbook::open(&sample_master()).unwrap();
    assert_eq!(keikaku::forms::pdca::master::read(&wb).unwrap(), Master::example());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.xlsx");
    let json = root().join("samples/pdca_master.json");
    let o = keikaku(&["init", "pdca", "--from", json.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(sample_master()).unwrap(),
        "samples/pdca_master.xlsx is made by init --from"
    );
}

#[test]
fn same_master_gives_the_same_bytes_and_source_date_epoch_sets_the_date() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, env: &[(&str, &str)]| {
        let out = dir.path().join(name);
        let m = sample_master();
        let o = keikaku(&["pdca", "distribute", m.to_str().unwrap(), "-o", out.to_str().unwrap(), "--pdf"], env);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let a = run("a", &[]);
    let b = run("b", &[]);
    assert_eq!(a.len(), 6);
    assert!(a == b, "two runs give the same files and bytes");
    let c = run("c", &[("SOURCE_DATE_EPOCH", "1700000000")]);
    let xlsx = &c.iter().find(|(n, _)| n.ends_with(".xlsx")).unwrap().1;
    assert!(entry(xlsx, "docProps/core.xml").contains("2023-11-14T22:13:20Z"));
    assert!(entry(&a[1].1, "docProps/core.xml").contains("2000-01-01T00:00:00Z"));
}

#[test]
fn pdf_has_one_page_per_project_with_the_plan_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = distribute(&sample_master(), dir.path(), &["--pdf"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let master = Master::example();
    for centre in &master.centres {
        let pdf = dir.path().join(format!("{}.pdf", file_stem(centre)));
        qpdf_check(&pdf);
        let projects: Vec<_> = master.projects_of(&centre.id).collect();
        assert_eq!(page_count(&pdf), projects.len(), "{}: one A4 page per 事業, like the reference", centre.id);
        for (i, p) in projects.iter().enumerate() {
            // In drawing order: a cell's text beside the 計画 label of the
            // next cell is read as one.
            let text = squash(&common::page_text_drawn(&pdf, i + 1));
            for needle in [&p.number, &p.name, &p.situation, &p.policy] {
                assert!(text.contains(&squash(needle)), "{} page {}: {needle}", centre.id, i + 1);
            }
            for ind in &p.indicators {
                assert!(text.contains(&squash(&ind.name)), "{}", ind.name);
            }
            for label in [
                "PLAN",
                "DO",
                "CHECK",
                "ACTION",
                "毎年度7月末時点",
                "継続（一部見直し）",
                "R5",
                "R9",
                centre.name.as_str(),
            ] {
                assert!(text.contains(label), "{} page {}: {label}", centre.id, i + 1);
            }
        }
    }
    let all = pdftotext(&dir.path().join("C01_勝田地域ステーション.pdf"), &[]);
    assert!(all.contains("30地区") && all.contains("20地区"));
}

/// Writes a master built from `sheets` and returns its path.
fn master_file(dir: &Path, sheets: &[SheetData]) -> PathBuf {
    let p = dir.join("master.xlsx");
    std::fs::write(&p, keikaku::xlsx::write_form("t", &FORM, sheets).unwrap()).unwrap();
    p
}

/// Distribution must fail with exit 2, every expected fragment in the
/// message, and nothing written.
fn assert_refused(sheets: &[SheetData], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let m = master_file(dir.path(), sheets);
    let before = std::fs::read(&m).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("既存.txt"), b"keep").unwrap();
    let o = distribute(&m, &out, &[]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{msg}");
    for e in expected {
        assert!(msg.contains(e), "expected {e:?} in: {msg}");
    }
    assert!(!msg.contains("panicked"), "{msg}");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("既存.txt")], "nothing written, nothing removed");
    assert_eq!(std::fs::read(&m).unwrap(), before, "input unchanged");
}

fn rows(sheets: &mut [SheetData], i: usize) -> &mut Vec<Vec<Option<keikaku::forms::CellData>>> {
    match &mut sheets[i] {
        SheetData::Table { rows, .. } => rows,
        _ => unreachable!(),
    }
}

fn text(s: &str) -> Option<keikaku::forms::CellData> {
    Some(keikaku::forms::CellData::Text(s.into()))
}

#[test]
fn unknown_centre_in_a_project() {
    let mut s = Master::example().to_sheets();
    rows(&mut s, 2)[1][4] = text("C01、C09");
    assert_refused(&s, &["「事業」シート E3", "担当センター「C09」", "「センター」シートにありません"]);
}

#[test]
fn indicator_for_an_unknown_project() {
    let mut s = Master::example().to_sheets();
    rows(&mut s, 3)[4][0] = text("4-9-9");
    assert_refused(&s, &["「達成目標」シート A6", "事業番号「4-9-9」", "「事業」シートにありません"]);
}

#[test]
fn duplicate_ids_and_numbers_are_all_reported_at_once() {
    let mut s = Master::example().to_sheets();
    let dup = rows(&mut s, 1)[0].clone();
    rows(&mut s, 1).push(dup);
    let dup = rows(&mut s, 2)[5].clone();
    rows(&mut s, 2).push(dup);
    assert_refused(
        &s,
        &["2 件の問題", "「センター」シート A5: ID「C01」が A2 と重複", "「事業」シート A8: 番号「4-2-5」が A7 と重複"],
    );
}

#[test]
fn year_column_outside_the_plan_period() {
    let mut s = Master::example().to_sheets();
    if let SheetData::Table { headers: Some(h), .. } = &mut s[3] {
        h[6] = "R10".into();
    }
    assert_refused(
        &s,
        &["「達成目標」シート G1", "列「R10」（令和10年度）が計画期間（R5～R9）の外です", "R9 の列がありません"],
    );
}

#[test]
fn fiscal_year_outside_the_period_and_an_unreadable_period() {
    let mut s = Master::example().to_sheets();
    if let SheetData::KeyValue(v) = &mut s[0] {
        v[3] = text("令和10年度");
    }
    assert_refused(&s, &["「計画」シート B5", "記入年度 令和10年度 が計画期間（R5～R9）の外です"]);
    let mut s = Master::example().to_sheets();
    if let SheetData::KeyValue(v) = &mut s[0] {
        v[2] = text("令和5年度から5年間");
    }
    assert_refused(&s, &["「計画」シート B4", "計画期間「令和5年度から5年間」を読めません"]);
}

#[test]
fn full_width_ids_and_wareki_fiscal_year_are_accepted() {
    let mut s = Master::example().to_sheets();
    rows(&mut s, 2)[0][4] = text("Ｃ０１，c02\nC03");
    if let SheetData::KeyValue(v) = &mut s[0] {
        v[3] = text("Ｒ８");
        v[2] = text("令和５年度〜令和９年度");
    }
    let dir = tempfile::tempdir().unwrap();
    let m = master_file(dir.path(), &s);
    let read = keikaku::forms::pdca::master::read(&Workbook::open(&m).unwrap()).unwrap();
    assert_eq!(read, Master::example());
}

#[test]
fn centre_names_become_safe_file_names() {
    let mut m = Master::example();
    m.centres[0].name = "../..\\CON:勝田*?".into();
    m.centres[1].id = "CON".into();
    m.centres[1].name = "大原".into();
    for p in &mut m.projects {
        for c in &mut p.centres {
            if c == "C02" {
                *c = "CON".into();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let master = master_file(dir.path(), &m.to_sheets());
    let out = dir.path().join("out");
    let o = distribute(&master, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, vec!["C01_.._.._CON_勝田_.xlsx", "C03_作東地域ステーション.xlsx", "CON_大原.xlsx"]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "nothing written outside the output folder");
}

#[test]
fn two_centres_with_the_same_file_name_are_refused() {
    let mut m = Master::example();
    m.centres[1].id = "C01_勝田地域ステーション".into();
    m.centres[1].name = "x".into();
    m.centres[0].id = "C01".into();
    m.centres[0].name = "勝田地域ステーション_x".into();
    for p in &mut m.projects {
        for c in &mut p.centres {
            if c == "C02" {
                *c = m.centres[1].id.clone();
            }
        }
    }
    assert_refused(&m.to_sheets(), &["ファイル名が同じ", "C01_勝田地域ステーション_x.xlsx"]);
}

#[test]
fn centres_without_projects_get_no_file_and_are_listed() {
    let mut m = Master::example();
    m.centres.push(Centre { id: "C09".into(), name: "英田地域ステーション".into(), contact: None });
    let dir = tempfile::tempdir().unwrap();
    let master = master_file(dir.path(), &m.to_sheets());
    let out = dir.path().join("out");
    let o = distribute(&master, &out, &[]);
    assert!(o.status.success());
    assert!(stderr(&o).contains("作らなかったセンター: C09（英田地域ステーション）"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
}

#[test]
fn blank_init_master_has_notes_and_tells_what_to_fill() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("マスター.xlsx");
    let o = keikaku(&["init", "pdca", "-o", m.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&m).unwrap();
    let wb = Workbook::from_bytes("m.xlsx", &bytes).unwrap();
    for s in ["計画", "センター", "事業", "達成目標"] {
        assert!(wb.sheet(s).is_some(), "{s}");
    }
    let targets = wb.sheet("達成目標").unwrap();
    assert_eq!(targets.get(CellRef::new(0, 2)), Some(&Value::Text("R5".into())));
    let comments: String = (1..=4).map(|i| entry(&bytes, &format!("xl/comments{i}.xml"))).collect();
    assert!(comments.contains("担当センター") || comments.contains("この事業のシートを送るセンター"));
    assert!(entry(&bytes, "xl/styles.xml").contains("<charset val=\"128\"/>"));
    // 事業番号 in 達成目標 is a dropdown of the 事業 sheet's numbers.
    let targets_xml = entry(&bytes, &sheet_paths(&bytes)["達成目標"]);
    assert!(targets_xml.contains("<formula1>'事業'!$A$2:$A$100000</formula1>"), "{targets_xml}");
    // Distributing the blank master names what is missing.
    let out = dir.path().join("out");
    let o = distribute(&m, &out, &[]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(msg.contains("「計画」シート B2: 計画名が空です"), "{msg}");
    assert!(msg.contains("センターが 1 つもありません"), "{msg}");
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().count() == 0);
    // init does not overwrite.
    let o = keikaku(&["init", "pdca", "-o", m.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_broken_master_is_refused_by_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("master.xlsx");
    std::fs::write(&m, b"PK\x03\x04 not really a zip").unwrap();
    let o = distribute(&m, &dir.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("master.xlsx"), "{}", stderr(&o));
    assert!(!dir.path().join("out").exists() || std::fs::read_dir(dir.path().join("out")).unwrap().count() == 0);
}

#[test]
fn grid_roles_match_the_locking_rules() {
    // The form description itself: closed cells are only in 結果 rows after 記入年度.
    let m = Master::example();
    let g = pdca::sheet(&m, "勝田", &m.projects[0], "s");
    let closed_cols: Vec<u32> = g.cells.iter().filter(|c| c.role == Role::Closed).map(|c| c.col).collect();
    assert!(!closed_cols.is_empty());
    assert!(closed_cols.iter().all(|c| *c == 4 + 4), "only the R9 column is closed in 令和8年度");
}

#[test]
fn without_source_date_epoch_the_workbooks_carry_the_masters_save_time() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.xlsx");
    let json = root().join("samples/pdca_master.json");
    let o = keikaku(
        &["init", "pdca", "--from", json.to_str().unwrap(), "-o", m.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(entry(&std::fs::read(&m).unwrap(), "docProps/core.xml")
        .contains("<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2023-11-14T22:13:20Z"));
    let out = dir.path().join("out");
    let o = distribute(&m, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(out.join("C01_勝田地域ステーション.xlsx")).unwrap();
    assert!(entry(&bytes, "docProps/core.xml")
        .contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2023-11-14T22:13:20Z"));
}

#[test]
fn project_numbers_that_names_cannot_tell_apart_or_too_long() {
    let mut s = Master::example().to_sheets();
    rows(&mut s, 2)[1][0] = text("4.1.1");
    rows(&mut s, 2)[2][0] = text("4-2-2-4-2-2-4-2-2-4-2-2");
    assert_refused(
        &s,
        &[
            "「事業」シート A3: 番号「4.1.1」は A2 の「4-1-1」と区別できません",
            "「事業」シート A4: 番号が長すぎます（23 文字）。20 文字以内",
        ],
    );
}

#[test]
fn plan_text_taller_than_an_excel_row_spans_several_rows_and_is_kept_whole() {
    let mut m = Master::example();
    let long: String = "地区ケア会議の意義や目的を共有し、課題の解決につなげる。".repeat(120);
    m.projects[0].situation = long.clone();
    let dir = tempfile::tempdir().unwrap();
    let master = master_file(dir.path(), &m.to_sheets());
    let out = dir.path().join("out");
    let o = distribute(&master, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(out.join("C01_勝田地域ステーション.xlsx")).unwrap();
    check_workbook(&m, &m.centres[0], &bytes);
    let grid = &pdca::centre_sheets(&m, "C01")[0];
    let cell = grid.cells.iter().find(|c| c.content == Content::Text(long.clone())).unwrap();
    assert!(cell.rows > 1, "the text needs more than one 409 pt row");
    let heights = &grid.rows[cell.row as usize..(cell.row + cell.rows) as usize];
    assert!(heights.iter().all(|h| *h <= 409.0));
    let xml = sheet_xml(&bytes, &sheet_paths(&bytes)[&grid.sheet]).xml;
    let first = cell.row + 1;
    assert!(xml.contains(&format!("<row r=\"{first}\"")), "row heights written");
    let range = format!("C{}:I{}", first, first + cell.rows - 1);
    assert!(xml.contains(&format!("<mergeCell ref=\"{range}\"/>")), "{range} merged");
}

#[test]
fn every_problem_is_reported_once_even_across_sheets() {
    let mut s = Master::example().to_sheets();
    // 担当センター with separators only: the 事業 would go to nobody.
    rows(&mut s, 2)[0][4] = text("・");
    // A 事業 row with a missing 事業名: its 達成目標 rows are not reported again.
    rows(&mut s, 2)[1][1] = None;
    // An ID with a separator cannot be referenced.
    rows(&mut s, 1)[2][0] = text("C 03");
    // A 計画名 longer than a title can hold.
    if let SheetData::KeyValue(v) = &mut s[0] {
        v[0] = text(&"計".repeat(101));
    }
    let dir = tempfile::tempdir().unwrap();
    let m = master_file(dir.path(), &s);
    let o = distribute(&m, &dir.path().join("out"), &[]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{msg}");
    for e in [
        "「事業」シート E2: 担当センター「・」に ID がありません",
        "「事業」シート B3: 事業名が空です",
        "「センター」シート A4: ID「C 03」に区切りの文字",
        "「計画」シート B2: 計画名が長すぎます（101 文字）。100 文字以内",
    ] {
        assert!(msg.contains(e), "expected {e:?} in: {msg}");
    }
    assert!(!msg.contains("事業番号「4-2-1」は「事業」シートにありません"), "not reported twice: {msg}");
}

#[test]
fn a_missing_sheet_does_not_hide_problems_in_the_others() {
    let mut s = Master::example().to_sheets();
    rows(&mut s, 1)[0][0] = None;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("master.xlsx");
    let forms = [FORM[0], FORM[1], FORM[2]];
    std::fs::write(&p, keikaku::xlsx::write_form("t", &forms, &s[..3]).unwrap()).unwrap();
    let o = distribute(&p, &dir.path().join("out"), &[]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        msg.contains("「達成目標」シートがありません") && msg.contains("「センター」シート A2: IDが空です"),
        "{msg}"
    );
}

#[test]
fn control_characters_from_pasted_text_are_cleaned() {
    let mut m = Master::example();
    m.projects[0].name = "福祉会議事業\u{1}（地区ケア会議）".into();
    m.projects[0].situation = "一行目\u{0B}二行目\tです".into();
    let dir = tempfile::tempdir().unwrap();
    let master = master_file(dir.path(), &m.to_sheets());
    let read = keikaku::forms::pdca::master::read(&Workbook::open(&master).unwrap()).unwrap();
    assert_eq!(read.projects[0].name, "福祉会議事業（地区ケア会議）");
    assert_eq!(read.projects[0].situation, "一行目\n二行目 です");
    let out = dir.path().join("out");
    let o = distribute(&master, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(out.join("C01_勝田地域ステーション.xlsx")).unwrap();
    assert!(!entry(&bytes, "xl/workbook.xml").contains('\u{1}'));
    check_workbook(&read, &read.centres[0], &bytes);
}

#[test]
fn the_master_kept_in_the_output_folder_under_a_centre_file_name_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("C01_勝田地域ステーション.xlsx");
    std::fs::copy(sample_master(), &m).unwrap();
    let before = std::fs::read(&m).unwrap();
    let o = distribute(&m, dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("マスターブック") && stderr(&o).contains("別の出力先フォルダー"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&m).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A master's problems are data as well as the message: each finding of
/// the error has its file, sheet and cell, is an error, and the message
/// lists exactly the findings, each with its place.
#[test]
fn master_problems_carry_their_sheet_and_cell() {
    use keikaku::diagnostic::{Kind, Severity};
    let mut s = Master::example().to_sheets();
    let dup = rows(&mut s, 1)[0].clone();
    rows(&mut s, 1).push(dup);
    rows(&mut s, 3)[4][0] = text("4-9-9");
    let dir = tempfile::tempdir().unwrap();
    let m = master_file(dir.path(), &s);
    let wb = Workbook::open(&m).unwrap();
    let e = keikaku::forms::pdca::master::read(&wb).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(e.diagnostics.len(), 2, "{e}");
    let at: Vec<(Option<&str>, Option<String>)> = e.diagnostics.iter().map(|d| (d.sheet(), d.cell())).collect();
    assert_eq!(at, [(Some("センター"), Some("A5".to_string())), (Some("達成目標"), Some("A6".to_string()))]);
    for d in &e.diagnostics {
        assert_eq!(d.severity, Severity::Error);
        assert!(matches!(d.kind, Kind::Invalid { .. }));
        assert_eq!(d.origin.file.as_deref(), Some(m.display().to_string().as_str()));
        assert!(e.message.contains(&format!("  - {}", d.located())), "{e}");
    }
    assert!(e.diagnostics[1].message().contains("事業番号「4-9-9」は「事業」シートにありません"));
}
