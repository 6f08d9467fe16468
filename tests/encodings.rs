//! Files in other encodings than UTF-8 are scanned, planned, checked and edited like any other:
//! a Latin-1 Python file, a Windows-1252 PHP file and a UTF-16LE (BOM, CRLF) C# file, each with
//! OxaPay code. Positions are in characters of the decoded text, as for UTF-8 files.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

mod common {
    pub mod repo;
}
use common::repo::{apply, commit, stderr, stdout};

fn bin() -> Command {
    Command::cargo_bin("makepay-migrate").unwrap()
}

/// Latin-1: é, ü, « and » are single bytes that are not UTF-8.
const LATIN1_PY: &[u8] = b"# -*- coding: latin-1 -*-\n# Caf\xe9 M\xfcller GmbH\nimport requests\n\ndef create_invoice(order):\n    # Pr\xe9f\xe9rence: \xabfacture\xbb\n    r = requests.post(\"https://api.oxapay.com/v1/payment/invoice\", json=order)\n    return r.json()\n";

/// Windows-1252: curly quotes and the euro sign (0x93, 0x94, 0x80), the last one on the
/// finding's own line, before it. A WooCommerce gateway, as the plan must tell from its text.
const CP1252_PHP: &[u8] = b"<?php\n// \x93Smart quotes\x94 \x80 Windows-1252\n$label = \"\x80uro\"; $url = \"https://api.oxapay.com/merchants/request\";\nclass WC_Gateway_Legacy extends WC_Payment_Gateway {}\n";

const CS_TEXT: &str = "using System.Net.Http;\r\n// Café payments\r\npublic class Pay {\r\n    const string Api = \"https://api.oxapay.com/v1/payment/invoice\";\r\n}\r\n";

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    text.encode_utf16()
        .for_each(|u| bytes.extend(u.to_le_bytes()));
    bytes
}

/// A committed repository holding the three files.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pay.py"), LATIN1_PY).unwrap();
    fs::write(dir.path().join("legacy.php"), CP1252_PHP).unwrap();
    fs::write(dir.path().join("Pay.cs"), utf16le_with_bom(CS_TEXT)).unwrap();
    commit(dir.path());
    dir
}

fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = bin().args(args).arg(dir).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (doc, out.status.code().unwrap())
}

/// (path, line, column, rule) of each finding, as the scan and check report them.
fn positions(findings: &Value) -> Vec<(String, u64, u64, String)> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Worked out by hand: the column counts characters, so the euro sign before the PHP finding
/// is one column whether it is one byte (Windows-1252) or three (UTF-8).
fn expected() -> Vec<(String, u64, u64, String)> {
    [
        ("Pay.cs", 4, 33, "oxapay-v1-invoice-endpoint"),
        ("legacy.php", 3, 48, "oxapay-legacy-request-endpoint"),
        ("pay.py", 7, 32, "oxapay-v1-invoice-endpoint"),
    ]
    .map(|(p, l, c, r)| (p.to_string(), l, c, r.to_string()))
    .to_vec()
}

#[test]
fn scan_finds_provider_code_in_every_encoding_and_counts_the_decoded_files() {
    let dir = repo();
    let (doc, code) = json_of(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(positions(&doc["findings"]), expected());
    let php = &doc["findings"][1];
    assert!(
        php["snippet"]
            .as_str()
            .unwrap()
            .starts_with("$label = \"€uro\";"),
        "{php}"
    );
    let summary = &doc["summary"];
    assert_eq!(summary["files_scanned"], 3);
    assert_eq!(summary["decoded"], 3);
    assert_eq!(
        summary["skipped"]["non_utf8"], 0,
        "kept in the contract, never counted"
    );
    assert_eq!(summary["skipped"]["binary"], 0);

    let out = bin()
        .args(["scan", "--color", "never"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("Scanned 3 files (3 matched, 3 decoded from another encoding)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn plan_and_check_see_the_decoded_files() {
    let dir = repo();
    let (plan, code) = json_of(dir.path(), &["plan", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(plan["summary"]["files"], 3, "{}", plan["summary"]);
    let inventory = plan["inventory"].to_string();
    for path in ["pay.py", "legacy.php", "Pay.cs"] {
        assert!(inventory.contains(path), "{path} not in {inventory}");
    }
    // The plan reads the files' text again, decoded as the scan did.
    let frameworks = plan["stacks"].to_string();
    assert!(frameworks.contains("WooCommerce"), "{frameworks}");
    let (check, code) = json_of(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1, "{check}");
    assert_eq!(positions(&check["blocking"]), expected());

    // A suppression comment in the UTF-16 file is read too (its marker is not ASCII bytes).
    let suppressed = CS_TEXT.replace(
        "    const string",
        "    // makepay-migrate: allow invoice-creation -- Café test vector\r\n    const string",
    );
    fs::write(dir.path().join("Pay.cs"), utf16le_with_bom(&suppressed)).unwrap();
    let (check, _) = json_of(dir.path(), &["check", "--format", "json"]);
    let blocking = positions(&check["blocking"]);
    assert_eq!(blocking, expected()[1..], "{check}");
}

#[cfg(unix)]
#[test]
fn apply_writes_each_file_back_in_its_own_encoding() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let py = dir.path().join("pay.py");
    fs::set_permissions(&py, fs::Permissions::from_mode(0o755)).unwrap();
    commit(dir.path());
    let out = apply(dir.path(), &["--only", "annotate", "--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 files written"), "{}", stderr(&out));

    let annotation = |indent: &str, marker: &str, rule: &str| {
        format!("{indent}{marker} makepay-migrate: {rule} -> MakePay: ")
    };
    // Latin-1: every original byte where it was, the annotation inserted, the mode kept.
    let written = fs::read(&py).unwrap();
    let marker = annotation("    ", "#", "oxapay-v1-invoice-endpoint");
    let at = find(&written, marker.as_bytes()).expect("annotated");
    let line_end = at + written[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    assert_eq!([&written[..at], &written[line_end..]].concat(), LATIN1_PY);
    assert_eq!(
        fs::metadata(&py).unwrap().permissions().mode() & 0o777,
        0o755
    );

    // Windows-1252: same, the euro signs still single 0x80 bytes.
    let php = fs::read(dir.path().join("legacy.php")).unwrap();
    let marker = annotation("", "//", "oxapay-legacy-request-endpoint");
    let at = find(&php, marker.as_bytes()).expect("annotated");
    let line_end = at + php[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    assert_eq!([&php[..at], &php[line_end..]].concat(), CP1252_PHP);

    // UTF-16LE: still UTF-16LE with its BOM, and the new line ends in CRLF like the others.
    let cs = fs::read(dir.path().join("Pay.cs")).unwrap();
    assert_eq!(&cs[..2], &[0xFF, 0xFE]);
    let units: Vec<u16> = cs[2..]
        .chunks(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    let marker = annotation("    ", "//", "oxapay-v1-invoice-endpoint");
    let at = text.find(&marker).expect("annotated");
    let line_end = at + text[at..].find("\r\n").unwrap() + 2;
    assert_eq!(format!("{}{}", &text[..at], &text[line_end..]), CS_TEXT);

    // A second run finds the annotations and changes nothing.
    commit(dir.path());
    let again = apply(dir.path(), &["--only", "annotate"]);
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
}

#[test]
fn patch_file_leaves_out_files_it_cannot_hold_byte_for_byte() {
    let dir = repo();
    fs::write(
        dir.path().join("utf8.py"),
        "import requests\nrequests.post('https://api.oxapay.com/v1/payment/invoice')\n",
    )
    .unwrap();
    commit(dir.path());
    let patch = dir.path().join("out.patch");
    let out = apply(
        dir.path(),
        &["--only", "annotate", "--patch-out", patch.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&patch).unwrap();
    assert!(text.contains("+++ b/utf8.py"), "{text}");
    for (path, encoding) in [
        ("Pay.cs", "UTF-16LE"),
        ("legacy.php", "Windows-1252"),
        ("pay.py", "Windows-1252"),
    ] {
        assert!(!text.contains(&format!("b/{path}")), "{path} in {text}");
        assert!(
            stderr(&out).contains(&format!(
                "note: {path}: left out of the patch, which is UTF-8 while the file is {encoding}"
            )),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn an_edit_the_encoding_cannot_hold_is_refused_and_the_file_left_alone() {
    let dir = repo();
    // A rule pack whose replacement text has an arrow, which Windows-1252 has no byte for.
    let rules = tempfile::tempdir().unwrap();
    fs::create_dir(rules.path().join("oxapay")).unwrap();
    fs::write(
        rules.path().join("oxapay/arrow.yaml"),
        "rules:\n  - id: oxapay-legacy-request-endpoint\n    category: invoice-creation\n    severity: error\n    confidence: high\n    message: Legacy request endpoint\n    replacement: Create a payment link → MakePay\n    pattern: 'api\\.oxapay\\.com/merchants/request'\n",
    )
    .unwrap();
    let out = apply(
        dir.path(),
        &[
            "--only",
            "annotate",
            "--write",
            "--rules",
            rules.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "note: legacy.php: Windows-1252 cannot hold '→' (U+2192), which its edits would add; left untouched"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(dir.path().join("legacy.php")).unwrap(), CP1252_PHP);
    assert!(stderr(&out).contains("2 files written"), "{}", stderr(&out));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
