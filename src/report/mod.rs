//! Printing scan results. Each format is one [`Printer`]; the scan knows nothing of them.

mod human;
mod json;

pub use human::HumanPrinter;
pub use json::JsonPrinter;

use crate::scan::ScanOutcome;
use std::io::{self, Write};

/// Version of the JSON contract (`scan --format json`). Bump only for breaking changes.
pub const JSON_VERSION: u32 = 1;

pub trait Printer {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()>;
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file, for people.
    Human,
    /// The versioned JSON contract, for tools.
    Json,
}

pub fn printer(format: Format, quiet: bool) -> Box<dyn Printer> {
    match format {
        Format::Human => Box::new(HumanPrinter { quiet }),
        Format::Json => Box::new(JsonPrinter),
    }
}
