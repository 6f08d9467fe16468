//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which
//! GitHub turns into annotations on the pull request's diff.
//!
//! GitHub shows at most ten annotations of a kind per step and drops the rest silently, so when
//! `$GITHUB_STEP_SUMMARY` is available the first ten are annotated and the rest are listed in the
//! job summary instead of being lost.

use super::Printer;
use crate::finding::{Finding, Severity};
use crate::scan::ScanOutcome;
use std::io::{self, Write};
use std::path::PathBuf;

/// Annotations GitHub shows per step.
pub const MAX_ANNOTATIONS: usize = 10;

pub struct GithubPrinter {
    /// `$GITHUB_STEP_SUMMARY`; without it every finding is annotated.
    pub step_summary: Option<PathBuf>,
}

impl Printer for GithubPrinter {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()> {
        let findings = &outcome.findings;
        let shown = match &self.step_summary {
            Some(_) => findings.len().min(MAX_ANNOTATIONS),
            None => findings.len(),
        };
        for f in &findings[..shown] {
            writeln!(out, "{}", annotation(f))?;
        }
        let rest = &findings[shown..];
        if let (Some(path), false) = (&self.step_summary, rest.is_empty()) {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            write_summary_table(&mut file, rest)?;
            writeln!(
                out,
                "{} more finding{} listed in the job summary (GitHub shows {MAX_ANNOTATIONS} annotations per step).",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// The workflow command for one finding.
fn annotation(f: &Finding) -> String {
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&f.path),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        escape_property(&f.rule),
        escape_data(&format!("{} → MakePay: {}", f.message, f.replacement)),
    )
}

/// Markdown table of findings that did not fit in annotations.
fn write_summary_table(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    writeln!(
        out,
        "### makepay-migrate: findings beyond the annotation limit\n"
    )?;
    writeln!(out, "| Location | Rule | Message |")?;
    writeln!(out, "| --- | --- | --- |")?;
    for f in findings {
        writeln!(
            out,
            "| `{}:{}:{}` | `{}` | {} |",
            f.path,
            f.line,
            f.column,
            f.rule,
            f.message.replace('|', "\\|").replace('\n', " ")
        )?;
    }
    writeln!(out)
}

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: the message escapes plus `:` and `,`, which
/// would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Summary;

    fn finding(i: usize) -> Finding {
        Finding {
            path: format!("src/a,b:{i}.php"),
            line: i,
            column: 3,
            end_line: i,
            end_column: 9,
            rule: "oxapay-api-host".into(),
            message: "100% legacy\r\nhost: here, there".into(),
            replacement: "MakePay".into(),
            ..Finding::sample()
        }
    }

    fn outcome(n: usize) -> ScanOutcome {
        ScanOutcome {
            root: ".".into(),
            findings: (1..=n).map(finding).collect(),
            summary: Summary::default(),
        }
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad:e,f");
        assert_eq!(escape_property("a%b\rc\nd:e,f"), "a%25b%0Dc%0Ad%3Ae%2Cf");
        assert_eq!(
            annotation(&finding(7)),
            "::error file=src/a%2Cb%3A7.php,line=7,col=3,endLine=7,endColumn=9,\
             title=oxapay-api-host::100%25 legacy%0D%0Ahost: here, there → MakePay: MakePay"
        );
    }

    #[test]
    fn overflow_goes_to_the_step_summary() {
        let dir = tempfile::tempdir().unwrap();
        let summary = dir.path().join("summary.md");
        std::fs::write(&summary, "earlier step\n").unwrap();
        let p = GithubPrinter {
            step_summary: Some(summary.clone()),
        };
        let mut out = Vec::new();
        p.print(&outcome(12), &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 10);
        assert!(out.contains("2 more findings listed in the job summary"));
        let md = std::fs::read_to_string(&summary).unwrap();
        assert!(md.starts_with("earlier step\n"), "appends, never truncates");
        assert!(md.contains("| `src/a,b:11.php:11:3` |") && md.contains(":12.php:12:3"));
        assert!(!md.contains(":10.php"));
    }

    #[test]
    fn without_a_step_summary_everything_is_annotated() {
        let mut out = Vec::new();
        GithubPrinter { step_summary: None }
            .print(&outcome(12), &mut out)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 12);
    }
}
