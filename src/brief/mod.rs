//! `brief`: an agent-ready Markdown migration brief, rendered from typed facts with tera.
//!
//! Data flows one way: embedded facts ([`facts`]) and, with a PATH, the repository's
//! [`Plan`] → [`context::BriefContext`] → templates ([`templates`]) → Markdown.

pub mod context;
pub mod facts;
pub mod templates;

use crate::cli::BriefArgs;
use crate::finding::Provider;
use crate::plan::Plan;
use crate::walk::WalkOptions;
use anyhow::Context as _;
use context::{BriefContext, Limits, ProviderInfo, ToolInfo};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
pub use templates::TemplateOverrides;

/// Why a brief could not be rendered. Template errors carry `file:line:column` first.
#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    #[error("cannot read template {}: {source}", path.display())]
    ReadTemplate {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template {location}: {message}\n{excerpt}")]
    Template {
        location: String,
        message: String,
        excerpt: String,
    },
    /// A problem of the set rather than one spot, such as an include of an unknown template.
    #[error("templates: {0}")]
    TemplateSet(String),
    #[error(transparent)]
    Facts(#[from] facts::FactsError),
    #[error("building the template context: {0}")]
    Context(tera::Error),
}

/// What to render.
#[derive(Debug, Clone)]
pub struct BriefRequest<'a> {
    pub provider: Provider,
    pub templates: TemplateOverrides,
    /// The repository's plan, for a tailored brief.
    pub plan: Option<&'a Plan>,
}

/// Renders the brief for `request`.
pub fn render(request: &BriefRequest) -> Result<String, BriefError> {
    let guide = facts::provider(request.provider)?;
    let makepay = facts::makepay()?;
    let context = BriefContext {
        provider: ProviderInfo::from(request.provider),
        tool: ToolInfo::current(),
        guide: &guide,
        makepay: &makepay,
        sdks: context::sdk_lines(&makepay, request.plan),
        plan: request.plan,
        limits: Limits {
            lines_per_concern: context::LINES_PER_CONCERN,
        },
    };
    let context = tera::Context::from_serialize(&context).map_err(BriefError::Context)?;
    templates::Templates::load(&request.templates)?.render(&context)
}

/// Scans `path` with `provider`'s rules and builds its plan, as `plan` would.
pub fn plan_for(provider: Provider, path: &Path) -> anyhow::Result<Plan> {
    let rules = crate::load_rule_set(&[], Some(provider))?;
    crate::plan::command::scan_and_build(&rules, path, WalkOptions::default())
}

/// The `brief` subcommand: plan (with PATH), render, then write to `--output` or stdout.
pub fn run(args: &BriefArgs) -> anyhow::Result<ExitCode> {
    let plan = match &args.path {
        Some(path) => Some(plan_for(args.provider, path)?),
        None => None,
    };
    let request = BriefRequest {
        provider: args.provider,
        templates: TemplateOverrides {
            entry: args.template.clone(),
            dir: args.templates.clone(),
        },
        plan: plan.as_ref(),
    };
    let text = render(&request)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
