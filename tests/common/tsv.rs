//! The hand-written expectation tables of the tests (`tests/expected`, `tests/realcorpus`,
//! `tests/mentions`): tab-separated, one header line, then rows of a fixed width.

use std::path::Path;

/// The rows of `file` after its header, each split into exactly `columns` cells; a row of any
/// other width fails the test with its file and text.
pub fn rows(file: &Path, columns: usize) -> Vec<Vec<String>> {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<String> = l.split('\t').map(str::to_string).collect();
            assert_eq!(cells.len(), columns, "{}: bad row {l:?}", file.display());
            cells
        })
        .collect()
}

/// A row's line number, or a failure naming the file and row.
pub fn line(file: &Path, cell: &str) -> usize {
    cell.parse()
        .unwrap_or_else(|_| panic!("{}: bad line number {cell:?}", file.display()))
}
