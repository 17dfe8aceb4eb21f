//! Publish: put the built site into the target, media first and the feed last.
//!
//! Publishing is where a batch tool loses people's trust, so the rules live here once, for
//! every kind of target ([`dir`], [`s3`], [`webdav`]), and the targets only move bytes:
//! - a health check writes and deletes a probe before any encoding starts;
//! - at every moment the published feed and pages reference only files that are there:
//!   media goes up first, then pages, then `catalog.json`, the index, and `feed.xml` last;
//! - a file whose content hash (blake3, recorded with the file) is unchanged is not sent again;
//! - `catalog.json` is written only if it is still the version this run merged into
//!   (S3: If-Match on its ETag; dir and WebDAV: an exclusive lock and a content hash), and on
//!   a conflict the run re-reads it, merges again and re-renders the site, so two runs
//!   publishing different webinars at once both end up in the feed;
//! - after writing the feed, a run checks that no newer catalog was committed meanwhile, and
//!   if one was, renders the feed from it again, so the last feed written is never stale;
//! - a failure stops before the catalog, index and feed are touched and names every file
//!   that was not published; the site as published before stays consistent.

pub mod check;
pub mod dir;
pub mod s3;
pub mod staging;
pub mod webdav;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config;
use crate::error::{Error, Result};
use crate::site::catalog::Catalog;
use crate::site::SiteFile;

/// Something to publish, by its path from the site root.
#[derive(Debug, Clone)]
pub enum Payload {
    Bytes(Vec<u8>),
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Upload {
    pub path: String,
    pub payload: Payload,
}

impl From<SiteFile> for Upload {
    fn from(f: SiteFile) -> Self {
        Upload {
            path: f.path,
            payload: Payload::Bytes(f.contents),
        }
    }
}

impl Payload {
    /// blake3 of the content, hex.
    pub fn hash(&self) -> Result<String> {
        match self {
            Payload::Bytes(b) => Ok(blake3::hash(b).to_hex().to_string()),
            Payload::File(p) => {
                hash_file(p)?.ok_or_else(|| Error::input(p, "vanished before it was published"))
            }
        }
    }
}

/// blake3 of a file, hex; `None` if it does not exist.
pub fn hash_file(path: &Path) -> Result<Option<String>> {
    match std::fs::File::open(path) {
        Ok(f) => {
            let mut h = blake3::Hasher::new();
            h.update_reader(f).map_err(|e| Error::io(path, e))?;
            Ok(Some(h.finalize().to_hex().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// What a target records with a file besides its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    /// blake3 of the content, hex: how a re-run knows the file is already there.
    pub hash: String,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

/// Feed, catalog and index change with every webinar: caches must ask again soon.
const SHORT_CACHE: &str = "public, max-age=60";
/// Pages and styles change when a webinar is re-published or restyled.
const PAGE_CACHE: &str = "public, max-age=3600";
/// Media is large and rarely changes.
const LONG_CACHE: &str = "public, max-age=604800";

impl FileMeta {
    pub fn new(path: &str, hash: String) -> FileMeta {
        let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let content_type = crate::mime::content_type(path);
        let cache_control = match rank(path) {
            3..=5 => SHORT_CACHE,
            2 => PAGE_CACHE,
            _ if content_type.starts_with("text/") || ext == "json" => PAGE_CACHE,
            _ => LONG_CACHE,
        };
        FileMeta {
            hash,
            content_type,
            cache_control,
        }
    }
}

/// `path` checked to be a relative site path of safe components (no `..`, no absolute
/// path): every target builds its file names, URLs and keys through this.
pub fn site_path<'a>(target: &dyn Target, path: &'a str) -> Result<&'a str> {
    crate::safe::relative_path(path).map_err(|e| Error::Target {
        target: target.describe(),
        problem: format!("refusing to write outside the site: {e}"),
    })
}

/// A version of a published file as the target tells them apart (an ETag, a content hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

/// A file read back from the target.
pub struct Published {
    pub bytes: Vec<u8>,
    pub version: Version,
}

/// A place the site is published to. Implementations only move bytes; the order, the
/// skipping of unchanged files and the catalog merge are [`publish`]'s.
#[async_trait::async_trait]
pub trait Target: Send + Sync {
    /// Where this is, for people, e.g. `s3://bucket/podcast/`; never holds a secret.
    fn describe(&self) -> String;
    /// The folder holding the published site, for a target that is a local folder.
    fn local_root(&self) -> Option<&Path> {
        None
    }
    /// Prove the target is reachable and writable: write and delete a probe object.
    /// Errors say which of credentials, bucket/collection or host is wrong, and what to do.
    async fn check(&self) -> Result<()>;
    /// A published file and its version, `None` if there is none.
    async fn read(&self, path: &str) -> Result<Option<Published>>;
    /// The content hash recorded with a published file, `None` if absent or unrecorded.
    async fn stored_hash(&self, path: &str) -> Result<Option<String>>;
    /// Publish a file so that readers see the old or the new content, never a part.
    async fn put(&self, upload: &Upload, meta: &FileMeta) -> Result<()>;
    /// Delete a published file; one that is not there is fine.
    async fn delete(&self, path: &str) -> Result<()>;
    /// The temporaries in the target: files in the staging folder (S3: multipart uploads
    /// in progress), named by the run that made them (see [`staging`]).
    async fn temporaries(&self) -> Result<Vec<staging::Temporary>>;
    /// Remove a temporary (S3: abort the upload).
    async fn discard(&self, temporary: &staging::Temporary) -> Result<()>;
    /// Write what the target keeps about published files besides the files (WebDAV's
    /// manifest of content hashes on servers without properties); called before the
    /// catalog is written and after the feed.
    async fn flush(&self) -> Result<()> {
        Ok(())
    }
    /// Publish `bytes` only if the file is still at `expected` (`None`: must not exist).
    /// Returns the new version, or `None` if someone else changed it first.
    async fn put_if(
        &self,
        path: &str,
        bytes: &[u8],
        meta: &FileMeta,
        expected: Option<&Version>,
    ) -> Result<Option<Version>>;
}

/// Open the configured target; `out` (the `--out` flag) overrides it with a folder.
/// Credentials are read from the environment here, so a missing one fails at once.
pub fn open(target: &config::Target, out: Option<&Path>) -> Result<Box<dyn Target>> {
    if let Some(out) = out {
        return Ok(Box::new(dir::DirTarget::new(out)));
    }
    Ok(match target {
        config::Target::Dir { path } => Box::new(dir::DirTarget::new(path)),
        config::Target::S3 {
            bucket,
            region,
            endpoint,
            prefix,
            path_style,
            part_size_mib,
        } => Box::new(
            s3::S3Target::new(bucket, region, endpoint.as_deref(), prefix, *path_style)?
                .with_part_size(*part_size_mib as usize * 1024 * 1024),
        ),
        config::Target::Webdav { url } => Box::new(webdav::WebdavTarget::new(url)?),
    })
}

/// What a publish did (or, in a dry run, would do) with each file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PublishReport {
    /// Files uploaded (in a dry run: that would be), new or changed.
    pub written: Vec<String>,
    /// The subset of `written` that replaced a different published file.
    pub changed: Vec<String>,
    /// Files already published with the same content.
    pub unchanged: Vec<String>,
    /// Times the catalog had been changed by another run and was merged again.
    pub conflicts: usize,
    pub dry_run: bool,
}

/// Publication order: media and other assets, pages, catalog, index, feed.
fn rank(path: &str) -> u8 {
    match path {
        "feed.xml" => 5,
        "index.html" => 4,
        "catalog.json" => 3,
        p if p.ends_with(".html") => 2,
        _ => 1,
    }
}

pub fn ordered(mut uploads: Vec<Upload>) -> Vec<Upload> {
    uploads.sort_by(|a, b| rank(&a.path).cmp(&rank(&b.path)).then(a.path.cmp(&b.path)));
    uploads
}

pub const CATALOG: &str = "catalog.json";

/// Rounds of merge-again before giving up on a catalog that keeps changing under us.
const MAX_ROUNDS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    New,
    Changed,
    Unchanged,
}

/// Read the published catalog: an empty one for a new site, an error if it is damaged.
pub async fn read_catalog(target: &dyn Target) -> Result<(Catalog, Option<Published>)> {
    let Some(p) = target.read(CATALOG).await? else {
        return Ok((Catalog::default(), None));
    };
    let text = String::from_utf8_lossy(&p.bytes);
    let catalog = Catalog::from_json(&text).map_err(|e| Error::Target {
        target: target.describe(),
        problem: format!(
            "the published {CATALOG} is damaged ({e}); restore it from a backup before publishing again"
        ),
    })?;
    Ok((catalog, Some(p)))
}

/// What the publisher asks of the site stage: every site file (`catalog.json` included)
/// for the catalog as published now, this webinar merged in. Asked again whenever another
/// run changed the catalog meanwhile. A closure over the catalog is one.
pub trait Render {
    fn render(&mut self, published: Catalog) -> Result<Vec<Upload>>;
}

impl<F: FnMut(Catalog) -> Result<Vec<Upload>>> Render for F {
    fn render(&mut self, published: Catalog) -> Result<Vec<Upload>> {
        self(published)
    }
}

/// Publish `media` and the site `site` renders from the published catalog.
pub async fn publish(
    target: &dyn Target,
    media: Vec<Upload>,
    site: &mut (dyn Render + Send),
    dry_run: bool,
) -> Result<PublishReport> {
    if !dry_run {
        staging::sweep(target).await;
    }
    let mut seen: BTreeMap<String, (String, Status)> = BTreeMap::new();
    let mut conflicts = 0;
    for round in 0..MAX_ROUNDS {
        if round > 0 {
            // Let the other run finish its feed before merging again.
            let ms = rand::random_range(50..250) * round as u64;
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        let (catalog, current) = read_catalog(target).await?;
        let mut files = media.clone();
        files.extend(site.render(catalog)?);
        let files = ordered(files);
        let mut committed = current.as_ref().map(|p| p.version.clone());
        for (i, up) in files.iter().enumerate() {
            let result = if up.path == CATALOG {
                let bytes = match &up.payload {
                    Payload::Bytes(b) => b.clone(),
                    Payload::File(p) => std::fs::read(p).map_err(|e| Error::io(p, e))?,
                };
                let hash = up.payload.hash()?;
                if current.as_ref().is_some_and(|p| p.bytes == bytes) {
                    seen.insert(up.path.clone(), (hash, Status::Unchanged));
                    continue;
                }
                let status = if current.is_some() {
                    Status::Changed
                } else {
                    Status::New
                };
                if dry_run {
                    seen.insert(up.path.clone(), (hash, status));
                    continue;
                }
                let meta = FileMeta::new(CATALOG, hash.clone());
                target.flush().await.map_err(|e| Error::Unpublished {
                    target: target.describe(),
                    reason: e.detail(),
                    not_published: files[i..].iter().map(|u| u.path.clone()).collect(),
                })?;
                match target
                    .put_if(CATALOG, &bytes, &meta, current.as_ref().map(|p| &p.version))
                    .await
                {
                    Ok(Some(v)) => {
                        committed = Some(v);
                        seen.insert(up.path.clone(), (hash, status));
                        Ok(())
                    }
                    Ok(None) => {
                        tracing::info!("{CATALOG} was changed by another run: merging again");
                        conflicts += 1;
                        break;
                    }
                    Err(e) => Err(e),
                }
            } else {
                sync(target, up, &mut seen, dry_run).await
            };
            if let Err(e) = result {
                return Err(Error::Unpublished {
                    target: target.describe(),
                    reason: e.detail(),
                    not_published: files[i..].iter().map(|u| u.path.clone()).collect(),
                });
            }
            if up.path == "feed.xml" {
                if dry_run {
                    return Ok(report(seen, conflicts, true));
                }
                if let Err(e) = target.flush().await {
                    tracing::warn!("{e}");
                }
                // A run that committed a newer catalog may have written its feed before ours.
                let now = target.read(CATALOG).await?.map(|p| p.version);
                if now == committed {
                    return Ok(report(seen, conflicts, false));
                }
                tracing::info!("{CATALOG} changed while publishing: rendering the feed again");
                conflicts += 1;
            }
        }
    }
    Err(Error::Unpublished {
        target: target.describe(),
        reason: format!(
            "{CATALOG} kept changing under this run ({MAX_ROUNDS} attempts); other runs are publishing"
        ),
        not_published: vec![CATALOG.into(), "index.html".into(), "feed.xml".into()],
    })
}

/// Upload one file unless the target already has this content.
async fn sync(
    target: &dyn Target,
    up: &Upload,
    seen: &mut BTreeMap<String, (String, Status)>,
    dry_run: bool,
) -> Result<()> {
    let hash = up.payload.hash()?;
    if seen.get(&up.path).is_some_and(|(h, _)| *h == hash) {
        return Ok(());
    }
    let status = match target.stored_hash(&up.path).await? {
        Some(h) if h == hash => Status::Unchanged,
        Some(_) => Status::Changed,
        None => Status::New,
    };
    if status != Status::Unchanged && !dry_run {
        let meta = FileMeta::new(&up.path, hash.clone());
        target.put(up, &meta).await?;
        tracing::debug!(path = %up.path, "published");
    }
    seen.insert(up.path.clone(), (hash, status));
    Ok(())
}

fn report(
    seen: BTreeMap<String, (String, Status)>,
    conflicts: usize,
    dry_run: bool,
) -> PublishReport {
    let mut r = PublishReport {
        conflicts,
        dry_run,
        ..Default::default()
    };
    let mut paths: Vec<_> = seen.into_iter().collect();
    paths.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    for (path, (_, status)) in paths {
        match status {
            Status::Unchanged => r.unchanged.push(path),
            Status::Changed => {
                r.changed.push(path.clone());
                r.written.push(path);
            }
            Status::New => r.written.push(path),
        }
    }
    r
}

/// A credential read from the environment. It prints as `[redacted]` so that no `{:?}`
/// of a struct holding one can leak it into a log.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Secret {
    /// The value of environment variable `var`; an error naming it if unset or empty.
    pub fn from_env(var: &str, target: &str, what: &str) -> Result<Secret> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret(v)),
            _ => Err(Error::Target {
                target: target.to_string(),
                problem: format!(
                    "{var} is not set: export it with {what} before running (credentials are never read from pipeline.toml)"
                ),
            }),
        }
    }

    pub fn optional(var: &str) -> Option<Secret> {
        std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .map(Secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of this secret replaced (defence in depth for messages
    /// that quote a server or library error).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_goes_last_and_media_first() {
        let up = |p: &str| Upload {
            path: p.into(),
            payload: Payload::Bytes(vec![]),
        };
        let order: Vec<String> = ordered(vec![
            up("feed.xml"),
            up("index.html"),
            up("w/index.html"),
            up("catalog.json"),
            up("w/talk-1.mp3"),
        ])
        .into_iter()
        .map(|u| u.path)
        .collect();
        assert_eq!(
            order,
            [
                "w/talk-1.mp3",
                "w/index.html",
                "catalog.json",
                "index.html",
                "feed.xml"
            ]
        );
    }

    #[test]
    fn types_and_cache_policies() {
        let m = FileMeta::new("w/talk-1.mp3", String::new());
        assert_eq!(
            (m.content_type, m.cache_control),
            ("audio/mpeg", LONG_CACHE)
        );
        let f = FileMeta::new("feed.xml", String::new());
        assert_eq!(f.content_type, "application/rss+xml; charset=utf-8");
        assert_eq!(f.cache_control, SHORT_CACHE);
        assert_eq!(
            FileMeta::new("catalog.json", String::new()).cache_control,
            SHORT_CACHE
        );
        assert_eq!(
            FileMeta::new("w/index.html", String::new()).cache_control,
            PAGE_CACHE
        );
        assert_eq!(
            FileMeta::new("w/x.vtt", String::new()).content_type,
            "text/vtt; charset=utf-8"
        );
        assert_eq!(
            FileMeta::new("w/talk-1.mp4", String::new()).content_type,
            "video/mp4"
        );
    }

    /// A target whose every upload fails as a server's refusal would.
    struct Refusing;

    #[async_trait::async_trait]
    impl Target for Refusing {
        fn describe(&self) -> String {
            "http://dav.example/site/".into()
        }
        async fn check(&self) -> Result<()> {
            Ok(())
        }
        async fn read(&self, _: &str) -> Result<Option<Published>> {
            Ok(None)
        }
        async fn stored_hash(&self, _: &str) -> Result<Option<String>> {
            Ok(None)
        }
        async fn put(&self, u: &Upload, _: &FileMeta) -> Result<()> {
            Err(Error::Remote {
                target: self.describe(),
                message: format!("LOCK {}: the server answered 405", u.path),
            })
        }
        async fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
        async fn temporaries(&self) -> Result<Vec<staging::Temporary>> {
            Ok(Vec::new())
        }
        async fn discard(&self, _: &staging::Temporary) -> Result<()> {
            Ok(())
        }
        async fn put_if(
            &self,
            _: &str,
            _: &[u8],
            _: &FileMeta,
            _: Option<&Version>,
        ) -> Result<Option<Version>> {
            Ok(None)
        }
    }

    #[test]
    fn a_failed_publish_names_its_target_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let media = vec![Upload {
            path: "w/talk-1.mp3".into(),
            payload: Payload::Bytes(b"x".to_vec()),
        }];
        let mut site = |_: Catalog| -> Result<Vec<Upload>> { Ok(Vec::new()) };
        let err = rt
            .block_on(publish(&Refusing, media, &mut site, false))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err.matches("publish target http://dav.example/site/")
                .count(),
            1,
            "{err}"
        );
        assert!(
            err.contains("LOCK w/talk-1.mp3: the server answered 405"),
            "{err}"
        );
    }

    #[test]
    fn secrets_print_redacted() {
        let s = Secret("hunter2-very-secret".into());
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.redact("key hunter2-very-secret!"), "key [redacted]!");
    }
}
