//! The floor a workbook reader is measured against: calamine alone opening
//! every `.xlsx` of a folder and visiting every cell of every sheet, the
//! files spread over all cores (rayon), nothing checked and nothing kept.
//!
//! A bench runs it as a process of its own (the bench binary runs itself
//! with [`FLAG`]), so that it pays what keikaku pays around the read
//! (process start, listing the folder, reading the files) and the ratio of
//! the two comes out of one run.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use rayon::prelude::*;

/// The argument that makes a bench binary run the floor on the folder after it.
pub const FLAG: &str = "--calamine-floor";

/// Runs the floor when the process was started with `FLAG DIR`, printing
/// what it visited, and returns true (the caller exits); false otherwise.
pub fn run_if_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let Some(i) = args.iter().position(|a| a == FLAG) else { return false };
    let Some(dir) = args.get(i + 1) else {
        eprintln!("{FLAG}: no folder");
        std::process::exit(2)
    };
    let (files, cells, bytes) = read_folder(Path::new(dir));
    eprintln!("calamine floor: {files} files, {cells} cells, {bytes} bytes of text");
    true
}

/// Every `.xlsx` in `dir`, opened with calamine, every worksheet read as a
/// range and every used cell visited: (files, cells, bytes of text).
pub fn read_folder(dir: &Path) -> (usize, usize, usize) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    paths.sort();
    let per_file: Vec<(usize, usize)> = paths
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let names = wb.sheet_names();
            let (mut cells, mut text) = (wb.defined_names().len(), 0);
            for name in names {
                let range = wb.worksheet_range(&name).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                for (_, _, v) in range.used_cells() {
                    cells += 1;
                    if let Data::String(s) = v {
                        text += s.len();
                    }
                }
            }
            (cells, text)
        })
        .collect();
    let cells = per_file.iter().map(|c| c.0).sum();
    let text = per_file.iter().map(|c| c.1).sum();
    (paths.len(), cells, text)
}
