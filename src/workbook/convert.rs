//! Cells → typed fields, with messages that say where, what was expected and
//! what was found: 「議案.xlsx 「議案」シート B3: 年度が空です。西暦か和暦で入力してください（例: 2020、令和2年度、R2）」.
//!
//! Every function takes the cell's value (`None` for an empty cell), its
//! [`Origin`] and the field's name as the user knows it.

use crate::error::Error;
use crate::japanese::hankaku;
use crate::wareki::{self, Date, ParsedDate};

use super::{Origin, Value};

fn err(origin: &Origin, msg: String) -> Error {
    Error::finding(crate::diagnostic::Diagnostic::invalid(crate::diagnostic::Origin::of(origin), msg))
}

/// Optional text: text as typed (trimmed), numbers and dates as displayed.
/// Error values (`#N/A`) are refused.
pub fn text(v: Option<&Value>, origin: &Origin, field: &str) -> Result<Option<String>, Error> {
    match v {
        None => Ok(None),
        Some(v) if v.is_blank() => Ok(None),
        Some(Value::Error(e)) => {
            Err(err(origin, format!("{field}のセルが Excel のエラー値 {e} です。数式を直すか、値を入力してください。")))
        }
        Some(Value::Text(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Ok(Some(other.display())),
    }
}

/// Required text.
pub fn required_text(v: Option<&Value>, origin: &Origin, field: &str) -> Result<String, Error> {
    text(v, origin, field)?.ok_or_else(|| err(origin, format!("{field}が空です。入力してください。")))
}

/// A whole number. Text with full-width digits (「３」) and a surrounding
/// 第…号 or 号 is accepted; anything else is refused with what was found.
pub fn integer(v: Option<&Value>, origin: &Origin, field: &str, example: &str) -> Result<i64, Error> {
    let bad =
        |found: String| err(origin, format!("{field}は「{example}」のような整数で入力してください（入力: {found}）。"));
    match v {
        None => Err(err(origin, format!("{field}が空です。「{example}」のような整数で入力してください。"))),
        Some(Value::Number(n)) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(*n as i64),
        Some(Value::Text(s)) => {
            let t: String = hankaku(s).chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
            let t = t.strip_prefix('第').unwrap_or(&t);
            let t = t.strip_suffix('号').unwrap_or(t);
            t.parse::<i64>().map_err(|_| bad(v.map(Value::describe).unwrap_or_default()))
        }
        Some(other) => Err(bad(other.describe())),
    }
}

/// An amount of money in whole 円 ([`crate::amount`]): a number cell that
/// is whole, or text such as 「１，２００」「1,200円」「△500」. An empty cell is
/// `None`; anything else (a decimal, 未定, a date) is refused with what was
/// found.
pub fn amount(v: Option<&Value>, origin: &Origin, field: &str) -> Result<Option<i64>, Error> {
    use crate::amount;
    let bad = |found: String| {
        err(
            origin,
            format!("{field}は円の整数で入力してください（例: 120000、120,000、△5,000。入力: {found}）。"),
        )
    };
    match v {
        None => Ok(None),
        Some(v) if v.is_blank() => Ok(None),
        Some(Value::Number(n)) => amount::from_number(*n).map(Some).ok_or_else(|| bad(v.unwrap().describe())),
        Some(Value::Text(s)) => amount::parse(s).map(Some).ok_or_else(|| bad(v.unwrap().describe())),
        Some(Value::Error(e)) => {
            Err(err(origin, format!("{field}のセルが Excel のエラー値 {e} です。数式を直すか、金額を入力してください。")))
        }
        Some(other) => Err(bad(other.describe())),
    }
}

/// A 年度 (fiscal year, April–March) as its 西暦 starting year.
///
/// Accepts a number (2020), text in 西暦 or 和暦 with or without 年度
/// (2020年度, 令和2年度, 令和２年, 令和元年度, R2, Ｒ２), and a date (its 年度).
pub fn fiscal_year(v: Option<&Value>, origin: &Origin, field: &str) -> Result<i32, Error> {
    let how = "西暦か和暦で入力してください（例: 2020、令和2年度、R2）";
    let bad = |found: String| err(origin, format!("{field}として読めません（入力: {found}）。{how}。"));
    match v {
        None => Err(err(origin, format!("{field}が空です。{how}。"))),
        Some(v) if v.is_blank() => Err(err(origin, format!("{field}が空です。{how}。"))),
        Some(Value::Number(n)) if n.fract() == 0.0 && (1868.0..=2200.0).contains(n) => Ok(*n as i32),
        Some(Value::Date(d)) | Some(Value::DateTime(d, _)) => Ok(d.fiscal_year()),
        Some(Value::YearMonth(y, m)) => Ok(if *m >= 4 { *y } else { *y - 1 }),
        Some(Value::Text(s)) => parse_fiscal_year(s).ok_or_else(|| bad(v.map(Value::describe).unwrap_or_default())),
        Some(other) => Err(bad(other.describe())),
    }
}

/// Text → 年度: 2020, 2020年度, 令和2年度, 令和２年, R2, R2年度, H31.
pub fn parse_fiscal_year(s: &str) -> Option<i32> {
    let t: String = hankaku(s).chars().filter(|c| !c.is_whitespace()).collect();
    let t = kanji_digits(&t);
    let t = t.strip_suffix("年度").map(|x| format!("{x}年")).unwrap_or(t);
    if let Ok(y) = t.parse::<i32>() {
        return (1868..=2200).contains(&y).then_some(y);
    }
    // R2, H31: an era letter and a number without 年.
    let t = if t.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && t[1..].chars().all(|c| c.is_ascii_digit()) {
        format!("{t}年")
    } else {
        t
    };
    match wareki::parse(&t)? {
        ParsedDate::Year(y) => Some(y),
        ParsedDate::Date(d) => Some(d.fiscal_year()),
        ParsedDate::YearMonth(y, m) => Some(if m >= 4 { y } else { y - 1 }),
    }
}

/// Replaces kanji numerals up to 九十九 with digits: 令和二年 → 令和2年, 十二 → 12.
fn kanji_digits(s: &str) -> String {
    const D: &str = "〇一二三四五六七八九";
    let digit = |c: char| D.chars().position(|d| d == c).map(|i| i as u32);
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (digit(chars[i]).is_some() || chars[i] == '十') {
            i += 1;
        }
        if start == i {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = &chars[start..i];
        if run.len() > 4 {
            // Not a year number: keep the characters as they are.
            out.extend(run.iter());
            continue;
        }
        let value = match run.iter().position(|c| *c == '十') {
            Some(p) => {
                let tens = if p == 0 { 1 } else { run[..p].iter().fold(0, |a, c| a * 10 + digit(*c).unwrap_or(0)) };
                let ones = run[p + 1..].iter().fold(0, |a, c| a * 10 + digit(*c).unwrap_or(0));
                tens * 10 + ones
            }
            None => run.iter().fold(0, |a, c| a * 10 + digit(*c).unwrap_or(0)),
        };
        out.push_str(&value.to_string());
    }
    out
}

/// A full date: a date cell, or text in 西暦 or 和暦 (2020/6/1, 令和2年6月1日, R2.6.1).
pub fn date(v: Option<&Value>, origin: &Origin, field: &str) -> Result<Date, Error> {
    let how = "日付を入力してください（例: 2020/6/1、令和2年6月1日、R2.6.1）";
    match v {
        None => Err(err(origin, format!("{field}が空です。{how}。"))),
        Some(Value::Date(d)) | Some(Value::DateTime(d, _)) => Ok(*d),
        Some(v @ Value::YearMonth(..)) => {
            Err(err(origin, format!("{field}に日がありません（入力: 年月だけの日付 {}）。{how}。", v.display())))
        }
        Some(Value::Text(s)) => match wareki::parse(s) {
            Some(ParsedDate::Date(d)) => Ok(d),
            Some(_) => Err(err(origin, format!("{field}に日がありません（入力: 「{s}」）。{how}。"))),
            None => Err(err(origin, format!("{field}が日付として読めません（入力: 「{s}」）。{how}。"))),
        },
        Some(Value::Number(n)) => Err(err(
            origin,
            format!(
                "{field}が数値 {} になっています。セルの書式を「日付」にするか、{how}。",
                super::cell::format_number(*n)
            ),
        )),
        Some(other) => Err(err(origin, format!("{field}が日付ではありません（入力: {}）。{how}。", other.describe()))),
    }
}

/// A 日程-style value: a date cell becomes 和暦 with full-width digits
/// (令和元年６月１日), a year-month cell 令和７年９月. Text that is a date or a
/// year and month (2025-06-14, 2025/11/3, R7.9, 令和7年9月) is printed the
/// same way; other text is kept as typed (毎月第２水曜日), after checking
/// that text which looks like a date is a real one.
pub fn date_or_text(v: Option<&Value>, origin: &Origin, field: &str) -> Result<Option<String>, Error> {
    let zen = wareki::Digits::Zenkaku;
    match v {
        Some(Value::Date(d)) | Some(Value::DateTime(d, _)) => Ok(Some(wareki::format_date(*d, zen))),
        Some(Value::YearMonth(y, m)) => Ok(wareki::format_year_month(*y, *m, zen).or_else(|| v.map(Value::display))),
        Some(Value::Text(s)) => {
            if let Some(t) = schedule_date_text(s) {
                return Ok(Some(t));
            }
            if looks_like_date(s) && wareki::parse(s).is_none() {
                return Err(err(
                    origin,
                    format!(
                        "{field}「{}」は日付として正しくありません（存在しない日か、元号と年の組み合わせが違います）。",
                        s.trim()
                    ),
                ));
            }
            text(v, origin, field)
        }
        _ => text(v, origin, field),
    }
}

/// Text that is a date or a year and month (2025-06-14, R7.9, 令和7年9月) in
/// the form 日程 prints it: 和暦 with full-width digits (令和７年６月１４日,
/// 令和７年９月). `None` for other text, which [`date_or_text`] keeps as typed.
pub fn schedule_date_text(s: &str) -> Option<String> {
    let zen = wareki::Digits::Zenkaku;
    match wareki::parse(s)? {
        ParsedDate::Date(d) => Some(wareki::format_date(d, zen)),
        ParsedDate::YearMonth(y, m) => wareki::format_year_month(y, m, zen),
        ParsedDate::Year(_) => None,
    }
}

/// Text shaped like a full date (digits with / - . or 年月日, optionally an era).
fn looks_like_date(s: &str) -> bool {
    let t: String = hankaku(s).chars().filter(|c| !c.is_whitespace()).collect();
    let body = t.trim_start_matches(|c: char| c.is_ascii_alphabetic() || "明治大正昭和平成令和".contains(c));
    let digits = body.chars().filter(|c| c.is_ascii_digit() || *c == '元').count();
    let other_ok = body.chars().all(|c| c.is_ascii_digit() || "元/-.年月日".contains(c));
    other_ok && digits > 0 && (body.ends_with('日') || body.matches(['/', '-', '.']).count() == 2)
}

/// One of a fixed list of choices, or `None` for an empty cell.
pub fn optional_choice<'c>(
    v: Option<&Value>,
    origin: &Origin,
    field: &str,
    choices: &[&'c str],
) -> Result<Option<&'c str>, Error> {
    match v {
        Some(v) if !v.is_blank() => choice(Some(v), origin, field, choices).map(Some),
        _ => Ok(None),
    }
}

/// One of a fixed list of choices (as in a dropdown). Matching ignores
/// spaces and full-width/half-width differences; the canonical spelling is returned.
pub fn choice<'c>(v: Option<&Value>, origin: &Origin, field: &str, choices: &[&'c str]) -> Result<&'c str, Error> {
    let list = choices.iter().map(|c| format!("「{c}」")).collect::<Vec<_>>().join("");
    let Some(t) = text(v, origin, field)? else {
        return Err(err(origin, format!("{field}が空です。{list}のどれかを選んでください。")));
    };
    let n = super::shape::normalize(&t);
    choices
        .iter()
        .find(|c| super::shape::normalize(c) == n)
        .copied()
        .ok_or_else(|| err(origin, format!("{field}「{t}」は選べる値ではありません。{list}のどれかを選んでください。")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::CellRef;

    fn o() -> Origin {
        Origin { file: "a.xlsx".into(), sheet: "議案".into(), cell: CellRef::new(2, 1) }
    }
    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn fiscal_years_in_every_form_users_type() {
        for (s, y) in [
            ("2020", 2020),
            ("２０２０年度", 2020),
            ("令和2年度", 2020),
            ("令和２年", 2020),
            ("令和二年度", 2020),
            ("平成三十一年度", 2019),
            ("令和元年度", 2019),
            ("R2", 2020),
            ("Ｒ２", 2020),
            ("r2年度", 2020),
            ("H31", 2019),
            ("平成31年度", 2019),
        ] {
            let got = fiscal_year(Some(&t(s)), &o(), "年度").ok();
            assert_eq!(got, (y > 0).then_some(y), "{s}");
        }
        assert_eq!(fiscal_year(Some(&Value::Number(2020.0)), &o(), "年度").unwrap(), 2020);
        let d = Date::new(2021, 3, 31).unwrap();
        assert_eq!(fiscal_year(Some(&Value::Date(d)), &o(), "年度").unwrap(), 2020);
        let e = fiscal_year(None, &o(), "年度").unwrap_err();
        assert_eq!(
            e.message,
            "a.xlsx 「議案」シート B3: 年度が空です。西暦か和暦で入力してください（例: 2020、令和2年度、R2）。"
        );
        let e = fiscal_year(Some(&t("来年")), &o(), "年度").unwrap_err();
        assert!(e.message.contains("入力: 「来年」"), "{}", e.message);
        assert!(fiscal_year(Some(&Value::Number(2.0)), &o(), "年度").is_err());
        // Long kanji numeral runs do not overflow; they are simply not a year.
        assert!(fiscal_year(Some(&t("令和九九九九九九九九九九九九年度")), &o(), "年度").is_err());
    }

    #[test]
    fn integers_with_full_width_digits() {
        assert_eq!(integer(Some(&t("３")), &o(), "議案番号", "3").unwrap(), 3);
        assert_eq!(integer(Some(&t("第１２号")), &o(), "議案番号", "3").unwrap(), 12);
        assert_eq!(integer(Some(&Value::Number(3.0)), &o(), "議案番号", "3").unwrap(), 3);
        let e = integer(Some(&t("三")), &o(), "議案番号", "3").unwrap_err();
        assert!(e.message.contains("B3") && e.message.contains("「三」"), "{}", e.message);
        assert!(integer(Some(&Value::Number(3.5)), &o(), "議案番号", "3").is_err());
    }

    #[test]
    fn dates_as_cells_and_as_text() {
        let want = Date::new(2020, 6, 1).unwrap();
        for s in ["2020/6/1", "2020-06-01", "2020年6月1日", "令和2年6月1日", "R2.6.1", "令和２年６月１日"]
        {
            assert_eq!(date(Some(&t(s)), &o(), "日付").unwrap(), want, "{s}");
        }
        assert_eq!(date(Some(&t("令和元年6月1日")), &o(), "日付").unwrap(), Date::new(2019, 6, 1).unwrap());
        assert_eq!(date(Some(&t("H31.4.30")), &o(), "日付").unwrap(), Date::new(2019, 4, 30).unwrap());
        let e = date(Some(&t("6月ごろ")), &o(), "開催日").unwrap_err();
        assert!(e.message.contains("開催日が日付として読めません（入力: 「6月ごろ」）"), "{}", e.message);
        assert!(date(Some(&t("令和2年")), &o(), "日付").unwrap_err().message.contains("日がありません"));
    }

    #[test]
    fn schedule_dates() {
        let d = Value::Date(Date::new(2019, 6, 1).unwrap());
        assert_eq!(date_or_text(Some(&d), &o(), "日程").unwrap().unwrap(), "令和元年６月１日");
        assert_eq!(date_or_text(Some(&t("令和元年７月")), &o(), "日程").unwrap().unwrap(), "令和元年７月");
        assert_eq!(date_or_text(Some(&t("毎月第2水曜日")), &o(), "日程").unwrap().unwrap(), "毎月第2水曜日");
        assert_eq!(date_or_text(Some(&t("未定")), &o(), "日程").unwrap().unwrap(), "未定");
        assert_eq!(date_or_text(Some(&t("令和2年")), &o(), "日程").unwrap().unwrap(), "令和2年");
    }

    #[test]
    fn schedule_text_dates_print_like_date_cells() {
        for (typed, printed) in [
            ("2025-06-14", "令和７年６月１４日"),
            ("2025/11/3", "令和７年１１月３日"),
            ("R7.9", "令和７年９月"),
            ("令和7年9月", "令和７年９月"),
            ("２０２５/９", "令和７年９月"),
            (" 令和7年9月1日 ", "令和７年９月１日"),
        ] {
            assert_eq!(date_or_text(Some(&t(typed)), &o(), "日程").unwrap().unwrap(), printed, "{typed}");
        }
        assert_eq!(date_or_text(Some(&Value::YearMonth(2025, 9)), &o(), "日程").unwrap().unwrap(), "令和７年９月");
        let e = date(Some(&Value::YearMonth(2025, 9)), &o(), "開催日").unwrap_err();
        assert!(e.message.contains("開催日に日がありません"), "{}", e.message);
        assert!(date_or_text(Some(&t("令和2年2月30日")), &o(), "日程").is_err());
        assert!(date_or_text(Some(&t("平成32年1月1日")), &o(), "日程").is_err());
    }

    #[test]
    fn choices() {
        assert_eq!(choice(Some(&t(" 項目 ")), &o(), "種別", &["段落", "項目"]).unwrap(), "項目");
        let e = choice(Some(&t("表")), &o(), "種別", &["段落", "項目"]).unwrap_err();
        assert!(e.message.contains("「段落」「項目」"), "{}", e.message);
    }
}
