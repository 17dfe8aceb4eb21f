//! A WebDAV collection (Nextcloud, Apache mod_dav, nginx, ...), over plain HTTP verbs.
//!
//! A file goes up under a temporary name, gets its content hash as a dead property
//! (PROPPATCH), and is MOVEd into place: readers never see half a file, and the hash travels
//! with the content. Many servers make ETags from mtime and size with one-second
//! resolution, which cannot tell two same-size catalogs written in the same second apart,
//! so the catalog is written under an exclusive WebDAV LOCK on `.catalog.json.lock` and
//! compared by content hash instead. Transient failures are retried with backoff and
//! jitter, a bounded number of times. Credentials come from EVENTCAST_WEBDAV_USER and
//! EVENTCAST_WEBDAV_PASSWORD and go only into the Authorization header, which reqwest marks
//! sensitive so that even its trace output does not show it.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};

use super::{FileMeta, Payload, Published, Secret, Target, Upload, Version};
use crate::error::{Error, Result};

const NS: &str = "urn:eventcast";
const HASH_PROP: &str = "blake3";
/// Tries of one request before a transient failure is reported.
const MAX_TRIES: u32 = 6;
/// How long a catalog lock lasts if its run dies holding it.
const LOCK_TIMEOUT: &str = "Second-60";
/// How long to wait for another run's catalog lock (longer than [`LOCK_TIMEOUT`]).
const LOCK_WAIT: Duration = Duration::from_secs(75);

pub struct WebdavTarget {
    client: reqwest::Client,
    /// Collection URL, ending in `/`.
    base: String,
    user: String,
    password: Secret,
    /// Collections known to exist, relative to `base`.
    collections: Mutex<HashSet<String>>,
}

fn method(name: &str) -> Method {
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
fn backoff(attempt: u32) -> Duration {
    let cap = (200u64 << attempt.min(5)).min(5_000);
    Duration::from_millis(rand::random_range(0..=cap))
}

impl WebdavTarget {
    pub fn new(url: &str) -> Result<WebdavTarget> {
        let base = format!("{}/", url.trim_end_matches('/'));
        let how = "the account the site is published with";
        let user = Secret::from_env("EVENTCAST_WEBDAV_USER", &base, how)?;
        let password = Secret::from_env("EVENTCAST_WEBDAV_PASSWORD", &base, how)?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| Error::Target {
                target: base.clone(),
                problem: format!("cannot set up an HTTP client: {e}"),
            })?;
        Ok(WebdavTarget {
            client,
            base,
            user: user.expose().to_string(),
            password,
            collections: Mutex::new(HashSet::new()),
        })
    }

    /// The URL of a site path (a collection's ends in `/`; "" is the base collection).
    fn url(&self, path: &str) -> Result<String> {
        let bare = path.strip_suffix('/').unwrap_or(path);
        if !bare.is_empty() {
            super::site_path(self, bare)?;
        }
        Ok(format!("{}{}", self.base, encode(path)))
    }

    fn request(&self, verb: &str, path: &str) -> Result<RequestBuilder> {
        Ok(self
            .client
            .request(method(verb), self.url(path)?)
            .basic_auth(&self.user, Some(self.password.expose())))
    }

    fn remote(&self, message: String) -> Error {
        Error::Remote {
            target: self.base.clone(),
            message: self.password.redact(&message),
        }
    }

    /// Send a request, retrying timeouts, resets, 5xx and 429 with backoff and jitter.
    async fn send(
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
    fn expect_ok(&self, what: &str, r: Response) -> Result<Response> {
        if r.status().is_success() {
            Ok(r)
        } else {
            Err(self.remote(format!("{what}: the server answered {}", r.status())))
        }
    }

    /// Make the collection `dir` (relative to `base`, ending in `/`, "" for `base` itself)
    /// and its parents as needed.
    async fn ensure_collection(&self, dir: &str) -> Result<()> {
        if self.known(dir) {
            return Ok(());
        }
        let mut created = String::new();
        for seg in dir.split_terminator('/') {
            created.push_str(seg);
            created.push('/');
            if self.known(&created) {
                continue;
            }
            let what = format!("MKCOL {created}");
            let r = self.send(&what, || self.request("MKCOL", &created)).await?;
            // 405: it exists already.
            if !(r.status().is_success() || r.status() == StatusCode::METHOD_NOT_ALLOWED) {
                return Err(self.remote(format!("{what}: the server answered {}", r.status())));
            }
            self.collections
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(created.clone());
        }
        Ok(())
    }

    fn known(&self, dir: &str) -> bool {
        dir.is_empty()
            || self
                .collections
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(dir)
    }

    fn body(payload: &Payload) -> Result<reqwest::Body> {
        Ok(match payload {
            Payload::Bytes(b) => reqwest::Body::from(b.clone()),
            Payload::File(p) => {
                // Read per try so a retried upload sends the whole file again.
                reqwest::Body::from(std::fs::read(p).map_err(|e| Error::io(p, e))?)
            }
        })
    }

    /// PUT under a temporary name, record the hash, MOVE into place.
    async fn upload(&self, path: &str, payload: &Payload, meta: &FileMeta) -> Result<()> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (format!("{d}/"), n),
            None => (String::new(), path),
        };
        self.ensure_collection(&dir).await?;
        let tmp = format!("{dir}.{name}.{:08x}.eventcast-tmp", rand::random::<u32>());
        let put = format!("PUT {path}");
        let r = self
            .send(&put, || {
                Ok(self
                    .request("PUT", &tmp)?
                    .header("Content-Type", meta.content_type)
                    .body(Self::body(payload)?))
            })
            .await?;
        self.expect_ok(&put, r)?;
        let patch = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:E="{NS}"><D:set><D:prop><E:{HASH_PROP}>{}</E:{HASH_PROP}></D:prop></D:set></D:propertyupdate>"#,
            meta.hash
        );
        let what = format!("PROPPATCH {path}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("PROPPATCH", &tmp)?
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(patch.clone()))
            })
            .await?;
        self.expect_ok(&what, r)?;
        let what = format!("MOVE {path}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("MOVE", &tmp)?
                    .header("Destination", self.url(path)?)
                    .header("Overwrite", "T"))
            })
            .await?;
        // A MOVE retried after a lost answer finds no source: fine if the file arrived.
        if r.status() == StatusCode::NOT_FOUND
            && self.stored_hash(path).await?.as_deref() == Some(meta.hash.as_str())
        {
            return Ok(());
        }
        self.expect_ok(&what, r)?;
        Ok(())
    }

    /// Take the exclusive lock guarding `path`, waiting for another run's to go.
    async fn lock(&self, path: &str) -> Result<String> {
        let lock = format!(".{path}.lock");
        let body = r#"<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>eventcast</D:owner></D:lockinfo>"#;
        let started = std::time::Instant::now();
        loop {
            let what = format!("LOCK {lock}");
            let r = self
                .send(&what, || {
                    Ok(self
                        .request("LOCK", &lock)?
                        .header("Timeout", LOCK_TIMEOUT)
                        .header("Content-Type", "application/xml; charset=utf-8")
                        .body(body))
                })
                .await?;
            if r.status() == StatusCode::LOCKED && started.elapsed() < LOCK_WAIT {
                tokio::time::sleep(backoff(3)).await;
                continue;
            }
            let r = self.expect_ok(&what, r)?;
            return r
                .headers()
                .get("Lock-Token")
                .and_then(|v| v.to_str().ok())
                .map(|t| {
                    t.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
                .ok_or_else(|| self.remote(format!("{what}: the server sent no Lock-Token")));
        }
    }

    async fn unlock(&self, path: &str, token: &str) {
        let lock = format!(".{path}.lock");
        let what = format!("UNLOCK {lock}");
        let sent = self
            .send(&what, || {
                Ok(self
                    .request("UNLOCK", &lock)?
                    .header("Lock-Token", format!("<{token}>")))
            })
            .await;
        if let Err(e) = sent {
            tracing::warn!("{e} (the lock expires by itself within a minute)");
        }
    }

    async fn put_locked(
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

#[async_trait::async_trait]
impl Target for WebdavTarget {
    fn describe(&self) -> String {
        self.base.clone()
    }

    async fn check(&self) -> Result<()> {
        let diagnose = |e: Error| {
            Error::Target {
            target: self.base.clone(),
            problem: format!(
                "cannot reach the WebDAV server: check `target.url` in pipeline.toml, the network and that the server is running ({e})"
            ),
        }
        };
        let probe = format!(".eventcast-probe-{:016x}", rand::random::<u64>());
        let mut created = false;
        let problem = loop {
            let r = self
                .send("PUT probe", || {
                    Ok(self.request("PUT", &probe)?.body("eventcast write check"))
                })
                .await
                .map_err(diagnose)?;
            break match r.status() {
                s if s.is_success() => {
                    let r = self
                        .send("DELETE probe", || self.request("DELETE", &probe))
                        .await
                        .map_err(diagnose)?;
                    if r.status().is_success() || r.status() == StatusCode::NOT_FOUND {
                        return Ok(());
                    }
                    format!("the probe file could be written but not deleted ({}): the account needs permission to delete and replace files", r.status())
                }
                StatusCode::UNAUTHORIZED => "wrong credentials: the server refused EVENTCAST_WEBDAV_USER / EVENTCAST_WEBDAV_PASSWORD (401). Check both variables".into(),
                StatusCode::FORBIDDEN => "access denied (403): the account may not write to this collection; check its permissions or `target.url`".into(),
                s @ (StatusCode::NOT_FOUND | StatusCode::CONFLICT) => {
                    // The collection is missing: create it and its parents, then try again.
                    if !created && self.create_base().await.is_ok() {
                        created = true;
                        continue;
                    }
                    format!("the collection does not exist and cannot be created ({s}): check `target.url` in pipeline.toml")
                }
                s @ (StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED) => {
                    format!("the server does not accept uploads at this URL ({s}): is `target.url` a WebDAV collection?")
                }
                s => format!("the server answered {s} to a test upload; check `target.url` and the server's log"),
            };
        };
        Err(Error::Target {
            target: self.base.clone(),
            problem,
        })
    }

    async fn delete(&self, path: &str) -> Result<()> {
        let r = self
            .send(&format!("DELETE {path}"), || self.request("DELETE", path))
            .await?;
        if r.status().is_success() || r.status() == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(self.remote(format!("DELETE {path}: {}", r.status())))
    }

    async fn read(&self, path: &str) -> Result<Option<Published>> {
        let what = format!("GET {path}");
        let r = self.send(&what, || self.request("GET", path)).await?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let r = self.expect_ok(&what, r)?;
        let bytes = r
            .bytes()
            .await
            .map_err(|e| self.remote(format!("{what}: {e}")))?
            .to_vec();
        let version = Version(blake3::hash(&bytes).to_hex().to_string());
        Ok(Some(Published { bytes, version }))
    }

    async fn stored_hash(&self, path: &str) -> Result<Option<String>> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:E="{NS}"><D:prop><E:{HASH_PROP}/></D:prop></D:propfind>"#
        );
        let what = format!("PROPFIND {path}");
        let r = self
            .send(&what, || {
                Ok(self
                    .request("PROPFIND", path)?
                    .header("Depth", "0")
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(body.clone()))
            })
            .await?;
        if r.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let r = self.expect_ok(&what, r)?;
        let text = r
            .text()
            .await
            .map_err(|e| self.remote(format!("{what}: {e}")))?;
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| self.remote(format!("{what}: unreadable answer: {e}")))?;
        // The property sits in a propstat whose status is 200; a 404 propstat has it empty.
        Ok(doc
            .descendants()
            .find(|n| n.has_tag_name((NS, HASH_PROP)))
            .and_then(|n| n.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()))
    }

    async fn put(&self, upload: &Upload, meta: &FileMeta) -> Result<()> {
        self.upload(&upload.path, &upload.payload, meta).await
    }

    async fn put_if(
        &self,
        path: &str,
        bytes: &[u8],
        meta: &FileMeta,
        expected: Option<&Version>,
    ) -> Result<Option<Version>> {
        let token = self.lock(path).await?;
        let result = self.put_locked(path, bytes, meta, expected).await;
        self.unlock(path, &token).await;
        result
    }
}

impl WebdavTarget {
    /// MKCOL the base collection and any missing parents, from the top down.
    async fn create_base(&self) -> Result<()> {
        let url = reqwest::Url::parse(&self.base)
            .map_err(|e| self.remote(format!("`target.url` is not a URL: {e}")))?;
        let segments: Vec<&str> = url
            .path()
            .split_terminator('/')
            .filter(|s| !s.is_empty())
            .collect();
        let mut dir = url.clone();
        for i in 0..segments.len() {
            dir.set_path(&format!("/{}/", segments[..=i].join("/")));
            let what = format!("MKCOL {dir}");
            let target = dir.clone();
            let r = self
                .send(&what, || {
                    Ok(self
                        .client
                        .request(method("MKCOL"), target.clone())
                        .basic_auth(&self.user, Some(self.password.expose())))
                })
                .await?;
            if !(r.status().is_success() || r.status() == StatusCode::METHOD_NOT_ALLOWED) {
                return Err(self.remote(format!("{what}: the server answered {}", r.status())));
            }
        }
        Ok(())
    }
}
