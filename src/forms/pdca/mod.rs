//! The PDCA sheet form: a council's plan of 事業 with yearly targets, sent
//! to every centre as one protected sheet per 事業 it answers, and read
//! back into 集計.xlsx and 結果報告.pdf.
//!
//! - [`master`]: the master workbook (計画, センター, 事業, 達成目標) and its
//!   reader;
//! - [`sheets`]: the printed PDCA sheet of one 事業 as a grid, its input
//!   fields and their defined names;
//! - [`distribute`]: `keikaku pdca distribute` (workbook and PDF per centre);
//! - [`collect`]: reading a returned workbook against the master, and
//!   `keikaku pdca collect`;
//! - [`tables`]: the tidy tables of 集計.xlsx;
//! - [`report`]: the data of 結果報告.pdf.

pub mod collect;
pub mod distribute;
pub mod master;
pub mod report;
pub mod round;
pub mod sheets;
pub mod tables;

use super::FormKind;
use crate::jobs::init::MasterInit;

/// The PDCA sheet: its `keikaku.form` property, its layout version (raised
/// whenever cells move) and its name in messages.
pub const FORM: FormKind = FormKind { kind: "keikaku.pdca", schema: 3, label: "PDCA シート" };

/// `keikaku init pdca`: the master workbook, blank or from JSON.
pub const INIT: MasterInit<master::Master> = MasterInit {
    title: "PDCA マスター",
    sheets: &master::SHEETS,
    blank: || master::Master::blank_sheets(master::Master::example().plan.first_year),
    to_sheets: master::Master::to_sheets,
    read: master::read,
    sample: "samples/pdca_master.json",
    lost: "前後の空白、計画期間と数の合わない計画値、担当センターの重複など",
};
