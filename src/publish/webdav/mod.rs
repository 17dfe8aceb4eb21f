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
//!
//! Requests and their retries are in `request`, content hashes and the manifest in
//! `properties`, the catalog's lock in `locking`, the health check in `probe`.

mod locking;
mod probe;
mod properties;
mod request;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::StatusCode;

use serde::{Deserialize, Serialize};

use self::request::percent_decode;
use super::staging::{self, Temporary, STAGING};
use super::{FileMeta, Payload, Published, Secret, Target, Upload, Version};
use crate::error::{Error, Result};

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
}

#[async_trait::async_trait]
impl Target for WebdavTarget {
    fn describe(&self) -> String {
        self.base.clone()
    }

    async fn check(&self) -> Result<()> {
        self.health_check().await
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
