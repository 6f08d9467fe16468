//! `brief`: an agent-ready Markdown migration brief, rendered from typed facts with tera.
//!
//! Data flows one way: embedded facts ([`facts`]) → [`context::BriefContext`] → templates
//! ([`templates`]) → Markdown.

pub mod context;
pub mod facts;
pub mod templates;

use crate::finding::Provider;
use context::{BriefContext, ProviderInfo, ToolInfo};
use std::path::PathBuf;
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
pub struct BriefRequest {
    pub provider: Provider,
    pub templates: TemplateOverrides,
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
        sdks: makepay.sdks.iter().collect(),
    };
    let context = tera::Context::from_serialize(&context).map_err(BriefError::Context)?;
    templates::Templates::load(&request.templates)?.render(&context)
}

/// The `brief` subcommand: render, then write to `--output` or stdout.
pub fn run(args: &crate::cli::BriefArgs) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let request = BriefRequest {
        provider: args.provider,
        templates: TemplateOverrides {
            entry: args.template.clone(),
            dir: args.templates.clone(),
        },
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
    Ok(())
}
