//! Filling distributed PDCA workbooks the way centres do: values typed into
//! the input cells, by editing the sheet XML of the distributed file (Excel
//! stores typed text as a string cell and typed numbers as a number cell).
//! Shared by `tests/collect.rs` and `benches/collect.rs`.

use std::io::{Cursor, Write};

use keikaku::forms::grid::InputKind;
use keikaku::forms::pdca::distribute::centre_workbook;
use keikaku::forms::pdca::master::Master;
use keikaku::forms::pdca::sheets as pdca;

use super::{sheet_paths, xlsx_entries};

/// The distributed workbook of a centre.
pub fn distributed(master: &Master, centre: &str) -> Vec<u8> {
    let c = master.centres.iter().find(|c| c.id == centre).unwrap();
    let projects: Vec<_> = master.projects_of(centre).collect();
    centre_workbook(master, c, &projects, None).unwrap().1
}

pub fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in parts {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Puts a typed value into cell `at` of a sheet XML, keeping the cell's
/// style, the way Excel stores what was typed: a plain number (`24`,
/// `46234`) as a number cell, anything else as text (here inline). A
/// leading `'` forces text, as in Excel (`'24` is the text 24).
pub fn set_cell(xml: &str, at: &str, text: &str) -> String {
    let start = xml.find(&format!("<c r=\"{at}\"")).unwrap_or_else(|| panic!("cell {at} not in sheet"));
    let rest = &xml[start..];
    let head_end = rest.find('>').unwrap();
    let end = if rest[..head_end].ends_with('/') { head_end + 1 } else { rest.find("</c>").unwrap() + 4 };
    let head = &rest[..head_end];
    let style = head.split_whitespace().find(|a| a.starts_with("s=")).map(|s| s.trim_end_matches('/')).unwrap_or("");
    let cell = match (text.strip_prefix('\''), text.parse::<f64>()) {
        (None, Ok(n)) if text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') => {
            format!("<c r=\"{at}\" {style}><v>{n}</v></c>")
        }
        (quoted, _) => {
            let t = quoted.unwrap_or(text);
            format!("<c r=\"{at}\" {style} t=\"inlineStr\"><is><t>{}</t></is></c>", xml_escape(t))
        }
    };
    format!("{}{}{}", &xml[..start], cell, &xml[start + end..])
}

/// Fills inputs of a distributed PDCA workbook: (defined name, text).
pub fn fill(bytes: &[u8], master: &Master, centre: &str, values: &[(String, String)]) -> Vec<u8> {
    fill_grids(bytes, &pdca::centre_sheets(master, centre), values)
}

/// Fills inputs of a distributed workbook of any form, whose sheets are
/// `grids`: (defined name, text).
pub fn fill_grids(bytes: &[u8], grids: &[keikaku::forms::grid::Grid], values: &[(String, String)]) -> Vec<u8> {
    let mut parts = xlsx_entries(bytes);
    let paths = sheet_paths(&parts);
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
pub fn complete_answers(master: &Master, centre: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for g in pdca::centre_sheets(master, centre) {
        for (k, (_, input)) in g.inputs().enumerate() {
            let text = match input.kind {
                InputKind::Choice(list) => list[k % list.len()].to_string(),
                InputKind::Short => format!("{}地区", k + 1),
                InputKind::LongText => format!("{} の記入 {k}\n二行目", input.label),
                InputKind::Text => format!("{} 担当 {k}", input.label),
                InputKind::Date => "46234".to_string(), // 2026-07-31, typed as a date
            };
            v.push((input.name.clone(), text));
        }
    }
    v
}

pub fn replace_in(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    let mut parts = xlsx_entries(bytes);
    let p = parts.iter_mut().find(|(n, _)| n == part).unwrap();
    let xml = String::from_utf8(p.1.clone()).unwrap();
    assert!(xml.contains(from), "{from} not in {part}");
    p.1 = xml.replace(from, to).into_bytes();
    rezip(&parts)
}

/// Plausible answers for a centre of the sample master, as a centre would
/// write them: 記入日 as a date, 結果 near the 計画 (`28地区` for
/// `30地区`, `実施` for text plans), DO, CHECK and ACTION sentences.
pub fn sample_answers(master: &Master, centre: &str) -> Vec<(String, String)> {
    use keikaku::forms::pdca::sheets::Field;
    let c = master.centres.iter().find(|c| c.id == centre).unwrap();
    let mut v = Vec::new();
    for p in master.projects_of(centre) {
        let short = p.name.split('（').next().unwrap_or(&p.name);
        let years = master.plan.years();
        let fy = master.plan.fiscal_year;
        v.push((Field::Date.name(p), "46234".to_string())); // 2026-07-31
        v.push((Field::Writer.name(p), format!("{} 地域福祉係", c.name)));
        for (i, ind) in p.indicators.iter().enumerate() {
            for (k, y) in years.iter().enumerate().filter(|(_, y)| **y <= fy) {
                let plan = ind.plan.get(k).cloned().flatten().unwrap_or_default();
                let result = match keikaku::forms::pdca::tables::quantity(&plan) {
                    Some(q) if q.value >= 10.0 => {
                        format!("{}{}", q.value as i64 - (2 + k as i64 + i as i64) % 4, q.unit)
                    }
                    Some(q) => format!("{}{}", q.value as i64 + (k as i64 % 2), q.unit),
                    None if plan.trim().is_empty() || plan == "-" => continue,
                    None if plan == "→" => "継続".to_string(),
                    None => "実施".to_string(),
                };
                v.push((Field::Result { indicator: i + 1, year: *y }.name(p), result));
            }
        }
        for y in master.plan.reported_years() {
            let y_label = keikaku::wareki::format_fiscal_year(y, keikaku::wareki::Digits::Ascii);
            v.push((
                Field::Do(y).name(p),
                format!("{y_label}は{short}について担当地区の関係者と協議を重ね、計画に沿って取り組んだ。\n参加者から出た意見は次年度の取組みに反映した。"),
            ));
        }
        v.push((
            Field::Achievement.name(p),
            format!("{short}はおおむね計画どおりに進み、地域の関係者との連携が深まった。参加者の満足度も高かった。"),
        ));
        v.push((Field::Issues.name(p), "担い手の高齢化が進み、地区によって取組みに差がある。".to_string()));
        v.push((Field::Direction.name(p), "継続".to_string()));
        v.push((
            Field::Action.name(p),
            "地区ごとの課題を整理し、関係機関と役割分担を見直す。\n研修会を開いて新しい担い手を育てる。".to_string(),
        ));
    }
    v
}

/// Marks a workbook as saved by Excel at `when` (docProps/core.xml).
pub fn saved_at(bytes: &[u8], when: &str) -> Vec<u8> {
    let parts = xlsx_entries(bytes);
    let core = String::from_utf8(parts.iter().find(|(n, _)| n == "docProps/core.xml").unwrap().1.clone()).unwrap();
    let start = core.find("<dcterms:modified").unwrap();
    let end = start + core[start..].find("</dcterms:modified>").unwrap();
    let new = format!("<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}");
    replace_in(bytes, "docProps/core.xml", &core[start..end], &new)
}

/// The returned workbooks shipped in `samples/pdca_returns/` (file name,
/// bytes), made from the sample master:
/// - C01 sent two files: an early draft with the CHECK not written yet and
///   the finished sheets, saved later (the later one is used);
/// - C02 sent sheets with things to fix and things keikaku normalises: an
///   empty required ACTION, 結果 in full-width digits, a number typed as
///   text, 記入日 typed as 和暦 text, and a 今後の方向性 pasted from
///   elsewhere that is not one of the choices;
/// - C03 has not sent anything yet.
pub fn sample_returns(master: &Master) -> Vec<(String, Vec<u8>)> {
    let c01 = sample_answers(master, "C01");
    let draft: Vec<(String, String)> =
        c01.iter().filter(|(n, _)| !n.contains("_CHECK_") && !n.ends_with("_ACTION")).cloned().collect();
    let mut c02 = sample_answers(master, "C02");
    c02.retain(|(n, _)| n != "KK_4_2_2_ACTION");
    for (n, v) in c02.iter_mut() {
        match n.as_str() {
            "KK_4_1_1_RESULT_1_2026" => *v = "２８地区".into(),
            "KK_4_2_3_RESULT_1_2026" => *v = "'1".into(),
            "KK_4_2_3_DATE" => *v = "令和8年7月30日".into(),
            "KK_4_2_2_CHECK_DIRECTION" => *v = "継続（拡充）".into(),
            _ => {}
        }
    }
    vec![
        (
            "C01_勝田地域ステーション.xlsx".into(),
            saved_at(&fill(&distributed(master, "C01"), master, "C01", &c01), "2026-07-31T09:30:00Z"),
        ),
        (
            "C01_勝田地域ステーション（下書き）.xlsx".into(),
            saved_at(&fill(&distributed(master, "C01"), master, "C01", &draft), "2026-07-20T17:05:00Z"),
        ),
        (
            "C02_大原地域ステーション.xlsx".into(),
            saved_at(&fill(&distributed(master, "C02"), master, "C02", &c02), "2026-07-30T16:45:00Z"),
        ),
    ]
}
