//! An S3-compatible bucket, through `object_store` (request signing, retries with backoff
//! and jitter are its well-tested job, not ours).
//!
//! The content hash travels as user metadata (`x-amz-meta-blake3`), so a re-run learns
//! with one HEAD per file whether it is already there. The catalog is written with
//! If-Match on the ETag it was read with (If-None-Match for a new site). A PUT is atomic,
//! so S3 has no temporary files; a large file goes up in parts, and a run killed mid-way
//! leaves a multipart upload whose parts are stored (and billed) until aborted. So each
//! upload is recorded, under a temporary name of its run, in a ledger in the staging folder
//! ([`LEDGER`], updated with conditional writes) and the next publish aborts those of runs
//! that are gone (see [`super::staging`]). A ledger rather than a listing: listing
//! multipart uploads is not something every S3-compatible store or client library offers.

use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::MultipartStore;
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt,
    PutMode, PutMultipartOptions, PutOptions, PutPayload, RetryConfig, UpdateVersion,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio::io::AsyncReadExt;

use super::staging::{self, Temporary};
use super::{FileMeta, Payload, Published, Secret, Target, Upload, Version};
use crate::error::{Error, Result};

/// Files above this go up in parts of this size (default; `target.part_size_mib`).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Multipart uploads in progress, by the temporary name of the run that started each.
pub const LEDGER: &str = ".eventcast-tmp/uploads.json";
/// The health check's probe: one name for every run, so a probe left by a killed check is
/// replaced and deleted by the next.
const PROBE: &str = ".eventcast-tmp/probe";

/// A multipart upload in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pending {
    /// Site path of the file.
    path: String,
    upload_id: String,
    /// Unix seconds when it started.
    started: u64,
}
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 4;
const HASH_KEY: &str = "blake3";

pub struct S3Target {
    store: AmazonS3,
    bucket: String,
    prefix: String,
    endpoint: String,
    secrets: Vec<Secret>,
    part_size: usize,
}

/// The retry policy for transient failures (timeouts, resets, 5xx, 429): a bounded number
/// of tries with exponential backoff and jitter, within a bounded time.
pub fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            base: 2.0,
        },
        max_retries: 5,
        retry_timeout: Duration::from_secs(90),
    }
}

/// A client for `bucket` with the credentials in the environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and the retry policy; `describe` names
/// it in errors. The S3 target and a bucket inbox are reached alike. Returns the secrets
/// too, so errors can be scrubbed of them.
pub fn connect(
    bucket: &str,
    region: &str,
    endpoint: Option<&str>,
    path_style: bool,
    describe: &str,
) -> Result<(AmazonS3, Vec<Secret>)> {
    let how = "the access key of a user that may write to the bucket";
    let key_id = Secret::from_env("AWS_ACCESS_KEY_ID", describe, how)?;
    let secret = Secret::from_env("AWS_SECRET_ACCESS_KEY", describe, how)?;
    let token = Secret::optional("AWS_SESSION_TOKEN");
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_access_key_id(key_id.expose())
        .with_secret_access_key(secret.expose())
        .with_virtual_hosted_style_request(!path_style)
        .with_retry(retry_config())
        .with_client_options(
            ClientOptions::new()
                .with_allow_http(endpoint.is_some_and(|e| e.starts_with("http://")))
                .with_connect_timeout(Duration::from_secs(5))
                .with_timeout(Duration::from_secs(120)),
        );
    if let Some(t) = &token {
        builder = builder.with_token(t.expose());
    }
    if let Some(e) = endpoint {
        builder = builder.with_endpoint(e);
    }
    let mut secrets = vec![key_id, secret];
    secrets.extend(token);
    let store = builder.build().map_err(|e| Error::Target {
        target: describe.to_string(),
        problem: format!("cannot use this S3 configuration: {e}"),
    })?;
    Ok((store, secrets))
}

impl S3Target {
    pub fn new(
        bucket: &str,
        region: &str,
        endpoint: Option<&str>,
        prefix: &str,
        path_style: bool,
    ) -> Result<S3Target> {
        let prefix = match prefix.trim_matches('/') {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let describe = format!("s3://{bucket}/{prefix}");
        let (store, secrets) = connect(bucket, region, endpoint, path_style, &describe)?;
        Ok(S3Target {
            store,
            bucket: bucket.to_string(),
            prefix,
            endpoint: endpoint
                .map(str::to_string)
                .unwrap_or_else(|| format!("AWS S3 in {region}")),
            secrets,
            part_size: PART_SIZE,
        })
    }

    /// Upload files larger than `bytes` in parts of that size.
    pub fn with_part_size(mut self, bytes: usize) -> S3Target {
        self.part_size = bytes;
        self
    }

    fn key(&self, path: &str) -> Result<Key> {
        Ok(Key::from(format!(
            "{}{}",
            self.prefix,
            super::site_path(self, path)?
        )))
    }

    fn redact(&self, text: String) -> String {
        self.secrets.iter().fold(text, |t, s| s.redact(&t))
    }

    fn remote(&self, path: &str, e: object_store::Error) -> Error {
        Error::Remote {
            target: self.describe(),
            message: self.redact(format!("{path}: {e}")),
        }
    }

    /// Say which of credentials, bucket or host is wrong, and what to do about it.
    fn diagnose(&self, e: object_store::Error) -> Error {
        let text = self.redact(format!("{e:?} {e}"));
        let problem = match &e {
            object_store::Error::PermissionDenied { .. }
            | object_store::Error::Unauthenticated { .. } => {
                let why = if text.contains("InvalidAccessKeyId") {
                    "the access key id is not known to the server"
                } else if text.contains("SignatureDoesNotMatch") {
                    "the secret access key does not match the access key id"
                } else if text.contains("ExpiredToken") {
                    "the session token has expired"
                } else {
                    "access was denied"
                };
                format!(
                    "wrong credentials: {why}. Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) and that this key may write to bucket `{}`",
                    self.bucket
                )
            }
            object_store::Error::NotFound { .. } => format!(
                "bucket `{}` does not exist at {}: create it, or correct `target.bucket` (and `target.endpoint`, `target.path_style`) in pipeline.toml",
                self.bucket, self.endpoint
            ),
            _ => format!(
                "cannot reach {}: check `target.endpoint` in pipeline.toml, the network and that the server is running ({})",
                self.endpoint,
                self.redact(e.to_string())
            ),
        };
        Error::Target {
            target: self.describe(),
            problem,
        }
    }

    async fn put_file(
        &self,
        key: &Key,
        path: &std::path::Path,
        attributes: Attributes,
        site_path: &str,
    ) -> Result<()> {
        let io = |e| Error::io(path, e);
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        if size as usize <= self.part_size {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).await.map_err(io)?;
            let opts = PutOptions {
                attributes,
                ..Default::default()
            };
            self.store
                .put_opts(key, PutPayload::from(bytes), opts)
                .await
                .map_err(|e| self.remote(key.as_ref(), e))?;
            return Ok(());
        }
        let opts = PutMultipartOptions {
            attributes,
            ..Default::default()
        };
        let id = self
            .store
            .create_multipart_opts(key, opts)
            .await
            .map_err(|e| self.remote(key.as_ref(), e))?;
        let name = staging::run().temp_name(site_path.rsplit('/').next().unwrap_or(site_path));
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let pending = Pending {
            path: site_path.to_string(),
            upload_id: id.clone(),
            started,
        };
        let recorded = self
            .update_ledger(|l| {
                l.insert(name.clone(), pending.clone());
            })
            .await;
        let result = match recorded {
            Ok(()) => self.put_parts(key, &id, &mut file, path).await,
            Err(e) => Err(e),
        };
        let finished = match result {
            Ok(parts) => self
                .store
                .complete_multipart(key, &id, parts)
                .await
                .map(|_| ())
                .map_err(|e| self.remote(key.as_ref(), e)),
            Err(e) => {
                let _ = self.store.abort_multipart(key, &id).await;
                Err(e)
            }
        };
        // Done or aborted: no longer in progress (a failure here leaves it to the sweep).
        if let Err(e) = self
            .update_ledger(|l| {
                l.remove(&name);
            })
            .await
        {
            tracing::warn!("{e}");
        }
        finished
    }

    /// Send the file's parts, [`PARTS_IN_FLIGHT`] at a time.
    async fn put_parts(
        &self,
        key: &Key,
        id: &str,
        file: &mut tokio::fs::File,
        path: &std::path::Path,
    ) -> Result<Vec<object_store::multipart::PartId>> {
        let mut parts = Vec::new();
        let mut in_flight = tokio::task::JoinSet::new();
        let mut index = 0;
        loop {
            let mut buf = vec![0u8; self.part_size];
            let mut n = 0;
            while n < buf.len() {
                let got = file
                    .read(&mut buf[n..])
                    .await
                    .map_err(|e| Error::io(path, e))?;
                if got == 0 {
                    break;
                }
                n += got;
            }
            if n == 0 {
                break;
            }
            buf.truncate(n);
            let (store, part_key, part_id) = (self.store.clone(), key.clone(), id.to_owned());
            in_flight.spawn(async move {
                let part = store
                    .put_part(&part_key, &part_id, index, PutPayload::from(buf))
                    .await;
                (index, part)
            });
            index += 1;
            while in_flight.len() >= PARTS_IN_FLIGHT {
                parts.push(self.joined(in_flight.join_next().await, key)?);
            }
        }
        while let Some(done) = in_flight.join_next().await {
            parts.push(self.joined(Some(done), key)?);
        }
        parts.sort_by_key(|(i, _)| *i);
        Ok(parts.into_iter().map(|(_, p)| p).collect())
    }

    fn joined(
        &self,
        done: Option<
            std::result::Result<
                (usize, object_store::Result<object_store::multipart::PartId>),
                tokio::task::JoinError,
            >,
        >,
        key: &Key,
    ) -> Result<(usize, object_store::multipart::PartId)> {
        match done {
            Some(Ok((i, Ok(part)))) => Ok((i, part)),
            Some(Ok((_, Err(e)))) => Err(self.remote(key.as_ref(), e)),
            Some(Err(e)) => Err(Error::Remote {
                target: self.describe(),
                message: format!("{}: a part upload stopped: {e}", key.as_ref()),
            }),
            None => Err(Error::Remote {
                target: self.describe(),
                message: format!("{}: no part upload was running", key.as_ref()),
            }),
        }
    }

    /// The ledger of multipart uploads in progress and its version.
    async fn ledger(&self) -> Result<(BTreeMap<String, Pending>, Option<Version>)> {
        match self.read(LEDGER).await? {
            None => Ok((BTreeMap::new(), None)),
            Some(p) => Ok((
                serde_json::from_slice(&p.bytes).unwrap_or_default(),
                Some(p.version),
            )),
        }
    }

    /// Change the ledger with a conditional write, again on a conflict with another run.
    async fn update_ledger(&self, change: impl Fn(&mut BTreeMap<String, Pending>)) -> Result<()> {
        for _ in 0..16 {
            let (mut ledger, version) = self.ledger().await?;
            change(&mut ledger);
            let bytes = serde_json::to_vec_pretty(&ledger).expect("the ledger serialises");
            let meta = FileMeta::new(LEDGER, blake3::hash(&bytes).to_hex().to_string());
            if self
                .put_if(LEDGER, &bytes, &meta, version.as_ref())
                .await?
                .is_some()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(rand::random_range(20..200))).await;
        }
        Err(Error::Remote {
            target: self.describe(),
            message: format!("{LEDGER} kept changing under this run; other runs are publishing"),
        })
    }
}

fn attributes(meta: &FileMeta) -> Attributes {
    let mut a = Attributes::new();
    a.insert(Attribute::ContentType, meta.content_type.into());
    a.insert(Attribute::CacheControl, meta.cache_control.into());
    a.insert(
        Attribute::Metadata(HASH_KEY.into()),
        meta.hash.clone().into(),
    );
    a
}

#[async_trait::async_trait]
impl Target for S3Target {
    fn describe(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    async fn check(&self) -> Result<()> {
        let probe = self.key(PROBE)?;
        self.store
            .put(&probe, PutPayload::from_static(b"eventcast write check"))
            .await
            .map_err(|e| self.diagnose(e))?;
        self.store
            .delete(&probe)
            .await
            .map_err(|e| self.diagnose(e))
    }

    async fn delete(&self, path: &str) -> Result<()> {
        match self.store.delete(&self.key(path)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.remote(path, e)),
        }
    }

    async fn read(&self, path: &str) -> Result<Option<Published>> {
        let got = match self.store.get(&self.key(path)?).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.remote(path, e)),
        };
        let etag = got.meta.e_tag.clone().unwrap_or_default();
        let bytes = got.bytes().await.map_err(|e| self.remote(path, e))?;
        Ok(Some(Published {
            bytes: bytes.to_vec(),
            version: Version(etag),
        }))
    }

    async fn stored_hash(&self, path: &str) -> Result<Option<String>> {
        let opts = GetOptions {
            head: true,
            ..Default::default()
        };
        match self.store.get_opts(&self.key(path)?, opts).await {
            Ok(g) => Ok(g
                .attributes
                .get(&Attribute::Metadata(HASH_KEY.into()))
                .map(|v| v.to_string())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.remote(path, e)),
        }
    }

    async fn put(&self, upload: &Upload, meta: &FileMeta) -> Result<()> {
        let key = self.key(&upload.path)?;
        match &upload.payload {
            Payload::File(p) => self.put_file(&key, p, attributes(meta), &upload.path).await,
            Payload::Bytes(b) => {
                let opts = PutOptions {
                    attributes: attributes(meta),
                    ..Default::default()
                };
                self.store
                    .put_opts(&key, PutPayload::from(b.clone()), opts)
                    .await
                    .map_err(|e| self.remote(&upload.path, e))?;
                Ok(())
            }
        }
    }

    async fn temporaries(&self) -> Result<Vec<Temporary>> {
        let (ledger, _) = self.ledger().await?;
        Ok(ledger
            .into_iter()
            .map(|(name, p)| Temporary {
                handle: name.clone(),
                name,
                modified: Some(std::time::UNIX_EPOCH + Duration::from_secs(p.started)),
            })
            .collect())
    }

    async fn discard(&self, t: &Temporary) -> Result<()> {
        let (ledger, _) = self.ledger().await?;
        if let Some(p) = ledger.get(&t.handle) {
            let key = self.key(&p.path)?;
            match self.store.abort_multipart(&key, &p.upload_id).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.remote(&p.path, e)),
            }
            tracing::info!(path = %p.path, "aborted a multipart upload left by a run that stopped");
        }
        self.update_ledger(|l| {
            l.remove(&t.handle);
        })
        .await
    }

    async fn put_if(
        &self,
        path: &str,
        bytes: &[u8],
        meta: &FileMeta,
        expected: Option<&Version>,
    ) -> Result<Option<Version>> {
        let mode = match expected {
            None => PutMode::Create,
            Some(v) => PutMode::Update(UpdateVersion {
                e_tag: Some(v.0.clone()),
                version: None,
            }),
        };
        let opts = PutOptions {
            mode,
            attributes: attributes(meta),
            ..Default::default()
        };
        match self
            .store
            .put_opts(&self.key(path)?, PutPayload::from(bytes.to_vec()), opts)
            .await
        {
            Ok(r) => Ok(Some(Version(r.e_tag.unwrap_or_default()))),
            Err(object_store::Error::Precondition { .. })
            | Err(object_store::Error::AlreadyExists { .. }) => Ok(None),
            Err(e) => Err(self.remote(path, e)),
        }
    }
}
