//! Templates: handlebars renders data into layout markup.
//!
//! The registry runs in strict mode (a misspelt field is an error, not an
//! empty string) and escapes every `{{value}}` for XML, so text typed into a
//! workbook can never inject markup. Shipped templates are embedded in the
//! binary; a user's directory (`--templates DIR`) overrides them by file name.
//!
//! Helpers (all documented in `docs/templates.md`):
//! - `{{zenkaku x}}`, `{{hankaku x}}`: full-width / half-width digits and letters;
//! - `{{kanji_num n}}`: 20 → 二十;
//! - `{{numbering "（１）" n}}`: list and heading markers;
//! - `{{lines text}}`: escapes text and turns its line breaks into `<br/>`;
//! - `{{inc @index}}`: adds one (for numbering from a zero-based index);
//! - `{{wareki date digits="kanji"}}`: 令和2年6月1日 / 令和二年六月一日;
//! - `{{nendo 2020 digits="kanji"}}`: 令和二年度; `{{nendo 2023 short=true}}`: R5;
//! - `{{#each (group_by rows "章" "項")}}`: flat rows → nested sections.

use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError, RenderErrorReason, TemplateError,
};
use serde_json::Value;

use crate::error::Error;
use crate::{japanese, wareki};

/// Templates shipped with keikaku, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("agenda.hbs", include_str!("../templates/agenda.hbs")),
    ("general_meeting.hbs", include_str!("../templates/general_meeting.hbs")),
    ("pdca.hbs", include_str!("../templates/pdca.hbs")),
    ("report.hbs", include_str!("../templates/report.hbs")),
    ("report_project.hbs", include_str!("../templates/report_project.hbs")),
    ("plan.hbs", include_str!("../templates/plan.hbs")),
];

/// XML escaping for `{{value}}`: handlebars' HTML escaping also covers XML.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; keep tab and newline.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A string or number parameter as text.
fn param_text(h: &Helper, i: usize) -> Result<String, RenderError> {
    match h.param(i).map(|p| p.value()) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Null) | None => Err(RenderErrorReason::ParamNotFoundForIndex("helper", i).into()),
        Some(other) => Ok(other.to_string()),
    }
}

/// A non-negative integer parameter; accepts "２" and "2" as text.
fn param_u64(h: &Helper, i: usize) -> Result<u64, RenderError> {
    match h.param(i).map(|p| p.value()) {
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| RenderErrorReason::InvalidParamType("0 以上の整数").into()),
        Some(Value::String(s)) => {
            japanese::hankaku(s).trim().parse().map_err(|_| RenderErrorReason::InvalidParamType("0 以上の整数").into())
        }
        _ => Err(RenderErrorReason::ParamNotFoundForIndex("helper", i).into()),
    }
}

fn zenkaku_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&xml_escape(&japanese::zenkaku(&param_text(h, 0)?)))?;
    Ok(())
}

fn hankaku_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&xml_escape(&japanese::hankaku(&param_text(h, 0)?)))?;
    Ok(())
}

fn kanji_num_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&japanese::kanji_num(param_u64(h, 0)?))?;
    Ok(())
}

fn numbering_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let style = param_text(h, 0)?;
    let n = param_u64(h, 1)?;
    let numbering =
        japanese::Numbering::parse(&style).ok_or(RenderErrorReason::InvalidParamType(japanese::Numbering::NAMES))?;
    out.write(&xml_escape(&numbering.format(n.min(u32::MAX as u64) as u32)))?;
    Ok(())
}

fn digits_option(h: &Helper) -> Result<wareki::Digits, RenderError> {
    match h.hash_get("digits").map(|v| v.value()) {
        None => Ok(wareki::Digits::Ascii),
        Some(Value::String(s)) if s == "ascii" || s == "half" => Ok(wareki::Digits::Ascii),
        Some(Value::String(s)) if s == "zenkaku" || s == "full" => Ok(wareki::Digits::Zenkaku),
        Some(Value::String(s)) if s == "kanji" => Ok(wareki::Digits::Kanji),
        Some(_) => Err(RenderErrorReason::InvalidParamType("digits は ascii, zenkaku, kanji のどれか").into()),
    }
}

/// A date parameter: ISO text, any text [`wareki::parse`] reads, or an Excel serial.
fn param_date(h: &Helper, i: usize) -> Result<wareki::ParsedDate, RenderError> {
    let bad = || RenderError::from(RenderErrorReason::InvalidParamType("日付（2020-06-01, 令和2年6月1日 など）"));
    match h.param(i).map(|p| p.value()) {
        Some(Value::String(s)) => wareki::parse(s).ok_or_else(bad),
        Some(Value::Number(n)) => {
            let v = n.as_f64().ok_or_else(bad)?;
            if (1000.0..=9999.0).contains(&v) && v.fract() == 0.0 {
                Ok(wareki::ParsedDate::Year(v as i32))
            } else {
                wareki::Date::from_excel_serial(v).map(wareki::ParsedDate::Date).ok_or_else(bad)
            }
        }
        _ => Err(RenderErrorReason::ParamNotFoundForIndex("helper", i).into()),
    }
}

fn wareki_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let digits = digits_option(h)?;
    let text = match param_date(h, 0)? {
        wareki::ParsedDate::Date(d) => wareki::format_date(d, digits),
        wareki::ParsedDate::YearMonth(y, m) => {
            let d = wareki::Date::new(y, m, 1).ok_or(RenderErrorReason::InvalidParamType("日付"))?;
            let full = wareki::format_date(d, digits);
            full[..full.rfind('月').map(|i| i + '月'.len_utf8()).unwrap_or(full.len())].to_string()
        }
        wareki::ParsedDate::Year(y) => {
            let d = wareki::Date::new(y, 12, 31).ok_or(RenderErrorReason::InvalidParamType("日付"))?;
            let full = wareki::format_date(d, digits);
            full[..full.find('年').map(|i| i + '年'.len_utf8()).unwrap_or(full.len())].to_string()
        }
    };
    out.write(&text)?;
    Ok(())
}

fn nendo_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let fy = match param_date(h, 0)? {
        wareki::ParsedDate::Year(y) => y,
        wareki::ParsedDate::YearMonth(y, m) => {
            if m >= 4 {
                y
            } else {
                y - 1
            }
        }
        wareki::ParsedDate::Date(d) => d.fiscal_year(),
    };
    let short = matches!(h.hash_get("short").map(|v| v.value()), Some(Value::Bool(true)));
    let text =
        if short { wareki::format_fiscal_year_short(fy) } else { wareki::format_fiscal_year(fy, digits_option(h)?) };
    out.write(&text)?;
    Ok(())
}

fn inc_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    out.write(&(param_u64(h, 0)? + 1).to_string())?;
    Ok(())
}

fn lines_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let text = match h.param(0).map(|p| p.value()) {
        Some(Value::Null) | None => String::new(),
        _ => param_text(h, 0)?,
    };
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let parts: Vec<String> = text.split('\n').map(xml_escape).collect();
    out.write(&parts.join("<br/>"))?;
    Ok(())
}

/// The first parameter as an array (an absent or null one is empty).
fn param_array(h: &Helper, what: &'static str) -> Result<Vec<Value>, RenderError> {
    match h.param(0).map(|p| p.value()) {
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(Value::Null) | None => Ok(Vec::new()),
        Some(_) => Err(RenderErrorReason::InvalidParamType(what).into()),
    }
}

/// `(group_by rows "章" "項")`: flat records → nested groups (see
/// [`crate::grouping::group_json`]). Used as a subexpression in `#each`.
struct GroupBy;

impl handlebars::HelperDef for GroupBy {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, RenderError> {
        let rows = param_array(h, "group_by の 1 つめは行の配列")?;
        let keys: Vec<String> = (1..h.params().len()).map(|i| param_text(h, i)).collect::<Result<_, _>>()?;
        if keys.is_empty() {
            return Err(RenderErrorReason::ParamNotFoundForIndex("group_by", 1).into());
        }
        Ok(handlebars::ScopedJson::Derived(crate::grouping::group_json(&rows, &keys)))
    }
}

/// An amount parameter: a whole JSON number or text [`crate::amount::parse`] reads.
fn param_amount(h: &Helper, i: usize, name: &'static str) -> Result<i64, RenderError> {
    match h.param(i).map(|p| p.value()) {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().and_then(crate::amount::from_number))
            .filter(|v| v.abs() <= crate::amount::MAX)
            .ok_or_else(|| RenderErrorReason::InvalidParamType(name).into()),
        Some(Value::String(s)) => crate::amount::parse(s).ok_or_else(|| RenderErrorReason::InvalidParamType(name).into()),
        Some(Value::Null) | None => Err(RenderErrorReason::ParamNotFoundForIndex("amount", i).into()),
        Some(_) => Err(RenderErrorReason::InvalidParamType(name).into()),
    }
}

/// `{{amount 1234567}}` → 1,234,567; `{{amount -500}}` → △500;
/// `{{amount 1234567 unit="千円"}}` → 1,235 (rounded half away from zero).
fn amount_helper(h: &Helper, _: &Handlebars, _: &Context, _: &mut RenderContext, out: &mut dyn Output) -> HelperResult {
    let n = param_amount(h, 0, "amount には円の整数（1234567 や \"1,234,567\"）を渡してください")?;
    let unit = match h.hash_get("unit").map(|v| v.value()) {
        None | Some(Value::Null) => crate::amount::Unit::Yen,
        Some(Value::String(s)) => crate::amount::Unit::parse(s)
            .ok_or(RenderErrorReason::InvalidParamType("unit は \"円\" か \"千円\""))?,
        Some(_) => return Err(RenderErrorReason::InvalidParamType("unit は \"円\" か \"千円\"").into()),
    };
    out.write(&crate::amount::format(n, unit))?;
    Ok(())
}

/// `(sum rows "予算額")`: the integer sum of a field over an array of
/// objects, or `(sum values)` of an array of amounts; empty values count 0.
/// Used as a subexpression: `{{amount (sum rows "予算額")}}`.
struct Sum;

impl handlebars::HelperDef for Sum {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, RenderError> {
        let bad = || RenderError::from(RenderErrorReason::InvalidParamType("sum の値は円の整数"));
        let rows = param_array(h, "sum の 1 つめは配列")?;
        let field = if h.params().len() > 1 { Some(param_text(h, 1)?) } else { None };
        let mut values = Vec::with_capacity(rows.len());
        for r in &rows {
            let v = match &field {
                Some(f) => r.get(f).cloned().unwrap_or(Value::Null),
                None => r.clone(),
            };
            values.push(match v {
                Value::Null => 0,
                Value::Number(n) => n.as_i64().ok_or_else(bad)?,
                Value::String(s) if s.trim().is_empty() => 0,
                Value::String(s) => crate::amount::parse(&s).ok_or_else(bad)?,
                _ => return Err(bad()),
            });
        }
        let total = crate::amount::sum(values).ok_or_else(bad)?;
        Ok(handlebars::ScopedJson::Derived(Value::from(total)))
    }
}

/// A handlebars registry with keikaku's settings and helpers.
pub fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(xml_escape);
    hb.register_helper("zenkaku", Box::new(zenkaku_helper));
    hb.register_helper("hankaku", Box::new(hankaku_helper));
    hb.register_helper("kanji_num", Box::new(kanji_num_helper));
    hb.register_helper("numbering", Box::new(numbering_helper));
    hb.register_helper("lines", Box::new(lines_helper));
    hb.register_helper("amount", Box::new(amount_helper));
    hb.register_helper("sum", Box::new(Sum));
    hb.register_helper("inc", Box::new(inc_helper));
    hb.register_helper("wareki", Box::new(wareki_helper));
    hb.register_helper("nendo", Box::new(nendo_helper));
    hb.register_helper("group_by", Box::new(GroupBy));
    hb
}

fn template_error(e: &TemplateError, origin: &str) -> Error {
    let at = match e.pos() {
        Some((l, c)) => format!("{origin} {l}行{c}列"),
        None => origin.to_string(),
    };
    Error::input(format!("{at}: テンプレートの書き方に誤りがあります（{}）。", e.reason()))
}

fn render_error(e: &RenderError, origin: &str) -> Error {
    let at = match (e.line_no, e.column_no) {
        (Some(l), Some(c)) => format!("{origin} {l}行{c}列"),
        _ => origin.to_string(),
    };
    let what = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => {
            format!("データに「{path}」がありません。データの項目名とテンプレートの {{{{{path}}}}} が合っているか確認してください。")
        }
        RenderErrorReason::MissingVariable(None) => "データにない項目を参照しています。".to_string(),
        RenderErrorReason::HelperNotFound(name) => {
            format!("ヘルパー「{name}」はありません。使えるヘルパーは docs/templates.md を見てください。")
        }
        RenderErrorReason::PartialNotFound(name) => {
            format!("部分テンプレート「{name}」が見つかりません。")
        }
        other => format!("テンプレートを展開できません（{other}）。"),
    };
    Error::input(format!("{at}: {what}"))
}

/// A template compiled once, to be rendered with many data (a report's
/// part per 事業).
pub struct Template {
    hb: Handlebars<'static>,
    origin: String,
}

impl Template {
    /// Compiles a template text. `origin` names the template file in messages.
    pub fn from_text(template: &str, origin: &str) -> Result<Template, Error> {
        let mut hb = registry();
        hb.register_template_string(origin, template).map_err(|e| template_error(&e, origin))?;
        Ok(Template { hb, origin: origin.to_string() })
    }

    /// Compiles a template file.
    pub fn from_file(path: &Path) -> Result<Template, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(format!("テンプレート「{}」を読めません: {e}", path.display())))?;
        Template::from_text(&text, &path.display().to_string())
    }

    /// A shipped template by file name, or the user's file of the same name
    /// from `dir` when given and present.
    pub fn named(name: &str, dir: Option<&Path>) -> Result<Template, Error> {
        if let Some(dir) = dir {
            let p = dir.join(name);
            if p.exists() {
                return Template::from_file(&p);
            }
        }
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| Error::internal(format!("built-in template {name} missing")))?;
        Template::from_text(text, &format!("templates/{name}"))
    }

    /// Renders the template with JSON data.
    pub fn render(&self, data: &Value) -> Result<String, Error> {
        self.hb.render(&self.origin, data).map_err(|e| render_error(&e, &self.origin))
    }

    /// Renders the template with JSON data it may keep (handlebars would
    /// otherwise copy the data first).
    pub fn render_owned(&self, data: Value) -> Result<String, Error> {
        let cx = handlebars::Context::from(data);
        self.hb.render_with_context(&self.origin, &cx).map_err(|e| render_error(&e, &self.origin))
    }
}

/// Renders a template text with JSON data. `origin` names the template file.
pub fn render_str(template: &str, origin: &str, data: &Value) -> Result<String, Error> {
    Template::from_text(template, origin)?.render(data)
}

/// Renders a template file with JSON data.
pub fn render_file(path: &Path, data: &Value) -> Result<String, Error> {
    Template::from_file(path)?.render(data)
}

/// Renders a shipped template by file name, or the user's file of the same
/// name from `dir` when given and present.
pub fn render_named(name: &str, dir: Option<&Path>, data: &Value) -> Result<String, Error> {
    Template::named(name, dir)?.render(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amount_and_sum_helpers() {
        let data = json!({"rows": [{"a": 1200}, {"a": "△200"}, {"a": null}, {"a": 1500000}], "n": -1500});
        let out = render_str(
            "{{amount (sum rows \"a\")}}|{{amount n}}|{{amount n unit=\"千円\"}}|{{amount 1234567 unit=\"千円\"}}|{{amount \"1,000\"}}",
            "t.hbs",
            &data,
        )
        .unwrap();
        assert_eq!(out, "1,501,000|△1,500|△2|1,235|1,000");
        assert!(render_str("{{amount 1.5}}", "t.hbs", &data).is_err());
        assert!(render_str("{{amount \"未定\"}}", "t.hbs", &data).is_err());
        assert!(render_str("{{amount 1 unit=\"万円\"}}", "t.hbs", &data).is_err());
    }

    #[test]
    fn values_are_escaped_so_data_cannot_inject_markup() {
        let out = render_str("<p>{{t}}</p>", "t.hbs", &json!({"t": "</p><page-break/>&"})).unwrap();
        assert_eq!(out, "<p>&lt;/p&gt;&lt;page-break/&gt;&amp;</p>");
    }

    #[test]
    fn strict_mode_names_missing_field_and_line() {
        let err = render_str("<p>\n{{title}}</p>", "a.hbs", &json!({"titel": 1})).unwrap_err();
        assert!(err.message.contains("a.hbs 2行") && err.message.contains("title"), "{}", err.message);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = render_str("<p>{{#if x}}</p>", "b.hbs", &json!({})).unwrap_err();
        assert!(err.message.starts_with("b.hbs"), "{}", err.message);
    }

    #[test]
    fn unknown_helper_is_named() {
        let err = render_str("{{wareki2 d}}", "c.hbs", &json!({"d": 1})).unwrap_err();
        assert!(err.message.contains("wareki2"), "{}", err.message);
    }

    #[test]
    fn japanese_helpers() {
        let out = render_str(
            r#"{{zenkaku n}}|{{kanji_num 20}}|{{numbering "（１）" 3}}|{{lines t}}"#,
            "h",
            &json!({"n": 3, "t": "一行目\n<二行目>"}),
        )
        .unwrap();
        assert_eq!(out, "３|二十|（３）|一行目<br/>&lt;二行目&gt;");
    }

    #[test]
    fn wareki_and_nendo_helpers() {
        let out = render_str(
            r#"{{wareki d}}|{{wareki d digits="kanji"}}|{{wareki "R1.5.1" digits="zenkaku"}}|{{nendo 2020 digits="kanji"}}|{{nendo d}}|{{nendo 2023 short=true}}|{{nendo "2021/3/31"}}|{{wareki 43983}}"#,
            "w",
            &json!({"d": "2020-06-01"}),
        )
        .unwrap();
        assert_eq!(
            out,
            "令和2年6月1日|令和二年六月一日|令和元年５月１日|令和二年度|令和2年度|R5|令和2年度|令和2年6月1日"
        );
        assert!(render_str("{{wareki x}}", "w", &json!({"x": "未定"})).is_err());
    }

    #[test]
    fn group_by_helper_nests_flat_rows() {
        let data = json!({"rows": [
            {"章": "基本方針", "項": "研修", "本文": "a"},
            {"章": "", "項": "研修", "本文": "b"},
            {"章": "日程", "項": "総会", "本文": "c"}
        ]});
        let t = "{{#each (group_by rows \"章\" \"項\")}}[{{key}}{{#each groups}}({{key}}:{{#each rows}}{{本文}}{{/each}}){{/each}}]{{/each}}";
        assert_eq!(render_str(t, "g", &data).unwrap(), "[基本方針(研修:ab)][日程(総会:c)]");
        assert!(render_str("{{#each (group_by rows)}}{{/each}}", "g", &data).is_err());
    }
}
