//! Golden briefs: the rendered Markdown, reviewed line by line and stored as insta snapshots
//! (tests/snapshots/). A change to the facts or templates shows up here as a readable diff.

use makepay_migrate::brief::{plan_for, render, BriefRequest, TemplateOverrides};
use makepay_migrate::finding::Provider;
use std::path::Path;

fn general(provider: Provider) -> String {
    render(&BriefRequest {
        provider,
        templates: TemplateOverrides::default(),
        plan: None,
    })
    .unwrap()
}

#[test]
fn general_brief_oxapay() {
    insta::assert_snapshot!("general-oxapay", general(Provider::Oxapay));
}

#[test]
fn general_brief_cryptomus() {
    insta::assert_snapshot!("general-cryptomus", general(Provider::Cryptomus));
}

/// The brief for a bundled fixture, scanned from the crate root so `plan.root` is stable.
fn tailored(provider: Provider, fixture: &str) -> String {
    let plan = plan_for(provider, Path::new("fixtures").join(fixture).as_path()).unwrap();
    render(&BriefRequest {
        provider,
        templates: TemplateOverrides::default(),
        plan: Some(&plan),
    })
    .unwrap()
}

#[test]
fn tailored_brief_oxapay_express() {
    insta::assert_snapshot!(
        "tailored-oxapay-express",
        tailored(Provider::Oxapay, "oxapay-express")
    );
}

#[test]
fn tailored_brief_cryptomus_django() {
    insta::assert_snapshot!(
        "tailored-cryptomus-django",
        tailored(Provider::Cryptomus, "cryptomus-django")
    );
}
