//! `makepay-migrate plan`: the file-by-file, function-by-function migration plan, built from a
//! scan's findings.
//!
//! [`build`] turns a [`ScanOutcome`] into a [`Plan`]: the detected [`Stack`]s with their MakePay
//! SDK install lines, the [`Risk`]s the scan saw, the order of work ([`Step`]s that apply to this
//! repository, each naming its files), the tests to add, and the [`Inventory`] (per file → per
//! function → per concern). Every type is `Serialize`, so the same plan feeds the Markdown and
//! JSON printers here and the `brief` command's templates. The JSON form is versioned
//! ([`PLAN_SCHEMA_VERSION`]) and its JSON Schema is [`json_schema`] (checked in as
//! `docs/plan.schema.json`).

pub mod command;
pub mod facts;
pub mod inventory;
mod markdown;
pub mod risks;
mod source;
pub mod stack;
pub mod steps;
pub mod tests_to_add;

pub use inventory::{Concern, FileEntry, Found, Inventory, Scope};
pub use markdown::render_markdown;
pub use risks::{Risk, RiskKind};
pub use stack::Stack;
pub use steps::{Replacement, StatusTable, Step, StepFile, StepId};
pub use tests_to_add::TestToAdd;

use crate::finding::{Finding, Mention, Provider, Severity};
use crate::scan::ScanOutcome;
use crate::walk::WalkOptions;
use schemars::JsonSchema;
use serde::Serialize;
use source::SourceFile;
use std::collections::BTreeMap;
use std::path::Path;

/// Version of the plan's JSON form. Fields are only ever added; bump for a breaking change.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// The migration plan for one repository.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Plan {
    /// Version of this document's shape (currently 1); fields are only ever added within a
    /// version.
    pub version: u32,
    /// The scanned root as given on the command line.
    pub root: String,
    /// Legacy providers found, in a fixed order.
    pub providers: Vec<Provider>,
    pub summary: PlanSummary,
    /// Ecosystems that own files with findings.
    pub stacks: Vec<Stack>,
    /// Sorted by kind, then path and line.
    pub risks: Vec<Risk>,
    /// The order of work; only steps that apply.
    pub steps: Vec<Step>,
    pub tests: Vec<TestToAdd>,
    pub inventory: Inventory,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanSummary {
    /// Findings the plan covers (code and configuration; comment and doc mentions excluded).
    pub findings: usize,
    pub files: usize,
    /// Named functions holding findings (top-level code not counted).
    pub functions: usize,
    /// Provider mentions in comments, docs and messages (info findings), left out of the plan.
    pub mentions_in_comments: usize,
}

impl Plan {
    /// Nothing to migrate: no actionable finding.
    pub fn is_empty(&self) -> bool {
        self.inventory.files.is_empty()
    }
}

/// Builds the plan for a scan of `root` (the directory that was scanned; finding paths are
/// relative to it). `walk` is reused to find manifests with the same ignore rules as the scan.
pub fn build(outcome: &ScanOutcome, root: &Path, walk: &WalkOptions) -> Plan {
    let base = if root.is_dir() {
        root
    } else {
        root.parent().unwrap_or(Path::new("."))
    };
    let (actionable, mentions): (Vec<&Finding>, Vec<&Finding>) = outcome
        .findings
        .iter()
        // The repository's own provider names (`scan --mentions`) ask for no change before the
        // cutover, but the removal step must list every one of them.
        .partition(|f| f.severity > Severity::Info || f.mention == Some(Mention::Name));
    let mut sources: BTreeMap<String, SourceFile> = BTreeMap::new();
    for f in &actionable {
        if !sources.contains_key(&f.path) {
            sources.insert(f.path.clone(), SourceFile::read(base, &f.path));
        }
    }
    let inventory = Inventory::build(&actionable, |p| sources[p].language);
    let files: Vec<&SourceFile> = sources.values().collect();
    let stacks = if inventory.files.is_empty() {
        Vec::new()
    } else {
        stack::detect(base, walk, &files)
    };
    let status_snippets: Vec<(Provider, &str)> = actionable
        .iter()
        .filter(|f| f.category == crate::finding::Category::StatusHandling)
        .map(|f| (f.provider, f.snippet.as_str()))
        .collect();
    let steps = steps::build(&inventory, &stacks, &status_snippets);
    let functions = inventory
        .files
        .iter()
        .flat_map(|f| f.scopes.iter().filter(|s| s.function.is_some()))
        .count();
    Plan {
        version: PLAN_SCHEMA_VERSION,
        root: outcome.root.clone(),
        providers: inventory.providers(),
        summary: PlanSummary {
            findings: actionable.len(),
            files: inventory.files.len(),
            functions,
            mentions_in_comments: mentions.len(),
        },
        stacks,
        risks: risks::detect(&actionable, &sources),
        steps,
        tests: tests_to_add::select(&inventory),
        inventory,
    }
}

/// The JSON Schema of [`Plan`]'s JSON form.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Plan);
    serde_json::to_value(schema).expect("schemas serialise")
}

/// Writes the plan's JSON form.
pub fn render_json(plan: &Plan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, plan)?;
    writeln!(out)
}
