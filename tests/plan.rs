//! Centre plans (`keikaku plan …`): the sample master and submissions hold
//! the whole reference document (`shared/reference/centre_plans_shiroi_2021.txt`);
//! distribute → fill → collect gives it back, in the reference's order and
//! layout, and every 差戻し case is found with its cell.

mod common;

use std::path::{Path, PathBuf};

use common::plan::{filled, sample_answers, sample_submissions, values};
use common::{assert_in_order, squash};

use keikaku::forms::plan::collect::{goals_of, read_submission, Key, Submission};
use keikaku::forms::plan::master::Master;
use keikaku::forms::plan::sheets::Field;
use keikaku::jobs::collect::Severity;
use keikaku::workbook::Workbook;

fn read(bytes: &[u8], master: &Master) -> Submission {
    let wb = Workbook::from_bytes("提出.xlsx", bytes).unwrap();
    read_submission(master, &wb)
}

/// The reference text without the converter's HTML fragments and without
/// white space.
fn reference() -> String {
    let r = common::root();
    let text = std::fs::read_to_string(r.join("../shared/reference/centre_plans_shiroi_2021.txt"))
        .or_else(|_| std::fs::read_to_string(r.join("tests/data/centre_plans_shiroi_2021.txt")))
        .unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    squash(&out)
}

/// Every centre's overall goal, then per item (master order) and answering
/// centre every goal and its actions: the order of the reference document.
fn needles(master: &Master) -> Vec<String> {
    let answers = sample_answers();
    let mut v: Vec<String> = master.centres.iter().map(|c| squash(&answers[&c.id].overall)).collect();
    for item in &master.items {
        for c in master.respondents(item) {
            for g in answers[&master.centres[c].id].items.get(&item.number).into_iter().flatten() {
                v.push(squash(&g.goal));
                v.extend(g.actions.iter().map(|a| squash(a)));
            }
        }
    }
    v
}

#[test]
fn the_sample_answers_are_the_whole_reference_text_in_order() {
    let m = Master::example();
    let reference = reference();
    let needles = needles(&m);
    assert_in_order(&reference, &needles);
    // The reference has 40 goals with 100 actions (3 overall goals besides).
    let answers = sample_answers();
    let goals: usize = answers.values().map(|a| a.items.values().map(Vec::len).sum::<usize>()).sum();
    let actions: usize =
        answers.values().map(|a| a.items.values().flatten().map(|g| g.actions.len()).sum::<usize>()).sum();
    assert_eq!((goals, actions), (40, 100));
    // Nothing of substance is left once the answers and the city's texts are
    // taken out: only headings, table headers, centre names and bullets.
    let mut rest = reference.clone();
    let mut taken: Vec<String> = needles;
    taken.extend(m.items.iter().flat_map(|i| i.policy.lines().map(squash)));
    taken.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for t in taken.iter().filter(|t| !t.is_empty()) {
        rest = rest.replacen(t.as_str(), "|", 1);
    }
    let longest = rest.split('|').map(|s| s.chars().count()).max().unwrap();
    assert!(longest < 200, "a long text of the reference is not in the sample: {rest}");
}

#[test]
fn samples_are_current() {
    let m = Master::example();
    let update = std::env::var_os("KEIKAKU_UPDATE_SAMPLES").is_some();
    let root = common::root();
    // The master workbook is what `init plan --from` makes of the JSON.
    let tmp = tempfile::tempdir().unwrap();
    let made = tmp.path().join("plan_master.xlsx");
    let o = common::keikaku(
        &[
            "init",
            "plan",
            "--from",
            root.join("samples/plan_master.json").to_str().unwrap(),
            "-o",
            made.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let master_path = root.join("samples/plan_master.xlsx");
    if update {
        std::fs::copy(&made, &master_path).unwrap();
    }
    assert!(
        std::fs::read(&master_path).ok() == Some(std::fs::read(&made).unwrap()),
        "samples/plan_master.xlsx is stale: run KEIKAKU_UPDATE_SAMPLES=1 cargo test --test plan"
    );
    let dir = root.join("samples/plan_submissions");
    for (name, bytes) in sample_submissions(&m) {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let shipped = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(shipped == bytes, "{name} is stale: run KEIKAKU_UPDATE_SAMPLES=1 cargo test --test plan");
    }
}

#[test]
fn round_trip_reads_back_exactly_what_was_filled() {
    let m = Master::example();
    let answers = sample_answers();
    for c in &m.centres {
        let typed = values(&m, &c.id, &answers[&c.id]);
        let sub = read(&filled(&m, &c.id, &typed), &m);
        assert_eq!(sub.problems, vec![], "{}", c.id);
        assert_eq!(sub.centre.as_deref(), Some(c.id.as_str()));
        let got: Vec<(String, String)> =
            sub.answers.iter().filter_map(|a| a.text().map(|t| (a.key.name(&m), t.to_string()))).collect();
        let want: Vec<(String, String)> = typed
            .into_iter()
            .map(|(n, v)| if n == "KP_DATE" { (n, answers[&c.id].date.clone()) } else { (n, v) })
            .collect();
        assert_eq!(got, want, "{}", c.id);
        // The goals come back with their actions, bullets dropped.
        for (k, item) in m.items.iter().enumerate() {
            let Some(expected) = answers[&c.id].items.get(&item.number) else { continue };
            let goals = goals_of(&sub, k);
            assert_eq!(goals.len(), expected.len(), "{} {}", c.id, item.number);
            for (g, e) in goals.iter().zip(expected) {
                assert_eq!(g.text, e.goal);
                assert_eq!(g.actions, e.actions.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
    }
}

fn fixes(sub: &Submission) -> Vec<String> {
    sub.problems
        .iter()
        .filter(|p| p.severity == Severity::Fix)
        .map(|p| format!("{} {} {}", p.sheet().unwrap_or(""), p.cell().as_deref().unwrap_or(""), p.message()))
        .collect()
}

#[test]
fn a_goal_needs_its_actions_and_actions_their_goal() {
    let m = Master::example();
    let answers = sample_answers();
    let mut typed = values(&m, "S02", &answers["S02"]);
    // 3-1 総合相談支援事業: goal 1 without its actions, actions written
    // beside an empty goal 3; the overall goal left empty.
    let item = m.items.iter().find(|i| i.number == "3-1").unwrap();
    typed.retain(|(n, _)| *n != Field::Actions(1).name(Some(item)) && *n != Field::Overall.name(None));
    typed.push((Field::Actions(3).name(Some(item)), "・相談会を開く".into()));
    let sub = read(&filled(&m, "S02", &typed), &m);
    let fix = fixes(&sub);
    assert_eq!(fix.len(), 3, "{fix:#?}");
    assert!(
        fix.iter().any(|f| f.starts_with("I 目標 A5 ") && f.contains("地域包括支援センターとしての目標が未入力です")),
        "{fix:#?}"
    );
    let sheet = "3 包括的支援事業(地域包括支援センターの運営)";
    assert!(
        fix.iter().any(|f| f.starts_with(&format!("{sheet} C"))
            && f.contains("総合相談支援事業 目標(1) の具体的な取り組み内容が未入力です")),
        "{fix:#?}"
    );
    assert!(
        fix.iter().any(|f| f.starts_with(&format!("{sheet} B")) && f.contains("総合相談支援事業 の目標(3) が空ですが")),
        "{fix:#?}"
    );
    assert!(sub.usable(), "to fix, but usable");
}

#[test]
fn other_centres_years_forms_and_edited_structure_are_reported() {
    let m = Master::example();
    let answers = sample_answers();
    let s03 = filled(&m, "S03", &values(&m, "S03", &answers["S03"]));
    // Another year's workbook.
    let other_year = common::fill::replace_in(
        &s03,
        "docProps/custom.xml",
        "<vt:lpwstr>2021</vt:lpwstr>",
        "<vt:lpwstr>2020</vt:lpwstr>",
    );
    let sub = read(&other_year, &m);
    assert!(!sub.usable());
    assert!(sub.problems[0].message().contains("令和2年度 のブックです。今回は 令和3年度"), "{:?}", sub.problems);
    // A PDCA sheet sent by mistake.
    let pdca = common::fill::distributed(&keikaku::forms::pdca::master::Master::example(), "C01");
    let sub = read(&pdca, &m);
    assert!(sub.problems[0].message().contains("配布した センター事業計画シートではありません"), "{:?}", sub.problems);
    // A centre of another master.
    let unknown = common::fill::replace_in(
        &s03,
        "docProps/custom.xml",
        "<vt:lpwstr>S03</vt:lpwstr>",
        "<vt:lpwstr>S09</vt:lpwstr>",
    );
    assert!(read(&unknown, &m).problems[0].message().contains("センター ID「S09」"));
    // A renamed sheet is still read through the defined names, and noted to fix.
    let renamed = common::fill::replace_in(&s03, "xl/workbook.xml", "name=\"I 目標\"", "name=\"目標\"");
    let renamed = common::fill::replace_in(&renamed, "xl/workbook.xml", "'I 目標'!", "'目標'!");
    let sub = read(&renamed, &m);
    assert!(
        fixes(&sub).iter().any(|f| f.contains("シートの名前が「I 目標」から「目標」に変わっています")),
        "{:?}",
        fixes(&sub)
    );
    assert!(sub.answers.iter().any(|a| a.key == Key { item: None, field: Field::Overall } && a.text().is_some()));
}

/// The PDF's text in content order (`pdftotext -raw`: cell by cell, row by
/// row, as a reader follows the tables), page by page, without white space
/// and without what repeats on every page (the page number, and a
/// continued table's 「（…・続き）」 line and header row).
fn reading_pages(pdf: &Path, m: &Master) -> Vec<String> {
    let mut furniture: Vec<String> = m
        .sections
        .iter()
        .map(|s| squash(&format!("（{}. {}・続き）", s.number, s.name)))
        .chain(m.items.iter().filter(|i| !i.name.is_empty()).map(|i| {
            let s = m.section_of(i).unwrap();
            squash(&format!("（{}. {} {}・続き）", s.number, s.name, i.name))
        }))
        .chain([squash(&format!("（{}・続き）", keikaku::forms::plan::sheets::OVERALL_HEADING))])
        .collect();
    let (goal, actions) = (keikaku::forms::plan::sheets::GOAL_HEADER, keikaku::forms::plan::sheets::ACTIONS_HEADER);
    furniture.push(squash(&format!("項目センター{goal}{actions}")));
    furniture.push(squash(&format!("センター{goal}{actions}")));
    (1..=common::page_count(pdf))
        .map(|p| {
            let page = common::pdftotext(pdf, &["-raw", "-f", &p.to_string(), "-l", &p.to_string()]);
            let footer = format!("- {p} -");
            let mut flat = squash(&page.lines().filter(|l| l.trim() != footer).collect::<String>());
            for f in &furniture {
                flat = flat.replace(f.as_str(), "");
            }
            flat
        })
        .collect()
}

/// Asserts that the needles are in the pages in order. A text may continue
/// from one page to the next (a table cell split over a page break): its
/// head is on the page, its tail on the next, and the cells beside it
/// (read after it) may still be on the first page.
// `page` is changed only just before `continue 'next` leaves the range loop.
#[allow(clippy::mut_range_bound)]
fn assert_in_order_over_pages(pages: &[String], needles: &[String]) {
    let (mut page, mut from) = (0usize, 0usize);
    'next: for n in needles {
        for p in page..pages.len() {
            let start = if p == page { from } else { 0 };
            if let Some(i) = pages[p][start..].find(n.as_str()) {
                (page, from) = (p, start + i + n.len());
                continue 'next;
            }
            // Split over the break after page p: the longest head (at least
            // four characters) on page p whose tail is on page p + 1.
            if p + 1 < pages.len() {
                let chars: Vec<(usize, char)> = n.char_indices().collect();
                for &(k, _) in chars.iter().skip(1).rev() {
                    let (head, tail) = n.split_at(k);
                    if head.chars().count() < 4 {
                        continue;
                    }
                    let head_at = pages[p][start..].rfind(head).map(|i| start + i);
                    // A short tail (the last line's end) must open the next page.
                    let tail_at = if tail.chars().count() >= 4 {
                        pages[p + 1].find(tail)
                    } else {
                        pages[p + 1].starts_with(tail).then_some(0)
                    };
                    if let (Some(i), Some(_)) = (head_at, tail_at) {
                        // The rest of the row (the cells beside it) may still
                        // follow on this page: go on from the head.
                        (page, from) = (p, i + head.len());
                        continue 'next;
                    }
                }
            }
        }
        panic!("missing or out of order: {n}");
    }
}

/// The shipped sample submissions copied into a fresh inbox.
fn inbox(dir: &Path) -> PathBuf {
    let inbox = dir.join("提出");
    std::fs::create_dir_all(&inbox).unwrap();
    for e in std::fs::read_dir(common::root().join("samples/plan_submissions")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inbox.join(e.file_name())).unwrap();
    }
    inbox
}

fn plan_collect(inbox: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let master = common::root().join("samples/plan_master.xlsx");
    let mut args =
        vec!["plan", "collect", master.to_str().unwrap(), inbox.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    common::keikaku(&args, &[])
}

#[test]
fn collect_gives_the_reference_document() {
    let m = Master::example();
    let tmp = tempfile::tempdir().unwrap();
    let inbox = inbox(tmp.path());
    let out = tmp.path().join("out");
    let o = plan_collect(&inbox, &out, &[]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("提出済み 3、要修正 0、受付不可 0、未提出 0"), "{err}");
    let pdf = out.join("事業計画書.pdf");
    common::qpdf_check(&pdf);
    common::assert_tagged(&pdf);
    let text = common::pdftotext(&pdf, &[]);
    let flat = squash(&text);
    // Title line, and every goal and action of the reference, in order
    // (read column by column, as a reader follows the tables).
    assert!(flat.starts_with(&squash("令和3年度 白井市各地域包括支援センター事業計画書")), "{text}");
    assert_in_order_over_pages(&reading_pages(&pdf, &m), &needles(&m));
    // The table of contents gives the pages of part I and the range of part II.
    let first = common::page_text(&pdf, 1);
    let pages = common::page_count(&pdf);
    assert!(pages >= 5, "{pages} pages");
    assert!(squash(&first).contains("各事業に関する取り組みの方針…"), "{first}");
    assert!(first.contains(&format!("2-{pages}")), "part II runs from page 2 to the end: {first}");
    // Section headings, the item and centre columns, the policy, bullets.
    for s in [
        "1.基本項目",
        "4.包括的支援事業（社会保障充実分）",
        "権利擁護事業",
        "【運営方針重点的取組み】",
        "西白井駅前",
        "・地域包括支援センター連絡調整会議を開催し",
    ] {
        assert!(flat.contains(&squash(s)), "{s}");
    }
    // Tables continue over pages with their header repeated.
    let continued = (2..=pages).filter(|p| squash(&common::page_text(&pdf, *p)).contains("（3.包括的支援事業")).count();
    assert!(continued >= 1, "a section 3 table is continued on another page");
    let fonts = common::pdffonts(&pdf);
    assert!(fonts.contains("IPAexMincho") && fonts.contains("IPAexGothic"), "{fonts}");
}

#[test]
fn the_order_check_follows_cells_over_page_breaks_and_fails_when_out_of_order() {
    let pages = vec!["目標一取り組み一の前半".to_string(), "右の列の続き後半です目標二".to_string()];
    let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_in_order_over_pages(&pages, &n(&["目標一", "取り組み一の前半後半です", "目標二"]));
    let reversed = std::panic::catch_unwind(|| assert_in_order_over_pages(&pages, &n(&["目標二", "目標一"])));
    assert!(reversed.is_err(), "out of order must fail");
    let missing = std::panic::catch_unwind(|| assert_in_order_over_pages(&pages, &n(&["目標三"])));
    assert!(missing.is_err(), "a missing text must fail");
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    calamine::Data::Empty => String::new(),
                    calamine::Data::String(s) => s.clone(),
                    calamine::Data::Float(f) => f.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn collect_writes_a_tidy_workbook_with_provenance_and_a_print_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = inbox(tmp.path());
    let out = tmp.path().join("out");
    let o = plan_collect(&inbox, &out, &["--no-pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(!out.join("事業計画書.pdf").exists(), "--no-pdf");
    let book = out.join("事業計画書.xlsx");
    let rows = sheet_rows(&book, "取組み");
    assert_eq!(rows[0][..4], ["年度", "年度（和暦）", "区分番号", "区分"]);
    assert_eq!(rows.len(), 1 + 100, "one row per action of the reference");
    let first = &rows[1];
    let file = "S01_白井市地域包括支援センター.xlsx";
    let sha = keikaku::jobs::collect::sha256_hex(&std::fs::read(inbox.join(file)).unwrap());
    assert_eq!(first[0], "2021");
    assert_eq!(first[1], "令和3年度");
    assert_eq!((first[2].as_str(), first[3].as_str()), ("1", "基本項目"));
    assert_eq!((first[6].as_str(), first[8].as_str()), ("S01", "直営"));
    assert_eq!(first[9], "1");
    assert!(first[10].starts_with("(1) 組織・運営体制及び市との連携"));
    assert_eq!(first[11], "1");
    assert_eq!(first[12], "地域包括支援センター連絡調整会議を開催し、情報共有するほか、市の方針を伝達する。(月1回)");
    assert_eq!(first[13], format!("提出/{file}"));
    assert_eq!(first[14], "1 基本項目");
    assert!(first[15].starts_with('B') && first[16].starts_with('C'), "{first:?}");
    assert_eq!(first[17], sha);
    // Items only 直営 answers have only 直営 rows.
    assert!(rows.iter().filter(|r| r[5] == "在宅医療・介護連携推進事業").all(|r| r[6] == "S01"));
    let overall = sheet_rows(&book, "目標");
    assert_eq!(overall.len(), 4);
    assert!(overall[2][6].starts_with("市内に暮らす高齢者が住み慣れた地域で"));
    let status = sheet_rows(&book, "提出状況");
    assert!(status[1..].iter().all(|r| r[2] == "提出済み"), "{status:?}");
    // Tidy sheets have no merged cells; the print sheet merges the item and
    // centre cells over their rows.
    let parts = common::xlsx_entries(&std::fs::read(&book).unwrap());
    let paths = common::sheet_paths(&parts);
    let xml = |s: &str| String::from_utf8(parts.iter().find(|(p, _)| *p == paths[s]).unwrap().1.clone()).unwrap();
    assert!(!xml("取組み").contains("<mergeCell "));
    let print = xml("印刷用");
    assert!(print.contains("<mergeCell "), "the print sheet has merged cells");
    assert!(print.contains("paperSize=\"9\""), "A4");
}

#[test]
fn a_partial_collection_shows_what_is_missing_and_what_to_fix() {
    let m = Master::example();
    let answers = sample_answers();
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("提出");
    std::fs::create_dir_all(&inbox).unwrap();
    let s01 = common::root().join("samples/plan_submissions/S01_白井市地域包括支援センター.xlsx");
    std::fs::copy(&s01, inbox.join("S01_白井市地域包括支援センター.xlsx")).unwrap();
    // S02 sent a draft and a later version with one goal's actions missing.
    let mut typed = values(&m, "S02", &answers["S02"]);
    let item = m.items.iter().find(|i| i.number == "2").unwrap();
    typed.retain(|(n, _)| *n != Field::Actions(2).name(Some(item)));
    let later = common::fill::saved_at(&filled(&m, "S02", &typed), "2021-04-25T10:00:00Z");
    let draft = common::fill::saved_at(&filled(&m, "S02", &typed[..3]), "2021-04-20T10:00:00Z");
    std::fs::write(inbox.join("S02_白井駅前.xlsx"), later).unwrap();
    std::fs::write(inbox.join("S02_白井駅前（下書き）.xlsx"), draft).unwrap();
    let out = tmp.path().join("out");
    let returns = tmp.path().join("差戻し");
    let o = plan_collect(&inbox, &out, &["--returns", returns.to_str().unwrap()]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("提出済み 1、要修正 1、受付不可 0、未提出 1"), "{err}");
    assert!(err.contains("S03 西白井駅前地域包括支援センター: 未提出"), "{err}");
    assert!(
        err.contains("「2 介護予防・日常生活支援総合事業」シート C")
            && err.contains("目標(2) の具体的な取り組み内容が未入力です"),
        "{err}"
    );
    assert!(
        err.contains("使わなかったファイル「提出/S02_白井駅前（下書き）.xlsx」")
            && err.contains("新しく保存されているため"),
        "{err}"
    );
    let names: Vec<String> =
        std::fs::read_dir(&returns).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["S02_白井駅前地域包括支援センター_差戻し.xlsx"]);
    let text = squash(&common::pdftotext(&out.join("事業計画書.pdf"), &[]));
    assert!(text.contains("集計途中"), "the cover says the plan is not complete");
    assert!(text.contains("（未提出）"), "S03's cells say it has not sent its plan");
}

#[test]
fn collect_is_deterministic_and_leaves_its_inputs_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = inbox(tmp.path());
    let before: Vec<Vec<u8>> = {
        let mut v: Vec<_> = std::fs::read_dir(&inbox).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v.iter().map(|p| std::fs::read(p).unwrap()).collect()
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(plan_collect(&inbox, &a, &[]).status.code(), Some(0));
    assert_eq!(plan_collect(&inbox, &b, &[]).status.code(), Some(0));
    for f in ["事業計画書.pdf", "事業計画書.xlsx"] {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs between runs");
    }
    let mut after: Vec<_> = std::fs::read_dir(&inbox).unwrap().map(|e| e.unwrap().path()).collect();
    after.sort();
    assert_eq!(after.iter().map(|p| std::fs::read(p).unwrap()).collect::<Vec<_>>(), before);
    // The combined workbook put among the submissions is skipped, not refused.
    std::fs::copy(a.join("事業計画書.xlsx"), inbox.join("事業計画書.xlsx")).unwrap();
    let o = plan_collect(&inbox, &tmp.path().join("c"), &["--no-pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("読み飛ばしました"));
}

#[test]
fn plan_distribute_makes_one_protected_workbook_per_centre() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("配布");
    let master = common::root().join("samples/plan_master.xlsx");
    let o = common::keikaku(&["plan", "distribute", master.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let m = Master::example();
    for c in &m.centres {
        let path = out.join(format!("{}_{}.xlsx", c.id, c.name));
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes, common::plan::distributed(&m, &c.id), "the command gives what the library gives");
        let wb = Workbook::from_bytes("x.xlsx", &bytes).unwrap();
        assert_eq!(wb.sheets[0].name.as_ref(), "I 目標");
        let props: std::collections::HashMap<_, _> = wb.properties.iter().cloned().collect();
        assert_eq!(props["keikaku.form"], "keikaku.plan");
        assert_eq!(props["keikaku.centre"], c.id);
        assert_eq!(props["keikaku.fiscal_year"], "2021");
        let parts = common::xlsx_entries(&bytes);
        let paths = common::sheet_paths(&parts);
        let first = String::from_utf8(parts.iter().find(|(p, _)| *p == paths["I 目標"]).unwrap().1.clone()).unwrap();
        assert!(first.contains("<sheetProtection"), "protected");
        // The city's 運営方針 is on the centre's sheet of its item.
        let third = &paths.keys().find(|k| k.starts_with("3 ")).cloned().unwrap();
        let shared =
            String::from_utf8(parts.iter().find(|(p, _)| p == "xl/sharedStrings.xml").unwrap().1.clone()).unwrap();
        assert!(shared.contains("基幹型地域包括支援センターにおいて"), "{third}");
    }
    // The 直営-only items are on the 直営 centre's section 4 sheet only.
    let count_inputs = |id: &str| {
        let c = m.centres.iter().position(|c| c.id == id).unwrap();
        keikaku::forms::plan::sheets::sheets_of(&m, &m.centres[c].name, &m.items_by_centre()[c])
            .iter()
            .map(|g| g.inputs().count())
            .sum::<usize>()
    };
    assert!(count_inputs("S01") > count_inputs("S02"));
}

/// The master read back from a workbook made of `m` (as `init plan --from`).
fn read_master(m: &Master) -> Result<Master, keikaku::Error> {
    let bytes = keikaku::xlsx::write_form("マスター", &keikaku::forms::plan::master::SHEETS, &m.to_sheets()).unwrap();
    keikaku::forms::plan::master::read(&Workbook::from_bytes("マスター.xlsx", &bytes).unwrap())
}

#[test]
fn the_master_round_trips_and_every_problem_is_reported_with_its_cell() {
    let m = Master::example();
    assert_eq!(read_master(&m).unwrap(), m);
    let mut bad = m.clone();
    bad.items[3].answered_by = "S09".into(); // row 5 of 項目
    bad.items[8].number = "4-3".into(); // row 10, the same as items[7] in row 9
    bad.items[5].section = "9".into();
    bad.items[6].goals = 11;
    bad.items[1].section = "1".into(); // a second item in section 1, beside its unnamed one
    bad.centres[2].kind = "民間".into();
    let err = read_master(&bad).unwrap_err().message;
    for want in [
        "「項目」シート E5: 回答するセンター「S09」は「センター」シートにありません",
        "「項目」シート B10: 項目の番号「4-3」が B9 と重複しています",
        "「項目」シート A7: 区分「9」は「区分」シートにありません",
        "「項目」シート F8: 目標の数 11 は 1 から 10 までにしてください",
        "「センター」シート D4: 種別「民間」は選べる値ではありません",
        "区分「1」には項目名のない項目「1」と他の項目があります",
        "「区分」シート A3: 区分「2 介護予防・日常生活支援総合事業」の項目が「項目」シートにありません",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(err.starts_with("マスターブックに 7 件の問題があります"), "{err}");
}
