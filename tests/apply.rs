//! `apply` end to end: dry run, --write, the safety rules (dirty tree, CRLF/BOM, second run,
//! path escapes, overlapping edits), --patch-out through `git apply --check`, and the fixes.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

mod common {
    pub mod repo;
}
use common::repo::{apply, commit, stderr, stdout};

fn bin() -> Command {
    Command::cargo_bin("makepay-migrate").unwrap()
}

const PAY_JS: &str = r#"const crypto = require('crypto');
const API = 'https://api.oxapay.com/v1/payment/invoice';
async function createInvoice(order) {
  return fetch(API, { method: 'POST', headers: { merchant_api_key: process.env.OXAPAY_MERCHANT_API_KEY } });
}
function verifyCallback(req, raw) {
  const calc = crypto.createHmac('sha512', process.env.OXAPAY_MERCHANT_API_KEY).update(raw).digest('hex');
  if (calc === req.headers['hmac']) { return true; }
  return false;
}
"#;

/// A committed repository with an OxaPay integration in `src/pay.js` and an env template.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/pay.js"), PAY_JS).unwrap();
    fs::write(
        dir.path().join(".env.example"),
        "APP_ENV=\nOXAPAY_MERCHANT_API_KEY=\n",
    )
    .unwrap();
    commit(dir.path());
    dir
}

#[test]
fn dry_run_prints_diffs_and_writes_nothing() {
    let dir = repo();
    let out = apply(dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.contains("diff --git a/src/makepay-webhook.js b/src/makepay-webhook.js"));
    assert!(diff.contains("+function verifyMakePaySignature("), "{diff}");
    assert!(diff.contains("+MAKEPAY_WEBHOOK_SECRET=\n"), "{diff}");
    assert!(
        diff.contains("crypto.timingSafeEqual(a, b))(Buffer.from(String(calc))"),
        "{diff}"
    );
    assert!(
        !diff.contains("\u{1b}["),
        "no colour when stdout is not a terminal"
    );
    assert!(!dir.path().join("src/makepay-webhook.js").exists());
    assert_eq!(
        fs::read_to_string(dir.path().join("src/pay.js")).unwrap(),
        PAY_JS
    );
}

#[test]
fn write_applies_and_second_run_changes_nothing() {
    let dir = repo();
    let out = apply(dir.path(), &["--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [
        "makepay-webhook.js",
        "makepay-status.js",
        "makepay-payment-link.js",
        "makepay-provider-switch.js",
        "makepay.test.js",
    ] {
        assert!(dir.path().join("src").join(f).exists(), "{f}");
    }
    let env = fs::read_to_string(dir.path().join(".env.example")).unwrap();
    assert_eq!(
        env,
        "APP_ENV=\nOXAPAY_MERCHANT_API_KEY=\nMAKEPAY_KEY_ID=\nMAKEPAY_KEY_SECRET=\nMAKEPAY_WEBHOOK_SECRET=\n"
    );
    // The same generated files pass their own tests under node: tests/apply_scaffolds.rs.

    commit(dir.path());
    let webhook = fs::read(dir.path().join("src/makepay-webhook.js")).unwrap();
    fs::write(
        dir.path().join("src/makepay-webhook.js"),
        b"// customised\n",
    )
    .unwrap();
    commit(dir.path());
    let again = apply(dir.path(), &["--write"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).is_empty());
    assert!(
        stderr(&again).contains("0 files written"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("exists; webhook scaffold not overwritten"));
    assert_eq!(
        fs::read(dir.path().join("src/makepay-webhook.js")).unwrap(),
        b"// customised\n"
    );
    assert_ne!(webhook, b"// customised\n");
}

#[test]
fn dirty_tree_is_refused_unless_allowed() {
    let dir = repo();
    fs::write(dir.path().join("notes.txt"), "work in progress\n").unwrap();
    let out = apply(dir.path(), &["--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("uncommitted changes"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("notes.txt"));
    assert!(!dir.path().join("src/makepay-webhook.js").exists());
    let out = apply(dir.path(), &["--write", "--allow-dirty"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("src/makepay-webhook.js").exists());
}

#[test]
fn outside_git_write_needs_allow_dirty() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pay.js"), PAY_JS).unwrap();
    let out = apply(dir.path(), &["--write"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not inside a git work tree"));
    assert!(!dir.path().join("makepay-webhook.js").exists());
}

#[test]
fn crlf_bom_final_newline_and_mode_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    let crlf = format!("\u{feff}{}", PAY_JS.replace('\n', "\r\n"));
    fs::write(dir.path().join("src/pay.js"), &crlf).unwrap();
    fs::write(
        dir.path().join(".env.example"),
        "OXAPAY_MERCHANT_API_KEY=\r\nAPP=1",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = fs::Permissions::from_mode(0o600);
        fs::set_permissions(dir.path().join("src/pay.js"), perms).unwrap();
    }
    commit(dir.path());
    let out = apply(dir.path(), &["--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let js = fs::read_to_string(dir.path().join("src/pay.js")).unwrap();
    assert!(js.starts_with('\u{feff}'), "BOM kept");
    assert!(js.contains("timingSafeEqual"), "{js}");
    assert_eq!(
        js.matches('\n').count(),
        js.matches("\r\n").count(),
        "CRLF kept"
    );
    assert!(js.ends_with("}\r\n"));
    let env = fs::read_to_string(dir.path().join(".env.example")).unwrap();
    assert_eq!(
        env,
        "OXAPAY_MERCHANT_API_KEY=\r\nMAKEPAY_KEY_ID=\r\nMAKEPAY_KEY_SECRET=\r\nMAKEPAY_WEBHOOK_SECRET=\r\nAPP=1"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.path().join("src/pay.js"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn patch_out_passes_git_apply_check_on_a_copy() {
    let dir = repo();
    let crlf = format!("\u{feff}{}", PAY_JS.replace('\n', "\r\n"));
    fs::write(dir.path().join("src/legacy.js"), crlf).unwrap();
    commit(dir.path());
    let patch = tempfile::NamedTempFile::new().unwrap();
    let out = apply(dir.path(), &["--patch-out", patch.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "the patch goes to the file, not stdout"
    );
    let text = fs::read_to_string(patch.path()).unwrap();
    assert!(text.contains("+++ b/src/legacy.js"), "{text}");
    assert!(!dir.path().join("src/makepay-webhook.js").exists());

    let copy = tempfile::tempdir().unwrap();
    let clone = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(dir.path())
        .arg(copy.path().join("c"))
        .output()
        .unwrap();
    assert!(clone.status.success());
    let c = copy.path().join("c");
    let check = std::process::Command::new("git")
        .current_dir(&c)
        .args(["apply", "--check"])
        .arg(patch.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let applied = std::process::Command::new("git")
        .current_dir(&c)
        .arg("apply")
        .arg(patch.path())
        .output()
        .unwrap();
    assert!(applied.status.success());
    // Applying the patch gives the same bytes as --write.
    let out = apply(dir.path(), &["--write"]);
    assert!(out.status.success());
    for f in ["src/legacy.js", "src/makepay-webhook.js", ".env.example"] {
        assert_eq!(
            fs::read(dir.path().join(f)).unwrap(),
            fs::read(c.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn paths_outside_the_root_are_errors() {
    let dir = repo();
    let out = apply(dir.path(), &["--scaffold-dir", "../elsewhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".."), "{}", stderr(&out));

    let templates = tempfile::tempdir().unwrap();
    fs::create_dir(templates.path().join("javascript")).unwrap();
    fs::write(
        templates.path().join("javascript/scaffolds.yaml"),
        "- { kind: webhook, template: w.js.tera, output: \"../../escaped.js\" }\n",
    )
    .unwrap();
    fs::write(templates.path().join("javascript/w.js.tera"), "x\n").unwrap();
    let out = apply(
        dir.path(),
        &["--write", "--templates", templates.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`..` would leave the repository root"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().parent().unwrap().join("escaped.js").exists());
    assert!(
        !dir.path().join("src/makepay-status.js").exists(),
        "nothing written on error"
    );
}

/// Runs `apply --only webhook` with a `--templates` dir whose JavaScript webhook template is
/// `body`; returns the run and the template's path.
fn with_webhook_template(dir: &Path, body: &str) -> (std::process::Output, PathBuf) {
    let templates = dir.join(".templates");
    fs::create_dir_all(templates.join("javascript")).unwrap();
    let file = templates.join("javascript/makepay-webhook.js.tera");
    fs::write(&file, body).unwrap();
    let out = apply(
        dir,
        &[
            "--only",
            "webhook",
            "--templates",
            templates.to_str().unwrap(),
        ],
    );
    (out, file)
}

#[test]
fn templates_override_replaces_embedded_template() {
    let dir = repo();
    let (out, _) = with_webhook_template(dir.path(), "// our own verifier for {{ legacy_name }}\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("+// our own verifier for OxaPay\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn overlapping_edits_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // `import hmac` (timing-safe fix) and the marker above the SDK import both land on line 1.
    let src = "from oxapay import OxaPay\nimport hashlib\n\n\ndef verify(raw, headers):\n    calc = hashlib.sha512(raw).hexdigest()\n    if calc == headers.get('HMAC'):\n        return True\n    return False\n";
    fs::write(dir.path().join("pay.py"), src).unwrap();
    commit(dir.path());
    let out = apply(dir.path(), &["--only", "timing-safe,annotate", "--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pay.py: overlapping edits; every annotate and timing-safe edit"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(dir.path().join("pay.py")).unwrap(), src);
    // One kind at a time works (tests/apply_scaffolds.rs compiles the fixed file).
    let out = apply(
        dir.path(),
        &["--only", "timing-safe", "--write", "--allow-dirty"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let fixed = fs::read_to_string(dir.path().join("pay.py")).unwrap();
    assert!(
        fixed.starts_with("import hmac\nfrom oxapay import OxaPay\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    if hmac.compare_digest(calc, headers.get('HMAC')):\n"),
        "{fixed}"
    );
}

#[test]
fn annotate_marks_each_finding_once_in_the_file_comment_syntax() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pay.js"), PAY_JS).unwrap();
    fs::write(
        dir.path().join("pay.py"),
        "import requests\n\ndef create(order):\n    return requests.post('https://api.oxapay.com/v1/payment/invoice', json=order)\n",
    )
    .unwrap();
    commit(dir.path());
    let out = apply(dir.path(), &["--only", "annotate", "--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let js = fs::read_to_string(dir.path().join("pay.js")).unwrap();
    assert!(js.contains("  // makepay-migrate: oxapay-unsafe-signature-compare -> MakePay: "));
    let py = fs::read_to_string(dir.path().join("pay.py")).unwrap();
    assert!(py.contains("    # makepay-migrate: "), "{py}");
    assert!(
        !dir.path().join("makepay-webhook.js").exists(),
        "annotate only"
    );
    commit(dir.path());
    let again = apply(dir.path(), &["--only", "annotate"]);
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
}

#[test]
fn only_a_rule_id_limits_fixes_to_that_rule() {
    let dir = repo();
    let out = apply(
        dir.path(),
        &[
            "--only",
            "annotate",
            "--only",
            "oxapay-unsafe-signature-compare",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = stdout(&out);
    assert_eq!(diff.matches("+  // makepay-migrate:").count(), 1, "{diff}");
    assert!(!diff.contains("makepay-webhook.js"));
    let out = apply(dir.path(), &["--only", "no-such-kind"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("neither a change kind"));
}

#[test]
fn scaffolds_follow_the_integration_and_the_overrides() {
    let dir = repo();
    fs::create_dir(dir.path().join("lib")).unwrap();
    fs::write(
        dir.path().join("lib/util.py"),
        "URL = 'https://api.oxapay.com/v1/payment/invoice'\n",
    )
    .unwrap();
    commit(dir.path());
    let out = apply(dir.path(), &["--only", "webhook"]);
    assert!(
        stdout(&out).contains("+++ b/src/makepay-webhook.js"),
        "{}",
        stdout(&out)
    );
    let out = apply(dir.path(), &["--only", "webhook", "--lang", "python"]);
    assert!(
        stdout(&out).contains("+++ b/lib/makepay_webhook.py"),
        "{}",
        stdout(&out)
    );
    let out = apply(
        dir.path(),
        &[
            "--only",
            "webhook",
            "--lang",
            "go",
            "--scaffold-dir",
            "internal/pay",
        ],
    );
    let diff = stdout(&out);
    assert!(
        diff.contains("+++ b/internal/pay/makepay_webhook.go"),
        "{diff}"
    );
    assert!(diff.contains("+package makepay\n"), "{diff}");
}

#[test]
fn template_errors_name_the_override_file_line_and_column() {
    let dir = repo();
    let (out, file) = with_webhook_template(
        dir.path(),
        "// ok\n// {{ legacy_name }} and {{ no_such_variable }}\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("template {}:2:29: ", file.display())),
        "{err}"
    );
    assert!(err.contains("no_such_variable"), "{err}");

    let (out, file) = with_webhook_template(dir.path(), "{% if legacy %}never closed\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("template {}:", file.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_teaches_with_examples() {
    bin()
        .args(["apply", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--patch-out makepay.patch"))
        .stdout(predicate::str::contains("--allow-dirty"));
}
