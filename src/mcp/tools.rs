//! The tools' inputs (JSON Schema from schemars) and their work, as plain blocking functions
//! over already-confined paths: each calls the same library entry point as its CLI command and
//! returns the same versioned JSON that command prints.

use super::page::{self, PageArgs};
use crate::apply::{self, write::WriteOutcome, ApplyOptions};
use crate::cli::{CheckArgs, ColorWhen, RuleArgs};
use crate::finding::{Confidence, Provider};
use crate::report::{Format, JsonPrinter, Printer};
use crate::scan::{scan, ScanOptions};
use crate::walk::WalkOptions;
use crate::{brief, check, load_rule_set, plan};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Which files a scan reads, besides the root.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Filter {
    /// Only scan paths matching these globs (gitignore syntax).
    #[serde(default)]
    pub include: Vec<String>,
    /// Skip paths matching these globs (gitignore syntax).
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Filter {
    fn walk(&self) -> WalkOptions {
        WalkOptions {
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            ..WalkOptions::default()
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ScanParams {
    /// Directory or file to scan, inside the allowed roots (relative paths start at the first).
    pub path: String,
    /// Only this provider's rules (default: both).
    pub provider: Option<Provider>,
    /// Report only findings at least this confident (default: low).
    pub min_confidence: Option<Confidence>,
    #[serde(flatten)]
    pub filter: Filter,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct FileParams {
    /// Repository root the scan starts from (the provider graph spans files).
    pub path: String,
    /// The file whose findings to return: relative to `path`, or absolute.
    pub file: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PlanParams {
    /// Repository or directory to plan for.
    pub path: String,
    /// Only this provider's rules (default: both).
    pub provider: Option<Provider>,
    /// Also return the plan as Markdown (checklists for a PR description).
    #[serde(default)]
    pub markdown: bool,
    #[serde(flatten)]
    pub filter: Filter,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct BriefParams {
    /// Repository to scan and tailor the brief to.
    pub path: String,
    /// The provider being migrated off.
    pub provider: Provider,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainParams {
    /// A rule id (a finding's `rule`, e.g. `oxapay-hmac-sha512-node`) or a category
    /// (`callback-verification`, `endpoint`, ...).
    pub topic: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ApplyParams {
    /// Repository root: every change stays inside it.
    pub path: String,
    /// Only these change kinds (webhook, status, payment-link, switch, tests, env, timing-safe,
    /// annotate) or rule ids.
    #[serde(default)]
    pub only: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PreviewParams {
    #[serde(flatten)]
    pub apply: ApplyParams,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CheckParams {
    /// Repository root to check; makepay-migrate.yaml is looked for here.
    pub path: String,
    /// Policy file, relative to `path` or absolute (default: makepay-migrate.yaml in `path`
    /// when it exists, else the default policy).
    pub config: Option<String>,
    /// Baseline of accepted findings (JSON), relative to `path` or absolute; only findings not
    /// in it fail the gate. Read, never rewritten.
    pub baseline: Option<String>,
    #[serde(flatten)]
    pub page: PageArgs,
}

/// `scan --format json` of `root`.
pub fn scan_json(
    root: &Path,
    provider: Option<Provider>,
    min_confidence: Option<Confidence>,
    filter: &Filter,
) -> anyhow::Result<Value> {
    let rules = load_rule_set(&[], provider)?;
    let opts = ScanOptions {
        paths: vec![root.to_path_buf()],
        walk: filter.walk(),
        min_confidence: min_confidence.unwrap_or(Confidence::Low),
        progress: false,
        mentions: false,
    };
    let outcome = scan(&rules, &opts)?;
    let mut buf = Vec::new();
    JsonPrinter.print(&outcome, &mut buf)?;
    Ok(serde_json::from_slice(&buf)?)
}

/// The findings of one file, from a scan of its whole repository (provider context reaches
/// across files), with the repository's total for reference.
pub fn findings_in_file(root: &Path, file: &Path, args: PageArgs) -> anyhow::Result<Value> {
    let rel = crate::walk::relative(file, root);
    let mut doc = scan_json(root, None, None, &Filter::default())?;
    let all = doc["findings"].as_array().map_or(0, Vec::len);
    let mine: Vec<Value> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["path"] == rel.as_str())
        .cloned()
        .collect();
    let mut out = json!({
        "version": doc["version"].take(),
        "root": doc["root"].take(),
        "file": rel,
        "findings": mine,
        "repository_findings": all,
    });
    page::page_array(&mut out, "findings", args);
    Ok(out)
}

/// The plan document (`plan --format json`) and, on request, its Markdown.
pub fn plan_json(
    root: &Path,
    provider: Option<Provider>,
    filter: &Filter,
    markdown: bool,
) -> anyhow::Result<(Value, Option<String>)> {
    let rules = load_rule_set(&[], provider)?;
    let built = plan::command::scan_and_build(&rules, root, filter.walk())?;
    let mut buf = Vec::new();
    plan::render_json(&built, &mut buf)?;
    let md = if markdown {
        let mut text = Vec::new();
        plan::render_markdown(&built, &mut text)?;
        Some(page::limit_text(String::from_utf8(text)?))
    } else {
        None
    };
    Ok((serde_json::from_slice(&buf)?, md))
}

/// The tailored brief's Markdown.
pub fn brief_text(root: &Path, provider: Provider) -> anyhow::Result<String> {
    let built = brief::plan_for(provider, root)?;
    let request = brief::BriefRequest {
        provider,
        templates: brief::TemplateOverrides::default(),
        plan: Some(&built),
    };
    Ok(page::limit_text(brief::render(&request)?))
}

/// What `explain` says about `topic`, over every provider's rules.
pub fn explain(topic: &str) -> anyhow::Result<Value> {
    let rules = load_rule_set(&[], None)?;
    super::explain::explain(rules.rules(), topic)
}

/// The changes `apply` would make: each file's unified diff, never written.
pub fn apply_preview(root: &Path, only: &[String], args: PageArgs) -> anyhow::Result<Value> {
    let planned = apply_plan(root, only)?;
    let changes: Vec<Value> = planned
        .changes
        .iter()
        .map(|c| {
            json!({
                "path": c.path,
                "create": c.is_create(),
                "reasons": c.reasons,
                "diff": apply::diff::unified(c),
            })
        })
        .collect();
    let mut doc = json!({ "written": false, "changes": changes, "notes": planned.notes });
    page::page_array(&mut doc, "changes", args);
    Ok(doc)
}

/// `apply --write` without `--allow-dirty`: refused on a dirty tree or outside git; each file is
/// replaced atomically, and one changed since planning is skipped.
pub fn apply_write(root: &Path, only: &[String]) -> anyhow::Result<Value> {
    apply::run::check_tree(root, false).map_err(|e| {
        e.context("apply_write refused (the MCP server never writes into a dirty tree)")
    })?;
    let planned = apply_plan(root, only)?;
    let (mut written, mut skipped) = (Vec::new(), Vec::new());
    for change in &planned.changes {
        match apply::write::write_change(root, change)? {
            WriteOutcome::Written => {
                written.push(json!({ "path": change.path, "reasons": change.reasons }))
            }
            WriteOutcome::Skipped(why) => skipped.push(json!({ "path": change.path, "why": why })),
        }
    }
    Ok(json!({ "written": written, "skipped": skipped, "notes": planned.notes }))
}

fn apply_plan(root: &Path, only: &[String]) -> anyhow::Result<apply::Plan> {
    let rules = load_rule_set(&[], None)?;
    let opts = ApplyOptions {
        root: root.to_path_buf(),
        only: only.to_vec(),
        scaffold_dir: None,
        lang: None,
        templates: None,
    };
    apply::plan(&rules, &opts)
}

/// `check --format json` of `root`; the baseline is read, never rewritten.
pub fn check_json(
    root: &Path,
    config: Option<PathBuf>,
    baseline: Option<PathBuf>,
    args: PageArgs,
) -> Result<Value, check::Failure> {
    let check_args = CheckArgs {
        path: root.to_path_buf(),
        rule_args: RuleArgs {
            provider: None,
            rules: Vec::new(),
        },
        config,
        format: Format::Json,
        output: None,
        sarif: None,
        junit: None,
        json: None,
        baseline,
        update_baseline: false,
        strict: false,
        color: ColorWhen::Never,
    };
    let (outcome, _) = check::outcome(&check_args)?;
    let mut doc = check::json_document(&outcome).map_err(|e| check::Failure::Internal(e.into()))?;
    page::page_array(&mut doc, "blocking", args);
    Ok(doc)
}
