//! What every command opens once and shares across its webinars: the settings, the target
//! (opened, credentials read and checked on first use, so `plan` never touches it) and the
//! work folder.

use std::path::{Path, PathBuf};

use crate::config::{Config, Hold};
use crate::error::{Error, Result};
use crate::publish::{self, Target};

/// How to open a session: the command line's shared flags.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// pipeline.toml; none: the built-in example (only the demo and tests publish with it).
    pub config: Option<PathBuf>,
    /// Publish into this folder, whatever the config's target says.
    pub out: Option<PathBuf>,
    /// Where stage results are kept between runs.
    pub work: PathBuf,
    /// ffmpeg processes at once.
    pub jobs: usize,
    /// Encode and compare with the target, but upload nothing.
    pub dry_run: bool,
    /// Which webinars are held for review, whatever pipeline.toml's `review.hold` says.
    pub hold: Option<Hold>,
}

/// The settings, the target and the work folder, opened once.
pub struct Session {
    /// The settings as the user wrote them (what a webinar's fingerprint records).
    pub config: Config,
    pub options: SessionOptions,
    /// Opened (credentials read) on first use: `plan` never needs it.
    target: std::sync::OnceLock<Box<dyn Target>>,
    checked: tokio::sync::OnceCell<()>,
    /// The settings with the series artwork settled ([`Session::site_config`]).
    site: std::sync::OnceLock<Config>,
}

impl Session {
    /// Read the settings (nothing written yet).
    pub fn open(options: SessionOptions) -> Result<Session> {
        crate::ffmpeg::require_tools()?;
        let config = match &options.config {
            Some(p) => Config::load(p)?,
            None => Config::builtin(),
        };
        Ok(Session {
            config,
            options,
            target: std::sync::OnceLock::new(),
            checked: tokio::sync::OnceCell::new(),
            site: std::sync::OnceLock::new(),
        })
    }

    /// The settings the media and the site are made with: the series artwork settled (the
    /// published one, or a plain cover made in the work folder when pipeline.toml names
    /// none). Made on first use, once the cheap checks have passed.
    pub fn site_config(&self) -> Result<&Config> {
        if let Some(c) = self.site.get() {
            return Ok(c);
        }
        let mut config = self.config.clone();
        let work = self.work();
        std::fs::create_dir_all(work).map_err(|e| Error::io(work, e))?;
        crate::site::ensure_artwork(&mut config, self.target()?.local_root(), work)?;
        Ok(self.site.get_or_init(|| config))
    }

    /// Prove the target reachable and writable, once per session. A dry run writes
    /// nothing, not even the probe: reading the catalog proves the target is reachable.
    pub async fn check_target(&self) -> Result<()> {
        if self.options.dry_run {
            return Ok(());
        }
        let target = self.target()?;
        self.checked
            .get_or_try_init(|| target.check())
            .await
            .map(|_| ())
    }

    /// The target, opened on first use (`--out`, else pipeline.toml's `[target]`).
    pub fn target(&self) -> Result<&dyn Target> {
        if let Some(t) = self.target.get() {
            return Ok(&**t);
        }
        let opened = publish::open(&self.config.target, self.options.out.as_deref())?;
        Ok(&**self.target.get_or_init(|| opened))
    }

    pub fn work(&self) -> &Path {
        &self.options.work
    }

    /// The blake3 hash of an input file, remembered in the work folder while the file's
    /// size, time and inode stay the same ([`super::file_hash`]).
    pub fn hash(&self, path: &Path) -> Result<blake3::Hash> {
        super::file_hash(path, Some(&self.work().join(super::HASHES)))
    }

    /// The target's root, as people read it.
    pub fn target_root(&self) -> Result<PathBuf> {
        Ok(PathBuf::from(self.target()?.describe()))
    }
}
