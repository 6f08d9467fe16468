//! The `apply` command: plan, then print the diffs (dry run), write a patch file, or write the
//! files. Results (diffs) go to stdout; the summary and every skipped change go to stderr.

use super::git::{tree_state, TreeState};
use super::write::{write_change, WriteOutcome};
use super::{diff, patch, plan, ApplyOptions, Plan};
use crate::cli::ApplyArgs;
use crate::load_rule_set;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let rules = load_rule_set(&args.rule_args.rules, args.rule_args.provider)?;
    let opts = ApplyOptions {
        root: args.path.clone(),
        only: args.only.clone(),
        scaffold_dir: args.scaffold_dir.clone(),
        lang: args.lang,
        templates: args.templates.clone(),
    };
    let plan = plan(&rules, &opts)?;
    if args.write {
        check_tree(&args.path, args.allow_dirty)?;
    }
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    if let Some(out) = &args.patch_out {
        let (text, left_out) = patch(&plan);
        for note in &left_out {
            eprintln!("note: {note}");
        }
        std::fs::write(out, text).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        eprintln!("wrote patch: {}", out.display());
    } else if !args.write {
        match print_diffs(&plan) {
            // `apply | head` closing the pipe early is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
            other => other?,
        }
    }
    if args.write {
        write_all(&args, &plan)?;
    } else {
        summary(&plan, "would change");
        if !plan.changes.is_empty() && args.patch_out.is_none() {
            eprintln!("dry run: nothing written; pass --write to apply or --patch-out FILE");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses to write into a tree with uncommitted changes (or outside git) unless
/// `allow_dirty`: the user must be able to review and revert what `apply` writes.
pub fn check_tree(root: &std::path::Path, allow_dirty: bool) -> anyhow::Result<()> {
    if allow_dirty {
        return Ok(());
    }
    match tree_state(root) {
        TreeState::Clean => Ok(()),
        TreeState::Dirty(lines) => {
            let shown: Vec<&str> = lines.iter().take(10).map(String::as_str).collect();
            anyhow::bail!(
                "the working tree has uncommitted changes; commit or stash them, or pass \
                 --allow-dirty:\n{}{}",
                shown.join("\n"),
                if lines.len() > shown.len() {
                    "\n..."
                } else {
                    ""
                }
            )
        }
        TreeState::NoRepo => anyhow::bail!(
            "{} is not inside a git work tree, so the changes could not be reviewed or \
             reverted; pass --allow-dirty to write anyway",
            root.display()
        ),
    }
}

fn print_diffs(plan: &Plan) -> std::io::Result<()> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::stdout().lock();
    for change in &plan.changes {
        let d = diff::unified(change);
        if colour {
            out.write_all(diff::colourize(&d).as_bytes())?;
        } else {
            out.write_all(d.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

fn write_all(args: &ApplyArgs, plan: &Plan) -> anyhow::Result<()> {
    let mut written = 0;
    for change in &plan.changes {
        match write_change(&args.path, change)? {
            WriteOutcome::Written => {
                written += 1;
                eprintln!("wrote {} ({})", change.path, change.reasons.join(", "));
            }
            WriteOutcome::Skipped(why) => eprintln!("skipped {}: {why}", change.path),
        }
    }
    eprintln!(
        "{written} file{} written",
        if written == 1 { "" } else { "s" }
    );
    Ok(())
}

fn summary(plan: &Plan, verb: &str) {
    let created = plan.changes.iter().filter(|c| c.is_create()).count();
    let modified = plan.changes.len() - created;
    eprintln!(
        "{verb}: {created} new file{}, {modified} modified file{}, {} note{}",
        if created == 1 { "" } else { "s" },
        if modified == 1 { "" } else { "s" },
        plan.notes.len(),
        if plan.notes.len() == 1 { "" } else { "s" }
    );
}
