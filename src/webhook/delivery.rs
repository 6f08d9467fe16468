//! One HTTP delivery as it goes over the wire: header lines in order and the exact body bytes.
//! Everything that sends (send, test, listen's forwarding) goes through this type, so what
//! `webhook sign` prints is what the others post.

/// MakePay's webhook user agent.
pub const USER_AGENT: &str = "MakePay-Webhooks/1.0";
/// The header carrying `t=<unix>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-makepay-signature";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Lower-case names, in the order they are sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The MakePay headers other than the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakePayMeta {
    pub delivery_id: String,
    /// Same as the delivery ID on a first attempt.
    pub group_id: String,
    pub event: String,
    pub attempt: u32,
}

impl MakePayMeta {
    /// A first attempt: the group is the delivery itself.
    pub fn first(delivery_id: String, event: &str) -> Self {
        MakePayMeta {
            group_id: delivery_id.clone(),
            delivery_id,
            event: event.to_string(),
            attempt: 1,
        }
    }

    /// Reads the delivery ID and event from a body MakePay produced (`deliveryId`,
    /// `event.type`), so headers printed for a saved body agree with it.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let id = v.get("deliveryId")?.as_str()?;
        let event = v.get("event")?.get("type")?.as_str()?;
        Some(MakePayMeta::first(id.to_string(), event))
    }
}

impl Delivery {
    /// A MakePay delivery; `signature` is the `x-makepay-signature` value, if any.
    pub fn makepay(meta: &MakePayMeta, body: Vec<u8>, signature: Option<String>) -> Self {
        let mut headers: Vec<(String, String)> = [
            ("content-type", "application/json".to_string()),
            ("user-agent", USER_AGENT.to_string()),
            ("x-makepay-delivery-id", meta.delivery_id.clone()),
            ("x-makepay-delivery-group-id", meta.group_id.clone()),
            ("x-makepay-delivery-origin", "event".to_string()),
            ("x-makepay-event", meta.event.clone()),
            ("x-makepay-attempt", meta.attempt.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(sig) = signature {
            headers.push((SIGNATURE_HEADER.to_string(), sig));
        }
        Delivery { headers, body }
    }

    /// A legacy callback: JSON plus, for OxaPay, its `HMAC` header.
    pub fn legacy(body: Vec<u8>, header: Option<(&str, String)>) -> Self {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        headers.extend(header.map(|(k, v)| (k.to_string(), v)));
        Delivery { headers, body }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makepay_headers_in_reference_order() {
        let meta = MakePayMeta::first("d".into(), "status_changed");
        let d = Delivery::makepay(&meta, b"{}".to_vec(), Some("t=1,v1=ab".into()));
        let names: Vec<&str> = d.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "content-type",
                "user-agent",
                "x-makepay-delivery-id",
                "x-makepay-delivery-group-id",
                "x-makepay-delivery-origin",
                "x-makepay-event",
                "x-makepay-attempt",
                "x-makepay-signature"
            ]
        );
        assert_eq!(d.header("X-MakePay-Delivery-Group-Id"), Some("d"));
    }

    #[test]
    fn meta_comes_from_the_body() {
        let body = br#"{"deliveryId":"abc","event":{"type":"quote_expired"}}"#;
        let meta = MakePayMeta::from_body(body).unwrap();
        assert_eq!(meta.delivery_id, "abc");
        assert_eq!(meta.event, "quote_expired");
        assert!(MakePayMeta::from_body(b"[]").is_none());
    }
}
