//! An Excel error value (#N/A, #DIV/0!) in a master is reported once, at its
//! cell, and not again as the unknown centre, 事業 or 区分 that the row it
//! spoils would have defined.

use keikaku::workbook::{CellRef, Sheet, Value, Workbook};

/// The sample master at `path` with `#N/A` in one cell of one sheet.
fn with_error(path: &str, sheet: &str, cell: CellRef) -> Workbook {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut wb = Workbook::open(&root.join(path)).unwrap();
    let i = wb.sheets.iter().position(|s| &*s.name == sheet).unwrap();
    let s = &wb.sheets[i];
    let mut cells: Vec<_> = s.cells().filter(|(c, _)| *c != cell).map(|(c, v)| (c, v.clone())).collect();
    cells.push((cell, Value::Error("#N/A".into())));
    wb.sheets[i] = Sheet::new(&wb.file, &s.name, cells);
    wb
}

/// The problem lines of a master error message.
fn problems(message: &str) -> Vec<&str> {
    message.lines().filter(|l| l.starts_with("  - ")).collect()
}

#[test]
fn an_error_value_in_a_master_is_reported_once() {
    let pdca = |sheet, cell| keikaku::forms::pdca::master::read(&with_error("samples/pdca_master.xlsx", sheet, cell));
    let plan = |sheet, cell| keikaku::forms::plan::master::read(&with_error("samples/plan_master.xlsx", sheet, cell));
    let cases = [
        (
            "pdca センター A2",
            pdca("センター", CellRef::new(1, 0)).map(|_| ()),
            "「センター」シート A2: IDのセルが Excel のエラー値 #N/A です",
        ),
        (
            "pdca センター B2",
            pdca("センター", CellRef::new(1, 1)).map(|_| ()),
            "「センター」シート B2: 名称のセルが Excel のエラー値 #N/A です",
        ),
        (
            "pdca 事業 A2",
            pdca("事業", CellRef::new(1, 0)).map(|_| ()),
            "「事業」シート A2: 番号のセルが Excel のエラー値 #N/A です",
        ),
        (
            "plan センター B2",
            plan("センター", CellRef::new(1, 1)).map(|_| ()),
            "「センター」シート B2: 名称のセルが Excel のエラー値 #N/A です",
        ),
        (
            "plan 区分 A2",
            plan("区分", CellRef::new(1, 0)).map(|_| ()),
            "「区分」シート A2: 番号のセルが Excel のエラー値 #N/A です",
        ),
        (
            "plan 区分 B4",
            plan("区分", CellRef::new(3, 1)).map(|_| ()),
            "「区分」シート B4: 名称のセルが Excel のエラー値 #N/A です",
        ),
    ];
    for (case, result, want) in cases {
        let e = result.expect_err(case);
        assert_eq!(e.message.matches("#N/A").count(), 1, "{case}: {}", e.message);
        let lines = problems(&e.message);
        assert_eq!(lines.len(), 1, "{case}: one problem, not its consequences: {}", e.message);
        assert!(lines[0].contains(want), "{case}: {}", e.message);
    }
}
