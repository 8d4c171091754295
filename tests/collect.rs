//! Reading returned PDCA workbooks (`keikaku::collect`): the sample is
//! distributed, then filled the way centres do (values typed into the input
//! cells, by editing the sheet XML of the distributed file), then read back
//! against the master.

mod common;

use common::{sheet_paths, xlsx_entries};

use std::io::{Cursor, Write};

use keikaku::collect::{read_submission, Severity, Submission};
use keikaku::distribute::centre_workbook;
use keikaku::form::grid::InputKind;
use keikaku::form::pdca;
use keikaku::model::pdca::Master;
use keikaku::workbook::{CellRef, Workbook};

/// The distributed workbook of a centre.
fn distributed(master: &Master, centre: &str) -> Vec<u8> {
    let c = master.centres.iter().find(|c| c.id == centre).unwrap();
    let projects: Vec<_> = master.projects_of(centre).collect();
    centre_workbook(master, c, &projects, None).unwrap().1
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in parts {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Puts `text` into cell `at` of a sheet XML (as Excel stores typed text:
/// here inline), keeping the cell's style.
fn set_cell(xml: &str, at: &str, text: &str) -> String {
    let start = xml.find(&format!("<c r=\"{at}\"")).unwrap_or_else(|| panic!("cell {at} not in sheet"));
    let rest = &xml[start..];
    let head_end = rest.find('>').unwrap();
    let end = if rest[..head_end].ends_with('/') { head_end + 1 } else { rest.find("</c>").unwrap() + 4 };
    let head = &rest[..head_end];
    let style = head.split_whitespace().find(|a| a.starts_with("s=")).map(|s| s.trim_end_matches('/')).unwrap_or("");
    let cell = format!("<c r=\"{at}\" {style} t=\"inlineStr\"><is><t>{}</t></is></c>", xml_escape(text));
    format!("{}{}{}", &xml[..start], cell, &xml[start + end..])
}

/// Fills inputs: (defined name, text).
fn fill(bytes: &[u8], master: &Master, centre: &str, values: &[(String, String)]) -> Vec<u8> {
    let mut parts = xlsx_entries(bytes);
    let paths = sheet_paths(&parts);
    let grids = pdca::centre_sheets(master, centre);
    for (name, text) in values {
        let (grid, cell) = grids
            .iter()
            .find_map(|g| g.inputs().find(|(_, i)| &i.name == name).map(|(c, _)| (g, c)))
            .unwrap_or_else(|| panic!("{name}"));
        let path = &paths[&grid.sheet];
        let part = parts.iter_mut().find(|(p, _)| p == path).unwrap();
        let xml = String::from_utf8(part.1.clone()).unwrap();
        part.1 = set_cell(&xml, &cell.at().to_string(), text).into_bytes();
    }
    rezip(&parts)
}

/// A complete, valid answer for every input of a centre.
fn complete_answers(master: &Master, centre: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for g in pdca::centre_sheets(master, centre) {
        for (k, (_, input)) in g.inputs().enumerate() {
            let text = match input.kind {
                InputKind::Choice(list) => list[k % list.len()].to_string(),
                InputKind::Short => format!("{}地区", k + 1),
                InputKind::LongText => format!("{} の記入 {k}\n二行目", input.label),
            };
            v.push((input.name.clone(), text));
        }
    }
    v
}

fn read(bytes: &[u8], master: &Master) -> Submission {
    let wb = Workbook::from_bytes("提出.xlsx", bytes).unwrap();
    read_submission(master, &wb)
}

fn replace_in(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    let mut parts = xlsx_entries(bytes);
    let p = parts.iter_mut().find(|(n, _)| n == part).unwrap();
    let xml = String::from_utf8(p.1.clone()).unwrap();
    assert!(xml.contains(from), "{from} not in {part}");
    p.1 = xml.replace(from, to).into_bytes();
    rezip(&parts)
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
    let got: Vec<(String, String)> = sub.answers.iter().map(|a| (a.name.clone(), a.value.clone().unwrap())).collect();
    assert_eq!(got, answers);
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
        .map(|p| format!("{} {} {}", p.sheet.as_deref().unwrap_or(""), p.cell.as_deref().unwrap_or(""), p.message))
        .collect();
    assert_eq!(fix.len(), 2, "{fix:#?}");
    assert!(
        fix[0].starts_with("4-1-1 福祉会議事業（地区ケア会議） C21 ")
            && fix[0].contains("「継続（見直し）」は選択肢にありません"),
        "{}",
        fix[0]
    );
    assert!(
        fix[1].starts_with("4-1-1 福祉会議事業（地区ケア会議） C22 ")
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
    answers[0].1 = "２４地区".into();
    let sub = read(&fill(&distributed(&m, "C01"), &m, "C01", &answers), &m);
    assert_eq!(sub.answers[0].value.as_deref(), Some("24地区"));
    let noted: Vec<_> = sub.problems.iter().filter(|p| p.severity == Severity::Noted).collect();
    assert_eq!(noted.len(), 1, "{:?}", sub.problems);
    assert_eq!(noted[0].cell.as_deref(), Some(sub.answers[0].cell.as_str()));
    assert!(noted[0].message.contains("全角数字を半角にしました（24地区）"));
}

#[test]
fn another_centre_another_year_or_not_distributed_is_rejected() {
    let m = Master::example();
    let bytes = fill(&distributed(&m, "C01"), &m, "C01", &complete_answers(&m, "C01"));
    let other = replace_in(&bytes, "docProps/custom.xml", "<vt:lpwstr>C01</vt:lpwstr>", "<vt:lpwstr>C99</vt:lpwstr>");
    let sub = read(&other, &m);
    assert!(!sub.usable() && sub.problems[0].message.contains("センター ID「C99」"), "{:?}", sub.problems);
    let year = replace_in(&bytes, "docProps/custom.xml", "<vt:lpwstr>2026</vt:lpwstr>", "<vt:lpwstr>2025</vt:lpwstr>");
    let sub = read(&year, &m);
    assert!(!sub.usable() && sub.problems[0].message.contains("令和7年度 のブックです"), "{:?}", sub.problems);
    let agenda = std::fs::read(common::root().join("samples/agenda.xlsx")).unwrap();
    let sub = read(&agenda, &m);
    assert!(
        !sub.usable() && sub.problems[0].message.contains("配布した PDCA シートではありません"),
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
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$22<",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!#REF!<",
    );
    let sub = read(&gone, &m);
    assert!(
        sub.problems.iter().any(|p| p.severity == Severity::Fix
            && p.cell.as_deref() == Some("C22")
            && p.message.contains("ACTION 具体的な取組み内容の欄が削除されています")),
        "{:?}",
        sub.problems
    );
    // A sheet renamed: Excel renames the sheet and the names' references together.
    let renamed = replace_in(&bytes, "xl/workbook.xml", "4-2-1 美作市内の社会福祉法人等連絡協議会", "美作お助け隊");
    let sub = read(&renamed, &m);
    let fix: Vec<_> = sub.problems.iter().filter(|p| p.severity == Severity::Fix).collect();
    assert_eq!(fix.len(), 1, "one message for the sheet, not one per cell: {fix:?}");
    assert!(fix[0].message.contains("に変わっています"), "{:?}", fix[0]);
    assert_eq!(sub.answers.len(), answers.len(), "the inputs are still read through the names");
    // Rows inserted above ACTION: the name follows its cell to C23.
    let moved = replace_in(
        &bytes,
        "xl/workbook.xml",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$22<",
        ">'4-1-1 福祉会議事業（地区ケア会議）'!$C$23<",
    );
    let sub = read(&moved, &m);
    assert!(
        sub.problems
            .iter()
            .any(|p| p.cell.as_deref() == Some("C23") && p.message.contains("C22 から C23 に動いています")),
        "{:?}",
        sub.problems
    );
    // A name removed altogether.
    let wb_xml = xlsx_entries(&bytes).into_iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
    let wb_xml = String::from_utf8(wb_xml).unwrap();
    let start = wb_xml.find("<definedName name=\"KK_4_1_1_ACTION\"").unwrap();
    let end = start + wb_xml[start..].find("</definedName>").unwrap() + "</definedName>".len();
    let no_name = replace_in(&bytes, "xl/workbook.xml", &wb_xml[start..end], "");
    let sub = read(&no_name, &m);
    assert!(
        sub.problems.iter().any(|p| p.cell.as_deref() == Some(CellRef::new(21, 2).to_string().as_str())
            && p.message.contains("目印（名前の定義 KK_4_1_1_ACTION）がありません")),
        "{:?}",
        sub.problems
    );
}
