//! End-to-end tests of `keikaku agenda` and `keikaku init agenda`, and of the
//! guarded workbook reader with every kind of bad input. Bad files are built
//! here, small, by the tests themselves.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::*;
use rust_xlsxwriter::{ExcelDateTime, Formula, Workbook};

/// A cell to write into a test workbook.
#[derive(Clone)]
enum C {
    S(&'static str),
    N(f64),
    D(u16, u8, u8),
    /// A date cell with a number format: a format code, or a built-in id as `#55`.
    DF(u16, u8, u8, &'static str),
    F(&'static str, &'static str),
    E,
}
use C::*;

type SheetSpec = (&'static str, Vec<Vec<C>>);

fn xlsx_bytes(sheets: &[SheetSpec]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    D(y, m, d) => {
                        let f = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
                        ws.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &f).unwrap();
                    }
                    DF(y, m, d, num) => {
                        let f = match num.strip_prefix('#') {
                            Some(id) => rust_xlsxwriter::Format::new().set_num_format_index(id.parse().unwrap()),
                            None => rust_xlsxwriter::Format::new().set_num_format(*num),
                        };
                        ws.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &f).unwrap();
                    }
                    F(formula, result) => {
                        ws.write_formula(r, c, Formula::new(*formula).set_result(*result)).unwrap();
                    }
                    E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// A small valid agenda workbook.
fn valid() -> Vec<SheetSpec> {
    vec![
        (
            "議案",
            vec![
                vec![S("項目"), S("値")],
                vec![S("議案番号"), N(3.0)],
                vec![S("団体名"), S("テスト連絡会")],
                vec![S("年度"), S("令和2年度")],
                vec![S("表題"), S("事業計画(案)")],
            ],
        ),
        (
            "本文",
            vec![
                vec![S("章"), S("種別"), S("見出し"), S("本文")],
                vec![S("はじめに"), S("段落"), E, S("一つ目の段落です。")],
                vec![S("基本方針"), S("項目"), E, S("研修を行います。")],
                vec![E, S("項目"), S("連携の強化"), S("区と話し合います。\n情報を共有します。")],
                vec![S("日程"), S("日程表"), E, E],
            ],
        ),
        ("日程", vec![vec![S("日程"), S("内容")], vec![D(2020, 6, 1), S("総会")], vec![S("令和2年7月"), S("懇談会")]]),
    ]
}

fn with_cell(mut spec: Vec<SheetSpec>, sheet: &str, row: usize, col: usize, v: C) -> Vec<SheetSpec> {
    let s = spec.iter_mut().find(|s| s.0 == sheet).unwrap();
    while s.1.len() <= row {
        s.1.push(vec![]);
    }
    while s.1[row].len() <= col {
        s.1[row].push(E);
    }
    s.1[row][col] = v;
    spec
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `keikaku agenda FILE -o DIR/out.pdf`; returns (exit code, stderr, output path).
fn agenda(file: &Path, dir: &Path) -> (i32, String, PathBuf) {
    let out = dir.join("out.pdf");
    let o = keikaku(&["agenda", file.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    (o.status.code().unwrap_or(-1), stderr(&o), out)
}

/// Asserts a refused input: exit 2, the expected phrases, no output, no panic.
fn assert_refused(bytes: &[u8], name: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), name, bytes);
    let (code, err, out) = agenda(&file, dir.path());
    assert_eq!(code, 2, "exit code for {name}: {err}");
    assert!(err.starts_with("エラー: "), "{err}");
    assert!(err.contains(name), "message names the file: {err}");
    for e in expected {
        assert!(err.contains(e), "expected 「{e}」 in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "no output for bad input");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "nothing but the input in the folder: {leftovers:?}");
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "input unchanged");
}

#[test]
fn sample_workbook_gives_the_reference_agenda_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err, out) = agenda(&root().join("samples/agenda.xlsx"), dir.path());
    assert_eq!(code, 0, "{err}");
    let text = squash(&pdftotext(&out, &[]));
    assert_in_order(&text, &reference_sentences());
    // The number and the title come from data: 3 → 第３号議案, 2020 → 令和二年度.
    let first = page_text(&out, 1);
    assert!(first.contains("第３号議案") && first.contains("令和二年度事業計画(案)"), "{first}");
    // The 日程 date cell is printed in 和暦 with full-width digits.
    assert!(text.contains("令和元年６月１日総会"), "schedule row");
}

#[test]
fn the_sample_workbook_holds_exactly_the_sample_data() {
    // samples/agenda.xlsx was written by `init agenda --from samples/agenda.json`;
    // reading it back gives the same agenda, so both samples tell one story.
    let wb = keikaku::workbook::Workbook::open(&root().join("samples/agenda.xlsx")).unwrap();
    let got = keikaku::forms::agenda::input::read(&wb).unwrap().agenda;
    let json = std::fs::read_to_string(root().join("samples/agenda.json")).unwrap();
    let want: keikaku::forms::agenda::input::Agenda = serde_json::from_str(&json).unwrap();
    assert_eq!(got, want);
}

#[test]
fn init_from_json_then_agenda_gives_the_same_pdf_as_render() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let book = d.join("議案.xlsx");
    let r = root();
    let o = keikaku(
        &["init", "agenda", "--from", r.join("samples/agenda.json").to_str().unwrap(), "-o", book.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (code, err, from_xlsx) = agenda(&book, d);
    assert_eq!(code, 0, "{err}");
    let from_json = d.join("json.pdf");
    let o = render_sample_agenda(&from_json, &[]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read(from_xlsx).unwrap(),
        std::fs::read(from_json).unwrap(),
        "xlsx and JSON give the same bytes"
    );
}

#[test]
fn blank_init_workbook_round_trips_and_carries_notes_and_a_dropdown() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let book = d.join("議案.xlsx");
    let o = keikaku(&["init", "agenda-item", "-o", book.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The example rows make a valid agenda straight away.
    let (code, err, out) = agenda(&book, d);
    assert_eq!(code, 0, "{err}");
    let text = squash(&pdftotext(&out, &[]));
    assert!(
        text.contains("第１号議案") && text.contains("○○連絡会") && text.contains("令和八年度事業計画(案)"),
        "{text}"
    );
    assert!(text.contains("令和８年６月１日") && text.contains("総会"), "{text}");
    // Notes on the headers and list validation on 種別, read from the xlsx XML.
    let bytes = std::fs::read(&book).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        all.push_str(&s);
    }
    assert!(all.contains("第何号議案かの番号"), "note on 議案番号");
    assert!(all.contains("段落: 章の本文の段落"), "note on 種別");
    assert!(all.contains(r#"type="list""#) && all.contains("段落,項目,日程表"), "dropdown on 種別");
    // init never overwrites a workbook that may hold the user's data.
    let o = keikaku(&["init", "agenda", "-o", book.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("上書きしません"), "{}", stderr(&o));
}

#[test]
fn full_width_digits_wareki_text_formulas_and_loose_headers_are_read() {
    let mut spec = valid();
    spec = with_cell(spec, "議案", 1, 1, S("３"));
    spec = with_cell(spec, "議案", 3, 1, S("令和２年"));
    spec = with_cell(spec, "議案", 4, 1, F("=\"事業\"&\"計画(案)\"", "事業計画(案)"));
    spec = with_cell(spec, "本文", 0, 0, S(" 章 "));
    spec = with_cell(spec, "本文", 0, 1, S("種\n別"));
    spec = with_cell(spec, "日程", 0, 0, S("日　　程"));
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "議案.xlsx", &xlsx_bytes(&spec));
    let (code, err, out) = agenda(&file, dir.path());
    assert_eq!(code, 0, "{err}");
    let text = squash(&pdftotext(&out, &[]));
    for want in [
        "第３号議案",
        "令和二年度事業計画(案)",
        "1．はじめに",
        "（1）研修を行います。",
        "（2）連携の強化",
        "区と話し合います。情報を共有します。",
        "日程内容",
        "令和２年６月１日総会",
        "令和２年７月懇談会",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}

/// The 日程 column of each schedule row, as handed to the template.
fn schedule_dates(file: &Path, dir: &Path) -> Vec<String> {
    let out = dir.join("out.pdf");
    let data = dir.join("data.json");
    let o = keikaku(
        &["agenda", file.to_str().unwrap(), "-o", out.to_str().unwrap(), "--emit-data", data.to_str().unwrap()],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&data).unwrap()).unwrap();
    let rows = v["sections"].as_array().unwrap().iter().flat_map(|s| s["schedule"].as_array().unwrap().clone());
    rows.map(|r| r["date"].as_str().unwrap().to_string()).collect()
}

#[test]
fn month_only_date_cells_print_year_and_month_without_an_invented_day() {
    let mut spec = valid();
    let rows = [
        DF(2025, 9, 1, "yyyy\"年\"m\"月\""),
        DF(2025, 10, 1, "[$-ja-JP]ggge\"年\"m\"月\""),
        DF(2025, 11, 1, "yyyy/m"),
        DF(2025, 12, 1, "#55"),
        DF(2026, 1, 1, "#57"),
        DF(2026, 2, 3, "[$-411]ggge\"年\"m\"月\"d\"日\""),
    ];
    for (i, c) in rows.into_iter().enumerate() {
        spec = with_cell(spec, "日程", 3 + i, 0, c);
        spec = with_cell(spec, "日程", 3 + i, 1, S("研修"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "月.xlsx", &xlsx_bytes(&spec));
    let dates = schedule_dates(&file, dir.path());
    assert_eq!(
        dates[2..],
        ["令和７年９月", "令和７年１０月", "令和７年１１月", "令和７年１２月", "令和８年１月１日", "令和８年２月３日"]
    );
}

#[test]
fn schedule_text_dates_print_like_date_cells() {
    let mut spec = valid();
    for (i, t) in ["2025-06-14", "2025/11/3", "R7.9", "令和7年9月", "毎月第２水曜日"].into_iter().enumerate()
    {
        spec = with_cell(spec, "日程", 3 + i, 0, S(t));
        spec = with_cell(spec, "日程", 3 + i, 1, S("研修"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "文字.xlsx", &xlsx_bytes(&spec));
    let dates = schedule_dates(&file, dir.path());
    assert_eq!(
        dates,
        [
            "令和２年６月１日",
            "令和２年７月",
            "令和７年６月１４日",
            "令和７年１１月３日",
            "令和７年９月",
            "令和７年９月",
            "毎月第２水曜日"
        ]
    );
}

#[test]
fn user_templates_override_and_see_unknown_columns() {
    let spec = with_cell(with_cell(valid(), "本文", 0, 4, S("備考")), "本文", 1, 4, S("理事会で確認済み"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = write(d, "議案.xlsx", &xlsx_bytes(&spec));
    let tdir = d.join("tpl");
    std::fs::create_dir(&tdir).unwrap();
    std::fs::write(
        tdir.join("agenda.hbs"),
        r#"<document><p>{{organisation}} {{fields.年度}}</p>{{#each (group_by sheets.本文 "章")}}<p>{{key}}:{{#each rows}}{{備考}}{{/each}}</p>{{/each}}</document>"#,
    )
    .unwrap();
    let out = d.join("custom.pdf");
    let o = keikaku(
        &["agenda", file.to_str().unwrap(), "-o", out.to_str().unwrap(), "--templates", tdir.to_str().unwrap()],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = squash(&pdftotext(&out, &[]));
    assert!(text.contains("テスト連絡会令和2年度"), "{text}");
    assert!(text.contains("はじめに:理事会で確認済み"), "{text}");
    assert!(text.contains("基本方針:") && text.contains("日程:"), "{text}");
}

#[test]
fn output_folder_gets_the_input_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "令和2年度議案.xlsx", &xlsx_bytes(&valid()));
    let outdir = dir.path().join("out");
    let o = keikaku(&["agenda", file.to_str().unwrap(), "-o", outdir.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(outdir.join("令和2年度議案.pdf").exists());
    // A macro-enabled workbook (.xlsm) is the same format and reads the same.
    let xlsm = write(dir.path(), "議案.xlsm", &xlsx_bytes(&valid()));
    let (code, err, out) = agenda(&xlsm, dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.exists());
}

// ---- bad inputs: each gets a clear message, exit 2, no output ----

#[test]
fn text_file_renamed_xlsx() {
    assert_refused(
        "日程,内容\n6月,総会\n".as_bytes(),
        "csv.xlsx",
        &["Excel のブックではありません", "テキストファイル", "xlsx"],
    );
}

#[test]
fn pdf_renamed_xlsx() {
    assert_refused(b"%PDF-1.7\n%\xE2\xE3\n1 0 obj", "pdf.xlsx", &["PDF ファイルです"]);
}

#[test]
fn empty_file() {
    assert_refused(b"", "empty.xlsx", &["空のファイル", "0 バイト"]);
}

#[test]
fn truncated_zip() {
    let bytes = xlsx_bytes(&valid());
    assert_refused(&bytes[..bytes.len() / 2], "truncated.xlsx", &["壊れています"]);
}

#[test]
fn corrupted_entry_data() {
    // Flip bytes in the middle of the compressed data: the CRC check catches it.
    let mut bytes = xlsx_bytes(&valid());
    let mid = bytes.len() / 3;
    for b in &mut bytes[mid..mid + 40] {
        *b ^= 0x5A;
    }
    assert_refused(&bytes, "corrupt.xlsx", &["壊れています"]);
}

#[test]
fn zip_bomb_by_ratio() {
    let bytes = bomb_zip(30 << 20);
    assert!(bytes.len() < 100_000, "the test bomb is small: {}", bytes.len());
    assert_refused(&bytes, "bomb.xlsx", &["zip 爆弾", "xl/worksheets/sheet1.xml"]);
}

#[test]
fn zip_bomb_that_lies_about_its_size() {
    // Declare 1,000 bytes in both headers for an entry that inflates to 3 MB.
    let mut bytes = bomb_zip(3 << 20);
    let name = b"xl/worksheets/sheet1.xml";
    let patch = |bytes: &mut Vec<u8>, sig: &[u8], size_at: usize, name_at: usize| {
        let mut i = 0;
        while let Some(p) = bytes[i..].windows(4).position(|w| w == sig).map(|p| p + i) {
            if bytes[p + name_at..].starts_with(name) {
                bytes[p + size_at..p + size_at + 4].copy_from_slice(&1000u32.to_le_bytes());
            }
            i = p + 4;
        }
    };
    patch(&mut bytes, b"PK\x03\x04", 22, 30);
    patch(&mut bytes, b"PK\x01\x02", 24, 46);
    assert_refused(&bytes, "liar.xlsx", &["宣言された大きさ"]);
}

#[test]
fn sparse_sheet_with_cells_at_a1_and_xfd1048576() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "A1").unwrap();
    ws.write_string(1_048_575, 16_383, "far away").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 8_000, "{}", bytes.len());
    assert_refused(&bytes, "sparse.xlsx", &["「Sheet1」シート XFD1048576 にデータがあります", "削除"]);
}

#[test]
fn sparse_ods_with_a_repeated_row() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="議案"><table:table-row><table:table-cell office:value-type="string"><text:p>項目</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    assert_refused(&ods(content), "sparse.ods", &["「議案」シート", "にデータがあります"]);
}

fn ods(content: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        z.start_file("META-INF/manifest.xml", stored).unwrap();
        z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
        z.start_file("content.xml", stored).unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn ods_workbooks_are_read() {
    let cell =
        |s: &str| format!(r#"<table:table-cell office:value-type="string"><text:p>{s}</text:p></table:table-cell>"#);
    let row = |cells: &[&str]| {
        format!("<table:table-row>{}</table:table-row>", cells.iter().map(|c| cell(c)).collect::<String>())
    };
    let date_row = r#"<table:table-row><table:table-cell office:value-type="date" office:date-value="2020-06-01"><text:p>2020/6/1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>総会</text:p></table:table-cell></table:table-row>"#;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="議案">{}{}{}{}{}</table:table>
<table:table table:name="本文">{}{}<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>
<table:table table:name="日程">{}{}</table:table>
</office:spreadsheet></office:body></office:document-content>"#,
        row(&["項目", "値"]),
        row(&["議案番号", "５"]),
        row(&["団体名", "ODS連絡会"]),
        row(&["年度", "R3"]),
        row(&["表題", "事業報告"]),
        row(&["章", "種別", "見出し", "本文"]),
        row(&["日程", "日程表"]),
        row(&["日程", "内容"]),
        date_row
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "議案.ods", &ods(&content));
    let (code, err, out) = agenda(&file, dir.path());
    assert_eq!(code, 0, "{err}");
    let text = squash(&pdftotext(&out, &[]));
    assert!(
        text.contains("第５号議案")
            && text.contains("令和三年度事業報告")
            && text.contains("令和２年６月１日")
            && text.contains("総会"),
        "{text}"
    );
}

#[test]
fn missing_sheet() {
    let spec: Vec<SheetSpec> = valid().into_iter().filter(|s| s.0 != "本文").collect();
    assert_refused(
        &xlsx_bytes(&spec),
        "nobody.xlsx",
        &["「本文」シートがありません", "あるシート: 「議案」、「日程」"],
    );
}

#[test]
fn missing_required_field() {
    let spec = with_cell(valid(), "議案", 3, 1, E);
    assert_refused(
        &xlsx_bytes(&spec),
        "noyear.xlsx",
        &["「議案」シート B4: 年度が空です。西暦か和暦で入力してください"],
    );
}

#[test]
fn year_that_is_not_a_year() {
    let spec = with_cell(valid(), "議案", 3, 1, S("来年度"));
    assert_refused(
        &xlsx_bytes(&spec),
        "badyear.xlsx",
        &["「議案」シート B4: 年度として読めません（入力: 「来年度」）"],
    );
}

#[test]
fn date_that_is_not_a_date() {
    let spec = with_cell(valid(), "日程", 2, 0, S("令和2年2月30日"));
    assert_refused(&xlsx_bytes(&spec), "baddate.xlsx", &["「日程」シート A3", "日付として正しくありません"]);
}

#[test]
fn choice_outside_the_list() {
    let spec = with_cell(valid(), "本文", 2, 1, S("箇条書き"));
    assert_refused(
        &xlsx_bytes(&spec),
        "kind.xlsx",
        &["「本文」シート B3: 種別「箇条書き」は選べる値ではありません", "「段落」「項目」「日程表」"],
    );
}

#[test]
fn missing_header() {
    let spec = with_cell(valid(), "本文", 0, 1, S("区分"));
    assert_refused(&xlsx_bytes(&spec), "header.xlsx", &["「本文」シート: 1 行目の見出し行に「種別」の列がありません"]);
}

#[test]
fn value_in_a_column_without_header_is_not_dropped() {
    let spec = with_cell(valid(), "本文", 2, 6, S("書きかけのメモ"));
    assert_refused(
        &xlsx_bytes(&spec),
        "stray.xlsx",
        &["「本文」シート G3: 見出しのない列に値「書きかけのメモ」があります"],
    );
}

#[test]
fn chapter_split_in_two_places() {
    let spec = with_cell(valid(), "本文", 4, 0, S("はじめに"));
    assert_refused(&xlsx_bytes(&spec), "split.xlsx", &["「本文」シート A5: 章「はじめに」が離れた 2 か所にあります"]);
}

#[test]
fn characters_no_font_has_are_reported_at_their_cells_all_at_once() {
    let mut spec = valid();
    spec = with_cell(spec, "議案", 2, 1, S("テスト連絡会😀"));
    spec = with_cell(spec, "本文", 1, 3, S("一つ目の段落です。🙂"));
    spec = with_cell(spec, "日程", 2, 1, S("懇談会😀"));
    assert_refused(
        &xlsx_bytes(&spec),
        "glyph.xlsx",
        &[
            "フォントにない文字が 3 か所のセルにあります",
            "glyph.xlsx 「議案」シート B3: 「😀」(U+1F600) 「テスト連絡会😀」",
            "glyph.xlsx 「本文」シート D2: 「🙂」(U+1F642)",
            "glyph.xlsx 「日程」シート B3: 「😀」(U+1F600) 「懇談会😀」",
        ],
    );
}

#[test]
fn an_excel_error_value_is_reported_once() {
    let spec = with_cell(valid(), "本文", 2, 3, F("=NA()", "#N/A"));
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "na.xlsx", &xlsx_bytes(&spec));
    let (code, err, _) = agenda(&file, dir.path());
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("#N/A").count(), 1, "{err}");
    assert!(err.contains("「本文」シート D3: 本文のセルが Excel のエラー値 #N/A です"), "{err}");
}

#[test]
fn excel_error_value() {
    let spec = with_cell(valid(), "議案", 2, 1, F("=1/0", "#DIV/0!"));
    assert_refused(&xlsx_bytes(&spec), "div0.xlsx", &["「議案」シート B3: 団体名のセルが Excel のエラー値"]);
}

/// A compound (OLE) file with the given streams.
fn cfb_file(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        let mut s = c.create_stream(name).unwrap();
        s.write_all(data).unwrap();
    }
    c.flush().unwrap();
    c.into_inner().into_inner()
}

#[test]
fn encrypted_workbook() {
    // Excel's "encrypt with password" writes an OLE file with these streams.
    let bytes = cfb_file(&[("/EncryptionInfo", b"\x04\x00\x04\x00"), ("/EncryptedPackage", &[0u8; 64])]);
    assert_refused(&bytes, "locked.xlsx", &["パスワードで暗号化されたブック", "パスワードを使用して暗号化"]);
}

/// A BIFF record.
fn rec(typ: u16, body: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend_from_slice(&(body.len() as u16).to_le_bytes());
    v.extend_from_slice(body);
    v
}

#[test]
fn encrypted_xls() {
    let mut stream = rec(0x0809, &[0; 16]);
    stream.extend(rec(0x002F, &[0; 6]));
    let bytes = cfb_file(&[("/Workbook", &stream)]);
    assert_refused(&bytes, "locked.xls", &["パスワードで暗号化されたブック"]);
}

#[test]
fn sparse_xls() {
    // Globals, then a sheet with numbers in A1 and in the last row and column of BIFF8.
    let mut stream = rec(0x0809, &[0; 16]);
    stream.extend(rec(0x000A, &[]));
    stream.extend(rec(0x0809, &[0; 16]));
    stream.extend(rec(0x0203, &[0; 14]));
    let mut number = Vec::new();
    number.extend_from_slice(&65535u16.to_le_bytes());
    number.extend_from_slice(&255u16.to_le_bytes());
    number.extend_from_slice(&[0; 10]);
    stream.extend(rec(0x0203, &number));
    stream.extend(rec(0x000A, &[]));
    let bytes = cfb_file(&[("/Workbook", &stream)]);
    assert_refused(&bytes, "sparse.xls", &["1 枚目のシート IV65536 にデータがあります"]);
}

#[test]
fn word_document_renamed_xlsx() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(b"<w:document/>").unwrap();
        z.finish().unwrap();
    }
    assert_refused(&buf.into_inner(), "letter.xlsx", &["Word の文書"]);
}

#[test]
fn missing_file_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err, _) = agenda(&dir.path().join("ない.xlsx"), dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("ない.xlsx: ファイルが見つかりません"), "{err}");
    let (code, err, _) = agenda(dir.path(), dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("フォルダーです"), "{err}");
}

// ---- crafted files found in review: each is refused before calamine allocates ----

#[test]
fn xls_dimensions_record_claiming_a_huge_sheet() {
    let mut stream = rec(0x0809, &[0; 16]);
    stream.extend(rec(0x000A, &[]));
    stream.extend(rec(0x0809, &[0; 16]));
    let mut dims = Vec::new();
    dims.extend_from_slice(&0u32.to_le_bytes());
    dims.extend_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    dims.extend_from_slice(&0x00FFu16.to_le_bytes());
    dims.extend_from_slice(&[0, 0]);
    stream.extend(rec(0x0200, &dims));
    stream.extend(rec(0x000A, &[]));
    assert_refused(&cfb_file(&[("/Workbook", &stream)]), "dims.xls", &["にデータがあります"]);
}

#[test]
fn xls_sheet_offset_into_the_middle_of_a_record() {
    let mut stream = rec(0x0809, &[0; 16]);
    let mut bound = 7u32.to_le_bytes().to_vec();
    bound.extend_from_slice(&[0, 0, 1, 0x41]);
    stream.extend(rec(0x0085, &bound));
    stream.extend(rec(0x000A, &[]));
    assert_refused(&cfb_file(&[("/Workbook", &stream)]), "offset.xls", &["壊れています", "シートの位置"]);
}

#[test]
fn xls_with_a_decoy_workbook_stream() {
    let stream = rec(0x0809, &[0; 16]);
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    c.create_storage("/A").unwrap();
    c.create_stream("/A/workbook").unwrap().write_all(&stream).unwrap();
    c.create_stream("/Workbook").unwrap().write_all(&stream).unwrap();
    c.flush().unwrap();
    assert_refused(&c.into_inner().into_inner(), "decoy.xls", &["ブックの本体が 2 個"]);
}

fn ods_sheet(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="議案">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

#[test]
fn ods_value_without_value_type_repeated() {
    let rows = r#"<table:table-row table:number-rows-repeated="6000"><table:table-cell office:value="1" table:number-columns-repeated="900"/></table:table-row>"#;
    assert_refused(&ods(&ods_sheet(rows)), "values.ods", &["「議案」シートのセルが多すぎます"]);
}

#[test]
fn ods_space_run_that_expands_to_gigabytes() {
    let rows = r#"<table:table-row><table:table-cell><text:p><text:s text:c="10000000000000"/></text:p></table:table-cell></table:table-row>"#;
    assert_refused(&ods(&ods_sheet(rows)), "spaces.ods", &["文字が多すぎます"]);
}

/// Rebuilds a zip with one entry's text changed.
fn rewrite_entry(bytes: &[u8], entry: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zout = zip::ZipWriter::new(&mut out);
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut data).unwrap();
            if name == entry {
                let edited = edit(String::from_utf8(data).unwrap());
                data = edited.into_bytes();
            }
            zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zout.write_all(&data).unwrap();
        }
        zout.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn shared_strings_claiming_an_impossible_count() {
    let bytes = rewrite_entry(&xlsx_bytes(&valid()), "xl/sharedStrings.xml", |s| {
        let at = s.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = at + s[at..].find('"').unwrap();
        format!("{}100000000000000000{}", &s[..at], &s[end..])
    });
    assert_refused(&bytes, "sst.xlsx", &["xl/sharedStrings.xml の文字列の数"]);
}

#[test]
fn formula_without_a_saved_result() {
    // Tools other than Excel (openpyxl, scripts) often save formulas without
    // their result: the cell must not silently read as empty.
    let spec = with_cell(valid(), "議案", 2, 1, F("=\"テスト\"&\"連絡会\"", "テスト連絡会"));
    let bytes = rewrite_entry(&xlsx_bytes(&spec), "xl/worksheets/sheet1.xml", |s| {
        let at = s.find("<c r=\"B3\"").unwrap();
        let v = at + s[at..].find("<v>").unwrap();
        let end = v + s[v..].find("</v>").unwrap() + "</v>".len();
        format!("{}{}", &s[..v], &s[end..])
    });
    assert_refused(&bytes, "nocache.xlsx", &["「議案」シート B3: 数式の計算結果がブックに保存されていません"]);
}

#[test]
fn schedule_without_a_place_in_the_body() {
    let spec = with_cell(valid(), "本文", 4, 1, S("段落"));
    let spec = with_cell(spec, "本文", 4, 3, S("日程は別紙のとおり。"));
    assert_refused(
        &xlsx_bytes(&spec),
        "nosched.xlsx",
        &["「日程」シート: 日程が入力されていますが", "どこにも載りません"],
    );
}

#[test]
fn rows_after_the_schedule_in_the_same_chapter() {
    let mut spec = valid();
    spec[1].1.push(vec![E, S("段落"), E, S("以上。")]);
    assert_refused(&xlsx_bytes(&spec), "after.xlsx", &["「本文」シート B6: 日程表の行より後に同じ章の段落があります"]);
}

#[test]
fn init_from_json_that_a_workbook_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("d.json");
    std::fs::write(
        &json,
        r#"{"number": 1, "organisation": "会", "fiscal_year": 2020, "title": "計画", "sections": [{"heading": "空の章"}]}"#,
    )
    .unwrap();
    let book = dir.path().join("x.xlsx");
    let o = keikaku(&["init", "agenda", "--from", json.to_str().unwrap(), "-o", book.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("議案として読めません") || stderr(&o).contains("ブックで表せません"), "{}", stderr(&o));
    assert!(!book.exists());
}
