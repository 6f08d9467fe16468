//! The YAML form of a rule pack, as authors write it (see docs/rules.md).
//!
//! Everything that can be wrong is reported with its position, so values that are checked after
//! parsing (ids, regexes) are kept [`Spanned`].

use crate::finding::{Category, Confidence, Provider, Severity};
use crate::lang::{Language, RegionKind};
use serde::Deserialize;
use serde_saphyr::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub provider: Option<Provider>,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub replacement: String,
    #[serde(default)]
    pub languages: Vec<Language>,
    #[serde(default, rename = "where")]
    pub regions: Option<Vec<RegionKind>>,
    pub pattern: Option<Spanned<String>>,
    /// Regex over the file's path relative to the scan root; alone, it reports the file itself.
    pub filename: Option<Spanned<String>>,
    #[serde(default)]
    pub any: Vec<Spanned<String>>,
    #[serde(default)]
    pub all: Vec<Spanned<String>>,
    #[serde(default)]
    pub not: Vec<Spanned<String>>,
    #[serde(default)]
    pub absent: Vec<Spanned<String>>,
    #[serde(default)]
    pub within: Scope,
    #[serde(default)]
    pub tests: RawTests,
}

/// Where `all` and `absent` look for their patterns, relative to a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Line,
    #[default]
    Function,
    File,
    /// The match line and this many lines before and after it.
    Lines(usize),
    /// The match line back to the header of the block it sits in: the nearest line above it
    /// indented less (with the line before it when that is a lone bracket, as in Allman-style
    /// `class OxaPayOptions\n{`), or at column 0 the nearest `[section]` line. The settings
    /// field under `"Stripe": {` is then not in the `"OxaPay": {` section above it.
    Block,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTests {
    #[serde(default, rename = "match")]
    pub matches: Vec<RawCase>,
    #[serde(default)]
    pub no_match: Vec<RawCase>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawCase {
    Code(String),
    Full {
        #[serde(default)]
        lang: Option<Language>,
        /// The file's relative path, for rules with a `filename` pattern.
        #[serde(default)]
        path: Option<String>,
        code: String,
    },
}
