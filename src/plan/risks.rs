//! Risks the scan saw, worth fixing before (or while) migrating: some come straight from rules
//! (handlers that never verify, `==` on signatures), the rest are read from the code around the
//! findings (a signature over re-serialised JSON, a literal key, payouts beside checkout).

use super::source::SourceFile;
use crate::finding::{Category, Finding, Provider};
use crate::redact::{is_redacted, redact_key};
use regex::Regex;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// What kind of risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RiskKind {
    /// A callback handler that trusts the payload without checking its signature.
    UnverifiedWebhook,
    /// A signature computed over JSON re-serialised from the parsed body, not the raw bytes.
    ReserializedBody,
    /// A signature compared with `==`/`===`, which leaks timing.
    TimingUnsafeCompare,
    /// An API key written into the source.
    HardcodedKey,
    /// Payout code in the same file as checkout code.
    PayoutInCheckout,
}

impl RiskKind {
    pub fn title(self) -> &'static str {
        match self {
            RiskKind::UnverifiedWebhook => "Webhook handler without signature verification",
            RiskKind::ReserializedBody => "Signature over re-serialised JSON, not the raw body",
            RiskKind::TimingUnsafeCompare => "Signature compared without a timing-safe compare",
            RiskKind::HardcodedKey => "API key hard-coded in source",
            RiskKind::PayoutInCheckout => "Payout code mixed into checkout code",
        }
    }

    pub fn advice(self) -> &'static str {
        match self {
            RiskKind::UnverifiedWebhook => {
                "Anyone can mark an order paid. Verify the legacy signature now and x-makepay-signature on the MakePay route; fail closed."
            }
            RiskKind::ReserializedBody => {
                "Re-encoding changes key order, spacing and escapes, so valid callbacks fail or forged ones pass. Keep the raw request bytes and sign those; MakePay signs `{t}.{raw body}` the same way."
            }
            RiskKind::TimingUnsafeCompare => {
                "Use the language's constant-time compare (timingSafeEqual, hash_equals, hmac.compare_digest, hmac.Equal, CryptographicOperations.FixedTimeEquals, MessageDigest.isEqual) on equal-length digests."
            }
            RiskKind::HardcodedKey => {
                "Rotate this key with the provider and move it to the secret manager; put the MakeCrypto key and webhook secret there from the start."
            }
            RiskKind::PayoutInCheckout => {
                "Payouts stay on the legacy provider with their own key and callbacks; split them out before rewiring checkout so the flag does not switch them."
            }
        }
    }
}

/// One risk, located.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Risk {
    pub kind: RiskKind,
    pub title: String,
    pub provider: Provider,
    pub path: String,
    pub line: usize,
    pub function: Option<String>,
    /// The source line that shows it, secrets redacted; `null` when the risk spans places.
    pub snippet: Option<String>,
    /// Where the parts are, when the risk spans places (payouts beside checkout).
    pub detail: Option<String>,
    pub advice: String,
}

/// Rule-id fragments that mark a handler that never verifies (checked against the rule packs by a
/// test, so a renamed rule cannot silently drop the risk).
pub const UNVERIFIED_RULE_MARKERS: [&str; 4] = [
    "without-verification",
    "without-hmac",
    "no-verification",
    "unverified",
];

/// Rule-id fragment that marks a plain `==` on a signature.
pub const UNSAFE_COMPARE_RULE_MARKER: &str = "-unsafe-";

/// Serialisers that turn a parsed body back into JSON.
static RESERIALIZE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"JSON\.stringify\s*\(|json\.dumps\s*\(|json_encode\s*\(|json\.Marshal\s*\(|JsonSerializer\.Serialize|JsonConvert\.SerializeObject|serde_json::to_(?:string|vec)|writeValueAsString|\.to_json(?-u:\b)|JSON\.generate\s*\(",
    )
    .expect("valid regex")
});

/// A quoted literal or `KEY=value` that looks like a real key: long, letters and digits, not a
/// placeholder or an environment variable name.
/// Finds the risks among `findings` (sorted), reading their files in `sources`.
pub fn detect(findings: &[&Finding], sources: &BTreeMap<String, SourceFile>) -> Vec<Risk> {
    let mut out: Vec<Risk> = Vec::new();
    for f in findings {
        if let Some(kind) = rule_risk(f) {
            out.push(risk(kind, f, Some(f.snippet.clone()), None));
        }
        if is_legacy_body_signature(f) {
            let reserialized = sources
                .get(&f.path)
                .is_some_and(|src| RESERIALIZE.is_match(src.scope_of(f)));
            if reserialized && !seen(&out, RiskKind::ReserializedBody, f) {
                out.push(risk(
                    RiskKind::ReserializedBody,
                    f,
                    Some(f.snippet.clone()),
                    None,
                ));
            }
        }
        if matches!(f.category, Category::Credentials | Category::Payout) {
            // The scan already redacts key literals in credential snippets; older JSON may not.
            let redacted = redact_key(&f.snippet)
                .or_else(|| is_redacted(&f.snippet).then(|| f.snippet.clone()));
            if let Some(redacted) = redacted {
                if !out.iter().any(|r| {
                    r.kind == RiskKind::HardcodedKey && r.path == f.path && r.line == f.line
                }) {
                    out.push(risk(RiskKind::HardcodedKey, f, Some(redacted), None));
                }
            }
        }
    }
    out.extend(payout_in_checkout(findings));
    out.sort_by(|a, b| (a.kind, &a.path, a.line).cmp(&(b.kind, &b.path, b.line)));
    out
}

fn rule_risk(f: &Finding) -> Option<RiskKind> {
    if f.category != Category::CallbackVerification {
        return None;
    }
    if UNVERIFIED_RULE_MARKERS.iter().any(|m| f.rule.contains(m)) {
        Some(RiskKind::UnverifiedWebhook)
    } else if f.rule.contains(UNSAFE_COMPARE_RULE_MARKER) {
        Some(RiskKind::TimingUnsafeCompare)
    } else {
        None
    }
}

/// OxaPay signs the raw body, so a serialiser near its HMAC is a bug. Cryptomus' scheme is
/// defined over re-encoded JSON (MD5 of base64 of the JSON), so it is not flagged there.
fn is_legacy_body_signature(f: &Finding) -> bool {
    f.provider == Provider::Oxapay
        && f.category == Category::CallbackVerification
        && f.rule.contains("hmac")
        && rule_risk(f).is_none()
}

fn seen(out: &[Risk], kind: RiskKind, f: &Finding) -> bool {
    out.iter()
        .any(|r| r.kind == kind && r.path == f.path && r.function == f.function)
}

fn risk(kind: RiskKind, f: &Finding, snippet: Option<String>, detail: Option<String>) -> Risk {
    Risk {
        kind,
        title: kind.title().to_string(),
        provider: f.provider,
        path: f.path.clone(),
        line: f.line,
        function: f.function.clone(),
        snippet,
        detail,
        advice: kind.advice().to_string(),
    }
}

/// Payout findings in a function that also creates invoices or redirects buyers, or in a file
/// whose other functions do. Top-level code alone (type and constant definitions) does not count.
fn payout_in_checkout(findings: &[&Finding]) -> Vec<Risk> {
    let is_checkout = |f: &Finding| {
        matches!(
            f.category,
            Category::InvoiceCreation | Category::CheckoutRedirect | Category::WhiteLabel
        )
    };
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.function.is_some()) {
        by_file.entry(&f.path).or_default().push(f);
    }
    by_file
        .values()
        .filter_map(|fs| {
            let payout = fs.iter().find(|f| f.category == Category::Payout)?;
            let checkout = fs
                .iter()
                .filter(|f| is_checkout(f))
                .min_by_key(|f| (f.function != payout.function, f.line))?;
            let detail = if checkout.function == payout.function {
                format!(
                    "payout and checkout in the same function (lines {} and {})",
                    payout.line, checkout.line
                )
            } else {
                format!(
                    "checkout in `{}` (line {}) of the same file",
                    checkout.function.as_deref().unwrap_or_default(),
                    checkout.line
                )
            };
            Some(risk(
                RiskKind::PayoutInCheckout,
                payout,
                Some(payout.snippet.clone()),
                Some(detail),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_markers_classify_rule_ids() {
        let mut f = Finding {
            rule: "oxapay-callback-without-hmac".into(),
            category: Category::CallbackVerification,
            ..Finding::sample()
        };
        assert_eq!(rule_risk(&f), Some(RiskKind::UnverifiedWebhook));
        f.rule = "cryptomus-unsafe-sign-compare".into();
        assert_eq!(rule_risk(&f), Some(RiskKind::TimingUnsafeCompare));
        f.rule = "oxapay-hmac-sha512-node".into();
        assert_eq!(rule_risk(&f), None);
        assert!(is_legacy_body_signature(&f));
    }
}
