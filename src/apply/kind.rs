//! What `apply` can change, selectable with `--only`, and the languages it scaffolds.

use crate::lang::Language;
use serde::Deserialize;
use std::fmt;

/// One kind of change. Scaffold kinds create files from templates; the others edit files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// MakePay webhook signature verifier.
    Webhook,
    /// Status normaliser: MakePay and legacy statuses into one order-state set.
    Status,
    /// Payment-link creation (SDK first, direct API fallback).
    PaymentLink,
    /// Dual-run provider switch.
    Switch,
    /// Test skeleton in the repository's test framework.
    Tests,
    /// MAKEPAY_* lines in `.env.example`-style files.
    Env,
    /// Non-timing-safe legacy signature compares made timing-safe.
    TimingSafe,
    /// A `makepay-migrate:` marker comment above each finding (opt-in).
    Annotate,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::Webhook,
        ChangeKind::Status,
        ChangeKind::PaymentLink,
        ChangeKind::Switch,
        ChangeKind::Tests,
        ChangeKind::Env,
        ChangeKind::TimingSafe,
        ChangeKind::Annotate,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ChangeKind::Webhook => "webhook",
            ChangeKind::Status => "status",
            ChangeKind::PaymentLink => "payment-link",
            ChangeKind::Switch => "switch",
            ChangeKind::Tests => "tests",
            ChangeKind::Env => "env",
            ChangeKind::TimingSafe => "timing-safe",
            ChangeKind::Annotate => "annotate",
        }
    }

    pub fn from_id(id: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// Kinds run when `--only` names no kind: everything but the marker comments, which are
    /// noise unless asked for.
    pub fn is_default(self) -> bool {
        self != ChangeKind::Annotate
    }

    /// Kinds driven by findings, which `--only RULE` narrows to those rules.
    pub fn is_finding_driven(self) -> bool {
        matches!(self, ChangeKind::TimingSafe | ChangeKind::Annotate)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A language `apply` has scaffold templates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ScaffoldLang {
    Javascript,
    Typescript,
    Python,
    Php,
    Go,
    Rust,
}

impl ScaffoldLang {
    pub const ALL: [ScaffoldLang; 6] = [
        ScaffoldLang::Javascript,
        ScaffoldLang::Typescript,
        ScaffoldLang::Python,
        ScaffoldLang::Php,
        ScaffoldLang::Go,
        ScaffoldLang::Rust,
    ];

    /// Directory name under `templates/apply/`.
    pub fn id(self) -> &'static str {
        match self {
            ScaffoldLang::Javascript => "javascript",
            ScaffoldLang::Typescript => "typescript",
            ScaffoldLang::Python => "python",
            ScaffoldLang::Php => "php",
            ScaffoldLang::Go => "go",
            ScaffoldLang::Rust => "rust",
        }
    }

    pub fn from_language(lang: Language) -> Option<ScaffoldLang> {
        match lang {
            Language::Javascript => Some(ScaffoldLang::Javascript),
            Language::Typescript => Some(ScaffoldLang::Typescript),
            Language::Python => Some(ScaffoldLang::Python),
            Language::Php => Some(ScaffoldLang::Php),
            Language::Go => Some(ScaffoldLang::Go),
            Language::Rust => Some(ScaffoldLang::Rust),
            _ => None,
        }
    }
}

impl fmt::Display for ScaffoldLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
