//! Members of provider types. A class, struct, interface or type alias whose body names the
//! provider (an API path in its header, a provider-only field) is a request or response type
//! of the provider: each of its fields is part of the payload the migration remaps, even the
//! ones with generic names (`amount`, `currency`, `uuid`, `address`) that no rule may report on
//! their own. A class whose methods hold an anchor (the base URL, the signing) is the provider's
//! client: of its fields, those that hold keys, IDs, URLs or statuses are touchpoints.

use super::matcher::Candidate;
use super::{replacement_for, FindingBuilder, Head};
use crate::finding::{Category, Confidence, Finding, Provider, Severity};
use crate::graph::clients::category_of;
use crate::rules::Rule;
use std::collections::BTreeMap;

/// What one class shows of a provider.
pub(super) struct TypeEvidence {
    provider: Provider,
    /// Evidence in the body outside any method: a request or response type.
    data: bool,
    /// An anchor inside a method: the provider's client.
    client: bool,
    /// Categories of the evidence, in source order.
    categories: Vec<Category>,
}

impl TypeEvidence {
    /// A type the provider's operations name as their payload (the type-reference edge).
    pub(super) fn payload(provider: Provider) -> Self {
        TypeEvidence {
            provider,
            data: true,
            client: false,
            categories: Vec::new(),
        }
    }
}

/// Findings for the members of the file's provider types that no rule reported.
pub(super) fn member_findings(
    rules: &[Rule],
    kept: &[(Candidate, Severity)],
    builder: &FindingBuilder<'_>,
    reported: &[Finding],
) -> Vec<Finding> {
    let types = provider_types(rules, kept, builder);
    report_members(rules, builder, &types, reported)
}

/// Findings for the members of `types` (classes of the builder's file, by index) that no
/// finding in `reported` covers yet.
pub(super) fn report_members(
    rules: &[Rule],
    builder: &FindingBuilder<'_>,
    types: &BTreeMap<usize, TypeEvidence>,
    reported: &[Finding],
) -> Vec<Finding> {
    let view = builder.view;
    if types.is_empty() {
        return Vec::new();
    }
    let functions = view.functions();
    let mut out: Vec<Finding> = Vec::new();
    for member in view.members() {
        let Some(k) = view.class_at(member.range.start) else {
            continue;
        };
        let Some(ev) = types.get(&k) else {
            continue;
        };
        // A field holding a closure (`handle = async () => {}`) is a method.
        let first_after = functions.partition_point(|f| f.range.start < member.range.start);
        if functions
            .get(first_after)
            .is_some_and(|f| f.range.start < member.range.end)
        {
            continue;
        }
        let name = builder.src[member.name.clone()].trim_start_matches(['$', '_', '@']);
        let class = &view.classes()[k].name;
        // Of a client's members, only those holding its keys are the provider's; its URLs and
        // states are the app's (`publicUrl`, `_baseUrl` for callbacks, `status`).
        let category = match name_category(name) {
            Some(c) if ev.data => c,
            None if ev.data => match class_category(class, &ev.categories) {
                // A type known only by reference, whose name tells no operation either.
                Category::Other => continue,
                c => c,
            },
            Some(c @ (Category::Credentials | Category::Payout)) if ev.client => c,
            _ => continue,
        };
        let first = builder.lines.line_of(member.range.start) + 1;
        let last = builder
            .lines
            .line_of(member.range.end.max(member.range.start + 1) - 1)
            + 1;
        if reported
            .iter()
            .chain(&out)
            .any(|f| f.line <= last && first <= f.end_line.max(f.line))
        {
            continue;
        }
        let role = if ev.data {
            "request or response type"
        } else {
            "client"
        };
        let head = Head {
            rule: format!("{}-type-member", ev.provider.id()),
            provider: ev.provider,
            category,
            severity: Severity::Warning,
            confidence: Confidence::Medium,
            message: format!(
                "`{name}`, a member of `{class}`, the {} {role}",
                ev.provider
            ),
            replacement: replacement_for(rules, ev.provider, category),
        };
        out.push(builder.make(head, &member.range, view.function_at(member.range.start)));
    }
    out
}

/// The classes of the file that hold provider evidence, by index in the view.
fn provider_types(
    rules: &[Rule],
    kept: &[(Candidate, Severity)],
    builder: &FindingBuilder<'_>,
) -> BTreeMap<usize, TypeEvidence> {
    let view = builder.view;
    let mut types: BTreeMap<usize, TypeEvidence> = BTreeMap::new();
    // A type named after the provider (`type Cryptomus struct`, `class OxaPayClient`) is its
    // client, whatever its body shows: its key fields are the provider's keys.
    for (k, class) in view.classes().iter().enumerate() {
        if let Some(&provider) = crate::scan::context::named_by_text(class.name.as_bytes()).first()
        {
            types.insert(
                k,
                TypeEvidence {
                    provider,
                    data: false,
                    client: true,
                    categories: Vec::new(),
                },
            );
        }
    }
    // A status type in a file whose path names the provider (`cryptomus/enums/
    // static_wallet_status.py`, `ru/x/cryptomus/data/PaymentStatus.java`) lists the provider's
    // states, generic as some are (`active`, `paid`): each is a value the migration maps.
    for &provider in &crate::scan::context::named_by_path(builder.rel) {
        for (k, class) in view.classes().iter().enumerate() {
            if class.name.ends_with("Status") || class.name.ends_with("State") {
                types
                    .entry(k)
                    .or_insert_with(|| TypeEvidence::payload(provider));
            }
        }
    }
    for (c, severity) in kept {
        let rule = &rules[c.rule];
        // A name is not evidence (the class `CryptomusError`), nor is a generic term, which
        // counted only because something else scoped it.
        if *severity == Severity::Info
            || rule.confidence == Confidence::Low
            || matches!(rule.category, Category::Other | Category::Dependency)
        {
            continue;
        }
        let Some(k) = view.class_at(c.span.start) else {
            continue;
        };
        let class = &view.classes()[k].range;
        let in_method = c
            .function
            .is_some_and(|f| class.contains(&view.functions()[f].range.start));
        if in_method && rule.confidence != Confidence::High {
            continue;
        }
        let ev = types.entry(k).or_insert(TypeEvidence {
            provider: rule.provider,
            data: false,
            client: false,
            categories: Vec::new(),
        });
        if ev.provider != rule.provider {
            continue;
        }
        ev.data |= !in_method && describes_payload(rule.category, &builder.src[c.span.clone()]);
        ev.client |= in_method;
        ev.categories.push(rule.category);
    }
    types
}

/// Whether evidence in a type's body makes it a request or response type of the provider: a
/// field of the provider's payload (`url_callback`, `lifetime`, an API path in the header). An
/// app's own order model or settings class holds the provider's IDs, URLs and keys under names
/// of its own (`cryptomus_uuid`, `oxapay_payout_key`): such a member is a touchpoint, but the
/// type's other members are the app's.
fn describes_payload(category: Category, matched: &str) -> bool {
    matches!(
        category,
        Category::InvoiceCreation
            | Category::WhiteLabel
            | Category::StaticAddress
            | Category::PaymentLookup
            | Category::Payout
            | Category::RequestSigning
    ) && crate::scan::context::named_by_text(matched.as_bytes()).is_empty()
        && !matches!(
            name_category(matched.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')),
            Some(Category::Credentials | Category::Payout)
        )
}

/// What a member's name says it holds, when it says: keys, provider IDs, URLs, statuses.
pub(super) fn name_category(name: &str) -> Option<Category> {
    let n = name.to_ascii_lowercase().replace(['_', '-'], "");
    let secret = |n: &str| {
        matches!(
            n,
            "key" | "secret" | "token" | "password" | "merchant" | "merchantid" | "merchantuuid"
        ) || [
            "apikey",
            "secretkey",
            "paymentkey",
            "apisecret",
            "apitoken",
            "merchantkey",
        ]
        .iter()
        .any(|k| n.ends_with(k))
    };
    Some(
        if n.contains("payout") && secret(n.trim_start_matches("payout")) {
            Category::Payout
        } else if secret(&n) {
            Category::Credentials
        } else if n.contains("uuid")
            || n.contains("trackid")
            || n == "txid"
            || n.ends_with("txhash")
        {
            Category::ProviderIdStorage
        } else if ["callback", "webhook", "returnurl", "successurl"]
            .iter()
            .any(|w| n.contains(w))
        {
            Category::CallbackConfig
        } else if matches!(
            n.as_str(),
            "baseurl" | "host" | "apiurl" | "version" | "apiversion"
        ) || n.contains("endpoint")
        {
            Category::Endpoint
        } else if n.ends_with("url") || n.ends_with("link") {
            Category::CheckoutRedirect
        } else if n.ends_with("status") || n == "state" {
            Category::StatusHandling
        } else {
            return None;
        },
    )
}

/// The operation a provider type belongs to: its name says (`CreatePayout`, `WalletResponse`,
/// `PaymentInfo`), else the most telling category of its evidence.
fn class_category(class: &str, evidence: &[Category]) -> Category {
    if class.to_ascii_lowercase().contains("status") {
        return Category::StatusHandling;
    }
    match category_of(&[class.to_string()]) {
        Category::Endpoint => super::context::WRAPPER_CATEGORIES
            .iter()
            .copied()
            .find(|c| evidence.contains(c))
            .or_else(|| evidence.first().copied())
            .unwrap_or(Category::Other),
        named => named,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_tell_what_a_member_holds() {
        assert_eq!(name_category("payout_api_key"), Some(Category::Payout));
        assert_eq!(name_category("payoutKey"), Some(Category::Payout));
        assert_eq!(name_category("secretKey"), Some(Category::Credentials));
        assert_eq!(name_category("merchantUuid"), Some(Category::Credentials));
        assert_eq!(
            name_category("merchant_payment_uuid"),
            Some(Category::ProviderIdStorage)
        );
        assert_eq!(
            name_category("url_callback"),
            Some(Category::CallbackConfig)
        );
        assert_eq!(name_category("url"), Some(Category::CheckoutRedirect));
        assert_eq!(name_category("status"), Some(Category::StatusHandling));
        assert_eq!(name_category("merchant_amount"), None);
        assert_eq!(name_category("amount"), None);
    }

    #[test]
    fn a_type_is_named_for_its_operation_or_else_by_its_evidence() {
        assert_eq!(class_category("CreatePayout", &[]), Category::Payout);
        assert_eq!(
            class_category("WalletResponse", &[]),
            Category::StaticAddress
        );
        assert_eq!(
            class_category("RecurringPaymentStatus", &[]),
            Category::StatusHandling
        );
        assert_eq!(
            class_category(
                "Currency",
                &[Category::CallbackConfig, Category::InvoiceCreation]
            ),
            Category::InvoiceCreation
        );
    }
}
