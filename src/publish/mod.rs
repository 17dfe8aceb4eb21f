//! Publish: put the built site into the target, media first and the feed last.
//!
//! At every moment the published feed and pages reference only files that are already
//! there: media goes up first, then pages, then `catalog.json`, the index, and `feed.xml`
//! last. Each file is written to a temporary name and renamed into place, so a reader
//! never sees half a file, and a file whose content is unchanged is not written again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PublishReport {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
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

/// A local folder, e.g. one a web server serves.
pub struct DirTarget {
    pub root: PathBuf,
}

impl DirTarget {
    /// The published catalog, or an empty one for a new site.
    pub fn read_catalog(&self) -> Result<Catalog> {
        let path = self.root.join("catalog.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => Catalog::from_json(&text).map_err(|e| {
                Error::input(
                    &path,
                    format!("the published catalog is damaged ({e}); restore it from a backup before publishing again"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalog::default()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Wait for exclusive use of the site (other eventcast runs publishing into the same
    /// folder), so that reading, merging and writing the catalog is one step. The OS drops
    /// the lock if its holder dies.
    pub async fn lock(&self) -> Result<std::fs::File> {
        let path = self.root.join(".eventcast.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let mut waited = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !waited {
                        tracing::info!(
                            "another run is publishing into {}: waiting for it",
                            self.root.display()
                        );
                        waited = true;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }

    /// Check the folder can be written before any long work starts.
    pub fn check(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(|e| {
            Error::input(
                &self.root,
                format!("the output folder cannot be created: {e}"),
            )
        })?;
        let probe = self.root.join(".eventcast-write-check");
        std::fs::write(&probe, b"ok")
            .and_then(|_| std::fs::remove_file(&probe))
            .map_err(|e| {
                Error::input(
                    &self.root,
                    format!("the output folder is not writable: {e}"),
                )
            })
    }

    /// Delete a webinar's folder, once nothing published points into it any more.
    pub fn delete_folder(&self, slug: &str) -> Result<()> {
        let mut parts = Path::new(slug).components();
        let single = matches!(
            (parts.next(), parts.next()),
            (Some(std::path::Component::Normal(_)), None)
        );
        if !single {
            return Err(Error::input(
                self.root.join("catalog.json"),
                format!("\"{slug}\" is not a webinar folder name; refusing to delete it"),
            ));
        }
        let dir = self.root.join(slug);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&dir, e)),
        }
    }

    pub fn publish(&self, uploads: Vec<Upload>) -> Result<PublishReport> {
        let mut report = PublishReport::default();
        for up in ordered(uploads) {
            let dest = self.root.join(&up.path);
            if same_content(&dest, &up.payload)? {
                report.unchanged.push(up.path);
                continue;
            }
            write_atomically(&dest, &up.payload)?;
            report.written.push(up.path);
        }
        Ok(report)
    }
}

fn hash_file(path: &Path) -> Result<Option<blake3::Hash>> {
    match std::fs::File::open(path) {
        Ok(f) => {
            let mut h = blake3::Hasher::new();
            h.update_reader(f).map_err(|e| Error::io(path, e))?;
            Ok(Some(h.finalize()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn same_content(dest: &Path, payload: &Payload) -> Result<bool> {
    let Some(existing) = hash_file(dest)? else {
        return Ok(false);
    };
    let new = match payload {
        Payload::Bytes(b) => blake3::hash(b),
        Payload::File(p) => {
            hash_file(p)?.ok_or_else(|| Error::input(p, "vanished before it was published"))?
        }
    };
    Ok(existing == new)
}

fn write_atomically(dest: &Path, payload: &Payload) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = match payload {
        Payload::Bytes(b) => std::fs::write(&tmp, b),
        Payload::File(p) => std::fs::copy(p, &tmp).map(|_| ()),
    };
    written
        .and_then(|_| std::fs::rename(&tmp, dest))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(dest, e)
        })
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
}
