//! The HTTP client: one blocking request at a time (ureq), a timeout on each, no redirects
//! followed (only the URL the user gave is contacted) and a bounded reply body.

use super::delivery::Delivery;
use std::io::Read;
use std::time::Duration;

/// Reply bodies beyond this are cut; they are shown to people, not parsed.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request did not get an HTTP answer (refused, timed out, TLS, bad URL...).
#[derive(Debug, thiserror::Error)]
#[error("POST {url}: {source}")]
pub struct HttpError {
    url: String,
    source: ureq::Error,
}

pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Client { agent }
    }

    /// Posts the delivery's headers and exact body bytes to `url`.
    pub fn post(&self, url: &str, delivery: &Delivery) -> Result<Reply, HttpError> {
        let err = |source| HttpError {
            url: url.to_string(),
            source,
        };
        let mut request = self.agent.post(url);
        for (name, value) in &delivery.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send(&delivery.body[..]).map_err(err)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_REPLY_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| err(ureq::Error::Io(e)))?;
        Ok(Reply { status, body })
    }
}
