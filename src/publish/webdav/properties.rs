//! The content hash of each published file: a dead property set by PROPPATCH and read by
//! PROPFIND, or, on servers that store no properties, an entry in the [`MANIFEST`].

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::StatusCode;

use super::{Described, Recorded, Target, WebdavTarget, MANIFEST};
use crate::error::Result;

const NS: &str = "urn:eventcast";
const HASH_PROP: &str = "blake3";

impl WebdavTarget {
    /// PROPPATCH the content hash onto `path`. `Ok(Err(why))` when the server answered but
    /// did not store it: a 207 multistatus whose propstat is not 200 (rclone answers 403
    /// there), or a refused method.
    pub(super) async fn set_hash(
        &self,
        path: &str,
        hash: &str,
    ) -> Result<std::result::Result<(), String>> {
        let patch = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:E="{NS}"><D:set><D:prop><E:{HASH_PROP}>{hash}</E:{HASH_PROP}></D:prop></D:set></D:propertyupdate>"#
        );
        let what = format!("PROPPATCH {path}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("PROPPATCH", path)?
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(patch.clone()))
            })
            .await?;
        let status = r.status();
        if matches!(
            status,
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED | StatusCode::FORBIDDEN
        ) {
            return Ok(Err(format!("PROPPATCH answered {status}")));
        }
        let r = self.expect_ok(&what, r)?;
        let text = r
            .text()
            .await
            .map_err(|e| self.remote(format!("{what}: {e}")))?;
        Ok(proppatch_outcome(status, &text))
    }

    /// Switch to the manifest, saying so once.
    pub(super) fn properties_refused(&self, why: &str) {
        if !self.no_properties.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the WebDAV server does not store properties ({why}): content hashes are kept in {MANIFEST} beside catalog.json instead, and a file counts as unchanged while its size and ETag are as recorded there"
            );
        }
    }

    /// The manifest, read from the server on first use.
    pub(super) async fn manifest(
        &self,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<BTreeMap<String, Recorded>>>> {
        let mut guard = self.manifest.lock().await;
        if guard.is_none() {
            *guard = Some(self.read_manifest().await?);
        }
        Ok(guard)
    }

    pub(super) async fn read_manifest(&self) -> Result<BTreeMap<String, Recorded>> {
        match self.read(MANIFEST).await? {
            None => Ok(BTreeMap::new()),
            // A damaged manifest only costs uploads: start again.
            Some(p) => Ok(serde_json::from_slice(&p.bytes).unwrap_or_default()),
        }
    }

    /// Size, ETag, modification time and stored hash of `path` (PROPFIND, depth 0).
    pub(super) async fn describe_path(&self, path: &str) -> Result<Described> {
        Ok(self
            .propfind(path, "0")
            .await?
            .into_iter()
            .next()
            .map(|(_, d)| d)
            .unwrap_or_default())
    }

    /// PROPFIND `path` at `depth`: (href, description) of each resource; empty if absent.
    pub(super) async fn propfind(
        &self,
        path: &str,
        depth: &str,
    ) -> Result<Vec<(String, Described)>> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:E="{NS}"><D:prop><E:{HASH_PROP}/><D:getcontentlength/><D:getetag/><D:getlastmodified/><D:resourcetype/></D:prop></D:propfind>"#
        );
        let what = format!("PROPFIND {path}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("PROPFIND", path)?
                    .header("Depth", depth)
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(body.clone()))
            })
            .await?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        let r = self.expect_ok(&what, r)?;
        let text = r
            .text()
            .await
            .map_err(|e| self.remote(format!("{what}: {e}")))?;
        parse_multistatus(&text).map_err(|e| self.remote(format!("{what}: unreadable answer: {e}")))
    }
}

/// Whether a PROPPATCH answer stored the property: a 207 multistatus is success only if
/// every propstat says 2xx.
fn proppatch_outcome(status: StatusCode, body: &str) -> std::result::Result<(), String> {
    if status != StatusCode::MULTI_STATUS {
        return Ok(());
    }
    let doc = roxmltree::Document::parse(body)
        .map_err(|e| format!("PROPPATCH answered 207 with an unreadable body ({e})"))?;
    for propstat in doc
        .descendants()
        .filter(|n| n.has_tag_name(("DAV:", "propstat")))
    {
        let line = propstat
            .children()
            .find(|n| n.has_tag_name(("DAV:", "status")))
            .and_then(|n| n.text())
            .unwrap_or("")
            .trim();
        let code = line.split_whitespace().nth(1).unwrap_or("");
        if !code.starts_with('2') {
            return Err(format!(
                "PROPPATCH answered 207 with \"{line}\" for the property"
            ));
        }
    }
    Ok(())
}

/// The resources of a PROPFIND answer with what eventcast asks about them. A property
/// counts only from a propstat whose status is 200 (a 404 propstat lists it empty).
fn parse_multistatus(text: &str) -> std::result::Result<Vec<(String, Described)>, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for response in doc
        .descendants()
        .filter(|n| n.has_tag_name(("DAV:", "response")))
    {
        let href = response
            .children()
            .find(|n| n.has_tag_name(("DAV:", "href")))
            .and_then(|n| n.text())
            .unwrap_or("")
            .trim()
            .to_string();
        let mut d = Described::default();
        for propstat in response
            .children()
            .filter(|n| n.has_tag_name(("DAV:", "propstat")))
        {
            let ok = propstat
                .children()
                .find(|n| n.has_tag_name(("DAV:", "status")))
                .and_then(|n| n.text())
                .is_some_and(|t| t.split_whitespace().nth(1) == Some("200"));
            if !ok {
                continue;
            }
            let value = |ns: &str, name: &str| {
                propstat
                    .descendants()
                    .find(|n| n.has_tag_name((ns, name)))
                    .and_then(|n| n.text())
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
            };
            d.hash = d.hash.or(value(NS, HASH_PROP));
            d.bytes = d
                .bytes
                .or(value("DAV:", "getcontentlength").and_then(|b| b.parse().ok()));
            d.etag = d.etag.or(value("DAV:", "getetag"));
            d.modified = d.modified.or(value("DAV:", "getlastmodified")
                .and_then(|t| jiff::fmt::rfc2822::parse(&t).ok())
                .and_then(|z| u64::try_from(z.timestamp().as_second()).ok())
                .map(|s| std::time::UNIX_EPOCH + Duration::from_secs(s)));
        }
        out.push((href, d));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_207_with_a_refused_propstat_is_not_success() {
        // rclone serve webdav's answer.
        let refused = r#"<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/x</D:href><D:propstat><D:prop><blake3 xmlns="urn:eventcast"></blake3></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat></D:response></D:multistatus>"#;
        let err = proppatch_outcome(StatusCode::MULTI_STATUS, refused).unwrap_err();
        assert!(err.contains("403"), "{err}");
        let stored = refused.replace("403 Forbidden", "200 OK");
        assert_eq!(proppatch_outcome(StatusCode::MULTI_STATUS, &stored), Ok(()));
        assert_eq!(proppatch_outcome(StatusCode::OK, ""), Ok(()));
    }
}
