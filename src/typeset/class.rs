//! Character classes (JLReq Appendix A, simplified to what the rules here
//! need): which characters may not start or end a line, which carry a blank
//! half (or quarter) of their em that the spacing rules may take away, and
//! which are Japanese or Western for the space between the two scripts.

/// The class of a character for spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Opening brackets (cl-01): 「『（【〔〈《［｛〘〖“‘〝. A full-width
    /// one has its blank in the left half.
    Opening,
    /// Closing brackets (cl-02): 」』）】〕〉》］｝〙〗”’〟. Blank in the right half.
    Closing,
    /// Commas and full stops (cl-06, cl-07): 、。，．. Blank in the right half.
    Stop,
    /// Middle dots (cl-05): ・：；. A quarter em blank on each side.
    MiddleDot,
    /// Ideographs, kana and the prolonged sound mark: the characters
    /// between which and Western letters a quarter em goes (JLReq 3.2.6).
    Japanese,
    /// Half-width Western letters and digits (cl-24, cl-25, cl-27).
    Western,
    /// Anything else: spaces, symbols, Western punctuation, full-width
    /// letters and digits.
    Other,
}

impl Class {
    /// The class of `c`.
    pub fn of(c: char) -> Class {
        match c {
            '「' | '『' | '（' | '【' | '〔' | '〈' | '《' | '［' | '｛' | '〘' | '〖' | '“' | '‘' | '〝' => {
                Class::Opening
            }
            '」' | '』' | '）' | '】' | '〕' | '〉' | '》' | '］' | '｝' | '〙' | '〗' | '”' | '’' | '〟' => {
                Class::Closing
            }
            '、' | '。' | '，' | '．' => Class::Stop,
            '・' | '：' | '；' => Class::MiddleDot,
            'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{00C0}'..='\u{024F}' => Class::Western,
            '\u{3041}'..='\u{309F}'
            | '\u{30A1}'..='\u{30FA}'
            | '\u{30FC}'..='\u{30FF}'
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF66}'..='\u{FF9F}'
            | '\u{20000}'..='\u{3FFFF}'
            | '々'
            | '〆'
            | '〇' => Class::Japanese,
            _ => Class::Other,
        }
    }

    /// The blank a full-width character of this class has on its left and
    /// on its right, in em.
    pub fn blanks(self) -> (f32, f32) {
        match self {
            Class::Opening => (0.5, 0.0),
            Class::Closing | Class::Stop => (0.0, 0.5),
            Class::MiddleDot => (0.25, 0.25),
            _ => (0.0, 0.0),
        }
    }

    /// A closing bracket, comma or full stop: the classes whose right half
    /// is blank.
    pub fn closes(self) -> bool {
        matches!(self, Class::Closing | Class::Stop)
    }
}

/// Line-start prohibited characters (行頭禁則), with half-width forms.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '］'
            | '｝'
            | '〙'
            | '〗'
            | '”'
            | '’'
            | '〟'
            | 'ー'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | 'ㇰ'
            ..='ㇿ' | '々' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' | '〻' | '゠' | '‐' | '–' | '〜' | '～'
            | '‼' | '⁇' | '⁈' | '⁉' | '％' | '℃' | '゛' | '゜'
            // half-width forms
            | '､' | '｡' | '･' | '｣' | 'ｰ' | 'ｧ' | 'ｨ' | 'ｩ' | 'ｪ' | 'ｫ' | 'ｬ' | 'ｭ' | 'ｮ' | 'ｯ' | 'ﾞ' | 'ﾟ'
            | ',' | '.' | ':' | ';' | '?' | '!' | ')' | ']' | '}'
    )
}

/// Line-end prohibited characters (行末禁則), with half-width forms.
pub fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「'
            | '『'
            | '【'
            | '〔'
            | '〈'
            | '《'
            | '［'
            | '｛'
            | '〘'
            | '〖'
            | '“'
            | '‘'
            | '〝'
            | '｢'
            | '('
            | '['
            | '{'
    )
}

/// Characters of an unbreakable Latin word or number run.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_ascii_graphic()
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('０'..='９').contains(&c)
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

/// Characters that form unbreakable runs when repeated (……, ——).
pub(super) fn is_repeat_char(c: char) -> bool {
    matches!(c, '…' | '‥' | '—' | '―')
}

/// Wide (East Asian) characters, for white space between source lines.
pub(super) fn is_wide(c: char) -> bool {
    c as u32 >= 0x2000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_the_characters_the_rules_name() {
        for c in "「（『【".chars() {
            assert_eq!(Class::of(c), Class::Opening, "{c}");
            assert!(no_line_end(c), "{c}");
        }
        for c in "」）』】".chars() {
            assert_eq!(Class::of(c), Class::Closing, "{c}");
            assert!(no_line_start(c), "{c}");
        }
        for c in "、。，．".chars() {
            assert_eq!(Class::of(c), Class::Stop, "{c}");
        }
        assert_eq!(Class::of('・'), Class::MiddleDot);
        for c in "議あアー々ｱ𠮷".chars() {
            assert_eq!(Class::of(c), Class::Japanese, "{c}");
        }
        for c in "aZ09é".chars() {
            assert_eq!(Class::of(c), Class::Western, "{c}");
        }
        // Full-width digits are set like kanji; Western punctuation and
        // half-width brackets take no Japanese spacing.
        for c in "２Ａ()%　 ？".chars() {
            assert_eq!(Class::of(c), Class::Other, "{c}");
        }
    }
}
