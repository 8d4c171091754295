//! The 議案 (agenda item): 「第３号議案 ○○連絡会 令和二年度事業計画(案)」.
//!
//! The input workbook has three sheets, described once in [`SHEETS`]:
//!
//! - 「議案」 (項目 | 値 | 説明): 議案番号, 団体名, 年度, 表題;
//! - 「本文」 (章 | 種別 | 見出し | 本文): one row per paragraph or numbered
//!   item, grouped into numbered 章 by the 章 column (blank = same 章 as
//!   above); 種別 is 段落, 項目 or 日程表;
//! - 「日程」 (日程 | 内容): the schedule table, placed where a 日程表 row is.
//!
//! [`read`] turns a workbook into an [`Agenda`] with every problem reported
//! at its cell; [`Agenda::to_sheets`] is the inverse, used for the shipped
//! sample and for `keikaku init agenda`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::error::Error;
use crate::fonts::{Family, FontSet};
use crate::forms::{CellData, Field, FieldKind, Shape, SheetData, SheetForm};
use crate::wareki::{self, ParsedDate};
use crate::workbook::shape::{KeyValues, Table};
use crate::workbook::{convert, error_at, error_on, CellRef, Sheet, Workbook};

/// The 種別 choices of the 本文 sheet.
pub const KINDS: &[&str] = &["段落", "項目", "日程表", "表"];

/// 「議案」 sheet.
pub const SHEET_AGENDA: SheetForm = SheetForm {
    name: "議案",
    shape: Shape::KeyValue(&[
        Field::new(
            "議案番号",
            "第何号議案かの番号。3 と入れると「第３号議案」になります。",
            true,
            FieldKind::Integer,
            0.0,
        ),
        Field::new("団体名", "議案を出す団体の名前。表題の 1 行目になります。", true, FieldKind::Text, 0.0),
        Field::new(
            "年度",
            "計画の年度。西暦でも和暦でもかまいません（2026、令和8年度、R8）。表題では「令和八年度」と書かれます。",
            true,
            FieldKind::FiscalYear,
            0.0,
        ),
        Field::new("表題", "年度のあとに続く表題。例: 事業計画(案)", true, FieldKind::Text, 0.0),
    ]),
};

/// 「本文」 sheet.
pub const SHEET_BODY: SheetForm = SheetForm {
    name: "本文",
    shape: Shape::Table(&[
        Field::new(
            "章",
            "章の見出し（はじめに、基本方針 など）。番号 1．2． は自動で付きます。同じ章の行が続くときは 2 行目から空欄でかまいません。",
            true,
            FieldKind::Text,
            18.0,
        ),
        Field::new(
            "種別",
            "段落: 章の本文の段落 1 つ（一字下げ）。項目: （1）（2）と番号の付く項目 1 つ。日程表: 「日程」シート（本文の列に別のシート名があればそのシート）の表をここに置きます。表: 本文の列に書いたシートの表（実績など）をそのまま置きます（見出しの列は表の題）。",
            true,
            FieldKind::Choice(KINDS),
            10.0,
        ),
        Field::new("見出し", "項目の見出し（ゴシックの行）、または表の題。見出しのない項目は空欄。段落と日程表では空欄にします。", false, FieldKind::Text, 34.0),
        Field::new(
            "本文",
            "段落の文、または項目の本文。見出しのある項目では、セル内の改行（Alt+Enter）ごとに一字下げの段落になります。日程表・表の行では表のシート名（日程表は空欄なら「日程」）。",
            false,
            FieldKind::LongText,
            90.0,
        ),
    ]),
};

/// 「日程」 sheet.
pub const SHEET_SCHEDULE: SheetForm = SheetForm {
    name: "日程",
    shape: Shape::Table(&[
        Field::new(
            "日程",
            "日付のセル（和暦で表示されます: 令和８年６月１日。年と月だけの書式なら 令和８年７月）か、「令和８年７月」「R8.7」「毎月第２水曜日」のような文字。見出しは「日　　程」のように空白を入れてもかまいません。",
            true,
            FieldKind::DateOrText,
            24.0,
        ),
        Field::new("内容", "その日の行事の内容。", true, FieldKind::Text, 60.0),
    ]),
};

/// The whole input workbook. The examples in its notes are in the year of
/// [`Agenda::example`] (2026, 令和8年度), the example row of a blank workbook.
pub const SHEETS: [SheetForm; 3] = [SHEET_AGENDA, SHEET_BODY, SHEET_SCHEDULE];

/// A 議案.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agenda {
    /// 議案番号: 3 → 第３号議案.
    pub number: u32,
    /// 団体名.
    pub organisation: String,
    /// 年度 (西暦 start year): 2020 → 令和二年度.
    pub fiscal_year: i32,
    /// 表題 after the 年度: 事業計画(案).
    pub title: String,
    /// Numbered 章, in order.
    pub sections: Vec<Section>,
}

/// One numbered 章.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The heading without its number: はじめに.
    pub heading: String,
    /// Paragraphs (first-line indent); line breaks are kept.
    #[serde(default)]
    pub paragraphs: Vec<String>,
    /// （1）… items.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The schedule table, when the 章 has a 日程表 row.
    #[serde(default)]
    pub schedule: Vec<ScheduleRow>,
    /// The schedule's two headers as written in the sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_header: Option<Vec<String>>,
    /// The sheet the schedule was read from, when the 日程表 row names one
    /// (the 「日程」 sheet otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_sheet: Option<String>,
    /// Tables placed by 表 rows (実績 …), after the schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<DataTable>,
}

/// A table placed by a 表 row: a sheet printed as it is, headers and all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataTable {
    /// The sheet it comes from.
    pub sheet: String,
    /// The caption (the 表 row's 見出し).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The headers as written.
    pub header: Vec<String>,
    /// The rows, one value per header (`None`: an empty cell).
    pub rows: Vec<Vec<Option<TableCell>>>,
}

/// A cell of a [`DataTable`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TableCell {
    /// A whole number (printed 1,234, right-aligned with its column when
    /// the whole column is numbers).
    Number(i64),
    /// Text; dates are 和暦 (令和７年６月１４日).
    Text(String),
}

impl DataTable {
    /// The table as templates print it: `caption`, `header`, `columns` (widths
    /// for `<table columns>`: a short column as wide as its widest text, the
    /// long ones sharing the rest), and `cells`,
    /// rows of `{text, right}` (numbers with separators; `right` for every
    /// cell of a column of numbers).
    pub fn view(&self) -> Json {
        let numeric: Vec<bool> = (0..self.header.len())
            .map(|c| {
                let mut any = false;
                let all = self.rows.iter().all(|r| match r.get(c).and_then(Option::as_ref) {
                    Some(TableCell::Number(_)) => {
                        any = true;
                        true
                    }
                    Some(TableCell::Text(_)) => false,
                    None => true,
                });
                all && any
            })
            .collect();
        let cells: Vec<Json> = self
            .rows
            .iter()
            .map(|r| {
                Json::Array(
                    (0..self.header.len())
                        .map(|c| {
                            let text = match r.get(c).and_then(Option::as_ref) {
                                Some(TableCell::Number(n)) => crate::amount::format(*n, crate::amount::Unit::Yen),
                                Some(TableCell::Text(t)) => t.clone(),
                                None => String::new(),
                            };
                            serde_json::json!({ "text": text, "right": numeric[c] })
                        })
                        .collect(),
                )
            })
            .collect();
        // Column widths in proportion to the widest text of each column
        // (a full-width character counts 2, others 1), within 8..=60.
        let width = |t: &str| t.chars().map(|c| if crate::japanese::is_full_width(c) || !c.is_ascii() { 2 } else { 1 }).sum::<usize>();
        let columns: Vec<String> = (0..self.header.len())
            .map(|c| {
                let widest = std::iter::once(width(&self.header[c]))
                    .chain(cells.iter().filter_map(|r| r.get(c)).map(|v| width(v["text"].as_str().unwrap_or(""))))
                    .max()
                    .unwrap_or(8);
                // A short column gets the width of its text (at 10.5pt a
                // half-width unit is 1.86mm, plus the cell's padding); the
                // long ones share the rest.
                if widest <= 24 {
                    format!("{:.1}mm", widest.max(4) as f32 * 1.86 + 4.5)
                } else {
                    format!("{}fr", widest.min(80))
                }
            })
            .collect();
        serde_json::json!({
            "columns": columns.join(" "),
            "sheet": self.sheet,
            "caption": self.caption,
            "header": self.header,
            "cells": cells,
        })
    }
}

/// Sections as template data: as serialised, with each table's [`DataTable::view`].
pub fn sections_data(sections: &[Section]) -> Json {
    let mut v = serde_json::to_value(sections).unwrap_or(Json::Null);
    if let Json::Array(list) = &mut v {
        for (j, s) in list.iter_mut().zip(sections) {
            if !s.tables.is_empty() {
                j["tables"] = Json::Array(s.tables.iter().map(DataTable::view).collect());
            }
        }
    }
    v
}

/// A numbered item: either one text, or a title with body paragraphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The text of an item without a title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The item's title (set in Gothic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Paragraphs under the title.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body: Vec<String>,
}

/// One row of the schedule table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleRow {
    /// 日程 as printed: 令和元年６月１日, 令和元年７月.
    pub date: String,
    /// 内容.
    pub content: String,
    /// Other columns of the 日程 sheet, by header.
    #[serde(flatten)]
    pub extra: Map<String, Json>,
}

/// An agenda read from a workbook, with everything else the workbook holds
/// for templates that want more.
#[derive(Debug, Clone)]
pub struct AgendaInput {
    /// The typed agenda.
    pub agenda: Agenda,
    /// Every 項目 of the 議案 sheet by name, including ones keikaku does not know.
    pub fields: Map<String, Json>,
    /// The records of the 本文 and 日程 sheets (every column), by sheet name.
    pub sheets: Map<String, Json>,
}

impl AgendaInput {
    /// The data handed to `agenda.hbs`: the agenda's fields at the top
    /// level, plus `fields` and `sheets`.
    pub fn template_data(&self) -> Json {
        let mut v = serde_json::to_value(&self.agenda).unwrap_or(Json::Null);
        v["sections"] = sections_data(&self.agenda.sections);
        if let Json::Object(m) = &mut v {
            m.insert("fields".into(), Json::Object(self.fields.clone()));
            m.insert("sheets".into(), Json::Object(self.sheets.clone()));
        }
        v
    }
}

/// Reads an agenda workbook.
pub fn read(wb: &Workbook) -> Result<AgendaInput, Error> {
    let AgendaSheet { number, organisation, fiscal_year, title, fields } = read_agenda_sheet(wb)?;
    let body = wb.require_sheet(SHEET_BODY.name)?;
    let Body { sections, used, records } = read_body(wb, body, fiscal_year)?;
    let mut sheets = Map::new();
    sheets.insert(SHEET_BODY.name.into(), records);
    if let Some(sched) = wb.sheet(SHEET_SCHEDULE.name) {
        if !sched.is_empty() {
            let t = Table::find(sched, &SHEET_SCHEDULE.headers())?;
            if !used.iter().any(|u| **u == *sched.name) && !t.records.is_empty() {
                return Err(error_on(sched, "日程が入力されていますが、「本文」シートに種別「日程表」の行がないため、どこにも載りません。表を置く章に日程表の行を入れてください。"));
            }
            sheets.insert(SHEET_SCHEDULE.name.into(), records_json(&t));
        }
    }
    Ok(AgendaInput { agenda: Agenda { number, organisation, fiscal_year, title, sections }, fields, sheets })
}

/// A 本文-shaped sheet as read: its 章, the names of the sheets its 日程表
/// and 表 rows took tables from, and its records (for templates).
pub struct Body {
    /// The numbered 章.
    pub sections: Vec<Section>,
    /// The sheets its tables came from, as named in the workbook.
    pub used: Vec<std::sync::Arc<str>>,
    /// Every record of the sheet as JSON.
    pub records: Json,
}

/// Reads a 本文-shaped sheet (章 | 種別 | 見出し | 本文) of `wb`: the 本文 of a
/// 議案, or one narrative 議案 of a 議案書. `fiscal_year` is for examples in
/// messages.
pub fn read_body(wb: &Workbook, body: &Sheet, fiscal_year: i32) -> Result<Body, Error> {
    let table = Table::find(body, &SHEET_BODY.headers())?;
    if table.records.is_empty() {
        return Err(error_on(body, "本文の行がありません。見出し行の下に章ごとの段落や項目を入れてください。"));
    }
    let mut keyed = Vec::new();
    for (i, r) in table.records.iter().enumerate() {
        let chapter = convert::text(table.value(r, "章"), &table.origin(r, "章"), "章")?;
        if i == 0 && chapter.is_none() {
            return Err(error_at(
                &table.origin(r, "章"),
                "章が空です。最初の行には章の見出し（はじめに など）を入れてください。",
            ));
        }
        let kind = convert::choice(table.value(r, "種別"), &table.origin(r, "種別"), "種別", KINDS)?;
        let heading = convert::text(table.value(r, "見出し"), &table.origin(r, "見出し"), "見出し")?;
        let text = convert::text(table.value(r, "本文"), &table.origin(r, "本文"), "本文")?;
        keyed.push((chapter, Row { kind, heading, text, at: i }));
    }
    let (groups, split) = crate::grouping::group_consecutive(keyed);
    if let Some(i) = split {
        let r = &table.records[i];
        let name = convert::text(table.value(r, "章"), &table.origin(r, "章"), "章")?.unwrap_or_default();
        return Err(error_at(&table.origin(r, "章"), format!("章「{name}」が離れた 2 か所にあります。同じ章の行は続けて並べてください（別の章なら名前を変えてください）。")));
    }
    let mut cx = BodyCx { wb, body, table: &table, fiscal_year, schedule_used: false, used: Vec::new() };
    let mut sections = Vec::new();
    for (heading, rows) in groups {
        sections.push(cx.section(heading, rows)?);
    }
    let used = cx.used;
    Ok(Body { sections, used, records: records_json(&table) })
}

/// The 「議案」 sheet as read.
struct AgendaSheet {
    number: u32,
    organisation: String,
    fiscal_year: i32,
    title: String,
    /// Every row of the sheet, for the template (`fields`).
    fields: Map<String, Json>,
}

fn read_agenda_sheet(wb: &Workbook) -> Result<AgendaSheet, Error> {
    let sheet = wb.require_sheet(SHEET_AGENDA.name)?;
    let kv = KeyValues::find(sheet)?;
    let entry = |name: &str| kv.require(sheet, name);
    let e = entry("議案番号")?;
    let number = convert::integer(e.value.as_ref(), &e.origin, "議案番号", "3")?;
    let number = u32::try_from(number)
        .ok()
        .filter(|n| (1..=999).contains(n))
        .ok_or_else(|| error_at(&e.origin, format!("議案番号は 1〜999 にしてください（入力: {number}）。")))?;
    let e = entry("団体名")?;
    let organisation = convert::required_text(e.value.as_ref(), &e.origin, "団体名")?;
    let e = entry("年度")?;
    let fiscal_year = convert::fiscal_year(e.value.as_ref(), &e.origin, "年度")?;
    if wareki::fiscal_year_era(fiscal_year).is_none() {
        return Err(error_at(&e.origin, format!("年度 {fiscal_year} は和暦にできません（明治以降にしてください）。")));
    }
    let e = entry("表題")?;
    let title = convert::required_text(e.value.as_ref(), &e.origin, "表題")?;
    let fields: Map<String, Json> = kv
        .entries
        .iter()
        .map(|e| (e.key.clone(), e.value.as_ref().map(|v| v.to_json()).unwrap_or(Json::Null)))
        .collect();
    Ok(AgendaSheet { number, organisation, fiscal_year, title, fields })
}

/// One row of the 「本文」 sheet, before it is placed in its 章.
struct Row {
    kind: &'static str,
    heading: Option<String>,
    text: Option<String>,
    /// The record's position in the table.
    at: usize,
}

/// What reading the 章 of one 本文 sheet needs.
struct BodyCx<'w> {
    wb: &'w Workbook,
    body: &'w Sheet,
    table: &'w Table<'w>,
    fiscal_year: i32,
    /// The sheet has had its one 日程表 row.
    schedule_used: bool,
    used: Vec<std::sync::Arc<str>>,
}

impl BodyCx<'_> {
    /// The sheet a 日程表 or 表 row names in its 本文 cell, or `default`.
    fn table_sheet(&self, named: Option<&str>, default: Option<&str>, at: &crate::workbook::Origin, kind: &str) -> Result<&Sheet, Error> {
        let Some(name) = named.or(default) else {
            return Err(error_at(at, format!("{kind}の行では「本文」の列に表のシート名を入れてください（例: 実績）。")));
        };
        self.wb.sheet(name).ok_or_else(|| {
            let msg = format!(
                "「{name}」シートがありません（あるシート: {}）。シート名を確かめてください（「{}」シートに{kind}の行があるため、この表が必要です）。",
                self.wb.sheet_list(),
                self.body.name
            );
            if named.is_some() {
                error_at(at, msg)
            } else {
                crate::workbook::error_in(self.wb.file.as_ref(), msg)
            }
        })
    }

    /// One 章 from its rows, in order: paragraphs, then items, then at most
    /// one 日程表 and any 表.
    fn section(&mut self, heading: String, rows: Vec<Row>) -> Result<Section, Error> {
        let table = self.table;
        let mut s = Section {
            heading,
            paragraphs: vec![],
            items: vec![],
            schedule: vec![],
            schedule_header: None,
            schedule_sheet: None,
            tables: vec![],
        };
        for row in rows {
            let r = &table.records[row.at];
            let at = |h: &str| table.origin(r, h);
            if !s.tables.is_empty() && row.kind != "表" {
                return Err(error_at(
                    &at("種別"),
                    format!("表の行より後に同じ章の{}があります。表の行は章の最後に置いてください。", row.kind),
                ));
            }
            if !s.schedule.is_empty() && row.kind != "表" {
                return Err(error_at(
                    &at("種別"),
                    format!("日程表の行より後に同じ章の{}があります。日程表の行は章の最後に置いてください。", row.kind),
                ));
            }
            match row.kind {
                "段落" => {
                    if row.heading.is_some() {
                        return Err(error_at(
                            &at("見出し"),
                            "段落には見出しを付けられません。見出しのある文は種別を「項目」にしてください。",
                        ));
                    }
                    if !s.items.is_empty() {
                        return Err(error_at(
                            &at("種別"),
                            "段落が同じ章の項目より後にあります。章の段落は項目より前に並べてください。",
                        ));
                    }
                    let text = row.text.ok_or_else(|| error_at(&at("本文"), "段落の本文が空です。"))?;
                    s.paragraphs.push(text);
                }
                "項目" => {
                    let item = match (row.heading, row.text) {
                        (Some(title), text) => Item {
                            text: None,
                            title: Some(title),
                            body: text
                                .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
                                .unwrap_or_default(),
                        },
                        (None, Some(text)) => Item { text: Some(text), title: None, body: vec![] },
                        (None, None) => {
                            return Err(error_at(
                                &at("見出し"),
                                "項目の見出しも本文も空です。どちらかを入れるか、行を消してください。",
                            ))
                        }
                    };
                    s.items.push(item);
                }
                "表" => {
                    let sheet = self.table_sheet(row.text.as_deref(), None, &at("本文"), "表")?;
                    s.tables.push(read_data_table(sheet, row.heading)?);
                    self.used.push(sheet.name.clone());
                }
                _ => {
                    if row.heading.is_some() {
                        return Err(error_at(
                            &at("見出し"),
                            "日程表の行では見出しを空欄にしてください（表の中身は「日程」シートに書きます）。",
                        ));
                    }
                    if self.schedule_used {
                        return Err(error_at(&at("種別"), "日程表の行が 2 つあります。1 つにしてください。"));
                    }
                    self.schedule_used = true;
                    let sheet = self.table_sheet(row.text.as_deref(), Some(SHEET_SCHEDULE.name), &at("本文"), "日程表")?;
                    let (header, rows) = read_schedule(sheet, self.fiscal_year)?;
                    self.used.push(sheet.name.clone());
                    s.schedule = rows;
                    s.schedule_header = Some(header);
                    s.schedule_sheet = row.text;
                }
            }
        }
        Ok(s)
    }
}

/// A sheet printed as it is (a 表 row): the first row with a value is the
/// header row; numbers, dates (as 和暦) and text are kept.
fn read_data_table(sheet: &Sheet, caption: Option<String>) -> Result<DataTable, Error> {
    let t = Table::first_row(sheet)?;
    if t.records.is_empty() {
        return Err(error_on(sheet, "表の行がありません。見出し行の下に表の中身を入れてください。"));
    }
    let mut rows = Vec::new();
    for r in &t.records {
        let mut row = Vec::new();
        for (c, v) in t.columns.iter().zip(&r.values) {
            let at = sheet.origin(CellRef::new(r.row, c.col));
            let cell = match v {
                None => None,
                Some(crate::workbook::Value::Number(n)) => match crate::amount::from_number(*n) {
                    Some(i) => Some(TableCell::Number(i)),
                    None => Some(TableCell::Text(v.as_ref().map(|v| v.display()).unwrap_or_default())),
                },
                Some(v) => convert::date_or_text(Some(v), &at, &c.header)?.map(TableCell::Text),
            };
            row.push(cell);
        }
        rows.push(row);
    }
    Ok(DataTable {
        sheet: sheet.name.to_string(),
        caption,
        header: t.columns.iter().map(|c| c.header.clone()).collect(),
        rows,
    })
}

/// How many cells with characters no font has one message lists.
const MAX_LISTED_GLYPH_CELLS: usize = 30;

/// Checks the text an agenda prints — 団体名 and 表題 of the 「議案」 sheet,
/// 章, 見出し and 本文 of 「本文」, and 日程 and 内容 of 「日程」 with their
/// headers — against the fonts, before templating, so that a character no
/// font has is reported at its cell (`議案.xlsx 「本文」シート D3`) rather than
/// at a line of the generated markup. Every such cell is reported at once.
/// `wb` is a workbook [`read`] accepted.
pub fn check_glyphs(wb: &Workbook, fonts: &FontSet) -> Result<(), Error> {
    use crate::workbook::{Origin, Value};
    let mut cells: Vec<(Origin, Value)> = Vec::new();
    let mut check = |v: Option<&Value>, at: &Origin| {
        if let Some(v @ Value::Text(_)) = v {
            cells.push((at.clone(), v.clone()));
        }
    };
    if let Some(sheet) = wb.sheet(SHEET_AGENDA.name) {
        if let Ok(kv) = KeyValues::find(sheet) {
            for name in ["団体名", "表題"] {
                if let Some(e) = kv.get(name) {
                    check(e.value.as_ref(), &e.origin);
                }
            }
        }
    }
    for (form, columns) in [(&SHEET_BODY, &["章", "見出し", "本文"][..]), (&SHEET_SCHEDULE, &["日程", "内容"][..])]
    {
        let Some(sheet) = wb.sheet(form.name) else { continue };
        let Ok(t) = Table::find(sheet, &form.headers()) else { continue };
        for h in columns {
            if let Some(i) = t.column(h) {
                let at = sheet.origin(CellRef::new(t.header_row, t.columns[i].col));
                check(sheet.get(at.cell), &at);
            }
        }
        for r in &t.records {
            for h in columns {
                check(t.value(r, h), &t.origin(r, h));
            }
        }
    }
    check_glyph_cells(cells, fonts)
}

/// The glyph check of [`check_glyphs`] over the given text cells: every
/// cell with a character no font has, listed at once (at most
/// [`MAX_LISTED_GLYPH_CELLS`]).
pub fn check_glyph_cells<V: std::borrow::Borrow<crate::workbook::Value>>(
    cells: impl IntoIterator<Item = (crate::workbook::Origin, V)>,
    fonts: &FontSet,
) -> Result<(), Error> {
    let mut found: Vec<String> = Vec::new();
    for (at, v) in cells {
        let crate::workbook::Value::Text(s) = v.borrow() else { continue };
        let mut missing: Vec<char> = Vec::new();
        for c in s.chars() {
            if !c.is_control() && fonts.resolve(Family::Mincho, c).is_none() && !missing.contains(&c) {
                missing.push(c);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let chars: Vec<String> = missing.iter().map(|c| format!("「{c}」(U+{:04X})", *c as u32)).collect();
        let context: String = s.chars().filter(|c| !c.is_control()).take(20).collect();
        let more = if s.chars().count() > 20 { "…" } else { "" };
        found.push(format!("  {at}: {} 「{context}{more}」", chars.join("")));
    }
    if found.is_empty() {
        return Ok(());
    }
    let n = found.len();
    found.truncate(MAX_LISTED_GLYPH_CELLS);
    if n > MAX_LISTED_GLYPH_CELLS {
        found.push(format!("  …ほか {} か所", n - MAX_LISTED_GLYPH_CELLS));
    }
    Err(Error::input(format!(
        "フォントにない文字が {n} か所のセルにあります。このままでは PDF で空白や□になるため、出力しませんでした。\n{}\n\
         セルの文字を置き換える（例: 絵文字を削る、外字を常用漢字にする）か、--mincho / --gothic でその文字を含むフォントを指定してください。",
        found.join("\n")
    )))
}

fn records_json(t: &Table) -> Json {
    Json::Array(t.records.iter().map(|r| Json::Object(t.record_json(r))).collect())
}

/// The schedule rows and headers of a 日程表 row's sheet; `fiscal_year` is
/// the agenda's, for the example in messages.
fn read_schedule(sheet: &Sheet, fiscal_year: i32) -> Result<(Vec<String>, Vec<ScheduleRow>), Error> {
    let t = Table::find(sheet, &SHEET_SCHEDULE.headers())?;
    if t.records.is_empty() {
        return Err(error_on(sheet, "日程の行がありません。見出し行の下に日程と内容を入れてください。"));
    }
    // The example is a month of the agenda's own year.
    let example = wareki::format_year_month(fiscal_year, 7, wareki::Digits::Zenkaku).unwrap_or_default();
    let mut rows = Vec::new();
    for r in &t.records {
        let date = convert::date_or_text(t.value(r, "日程"), &t.origin(r, "日程"), "日程")?.ok_or_else(|| {
            error_at(&t.origin(r, "日程"), format!("日程が空です。日付か「{example}」のような文字を入れてください。"))
        })?;
        let content = convert::required_text(t.value(r, "内容"), &t.origin(r, "内容"), "内容")?;
        let mut extra = t.record_json(r);
        for known in ["日程", "内容"] {
            if let Some(i) = t.column(known) {
                extra.remove(&t.columns[i].name());
            }
        }
        rows.push(ScheduleRow { date, content, extra });
    }
    Ok((vec![t.header("日程"), t.header("内容")], rows))
}

/// A 章 as the reader gives it back from the sheets [`body_sheets`] writes:
/// 日程 and table dates that are text are in the printed 和暦 form.
pub fn as_read_back(s: &mut Section) {
    for r in &mut s.schedule {
        if let Some(t) = convert::schedule_date_text(&r.date) {
            r.date = t;
        }
    }
    for t in &mut s.tables {
        for c in t.rows.iter_mut().flatten().flatten() {
            if let TableCell::Text(x) = c {
                if let Some(d) = convert::schedule_date_text(x) {
                    *x = d;
                }
            }
        }
    }
}

/// The sheets of a list of 章: the 本文 sheet, the schedule's sheet (its
/// name: the 日程表 row's, or 「日程」) and each 表's sheet.
pub struct BodySheets {
    /// The 本文-shaped sheet.
    pub body: SheetData,
    /// The schedule sheet, when a 章 has a schedule.
    pub schedule: Option<(String, SheetData)>,
    /// The sheets of the 表 rows, by name.
    pub tables: Vec<TableSheet>,
}

/// A 表 row's sheet to write: its name, headers and rows of cells.
pub type TableSheet = (String, Vec<String>, Vec<Vec<Option<CellData>>>);

/// The input sheets of `sections` (the inverse of [`read_body`]).
pub fn body_sheets(sections: &[Section]) -> BodySheets {
    let mut rows = Vec::new();
    let mut schedule = None;
    let mut tables = Vec::new();
    for s in sections {
        let mut first = true;
        let mut chapter = || if std::mem::take(&mut first) { text(&s.heading) } else { None };
        for p in &s.paragraphs {
            rows.push(vec![chapter(), text("段落"), None, text(p)]);
        }
        for it in &s.items {
            let body = match (&it.title, &it.text) {
                (Some(_), _) => (!it.body.is_empty()).then(|| it.body.join("\n")).and_then(|b| text(&b)),
                (None, Some(t)) => text(t),
                (None, None) => None,
            };
            rows.push(vec![chapter(), text("項目"), it.title.as_deref().and_then(text), body]);
        }
        if !s.schedule.is_empty() {
            rows.push(vec![chapter(), text("日程表"), None, s.schedule_sheet.as_deref().and_then(text)]);
            let mut cells = Vec::new();
            for r in &s.schedule {
                let date = match wareki::parse(&r.date) {
                    // Excel has no dates before 1900: older ones stay text.
                    Some(ParsedDate::Date(d)) if d.year >= 1900 => CellData::Date(d),
                    _ => CellData::Text(r.date.clone()),
                };
                cells.push(vec![Some(date), text(&r.content)]);
            }
            let name = s.schedule_sheet.clone().unwrap_or_else(|| SHEET_SCHEDULE.name.to_string());
            schedule = Some((name, SheetData::Table { headers: s.schedule_header.clone(), rows: cells }));
        }
        for t in &s.tables {
            rows.push(vec![chapter(), text("表"), t.caption.as_deref().and_then(text), text(&t.sheet)]);
            let cells = t
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Some(TableCell::Number(n)) => Some(CellData::Number(*n as f64)),
                            Some(TableCell::Text(t)) => text(t),
                            None => None,
                        })
                        .collect()
                })
                .collect();
            tables.push((t.sheet.clone(), t.header.clone(), cells));
        }
    }
    BodySheets { body: SheetData::Table { headers: None, rows }, schedule, tables }
}

fn text(s: &str) -> Option<CellData> {
    Some(CellData::Text(s.to_string()))
}

impl Agenda {
    /// The agenda as input sheets (the inverse of [`read`]), in [`SHEETS`] order.
    /// Schedule dates that are full dates from 1900 on become date cells.
    /// Tables of 表 rows have sheets of their own, which only a 議案書 writes
    /// ([`body_sheets`]).
    pub fn to_sheets(&self) -> Vec<SheetData> {
        let head = SheetData::KeyValue(vec![
            Some(CellData::Number(self.number as f64)),
            text(&self.organisation),
            text(&wareki::format_fiscal_year(self.fiscal_year, wareki::Digits::Ascii)),
            text(&self.title),
        ]);
        let BodySheets { body, schedule, .. } = body_sheets(&self.sections);
        let schedule = schedule.map(|(_, data)| data).unwrap_or(SheetData::Table { headers: None, rows: vec![] });
        vec![head, body, schedule]
    }

    /// A one-row example of each sheet, for `keikaku init agenda`.
    pub fn example() -> Agenda {
        Agenda {
            number: 1,
            organisation: "○○連絡会".into(),
            fiscal_year: 2026,
            title: "事業計画(案)".into(),
            sections: vec![
                Section {
                    heading: "はじめに".into(),
                    paragraphs: vec!["本会は、会員相互の連携と資質の向上を目的として活動してまいりました。".into()],
                    items: vec![],
                    schedule: vec![],
                    schedule_header: None,
                    schedule_sheet: None,
                    tables: vec![],
                },
                Section {
                    heading: "基本方針".into(),
                    paragraphs: vec![],
                    items: vec![Item {
                        text: Some("研修を通して、会員の資質の向上を図ります。".into()),
                        title: None,
                        body: vec![],
                    }],
                    schedule: vec![],
                    schedule_header: None,
                    schedule_sheet: None,
                    tables: vec![],
                },
                Section {
                    heading: "日程".into(),
                    paragraphs: vec![],
                    items: vec![],
                    schedule: vec![ScheduleRow {
                        date: "令和8年6月1日".into(),
                        content: "総会".into(),
                        extra: Map::new(),
                    }],
                    schedule_header: None,
                    schedule_sheet: None,
                    tables: vec![],
                },
            ],
        }
    }
}
