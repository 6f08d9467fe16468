//! Provider client objects: a name imported from a provider SDK or module
//! (`from pyoxapay import OxaPay`, `use Cryptomus\Api\Client;`, `import { CryptomusClient } from
//! '../src'`), the variables bound to it (`const client = new CryptomusClient(...)`), and the
//! operation calls made through them (`client.payments.create({...})`). The file names the
//! provider once, in the import, or not at all; each operation call is a touchpoint.

use crate::finding::Category;
use crate::lang::{RegionKind, SyntaxView};
use regex::Regex;

/// Names an import line binds: `import A, { B, C as D } from`, `const { A } = require(`,
/// `from x import A, B`, `use A\B\C;`, `import a.b.C;`.
pub fn imported_names(line: &str) -> Vec<String> {
    let t = line.trim();
    let mut names = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim().trim_start_matches("type ");
        let s = s.rsplit(" as ").next().unwrap_or(s).trim();
        let s = s
            .rsplit(['\\', '.'])
            .next()
            .unwrap_or(s)
            .trim_end_matches(';');
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            names.push(s.to_string());
        }
    };
    if let Some(rest) = t.strip_prefix("from ") {
        if let Some((_, list)) = rest.split_once(" import ") {
            list.trim_matches(['(', ')', ' '])
                .split(',')
                .for_each(&mut push);
        }
    } else if let Some(rest) = t.strip_prefix("use ") {
        push(rest);
    } else if t.starts_with("import ") || t.contains("require(") {
        let head = t
            .trim_start_matches("import ")
            .split(" from ")
            .next()
            .unwrap_or("");
        let head = head.split(" = require(").next().unwrap_or(head);
        let head = head.trim_start_matches(['c', 'o', 'n', 's', 't', 'l', 'e', 'v', 'a', 'r', ' ']);
        head.split([',', '{', '}']).for_each(&mut push);
    }
    names.retain(|n| {
        !matches!(
            n.as_str(),
            "import" | "from" | "const" | "let" | "var" | "type"
        )
    });
    names
}

/// Variables bound to a client made from any of `roots` in `src`: `x = new Root(`, `x =
/// Root(`, `$x = Root::payment(`, `$this->x = new Root(`, `x = root.payments`, followed one
/// step further. What an operation returns (`info = client.get_info(...)`) is a response, not
/// a client.
pub fn bound(src: &str, roots: &[String]) -> Vec<String> {
    let mut known: Vec<String> = roots.to_vec();
    for _ in 0..2 {
        let alternation = known
            .iter()
            .map(|r| regex::escape(r))
            .collect::<Vec<_>>()
            .join("|");
        let re = Regex::new(&format!(
            r"(?m)([\w$]+(?:(?:\.|->)[\w$]+)?)\s*(?::=|=)\s*(?:await\s+)?(new\s+)?({alternation})(?-u:\b)(\s*[({{]|(?:\.|->)\w+\s*(?:;|,|$)|::\w+\s*\()"
        ))
        .expect("escaped names form a valid regex");
        let mut grew = false;
        for c in re.captures_iter(src) {
            // `x = create_invoice(...)` calls a function: x is its result. Only a class makes a
            // client when called (`Client(...)`, `new client(...)`).
            let called = c[4].trim_start().starts_with(['(', '{']);
            let class = c[3].starts_with(|ch: char| ch.is_ascii_uppercase());
            if called && !class && c.get(2).is_none() {
                continue;
            }
            let name = c[1].rsplit(['.', '>']).next().unwrap_or(&c[1]).to_string();
            let name = name.trim_start_matches('$').to_string();
            if name.len() >= 3 && !known.contains(&name) {
                known.push(name);
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    known
}

/// An operation call through a client: where its method name is, and the chain of names from
/// the client to the method (`payouts`, `getInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCall {
    pub method_at: usize,
    pub chain: Vec<String>,
}

/// Calls through any of `names` (`client.payments.create(`, `$oxapay->payment()->invoice(`,
/// `OxaPay::payment()->generateInvoice(`), in code.
pub fn calls(src: &str, view: &SyntaxView, names: &[String]) -> Vec<ClientCall> {
    if names.is_empty() {
        return Vec::new();
    }
    let alternation = names
        .iter()
        .map(|r| regex::escape(r))
        .collect::<Vec<_>>()
        .join("|");
    let re = Regex::new(&format!(
        r"(?-u:\b)(?:{alternation})((?:\s*(?:\?\.|\.|->|::)\s*\w+(?:\(\))?)+)\s*\("
    ))
    .expect("escaped names form a valid regex");
    let mut out = Vec::new();
    for c in re.captures_iter(src) {
        let whole = c.get(0).expect("group 0");
        if view.region_at(whole.start()) != RegionKind::Code {
            continue;
        }
        let before = src[..whole.start()].trim_end();
        // `fun Application.module() {` defines, it does not call.
        let defines = view
            .functions()
            .iter()
            .any(|f| (whole.start()..whole.end()).contains(&f.name_at));
        if before.ends_with('.') || before.ends_with("->") || defines {
            continue;
        }
        let chain_text = &c[1];
        let chain: Vec<String> = chain_text
            .split(['.', '>', ':', '?', '-', '(', ')', ' ', '\n', '\t'])
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let Some(method) = chain.last() else {
            continue;
        };
        if NOT_OPERATIONS.contains(&method.as_str()) {
            continue;
        }
        let method_at = c.get(1).expect("group 1").end() - method.len();
        out.push(ClientCall { method_at, chain });
    }
    out
}

/// Methods every object has: calling them is not a provider operation.
const NOT_OPERATIONS: &[&str] = &[
    "then",
    "catch",
    "finally",
    "toString",
    "log",
    "debug",
    "info",
    "warn",
    "error",
    "on",
    "emit",
    "bind",
    "apply",
    "call",
    "map",
    "filter",
    "forEach",
    "push",
    "json",
    "close",
    "setTimeout",
];

/// The operation a call chain names, by its words: `payouts.getInfo` is a payout,
/// `payments.createWallet` a static address, `payments.getHistory` a lookup, `invoices.create`
/// an invoice.
pub fn category_of(chain: &[String]) -> Category {
    let words = chain.join(" ").to_ascii_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    if has(&["payout", "transfer", "withdraw", "refund", "send"]) {
        Category::Payout
    } else if has(&["wallet", "static"]) {
        Category::StaticAddress
    } else if has(&["whitelabel", "white_label", "qr"]) {
        Category::WhiteLabel
    } else if has(&[
        "info", "status", "history", "list", "inquiry", "find", "check", "get", "retrieve",
    ]) {
        Category::PaymentLookup
    } else if has(&["create", "invoice", "pay", "checkout", "link", "request"]) {
        Category::InvoiceCreation
    } else {
        Category::Endpoint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{build_view, Language};

    #[test]
    fn import_lines_bind_names() {
        assert_eq!(
            imported_names("from pyoxapay import OxaPay"),
            vec!["OxaPay"]
        );
        assert_eq!(
            imported_names("use Cryptomus\\Api\\Client;"),
            vec!["Client"]
        );
        assert_eq!(
            imported_names("import { CryptomusClient, type Config } from '../src';"),
            vec!["CryptomusClient", "Config"]
        );
        assert_eq!(
            imported_names("const Cryptomus = require('./cryptomus');"),
            vec!["Cryptomus"]
        );
    }

    #[test]
    fn calls_through_bound_clients_are_categorised() {
        let src = "const client = new CryptomusClient({ merchantId });\nconst p = await client.payments.create({ amount });\nconst i = await client.payouts.getInfo({ uuid });\nclient.payments.then(x);\n";
        let names = bound(src, &["CryptomusClient".to_string()]);
        assert!(names.contains(&"client".to_string()));
        let view = build_view(Language::Javascript, src);
        let found = calls(src, &view, &names);
        assert!(
            !bound("const info = await client.getInfo(x);\n", &names).contains(&"info".to_string())
        );
        let cats: Vec<Category> = found.iter().map(|c| category_of(&c.chain)).collect();
        assert_eq!(cats, vec![Category::InvoiceCreation, Category::Payout]);
    }
}
