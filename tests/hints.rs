//! Examples in prompts and messages use the plan's own years, not a fixed one.

mod common;

use keikaku::forms::{CellData, SheetData};
use keikaku::workbook::Workbook;

/// The text of every sheet part of an xlsx.
fn sheet_xml(bytes: &[u8]) -> String {
    common::xlsx_entries(bytes)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/sheet"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect()
}

#[test]
fn pdca_date_prompts_show_a_date_in_the_plans_year() {
    let mut master = keikaku::forms::pdca::master::Master::example();
    master.plan.fiscal_year = 2025;
    let projects: Vec<_> = master.projects.iter().collect();
    let sheets = keikaku::forms::pdca::sheets::sheets_of(&master, "勝田", &projects);
    let book = keikaku::xlsx::FormBook { title: "t", footer: "f", properties: &[], sheets: &sheets, created: None };
    let xml = sheet_xml(&keikaku::xlsx::write_grids(&book).unwrap());
    assert!(xml.contains("日付を 2025/7/31 のように入力します（令和7年7月31日 と表示されます）"), "R7 example");
    assert!(!xml.contains("2026/7/31"), "no example from another year");
}

#[test]
fn plan_date_prompts_show_a_date_in_the_plans_year() {
    let master = keikaku::forms::plan::master::Master::example();
    assert_eq!(master.plan.fiscal_year, 2021);
    let items: Vec<usize> = (0..master.items.len()).collect();
    let sheets = keikaku::forms::plan::sheets::sheets_of(&master, &master.centres[0].name, &items);
    let book = keikaku::xlsx::FormBook { title: "t", footer: "f", properties: &[], sheets: &sheets, created: None };
    let xml = sheet_xml(&keikaku::xlsx::write_grids(&book).unwrap());
    assert!(xml.contains("日付を 2021/7/31 のように入力します（令和3年7月31日 と表示されます）"), "R3 example");
    assert!(!xml.contains("2026/7/31"));
}

#[test]
fn an_unreadable_year_header_is_answered_with_a_year_of_the_period() {
    let mut s = keikaku::forms::pdca::master::Master::example().to_sheets();
    if let SheetData::KeyValue(values) = &mut s[0] {
        for v in values.iter_mut() {
            if matches!(v, Some(CellData::Text(t)) if t.contains('～')) {
                *v = Some(CellData::Text("R7～R11".into()));
            }
        }
    }
    if let SheetData::Table { headers: Some(h), .. } = &mut s[3] {
        h[6] = "来年".into();
    }
    let bytes = keikaku::xlsx::write_form("t", &keikaku::forms::pdca::master::SHEETS, &s).unwrap();
    let wb = Workbook::from_bytes("m.xlsx", &bytes).unwrap();
    let e = keikaku::forms::pdca::master::read(&wb).unwrap_err();
    assert!(
        e.message.contains(
            "列の見出し「来年」は年度として読めません。年度の列の見出しは R7 や 令和7年度 のようにしてください。"
        ),
        "{}",
        e.message
    );
}

#[test]
fn an_empty_schedule_date_is_answered_with_a_month_of_the_agendas_year() {
    let mut a = keikaku::forms::agenda::input::Agenda::example();
    assert_eq!(a.fiscal_year, 2026);
    a.fiscal_year = 2025;
    let mut sheets = a.to_sheets();
    if let SheetData::Table { rows, .. } = &mut sheets[2] {
        rows[0][0] = None;
    }
    let bytes = keikaku::xlsx::write_form("t", &keikaku::forms::agenda::input::SHEETS, &sheets).unwrap();
    let wb = Workbook::from_bytes("議案.xlsx", &bytes).unwrap();
    let e = keikaku::forms::agenda::input::read(&wb).unwrap_err();
    assert!(e.message.contains("日程が空です。日付か「令和７年７月」のような文字を入れてください。"), "{}", e.message);
}

#[test]
fn agenda_notes_give_examples_in_the_year_of_the_example_row() {
    use keikaku::wareki::{self, Digits};
    let fy = keikaku::forms::agenda::input::Agenda::example().fiscal_year;
    let notes: String = keikaku::forms::agenda::input::SHEETS
        .iter()
        .flat_map(|f| f.fields().iter().map(|x| x.note.to_string()).collect::<Vec<_>>())
        .collect();
    assert!(notes.contains(&wareki::format_fiscal_year(fy, Digits::Ascii)), "{notes}");
    assert!(notes.contains(&wareki::format_fiscal_year_short(fy)), "{notes}");
    assert!(notes.contains(&wareki::format_date(wareki::Date::new(fy, 6, 1).unwrap(), Digits::Zenkaku)), "{notes}");
    assert!(!notes.contains("令和元年") && !notes.contains("令和2年度"), "{notes}");
}
