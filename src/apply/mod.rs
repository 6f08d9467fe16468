//! `apply`: turns findings and templates into planned file changes, shows them as unified diffs,
//! and writes them only when asked, safely.
//!
//! Flow (one direction): scan → [`kind`] selection → scaffolds ([`scaffold`], [`templates`]),
//! env-template lines ([`env`]) and finding-driven edits ([`fixes`]) → per-file [`edit`]s,
//! applied with overlap checks → [`change::FileChange`]s → [`diff`] / patch file / [`write`].

pub mod change;
pub mod diff;
pub mod edit;
pub mod env;
pub mod fixes;
pub mod git;
pub mod kind;
pub mod run;
pub mod scaffold;
pub mod templates;
pub mod textfile;
pub mod write;

use crate::encoding::{decode, TextEncoding};
use crate::finding::{Finding, Provider};
use crate::lang::detect_language;
use crate::rules::RuleSet;
use crate::scan::{scan, ScanOptions};
use crate::walk::WalkOptions;
use change::FileChange;
use edit::{apply_edits, Edit};
use kind::{ChangeKind, ScaffoldLang};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use templates::TemplateSet;
use textfile::TextFile;

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    pub root: PathBuf,
    /// `--only` values: change kinds and rule ids.
    pub only: Vec<String>,
    pub scaffold_dir: Option<String>,
    pub lang: Option<ScaffoldLang>,
    pub templates: Option<PathBuf>,
}

/// Planned changes plus everything that was deliberately not changed, with why.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<FileChange>,
    pub notes: Vec<String>,
}

/// The `--only` selection, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub kinds: BTreeSet<ChangeKind>,
    /// Empty: findings of every rule.
    pub rules: BTreeSet<String>,
}

impl Selection {
    /// Values naming a kind select it; any other value must be a rule id and narrows the
    /// finding-driven kinds to it. No kind named: the default kinds (only the finding-driven
    /// ones when rules are named).
    pub fn parse(only: &[String], rules: &RuleSet) -> anyhow::Result<Selection> {
        let mut kinds = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for value in only.iter().flat_map(|v| v.split(',')).map(str::trim) {
            if let Some(k) = ChangeKind::from_id(value) {
                kinds.insert(k);
            } else if rules.rules().iter().any(|r| r.id == value) {
                ids.insert(value.to_string());
            } else {
                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.id()).collect();
                anyhow::bail!(
                    "--only {value}: neither a change kind ({}) nor a rule id (see `rules list`)",
                    known.join(", ")
                );
            }
        }
        if kinds.is_empty() {
            kinds = ChangeKind::ALL
                .into_iter()
                .filter(|k| k.is_default() && (ids.is_empty() || k.is_finding_driven()))
                .collect();
        }
        Ok(Selection { kinds, rules: ids })
    }
}

/// Scans `opts.root` and plans every selected change. Reads files; writes nothing.
pub fn plan(rules: &RuleSet, opts: &ApplyOptions) -> anyhow::Result<Plan> {
    let selection = Selection::parse(&opts.only, rules)?;
    let root = &opts.root;
    if !root.is_dir() {
        anyhow::bail!("{}: not a directory", root.display());
    }
    if let Some(dir) = &opts.scaffold_dir {
        write::contained(root, dir)?;
    }
    let templates = TemplateSet::load(opts.templates.as_deref())?;
    let outcome = scan(
        rules,
        &ScanOptions {
            paths: vec![root.clone()],
            walk: WalkOptions::default(),
            min_confidence: crate::finding::Confidence::Low,
            progress: false,
            mentions: false,
        },
    )?;
    let findings = outcome.findings;
    let mut plan = Plan::default();

    let scaffold_kinds: BTreeSet<ChangeKind> = selection
        .kinds
        .iter()
        .copied()
        .filter(|k| {
            matches!(
                k,
                ChangeKind::Webhook
                    | ChangeKind::Status
                    | ChangeKind::PaymentLink
                    | ChangeKind::Switch
                    | ChangeKind::Tests
            )
        })
        .collect();
    if !scaffold_kinds.is_empty() {
        match scaffold::placement(&findings, opts.lang, opts.scaffold_dir.as_deref()) {
            Some(place) => {
                let providers: BTreeSet<Provider> = findings.iter().map(|f| f.provider).collect();
                let ctx = scaffold::context(root, &place, &providers);
                let (changes, notes) =
                    scaffold::plan(root, &templates, &place, &ctx, &scaffold_kinds)?;
                plan.changes.extend(changes);
                plan.notes.extend(notes);
            }
            None => plan.notes.push(
                "no provider integration in a scaffold language (JavaScript, TypeScript, Python, \
                 PHP, Go, Rust) was found; pass --lang to scaffold anyway"
                    .into(),
            ),
        }
    }

    let mut edits: BTreeMap<String, Vec<Edit>> = BTreeMap::new();
    let mut files: BTreeMap<String, TextFile> = BTreeMap::new();
    if selection.kinds.contains(&ChangeKind::Env) {
        for path in env::env_templates(root) {
            let Some(file) = load(root, &path, &mut files, &mut plan.notes) else {
                continue;
            };
            if let Some(e) = env::env_edit(file) {
                edits.entry(path).or_default().push(e);
            }
        }
    }
    let selected: Vec<&Finding> = findings
        .iter()
        .filter(|f| selection.rules.is_empty() || selection.rules.contains(&f.rule))
        .collect();
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &selected {
        by_file.entry(f.path.as_str()).or_default().push(f);
    }
    for (path, fs) in by_file {
        let lang = detect_language(Path::new(path), b"");
        let unsafe_compares: Vec<&Finding> = fs
            .iter()
            .copied()
            .filter(|f| fixes::is_unsafe_compare(f))
            .collect();
        let wants_fix =
            selection.kinds.contains(&ChangeKind::TimingSafe) && !unsafe_compares.is_empty();
        let wants_annotate = selection.kinds.contains(&ChangeKind::Annotate);
        if !wants_fix && !wants_annotate {
            continue;
        }
        let Some(file) = load(root, path, &mut files, &mut plan.notes) else {
            continue;
        };
        let mut fixed = fixes::FileFixes::default();
        if wants_fix {
            let f = fixes::timing_safe(lang, file, &unsafe_compares);
            fixed.edits.extend(f.edits);
            fixed.notes.extend(f.notes);
        }
        if wants_annotate {
            let f = fixes::annotate(lang, file, &fs);
            fixed.edits.extend(f.edits);
            fixed.notes.extend(f.notes);
        }
        plan.notes.extend(fixed.notes);
        edits
            .entry(path.to_string())
            .or_default()
            .extend(fixed.edits);
    }

    for (path, file_edits) in edits {
        let file = &files[&path];
        let applied = apply_edits(&file.text, file_edits);
        if !applied.conflicts.is_empty() {
            plan.notes.push(format!(
                "{path}: overlapping edits; every {} edit in this file was skipped (run them \
                 one at a time with --only)",
                applied.skipped_origins().join(" and ")
            ));
        }
        if applied.text == file.text {
            continue;
        }
        let after = match file.encode(&applied.text) {
            Ok(after) => after,
            Err(e) => {
                plan.notes.push(format!(
                    "{path}: {e}, which its edits would add; left untouched rather than \
                     written in another encoding"
                ));
                continue;
            }
        };
        let mut reasons: Vec<String> = applied.applied.iter().map(|e| e.origin.clone()).collect();
        reasons.sort();
        reasons.dedup();
        plan.changes.push(FileChange {
            path: path.clone(),
            before: Some(file.original().to_vec()),
            after,
            reasons,
        });
    }
    plan.changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

/// Reads and decodes `path` once per plan; undecodable files become notes.
fn load<'a>(
    root: &Path,
    path: &str,
    files: &'a mut BTreeMap<String, TextFile>,
    notes: &mut Vec<String>,
) -> Option<&'a TextFile> {
    if !files.contains_key(path) {
        let bytes = write::contained(root, path)
            .ok()
            .and_then(|p| std::fs::read(p).ok());
        match bytes.map(|b| TextFile::parse(&b)) {
            Some(Ok(f)) => {
                files.insert(path.to_string(), f);
            }
            Some(Err(e)) => {
                notes.push(format!("{path}: {e}"));
                return None;
            }
            None => {
                notes.push(format!("{path}: cannot be read"));
                return None;
            }
        }
    }
    files.get(path)
}

/// The whole patch: every change's diff, in path order, and the paths left out of it. A patch
/// is UTF-8 text that `git apply` matches byte for byte, so a file in another encoding cannot be
/// in it without being rewritten in UTF-8; `--write` writes such files in their own encoding.
pub fn patch(plan: &Plan) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut left_out = Vec::new();
    for change in &plan.changes {
        match decode(&change.after).1 {
            TextEncoding::Utf8 => text.push_str(&diff::unified(change)),
            other => left_out.push(format!(
                "{}: left out of the patch, which is UTF-8 while the file is {other}; --write \
                 writes it in its own encoding",
                change.path
            )),
        }
    }
    (text, left_out)
}
