//! `webhook test --check-cmd`: the team's own assertion after the suite, typically a SQL count
//! proving the order was marked paid exactly once. Its output is printed with the table and a
//! non-zero exit fails the run.

use super::payload::PaymentFields;
use super::report::CheckOutput;
use anyhow::Context;
use std::process::{Command, Stdio};

/// Runs `command` through the shell, with the suite's order in the environment so the script
/// needs no copy of it.
pub fn run(command: &str, url: &str, order: &PaymentFields) -> anyhow::Result<CheckOutput> {
    let mut cmd = if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    let out = cmd
        .env("MAKEPAY_TEST_URL", url)
        .env("MAKEPAY_TEST_PAYMENT_UID", &order.uid)
        .env("MAKEPAY_TEST_MERCHANT_ORDER_ID", &order.merchant_order_id)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running --check-cmd `{command}`"))?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Ok(CheckOutput {
        command: command.to_string(),
        exit_code: out.status.code(),
        output,
    })
}
