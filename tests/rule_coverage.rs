//! Every back-quoted term of each provider guide's inventory prompt is covered: some rule of that
//! provider has a `match` case containing the term, and the rule's match in that case covers it.
//!
//! The term lists live in tests/data so the test runs anywhere; when the guides are present
//! (../shared/seeds), the lists are checked against them too.

use makepay_migrate::finding::Provider;
use makepay_migrate::rules::selftest::match_spans;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn terms(provider: Provider) -> Vec<String> {
    let file = root().join(format!("tests/data/{}-inventory-terms.txt", provider.id()));
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Back-quoted terms of the guide's "Agent prompt: inventory" paragraph, in order, unique.
fn terms_from_guide(text: &str) -> Vec<String> {
    let start = text
        .find("## Agent prompt: inventory")
        .expect("guide has an inventory prompt");
    let paragraph = text[start..].lines().nth(1).unwrap();
    let mut out: Vec<String> = Vec::new();
    for (i, piece) in paragraph.split('`').enumerate() {
        if i % 2 == 1 && !out.iter().any(|t| t == piece) {
            out.push(piece.to_string());
        }
    }
    out
}

#[test]
fn term_lists_agree_with_the_guides() {
    let seeds = root().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!(
            "guides not present at {}; checking the stored lists only",
            seeds.display()
        );
        return;
    }
    for provider in Provider::ALL {
        let guide = seeds.join(format!("{}-migration-guide.txt", provider.id()));
        let text = std::fs::read_to_string(guide).unwrap();
        assert_eq!(terms_from_guide(&text), terms(provider), "{provider}");
    }
}

#[test]
fn every_inventory_term_is_matched_by_a_rule_case() {
    let set = makepay_migrate::load_rule_set(&[], None).unwrap();
    let mut missing = Vec::new();
    for provider in Provider::ALL {
        let list = terms(provider);
        assert!(list.len() > 20, "{provider}: term list looks truncated");
        for term in list {
            let covered = set
                .rules()
                .iter()
                .filter(|r| r.provider == provider)
                .any(|rule| {
                    rule.matches.iter().any(|case| {
                        let spans = match_spans(rule, case);
                        case.code.match_indices(term.as_str()).any(|(at, t)| {
                            spans.iter().any(|s| s.start < at + t.len() && at < s.end)
                        })
                    })
                });
            if !covered {
                missing.push(format!("{}: `{term}`", provider.id()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "terms no rule case covers: {missing:#?}"
    );
}

/// The prefilter decides which files get any work at all, so every literal must be something
/// only provider code contains: a provider name, one of its endpoint paths or its webhook IP.
/// A generic word here (`status`, `import`, `enum`) sends every file to the parsers. The one
/// exception is the primitives of the providers' signature schemes (MD5, HMAC-SHA512): the
/// fingerprint rules must see signing code that never names the provider, and a file that
/// computes those digests is rare enough to be worth parsing.
#[test]
fn prefilter_literals_are_provider_specific() {
    let set = makepay_migrate::load_rule_set(&[], None).unwrap();
    let generic: Vec<&String> = set
        .literals()
        .iter()
        .filter(|l| {
            let names_provider = Provider::ALL.iter().any(|p| l.contains(p.id()));
            let endpoint_path = l.contains("payment/") || l.starts_with("merchants/");
            let ip = l.chars().all(|c| c.is_ascii_digit() || c == '.');
            let signature_primitive = ["md5", "sha", "hmac", "64"].iter().any(|p| l.contains(p));
            !(names_provider || endpoint_path || ip || signature_primitive)
        })
        .collect();
    assert!(
        generic.is_empty(),
        "generic prefilter literals: {generic:?}"
    );
    assert!(
        set.literals().len() < 40,
        "prefilter grew to {} literals",
        set.literals().len()
    );
}
