//! Receiver-side MakePay verification for `webhook listen`: the same rules the verifier that
//! `apply` generates follows, so a delivery listen calls valid is one the migrated endpoint
//! accepts.

use super::secret::Secret;
use super::sign::{cryptomus_sign, makepay_mac, oxapay_hmac, TOLERANCE_SECS};
use crate::finding::Provider;
use hmac::Mac;
use std::fmt;

/// Why a delivery is or is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    MissingHeader,
    Malformed(&'static str),
    /// Signed `age` seconds before now (negative: in the future).
    Stale {
        age: i64,
    },
    BadSignature,
    /// A legacy callback, checked with the provider's own scheme.
    Legacy {
        provider: Provider,
        valid: bool,
    },
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid | Verdict::Legacy { valid: true, .. })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid => f.write_str("valid"),
            Verdict::MissingHeader => f.write_str("rejected: no x-makepay-signature"),
            Verdict::Malformed(why) => write!(f, "rejected: malformed signature ({why})"),
            Verdict::Stale { age } if *age < 0 => {
                write!(f, "rejected: timestamp {} s in the future", -age)
            }
            Verdict::Stale { age } => write!(f, "rejected: timestamp {age} s old"),
            Verdict::BadSignature => f.write_str("rejected: signature does not match"),
            Verdict::Legacy { provider, valid } => {
                let verdict = if *valid {
                    "valid"
                } else {
                    "rejected: signature missing or wrong"
                };
                write!(f, "{} callback {verdict}", provider.display_name())
            }
        }
    }
}

/// Checks `header` (the `x-makepay-signature` value) against `body` at time `now`.
pub fn verify(header: Option<&str>, body: &[u8], secret: &Secret, now: i64) -> Verdict {
    let Some(header) = header.filter(|h| !h.is_empty()) else {
        return Verdict::MissingHeader;
    };
    let (t, digest) = match parse(header) {
        Ok(parts) => parts,
        Err(why) => return Verdict::Malformed(why),
    };
    let age = now.saturating_sub(t);
    if age.abs() > TOLERANCE_SECS {
        return Verdict::Stale { age };
    }
    match makepay_mac(secret, t, body).verify_slice(&digest) {
        Ok(()) => Verdict::Valid,
        Err(_) => Verdict::BadSignature,
    }
}

/// Checks a legacy callback: OxaPay's `HMAC` header over the raw body, or Cryptomus's `sign`
/// field over the PHP re-encoding of the rest.
pub fn verify_legacy(
    provider: Provider,
    hmac_header: Option<&str>,
    body: &[u8],
    key: &Secret,
) -> Verdict {
    let (sent, expected) = match provider {
        Provider::Oxapay => (
            hmac_header.map(|h| h.trim().to_ascii_lowercase()),
            Some(oxapay_hmac(key, body)),
        ),
        Provider::Cryptomus => (
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("sign")?.as_str().map(str::to_ascii_lowercase)),
            cryptomus_sign(key, body).ok(),
        ),
    };
    let valid = matches!((sent, expected), (Some(s), Some(e)) if same(s.as_bytes(), e.as_bytes()));
    Verdict::Legacy { provider, valid }
}

/// Equality that takes as long for a near miss as for a wild guess.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `t=<digits>,v1=<64 hex>`; other schemes are ignored, a repeated `t` or `v1` is refused.
fn parse(header: &str) -> Result<(i64, Vec<u8>), &'static str> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        let (key, value) = part.split_once('=').ok_or("a part without `=`")?;
        let slot = match key.trim() {
            "t" => &mut t,
            "v1" => &mut v1,
            "" => return Err("an empty key"),
            _ => continue,
        };
        if slot.replace(value.trim()).is_some() {
            return Err("a repeated key");
        }
    }
    let t = t.ok_or("no t")?;
    if t.is_empty() || t.len() > 15 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("t is not a Unix time");
    }
    let v1 = v1.ok_or("no v1")?;
    if v1.len() != 64 {
        return Err("v1 is not 64 hex digits");
    }
    let digest = hex::decode(v1).map_err(|_| "v1 is not hex")?;
    Ok((t.parse().map_err(|_| "t is not a Unix time")?, digest))
}

#[cfg(test)]
mod tests {
    use super::super::sign::{cryptomus_signed_body, SignatureHeader};
    use super::*;

    #[test]
    fn legacy_callbacks_are_checked_with_their_own_scheme() {
        let key = Secret::from("legacy");
        let body = br#"{"track_id":"1","status":"Paid"}"#;
        let mac = oxapay_hmac(&key, body);
        let oxapay = |h: Option<&str>, k: &Secret| verify_legacy(Provider::Oxapay, h, body, k);
        let ok = |valid| Verdict::Legacy {
            provider: Provider::Oxapay,
            valid,
        };
        assert_eq!(oxapay(Some(&mac.to_uppercase()), &key), ok(true));
        assert_eq!(oxapay(Some(&mac), &key.wrong()), ok(false));
        assert_eq!(oxapay(None, &key), ok(false));

        let signed = cryptomus_signed_body(&key, br#"{"uuid":"u","url":"a/b"}"#).unwrap();
        let cryptomus = |b: &[u8]| verify_legacy(Provider::Cryptomus, None, b, &key);
        let ok = |valid| Verdict::Legacy {
            provider: Provider::Cryptomus,
            valid,
        };
        assert_eq!(cryptomus(&signed), ok(true));
        assert_eq!(cryptomus(br#"{"uuid":"u","url":"a/b"}"#), ok(false));
        assert_eq!(cryptomus(b"not json"), ok(false));
    }

    const NOW: i64 = 1_776_556_800;

    fn check(header: &str) -> Verdict {
        verify(Some(header), b"{}", &Secret::from("k"), NOW)
    }

    #[test]
    fn accepts_fresh_and_boundary_signatures() {
        for t in [NOW, NOW - 300, NOW + 300] {
            let h = SignatureHeader::sign(&Secret::from("k"), t, b"{}");
            assert_eq!(check(&h.to_string()), Verdict::Valid);
        }
        let h = SignatureHeader::sign(&Secret::from("k"), NOW, b"{}");
        let upper = format!("t={}, v0=x, v1={}", NOW, h.v1.to_uppercase());
        assert_eq!(check(&upper), Verdict::Valid);
    }

    #[test]
    fn rejects_everything_else() {
        let good = SignatureHeader::sign(&Secret::from("k"), NOW, b"{}").v1;
        let stale = SignatureHeader::sign(&Secret::from("k"), NOW - 301, b"{}");
        assert_eq!(check(&stale.to_string()), Verdict::Stale { age: 301 });
        assert_eq!(
            verify(None, b"{}", &Secret::from("k"), NOW),
            Verdict::MissingHeader
        );
        for bad in [
            format!("v1={good}"),
            format!("t=abc,v1={good}"),
            format!("t=-1,v1={good}"),
            format!("t={NOW},t={NOW},v1={good}"),
            format!("t={NOW},v1={}", &good[..62]),
            format!("t={NOW},v1={}", "z".repeat(64)),
            "garbage".to_string(),
        ] {
            assert!(matches!(check(&bad), Verdict::Malformed(_)), "{bad}");
        }
        let other = SignatureHeader::sign(&Secret::from("other"), NOW, b"{}");
        assert_eq!(check(&other.to_string()), Verdict::BadSignature);
    }
}
