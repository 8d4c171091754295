//! The centre plan form (地域包括支援センター事業計画): the city's sections and
//! items with its 運営方針, sent to every centre as a goals sheet and one
//! sheet per section, and read back into 事業計画書.pdf and .xlsx.
//!
//! - [`master`]: the master workbook (計画, センター, 区分, 項目) and its
//!   reader;
//! - [`sheets`]: the printed sheets as grids, their input fields and
//!   defined names;
//! - [`distribute`]: `keikaku plan distribute`;
//! - [`collect`]: reading a returned workbook against the master, the
//!   combined plan (PDF and workbook), and `keikaku plan collect`.

pub mod collect;
pub mod distribute;
pub mod master;
pub mod round;
pub mod sheets;

use super::FormKind;
use crate::jobs::init::MasterInit;

/// The centre plan sheet: its `keikaku.form` property, its layout version
/// (raised whenever cells move) and its name in messages.
pub const FORM: FormKind = FormKind { kind: "keikaku.plan", schema: 2, label: "センター事業計画シート" };

/// `keikaku init plan`: the master workbook, blank or from JSON.
pub const INIT: MasterInit<master::Master> = MasterInit {
    title: "センター計画 マスター",
    sheets: &master::SHEETS,
    blank: master::Master::blank_sheets,
    to_sheets: master::Master::to_sheets,
    read: master::read,
    sample: "samples/plan_master.json",
    lost: "前後の空白、略称が名称と同じ、区分の番号の書き方など",
};
