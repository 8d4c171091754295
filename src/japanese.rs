//! Japanese text helpers shared by the markup (list numbering) and the
//! templates: full-width digits, kanji numerals and the numbering styles of
//! official documents (１．, （１）, ア, （ア）, ①).

/// Converts ASCII digits, letters and common punctuation to full width
/// (`12` → `１２`). Other characters are kept.
pub fn zenkaku(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '　',
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Converts full-width ASCII forms back to half width (`１２` → `12`).
/// The ideographic space becomes a plain space.
pub fn hankaku(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '　' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether a character takes a full-width cell: kana, kanji, full-width
/// forms and most symbols; not half-width katakana (ｱ) or Latin text.
pub fn is_full_width(c: char) -> bool {
    c as u32 >= 0x1100 && !('\u{FF61}'..='\u{FFDC}').contains(&c)
}

/// Writes a number in kanji numerals as used in dates and titles:
/// 2 → 二, 10 → 十, 12 → 十二, 20 → 二十, 105 → 百五, 2020 → 二千二十.
pub fn kanji_num(n: u64) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "〇".to_string();
    }
    fn below_10000(n: u64, out: &mut String) {
        for (unit, name) in [(1000, "千"), (100, "百"), (10, "十")] {
            let d = (n / unit) % 10;
            if d > 0 {
                if d > 1 {
                    out.push_str(DIGITS[d as usize]);
                }
                out.push_str(name);
            }
        }
        let d = n % 10;
        if d > 0 {
            out.push_str(DIGITS[d as usize]);
        }
    }
    let mut out = String::new();
    let groups = [(1_0000_0000_0000u64, "兆"), (1_0000_0000, "億"), (1_0000, "万")];
    let mut rest = n;
    for (unit, name) in groups {
        if rest >= unit {
            below_10000(rest / unit, &mut out);
            out.push_str(name);
            rest %= unit;
        }
    }
    below_10000(rest, &mut out);
    out
}

/// A numbering style for lists and headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// １．２．３．
    ZenkakuDot,
    /// （１）（２）
    ZenkakuParen,
    /// 1．2． (half-width digit, full-width stop, as in many 議案)
    DigitZenkakuDot,
    /// （1）（2） (half-width digit in full-width brackets)
    DigitZenkakuParen,
    /// 1. 2.
    Dot,
    /// (1) (2)
    Paren,
    /// ア イ ウ … (the iroha-order katakana of official documents)
    Katakana,
    /// （ア）（イ）
    KatakanaParen,
    /// ① ② … ⑳
    Circled,
    /// 第１号
    DaiGo,
}

const KATAKANA: [&str; 46] = [
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ",
    "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ",
    "ラ", "リ", "ル", "レ", "ロ", "ワ", "ヲ", "ン",
];

impl Numbering {
    /// The accepted names, for messages.
    pub const NAMES: &'static str = "１．, （１）, 1．, （1）, 1., (1), ア, （ア）, ①, 第１号";

    /// Parses a style by its example form (`（１）`) or name.
    pub fn parse(s: &str) -> Option<Numbering> {
        Some(match s.trim() {
            "１．" | "１" => Numbering::ZenkakuDot,
            "（１）" => Numbering::ZenkakuParen,
            "1．" => Numbering::DigitZenkakuDot,
            "（1）" => Numbering::DigitZenkakuParen,
            "1." | "1" => Numbering::Dot,
            "(1)" => Numbering::Paren,
            "ア" => Numbering::Katakana,
            "（ア）" => Numbering::KatakanaParen,
            "①" => Numbering::Circled,
            "第１号" => Numbering::DaiGo,
            _ => return None,
        })
    }

    /// The marker for item `n` (from 1). Numbers past a style's range fall
    /// back to a form that still reads correctly (㉑ does not exist in every
    /// font, so 21 in circled style becomes （21）).
    pub fn format(self, n: u32) -> String {
        match self {
            Numbering::ZenkakuDot => format!("{}．", zenkaku(&n.to_string())),
            Numbering::ZenkakuParen => format!("（{}）", zenkaku(&n.to_string())),
            Numbering::DigitZenkakuDot => format!("{n}．"),
            Numbering::DigitZenkakuParen => format!("（{n}）"),
            Numbering::Dot => format!("{n}."),
            Numbering::Paren => format!("({n})"),
            Numbering::Katakana => katakana(n).unwrap_or_else(|| format!("{n}.")),
            Numbering::KatakanaParen => match katakana(n) {
                Some(k) => format!("（{k}）"),
                None => format!("（{}）", zenkaku(&n.to_string())),
            },
            Numbering::Circled => match n {
                1..=20 => char::from_u32(0x2460 + n - 1).map(String::from).unwrap_or_default(),
                _ => format!("（{}）", zenkaku(&n.to_string())),
            },
            Numbering::DaiGo => format!("第{}号", zenkaku(&n.to_string())),
        }
    }
}

fn katakana(n: u32) -> Option<String> {
    KATAKANA.get((n as usize).checked_sub(1)?).map(|s| s.to_string())
}

/// A count with thousands separators, as Japanese documents write it:
/// `40000` → `40,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_numerals() {
        assert_eq!(kanji_num(2), "二");
        assert_eq!(kanji_num(10), "十");
        assert_eq!(kanji_num(12), "十二");
        assert_eq!(kanji_num(20), "二十");
        assert_eq!(kanji_num(105), "百五");
        assert_eq!(kanji_num(2020), "二千二十");
        assert_eq!(kanji_num(10000), "一万");
        assert_eq!(kanji_num(0), "〇");
    }

    #[test]
    fn width_conversion_round_trips() {
        assert_eq!(zenkaku("R2 (3)"), "Ｒ２　（３）");
        assert_eq!(hankaku("Ｒ２　（３）"), "R2 (3)");
        assert_eq!(hankaku("令和２年"), "令和2年");
    }

    #[test]
    fn numbering_styles() {
        assert_eq!(Numbering::ZenkakuDot.format(1), "１．");
        assert_eq!(Numbering::ZenkakuParen.format(12), "（１２）");
        assert_eq!(Numbering::Katakana.format(3), "ウ");
        assert_eq!(Numbering::KatakanaParen.format(1), "（ア）");
        assert_eq!(Numbering::Circled.format(20), "⑳");
        assert_eq!(Numbering::Circled.format(21), "（２１）");
        assert_eq!(Numbering::DaiGo.format(3), "第３号");
        assert_eq!(Numbering::parse("（１）"), Some(Numbering::ZenkakuParen));
        assert_eq!(Numbering::parse("（1）").unwrap().format(4), "（4）");
        assert_eq!(Numbering::parse("1．").unwrap().format(5), "5．");
        assert_eq!(Numbering::parse("?"), None);
    }
}
