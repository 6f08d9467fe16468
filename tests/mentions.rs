//! Mentions of a provider's name that ask for no change (#17): on the fixtures written for it
//! (a WordPress plugin with a text domain and its own price helpers, a .NET library whose
//! namespaces are named after the provider, a Java package tree), the lines listed in
//! tests/mentions/<fixture>.tsv (text domains, asset handles, namespace and package lines,
//! manifest metadata, log and exception messages, provider-named helpers without provider
//! evidence and the references to them) carry no warning or error, and `--mentions` lists
//! each of them at info with the kind it was judged to be.

use assert_cmd::Command;
use makepay_migrate::finding::{Confidence, Finding, Mention, Severity};
use makepay_migrate::scan::{scan, ScanOptions, ScanOutcome};
use makepay_migrate::walk::WalkOptions;
use std::path::{Path, PathBuf};

// A directory of data sits beside this file, so the module's path is spelled out.
#[path = "common/tsv.rs"]
mod tsv;

struct Listed {
    path: String,
    line: usize,
    mention: Mention,
}

fn listed(file: &Path) -> Vec<Listed> {
    tsv::rows(file, 3)
        .into_iter()
        .map(|c| Listed {
            line: tsv::line(file, &c[1]),
            path: c[0].clone(),
            mention: match c[2].as_str() {
                "name" => Mention::Name,
                "message" => Mention::Message,
                other => panic!("{}: unknown mention kind {other}", file.display()),
            },
        })
        .collect()
}

fn scan_fixture(dir: &Path, mentions: bool) -> ScanOutcome {
    let rules = makepay_migrate::load_rule_set(&[], None).unwrap();
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        walk: WalkOptions::default(),
        min_confidence: Confidence::Low,
        progress: false,
        mentions,
    };
    scan(&rules, &opts).unwrap()
}

/// A finding reported at the line (a statement that starts above and spans it, such as the
/// settings entry around a translated label, is about its own first line).
fn at(f: &Finding, path: &str, line: usize) -> bool {
    f.path == path && f.line == line
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/mentions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "one list per mention fixture");
    files
        .into_iter()
        .map(|f| {
            let name = f.file_stem().unwrap().to_str().unwrap().to_string();
            (name, f)
        })
        .collect()
}

#[test]
fn names_and_messages_carry_no_warning_or_error() {
    for (name, list) in fixtures() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(&name);
        let outcome = scan_fixture(&dir, false);
        for l in listed(&list) {
            let loud: Vec<&Finding> = outcome
                .findings
                .iter()
                .filter(|f| f.severity > Severity::Info && at(f, &l.path, l.line))
                .collect();
            assert!(
                loud.is_empty(),
                "{name}: {}:{} should ask for no change, got {:?}",
                l.path,
                l.line,
                loud.iter().map(|f| &f.rule).collect::<Vec<_>>()
            );
        }
        // Without --mentions the names are counted, not listed.
        assert!(
            !outcome
                .findings
                .iter()
                .any(|f| f.mention == Some(Mention::Name)),
            "{name}: names listed without --mentions"
        );
        let names = listed(&list)
            .iter()
            .filter(|l| l.mention == Mention::Name)
            .count();
        assert!(
            outcome.summary.mentions.names >= names,
            "{name}: summary counts {} names, the list has {names}",
            outcome.summary.mentions.names
        );
    }
}

#[test]
fn mentions_flag_lists_each_name_with_its_kind() {
    for (name, list) in fixtures() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(&name);
        let outcome = scan_fixture(&dir, true);
        for l in listed(&list) {
            assert!(
                outcome.findings.iter().any(|f| f.path == l.path
                    && f.line == l.line
                    && f.severity == Severity::Info
                    && f.mention == Some(l.mention)),
                "{name}: {}:{} not listed as {:?}",
                l.path,
                l.line,
                l.mention
            );
        }
    }
}

#[test]
fn the_summary_line_says_how_many_mentions_ask_for_no_change() {
    let out = Command::cargo_bin("makepay-migrate")
        .unwrap()
        .args(["scan", "fixtures/oxapay-wp-i18n", "--color", "never"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("Provider-name mentions that ask for no change: ")
            && stdout.contains("(listed with --mentions)"),
        "{stdout}"
    );
    assert!(!stdout.contains("load_plugin_textdomain"), "{stdout}");
    let json = Command::cargo_bin("makepay-migrate")
        .unwrap()
        .args([
            "scan",
            "fixtures/oxapay-wp-i18n",
            "--format",
            "json",
            "--mentions",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let names = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["mention"] == "name")
        .count();
    assert_eq!(doc["summary"]["mentions"]["names"], names);
    assert!(names > 0);
}
