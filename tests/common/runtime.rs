//! The interpreters that executed tests need (node, python3, php, go, and cargo for the Rust
//! scaffold crate), probed before the test runs. A README user may have no PHP or Go: then
//! each test that needs one says so on one line and is reported as ignored, so `cargo test`
//! passes and its summary counts what was not executed. `MAKEPAY_REQUIRE_RUNTIMES=1` (set by
//! `.ci/run` once it has installed them all) turns a missing interpreter into a failure, so CI
//! can never pass by skipping.
#![allow(dead_code)] // each test binary names only the runtimes it executes with

use libtest_mimic::{Arguments, Failed, Trial};
use std::process::{Command, ExitCode};

/// An interpreter or toolchain a test executes generated code with.
#[derive(Debug, Clone, Copy)]
pub enum Runtime {
    Node,
    Python3,
    /// python3 with the official MCP Python SDK (`pip install mcp`), a real MCP client.
    PythonMcp,
    Php,
    Go,
    /// The Rust scaffolds are compiled as a crate of their own.
    Cargo,
}

impl Runtime {
    /// The command to run: cargo is the one running the tests, when it says which.
    pub fn program(self) -> String {
        match self {
            Runtime::Node => "node".into(),
            Runtime::Python3 | Runtime::PythonMcp => "python3".into(),
            Runtime::Php => "php".into(),
            Runtime::Go => "go".into(),
            Runtime::Cargo => std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        }
    }

    pub fn command(self) -> Command {
        Command::new(self.program())
    }

    /// What is missing when [`Runtime::installed`] says no, for the skip and failure lines.
    fn requirement(self) -> String {
        match self {
            Runtime::PythonMcp => "python3 with the MCP SDK (pip install mcp)".into(),
            _ => self.program(),
        }
    }

    /// Whether the program starts and answers its version query (or, for a package, imports it).
    fn installed(self) -> bool {
        let query: &[&str] = match self {
            Runtime::Go => &["version"],
            Runtime::PythonMcp => &["-c", "import mcp"],
            _ => &["--version"],
        };
        self.command()
            .args(query)
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

/// Whether a missing interpreter must fail the run rather than skip its tests.
fn required() -> bool {
    std::env::var("MAKEPAY_REQUIRE_RUNTIMES").is_ok_and(|v| v == "1")
}

/// A test that executes `what` (for example "the PHP scaffolds") with `runtime`: run when the
/// runtime is installed, ignored with a `skipped:` line when it is not, failed when it is not
/// but required.
pub fn executed(runtime: Runtime, name: &str, what: &str, test: fn()) -> Trial {
    let program = runtime.requirement();
    if runtime.installed() {
        return trial(name, test);
    }
    if required() {
        let why = format!("{program} not installed, and MAKEPAY_REQUIRE_RUNTIMES=1 requires it");
        return Trial::test(name, move || Err(Failed::from(why)));
    }
    eprintln!("skipped: {program} not installed; {what} were not executed");
    trial(name, test).with_ignored_flag(true)
}

/// A test that needs no interpreter.
pub fn trial(name: &str, test: fn()) -> Trial {
    // A panicking runner is a failed trial, as with #[test].
    Trial::test(name, move || {
        test();
        Ok(())
    })
}

/// Runs `trials` as `cargo test` runs a #[test] binary: same filters, output and exit code.
pub fn run(trials: Vec<Trial>) -> ExitCode {
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}
