//! The baseline: a committed JSON file of the blocking findings a team has accepted for now.
//! The gate fails only on findings whose fingerprint is not in it, so a migration can start on
//! a codebase full of legacy calls and ratchet down. Entries are keyed on the finding's
//! fingerprint (rule, path, function, normalised snippet, occurrence index), never on line
//! numbers, so unrelated edits above a finding do not churn the file.

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// Version of the baseline file format.
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    /// Sorted by path, rule, fingerprint, so the file diffs cleanly.
    pub findings: Vec<Entry>,
}

/// One accepted finding. Only `fingerprint` is compared; the rest tells a reviewer what it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub function: Option<String>,
    pub snippet: String,
}

impl Baseline {
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .into_iter()
            .map(|f| Entry {
                path: f.path.clone(),
                rule: f.rule.clone(),
                fingerprint: f.fingerprint.clone(),
                function: f.function.clone(),
                snippet: f.snippet.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: VERSION,
            findings: entries,
        }
    }

    pub fn read(path: &Path) -> anyhow::Result<Baseline> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e} (create it with `makepay-migrate check --baseline {0} --update-baseline`)",
                path.display()
            )
        })?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
        if baseline.version != VERSION {
            anyhow::bail!(
                "{}: baseline version {} is not supported (expected {VERSION})",
                path.display(),
                baseline.version
            );
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    pub fn fingerprints(&self) -> BTreeSet<&str> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    /// Entries no current finding matches: fixed since the baseline was written.
    pub fn fixed(&self, current: &BTreeSet<&str>) -> Vec<Entry> {
        self.findings
            .iter()
            .filter(|e| !current.contains(e.fingerprint.as_str()))
            .cloned()
            .collect()
    }
}
