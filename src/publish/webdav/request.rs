//! Requests to the server: URLs of site paths, credentials on every request, and retries of
//! transient failures with backoff and jitter.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};

use super::WebdavTarget;
use crate::error::{Error, Result};

/// Tries of one request before a transient failure is reported.
const MAX_TRIES: u32 = 6;

pub(super) fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("WebDAV method names are valid tokens")
}

/// Percent-encode each segment of a path from the site root.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn transient(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

/// Exponential backoff with full jitter: 0..min(5 s, 200 ms * 2^try).
pub(super) fn backoff(attempt: u32) -> Duration {
    let cap = (200u64 << attempt.min(5)).min(5_000);
    Duration::from_millis(rand::random_range(0..=cap))
}

/// `%XX` sequences of an href decoded (names are ASCII-safe here; others kept as sent).
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl WebdavTarget {
    /// The URL of a site path (a collection's ends in `/`; "" is the base collection).
    pub(super) fn url(&self, path: &str) -> Result<String> {
        let bare = path.strip_suffix('/').unwrap_or(path);
        if !bare.is_empty() {
            super::super::site_path(self, bare)?;
        }
        Ok(format!("{}{}", self.base, encode(path)))
    }

    pub(super) fn request(&self, verb: &str, path: &str) -> Result<RequestBuilder> {
        Ok(self
            .client
            .request(method(verb), self.url(path)?)
            .basic_auth(&self.user, Some(self.password.expose())))
    }

    pub(super) fn remote(&self, message: String) -> Error {
        Error::Remote {
            target: self.base.clone(),
            message: self.password.redact(&message),
        }
    }

    /// Send a request, retrying timeouts, resets, 5xx and 429 with backoff and jitter.
    pub(super) async fn send(
        &self,
        what: &str,
        build: impl Fn() -> Result<RequestBuilder>,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = build()?.send().await;
            let retry = match &outcome {
                Ok(r) => transient(r.status()),
                Err(e) => e.is_timeout() || e.is_connect() || e.is_request() || e.is_body(),
            };
            if !retry || attempt >= MAX_TRIES {
                return match outcome {
                    Ok(r) => Ok(r),
                    Err(e) => Err(self.remote(format!("{what}: {e}"))),
                };
            }
            let why = match &outcome {
                Ok(r) => r.status().to_string(),
                Err(e) => e.to_string(),
            };
            tracing::debug!("{what}: {}; trying again", self.password.redact(&why));
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// Fail unless `r` has a success status; `what` names the request.
    pub(super) fn expect_ok(&self, what: &str, r: Response) -> Result<Response> {
        if r.status().is_success() {
            Ok(r)
        } else {
            Err(self.remote(format!("{what}: the server answered {}", r.status())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_decoded() {
        assert_eq!(percent_decode("a%20b%2Ec"), "a b.c");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
