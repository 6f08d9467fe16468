//! SARIF 2.1.0 for GitHub code scanning: a hand-written subset of the schema with exactly the
//! parts GitHub reads (serde-sarif compiles the whole schema at build time and pulls in two more
//! syn versions). Every run has a `results` array, empty or not, because GitHub treats a missing
//! run as "nothing uploaded" rather than "all fixed".

use super::Printer;
use crate::finding::{Confidence, Severity};
use crate::rules::Rule;
use crate::scan::ScanOutcome;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://makepay.io";
/// Key of our fingerprint in `partialFingerprints`; versioned so a future change of the
/// fingerprint recipe does not match old alerts by accident.
const FINGERPRINT_KEY: &str = "makepayMigrate/v1";

pub struct SarifPrinter<'a> {
    /// The rules that ran; findings of other rule ids (wrapper calls) describe themselves.
    pub rules: &'a [Rule],
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    /// Columns count characters, as `Finding` does.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    /// The provider graph's path to a derived finding (the finding's `via`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: LineLocation<'a>,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: LineRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineRegion {
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    /// Relative to the scan root; run the check from the repository root for code scanning.
    uri: &'a str,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn precision(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "very-high",
        Confidence::Medium => "high",
        Confidence::Low => "medium",
    }
}

/// What a rule descriptor says; from the rule when it ran, else from its first finding.
struct RuleText<'a> {
    id: &'a str,
    provider: String,
    category: &'static str,
    severity: Severity,
    confidence: Confidence,
    message: &'a str,
    replacement: &'a str,
}

impl RuleText<'_> {
    fn descriptor(&self) -> ReportingDescriptor {
        let short = self.message.split(". ").next().unwrap_or(self.message);
        ReportingDescriptor {
            id: self.id.to_string(),
            name: self.id.to_string(),
            short_description: Text {
                text: short.trim_end_matches('.').to_string(),
            },
            full_description: Text {
                text: format!(
                    "{} ({} {}).",
                    self.message.trim_end_matches('.'),
                    self.provider,
                    self.category
                ),
            },
            help: Help {
                text: format!(
                    "MakePay replacement: {}\nSuppress a reviewed line with a comment: \
                     makepay-migrate: allow {} -- <reason>",
                    self.replacement, self.id
                ),
                markdown: format!(
                    "**MakePay replacement:** {}\n\nSuppress a reviewed line with a comment: \
                     `makepay-migrate: allow {} -- <reason>`",
                    self.replacement, self.id
                ),
            },
            default_configuration: Configuration {
                level: level(self.severity),
            },
            properties: RuleProperties {
                tags: vec![self.provider.to_lowercase(), self.category.to_string()],
                precision: precision(self.confidence),
            },
        }
    }
}

impl Printer for SarifPrinter<'_> {
    fn print(&self, outcome: &ScanOutcome, out: &mut dyn Write) -> io::Result<()> {
        let by_id: BTreeMap<&str, &Rule> = self.rules.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut used: BTreeMap<&str, RuleText> = BTreeMap::new();
        for f in &outcome.findings {
            used.entry(&f.rule)
                .or_insert_with(|| match by_id.get(f.rule.as_str()) {
                    Some(r) => RuleText {
                        id: &r.id,
                        provider: r.provider.display_name().to_string(),
                        category: r.category.id(),
                        severity: r.severity,
                        confidence: r.confidence,
                        message: &r.message,
                        replacement: &r.replacement,
                    },
                    None => RuleText {
                        id: &f.rule,
                        provider: f.provider.display_name().to_string(),
                        category: f.category.id(),
                        severity: f.severity,
                        confidence: f.confidence,
                        message: &f.message,
                        replacement: &f.replacement,
                    },
                });
        }
        let index: BTreeMap<&str, usize> = used.keys().enumerate().map(|(i, k)| (*k, i)).collect();
        let results = outcome
            .findings
            .iter()
            .map(|f| SarifResult {
                rule_id: &f.rule,
                rule_index: index[f.rule.as_str()],
                level: level(f.severity),
                message: Text {
                    text: format!("{} MakePay: {}", end_sentence(&f.message), f.replacement),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: &f.path,
                            uri_base_id: "%SRCROOT%",
                        },
                        region: Region {
                            start_line: f.line,
                            start_column: f.column,
                            end_line: f.end_line,
                            end_column: f.end_column,
                        },
                    },
                }],
                related_locations: f
                    .via
                    .iter()
                    .enumerate()
                    .map(|(id, v)| RelatedLocation {
                        id,
                        physical_location: LineLocation {
                            artifact_location: ArtifactLocation {
                                uri: &v.path,
                                uri_base_id: "%SRCROOT%",
                            },
                            region: LineRegion { start_line: v.line },
                        },
                        message: Text {
                            text: v.what.clone(),
                        },
                    })
                    .collect(),
                partial_fingerprints: [(FINGERPRINT_KEY, f.fingerprint.as_str())].into(),
            })
            .collect();
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "makepay-migrate",
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        information_uri: INFORMATION_URI,
                        rules: used.values().map(RuleText::descriptor).collect(),
                    },
                },
                column_kind: "unicodeCodePoints",
                results,
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn end_sentence(s: &str) -> String {
    let s = s.trim_end();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, Finding};
    use crate::scan::Summary;
    use serde_json::Value;

    fn sarif(findings: Vec<Finding>) -> Value {
        let outcome = ScanOutcome {
            root: ".".into(),
            findings,
            summary: Summary::default(),
        };
        let mut out = Vec::new();
        SarifPrinter { rules: &[] }
            .print(&outcome, &mut out)
            .unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn empty_scan_still_has_a_run_with_results() {
        let v = sarif(Vec::new());
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"],
            serde_json::json!([])
        );
    }

    #[test]
    fn findings_of_unknown_rules_describe_themselves() {
        let f = Finding {
            rule: "oxapay-wrapper-call".into(),
            category: Category::InvoiceCreation,
            severity: Severity::Warning,
            message: "calls `createInvoice`".into(),
            replacement: "MakePay invoice".into(),
            fingerprint: "00ff".into(),
            via: Vec::new(),
            mention: None,
            ..Finding::sample()
        };
        let v = sarif(vec![f]);
        let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "oxapay-wrapper-call");
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!(["oxapay", "invoice-creation"])
        );
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["level"], "warning");
        assert_eq!(
            r["message"]["text"],
            "calls `createInvoice`. MakePay: MakePay invoice"
        );
        assert_eq!(r["partialFingerprints"]["makepayMigrate/v1"], "00ff");
    }
}
