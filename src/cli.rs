//! Command-line interface: argument definitions only; `main.rs` dispatches.

use crate::finding::{Confidence, Provider};
use crate::plan::command::PlanFormat;
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "makepay-migrate",
    version,
    about = "Find every OxaPay and Cryptomus touchpoint in a codebase and move it to MakePay.",
    long_about = "Find every OxaPay and Cryptomus touchpoint in a codebase and move it to MakePay.\n\n\
        Start with `makepay-migrate scan .`: it lists each endpoint, credential, invoice call, \
        stored provider ID, redirect, callback check and status switch with its file, line, \
        enclosing function and the MakePay replacement.",
    after_help = "Exit codes (scan): 0 nothing found, 1 findings, 2 usage or runtime error.\n\
        Exit codes (check): 0 pass, 1 gate failed, 2 usage or policy error, 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for OxaPay and Cryptomus touchpoints.
    ///
    /// Respects .gitignore, .ignore and .makepay-migrate-ignore; skips hidden files, symlinks,
    /// binary and oversized files (counted in the summary). Text that is not UTF-8 (UTF-16
    /// with a BOM, Windows-1252/Latin-1) is decoded and scanned.
    #[command(after_help = "Examples:\n  makepay-migrate scan .\n  \
        makepay-migrate scan ./shop --provider oxapay --format json > findings.json\n  \
        makepay-migrate scan . --exclude 'vendor/**' --min-confidence medium\n\n\
        Exit codes: 0 nothing found, 1 findings (info-only findings count as nothing), 2 error.")]
    Scan(ScanArgs),
    /// Write the migration plan: stack, risks, order of work, tests to add, and an inventory
    /// per file and function.
    ///
    /// Scans PATH like `scan` does and turns the findings into a plan a senior engineer would
    /// hand a colleague: the MakePay SDK install line for the detected stack, risks the scan saw
    /// (unverified webhooks, non-timing-safe compares, hard-coded keys...), only the steps this
    /// repository needs (each naming its files and functions), the legacy status tables, and the
    /// tests to add. Markdown has checkboxes so it can live in a PR description; JSON follows the
    /// versioned schema in docs/plan.schema.json.
    #[command(
        after_help = "Examples:\n  makepay-migrate plan ./shop > MIGRATION-PLAN.md\n  \
        makepay-migrate plan ./shop --provider cryptomus\n  \
        makepay-migrate plan . --format json --output plan.json\n\n\
        Exit codes: 0 plan written (with or without findings: a plan is a report, not a gate; \
        use `scan` or `check` to fail CI), 2 usage or runtime error."
    )]
    Plan(PlanArgs),
    /// Generate MakePay scaffolds and safe fixes, shown as diffs; `--write` applies them.
    ///
    /// Scaffolds (webhook verifier, status normaliser, payment-link creation, dual-run switch,
    /// tests) are rendered next to the code that holds the provider integration, in its language.
    /// `.env.example`-style files gain MAKEPAY_* lines; plain signature compares in legacy
    /// callback checks become timing-safe. Existing files are never overwritten; a second run
    /// changes nothing.
    #[command(
        after_help = "Kinds for --only: webhook, status, payment-link, switch, tests, env, \
        timing-safe, annotate (marker comments above findings; only when named). Any other \
        --only value is a rule id and limits timing-safe/annotate to that rule's findings.\n\n\
        Examples:\n  makepay-migrate apply ./shop\n  \
        makepay-migrate apply ./shop --write\n  \
        makepay-migrate apply . --patch-out makepay.patch && git apply --check makepay.patch\n  \
        makepay-migrate apply . --only webhook --only status --lang typescript --scaffold-dir src/payments\n  \
        makepay-migrate apply . --only annotate --write --allow-dirty\n\n\
        Safety: nothing is written without --write; --write refuses a dirty git tree unless \
        --allow-dirty; files are replaced through a temporary file and a rename, keeping CRLF, BOM, \
        the final newline and the file mode; a file changed since planning is skipped; \
        overlapping edits are reported and skipped; nothing is written outside PATH.\n\n\
        Exit codes: 0 done (including a dry run with changes), 2 usage or runtime error."
    )]
    Apply(ApplyArgs),
    /// Inspect and test the rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write an agent-ready Markdown brief for migrating off one provider.
    ///
    /// Without PATH it is the general brief: the migration map, SDK install commands, one agent
    /// prompt per phase, MakePay webhook facts and the verification checklist. With PATH the
    /// repository is scanned first and the brief carries its own inventory, stack and risks.
    #[command(after_help = "Examples:\n  \
        makepay-migrate brief --provider oxapay > MIGRATION.md\n  \
        makepay-migrate brief --provider cryptomus ./shop --output MIGRATION.md\n  \
        makepay-migrate brief --provider oxapay --templates my-templates/\n\n\
        Templates are tera files; see docs/templates.md for their variables.\n\
        Exit codes: 0 written, 2 usage, template or runtime error.")]
    Brief(BriefArgs),
    /// The CI gate: fail when legacy provider calls remain in new-order code.
    ///
    /// Scans PATH, applies the policy in makepay-migrate.yaml (which paths are new-order code,
    /// which may keep legacy reconciliation code, which categories block), inline suppressions
    /// (`makepay-migrate: allow <rule-id|category> -- <reason>` in a comment on the line or the
    /// line above) and an optional baseline, then fails on what is left.
    #[command(after_help = "Examples:\n  makepay-migrate check .\n  \
        makepay-migrate check . --format github --sarif makepay-migrate.sarif\n  \
        makepay-migrate check . --baseline .makepay-migrate-baseline.json --update-baseline\n  \
        makepay-migrate check . --format junit --output junit.xml --json check.json\n\n\
        Exit codes: 0 pass, 1 gate failed, 2 usage or policy error, 3 internal error.")]
    Check(CheckArgs),
    /// Write a starter makepay-migrate.yaml and a GitHub Actions workflow (never overwrites).
    #[command(after_help = "Examples:\n  makepay-migrate init\n  makepay-migrate init ./shop")]
    Init {
        /// Repository root to write into.
        #[arg(value_name = "PATH", default_value = ".")]
        path: PathBuf,
    },
    /// The policy file (makepay-migrate.yaml).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Sign, send and grade webhook deliveries: prove the migrated endpoint before real money
    /// reaches it.
    ///
    /// `sign` prints MakePay's delivery headers for a body (or OxaPay's HMAC, Cryptomus's
    /// sign); `send` posts one signed delivery; `test` fires a graded suite of valid, duplicate,
    /// stale, forged and out-of-order deliveries (plus legacy callbacks for the dual run);
    /// `listen` verifies real deliveries on a laptop and can forward them to the app. Secrets come
    /// only from an environment variable (default MAKEPAY_WEBHOOK_SECRET) or a file.
    #[command(subcommand)]
    Webhook(crate::webhook::args::WebhookCommand),
    /// Serve the tool to coding agents over the Model Context Protocol (stdio).
    ///
    /// Tools: scan, findings_in_file, plan, brief, explain, apply_preview, check (and
    /// apply_write with --allow-write); resources: the migration guides' facts. Paths are
    /// confined to the client's roots, or to the directory the server starts in. stdout carries
    /// the protocol only; logs go to stderr.
    #[command(after_help = "Example (Claude Code):\n  \
        claude mcp add makepay-migrate -- makepay-migrate mcp\n\n\
        See the README for Cursor, VS Code and Codex.")]
    Mcp(McpArgs),
}

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Register the apply_write tool, which writes changes (never into a dirty git tree).
    #[arg(long)]
    pub allow_write: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of makepay-migrate.yaml, for editor completion and validation.
    #[command(
        after_help = "Example:\n  makepay-migrate config schema > makepay-migrate.schema.json\n  \
        then add `# yaml-language-server: $schema=makepay-migrate.schema.json` to the policy file."
    )]
    Schema,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Repository root to check; makepay-migrate.yaml is looked for here.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub rule_args: RuleArgs,
    /// Policy file (default: PATH/makepay-migrate.yaml when it exists, else the default policy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Format of the main output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the main output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write SARIF 2.1.0 to FILE (for GitHub code scanning).
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Also write JUnit XML to FILE (one failing test case per blocking finding).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the check's JSON document to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Baseline of accepted findings (JSON); only findings not in it fail the gate.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline with today's blocking findings (ratchet after fixes).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Unused suppressions fail the gate too.
    #[arg(long)]
    pub strict: bool,
    /// When to colour output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// Path filters shared by every command that scans.
#[derive(Debug, Args)]
pub struct PathFilterArgs {
    /// Only scan paths matching this glob (repeatable; gitignore syntax).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip paths matching this glob (repeatable; gitignore syntax).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// The provider being migrated off.
    #[arg(long, value_enum)]
    pub provider: Provider,
    /// Repository to scan and tailor the brief to (omit for the general brief).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Write the brief to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render FILE instead of the embedded entry template (it may include the section templates).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Templates in DIR replace embedded ones of the same file name (brief.md, map.md, ...).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Only rules of this provider (default: both).
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// Extra rule packs: DIR/<provider>/*.yaml; a rule with an embedded rule's id replaces it.
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub rule_args: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Report only findings at least this confident. Generic terms are already gated by
    /// provider context, so `low` (the default) stays precise.
    #[arg(long, value_enum, default_value_t = Confidence::Low)]
    pub min_confidence: Confidence,
    /// Also report, at info, the mentions of a provider's name that ask for no change: the
    /// repository's namespace and package declarations, plugin text domains and asset handles,
    /// provider-named helpers that do no provider work. The full inventory of names, for the
    /// cutover's removal step; the summary counts them either way.
    #[arg(long)]
    pub mentions: bool,
    #[command(flatten)]
    pub filter: PathFilterArgs,
    /// Scan hidden files and directories too.
    #[arg(long)]
    pub hidden: bool,
    /// Ignore .gitignore, .ignore and .makepay-migrate-ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Skip files larger than this (bytes, or with a K, M, G suffix).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = crate::walk::parse_size)]
    pub max_filesize: u64,
    /// When to colour output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Print findings only: no summary, no progress, no warnings.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads (0: one per core). Output is identical for any value.
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Repository or directory to plan for.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub rule_args: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    pub format: PlanFormat,
    /// Write the plan to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: PathFilterArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Repository root: every change stays inside it.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub rule_args: RuleArgs,
    /// Only these change kinds or rule ids (repeatable or comma-separated).
    #[arg(long, value_name = "KIND|RULE", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Apply the changes (default: print the diffs only).
    #[arg(long)]
    pub write: bool,
    /// Write all changes as one patch file that `git apply` accepts, instead of printing diffs.
    #[arg(long, value_name = "FILE")]
    pub patch_out: Option<PathBuf>,
    /// Let --write run on a tree with uncommitted changes (or outside git).
    #[arg(long)]
    pub allow_dirty: bool,
    /// Put scaffolds in this directory (relative to PATH) instead of next to the integration.
    #[arg(long, value_name = "DIR")]
    pub scaffold_dir: Option<String>,
    /// Scaffold in this language instead of the integration's.
    #[arg(long, value_enum)]
    pub lang: Option<crate::apply::kind::ScaffoldLang>,
    /// Template directory overriding the embedded ones (layout: <lang>/scaffolds.yaml + files).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List rules: id, provider, category, confidence, severity.
    List {
        #[command(flatten)]
        rule_args: RuleArgs,
    },
    /// Run every rule's inline match/no_match cases; exit 1 on any failure.
    Test {
        #[command(flatten)]
        rule_args: RuleArgs,
    },
    /// Print the prefilter's literals, one per line (matched ASCII case-insensitively).
    Literals {
        #[command(flatten)]
        rule_args: RuleArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}
