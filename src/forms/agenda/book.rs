//! The 議案書 of a general meeting: a cover, a contents page and every 議案
//! from one workbook.
//!
//! - 「表紙」 (項目 | 値 | 説明): 団体名, 総会名, 年度, 日時, 会場, 提出日,
//!   金額の単位, ページ番号;
//! - 「議案一覧」 (番号 | 種類 | 表題 | シート | 説明): one row per 議案 in the
//!   order they are printed; the シート column names the sheet that holds it;
//! - one sheet per 議案, shaped by its 種類: 事業報告, 事業計画 and その他 as
//!   the 本文 sheet of a single 議案 ([`super::input::read_body`]), with
//!   their 日程表 and 表 sheets; 収支決算 and 収支予算 as money sheets
//!   ([`super::money`]); 監査報告 as a key/value sheet; 役員 as a table.
//!
//! Every non-empty sheet must be used by some 議案, so nothing typed is left
//! out of the document without a word.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use super::input::{self, Section};
use super::money::{self, AccountLine, Statement, StatementKind};
use crate::amount::Unit;
use crate::error::Error;
use crate::forms::{CellData, Field, FieldKind, Shape, SheetData, SheetForm};
use crate::japanese::zenkaku;
use crate::wareki;
use crate::workbook::shape::{normalize, KeyValues, Table};
use crate::workbook::{convert, error_at, error_on, Origin, Sheet, Value, Workbook};

/// The 種類 of a 議案.
pub const KINDS: &[&str] = &["事業報告", "収支決算", "監査報告", "事業計画", "収支予算", "役員", "その他"];

/// The ページ番号 choices.
pub const PAGE_NUMBERS: &[&str] = &["通し", "議案ごと"];

/// 「表紙」 sheet.
pub const SHEET_COVER: SheetForm = SheetForm {
    name: "表紙",
    shape: Shape::KeyValue(&[
        Field::new("団体名", "議案書を出す団体の名前。表紙の下に載ります。", true, FieldKind::Text, 0.0),
        Field::new("総会名", "総会の名前。例: 第１１回通常総会", true, FieldKind::Text, 0.0),
        Field::new(
            "年度",
            "総会の年度。西暦でも和暦でもかまいません（2026、令和8年度、R8）。表紙では「令和８年度」と書かれます。",
            true,
            FieldKind::FiscalYear,
            0.0,
        ),
        Field::new("日時", "開催の日時。日付のセル（曜日を付けて和暦で載ります）か文字（令和8年5月20日（水）午後2時から）。", false, FieldKind::DateOrText, 0.0),
        Field::new("会場", "開催の場所。", false, FieldKind::Text, 0.0),
        Field::new("提出日", "議案書の日付。表紙の右上に載ります。", false, FieldKind::DateOrText, 0.0),
        Field::new(
            "金額の単位",
            "収支の表の金額の単位。円（既定）か千円。金額はどちらでも円で入力し、千円では千円未満を四捨五入して載せます。",
            false,
            FieldKind::Choice(&["円", "千円"]),
            0.0,
        ),
        Field::new(
            "ページ番号",
            "通し（既定）: 表紙から数えた通し番号。議案ごと: 番号のある議案ごとに 1 から（第3号議案なら 3-1, 3-2 …。監査報告など番号のないものは前の議案の続き）。",
            false,
            FieldKind::Choice(PAGE_NUMBERS),
            0.0,
        ),
    ]),
};

/// 「議案一覧」 sheet.
pub const SHEET_LIST: SheetForm = SheetForm {
    name: "議案一覧",
    shape: Shape::Table(&[
        Field::new("番号", "第何号議案かの番号（3 で「第３号議案」）。監査報告のように番号のないものは空欄。", false, FieldKind::Integer, 8.0),
        Field::new("種類", "事業報告・収支決算・監査報告・事業計画・収支予算・役員・その他 のどれか。シートの形が決まります。", true, FieldKind::Choice(KINDS), 12.0),
        Field::new("表題", "議案の表題。例: 令和７年度事業報告について", true, FieldKind::Text, 40.0),
        Field::new("シート", "この議案の中身を書いたシートの名前。", true, FieldKind::Text, 14.0),
        Field::new("説明", "表題の下に載せる文（省略可）。例: 令和７年度の収支決算を次のとおり報告します。", false, FieldKind::LongText, 50.0),
    ]),
};

/// 「監査報告」 sheet (key/value).
pub const SHEET_AUDIT: SheetForm = SheetForm {
    name: "監査報告",
    shape: Shape::KeyValue(&[
        Field::new("宛先", "宛先。例: ○○連絡会 会長 ○○ ○○ 様", false, FieldKind::Text, 0.0),
        Field::new("本文", "監査の結果の文。セル内の改行（Alt+Enter）ごとに段落になります。", true, FieldKind::LongText, 0.0),
        Field::new("日付", "監査の日付（日付のセルか、令和8年4月20日 のような文字）。", true, FieldKind::DateOrText, 0.0),
        Field::new("監事", "監事の氏名。2 人以上はセル内の改行か「、」で区切ります。", true, FieldKind::LongText, 0.0),
        Field::new("印", "あり: 氏名の後に「印」を付けます（押印する欄）。なし（既定）: 付けません。", false, FieldKind::Choice(&["あり", "なし"]), 0.0),
    ]),
};

/// 「役員」 sheet.
pub const SHEET_OFFICERS: SheetForm = SheetForm {
    name: "役員",
    shape: Shape::Table(&[
        Field::new("役職", "会長・副会長・監事 など。", true, FieldKind::Text, 12.0),
        Field::new("氏名", "氏名。", true, FieldKind::Text, 16.0),
        Field::new("所属", "所属の事業所など。", false, FieldKind::Text, 30.0),
        Field::new("備考", "新任・再任 など。", false, FieldKind::Text, 16.0),
    ]),
};

/// How pages are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum PageNumbers {
    /// One count through the whole book (the cover is page 1, unnumbered).
    #[default]
    #[serde(rename = "通し")]
    Continuous,
    /// From 1 in each numbered 議案, after its number: 3-1, 3-2.
    #[serde(rename = "議案ごと")]
    PerMotion,
}

/// The cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cover {
    /// 団体名.
    pub organisation: String,
    /// 総会名: 第１１回通常総会.
    pub meeting: String,
    /// 年度 (西暦 start year).
    pub fiscal_year: i32,
    /// 日時 as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// 会場.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// 提出日 as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted: Option<String>,
    /// 金額の単位.
    #[serde(default)]
    pub unit: Unit,
    /// ページ番号.
    #[serde(default)]
    pub page_numbers: PageNumbers,
}

/// A 監査報告.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// 宛先.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressee: Option<String>,
    /// The paragraphs of the 本文.
    pub text: Vec<String>,
    /// 日付 as printed (和暦).
    pub date: String,
    /// 監事, in order.
    pub auditors: Vec<String>,
    /// 印: print a 印 after each name.
    #[serde(default)]
    pub seal: bool,
}

/// One 役員.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Officer {
    /// 役職.
    pub role: String,
    /// 氏名.
    pub name: String,
    /// 所属.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    /// 備考.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One 議案 (or an unnumbered part such as the 監査報告), as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Motion {
    /// 番号: 3 → 第３号議案; none for the 監査報告 and the like.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// 種類 (one of [`KINDS`]).
    pub kind: String,
    /// 表題.
    pub title: String,
    /// The sheet that holds it.
    pub sheet: String,
    /// 説明: a paragraph under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// 事業報告, 事業計画, その他: the 章.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// 収支決算, 収支予算: the 科目 rows as typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountLine>,
    /// 監査報告.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Audit>,
    /// 役員.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officers: Vec<Officer>,
}

/// A whole 議案書 as typed (the JSON of `keikaku init agenda --from`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneralMeeting {
    /// 「表紙」.
    pub cover: Cover,
    /// 「議案一覧」 with each 議案's content, in order.
    pub motions: Vec<Motion>,
}

/// A 議案書 read from a workbook: as typed, the computed statements (one
/// per money 議案, by index), and the 表紙's every 項目 for templates.
#[derive(Debug, Clone)]
pub struct BookInput {
    /// As typed.
    pub book: GeneralMeeting,
    /// The statement of each money 議案 (`None` for the others).
    pub statements: Vec<Option<Statement>>,
    /// Every 項目 of the 表紙 sheet by name.
    pub fields: Map<String, Json>,
}

/// Whether a workbook is a 議案書 (it has a 「議案一覧」 sheet) rather than one 議案.
pub fn is_book(wb: &Workbook) -> bool {
    wb.sheet(SHEET_LIST.name).is_some()
}

/// 第３号議案, or the empty string for an unnumbered part.
pub fn motion_label(number: Option<u32>) -> String {
    number.map(|n| format!("第{}号議案", zenkaku(&n.to_string()))).unwrap_or_default()
}

/// 日時 as printed: a date cell with its weekday (令和８年５月２０日（水）),
/// a date-time with the time (… 午後２時３０分), text as typed (dates in 和暦).
fn meeting_date(v: Option<&Value>, at: &Origin, field: &str) -> Result<Option<String>, Error> {
    const DAYS: [&str; 7] = ["木", "金", "土", "日", "月", "火", "水"];
    let zen = wareki::Digits::Zenkaku;
    let with_day = |d: wareki::Date| {
        format!("{}（{}）", wareki::format_date(d, zen), DAYS[d.to_days().rem_euclid(7) as usize])
    };
    match v {
        Some(Value::Date(d)) => Ok(Some(with_day(*d))),
        Some(Value::DateTime(d, secs)) => {
            let (h, m) = (secs / 3600, secs / 60 % 60);
            let (half, h12) = if h < 12 { ("午前", h) } else { ("午後", h - 12) };
            let min = if m == 0 { String::new() } else { format!("{}分", zenkaku(&m.to_string())) };
            Ok(Some(format!("{}{half}{}時{min}", with_day(*d), zenkaku(&h12.to_string()))))
        }
        _ => convert::date_or_text(v, at, field),
    }
}

/// An optional 項目 of a key/value sheet: `read` of its value when the row
/// is there, else `None`.
fn optional<T>(
    kv: &KeyValues,
    name: &str,
    read: impl FnOnce(Option<&Value>, &Origin, &str) -> Result<Option<T>, Error>,
) -> Result<Option<T>, Error> {
    match kv.get(name) {
        Some(e) => read(e.value.as_ref(), &e.origin, name),
        None => Ok(None),
    }
}

fn read_cover(wb: &Workbook) -> Result<(Cover, Map<String, Json>), Error> {
    let sheet = wb.require_sheet(SHEET_COVER.name)?;
    let kv = KeyValues::find(sheet)?;
    let req = |name: &str| -> Result<String, Error> {
        let e = kv.require(sheet, name)?;
        convert::required_text(e.value.as_ref(), &e.origin, name)
    };
    let organisation = req("団体名")?;
    let meeting = req("総会名")?;
    let e = kv.require(sheet, "年度")?;
    let fiscal_year = convert::fiscal_year(e.value.as_ref(), &e.origin, "年度")?;
    if wareki::fiscal_year_era(fiscal_year).is_none() {
        return Err(error_at(&e.origin, format!("年度 {fiscal_year} は和暦にできません（明治以降にしてください）。")));
    }
    let date = optional(&kv, "日時", meeting_date)?;
    let venue = optional(&kv, "会場", convert::text)?;
    let submitted = optional(&kv, "提出日", convert::date_or_text)?;
    let unit = match optional(&kv, "金額の単位", |v, o, f| convert::optional_choice(v, o, f, &["円", "千円"]))? {
        Some("千円") => Unit::Thousand,
        _ => Unit::Yen,
    };
    let page_numbers = match optional(&kv, "ページ番号", |v, o, f| convert::optional_choice(v, o, f, PAGE_NUMBERS))? {
        Some("議案ごと") => PageNumbers::PerMotion,
        _ => PageNumbers::Continuous,
    };
    let fields = kv
        .entries
        .iter()
        .map(|e| (e.key.clone(), e.value.as_ref().map(|v| v.to_json()).unwrap_or(Json::Null)))
        .collect();
    Ok((Cover { organisation, meeting, fiscal_year, date, venue, submitted, unit, page_numbers }, fields))
}

/// Refuses columns a sheet of `form` does not know, at their header cell:
/// their values would otherwise be printed nowhere.
fn refuse_unknown_columns(t: &Table, form: &SheetForm) -> Result<(), Error> {
    let known = form.headers();
    match t.unknown_column(&known) {
        Some((c, at)) => {
            let names: String = known.iter().map(|k| format!("「{k}」")).collect();
            Err(error_at(
                &at,
                format!("見出し「{}」の列は議案書に載りません。列を消すか、見出しを直してください（使える見出し: {names}）。", c.header),
            ))
        }
        None => Ok(()),
    }
}

fn read_audit(sheet: &Sheet) -> Result<Audit, Error> {
    let kv = KeyValues::find(sheet)?;
    let e = kv.require(sheet, "本文")?;
    let text: Vec<String> = convert::required_text(e.value.as_ref(), &e.origin, "本文")?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let e = kv.require(sheet, "日付")?;
    let date = convert::date_or_text(e.value.as_ref(), &e.origin, "日付")?
        .ok_or_else(|| error_at(&e.origin, "日付が空です。監査をした日を入れてください。"))?;
    let e = kv.require(sheet, "監事")?;
    let auditors: Vec<String> = convert::required_text(e.value.as_ref(), &e.origin, "監事")?
        .split(['\n', '、', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    let seal = optional(&kv, "印", |v, o, f| convert::optional_choice(v, o, f, &["あり", "なし"]))? == Some("あり");
    let addressee = optional(&kv, "宛先", convert::text)?;
    for e in &kv.entries {
        if !SHEET_AUDIT.fields().iter().any(|f| normalize(f.name) == normalize(&e.key))
            && e.value.as_ref().is_some_and(|v| !v.is_blank())
        {
            return Err(error_at(
                &e.origin,
                format!("項目「{}」は監査報告に載りません。使える項目は 宛先・本文・日付・監事・印 です。", e.key),
            ));
        }
    }
    Ok(Audit { addressee, text, date, auditors, seal })
}

fn read_officers(sheet: &Sheet) -> Result<Vec<Officer>, Error> {
    let t = Table::find(sheet, &["役職", "氏名"])?;
    refuse_unknown_columns(&t, &SHEET_OFFICERS)?;
    if t.records.is_empty() {
        return Err(error_on(sheet, "役員の行がありません。見出し行の下に役職と氏名を入れてください。"));
    }
    t.records
        .iter()
        .map(|r| {
            Ok(Officer {
                role: convert::required_text(t.value(r, "役職"), &t.origin(r, "役職"), "役職")?,
                name: convert::required_text(t.value(r, "氏名"), &t.origin(r, "氏名"), "氏名")?,
                affiliation: convert::text(t.value(r, "所属"), &t.origin(r, "所属"), "所属")?,
                note: convert::text(t.value(r, "備考"), &t.origin(r, "備考"), "備考")?,
            })
        })
        .collect()
}

/// Reads a 議案書 workbook. Every problem is an error at its cell.
pub fn read(wb: &Workbook) -> Result<BookInput, Error> {
    let (cover, fields) = read_cover(wb)?;
    let list_sheet = wb.require_sheet(SHEET_LIST.name)?;
    let list = Table::find(list_sheet, &["種類", "表題", "シート"])?;
    refuse_unknown_columns(&list, &SHEET_LIST)?;
    if list.records.is_empty() {
        return Err(error_on(list_sheet, "議案の行がありません。見出し行の下に、載せる順に議案を 1 行ずつ入れてください。"));
    }
    let cover_sheet = wb.require_sheet(SHEET_COVER.name)?;
    let mut used: Vec<Arc<str>> = vec![cover_sheet.name.clone(), list_sheet.name.clone()];
    let mut numbers: Vec<(u32, Origin)> = Vec::new();
    let mut motions = Vec::new();
    let mut statements = Vec::new();
    for r in &list.records {
        let at = |h: &str| list.origin(r, h);
        let number = match list.value(r, "番号") {
            Some(v) if !v.is_blank() => {
                let n = convert::integer(Some(v), &at("番号"), "番号", "3")?;
                let n = u32::try_from(n)
                    .ok()
                    .filter(|n| (1..=999).contains(n))
                    .ok_or_else(|| error_at(&at("番号"), format!("番号は 1〜999 にしてください（入力: {n}）。")))?;
                if let Some((_, first)) = numbers.iter().find(|(m, _)| *m == n) {
                    return Err(error_at(
                        &at("番号"),
                        format!("{}が 2 つあります（{} と同じ番号です）。番号を直してください。", motion_label(Some(n)), first.cell),
                    ));
                }
                numbers.push((n, at("番号")));
                Some(n)
            }
            _ => None,
        };
        let kind = convert::choice(list.value(r, "種類"), &at("種類"), "種類", KINDS)?;
        let title = convert::required_text(list.value(r, "表題"), &at("表題"), "表題")?;
        let sheet_name = convert::required_text(list.value(r, "シート"), &at("シート"), "シート")?;
        let lead = convert::text(list.value(r, "説明"), &at("説明"), "説明")?;
        let sheet = wb.sheet(&sheet_name).ok_or_else(|| {
            error_at(
                &at("シート"),
                format!("「{sheet_name}」シートがありません（あるシート: {}）。シート名を確かめてください。", wb.sheet_list()),
            )
        })?;
        if used.contains(&sheet.name) {
            return Err(error_at(
                &at("シート"),
                format!("「{}」シートはほかの議案か表紙・議案一覧ですでに使われています。議案ごとに別のシートにしてください。", sheet.name),
            ));
        }
        used.push(sheet.name.clone());
        let mut m = Motion {
            number,
            kind: kind.to_string(),
            title,
            sheet: sheet.name.to_string(),
            lead,
            sections: vec![],
            accounts: vec![],
            audit: None,
            officers: vec![],
        };
        let mut statement = None;
        match kind {
            "収支決算" | "収支予算" => {
                let k = if kind == "収支決算" { StatementKind::Settlement } else { StatementKind::Budget };
                let (lines, s) = money::read(sheet, k, cover.unit)?;
                m.accounts = lines;
                statement = Some(s);
            }
            "監査報告" => m.audit = Some(read_audit(sheet)?),
            "役員" => m.officers = read_officers(sheet)?,
            _ => {
                let body = input::read_body(wb, sheet, cover.fiscal_year)?;
                m.sections = body.sections;
                used.extend(body.used);
            }
        }
        motions.push(m);
        statements.push(statement);
    }
    for s in &wb.sheets {
        if !s.is_empty() && !used.contains(&s.name) {
            return Err(error_on(
                s,
                "このシートはどの議案にも使われていません（「議案一覧」のシートの列にも、本文の日程表・表の行にもありません）。載せるなら議案一覧か本文に行を足し、要らなければシートを消してください。",
            ));
        }
    }
    Ok(BookInput { book: GeneralMeeting { cover, motions }, statements, fields })
}

impl BookInput {
    /// The 議案書's title: 令和８年度 第１１回通常総会 議案書.
    pub fn title(&self) -> String {
        let c = &self.book.cover;
        format!("{} {} 議案書", wareki::format_fiscal_year(c.fiscal_year, wareki::Digits::Zenkaku), c.meeting)
    }

    /// The data handed to `general_meeting.hbs`.
    pub fn template_data(&self) -> Json {
        let c = &self.book.cover;
        let motions: Vec<Json> = self
            .book
            .motions
            .iter()
            .zip(&self.statements)
            .map(|(m, s)| {
                let label = motion_label(m.number);
                let heading = if label.is_empty() { m.title.clone() } else { format!("{label}　{}", m.title) };
                json!({
                    "number": m.number,
                    "label": label,
                    "kind": m.kind,
                    "title": m.title,
                    "heading": heading,
                    "sheet": m.sheet,
                    "lead": m.lead,
                    "narrative": matches!(m.kind.as_str(), "事業報告" | "事業計画" | "その他"),
                    "sections": input::sections_data(&m.sections),
                    "statement": s,
                    "audit": m.audit,
                    "officers": m.officers,
                    "has_affiliation": m.officers.iter().any(|o| o.affiliation.is_some()),
                    "has_officer_note": m.officers.iter().any(|o| o.note.is_some()),
                })
            })
            .collect();
        json!({
            "title": self.title(),
            "cover": c,
            "unit": c.unit.label(),
            "per_motion_pages": c.page_numbers == PageNumbers::PerMotion,
            "motions": motions,
            "fields": self.fields,
        })
    }
}

/// A 議案書 as [`read`] gives it back from the sheets
/// [`GeneralMeeting::to_sheets`] writes: dates that are text in the printed
/// 和暦 form, 日程 headers as read.
pub fn as_read_back(want: &GeneralMeeting) -> GeneralMeeting {
    let mut w = want.clone();
    let norm = |s: &mut Option<String>| {
        if let Some(t) = s.as_deref().and_then(convert::schedule_date_text) {
            *s = Some(t);
        }
    };
    norm(&mut w.cover.date);
    norm(&mut w.cover.submitted);
    for m in &mut w.motions {
        if let Some(a) = &mut m.audit {
            if let Some(t) = convert::schedule_date_text(&a.date) {
                a.date = t;
            }
        }
        for s in &mut m.sections {
            input::as_read_back(s);
            if !s.schedule.is_empty() && s.schedule_header.is_none() {
                s.schedule_header = Some(vec!["日程".into(), "内容".into()]);
            }
        }
    }
    w
}

/// Checks every text cell of the workbook against the fonts before
/// templating (a 議案書 prints every sheet it has), so that a character no
/// font has is reported at its cell. Every such cell is reported at once.
pub fn check_glyphs(wb: &Workbook, fonts: &crate::fonts::FontSet) -> Result<(), Error> {
    let cells = wb.sheets.iter().flat_map(|s| s.cells().map(move |(c, v)| (s.origin(c), v)));
    input::check_glyph_cells(cells, fonts)
}

fn text(s: &str) -> Option<CellData> {
    Some(CellData::Text(s.to_string()))
}

/// A sheet to write: its name, shape and content.
pub type NamedSheet = (String, Shape, SheetData);

impl GeneralMeeting {
    /// The 議案書 as input sheets (the inverse of [`read`]): 表紙, 議案一覧,
    /// then each 議案's sheet followed by the table sheets it uses.
    pub fn to_sheets(&self) -> Vec<NamedSheet> {
        let c = &self.cover;
        let date_cell = |s: &Option<String>| {
            s.as_ref().map(|s| match wareki::parse(s) {
                Some(wareki::ParsedDate::Date(d)) if d.year >= 1900 && !s.contains('（') => CellData::Date(d),
                _ => CellData::Text(s.clone()),
            })
        };
        let cover = SheetData::KeyValue(vec![
            text(&c.organisation),
            text(&c.meeting),
            text(&wareki::format_fiscal_year(c.fiscal_year, wareki::Digits::Ascii)),
            c.date.as_deref().and_then(text),
            c.venue.as_deref().and_then(text),
            date_cell(&c.submitted),
            text(c.unit.label()),
            text(match c.page_numbers {
                PageNumbers::Continuous => "通し",
                PageNumbers::PerMotion => "議案ごと",
            }),
        ]);
        let list = SheetData::Table {
            headers: None,
            rows: self
                .motions
                .iter()
                .map(|m| {
                    vec![
                        m.number.map(|n| CellData::Number(n as f64)),
                        text(&m.kind),
                        text(&m.title),
                        text(&m.sheet),
                        m.lead.as_deref().and_then(text),
                    ]
                })
                .collect(),
        };
        let mut out = vec![
            (SHEET_COVER.name.to_string(), SHEET_COVER.shape, cover),
            (SHEET_LIST.name.to_string(), SHEET_LIST.shape, list),
        ];
        for m in &self.motions {
            match m.kind.as_str() {
                "収支決算" | "収支予算" => {
                    let k = if m.kind == "収支決算" { StatementKind::Settlement } else { StatementKind::Budget };
                    out.push((m.sheet.clone(), k.shape(), SheetData::Table { headers: None, rows: money::to_rows(&m.accounts) }));
                }
                "監査報告" => {
                    let a = m.audit.as_ref();
                    out.push((
                        m.sheet.clone(),
                        SHEET_AUDIT.shape,
                        SheetData::KeyValue(vec![
                            a.and_then(|a| a.addressee.as_deref()).and_then(text),
                            a.and_then(|a| text(&a.text.join("\n"))),
                            date_cell(&a.map(|a| a.date.clone())),
                            a.and_then(|a| text(&a.auditors.join("\n"))),
                            text(if a.is_some_and(|a| a.seal) { "あり" } else { "なし" }),
                        ]),
                    ));
                }
                "役員" => out.push((
                    m.sheet.clone(),
                    SHEET_OFFICERS.shape,
                    SheetData::Table {
                        headers: None,
                        rows: m
                            .officers
                            .iter()
                            .map(|o| {
                                vec![
                                    text(&o.role),
                                    text(&o.name),
                                    o.affiliation.as_deref().and_then(text),
                                    o.note.as_deref().and_then(text),
                                ]
                            })
                            .collect(),
                    },
                )),
                _ => {
                    let b = input::body_sheets(&m.sections);
                    out.push((m.sheet.clone(), input::SHEET_BODY.shape, b.body));
                    if let Some((name, data)) = b.schedule {
                        out.push((name, input::SHEET_SCHEDULE.shape, data));
                    }
                    for (name, header, rows) in b.tables {
                        out.push((name, Shape::Table(&[]), SheetData::Table { headers: Some(header), rows }));
                    }
                }
            }
        }
        out
    }
}
