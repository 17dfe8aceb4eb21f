//! Claiming a webinar of a bucket inbox across machines, with the bucket itself: a lease
//! object (`.eventcast/leases/<webinar>`) created only if absent (`If-None-Match: *`),
//! carrying its owner and an expiry that a heartbeat pushes on while the work goes on.
//! A lease whose owner died expires, and is taken over by replacing exactly the version
//! that was read (`If-Match` on its ETag), so of two machines that find it expired, one
//! wins. A holder whose lease was taken over (it was stalled past the expiry) stops
//! instead of publishing over the new owner's work.

use std::sync::Arc;
use std::time::Duration;

use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::inbox::{Bucket, STATE};
use crate::error::{Error, Result};

/// What a lease object holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Lease {
    /// `host:pid` of the process working on the webinar.
    owner: String,
    /// Until when it is the owner's, unless renewed.
    expires: jiff::Timestamp,
}

/// Another process's live lease.
#[derive(Debug, Clone)]
pub struct Busy {
    pub owner: String,
    pub expires: jiff::Timestamp,
}

/// A lease this process holds, renewed in the background until released.
pub struct Claimed {
    store: Arc<dyn ObjectStore>,
    key: Key,
    heartbeat: tokio::task::JoinHandle<()>,
    lost: watch::Receiver<Option<String>>,
}

/// This process, as lease owners are named: the host (a pod's name) and the process id.
pub fn owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into());
    format!("{}:{}", host.trim(), std::process::id())
}

/// Claim webinar `name` for `ttl` (renewed every third of it), or say who holds it.
pub async fn claim(
    bucket: &Bucket,
    name: &str,
    ttl: Duration,
) -> Result<std::result::Result<Claimed, Busy>> {
    let key = Key::from(format!("{}{STATE}/leases/{name}", bucket.prefix));
    let store = bucket.store.clone();
    let me = owner();
    let fail = |what: &str, e: object_store::Error| Error::Inbox {
        inbox: format!("lease {key}"),
        problem: format!("{what}: {e}"),
    };
    let put = |mode: PutMode| write(store.clone(), key.clone(), me.clone(), ttl, mode);
    let version = match put(PutMode::Create).await {
        Ok(r) => r,
        Err(object_store::Error::AlreadyExists { .. }) => {
            let got = match store.get(&key).await {
                Ok(g) => g,
                // Released between the create and the read: try again next round.
                Err(object_store::Error::NotFound { .. }) => {
                    return Ok(Err(Busy {
                        owner: "a run that just finished".into(),
                        expires: jiff::Timestamp::now(),
                    }))
                }
                Err(e) => return Err(fail("cannot be read", e)),
            };
            let version = UpdateVersion {
                e_tag: got.meta.e_tag.clone(),
                version: got.meta.version.clone(),
            };
            let bytes = got.bytes().await.map_err(|e| fail("cannot be read", e))?;
            let held: Option<Lease> = serde_json::from_slice(&bytes).ok();
            if let Some(l) = held.as_ref().filter(|l| l.expires > jiff::Timestamp::now()) {
                return Ok(Err(Busy {
                    owner: l.owner.clone(),
                    expires: l.expires,
                }));
            }
            match put(PutMode::Update(version)).await {
                Ok(r) => {
                    tracing::warn!(
                        "took over {name}: the lease of {} expired",
                        held.map(|l| l.owner)
                            .unwrap_or_else(|| "an unreadable owner".into())
                    );
                    r
                }
                Err(object_store::Error::Precondition { .. }) => {
                    return Ok(Err(Busy {
                        owner: "another run that took over the expired lease first".into(),
                        expires: expiry(ttl),
                    }))
                }
                Err(e) => return Err(fail("cannot be taken over", e)),
            }
        }
        Err(e) => return Err(fail("cannot be created", e)),
    };
    let (tell, lost) = watch::channel(None);
    let heartbeat = {
        let mut version = UpdateVersion {
            e_tag: version.e_tag,
            version: version.version,
        };
        let name = name.to_string();
        let (store, key) = (store.clone(), key.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                let mode = PutMode::Update(version.clone());
                match write(store.clone(), key.clone(), me.clone(), ttl, mode).await {
                    Ok(r) => {
                        version = UpdateVersion {
                            e_tag: r.e_tag,
                            version: r.version,
                        }
                    }
                    Err(object_store::Error::Precondition { .. }) => {
                        let _ = tell.send(Some(format!(
                            "the lease on {name} was taken over by another run (this one \
                             stalled past its expiry)"
                        )));
                        return;
                    }
                    // Tried again at the next beat; the lease lasts three beats.
                    Err(e) => tracing::warn!("the lease on {name} could not be renewed: {e}"),
                }
            }
        })
    };
    Ok(Ok(Claimed {
        store,
        key,
        heartbeat,
        lost,
    }))
}

/// Write the lease as this process's until `ttl` from now, if `mode` allows.
async fn write(
    store: Arc<dyn ObjectStore>,
    key: Key,
    owner: String,
    ttl: Duration,
    mode: PutMode,
) -> object_store::Result<object_store::PutResult> {
    let lease = Lease {
        owner,
        expires: expiry(ttl),
    };
    let body = serde_json::to_vec(&lease).expect("a lease serialises");
    store
        .put_opts(&key, PutPayload::from(body), PutOptions::from(mode))
        .await
}

fn expiry(ttl: Duration) -> jiff::Timestamp {
    let ttl = jiff::SignedDuration::try_from(ttl).unwrap_or(jiff::SignedDuration::MAX);
    jiff::Timestamp::now()
        .checked_add(ttl)
        .unwrap_or(jiff::Timestamp::MAX)
}

/// A lease dropped without [`Claimed::release`] (its webinar failed on the way) is no longer
/// renewed: it expires, and another run may try the webinar.
impl Drop for Claimed {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

impl Claimed {
    /// Run `work` while the lease holds; an error if it is taken over meanwhile.
    pub async fn guard<T>(
        &mut self,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut lost = self.lost.clone();
        tokio::select! {
            r = work => r,
            why = lost.wait_for(Option::is_some) => {
                let why = why.map(|w| w.clone().unwrap_or_default()).unwrap_or_default();
                Err(Error::Inbox {
                    inbox: self.key.to_string(),
                    problem: why,
                })
            }
        }
    }

    /// Stop renewing and delete the lease (an error only costs the others a wait until it
    /// expires).
    pub async fn release(self) {
        self.heartbeat.abort();
        if let Err(e) = self.store.delete(&self.key).await {
            tracing::warn!("the lease {} could not be deleted: {e}", self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_by(r: std::result::Result<Claimed, Busy>) -> String {
        match r {
            Ok(_) => panic!("claimed a webinar another run holds"),
            Err(busy) => busy.owner,
        }
    }

    #[tokio::test]
    async fn a_lease_keeps_others_out_until_it_expires_then_one_of_two_takes_it_over() {
        let bucket = Bucket::in_memory("inbox/");
        let ttl = Duration::from_millis(600);
        let first = claim(&bucket, "w", ttl).await.unwrap().expect("free");
        // A live holder renews its lease: still held after two of its lifetimes.
        tokio::time::sleep(ttl * 2).await;
        assert_eq!(held_by(claim(&bucket, "w", ttl).await.unwrap()), owner());
        // Its holder fails or dies (dropped, its heartbeat stops): once the lease has
        // expired, of two runs that find it expired, exactly one takes it over.
        drop(first);
        tokio::time::sleep(ttl + Duration::from_millis(200)).await;
        let (a, b) = tokio::join!(claim(&bucket, "w", ttl), claim(&bucket, "w", ttl));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.is_ok() != b.is_ok(), "both or neither took it over");
        let taker = if let Ok(c) = a { c } else { b.ok().unwrap() };
        // Released: free at once for the next run.
        taker.release().await;
        assert!(claim(&bucket, "w", ttl).await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn a_holder_whose_lease_was_taken_over_stops_its_work() {
        let bucket = Bucket::in_memory("");
        let ttl = Duration::from_millis(600);
        let mut mine = claim(&bucket, "w", ttl).await.unwrap().expect("free");
        // Another run replaced the lease (this one stalled past its expiry).
        let key = Key::from(format!("{STATE}/leases/w"));
        let theirs = serde_json::to_vec(&Lease {
            owner: "other-host:1".into(),
            expires: expiry(ttl),
        })
        .unwrap();
        bucket
            .store
            .put(&key, PutPayload::from(theirs))
            .await
            .unwrap();
        let work = mine.guard(async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok("published")
        });
        let err = tokio::time::timeout(Duration::from_secs(10), work)
            .await
            .expect("the work was stopped")
            .expect_err("the work must not finish");
        assert!(err.to_string().contains("taken over"), "{err}");
    }
}
