//! The variables a brief template sees (documented in docs/templates.md).

use super::facts::{MakePayFacts, ProviderFacts};
use crate::finding::Provider;
use crate::plan::Plan;
use serde::Serialize;

/// Line numbers a tailored brief lists per concern of one function before it says "+N more".
/// Keeps a brief for a repository with hundreds of findings readable: grouping by file and
/// function already bounds the rows, and the cap bounds each row.
pub const LINES_PER_CONCERN: usize = 8;

/// The whole template context, serialised as tera's top-level variables.
#[derive(Debug, Serialize)]
pub struct BriefContext<'a> {
    pub provider: ProviderInfo,
    pub tool: ToolInfo,
    pub guide: &'a ProviderFacts,
    pub makepay: &'a MakePayFacts,
    /// The SDK install lines to offer (see [`sdk_lines`]).
    pub sdks: Vec<SdkLine>,
    /// The repository's plan in a tailored brief; none in the general brief.
    pub plan: Option<&'a Plan>,
    pub limits: Limits,
}

#[derive(Debug, Serialize)]
pub struct ProviderInfo {
    pub id: &'static str,
    pub name: &'static str,
}

impl From<Provider> for ProviderInfo {
    fn from(p: Provider) -> Self {
        ProviderInfo {
            id: p.id(),
            name: p.display_name(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

impl ToolInfo {
    pub fn current() -> Self {
        ToolInfo {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Limits {
    pub lines_per_concern: usize,
}

/// One SDK install line and what it is for.
#[derive(Debug, Serialize)]
pub struct SdkLine {
    pub label: String,
    pub install: String,
}

/// Every SDK in the general brief, or in a tailored one only the detected stacks' (none when
/// the guides list no SDK for them). A plan that detected no stack offers every SDK.
pub fn sdk_lines(makepay: &MakePayFacts, plan: Option<&Plan>) -> Vec<SdkLine> {
    match plan {
        Some(plan) if !plan.stacks.is_empty() => plan
            .stacks
            .iter()
            .filter_map(|s| {
                s.sdk_install.as_ref().map(|install| SdkLine {
                    label: s.label(),
                    install: install.clone(),
                })
            })
            .collect(),
        _ => makepay
            .sdks
            .iter()
            .map(|s| SdkLine {
                label: s.label.clone(),
                install: s.install.clone(),
            })
            .collect(),
    }
}
