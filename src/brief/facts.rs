//! The migration facts a brief is rendered from, as typed data.
//!
//! The facts live in `data/brief/*.yaml` (embedded) rather than in templates so that a user's own
//! template gets every fact too, and so that tests can check the data against MakePay's guides.

use crate::finding::{Category, Provider};
use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};

static DATA: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/data/brief");

/// An embedded data file that does not parse: a build-time mistake, reported with its location.
#[derive(Debug, thiserror::Error)]
#[error("embedded data/brief/{file}: {message}")]
pub struct FactsError {
    file: String,
    message: String,
}

/// What MakePay offers regardless of the legacy provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakePayFacts {
    pub sdks: Vec<Sdk>,
    pub api: Api,
    pub webhook: Webhook,
    /// MakePay payment status → order state, as the official Invision gateway applies it.
    pub status_states: Vec<StatusState>,
}

/// One official SDK and its install line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sdk {
    /// Stack identifier, matched against the stacks a repository scan detects.
    pub stack: String,
    pub label: String,
    pub install: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub create_link: String,
    pub auth_headers: Vec<String>,
    pub delivery_log: String,
    pub delivery_log_filters: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub method: String,
    pub body: String,
    pub secret: String,
    pub callback_lookup: String,
    pub signature_header: String,
    pub signature_format: String,
    pub signature_example: String,
    pub algorithm: String,
    pub signed_payload: String,
    pub tolerance_seconds: u32,
    pub headers: Vec<Header>,
    pub retries: u32,
    pub retry_interval_minutes: u32,
    pub manual_resend: String,
    pub idempotency: Vec<String>,
    pub primary_event: String,
    pub payload_fields: Vec<String>,
    pub events: Vec<Event>,
    /// Internal timeline events that never reach a callback URL.
    pub not_sent: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub example: String,
    #[serde(default)]
    pub r#use: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub r#type: String,
    pub when: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusState {
    /// Empty means "every other status".
    pub statuses: Vec<String>,
    pub state: String,
    pub action: String,
}

/// Everything specific to migrating off one provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFacts {
    pub provider: Provider,
    /// The legacy API, as the brief names it.
    pub api: String,
    /// The legacy surfaces the migration replaces, for the brief's opening sentence.
    pub replaces: Vec<String>,
    /// The guide's migration map, row for row.
    pub map: Vec<MapRow>,
    pub inventory: Inventory,
    /// Agent prompts, in the order an agent should work through them.
    pub phases: Vec<Phase>,
    pub checklist: Vec<String>,
}

/// One legacy surface and its MakePay replacement (Markdown, identifiers back-quoted).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapRow {
    pub legacy: String,
    pub makepay: String,
}

/// What to search for when no scan has been run, and what the inventory must report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub groups: Vec<TermGroup>,
    /// Things to look for that are not a single identifier (Markdown).
    pub also: Vec<String>,
    /// The kinds of function the inventory must name ("functions that ...").
    pub report: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermGroup {
    pub concern: String,
    pub terms: Vec<String>,
}

/// One agent prompt: a step of the migration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub id: String,
    pub title: String,
    /// Finding categories this phase edits; a tailored brief points at them.
    pub categories: Vec<Category>,
    pub steps: Vec<String>,
    #[serde(default)]
    pub mapping: Vec<FieldMap>,
    #[serde(default)]
    pub statuses: Vec<StatusRule>,
    #[serde(default)]
    pub log_fields: Vec<String>,
    #[serde(default)]
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    pub from: String,
    pub to: String,
}

/// How a legacy status is treated during cutover.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRule {
    pub status: Vec<String>,
    pub rule: String,
}

fn parse<T: for<'de> Deserialize<'de>>(file: &str) -> Result<T, FactsError> {
    let text = DATA
        .get_file(file)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| FactsError {
            file: file.to_string(),
            message: "missing or not UTF-8".to_string(),
        })?;
    serde_saphyr::from_str(text).map_err(|e| FactsError {
        file: file.to_string(),
        message: e.to_string(),
    })
}

/// The MakePay facts shared by every brief.
pub fn makepay() -> Result<MakePayFacts, FactsError> {
    parse("makepay.yaml")
}

/// The facts for migrating off `provider`.
pub fn provider(provider: Provider) -> Result<ProviderFacts, FactsError> {
    let facts: ProviderFacts = parse(&format!("{}.yaml", provider.id()))?;
    if facts.provider != provider {
        return Err(FactsError {
            file: format!("{}.yaml", provider.id()),
            message: format!("declares provider `{}`", facts.provider.id()),
        });
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_for_every_provider() {
        let makepay = makepay().unwrap();
        assert_eq!(makepay.sdks.len(), 7);
        assert_eq!(makepay.webhook.tolerance_seconds, 300);
        for p in Provider::ALL {
            let facts = provider(p).unwrap();
            assert!(facts.map.len() >= 10, "{p}: map looks truncated");
            assert_eq!(facts.phases.last().unwrap().id, "tests");
        }
    }
}
