//! Temporary files: where they live, whose they are, and when they may go.
//!
//! A file is written under a temporary name and moved into place, so readers never see
//! half of it. A run killed mid-write (kill -9, a crash, a lost machine) leaves that
//! temporary behind, where a web server may serve it. So every temporary lives in one
//! folder at the site root, [`STAGING`], under a name that says which run made it
//! (`<host>.<pid>.<nonce>.<n>-<file>`), and every publish first removes those of runs that
//! are gone ([`sweep`]): a run on this machine is gone when its process is; a run on
//! another machine, when its temporary has not changed for [`STALE`]. A temporary of a
//! run that is still writing is never touched. S3 writes each object atomically and has
//! no temporary files; its multipart uploads in progress are its temporaries, recorded in
//! a ledger in the staging folder (see `s3.rs`) and aborted by the same rule.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use super::Target;

/// The staging folder at the site root.
pub const STAGING: &str = ".eventcast-tmp";
/// A temporary of a run on another machine is taken as abandoned once unchanged this long.
pub const STALE: Duration = Duration::from_secs(3600);

/// This process's run: host, process id and a random nonce.
pub struct Run {
    pub host: String,
    pub pid: u32,
    nonce: u32,
    seq: AtomicU64,
}

/// The run of this process.
pub fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| Run {
        host: host_name(),
        pid: std::process::id(),
        nonce: rand::random(),
        seq: AtomicU64::new(0),
    })
}

/// The machine's name as a name part: letters, digits and '-' only.
fn host_name() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let name: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    if name.is_empty() {
        "host".into()
    } else {
        name
    }
}

impl Run {
    /// `<host>.<pid>.<nonce>`: what every temporary name of this run starts with.
    pub fn id(&self) -> String {
        format!("{}.{}.{:08x}", self.host, self.pid, self.nonce)
    }

    /// A new temporary name for `file` (a file name, not a path), unique in this run.
    pub fn temp_name(&self, file: &str) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let file: String = file.chars().take(80).collect();
        format!("{}.{n}-{file}", self.id())
    }

    /// The site path of a new temporary for `file`.
    pub fn temp_path(&self, file: &str) -> String {
        format!("{STAGING}/{}", self.temp_name(file))
    }
}

/// Who made a temporary, read back from its name.
#[derive(Debug, PartialEq)]
pub struct Owner {
    pub host: String,
    pub pid: u32,
}

/// The run that made the temporary `name` (a name inside [`STAGING`]), if it is one.
pub fn owner(name: &str) -> Option<Owner> {
    let mut parts = name.splitn(4, '.');
    let host = parts.next()?;
    let pid = parts.next()?.parse().ok()?;
    let nonce = parts.next()?;
    let rest = parts.next()?;
    let ok = !host.is_empty()
        && nonce.len() == 8
        && nonce.chars().all(|c| c.is_ascii_hexdigit())
        && !rest.is_empty();
    ok.then(|| Owner {
        host: host.to_string(),
        pid,
    })
}

/// Whether a process with this id runs on this machine (`None`: cannot tell here).
pub fn process_alive(pid: u32) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// Whether a temporary may be removed: its run is gone. `modified` is when it last
/// changed, as the target says.
pub fn abandoned(owner: &Owner, modified: Option<SystemTime>) -> bool {
    let me = run();
    if owner.host == me.host && owner.pid == me.pid {
        return false;
    }
    if owner.host == me.host {
        if let Some(alive) = process_alive(owner.pid) {
            return !alive;
        }
    }
    modified
        .and_then(|m| m.elapsed().ok())
        .is_some_and(|age| age > STALE)
}

/// A temporary as a target lists it.
#[derive(Debug, Clone)]
pub struct Temporary {
    /// Its name: who made it (see [`owner`]).
    pub name: String,
    pub modified: Option<SystemTime>,
    /// What the target needs to remove it (a path, an upload id).
    pub handle: String,
}

/// Remove the temporaries of runs that are gone. Failing to list or remove one is only
/// reported: it is left for the next run, and publishing goes on.
pub async fn sweep(target: &dyn Target) {
    let found = match target.temporaries().await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!("could not look for temporary files left by stopped runs: {e}");
            return;
        }
    };
    let mut removed = 0;
    for t in found {
        let gone = match owner(&t.name) {
            Some(o) => abandoned(&o, t.modified),
            // Not named by a run (an older version's, or unknown): by its age alone.
            None => t
                .modified
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > STALE),
        };
        if !gone {
            continue;
        }
        match target.discard(&t).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!("could not remove the temporary {}: {e}", t.name),
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed temporary files left by runs that stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_say_whose_they_are() {
        let me = run();
        let name = me.temp_name("talk-1.mp3");
        assert_eq!(
            owner(&name),
            Some(Owner {
                host: me.host.clone(),
                pid: me.pid
            })
        );
        assert!(!abandoned(
            &owner(&name).unwrap(),
            Some(SystemTime::UNIX_EPOCH)
        ));
        assert_eq!(owner("talk-1.mp3"), None);
        assert_eq!(owner(".talk-1.mp3.123-456.tmp"), None);
        // A process of this machine that has ended.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = Owner {
            host: me.host.clone(),
            pid,
        };
        assert_eq!(
            abandoned(&dead, Some(SystemTime::now())),
            process_alive(pid) == Some(false)
        );
        // Another machine's: only once unchanged for STALE.
        let other = Owner {
            host: "elsewhere".into(),
            pid: 1,
        };
        assert!(!abandoned(&other, Some(SystemTime::now())));
        assert!(abandoned(&other, Some(SystemTime::now() - STALE * 2)));
    }
}
