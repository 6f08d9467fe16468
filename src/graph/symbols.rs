//! Constants, settings and method tables that hold a provider value, and the places that use
//! them: `CREATE_INVOICE_URL = "https://api.oxapay.com/v1/payment/invoice"` is found where it is
//! defined, but the line a migration edits is `axios.post(CREATE_INVOICE_URL, body)` in another
//! function or file, and `'createPayout' => '/v1/payout'` matters where `request('createPayout')`
//! is called.

use crate::lang::{RegionKind, SyntaxView};
use regex::Regex;
use std::sync::OnceLock;

/// How a symbol is written where it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A constant, setting or field: used as an identifier (`API_URL`, `self::API_URL`).
    Identifier,
    /// A key of a method table: used as a string (`request('createPayout', ...)`).
    Key,
}

/// Names too common to follow: a local `url` or `data` is not the provider's constant.
const COMMON: &[&str] = &[
    "url",
    "uri",
    "base",
    "host",
    "path",
    "data",
    "body",
    "type",
    "name",
    "value",
    "key",
    "api",
    "config",
    "settings",
    "options",
    "params",
    "headers",
    "result",
    "response",
    "default",
    "method",
    "endpoint",
    "status",
    "amount",
    "currency",
    "network",
    "address",
    "token",
    "secret",
    "merchant",
    "sign",
    "version",
    "timeout",
    "client",
    "request",
    "payment",
    "invoice",
    "payout",
    "wallet",
    "order",
    "description",
    "email",
    "callback",
    "lifetime",
    "sandbox",
    "mode",
    "test",
    "live",
    "id",
    "uuid",
];

fn definition() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"^\s*(?:export\s+)?(?:(?:pub(?:\([\w:]+\))?|public|private|protected|internal|static|final|readonly|const|let|var|val|override)\s+)*(?:\w[\w.<>\[\],?*&]*\s+)??\$?([A-Za-z_]\w*)\s*(?::\s*[^=\n]+?)?\s*:?=(?:[^=>~]|$)|^\s*define\s*\(\s*['"](\w+)['"]|^\s*['"]([A-Za-z_][\w-]*)['"]\s*(?:=>|:)\s*['"]"#,
        )
        .expect("the definition pattern is valid")
    })
}

/// The name a line defines, if it is a top-level or class-level definition: a constant or
/// setting (`const API_URL = `, `define('API_URL', `, `private $baseUrl = `) or a method-table
/// entry whose value is a string (`'createPayout' => '/v1/payout'`), and the byte offset where
/// its value starts: a provider token before it is in the name, not in the value.
pub fn defined_name(line: &str) -> Option<(String, Kind, usize)> {
    let caps = definition().captures(line)?;
    let value_at = caps.get(0).map_or(0, |m| m.end().saturating_sub(1));
    let (name, kind) = match (caps.get(1), caps.get(2), caps.get(3)) {
        (Some(n), _, _) | (None, Some(n), _) => (n.as_str(), Kind::Identifier),
        (None, None, Some(n)) => (n.as_str(), Kind::Key),
        _ => return None,
    };
    // A table entry maps a name to a path or URL; `"text": "Created an invoice"` is a label.
    if kind == Kind::Key && !line[value_at..].contains('/') {
        return None;
    }
    let keyword = matches!(
        name,
        "const" | "let" | "var" | "val" | "return" | "self" | "this"
    );
    // Keys and secrets are passed along to every client call; their definitions and the
    // requests that send them are the touchpoints.
    let lower = name.to_ascii_lowercase();
    let secret = ["key", "secret", "token", "password"]
        .iter()
        .any(|w| lower.contains(w));
    (name.len() >= 4 && !keyword && !secret && !COMMON.contains(&name))
        .then(|| (name.to_string(), kind, value_at))
}

/// Whether a use in `statement` only moves the name around (`import`, `export { X }`, `use`,
/// `const { X } = require(...)`, `module.exports = { X }`): the definition and the real uses
/// are the touchpoints.
pub fn moves_only(statement: &str) -> bool {
    let t = statement.trim_start();
    [
        "import ",
        "export {",
        "from ",
        "use ",
        "require",
        "module.exports",
        "exports.",
        "#include",
    ]
    .iter()
    .any(|p| t.starts_with(p))
        || t.contains("= require(")
}

/// Offsets in `src` where `name` is used as `kind` says: as a whole identifier in code, or as a
/// whole string literal.
pub fn uses(src: &str, view: &SyntaxView, name: &str, kind: Kind) -> Vec<usize> {
    let bytes = src.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    src.match_indices(name)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + name.len()).copied();
            match kind {
                Kind::Identifier => {
                    !before.is_some_and(ident)
                        && !after.is_some_and(ident)
                        && view.region_at(at) == RegionKind::Code
                }
                Kind::Key => {
                    matches!(before, Some(b'\'' | b'"' | b'`'))
                        && before == after
                        && view.region_at(at) == RegionKind::String
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{build_view, Language};

    #[test]
    fn definitions_are_named() {
        let name = |l: &str| defined_name(l).map(|(n, _, _)| n);
        assert_eq!(
            name("const CREATE_INVOICE_URL = 'https://x';").as_deref(),
            Some("CREATE_INVOICE_URL")
        );
        assert_eq!(
            name("    createInvoiceEndpoit          = \"/payment\"").as_deref(),
            Some("createInvoiceEndpoit")
        );
        assert_eq!(
            name("  public static final String PAYMENT_CREATE = BASE + \"payment\";").as_deref(),
            Some("PAYMENT_CREATE")
        );
        assert_eq!(
            name("define('OXAPAY_ENDPOINT', 'https://api.oxapay.com');").as_deref(),
            Some("OXAPAY_ENDPOINT")
        );
        assert_eq!(
            name("    'createPayout' => '/v1/payout',").as_deref(),
            Some("createPayout")
        );
        assert_eq!(
            defined_name("    'createPayout' => '/v1/payout',").map(|d| d.1),
            Some(Kind::Key)
        );
        assert_eq!(name("const url = 'https://x';"), None);
        assert_eq!(name("if (a == b) {"), None);
        assert_eq!(name("<div class=\"container\">"), None);
    }

    #[test]
    fn uses_are_whole_identifiers_or_whole_strings() {
        let src = "const INVOICE_URL = 'x';\npost(INVOICE_URL, b);\npost(INVOICE_URL_V2);\nrequest('createPayout');\nlog('createPayout failed');\n";
        let view = build_view(Language::Javascript, src);
        let lines = |v: Vec<usize>| -> Vec<usize> {
            v.iter().map(|&at| src[..at].lines().count()).collect()
        };
        assert_eq!(
            lines(uses(src, &view, "INVOICE_URL", Kind::Identifier)),
            vec![1, 2]
        );
        assert_eq!(lines(uses(src, &view, "createPayout", Kind::Key)), vec![4]);
    }
}
