//! `webhook listen`: a local receiver for trying real (sandbox) deliveries against a laptop. It
//! verifies each delivery, prints one line about it and, with a forward URL, passes the exact
//! bytes and headers on to the app under development and relays the app's answer.

use super::delivery::{Delivery, SIGNATURE_HEADER};
use super::http::Client;
use super::legacy::OXAPAY_HEADER;
use super::secret::Secret;
use super::stamp::now_unix;
use super::verify::{verify, verify_legacy};
use crate::finding::Provider;
use anyhow::{anyhow, Context};
use std::io::{Read, Write};

/// Deliveries are small JSON documents; anything bigger is refused unread.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Headers that describe one hop, not the delivery; the forwarding client sets its own.
const HOP_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "expect",
    "keep-alive",
];

pub struct Listener {
    pub host: String,
    pub port: u16,
    pub secret: Secret,
    /// During a dual run: requests without `x-makepay-signature` are this provider's callbacks.
    pub legacy: Option<(Provider, Secret)>,
    pub forward_to: Option<String>,
    /// Stop after this many requests (None: until interrupted).
    pub count: Option<usize>,
    pub client: Client,
}

impl Listener {
    pub fn run(&self, out: &mut dyn Write) -> anyhow::Result<()> {
        let server = tiny_http::Server::http((self.host.as_str(), self.port))
            .map_err(|e| anyhow!("cannot listen on {}:{}: {e}", self.host, self.port))?;
        let addr = server
            .server_addr()
            .to_ip()
            .context("the server has no IP address")?;
        match &self.forward_to {
            Some(url) => eprintln!("listening on http://{addr}/ (any path), forwarding to {url}"),
            None => eprintln!("listening on http://{addr}/ (any path)"),
        }
        for (n, request) in server.incoming_requests().enumerate() {
            let line = self.handle(request);
            writeln!(out, "{line}")?;
            out.flush()?;
            if self.count.is_some_and(|c| n + 1 >= c) {
                break;
            }
        }
        Ok(())
    }

    /// Answers one request and describes it.
    fn handle(&self, mut request: tiny_http::Request) -> String {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let read = request
            .as_reader()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body);
        let what = format!("{} {}", request.method(), request.url());
        if let Err(e) = read {
            respond(request, 400, b"unreadable body");
            return format!("{what}  rejected: body could not be read ({e})");
        }
        if body.len() as u64 > MAX_BODY_BYTES {
            respond(request, 413, b"body too large");
            return format!("{what}  rejected: body over {MAX_BODY_BYTES} bytes");
        }
        let delivery = Delivery { headers, body };
        let verdict = match (&self.legacy, delivery.header(SIGNATURE_HEADER)) {
            (Some((provider, key)), None) => verify_legacy(
                *provider,
                delivery.header(OXAPAY_HEADER),
                &delivery.body,
                key,
            ),
            (_, header) => verify(header, &delivery.body, &self.secret, now_unix()),
        };
        let summary = describe(&delivery);
        let Some(url) = &self.forward_to else {
            let (status, reply): (u16, &[u8]) = if verdict.is_valid() {
                (200, b"ok")
            } else {
                (401, b"invalid signature")
            };
            respond(request, status, reply);
            return format!("{summary}  {verdict}  -> {status}");
        };
        let forwarded = Delivery {
            headers: delivery
                .headers
                .iter()
                .filter(|(k, _)| !HOP_HEADERS.contains(&k.as_str()))
                .cloned()
                .collect(),
            body: delivery.body,
        };
        match self.client.post(url, &forwarded) {
            Ok(reply) => {
                respond(request, reply.status, &reply.body);
                format!(
                    "{summary}  {verdict}  -> forwarded, app answered {}",
                    reply.status
                )
            }
            Err(e) => {
                respond(request, 502, b"forwarding failed");
                format!("{summary}  {verdict}  -> forwarding failed: {e}")
            }
        }
    }
}

fn respond(request: tiny_http::Request, status: u16, body: &[u8]) {
    let response = tiny_http::Response::from_data(body.to_vec()).with_status_code(status);
    // The sender may have hung up; there is no one left to tell.
    let _ = request.respond(response);
}

/// `event uid=... status=... attempt=...` from the headers and the body: MakePay's fields, or
/// the legacy callbacks' `type`, `track_id`/`uuid` and `status`.
fn describe(d: &Delivery) -> String {
    let json: serde_json::Value = serde_json::from_slice(&d.body).unwrap_or_default();
    let field = |paths: &[&[&str]]| {
        paths
            .iter()
            .find_map(|path| {
                path.iter()
                    .try_fold(&json, |v, key| v.get(key))
                    .and_then(|v| v.as_str())
            })
            .unwrap_or("-")
            .to_string()
    };
    let event = d
        .header("x-makepay-event")
        .map(str::to_string)
        .unwrap_or_else(|| field(&[&["event", "type"], &["type"]]));
    format!(
        "{event}  uid={}  status={}  attempt={}",
        field(&[
            &["paymentLink", "uid"],
            &["subscription", "uid"],
            &["track_id"],
            &["uuid"]
        ]),
        field(&[
            &["session", "status"],
            &["subscription", "status"],
            &["status"]
        ]),
        d.header("x-makepay-attempt").unwrap_or("-"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_payment_and_subscription_deliveries() {
        let payment = Delivery {
            headers: vec![("x-makepay-event".into(), "status_changed".into())],
            body: br#"{"paymentLink":{"uid":"u1"},"session":{"status":"paid"}}"#.to_vec(),
        };
        assert_eq!(
            describe(&payment),
            "status_changed  uid=u1  status=paid  attempt=-"
        );
        let sub = Delivery {
            headers: vec![("x-makepay-attempt".into(), "2".into())],
            body: br#"{"event":{"type":"subscription_status_changed"},"subscription":{"uid":"s1","status":"overdue"}}"#.to_vec(),
        };
        assert_eq!(
            describe(&sub),
            "subscription_status_changed  uid=s1  status=overdue  attempt=2"
        );
    }
}
