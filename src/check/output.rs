//! Writing the gate's results: the `--format` output to stdout or `--output`, plus any extra
//! files (`--sarif`, `--junit`, `--json`) in the same run. SARIF, GitHub and JUnit reuse the
//! scan printers on the blocking findings; human and JSON add what only the gate knows
//! (allowed, suppressed, baselined, fixed, suppression problems).

use super::{CheckOutcome, Suppression};
use crate::cli::CheckArgs;
use crate::report::{
    self, escape_data, escape_property, Format, HumanPrinter, PrintContext, Printer,
};
use crate::rules::Rule;
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Version of the `check --format json` document.
const CHECK_JSON_VERSION: u32 = 1;

pub fn write_all(args: &CheckArgs, o: &CheckOutcome, rules: &[Rule]) -> anyhow::Result<()> {
    let ctx = PrintContext {
        quiet: false,
        rules,
        step_summary: PrintContext::step_summary_from_env(),
    };
    let mut targets: Vec<(Format, Option<&PathBuf>)> = vec![(args.format, args.output.as_ref())];
    targets.extend(args.sarif.as_ref().map(|p| (Format::Sarif, Some(p))));
    targets.extend(args.junit.as_ref().map(|p| (Format::Junit, Some(p))));
    targets.extend(args.json.as_ref().map(|p| (Format::Json, Some(p))));
    for (format, dest) in targets {
        let mut buf = Vec::new();
        render(format, o, &ctx, &mut buf)?;
        match dest {
            // Files never get colour, whatever `--color` says.
            Some(path) => std::fs::write(path, anstream::adapter::strip_bytes(&buf).into_vec())
                .with_context(|| format!("writing {}", path.display()))?,
            None => {
                let mut out = anstream::stdout().lock();
                out.write_all(&buf)?;
                out.flush()?;
            }
        }
    }
    for w in &o.scan.summary.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

fn render(
    format: Format,
    o: &CheckOutcome,
    ctx: &PrintContext,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        Format::Human => human(o, out)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &JsonDocument::new(o))?;
            writeln!(out)?;
        }
        Format::Github => {
            report::printer(format, ctx).print(&o.blocking_outcome(), out)?;
            github_extras(o, out)?;
        }
        Format::Sarif | Format::Junit => {
            report::printer(format, ctx).print(&o.blocking_outcome(), out)?;
        }
    }
    Ok(())
}

/// Suppression problems as workflow commands: invalid ones (and unused ones under `--strict`)
/// fail the gate, so they are errors.
fn github_extras(o: &CheckOutcome, out: &mut dyn Write) -> std::io::Result<()> {
    for i in &o.invalid {
        writeln!(
            out,
            "::error file={},line={},col={},title=invalid suppression::{}",
            escape_property(&i.path),
            i.line,
            i.column,
            escape_data(&i.message)
        )?;
    }
    let level = if o.strict { "error" } else { "warning" };
    for s in &o.unused {
        writeln!(
            out,
            "::{level} file={},line={},col={},title=unused suppression::{}",
            escape_property(&s.path),
            s.line,
            s.column,
            escape_data(&format!(
                "suppression of {} matches no finding",
                s.targets.join(", ")
            ))
        )?;
    }
    writeln!(out, "{}", verdict_line(o))
}

fn human(o: &CheckOutcome, out: &mut dyn Write) -> std::io::Result<()> {
    HumanPrinter { quiet: true }.print(&o.blocking_outcome(), out)?;
    if !o.blocking.is_empty() {
        writeln!(out)?;
    }
    if !o.invalid.is_empty() {
        writeln!(out, "Invalid suppressions (they fail the gate):")?;
        for i in &o.invalid {
            writeln!(out, "  {}:{}:{}: {}", i.path, i.line, i.column, i.message)?;
        }
        writeln!(out)?;
    }
    if !o.unused.is_empty() {
        let fails = if o.strict {
            " (they fail the gate under --strict)"
        } else {
            ""
        };
        writeln!(out, "Unused suppressions{fails}:")?;
        for s in &o.unused {
            writeln!(out, "  {}", describe_suppression(s))?;
        }
        writeln!(out)?;
    }
    if !o.fixed.is_empty() {
        writeln!(
            out,
            "Fixed since the baseline (ratchet with --update-baseline):"
        )?;
        for e in &o.fixed {
            let place = e.function.as_deref().unwrap_or("top level");
            writeln!(out, "  {}  {}  in {place}  | {}", e.path, e.rule, e.snippet)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", verdict_line(o))?;
    let policy = match &o.policy_source {
        Some(p) => p.display().to_string(),
        None => "default (no makepay-migrate.yaml)".into(),
    };
    let cutover = if o.cutover_complete {
        "complete"
    } else {
        "not complete"
    };
    writeln!(out, "Policy: {policy}; cutover {cutover}.")
}

fn describe_suppression(s: &Suppression) -> String {
    format!(
        "{}:{}:{}: allow {} -- {}",
        s.path,
        s.line,
        s.column,
        s.targets.join(", "),
        s.reason
    )
}

/// One line: the verdict with counts of everything that did not block.
fn verdict_line(o: &CheckOutcome) -> String {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &o.allowed {
        *reasons.entry(a.reason.describe()).or_default() += 1;
    }
    let mut parts: Vec<String> = reasons
        .iter()
        .map(|(r, n)| format!("{n} allowed: {r}"))
        .collect();
    parts.push(format!("{} suppressed", o.suppressed.len()));
    parts.push(format!("{} in baseline", o.baselined.len()));
    if !o.fixed.is_empty() {
        parts.push(format!("{} fixed", o.fixed.len()));
    }
    let head = if o.passed() {
        "makepay-migrate check passed".to_string()
    } else {
        let mut why = vec![format!(
            "{} blocking finding{}",
            o.blocking.len(),
            plural(o.blocking.len())
        )];
        if !o.invalid.is_empty() {
            why.push(format!(
                "{} invalid suppression{}",
                o.invalid.len(),
                plural(o.invalid.len())
            ));
        }
        if o.strict && !o.unused.is_empty() {
            why.push(format!(
                "{} unused suppression{}",
                o.unused.len(),
                plural(o.unused.len())
            ));
        }
        format!("makepay-migrate check FAILED: {}", why.join(", "))
    };
    format!("{head} ({})", parts.join("; "))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `check --format json`: the verdict and every finding, sorted into what it counted as.
#[derive(Serialize)]
struct JsonDocument<'a> {
    version: u32,
    passed: bool,
    root: &'a str,
    policy: Option<String>,
    cutover_complete: bool,
    strict: bool,
    blocking: &'a [crate::finding::Finding],
    allowed: &'a [super::Allowed],
    suppressed: &'a [super::Suppressed],
    baselined: &'a [crate::finding::Finding],
    fixed: &'a [super::baseline::Entry],
    unused_suppressions: &'a [Suppression],
    invalid_suppressions: &'a [super::Invalid],
    summary: &'a crate::scan::Summary,
}

/// The `check --format json` document as a value, for callers that embed it (the MCP server).
pub fn json_document(o: &CheckOutcome) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(JsonDocument::new(o))
}

impl<'a> JsonDocument<'a> {
    fn new(o: &'a CheckOutcome) -> Self {
        JsonDocument {
            version: CHECK_JSON_VERSION,
            passed: o.passed(),
            root: &o.scan.root,
            policy: o.policy_source.as_ref().map(|p| p.display().to_string()),
            cutover_complete: o.cutover_complete,
            strict: o.strict,
            blocking: &o.blocking,
            allowed: &o.allowed,
            suppressed: &o.suppressed,
            baselined: &o.baselined,
            fixed: &o.fixed,
            unused_suppressions: &o.unused,
            invalid_suppressions: &o.invalid,
            summary: &o.scan.summary,
        }
    }
}
