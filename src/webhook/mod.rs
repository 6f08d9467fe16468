//! `makepay-migrate webhook`: prove a migrated webhook endpoint before real money reaches it.
//!
//! `sign` prints what MakePay (or OxaPay, or Cryptomus) would send, `send` posts one delivery,
//! `test` fires a graded scenario suite and `listen` receives real deliveries on a laptop. The
//! pieces: [`sign`] (the three signature schemes), [`payload`] and [`legacy`] (bodies),
//! [`delivery`] (headers plus bytes), [`http`] (the client), [`suite`] (scenarios as data),
//! [`report`] (table, JSON, JUnit), [`verify`] and [`listen`] (the receiver side).

pub mod args;
mod check_cmd;
pub mod delivery;
pub mod http;
pub mod legacy;
pub mod listen;
pub mod payload;
pub mod php_json;
pub mod report;
pub mod secret;
pub mod sign;
pub mod stamp;
pub mod suite;
pub mod verify;

use anyhow::{bail, Context};
use args::{MakePayDeliveryArgs, SendArgs, SignArgs, TestArgs, WebhookCommand};
use delivery::{Delivery, MakePayMeta};
use http::Client;
use payload::BodySpec;
use report::SuiteReport;
use sign::SignatureHeader;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::finding::Provider;

pub fn run(command: WebhookCommand) -> anyhow::Result<ExitCode> {
    match command {
        WebhookCommand::Sign(args) => run_sign(&args),
        WebhookCommand::Send(args) => run_send(&args),
        WebhookCommand::Test(args) => run_test(&args),
        WebhookCommand::Listen(args) => {
            let listener = listen::Listener {
                host: args.host.clone(),
                port: args.port,
                secret: args.secret.source().load()?,
                legacy: args.legacy.load()?,
                forward_to: args.forward_to.clone(),
                count: args.count,
                client: Client::new(Duration::from_secs(args.timeout)),
            };
            listener.run(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_sign(args: &SignArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if let Some(provider) = args.provider {
        let Some(source) = args.make.secret.explicit() else {
            bail!(
                "--provider {} signs with the provider's key, not the MakePay secret: name its \
                 variable with --secret-env VAR or its file with --secret-file PATH",
                provider.id()
            );
        };
        let key = source.load()?;
        let Some(path) = &args.make.body else {
            bail!(
                "--provider {} needs the callback body: --body FILE (or - for stdin)",
                provider.id()
            );
        };
        let body = read_body(path)?;
        match provider {
            Provider::Oxapay => writeln!(out, "HMAC: {}", sign::oxapay_hmac(&key, &body))?,
            Provider::Cryptomus => writeln!(
                out,
                "sign: {}",
                sign::cryptomus_sign(&key, &body).context("signing the Cryptomus body")?
            )?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (delivery, built) = makepay_delivery(&args.make)?;
    for (name, value) in &delivery.headers {
        writeln!(out, "{name}: {value}")?;
    }
    if built {
        writeln!(out)?;
        out.write_all(&delivery.body)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The delivery `sign` and `send` work on: the given body, or one built from the flags (then
/// `true`). Delivery ID and event come from the flags, or from a given body's fields.
fn makepay_delivery(args: &MakePayDeliveryArgs) -> anyhow::Result<(Delivery, bool)> {
    let secret = args.secret.source().load()?;
    let (d, p) = (&args.delivery, &args.payment);
    let now = d.timestamp.unwrap_or_else(stamp::now_unix);
    let (mut meta, body, built) = match args.body.as_deref() {
        Some(path) => {
            let body = read_body(path)?;
            let meta = MakePayMeta::from_body(&body).unwrap_or_else(|| {
                MakePayMeta::first(
                    d.delivery_id.clone().unwrap_or_else(stamp::new_delivery_id),
                    d.event.name(),
                )
            });
            (meta, body, false)
        }
        None => {
            let id = d.delivery_id.clone().unwrap_or_else(stamp::new_delivery_id);
            let body = BodySpec {
                event: d.event,
                delivery_id: &id,
                created_at: now,
                payment: &p.payment(),
                subscription: &p.subscription(),
                transition: &d.transition(),
            }
            .to_json();
            (MakePayMeta::first(id, d.event.name()), body, true)
        }
    };
    meta.attempt = d.attempt;
    let signature = SignatureHeader::sign(&secret, now, &body).to_string();
    Ok((Delivery::makepay(&meta, body, Some(signature)), built))
}

fn read_body(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .context("reading the body from stdin")?;
        return Ok(body);
    }
    std::fs::read(path).with_context(|| format!("reading the body from {}", path.display()))
}

fn run_send(args: &SendArgs) -> anyhow::Result<ExitCode> {
    let (delivery, _) = makepay_delivery(&args.make)?;
    let what = match &args.make.body {
        Some(path) => format!("body from {}", path.display()),
        None => args.make.delivery.transition().status,
    };
    eprintln!(
        "POST {} ({} {what}, delivery {}, attempt {})",
        args.url,
        delivery.header("x-makepay-event").unwrap_or("-"),
        delivery.header("x-makepay-delivery-id").unwrap_or("-"),
        args.make.delivery.attempt
    );
    let reply = Client::new(Duration::from_secs(args.timeout)).post(&args.url, &delivery)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "HTTP {}", reply.status)?;
    out.write_all(&reply.body)?;
    if !reply.body.is_empty() && !reply.body.ends_with(b"\n") {
        writeln!(out)?;
    }
    Ok(if reply.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_test(args: &TestArgs) -> anyhow::Result<ExitCode> {
    anstream::ColorChoice::write_global(args.color.choice());
    let secret = args.secret.source().load()?;
    let legacy = args.legacy.load()?;
    let payment = args.payment.payment();
    let subscription = args.payment.subscription();
    let client = Client::new(Duration::from_secs(args.timeout));
    let suite = suite::Suite {
        url: &args.url,
        secret: &secret,
        payment: &payment,
        subscription: &subscription,
        legacy: legacy.as_ref().map(|(provider, key)| suite::LegacyTarget {
            provider: *provider,
            url: args.legacy_url.as_deref().unwrap_or(&args.url),
            key,
        }),
        client: &client,
        now: stamp::now_unix,
    };
    let outcomes = suite
        .run(|o| {
            let verdict = if o.passed() { "pass" } else { "FAIL" };
            eprintln!("{:<26} {verdict}", o.id);
        })
        .context("the endpoint gave no HTTP answer to the first delivery")?;
    let check = match &args.check_cmd {
        Some(cmd) => Some(check_cmd::run(cmd, &args.url, &payment)?),
        None => None,
    };
    let report = SuiteReport {
        url: &args.url,
        outcomes: &outcomes,
        check: check.as_ref(),
    };
    let mut out = anstream::stdout().lock();
    report.write(args.format, &mut out)?;
    out.flush()?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
