//! The scenario suite `webhook test` fires at an endpoint, as data: each case says what body to
//! send, how to sign (or forge) it and whether a correct endpoint accepts it. One loop builds,
//! posts and grades them in this order, so runs are comparable and the duplicate and retry
//! cases follow the delivery they repeat.

use super::delivery::{Delivery, MakePayMeta};
use super::http::{Client, HttpError};
use super::legacy;
use super::payload::{BodySpec, EventKind, PaymentFields, SubscriptionFields, Transition};
use super::secret::Secret;
use super::sign::SignatureHeader;
use super::stamp::new_delivery_id;
use crate::finding::Provider;
use serde::Serialize;

/// What a correct endpoint does with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Answers 2xx.
    Accept,
    /// Answers anything but 2xx.
    Reject,
}

/// The body of a MakePay case.
#[derive(Debug, Clone, Copy)]
enum Body {
    Payment(EventKind, &'static str, &'static str),
    Subscription(&'static str, &'static str),
    /// The first case's delivery again: same delivery ID, same bytes.
    Repeat,
    /// A paid delivery pretty-printed with keys reordered: bytes that re-serialising the parsed
    /// JSON does not reproduce.
    Reformatted,
}

/// How a MakePay case is signed or forged.
#[derive(Debug, Clone, Copy)]
enum Signing {
    Valid,
    /// Signed correctly `n` seconds away from now.
    Skewed(i64),
    WrongSecret,
    /// Signed, then the amount lowered.
    Tampered,
    Unsigned,
    /// The correct digest in a malformed header.
    Malformed(Malformation),
}

#[derive(Debug, Clone, Copy)]
enum Malformation {
    NoTimestamp,
    TimestampNotUnix,
    UnknownScheme,
    ShortDigest,
    LongDigest,
}

impl Malformation {
    fn render(self, h: &SignatureHeader) -> String {
        match self {
            Malformation::NoTimestamp => format!("v1={}", h.v1),
            Malformation::TimestampNotUnix => format!("t=now,v1={}", h.v1),
            Malformation::UnknownScheme => format!("sha256={}", h.v1),
            Malformation::ShortDigest => format!("t={},v1={}", h.t, &h.v1[..62]),
            Malformation::LongDigest => format!("t={},v1={}00", h.t, h.v1),
        }
    }
}

struct MakePayCase {
    id: &'static str,
    title: &'static str,
    expect: Expect,
    body: Body,
    attempt: u32,
    signing: Signing,
}

const fn case(
    id: &'static str,
    title: &'static str,
    expect: Expect,
    body: Body,
    signing: Signing,
) -> MakePayCase {
    MakePayCase {
        id,
        title,
        expect,
        body,
        attempt: 1,
        signing,
    }
}

/// Stale and future timestamps sit a minute past the 300 s tolerance, so a second of clock skew
/// between this machine and the endpoint does not decide the verdict.
const SKEW: i64 = 360;

use Body::*;
use EventKind as E;
use Expect::*;
use Signing::*;

const PAID: Body = Payment(E::StatusChanged, "paid", "pending");

/// The MakePay cases, in the order they are sent.
const MAKEPAY_CASES: &[MakePayCase] = &[
    case("valid-paid", "valid paid delivery", Accept, PAID, Valid),
    case(
        "duplicate-delivery",
        "same delivery ID again (must stay idempotent)",
        Accept,
        Repeat,
        Valid,
    ),
    MakePayCase {
        attempt: 2,
        ..case(
            "retry-attempt-2",
            "retry of the same delivery, x-makepay-attempt: 2",
            Accept,
            Repeat,
            Valid,
        )
    },
    case(
        "raw-body-bytes",
        "valid delivery whose bytes differ from re-serialised JSON",
        Accept,
        Reformatted,
        Valid,
    ),
    case(
        "out-of-order-pending",
        "pending after paid (must not regress the order)",
        Accept,
        Payment(E::StatusChanged, "pending", "active"),
        Valid,
    ),
    case(
        "settlement-updated",
        "settlement data changed",
        Accept,
        Payment(E::SettlementUpdated, "paid", "paid"),
        Valid,
    ),
    case(
        "channel-created",
        "deposit channel created (late)",
        Accept,
        Payment(E::ChannelCreated, "pending", "pending"),
        Valid,
    ),
    case(
        "payment-request-expired",
        "terminal: payment request expired",
        Accept,
        Payment(E::PaymentRequestExpired, "expired", "pending"),
        Valid,
    ),
    case(
        "quote-expired",
        "terminal: quote expired",
        Accept,
        Payment(E::QuoteExpired, "expired", "pending"),
        Valid,
    ),
    case(
        "cancelled-by-payer",
        "terminal: payer cancelled",
        Accept,
        Payment(E::PaymentCancelledByPayer, "cancelled", "pending"),
        Valid,
    ),
    case(
        "subscription-overdue",
        "subscription status change active -> overdue",
        Accept,
        Subscription("overdue", "active"),
        Valid,
    ),
    case(
        "stale-timestamp",
        "signed 360 s ago (tolerance 300 s)",
        Reject,
        PAID,
        Skewed(-SKEW),
    ),
    case(
        "future-timestamp",
        "signed 360 s in the future",
        Reject,
        PAID,
        Skewed(SKEW),
    ),
    case(
        "tampered-body",
        "amount changed after signing",
        Reject,
        PAID,
        Tampered,
    ),
    case(
        "wrong-secret",
        "signed with another secret",
        Reject,
        PAID,
        WrongSecret,
    ),
    case(
        "missing-signature",
        "no x-makepay-signature header",
        Reject,
        PAID,
        Unsigned,
    ),
    case(
        "malformed-no-timestamp",
        "header without t=",
        Reject,
        PAID,
        Malformed(Malformation::NoTimestamp),
    ),
    case(
        "malformed-timestamp",
        "t= is not a Unix time",
        Reject,
        PAID,
        Malformed(Malformation::TimestampNotUnix),
    ),
    case(
        "malformed-scheme",
        "digest under an unknown scheme, no t= or v1=",
        Reject,
        PAID,
        Malformed(Malformation::UnknownScheme),
    ),
    case(
        "v1-too-short",
        "v1 of 62 hex digits (a prefix of the right one)",
        Reject,
        PAID,
        Malformed(Malformation::ShortDigest),
    ),
    case(
        "v1-too-long",
        "v1 of 66 hex digits (the right one plus 00)",
        Reject,
        PAID,
        Malformed(Malformation::LongDigest),
    ),
];

/// How a legacy case is signed or forged.
#[derive(Debug, Clone, Copy)]
enum LegacySigning {
    Valid,
    WrongKey,
    Tampered,
    Unsigned,
}

struct LegacyCase {
    id: &'static str,
    title: &'static str,
    expect: Expect,
    signing: LegacySigning,
}

const LEGACY_CASES: &[LegacyCase] = &[
    LegacyCase {
        id: "legacy-valid",
        title: "correctly signed legacy paid callback",
        expect: Accept,
        signing: LegacySigning::Valid,
    },
    LegacyCase {
        id: "legacy-wrong-key",
        title: "legacy callback signed with another key",
        expect: Reject,
        signing: LegacySigning::WrongKey,
    },
    LegacyCase {
        id: "legacy-tampered",
        title: "legacy callback, amount changed after signing",
        expect: Reject,
        signing: LegacySigning::Tampered,
    },
    LegacyCase {
        id: "legacy-unsigned",
        title: "legacy callback without its signature",
        expect: Reject,
        signing: LegacySigning::Unsigned,
    },
];

/// What came back for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    Status(u16),
    /// No HTTP answer (refused, timed out...).
    Error(String),
}

/// One graded case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: &'static str,
    pub title: &'static str,
    /// `makepay`, `oxapay` or `cryptomus`.
    pub scheme: &'static str,
    pub expect: Expect,
    pub got: Got,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        match (&self.got, self.expect) {
            (Got::Status(s), Expect::Accept) => (200..300).contains(s),
            (Got::Status(s), Expect::Reject) => !(200..300).contains(s),
            (Got::Error(_), _) => false,
        }
    }

    /// Why a failed case matters, in a few words.
    pub fn failure(&self) -> Option<&'static str> {
        if self.passed() {
            return None;
        }
        Some(match (&self.got, self.expect) {
            (Got::Error(_), _) => "no HTTP answer",
            (_, Expect::Accept) => "valid delivery rejected",
            (_, Expect::Reject) => "forged or stale delivery accepted",
        })
    }
}

/// One case of a run, MakePay or legacy.
enum Step<'s, 'a> {
    MakePay(&'static MakePayCase),
    Legacy(&'s LegacyTarget<'a>, &'static LegacyCase),
}

impl Step<'_, '_> {
    fn about(&self) -> (&'static str, &'static str, Expect) {
        match self {
            Step::MakePay(c) => (c.id, c.title, c.expect),
            Step::Legacy(_, c) => (c.id, c.title, c.expect),
        }
    }
}

/// The legacy route under test during a dual run.
pub struct LegacyTarget<'a> {
    pub provider: Provider,
    pub url: &'a str,
    pub key: &'a Secret,
}

/// Everything a run needs.
pub struct Suite<'a> {
    pub url: &'a str,
    pub secret: &'a Secret,
    pub payment: &'a PaymentFields,
    pub subscription: &'a SubscriptionFields,
    pub legacy: Option<LegacyTarget<'a>>,
    pub client: &'a Client,
    pub now: fn() -> i64,
}

impl Suite<'_> {
    /// Sends every case in order and grades each answer. `Err` only when the very first request
    /// gets no HTTP answer: the endpoint is down or the URL is wrong, and nothing can be graded.
    pub fn run(&self, mut progress: impl FnMut(&Outcome)) -> Result<Vec<Outcome>, HttpError> {
        let mut outcomes = Vec::new();
        let mut first: Option<(MakePayMeta, Vec<u8>)> = None;
        let makepay = MAKEPAY_CASES.iter().map(Step::MakePay);
        let legacy = self
            .legacy
            .iter()
            .flat_map(|l| LEGACY_CASES.iter().map(move |c| Step::Legacy(l, c)));
        for step in makepay.chain(legacy) {
            // Built just before sending, so every timestamp is fresh.
            let (url, delivery, scheme) = match step {
                Step::MakePay(c) => (self.url, self.makepay_delivery(c, &mut first), "makepay"),
                Step::Legacy(l, c) => (l.url, self.legacy_delivery(l, c.signing), l.provider.id()),
            };
            let got = match self.client.post(url, &delivery) {
                Ok(reply) => Got::Status(reply.status),
                Err(e) if outcomes.is_empty() => return Err(e),
                Err(e) => Got::Error(e.to_string()),
            };
            let (id, title, expect) = step.about();
            let outcome = Outcome {
                id,
                title,
                scheme,
                expect,
                got,
            };
            progress(&outcome);
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    fn makepay_delivery(
        &self,
        case: &MakePayCase,
        first: &mut Option<(MakePayMeta, Vec<u8>)>,
    ) -> Delivery {
        let now = (self.now)();
        let (mut meta, mut body) = match (case.body, first.as_ref()) {
            (Repeat, Some((meta, body))) => (meta.clone(), body.clone()),
            (body, _) => self.fresh(body, now),
        };
        first.get_or_insert_with(|| (meta.clone(), body.clone()));
        meta.attempt = case.attempt;
        let signed_at = match case.signing {
            Skewed(by) => now + by,
            _ => now,
        };
        let key = match case.signing {
            WrongSecret => self.secret.wrong(),
            _ => self.secret.clone(),
        };
        let header = SignatureHeader::sign(&key, signed_at, &body);
        let signature = match case.signing {
            Unsigned => None,
            Malformed(m) => Some(m.render(&header)),
            _ => Some(header.to_string()),
        };
        if matches!(case.signing, Tampered) {
            body = self.tamper(&body);
        }
        Delivery::makepay(&meta, body, signature)
    }

    /// A new delivery ID and its body.
    fn fresh(&self, body: Body, now: i64) -> (MakePayMeta, Vec<u8>) {
        let (event, status, previous) = match body {
            Payment(event, status, previous) => (event, status, previous),
            Subscription(status, previous) => (E::SubscriptionStatusChanged, status, previous),
            Repeat | Reformatted => (E::StatusChanged, "paid", "pending"),
        };
        let id = new_delivery_id();
        let transition = Transition {
            status: status.to_string(),
            previous: previous.to_string(),
        };
        let json = BodySpec {
            event,
            delivery_id: &id,
            created_at: now,
            payment: self.payment,
            subscription: self.subscription,
            transition: &transition,
        }
        .to_json();
        let json = match body {
            Reformatted => reformat(&json),
            _ => json,
        };
        (MakePayMeta::first(id, event.name()), json)
    }

    fn legacy_delivery(&self, target: &LegacyTarget<'_>, signing: LegacySigning) -> Delivery {
        let body = legacy::paid_body(target.provider, self.payment);
        match signing {
            LegacySigning::Valid => legacy::signed(target.provider, target.key, body),
            LegacySigning::WrongKey => legacy::signed(target.provider, &target.key.wrong(), body),
            LegacySigning::Tampered => {
                let mut d = legacy::signed(target.provider, target.key, body);
                d.body = self.tamper(&d.body);
                d
            }
            LegacySigning::Unsigned => Delivery::legacy(body, None),
        }
    }

    fn tamper(&self, body: &[u8]) -> Vec<u8> {
        tamper(body, &self.payment.amount)
    }
}

/// Lowers every `"amount":"<amount>"` in `body` to a cent: the forgery that matters. An amount
/// JSON writes escaped is not found that way; then a trailing space changes the bytes instead,
/// so the case never sends a genuine delivery by accident.
fn tamper(body: &[u8], amount: &str) -> Vec<u8> {
    let to = if amount == "0.01" { "0.02" } else { "0.01" };
    let text = String::from_utf8_lossy(body);
    let mut forged = text
        .replace(
            &format!(r#""amount":"{amount}""#),
            &format!(r#""amount":"{to}""#),
        )
        .into_bytes();
    if forged == body {
        forged.push(b' ');
    }
    forged
}

/// Pretty-printed with serde_json's key order: same content, other bytes.
fn reformat(json: &[u8]) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(json).expect("built bodies are JSON");
    let mut out = serde_json::to_vec_pretty(&value).expect("values always serialise");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_unique_and_both_verdicts_occur() {
        let all: Vec<(&str, Expect)> = MAKEPAY_CASES
            .iter()
            .map(|c| (c.id, c.expect))
            .chain(LEGACY_CASES.iter().map(|c| (c.id, c.expect)))
            .collect();
        let mut ids: Vec<_> = all.iter().map(|c| c.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        for cases in [&all[..MAKEPAY_CASES.len()], &all[MAKEPAY_CASES.len()..]] {
            assert!(cases.iter().any(|c| c.1 == Expect::Accept));
            assert!(cases.iter().any(|c| c.1 == Expect::Reject));
        }
    }

    #[test]
    fn tampering_always_changes_the_bytes() {
        let body = br#"{"paymentLink":{"amount":"129.99"},"session":{"invoiceAmount":"129.99"}}"#;
        assert_eq!(
            tamper(body, "129.99"),
            br#"{"paymentLink":{"amount":"0.01"},"session":{"invoiceAmount":"129.99"}}"#
        );
        assert_eq!(
            tamper(br#"{"amount":"0.01"}"#, "0.01"),
            br#"{"amount":"0.02"}"#
        );
        let quoted = br#"{"amount":"1\"2"}"#;
        assert_eq!(tamper(quoted, "1\"2"), [&quoted[..], b" "].concat());
    }

    #[test]
    fn grading_follows_the_expectation() {
        let outcome = |expect, got| Outcome {
            id: "x",
            title: "x",
            scheme: "makepay",
            expect,
            got,
        };
        assert!(outcome(Accept, Got::Status(204)).passed());
        assert!(!outcome(Accept, Got::Status(401)).passed());
        assert!(outcome(Reject, Got::Status(400)).passed());
        assert!(outcome(Reject, Got::Status(500)).passed());
        assert_eq!(
            outcome(Reject, Got::Status(200)).failure(),
            Some("forged or stale delivery accepted")
        );
        assert!(!outcome(Reject, Got::Error("refused".into())).passed());
    }
}
