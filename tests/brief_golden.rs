//! Golden briefs: the rendered Markdown, reviewed line by line and stored as insta snapshots
//! (tests/snapshots/). A change to the facts or templates shows up here as a readable diff.

use makepay_migrate::brief::{render, BriefRequest, TemplateOverrides};
use makepay_migrate::finding::Provider;

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
