//! `makepay-migrate check`, `init` and `config schema` end to end, on temporary git repositories.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

const INVOICE_URL: &str = "https://api.oxapay.com/v1/payment/invoice";

fn bin() -> Command {
    Command::cargo_bin("makepay-migrate").unwrap()
}

/// A temporary git repository with `files` (path, contents) committed.
fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "fixture",
    ]);
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// Runs `check --format json` with `extra` arguments: (document, exit code).
fn check(dir: &Path, extra: &[&str]) -> (Value, i32) {
    let out = bin()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "stdout is JSON (exit {code}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, code)
}

fn invoice_php() -> String {
    format!(
        "<?php\nfunction createPayment($order) {{\n    $res = http_post('{INVOICE_URL}');\n    return $res;\n}}\n"
    )
}

const CALLBACK_PHP: &str = "<?php\nfunction handleOxapayCallback() {\n    $raw = file_get_contents('php://input');\n    $hmac = $_SERVER['HTTP_HMAC'];\n    $calc = hash_hmac('sha512', $raw, $secret);\n    if (!hash_equals($calc, $hmac)) { http_response_code(400); return; }\n    echo 'ok';\n}\n";

const POLICY: &str = "new_order_paths: ['src/**']\nlegacy_paths: ['src/legacy/**']\n";

fn paths(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn new_invoice_call_fails_in_new_order_path_and_passes_in_legacy_path() {
    let new = repo(&[
        ("makepay-migrate.yaml", POLICY),
        ("src/checkout/pay.php", &invoice_php()),
    ]);
    let (doc, code) = check(new.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["passed"], false);
    assert_eq!(
        paths(&doc["blocking"]),
        ["src/checkout/pay.php:oxapay-v1-invoice-endpoint"]
    );

    let legacy = repo(&[
        ("makepay-migrate.yaml", POLICY),
        ("src/legacy/pay.php", &invoice_php()),
    ]);
    let (doc, code) = check(legacy.path(), &[]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["blocking"], serde_json::json!([]));
    assert_eq!(doc["allowed"][0]["reason"], "legacy-path");
}

#[test]
fn legacy_callback_passes_until_cutover_complete() {
    let dir = repo(&[
        ("makepay-migrate.yaml", POLICY),
        ("src/webhooks/oxapay.php", CALLBACK_PHP),
    ]);
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{doc}");
    assert!(doc["allowed"].as_array().unwrap().len() >= 3);
    assert!(doc["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["reason"] == "not-blocking-category"));

    write(
        dir.path(),
        "makepay-migrate.yaml",
        &format!("{POLICY}cutover_complete: true\n"),
    );
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        paths(&doc["blocking"]).contains(&"src/webhooks/oxapay.php:oxapay-hmac-sha512-php".into())
    );
}

/// The same invoice URL in five languages, each with a suppression in that language's comments.
fn suppressed_sources(reason: &str) -> Vec<(&'static str, String)> {
    let allow = format!("makepay-migrate: allow invoice-creation{reason}");
    vec![
        (
            "a.php",
            format!("<?php\nfunction pay() {{\n    // {allow}\n    $url = '{INVOICE_URL}';\n}}\n"),
        ),
        (
            "a.js",
            format!("function pay() {{\n  /* {allow} */\n  const url = '{INVOICE_URL}';\n}}\n"),
        ),
        (
            "a.py",
            format!("def pay():\n    url = '{INVOICE_URL}'  # {allow}\n"),
        ),
        (
            "a.go",
            format!("package main\n\nfunc pay() {{\n\t// {allow}\n\turl := \"{INVOICE_URL}\"\n\t_ = url\n}}\n"),
        ),
        (
            "a.rs",
            format!("fn pay() {{\n    // {allow}\n    let url = \"{INVOICE_URL}\";\n}}\n"),
        ),
    ]
}

fn repo_of(files: &[(&'static str, String)]) -> TempDir {
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    repo(&borrowed)
}

#[test]
fn suppressions_work_in_php_js_python_go_and_rust_comments() {
    let dir = repo_of(&suppressed_sources(" -- migrating in PR 12"));
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{doc}");
    let mut suppressed = paths(&doc["suppressed"]);
    suppressed.sort();
    assert_eq!(
        suppressed,
        ["a.go", "a.js", "a.php", "a.py", "a.rs"]
            .map(|p| format!("{p}:oxapay-v1-invoice-endpoint"))
    );
    assert_eq!(doc["unused_suppressions"], serde_json::json!([]));
}

#[test]
fn suppressions_without_a_reason_fail_and_do_not_suppress() {
    let dir = repo_of(&suppressed_sources(""));
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["blocking"].as_array().unwrap().len(), 5);
    let invalid = doc["invalid_suppressions"].as_array().unwrap();
    assert_eq!(invalid.len(), 5);
    assert!(invalid.iter().all(|i| i["message"]
        .as_str()
        .unwrap()
        .contains("reason is required")));
}

#[test]
fn suppression_in_a_string_is_not_a_suppression_and_unused_ones_fail_under_strict() {
    let src = format!(
        "<?php\n$doc = 'makepay-migrate: allow invoice-creation -- nope';\n$url = '{INVOICE_URL}';\n// makepay-migrate: allow payout -- nothing to cover\n$x = 1;\n"
    );
    let dir = repo(&[("a.php", &src)]);
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(
        code, 1,
        "the string is not a comment, so the call still blocks"
    );
    assert_eq!(doc["unused_suppressions"][0]["line"], 4);

    let clean = repo(&[(
        "a.php",
        "<?php\n// makepay-migrate: allow payout -- nothing to cover\n$x = 1;\n",
    )]);
    assert_eq!(check(clean.path(), &[]).1, 0);
    let (doc, code) = check(clean.path(), &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(doc["passed"], false);
}

#[test]
fn provider_filter_keeps_the_other_providers_rule_ids_known() {
    let dir = repo(&[(
        "a.py",
        "# makepay-migrate: allow cryptomus-api-host -- cleanup later\nx = 1\n",
    )]);
    let (doc, code) = check(dir.path(), &["--provider", "oxapay"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["invalid_suppressions"], serde_json::json!([]));
    assert_eq!(
        doc["unused_suppressions"][0]["targets"][0],
        "cryptomus-api-host"
    );
}

#[test]
fn unknown_rule_in_a_suppression_fails() {
    let dir = repo(&[(
        "a.py",
        "# makepay-migrate: allow oxapay-nope -- typo\nx = 1\n",
    )]);
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(doc["invalid_suppressions"][0]["message"]
        .as_str()
        .unwrap()
        .contains("oxapay-nope"));
}

fn fingerprints(doc: &Value, key: &str) -> Vec<String> {
    let mut v: Vec<String> = doc[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn baseline_survives_inserted_lines_and_moved_functions() {
    let first = format!(
        "<?php\nfunction createPayment() {{\n    $a = http_post('{INVOICE_URL}');\n}}\n\nfunction other() {{\n    return 1;\n}}\n"
    );
    let dir = repo(&[("src/pay.php", &first)]);
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let (doc, code) = check(dir.path(), &["--baseline", b, "--update-baseline"]);
    assert_eq!(code, 0, "{doc}");
    let before = fingerprints(&doc, "baselined");
    assert_eq!(before.len(), 1);
    let (doc, code) = check(dir.path(), &["--baseline", b]);
    assert_eq!((code, fingerprints(&doc, "baselined")), (0, before.clone()));

    // Lines inserted above, and the function moved below another one.
    let moved = format!(
        "<?php\n// a new header comment\n\nuse App\\Thing;\n\nfunction other() {{\n    return 1;\n}}\n\nfunction createPayment() {{\n    $a = http_post('{INVOICE_URL}');\n}}\n"
    );
    write(dir.path(), "src/pay.php", &moved);
    let (doc, code) = check(dir.path(), &["--baseline", b]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(fingerprints(&doc, "baselined"), before);
    assert_eq!(doc["fixed"], serde_json::json!([]));

    // A second, new call fails; removing the old one reports it as fixed.
    let added = moved.replace(
        "return 1;",
        &format!("return http_post('{INVOICE_URL}/new');"),
    );
    write(dir.path(), "src/pay.php", &added);
    let (doc, code) = check(dir.path(), &["--baseline", b]);
    assert_eq!(code, 1);
    assert_eq!(doc["blocking"][0]["function"], "other");
    write(dir.path(), "src/pay.php", "<?php\n");
    let (doc, code) = check(dir.path(), &["--baseline", b]);
    assert_eq!(code, 0);
    assert_eq!(doc["fixed"][0]["fingerprint"], before[0].as_str());
    let text = fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains("\"line\""), "baselines never key on lines");
}

#[test]
fn missing_baseline_and_bad_policy_are_usage_errors() {
    let dir = repo(&[("makepay-migrate.yaml", "legacy_paths: ['[oops']\n")]);
    bin()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "makepay-migrate.yaml:1:16: invalid glob",
        ));
    let ok = repo(&[("a.txt", "x\n")]);
    bin()
        .arg("check")
        .arg(ok.path())
        .args(["--baseline", "/definitely/missing.json"])
        .assert()
        .code(2);
    bin().args(["check", "--update-baseline"]).assert().code(2);
}

#[test]
fn output_files_are_never_coloured() {
    let dir = repo(&[("src/pay.php", &invoice_php())]);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("check.txt");
    bin()
        .arg("check")
        .arg(dir.path())
        .args(["--color", "always", "--output"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("oxapay-v1-invoice-endpoint"));
    assert!(!text.contains('\x1b'), "{text:?}");
}

#[test]
fn failing_to_write_results_is_an_internal_error() {
    let dir = repo(&[("a.txt", "x\n")]);
    bin()
        .arg("check")
        .arg(dir.path())
        .args(["--output", "/definitely/missing/dir/out.txt"])
        .assert()
        .code(3);
}

#[test]
fn several_outputs_in_one_run() {
    let dir = repo(&[("src/pay.php", &invoice_php())]);
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let junit = out.path().join("r.xml");
    let assert = bin()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "github", "--sarif"])
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .env_remove("GITHUB_STEP_SUMMARY")
        .assert()
        .code(1);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with(
        "::error file=src/pay.php,line=3,col=31,endLine=3,endColumn=67,title=oxapay-v1-invoice-endpoint::"
    ), "{stdout}");
    assert!(stdout.contains("makepay-migrate check FAILED: 1 blocking finding"));
    let junit = fs::read_to_string(junit).unwrap();
    assert!(junit.contains(r#"tests="1" failures="1""#));
    let sarif: Value = serde_json::from_str(&fs::read_to_string(sarif).unwrap()).unwrap();
    validate_sarif_for_github(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
}

/// The SARIF 2.1.0 properties GitHub code scanning requires or reads, checked by hand: no
/// registry package ships the OASIS schema in a form a Rust test can load without a network.
fn validate_sarif_for_github(v: &Value) {
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "makepay-migrate");
    assert!(
        driver["semanticVersion"]
            .as_str()
            .unwrap()
            .split('.')
            .count()
            == 3
    );
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for r in rules {
        for key in ["shortDescription", "fullDescription"] {
            assert!(!r[key]["text"].as_str().unwrap().is_empty(), "{key}");
        }
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(!r["help"]["markdown"].as_str().unwrap().is_empty());
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["none", "note", "warning", "error"].contains(&level));
    }
    for res in runs[0]["results"].as_array().unwrap() {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[idx], id, "ruleIndex points at ruleId");
        assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains('\\') && !uri.contains("://"));
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key}");
        }
        assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
        let fp = res["partialFingerprints"].as_object().unwrap();
        assert!(fp.values().all(|f| !f.as_str().unwrap().is_empty()));
    }
}

#[test]
fn scan_speaks_sarif_and_github_too() {
    let dir = repo(&[("src/pay.php", &invoice_php())]);
    let out = bin()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    validate_sarif_for_github(&sarif);
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "oxapay-v1-invoice-endpoint");
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("MakePay"));
    let clean = repo(&[("a.txt", "nothing here\n")]);
    let out = bin()
        .arg("scan")
        .arg(clean.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    validate_sarif_for_github(&serde_json::from_slice(&out.stdout).unwrap());
    bin()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "github"])
        .assert()
        .code(1)
        .stdout(predicates::str::starts_with(
            "::error file=src/pay.php,line=3,",
        ));
}

#[test]
fn init_writes_starter_files_once_and_they_pass() {
    let dir = repo(&[("README", "x\n")]);
    bin()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("created"));
    let workflow =
        fs::read_to_string(dir.path().join(".github/workflows/makepay-migrate.yml")).unwrap();
    assert!(workflow.contains("makepay-migrate check") && workflow.contains("upload-sarif"));
    fs::write(
        dir.path().join("makepay-migrate.yaml"),
        "cutover_complete: true\n",
    )
    .unwrap();
    bin()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("kept existing"));
    assert_eq!(
        fs::read_to_string(dir.path().join("makepay-migrate.yaml")).unwrap(),
        "cutover_complete: true\n"
    );
    assert_eq!(check(dir.path(), &[]).1, 0);
}

#[test]
fn config_schema_is_json_schema_for_the_policy() {
    let out = bin().args(["config", "schema"]).output().unwrap();
    assert!(out.status.success());
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema["$schema"]
        .as_str()
        .unwrap()
        .contains("json-schema.org"));
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["properties"]["legacy_paths"].is_object());
}

#[test]
fn a_suppression_covers_a_multi_line_call_from_its_first_line() {
    let src = format!(
        "<?php\nfunction pay($client) {{\n    // makepay-migrate: allow invoice-creation -- old orders settle here until June\n    $res = $client->post(\n        '{INVOICE_URL}',\n        ['a' => 1]\n    );\n    $next = $client->post('{INVOICE_URL}');\n}}\n"
    );
    let dir = repo(&[("pay.php", &src)]);
    let (doc, code) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let lines = |key: &str| -> Vec<u64> {
        doc[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("suppressed"), [4, 5]);
    assert_eq!(lines("blocking"), [8]);
}
