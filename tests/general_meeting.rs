//! End-to-end tests of the whole 議案書 (`keikaku agenda` on a workbook with
//! 「表紙」 and 「議案一覧」): the sample's cover, contents and every 議案 in
//! order; every amount and total against a sum of the workbook's cells made
//! here; totals moving with an amount; and bad input, each refused at its
//! cell with nothing written.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use keikaku::forms::agenda::book::GeneralMeeting;
use keikaku::forms::{CellData, SheetData};
use keikaku::workbook::{Value, Workbook};

fn sample_json() -> GeneralMeeting {
    serde_json::from_str(&std::fs::read_to_string(root().join("samples/general_meeting.json")).unwrap()).unwrap()
}

/// Runs `keikaku agenda FILE -o DIR/out.pdf`: (exit code, stderr, output path).
fn agenda(file: &Path, dir: &Path) -> (i32, String, PathBuf) {
    let out = dir.join("out.pdf");
    let o = keikaku(&["agenda", file.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    (o.status.code().unwrap_or(-1), stderr(&o), out)
}

/// The 議案書 workbook of `book`, with `edit` applied to its sheets.
fn workbook(book: &GeneralMeeting, edit: impl FnOnce(&mut Vec<(String, keikaku::forms::Shape, SheetData)>)) -> Vec<u8> {
    let mut sheets = book.to_sheets();
    edit(&mut sheets);
    keikaku::xlsx::write_sheets("test", &sheets).unwrap()
}

fn table_rows<'a>(
    sheets: &'a mut [(String, keikaku::forms::Shape, SheetData)],
    name: &str,
) -> &'a mut Vec<Vec<Option<CellData>>> {
    match &mut sheets.iter_mut().find(|s| s.0 == name).unwrap().2 {
        SheetData::Table { rows, .. } => rows,
        SheetData::KeyValue(_) => panic!("{name} is key/value"),
    }
}

fn t(s: &str) -> Option<CellData> {
    Some(CellData::Text(s.to_string()))
}

/// The money rows of the PDF text: 科目 name → its three printed amounts.
fn printed_lines(text: &str) -> Vec<(String, Vec<String>)> {
    text.lines()
        .filter_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let amounts: Vec<String> = words
                .iter()
                .skip(1)
                .take_while(|w| w.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '△'))
                .map(|w| w.to_string())
                .collect();
            (amounts.len() == 3).then(|| (words[0].to_string(), amounts))
        })
        .collect()
}

fn yen(n: i64) -> String {
    keikaku::amount::format(n, keikaku::amount::Unit::Yen)
}

#[test]
fn sample_book_has_cover_contents_and_every_motion_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err, pdf) = agenda(&root().join("samples/general_meeting.xlsx"), dir.path());
    assert_eq!(code, 0, "{err}");
    common::qpdf_check(&pdf);
    common::assert_tagged(&pdf);
    let pages = page_count(&pdf);
    assert!(pages >= 9, "{pages} pages");
    // The cover: no page number; title, meeting, date, venue, organisation.
    let cover = squash(&page_text(&pdf, 1));
    for want in ["令和２年度", "第１１回定期総会", "議案書", "令和２年６月１日（月）午後２時", "大田区訪問介護事業者連絡会"] {
        assert!(cover.contains(want), "cover lacks {want}: {cover}");
    }
    assert!(!cover.contains("-1-"), "the cover has no page number: {cover}");
    // The contents list every part, and each starts on the page it says.
    let book = sample_json();
    let contents = pdftotext(&pdf, &["-layout", "-f", "2", "-l", "2"]);
    assert!(squash(&contents).contains("目次"));
    let mut numbered = 0;
    for m in &book.motions {
        let label = keikaku::forms::agenda::book::motion_label(m.number);
        numbered += m.number.is_some() as usize;
        let line = contents
            .lines()
            .find(|l| squash(l).starts_with(&squash(&format!("{label}{}", m.title))))
            .unwrap_or_else(|| panic!("contents lack {label} {}: {contents}", m.title));
        let page: usize = line.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
        let p = page.to_string();
        let first = pdftotext(&pdf, &["-layout", "-f", &p, "-l", &p]);
        let first = squash(first.lines().find(|l| !l.trim().is_empty()).unwrap());
        assert_eq!(first, squash(&format!("{label}{}", m.title)), "page {page} starts with its 議案");
        // Its page number is printed at its foot.
        assert!(squash(&page_text(&pdf, page)).contains(&format!("-{page}-")), "page {page} numbered");
    }
    assert!(numbered >= 5, "at least five 議案");
    // Every sheet's text, in order (as laid out: poppler's reading order
    // moves indented table cells).
    let text = squash(&pdftotext(&pdf, &["-layout"]));
    let mut want: Vec<String> = Vec::new();
    for m in &book.motions {
        want.push(squash(&m.title));
        if let Some(l) = &m.lead {
            want.push(squash(l));
        }
        for s in &m.sections {
            want.push(squash(&s.heading));
            want.extend(s.paragraphs.iter().map(|p| squash(p)));
            for it in &s.items {
                want.extend(it.title.iter().chain(it.text.iter()).chain(it.body.iter()).map(|x| squash(x)));
            }
            want.extend(s.schedule.iter().map(|r| squash(&format!("{}{}", r.date, r.content))));
            for tb in &s.tables {
                // The first column (dates): a wrapped cell of a wider column
                // is read line by line across the row by pdftotext.
                for r in &tb.rows {
                    if let Some(keikaku::forms::agenda::input::TableCell::Text(x)) = &r[0] {
                        want.push(squash(x));
                    }
                }
            }
        }
        for a in &m.accounts {
            want.extend(a.major.iter().chain(a.minor.iter()).map(|x| squash(x)));
        }
        if let Some(a) = &m.audit {
            want.extend(a.text.iter().map(|x| squash(x)));
            want.push(squash(&a.date));
            want.extend(a.auditors.iter().map(|x| squash(&format!("監事{x}印"))));
        }
        for o in &m.officers {
            want.push(squash(&format!("{}{}", o.role, o.name)));
        }
    }
    assert_in_order(&text, &want);
    // The reference 事業計画 is there in full.
    assert_in_order(&text, &reference_sentences());
    // One bookmark per part.
    let titles = outline_titles(&pdf);
    for m in &book.motions {
        let label = keikaku::forms::agenda::book::motion_label(m.number);
        let title = if label.is_empty() { m.title.clone() } else { format!("{label}　{}", m.title) };
        assert!(titles.contains(&title), "bookmark {title} in {titles:?}");
    }
}

/// The amounts of a money sheet read straight from the workbook's cells:
/// (区分, 大科目 or 中科目 name, the two amount columns), summed here.
/// Amounts by name (and `…の計` per 大科目), totals per 区分, carried-in amounts.
type Sums = (BTreeMap<String, [i64; 2]>, [[i64; 2]; 2], [i64; 2]);

fn cell_sums(wb: &Workbook, sheet: &str) -> Sums {
    let s = wb.sheet(sheet).unwrap();
    let mut by_name: BTreeMap<String, [i64; 2]> = BTreeMap::new();
    let mut totals = [[0i64; 2]; 2];
    let mut carry = [0i64; 2];
    let (mut division, mut major) = (0usize, String::new());
    for row in 1..=s.last_row().unwrap() {
        let cell = |c: u32| s.get(keikaku::workbook::CellRef::new(row, c));
        if let Some(Value::Text(d)) = cell(0) {
            division = if d.contains("収入") { 0 } else { 1 };
        }
        let num = |c: u32| match cell(c) {
            Some(Value::Number(n)) => *n as i64,
            _ => 0,
        };
        let v = [num(3), num(4)];
        if let Some(Value::Text(m)) = cell(1) {
            major = m.clone();
        }
        let name = match cell(2) {
            Some(Value::Text(m)) => m.clone(),
            _ => major.clone(),
        };
        by_name.insert(name.clone(), v);
        if name != major {
            let e = by_name.entry(format!("{major}の計")).or_default();
            e[0] += v[0];
            e[1] += v[1];
        }
        for k in 0..2 {
            totals[division][k] += v[k];
            if major.contains("繰越") {
                carry[k] += v[k];
            }
        }
    }
    (by_name, totals, carry)
}

#[test]
fn every_amount_and_total_matches_a_sum_of_the_workbook_cells() {
    let dir = tempfile::tempdir().unwrap();
    let file = root().join("samples/general_meeting.xlsx");
    let (code, err, pdf) = agenda(&file, dir.path());
    assert_eq!(code, 0, "{err}");
    let wb = Workbook::open(&file).unwrap();
    let text = pdftotext(&pdf, &["-layout"]);
    let lines = printed_lines(&text);
    let find = |after: usize, name: &str| -> (usize, Vec<String>) {
        lines.iter().enumerate().skip(after).find(|(_, l)| l.0 == name).map(|(i, l)| (i, l.1.clone())).unwrap_or_else(|| {
            panic!("no printed line {name} after {after}: {lines:?}")
        })
    };
    for (sheet, first, diff) in [
        ("収支決算", "会費収入", (|a: [i64; 2]| a[1] - a[0]) as fn([i64; 2]) -> i64),
        ("収支予算", "会費収入", |a: [i64; 2]| a[0] - a[1]),
    ] {
        let (by_name, totals, carry) = cell_sums(&wb, sheet);
        let start = find(if sheet == "収支決算" { 0 } else { find(0, "次期繰越収支差額").0 + 1 }, first).0;
        let row = |a: [i64; 2]| vec![yen(a[0]), yen(a[1]), yen(diff(a))];
        // Each 科目 line, and each 大科目 subtotal (the sum of its 中科目).
        for (name, v) in &by_name {
            let (name, v) = match name.strip_suffix("の計") {
                Some(major) => (major.to_string(), *v),
                None if by_name.contains_key(&format!("{name}の計")) => continue,
                None => (name.clone(), *v),
            };
            assert_eq!(find(start, &name).1, row(v), "{sheet} {name}");
        }
        let income = totals[0];
        let spending = totals[1];
        let current = [income[0] - carry[0], income[1] - carry[1]];
        assert_eq!(find(start, "当期収入合計").1, row(current), "{sheet} 当期収入合計");
        assert_eq!(find(start, "収入合計").1, row(income), "{sheet} 収入合計");
        assert_eq!(find(start, "支出合計").1, row(spending), "{sheet} 支出合計");
        let balance = |a: [i64; 2]| [a[0] - spending[0], a[1] - spending[1]];
        assert_eq!(find(start, "当期収支差額").1, row(balance(current)), "{sheet} 当期収支差額");
        assert_eq!(find(start, "次期繰越収支差額").1, row(balance(income)), "{sheet} 次期繰越収支差額");
        assert!(by_name.len() >= 12, "{sheet}: at least 12 科目 per part");
    }
    // Some 増減 of the budget are negative, printed with △.
    let budget = find(find(0, "次期繰越収支差額").0 + 1, "研修会参加費").1;
    assert!(budget[2].starts_with('△'), "{budget:?}");
}

#[test]
fn changing_one_amount_moves_its_subtotal_totals_and_difference() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = sample_json();
    let m = book.motions.iter_mut().find(|m| m.kind == "収支予算").unwrap();
    let line = m.accounts.iter_mut().find(|a| a.minor.as_deref() == Some("研修会参加費")).unwrap();
    let before = line.budget.unwrap();
    line.budget = Some(before + 30_000);
    let text_of = |book: &GeneralMeeting, name: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, workbook(book, |_| {})).unwrap();
        let (code, err, pdf) = agenda(&f, dir.path());
        assert_eq!(code, 0, "{err}");
        let text = pdftotext(&pdf, &["-layout"]);
        let lines = printed_lines(&text);
        let at = lines.iter().position(|l| l.0 == "次期繰越収支差額").unwrap() + 1;
        lines[at..].iter().map(|(n, v)| (n.clone(), v.clone())).collect::<BTreeMap<_, _>>()
    };
    let old = text_of(&sample_json(), "old.xlsx");
    let new = text_of(&book, "new.xlsx");
    let num = |s: &str| -> i64 {
        let v: i64 = s.trim_start_matches('△').replace(',', "").parse().unwrap();
        if s.starts_with('△') {
            -v
        } else {
            v
        }
    };
    let moved = |name: &str, col: usize| num(&new[name][col]) - num(&old[name][col]);
    for name in ["研修会参加費", "事業収入", "収入合計", "当期収入合計", "当期収支差額", "次期繰越収支差額"] {
        assert_eq!(moved(name, 0), 30_000, "{name} 予算額");
        assert_eq!(moved(name, 1), 0, "{name} 前年度予算額");
        assert_eq!(moved(name, 2), 30_000, "{name} 増減");
    }
    assert_eq!(moved("支出合計", 0), 0);
    assert_eq!(old["会費収入"], new["会費収入"]);
}

#[test]
fn bad_input_is_refused_at_its_cell_and_nothing_is_written() {
    let book = sample_json();
    type Edit = Box<dyn FnOnce(&mut Vec<(String, keikaku::forms::Shape, SheetData)>)>;
    let cases: Vec<(&str, Edit, Vec<&str>)> = vec![
        (
            "text in an amount cell",
            Box::new(|s| table_rows(s, "収支予算")[2][3] = t("未定")),
            vec!["「収支予算」シート D4", "円の整数", "未定"],
        ),
        (
            "a 科目 under no 区分",
            Box::new(|s| table_rows(s, "収支決算")[0][0] = None),
            vec!["「収支決算」シート A2", "区分の下にありません"],
        ),
        (
            "a typed total that disagrees",
            Box::new(|s| {
                let rows = table_rows(s, "収支予算");
                let at = rows.iter().position(|r| r[0] == t("支出の部")).unwrap();
                rows.insert(at, vec![None, t("収入合計"), None, Some(CellData::Number(1.0)), None, None]);
            }),
            vec!["「収支予算」シート D", "収入合計", "1 円", "科目から計算すると"],
        ),
        (
            "an unknown 種類",
            Box::new(|s| table_rows(s, "議案一覧")[0][1] = t("報告事項")),
            vec!["「議案一覧」シート B2", "報告事項", "事業報告"],
        ),
        (
            "a 議案一覧 row pointing at a missing sheet",
            Box::new(|s| table_rows(s, "議案一覧")[3][3] = t("事業計画書")),
            vec!["「議案一覧」シート D5", "「事業計画書」シートがありません", "「事業計画」"],
        ),
        (
            "a sheet no 議案 uses",
            Box::new(|s| {
                table_rows(s, "議案一覧").retain(|r| r[1] != t("役員"));
            }),
            vec!["「役員」シート", "どの議案にも使われていません"],
        ),
        (
            "a typed 大科目 amount over its 中科目 that disagrees",
            Box::new(|s| {
                let rows = table_rows(s, "収支決算");
                rows[0][2] = None;
                rows[0][3] = Some(CellData::Number(999.0));
                rows.insert(1, vec![None, None, t("正会員会費"), Some(CellData::Number(1_020_000.0)), Some(CellData::Number(996_000.0)), None]);
            }),
            vec!["「収支決算」シート D2", "大科目「会費収入」", "999 円", "1,080,000 円"],
        ),
    ];
    for (what, edit, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("議案書.xlsx");
        std::fs::write(&file, workbook(&book, edit)).unwrap();
        let (code, err, out) = agenda(&file, dir.path());
        assert_eq!(code, 2, "{what}: {err}");
        for e in expected {
            assert!(err.contains(e), "{what}: expected {e} in: {err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!out.exists(), "{what}: nothing written");
    }
}

#[test]
fn the_sample_workbook_is_what_init_makes_from_the_sample_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("議案書.xlsx");
    let json = root().join("samples/general_meeting.json");
    let o = keikaku(&["init", "agenda", "--from", json.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(root().join("samples/general_meeting.xlsx")).unwrap());
    // And reading it gives the JSON back.
    let wb = Workbook::open(&out).unwrap();
    let got = keikaku::forms::agenda::book::read(&wb).unwrap().book;
    assert_eq!(got, keikaku::forms::agenda::book::as_read_back(&sample_json()));
}

#[test]
fn thousand_yen_unit_rounds_and_says_so_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = sample_json();
    book.cover.unit = keikaku::amount::Unit::Thousand;
    let f = dir.path().join("千円.xlsx");
    std::fs::write(&f, workbook(&book, |_| {})).unwrap();
    let (code, err, pdf) = agenda(&f, dir.path());
    assert_eq!(code, 0, "{err}");
    let text = pdftotext(&pdf, &["-layout"]);
    assert!(squash(&text).contains("単位：千円。千円未満を四捨五入"), "{text}");
    // 正会員会費 予算額 1,020,000 → 1,020; 決算額 996,000 → 996; 受取利息 12 → 0.
    let lines = printed_lines(&text);
    let l = &lines.iter().find(|l| l.0 == "正会員会費").unwrap().1;
    assert_eq!(l, &["1,020", "996", "△24"]);
}

#[test]
fn blank_init_is_a_book_with_every_kind_that_renders() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("議案書.xlsx");
    let o = keikaku(&["init", "agenda", "-o", f.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let wb = Workbook::open(&f).unwrap();
    let names: Vec<&str> = wb.sheets.iter().map(|s| &*s.name).collect();
    for want in ["表紙", "議案一覧", "事業報告", "収支決算", "監査報告", "事業計画", "日程", "収支予算", "役員"] {
        assert!(names.contains(&want), "{names:?}");
    }
    let (code, err, pdf) = agenda(&f, dir.path());
    assert_eq!(code, 0, "{err}");
    let text = squash(&pdftotext(&pdf, &[]));
    assert!(text.contains("第５号議案役員の選任について") && text.contains("監事○○○○印"), "{text}");
}

#[test]
fn pages_can_be_numbered_per_motion() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = sample_json();
    book.cover.page_numbers = keikaku::forms::agenda::book::PageNumbers::PerMotion;
    let f = dir.path().join("議案ごと.xlsx");
    std::fs::write(&f, workbook(&book, |_| {})).unwrap();
    let (code, err, pdf) = agenda(&f, dir.path());
    assert_eq!(code, 0, "{err}");
    let contents = squash(&pdftotext(&pdf, &["-layout", "-f", "2", "-l", "2"]));
    // Each numbered 議案 from N-1; the 監査報告 continues the 決算's count.
    for want in ["第１号議案令和元年度事業報告", "第２号議案令和元年度収支決算報告", "第３号議案令和二年度事業計画(案)"] {
        assert!(contents.contains(want), "{contents}");
    }
    let n = |label: &str| contents.split(label).nth(1).unwrap().trim_start_matches('…').chars().take(3).collect::<String>();
    assert_eq!(n("第１号議案令和元年度事業報告"), "1-1");
    assert_eq!(n("第３号議案令和二年度事業計画(案)"), "3-1");
    assert!(n("監査報告").starts_with("2-"), "{contents}");
    // The footer of each 議案's first page says the same.
    let first_of_3 = (1..=page_count(&pdf))
        .find(|p| squash(&page_text(&pdf, *p)).starts_with("第３号議案"))
        .unwrap();
    assert!(squash(&page_text(&pdf, first_of_3)).contains("-3-1-"), "footer of 第３号議案");
    assert!(squash(&page_text(&pdf, first_of_3 + 1)).contains("-3-2-"), "its second page");
}
