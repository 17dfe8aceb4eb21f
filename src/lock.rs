//! The one lock between eventcast processes: an OS advisory lock (`flock`) on a file. The OS
//! releases it when its holder exits or is killed, so a lock is never left behind by a run
//! that stopped, and nothing has to guess from a file's age or contents whether its holder
//! is alive.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Delete the file on release (a lock inside a published folder leaves no trace).
    remove: bool,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no one can lock the old file after it is gone.
        if self.remove {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Take the lock of `path` (created if missing, kept afterwards), or `None` when another
/// live process holds it. The file says which process holds it, for a person looking.
pub fn try_take(path: &Path) -> Result<Option<Lock>> {
    Ok(attempt(path, false)?.flatten())
}

/// Take webinar `slug`'s lock in the work folder `work`, or `None` when another live
/// process holds it: a batch working on it, or a release of it.
pub fn webinar(work: &Path, slug: &str) -> Result<Option<Lock>> {
    let name = crate::safe::component(slug).map_err(|e| {
        Error::Mismatch(format!(
            "the webinar's lock file name {e}; check the agenda's `date` and `title`"
        ))
    })?;
    try_take(&work.join(format!("{name}.lock")))
}

/// Take the lock of `path`, waiting up to `wait` for another process to release it; the
/// file is deleted when the lock is released. The wait sleeps on the async runtime's timer,
/// never blocking one of its threads.
pub async fn take(path: &Path, wait: Duration) -> Result<Lock> {
    let started = Instant::now();
    loop {
        match attempt(path, true)? {
            Some(Some(lock)) => return Ok(lock),
            // The holder deleted the file as we opened it: try the new one at once.
            Some(None) => continue,
            None if started.elapsed() > wait => {
                return Err(Error::input(
                    path,
                    "another eventcast run has held this lock for a long time; wait for it \
                     to finish",
                ))
            }
            None => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// One try: `None` when another process holds the lock; `Some(None)` when the file was
/// deleted (by a holder releasing a removable lock) between opening and locking it.
fn attempt(path: &Path, remove: bool) -> Result<Option<Option<Lock>>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
    }
    if remove && !same_file(&file, path) {
        return Ok(Some(None));
    }
    use std::io::Write;
    let _ = file.set_len(0);
    let _ = writeln!(&file, "{}", std::process::id());
    Ok(Some(Some(Lock {
        file,
        path: path.to_path_buf(),
        remove,
    })))
}

/// Whether `path` still names the file `file` has open.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_not_taken_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.lock");
        let held = try_take(&path).unwrap().expect("free");
        assert!(try_take(&path).unwrap().is_none());
        drop(held);
        assert!(try_take(&path).unwrap().is_some());
        assert!(path.exists(), "a kept lock file stays");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_waiting_lock_is_taken_when_released_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".catalog.json.lock");
        let first = take(&path, Duration::from_secs(5)).await.unwrap();
        let p = path.clone();
        // The waiter sleeps on the runtime's timer, so this single-threaded runtime can
        // still run the task that releases the first lock.
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(120)).await;
            drop(first);
        });
        let second = take(&p, Duration::from_secs(5)).await.unwrap();
        release.await.unwrap();
        drop(second);
        assert!(!path.exists());
        assert!(take(&path, Duration::ZERO).await.is_ok());
    }
}
