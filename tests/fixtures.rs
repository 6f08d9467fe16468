//! Recall, precision and function attribution of `scan` on the bundled fixture projects,
//! against hand-written expectations in tests/expected/<fixture>.tsv.
//!
//! Fails on: any expected (path, line, category) not found (recall < 1.0), any finding in a
//! decoy, any wrong enclosing function, or precision below the floor. Informational findings
//! (provider names in comments and docs) are not counted.

use makepay_migrate::finding::{Confidence, Finding, Severity};
use makepay_migrate::scan::{scan, ScanOptions};
use makepay_migrate::walk::WalkOptions;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

// Shared with the other table-driven tests; the path is spelled out as in those.
#[path = "common/tsv.rs"]
mod tsv;

/// Share of reported lines that must be expected ones on positive fixtures.
const PRECISION_FLOOR: f64 = 0.9;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    path: String,
    line: usize,
    category: String,
    function: String,
}

fn read_expected(file: &Path) -> Vec<Expected> {
    tsv::rows(file, 4)
        .into_iter()
        .map(|c| Expected {
            line: tsv::line(file, &c[1]),
            path: c[0].clone(),
            category: c[2].clone(),
            function: c[3].clone(),
        })
        .collect()
}

fn scan_fixture(dir: &Path) -> Vec<Finding> {
    let rules = makepay_migrate::load_rule_set(&[], None).unwrap();
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        walk: WalkOptions::default(),
        min_confidence: Confidence::Low,
        progress: false,
        mentions: false,
    };
    scan(&rules, &opts)
        .unwrap()
        .findings
        .into_iter()
        .filter(|f| f.severity > Severity::Info)
        .collect()
}

struct Score {
    name: String,
    expected: usize,
    found: usize,
    reported_lines: usize,
    true_lines: usize,
    fn_right: usize,
    problems: Vec<String>,
}

fn score(name: &str, expected: &[Expected], findings: &[Finding]) -> Score {
    let mut problems = Vec::new();
    let mut found = 0;
    let mut fn_right = 0;
    for e in expected {
        let hit = findings
            .iter()
            .find(|f| f.path == e.path && f.line == e.line && f.category.id() == e.category);
        match hit {
            Some(f) => {
                found += 1;
                let got = f.function.clone().unwrap_or_else(|| "-".into());
                if got == e.function {
                    fn_right += 1;
                } else {
                    problems.push(format!(
                        "wrong function {}:{} {}: expected {}, got {got}",
                        e.path, e.line, e.category, e.function
                    ));
                }
            }
            None => {
                let others: Vec<String> = findings
                    .iter()
                    .filter(|f| f.path == e.path && f.line == e.line)
                    .map(|f| format!("{} ({})", f.category, f.rule))
                    .collect();
                problems.push(format!(
                    "missed {}:{} {} in {} (on that line: {})",
                    e.path,
                    e.line,
                    e.category,
                    e.function,
                    if others.is_empty() {
                        "nothing".to_string()
                    } else {
                        others.join(", ")
                    }
                ));
            }
        }
    }
    let expected_lines: BTreeSet<(&str, usize)> =
        expected.iter().map(|e| (e.path.as_str(), e.line)).collect();
    let reported: BTreeSet<(&str, usize)> =
        findings.iter().map(|f| (f.path.as_str(), f.line)).collect();
    let true_lines = reported.intersection(&expected_lines).count();
    for f in findings {
        if !expected_lines.contains(&(f.path.as_str(), f.line)) {
            problems.push(format!(
                "unexpected {}:{} {} ({}): {}",
                f.path, f.line, f.category, f.rule, f.snippet
            ));
        }
    }
    Score {
        name: name.to_string(),
        expected: expected.len(),
        found,
        reported_lines: reported.len(),
        true_lines,
        fn_right,
        problems,
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

#[test]
fn fixtures_meet_recall_precision_and_attribution() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    let minimum: usize = std::env::var("FIXTURE_MINIMUM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    assert!(
        files.len() >= minimum,
        "expected at least {minimum} fixtures, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    println!(
        "{:<22} {:>8} {:>7} {:>9} {:>9}",
        "fixture", "expected", "recall", "precision", "functions"
    );
    for file in &files {
        let name = file.file_stem().unwrap().to_str().unwrap();
        let dir = root.join("fixtures").join(name);
        assert!(dir.is_dir(), "no fixture directory for {name}");
        let s = score(name, &read_expected(file), &scan_fixture(&dir));
        let recall = ratio(s.found, s.expected);
        let precision = ratio(s.true_lines, s.reported_lines);
        let functions = ratio(s.fn_right, s.found);
        println!(
            "{:<22} {:>8} {:>7.3} {:>9.3} {:>9.3}",
            s.name, s.expected, recall, precision, functions
        );
        let decoy = name.starts_with("decoy");
        let failed = if decoy {
            s.reported_lines > 0
        } else {
            recall < 1.0 || functions < 1.0 || precision < PRECISION_FLOOR
        };
        if failed || std::env::var_os("FIXTURE_DETAILS").is_some() {
            for p in &s.problems {
                println!("    {p}");
            }
        }
        if failed {
            failures.push(name.to_string());
        }
    }
    assert!(failures.is_empty(), "fixtures below target: {failures:?}");
}
