//! Shared by the webhook tests: throwaway HTTP receivers on 127.0.0.1 (tiny_http), an
//! independent MakePay verifier written from the reference (not the crate's).
#![allow(dead_code)] // each test file uses its own part of this module

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub const SECRET: &str = "whsec_test_9f1c6cf4";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub url: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver answering each request with `handler`'s status code.
pub struct Receiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    pub fn start(handler: fn(&Seen) -> u16) -> Receiver {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for mut rq in server.incoming_requests() {
                let mut body = Vec::new();
                rq.as_reader().read_to_end(&mut body).unwrap();
                let req = Seen {
                    url: rq.url().to_string(),
                    headers: rq
                        .headers()
                        .iter()
                        .map(|h| {
                            (
                                h.field.as_str().as_str().to_ascii_lowercase(),
                                h.value.as_str().to_string(),
                            )
                        })
                        .collect(),
                    body,
                };
                let status = handler(&req);
                log.lock().unwrap().push(req);
                let _ = rq.respond(tiny_http::Response::from_string("ok").with_status_code(status));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/webhooks/makepay"),
            seen,
        }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Hex HMAC-SHA256 over `{t}.{body}`, straight from the reference.
pub fn makepay_v1(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// `(t, v1)` of a well-formed header: exactly one `t` of digits and one `v1`.
pub fn parse_signature(header: &str) -> Option<(String, String)> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        let (k, v) = part.split_once('=')?;
        let slot = match k.trim() {
            "t" => &mut t,
            "v1" => &mut v1,
            _ => continue,
        };
        if slot.replace(v.trim().to_string()).is_some() {
            return None;
        }
    }
    let t = t.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))?;
    Some((t, v1?))
}

/// A correct receiver's decision over the raw bytes, with the usual knobs to break it.
pub struct Rules {
    pub check_past: bool,
    pub check_future: bool,
    /// Accept a `v1` that is a prefix of the expected hex (compares only what was sent).
    pub prefix_compare: bool,
    /// Verify `serde_json::to_vec(parsed)` instead of the raw body.
    pub reserialise: bool,
}

pub const CORRECT: Rules = Rules {
    check_past: true,
    check_future: true,
    prefix_compare: false,
    reserialise: false,
};

impl Rules {
    pub fn accepts(&self, req: &Seen) -> bool {
        let Some((t, v1)) = req.header("x-makepay-signature").and_then(parse_signature) else {
            return false;
        };
        let Ok(ts) = t.parse::<i64>() else {
            return false;
        };
        let age = now() - ts;
        if (self.check_past && age > 300) || (self.check_future && age < -300) {
            return false;
        }
        let bytes = if self.reserialise {
            match serde_json::from_slice::<serde_json::Value>(&req.body) {
                Ok(v) => serde_json::to_vec(&v).unwrap(),
                Err(_) => return false,
            }
        } else {
            req.body.clone()
        };
        let expected = makepay_v1(SECRET, &t, &bytes);
        let v1 = v1.to_ascii_lowercase();
        if self.prefix_compare {
            !v1.is_empty() && expected.starts_with(&v1)
        } else {
            v1.len() == expected.len() && v1 == expected
        }
    }

    pub fn status(&self, req: &Seen) -> u16 {
        if self.accepts(req) {
            200
        } else {
            401
        }
    }
}
