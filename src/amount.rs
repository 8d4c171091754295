//! Amounts of money in 円: integers only, never floating point.
//!
//! Budgets and settlements are read as whole 円 ([`parse`]), summed with
//! checked arithmetic ([`sum`]) and printed the way Japanese statements
//! print them ([`format`]): `1,234,567`, `△5,000` for a negative, and in
//! 千円 rounded half away from zero (`1,234,567` → `1,235`).
//!
//! ```
//! use keikaku::amount::{format, parse, Unit};
//! assert_eq!(format(-1_234_567, Unit::Yen), "△1,234,567");
//! assert_eq!(format(1_234_567, Unit::Thousand), "1,235");
//! assert_eq!(parse("１，２００円"), Some(1200));
//! assert_eq!(parse("▲500"), Some(-500));
//! ```

use serde::{Deserialize, Serialize};

/// The largest amount keikaku reads (under 1,000 兆円), so that sums of up
/// to a million of them cannot overflow `i64`.
pub const MAX: i64 = 999_999_999_999_999;

/// The unit amounts are printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Unit {
    /// Whole 円.
    #[default]
    #[serde(rename = "円")]
    Yen,
    /// 千円, rounded half away from zero (四捨五入).
    #[serde(rename = "千円")]
    Thousand,
}

impl Unit {
    /// The unit as written on the page and in the workbook: 円, 千円.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yen => "円",
            Unit::Thousand => "千円",
        }
    }

    /// Reads 円 or 千円 (ignoring spaces and width).
    pub fn parse(s: &str) -> Option<Unit> {
        match crate::japanese::hankaku(s).trim().trim_start_matches('(').trim_end_matches(')') {
            "円" => Some(Unit::Yen),
            "千円" => Some(Unit::Thousand),
            _ => None,
        }
    }

    /// What the page says above a table in this unit, with the rounding
    /// rule where there is one.
    pub fn caption(self) -> &'static str {
        match self {
            Unit::Yen => "（単位：円）",
            Unit::Thousand => "（単位：千円。千円未満を四捨五入しているため、内訳の計と合計が一致しないことがあります）",
        }
    }
}

/// `n` 円 in `unit`: 千円 rounds half away from zero (1,500 → 2, −1,500 → −2).
pub fn in_unit(n: i64, unit: Unit) -> i64 {
    match unit {
        Unit::Yen => n,
        Unit::Thousand => {
            let q = n / 1000;
            let r = n % 1000;
            if r.abs() >= 500 {
                q + n.signum()
            } else {
                q
            }
        }
    }
}

/// `n` 円 as printed in `unit`: thousands separators, △ before a negative.
pub fn format(n: i64, unit: Unit) -> String {
    let v = in_unit(n, unit);
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
    if v < 0 {
        out.push('△');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The sum of `values`, or `None` when it leaves the range keikaku reads
/// (± [`MAX`]).
pub fn sum(values: impl IntoIterator<Item = i64>) -> Option<i64> {
    values.into_iter().try_fold(0i64, |a, b| a.checked_add(b)).filter(|s| s.abs() <= MAX)
}

/// An amount typed as text: full-width or half-width digits, with or without
/// thousands separators (`,` `，`) and a trailing 円; a leading `△` `▲` `-`
/// `−` `－` makes it negative. `None` for anything else (decimals included)
/// and for amounts beyond ± [`MAX`].
pub fn parse(s: &str) -> Option<i64> {
    let t: String = crate::japanese::hankaku(s).chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.strip_suffix('円').unwrap_or(&t);
    let (negative, body) = match t.chars().next()? {
        '△' | '▲' | '-' | '−' | 'ー' => (true, &t[t.chars().next()?.len_utf8()..]),
        _ => (false, t),
    };
    if body.is_empty() || !body.chars().next()?.is_ascii_digit() {
        return None;
    }
    // Separators only between groups of three digits.
    if body.contains(',') {
        let groups: Vec<&str> = body.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
    }
    let digits: String = body.chars().filter(|c| *c != ',').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 15 {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// An amount stored as a number cell: whole and within ± [`MAX`].
pub fn from_number(n: f64) -> Option<i64> {
    (n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX as f64).then_some(n as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_separators_and_triangle() {
        assert_eq!(format(0, Unit::Yen), "0");
        assert_eq!(format(999, Unit::Yen), "999");
        assert_eq!(format(1000, Unit::Yen), "1,000");
        assert_eq!(format(1_234_567, Unit::Yen), "1,234,567");
        assert_eq!(format(-50_000, Unit::Yen), "△50,000");
        assert_eq!(format(MAX, Unit::Yen), "999,999,999,999,999");
    }

    #[test]
    fn thousands_round_half_away_from_zero() {
        assert_eq!(in_unit(1_499, Unit::Thousand), 1);
        assert_eq!(in_unit(1_500, Unit::Thousand), 2);
        assert_eq!(in_unit(-1_500, Unit::Thousand), -2);
        assert_eq!(in_unit(-1_499, Unit::Thousand), -1);
        assert_eq!(in_unit(499, Unit::Thousand), 0);
        assert_eq!(format(-2_345_678, Unit::Thousand), "△2,346");
    }

    #[test]
    fn parses_what_clerks_type() {
        for (s, v) in [
            ("1200", 1200),
            ("1,200", 1200),
            ("１，２００", 1200),
            ("1,200円", 1200),
            (" 35 000 ", 35000),
            ("△500", -500),
            ("▲1,000", -1000),
            ("-7", -7),
            ("－７", -7),
            ("0", 0),
        ] {
            assert_eq!(parse(s), Some(v), "{s}");
        }
        for s in ["", "未定", "1.5", "12,34", "1,2345", "△", "円", "1e3", "10000000000000000", "約100"] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn sums_refuse_overflow() {
        assert_eq!(sum([1, 2, 3]), Some(6));
        assert_eq!(sum([MAX, 1]), None);
        assert_eq!(sum([i64::MAX, 1]), None);
        assert_eq!(from_number(12.0), Some(12));
        assert_eq!(from_number(12.5), None);
        assert_eq!(from_number(f64::NAN), None);
    }
}
