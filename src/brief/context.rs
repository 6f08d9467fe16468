//! The variables a brief template sees (documented in docs/templates.md).

use super::facts::{MakePayFacts, ProviderFacts, Sdk};
use crate::finding::Provider;
use serde::Serialize;

/// The whole template context, serialised as tera's top-level variables.
#[derive(Debug, Serialize)]
pub struct BriefContext<'a> {
    pub provider: ProviderInfo,
    pub tool: ToolInfo,
    pub guide: &'a ProviderFacts,
    pub makepay: &'a MakePayFacts,
    /// The SDKs to offer: every one, or only the detected stacks' in a tailored brief.
    pub sdks: Vec<&'a Sdk>,
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
