//! Delivery bodies in the shape of MakePay's reference payloads (payment and subscription), with
//! the fields a team sets to match an order its endpoint knows. Bodies are serialised from
//! structs so keys keep the reference order: a body that re-serialising JSON would reorder is
//! what exposes a receiver that verifies parsed JSON instead of the raw bytes.

use super::stamp::iso8601;
use clap::ValueEnum;
use serde::Serialize;

/// The `x-makepay-event` values MakePay sends to callback URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum EventKind {
    /// A payment session changed state (the event that reconciles orders).
    StatusChanged,
    /// Settlement data changed after status reconciliation.
    SettlementUpdated,
    /// Terminal, not paid: the payment request expired.
    PaymentRequestExpired,
    /// Terminal, not paid: the quote expired.
    QuoteExpired,
    /// Terminal, not paid: the payer cancelled.
    PaymentCancelledByPayer,
    /// The payer accepted a quote and a deposit channel was created.
    ChannelCreated,
    /// A subscription moved between active, paused, overdue and cancelled.
    SubscriptionStatusChanged,
}

impl EventKind {
    /// The header value and `event.type`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::StatusChanged => "status_changed",
            EventKind::SettlementUpdated => "settlement_updated",
            EventKind::PaymentRequestExpired => "payment_request_expired",
            EventKind::QuoteExpired => "quote_expired",
            EventKind::PaymentCancelledByPayer => "payment_cancelled_by_payer",
            EventKind::ChannelCreated => "channel_created",
            EventKind::SubscriptionStatusChanged => "subscription_status_changed",
        }
    }

    pub fn is_subscription(self) -> bool {
        self == EventKind::SubscriptionStatusChanged
    }

    /// The body's top-level `type`: `makepay.subscription.status_changed` for subscriptions,
    /// `makepay.payment.<event>` for the payment events.
    fn body_type(self) -> String {
        match self {
            EventKind::SubscriptionStatusChanged => "makepay.subscription.status_changed".into(),
            other => format!("makepay.payment.{}", other.name()),
        }
    }

    fn trigger(self) -> &'static str {
        if self.is_subscription() {
            "subscription_scheduler"
        } else {
            "payment_status_reconcile"
        }
    }
}

/// The payment link a delivery is about: set these to an order the endpoint knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFields {
    pub uid: String,
    pub merchant_order_id: String,
    pub amount: String,
    pub currency: String,
}

/// The subscription a subscription delivery is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionFields {
    pub uid: String,
    pub amount_usd: String,
}

/// The state change a delivery reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub status: String,
    pub previous: String,
}

/// Everything one body is built from.
#[derive(Debug, Clone)]
pub struct BodySpec<'a> {
    pub event: EventKind,
    pub delivery_id: &'a str,
    pub created_at: i64,
    pub payment: &'a PaymentFields,
    pub subscription: &'a SubscriptionFields,
    pub transition: &'a Transition,
}

impl BodySpec<'_> {
    /// The compact JSON body MakePay would send.
    pub fn to_json(&self) -> Vec<u8> {
        let result = if self.event.is_subscription() {
            serde_json::to_vec(&SubscriptionBody::new(self))
        } else {
            serde_json::to_vec(&PaymentBody::new(self))
        };
        result.expect("plain structs always serialise")
    }
}

const LINK_ID: &str = "8d15bb78-d0f8-45ef-88d7-2a1f1f79644b";
const SUBSCRIPTION_ID: &str = "f6b76460-a437-4a81-a59f-8fcbb18c0f0f";
const ASSET: &str = "ETH.USDT-0xdac17f958d2ee523a2206206994597c13d831ec7";
const EMAIL: &str = "buyer@example.com";

#[derive(Serialize)]
struct EventInfo {
    #[serde(rename = "type")]
    kind: &'static str,
    trigger: &'static str,
}

/// The hosted checkout page of a payment link.
fn public_url(uid: &str) -> String {
    format!("https://makepay.io/payment/{uid}")
}

/// The fields every delivery body starts with.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    delivery_id: &'a str,
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    event: EventInfo,
}

impl<'a> Envelope<'a> {
    fn new(spec: &'a BodySpec<'a>) -> Self {
        Envelope {
            delivery_id: spec.delivery_id,
            kind: spec.event.body_type(),
            created_at: iso8601(spec.created_at),
            event: EventInfo {
                kind: spec.event.name(),
                trigger: spec.event.trigger(),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentBody<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    payment_link: PaymentLink<'a>,
    session: Session<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentLink<'a> {
    id: &'static str,
    uid: &'a str,
    status: &'a str,
    public_url: String,
    expires_at: String,
    amount: &'a str,
    currency: &'a str,
    asset: &'static str,
    label: String,
    description: String,
    merchant_order_id: &'a str,
    client_email: &'static str,
    client_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Session<'a> {
    id: &'static str,
    status: &'a str,
    previous_status: &'a str,
    invoice_asset: &'a str,
    invoice_amount: &'a str,
    selected_sell_asset: &'static str,
    required_sell_amount: &'static str,
    expected_buy_amount: &'a str,
    destination_address: &'static str,
    deposit_address: &'static str,
    channel_id: &'static str,
    composite_channel_id: &'static str,
    source_chain: &'static str,
    expires_at: String,
    settlement: serde_json::Map<String, serde_json::Value>,
    error_message: Option<&'static str>,
}

impl<'a> PaymentBody<'a> {
    fn new(spec: &'a BodySpec<'a>) -> Self {
        let p = spec.payment;
        let status = spec.transition.status.as_str();
        PaymentBody {
            envelope: Envelope::new(spec),
            payment_link: PaymentLink {
                id: LINK_ID,
                uid: &p.uid,
                status,
                public_url: public_url(&p.uid),
                expires_at: iso8601(spec.created_at + 12 * 3600),
                amount: &p.amount,
                currency: &p.currency,
                asset: ASSET,
                label: format!("Website order {}", p.merchant_order_id),
                description: format!("Checkout for order {}", p.merchant_order_id),
                merchant_order_id: &p.merchant_order_id,
                client_email: EMAIL,
                client_id: None,
            },
            session: Session {
                id: "5b55f0bb-0ac4-4f7c-a1d1-0d9af19c3bbd",
                status,
                previous_status: &spec.transition.previous,
                invoice_asset: &p.currency,
                invoice_amount: &p.amount,
                selected_sell_asset: "ETH",
                required_sell_amount: "0.04",
                expected_buy_amount: &p.amount,
                destination_address: "0xmerchant",
                deposit_address: "0xdeposit",
                channel_id: "channel_123",
                composite_channel_id: "ETH:channel_123",
                source_chain: "ETH",
                expires_at: iso8601(spec.created_at + 1800),
                settlement: serde_json::Map::new(),
                error_message: None,
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionBody<'a> {
    #[serde(flatten)]
    envelope: Envelope<'a>,
    subscription: Subscription<'a>,
    cycle: Cycle<'a>,
    data: StatusData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Subscription<'a> {
    id: &'static str,
    uid: &'a str,
    status: &'a str,
    previous_status: &'a str,
    customer_email: &'static str,
    label: &'static str,
    description: &'static str,
    amount_usd: &'a str,
    settlement_asset: &'static str,
    cadence: &'static str,
    billing_interval_unit: &'static str,
    billing_interval_count: u32,
    start_at: String,
    timezone: &'static str,
    metadata: serde_json::Value,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cycle<'a> {
    id: &'static str,
    subscription_id: &'static str,
    sequence: u32,
    due_at: String,
    amount_usd: &'a str,
    payment_link_id: &'static str,
    payment_link_uid: &'a str,
    payment_url: String,
    status: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusData<'a> {
    previous_status: &'a str,
    next_status: &'a str,
    /// MakePay names the overdue rule; other changes carry no reason here.
    reason: Option<&'static str>,
}

impl<'a> SubscriptionBody<'a> {
    fn new(spec: &'a BodySpec<'a>) -> Self {
        let s = spec.subscription;
        let t = spec.transition;
        SubscriptionBody {
            envelope: Envelope::new(spec),
            subscription: Subscription {
                id: SUBSCRIPTION_ID,
                uid: &s.uid,
                status: &t.status,
                previous_status: &t.previous,
                customer_email: EMAIL,
                label: "Premium plan",
                description: "Monthly subscription",
                amount_usd: &s.amount_usd,
                settlement_asset: ASSET,
                cadence: "monthly",
                billing_interval_unit: "month",
                billing_interval_count: 1,
                start_at: iso8601(spec.created_at - 2 * 86_400),
                timezone: "Asia/Dubai",
                metadata: serde_json::json!({ "clientId": "client_1042" }),
                created_at: iso8601(spec.created_at - 2 * 86_400),
                updated_at: iso8601(spec.created_at),
            },
            cycle: Cycle {
                id: "f303b3b3-26d8-42bc-8c10-91fa1445f507",
                subscription_id: SUBSCRIPTION_ID,
                sequence: 0,
                due_at: iso8601(spec.created_at - 2 * 86_400),
                amount_usd: &s.amount_usd,
                payment_link_id: LINK_ID,
                payment_link_uid: &spec.payment.uid,
                payment_url: public_url(&spec.payment.uid),
                status: &t.status,
            },
            data: StatusData {
                previous_status: &t.previous,
                next_status: &t.status,
                reason: (t.status == "overdue").then_some("cycle_one_day_overdue"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(event: EventKind) -> Vec<u8> {
        let payment = PaymentFields {
            uid: "01hzy4k6p4w9y2x7e2z7n8a2xm".into(),
            merchant_order_id: "order_1042".into(),
            amount: "129.99".into(),
            currency: "USDT".into(),
        };
        let subscription = SubscriptionFields {
            uid: "sub_premium_001".into(),
            amount_usd: "49.99".into(),
        };
        let transition = Transition {
            status: "paid".into(),
            previous: "pending".into(),
        };
        BodySpec {
            event,
            delivery_id: "d-1",
            created_at: 1_776_556_800,
            payment: &payment,
            subscription: &subscription,
            transition: &transition,
        }
        .to_json()
    }

    fn json(event: EventKind) -> serde_json::Value {
        serde_json::from_slice(&body(event)).unwrap()
    }

    #[test]
    fn payment_body_carries_the_fields_set() {
        let v = json(EventKind::StatusChanged);
        assert_eq!(v["deliveryId"], "d-1");
        assert_eq!(v["type"], "makepay.payment.status_changed");
        assert_eq!(v["createdAt"], "2026-04-19T00:00:00.000Z");
        assert_eq!(v["event"]["type"], "status_changed");
        assert_eq!(v["paymentLink"]["merchantOrderId"], "order_1042");
        assert_eq!(v["paymentLink"]["amount"], "129.99");
        assert_eq!(v["session"]["status"], "paid");
        assert_eq!(v["session"]["previousStatus"], "pending");
    }

    #[test]
    fn subscription_body_reports_the_transition() {
        let v = json(EventKind::SubscriptionStatusChanged);
        assert_eq!(v["type"], "makepay.subscription.status_changed");
        assert_eq!(v["event"]["trigger"], "subscription_scheduler");
        assert_eq!(v["subscription"]["uid"], "sub_premium_001");
        assert_eq!(v["data"]["nextStatus"], "paid");
        assert_eq!(v["data"]["previousStatus"], "pending");
    }

    #[test]
    fn body_keeps_reference_key_order() {
        assert!(body(EventKind::QuoteExpired)
            .starts_with(br#"{"deliveryId":"d-1","type":"makepay.payment.quote_expired","#));
    }
}
