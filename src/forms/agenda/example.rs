//! The example 議案書 of a blank `keikaku init agenda`: one short 議案 of
//! every 種類, so each sheet shows its shape with a row or two to copy.

use serde_json::Map;

use super::book::{Audit, Cover, GeneralMeeting, Motion, Officer};
use super::input::{Item, ScheduleRow, Section};
use super::money::AccountLine;
use crate::amount::Unit;

fn section(heading: &str, paragraphs: &[&str], items: &[&str]) -> Section {
    Section {
        heading: heading.into(),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        items: items.iter().map(|t| Item { text: Some(t.to_string()), title: None, body: vec![] }).collect(),
        schedule: vec![],
        schedule_header: None,
        schedule_sheet: None,
        tables: vec![],
    }
}

fn motion(number: Option<u32>, kind: &str, title: &str, sheet: &str) -> Motion {
    Motion {
        number,
        kind: kind.into(),
        title: title.into(),
        sheet: sheet.into(),
        lead: None,
        sections: vec![],
        accounts: vec![],
        audit: None,
        officers: vec![],
    }
}

fn account(division: Option<&str>, major: Option<&str>, minor: Option<&str>, a: i64, b: i64) -> AccountLine {
    AccountLine {
        division: division.map(String::from),
        major: major.map(String::from),
        minor: minor.map(String::from),
        budget: Some(a),
        other: Some(b),
        note: None,
    }
}

/// The example: 令和8年度 第1回通常総会 of ○○連絡会.
pub fn book() -> GeneralMeeting {
    let mut report = motion(Some(1), "事業報告", "令和７年度事業報告", "事業報告");
    report.sections = vec![section("概要", &["会員相互の連携と資質の向上を目的として、研修会と連絡会を開催しました。"], &[])];
    let mut settlement = motion(Some(2), "収支決算", "令和７年度収支決算報告", "収支決算");
    settlement.lead = Some("令和７年度の収支決算を次のとおり報告します。".into());
    settlement.accounts = vec![
        account(Some("収入の部"), Some("会費収入"), Some("正会員会費"), 300_000, 290_000),
        account(None, Some("前期繰越金"), None, 50_000, 50_000),
        account(Some("支出の部"), Some("事業費"), Some("研修会費"), 200_000, 180_000),
        account(None, Some("予備費"), None, 150_000, 0),
    ];
    let mut audit = motion(None, "監査報告", "監査報告", "監査報告");
    audit.audit = Some(Audit {
        addressee: Some("○○連絡会 会長 様".into()),
        text: vec!["令和７年度の事業報告及び収支決算について監査を行った結果、適正であることを認めます。".into()],
        date: "令和８年４月２０日".into(),
        auditors: vec!["○○ ○○".into(), "△△ △△".into()],
        seal: true,
    });
    let mut plan = motion(Some(3), "事業計画", "令和８年度事業計画(案)", "事業計画");
    let mut s = section("日程", &[], &[]);
    s.schedule = vec![ScheduleRow { date: "令和８年６月１日".into(), content: "総会".into(), extra: Map::new() }];
    plan.sections = vec![section("基本方針", &[], &["研修を通して、会員の資質の向上を図ります。"]), s];
    let mut budget = motion(Some(4), "収支予算", "令和８年度収支予算(案)", "収支予算");
    budget.accounts = vec![
        account(Some("収入の部"), Some("会費収入"), Some("正会員会費"), 300_000, 300_000),
        account(None, Some("前期繰越金"), None, 170_000, 50_000),
        account(Some("支出の部"), Some("事業費"), Some("研修会費"), 220_000, 200_000),
        account(None, Some("予備費"), None, 250_000, 150_000),
    ];
    let mut officers = motion(Some(5), "役員", "役員の選任について", "役員");
    officers.officers = vec![Officer {
        role: "会長".into(),
        name: "○○ ○○".into(),
        affiliation: Some("○○介護事業所".into()),
        note: Some("再任".into()),
    }];
    GeneralMeeting {
        cover: Cover {
            organisation: "○○連絡会".into(),
            meeting: "第１回通常総会".into(),
            fiscal_year: 2026,
            date: Some("令和８年５月２０日（水）午後２時".into()),
            venue: Some("○○区民センター 第１会議室".into()),
            submitted: Some("令和８年５月１日".into()),
            unit: Unit::Yen,
            page_numbers: super::book::PageNumbers::Continuous,
        },
        motions: vec![report, settlement, audit, plan, budget, officers],
    }
}
