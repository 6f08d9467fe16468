//! Generated and rewritten code is executed, not just rendered: each language's webhook verifier
//! runs against signature vectors computed here with the `hmac`/`sha2` crates, each status
//! normaliser is asked about every status of every table and every order-state pair, and each
//! timing-safe fix still runs (or compiles) in its language.
//!
//! Every test that needs an interpreter is named for it and goes through
//! [`common::runtime::executed`]: without php or go (a fresh machine) those tests are reported
//! as ignored with a `skipped:` line; `.ci/run` installs them and sets
//! `MAKEPAY_REQUIRE_RUNTIMES=1`, so there they must run. The Rust scaffold needs cargo with the
//! crates.io cache of this package's own dev-dependencies.

use hmac::{Hmac, Mac};
use makepay_migrate::apply::kind::{ChangeKind, ScaffoldLang};
use makepay_migrate::apply::scaffold::{self, Placement};
use makepay_migrate::apply::templates::TemplateSet;
use makepay_migrate::finding::Provider;
use serde_json::json;
use sha2::Sha256;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};

mod common {
    pub mod repo;
    pub mod runtime;
}
use common::repo::{apply, commit, stderr, stdout};
use common::runtime::{executed, trial, Runtime};

const SECRET: &str = "whsec_test_9f1c6cf4";
const NOW: i64 = 1_776_556_800;

fn sign(t: &str, body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// One signature case: (name, raw body, x-makepay-signature header, secret, expected result).
type Vector = (&'static str, Vec<u8>, Option<String>, &'static str, bool);

fn webhook_vectors() -> Vec<Vector> {
    let body = r#"{"deliveryId":"9f1c6cf4","type":"makepay.payment.status_changed","paymentLink":{"label":"Café #1042"}}"#.as_bytes().to_vec();
    let t = NOW.to_string();
    let good = sign(&t, &body, SECRET);
    let at = |dt: i64| {
        let t = (NOW + dt).to_string();
        format!("t={t},v1={}", sign(&t, &body, SECRET))
    };
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    vec![
        (
            "valid",
            body.clone(),
            Some(format!("t={t},v1={good}")),
            SECRET,
            true,
        ),
        (
            "valid, spaces and extra scheme",
            body.clone(),
            Some(format!("t={t}, v0=abc, v1={good}")),
            SECRET,
            true,
        ),
        (
            "valid, upper-case hex",
            body.clone(),
            Some(format!("t={t},v1={}", good.to_uppercase())),
            SECRET,
            true,
        ),
        (
            "valid at -300 s",
            body.clone(),
            Some(at(-300)),
            SECRET,
            true,
        ),
        ("valid at +300 s", body.clone(), Some(at(300)), SECRET, true),
        (
            "wrong secret",
            body.clone(),
            Some(format!("t={t},v1={}", sign(&t, &body, "whsec_other"))),
            SECRET,
            false,
        ),
        (
            "tampered body",
            tampered,
            Some(format!("t={t},v1={good}")),
            SECRET,
            false,
        ),
        (
            "stale (-301 s)",
            body.clone(),
            Some(at(-301)),
            SECRET,
            false,
        ),
        (
            "future (+301 s)",
            body.clone(),
            Some(at(301)),
            SECRET,
            false,
        ),
        ("missing header", body.clone(), None, SECRET, false),
        (
            "empty header",
            body.clone(),
            Some(String::new()),
            SECRET,
            false,
        ),
        (
            "malformed: no pairs",
            body.clone(),
            Some("garbage".into()),
            SECRET,
            false,
        ),
        (
            "malformed: no t",
            body.clone(),
            Some(format!("v1={good}")),
            SECRET,
            false,
        ),
        (
            "malformed: no v1",
            body.clone(),
            Some(format!("t={t}")),
            SECRET,
            false,
        ),
        (
            "malformed: t not a number",
            body.clone(),
            Some(format!("t=abc,v1={good}")),
            SECRET,
            false,
        ),
        (
            "malformed: negative t",
            body.clone(),
            Some(format!("t=-{t},v1={good}")),
            SECRET,
            false,
        ),
        (
            "malformed: non-hex v1",
            body.clone(),
            Some(format!("t={t},v1={}", "z".repeat(64))),
            SECRET,
            false,
        ),
        (
            "malformed: duplicate t",
            body.clone(),
            Some(format!("t={t},t={t},v1={good}")),
            SECRET,
            false,
        ),
        (
            "wrong length v1 (short)",
            body.clone(),
            Some(format!("t={t},v1={}", &good[..62])),
            SECRET,
            false,
        ),
        (
            "wrong length v1 (long)",
            body.clone(),
            Some(format!("t={t},v1={good}00")),
            SECRET,
            false,
        ),
        (
            "empty secret",
            body.clone(),
            Some(format!("t={t},v1={}", sign(&t, &body, ""))),
            "",
            false,
        ),
    ]
}

fn cases_json() -> String {
    let cases: Vec<_> = webhook_vectors()
        .into_iter()
        .map(|(_, body, header, secret, _)| {
            json!({ "body_hex": hex::encode(body), "header": header, "secret": secret, "now": NOW })
        })
        .collect();
    serde_json::to_string(&cases).unwrap()
}

fn check_webhook_output(lang: &str, stdout: &str) {
    let got: Vec<&str> = stdout.lines().map(str::trim).collect();
    let vectors = webhook_vectors();
    assert_eq!(got.len(), vectors.len(), "{lang}: output {stdout}");
    for ((name, .., expected), got) in vectors.iter().zip(got) {
        assert_eq!(got, expected.to_string(), "{lang}: {name}");
    }
}

// Expected status tables: the seeds' rules, written out once here.
const MAKEPAY: &[(&str, &str)] = &[
    ("paid", "paid"),
    ("completed", "paid"),
    ("confirmed", "paid"),
    ("succeeded", "paid"),
    ("Completed", "paid"),
    ("failed", "failed"),
    ("expired", "expired"),
    ("cancelled", "failed"),
    ("canceled", "failed"),
    ("refunded", "refunded"),
    ("active", "pending"),
    ("pending", "pending"),
    ("complete", "pending"),
    ("", "pending"),
];
/// (status, default, manual_accept accepted, underpaid accepted)
const OXAPAY: &[(&str, &str, &str, &str)] = &[
    ("new", "pending", "pending", "pending"),
    ("waiting", "pending", "pending", "pending"),
    ("paying", "pending", "pending", "pending"),
    ("paid", "paid", "paid", "paid"),
    ("Paid", "paid", "paid", "paid"),
    ("manual_accept", "manual_review", "paid", "manual_review"),
    ("Manual_Accept", "manual_review", "paid", "manual_review"),
    ("underpaid", "underpaid", "underpaid", "paid"),
    ("Underpaid", "underpaid", "underpaid", "paid"),
    (
        "refunding",
        "refund_pending",
        "refund_pending",
        "refund_pending",
    ),
    ("refunded", "refunded", "refunded", "refunded"),
    ("expired", "expired", "expired", "expired"),
    ("Expired", "expired", "expired", "expired"),
    ("something_new", "pending", "pending", "pending"),
];
const CRYPTOMUS: &[(&str, &str)] = &[
    ("check", "pending"),
    ("process", "pending"),
    ("confirm_check", "pending"),
    ("paid", "paid"),
    ("paid_over", "paid"),
    ("wrong_amount", "underpaid"),
    ("wrong_amount_waiting", "pending"),
    ("fail", "failed"),
    ("cancel", "failed"),
    ("system_fail", "failed"),
    ("refund_process", "refund_pending"),
    ("refund_fail", "manual_review"),
    ("refund_paid", "refunded"),
    ("locked", "manual_review"),
    ("unknown", "pending"),
];
const STATES: [&str; 8] = [
    "paid",
    "pending",
    "underpaid",
    "manual_review",
    "refund_pending",
    "refunded",
    "failed",
    "expired",
];

/// The no-regression rule: paid only moves on to refunds, refunded is final.
fn merged(current: &str, incoming: &'static str) -> &'static str {
    match current {
        "refunded" => "refunded",
        "paid" if matches!(incoming, "refund_pending" | "refunded") => incoming,
        "paid" => "paid",
        "refund_pending" if matches!(incoming, "refunded" | "manual_review") => incoming,
        "refund_pending" => "refund_pending",
        _ => incoming,
    }
}

/// Queries (tab-separated: table, a, b, c) and the expected answers, one per line.
fn status_queries() -> (String, Vec<String>) {
    let mut q = String::new();
    let mut want = Vec::new();
    for (s, e) in MAKEPAY {
        writeln!(q, "makepay\t{s}\t0\t0").unwrap();
        want.push(e.to_string());
    }
    for (s, default, manual, under) in OXAPAY {
        for (m, u, e) in [("0", "0", default), ("1", "0", manual), ("0", "1", under)] {
            writeln!(q, "oxapay\t{s}\t{m}\t{u}").unwrap();
            want.push(e.to_string());
        }
    }
    for (s, e) in CRYPTOMUS {
        writeln!(q, "cryptomus\t{s}\t0\t0").unwrap();
        want.push(e.to_string());
    }
    for c in STATES {
        for i in STATES {
            writeln!(q, "merge\t{c}\t{i}\t0").unwrap();
            want.push(merged(c, i).to_string());
        }
    }
    (q, want)
}

fn check_status_output(lang: &str, stdout: &str) {
    let (queries, want) = status_queries();
    let got: Vec<&str> = stdout.lines().map(str::trim).collect();
    assert_eq!(got.len(), want.len(), "{lang}: {stdout}");
    for ((q, w), g) in queries.lines().zip(&want).zip(got) {
        assert_eq!(g, w, "{lang}: {q}");
    }
}

/// Renders every scaffold of `lang` into `dir` (which doubles as the repository root).
fn render(lang: ScaffoldLang, dir: &Path) {
    let templates = TemplateSet::load(None).unwrap();
    let place = Placement {
        lang,
        dir: String::new(),
    };
    let providers: BTreeSet<Provider> = Provider::ALL.into_iter().collect();
    let ctx = scaffold::context(dir, &place, &providers);
    let kinds: BTreeSet<ChangeKind> = ChangeKind::ALL.into_iter().collect();
    let (changes, notes) = scaffold::plan(dir, &templates, &place, &ctx, &kinds).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert!(changes.len() >= 4, "{lang}: {changes:?}");
    for c in changes {
        std::fs::write(dir.join(&c.path), &c.after).unwrap();
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write_inputs(dir: &Path) {
    std::fs::write(dir.join("cases.json"), cases_json()).unwrap();
    std::fs::write(dir.join("queries.tsv"), status_queries().0).unwrap();
}

const NODE_DRIVER: &str = r#"
const fs = require('node:fs');
const [kind, file] = process.argv.slice(2);
const load = (m) => require(`./${m}.js`);
if (kind === 'webhook') {
  const { verifyMakePaySignature } = load('makepay-webhook');
  for (const c of JSON.parse(fs.readFileSync(file, 'utf8'))) {
    console.log(verifyMakePaySignature(Buffer.from(c.body_hex, 'hex'), c.header, c.secret, c.now));
  }
} else {
  const s = load('makepay-status');
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [t, a, b, c] = line.split('\t');
    if (t === 'makepay') console.log(s.normalizeMakePayStatus(a));
    else if (t === 'oxapay') console.log(s.normalizeOxaPayStatus(a, { acceptManualAccept: b === '1', acceptUnderpaid: c === '1' }));
    else if (t === 'cryptomus') console.log(s.normalizeCryptomusStatus(a));
    else console.log(s.mergeOrderStatus(a, b));
  }
}
"#;

fn node_javascript_scaffolds_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    render(ScaffoldLang::Javascript, dir.path());
    write_inputs(dir.path());
    std::fs::write(dir.path().join("driver.js"), NODE_DRIVER).unwrap();
    let node = |kind: &str, file: &str| {
        run(Command::new("node")
            .current_dir(dir.path())
            .args(["driver.js", kind, file]))
    };
    check_webhook_output("javascript", &node("webhook", "cases.json"));
    check_status_output("javascript", &node("status", "queries.tsv"));
    // The generated test skeleton passes under node's own runner.
    let out = run(Command::new("node")
        .current_dir(dir.path())
        .args(["--test", "makepay.test.js"]));
    assert!(out.contains("# fail 0"), "{out}");
    assert!(!out.contains("# pass 0"), "{out}");
}

fn node_javascript_esm_scaffolds_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"type": "module"}"#).unwrap();
    render(ScaffoldLang::Javascript, dir.path());
    write_inputs(dir.path());
    let driver = NODE_DRIVER
        .replace(
            "const fs = require('node:fs');",
            "import fs from 'node:fs';",
        )
        .replace(
            "const load = (m) => require(`./${m}.js`);",
            "const load = async (m) => import(`./${m}.js`);",
        )
        .replace("= load(", "= await load(");
    std::fs::write(dir.path().join("driver.mjs"), driver).unwrap();
    let out = run(Command::new("node").current_dir(dir.path()).args([
        "driver.mjs",
        "webhook",
        "cases.json",
    ]));
    check_webhook_output("javascript (esm)", &out);
    let out = run(Command::new("node").current_dir(dir.path()).args([
        "driver.mjs",
        "status",
        "queries.tsv",
    ]));
    check_status_output("javascript (esm)", &out);
    let out = run(Command::new("node")
        .current_dir(dir.path())
        .args(["--test", "makepay.test.js"]));
    assert!(
        out.contains("# fail 0") && !out.contains("# pass 0"),
        "{out}"
    );
}

fn typescript_scaffolds_parse_and_match_the_executed_javascript() {
    let dir = tempfile::tempdir().unwrap();
    render(ScaffoldLang::Typescript, dir.path());
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into())
        .unwrap();
    for name in [
        "makepay-webhook.ts",
        "makepay-status.ts",
        "makepay-payment-link.ts",
        "makepay-provider-switch.ts",
        "makepay.test.ts",
    ] {
        let src = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let tree = parser.parse(&src, None).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{name} does not parse:\n{src}"
        );
    }
    let webhook = std::fs::read_to_string(dir.path().join("makepay-webhook.ts")).unwrap();
    assert!(webhook.contains("export function verifyMakePaySignature(\n  rawBody: Uint8Array | string,\n  signatureHeader: string | null | undefined,\n  secret: string,\n  nowSeconds?: number,\n): boolean {"), "{webhook}");
}

fn python3_scaffolds_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    render(ScaffoldLang::Python, dir.path());
    write_inputs(dir.path());
    let driver = r#"
import json, sys
from makepay_webhook import verify_makepay_signature
import makepay_status as s
kind, path = sys.argv[1], sys.argv[2]
if kind == "webhook":
    for c in json.load(open(path)):
        print(str(verify_makepay_signature(bytes.fromhex(c["body_hex"]), c["header"], c["secret"], now=c["now"])).lower())
else:
    for line in open(path).read().splitlines():
        t, a, b, c = line.split("\t")
        if t == "makepay": print(s.normalize_makepay_status(a))
        elif t == "oxapay": print(s.normalize_oxapay_status(a, accept_manual_accept=b == "1", accept_underpaid=c == "1"))
        elif t == "cryptomus": print(s.normalize_cryptomus_status(a))
        else: print(s.merge_order_status(a, b))
"#;
    std::fs::write(dir.path().join("driver.py"), driver).unwrap();
    let py = |kind: &str, file: &str| {
        run(Command::new("python3")
            .current_dir(dir.path())
            .args(["driver.py", kind, file]))
    };
    check_webhook_output("python", &py("webhook", "cases.json"));
    check_status_output("python", &py("status", "queries.tsv"));
    let out = Command::new("python3")
        .current_dir(dir.path())
        .args(["-m", "unittest", "-v", "test_makepay"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.contains("OK"), "{err}");
}

fn php_scaffolds_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    render(ScaffoldLang::Php, dir.path());
    write_inputs(dir.path());
    let driver = r#"<?php
require __DIR__ . '/makepay_webhook.php';
require __DIR__ . '/makepay_status.php';
require __DIR__ . '/makepay_payment_link.php';
require __DIR__ . '/makepay_provider_switch.php';
[$kind, $path] = [$argv[1], $argv[2]];
if ($kind === 'webhook') {
    foreach (json_decode(file_get_contents($path), true) as $c) {
        echo makepay_verify_signature(hex2bin($c['body_hex']), $c['header'], $c['secret'], $c['now']) ? 'true' : 'false', "\n";
    }
} else {
    foreach (explode("\n", trim(file_get_contents($path))) as $line) {
        [$t, $a, $b, $c] = explode("\t", $line);
        if ($t === 'makepay') echo makepay_normalize_status($a);
        elseif ($t === 'oxapay') echo makepay_normalize_oxapay_status($a, $b === '1', $c === '1');
        elseif ($t === 'cryptomus') echo makepay_normalize_cryptomus_status($a);
        else echo makepay_merge_order_status($a, $b);
        echo "\n";
    }
}
"#;
    std::fs::write(dir.path().join("driver.php"), driver).unwrap();
    let php = |kind: &str, file: &str| {
        run(Command::new("php").current_dir(dir.path()).args([
            "-d",
            "error_reporting=E_ALL",
            "-d",
            "display_errors=stderr",
            "driver.php",
            kind,
            file,
        ]))
    };
    check_webhook_output("php", &php("webhook", "cases.json"));
    check_status_output("php", &php("status", "queries.tsv"));
    // The PHPUnit skeleton at least compiles.
    run(Command::new("php")
        .current_dir(dir.path())
        .args(["-l", "MakePayMigrationTest.php"]));
}

fn go_scaffolds_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("makepay");
    std::fs::create_dir(&pkg).unwrap();
    render(ScaffoldLang::Go, &pkg);
    write_inputs(dir.path());
    std::fs::write(dir.path().join("go.mod"), "module vectors\n\ngo 1.19\n").unwrap();
    let driver = r#"package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"vectors/makepay"
)

type webhookCase struct {
	BodyHex string  `json:"body_hex"`
	Header  *string `json:"header"`
	Secret  string  `json:"secret"`
	Now     int64   `json:"now"`
}

func main() {
	if os.Args[1] == "webhook" {
		data, _ := os.ReadFile(os.Args[2])
		var cases []webhookCase
		if err := json.Unmarshal(data, &cases); err != nil {
			panic(err)
		}
		for _, c := range cases {
			body, _ := hex.DecodeString(c.BodyHex)
			header := ""
			if c.Header != nil {
				header = *c.Header
			}
			fmt.Println(makepay.VerifyMakePaySignature(body, header, c.Secret, time.Unix(c.Now, 0)))
		}
		return
	}
	f, _ := os.Open(os.Args[2])
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		switch p[0] {
		case "makepay":
			fmt.Println(makepay.NormalizeMakePayStatus(p[1]))
		case "oxapay":
			fmt.Println(makepay.NormalizeOxaPayStatus(p[1], makepay.OxaPayStatusPolicy{AcceptManualAccept: p[2] == "1", AcceptUnderpaid: p[3] == "1"}))
		case "cryptomus":
			fmt.Println(makepay.NormalizeCryptomusStatus(p[1]))
		default:
			fmt.Println(makepay.MergeOrderStatus(makepay.OrderStatus(p[1]), makepay.OrderStatus(p[2])))
		}
	}
}
"#;
    std::fs::write(dir.path().join("main.go"), driver).unwrap();
    let go = |args: &[&str]| {
        run(Command::new("go")
            .current_dir(dir.path())
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .args(args))
    };
    go(&["build", "-o", "driver", "."]);
    let driver = dir.path().join("driver");
    check_webhook_output(
        "go",
        &run(Command::new(&driver)
            .args(["webhook", "cases.json"])
            .current_dir(dir.path())),
    );
    check_status_output(
        "go",
        &run(Command::new(&driver)
            .args(["status", "queries.tsv"])
            .current_dir(dir.path())),
    );
    let out = go(&["test", "./makepay/"]);
    assert!(out.starts_with("ok"), "{out}");
}

fn cargo_rust_scaffolds_compile_and_execute_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    render(ScaffoldLang::Rust, &src);
    write_inputs(dir.path());
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"scaffold-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\nhmac = \"0.12\"\nsha2 = \"0.10\"\nhex = \"0.4\"\nserde_json = \"1\"\n\n[workspace]\n",
    )
    .unwrap();
    let main = r#"
#![allow(dead_code)]
mod makepay_payment_link;
mod makepay_provider_switch;
mod makepay_status;
mod makepay_webhook;
use makepay_status::*;

fn state(s: &str) -> OrderStatus {
    use OrderStatus::*;
    [Paid, Pending, Underpaid, ManualReview, RefundPending, Refunded, Failed, Expired]
        .into_iter()
        .find(|x| x.as_str() == s)
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let input = std::fs::read_to_string(&args[2]).unwrap();
    if args[1] == "webhook" {
        let cases: serde_json::Value = serde_json::from_str(&input).unwrap();
        for c in cases.as_array().unwrap() {
            let body = hex::decode(c["body_hex"].as_str().unwrap()).unwrap();
            let ok = makepay_webhook::verify_makepay_signature(
                &body,
                c["header"].as_str(),
                c["secret"].as_str().unwrap().as_bytes(),
                c["now"].as_i64().unwrap(),
            );
            println!("{ok}");
        }
        return;
    }
    for line in input.lines() {
        let p: Vec<&str> = line.split('\t').collect();
        let r = match p[0] {
            "makepay" => normalize_makepay_status(p[1]),
            "oxapay" => normalize_oxapay_status(p[1], OxaPayStatusPolicy { accept_manual_accept: p[2] == "1", accept_underpaid: p[3] == "1" }),
            "cryptomus" => normalize_cryptomus_status(p[1]),
            _ => merge_order_status(Some(state(p[1])), state(p[2])),
        };
        println!("{}", r.as_str());
    }
}
"#;
    std::fs::write(src.join("main.rs"), main).unwrap();
    // A persistent target dir keeps reruns fast; --offline: every crate is already cached
    // (they are this package's own dependencies).
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-scaffold-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--offline", "--quiet"]));
    let bin = target.join("debug/scaffold-check");
    check_webhook_output(
        "rust",
        &run(Command::new(&bin)
            .args(["webhook", "cases.json"])
            .current_dir(dir.path())),
    );
    check_status_output(
        "rust",
        &run(Command::new(&bin)
            .args(["status", "queries.tsv"])
            .current_dir(dir.path())),
    );
}

/// Writes `files`, commits, and applies the timing-safe fix: one file written.
fn timing_safe_fixed(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    commit(dir.path());
    let out = apply(dir.path(), &["--only", "timing-safe", "--write"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 file written"), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "--write prints no diff: {}",
        stdout(&out)
    );
    dir
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

fn php_timing_safe_fix_keeps_the_callback_working() {
    let dir = timing_safe_fixed(&[(
        "callback.php",
        "<?php\nfunction oxapay_callback_ok(string $raw, ?string $header): bool\n{\n    $calc = hash_hmac('sha512', $raw, 'k');\n    if ($calc !== $header) {\n        return false;\n    }\n    return true;\n}\n",
    )]);
    assert!(read(dir.path(), "callback.php")
        .contains("if (!hash_equals((string) $calc, (string) $header)) {"));
    let out = run(Command::new("php").current_dir(dir.path()).args([
        "-r",
        "require 'callback.php'; $h = hash_hmac('sha512', 'body', 'k'); \
         echo json_encode([oxapay_callback_ok('body', $h), oxapay_callback_ok('body', 'x'), oxapay_callback_ok('body', null)]);",
    ]));
    assert_eq!(out, "[true,false,false]");
}

fn node_timing_safe_fix_keeps_the_callback_working() {
    let dir = timing_safe_fixed(&[(
        "cb.js",
        "const crypto = require('node:crypto');\nfunction oxapayCallbackOk(raw, header) {\n  const calc = crypto.createHmac('sha512', process.env.OXAPAY_MERCHANT_API_KEY || 'k').update(raw).digest('hex');\n  return calc === header;\n}\nmodule.exports = { oxapayCallbackOk };\n",
    )]);
    let out = run(Command::new("node").current_dir(dir.path()).args([
        "-e",
        "const c = require('node:crypto'); const { oxapayCallbackOk: ok } = require('./cb.js'); \
         const h = c.createHmac('sha512', 'k').update('body').digest('hex'); \
         console.log(JSON.stringify([ok('body', h), ok('body', 'x'), ok('body', undefined)]));",
    ]));
    assert_eq!(out.trim(), "[true,false,false]");
}

fn go_timing_safe_fix_keeps_the_callback_compiling() {
    let dir = timing_safe_fixed(&[
        ("go.mod", "module pay\n\ngo 1.19\n"),
        (
            "callback.go",
            "package pay\n\nimport (\n\t\"crypto/sha512\"\n\t\"encoding/hex\"\n\t\"os\"\n)\n\n// OxapayCallbackOK checks the OxaPay HMAC header.\nfunc OxapayCallbackOK(raw []byte, header string) bool {\n\th := sha512.Sum512(append([]byte(os.Getenv(\"OXAPAY_MERCHANT_API_KEY\")), raw...))\n\tcalc := hex.EncodeToString(h[:])\n\tif calc != header {\n\t\treturn false\n\t}\n\treturn true\n}\n",
        ),
    ]);
    let src = read(dir.path(), "callback.go");
    assert!(src.contains("import (\n\t\"crypto/hmac\"\n"), "{src}");
    assert!(src.contains("if !hmac.Equal([]byte(calc), []byte(header)) {"));
    run(Command::new("go")
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .args(["vet", "."]));
}

fn python3_timing_safe_fix_compiles() {
    let dir = timing_safe_fixed(&[(
        "pay.py",
        "from oxapay import OxaPay\nimport hashlib\n\n\ndef verify(raw, headers):\n    calc = hashlib.sha512(raw).hexdigest()\n    if calc == headers.get('HMAC'):\n        return True\n    return False\n",
    )]);
    assert!(read(dir.path(), "pay.py").contains("hmac.compare_digest"));
    run(Command::new("python3")
        .current_dir(dir.path())
        .args(["-m", "py_compile", "pay.py"]));
}

fn main() -> ExitCode {
    use Runtime::*;
    common::runtime::run(vec![
        executed(
            Node,
            "node_javascript_scaffolds_execute_correctly",
            "the JavaScript scaffolds",
            node_javascript_scaffolds_execute_correctly,
        ),
        executed(
            Node,
            "node_javascript_esm_scaffolds_execute_correctly",
            "the JavaScript (ESM) scaffolds",
            node_javascript_esm_scaffolds_execute_correctly,
        ),
        executed(
            Node,
            "node_timing_safe_fix_keeps_the_callback_working",
            "the JavaScript timing-safe fix checks",
            node_timing_safe_fix_keeps_the_callback_working,
        ),
        trial(
            "typescript_scaffolds_parse_and_match_the_executed_javascript",
            typescript_scaffolds_parse_and_match_the_executed_javascript,
        ),
        executed(
            Python3,
            "python3_scaffolds_execute_correctly",
            "the Python scaffolds",
            python3_scaffolds_execute_correctly,
        ),
        executed(
            Python3,
            "python3_timing_safe_fix_compiles",
            "the Python timing-safe fix checks",
            python3_timing_safe_fix_compiles,
        ),
        executed(
            Php,
            "php_scaffolds_execute_correctly",
            "the PHP scaffolds",
            php_scaffolds_execute_correctly,
        ),
        executed(
            Php,
            "php_timing_safe_fix_keeps_the_callback_working",
            "the PHP timing-safe fix checks",
            php_timing_safe_fix_keeps_the_callback_working,
        ),
        executed(
            Go,
            "go_scaffolds_execute_correctly",
            "the Go scaffolds",
            go_scaffolds_execute_correctly,
        ),
        executed(
            Go,
            "go_timing_safe_fix_keeps_the_callback_compiling",
            "the Go timing-safe fix checks",
            go_timing_safe_fix_keeps_the_callback_compiling,
        ),
        executed(
            Cargo,
            "cargo_rust_scaffolds_compile_and_execute_correctly",
            "the Rust scaffolds",
            cargo_rust_scaffolds_compile_and_execute_correctly,
        ),
    ])
}
