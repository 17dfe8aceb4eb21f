//! Media: cut, encode and tag the episodes.
//!
//! Episodes are cut from the decoded WAV (see [`crate::ingest::audio`]), never from the
//! recording, so the expensive decode is not repeated per episode. Encodes run in a bounded
//! pool sized to the machine, longest first, so the whole-webinar episode does not start
//! last and leave a core idle at the end.

pub mod tags;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::args;
use crate::config::Output;
use crate::error::{Error, Result};
use crate::ingest::{Agenda, ItemKind};
use crate::plan::Plan;
use crate::progress::Progress;

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
}

/// Which episodes a plan gives: one per talk and wrap-up, plus the whole webinar.
pub fn episodes(agenda: &Agenda, plan: &Plan) -> Vec<Episode> {
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
        file_name: format!("{}.mp3", agenda.slug()),
        track: 0,
    });
    let mut counts = std::collections::HashMap::new();
    for (i, seg) in plan.segments.iter().enumerate() {
        let kind = match seg.kind {
            ItemKind::Talk => EpisodeKind::Talk,
            ItemKind::Wrapup => EpisodeKind::Wrapup,
            _ => continue,
        };
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
            file_name: format!("{id}-{}.mp3", crate::ingest::agenda::slugify(&who)),
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

/// Encode and tag every episode into `dir`, `jobs` at a time.
pub async fn render(
    episodes: Vec<Episode>,
    wav: &Path,
    profile: &Output,
    tags: Arc<tags::TagContext>,
    dir: &Path,
    jobs: usize,
) -> Result<Vec<Rendition>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut order: Vec<Episode> = episodes.clone();
    order.sort_by(|a, b| (b.end - b.start).total_cmp(&(a.end - a.start)));
    let total: f64 = order.iter().map(|e| e.end - e.start).sum();
    let progress = Arc::new(Progress::new("encoding episodes", total));
    let done = Arc::new(std::sync::Mutex::new(0.0f64));
    let pool = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for ep in order {
        let (wav, profile, tags, dir) = (
            wav.to_path_buf(),
            profile.clone(),
            tags.clone(),
            dir.to_path_buf(),
        );
        let (pool, progress, done) = (pool.clone(), progress.clone(), done.clone());
        let span = tracing::Span::current();
        tasks.spawn(async move {
            let _permit = pool
                .acquire_owned()
                .await
                .expect("the pool is never closed");
            tokio::task::spawn_blocking(move || {
                let _span = span.enter();
                let r = encode_one(&ep, &wav, &profile, &tags, &dir);
                let mut d = done.lock().unwrap_or_else(|e| e.into_inner());
                *d += ep.end - ep.start;
                progress.set_position(*d);
                r
            })
            .await
            .map_err(|e| Error::Mismatch(format!("encoder task failed: {e}")))?
        });
    }
    let mut out = Vec::new();
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| Error::Mismatch(format!("encoder task failed: {e}"))) {
            Ok(Ok(r)) => out.push(r),
            Ok(Err(e)) | Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    progress.finish();
    if let Some(e) = first_error {
        return Err(e);
    }
    // Back in the episode order of the plan.
    out.sort_by_key(|r| episodes.iter().position(|e| e.id == r.episode.id));
    Ok(out)
}

fn encode_one(
    ep: &Episode,
    wav: &Path,
    profile: &Output,
    tags: &tags::TagContext,
    dir: &Path,
) -> Result<Rendition> {
    let path = dir.join(&ep.file_name);
    let partial = dir.join(format!(".{}.partial.mp3", ep.file_name));
    let length = (ep.end - ep.start).max(0.0);
    let fade_out_at = (length - 0.5).max(0.0);
    crate::ffmpeg::run(
        args![
            "-ss",
            format!("{:.3}", ep.start),
            "-t",
            format!("{length:.3}"),
            "-i",
            wav,
            "-map_metadata",
            "-1",
            "-af",
            format!("afade=t=in:d=0.3,afade=t=out:st={fade_out_at:.3}:d=0.5"),
            "-ac",
            profile.channels.to_string(),
            "-ar",
            profile.sample_rate.to_string(),
            "-c:a",
            "libmp3lame",
            "-b:a",
            format!("{}k", profile.bitrate_kbps),
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-f",
            "mp3",
            &partial,
        ],
        None,
    )?;
    tags::write(&partial, ep, tags)?;
    std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| Error::io(&path, e))?
        .len();
    let duration = crate::ffmpeg::probe(&path)?.duration;
    Ok(Rendition {
        episode: ep.clone(),
        path,
        bytes,
        duration,
        mime: "audio/mpeg".into(),
    })
}
