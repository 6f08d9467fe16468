//! Key literals in snippets: findings travel into CI logs, SARIF uploads and agent briefs, so a
//! hard-coded API key is shown as its first four characters and its length, never whole.

use regex::Regex;
use std::sync::LazyLock;

static KEY_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"`]([A-Za-z0-9][A-Za-z0-9_\-]{15,})['"`]|^\s*[A-Z][A-Z0-9_]*\s*=\s*['"]?([A-Za-z0-9][A-Za-z0-9_\-]{15,})"#)
        .expect("valid regex")
});

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)your|xxx|change|example|sample|placeholder|dummy|test|secret|token|key_?here")
        .expect("valid regex")
});

static REDACTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"…\(\d+ chars\)").expect("valid regex"));

/// The snippet with its key literal shortened to four characters and its length, or `None`
/// when the snippet holds no key-like literal.
pub fn redact_key(snippet: &str) -> Option<String> {
    let caps = KEY_LITERAL.captures(snippet)?;
    let m = caps.get(1).or_else(|| caps.get(2))?;
    let value = m.as_str();
    let identifier = value
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
        && value.contains('_');
    let mixed =
        value.bytes().any(|b| b.is_ascii_digit()) && value.bytes().any(|b| b.is_ascii_alphabetic());
    if identifier || !mixed || PLACEHOLDER.is_match(value) {
        return None;
    }
    let shown: String = value.chars().take(4).collect();
    let redacted = format!("{shown}…({} chars)", value.chars().count());
    Some(format!(
        "{}{redacted}{}",
        &snippet[..m.start()],
        &snippet[m.end()..]
    ))
}

/// Whether `snippet` went through [`redact_key`] and had a key in it.
pub fn is_redacted(snippet: &str) -> bool {
    REDACTED.is_match(snippet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted_and_names_are_not_keys() {
        assert_eq!(
            redact_key("const KEY = 'N7QW3XK2PL9M4TZ8';").as_deref(),
            Some("const KEY = 'N7QW…(16 chars)';")
        );
        assert_eq!(
            redact_key("OXAPAY_MERCHANT_KEY=8f2b9c0d1e3a4b5c6d7e").as_deref(),
            Some("OXAPAY_MERCHANT_KEY=8f2b…(20 chars)")
        );
        assert_eq!(redact_key("required('OXAPAY_MERCHANT_KEY')"), None);
        assert_eq!(
            redact_key("OXAPAY_MERCHANT_KEY=your-merchant-key-here"),
            None
        );
        assert_eq!(redact_key("apiKey: process.env.OXAPAY_KEY"), None);
        assert!(is_redacted("const KEY = 'N7QW…(16 chars)';"));
        assert!(!is_redacted("const KEY = 'N7QW3XK2PL9M4TZ8';"));
    }
}
