//! The tables every collect writes, whatever the form: the 提出状況 and
//! 差戻し一覧 sheets of the combined workbook, and each centre's 差戻し
//! workbook. They know a [`Collection`] and its [`Roster`], never a form's
//! answers.

use crate::error::Error;
use crate::forms::property;
use crate::wareki::{format_fiscal_year, Digits};
use crate::xlsx::{Column, DataBook, DataSheet, Datum};

use super::{Collection, Diagnostic, Received, Roster, Severity, State};

/// A text cell; an empty text is an empty cell.
pub fn text(s: &str) -> Datum {
    if s.is_empty() {
        Datum::Empty
    } else {
        Datum::Text(s.to_string())
    }
}

/// An optional text cell.
pub fn opt_text(s: Option<&str>) -> Datum {
    s.map_or(Datum::Empty, text)
}

/// The names of the sheets every combined workbook has.
pub mod sheet {
    /// One row per centre.
    pub const STATUS: &str = "提出状況";
    /// Every problem.
    pub const PROBLEMS: &str = "差戻し一覧";
}

/// The columns of the 提出状況 sheet.
pub const STATUS_COLUMNS: &[Column] = &[
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 22.0 },
    Column { header: "状況", width: 9.0 },
    Column { header: "提出ファイル", width: 30.0 },
    Column { header: "保存日時", width: 18.0 },
    Column { header: "差戻し件数", width: 9.0 },
    Column { header: "注記件数", width: 9.0 },
    Column { header: "使わなかったファイル", width: 50.0 },
    Column { header: "SHA-256", width: 20.0 },
];

/// The columns of the 差戻し一覧 sheet.
pub const PROBLEM_COLUMNS: &[Column] = &[
    Column { header: "センターID", width: 10.0 },
    Column { header: "センター名", width: 22.0 },
    Column { header: "区分", width: 9.0 },
    Column { header: "ファイル", width: 30.0 },
    Column { header: "シート", width: 28.0 },
    Column { header: "セル", width: 6.0 },
    Column { header: "内容", width: 80.0 },
];

/// One centre's 提出状況 row (any form kind).
pub fn status_row<K>(roster: &Roster, col: &Collection<K>, c: usize) -> Vec<Datum> {
    let result = &col.centres[c];
    let (id, name) = roster.centres[result.centre];
    let used = col.used(result);
    let count = |s: Severity| {
        used.map_or(Datum::Empty, |r| {
            Datum::Number(r.submission.problems.iter().filter(|p| p.severity == s).count() as f64)
        })
    };
    let unused: Vec<String> =
        result.unused.iter().map(|(i, why)| format!("{}（{why}）", col.received[*i].source.name)).collect();
    vec![
        text(id),
        text(name),
        text(result.state.label()),
        used.map_or(Datum::Empty, |r| text(&r.source.name)),
        used.map_or(Datum::Empty, |r| opt_text(r.source.saved.as_deref())),
        count(Severity::Fix),
        count(Severity::Noted),
        text(&unused.join("\n")),
        used.map_or(Datum::Empty, |r| text(&r.source.sha256)),
    ]
}

/// The 差戻し一覧 rows: every problem of every file, by centre, then the
/// files that belong to no centre (any form kind).
pub fn problem_rows<K>(roster: &Roster, col: &Collection<K>) -> Vec<Vec<Datum>> {
    let mut rows = Vec::new();
    let mut add = |id: &str, name: &str, r: &Received<K>| {
        for p in &r.submission.problems {
            rows.push(vec![
                text(id),
                text(name),
                text(p.severity.label()),
                text(&r.source.name),
                opt_text(p.sheet()),
                opt_text(p.cell().as_deref()),
                text(&p.message()),
            ]);
        }
    };
    for c in &col.centres {
        let (id, name) = roster.centres[c.centre];
        for r in col.problem_files(c) {
            add(id, name, r);
        }
    }
    for &i in &col.stray {
        add("", "", &col.received[i]);
    }
    rows
}

/// The columns of a 差戻し workbook.
const RETURN_COLUMNS: &[Column] = &[
    Column { header: "区分", width: 9.0 },
    Column { header: "シート", width: 30.0 },
    Column { header: "セル", width: 7.0 },
    Column { header: "直すこと", width: 90.0 },
];

/// A centre's 差戻し workbook (any form kind): every problem of the file
/// used for it (and of its refused files), 差戻し first, with sheet and
/// cell; `None` when the centre has nothing to fix. `what` names the form in the
/// title (「美作市地域福祉活動計画 PDCAシート」), `form_kind` marks the file
/// as keikaku's own output.
pub fn returns_book<K>(
    roster: &Roster,
    col: &Collection<K>,
    k: usize,
    what: &str,
    form_kind: &str,
    created: Option<&str>,
) -> Result<Option<Vec<u8>>, Error> {
    let c = &col.centres[k];
    if !matches!(c.state, State::ToFix | State::Unusable) {
        return Ok(None);
    }
    let (id, name) = roster.centres[c.centre];
    let mut problems: Vec<&Diagnostic> =
        col.problem_files(c).into_iter().flat_map(|r| &r.submission.problems).collect();
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    let rows: Vec<Vec<Datum>> = problems
        .iter()
        .map(|p| {
            let label = p.severity.label();
            let t = |s: Option<&str>| s.map_or(Datum::Empty, |s| Datum::Text(s.to_string()));
            vec![Datum::Text(label.into()), t(p.sheet()), t(p.cell().as_deref()), Datum::Text(p.message())]
        })
        .collect();
    let title = format!("{what} 差戻し（{id} {name}、{}）", format_fiscal_year(roster.fiscal_year, Digits::Ascii));
    let book = DataBook {
        title: &title,
        properties: vec![(property::FORM, form_kind.to_string()), (property::CENTRE, id.to_string())],
        sheets: vec![DataSheet {
            name: "差戻し",
            columns: RETURN_COLUMNS,
            rows: Box::new(rows.into_iter()),
            fit_rows: true,
        }],
        chart: None,
        print: &[],
        footer: "",
        created,
    };
    crate::xlsx::write_data(book).map(Some)
}
