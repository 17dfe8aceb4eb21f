//! What identifies a webinar's inputs: a fingerprint of their bytes and the settings, with
//! each file's hash remembered under what identifies its content cheaply.

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::Sources;

/// A hash of everything a published webinar was made from: the input files' contents and
/// the settings. The catalog records it, so a batch run can skip what is up to date.
/// `hash` gives a file's content hash ([`file_hash`], or one a bucket remembers).
pub fn fingerprint(
    sources: &Sources,
    config: &Config,
    hash: impl Fn(&Path) -> Result<blake3::Hash>,
) -> Result<String> {
    let mut h = blake3::Hasher::new();
    for path in sources.files() {
        h.update(hash(path)?.as_bytes());
        h.update(b"\0");
    }
    // What to produce, not where it goes: the same webinar moved to another target (or
    // reached through another endpoint) is the same webinar.
    let settings = (&config.series, &config.site, &config.output);
    h.update(&serde_json::to_vec(&settings).expect("config serialises"));
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    Ok(h.finalize().to_hex()[..32].to_string())
}

/// The folder of a work folder that remembers input files' hashes (see [`file_hash`]).
pub const HASHES: &str = "hashes";

/// The blake3 hash of a file's bytes. With `hashes` (a folder), it is remembered under
/// what identifies the file's content cheaply (its path, size, modification time and
/// inode) and read from there while those stay the same: a batch pass over an inbox where
/// nothing changed reads no recording. A file rewritten in place gets a new modification
/// time, so it is hashed again.
pub fn file_hash(path: &Path, hashes: Option<&Path>) -> Result<blake3::Hash> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::input(path, format!("cannot be read: {e}")))?;
    let entry = hashes.map(|dir| dir.join(identity(path, &meta).to_hex().as_str()));
    if let Some(known) = entry
        .as_deref()
        .and_then(|e| std::fs::read_to_string(e).ok())
    {
        if let Ok(h) = blake3::Hash::from_hex(known.trim()) {
            return Ok(h);
        }
    }
    let f = std::fs::File::open(path)
        .map_err(|e| Error::input(path, format!("cannot be read: {e}")))?;
    let mut h = blake3::Hasher::new();
    h.update_reader(f).map_err(|e| Error::io(path, e))?;
    let hash = h.finalize();
    if let (Some(dir), Some(entry)) = (hashes, entry) {
        // A cache: failing to remember only costs a read next time.
        let remembered = std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(dir, e))
            .and_then(|_| crate::safe::write_atomic(&entry, hash.to_hex().as_bytes()));
        if let Err(e) = remembered {
            tracing::debug!("could not remember the hash of {}: {e}", path.display());
        }
    }
    Ok(hash)
}

/// What identifies a file's content without reading it.
fn identity(path: &Path, meta: &std::fs::Metadata) -> blake3::Hash {
    use std::os::unix::fs::MetadataExt;
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut h = blake3::Hasher::new();
    h.update(absolute.as_os_str().as_encoded_bytes());
    for n in [
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ino(),
        meta.dev(),
    ] {
        h.update(&n.to_le_bytes());
    }
    h.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn a_file_is_hashed_again_only_when_its_size_time_or_inode_change() {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("recording.m4a");
        let hashes = dir.path().join(HASHES);
        std::fs::write(&recording, b"first take").unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let set_time = |t: SystemTime| {
            std::fs::File::options()
                .write(true)
                .open(&recording)
                .unwrap()
                .set_modified(t)
                .unwrap()
        };
        set_time(when);
        let first = file_hash(&recording, Some(&hashes)).unwrap();
        assert_eq!(first, blake3::hash(b"first take"));
        // Same size, same time, same inode: the remembered hash, without reading the file
        // (the bytes changed behind the cache's back, which only a forger does).
        std::fs::write(&recording, b"other take").unwrap();
        set_time(when);
        assert_eq!(file_hash(&recording, Some(&hashes)).unwrap(), first);
        // Without the cache, or once the time moves, the bytes are read again.
        assert_eq!(
            file_hash(&recording, None).unwrap(),
            blake3::hash(b"other take")
        );
        set_time(when + Duration::from_secs(1));
        assert_eq!(
            file_hash(&recording, Some(&hashes)).unwrap(),
            blake3::hash(b"other take")
        );
        // A file of another size is another file.
        std::fs::write(&recording, b"a longer third take").unwrap();
        set_time(when);
        assert_eq!(
            file_hash(&recording, Some(&hashes)).unwrap(),
            blake3::hash(b"a longer third take")
        );
    }
}
