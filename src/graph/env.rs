//! Environment variables: provider code reads its keys and URLs from the environment under names
//! that rarely say whose they are (`MERCHANT_ID`, `PAYMENT_KEY`, `PAYOUT_KEY`), and the files
//! that define them (`.env.example`, `.env.production`) are where a migration adds MakePay's
//! keys next to them. A variable is the provider's when a provider finding's line reads it.

use crate::finding::{Category, Provider};
use regex::Regex;
use std::sync::OnceLock;

/// The reads of an environment variable across the stacks: `process.env.X`, `os.environ["X"]`,
/// `os.getenv("X")`, `getenv('X')`, `env('X')`, `ENV["X"]`, `ENV.fetch("X")`,
/// `System.getenv("X")`, `Environment.GetEnvironmentVariable("X")`, `os.Getenv("X")`,
/// `env::var("X")`, `Deno.env.get("X")`, `import.meta.env.X`, `$_ENV['X']`.
fn read_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:process\.env|import\.meta\.env)\.([A-Z][A-Z0-9_]{2,})|(?:process\.env|os\.environ|ENV|\$_ENV|\$_SERVER)\s*\[\s*['"]([A-Z][A-Z0-9_]{2,})['"]|(?:os\.environ\.get|os\.getenv|getenv|env|ENV\.fetch|System\.getenv|Environment\.GetEnvironmentVariable|os\.Getenv|os\.LookupEnv|env::var|std::env::var|Deno\.env\.get|config\.get)\s*\(\s*['"]([A-Z][A-Z0-9_]{2,})['"]"#,
        )
        .expect("the environment read pattern is valid")
    })
}

/// The environment variables `line` reads.
pub fn reads(line: &str) -> Vec<&str> {
    read_pattern()
        .captures_iter(line)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
        .map(|m| m.as_str())
        .collect()
}

/// What a variable that provider code reads is, by its name: a payout key, a key or merchant
/// ID, or (when its name spells the provider) whatever the reading line does. `None` for the
/// rest: a generic URL or setting is usually the app's own.
pub fn category_of(name: &str, provider: Provider, reading: Category) -> Option<Category> {
    let upper = name.to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| upper.contains(w));
    if has(&["PAYOUT"]) {
        Some(Category::Payout)
    } else if has(&["KEY", "SECRET", "TOKEN", "MERCHANT", "UUID", "PASSWORD"]) {
        Some(Category::Credentials)
    } else if upper.contains(&provider.id().to_ascii_uppercase()) {
        Some(reading)
    } else {
        None
    }
}

/// The variable a dotenv line defines (`MERCHANT_ID=...`, `export PAYOUT_KEY="..."`), with the
/// byte offset of its name.
pub fn defined(line: &str) -> Option<(&str, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=").expect("valid")
    });
    let name = re.captures(line)?.get(1)?;
    Some((name.as_str(), name.start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_stacks() {
        assert_eq!(
            reads("merchantId: process.env.MERCHANT_ID || \"\","),
            vec!["MERCHANT_ID"]
        );
        assert_eq!(
            reads("key = os.environ[\"PAY_KEY\"]; url = os.getenv('PAY_URL')"),
            vec!["PAY_KEY", "PAY_URL"]
        );
        assert_eq!(
            reads("'merchant_key' => env('MERCHANT_KEY'),"),
            vec!["MERCHANT_KEY"]
        );
        assert_eq!(
            reads("key := os.Getenv(\"GATEWAY_KEY\")"),
            vec!["GATEWAY_KEY"]
        );
        assert!(reads("const env = process.env;").is_empty());
        assert!(reads("order.env('x')").is_empty());
    }

    #[test]
    fn keys_count_and_generic_urls_do_not() {
        let p = Provider::Cryptomus;
        assert_eq!(
            category_of("PAYOUT_KEY", p, Category::Endpoint),
            Some(Category::Payout)
        );
        assert_eq!(
            category_of("MERCHANT_ID", p, Category::Endpoint),
            Some(Category::Credentials)
        );
        assert_eq!(
            category_of("CRYPTOMUS_API_URL", p, Category::Endpoint),
            Some(Category::Endpoint)
        );
        assert_eq!(category_of("PUBLIC_URL", p, Category::CallbackConfig), None);
    }

    #[test]
    fn dotenv_definitions() {
        assert_eq!(defined("MERCHANT_ID=your_id"), Some(("MERCHANT_ID", 0)));
        assert_eq!(defined("export PAYOUT_KEY=\"x\""), Some(("PAYOUT_KEY", 7)));
        assert_eq!(defined("# MERCHANT_ID=commented"), None);
    }
}
