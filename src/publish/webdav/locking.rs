//! The exclusive WebDAV LOCK that guards the catalog's conditional write, so that two runs
//! never lose each other's webinars.

use std::time::Duration;

use reqwest::{Response, StatusCode};

use super::request::backoff;
use super::{FileMeta, Payload, Target, Version, WebdavTarget};
use crate::error::Result;

/// How long a catalog lock lasts if its run dies holding it.
const LOCK_TIMEOUT: &str = "Second-60";
/// How long to wait for another run's catalog lock (longer than [`LOCK_TIMEOUT`]).
const LOCK_WAIT: Duration = Duration::from_secs(75);

impl WebdavTarget {
    /// Take the exclusive lock guarding `path`, waiting for another run's to go.
    pub(super) async fn lock(&self, path: &str) -> Result<String> {
        let lock = format!(".{path}.lock");
        let started = std::time::Instant::now();
        loop {
            let r = self.lock_request(&lock).await?;
            if r.status() == StatusCode::LOCKED && started.elapsed() < LOCK_WAIT {
                tokio::time::sleep(backoff(3)).await;
                continue;
            }
            return self.lock_token(&format!("LOCK {lock}"), r);
        }
    }

    pub(super) async fn lock_request(&self, lock: &str) -> Result<Response> {
        let body = r#"<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>eventcast</D:owner></D:lockinfo>"#;
        self.send(&format!("LOCK {lock}"), || {
            Ok(self
                .request("LOCK", lock)?
                .header("Timeout", LOCK_TIMEOUT)
                .header("Content-Type", "application/xml; charset=utf-8")
                .body(body))
        })
        .await
    }

    pub(super) fn lock_token(&self, what: &str, r: Response) -> Result<String> {
        let r = self.expect_ok(what, r)?;
        r.headers()
            .get("Lock-Token")
            .and_then(|v| v.to_str().ok())
            .map(|t| {
                t.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
            .ok_or_else(|| self.remote(format!("{what}: the server sent no Lock-Token")))
    }

    /// Release the lock and delete the empty file LOCK created (another run that has locked
    /// it since keeps it: the server refuses the DELETE with 423).
    pub(super) async fn unlock(&self, path: &str, token: &str) {
        let lock = format!(".{path}.lock");
        if let Err(e) = self.unlock_file(&lock, token).await {
            tracing::warn!("{e} (the lock expires by itself within a minute)");
            return;
        }
        let _ = self
            .send(&format!("DELETE {lock}"), || self.request("DELETE", &lock))
            .await;
    }

    async fn unlock_file(&self, lock: &str, token: &str) -> Result<()> {
        let what = format!("UNLOCK {lock}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("UNLOCK", lock)?
                    .header("Lock-Token", format!("<{token}>")))
            })
            .await?;
        self.expect_ok(&what, r).map(|_| ())
    }

    pub(super) async fn put_locked(
        &self,
        path: &str,
        bytes: &[u8],
        meta: &FileMeta,
        expected: Option<&Version>,
    ) -> Result<Option<Version>> {
        let now = self.read(path).await?.map(|p| p.version);
        if now.as_ref() != expected {
            return Ok(None);
        }
        self.upload(path, &Payload::Bytes(bytes.to_vec()), meta)
            .await?;
        Ok(Some(Version(meta.hash.clone())))
    }
}
