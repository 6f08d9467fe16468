//! `makepay-migrate mcp` spoken to as raw JSON-RPC over the child's stdio (newline-delimited),
//! with no MCP library on this side: what any client sees on the wire. The Python SDK client in
//! tests/mcp_python.rs covers the same server through a real client.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

// This binary needs only `commit` of the shared repository helpers.
#[allow(dead_code)]
mod common {
    pub mod repo;
}

const BIN: &str = env!("CARGO_BIN_EXE_makepay-migrate");
/// A scan of a fixture takes well under a second; this only stops a hung server hanging CI.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A running server and the lines it prints, read on a thread so a silent server times out.
struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    next_id: u64,
}

impl Session {
    /// Starts `mcp EXTRA...` in `dir` and completes the initialize handshake.
    fn start(dir: &Path, extra: &[&str]) -> (Session, Value) {
        let mut child = Command::new(BIN)
            .arg("mcp")
            .args(extra)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Session {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = s.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "raw-json-rpc-test", "version": "0" }
            }),
        );
        s.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        (s, init)
    }

    fn send(&mut self, message: &Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns its whole response (`result` or `error`); every line on
    /// stdout must be JSON-RPC, notifications in between are skipped.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let line = self
                .lines
                .recv_timeout(REPLY_TIMEOUT)
                .unwrap_or_else(|e| panic!("no reply to {method}: {e}"));
            let msg: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carried a non-protocol line ({e}): {line}"));
            assert_eq!(msg["jsonrpc"], "2.0", "{line}");
            if msg["id"] == id {
                return msg;
            }
        }
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
    }

    fn tool_names(&mut self) -> Vec<String> {
        let list = self.request("tools/list", json!({}));
        sorted_field(&list["result"]["tools"], "name")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `makepay-migrate ARGS...` run in `dir`, stdout parsed as JSON.
fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn initialize_list_and_scan_give_the_clis_findings() {
    let dir = fixture("oxapay-express");
    let (mut s, init) = Session::start(&dir, &[]);
    assert_eq!(init["result"]["serverInfo"]["name"], "makepay-migrate");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    assert!(init["result"]["capabilities"]["resources"].is_object());

    let list = s.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    let scan = tools.iter().find(|t| t["name"] == "scan").unwrap();
    let schema = &scan["inputSchema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["path"]));
    for field in [
        "provider",
        "min_confidence",
        "include",
        "exclude",
        "offset",
        "limit",
    ] {
        assert!(
            schema["properties"][field].is_object(),
            "scan schema lacks {field}"
        );
    }

    let reply = s.call("scan", json!({ "path": "." }));
    let doc = &reply["result"]["structuredContent"];
    let cli = cli_json(&dir, &["scan", "--format", "json", "."]);
    assert!(!cli["findings"].as_array().unwrap().is_empty());
    assert_eq!(doc["version"], cli["version"]);
    assert_eq!(doc["findings"], cli["findings"]);
    assert_eq!(doc["summary"], cli["summary"]);
    assert_eq!(
        doc["page"]["total"],
        cli["findings"].as_array().unwrap().len()
    );
}

#[test]
fn a_page_says_how_many_findings_it_left_out() {
    let dir = fixture("oxapay-express");
    let (mut s, _) = Session::start(&dir, &[]);
    let doc = s.call("scan", json!({ "path": ".", "offset": 2, "limit": 3 }))["result"]
        ["structuredContent"]
        .clone();
    let cli = cli_json(&dir, &["scan", "--format", "json", "."]);
    let all = cli["findings"].as_array().unwrap();
    assert_eq!(doc["findings"].as_array().unwrap()[..], all[2..5]);
    assert_eq!(doc["page"]["total"], all.len());
    assert_eq!(doc["page"]["next_offset"], 5);
    assert!(doc["page"]["note"]
        .as_str()
        .unwrap()
        .contains("call again with offset 5"));
}

#[test]
fn paths_outside_the_start_directory_are_refused() {
    let dir = fixture("oxapay-express");
    let (mut s, _) = Session::start(&dir, &[]);
    for outside in ["..", "/"] {
        let reply = s.call("scan", json!({ "path": outside }));
        let error = &reply["error"];
        assert_eq!(error["code"], -32602, "{reply}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("outside the allowed roots"), "{message}");
        assert!(message.contains("oxapay-express"), "{message}");
    }
}

#[test]
fn apply_write_is_registered_only_with_allow_write() {
    let dir = fixture("oxapay-express");
    let (mut read_only, _) = Session::start(&dir, &[]);
    let names = read_only.tool_names();
    assert_eq!(
        names,
        [
            "apply_preview",
            "brief",
            "check",
            "explain",
            "findings_in_file",
            "plan",
            "scan"
        ]
    );
    let refused = read_only.call("apply_write", json!({ "path": "." }));
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("--allow-write"), "{refused}");

    let (mut writer, _) = Session::start(&dir, &["--allow-write"]);
    assert!(writer.tool_names().contains(&"apply_write".to_string()));
}

#[test]
fn apply_write_refuses_a_tree_git_cannot_review() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("pay.js"),
        "fetch('https://api.oxapay.com/v1/payment/invoice')\n",
    )
    .unwrap();
    let (mut s, _) = Session::start(tmp.path(), &["--allow-write"]);
    let reply = s.call("apply_write", json!({ "path": "." }));
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("not inside a git work tree"), "{reply}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(
        left.len(),
        1,
        "apply_write wrote despite refusing: {left:?}"
    );
}

/// `field` of every object in the array `list`, sorted.
fn sorted_field(list: &Value, field: &str) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `git status --porcelain` of `dir`, untracked files listed one by one.
fn status(dir: &Path) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn apply_write_writes_what_the_preview_showed_and_refuses_a_dirty_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("shop");
    copy_tree(&fixture("oxapay-express"), &repo);
    common::repo::commit(&repo);
    let (mut s, _) = Session::start(&repo, &["--allow-write"]);

    let preview = s.call("apply_preview", json!({ "path": "." }));
    let shown = sorted_field(&preview["result"]["structuredContent"]["changes"], "path");
    assert!(!shown.is_empty());
    assert_eq!(status(&repo), "", "the preview wrote");

    let done = s.call("apply_write", json!({ "path": "." }))["result"]["structuredContent"].clone();
    assert_eq!(sorted_field(&done["written"], "path"), shown);
    assert_eq!(done["skipped"], json!([]));
    let after = status(&repo);
    assert_eq!(after.lines().count(), shown.len(), "{after}");

    // The tree is now dirty: a second write is refused before anything is planned.
    let again = s.call("apply_write", json!({ "path": "." }));
    let message = again["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("uncommitted changes"), "{again}");
    assert_eq!(status(&repo), after);
}
