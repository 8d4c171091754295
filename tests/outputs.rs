//! Outputs never destroy inputs (issue 15): `distribute` refuses to replace
//! returned or foreign workbooks and the master (by file identity),
//! `agenda` and `render` refuse to write over their input, a run that
//! fails with exit 2 creates no output folder, and an interrupted final
//! move is finished by the next run (fault injection through
//! `KEIKAKU_FAULT_AFTER_MOVES`).

mod common;

use std::path::{Path, PathBuf};

use common::{keikaku, root, stderr};

/// (command words, sample master, shipped returned workbooks) of both
/// distribute kinds.
fn kinds() -> [(&'static [&'static str], PathBuf, PathBuf); 2] {
    let r = root();
    [
        (&["pdca", "distribute"], r.join("samples/pdca_master.xlsx"), r.join("samples/pdca_returns")),
        (&["plan", "distribute"], r.join("samples/plan_master.xlsx"), r.join("samples/plan_submissions")),
    ]
}

fn distribute(words: &[&str], master: &Path, out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let mut args = words.to_vec();
    args.extend([master.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    keikaku(&args, env)
}

/// The file names in a folder, sorted (hidden ones included).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Every file of a folder with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir).into_iter().map(|n| (n.clone(), std::fs::read(dir.join(&n)).unwrap())).collect()
}

#[test]
fn distribute_refuses_to_replace_returned_workbooks_and_names_them() {
    for (words, master, returns) in kinds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("配布");
        let o = distribute(words, &master, &out, &[]);
        assert!(o.status.success(), "{words:?}: {}", stderr(&o));
        // A centre sends its filled workbook back into the same folder.
        let returned: Vec<String> = names(&returns).into_iter().filter(|n| out.join(n).exists()).collect();
        assert!(!returned.is_empty(), "{words:?}: the shipped returns are named like the outputs");
        for n in &returned {
            std::fs::copy(returns.join(n), out.join(n)).unwrap();
        }
        let before = contents(&out);
        let o = distribute(words, &master, &out, &[]);
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{words:?}: {msg}");
        for n in &returned {
            assert!(msg.contains(n.as_str()), "{words:?}: {n} named in: {msg}");
        }
        assert!(msg.contains("提出されたブック") && msg.contains("入力があります") && msg.contains("シート"), "{msg}");
        assert_eq!(contents(&out), before, "{words:?}: nothing written, no staging folder");
    }
}

#[test]
fn distribute_refuses_to_replace_a_workbook_it_did_not_write_in_that_form() {
    for (k, (words, master, _)) in kinds().into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("配布");
        let o = distribute(words, &master, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut targets = names(&out).into_iter().filter(|n| n.ends_with(".xlsx"));
        let (a, b, c) = (targets.next().unwrap(), targets.next().unwrap(), targets.next().unwrap());
        // Not a workbook at all; a workbook of another kind; the other
        // distribute kind's blank workbook.
        std::fs::write(out.join(&a), b"not a workbook").unwrap();
        std::fs::copy(root().join("samples/agenda.xlsx"), out.join(&b)).unwrap();
        let (other_words, other_master, _) = &kinds()[1 - k];
        let other = dir.path().join("other");
        assert!(distribute(other_words, other_master, &other, &[]).status.success());
        let other_file = names(&other).into_iter().find(|n| n.ends_with(".xlsx")).unwrap();
        std::fs::copy(other.join(other_file), out.join(&c)).unwrap();
        let before = contents(&out);
        let o = distribute(words, &master, &out, &[]);
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{words:?}: {msg}");
        for n in [&a, &b, &c] {
            assert!(msg.contains(n.as_str()), "{words:?}: {n} named in: {msg}");
        }
        assert_eq!(contents(&out), before, "{words:?}");
    }
}

#[test]
fn distribute_replaces_its_own_blank_workbooks() {
    for (words, master, _) in kinds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("配布");
        assert!(distribute(words, &master, &out, &[]).status.success());
        let first = contents(&out);
        let o = distribute(words, &master, &out, &[]);
        assert!(o.status.success(), "{words:?}: {}", stderr(&o));
        assert_eq!(contents(&out).len(), first.len());
    }
}

#[cfg(unix)]
#[test]
fn distribute_never_replaces_the_master_reached_through_a_link() {
    for (words, master, _) in kinds() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("配布");
        assert!(distribute(words, &master, &out, &[]).status.success());
        let target = names(&out).into_iter().find(|n| n.ends_with(".xlsx")).unwrap();
        // The master lives elsewhere under another name; the output folder
        // holds a hard link to it under a centre's file name.
        let kept = dir.path().join("マスター.xlsx");
        std::fs::copy(&master, &kept).unwrap();
        std::fs::remove_file(out.join(&target)).unwrap();
        std::fs::hard_link(&kept, out.join(&target)).unwrap();
        let before = std::fs::read(&kept).unwrap();
        let o = distribute(words, &kept, &out, &[]);
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{words:?}: {msg}");
        assert!(msg.contains(&target) && msg.contains("マスターブック"), "{msg}");
        assert_eq!(std::fs::read(&kept).unwrap(), before);
    }
}

/// The staging folders (`.keikaku-*`) in a folder.
fn staging_folders(dir: &Path) -> Vec<String> {
    names(dir).into_iter().filter(|n| n.starts_with(".keikaku-")).collect()
}

#[test]
fn a_distribute_killed_during_the_final_move_is_finished_by_the_next_run() {
    let (old_env, new_env) = ([("SOURCE_DATE_EPOCH", "1700000000")], [("SOURCE_DATE_EPOCH", "1800000000")]);
    for (words, master, _) in kinds() {
        let dir = tempfile::tempdir().unwrap();
        let (old_out, new_out) = (dir.path().join("old"), dir.path().join("new"));
        assert!(distribute(words, &master, &old_out, &old_env).status.success());
        assert!(distribute(words, &master, &new_out, &new_env).status.success());
        let (old, new) = (contents(&old_out), contents(&new_out));
        assert_eq!(old.len(), new.len());
        assert!(old.iter().zip(&new).all(|(a, b)| a.0 == b.0 && a.1 != b.1), "the two versions differ");
        for n in 0..=old.len() {
            let out = dir.path().join(format!("out{n}"));
            assert!(distribute(words, &master, &out, &old_env).status.success());
            let moves = n.to_string();
            let o = distribute(words, &master, &out, &[new_env[0], ("KEIKAKU_FAULT_AFTER_MOVES", &moves)]);
            assert!(!o.status.success() && o.status.code().is_none(), "{words:?} n={n}: killed by abort");
            // At the crash: every centre's file, old or new, and the staging folder.
            for ((name, o), (_, w)) in old.iter().zip(&new) {
                let got = std::fs::read(out.join(name)).unwrap_or_else(|_| panic!("n={n}: {name} missing"));
                assert!(&got == o || &got == w, "{words:?} n={n}: {name} is neither version");
            }
            assert_eq!(staging_folders(&out).len(), 1, "n={n}");
            // The next run finishes the interrupted commit (roll forward)…
            keikaku::output::recover(&out).unwrap();
            assert_eq!(contents(&out), new, "{words:?} n={n}: rolled forward, no staging folder");
            // …and a distribute after a crash leaves no staging folder either.
            assert!(distribute(words, &master, &out, &[new_env[0], ("KEIKAKU_FAULT_AFTER_MOVES", &moves)])
                .status
                .code()
                .is_none());
            let o = distribute(words, &master, &out, &new_env);
            assert!(o.status.success(), "{}", stderr(&o));
            assert_eq!(contents(&out), new, "{words:?} n={n}");
        }
    }
}

#[test]
fn a_distribute_that_fails_with_bad_input_creates_no_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("pdca.hbs"), "<document><page>{{#each}}</page></document>").unwrap();
    let out = dir.path().join("配布");
    let master = root().join("samples/pdca_master.xlsx");
    let o =
        distribute(&["pdca", "distribute", "--pdf", "--templates", templates.to_str().unwrap()], &master, &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out.exists(), "no empty output folder left: {}", stderr(&o));
}

#[test]
fn agenda_refuses_to_write_its_pdf_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    // An input workbook named like the PDF that `-o DIR/` makes from it.
    let input = dir.path().join("agenda.pdf");
    std::fs::copy(root().join("samples/agenda.xlsx"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let o = keikaku(&["agenda", input.to_str().unwrap(), "-o", &format!("{}/", dir.path().display())], &[]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{msg}");
    assert!(msg.contains("agenda.pdf") && msg.contains("同じファイル"), "{msg}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // The same file under another name (a hard link), and --emit-data onto it.
    #[cfg(unix)]
    {
        let xlsx = dir.path().join("議案.xlsx");
        std::fs::copy(root().join("samples/agenda.xlsx"), &xlsx).unwrap();
        let link = dir.path().join("link.pdf");
        std::fs::hard_link(&xlsx, &link).unwrap();
        let before = std::fs::read(&xlsx).unwrap();
        for args in [
            vec!["agenda", xlsx.to_str().unwrap(), "-o", link.to_str().unwrap()],
            vec!["agenda", xlsx.to_str().unwrap(), "-o", "x.pdf", "--emit-data", link.to_str().unwrap()],
        ] {
            let o = keikaku(&args, &[]);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("link.pdf"), "{}", stderr(&o));
            assert_eq!(std::fs::read(&xlsx).unwrap(), before);
        }
    }
}

#[test]
fn render_refuses_to_write_over_its_template_or_data() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.hbs");
    let d = dir.path().join("d.json");
    std::fs::write(&t, "<document><page><p>{{x}}</p></page></document>").unwrap();
    std::fs::write(&d, r#"{"x": "本文"}"#).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let other_d = dir.path().join("sub/../d.json");
    for (out, markup) in [(&other_d, None), (&dir.path().join("out.pdf"), Some(&t))] {
        let mut args = vec!["render", "--template", t.to_str().unwrap(), "--data", d.to_str().unwrap()];
        args.extend(["-o", out.to_str().unwrap()]);
        if let Some(m) = markup {
            args.extend(["--emit-markup", m.to_str().unwrap()]);
        }
        let o = keikaku(&args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("同じファイル"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&d).unwrap(), r#"{"x": "本文"}"#);
        assert_eq!(std::fs::read_to_string(&t).unwrap(), "<document><page><p>{{x}}</p></page></document>");
    }
}
