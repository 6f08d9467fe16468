//! `webhook test` graded against real receivers on 127.0.0.1: a correct one passes every
//! scenario, and each deliberately broken one fails exactly the scenarios its bug lets through.
//! Also the legacy dual-run cases, `--check-cmd`, the JUnit output and `webhook listen`.

mod webhook_support;

use assert_cmd::Command;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use sha2::Sha512;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use webhook_support::{makepay_v1, now, Receiver, Rules, Seen, CORRECT, SECRET};

const LEGACY_KEY: &str = "legacy-merchant-key";

/// Every MakePay scenario a correct endpoint must answer 2xx.
const ACCEPTED: &[&str] = &[
    "valid-paid",
    "duplicate-delivery",
    "retry-attempt-2",
    "raw-body-bytes",
    "out-of-order-pending",
    "settlement-updated",
    "channel-created",
    "payment-request-expired",
    "quote-expired",
    "cancelled-by-payer",
    "subscription-overdue",
];
/// Every MakePay scenario a correct endpoint must refuse.
const REJECTED: &[&str] = &[
    "stale-timestamp",
    "future-timestamp",
    "tampered-body",
    "wrong-secret",
    "missing-signature",
    "malformed-no-timestamp",
    "malformed-timestamp",
    "malformed-scheme",
    "v1-too-short",
    "v1-too-long",
];

/// A receiver's answer to one request.
type Handler = fn(&Seen) -> u16;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("makepay-migrate").unwrap();
    cmd.env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .env("LEGACY_KEY", LEGACY_KEY)
        .env("NO_COLOR", "1");
    cmd
}

/// Runs the suite with `--format json`; returns the exit code and the document.
fn suite(url: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = bin()
        .args(["webhook", "test", url, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

fn failed(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["passed"] == false)
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn each_receiver_is_graded_as_it_deserves() {
    let cases: &[(&str, Handler, &[&str])] = &[
        ("correct", |r| CORRECT.status(r), &[]),
        (
            "no timestamp check",
            |r| {
                Rules {
                    check_past: false,
                    check_future: false,
                    ..CORRECT
                }
                .status(r)
            },
            &["stale-timestamp", "future-timestamp"],
        ),
        (
            "accepts stale",
            |r| {
                Rules {
                    check_past: false,
                    ..CORRECT
                }
                .status(r)
            },
            &["stale-timestamp"],
        ),
        (
            "compares only the bytes sent",
            |r| {
                Rules {
                    prefix_compare: true,
                    ..CORRECT
                }
                .status(r)
            },
            &["v1-too-short"],
        ),
        (
            "verifies re-serialised JSON",
            |r| {
                Rules {
                    reserialise: true,
                    ..CORRECT
                }
                .status(r)
            },
            ACCEPTED,
        ),
        ("accepts everything", |_| 200, REJECTED),
        ("rejects everything", |_| 400, ACCEPTED),
    ];
    for (name, handler, expected) in cases {
        let receiver = Receiver::start(*handler);
        let (code, doc) = suite(&receiver.url, &[]);
        assert_eq!(failed(&doc), set(expected), "{name}");
        assert_eq!(code, if expected.is_empty() { 0 } else { 1 }, "{name}");
        assert_eq!(doc["passed"], expected.is_empty(), "{name}");
        assert_eq!(
            doc["summary"]["scenarios"].as_u64().unwrap() as usize,
            ACCEPTED.len() + REJECTED.len()
        );
        // Bounded: one request per scenario, nothing more.
        assert_eq!(receiver.requests().len(), ACCEPTED.len() + REJECTED.len());
    }
}

#[test]
fn duplicate_and_retry_repeat_the_first_delivery() {
    let receiver = Receiver::start(|r| CORRECT.status(r));
    let (code, _) = suite(&receiver.url, &["--merchant-order-id", "order_9"]);
    assert_eq!(code, 0);
    let seen = receiver.requests();
    let id = |r: &Seen| r.header("x-makepay-delivery-id").unwrap().to_string();
    assert_eq!(id(&seen[0]), id(&seen[1]));
    assert_eq!(seen[0].body, seen[1].body);
    assert_eq!(id(&seen[0]), id(&seen[2]));
    assert_eq!(seen[2].header("x-makepay-attempt"), Some("2"));
    // Every other delivery has an ID of its own, and they all name the order given.
    let ids: BTreeSet<String> = seen.iter().map(id).collect();
    assert_eq!(ids.len(), seen.len() - 2);
    let json: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(json["paymentLink"]["merchantOrderId"], "order_9");
}

/// OxaPay route: HMAC-SHA512 of the raw body with the merchant key in the `HMAC` header.
fn oxapay_ok(req: &Seen, check_missing: bool) -> bool {
    let Some(sent) = req.header("hmac") else {
        return !check_missing;
    };
    let mut mac = Hmac::<Sha512>::new_from_slice(LEGACY_KEY.as_bytes()).unwrap();
    mac.update(&req.body);
    hex::encode(mac.finalize().into_bytes()) == sent
}

/// Cryptomus route: `sign` is the last field; what precedes it is the PHP encoding of the rest.
/// `php_slashes: false` is the classic port bug (JSON.stringify does not escape `/`).
fn cryptomus_ok(req: &Seen, php_slashes: bool) -> bool {
    let text = String::from_utf8_lossy(&req.body);
    let Some((rest, sign)) = text.rsplit_once(r#","sign":""#) else {
        return false;
    };
    let mut canonical = format!("{rest}}}");
    if !php_slashes {
        canonical = canonical.replace(r"\/", "/");
    }
    let mut md5 = Md5::new();
    md5.update(base64::engine::general_purpose::STANDARD.encode(canonical));
    md5.update(LEGACY_KEY.as_bytes());
    sign.trim_end_matches("\"}") == hex::encode(md5.finalize())
}

fn answer(ok: bool) -> u16 {
    if ok {
        200
    } else {
        403
    }
}

#[test]
fn legacy_dual_run_cases() {
    // OxaPay on its own route, Cryptomus on the MakePay route dispatching on the headers (the
    // shape of `apply`'s switch).
    let cases: &[(&str, &str, Handler, &[&str])] = &[
        (
            "oxapay",
            "/webhooks/oxapay",
            |r| match r.url.as_str() {
                "/webhooks/oxapay" => answer(oxapay_ok(r, true)),
                _ => CORRECT.status(r),
            },
            &[],
        ),
        (
            "oxapay",
            "/webhooks/oxapay",
            |r| match r.url.as_str() {
                "/webhooks/oxapay" => answer(oxapay_ok(r, false)),
                _ => CORRECT.status(r),
            },
            &["legacy-unsigned"],
        ),
        (
            "cryptomus",
            "",
            |r| match r.header("x-makepay-signature") {
                Some(_) => CORRECT.status(r),
                None => answer(cryptomus_ok(r, true)),
            },
            &[],
        ),
        (
            "cryptomus",
            "",
            |r| match r.header("x-makepay-signature") {
                Some(_) => CORRECT.status(r),
                None => answer(cryptomus_ok(r, false)),
            },
            &["legacy-valid"],
        ),
    ];
    for (provider, route, handler, expected) in cases {
        let receiver = Receiver::start(*handler);
        let base = receiver.url.trim_end_matches("/webhooks/makepay");
        let legacy_url = format!("{base}{route}");
        let mut extra = vec!["--legacy", provider, "--legacy-secret-env", "LEGACY_KEY"];
        if !route.is_empty() {
            extra.extend(["--legacy-url", &legacy_url]);
        }
        let (code, doc) = suite(&receiver.url, &extra);
        assert_eq!(failed(&doc), set(expected), "{provider} {expected:?}");
        assert_eq!(code, i32::from(!expected.is_empty()));
        let legacy: Vec<_> = doc["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["scheme"] == *provider)
            .collect();
        assert_eq!(legacy.len(), 4, "{provider}");
    }
}

#[test]
fn legacy_needs_its_own_key() {
    let receiver = Receiver::start(|r| CORRECT.status(r));
    bin()
        .args(["webhook", "test", &receiver.url, "--legacy", "oxapay"])
        .assert()
        .code(2);
    assert!(receiver.requests().is_empty());
}

#[test]
fn check_cmd_output_is_shown_and_its_failure_fails_the_run() {
    let receiver = Receiver::start(|r| CORRECT.status(r));
    let ok = bin()
        .args([
            "webhook",
            "test",
            &receiver.url,
            "--merchant-order-id",
            "order_5",
        ])
        .args([
            "--check-cmd",
            "echo paid orders for $MAKEPAY_TEST_MERCHANT_ORDER_ID: 1",
        ])
        .assert()
        .code(0);
    let table = String::from_utf8_lossy(&ok.get_output().stdout).into_owned();
    assert!(table.contains("valid-paid"), "{table}");
    assert!(
        table.contains(&format!(
            "21 scenarios against {}: 21 passed, 0 failed",
            receiver.url
        )),
        "{table}"
    );
    assert!(table.contains("  | paid orders for order_5: 1"), "{table}");
    assert!(!table.contains('\u{1b}'), "NO_COLOR: {table}");

    let (code, doc) = suite(&receiver.url, &["--check-cmd", "echo paid twice; exit 3"]);
    assert_eq!(code, 1);
    assert_eq!(doc["check"]["exit_code"], 3);
    assert_eq!(doc["check"]["output"], "paid twice\n");
    assert!(failed(&doc).is_empty());
}

#[test]
fn junit_lists_every_scenario_and_each_failure() {
    let receiver = Receiver::start(|_| 200);
    let out = bin()
        .args(["webhook", "test", &receiver.url, "--format", "junit"])
        .assert()
        .code(1);
    let xml = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        xml.contains(r#"<testsuite name="makepay-migrate webhook test" tests="21" failures="10""#),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 21);
    assert_eq!(
        xml.matches(r#"<failure message="forged or stale delivery accepted">"#)
            .count(),
        10
    );
}

#[test]
fn unreachable_endpoint_is_a_runtime_error() {
    bin()
        .args(["webhook", "test", "http://127.0.0.1:9/", "--timeout", "2"])
        .assert()
        .code(2);
}

/// Starts `webhook listen` on a free port for two requests; returns it and its base URL.
fn listen(extra: &[&str]) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("makepay-migrate"))
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .env("LEGACY_KEY", LEGACY_KEY)
        .args(["webhook", "listen", "--port", "0", "--count", "2"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("{banner}"))
        .to_string();
    (child, url)
}

/// Waits for `listen` to stop after its two requests; returns its two stdout lines.
fn lines_of(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    stdout
}

#[test]
fn listen_verifies_prints_and_forwards_bytes_unchanged() {
    let app = Receiver::start(|_| 202);
    let (child, addr) = listen(&["--forward-to", &app.url]);

    // Deliberately not in serde_json's form: spaces and an escaped slash must survive.
    let body = br#"{"deliveryId":"d-7", "event":{"type":"status_changed"},"paymentLink":{"uid":"link\/7"},"session":{"status":"paid"}}"#;
    let t = now().to_string();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let post = |signature: String| {
        agent
            .post(format!("{addr}hook?x=1"))
            .header("content-type", "application/json")
            .header("x-makepay-event", "status_changed")
            .header("x-makepay-signature", signature)
            .send(&body[..])
            .unwrap()
            .status()
            .as_u16()
    };
    let good = format!("t={t},v1={}", makepay_v1(SECRET, &t, body));
    let forged = format!("t={t},v1={}", makepay_v1("not-the-secret", &t, body));
    assert_eq!(post(good.clone()), 202);
    assert_eq!(post(forged.clone()), 202, "the app decides; listen relays");

    let stdout = lines_of(child);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("status_changed  uid=link/7  status=paid  attempt=-  valid  -> forwarded, app answered 202"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("rejected: signature does not match"),
        "{stdout}"
    );

    let seen = app.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, body);
    assert_eq!(seen[0].url, "/webhooks/makepay");
    assert_eq!(seen[0].header("x-makepay-signature"), Some(good.as_str()));
    assert_eq!(seen[1].header("x-makepay-signature"), Some(forged.as_str()));
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
}

#[test]
fn listen_alone_answers_200_to_valid_and_401_to_stale() {
    let (child, url) = listen(&[]);
    let stale = (now() - 400).to_string();
    for (extra, code) in [(vec![], 0), (vec!["--timestamp", stale.as_str()], 1)] {
        bin()
            .args(["webhook", "send", &url, "--status", "pending"])
            .args(extra)
            .assert()
            .code(code);
    }
    let stdout = lines_of(child);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].ends_with("status=pending  attempt=1  valid  -> 200"),
        "{stdout}"
    );
    assert!(
        lines[1].ends_with("rejected: timestamp 400 s old  -> 401")
            || lines[1].ends_with("rejected: timestamp 401 s old  -> 401"),
        "{stdout}"
    );
}

#[test]
fn listen_checks_legacy_callbacks_during_the_dual_run() {
    let (child, url) = listen(&["--legacy", "oxapay", "--legacy-secret-env", "LEGACY_KEY"]);
    let body =
        br#"{"track_id":"184747701","status":"Paid","type":"invoice","order_id":"order_1042"}"#;
    let mut mac = Hmac::<Sha512>::new_from_slice(LEGACY_KEY.as_bytes()).unwrap();
    mac.update(body);
    let good = hex::encode(mac.finalize().into_bytes());
    let forged = format!("{}0", &good[..127]);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    for (hmac, status) in [(good, 200), (forged, 401)] {
        let reply = agent
            .post(&url)
            .header("HMAC", hmac)
            .send(&body[..])
            .unwrap();
        assert_eq!(reply.status().as_u16(), status);
    }
    let stdout = lines_of(child);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "invoice  uid=184747701  status=Paid  attempt=-  OxaPay callback valid  -> 200",
            "invoice  uid=184747701  status=Paid  attempt=-  OxaPay callback rejected: signature missing or wrong  -> 401",
        ]
    );
}
