//! A printed form sheet laid out on a cell grid, described once.
//!
//! A [`Grid`] says where every cell of a form sheet is, what it shows, how
//! it looks and which cells are inputs, with the defined name of each
//! input. The xlsx writer ([`crate::xlsx::write_grids`]) turns it into a
//! protected worksheet; the collector reads the returned workbook through
//! the same grid (by defined name, checked against the expected cell), so
//! the two never disagree about coordinates.
//!
//! Row heights are computed here from the text, because Excel does not fit
//! the height of merged cells to their content.

use crate::workbook::CellRef;

/// The font size of form cells, in points.
pub const FONT_SIZE: f64 = 10.0;
/// The font size of the title line, in points.
pub const TITLE_FONT_SIZE: f64 = 13.0;
/// Excel's tallest row, in points.
pub const MAX_ROW_HEIGHT: f64 = 409.0;
/// The height of a row with one line of text.
pub const LINE_ROW_HEIGHT: f64 = 18.0;

/// The longest prefix of `s` that is at most `max` UTF-16 units, the way
/// Excel counts the length of sheet names, titles and messages (a character
/// outside the basic plane, such as 𠮷, counts two).
pub fn utf16_prefix(s: &str, max: usize) -> String {
    let mut units = 0;
    s.chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect()
}

/// Sheet names from titles, in order: at most 31 UTF-16 units (Excel's
/// limit), without the characters Excel forbids (`[]:*?/\'`) or control
/// characters, unique (case-insensitively, as Excel compares them; a later
/// duplicate gets `(2)`, `(3)`, …).
pub fn sheet_names(titles: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for title in titles {
        let base: String =
            title.chars().map(|c| if "[]:*?/\\'".contains(c) || c.is_control() { '_' } else { c }).collect();
        let base = base.trim();
        let mut name = utf16_prefix(base, 31);
        let mut n = 2;
        while names.iter().any(|x| x.to_lowercase() == name.to_lowercase()) {
            let suffix = format!("({n})");
            name = utf16_prefix(base, 31 - suffix.len()) + &suffix;
            n += 1;
        }
        names.push(name);
    }
    names
}

/// What kind of value an input cell takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A short value (a 結果 such as 24地区).
    Short,
    /// Sentences (DO, CHECK, ACTION): wrapped.
    LongText,
    /// One line of text taken as written (記入者): no number reading.
    Text,
    /// One of fixed choices (a dropdown that refuses other values).
    Choice(&'static [&'static str]),
    /// A date (記入日), shown as 和暦.
    Date,
}

/// An input cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The workbook-level defined name that points at the cell.
    pub name: String,
    /// What the centre writes there, for messages and the dropdown prompt:
    /// 「結果（R6）: 地区ケア会議…」.
    pub label: String,
    /// The kind of value.
    pub kind: InputKind,
    /// Whether the collector asks for it to be filled.
    pub required: bool,
}

/// How a cell looks (and whether it is locked).
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// The sheet title line.
    Title,
    /// A block label in the left column (PLAN, DO, CHECK, ACTION).
    Block,
    /// A row label (現状と課題, 計画, 結果).
    Label,
    /// A column header (R5, 取組み内容).
    Header,
    /// Distributed content: locked, wrapped text from the top left.
    Plan,
    /// A short distributed value in its own cell (a 計画 value such as
    /// 30地区): locked, centred.
    Value,
    /// A cell that is not to be filled yet (a future year): locked, grey.
    Closed,
    /// An input: unlocked, shaded, named.
    Input(Input),
}

/// What a cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Nothing.
    Empty,
    /// Text (line breaks kept).
    Text(String),
    /// A number.
    Number(f64),
}

/// One cell or merged range.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// Zero-based top row.
    pub row: u32,
    /// Zero-based left column.
    pub col: u32,
    /// Rows covered (1 = not merged down).
    pub rows: u32,
    /// Columns covered.
    pub cols: u32,
    /// Content.
    pub content: Content,
    /// Look and locking.
    pub role: Role,
}

impl GridCell {
    /// The top-left cell, which holds the value of a merged range.
    pub fn at(&self) -> CellRef {
        CellRef::new(self.row, self.col)
    }
}

/// A whole form sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The sheet name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: String,
    /// Column widths in Excel character units.
    pub columns: Vec<f64>,
    /// Row heights in points, one per row.
    pub rows: Vec<f64>,
    /// The cells, top to bottom.
    pub cells: Vec<GridCell>,
    /// Rows repeated at the top of every printed page (first, last).
    pub title_rows: (u32, u32),
    /// The fiscal year the sheet is filled in, when it has one: date inputs
    /// then prompt with an example date inside that year
    /// ([`crate::wareki::example_date`]).
    pub fiscal_year: Option<i32>,
}

impl Grid {
    /// The input cells, in order.
    pub fn inputs(&self) -> impl Iterator<Item = (&GridCell, &Input)> {
        self.cells.iter().filter_map(|c| match &c.role {
            Role::Input(i) => Some((c, i)),
            _ => None,
        })
    }

    /// The width in character units of columns `col..col + cols`.
    pub fn width(&self, col: u32, cols: u32) -> f64 {
        self.columns.iter().skip(col as usize).take(cols as usize).sum()
    }
}

/// Builds a grid row by row.
#[derive(Debug)]
pub struct GridBuilder {
    grid: Grid,
}

impl GridBuilder {
    /// A grid with these column widths.
    pub fn new(sheet: impl Into<String>, columns: Vec<f64>) -> GridBuilder {
        GridBuilder {
            grid: Grid {
                sheet: sheet.into(),
                columns,
                rows: vec![],
                cells: vec![],
                title_rows: (0, 0),
                fiscal_year: None,
            },
        }
    }

    /// The next free row.
    pub fn next_row(&self) -> u32 {
        self.grid.rows.len() as u32
    }

    /// Appends rows of these heights; returns the first new row.
    pub fn rows(&mut self, heights: &[f64]) -> u32 {
        let first = self.next_row();
        self.grid.rows.extend_from_slice(heights);
        first
    }

    /// Places a cell.
    pub fn cell(&mut self, row: u32, col: u32, rows: u32, cols: u32, content: Content, role: Role) {
        self.grid.cells.push(GridCell { row, col, rows, cols, content, role });
    }

    /// The width of columns `col..col + cols`.
    pub fn width(&self, col: u32, cols: u32) -> f64 {
        self.grid.width(col, cols)
    }

    /// Sets the fiscal year the sheet is filled in ([`Grid::fiscal_year`]).
    pub fn fiscal_year(&mut self, fy: i32) {
        self.grid.fiscal_year = Some(fy);
    }

    /// Sets the printed title rows.
    pub fn title_rows(&mut self, first: u32, last: u32) {
        self.grid.title_rows = (first, last);
    }

    /// The finished grid, cells sorted top to bottom, left to right, with
    /// every row made tall enough for the text of every cell in it (labels
    /// and short values wrap too; a merged cell's missing height is shared
    /// by the rows it spans, each at most [`MAX_ROW_HEIGHT`]).
    pub fn finish(mut self) -> Grid {
        self.grid.cells.sort_by_key(|c| (c.row, c.col));
        // Single-row cells first, so a merged cell sees its rows' final heights.
        let mut order: Vec<usize> = (0..self.grid.cells.len()).collect();
        order.sort_by_key(|&i| self.grid.cells[i].rows);
        for i in order {
            let cell = &self.grid.cells[i];
            let Content::Text(text) = &cell.content else { continue };
            let size = if cell.role == Role::Title { TITLE_FONT_SIZE } else { FONT_SIZE };
            let width = self.grid.width(cell.col, cell.cols);
            let needed = lines_height_at(line_count_at(text, width, size), size);
            let span = cell.row as usize..(cell.row + cell.rows) as usize;
            let have: f64 = self.grid.rows[span.clone()].iter().sum();
            if needed > have {
                let extra = ((needed - have) / span.len() as f64).ceil();
                for h in &mut self.grid.rows[span] {
                    *h = (*h + extra).min(MAX_ROW_HEIGHT);
                }
            }
        }
        self.grid
    }
}

/// The width of a character in Excel column units at `size` points: at
/// 10 pt a full-width character is about 1.9 units (13.3 px against the
/// 7 px unit of the workbook's default font), a half-width one half that.
fn char_units(c: char, size: f64) -> f64 {
    let full = size * 96.0 / 72.0 / 7.0;
    if crate::japanese::is_full_width(c) {
        full
    } else {
        full / 2.0
    }
}

fn line_count_at(text: &str, width: f64, size: f64) -> usize {
    // Cell padding and a margin for fonts wider than the estimate.
    let avail = ((width - 1.0) * 0.92).max(1.0);
    text.split('\n')
        .map(|para| {
            let w: f64 = para.chars().map(|c| char_units(c, size)).sum();
            (w / avail).ceil().max(1.0) as usize
        })
        .sum()
}

fn lines_height_at(lines: usize, size: f64) -> f64 {
    lines as f64 * size * 1.7 + 5.0
}

/// How many lines `text` takes in a wrapped cell `width` units wide, at
/// [`FONT_SIZE`].
pub fn line_count(text: &str, width: f64) -> usize {
    line_count_at(text, width, FONT_SIZE)
}

/// The height in points of `lines` lines of text at [`FONT_SIZE`].
pub fn lines_height(lines: usize) -> f64 {
    lines_height_at(lines, FONT_SIZE)
}

/// Row heights for a cell of wrapped `text` in `width` units with at least
/// `min_lines` lines: one row, or several rows of at most
/// [`MAX_ROW_HEIGHT`] when the text is taller than Excel allows a row to be.
pub fn text_rows(text: &str, width: f64, min_lines: usize) -> Vec<f64> {
    let total = lines_height(line_count(text, width).max(min_lines));
    let n = (total / MAX_ROW_HEIGHT).ceil().max(1.0);
    vec![(total / n).ceil(); n as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_grow_with_text_and_breaks() {
        assert_eq!(line_count("", 40.0), 1);
        assert_eq!(line_count("あ", 40.0), 1);
        let width = 40.0;
        let per_line = ((width - 1.0) * 0.92 / char_units('あ', FONT_SIZE)).floor() as usize;
        assert_eq!(line_count(&"あ".repeat(per_line), width), 1);
        assert_eq!(line_count(&"あ".repeat(per_line + 1), width), 2);
        assert_eq!(line_count("a\nb\n\nc", width), 4, "every line break starts a line, empty ones too");
        assert_eq!(line_count(&"a".repeat(per_line * 2), width), 1, "half-width characters are half as wide");
    }

    #[test]
    fn utf16_prefixes() {
        assert_eq!(utf16_prefix("あいう", 2), "あい");
        assert_eq!(utf16_prefix("𠮷野家", 2), "𠮷");
        assert_eq!(utf16_prefix("a𠮷", 2), "a", "a surrogate pair is never split");
    }

    #[test]
    fn tall_text_is_split_over_rows_excel_can_hold() {
        let rows = text_rows(&"あ".repeat(20_000), 60.0, 1);
        assert!(rows.len() > 1);
        assert!(rows.iter().all(|h| *h <= MAX_ROW_HEIGHT));
        let lines = line_count(&"あ".repeat(20_000), 60.0);
        assert!(rows.iter().sum::<f64>() >= lines_height(lines));
        assert_eq!(text_rows("短い", 60.0, 3), vec![lines_height(3)]);
    }
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn finish_makes_rows_tall_enough_for_labels_values_and_merged_cells() {
        let mut g = GridBuilder::new("s", vec![6.0, 6.0]);
        let r = g.rows(&[LINE_ROW_HEIGHT, LINE_ROW_HEIGHT, LINE_ROW_HEIGHT]);
        // A long label in a narrow single cell.
        g.cell(r, 0, 1, 1, Content::Text("今後の方向性（継続・見直し・終了）".into()), Role::Label);
        // A merged cell over two rows whose text needs more than both.
        g.cell(r + 1, 0, 2, 1, Content::Text("あ".repeat(60)), Role::Plan);
        g.cell(r, 1, 1, 1, Content::Empty, Role::Closed);
        let grid = g.finish();
        let need = |t: &str, w: f64| lines_height(line_count(t, w));
        assert!(grid.rows[0] >= need("今後の方向性（継続・見直し・終了）", 6.0));
        assert!(grid.rows[1] + grid.rows[2] >= need(&"あ".repeat(60), 6.0));
        assert!(grid.rows[1] > LINE_ROW_HEIGHT && grid.rows[2] > LINE_ROW_HEIGHT, "the missing height is shared");
        assert!(grid.rows.iter().all(|h| *h <= MAX_ROW_HEIGHT));
    }
}
