//! Batch: publish every webinar waiting in an inbox folder, unattended.
//!
//! A scheduled job runs this and nobody watches, so it must be safe to run at any moment:
//! webinars already published from the same inputs and settings are skipped (the catalog
//! records an input fingerprint), one failing webinar never stops the others, two
//! overlapping runs never work on the same webinar (a lock per webinar, released by the
//! OS when its holder dies, so a stale lock is taken over by itself), and the summary and
//! exit status say what happened. A webinar held for review ([`crate::review`]) waits in
//! the work folder and is skipped until it is released or its inputs change.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::pipeline::{self, RunOptions};

/// File extensions taken as the recording.
const MEDIA: [&str; 13] = [
    "mp4", "m4a", "m4v", "mov", "mkv", "webm", "mp3", "wav", "aac", "ogg", "opus", "flac", "ts",
];

/// One subfolder of the inbox.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub dir: PathBuf,
}

/// The inputs found in an inbox subfolder.
#[derive(Debug, Clone)]
pub struct Found {
    pub recording: PathBuf,
    pub agenda: PathBuf,
    pub transcript: Option<PathBuf>,
    /// `cues.txt`: the user's notes of when each item or speaker started.
    pub cues: Option<PathBuf>,
}

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

#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub inbox: PathBuf,
    pub config: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub work: PathBuf,
    pub jobs: usize,
    pub dry_run: bool,
    /// Which webinars are held for review, whatever pipeline.toml's `review.hold` says.
    pub hold: Option<crate::review::Hold>,
    /// Only this share of the inbox (one pod of a Kubernetes Indexed Job, say).
    pub shard: Option<Shard>,
}

/// Shard `index` of `count` (`--shard I/N`, 0-based): the webinars whose name hashes to
/// it. The hash is of the name alone, so a webinar stays in its shard when others are
/// added, and every machine agrees without talking to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether webinar `name` is this shard's.
    pub fn holds(self, name: &str) -> bool {
        let h = blake3::hash(name.as_bytes());
        let first = u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"));
        first % self.count == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write I/N, I from 0 to N-1 (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// The subfolders of `inbox`, sorted by name.
pub fn scan(inbox: &Path) -> Result<Vec<Entry>> {
    let rd = std::fs::read_dir(inbox).map_err(|e| {
        Error::input(
            inbox,
            format!("the inbox cannot be read ({e}): check the --inbox path"),
        )
    })?;
    let mut out: Vec<Entry> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| Entry {
            name: e.file_name().to_string_lossy().into_owned(),
            dir: e.path(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Find the recording, agenda and transcript in a webinar folder (see the README for names).
pub fn find_inputs(dir: &Path) -> Result<Found> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let ext = |p: &Path| {
        p.extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let pick = |what: &str, candidates: Vec<&PathBuf>| -> Result<Option<PathBuf>> {
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => Err(Error::input(
                dir,
                format!(
                    "holds {} files that could be the {what} ({}): keep one",
                    many.len(),
                    many.iter()
                        .map(|p| p.file_name().unwrap_or_default().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    };
    let recording = pick(
        "recording",
        files
            .iter()
            .filter(|p| MEDIA.contains(&ext(p).as_str()))
            .collect(),
    )?
    .ok_or_else(|| {
        Error::input(
            dir,
            "holds no recording (a .mp4, .m4a, .mp3, .wav, ... file)",
        )
    })?;
    let agenda = match files
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == "agenda.toml"))
    {
        Some(a) => a.clone(),
        None => pick(
            "agenda",
            files
                .iter()
                .filter(|p| ["toml", "md", "markdown", "html", "htm"].contains(&ext(p).as_str()))
                .collect(),
        )?
        .ok_or_else(|| {
            Error::input(
                dir,
                "holds no agenda (agenda.toml, or the event page as .md or .html)",
            )
        })?,
    };
    let transcript = pick(
        "transcript",
        files
            .iter()
            .filter(|p| ["vtt", "srt"].contains(&ext(p).as_str()))
            .collect(),
    )?;
    let cues = files
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == "cues.txt"))
        .cloned();
    Ok(Found {
        recording,
        agenda,
        transcript,
        cues,
    })
}

/// Process the whole inbox; returns one result per webinar folder.
pub async fn run(opts: &BatchOptions, stop: &crate::signals::Stop) -> Result<Vec<Result1>> {
    let mut entries = scan(&opts.inbox)?;
    if let Some(shard) = opts.shard {
        let all = entries.len();
        entries.retain(|e| shard.holds(&e.name));
        tracing::info!(
            "shard {}/{}: {} of the inbox's {all} webinars",
            shard.index,
            shard.count,
            entries.len()
        );
    }
    let config = pipeline::load_config(opts.config.as_deref())?;
    // Opened (credentials read) once; checked for reachability by each webinar's run.
    let target = crate::publish::open(&config.target, opts.out.as_deref())?;
    std::fs::create_dir_all(&opts.work).map_err(|e| Error::io(&opts.work, e))?;
    tracing::info!(webinars = entries.len(), inbox = %opts.inbox.display(), "batch started");
    let mut results = Vec::new();
    for entry in entries {
        if stop.requested() {
            results.push(Result1 {
                webinar: entry.name.clone(),
                outcome: Outcome::Interrupted,
                detail: "run again to process it".into(),
            });
            continue;
        }
        let span = tracing::info_span!("webinar", webinar = %entry.name);
        let r = one(&entry, opts, &config, &*target, stop)
            .instrument(span.clone())
            .await;
        let r = match r {
            Ok(r) => r,
            // Work cut short by a stop request (ffmpeg gets the terminal's Ctrl-C too).
            Err(e) if stop.requested() => {
                span.in_scope(|| tracing::warn!(outcome = Outcome::Interrupted.label(), "{e}"));
                results.push(Result1 {
                    webinar: entry.name.clone(),
                    outcome: Outcome::Interrupted,
                    detail: "stopped part-way: run again to resume".into(),
                });
                continue;
            }
            Err(e) => {
                span.in_scope(|| tracing::error!(outcome = Outcome::Failed.label(), "{e}"));
                results.push(Result1 {
                    webinar: entry.name.clone(),
                    outcome: Outcome::Failed,
                    detail: e.to_string().lines().next().unwrap_or_default().to_string(),
                });
                continue;
            }
        };
        span.in_scope(|| tracing::info!(outcome = r.outcome.label(), "{}", r.detail));
        results.push(r);
    }
    Ok(results)
}

async fn one(
    entry: &Entry,
    opts: &BatchOptions,
    config: &crate::config::Config,
    target: &dyn crate::publish::Target,
    stop: &crate::signals::Stop,
) -> Result<Result1> {
    let found = find_inputs(&entry.dir)?;
    // Cheap checks (probe the recording, parse the agenda) so a dry run reports what would fail.
    let inputs = crate::ingest::ingest(
        &found.recording,
        &found.agenda,
        found.transcript.as_deref(),
        found.cues.as_deref(),
    )?;
    let slug = inputs.agenda.slug();
    let (published, _) = crate::publish::read_catalog(target).await?;
    // Another webinar with this slug fails here, before any encoding, naming both.
    published.check_slug(&crate::site::catalog::entry_head(&inputs.agenda))?;
    let fingerprint = pipeline::fingerprint(
        &found.recording,
        &found.agenda,
        found.transcript.as_deref(),
        found.cues.as_deref(),
        config,
        Some(&opts.work.join(pipeline::HASHES)),
    )?;
    let current = published.webinars.iter().find(|w| w.slug == slug);
    let result = |outcome, detail: String| Result1 {
        webinar: entry.name.clone(),
        outcome,
        detail,
    };
    if current.is_some_and(|w| w.fingerprint.as_deref() == Some(fingerprint.as_str())) {
        return Ok(result(
            Outcome::UpToDate,
            format!("{slug} was published from these inputs"),
        ));
    }
    let dir = pipeline::webinar_dir(&opts.work, &slug)?;
    let waiting = crate::review::Held::load(&dir)?.filter(|h| h.fingerprint == fingerprint);
    if let Some(held) = waiting.filter(|_| opts.hold != Some(crate::review::Hold::Never)) {
        return Ok(result(
            Outcome::Held,
            format!(
                "still waiting since {}: review {}, then `{}`",
                held.since.strftime("%Y-%m-%d %H:%M UTC"),
                held.review.display(),
                held.release
            ),
        ));
    }
    if opts.dry_run {
        let why = if current.is_some() {
            "inputs or settings changed"
        } else {
            "new"
        };
        return Ok(result(Outcome::WouldPublish, format!("{slug} ({why})")));
    }
    let Some(_lock) = lock(&opts.work, &slug)? else {
        return Ok(result(Outcome::Busy, slug));
    };
    let run = RunOptions {
        recording: found.recording,
        agenda: found.agenda,
        transcript: found.transcript,
        cues: found.cues,
        config: opts.config.clone(),
        out: opts.out.clone(),
        work: opts.work.clone(),
        jobs: opts.jobs,
        dry_run: false,
        hold: opts.hold,
        fingerprint: None,
        plan: None,
    };
    if stop.requested() {
        return Ok(result(
            Outcome::Interrupted,
            "run again to process it".into(),
        ));
    }
    let report = pipeline::run(&run).await?;
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

/// Take the per-webinar lock, or `None` when another live process holds it. The OS
/// releases the lock when its holder dies, so a lock left by a killed run is taken over.
pub(crate) fn lock(work: &Path, slug: &str) -> Result<Option<crate::lock::Lock>> {
    let name = crate::safe::component(slug).map_err(|e| {
        Error::Mismatch(format!(
            "the webinar's lock file name {e}; check the agenda's `date` and `title`"
        ))
    })?;
    crate::lock::try_take(&work.join(format!("{name}.lock")))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(from: usize, to: usize) -> Vec<String> {
        (from..to)
            .map(|i| format!("2024-{:02}-{:02}-webinar-{i}", i % 12 + 1, i % 28 + 1))
            .collect()
    }

    fn shards(count: u64) -> Vec<Shard> {
        (0..count).map(|index| Shard { index, count }).collect()
    }

    #[test]
    fn every_webinar_is_in_exactly_one_shard_and_the_shards_are_even() {
        let all = names(0, 1000);
        for count in [2, 4, 8] {
            let sizes: Vec<usize> = shards(count)
                .iter()
                .map(|s| all.iter().filter(|n| s.holds(n)).count())
                .collect();
            assert_eq!(
                sizes.iter().sum::<usize>(),
                1000,
                "{count} shards: {sizes:?}"
            );
            for n in &all {
                let owners = shards(count).iter().filter(|s| s.holds(n)).count();
                assert_eq!(owners, 1, "{n} in {owners} of {count} shards");
            }
            // A hash spreads names as fair coin throws would: each shard's size within four
            // standard deviations of the binomial (1000 names, p = 1/count).
            let p = 1.0 / count as f64;
            let (even, spread) = (1000.0 * p, (1000.0 * p * (1.0 - p)).sqrt());
            for &size in &sizes {
                assert!(
                    (size as f64 - even).abs() <= 4.0 * spread,
                    "{count} shards: {sizes:?}, each should be within {:.0} of {even}",
                    4.0 * spread
                );
            }
        }
    }

    #[test]
    fn adding_webinars_moves_none_of_the_others() {
        let before = names(0, 1000);
        let owner = |n: &str| shards(4).iter().position(|s| s.holds(n)).unwrap();
        let placed: Vec<usize> = before.iter().map(|n| owner(n)).collect();
        let mut after = names(1000, 1300);
        after.extend(before.iter().cloned());
        for (n, &was) in before.iter().zip(&placed) {
            assert_eq!(owner(n), was, "{n} moved shards");
        }
        assert!(after.iter().all(|n| shards(4).iter().any(|s| s.holds(n))));
    }

    #[test]
    fn shards_are_written_as_i_slash_n() {
        assert_eq!("3/4".parse::<Shard>(), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
