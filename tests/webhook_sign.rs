//! `webhook sign` and `webhook send`: known-answer vectors computed here with the hmac, sha2,
//! md-5 and base64 crates (and python3's hmac/hashlib when installed), and the exact request
//! `send` puts on the wire, captured by a receiver on 127.0.0.1.

mod webhook_support;
mod common {
    pub mod runtime;
}

use common::runtime::{executed, trial, Runtime};
use std::process::ExitCode;

use assert_cmd::Command;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use sha2::Sha512;
use webhook_support::{makepay_v1, parse_signature, Receiver, CORRECT, SECRET};

const T: &str = "1776556800";
const BODY: &str = r#"{"deliveryId":"9f1c6cf4-8514-4ee5-80fd-8e8fe2b5e313","type":"makepay.payment.status_changed","event":{"type":"status_changed","trigger":"payment_status_reconcile"},"paymentLink":{"uid":"01hzy4k6p4w9y2x7e2z7n8a2xm","label":"Café #1042"}}"#;
/// A Cryptomus callback with a slash, non-ASCII text and an escaped quote, sign first.
const CRYPTOMUS_BODY: &str = r#"{"sign":"0000","type":"payment","uuid":"62f88b36","order_id":"order/1042","amount":"15.00","status":"paid","is_final":true,"additional_data":"Café \"A\"","convert":{}}"#;
/// What PHP's json_encode(..., JSON_UNESCAPED_UNICODE) makes of it without `sign`, written out
/// by hand: `/` escaped, UTF-8 kept, `{}` decoded to an empty array.
const CRYPTOMUS_CANONICAL: &str = r#"{"type":"payment","uuid":"62f88b36","order_id":"order\/1042","amount":"15.00","status":"paid","is_final":true,"additional_data":"Café \"A\"","convert":[]}"#;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("makepay-migrate").unwrap();
    cmd.env_remove("MAKEPAY_WEBHOOK_SECRET")
        .env_remove("NO_COLOR");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn sign_body(extra: &[&str], body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.json");
    std::fs::write(&path, body).unwrap();
    stdout(
        bin()
            .env("KEY", SECRET)
            .args(["webhook", "sign", "--secret-env", "KEY", "--body"])
            .arg(&path)
            .args(extra),
    )
}

fn header<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no {name} in {out}"))
}

fn makepay_signature_matches_the_hmac_crate() {
    let out = sign_body(&["--timestamp", T], BODY);
    let expected = makepay_v1(SECRET, T, BODY.as_bytes());
    assert_eq!(
        header(&out, "x-makepay-signature"),
        format!("t={T},v1={expected}")
    );
    // Headers agree with the body they sign.
    assert_eq!(
        header(&out, "x-makepay-delivery-id"),
        "9f1c6cf4-8514-4ee5-80fd-8e8fe2b5e313"
    );
    assert_eq!(
        header(&out, "x-makepay-delivery-group-id"),
        "9f1c6cf4-8514-4ee5-80fd-8e8fe2b5e313"
    );
    assert_eq!(header(&out, "x-makepay-event"), "status_changed");
    assert_eq!(header(&out, "x-makepay-attempt"), "1");
    assert_eq!(header(&out, "user-agent"), "MakePay-Webhooks/1.0");
    assert_eq!(header(&out, "content-type"), "application/json");
}

fn oxapay_hmac_matches_the_hmac_crate() {
    let body = r#"{"track_id":"184747701","status":"Paid","type":"invoice","amount":10.5}"#;
    let out = sign_body(&["--provider", "oxapay"], body);
    let mut mac = Hmac::<Sha512>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    assert_eq!(
        out.trim(),
        format!("HMAC: {}", hex::encode(mac.finalize().into_bytes()))
    );
}

fn cryptomus_expected(key: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(base64::engine::general_purpose::STANDARD.encode(CRYPTOMUS_CANONICAL));
    md5.update(key.as_bytes());
    hex::encode(md5.finalize())
}

fn cryptomus_sign_matches_md5_of_base64_of_php_json() {
    let out = sign_body(&["--provider", "cryptomus"], CRYPTOMUS_BODY);
    assert_eq!(out.trim(), format!("sign: {}", cryptomus_expected(SECRET)));
}

/// The same three vectors from Python's standard library, a second independent implementation.
fn python3_signatures_match_hashlib() {
    let script = r#"
import base64, hashlib, hmac, json, sys
secret, t, body, crypto = (a.encode() for a in sys.argv[1:5])
print(hmac.new(secret, t + b"." + body, hashlib.sha256).hexdigest())
print(hmac.new(secret, body, hashlib.sha512).hexdigest())
data = json.loads(crypto)
data.pop("sign")
data = {k: ([] if v == {} else v) for k, v in data.items()}
php = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
print(hashlib.md5(base64.b64encode(php.encode()) + secret).hexdigest())
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, SECRET, T, BODY, CRYPTOMUS_BODY])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let py = String::from_utf8(out.stdout).unwrap();
    let py: Vec<&str> = py.lines().collect();
    let makepay = sign_body(&["--timestamp", T], BODY);
    assert_eq!(
        header(&makepay, "x-makepay-signature"),
        format!("t={T},v1={}", py[0])
    );
    let oxapay = sign_body(&["--provider", "oxapay"], BODY);
    assert_eq!(oxapay.trim(), format!("HMAC: {}", py[1]));
    let cryptomus = sign_body(&["--provider", "cryptomus"], CRYPTOMUS_BODY);
    assert_eq!(cryptomus.trim(), format!("sign: {}", py[2]));
}

fn built_delivery_is_printed_with_the_headers_that_sign_it() {
    let out = stdout(bin().env("MAKEPAY_WEBHOOK_SECRET", SECRET).args([
        "webhook",
        "sign",
        "--event",
        "subscription_status_changed",
        "--subscription-uid",
        "sub_42",
        "--attempt",
        "3",
    ]));
    let (headers, body) = out.split_once("\n\n").unwrap();
    let body = body.trim_end_matches('\n');
    let (t, v1) = parse_signature(header(headers, "x-makepay-signature")).unwrap();
    assert_eq!(v1, makepay_v1(SECRET, &t, body.as_bytes()));
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["subscription"]["uid"], "sub_42");
    assert_eq!(json["subscription"]["status"], "overdue");
    assert_eq!(json["data"]["previousStatus"], "active");
    assert_eq!(header(headers, "x-makepay-delivery-id"), json["deliveryId"]);
    assert_eq!(header(headers, "x-makepay-attempt"), "3");
    assert_eq!(
        header(headers, "x-makepay-event"),
        "subscription_status_changed"
    );
}

fn secret_comes_from_a_file_or_fails_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, BODY).unwrap();
    let out = stdout(
        bin()
            .args(["webhook", "sign", "--timestamp", T, "--secret-file"])
            .arg(&file)
            .arg("--body")
            .arg(&body),
    );
    assert!(out.contains(&makepay_v1(SECRET, T, BODY.as_bytes())));

    let unset = bin().args(["webhook", "sign"]).assert().code(2);
    let err = String::from_utf8_lossy(&unset.get_output().stderr).into_owned();
    assert!(err.contains("MAKEPAY_WEBHOOK_SECRET is not set"), "{err}");
    bin()
        .env("MAKEPAY_WEBHOOK_SECRET", "")
        .args(["webhook", "sign"])
        .assert()
        .code(2);
    // A legacy key is never silently the MakePay secret.
    bin()
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .args(["webhook", "sign", "--provider", "oxapay", "--body"])
        .arg(&body)
        .assert()
        .code(2);
}

fn send_posts_exactly_what_it_signed() {
    let receiver = Receiver::start(|req| CORRECT.status(req));
    let out = stdout(
        bin()
            .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
            .args(["webhook", "send", &receiver.url])
            .args(["--status", "paid", "--previous-status", "pending"])
            .args(["--merchant-order-id", "order_77", "--amount", "5.00"])
            .args(["--currency", "USDC", "--uid", "link_77"])
            .args(["--delivery-id", "dlv-1", "--attempt", "2"]),
    );
    assert!(out.starts_with("HTTP 200\nok"), "{out}");
    let seen = receiver.requests();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.url, "/webhooks/makepay");
    for (name, value) in [
        ("content-type", "application/json"),
        ("user-agent", "MakePay-Webhooks/1.0"),
        ("x-makepay-delivery-id", "dlv-1"),
        ("x-makepay-delivery-group-id", "dlv-1"),
        ("x-makepay-delivery-origin", "event"),
        ("x-makepay-event", "status_changed"),
        ("x-makepay-attempt", "2"),
    ] {
        assert_eq!(req.header(name), Some(value), "{name}");
    }
    let json: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(json["deliveryId"], "dlv-1");
    assert_eq!(json["type"], "makepay.payment.status_changed");
    assert_eq!(json["paymentLink"]["uid"], "link_77");
    assert_eq!(json["paymentLink"]["merchantOrderId"], "order_77");
    assert_eq!(json["paymentLink"]["amount"], "5.00");
    assert_eq!(json["paymentLink"]["currency"], "USDC");
    assert_eq!(json["session"]["status"], "paid");
    assert_eq!(json["session"]["previousStatus"], "pending");
}

fn send_exit_code_follows_the_answer() {
    let rejecting = Receiver::start(|_| 401);
    bin()
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .args(["webhook", "send", &rejecting.url])
        .assert()
        .code(1);
    // Nothing listens on port 9 of localhost: no HTTP answer is a runtime error.
    bin()
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .args(["webhook", "send", "http://127.0.0.1:9/", "--timeout", "2"])
        .assert()
        .code(2);
}

fn main() -> ExitCode {
    common::runtime::run(vec![
        trial(
            "makepay_signature_matches_the_hmac_crate",
            makepay_signature_matches_the_hmac_crate,
        ),
        trial(
            "oxapay_hmac_matches_the_hmac_crate",
            oxapay_hmac_matches_the_hmac_crate,
        ),
        trial(
            "cryptomus_sign_matches_md5_of_base64_of_php_json",
            cryptomus_sign_matches_md5_of_base64_of_php_json,
        ),
        executed(
            Runtime::Python3,
            "python3_signatures_match_hashlib",
            "the Python signature vectors",
            python3_signatures_match_hashlib,
        ),
        trial(
            "built_delivery_is_printed_with_the_headers_that_sign_it",
            built_delivery_is_printed_with_the_headers_that_sign_it,
        ),
        trial(
            "secret_comes_from_a_file_or_fails_with_exit_2",
            secret_comes_from_a_file_or_fails_with_exit_2,
        ),
        trial(
            "send_posts_exactly_what_it_signed",
            send_posts_exactly_what_it_signed,
        ),
        trial(
            "send_exit_code_follows_the_answer",
            send_exit_code_follows_the_answer,
        ),
    ])
}
