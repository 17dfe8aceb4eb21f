//! A local folder, e.g. one a web server serves (the default target).
//!
//! Each file is written to a temporary name in the staging folder (see [`super::staging`])
//! and renamed into place, so a reader never sees half a file and a killed run's leftover
//! is found and removed by the next. A folder has no ETags, so the catalog's conditional
//! write takes an exclusive lock ([`crate::lock`]: the OS releases it when its holder dies)
//! and compares content hashes under it. Content-Type and Cache-Control are the web server's business here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::staging::{self, Temporary, STAGING};
use super::{hash_file, FileMeta, Payload, Published, Target, Upload, Version};
use crate::error::{Error, Result};

pub struct DirTarget {
    pub root: PathBuf,
}

/// How long to wait for another run's lock before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(30);

impl DirTarget {
    pub fn new(root: &Path) -> DirTarget {
        DirTarget {
            root: root.to_path_buf(),
        }
    }

    /// The file of a site path, inside the root.
    fn file(&self, path: &str) -> Result<PathBuf> {
        Ok(self.root.join(super::site_path(self, path)?))
    }

    /// The catalog's lock (see [`crate::lock`]): waited for without blocking the runtime,
    /// and deleted when released.
    async fn lock(&self, name: &str) -> Result<crate::lock::Lock> {
        crate::lock::take(&self.root.join(format!(".{name}.lock")), LOCK_WAIT).await
    }
}

#[async_trait::async_trait]
impl Target for DirTarget {
    fn local_root(&self) -> Option<&Path> {
        Some(&self.root)
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    async fn check(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(|e| {
            Error::input(
                &self.root,
                format!("the output folder cannot be created: {e}"),
            )
        })?;
        let staging = self.root.join(STAGING);
        let probe = self.root.join(staging::run().temp_path("probe"));
        let written = std::fs::create_dir_all(&staging)
            .and_then(|_| std::fs::write(&probe, b"ok"))
            .and_then(|_| std::fs::remove_file(&probe));
        tidy(&self.root);
        written.map_err(|e| {
            Error::input(
                &self.root,
                format!("the output folder is not writable: {e}"),
            )
        })
    }

    async fn read(&self, path: &str) -> Result<Option<Published>> {
        let file = self.file(path)?;
        match std::fs::read(&file) {
            Ok(bytes) => {
                let version = Version(blake3::hash(&bytes).to_hex().to_string());
                Ok(Some(Published { bytes, version }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&file, e)),
        }
    }

    async fn stored_hash(&self, path: &str) -> Result<Option<String>> {
        hash_file(&self.file(path)?)
    }

    async fn put(&self, upload: &Upload, _meta: &FileMeta) -> Result<()> {
        write_atomically(&self.root, &self.file(&upload.path)?, &upload.payload)
    }

    async fn delete(&self, path: &str) -> Result<()> {
        let file = self.file(path)?;
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&file, e)),
            _ => Ok(()),
        }
    }

    async fn temporaries(&self) -> Result<Vec<Temporary>> {
        let mut out = Vec::new();
        let staging = self.root.join(STAGING);
        for e in std::fs::read_dir(&staging).into_iter().flatten().flatten() {
            out.push(Temporary {
                name: e.file_name().to_string_lossy().into_owned(),
                modified: e.metadata().and_then(|m| m.modified()).ok(),
                handle: e.path().to_string_lossy().into_owned(),
            });
        }
        // Older versions wrote `.<name>.<pid>-<random>.tmp` beside the file.
        for path in legacy_temporaries(&self.root) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let pid = legacy_pid(&name).unwrap_or(0);
            out.push(Temporary {
                name: format!("{}.{pid}.00000000.{name}", staging::run().host),
                modified: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
                handle: path.to_string_lossy().into_owned(),
            });
        }
        Ok(out)
    }

    async fn flush(&self) -> Result<()> {
        tidy(&self.root);
        Ok(())
    }

    async fn discard(&self, t: &Temporary) -> Result<()> {
        let path = Path::new(&t.handle);
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
            _ => Ok(()),
        }
    }

    async fn put_if(
        &self,
        path: &str,
        bytes: &[u8],
        _meta: &FileMeta,
        expected: Option<&Version>,
    ) -> Result<Option<Version>> {
        let file = self.file(path)?;
        let _lock = self.lock(path).await?;
        let now = hash_file(&file)?.map(Version);
        if now.as_ref() != expected {
            return Ok(None);
        }
        write_atomically(&self.root, &file, &Payload::Bytes(bytes.to_vec()))?;
        Ok(Some(Version(blake3::hash(bytes).to_hex().to_string())))
    }
}

/// Write `dest` (a file under `root`) through a temporary in the staging folder.
fn write_atomically(root: &Path, dest: &Path, payload: &Payload) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staging = root.join(STAGING);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = root.join(staging::run().temp_path(&name));
    let write = || match payload {
        Payload::Bytes(b) => std::fs::write(&tmp, b),
        Payload::File(p) => std::fs::copy(p, &tmp).map(|_| ()),
    };
    let written = match write() {
        // Another run removed the empty staging folder meanwhile (see `tidy`).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !staging.exists() => {
            std::fs::create_dir_all(&staging).and_then(|_| write())
        }
        other => other,
    };
    written
        .and_then(|_| std::fs::rename(&tmp, dest))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(dest, e)
        })
}

/// Remove the staging folder if it is empty, so a published folder holds only the site.
fn tidy(root: &Path) {
    let _ = std::fs::remove_dir(root.join(STAGING));
}

/// The process id in an older version's temporary name `.<name>.<pid>-<random>.tmp`.
pub fn legacy_pid(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tail) = stem.rsplit_once('.')?;
    let (pid, random) = tail.split_once('-')?;
    random.chars().all(|c| c.is_ascii_digit()).then_some(())?;
    pid.parse().ok()
}

/// Files below `root` named as older versions named their temporaries.
pub fn legacy_temporaries(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != STAGING {
                    stack.push(p);
                }
            } else if legacy_pid(&e.file_name().to_string_lossy()).is_some() {
                out.push(p);
            }
        }
    }
    out
}

/// Delete a webinar's folder under `root`, once nothing published points into it any more.
pub fn delete_folder(root: &Path, slug: &str) -> Result<()> {
    let name = crate::safe::component(slug).map_err(|e| {
        Error::input(
            root.join("catalog.json"),
            format!("{e}; refusing to delete it as a webinar folder"),
        )
    })?;
    let dir = root.join(name);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&dir, e)),
    }
}
