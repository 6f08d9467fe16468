//! The human format: findings grouped by file, each with its MakePay replacement and enclosing
//! function, then a summary. Styles are always written; the stream strips them when colour is
//! off (not a terminal, `NO_COLOR`, `--color never`).

use super::Printer;
use crate::finding::{Finding, Severity};
use crate::scan::ScanOutcome;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

pub struct HumanPrinter {
    /// Findings only: no summary.
    pub quiet: bool,
}

const PATH: Style = Style::new().bold().underline();
const DIM: Style = Style::new().dimmed();
const RULE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Blue,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

impl Printer for HumanPrinter {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()> {
        let mut current: Option<&str> = None;
        for f in &outcome.findings {
            if current != Some(&f.path) {
                if current.is_some() {
                    writeln!(out)?;
                }
                writeln!(out, "{PATH}{}{PATH:#}", f.path)?;
                current = Some(&f.path);
            }
            write_finding(out, f)?;
        }
        if !self.quiet {
            if !outcome.findings.is_empty() {
                writeln!(out)?;
            }
            write_summary(out, outcome)?;
        }
        Ok(())
    }
}

fn write_finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    let pos = format!("{}:{}", f.line, f.column);
    let sev = severity_style(f.severity);
    writeln!(
        out,
        "  {pos:>7}  {sev}{:<7}{sev:#}  {RULE}{}{RULE:#}  {}",
        f.severity.id(),
        f.rule,
        f.message
    )?;
    let indent = " ".repeat(18);
    let place = match &f.function {
        Some(name) => format!("in {name}"),
        None => "at top level".to_string(),
    };
    writeln!(
        out,
        "{indent}{DIM}{place} · {} · {} · {} confidence{DIM:#}",
        f.provider, f.category, f.confidence
    )?;
    writeln!(out, "{indent}{DIM}|{DIM:#} {}", f.snippet)?;
    for step in &f.via {
        writeln!(
            out,
            "{indent}{DIM}via {} ({}:{}){DIM:#}",
            step.what, step.path, step.line
        )?;
    }
    writeln!(out, "{indent}→ MakePay: {}", f.replacement)
}

fn write_summary(out: &mut dyn Write, o: &ScanOutcome) -> io::Result<()> {
    let s = &o.summary;
    let files = {
        let mut paths: Vec<&str> = o.findings.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        paths.len()
    };
    if o.findings.is_empty() {
        writeln!(out, "No OxaPay or Cryptomus touchpoints found.")?;
    } else {
        let severities: Vec<String> = s
            .by_severity
            .iter()
            .rev()
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        writeln!(
            out,
            "{} in {} ({})",
            plural(o.findings.len(), "finding"),
            plural(files, "file"),
            severities.join(", ")
        )?;
        for (provider, n) in &s.by_provider {
            let cats: Vec<String> = o
                .findings
                .iter()
                .filter(|f| f.provider == *provider)
                .fold(std::collections::BTreeMap::new(), |mut m, f| {
                    *m.entry(f.category).or_insert(0) += 1;
                    m
                })
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            writeln!(out, "  {provider}: {n} ({})", cats.join(", "))?;
        }
    }
    let sk = &s.skipped;
    // Most trees are all UTF-8: the decoded count is news only when it is not zero.
    let decoded = match s.decoded {
        0 => String::new(),
        n => format!(", {n} decoded from another encoding"),
    };
    writeln!(
        out,
        "Scanned {} ({} matched{decoded}); skipped {} binary, {} too large, {} unreadable.",
        plural(s.files_scanned, "file"),
        s.files_matched,
        sk.binary,
        sk.too_large,
        sk.unreadable
    )?;
    let m = &s.mentions;
    if m.names + m.messages > 0 {
        writeln!(
            out,
            "Provider-name mentions that ask for no change: {} (listed with --mentions), {} at info.",
            plural(m.names, "repository-own name"),
            plural(m.messages, "message"),
        )?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
