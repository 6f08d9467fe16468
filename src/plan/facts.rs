//! The guides' facts as typed data: stacks and SDK install commands, legacy status tables, what
//! each provider keeps during the dual run, and the test lists. They live in `facts.yaml` so a
//! changed fact is one edit, not a hunt through format strings.

use crate::finding::{Category, Provider};
use crate::lang::Language;
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FACTS_YAML: &str = include_str!("facts.yaml");

/// Everything `facts.yaml` holds, checked once on first use.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub ecosystems: Vec<Ecosystem>,
    pub source_frameworks: Vec<SourceFramework>,
    pub ecosystem_hints: Vec<EcosystemHint>,
    pub direct_api: String,
    pub statuses: BTreeMap<Provider, StatusFacts>,
    pub providers: BTreeMap<Provider, ProviderFacts>,
    pub keep: BTreeMap<Category, String>,
    pub tests: Vec<TestFact>,
}

/// A language ecosystem recognised by its manifest files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecosystem {
    pub id: String,
    pub name: String,
    pub languages: Vec<Language>,
    /// For languages the scan reads as plain text (Swift).
    #[serde(default)]
    pub extensions: Vec<String>,
    /// File names; one `*` matches any run of characters (`*.csproj`, `requirements*.txt`).
    pub manifests: Vec<String>,
    pub package_managers: Vec<PackageManager>,
    pub frameworks: Vec<Marker>,
    #[serde(default)]
    pub default_framework: Option<String>,
    pub test_runners: Vec<Marker>,
    #[serde(default)]
    pub default_test_runner: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageManager {
    pub id: String,
    /// Files beside the manifest that select this package manager.
    pub when_present: Vec<String>,
    /// The MakePay SDK install line; `None` where the guides list no SDK for the stack.
    #[serde(default)]
    pub install: Option<String>,
}

/// A name recognised by a regex over a manifest's text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub name: String,
    #[serde(with = "serde_regex")]
    pub marker: Regex,
}

/// A framework recognised from the source of files with findings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFramework {
    pub name: String,
    pub ecosystem: String,
    #[serde(with = "serde_regex")]
    pub marker: Regex,
}

/// Source text that picks an ecosystem for a file no manifest claims.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcosystemHint {
    pub ecosystem: String,
    #[serde(with = "serde_regex")]
    pub marker: Regex,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFacts {
    pub note: String,
    pub table: Vec<StatusRow>,
}

/// One legacy status: where it normalises to and what it may grant.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRow {
    pub status: String,
    /// The normalised order state: pending, paid, failed, underpaid, refund-pending, refunded or
    /// manual-review.
    pub normalized: String,
    pub grants: Grants,
    pub handling: String,
}

/// Whether a status may release goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Grants {
    Never,
    Yes,
    AfterChecks,
    ByPolicy,
}

impl Grants {
    pub fn label(self) -> &'static str {
        match self {
            Grants::Never => "no",
            Grants::Yes => "yes",
            Grants::AfterChecks => "yes, after checks",
            Grants::ByPolicy => "only by policy",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFacts {
    pub legacy_id: String,
    pub keep_until: String,
    pub remove: Vec<Removal>,
    pub legacy_verification: String,
    pub idempotency: String,
    pub log_fields: String,
}

/// Legacy code that goes in the last step, when the repository has it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    pub what: String,
    pub when: Vec<Category>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFact {
    pub name: String,
    /// Empty: both providers.
    #[serde(default)]
    pub providers: Vec<Provider>,
    pub when: Vec<Category>,
}

/// `Regex` fields in YAML, compiled while loading so a bad pattern fails the facts test.
mod serde_regex {
    use regex::Regex;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Regex, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s).map_err(serde::de::Error::custom)
    }
}

/// The embedded facts. They are compiled into the binary and covered by a test, so a parse
/// failure is a build defect, not a user error.
pub fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| {
        serde_saphyr::from_str(FACTS_YAML).unwrap_or_else(|e| panic!("src/plan/facts.yaml: {e}"))
    })
}

impl Facts {
    pub fn ecosystem(&self, id: &str) -> Option<&Ecosystem> {
        self.ecosystems.iter().find(|e| e.id == id)
    }

    pub fn provider(&self, p: Provider) -> &ProviderFacts {
        &self.providers[&p]
    }
}

impl Ecosystem {
    /// Whether `name` (a file name, no directory) is one of this ecosystem's manifests.
    pub fn is_manifest(&self, name: &str) -> bool {
        self.manifests.iter().any(|m| match m.split_once('*') {
            Some((prefix, suffix)) => {
                name.len() >= prefix.len() + suffix.len()
                    && name.starts_with(prefix)
                    && name.ends_with(suffix)
            }
            None => m == name,
        })
    }

    /// Whether a file of `lang` at `path` belongs to this ecosystem.
    pub fn serves(&self, lang: Language, path: &str) -> bool {
        self.languages.contains(&lang)
            || self
                .extensions
                .iter()
                .any(|ext| path.rsplit('.').next() == Some(ext.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_parse_and_cover_both_providers() {
        let f = facts();
        for p in Provider::ALL {
            assert!(f.statuses.contains_key(&p), "statuses for {p}");
            assert!(f.providers.contains_key(&p), "provider facts for {p}");
        }
        assert_eq!(f.statuses[&Provider::Oxapay].table.len(), 9);
        assert_eq!(f.statuses[&Provider::Cryptomus].table.len(), 14);
        let ecosystems = f
            .source_frameworks
            .iter()
            .map(|s| &s.ecosystem)
            .chain(f.ecosystem_hints.iter().map(|h| &h.ecosystem));
        for e in ecosystems {
            assert!(f.ecosystem(e).is_some(), "{e}");
        }
    }

    #[test]
    fn every_guide_sdk_command_is_present() {
        let installs: Vec<&str> = facts()
            .ecosystems
            .iter()
            .flat_map(|e| &e.package_managers)
            .filter_map(|p| p.install.as_deref())
            .collect();
        for cmd in [
            "npm install @makecrypto/makepay",
            "composer require makepay/makepay-php",
            "go get github.com/makecryptoio/makepay-go",
            "pip install makepay",
            "cargo add makepay",
            "implementation(\"io.makecrypto:makepay:0.3.0\")",
            ".package(url: \"https://github.com/makecryptoio/makepay-swift-sdk.git\", from: \"0.3.0\")",
        ] {
            assert!(installs.contains(&cmd), "missing {cmd}");
        }
    }

    #[test]
    fn manifest_names_match_exactly_or_by_extension() {
        let f = facts();
        assert!(f
            .ecosystem("dotnet")
            .unwrap()
            .is_manifest("Shop.Api.csproj"));
        assert!(f
            .ecosystem("python")
            .unwrap()
            .is_manifest("requirements-dev.txt"));
        assert!(f.ecosystem("python").unwrap().is_manifest("pyproject.toml"));
        assert!(!f
            .ecosystem("node")
            .unwrap()
            .is_manifest("package.json.orig"));
    }
}
