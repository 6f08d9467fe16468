//! `brief` end to end: output destinations, template overrides and every bad-input path.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;

fn brief() -> Command {
    let mut cmd = Command::cargo_bin("makepay-migrate").unwrap();
    cmd.arg("brief");
    cmd
}

#[test]
fn writes_the_general_brief_to_stdout() {
    brief()
        .args(["--provider", "oxapay"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# Migrate OxaPay to MakePay\n"))
        .stderr("");
}

#[test]
fn output_flag_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("MIGRATION.md");
    brief()
        .args(["--provider", "cryptomus", "--output"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout("");
    let text = fs::read_to_string(out).unwrap();
    assert!(text.starts_with("# Migrate Cryptomus to MakePay\n"));
}

#[test]
fn unknown_provider_is_a_usage_error() {
    brief()
        .args(["--provider", "stripe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'stripe'"))
        .stderr(predicate::str::contains("oxapay, cryptomus"));
}

#[test]
fn unreadable_template_is_named() {
    brief()
        .args(["--provider", "oxapay", "--template", "/no/such/brief.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read template /no/such/brief.md",
        ));
}

#[test]
fn missing_variable_names_the_template_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.md");
    fs::write(&file, "# {{ provider.name }}\n\nStack: {{ stack }}\n").unwrap();
    brief()
        .args(["--provider", "oxapay", "--template"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "template {}:3:11: Variable `stack` is not defined",
            file.display()
        )));
}

#[test]
fn syntax_error_in_an_override_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("map.md"),
        "## Map\n{% for row in guide.map %}\n",
    )
    .unwrap();
    let expected = format!("template {}:", dir.path().join("map.md").display());
    brief()
        .args(["--provider", "oxapay", "--templates"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(expected));
}

#[test]
fn templates_dir_overrides_one_section_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("checklist.md"),
        "## Done when\n{% for item in guide.checklist %}* {{ item }}\n{% endfor %}",
    )
    .unwrap();
    let out = brief()
        .args(["--provider", "oxapay", "--templates"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("## Migration map"),
        "embedded sections remain"
    );
    assert!(text.contains("## Done when\n* A new order creates exactly one MakePay payment link"));
    assert!(!text.contains("## Verification checklist"));
}

#[test]
fn missing_path_is_an_error() {
    brief()
        .args(["--provider", "oxapay", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/definitely/not/here"));
}

/// Hundreds of findings in one function stay one row per concern, with capped line lists.
#[test]
fn a_large_inventory_stays_bounded() {
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("package.json"), "{\"name\": \"shop\"}\n").unwrap();
    let mut src = String::from("function createInvoice() {\n");
    for i in 0..300 {
        src.push_str(&format!(
            "  const u{i} = 'https://api.oxapay.com/v1/payment/invoice';\n"
        ));
    }
    src.push_str("}\n");
    fs::create_dir(repo.path().join("src")).unwrap();
    fs::write(repo.path().join("src/pay.js"), src).unwrap();
    let out = brief()
        .args(["--provider", "oxapay"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let inventory = &text[text.find("## Phase 1").unwrap()..text.find("## Phase 2").unwrap()];
    assert!(inventory.contains("### `src/pay.js`\n\n- `createInvoice`\n"));
    assert!(inventory.contains("lines 2, 3, 4, 5, 6, 7, 8, 9 (+292 more)"));
    assert!(inventory.lines().count() < 40, "{inventory}");
}
