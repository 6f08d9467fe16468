//! The one type every consumer reads: a [`Finding`], plus the small vocabularies it is built from.
//!
//! The JSON form of these types is a public, versioned contract (`scan --format json`), so the
//! serde names here are spelled out and must only ever be extended.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A legacy payment provider the tool migrates away from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Oxapay,
    Cryptomus,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Oxapay, Provider::Cryptomus];

    /// Lower-case identifier used in rule directories, JSON and CLI flags.
    pub fn id(self) -> &'static str {
        match self {
            Provider::Oxapay => "oxapay",
            Provider::Cryptomus => "cryptomus",
        }
    }

    /// Human spelling, as the providers write their own names.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Oxapay => "OxaPay",
            Provider::Cryptomus => "Cryptomus",
        }
    }

    /// Whether `path` spells the provider's name in any case (`src/cryptomus/sign.ts`,
    /// `OxaPayGateway.php`): code kept under such a path is the provider's client code.
    pub fn named_in(self, path: &str) -> bool {
        let id = self.id().as_bytes();
        path.as_bytes()
            .windows(id.len())
            .any(|w| w.eq_ignore_ascii_case(id))
    }

    pub fn from_id(id: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == id)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// The fixed category vocabulary shared by scan, plan, check and the docs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Endpoint,
    InvoiceCreation,
    WhiteLabel,
    StaticAddress,
    PaymentLookup,
    Credentials,
    RequestSigning,
    ProviderIdStorage,
    CheckoutRedirect,
    CallbackConfig,
    CallbackVerification,
    CallbackResponse,
    IpAllowlist,
    StatusHandling,
    Payout,
    Dependency,
    Other,
}

impl Category {
    pub const ALL: [Category; 17] = [
        Category::Endpoint,
        Category::InvoiceCreation,
        Category::WhiteLabel,
        Category::StaticAddress,
        Category::PaymentLookup,
        Category::Credentials,
        Category::RequestSigning,
        Category::ProviderIdStorage,
        Category::CheckoutRedirect,
        Category::CallbackConfig,
        Category::CallbackVerification,
        Category::CallbackResponse,
        Category::IpAllowlist,
        Category::StatusHandling,
        Category::Payout,
        Category::Dependency,
        Category::Other,
    ];

    /// The kebab-case name used in JSON, YAML and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Category::Endpoint => "endpoint",
            Category::InvoiceCreation => "invoice-creation",
            Category::WhiteLabel => "white-label",
            Category::StaticAddress => "static-address",
            Category::PaymentLookup => "payment-lookup",
            Category::Credentials => "credentials",
            Category::RequestSigning => "request-signing",
            Category::ProviderIdStorage => "provider-id-storage",
            Category::CheckoutRedirect => "checkout-redirect",
            Category::CallbackConfig => "callback-config",
            Category::CallbackVerification => "callback-verification",
            Category::CallbackResponse => "callback-response",
            Category::IpAllowlist => "ip-allowlist",
            Category::StatusHandling => "status-handling",
            Category::Payout => "payout",
            Category::Dependency => "dependency",
            Category::Other => "other",
        }
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How much a finding matters for the migration. Ordered from least to most severe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How sure a rule is that a match is provider code. Doubles as the rule's tier in provider
/// gating: `High` rules are anchors, `Medium` need an anchor in the file, `Low` need a
/// provider-scoped function. Ordered from least to most confident.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn id(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One touchpoint of a legacy provider in the scanned tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub provider: Provider,
    pub category: Category,
    pub severity: Severity,
    pub confidence: Confidence,
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based line of the match start.
    pub line: usize,
    /// 1-based column (in characters) of the match start.
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Enclosing function or method (`Class.method` where a class exists); `None` at top level.
    pub function: Option<String>,
    /// The trimmed source line of the match start.
    pub snippet: String,
    pub message: String,
    /// The MakePay counterpart of what was found.
    pub replacement: String,
    /// Stable across line moves: hashes rule, path, function, normalised snippet and the
    /// occurrence index of that tuple, never line numbers.
    pub fingerprint: String,
    /// How the provider graph reached this site, from the seed that names the provider to the
    /// line before this one; empty for findings a rule makes on its own line. Added in
    /// contract v1 (add-only): absent from the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Via>,
    /// Why a mention of the provider's name is at `info`: a message for people, or one of the
    /// repository's own names (listed only with `scan --mentions`). Added in contract v1
    /// (add-only): absent from the JSON for every other finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<Mention>,
}

/// What a mention of a provider's name that asks for no change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mention {
    /// A log, exception or UI message.
    Message,
    /// The repository's own name: namespace, package, text domain, asset handle, manifest
    /// metadata, a provider-named helper that does no provider work.
    Name,
}

/// One step of a derived finding's provenance: a place and what was taken from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Via {
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// What the step is, for people: `uses CREATE_INVOICE_URL`, `imports cryptomus`.
    pub what: String,
}

impl Finding {
    /// The order every output uses: path, then position, then rule id.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (&self.path, self.line, self.column, &self.rule)
    }
}

#[cfg(test)]
impl Finding {
    /// An OxaPay endpoint finding for unit tests; change fields with struct update syntax.
    pub fn sample() -> Finding {
        Finding {
            rule: "oxapay-api-host".into(),
            provider: Provider::Oxapay,
            category: Category::Endpoint,
            severity: Severity::Error,
            confidence: Confidence::High,
            path: "src/pay.php".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            function: None,
            snippet: String::new(),
            message: "OxaPay API host".into(),
            replacement: "MakePay API".into(),
            fingerprint: "0000".into(),
            via: Vec::new(),
            mention: None,
        }
    }
}
