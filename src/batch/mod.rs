//! Batch: publish every webinar waiting in an inbox folder, unattended.
//!
//! A scheduled job runs this and nobody watches, so it must be safe to run at any moment:
//! webinars already published from the same inputs and settings are skipped (the catalog
//! records an input fingerprint), one failing webinar never stops the others, two
//! overlapping runs never work on the same webinar (a lock per webinar, released by the
//! OS when its holder dies, so a stale lock is taken over by itself), and the summary and
//! exit status say what happened. A webinar held for review ([`crate::review`]) waits in
//! the work folder and is skipped until it is released or its inputs change.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use tracing::Instrument;

use crate::error::Result;
use crate::pipeline::{self, Overrides, Session};
use crate::site::catalog::Catalog;

mod inbox;
mod lease;
mod shard;

pub use inbox::{Entry, Inbox};
pub use shard::Shard;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Published,
    UpToDate,
    Busy,
    Failed,
    WouldPublish,
    Interrupted,
    /// Encoded, and waiting for a person to review it (`eventcast release`).
    Held,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Published => "published",
            Outcome::UpToDate => "up to date, skipped",
            Outcome::Busy => "skipped: another run is processing it",
            Outcome::Failed => "FAILED",
            Outcome::WouldPublish => "would publish",
            Outcome::Interrupted => "not started: interrupted",
            Outcome::Held => "held for review",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Result1 {
    pub webinar: String,
    pub outcome: Outcome,
    pub detail: String,
}

impl Result1 {
    fn of(entry: &Entry, outcome: Outcome, detail: String) -> Result1 {
        Result1 {
            webinar: entry.name.clone(),
            outcome,
            detail,
        }
    }
}

/// How to batch (the session says what to produce and where).
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// A folder, or `s3://bucket/prefix/`.
    pub inbox: String,
    /// Only this share of the inbox (one pod of a Kubernetes Indexed Job, say).
    pub shard: Option<Shard>,
    /// Then help with the other shards, and wait for webinars other runs hold until they
    /// are done or their holder's lease expires.
    pub steal: bool,
    /// How long a bucket inbox's lease lasts without a heartbeat.
    pub lease: Duration,
}

/// A lease's default length: long enough that a heartbeat (every third of it) survives a
/// few slow requests, short enough that a dead machine's webinar is taken over soon.
pub const LEASE: Duration = Duration::from_secs(120);

/// Process the inbox; returns one result per webinar, in the order they were done.
pub async fn run(
    session: &Session,
    opts: &BatchOptions,
    stop: &crate::signals::Stop,
) -> Result<Vec<Result1>> {
    let inbox = Inbox::open(&opts.inbox, &session.config)?;
    let entries = inbox.scan().await?;
    let (mut todo, others): (Vec<Entry>, Vec<Entry>) = match opts.shard {
        Some(shard) => entries.into_iter().partition(|e| shard.holds(&e.name)),
        None => (entries, Vec::new()),
    };
    if let Some(shard) = opts.shard {
        tracing::info!(
            "shard {}/{}: {} of the inbox's {} webinars{}",
            shard.index,
            shard.count,
            todo.len(),
            todo.len() + others.len(),
            if opts.steal { ", then the others'" } else { "" }
        );
    }
    if opts.steal {
        todo.extend(others);
    }
    tracing::info!(webinars = todo.len(), inbox = %inbox.describe(), "batch started");
    let mut results: Vec<Result1> = Vec::new();
    loop {
        let mut busy = Vec::new();
        // Read once a round: whether a webinar is up to date is decided against it, and
        // read again by a run that claims a webinar, before it works on it.
        let catalog = match todo.is_empty() {
            true => Catalog::default(),
            false => pipeline::published(session).await?,
        };
        let round = Round {
            session,
            inbox: &inbox,
            catalog: &catalog,
            opts,
            stop,
        };
        for entry in todo {
            let r = one_logged(&entry, &round).await;
            if r.outcome == Outcome::Busy && opts.steal {
                busy.push((entry, r));
            } else {
                results.push(r);
            }
        }
        if busy.is_empty() {
            break;
        }
        if stop.requested() {
            results.extend(busy.into_iter().map(|(_, r)| r));
            break;
        }
        // Held by other runs: done when they finish, or ours when their lease expires.
        let wait = (opts.lease / 4).clamp(Duration::from_secs(1), Duration::from_secs(15));
        tracing::info!(
            "{} webinars are held by other runs: looking again in {} s",
            busy.len(),
            wait.as_secs()
        );
        tokio::time::sleep(wait).await;
        todo = busy.into_iter().map(|(e, _)| e).collect();
    }
    Ok(results)
}

/// What the webinars of one round share.
struct Round<'a> {
    session: &'a Session,
    inbox: &'a Inbox,
    /// The catalog as read at the start of the round.
    catalog: &'a Catalog,
    opts: &'a BatchOptions,
    stop: &'a crate::signals::Stop,
}

/// One webinar, its outcome logged in its span.
async fn one_logged(entry: &Entry, round: &Round<'_>) -> Result1 {
    let result = |outcome, detail: String| Result1::of(entry, outcome, detail);
    let stop = round.stop;
    if stop.requested() {
        return result(Outcome::Interrupted, "run again to process it".into());
    }
    let span = tracing::info_span!("webinar", webinar = %entry.name);
    let r = match one(entry, round).instrument(span.clone()).await {
        Ok(r) => r,
        // Work cut short by a stop request (ffmpeg gets the terminal's Ctrl-C too).
        Err(e) if stop.requested() => {
            span.in_scope(|| tracing::warn!(outcome = Outcome::Interrupted.label(), "{e}"));
            return result(
                Outcome::Interrupted,
                "stopped part-way: run again to resume".into(),
            );
        }
        Err(e) => {
            span.in_scope(|| tracing::error!(outcome = Outcome::Failed.label(), "{e}"));
            return result(
                Outcome::Failed,
                e.to_string().lines().next().unwrap_or_default().to_string(),
            );
        }
    };
    span.in_scope(|| tracing::info!(outcome = r.outcome.label(), "{}", r.detail));
    r
}

/// What keeps other runs off a webinar while this one works on it: for a bucket inbox,
/// its lease in the bucket (other machines); the lock by its slug in the work folder
/// (other runs and `release` on this machine).
#[derive(Default)]
struct Claim {
    lease: Option<lease::Claimed>,
    lock: Option<crate::lock::Lock>,
}

impl Claim {
    /// Take the lease of a bucket inbox's webinar (nothing to take for a folder's); the
    /// error says who holds it.
    async fn lease(
        &mut self,
        inbox: &Inbox,
        entry: &Entry,
        opts: &BatchOptions,
    ) -> Result<std::result::Result<(), String>> {
        if let (Inbox::Bucket(b), None) = (inbox, &self.lease) {
            match lease::claim(b, &entry.name, opts.lease).await? {
                Ok(c) => self.lease = Some(c),
                Err(busy) => {
                    return Ok(Err(format!(
                        "{}, whose lease runs until {}",
                        busy.owner,
                        busy.expires.strftime("%H:%M:%S UTC")
                    )))
                }
            }
        }
        Ok(Ok(()))
    }

    async fn guard<T>(&mut self, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        match &mut self.lease {
            Some(l) => l.guard(work).await,
            None => work.await,
        }
    }

    async fn release(self) {
        if let Some(l) = self.lease {
            l.release().await;
        }
    }
}

async fn one(entry: &Entry, round: &Round<'_>) -> Result<Result1> {
    let Round {
        session,
        inbox,
        catalog,
        opts,
        stop,
    } = *round;
    let result = |outcome, detail: String| Result1::of(entry, outcome, detail);
    let work = session.work();
    let mut fetched = inbox.fetch(entry, work).await?;
    let mut claim = Claim::default();
    // A recording whose hash nobody remembers is new: claimed before it is downloaded, so
    // two machines do not both fetch it.
    if fetched.hash_unknown() && !session.options.dry_run {
        if let Err(who) = claim.lease(inbox, entry, opts).await? {
            return Ok(result(Outcome::Busy, format!("held by {who}")));
        }
    }
    if fetched.hash_unknown() {
        inbox.fetch_recording(&mut fetched).await?;
    }
    let admit = |fetched: &inbox::Fetched, catalog: &Catalog| {
        let known = &fetched.known;
        let hash = |p: &Path| match known.get(p) {
            Some(h) => Ok(*h),
            None => session.hash(p),
        };
        pipeline::admit_by_agenda(session, fetched.sources.clone(), hash, catalog)
    };
    let mut admitted = admit(&fetched, catalog)?;
    let slug = admitted.slug.clone();
    let dir = pipeline::webinar_dir(work, &slug)?;
    let waiting =
        crate::review::Held::load(&dir)?.filter(|h| h.fingerprint == admitted.fingerprint);
    let done = if admitted.up_to_date() {
        Some(result(
            Outcome::UpToDate,
            format!("{slug} was published from these inputs"),
        ))
    } else if let Some(held) =
        waiting.filter(|_| session.options.hold != Some(crate::review::Hold::Never))
    {
        Some(result(
            Outcome::Held,
            format!(
                "still waiting since {}: review {}, then `{}`",
                held.since.strftime("%Y-%m-%d %H:%M UTC"),
                held.review.display(),
                held.release
            ),
        ))
    } else {
        None
    };
    if let Some(done) = done {
        claim.release().await;
        return Ok(done);
    }
    // There is work to do. A local webinar's other inputs are read now (the recording
    // probed, the transcript parsed), so a bad one fails before anything is claimed and a
    // dry run reports it; a bucket's recording is not downloaded for that.
    if matches!(inbox, Inbox::Folder(_)) {
        admitted.ingest()?;
    }
    if session.options.dry_run {
        let why = if admitted.published.is_some() {
            "inputs or settings changed"
        } else {
            "new"
        };
        return Ok(result(Outcome::WouldPublish, format!("{slug} ({why})")));
    }
    if let Err(who) = claim.lease(inbox, entry, opts).await? {
        return Ok(result(Outcome::Busy, format!("{slug}: held by {who}")));
    }
    claim.lock = crate::lock::webinar(work, &slug)?;
    if claim.lock.is_none() {
        claim.release().await;
        return Ok(result(
            Outcome::Busy,
            format!("{slug}: held by another run on this machine"),
        ));
    }
    // Another run may have published it between the round's catalog read and the claim.
    let fresh = admit(&fetched, &pipeline::published(session).await?)?;
    if fresh.up_to_date() {
        claim.release().await;
        return Ok(result(
            Outcome::UpToDate,
            format!("{slug} was published by another run meanwhile"),
        ));
    }
    admitted.published = fresh.published;
    if stop.requested() {
        claim.release().await;
        return Ok(result(
            Outcome::Interrupted,
            "run again to process it".into(),
        ));
    }
    let produced = claim
        .guard(async {
            inbox.fetch_recording(&mut fetched).await?;
            pipeline::produce(session, admitted, Overrides::default()).await
        })
        .await;
    claim.release().await;
    let report = produced?;
    if let Some(held) = &report.held {
        return Ok(result(
            Outcome::Held,
            format!(
                "{} episodes encoded, nothing published: review {}, then `{}`",
                report.renditions.len(),
                report.review.display(),
                held.release
            ),
        ));
    }
    Ok(result(
        Outcome::Published,
        format!(
            "{} episodes, {} files written, {} unchanged; review page {}",
            report.renditions.len(),
            report.published.written.len(),
            report.published.unchanged.len(),
            report.review.display()
        ),
    ))
}

/// The end-of-run summary, one line per webinar.
pub fn summary(results: &[Result1]) -> String {
    let width = results
        .iter()
        .map(|r| r.webinar.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in results {
        out.push_str(&format!(
            "{:<width$}  {:<40}  {}\n",
            r.webinar,
            r.outcome.label(),
            r.detail
        ));
    }
    let failed = results
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .count();
    let published = results
        .iter()
        .filter(|r| r.outcome == Outcome::Published)
        .count();
    let held = results
        .iter()
        .filter(|r| r.outcome == Outcome::Held)
        .count();
    if published == 0 && failed == 0 && results.iter().all(|r| r.outcome == Outcome::UpToDate) {
        out.push_str("Nothing to do: every webinar in the inbox is already published.\n");
    } else if held > 0 {
        out.push_str(&format!(
            "{published} published, {held} held for review, {failed} failed, {} in all.\n",
            results.len()
        ));
    } else {
        out.push_str(&format!(
            "{published} published, {failed} failed, {} in all.\n",
            results.len()
        ));
    }
    out
}
