//! End to end: the verifier `apply` generates, served by a few lines of the language's standard
//! HTTP server, must pass every `webhook test` scenario. Needs node and python3; without them
//! the test prints `skipped: ...`, and fails under MAKEPAY_REQUIRE_RUNTIMES=1.

mod webhook_support;
mod common {
    pub mod runtime;
}

use common::runtime::{executed, Runtime};
use std::process::ExitCode;

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use webhook_support::SECRET;

const PYTHON_SERVER: &str = r#"
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from makepay_webhook import verify_makepay_signature

SECRET = os.environ["MAKEPAY_WEBHOOK_SECRET"]

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        ok = verify_makepay_signature(body, self.headers.get("x-makepay-signature"), SECRET)
        self.send_response(200 if ok else 401)
        self.end_headers()

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

const NODE_SERVER: &str = r#"
const http = require('node:http');
const { verifyMakePaySignature } = require('./makepay-webhook.js');
const secret = process.env.MAKEPAY_WEBHOOK_SECRET;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const ok = verifyMakePaySignature(Buffer.concat(chunks), req.headers['x-makepay-signature'], secret);
    res.writeHead(ok ? 200 : 401);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
"#;

/// Kills the server when the test ends, however it ends.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Generates the webhook verifier for `lang` with `apply`, starts `program server_file` beside
/// it and returns the server and its URL.
fn serve(
    lang: &str,
    program: &str,
    server_file: &str,
    server: &str,
    dir: &Path,
) -> (Served, String) {
    Command::cargo_bin("makepay-migrate")
        .unwrap()
        .args([
            "apply",
            "--only",
            "webhook",
            "--lang",
            lang,
            "--write",
            "--allow-dirty",
        ])
        .arg(dir)
        .assert()
        .success();
    std::fs::write(dir.join(server_file), server).unwrap();
    let mut child = std::process::Command::new(program)
        .arg(server_file)
        .current_dir(dir)
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let url = format!("http://127.0.0.1:{}/webhooks/makepay", port.trim());
    (Served(child), url)
}

fn passes_every_scenario(lang: &str, program: &str, server_file: &str, server: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (_served, url) = serve(lang, program, server_file, server, dir.path());
    let out = Command::cargo_bin("makepay-migrate")
        .unwrap()
        .env("MAKEPAY_WEBHOOK_SECRET", SECRET)
        .args(["webhook", "test", &url, "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<_> = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["passed"] == false)
        .collect();
    assert!(failed.is_empty(), "{lang}: {failed:#?}");
    assert_eq!(doc["summary"]["passed"], 21, "{lang}");
    assert_eq!(out.status.code(), Some(0), "{lang}");
}

fn python3_verifier_from_apply_passes_every_scenario() {
    passes_every_scenario("python", "python3", "server.py", PYTHON_SERVER);
}

fn node_verifier_from_apply_passes_every_scenario() {
    passes_every_scenario("javascript", "node", "server.js", NODE_SERVER);
}

fn main() -> ExitCode {
    common::runtime::run(vec![
        executed(
            Runtime::Python3,
            "python3_verifier_from_apply_passes_every_scenario",
            "the Python verifier scenarios",
            python3_verifier_from_apply_passes_every_scenario,
        ),
        executed(
            Runtime::Node,
            "node_verifier_from_apply_passes_every_scenario",
            "the JavaScript verifier scenarios",
            node_verifier_from_apply_passes_every_scenario,
        ),
    ])
}
