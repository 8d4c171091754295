//! A finding about a returned workbook as data: where it is
//! ([`Origin`]), what it is ([`Kind`], with the values involved), and how
//! serious ([`Severity`]). Its [`Display`](fmt::Display) is the Japanese
//! sentence users read; the CLI's 提出状況, the 差戻し一覧 sheet, the
//! 差戻し workbooks and the PDF report all render it from the same value, and
//! a program (a web page, a JSON API) can match the kind and read the
//! values without parsing the sentence.
//!
//! ```
//! use keikaku::diagnostic::{Diagnostic, Kind, Origin, Severity};
//! use keikaku::workbook::CellRef;
//!
//! let d = Diagnostic {
//!     severity: Severity::Fix,
//!     origin: Origin::cell("4-1-1 福祉会議事業", CellRef::new(24, 2)),
//!     kind: Kind::Missing { field: "ACTION 具体的な取組み内容".into() },
//! };
//! assert_eq!(d.to_string(), "ACTION 具体的な取組み内容が未入力です。");
//! assert_eq!(d.line(), "[差戻し] 「4-1-1 福祉会議事業」シート C25: ACTION 具体的な取組み内容が未入力です。");
//! assert_eq!(d.cell().as_deref(), Some("C25"));
//! ```

use std::fmt;

use crate::wareki::{self, Date, Digits};
use crate::workbook::cell::{self, format_number, iso, CellRef};

/// How serious a finding is, which decides what happens to the workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// keikaku changed the value to a standard form (全角数字 → 半角); nothing to fix.
    Noted,
    /// The centre must fix it (差戻し); the value may still be used.
    Fix,
    /// The workbook cannot be used at all (another centre, another year,
    /// not made by `distribute`).
    Rejected,
    /// The run stops: a master or 議案 workbook the job cannot use as it is.
    Error,
}

impl Severity {
    /// The label in lists and sheets: 注記, 差戻し, 受付不可.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Noted => "注記",
            Severity::Fix => "差戻し",
            Severity::Rejected => "受付不可",
            Severity::Error => "エラー",
        }
    }
}

/// Why a file could not be read as a workbook (the guard's and the
/// reader's refusals, `workbook::guard::Refusal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// An empty file (0 bytes).
    Empty,
    /// Not a workbook keikaku reads (a Word document, a CSV, an .xlsb, …).
    NotAWorkbook,
    /// A workbook that is damaged (or crafted to look like one).
    Broken,
    /// Over a limit: the file, a zip entry, a compression ratio, the cells
    /// or text of a sheet (docs/workbook.md lists them).
    TooLarge,
    /// Protected by a password to open.
    Encrypted,
    /// The file could not be opened or read (missing, a folder, no access).
    Unopenable,
}

/// Where a finding is: the file, sheet and cell, as far as it is in one.
/// A returned workbook's findings leave the file out (it is the
/// [`crate::jobs::collect::Source`] they belong to).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file, as the user named it.
    pub file: Option<String>,
    /// The sheet, when the finding is in one.
    pub sheet: Option<String>,
    /// The cell, when the finding is in one.
    pub cell: Option<CellRef>,
    /// The line and column, when the finding is in a text (layout markup).
    pub text: Option<TextPos>,
}

/// A position in a text file such as the layout markup (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextPos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub col: u32,
}

impl fmt::Display for TextPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}行{}列", self.line, self.col)
    }
}

impl Origin {
    /// The whole workbook.
    pub fn workbook() -> Origin {
        Origin::default()
    }

    /// A whole sheet.
    pub fn sheet(sheet: &str) -> Origin {
        Origin { sheet: Some(sheet.to_string()), ..Origin::default() }
    }

    /// A cell of a sheet.
    pub fn cell(sheet: &str, cell: CellRef) -> Origin {
        Origin { sheet: Some(sheet.to_string()), cell: Some(cell), ..Origin::default() }
    }

    /// A cell of a sheet of a file (a workbook value's [`cell::Origin`]).
    pub fn of(at: &cell::Origin) -> Origin {
        Origin { file: Some(at.file.to_string()), sheet: Some(at.sheet.to_string()), cell: Some(at.cell), text: None }
    }

    /// A whole sheet of a file.
    pub fn sheet_of(file: &str, sheet: &str) -> Origin {
        Origin { file: Some(file.to_string()), sheet: Some(sheet.to_string()), ..Origin::default() }
    }

    /// A line and column of a text file, such as a template's markup:
    /// `結果報告.hbs 12行5列`.
    pub fn text(file: &str, at: TextPos) -> Origin {
        Origin { file: Some(file.to_string()), text: Some(at), ..Origin::default() }
    }
}

impl fmt::Display for Origin {
    /// `「シート」シート C5`, `「シート」シート`, or nothing (the file is left
    /// out: see [`Diagnostic::located`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.sheet {
            write!(f, "「{s}」シート")?;
        }
        if let Some(c) = self.cell {
            if self.sheet.is_some() {
                f.write_str(" ")?;
            }
            write!(f, "{c}")?;
        }
        if let Some(t) = self.text {
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

/// What a finding is, with the values involved. Texts that came from the
/// workbook are kept whole; the message quotes at most 40 characters of
/// them ([`excerpt`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// The file could not be opened or read as a workbook.
    Unreadable {
        /// Why, when the reader said (broken, encrypted, too large, …).
        refused: Option<Refused>,
        /// The reader's message.
        message: String,
    },
    /// The workbook does not carry the form's `keikaku.form` mark.
    NotDistributed {
        /// The form's name in messages (「PDCA シート」).
        form: &'static str,
    },
    /// The workbook's layout version is not this distribution's.
    OtherLayout {
        /// The version it carries, if any.
        found: Option<i32>,
        /// This distribution's version.
        expected: i32,
    },
    /// A centre's workbook of another 記入年度.
    OtherYear {
        /// The year it carries (西暦 start year), if readable.
        found: Option<i32>,
        /// This collection's 記入年度.
        expected: i32,
        /// The centre (「C01 勝田地域ステーション」).
        centre: String,
    },
    /// The workbook's centre property names one centre but its content
    /// was given to another.
    PropertyOfOtherCentre {
        /// The centre the property names.
        claimed: String,
        /// The centre whose workbook the content is.
        owner: String,
    },
    /// The centre property names a centre the master does not have, and the
    /// content was given to another centre.
    UnknownCentreOfOther {
        /// The ID the property names.
        id: String,
        /// The centre whose workbook the content is.
        owner: String,
    },
    /// The centre property names a centre the master does not have.
    UnknownCentre {
        /// The ID the property names.
        id: String,
    },
    /// The content is not what the centre it names was given.
    NotWhatWasGiven {
        /// The centre the workbook names.
        centre: String,
    },
    /// The file name's ID prefix names another centre than the content.
    FileNameOfOtherCentre {
        /// The centre the file name names.
        named: String,
        /// The centre whose workbook it is.
        centre: String,
        /// That centre's ID.
        id: String,
    },
    /// A sheet's title line names another centre.
    SheetOfOtherCentre {
        /// The title found.
        title: String,
        /// The centre the title names.
        other: String,
        /// The centre of the workbook.
        centre: String,
    },
    /// None of the centre's sheets is in the workbook.
    NoSheetOfCentre {
        /// The centre.
        centre: String,
    },
    /// A sheet was renamed (its inputs were still found).
    SheetRenamed {
        /// The distributed name.
        from: String,
        /// The name found.
        to: String,
    },
    /// A distributed sheet is missing.
    SheetMissing {
        /// The distributed name.
        sheet: String,
    },
    /// Locked cells differ from what was distributed; the sheet was not read.
    LayoutChanged {
        /// How many cells differ.
        cells: usize,
    },
    /// One locked cell differs from what was distributed.
    LockedCellChanged {
        /// What was distributed (`None`: blank).
        distributed: Option<String>,
        /// What is there now (`None`: blank).
        found: Option<String>,
    },
    /// More locked cells differ than are listed one by one.
    MoreCellsChanged {
        /// How many more.
        more: usize,
    },
    /// An input's defined name is missing (the value was read from the
    /// form's cell).
    NameMissing {
        /// The input's label.
        field: String,
        /// The defined name.
        name: String,
        /// The form's cell, where the value was read.
        at: CellRef,
    },
    /// An input's defined name points at `#REF!` or a range.
    NameDeleted {
        /// The input's label.
        field: String,
        /// The defined name.
        name: String,
        /// What it refers to now.
        formula: String,
        /// The form's cell, where the value was read.
        at: CellRef,
    },
    /// An input's defined name points at another cell.
    NameMoved {
        /// The input's label.
        field: String,
        /// The defined name.
        name: String,
        /// The form's cell.
        at: CellRef,
        /// The sheet it points at now.
        to_sheet: String,
        /// The cell it points at now.
        to: CellRef,
    },
    /// A formula saved without its result.
    Uncomputed {
        /// The input's label.
        field: String,
    },
    /// A required input is empty.
    Missing {
        /// The input's label.
        field: String,
    },
    /// A value longer than a cell can hold.
    TooLong {
        /// The input's label.
        field: String,
        /// Its length in UTF-16 units.
        units: usize,
        /// The limit.
        limit: usize,
    },
    /// An Excel error value (#N/A, #DIV/0!, …).
    ErrorValue {
        /// The input's label.
        field: String,
        /// The error as Excel shows it.
        error: String,
    },
    /// A value that is not one of the input's choices.
    NotAChoice {
        /// The input's label.
        field: String,
        /// The value found.
        found: String,
        /// The choices.
        choices: Vec<String>,
    },
    /// Full-width digits were made half-width.
    FullWidthDigits {
        /// The input's label.
        field: String,
        /// The value found.
        found: String,
        /// The value used.
        used: String,
    },
    /// A number typed as text was read as a number.
    NumberAsText {
        /// The input's label.
        field: String,
        /// The text found.
        found: String,
        /// The number used.
        number: f64,
    },
    /// A date cell with a year and month only.
    YearMonthOnly {
        /// The input's label.
        field: String,
        /// The value as shown.
        found: String,
        /// An example date in the plan's year.
        example: String,
    },
    /// A date typed as text that keikaku could read.
    DateAsText {
        /// The input's label.
        field: String,
        /// The text found.
        found: String,
        /// The date read.
        date: Date,
        /// An example date in the plan's year.
        example: String,
    },
    /// A value that cannot be read as a date (text, or a number that is no
    /// date serial).
    NotADate {
        /// The input's label.
        field: String,
        /// The value found.
        found: String,
        /// An example date in the plan's year.
        example: String,
        /// The same example in 和暦, when the value was text.
        example_wareki: Option<String>,
    },
    /// A cell of another type (a number, a truth value) where a date belongs.
    NotADateValue {
        /// The input's label.
        field: String,
        /// What the cell holds, described.
        found: String,
        /// An example date in the plan's year.
        example: String,
    },
    /// Characters no font of the PDF report has.
    MissingGlyphs {
        /// The characters, sorted, each once.
        chars: Vec<char>,
        /// The report's file name.
        report: &'static str,
        /// What the report shows instead.
        shown_as: char,
    },
    /// A goal without actions (centre plans).
    GoalWithoutActions {
        /// The item.
        item: String,
        /// The goal's number.
        slot: u8,
    },
    /// An input the master or 議案 readers cannot use, in words (what was
    /// expected and what was found); where it is, is the finding's
    /// [`Origin`].
    Invalid {
        /// What is wrong and what to do.
        message: String,
    },
    /// A finding already put in words: the copy of another finding that a
    /// PDF report shows when its fonts lack characters of the original
    /// (they are replaced there, see [`crate::jobs::collect::MISSING_GLYPH`]).
    Text {
        /// The message as shown.
        text: String,
    },
    /// Actions without a goal (centre plans).
    ActionsWithoutGoal {
        /// The item.
        item: String,
        /// The goal's number.
        slot: u8,
    },
}

/// One finding: how serious, where, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    pub origin: Origin,
    /// What it is.
    pub kind: Kind,
}

impl Diagnostic {
    /// The sheet, when the finding is in one.
    pub fn sheet(&self) -> Option<&str> {
        self.origin.sheet.as_deref()
    }

    /// The cell (A1 style), when the finding is in one.
    pub fn cell(&self) -> Option<String> {
        self.origin.cell.map(|c| c.to_string())
    }

    /// The message: what is wrong and what to do (the [`Display`](fmt::Display)).
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// An error the run stops at, where `at` says.
    pub fn invalid(at: Origin, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, origin: at, kind: Kind::Invalid { message: message.into() } }
    }

    /// The finding with its place in front, as errors are printed:
    /// `議案.xlsx 「議案」シート B3: …`, `議案.xlsx 「議案」シート: …`, or the
    /// message alone.
    pub fn located(&self) -> String {
        let mut at = String::new();
        if let Some(file) = &self.origin.file {
            at.push_str(file);
        }
        let place = self.origin.to_string();
        if !place.is_empty() {
            if !at.is_empty() {
                at.push(' ');
            }
            at.push_str(&place);
        }
        if at.is_empty() {
            self.to_string()
        } else {
            format!("{at}: {self}")
        }
    }

    /// The finding as one line of a list: `[差戻し] 「シート」シート G14: …`.
    pub fn line(&self) -> String {
        let at = self.origin.to_string();
        let label = self.severity.label();
        if at.is_empty() {
            format!("[{label}] {self}")
        } else {
            format!("[{label}] {at}: {self}")
        }
    }
}

/// A value as quoted in a message: at most 40 characters (then …), line
/// breaks shown as ⏎, so that a message always fits in a cell of the
/// 差戻し workbooks whatever was typed.
pub fn excerpt(t: &str) -> String {
    const MAX: usize = 40;
    let short: String = t.chars().take(MAX).collect::<String>().replace('\n', "⏎");
    if t.chars().nth(MAX).is_some() {
        short + "…"
    } else {
        short
    }
}

fn quoted(text: &Option<String>) -> String {
    match text {
        None => "空欄".into(),
        Some(t) => format!("「{}」", excerpt(t)),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl Kind {
    /// A stable name for the kind of finding, for machines (the JSON of
    /// `keikaku serve`): the variant's name in snake case (`too_long`).
    pub fn code(&self) -> &'static str {
        match self {
            Kind::Unreadable { .. } => "unreadable",
            Kind::NotDistributed { .. } => "not_distributed",
            Kind::OtherLayout { .. } => "other_layout",
            Kind::OtherYear { .. } => "other_year",
            Kind::PropertyOfOtherCentre { .. } => "property_of_other_centre",
            Kind::UnknownCentreOfOther { .. } => "unknown_centre_of_other",
            Kind::UnknownCentre { .. } => "unknown_centre",
            Kind::NotWhatWasGiven { .. } => "not_what_was_given",
            Kind::FileNameOfOtherCentre { .. } => "file_name_of_other_centre",
            Kind::SheetOfOtherCentre { .. } => "sheet_of_other_centre",
            Kind::NoSheetOfCentre { .. } => "no_sheet_of_centre",
            Kind::SheetRenamed { .. } => "sheet_renamed",
            Kind::SheetMissing { .. } => "sheet_missing",
            Kind::LayoutChanged { .. } => "layout_changed",
            Kind::LockedCellChanged { .. } => "locked_cell_changed",
            Kind::MoreCellsChanged { .. } => "more_cells_changed",
            Kind::NameMissing { .. } => "name_missing",
            Kind::NameDeleted { .. } => "name_deleted",
            Kind::NameMoved { .. } => "name_moved",
            Kind::Uncomputed { .. } => "uncomputed",
            Kind::Missing { .. } => "missing",
            Kind::TooLong { .. } => "too_long",
            Kind::ErrorValue { .. } => "error_value",
            Kind::NotAChoice { .. } => "not_a_choice",
            Kind::FullWidthDigits { .. } => "full_width_digits",
            Kind::NumberAsText { .. } => "number_as_text",
            Kind::YearMonthOnly { .. } => "year_month_only",
            Kind::DateAsText { .. } => "date_as_text",
            Kind::NotADate { .. } => "not_a_date",
            Kind::NotADateValue { .. } => "not_a_date_value",
            Kind::MissingGlyphs { .. } => "missing_glyphs",
            Kind::GoalWithoutActions { .. } => "goal_without_actions",
            Kind::Invalid { .. } => "invalid",
            Kind::Text { .. } => "text",
            Kind::ActionsWithoutGoal { .. } => "actions_without_goal",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = |y: i32| wareki::format_fiscal_year(y, Digits::Ascii);
        match self {
            Kind::Unreadable { message, .. } => f.write_str(message),
            Kind::Text { text } => f.write_str(text),
            Kind::Invalid { message } => f.write_str(message),
            Kind::NotDistributed { form } => write!(
                f,
                "keikaku が配布した {form}ではありません（ブックの情報に様式の印がありません）。配布されたブックに入力して提出してください。"
            ),
            Kind::OtherLayout { found, expected } => write!(
                f,
                "様式の版（{}）が今回の配布（{expected}）と違います。今回配布したブックに入力し直してください。",
                found.map_or("なし".to_string(), |s| s.to_string())
            ),
            Kind::OtherYear { found, expected, centre } => write!(
                f,
                "{} のブックです。今回は {} のブックを提出してください（センター「{centre}」）。",
                found.map_or("年度の分からない".to_string(), year),
                year(*expected)
            ),
            Kind::PropertyOfOtherCentre { claimed, owner } => write!(
                f,
                "ブックの情報（センター ID）ではセンター「{claimed}」のブックですが、中身はセンター「{owner}」に配布したブックです。ブックの情報が書き換えられているため、どちらのセンターの回答としても使いません。それぞれのセンターに配布したブックで提出してもらってください。"
            ),
            Kind::UnknownCentreOfOther { id, owner } => write!(
                f,
                "センター ID「{id}」のブックですが、このセンターはマスターにありません。中身はセンター「{owner}」に配布したブックです。ブックの情報が書き換えられているため使いません。"
            ),
            Kind::UnknownCentre { id } => {
                write!(f, "センター ID「{id}」のブックですが、このセンターはマスターにありません。")
            }
            Kind::NotWhatWasGiven { centre } => write!(
                f,
                "センター「{centre}」のブックとなっていますが、中身がこのセンターに配布したブックと一致しません（配布した後にマスターの計画・事業・項目やセンター名が変わったか、ブックの情報が書き換えられています）。マスターを変えたときは配布し直して、新しいブックで提出してもらってください。"
            ),
            Kind::FileNameOfOtherCentre { named, centre, id } => write!(
                f,
                "ファイル名はセンター「{named}」のもののようですが、中身はセンター「{centre}」に配布したブックなので、{id} の提出として読みました。"
            ),
            Kind::SheetOfOtherCentre { title, other, centre } => write!(
                f,
                "このシートの見出し{}はセンター「{other}」に配布したシートのもので、このブックのセンター「{centre}」のものではありません。別のセンターのブックの中身が入っているため、どちらのセンターの回答としても使いません。",
                quoted(&Some(title.clone()))
            ),
            Kind::NoSheetOfCentre { centre } => write!(
                f,
                "センター「{centre}」に配布したシートが一つもありません。配布したブックに入力して提出してください。"
            ),
            Kind::SheetRenamed { from, to } => write!(
                f,
                "シートの名前が「{from}」から「{to}」に変わっています。元の名前に戻してください（入力は読めています）。"
            ),
            Kind::SheetMissing { sheet } => write!(
                f,
                "「{sheet}」シートがありません（シートの名前を変えたか、削除しています）。配布したシートのまま提出してください。"
            ),
            Kind::LayoutChanged { cells } => write!(
                f,
                "入力欄以外のセルが配布したときと {cells} か所違います（行や列の挿入・削除、シートの保護を外しての書き換えなど）。入力が本来の欄からずれているおそれがあるため、このシートの回答は読んでいません。配布したシートに入力し直して提出してください。"
            ),
            Kind::LockedCellChanged { distributed, found } => {
                write!(f, "配布したときは{}でしたが、{}になっています。", quoted(distributed), quoted(found))
            }
            Kind::MoreCellsChanged { more } => write!(f, "ほかに {more} か所、配布したときと違うセルがあります。"),
            Kind::NameMissing { field, name, at } => write!(
                f,
                "{field}の欄の目印（名前の定義 {name}）がありません。入力は配布した位置 {at} から読みましたが、名前の定義を消さないでください（配布したシートに入力してください）。"
            ),
            Kind::NameDeleted { field, name, formula, at } => write!(
                f,
                "{field}の欄が削除されています（名前の定義 {name} の参照先が「{formula}」）。入力は配布した位置 {at} から読みました。配布したシートに入力してください。"
            ),
            Kind::NameMoved { field, name, at, to_sheet, to } => write!(
                f,
                "{field}の欄の目印（名前の定義 {name}）の参照先が {at} から「{to_sheet}」{to} に変わっています。入力は配布した位置 {at} から読みました。名前の定義を元に戻すか、配布したシートに入力してください。"
            ),
            Kind::Uncomputed { field } => write!(
                f,
                "{field}のセルの数式の計算結果がブックに保存されていません（Excel 以外のソフトで保存したブックに多い状態です）。Excel で開いて保存し直すか、値を入力してください。"
            ),
            Kind::Missing { field } => write!(f, "{field}が未入力です。"),
            Kind::TooLong { field, units, limit } => write!(
                f,
                "{field}が長すぎます（{} 文字）。Excel のセルに入るのは {} 文字までです。短くして入力し直してください（この欄は集計に使っていません）。",
                crate::japanese::thousands(*units),
                crate::japanese::thousands(*limit)
            ),
            Kind::ErrorValue { field, error } => {
                write!(f, "{field}のセルが Excel のエラー値 {error} です。値を入力し直してください。")
            }
            Kind::NotAChoice { field, found, choices } => write!(
                f,
                "{field}「{}」は選択肢にありません。一覧（{}）から選んでください。",
                excerpt(found),
                choices.join("、")
            ),
            Kind::FullWidthDigits { field, found, used } => {
                write!(f, "{field}「{}」の全角数字を半角にしました（{}）。", excerpt(found), excerpt(used))
            }
            Kind::NumberAsText { field, found, number } => write!(
                f,
                "{field}「{}」は数値ではなく文字列として入力されています。数値 {} として読みました（次回は数値で入力してください）。",
                excerpt(found),
                format_number(*number)
            ),
            Kind::YearMonthOnly { field, found, example } => {
                write!(f, "{field}が年と月だけです（{found}）。{example} のように日まで入力してください。")
            }
            Kind::DateAsText { field, found, date, example } => write!(
                f,
                "{field}「{}」は日付ではなく文字列として入力されています。{}（{}）と読みました（次回は {example} のように入力してください）。",
                excerpt(found),
                wareki::format_date(*date, Digits::Ascii),
                iso(*date)
            ),
            Kind::NotADate { field, found, example, example_wareki: None } => {
                write!(f, "{field}「{}」は日付として読めません。{example} のように入力してください。", excerpt(found))
            }
            Kind::NotADate { field, found, example, example_wareki: Some(w) } => write!(
                f,
                "{field}「{}」は日付として読めません。{example} や {w} のように年月日を入力してください。",
                excerpt(found)
            ),
            Kind::NotADateValue { field, found, example } => {
                write!(f, "{field}が日付ではありません（{found}）。{example} のように入力してください。")
            }
            Kind::MissingGlyphs { chars, report, shown_as } => {
                let listed: Vec<String> = chars.iter().map(|c| format!("「{c}」(U+{:04X})", *c as u32)).collect();
                write!(
                    f,
                    "PDF のフォントにない文字 {} が入っています。{report} ではその文字を {shown_as} にしています。別の文字に置き換えてください（絵文字は削る、外字は常用の字にするなど）。",
                    listed.join("、")
                )
            }
            Kind::GoalWithoutActions { item, slot } => write!(
                f,
                "{item} 目標({slot}) の具体的な取り組み内容が未入力です。目標ごとに取り組みを 1 行に 1 つ入力してください。"
            ),
            Kind::ActionsWithoutGoal { item, slot } => write!(
                f,
                "{item} の目標({slot}) が空ですが、具体的な取り組み内容が入力されています。目標を入力するか、取り組み内容を上の目標の欄へ移してください。"
            ),
        }
    }
}
