//! `makepay-migrate mcp` driven by a real MCP client other than rmcp: the official Python SDK
//! (`pip install mcp`), through tests/mcp_client.py. Without python3 or the package the test
//! is reported as ignored with a `skipped:` line; `MAKEPAY_REQUIRE_RUNTIMES=1` (CI) fails it.

use std::path::Path;
use std::process::ExitCode;

mod common {
    pub mod runtime;
}
use common::runtime::{executed, run, Runtime};

fn python_sdk_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Runtime::PythonMcp
        .command()
        .arg(root.join("tests/mcp_client.py"))
        .arg(env!("CARGO_BIN_EXE_makepay-migrate"))
        .arg(root.join("fixtures"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python MCP client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every stage printed its line: a script that stopped early cannot pass.
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok: ")).count(),
        12,
        "{stdout}"
    );
}

fn main() -> ExitCode {
    run(vec![executed(
        Runtime::PythonMcp,
        "python_sdk_client",
        "the MCP Python SDK client tests",
        python_sdk_client,
    )])
}
