//! Findings and a collection's standing as JSON: what the database keeps
//! and the API answers (docs/serve.md).

use serde_json::{json, Value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::jobs::collect::{Standing, State};

/// A severity's name for machines.
fn severity_code(s: Severity) -> &'static str {
    match s {
        Severity::Noted => "noted",
        Severity::Fix => "fix",
        Severity::Rejected => "rejected",
        Severity::Error => "error",
    }
}

/// One finding as JSON: `{"kind", "severity", "severity_label", "file",
/// "sheet", "cell", "message", "line"}`; `file` is the finding's own or
/// `file`.
pub fn problem_json(d: &Diagnostic, file: Option<&str>) -> Value {
    json!({
        "kind": d.kind.code(),
        "severity": severity_code(d.severity),
        "severity_label": d.severity.label(),
        "file": d.origin.file.as_deref().or(file),
        "sheet": d.sheet(),
        "cell": d.cell(),
        "message": d.message(),
        "line": d.line(),
    })
}

/// An error's findings as problems (the error itself when it has none).
pub fn problems_of(e: &Error, file: &str) -> Vec<Value> {
    if e.diagnostics.is_empty() {
        return vec![json!({
            "kind": "invalid",
            "severity": "error",
            "severity_label": Severity::Error.label(),
            "file": file,
            "sheet": null,
            "cell": null,
            "message": e.message,
            "line": format!("[{}] {}", Severity::Error.label(), e.message),
        })];
    }
    e.diagnostics.iter().map(|d| problem_json(d, Some(file))).collect()
}

/// A state's label (提出済み, 要修正, 受付不可, 未提出).
pub fn state_label(s: State) -> &'static str {
    s.label()
}

/// The standing as stored in the database.
pub fn standing_json(s: &Standing) -> Value {
    json!({
        "centres": s.centres.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "status": state_label(c.state),
            "file": c.file,
            "problems": c.problems.iter().map(|p| problem_json(&p.diagnostic, Some(&p.file))).collect::<Vec<_>>(),
            "unused": c.unused.iter().map(|u| json!({"file": u.file, "why": u.why})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "stray": s.stray.iter().map(|f| json!({
            "file": f.file,
            "problems": f.problems.iter().map(|d| problem_json(d, Some(&f.file))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "skipped": s.skipped,
        "complete": s.complete,
        "status_text": s.status_text,
    })
}
