//! Legacy callbacks for the dual run: what OxaPay and Cryptomus post for a paid order, signed the
//! way each provider signs, so the endpoint's legacy route can be checked while old orders
//! still settle there.

use super::delivery::Delivery;
use super::payload::PaymentFields;
use super::secret::Secret;
use super::sign::{cryptomus_signed_body, oxapay_hmac};
use crate::finding::Provider;
use serde::Serialize;

/// OxaPay's callback signature header.
pub const OXAPAY_HEADER: &str = "hmac";

/// A paid-invoice callback body for `provider`, unsigned (Cryptomus's `sign` not yet added).
pub fn paid_body(provider: Provider, order: &PaymentFields) -> Vec<u8> {
    let result = match provider {
        Provider::Oxapay => serde_json::to_vec(&OxapayCallback {
            track_id: "184747701",
            status: "Paid",
            kind: "invoice",
            amount: &order.amount,
            currency: &order.currency,
            order_id: &order.merchant_order_id,
            tx_hash: "0x3f1c0e5a9b7d",
        }),
        Provider::Cryptomus => serde_json::to_vec(&CryptomusCallback {
            kind: "payment",
            uuid: "62f88b36-a9d5-4fa6-aa26-e040c3dbf26d",
            order_id: &order.merchant_order_id,
            amount: &order.amount,
            payment_amount: &order.amount,
            currency: &order.currency,
            network: "tron",
            status: "paid",
            is_final: true,
            txid: "6f0d9c7a5b3e",
            // A slash, so a port that forgets PHP's `\/` escaping is caught.
            additional_data: "source=makepay-migrate/webhook-test",
        }),
    };
    result.expect("plain structs always serialise")
}

/// Signs `body` as `provider` does with `key`: OxaPay's `HMAC` header, or Cryptomus's `sign`
/// field (the body is then re-encoded the way Cryptomus sends it).
pub fn signed(provider: Provider, key: &Secret, body: Vec<u8>) -> Delivery {
    match provider {
        Provider::Oxapay => {
            let mac = oxapay_hmac(key, &body);
            Delivery::legacy(body, Some((OXAPAY_HEADER, mac)))
        }
        Provider::Cryptomus => {
            let body = cryptomus_signed_body(key, &body).expect("paid_body is a JSON object");
            Delivery::legacy(body, None)
        }
    }
}

#[derive(Serialize)]
struct OxapayCallback<'a> {
    track_id: &'static str,
    status: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    amount: &'a str,
    currency: &'a str,
    order_id: &'a str,
    tx_hash: &'static str,
}

#[derive(Serialize)]
struct CryptomusCallback<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: &'static str,
    order_id: &'a str,
    amount: &'a str,
    payment_amount: &'a str,
    currency: &'a str,
    network: &'static str,
    status: &'static str,
    is_final: bool,
    txid: &'static str,
    additional_data: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::sign::cryptomus_sign;

    fn order() -> PaymentFields {
        PaymentFields {
            uid: "u".into(),
            merchant_order_id: "order_1042".into(),
            amount: "129.99".into(),
            currency: "USDT".into(),
        }
    }

    #[test]
    fn oxapay_callback_carries_the_hmac_of_its_body() {
        let key = Secret::from("merchant-key");
        let d = signed(
            Provider::Oxapay,
            &key,
            paid_body(Provider::Oxapay, &order()),
        );
        assert_eq!(d.header("HMAC"), Some(oxapay_hmac(&key, &d.body).as_str()));
        assert!(String::from_utf8_lossy(&d.body).contains(r#""order_id":"order_1042""#));
    }

    #[test]
    fn cryptomus_callback_carries_its_sign_and_php_escaping() {
        let key = Secret::from("payment-key");
        let d = signed(
            Provider::Cryptomus,
            &key,
            paid_body(Provider::Cryptomus, &order()),
        );
        let text = String::from_utf8(d.body.clone()).unwrap();
        assert!(text.contains(r#"makepay-migrate\/webhook-test"#), "{text}");
        let v: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(v["sign"], cryptomus_sign(&key, &d.body).unwrap());
    }
}
