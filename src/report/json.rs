//! The JSON contract: `{"version", "root", "findings", "summary"}`, see DESIGN.md.

use super::{Printer, JSON_VERSION};
use crate::scan::ScanOutcome;
use serde::Serialize;
use std::io::{self, Write};

pub struct JsonPrinter;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    #[serde(flatten)]
    outcome: &'a ScanOutcome,
}

impl Printer for JsonPrinter {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()> {
        let doc = Document {
            version: JSON_VERSION,
            outcome,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
