//! End-to-end behaviour of the binary on bad input, exit codes and output contracts.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("makepay-migrate").unwrap()
}

const OXAPAY_LINE: &str = "const API = 'https://api.oxapay.com/v1/payment/invoice';\n";

fn scan_json(dir: &Path, extra: &[&str]) -> (Value, i32) {
    let out = bin()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (json, out.status.code().unwrap())
}

#[test]
fn missing_path_is_a_usage_error() {
    bin()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file or directory"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    bin().args(["scan", "--frobnicate"]).assert().code(2);
}

#[test]
fn malformed_rule_file_is_located() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("oxapay")).unwrap();
    let file = rules.path().join("oxapay/bad.yaml");
    fs::write(
        &file,
        "rules:\n  - id: oxapay-x\n    category: endpoint\n    severity: error\n    confidence: high\n    message: m\n    replacement: r\n    patern: 'api\\.oxapay'\n",
    )
    .unwrap();
    let src = tempfile::tempdir().unwrap();
    bin()
        .args(["scan"])
        .arg(src.path())
        .arg("--rules")
        .arg(rules.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:8:5", file.display())))
        .stderr(predicate::str::contains("unknown field `patern`"));
}

#[test]
fn invalid_regex_names_the_rule() {
    let rules = tempfile::tempdir().unwrap();
    fs::write(
        rules.path().join("extra.yaml"),
        "rules:\n  - id: cryptomus-broken\n    provider: cryptomus\n    category: other\n    severity: info\n    confidence: low\n    message: m\n    replacement: r\n    pattern: 'sign(('\n",
    )
    .unwrap();
    bin()
        .args(["rules", "list", "--rules"])
        .arg(rules.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rule `cryptomus-broken`: invalid regex",
        ))
        .stderr(predicate::str::contains("extra.yaml:9:14"));
}

#[test]
fn binary_and_huge_files_are_skipped_and_legacy_text_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("api.js"), OXAPAY_LINE).unwrap();
    let mut binary = OXAPAY_LINE.as_bytes().to_vec();
    binary.extend_from_slice(b"\0\0\x01\x02");
    fs::write(dir.path().join("blob.bin"), binary).unwrap();
    let mut latin1 = OXAPAY_LINE.as_bytes().to_vec();
    latin1.extend_from_slice(b"// caf\xe9\n");
    fs::write(dir.path().join("latin1.js"), latin1).unwrap();
    let mut huge = OXAPAY_LINE.as_bytes().to_vec();
    huge.resize(50 * 1024 * 1024, b' ');
    fs::write(dir.path().join("huge.js"), huge).unwrap();

    let (json, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let skipped = &json["summary"]["skipped"];
    assert_eq!(skipped["binary"], 1);
    assert_eq!(skipped["non_utf8"], 0);
    assert_eq!(skipped["too_large"], 1);
    assert_eq!(json["summary"]["files_scanned"], 2);
    assert_eq!(json["summary"]["decoded"], 1);
    let mut paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.dedup();
    assert_eq!(paths, ["api.js", "latin1.js"]);

    bin()
        .arg("scan")
        .arg(dir.path())
        .args(["--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "(2 matched, 1 decoded from another encoding); skipped 1 binary, 1 too large, 0 unreadable",
        ));
}

#[test]
fn json_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("src/pay.js"),
        format!("function createInvoice() {{\n  {OXAPAY_LINE}}}\n"),
    )
    .unwrap();
    let (json, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(json["version"], 1);
    assert!(json["root"].is_string());
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["line"] == 2)
        .expect("a finding on the URL line");
    for key in [
        "rule",
        "provider",
        "category",
        "severity",
        "confidence",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "function",
        "snippet",
        "message",
        "replacement",
        "fingerprint",
    ] {
        assert!(f.get(key).is_some(), "missing {key} in {f}");
    }
    assert_eq!(f["provider"], "oxapay");
    assert_eq!(f["path"], "src/pay.js");
    assert_eq!(f["line"], 2);
    assert_eq!(f["function"], "createInvoice");
    let category = f["category"].as_str().unwrap();
    assert!(json["summary"]["by_category"][category].as_u64().unwrap() >= 1);
}

#[test]
fn ignore_files_and_hidden_files_are_respected() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "kept.js",
        "vendor/lib.js",
        "gen/out.js",
        ".hidden/x.js",
        ".git/x.js",
        ".env.example",
    ] {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, OXAPAY_LINE).unwrap();
    }
    fs::write(dir.path().join(".gitignore"), "vendor/\n").unwrap();
    fs::write(dir.path().join(".makepay-migrate-ignore"), "gen/\n").unwrap();
    let paths = |extra: &[&str]| -> Vec<String> {
        let (json, _) = scan_json(dir.path(), extra);
        let mut p: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        p.dedup();
        p
    };
    // `.env*` files hold provider keys: read even without --hidden. `.git` never is.
    assert_eq!(paths(&[]), vec![".env.example", "kept.js"]);
    assert_eq!(
        paths(&["--hidden"]),
        vec![".env.example", ".hidden/x.js", "kept.js"]
    );
    assert_eq!(
        paths(&["--no-ignore"]),
        vec![".env.example", "gen/out.js", "kept.js", "vendor/lib.js"]
    );
    assert_eq!(
        paths(&["--exclude", "kept.js"]),
        vec![".env.example".to_string()]
    );
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.js"),
        "const amount = 1; // status paid\n",
    )
    .unwrap();
    let (json, code) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn output_is_identical_across_thread_counts() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let run = |threads: &str| {
        bin()
            .arg("scan")
            .arg(&fixtures)
            .args(["--format", "json", "-j", threads])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn rules_test_passes_on_embedded_rules() {
    bin()
        .args(["rules", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains(": 0 failures"));
}

#[test]
fn rules_test_reports_a_failing_case() {
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("oxapay")).unwrap();
    fs::write(
        rules.path().join("oxapay/x.yaml"),
        "rules:\n  - id: oxapay-selftest-demo\n    category: other\n    severity: info\n    confidence: low\n    message: m\n    replacement: r\n    pattern: 'trackId'\n    tests:\n      match: ['const id = track_id;']\n      no_match: ['trackId']\n",
    )
    .unwrap();
    bin()
        .args(["rules", "test", "--rules"])
        .arg(rules.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL oxapay-selftest-demo"))
        .stdout(predicate::str::contains(
            "match case #1 produced no finding",
        ))
        .stdout(predicate::str::contains(
            "no_match case #1 produced a finding",
        ));
}
