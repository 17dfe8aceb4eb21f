//! A WebDAV collection (Nextcloud, Apache mod_dav, nginx, rclone, ...), over plain HTTP verbs.
//!
//! A file goes up under a temporary name in the staging collection (see
//! [`super::staging`]), gets its content hash as a dead property (PROPPATCH), and is MOVEd
//! into place: readers never see half a file, and the hash travels with the content.
//! Servers that answer PROPPATCH with a 207 whose propstat refuses the property (rclone)
//! store nothing, so the answer's body is read, and on such a server the hashes are kept
//! instead in a manifest beside the catalog ([`MANIFEST`]: size, ETag and hash per file),
//! which a re-run trusts only while the file's size and ETag are still those recorded.
//! Many servers make ETags from mtime and size with one-second resolution, which cannot tell
//! two same-size catalogs written in the same second apart, so the catalog is written under
//! an exclusive WebDAV LOCK on `.catalog.json.lock` (released and deleted afterwards) and
//! compared by content hash instead. The health check runs every method publishing uses
//! (MKCOL, PUT, PROPPATCH, MOVE, LOCK, UNLOCK, DELETE) before any encoding and names the
//! one the server refuses. Transient failures are retried with backoff and jitter, a
//! bounded number of times. Credentials come from EVENTCAST_WEBDAV_USER and
//! EVENTCAST_WEBDAV_PASSWORD and go only into the Authorization header, which reqwest marks
//! sensitive so that even its trace output does not show it.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};

use serde::{Deserialize, Serialize};

use super::staging::{self, Temporary, STAGING};
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
/// Content hashes of published files, beside the catalog, on servers that cannot store
/// properties.
pub const MANIFEST: &str = ".eventcast-manifest.json";

/// What the manifest records of a published file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Recorded {
    hash: String,
    bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
}

/// A resource as PROPFIND describes it.
#[derive(Debug, Default)]
struct Described {
    hash: Option<String>,
    bytes: Option<u64>,
    etag: Option<String>,
    modified: Option<std::time::SystemTime>,
}

pub struct WebdavTarget {
    client: reqwest::Client,
    /// Collection URL, ending in `/`.
    base: String,
    user: String,
    password: Secret,
    /// Collections known to exist, relative to `base`.
    collections: Mutex<HashSet<String>>,
    /// The server refuses dead properties (found by the health check or an upload): hashes
    /// go into the manifest instead.
    no_properties: AtomicBool,
    /// The manifest as read from the server (`None`: not read yet) and what this run adds.
    manifest: tokio::sync::Mutex<Option<BTreeMap<String, Recorded>>>,
    manifest_dirty: AtomicBool,
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
            no_properties: AtomicBool::new(false),
            manifest: tokio::sync::Mutex::new(None),
            manifest_dirty: AtomicBool::new(false),
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

    /// PUT under a temporary name in the staging collection, record the hash, MOVE into place.
    async fn upload(&self, path: &str, payload: &Payload, meta: &FileMeta) -> Result<()> {
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (format!("{d}/"), n),
            None => (String::new(), path),
        };
        self.ensure_collection(&dir).await?;
        self.ensure_collection(&format!("{STAGING}/")).await?;
        let tmp = staging::run().temp_path(name);
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
        if !self.no_properties.load(Ordering::Relaxed) {
            if let Err(why) = self.set_hash(&tmp, &meta.hash).await? {
                self.properties_refused(&why);
            }
        }
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
        let arrived_before = r.status() == StatusCode::NOT_FOUND
            && self.stored_hash(path).await?.as_deref() == Some(meta.hash.as_str());
        if !arrived_before {
            self.expect_ok(&what, r)?;
        }
        if self.no_properties.load(Ordering::Relaxed) && path != MANIFEST {
            let now = self.describe_path(path).await?;
            let mut manifest = self.manifest().await?;
            let m = manifest.get_or_insert_with(BTreeMap::new);
            m.insert(
                path.to_string(),
                Recorded {
                    hash: meta.hash.clone(),
                    bytes: now.bytes.unwrap_or_default(),
                    etag: now.etag,
                },
            );
            self.manifest_dirty.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// PROPPATCH the content hash onto `path`. `Ok(Err(why))` when the server answered but
    /// did not store it: a 207 multistatus whose propstat is not 200 (rclone answers 403
    /// there), or a refused method.
    async fn set_hash(&self, path: &str, hash: &str) -> Result<std::result::Result<(), String>> {
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
    fn properties_refused(&self, why: &str) {
        if !self.no_properties.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the WebDAV server does not store properties ({why}): content hashes are kept in {MANIFEST} beside catalog.json instead, and a file counts as unchanged while its size and ETag are as recorded there"
            );
        }
    }

    /// The manifest, read from the server on first use.
    async fn manifest(
        &self,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<BTreeMap<String, Recorded>>>> {
        let mut guard = self.manifest.lock().await;
        if guard.is_none() {
            *guard = Some(self.read_manifest().await?);
        }
        Ok(guard)
    }

    async fn read_manifest(&self) -> Result<BTreeMap<String, Recorded>> {
        match self.read(MANIFEST).await? {
            None => Ok(BTreeMap::new()),
            // A damaged manifest only costs uploads: start again.
            Some(p) => Ok(serde_json::from_slice(&p.bytes).unwrap_or_default()),
        }
    }

    /// Size, ETag, modification time and stored hash of `path` (PROPFIND, depth 0).
    async fn describe_path(&self, path: &str) -> Result<Described> {
        Ok(self
            .propfind(path, "0")
            .await?
            .into_iter()
            .next()
            .map(|(_, d)| d)
            .unwrap_or_default())
    }

    /// PROPFIND `path` at `depth`: (href, description) of each resource; empty if absent.
    async fn propfind(&self, path: &str, depth: &str) -> Result<Vec<(String, Described)>> {
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

    /// Take the exclusive lock guarding `path`, waiting for another run's to go.
    async fn lock(&self, path: &str) -> Result<String> {
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

    async fn lock_request(&self, lock: &str) -> Result<Response> {
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

    fn lock_token(&self, what: &str, r: Response) -> Result<String> {
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
    async fn unlock(&self, path: &str, token: &str) {
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
                "cannot reach the WebDAV server: check `target.url` in pipeline.toml, the network and that the server is running ({})",
                e.detail()
            ),
        }
        };
        let fail = |problem: String| {
            Err(Error::Target {
                target: self.base.clone(),
                problem,
            })
        };
        let probe = staging::run().temp_path("probe");
        let mut created = false;
        loop {
            let r = self
                .send("PUT probe", || {
                    Ok(self.request("PUT", &probe)?.body("eventcast write check"))
                })
                .await
                .map_err(diagnose)?;
            match r.status() {
                s if s.is_success() => break,
                StatusCode::UNAUTHORIZED => return fail("wrong credentials: the server refused EVENTCAST_WEBDAV_USER / EVENTCAST_WEBDAV_PASSWORD (401). Check both variables".into()),
                StatusCode::FORBIDDEN => return fail("access denied (403): the account may not write to this collection; check its permissions or `target.url`".into()),
                s @ (StatusCode::NOT_FOUND | StatusCode::CONFLICT) => {
                    // The collection (or the staging one) is missing: create them, try again.
                    if !created
                        && self.create_base().await.is_ok()
                        && self.ensure_collection(&format!("{STAGING}/")).await.is_ok()
                    {
                        created = true;
                        continue;
                    }
                    return fail(format!("the collection does not exist and cannot be created ({s}): check `target.url` in pipeline.toml"));
                }
                s @ (StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED) => {
                    return fail(format!("the server does not accept uploads at this URL (PUT answered {s}): is `target.url` a WebDAV collection?"));
                }
                s => return fail(format!("the server answered {s} to a test upload (PUT); check `target.url` and the server's log")),
            }
        }
        // Every other method publishing uses, on the probe, in publishing's order. A server
        // that lacks one fails here, before an hour of encoding, not after the uploads.
        let outcome = self.exercise(&probe).await;
        if outcome.is_err() {
            let moved = format!("{probe}-moved");
            for p in [&probe, &moved] {
                let _ = self
                    .send("DELETE probe", || self.request("DELETE", p))
                    .await;
            }
        }
        match outcome {
            Ok(()) => Ok(()),
            Err(Refused::Method { method, status }) => fail(refused_advice(method, status)),
            Err(Refused::Unreachable(e)) => Err(diagnose(e)),
        }
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
        let now = self.describe_path(path).await?;
        if now.hash.is_some() || !self.no_properties.load(Ordering::Relaxed) {
            return Ok(now.hash);
        }
        // No properties on this server: the manifest's hash, while the file is still the
        // one it was recorded for (same size, and same ETag when the server gives one).
        let manifest = self.manifest().await?;
        let recorded = manifest.as_ref().and_then(|m| m.get(path));
        Ok(recorded
            .filter(|r| now.bytes == Some(r.bytes) && (r.etag.is_none() || r.etag == now.etag))
            .map(|r| r.hash.clone()))
    }

    async fn temporaries(&self) -> Result<Vec<Temporary>> {
        let listed = self.propfind(&format!("{STAGING}/"), "1").await?;
        Ok(listed
            .into_iter()
            .filter_map(|(href, d)| {
                let name = href.trim_end_matches('/').rsplit('/').next()?.to_string();
                let name = percent_decode(&name);
                (name != STAGING && !href.ends_with('/')).then(|| Temporary {
                    handle: format!("{STAGING}/{name}"),
                    name,
                    modified: d.modified,
                })
            })
            .collect())
    }

    async fn discard(&self, t: &Temporary) -> Result<()> {
        self.delete(&t.handle).await
    }

    async fn flush(&self) -> Result<()> {
        if !self.manifest_dirty.swap(false, Ordering::Relaxed) {
            return Ok(());
        }
        let ours = self.manifest.lock().await.clone().unwrap_or_default();
        // Merged over what other runs wrote meanwhile; an entry lost to a race only costs
        // an upload, as the size and ETag guard every entry.
        let mut merged = self.read_manifest().await?;
        merged.extend(ours);
        let bytes = serde_json::to_vec_pretty(&merged).expect("the manifest serialises");
        let hash = blake3::hash(&bytes).to_hex().to_string();
        self.upload(
            MANIFEST,
            &Payload::Bytes(bytes),
            &FileMeta::new(MANIFEST, hash),
        )
        .await?;
        // Recording the manifest itself is of no use.
        self.manifest_dirty.store(false, Ordering::Relaxed);
        Ok(())
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
    /// PROPPATCH, MOVE, LOCK, UNLOCK and DELETE on the health check's probe (already PUT).
    async fn exercise(&self, probe: &str) -> std::result::Result<(), Refused> {
        let reach = Refused::Unreachable;
        let refused = |method, status| Err(Refused::Method { method, status });
        // A server that cannot store properties is still usable, through the manifest.
        match self.set_hash(probe, "probe").await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => self.properties_refused(&why),
            Err(e) => return Err(reach(e)),
        }
        let moved = format!("{probe}-moved");
        let r = self
            .send("MOVE probe", || {
                Ok(self
                    .request("MOVE", probe)?
                    .header("Destination", self.url(&moved)?)
                    .header("Overwrite", "T"))
            })
            .await
            .map_err(reach)?;
        if !r.status().is_success() {
            return refused("MOVE", r.status());
        }
        let lock = staging::run().temp_path("lock");
        let r = self.lock_request(&lock).await.map_err(reach)?;
        if !r.status().is_success() {
            return refused("LOCK", r.status());
        }
        let token = self.lock_token("LOCK probe", r).map_err(reach)?;
        let r = self
            .send("UNLOCK probe", || {
                Ok(self
                    .request("UNLOCK", &lock)?
                    .header("Lock-Token", format!("<{token}>")))
            })
            .await
            .map_err(reach)?;
        if !r.status().is_success() {
            return refused("UNLOCK", r.status());
        }
        for p in [&lock, &moved] {
            let r = self
                .send("DELETE probe", || self.request("DELETE", p))
                .await
                .map_err(reach)?;
            if !(r.status().is_success() || r.status() == StatusCode::NOT_FOUND) {
                return refused("DELETE", r.status());
            }
        }
        Ok(())
    }

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

/// A method the server refused in the health check, or a failure to reach it.
enum Refused {
    Method {
        method: &'static str,
        status: StatusCode,
    },
    Unreachable(Error),
}

/// What to tell the operator when the server refuses `method`.
fn refused_advice(method: &str, status: StatusCode) -> String {
    let why = match method {
        "MKCOL" => "eventcast creates a folder per webinar and a staging folder (.eventcast-tmp)",
        "MOVE" => "eventcast uploads each file under a temporary name and moves it into place",
        "LOCK" | "UNLOCK" => "eventcast locks catalog.json while it updates it, so that two runs never lose each other's webinars",
        _ => "eventcast deletes its probe, temporary files and files no longer published",
    };
    let how = match method {
        "LOCK" | "UNLOCK" => "enable WebDAV locking for this location: Apache mod_dav needs `DavLockDB` and LOCK/UNLOCK allowed (no `AllowMethods` or `<Limit>` excluding them); nginx's dav module has no locking, add the nginx-dav-ext module with `dav_ext_lock`; Nextcloud and rclone support it",
        _ => "allow this method for the account at this URL in the server's WebDAV configuration (Apache: `Dav On`, and no `AllowMethods` or `<Limit>` excluding it; nginx: `dav_methods PUT DELETE MKCOL COPY MOVE`)",
    };
    format!(
        "the WebDAV server refused {method} ({status}) in the check before encoding: {why}. To publish here, {how}; nothing was encoded or published"
    )
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

/// `%XX` sequences of an href decoded (names are ASCII-safe here; others kept as sent).
fn percent_decode(s: &str) -> String {
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

    #[test]
    fn hrefs_are_decoded() {
        assert_eq!(percent_decode("a%20b%2Ec"), "a b.c");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
