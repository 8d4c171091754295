//! A collection's result as plain data, whatever the form: per centre its
//! 提出状況 and the findings it must see, the files that belong to no
//! centre, and what was written. This is what `keikaku serve` keeps in its
//! database and shows; the terminal's 提出状況 is [`super::status_text`].

use std::path::PathBuf;

use super::{Collection, Outcome, Roster, State};
use crate::diagnostic::Diagnostic;

/// A finding about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFinding {
    /// The file's name as it came in.
    pub file: String,
    /// The finding.
    pub diagnostic: Diagnostic,
}

/// A file of a centre that was not used, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unused {
    /// The file's name as it came in.
    pub file: String,
    /// Why it was not used (「…の方が新しく保存されているため」).
    pub why: String,
}

/// One expected centre after collection.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreStanding {
    /// The centre's ID.
    pub id: String,
    /// The centre's name.
    pub name: String,
    /// How it stands.
    pub state: State,
    /// The file used, if one was.
    pub file: Option<String>,
    /// What the centre must see: the findings of the file used, then those
    /// of its files that could not be used.
    pub problems: Vec<FileFinding>,
    /// Its other files, not used.
    pub unused: Vec<Unused>,
}

/// A file that belongs to no centre of the master, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct StrayFile {
    /// The file's name as it came in.
    pub file: String,
    /// Its findings (受付不可 and others).
    pub problems: Vec<Diagnostic>,
}

/// A whole collection as data.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// The expected centres, in master order.
    pub centres: Vec<CentreStanding>,
    /// Files that belong to no centre.
    pub stray: Vec<StrayFile>,
    /// keikaku's own outputs found among the files, skipped.
    pub skipped: Vec<String>,
    /// Whether everything came in and nothing is to fix.
    pub complete: bool,
    /// The 提出状況 as the terminal shows it.
    pub status_text: String,
    /// The files written into the output folder.
    pub files: Vec<PathBuf>,
    /// The 差戻し workbooks written.
    pub returns: Vec<PathBuf>,
}

impl Standing {
    /// The standing of a collection run.
    ///
    /// ```
    /// use keikaku::jobs::collect::{Collection, Outcome, Roster, Standing, State};
    /// let roster = Roster { centres: vec![("C01", "勝田")], expected: vec![true], fiscal_year: 2026 };
    /// let outcome: Outcome<()> =
    ///     Outcome { collection: Collection::new(&roster, vec![]), files: vec![], returns: vec![] };
    /// let s = Standing::of(&roster, &outcome);
    /// assert_eq!(s.centres[0].state, State::Missing);
    /// assert!(s.status_text.contains("未提出"));
    /// ```
    pub fn of<K>(roster: &Roster, outcome: &Outcome<K>) -> Standing {
        let col: &Collection<K> = &outcome.collection;
        let centres = col
            .centres
            .iter()
            .map(|c| {
                let (id, name) = roster.centres[c.centre];
                let problems = col
                    .problem_files(c)
                    .into_iter()
                    .flat_map(|r| {
                        r.submission
                            .problems
                            .iter()
                            .map(|d| FileFinding { file: r.source.name.clone(), diagnostic: d.clone() })
                    })
                    .collect();
                let unused = c
                    .unused
                    .iter()
                    .map(|(i, why)| Unused { file: col.received[*i].source.name.clone(), why: why.clone() })
                    .collect();
                CentreStanding {
                    id: id.to_string(),
                    name: name.to_string(),
                    state: c.state,
                    file: col.used(c).map(|r| r.source.name.clone()),
                    problems,
                    unused,
                }
            })
            .collect();
        let stray = col
            .stray
            .iter()
            .map(|&i| {
                let r = &col.received[i];
                StrayFile { file: r.source.name.clone(), problems: r.submission.problems.clone() }
            })
            .collect();
        Standing {
            centres,
            stray,
            skipped: col.skipped.iter().map(|&i| col.received[i].source.name.clone()).collect(),
            complete: col.is_complete(),
            status_text: super::status_text(roster, col),
            files: outcome.files.clone(),
            returns: outcome.returns.clone(),
        }
    }
}
