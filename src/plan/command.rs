//! The `plan` subcommand: scan, build the plan, print it. A plan is a report, not a gate, so it
//! exits 0 whether or not anything was found.

use crate::cli::PlanArgs;
use crate::load_rule_set;
use crate::scan::{scan, ScanOptions};
use crate::walk::WalkOptions;
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

/// Output formats of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// Checklists and tables for people (paste it into a PR description).
    Markdown,
    /// The versioned plan document (docs/plan.schema.json), for tools and agents.
    Json,
}

/// Scans `path` with `rules` (all confidences, warnings to stderr) and builds its plan: the one
/// way `plan` and `brief` turn a repository into a [`Plan`](super::Plan).
pub fn scan_and_build(
    rules: &crate::rules::RuleSet,
    path: &std::path::Path,
    walk: WalkOptions,
) -> anyhow::Result<super::Plan> {
    let opts = ScanOptions {
        paths: vec![path.to_path_buf()],
        walk: walk.clone(),
        min_confidence: crate::finding::Confidence::Low,
        progress: true,
        // The removal step lists every name the provider leaves behind.
        mentions: true,
    };
    let outcome = scan(rules, &opts)?;
    for w in &outcome.summary.warnings {
        eprintln!("warning: {w}");
    }
    Ok(super::build(&outcome, path, &walk))
}

/// Runs `makepay-migrate plan`.
pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let rules = load_rule_set(&args.rule_args.rules, args.rule_args.provider)?;
    let walk = WalkOptions {
        include: args.filter.include,
        exclude: args.filter.exclude,
        ..WalkOptions::default()
    };
    let plan = scan_and_build(&rules, &args.path, walk)?;
    let mut rendered: Vec<u8> = Vec::new();
    match args.format {
        PlanFormat::Markdown => super::render_markdown(&plan, &mut rendered)?,
        PlanFormat::Json => super::render_json(&plan, &mut rendered)?,
    }
    match &args.output {
        Some(path) => std::fs::write(path, &rendered)
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&rendered).context("writing the plan")?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
