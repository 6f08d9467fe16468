//! makepay-migrate: find OxaPay and Cryptomus touchpoints in a codebase and move them to MakePay.
//!
//! Data flows one way: [`walk`] → [`lang`] (detect, syntax view) → [`scan`] (match, provider
//! context) → [`finding::Finding`]s → [`report`] (printers) and [`check`] (the CI gate).

pub mod apply;
pub mod brief;
pub mod check;
pub mod cli;
pub mod encoding;
pub mod finding;
pub mod graph;
pub mod lang;
pub mod mcp;
mod par;
pub mod plan;
pub mod redact;
pub mod report;
pub mod rules;
pub mod scan;
pub mod template_error;
pub mod text;
pub mod walk;
pub mod webhook;

use finding::Provider;

/// Loads the embedded rules plus `--rules` directories and compiles them for `providers`.
pub fn load_rule_set(
    dirs: &[std::path::PathBuf],
    provider: Option<Provider>,
) -> anyhow::Result<rules::RuleSet> {
    let source = rules::RuleSource {
        dirs: dirs.to_vec(),
    };
    let loaded = rules::load_rules(&source).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "invalid rules ({} problem{}):\n{}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            lines.join("\n")
        )
    })?;
    let providers: Vec<Provider> = match provider {
        Some(p) => vec![p],
        None => Provider::ALL.to_vec(),
    };
    rules::RuleSet::new(loaded, &providers)
}
