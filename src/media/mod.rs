//! Media: cut, encode and tag the episodes.
//!
//! Episodes are cut from the decoded WAV (see [`crate::ingest::audio`]), never from the
//! recording, so the expensive decode is not repeated per episode. Loudness was measured
//! for all episodes in one pass over that WAV while it was decoded ([`loudness`]) and dead
//! air is found in the analysis envelope ([`trim`]), so each episode is then a single
//! encode: a static gain to the EBU R128 target, a limiter only when that gain would push
//! the true peak over the limit, short fades. Encodes run in a bounded pool sized to the machine, longest first,
//! so the whole-webinar episode does not start last and leave a core idle at the end.
//! Optional video clips ([`video`]) are made in the same pool, each after its episode's
//! audio and with its gain; their picture is the one thing read from the recording itself.

pub mod cover;
pub mod tags;
pub mod trim;
pub mod video;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::args;
use crate::config::Output;
use crate::error::{Error, Result};
use crate::ingest::audio::DecodedAudio;
use crate::ingest::envelope::Envelope;
use crate::ingest::{Agenda, ItemKind};
use crate::plan::Plan;
use crate::progress::{Part, Progress};

/// One audio file to publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Episode {
    /// Stable id within the webinar: "webinar", "talk-1", "wrapup-1".
    pub id: String,
    /// `None` for the whole webinar, else the agenda item it was cut from.
    pub item: Option<usize>,
    pub kind: EpisodeKind,
    pub title: String,
    pub speakers: Vec<String>,
    /// Where it was cut from the recording, in seconds.
    pub start: f64,
    pub end: f64,
    /// File name, e.g. "talk-1-natalia-currea-dereser.mp3".
    pub file_name: String,
    /// Track number in the webinar's album.
    pub track: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EpisodeKind {
    /// The whole webinar, with chapters.
    Webinar,
    Talk,
    Wrapup,
}

/// An encoded, tagged episode file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendition {
    pub episode: Episode,
    pub path: PathBuf,
    pub bytes: u64,
    pub duration: f64,
    pub mime: String,
    /// The gain applied, in dB, limiter make-up included: the episode's video clip reuses it.
    pub gain_db: f64,
    /// The episode's video clip and poster, when `output.video_clips` is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip: Option<video::Clip>,
}

/// Which episodes a plan gives: one per talk and wrap-up, plus the whole webinar.
pub fn episodes(agenda: &Agenda, plan: &Plan, format: Format) -> Vec<Episode> {
    let ext = format.extension();
    let mut out = Vec::new();
    let first = plan.segments.first().map(|s| s.start).unwrap_or(0.0);
    let last = plan
        .segments
        .last()
        .map(|s| s.end)
        .unwrap_or(plan.recording.duration);
    out.push(Episode {
        id: "webinar".into(),
        item: None,
        kind: EpisodeKind::Webinar,
        title: agenda.title.clone(),
        speakers: agenda.people().iter().map(|p| p.name.clone()).collect(),
        start: first,
        end: last,
        file_name: format!("{}.{ext}", agenda.slug()),
        track: 0,
    });
    let mut counts = std::collections::HashMap::new();
    for seg in &plan.segments {
        let kind = match seg.kind {
            ItemKind::Talk => EpisodeKind::Talk,
            ItemKind::Wrapup => EpisodeKind::Wrapup,
            _ => continue,
        };
        let Some(i) = seg.item else { continue };
        let n = counts.entry(kind).or_insert(0);
        *n += 1;
        let prefix = if kind == EpisodeKind::Talk {
            "talk"
        } else {
            "wrapup"
        };
        let id = format!("{prefix}-{n}");
        let who = seg.speakers.join(", ");
        let item = &agenda.items[i];
        let title = match item.title.as_deref() {
            Some(t) if !t.trim().is_empty() => format!("{t} – {who}"),
            _ => format!("{who} – {}", agenda.title),
        };
        out.push(Episode {
            file_name: format!("{id}-{}.{ext}", crate::ingest::agenda::slugify(&who)),
            id,
            item: Some(i),
            kind,
            title,
            speakers: seg.speakers.clone(),
            start: seg.start,
            end: seg.end,
            track: 0,
        });
    }
    // The webinar is the last track of its album, after the parts.
    let total = out.len() as u32;
    for (k, e) in out.iter_mut().enumerate() {
        e.track = if k == 0 { total } else { k as u32 };
    }
    out
}

pub use crate::config::Format;

/// Dead air kept before the first and after the last sound of an episode, in seconds.
const KEEP_AIR: f64 = 0.3;
const FADE_IN: f64 = 0.2;
const FADE_OUT: f64 = 0.3;
/// Shortest stretch above the silence threshold that counts as sound, in seconds.
const MIN_SOUND: f64 = 0.2;
/// Sample-peak headroom below the true-peak limit, for inter-sample and codec overshoot.
const PEAK_HEADROOM_DB: f64 = 0.8;

/// One episode ready to encode: trimmed span and the gain that brings it to the target.
#[derive(Debug, Clone, Serialize)]
struct Job {
    ep: Episode,
    gain_db: f64,
    /// Sample-peak limit (dBFS) for the limiter, when the gain would push peaks too high.
    limit_db: Option<f64>,
}

/// Measure, trim, encode and tag every episode into `dir`, `jobs` encoders at a time.
/// An episode with no sound in it is reported and left out, never published silent.
/// With `video` (the recording, when clips are asked for), each episode also gets a video
/// clip and poster ([`video`]), made in the same pool after its audio.
pub async fn render(
    episodes: Vec<Episode>,
    audio: &DecodedAudio,
    profile: &Output,
    tags: Arc<tags::TagContext>,
    dir: &Path,
    jobs: usize,
    video: Option<&Path>,
) -> Result<Vec<Rendition>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let blocks = crate::ingest::loudness::Blocks::load(&audio.loudness)?;
    let envelope = Envelope::load(&audio.envelope)?;
    // Keyframes are found once per recording (demuxing only).
    let source = match video {
        Some(recording) => {
            let r = recording.to_path_buf();
            let found = tokio::task::spawn_blocking(move || video::Source::open(&r))
                .await
                .map_err(|e| Error::Internal(format!("keyframe scan failed: {e}")))??;
            if found.is_none() {
                tracing::warn!(
                    "output.video_clips is on but {} has no video stream: making audio episodes only",
                    recording.display()
                );
            }
            found.map(Arc::new)
        }
        None => None,
    };

    let mut order = Vec::new();
    for ep in episodes.clone() {
        match prepare(ep, &blocks, &envelope, profile) {
            Ok(job) => order.push(job),
            Err(skip) => tracing::warn!("{skip}"),
        }
    }
    order.sort_by(|a, b| (b.ep.end - b.ep.start).total_cmp(&(a.ep.end - a.ep.start)));
    let total: f64 = order.iter().map(|j| j.ep.end - j.ep.start).sum();
    let progress = Arc::new(Progress::new("encoding episodes", total));
    let pool = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for job in order {
        let (wav, profile, tags, dir) = (
            audio.wav.to_path_buf(),
            profile.clone(),
            tags.clone(),
            dir.to_path_buf(),
        );
        let (pool, part) = (pool.clone(), progress.part());
        let source = source.clone();
        let span = tracing::Span::current();
        tasks.spawn(async move {
            let _permit = pool
                .acquire_owned()
                .await
                .expect("the pool is never closed");
            tokio::task::spawn_blocking(move || {
                let _span = span.enter();
                let r = encode_one(&job, &wav, &profile, &tags, &dir, &part).and_then(|mut r| {
                    if let Some(source) = &source {
                        let length = r.episode.end - r.episode.start;
                        let filters = episode_filters(r.gain_db, job.limit_db, length);
                        match video::make(source, &r.episode, &filters, &wav, &profile, &dir) {
                            Ok(clip) => r.clip = Some(clip),
                            Err(e) => {
                                // Nothing half-done: no audio episode without its clip.
                                let _ = std::fs::remove_file(&r.path);
                                return Err(e);
                            }
                        }
                    }
                    Ok(r)
                });
                part.set_position(job.ep.end - job.ep.start);
                r
            })
            .await
            .map_err(|e| Error::Internal(format!("encoder task failed: {e}")))?
        });
    }
    let mut out = Vec::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| Error::Internal(format!("encoder task failed: {e}"))) {
            Ok(Ok(r)) => out.push(r),
            Ok(Err(e)) | Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    progress.finish();
    if let Some(e) = first_error {
        // Nothing half-done: the episodes that did finish are removed with the failure.
        for r in &out {
            let _ = std::fs::remove_file(&r.path);
            if let Some(c) = &r.clip {
                let _ = std::fs::remove_file(&c.path);
                let _ = std::fs::remove_file(&c.poster);
            }
        }
        return Err(e);
    }
    // Back in the episode order of the plan.
    out.sort_by_key(|r| episodes.iter().position(|e| e.id == r.episode.id));
    Ok(out)
}

/// Trim `ep` to its sound and work out its gain; `Err` says why it has no episode.
fn prepare(
    mut ep: Episode,
    blocks: &crate::ingest::loudness::Blocks,
    envelope: &Envelope,
    profile: &Output,
) -> std::result::Result<Job, String> {
    let span = format!(
        "\"{}\" ({}–{})",
        ep.title,
        crate::timecode::clock(ep.start),
        crate::timecode::clock(ep.end)
    );
    let silent = || {
        format!(
            "{span} is silent in the recording: no episode made for it. Check the plan \
             (`eventcast plan`) and the recording."
        )
    };
    let (first, last) =
        trim::sound_within(envelope, ep.start, ep.end, MIN_SOUND).ok_or_else(silent)?;
    ep.start = (first - KEEP_AIR).max(ep.start);
    ep.end = (last + KEEP_AIR).min(ep.end);
    let measured = blocks.span(ep.start, ep.end);
    if measured.integrated < -60.0 {
        return Err(silent());
    }
    let mut gain_db = profile.loudness_lufs - measured.integrated;
    let peak_after = measured.true_peak + gain_db;
    let limit_db = (peak_after > profile.true_peak_db - PEAK_HEADROOM_DB)
        .then_some(profile.true_peak_db - PEAK_HEADROOM_DB);
    if let Some(limit) = limit_db {
        // The limiter takes loudness with the peaks: add back what it is expected to take.
        for _ in 0..3 {
            let limited = blocks.span_limited(ep.start, ep.end, gain_db, limit);
            gain_db += profile.loudness_lufs - limited;
        }
    }
    tracing::debug!(
        episode = %ep.id,
        lufs = measured.integrated,
        true_peak = measured.true_peak,
        gain_db,
        limiter = limit_db.is_some(),
        "loudness"
    );
    Ok(Job {
        ep,
        gain_db,
        limit_db,
    })
}

/// The audio filters of an episode `length` seconds long: its level, then short fades.
/// The episode's audio file and its video clip both use these, so they sound the same.
fn episode_filters(gain_db: f64, limit_db: Option<f64>, length: f64) -> Vec<String> {
    let mut filters = level_filters(gain_db, limit_db);
    filters.push(format!("afade=t=in:d={FADE_IN}"));
    filters.push(format!(
        "afade=t=out:st={:.3}:d={FADE_OUT}",
        (length - FADE_OUT).max(0.0)
    ));
    filters
}

/// Static gain, then (when peaks need it) a lookahead limiter on the sample peak.
fn level_filters(gain_db: f64, limit_db: Option<f64>) -> Vec<String> {
    let mut filters = vec![format!("volume={gain_db:.2}dB")];
    if let Some(limit) = limit_db {
        filters.push(format!(
            "alimiter=limit={:.4}:attack=1:release=50:level=disabled:latency=1",
            10f64.powf(limit / 20.0).max(0.0625)
        ));
    }
    filters
}

/// The integrated loudness in the summary ffmpeg's `ebur128` filter prints at the end.
fn summary_integrated(log: &[String]) -> Option<f64> {
    let at = log.iter().rposition(|l| l.contains("Summary:"))?;
    log[at..].iter().find_map(|l| {
        let rest = l.trim().strip_prefix("I:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Off-target loudness (LU) after which a limited episode is encoded again.
const RETRY_OFF_LU: f64 = 0.5;

/// Encode `job` into `out` at its gain. A limited episode's loudness depends on how much
/// the limiter took, which was only estimated: the encode pass measures it (`ebur128` on
/// what goes into the encoder), and an episode more than [`RETRY_OFF_LU`] off the target
/// is encoded once more with the gain corrected. Returns the gain used.
fn encode_levelled(
    job: &Job,
    wav: &Path,
    profile: &Output,
    out: &Path,
    progress: &Part,
) -> Result<f64> {
    let mut gain_db = job.gain_db;
    for attempt in 0..2 {
        let log = encode(job, gain_db, wav, profile, out, progress)?;
        if job.limit_db.is_none() {
            return Ok(gain_db);
        }
        let Some(measured) = summary_integrated(&log.last) else {
            tracing::warn!(episode = %job.ep.id, "ffmpeg's ebur128 printed no summary");
            return Ok(gain_db);
        };
        let off = profile.loudness_lufs - measured;
        tracing::debug!(episode = %job.ep.id, measured, gain_db, attempt, "loudness encoded");
        if off.abs() <= RETRY_OFF_LU {
            return Ok(gain_db);
        }
        // The limiter eats part of any added gain: overshoot an upward correction a little.
        gain_db += if off > 0.0 { off * 1.3 } else { off };
    }
    encode(job, gain_db, wav, profile, out, progress).map(|_| gain_db)
}

/// One ffmpeg pass: cut the span from the WAV, level it, fade it, encode it.
fn encode(
    job: &Job,
    gain_db: f64,
    wav: &Path,
    profile: &Output,
    out: &Path,
    progress: &Part,
) -> Result<crate::ffmpeg::Log> {
    let ep = &job.ep;
    let length = (ep.end - ep.start).max(0.0);
    let mut filters = episode_filters(gain_db, job.limit_db, length);
    if job.limit_db.is_some() {
        filters.push("ebur128=framelog=verbose".into());
    }
    let mut args = args![
        "-ss",
        format!("{:.3}", ep.start),
        "-t",
        format!("{length:.3}"),
        "-i",
        wav,
        "-map_metadata",
        "-1",
        "-af",
        filters.join(","),
        "-ac",
        profile.channels.to_string(),
        "-ar",
        profile.sample_rate.to_string(),
        "-b:a",
        format!("{}k", profile.bitrate_kbps),
    ];
    args.extend(match profile.format {
        Format::Mp3 => args![
            "-c:a",
            "libmp3lame",
            "-compression_level",
            profile.mp3_quality.to_string(),
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-f",
            "mp3"
        ],
        Format::M4a => args!["-c:a", "aac", "-movflags", "+faststart", "-f", "mp4"],
    });
    args.push(out.into());
    crate::ffmpeg::run(args, Some(progress))
}

fn encode_one(
    job: &Job,
    wav: &Path,
    profile: &Output,
    tags: &tags::TagContext,
    dir: &Path,
    progress: &Part,
) -> Result<Rendition> {
    let ep = &job.ep;
    let format = profile.format;
    let path = dir.join(&ep.file_name);
    // An episode finished by an earlier run (killed before the others were done) is kept:
    // its sidecar records what it was made from.
    // Turning video clips on or off does not change the audio.
    let audio_profile = Output {
        video_clips: false,
        ..profile.clone()
    };
    // Only the chapters this episode carries: a cut moved elsewhere in the webinar (a
    // reviewed cue sheet) encodes again the episodes it moved, not the others. The cover
    // goes in as its hash.
    let made_from = crate::key::of(&(
        env!("CARGO_PKG_VERSION"),
        job,
        wav,
        &audio_profile,
        (&tags.series, &tags.webinar, tags.date, &tags.description),
        tags.cover.as_ref().map(|c| &c.hash),
        tags.chapters_of(ep),
    ));
    let sidecar = dir.join(format!(".{}.done.json", ep.file_name));
    if let Some(done) = std::fs::read_to_string(&sidecar)
        .ok()
        .and_then(|t| serde_json::from_str::<(String, Rendition)>(&t).ok())
        .filter(|(key, r)| *key == made_from && r.path.is_file())
    {
        tracing::info!("{} was already encoded: keeping it", ep.file_name);
        return Ok(done.1);
    }
    let partial = dir.join(format!(".{}.partial.{}", ep.file_name, format.extension()));
    let result = encode_levelled(job, wav, profile, &partial, progress).and_then(|gain_db| {
        tags::write(&partial, ep, tags, format)?;
        std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
        Ok(gain_db)
    });
    let gain_db = match result {
        Ok(g) => g,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Error::io(&path, e))?
        .len();
    let duration = crate::ffmpeg::probe(&path)?.duration;
    let rendition = Rendition {
        episode: ep.clone(),
        path,
        bytes,
        duration,
        mime: format.mime().into(),
        gain_db,
        clip: None,
    };
    let record = serde_json::to_string(&(&made_from, &rendition)).expect("renditions serialise");
    std::fs::write(&sidecar, record).map_err(|e| Error::io(&sidecar, e))?;
    Ok(rendition)
}
