//! An S3-compatible bucket, through `object_store` (request signing, multipart uploads,
//! retries with backoff and jitter are its well-tested job, not ours).
//!
//! The content hash travels as user metadata (`x-amz-meta-blake3`), so a re-run learns
//! with one HEAD per file whether it is already there. The catalog is written with
//! If-Match on the ETag it was read with (If-None-Match for a new site).

use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, GetOptions, ObjectStore, ObjectStoreExt,
    PutMode, PutMultipartOptions, PutOptions, PutPayload, RetryConfig, UpdateVersion,
    WriteMultipart,
};
use tokio::io::AsyncReadExt;

use super::{FileMeta, Payload, Published, Secret, Target, Upload, Version};
use crate::error::{Error, Result};

/// Files above this go up in parts of this size.
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 4;
const HASH_KEY: &str = "blake3";

pub struct S3Target {
    store: AmazonS3,
    bucket: String,
    prefix: String,
    endpoint: String,
    secrets: Vec<Secret>,
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
        let how = "the access key of a user that may write to the bucket";
        let key_id = Secret::from_env("AWS_ACCESS_KEY_ID", &describe, how)?;
        let secret = Secret::from_env("AWS_SECRET_ACCESS_KEY", &describe, how)?;
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
            target: describe.clone(),
            problem: format!("cannot use this S3 configuration: {e}"),
        })?;
        Ok(S3Target {
            store,
            bucket: bucket.to_string(),
            prefix,
            endpoint: endpoint
                .map(str::to_string)
                .unwrap_or_else(|| format!("AWS S3 in {region}")),
            secrets,
        })
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
    ) -> Result<()> {
        let io = |e| Error::io(path, e);
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        if size as usize <= PART_SIZE {
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
        let upload = self
            .store
            .put_multipart_opts(key, opts)
            .await
            .map_err(|e| self.remote(key.as_ref(), e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut buf = vec![0u8; PART_SIZE];
        let result: Result<()> = async {
            loop {
                let n = file.read(&mut buf).await.map_err(io)?;
                if n == 0 {
                    return Ok(());
                }
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(|e| self.remote(key.as_ref(), e))?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match result {
            Ok(()) => {
                writer
                    .finish()
                    .await
                    .map_err(|e| self.remote(key.as_ref(), e))?;
                Ok(())
            }
            Err(e) => {
                let _ = writer.abort().await;
                Err(e)
            }
        }
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
        let probe = self.key(&format!(".eventcast-probe-{:016x}", rand::random::<u64>()))?;
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
            Payload::File(p) => self.put_file(&key, p, attributes(meta)).await,
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
