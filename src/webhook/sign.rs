//! The three signature schemes a migrating endpoint meets during the dual run:
//!
//! - MakePay: `x-makepay-signature: t=<unix>,v1=<hex>`, where `v1` is HMAC-SHA256 with the
//!   webhook secret over `{t}.{raw body}`; receivers reject timestamps more than 300 s away.
//! - OxaPay (legacy): an `HMAC` header, HMAC-SHA512 over the raw body with the merchant API key
//!   (payment callbacks) or the payout API key (payout callbacks).
//! - Cryptomus (legacy): a `sign` field inside the body, MD5 of base64 of the body re-encoded
//!   without `sign` the way PHP does it ([`super::php_json`]), followed by the payment API key.

use super::php_json::Ordered;
use super::secret::Secret;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use sha2::{Sha256, Sha512};
use std::fmt;

/// How far (either direction) a MakePay signature timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

/// The MAC MakePay computes: HMAC-SHA256 over `{t}.{body}`. Shared by signing and verifying so
/// both hash exactly the same bytes.
pub fn makepay_mac(secret: &Secret, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.bytes()).expect("HMAC accepts keys of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// A parsed or freshly computed `x-makepay-signature` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub t: i64,
    /// Lower-case hex of the 32-byte HMAC.
    pub v1: String,
}

impl SignatureHeader {
    pub fn sign(secret: &Secret, t: i64, body: &[u8]) -> Self {
        SignatureHeader {
            t,
            v1: hex::encode(makepay_mac(secret, t, body).finalize().into_bytes()),
        }
    }
}

impl fmt::Display for SignatureHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={},v1={}", self.t, self.v1)
    }
}

/// OxaPay's `HMAC` header: lower-case hex HMAC-SHA512 of the raw body.
pub fn oxapay_hmac(key: &Secret, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha512>::new_from_slice(key.bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A Cryptomus callback body that cannot be signed.
#[derive(Debug, thiserror::Error)]
pub enum CryptomusError {
    #[error("the body is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("the body is not a JSON object")]
    NotObject,
}

/// Cryptomus's `sign` for a callback body (any `sign` already in it is left out, as the
/// receiver's recipe does).
pub fn cryptomus_sign(key: &Secret, body: &[u8]) -> Result<String, CryptomusError> {
    let Ordered::Object(mut fields) = Ordered::parse(body)? else {
        return Err(CryptomusError::NotObject);
    };
    fields.retain(|(k, _)| k != "sign");
    let canonical = Ordered::Object(fields).php_encode();
    let mut md5 = Md5::new();
    md5.update(base64::engine::general_purpose::STANDARD.encode(canonical));
    md5.update(key.bytes());
    Ok(hex::encode(md5.finalize()))
}

/// The body as Cryptomus sends it: the fields PHP-encoded with the correct `sign` last.
pub fn cryptomus_signed_body(key: &Secret, body: &[u8]) -> Result<Vec<u8>, CryptomusError> {
    let sign = cryptomus_sign(key, body)?;
    let Ordered::Object(mut fields) = Ordered::parse(body)? else {
        return Err(CryptomusError::NotObject);
    };
    fields.retain(|(k, _)| k != "sign");
    fields.push(("sign".to_string(), Ordered::String(sign)));
    Ok(Ordered::Object(fields).php_encode().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makepay_header_renders_t_then_v1() {
        let h = SignatureHeader::sign(&Secret::from("k"), 1_776_556_800, b"{}");
        assert_eq!(h.v1.len(), 64);
        assert_eq!(h.to_string(), format!("t=1776556800,v1={}", h.v1));
    }

    #[test]
    fn cryptomus_sign_ignores_an_existing_sign_and_key_order_matters() {
        let key = Secret::from("key");
        let a = cryptomus_sign(&key, br#"{"a":"1","b":"2"}"#).unwrap();
        let with_sign = cryptomus_sign(&key, br#"{"a":"1","sign":"x","b":"2"}"#).unwrap();
        let swapped = cryptomus_sign(&key, br#"{"b":"2","a":"1"}"#).unwrap();
        assert_eq!(a, with_sign);
        assert_ne!(a, swapped);
        assert!(matches!(
            cryptomus_sign(&key, b"[1]"),
            Err(CryptomusError::NotObject)
        ));
    }

    #[test]
    fn cryptomus_signed_body_carries_its_own_sign_last() {
        let key = Secret::from("key");
        let body = cryptomus_signed_body(&key, br#"{"url":"a/b","sign":"old"}"#).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        let sign = cryptomus_sign(&key, &body).unwrap();
        assert_eq!(text, format!(r#"{{"url":"a\/b","sign":"{sign}"}}"#));
    }
}
