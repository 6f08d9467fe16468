//! The policy file, `makepay-migrate.yaml`: which paths are new-order code, which may keep legacy
//! reconciliation code, and which categories block the gate.
//!
//! The file is read with serde-saphyr so every mistake (an unknown key, a bad glob, an unknown
//! rule id) is reported as `file:line:col`; values checked after parsing stay [`Spanned`]. The
//! same struct derives the JSON Schema that `config schema` prints, so the two cannot drift.

use crate::finding::{Category, Finding, Severity};
use globset::{GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The file name discovered at the scan root.
pub const FILE_NAME: &str = "makepay-migrate.yaml";

/// Categories that block in new-order paths unless the policy says otherwise: everything that
/// creates or redirects to a new legacy payment. Callback handling, lookups and status mapping
/// may stay while old orders settle.
pub const DEFAULT_BLOCKING: [Category; 7] = [
    Category::Endpoint,
    Category::InvoiceCreation,
    Category::WhiteLabel,
    Category::StaticAddress,
    Category::Credentials,
    Category::RequestSigning,
    Category::CheckoutRedirect,
];

/// Policy for `makepay-migrate check`. Every key is optional; an empty file is the default policy.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "makepay-migrate policy (makepay-migrate.yaml)")]
pub struct PolicyFile {
    /// Globs (relative to the scan root, `/`-separated) of code that creates new orders. Blocking
    /// categories fail the gate here. Default: every path.
    #[schemars(with = "Option<Vec<String>>")]
    pub new_order_paths: Option<Vec<Spanned<String>>>,
    /// Globs where legacy reconciliation code (callbacks, lookups for old orders) may remain until
    /// the cutover is complete. Wins over `new_order_paths`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub legacy_paths: Vec<Spanned<String>>,
    /// Categories that fail the gate in new-order paths. Default: endpoint, invoice-creation,
    /// white-label, static-address, credentials, request-signing, checkout-redirect.
    pub blocking: Option<Vec<Category>>,
    /// Set once the last legacy order has settled: then every remaining finding, in any path and
    /// any category, fails the gate, so the legacy code can be removed.
    #[serde(default)]
    pub cutover_complete: bool,
    /// Per-rule severity overrides, keyed by rule id. `off` drops the rule; `info` findings
    /// never block.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, SeverityOverride>")]
    pub severity: BTreeMap<String, Spanned<SeverityOverride>>,
    /// Globs of paths whose findings are ignored entirely (generated code, vendored SDKs).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
}

/// A rule's severity as the policy sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeverityOverride {
    Off,
    Info,
    Warning,
    Error,
}

/// A policy problem, located in the policy file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
}

/// Why a finding does not block the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Allowance {
    /// In `legacy_paths` before the cutover.
    LegacyPath,
    /// Outside `new_order_paths`.
    NotNewOrder,
    /// Its category is not in `blocking`.
    NotBlockingCategory,
    /// Info findings are notes, never failures.
    InfoSeverity,
}

impl Allowance {
    pub fn describe(self) -> &'static str {
        match self {
            Allowance::LegacyPath => "in a legacy path",
            Allowance::NotNewOrder => "outside the new-order paths",
            Allowance::NotBlockingCategory => "category not blocking",
            Allowance::InfoSeverity => "info severity",
        }
    }
}

/// A compiled policy.
#[derive(Debug)]
pub struct Policy {
    /// The file it came from; `None` for the default policy.
    pub source: Option<PathBuf>,
    new_order: Option<GlobSet>,
    legacy: GlobSet,
    ignore: GlobSet,
    blocking: BTreeSet<Category>,
    pub cutover_complete: bool,
    severity: BTreeMap<String, SeverityOverride>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            source: None,
            new_order: None,
            legacy: GlobSet::empty(),
            ignore: GlobSet::empty(),
            blocking: DEFAULT_BLOCKING.into_iter().collect(),
            cutover_complete: false,
            severity: BTreeMap::new(),
        }
    }
}

impl Policy {
    /// Loads `explicit`, or `root/makepay-migrate.yaml` when it exists, or the default policy.
    /// `rule_ids` are the ids severity overrides may name.
    pub fn discover(
        root: &Path,
        explicit: Option<&Path>,
        rule_ids: &HashSet<String>,
    ) -> Result<Policy, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let found = root.join(FILE_NAME);
                if !found.is_file() {
                    return Ok(Policy::default());
                }
                found
            }
        };
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
            file: file.clone(),
            message: e.to_string(),
        })?;
        let mut policy = Policy::parse(&file, &text, rule_ids)?;
        policy.source = Some(path);
        Ok(policy)
    }

    /// Parses and compiles a policy; `file` names it in errors.
    pub fn parse(
        file: &str,
        text: &str,
        rule_ids: &HashSet<String>,
    ) -> Result<Policy, ConfigError> {
        let raw: PolicyFile = if text.trim().is_empty() {
            PolicyFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| match e.location() {
                Some(loc) => ConfigError::Invalid {
                    file: file.to_string(),
                    line: loc.line(),
                    column: loc.column(),
                    message: e.to_string(),
                },
                None => ConfigError::Unreadable {
                    file: file.to_string(),
                    message: e.to_string(),
                },
            })?
        };
        let invalid = |at: &Spanned<String>, message: String| ConfigError::Invalid {
            file: file.to_string(),
            line: at.referenced.line(),
            column: at.referenced.column(),
            message,
        };
        let globs = |list: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
            let mut b = GlobSetBuilder::new();
            for g in list {
                let glob = globset::GlobBuilder::new(&g.value)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| invalid(g, format!("invalid glob: {}", e.kind())))?;
                b.add(glob);
            }
            b.build().map_err(|e| ConfigError::Unreadable {
                file: file.to_string(),
                message: e.to_string(),
            })
        };
        let mut severity = BTreeMap::new();
        for (id, level) in &raw.severity {
            if !rule_ids.contains(id) {
                let as_spanned = Spanned::new(id.clone(), level.referenced, level.defined);
                return Err(invalid(
                    &as_spanned,
                    format!(
                        "unknown rule id `{id}` in `severity` (see `makepay-migrate rules list`)"
                    ),
                ));
            }
            severity.insert(id.clone(), level.value);
        }
        Ok(Policy {
            source: None,
            new_order: raw.new_order_paths.as_deref().map(globs).transpose()?,
            legacy: globs(&raw.legacy_paths)?,
            ignore: globs(&raw.ignore)?,
            blocking: raw
                .blocking
                .map(|b| b.into_iter().collect())
                .unwrap_or_else(|| DEFAULT_BLOCKING.into_iter().collect()),
            cutover_complete: raw.cutover_complete,
            severity,
        })
    }

    /// Applies `ignore` and the severity overrides; `None` drops the finding.
    pub fn adjust(&self, mut f: Finding) -> Option<Finding> {
        if self.ignore.is_match(&f.path) {
            return None;
        }
        match self.severity.get(&f.rule) {
            Some(SeverityOverride::Off) => return None,
            Some(SeverityOverride::Info) => f.severity = Severity::Info,
            Some(SeverityOverride::Warning) => f.severity = Severity::Warning,
            Some(SeverityOverride::Error) => f.severity = Severity::Error,
            None => {}
        }
        Some(f)
    }

    /// Whether a path's findings are dropped by `ignore`.
    pub fn ignores(&self, path: &str) -> bool {
        self.ignore.is_match(path)
    }

    /// `Ok(())` when the finding fails the gate, or why it is allowed.
    pub fn judge(&self, f: &Finding) -> Result<(), Allowance> {
        if f.severity == Severity::Info {
            return Err(Allowance::InfoSeverity);
        }
        if self.cutover_complete {
            return Ok(());
        }
        if self.legacy.is_match(&f.path) {
            return Err(Allowance::LegacyPath);
        }
        if let Some(new_order) = &self.new_order {
            if !new_order.is_match(&f.path) {
                return Err(Allowance::NotNewOrder);
            }
        }
        if !self.blocking.contains(&f.category) {
            return Err(Allowance::NotBlockingCategory);
        }
        Ok(())
    }
}

/// The JSON Schema of the policy file, for editors (`makepay-migrate config schema`).
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(PolicyFile)).expect("schemas serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> HashSet<String> {
        ["oxapay-track-id".to_string()].into_iter().collect()
    }

    fn finding(path: &str, category: Category) -> Finding {
        Finding {
            rule: "oxapay-track-id".into(),
            path: path.into(),
            category,
            ..Finding::sample()
        }
    }

    fn err(text: &str) -> String {
        Policy::parse("p.yaml", text, &ids())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_key_is_located() {
        let e = err("legacy_paths: []\nblockng: [endpoint]\n");
        assert!(e.starts_with("p.yaml:2:1:"), "{e}");
        assert!(e.contains("blockng"), "{e}");
    }

    #[test]
    fn bad_glob_is_located() {
        let e = err("legacy_paths:\n  - 'ok/**'\n  - 'bad/[x'\n");
        assert!(e.starts_with("p.yaml:3:5: invalid glob"), "{e}");
    }

    #[test]
    fn unknown_rule_and_category_are_errors() {
        let e = err("severity:\n  oxapay-nope: off\n");
        assert!(
            e.starts_with("p.yaml:2:") && e.contains("oxapay-nope"),
            "{e}"
        );
        let e = err("blocking: [endpoint, invoices]\n");
        assert!(e.starts_with("p.yaml:1:") && e.contains("invoices"), "{e}");
    }

    #[test]
    fn legacy_paths_allow_until_cutover() {
        let text = "new_order_paths: ['src/**']\nlegacy_paths: ['src/legacy/**']\n";
        let p = Policy::parse("p", text, &ids()).unwrap();
        let inv = |path| finding(path, Category::InvoiceCreation);
        assert_eq!(p.judge(&inv("src/checkout/a.php")), Ok(()));
        assert_eq!(
            p.judge(&inv("src/legacy/a.php")),
            Err(Allowance::LegacyPath)
        );
        assert_eq!(p.judge(&inv("tools/a.php")), Err(Allowance::NotNewOrder));
        assert_eq!(
            p.judge(&finding("src/a.php", Category::CallbackVerification)),
            Err(Allowance::NotBlockingCategory)
        );
        let done = Policy::parse("p", &format!("{text}cutover_complete: true\n"), &ids()).unwrap();
        assert_eq!(done.judge(&inv("src/legacy/a.php")), Ok(()));
        assert_eq!(
            done.judge(&finding("x", Category::CallbackVerification)),
            Ok(())
        );
    }

    #[test]
    fn globs_do_not_cross_directories_with_one_star() {
        let p = Policy::parse("p", "legacy_paths: ['app/*.php']\n", &ids()).unwrap();
        assert!(p.legacy.is_match("app/a.php"));
        assert!(!p.legacy.is_match("app/sub/a.php"));
    }

    #[test]
    fn overrides_and_ignores_adjust_findings() {
        let p = Policy::parse(
            "p",
            "severity: {oxapay-track-id: info}\nignore: ['vendor/**']\n",
            &ids(),
        )
        .unwrap();
        assert!(p.adjust(finding("vendor/x.php", Category::Other)).is_none());
        let f = p.adjust(finding("a.php", Category::Endpoint)).unwrap();
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(p.judge(&f), Err(Allowance::InfoSeverity));
        let off = Policy::parse("p", "severity: {oxapay-track-id: off}\n", &ids()).unwrap();
        assert!(off.adjust(finding("a.php", Category::Endpoint)).is_none());
    }

    #[test]
    fn schema_names_every_key() {
        let s = schema();
        let props = s["properties"].as_object().unwrap();
        let keys: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "blocking",
                "cutover_complete",
                "ignore",
                "legacy_paths",
                "new_order_paths",
                "severity"
            ]
        );
        assert_eq!(s["additionalProperties"], serde_json::json!(false));
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("invoice-creation") && text.contains("\"off\""));
    }
}
