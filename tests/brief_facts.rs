//! Every brief (general and tailored) carries every fact of MakePay's guides: each back-quoted
//! identifier of the migration map and of the agent prompts, every status, every SDK command (in
//! the general brief), the webhook facts and the key terms of every checklist item.
//!
//! The expected terms are stored in tests/data so the test runs anywhere. When the guides are
//! present (../shared/seeds), the stored lists are re-extracted from them and compared, so a
//! guide change cannot go unnoticed. (The inventory lists are checked against the guides by
//! tests/rule_coverage.rs.)

use makepay_migrate::brief::{plan_for, render, BriefRequest, TemplateOverrides};
use makepay_migrate::finding::Provider;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Non-empty, non-comment lines of a tests/data file.
fn list(name: &str) -> Vec<String> {
    std::fs::read_to_string(root().join("tests/data").join(name))
        .unwrap_or_else(|e| panic!("tests/data/{name}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn seed(name: &str) -> Option<String> {
    let path = root().join("../shared/seeds").join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!(
                "{} not present; checking the stored lists only",
                path.display()
            );
            None
        }
    }
}

fn brief(provider: Provider) -> String {
    render(&BriefRequest {
        provider,
        templates: TemplateOverrides::default(),
        plan: None,
    })
    .unwrap()
}

/// The general brief and a tailored one (for a bundled fixture): both must carry every fact
/// except the SDK list, which a tailored brief narrows to the detected stack.
fn briefs(provider: Provider) -> Vec<String> {
    let fixture = match provider {
        Provider::Oxapay => "fixtures/oxapay-laravel",
        Provider::Cryptomus => "fixtures/cryptomus-nextjs",
    };
    let plan = plan_for(provider, std::path::Path::new(fixture)).unwrap();
    assert!(!plan.inventory.files.is_empty(), "{fixture} has findings");
    let tailored = render(&BriefRequest {
        provider,
        templates: TemplateOverrides::default(),
        plan: Some(&plan),
    })
    .unwrap();
    vec![brief(provider), tailored]
}

/// Case-folded text without back-quotes, for matching plain key terms.
fn plain(s: &str) -> String {
    s.replace('`', "").to_lowercase()
}

/// Back-quoted spans of `text`, in order, unique.
fn back_quoted(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        for (i, piece) in line.split('`').enumerate() {
            if i % 2 == 1 && !out.iter().any(|t| t == piece) {
                out.push(piece.to_string());
            }
        }
    }
    out
}

/// The text from `start` up to (not including) `end`.
fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
    let to = text[from + start.len()..]
        .find(end)
        .map_or(text.len(), |i| from + start.len() + i);
    &text[from..to]
}

/// A checklist line: the guide's item and its key terms.
fn checklist(provider: Provider) -> Vec<(String, Vec<String>)> {
    list(&format!("brief-{}-checklist.txt", provider.id()))
        .into_iter()
        .map(|line| {
            let (item, terms) = line.split_once(" :: ").expect("item :: terms");
            let terms = terms.split("; ").map(str::to_string).collect();
            (item.to_string(), terms)
        })
        .collect()
}

/// Checklist items of a guide: every line under "## Verification checklist" that starts a
/// bullet, without the page chrome glued to the last one, minus truncated duplicates.
fn checklist_from_guide(text: &str) -> Vec<String> {
    let from = text.find("## Verification checklist").unwrap();
    let bullets: Vec<String> = text[from..]
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(|l| {
            l.split(".Verification checklist")
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    for b in &bullets {
        let truncated = bullets
            .iter()
            .any(|o| plain(o) != plain(b) && plain(o).starts_with(&plain(b)));
        if !truncated && !out.iter().any(|o| plain(o) == plain(b)) {
            out.push(b.clone());
        }
    }
    out
}

#[test]
fn stored_lists_agree_with_the_guides() {
    for provider in Provider::ALL {
        let Some(guide) = seed(&format!("{}-migration-guide.txt", provider.id())) else {
            return;
        };
        let map = section(&guide, "## Migration map", "\n## ");
        assert_eq!(
            back_quoted(map),
            list(&format!("brief-{}-map-terms.txt", provider.id())),
            "{provider} map terms"
        );
        let prompts = section(
            &guide,
            "## Agent prompt: inventory",
            "## Verification checklist",
        );
        assert_eq!(
            back_quoted(prompts),
            list(&format!("brief-{}-prompt-terms.txt", provider.id())),
            "{provider} prompt terms"
        );
        let sdk: Vec<String> = section(&guide, "SDK install commands\n", "Use the SDK")
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(
            sdk,
            list("brief-sdk-commands.txt"),
            "{provider} SDK commands"
        );
        let stored = checklist(provider);
        let items: Vec<&String> = stored.iter().map(|(item, _)| item).collect();
        let extracted = checklist_from_guide(&guide);
        assert_eq!(items, extracted.iter().collect::<Vec<_>>(), "{provider}");
        for (item, terms) in &stored {
            for term in terms {
                assert!(
                    plain(item).contains(&plain(term)),
                    "key term `{term}` is not in its item: {item}"
                );
            }
        }
    }
    if let Some(gateway) = seed("invision-community-gateway.txt") {
        let table = section(&gateway, "| MakePay status |", "| Other statuses");
        let mut rows = Vec::new();
        for line in table.lines().skip(2) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            for status in cells[0].split(',') {
                rows.push(format!("{} {}", status.trim(), cells[1]));
            }
        }
        assert_eq!(rows, list("brief-makepay-statuses.txt"));
    }
    if let Some(reference) = seed("makepay-webhooks-reference.txt") {
        let headers: Vec<String> = section(&reference, "\nHeaders\n", "Verify signatures")
            .lines()
            .filter_map(|l| l.split_once(": ").map(|(name, _)| name.to_string()))
            .collect();
        assert_eq!(headers, list("brief-makepay-headers.txt"));
        for event in list("brief-makepay-events.txt") {
            assert!(
                reference.contains(&event),
                "event `{event}` not in reference"
            );
        }
        for fact in [
            "t=1776556800,v1=",
            "HMAC-SHA256",
            "{timestamp}.{raw_request_body}",
            "TOLERANCE_SECONDS = 300",
            "timingSafeEqual",
            "retried up to ten times at five-minute intervals",
        ] {
            assert!(reference.contains(fact), "reference no longer says {fact}");
        }
    }
}

#[test]
fn every_map_and_inventory_identifier_is_back_quoted_in_its_section() {
    for provider in Provider::ALL {
        for text in briefs(provider) {
            for (terms, heading) in [
                (
                    format!("brief-{}-map-terms.txt", provider.id()),
                    "## Migration map",
                ),
                (
                    format!("{}-inventory-terms.txt", provider.id()),
                    "## Phase 1: Inventory",
                ),
            ] {
                let terms = list(&terms);
                assert!(terms.len() > 20, "{provider}: term list looks truncated");
                let body = section(&text, heading, "\n## ");
                let missing: Vec<&String> = terms
                    .iter()
                    .filter(|t| !body.contains(&format!("`{t}`")))
                    .collect();
                assert!(missing.is_empty(), "{provider} {heading} lacks {missing:?}");
            }
        }
    }
}

#[test]
fn every_identifier_of_the_agent_prompts_is_back_quoted() {
    for provider in Provider::ALL {
        let terms = list(&format!("brief-{}-prompt-terms.txt", provider.id()));
        assert!(terms.len() > 30, "{provider}: term list looks truncated");
        for text in briefs(provider) {
            let missing: Vec<&String> = terms
                .iter()
                .filter(|t| !text.contains(&format!("`{t}`")))
                .collect();
            assert!(missing.is_empty(), "{provider} brief lacks {missing:?}");
        }
    }
}

#[test]
fn every_makepay_status_maps_to_its_order_state() {
    for provider in Provider::ALL {
        for text in briefs(provider) {
            for row in list("brief-makepay-statuses.txt") {
                let (status, state) = row.split_once(' ').unwrap();
                let state = format!("| {} |", state.to_lowercase());
                assert!(
                    text.lines()
                        .any(|l| l.contains(&format!("`{status}`")) && l.contains(&state)),
                    "{provider}: no table row maps `{status}` to {state}"
                );
            }
            assert!(text.contains("| any other | pending |"), "{provider}");
        }
    }
}

#[test]
fn every_checklist_item_keeps_its_key_terms() {
    for provider in Provider::ALL {
        for text in briefs(provider) {
            let text = plain(&text);
            for (item, terms) in checklist(provider) {
                for term in terms {
                    assert!(
                        text.contains(&plain(&term)),
                        "{provider}: `{term}` of checklist item \"{item}\" is missing"
                    );
                }
            }
        }
    }
}

#[test]
fn every_sdk_command_is_offered() {
    for provider in Provider::ALL {
        let text = brief(provider);
        for command in list("brief-sdk-commands.txt") {
            assert!(text.contains(&command), "{provider}: no `{command}`");
        }
    }
}

#[test]
fn webhook_verification_facts_are_stated() {
    for provider in Provider::ALL {
        for text in briefs(provider) {
            for header in list("brief-makepay-headers.txt") {
                assert!(
                    text.contains(&format!("`{header}`")),
                    "{provider}: {header}"
                );
            }
            for event in list("brief-makepay-events.txt") {
                assert!(text.contains(&format!("`{event}`")), "{provider}: {event}");
            }
            for fact in [
                "`x-makepay-signature: t=1776556800,v1=7d4b3f...`",
                "`t=<unix timestamp>,v1=<hex HMAC-SHA256>`",
                "HMAC-SHA256",
                "`{timestamp}.{raw_request_body}`",
                "> 300` seconds",
                "timing-safe",
                "retried up to 10 times, 5 minutes apart",
                "once per delivery ID",
                "per payment-link UID",
                "Primary event: `makepay.payment.status_changed`",
            ] {
                assert!(text.contains(fact), "{provider}: no {fact}");
            }
        }
    }
}

#[test]
fn every_phase_has_its_prompt() {
    let phases = |provider: Provider| -> Vec<String> {
        brief(provider)
            .lines()
            .filter_map(|l| l.strip_prefix("## Phase "))
            .map(|l| l.split_once(": ").unwrap().1.to_string())
            .collect()
    };
    assert_eq!(
        phases(Provider::Oxapay),
        [
            "Inventory",
            "Replace invoice creation",
            "Replace hosted checkout and white-label artifacts",
            "Replace callback verification",
            "Normalize statuses",
            "Dual-run cutover",
            "Tests"
        ]
    );
    assert_eq!(
        phases(Provider::Cryptomus),
        [
            "Inventory",
            "Replace invoice creation",
            "Replace the buyer redirect",
            "Replace webhook verification",
            "Normalize statuses",
            "Dual-run cutover",
            "Tests"
        ]
    );
}
