//! Type references: an SDK's request and response types rarely name the provider or hold a
//! provider-only field (`interface CreateWalletResponse { uuid: string; address: string }`),
//! but the provider's operations name them as their parameter, return or payload types
//! (`this.request<CreateWalletResponse>(...)`, `-> Wallet`, `(*StaticWalletResponse, error)`,
//! `call = BlockWallet(uuid=uuid)`). A type an operation names is the provider's payload type,
//! and its members are what the migration remaps.

use regex::Regex;
use std::sync::OnceLock;

/// Capitalised identifiers in type or constructor position: after `<`, `:`, `->`, `*`, `&`,
/// `[]`, `new`, `(` or `,` in a list of them, or called (`BlockWallet(`), or opening a Go
/// composite literal (`Request{`).
fn reference_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:[<:(,|]\s*|->\s*|\*|&|\[\]|\bnew\s+|\bas\s+|\b)([A-Z][A-Za-z0-9_]*[a-z][A-Za-z0-9_]*)\s*(?:[>\[\](){},;:|=?\n]|$)",
        )
        .expect("the type reference pattern is valid")
    })
}

/// Words a payload type's name ends with.
const PAYLOAD_SUFFIXES: &[&str] = &[
    "Request", "Response", "Result", "Payload", "Params", "Body", "Dto", "DTO", "Options", "Info",
    "Data", "Update", "Entry",
];

/// Whether a type named `name` may be a provider payload: its name says it is a request or
/// response (`CreateWalletResponse`, `PaymentInfo`), or names an operation's object (`Wallet`,
/// `Payout`, `QRCode`). An app's `Order` or `User` is neither, nor is a client or service, or a
/// type named after the provider (its client).
pub fn is_payload_name(name: &str) -> bool {
    // A client, service or controller does the work; it is no payload, whatever it is for.
    let worker = [
        "Client",
        "Service",
        "Controller",
        "Gateway",
        "Handler",
        "Api",
        "API",
        "Manager",
        "Repository",
        "Provider",
        "Session",
        "Exception",
        "Error",
    ]
    .iter()
    .any(|w| name.ends_with(w));
    if worker || !crate::scan::context::named_by_text(name.as_bytes()).is_empty() {
        return false;
    }
    PAYLOAD_SUFFIXES
        .iter()
        .any(|s| name.len() > s.len() && name.ends_with(s))
        || crate::graph::clients::category_of(&[name.to_string()])
            != crate::finding::Category::Endpoint
}

/// Whether the name after `before` is a member (`c.DoRequest(`) or what a definition names
/// (`func (c *C) CreateStaticWallet(`, `def Wallet(`): neither is a type reference.
fn is_member_or_definition(before: &str) -> bool {
    let before = before.trim_end();
    before.ends_with('.')
        || before.ends_with("::")
        || before.ends_with(')') && before.contains("func")
        || [
            "func",
            "def",
            "fn",
            "function",
            "fun",
            "class",
            "struct",
            "interface",
            "type",
        ]
        .iter()
        .any(|kw| {
            before
                .strip_suffix(kw)
                .is_some_and(|b| b.is_empty() || b.ends_with(char::is_whitespace))
        })
}

/// Whether a name called after `before` is a value being constructed (`= BlockWallet(`,
/// `new Invoice(`, `return Payout(`), not a method declared after its return type (`Task<X>
/// Create(`).
fn is_constructed(before: &str) -> bool {
    let before = before.trim_end();
    before.is_empty()
        || before.ends_with(['=', '(', ',', '[', '{', ':'])
        || ["new", "return", "await", "yield"].iter().any(|kw| {
            before
                .strip_suffix(kw)
                .is_some_and(|b| b.is_empty() || b.ends_with(|c: char| !c.is_alphanumeric()))
        })
}

/// The payload type names `text` (an operation's definition) refers to.
pub fn references(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = reference_pattern()
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter(|m| {
            let before = &text[..m.start()];
            let called = text[m.end()..].trim_start().starts_with('(');
            !is_member_or_definition(before) && (!called || is_constructed(before))
        })
        .map(|m| m.as_str())
        .filter(|n| n.len() >= 4 && is_payload_name(n))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_signatures_name_their_payload_types() {
        let ts = "async createWallet(payload: CreateWalletRequest): Promise<CreateWalletResponse> {\n  return this.request<CreateWalletResponse>(\"/wallet\", \"POST\", payload);\n}";
        assert_eq!(
            references(ts),
            vec!["CreateWalletRequest", "CreateWalletResponse"]
        );
        let go = "func (c *Cryptomus) CreateStaticWallet(r *StaticWalletRequest) (*StaticWalletResponse, error) {\n\tres := &staticWalletRawResponse{}\n";
        assert_eq!(
            references(go),
            vec!["StaticWalletRequest", "StaticWalletResponse"]
        );
        let py = "async def block_wallet(self, *, uuid: Optional[str] = None) -> BlockingWallet:\n    call: BlockWallet = BlockWallet(uuid=uuid)\n";
        assert_eq!(references(py), vec!["BlockWallet", "BlockingWallet"]);
        // The app's own models and plain classes are not payloads.
        let app = "async function pay(order: Order, user: User): Promise<void> { Logger.info(x) }";
        assert!(references(app).is_empty());
        let client = "public async Task<Invoice> Create(PaymentGateway gw) { var c = new OxaPayClient(_http); }";
        assert_eq!(references(client), vec!["Invoice"]);
    }
}
