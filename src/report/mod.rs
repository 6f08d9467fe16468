//! Printing scan results. Each format is one [`Printer`]; the scan knows nothing of them.
//! `check` reuses the same printers for the findings that fail its gate.

mod github;
mod human;
mod json;
mod junit;
mod sarif;

pub use github::{escape_data, escape_property, GithubPrinter, MAX_ANNOTATIONS};
pub use human::HumanPrinter;
pub use json::JsonPrinter;
pub use junit::{clean as xml_text, write_document as write_junit, JunitPrinter};
pub use sarif::SarifPrinter;

use crate::rules::Rule;
use crate::scan::ScanOutcome;
use std::io::{self, Write};
use std::path::PathBuf;

/// Version of the JSON contract (`scan --format json`). Bump only for breaking changes.
pub const JSON_VERSION: u32 = 1;

pub trait Printer {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()>;
}

/// Output formats of `scan` and `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by file, for people.
    Human,
    /// The versioned JSON contract, for tools.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`), shown as annotations.
    Github,
    /// JUnit XML, one test case per finding, for CI test reports.
    Junit,
}

/// What printers may need besides the findings.
pub struct PrintContext<'a> {
    /// Findings only: no summary.
    pub quiet: bool,
    /// The rules that ran, for SARIF's rule descriptions.
    pub rules: &'a [Rule],
    /// `$GITHUB_STEP_SUMMARY`: where annotations beyond GitHub's limit go.
    pub step_summary: Option<PathBuf>,
}

impl PrintContext<'_> {
    /// Reads `$GITHUB_STEP_SUMMARY` from the environment (set by GitHub Actions).
    pub fn step_summary_from_env() -> Option<PathBuf> {
        std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

pub fn printer<'a>(format: Format, ctx: &PrintContext<'a>) -> Box<dyn Printer + 'a> {
    match format {
        Format::Human => Box::new(HumanPrinter { quiet: ctx.quiet }),
        Format::Json => Box::new(JsonPrinter),
        Format::Sarif => Box::new(SarifPrinter { rules: ctx.rules }),
        Format::Github => Box::new(GithubPrinter {
            step_summary: ctx.step_summary.clone(),
        }),
        Format::Junit => Box::new(JunitPrinter),
    }
}
