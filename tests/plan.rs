//! `makepay-migrate plan`: golden plans for fixtures (both formats), the order of work, risks,
//! stack detection, and the JSON schema contract.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn bin() -> Command {
    Command::cargo_bin("makepay-migrate").unwrap()
}

/// Runs `plan` in the crate root (so paths in the output are stable) and returns stdout.
fn plan_in_repo(path: &str, format: &str) -> String {
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["plan", path, "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `plan` on a temporary tree and returns (stdout, exit code).
fn plan(dir: &Path, format: &str) -> (String, i32) {
    let out = bin()
        .arg("plan")
        .arg(dir)
        .args(["--format", format])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn plan_json(dir: &Path) -> Value {
    let (out, code) = plan(dir, "json");
    assert_eq!(code, 0);
    serde_json::from_str(&out).expect("plan --format json is JSON")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn step_ids(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn risk_kinds(plan: &Value) -> Vec<String> {
    plan["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect()
}

/// An OxaPay service that only creates invoices: no callbacks, statuses, payouts or polling.
const INVOICE_ONLY: &str = r#"const axios = require('axios');

async function createInvoice(order) {
  const { data } = await axios.post('https://api.oxapay.com/v1/payment/invoice', {
    amount: order.total,
    currency: 'USD',
    order_id: order.id,
  }, { headers: { merchant_api_key: process.env.OXAPAY_MERCHANT_API_KEY } });
  return data.data.track_id;
}

module.exports = { createInvoice };
"#;

#[test]
fn golden_oxapay_express_markdown() {
    insta::assert_snapshot!(
        "oxapay_express_markdown",
        plan_in_repo("fixtures/oxapay-express", "markdown")
    );
}

#[test]
fn golden_oxapay_express_json() {
    insta::assert_snapshot!(
        "oxapay_express_json",
        plan_in_repo("fixtures/oxapay-express", "json")
    );
}

#[test]
fn golden_cryptomus_django_markdown() {
    insta::assert_snapshot!(
        "cryptomus_django_markdown",
        plan_in_repo("fixtures/cryptomus-django", "markdown")
    );
}

#[test]
fn golden_cryptomus_django_json() {
    insta::assert_snapshot!(
        "cryptomus_django_json",
        plan_in_repo("fixtures/cryptomus-django", "json")
    );
}

#[test]
fn decoy_fixtures_have_nothing_to_migrate() {
    for decoy in ["fixtures/decoy-shop", "fixtures/decoy-ledger"] {
        let md = plan_in_repo(decoy, "markdown");
        assert!(
            md.starts_with("# Migration plan: nothing to migrate\n"),
            "{decoy}:\n{md}"
        );
    }
}

#[test]
fn nothing_to_migrate_is_short_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/cart.js",
        "// order status: paid, amount, currency\nconst total = items.reduce((a, i) => a + i.amount, 0);\n",
    );
    let (md, code) = plan(dir.path(), "markdown");
    assert_eq!(code, 0);
    assert!(
        md.starts_with("# Migration plan: nothing to migrate\n"),
        "{md}"
    );
    assert!(!md.contains("## "), "no sections in an empty plan:\n{md}");
    assert!(md.lines().count() <= 4, "{md}");
    let json = plan_json(dir.path());
    assert_eq!(json["version"], 1);
    assert!(json["steps"].as_array().unwrap().is_empty());
    assert!(json["inventory"]["files"].as_array().unwrap().is_empty());
    assert!(json["stacks"].as_array().unwrap().is_empty());
}

#[test]
fn comment_mentions_alone_are_nothing_to_migrate() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/pay.js",
        "// We moved off https://api.oxapay.com last year.\nconst x = 1;\n",
    );
    let (md, code) = plan(dir.path(), "markdown");
    assert_eq!(code, 0);
    assert!(
        md.starts_with("# Migration plan: nothing to migrate\n"),
        "{md}"
    );
    assert!(
        md.contains("Provider mentions left in comments, docs or messages: 1 "),
        "{md}"
    );
    assert_eq!(plan_json(dir.path())["summary"]["mentions_in_comments"], 1);
}

#[test]
fn provider_flag_limits_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/pay.js", INVOICE_ONLY);
    let out = bin()
        .arg("plan")
        .arg(dir.path())
        .args(["--provider", "cryptomus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("# Migration plan: nothing to migrate"),
        "{md}"
    );
}

#[test]
fn a_plan_with_findings_still_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/pay.js", INVOICE_ONLY);
    let (md, code) = plan(dir.path(), "markdown");
    assert_eq!(code, 0, "plan is a report, not a gate");
    assert!(md.contains("## Order of work"));
}

#[test]
fn order_of_work_omits_steps_that_do_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/pay.js", INVOICE_ONLY);
    let json = plan_json(dir.path());
    assert_eq!(
        step_ids(&json),
        [
            "provider-flag",
            "sdk-and-credentials",
            "payment-links",
            "provider-ids",
            "removal"
        ]
    );
    let numbers: Vec<u64> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5], "numbered without gaps");
    let (md, _) = plan(dir.path(), "markdown");
    for absent in [
        "Verify MakePay webhooks",
        "Normalise legacy statuses",
        "statuses (step",
        "Send buyers to",
        "## Risks",
        "top-up",
        "polling",
        "QR codes",
    ] {
        assert!(!md.contains(absent), "`{absent}` should not appear:\n{md}");
    }
}

#[test]
fn each_step_names_its_files_and_functions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/pay.js", INVOICE_ONLY);
    let json = plan_json(dir.path());
    let links = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "payment-links")
        .unwrap();
    assert_eq!(links["files"][0]["path"], "src/pay.js");
    assert_eq!(links["files"][0]["functions"][0], "createInvoice");
    assert_eq!(links["files"][0]["lines"][0], 4);
    for step in json["steps"].as_array().unwrap() {
        assert!(
            !step["files"].as_array().unwrap().is_empty(),
            "step {} names no file",
            step["id"]
        );
    }
}

#[test]
fn status_tables_follow_the_providers_found() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/webhooks.py",
        r#"import hashlib, base64, json, hmac
from django.conf import settings

def cryptomus_webhook(request):
    data = json.loads(request.body)
    sign = data.pop("sign")
    calc = hashlib.md5(base64.b64encode(json.dumps(data).encode()) + settings.CRYPTOMUS_API_KEY.encode()).hexdigest()
    if not hmac.compare_digest(calc, sign):
        return HttpResponse(status=403)
    if data["status"] in ("paid", "paid_over"):
        mark_paid(data["order_id"])
    elif data["status"] == "cancel":
        cancel(data["order_id"])
"#,
    );
    let json = plan_json(dir.path());
    let statuses = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "statuses")
        .expect("status step");
    let tables = statuses["status_tables"].as_array().unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0]["provider"], "cryptomus");
    assert_eq!(tables[0]["rows"].as_array().unwrap().len(), 14);
    assert_eq!(
        tables[0]["handled"],
        serde_json::json!(["paid", "paid_over", "cancel"])
    );
    let (md, _) = plan(dir.path(), "markdown");
    assert!(md.contains("### Cryptomus statuses"));
    assert!(md.contains(
        "| `paid_over` | paid | yes | Complete the order and keep an overpayment note. |"
    ));
    assert!(
        !md.contains("OxaPay"),
        "no OxaPay text in a Cryptomus plan:\n{md}"
    );
    assert!(md.contains("- [ ] Cryptomus signature rejection"));
    assert!(!md.contains("manual_accept"));
}

#[test]
fn risks_are_found_and_keys_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let key = "N7QW3XK2PL9M4TZ8AB";
    write(
        dir.path(),
        "src/pay.js",
        &INVOICE_ONLY.replace("process.env.OXAPAY_MERCHANT_API_KEY", &format!("'{key}'")),
    );
    write(
        dir.path(),
        "src/hook.js",
        r#"const crypto = require('crypto');

function oxapayWebhook(req, res) {
  const hmac = crypto.createHmac('sha512', process.env.OXAPAY_MERCHANT_API_KEY)
    .update(JSON.stringify(req.body)).digest('hex');
  if (hmac !== req.headers['hmac']) return res.status(400).end();
  if (req.body.status === 'paid') markPaid(req.body.track_id);
  res.send('ok');
}

function cryptomusWebhook(req, res) {
  const { uuid, status, order_id } = req.body;
  if (status === 'paid') markPaid(order_id);
  res.sendStatus(200);
}
module.exports = { oxapayWebhook, cryptomusWebhook };
"#,
    );
    let json = plan_json(dir.path());
    assert_eq!(
        risk_kinds(&json),
        [
            "unverified-webhook",
            "reserialized-body",
            "timing-unsafe-compare",
            "hardcoded-key"
        ]
    );
    let key_risk = &json["risks"][3];
    assert_eq!(key_risk["path"], "src/pay.js");
    assert!(key_risk["snippet"]
        .as_str()
        .unwrap()
        .contains("N7QW…(18 chars)"));
    let (md, _) = plan(dir.path(), "markdown");
    for out in [md, serde_json::to_string(&json).unwrap()] {
        assert!(!out.contains(key), "the key leaked:\n{out}");
    }
}

#[test]
fn payouts_beside_checkout_are_a_risk_and_stay_on_the_legacy_provider() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "src/pay.js",
        &INVOICE_ONLY.replace(
            "module.exports",
            "async function payAffiliate(a) {\n  return axios.post('https://api.oxapay.com/v1/payout', { address: a.wallet, amount: a.due }, { headers: { payout_api_key: process.env.OXAPAY_PAYOUT_API_KEY } });\n}\n\nmodule.exports",
        ),
    );
    let json = plan_json(dir.path());
    assert!(risk_kinds(&json).contains(&"payout-in-checkout".to_string()));
    assert!(step_ids(&json).contains(&"legacy-flows".to_string()));
    let (md, _) = plan(dir.path(), "markdown");
    assert!(md.contains("Keep payout and refund handling"));
    assert!(!md.contains("top-up addresses"), "no static addresses here");
}

#[test]
fn stack_is_the_one_that_owns_the_provider_code() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "composer.json",
        r#"{"require": {"php": "^8.1", "laravel/framework": "^10.10"}, "require-dev": {"phpunit/phpunit": "^10"}}"#,
    );
    write(
        dir.path(),
        "package.json",
        r#"{"devDependencies": {"vite": "^5", "express": "^4"}}"#,
    );
    write(
        dir.path(),
        "app/Services/Pay.php",
        "<?php\nclass Pay {\n    public function create() {\n        return Http::post('https://api.oxapay.com/v1/payment/invoice', ['amount' => 1]);\n    }\n}\n",
    );
    let json = plan_json(dir.path());
    let stacks = json["stacks"].as_array().unwrap();
    assert_eq!(stacks.len(), 1, "{stacks:?}");
    assert_eq!(stacks[0]["ecosystem"], "php");
    assert_eq!(stacks[0]["frameworks"], serde_json::json!(["Laravel"]));
    assert_eq!(stacks[0]["package_manager"], "composer");
    assert_eq!(stacks[0]["test_runner"], "PHPUnit");
    assert_eq!(
        stacks[0]["sdk_install"],
        "composer require makepay/makepay-php"
    );
}

#[test]
fn stack_without_manifest_falls_back_to_the_language() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "client.go",
        "package pay\n\nconst base = \"https://api.oxapay.com/v1/payment/invoice\"\n",
    );
    let json = plan_json(dir.path());
    let stack = &json["stacks"][0];
    assert_eq!(stack["ecosystem"], "go");
    assert_eq!(stack["manifests"], serde_json::json!([]));
    assert_eq!(
        stack["sdk_install"],
        "go get github.com/makecryptoio/makepay-go"
    );
}

#[test]
fn output_flag_writes_the_file_not_stdout() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/pay.js", INVOICE_ONLY);
    let out_file = dir.path().join("PLAN.md");
    let out = bin()
        .arg("plan")
        .arg(dir.path())
        .arg("--output")
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written = fs::read_to_string(&out_file).unwrap();
    assert!(written.starts_with("# Migration plan: OxaPay → MakePay"));
}

#[test]
fn help_says_plan_is_not_a_gate() {
    let out = bin().args(["plan", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("not a gate"), "{help}");
    assert!(help.contains("makepay-migrate plan ./shop"));
}

/// `docs/plan.schema.json` is the published schema; it must match the types. Regenerate with
/// `UPDATE_PLAN_SCHEMA=1 cargo test --test plan`.
#[test]
fn published_schema_matches_the_types() {
    let generated =
        serde_json::to_string_pretty(&makepay_migrate::plan::json_schema()).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plan.schema.json");
    if std::env::var_os("UPDATE_PLAN_SCHEMA").is_some() {
        fs::write(&path, &generated).unwrap();
    }
    let published = fs::read_to_string(&path).expect("docs/plan.schema.json exists");
    assert_eq!(
        published, generated,
        "docs/plan.schema.json is stale: run UPDATE_PLAN_SCHEMA=1 cargo test --test plan"
    );
}
