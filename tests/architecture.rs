//! The shape of the source tree (docs/architecture.md): no import cycle
//! between source files, and the generic jobs know no form kind.
//!
//! A file's imports are the `crate::…` and `super::…` paths in its code
//! (comments, strings and its `#[cfg(test)] mod tests` left out), each
//! resolved to the longest module path that is a source file. A parent
//! module naming its own children (`pub mod`, re-exports) is not an
//! import: the edges checked go from a file to any module that is not its
//! descendant.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

fn module_of(rel: &Path) -> Module {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs").to_string();
    if !matches!(stem.as_str(), "mod" | "lib" | "main") {
        parts.push(stem);
    }
    parts
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(Module, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((module_of(path.strip_prefix(root).unwrap()), text));
        }
    }
}

/// The code of a file without comments, string contents and its unit tests.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The module paths a file's code names: `crate::a::b`, `super::c`, and the
/// items of a `{…}` group after either.
fn named_paths(module: &Module, code: &str) -> Vec<Module> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut base: Module = if start == "crate::" {
                Vec::new()
            } else {
                let mut b = module.clone();
                b.pop();
                b
            };
            let rest = &code[from..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            let path = &rest[..end];
            for segment in path.split("::").filter(|s| !s.is_empty() && *s != "self") {
                if segment == "super" {
                    base.pop();
                } else {
                    base.push(segment.to_string());
                }
            }
            if rest[end..].starts_with('{') && path.ends_with("::") {
                let close = rest[end..].find('}').map_or(rest.len(), |c| end + c);
                for item in rest[end + 1..close].split(',') {
                    let item = item.trim().split(" as ").next().unwrap_or("").trim();
                    let mut p = base.clone();
                    p.extend(item.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string));
                    paths.push(p);
                }
            }
            paths.push(base);
        }
    }
    paths
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = BTreeMap::new();
    for (module, text) in &files {
        let mut to = BTreeSet::new();
        for path in named_paths(module, &code(text)) {
            let Some(target) = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p)) else {
                continue;
            };
            let descendant = target.len() > module.len() && target.starts_with(module);
            if target != *module && !descendant {
                to.insert(target);
            }
        }
        edges.insert(module.clone(), to);
    }
    edges
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "lib".into()
    } else {
        m.join("/")
    }
}

/// Strongly connected components of more than one module (Tarjan).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_import_cycle_between_source_files() {
    let edges = graph();
    assert!(edges.len() > 30, "the source files were found ({} modules)", edges.len());
    let found = cycles(&edges);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let set: BTreeSet<&Module> = c.iter().collect();
            let arrows: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    edges[a].iter().filter(|b| set.contains(b)).map(move |b| format!("{} -> {}", name(a), name(b)))
                })
                .collect();
            arrows.join(", ")
        })
        .collect();
    assert!(found.is_empty(), "import cycles: {described:#?}");
}

#[test]
fn the_checker_sees_a_cycle() {
    // The checker itself: two files naming each other are a cycle, a parent
    // naming its child is not.
    let m = |s: &str| s.split('/').map(str::to_string).collect::<Module>();
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b")]));
    edges.insert(m("b"), BTreeSet::from([m("a")]));
    edges.insert(m("c"), BTreeSet::new());
    assert_eq!(cycles(&edges).len(), 1);
    let code = code("use crate::forms::{grid::Grid, FormKind};\n// crate::jobs\nlet s = \"crate::cli\";");
    let paths = named_paths(&m("forms/pdca/master"), &code);
    assert!(paths.contains(&m("forms/grid/Grid")), "{paths:?}");
    assert!(!paths.iter().any(|p| p.first().is_some_and(|s| s == "jobs" || s == "cli")), "{paths:?}");
}

#[test]
fn the_generic_jobs_know_no_form_kind() {
    let edges = graph();
    for (module, to) in &edges {
        if module.first().is_some_and(|s| s == "jobs") {
            let forms: Vec<String> = to
                .iter()
                .filter(|t| t.first().is_some_and(|s| s == "forms") && t.len() > 1 && t[1] != "grid" && t[1] != "read")
                .map(name)
                .collect();
            assert!(forms.is_empty(), "{} uses form kinds: {forms:?}", name(module));
        }
    }
}

/// The server knows the forms only by the interface they offer it: a
/// round's master ([`forms::round`]) and a document from a workbook
/// ([`forms::document`]).
#[test]
fn the_server_knows_forms_only_by_their_interface() {
    let edges = graph();
    let mut seen = false;
    for (module, to) in &edges {
        if module.first().is_some_and(|s| s == "serve") {
            seen = true;
            let forms: Vec<String> = to
                .iter()
                .filter(|t| {
                    t.first().is_some_and(|s| s == "forms") && t.len() > 1 && t[1] != "round" && t[1] != "document"
                })
                .map(name)
                .collect();
            assert!(forms.is_empty(), "{} uses form kinds: {forms:?}", name(module));
        }
    }
    assert!(seen, "the serve modules were read");
}
