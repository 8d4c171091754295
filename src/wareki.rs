//! 和暦 (Japanese era calendar): dates and fiscal years (年度) in the forms
//! official documents use, and parsing of dates typed as text.
//!
//! Era boundaries are exact to the day: 1989-01-07 is 昭和64年1月7日 and
//! 1989-01-08 平成元年1月8日; 2019-04-30 is 平成31年4月30日 and 2019-05-01
//! 令和元年5月1日. The first year of an era is written 元年.

use std::fmt;

use crate::japanese::{hankaku, kanji_num, zenkaku};

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (西暦).
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A valid date, or `None` (2021-02-29 is not a date).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if (1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = if m <= 2 { y + 1 } else { y };
        Date::new(i32::try_from(y).ok()?, m, d)
    }

    /// The date of an Excel serial number (1900 date system, with Excel's
    /// fictitious 1900-02-29 accounted for). Fractions (times) are ignored.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let n = serial.floor() as i64;
        // Serial 60 is the non-existent 1900-02-29; serial 61 is 1900-03-01.
        let n = if n >= 60 { n - 1 } else { n };
        Date::from_days(Date { year: 1899, month: 12, day: 31 }.to_days() + n)
    }

    /// The fiscal year (年度, April to March) the date belongs to.
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A Japanese era.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    /// Kanji name (令和).
    pub name: &'static str,
    /// Initial letter (R).
    pub letter: char,
    /// First day.
    pub start: Date,
}

/// The modern eras, newest first.
pub const ERAS: [Era; 5] = [
    Era { name: "令和", letter: 'R', start: Date { year: 2019, month: 5, day: 1 } },
    Era { name: "平成", letter: 'H', start: Date { year: 1989, month: 1, day: 8 } },
    Era { name: "昭和", letter: 'S', start: Date { year: 1926, month: 12, day: 25 } },
    Era { name: "大正", letter: 'T', start: Date { year: 1912, month: 7, day: 30 } },
    Era { name: "明治", letter: 'M', start: Date { year: 1868, month: 10, day: 23 } },
];

/// The era of a date and the year within it, or `None` before 明治.
pub fn era_of(d: Date) -> Option<(Era, i32)> {
    ERAS.iter().find(|e| d >= e.start).map(|e| (*e, d.year - e.start.year + 1))
}

/// How numbers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Digits {
    /// 令和2年6月1日
    #[default]
    Ascii,
    /// 令和２年６月１日
    Zenkaku,
    /// 令和二年六月一日
    Kanji,
}

fn num(n: i64, digits: Digits) -> String {
    match digits {
        Digits::Ascii => n.to_string(),
        Digits::Zenkaku => zenkaku(&n.to_string()),
        Digits::Kanji => kanji_num(n.max(0) as u64),
    }
}

fn era_year(y: i32, digits: Digits) -> String {
    if y == 1 {
        "元".to_string()
    } else {
        num(y as i64, digits)
    }
}

/// 令和2年6月1日 (or with other digits). Dates before 明治 stay 西暦.
pub fn format_date(d: Date, digits: Digits) -> String {
    match era_of(d) {
        Some((era, y)) => format!(
            "{}{}年{}月{}日",
            era.name,
            era_year(y, digits),
            num(d.month as i64, digits),
            num(d.day as i64, digits)
        ),
        None => {
            format!("{}年{}月{}日", num(d.year as i64, digits), num(d.month as i64, digits), num(d.day as i64, digits))
        }
    }
}

/// 令和7年9月 (or with other digits): a year and month without a day, in the
/// era in effect on the first of the month. `None` for a month that is not one.
pub fn format_year_month(year: i32, month: u32, digits: Digits) -> Option<String> {
    let d = Date::new(year, month, 1)?;
    Some(match era_of(d) {
        Some((era, y)) => format!("{}{}年{}月", era.name, era_year(y, digits), num(month as i64, digits)),
        None => format!("{}年{}月", num(year as i64, digits), num(month as i64, digits)),
    })
}

/// An example date inside a fiscal year, for hints in messages and notes:
/// 31 July of `fy`, as 西暦 text and as 和暦 (`example_date(2025)` is
/// `("2025/7/31", "令和7年7月31日")`). Hints then show the plan's own years
/// instead of a fixed one.
pub fn example_date(fy: i32) -> (String, String) {
    let fy = fy.clamp(1869, 9999);
    let d = Date { year: fy, month: 7, day: 31 };
    (format!("{fy}/7/31"), format_date(d, Digits::Ascii))
}

/// The era used to name a fiscal year: the era in effect on 1 May of its
/// first calendar year. This gives the names in official use: FY1988 is
/// 昭和63年度, FY1989 平成元年度, FY2019 令和元年度.
pub fn fiscal_year_era(fy: i32) -> Option<(Era, i32)> {
    era_of(Date::new(fy, 5, 1)?)
}

/// 令和2年度 (or 令和二年度, 令和２年度).
pub fn format_fiscal_year(fy: i32, digits: Digits) -> String {
    match fiscal_year_era(fy) {
        Some((era, y)) => format!("{}{}年度", era.name, era_year(y, digits)),
        None => format!("{}年度", num(fy as i64, digits)),
    }
}

/// R2 (the short form used in plan tables: R5–R9).
pub fn format_fiscal_year_short(fy: i32) -> String {
    match fiscal_year_era(fy) {
        Some((era, y)) => format!("{}{}", era.letter, y),
        None => fy.to_string(),
    }
}

/// What a text date was understood as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedDate {
    /// A full date.
    Date(Date),
    /// A year only (令和２年, 2020年): the 西暦 year.
    Year(i32),
    /// A year and month (令和元年７月): 西暦 year and month.
    YearMonth(i32, u32),
}

fn era_by_name(s: &str) -> Option<(Era, usize)> {
    for e in ERAS {
        if s.starts_with(e.name) {
            return Some((e, e.name.len()));
        }
        let c = s.chars().next()?;
        if c.to_ascii_uppercase() == e.letter {
            return Some((e, c.len_utf8()));
        }
    }
    None
}

/// Reads a date typed as text: 西暦 `2020/6/1`, `2020-06-01`, `2020.6.1`,
/// `2020年6月1日`; 和暦 `令和2年6月1日`, `令和元年6月1日`, `R2.6.1`, `H31/4/30`,
/// `R2年6月1日`; year only (`令和２年`, `2020年`) and year-month (`令和元年7月`,
/// `2025/9`, `2025-09`, `R7.9`).
/// Full-width digits and spaces are accepted. A 和暦 date outside its era
/// (平成32年, 令和元年4月1日) is rejected.
pub fn parse(text: &str) -> Option<ParsedDate> {
    let s: String = hankaku(text).chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.as_str();
    if s.is_empty() {
        return None;
    }
    let (era, rest) = match era_by_name(s) {
        Some((e, n)) => (Some(e), &s[n..]),
        None => (None, s),
    };
    // Split into numbers and separators.
    let mut nums: Vec<i64> = Vec::new();
    let mut seps: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut sep = String::new();
    let rest = rest.replacen('元', "1", 1);
    for c in rest.chars() {
        if c.is_ascii_digit() {
            if !sep.is_empty() {
                seps.push(std::mem::take(&mut sep));
            }
            cur.push(c);
        } else {
            if !cur.is_empty() {
                nums.push(cur.parse().ok()?);
                cur.clear();
            }
            sep.push(c);
        }
        if cur.len() > 6 {
            return None;
        }
    }
    if !cur.is_empty() {
        nums.push(cur.parse().ok()?);
    }
    let trailing = sep;
    // Separators must be consistent: all of / - . or 年 月 (日).
    let kanji = seps.first().is_some_and(|s| s == "年");
    let ok_seps = if kanji {
        match nums.len() {
            1 => trailing == "年",
            2 => seps == ["年"] && trailing == "月",
            3 => seps == ["年", "月"] && (trailing == "日" || trailing.is_empty()),
            _ => false,
        }
    } else {
        match nums.len() {
            1 => trailing == "年" && seps.is_empty(),
            // A year and month: 2025/9, 2025-09, R7.9.
            2 => trailing.is_empty() && seps.len() == 1 && matches!(seps[0].as_str(), "/" | "-" | "."),
            3 => {
                trailing.is_empty()
                    && seps.len() == 2
                    && seps[0] == seps[1]
                    && matches!(seps[0].as_str(), "/" | "-" | ".")
            }
            _ => false,
        }
    };
    if !ok_seps {
        return None;
    }
    let year = |y: i64| -> Option<i32> {
        match era {
            Some(e) => {
                if !(1..=100).contains(&y) {
                    return None;
                }
                Some(e.start.year + y as i32 - 1)
            }
            None => (1000..=9999).contains(&y).then_some(y as i32),
        }
    };
    // The era must really be in effect on the date (or in the year/month).
    let in_era = |d: Date| -> bool {
        match era {
            Some(e) => era_of(d).is_some_and(|(found, _)| found.name == e.name),
            None => true,
        }
    };
    match nums.as_slice() {
        [y] => {
            let y = year(*y)?;
            // Some day of the year must be in the era.
            let last = Date::new(y, 12, 31)?;
            (in_era(last) || in_era(Date::new(y, 1, 1)?)).then_some(ParsedDate::Year(y))
        }
        [y, m] => {
            let y = year(*y)?;
            let m = u32::try_from(*m).ok()?;
            let first = Date::new(y, m, 1)?;
            let last = Date::new(y, m, days_in_month(y, m))?;
            (in_era(first) || in_era(last)).then_some(ParsedDate::YearMonth(y, m))
        }
        [y, m, d] => {
            let d = Date::new(year(*y)?, u32::try_from(*m).ok()?, u32::try_from(*d).ok()?)?;
            in_era(d).then_some(ParsedDate::Date(d))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn era_boundaries_are_exact() {
        assert_eq!(format_date(d(1989, 1, 7), Digits::Ascii), "昭和64年1月7日");
        assert_eq!(format_date(d(1989, 1, 8), Digits::Ascii), "平成元年1月8日");
        assert_eq!(format_date(d(2019, 4, 30), Digits::Ascii), "平成31年4月30日");
        assert_eq!(format_date(d(2019, 5, 1), Digits::Ascii), "令和元年5月1日");
        assert_eq!(format_date(d(1926, 12, 24), Digits::Ascii), "大正15年12月24日");
        assert_eq!(format_date(d(1926, 12, 25), Digits::Ascii), "昭和元年12月25日");
    }

    #[test]
    fn digit_styles() {
        assert_eq!(format_date(d(2020, 6, 1), Digits::Ascii), "令和2年6月1日");
        assert_eq!(format_date(d(2020, 6, 1), Digits::Zenkaku), "令和２年６月１日");
        assert_eq!(format_date(d(2020, 10, 21), Digits::Kanji), "令和二年十月二十一日");
        assert_eq!(format_date(d(2019, 5, 1), Digits::Kanji), "令和元年五月一日");
    }

    #[test]
    fn fiscal_years() {
        assert_eq!(format_fiscal_year(2020, Digits::Ascii), "令和2年度");
        assert_eq!(format_fiscal_year(2020, Digits::Kanji), "令和二年度");
        assert_eq!(format_fiscal_year(2020, Digits::Zenkaku), "令和２年度");
        assert_eq!(format_fiscal_year(2019, Digits::Ascii), "令和元年度");
        assert_eq!(format_fiscal_year(2018, Digits::Ascii), "平成30年度");
        assert_eq!(format_fiscal_year(1988, Digits::Ascii), "昭和63年度");
        assert_eq!(format_fiscal_year(1989, Digits::Ascii), "平成元年度");
        assert_eq!(format_fiscal_year_short(2023), "R5");
        assert_eq!(d(2021, 3, 31).fiscal_year(), 2020);
        assert_eq!(d(2021, 4, 1).fiscal_year(), 2021);
    }

    #[test]
    fn parses_seireki_and_wareki_text() {
        let date = |s| parse(s);
        assert_eq!(date("2020/6/1"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("2020-06-01"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("2020年6月1日"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("２０２０年６月１日"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("令和2年6月1日"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("令和元年6月1日"), Some(ParsedDate::Date(d(2019, 6, 1))));
        assert_eq!(date("R2.6.1"), Some(ParsedDate::Date(d(2020, 6, 1))));
        assert_eq!(date("H31.4.30"), Some(ParsedDate::Date(d(2019, 4, 30))));
        assert_eq!(date("h31/4/30"), Some(ParsedDate::Date(d(2019, 4, 30))));
        assert_eq!(date("令和２年"), Some(ParsedDate::Year(2020)));
        assert_eq!(date("令和元年７月"), Some(ParsedDate::YearMonth(2019, 7)));
        assert_eq!(date(" 令和 ２ 年 ６ 月 １ 日 "), Some(ParsedDate::Date(d(2020, 6, 1))));
    }

    #[test]
    fn parses_year_months_with_separators() {
        assert_eq!(parse("R7.9"), Some(ParsedDate::YearMonth(2025, 9)));
        assert_eq!(parse("2025/9"), Some(ParsedDate::YearMonth(2025, 9)));
        assert_eq!(parse("２０２５／９"), Some(ParsedDate::YearMonth(2025, 9)));
        assert_eq!(parse("2025-09"), Some(ParsedDate::YearMonth(2025, 9)));
        assert_eq!(parse("令和7年9月"), Some(ParsedDate::YearMonth(2025, 9)));
        assert_eq!(parse("R7.13"), None);
        assert_eq!(parse("7.9"), None);
        assert_eq!(parse("2025/9-1"), None);
    }

    #[test]
    fn year_months_print_like_dates() {
        assert_eq!(format_year_month(2025, 9, Digits::Zenkaku).unwrap(), "令和７年９月");
        assert_eq!(format_year_month(2019, 5, Digits::Ascii).unwrap(), "令和元年5月");
        assert_eq!(format_year_month(2019, 4, Digits::Kanji).unwrap(), "平成三十一年四月");
        assert_eq!(format_year_month(2025, 13, Digits::Ascii), None);
    }

    #[test]
    fn example_dates_are_in_the_fiscal_year() {
        assert_eq!(example_date(2025), ("2025/7/31".to_string(), "令和7年7月31日".to_string()));
        assert_eq!(example_date(2019), ("2019/7/31".to_string(), "令和元年7月31日".to_string()));
        assert_eq!(example_date(2018).1, "平成30年7月31日");
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "未定",
            "2021/2/29",
            "H31.5.1",
            "令和元年4月30日",
            "R2.13.1",
            "2020/6-1",
            "令和",
            "12345678/1/1",
            "平成32年",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(Date::from_excel_serial(43983.0), Some(d(2020, 6, 1)));
        assert_eq!(Date::from_excel_serial(1.0), Some(d(1900, 1, 1)));
        assert_eq!(Date::from_excel_serial(61.0), Some(d(1900, 3, 1)));
        assert_eq!(Date::from_excel_serial(43983.75), Some(d(2020, 6, 1)));
        assert_eq!(Date::from_excel_serial(-1.0), None);
        assert_eq!(Date::from_excel_serial(f64::NAN), None);
        for n in [-700_000i64, -1, 0, 1, 18_000, 2_932_896] {
            assert_eq!(Date::from_days(n).unwrap().to_days(), n);
        }
    }
}
