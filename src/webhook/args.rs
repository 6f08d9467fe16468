//! Arguments of `makepay-migrate webhook`, kept beside the feature so `cli.rs` only names the
//! subcommand.

use super::payload::{EventKind, PaymentFields, SubscriptionFields, Transition};
use super::report::SuiteFormat;
use super::secret::{Secret, SecretSource};
use crate::cli::ColorWhen;
use crate::finding::Provider;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Where MakePay keeps its webhook secret by convention.
pub const DEFAULT_SECRET_ENV: &str = "MAKEPAY_WEBHOOK_SECRET";

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Print the headers MakePay would send with a body (or OxaPay's HMAC / Cryptomus's sign).
    ///
    /// MakePay: `x-makepay-signature: t=<unix>,v1=<hex>`, HMAC-SHA256 with the webhook secret
    /// over `{t}.{raw body}`, plus the delivery-id, group-id, event, attempt, user-agent and
    /// content-type headers. Without --body a reference delivery is built from the payment flags
    /// and printed after the headers, so the signed bytes are on screen.
    #[command(after_help = "Examples:\n  \
        export MAKEPAY_WEBHOOK_SECRET=whsec_...\n  \
        makepay-migrate webhook sign --body delivery.json --timestamp 1776556800\n  \
        makepay-migrate webhook sign --status paid --merchant-order-id order_1042\n  \
        makepay-migrate webhook sign --provider oxapay --secret-env OXAPAY_MERCHANT_API_KEY --body callback.json\n  \
        makepay-migrate webhook sign --provider cryptomus --secret-file cryptomus.key --body callback.json\n\n\
        OxaPay: HMAC header = HMAC-SHA512 of the raw body with the merchant key (payment callbacks) \
        or the payout key (payout callbacks).\n\
        Cryptomus: sign = MD5(base64(body without sign, re-encoded as PHP's json_encode with \
        JSON_UNESCAPED_UNICODE: compact, `/` escaped as `\\/`) + payment API key).\n\n\
        Exit codes: 0 printed, 2 usage error (missing secret, unreadable or non-JSON body).")]
    Sign(SignArgs),
    /// Build, sign and POST one MakePay delivery; print the endpoint's answer.
    #[command(after_help = "Examples:\n  \
        makepay-migrate webhook send http://localhost:3000/webhooks/makepay --status paid\n  \
        makepay-migrate webhook send $URL --event subscription_status_changed --status overdue --previous-status active\n  \
        makepay-migrate webhook send $URL --body saved-delivery.json --attempt 2\n\n\
        Exit codes: 0 the endpoint answered 2xx, 1 it answered something else, 2 usage error or \
        no HTTP answer.")]
    Send(SendArgs),
    /// Fire the scenario suite at an endpoint and grade every answer.
    ///
    /// Valid, duplicate and retried deliveries, out-of-order and terminal events and a
    /// subscription change must be answered 2xx; stale and future timestamps, a tampered body,
    /// a wrong secret, missing or malformed headers and a v1 of the wrong length must not.
    /// --legacy adds the dual-run cases for the old provider's route. Deliveries go one at a
    /// time, each with a timeout, only to the URLs given.
    #[command(after_help = "Examples:\n  \
        makepay-migrate webhook test http://localhost:3000/webhooks/makepay\n  \
        makepay-migrate webhook test $PREVIEW_URL/webhooks/makepay --merchant-order-id order_test_1 --format junit > webhook.xml\n  \
        makepay-migrate webhook test $URL --legacy oxapay --legacy-secret-env OXAPAY_MERCHANT_API_KEY\n  \
        makepay-migrate webhook test $URL --check-cmd 'psql -tAc \"select count(*) from payments where order_id = '\\''order_1042'\\'' and status = '\\''paid'\\''\" | grep -qx 1'\n\n\
        The check command runs through `sh -c` with MAKEPAY_TEST_URL, MAKEPAY_TEST_PAYMENT_UID and \
        MAKEPAY_TEST_MERCHANT_ORDER_ID set.\n\n\
        Exit codes: 0 every scenario graded pass (and the check command exited 0), 1 something \
        forged or stale was accepted, a valid delivery was rejected or the check command failed, \
        2 usage error or the endpoint could not be reached at all.")]
    Test(TestArgs),
    /// Receive deliveries locally: verify, print, optionally forward the exact bytes.
    ///
    /// Each request gets one line on stdout: event, payment or subscription uid, status,
    /// attempt and the verdict. Without --forward-to it answers 200 to valid deliveries and 401
    /// to the rest; with it, headers and body go on unchanged and the app's answer is relayed.
    #[command(after_help = "Examples:\n  \
        makepay-migrate webhook listen --port 8787\n  \
        makepay-migrate webhook listen --port 8787 --forward-to http://localhost:3000/webhooks/makepay\n  \
        makepay-migrate webhook listen --legacy oxapay --legacy-secret-env OXAPAY_MERCHANT_API_KEY\n\n\
        Exit codes: 0 stopped after --count requests, 2 usage error (port taken, missing secret).")]
    Listen(ListenArgs),
}

/// The MakePay webhook secret. Never a flag value: shell history and `ps` would keep it.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// Environment variable holding the secret [default: MAKEPAY_WEBHOOK_SECRET].
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// Read the secret from this file instead (one trailing newline is ignored).
    #[arg(long, value_name = "PATH", conflicts_with = "secret_env")]
    pub secret_file: Option<PathBuf>,
}

impl SecretArgs {
    /// `None` when neither flag was given.
    pub fn explicit(&self) -> Option<SecretSource> {
        SecretSource::from_flags(self.secret_env.as_deref(), self.secret_file.as_ref())
    }

    pub fn source(&self) -> SecretSource {
        self.explicit()
            .unwrap_or_else(|| SecretSource::Env(DEFAULT_SECRET_ENV.to_string()))
    }
}

/// The order and subscription the deliveries are about: set them to records the endpoint knows.
#[derive(Debug, Args)]
pub struct PaymentArgs {
    /// paymentLink.uid.
    #[arg(long, value_name = "UID", default_value = "01hzy4k6p4w9y2x7e2z7n8a2xm")]
    pub uid: String,
    /// paymentLink.merchantOrderId (your order ID).
    #[arg(long, value_name = "ID", default_value = "order_1042")]
    pub merchant_order_id: String,
    /// paymentLink.amount and the session's invoice amount.
    #[arg(long, default_value = "129.99")]
    pub amount: String,
    /// paymentLink.currency and the session's invoice asset.
    #[arg(long, default_value = "USDT")]
    pub currency: String,
    /// subscription.uid for subscription events.
    #[arg(long, value_name = "UID", default_value = "sub_premium_001")]
    pub subscription_uid: String,
    /// subscription.amountUsd for subscription events.
    #[arg(long, value_name = "USD", default_value = "49.99")]
    pub subscription_amount: String,
}

impl PaymentArgs {
    pub fn payment(&self) -> PaymentFields {
        PaymentFields {
            uid: self.uid.clone(),
            merchant_order_id: self.merchant_order_id.clone(),
            amount: self.amount.clone(),
            currency: self.currency.clone(),
        }
    }

    pub fn subscription(&self) -> SubscriptionFields {
        SubscriptionFields {
            uid: self.subscription_uid.clone(),
            amount_usd: self.subscription_amount.clone(),
        }
    }
}

/// One delivery's event, state change and delivery headers.
#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// x-makepay-event and event.type.
    #[arg(long, value_enum, default_value_t = EventKind::StatusChanged)]
    pub event: EventKind,
    /// New status: session.status and paymentLink.status, or subscription.status
    /// [default: paid, or overdue for subscription events].
    #[arg(long)]
    pub status: Option<String>,
    /// Previous status [default: pending, or active for subscription events].
    #[arg(long, value_name = "STATUS")]
    pub previous_status: Option<String>,
    /// x-makepay-attempt (MakePay retries failed deliveries up to ten times, five minutes apart).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempt: u32,
    /// x-makepay-delivery-id and deliveryId [default: a new UUID]; reuse one to send a duplicate.
    #[arg(long, value_name = "ID")]
    pub delivery_id: Option<String>,
    /// Unix time to sign with [default: now].
    #[arg(long, value_name = "UNIX")]
    pub timestamp: Option<i64>,
}

impl DeliveryArgs {
    pub fn transition(&self) -> Transition {
        let (status, previous) = if self.event.is_subscription() {
            ("overdue", "active")
        } else {
            ("paid", "pending")
        };
        Transition {
            status: self.status.clone().unwrap_or_else(|| status.to_string()),
            previous: self
                .previous_status
                .clone()
                .unwrap_or_else(|| previous.to_string()),
        }
    }
}

/// What `sign` and `send` work on: a saved body, or one built from the flags.
#[derive(Debug, Args)]
pub struct MakePayDeliveryArgs {
    /// The exact body (`-` reads stdin) [default: build a MakePay delivery from the flags].
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
    #[command(flatten)]
    pub payment: PaymentArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// Sign as a legacy provider instead of MakePay (needs --secret-env or --secret-file, and
    /// --body).
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    #[command(flatten)]
    pub make: MakePayDeliveryArgs,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The endpoint to POST to.
    #[arg(value_name = "URL")]
    pub url: String,
    #[command(flatten)]
    pub make: MakePayDeliveryArgs,
    /// Seconds to wait for the answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,
}

/// The legacy provider of a dual run and its key (never a flag value either).
#[derive(Debug, Args)]
pub struct LegacyArgs {
    /// The legacy provider whose callbacks still arrive during the dual run (`test` adds its
    /// cases; `listen` verifies requests without x-makepay-signature as its callbacks).
    #[arg(long, value_enum)]
    pub legacy: Option<Provider>,
    /// Environment variable holding the legacy key (OxaPay merchant or payout key, Cryptomus
    /// payment key).
    #[arg(long, value_name = "VAR", requires = "legacy")]
    pub legacy_secret_env: Option<String>,
    /// Read the legacy key from this file instead.
    #[arg(
        long,
        value_name = "PATH",
        requires = "legacy",
        conflicts_with = "legacy_secret_env"
    )]
    pub legacy_secret_file: Option<PathBuf>,
}

impl LegacyArgs {
    /// The provider and its loaded key; `None` without --legacy.
    pub fn load(&self) -> anyhow::Result<Option<(Provider, Secret)>> {
        let Some(provider) = self.legacy else {
            return Ok(None);
        };
        let Some(source) = SecretSource::from_flags(
            self.legacy_secret_env.as_deref(),
            self.legacy_secret_file.as_ref(),
        ) else {
            anyhow::bail!(
                "--legacy {} needs the provider's key: --legacy-secret-env VAR or \
                 --legacy-secret-file PATH",
                provider.id()
            );
        };
        Ok(Some((provider, source.load()?)))
    }
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The MakePay webhook endpoint under test.
    #[arg(value_name = "URL")]
    pub url: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub payment: PaymentArgs,
    #[command(flatten)]
    pub legacy: LegacyArgs,
    /// Where legacy callbacks go [default: URL, for a route that dispatches on the headers].
    #[arg(long, value_name = "URL", requires = "legacy")]
    pub legacy_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SuiteFormat::Human)]
    pub format: SuiteFormat,
    /// Shell command run after the suite (e.g. a SQL count of paid orders); its output is
    /// printed with the results and a non-zero exit fails the run.
    #[arg(long, value_name = "CMD")]
    pub check_cmd: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,
    /// When to colour the table (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port to listen on (0 picks a free one; the address is printed on stderr).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Address to bind; the default keeps the receiver off the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[command(flatten)]
    pub secret: SecretArgs,
    #[command(flatten)]
    pub legacy: LegacyArgs,
    /// Forward every request's headers and exact body here and relay the answer.
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Stop after this many requests.
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Seconds to wait for the forward target's answer.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub timeout: u64,
}
