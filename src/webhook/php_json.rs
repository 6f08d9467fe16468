//! The JSON text Cryptomus signs: PHP's `json_encode($data, JSON_UNESCAPED_UNICODE)` of the
//! decoded callback. Cryptomus's recipe decodes the body into a PHP array, drops `sign`,
//! re-encodes it and hashes that, so a verifier in any other language must reproduce PHP's
//! encoder byte for byte:
//!
//! - compact output, object keys in document order;
//! - `/` is escaped as `\/` (PHP's default; JavaScript and Python do not do this, the usual
//!   reason a port rejects every genuine callback);
//! - non-ASCII stays raw UTF-8 (that is what JSON_UNESCAPED_UNICODE asks for), except U+2028
//!   and U+2029, which PHP still escapes;
//! - control characters become `\b \f \n \r \t` or `\u00xx`;
//! - an empty object decodes to an empty PHP array and so re-encodes as `[]`.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Write as _};

/// A JSON value whose objects keep their keys in document order. serde_json's own map sorts
/// keys unless the crate-wide `preserve_order` feature is on, which would change every other
/// JSON output of this tool.
#[derive(Debug, Clone, PartialEq)]
pub enum Ordered {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    /// Parses `bytes` as JSON.
    pub fn parse(bytes: &[u8]) -> Result<Ordered, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// PHP's `json_encode(..., JSON_UNESCAPED_UNICODE)` of this value.
    pub fn php_encode(&self) -> String {
        let mut out = String::new();
        self.write_php(&mut out);
        out
    }

    fn write_php(&self, out: &mut String) {
        match self {
            Ordered::Null => out.push_str("null"),
            Ordered::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Ordered::Number(n) => out.push_str(&n.to_string()),
            Ordered::String(s) => write_php_string(s, out),
            Ordered::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_php(out);
                }
                out.push(']');
            }
            Ordered::Object(fields) if fields.is_empty() => out.push_str("[]"),
            Ordered::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_php_string(key, out);
                    out.push(':');
                    value.write_php(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_php_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Ordered, E> {
        Ok(Ordered::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ordered, E> {
        Ok(Ordered::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ordered, E> {
        serde_json::Number::from_f64(v)
            .map(Ordered::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Ordered, E> {
        Ok(Ordered::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ordered::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut fields: Vec<(String, Ordered)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Ordered>()? {
            // PHP arrays keep the last value of a repeated key, in the first one's place.
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key, value)),
            }
        }
        Ok(Ordered::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn php(json: &str) -> String {
        Ordered::parse(json.as_bytes()).unwrap().php_encode()
    }

    #[test]
    fn keeps_key_order_and_compacts() {
        assert_eq!(
            php(r#"{ "z": 1, "a": [true, null, 2.5], "m": {"y": "x"} }"#),
            r#"{"z":1,"a":[true,null,2.5],"m":{"y":"x"}}"#
        );
    }

    #[test]
    fn escapes_like_php_with_unescaped_unicode() {
        assert_eq!(
            php(r#"{"u":"https://x/y","n":"Café \u00e9 \u2028","c":"a\"b\\c\n\u0001"}"#),
            "{\"u\":\"https:\\/\\/x\\/y\",\"n\":\"Café é \\u2028\",\"c\":\"a\\\"b\\\\c\\n\\u0001\"}"
        );
    }

    #[test]
    fn empty_object_becomes_empty_array_and_repeated_keys_keep_the_last() {
        assert_eq!(php(r#"{"a":{},"b":[],"a":3}"#), r#"{"a":3,"b":[]}"#);
        assert_eq!(php(r#"{"s":{}}"#), r#"{"s":[]}"#);
    }
}
