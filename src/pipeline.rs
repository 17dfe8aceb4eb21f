//! The driver: a plain fold over the stages, ingest → plan → media → site → publish.
//!
//! Each stage's result is saved in the work folder under a key made from everything it
//! depends on, so a re-run with the same inputs and settings resumes where the last run
//! stopped instead of decoding and encoding again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::config::{Config, Target};
use crate::error::{Error, Result};
use crate::ingest::{self, audio, Inputs};
use crate::media::{self, Rendition};
use crate::plan::{self, energy::Envelope, Plan};
use crate::publish::{self, DirTarget, Payload, PublishReport, Upload};
use crate::site::{self, catalog};

/// How to run (what to produce is the config's business).
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub recording: PathBuf,
    pub agenda: PathBuf,
    pub transcript: Option<PathBuf>,
    /// The user's cue sheet: when each speaker or item started.
    pub cues: Option<PathBuf>,
    pub config: Option<PathBuf>,
    /// Publish into this folder, whatever the config's target says.
    pub out: Option<PathBuf>,
    /// Where stage results are kept between runs.
    pub work: PathBuf,
    /// ffmpeg processes at once.
    pub jobs: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub slug: String,
    pub target: PathBuf,
    pub plan: Plan,
    pub renditions: Vec<Rendition>,
    pub published: PublishReport,
}

/// Number of ffmpeg workers for this machine.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Config::load(p),
        None => Ok(Config::builtin()),
    }
}

/// Ingest and plan only (for `eventcast plan`).
pub fn plan_only(
    recording: &Path,
    agenda: &Path,
    transcript: Option<&Path>,
    cues: Option<&Path>,
    work: &Path,
) -> Result<(Inputs, Plan)> {
    crate::ffmpeg::require_tools()?;
    let inputs = ingest::ingest(recording, agenda, transcript, cues)?;
    let config = Config::builtin();
    let dir = work_dir(work, &inputs)?;
    let decoded = decode_cached(&inputs, &config, &dir)?;
    let plan = plan_cached(&inputs, &decoded, &dir)?;
    Ok((inputs, plan))
}

pub async fn run(opts: &RunOptions) -> Result<RunReport> {
    crate::ffmpeg::require_tools()?;
    let config = load_config(opts.config.as_deref())?;
    let target_root = match (&opts.out, &config.target) {
        (Some(out), _) => out.clone(),
        (None, Target::Dir { path }) => path.clone(),
    };
    let target = DirTarget {
        root: target_root.clone(),
    };
    // Cheap checks first: a bad input or an unwritable target fails before an hour of encoding.
    let inputs = ingest::ingest(
        &opts.recording,
        &opts.agenda,
        opts.transcript.as_deref(),
        opts.cues.as_deref(),
    )?;
    target.check()?;
    let published = target.read_catalog()?;
    let dir = work_dir(&opts.work, &inputs)?;

    tracing::info!(webinar = %inputs.agenda.slug(), "ingested {}", opts.recording.display());
    let decoded = decode_cached(&inputs, &config, &dir)?;
    let plan = plan_cached(&inputs, &decoded, &dir)?;
    for w in &plan.warnings {
        tracing::warn!("plan: {w}");
    }

    let agenda = &inputs.agenda;
    let episodes = media::episodes(agenda, &plan);
    let tags = Arc::new(media::tags::TagContext {
        series: agenda
            .series
            .clone()
            .unwrap_or_else(|| config.series.title.clone()),
        webinar: agenda.title.clone(),
        date: agenda
            .civil_date()
            .map_err(|e| Error::input(&opts.agenda, format!("bad date: {e}")))?,
        description: agenda.description.clone(),
    });
    let media_key = key(&(
        &decoded.key,
        &episodes,
        &config.output,
        &tags.series,
        agenda,
    ));
    let renditions: Vec<Rendition> = match load_stage(&dir, "renditions", &media_key) {
        Some(r) => {
            tracing::info!("episodes already encoded for these inputs: reusing them");
            r
        }
        None => {
            let r = media::render(
                episodes,
                &decoded.value.wav,
                &config.output,
                tags,
                &dir.join("media"),
                opts.jobs,
            )
            .await?;
            save_stage(&dir, "renditions", &media_key, &r)?;
            r
        }
    };

    let webinar = catalog_entry(&inputs, &plan, &renditions);
    let slug = webinar.slug.clone();
    let mut merged = published;
    merged.upsert(webinar);
    let files = site::build(&config, &merged)?;
    let mut uploads: Vec<Upload> = renditions
        .iter()
        .map(|r| Upload {
            path: format!("{slug}/{}", r.episode.file_name),
            payload: Payload::File(r.path.clone()),
        })
        .collect();
    uploads.extend(files.into_iter().map(Upload::from));
    let report = target.publish(publish::ordered(uploads))?;
    tracing::info!(
        written = report.written.len(),
        unchanged = report.unchanged.len(),
        "published into {}",
        target_root.display()
    );
    Ok(RunReport {
        slug,
        target: target_root,
        plan,
        renditions,
        published: report,
    })
}

/// This webinar as the catalog records it.
pub fn catalog_entry(inputs: &Inputs, plan: &Plan, renditions: &[Rendition]) -> catalog::Webinar {
    let agenda = &inputs.agenda;
    let slug = agenda.slug();
    let offset = plan.segments.first().map(|s| s.start).unwrap_or(0.0);
    catalog::Webinar {
        slug: slug.clone(),
        title: agenda.title.clone(),
        series: agenda.series.clone(),
        date: agenda.date.clone(),
        time: agenda.time.clone(),
        timezone: agenda.timezone.clone(),
        language: agenda.language.clone(),
        description: agenda.description.clone(),
        moderator: agenda.moderator.clone(),
        speakers: agenda
            .people()
            .into_iter()
            .filter(|p| agenda.moderator.as_ref().is_none_or(|m| m.name != p.name))
            .cloned()
            .collect(),
        chapters: plan
            .segments
            .iter()
            .map(|s| catalog::Chapter {
                title: s.title.clone(),
                speakers: s.speakers.clone(),
                start: (s.start - offset).max(0.0),
            })
            .collect(),
        episodes: renditions
            .iter()
            .map(|r| catalog::CatalogEpisode {
                id: r.episode.id.clone(),
                guid: catalog::guid(&slug, &r.episode.id),
                kind: r.episode.kind,
                title: r.episode.title.clone(),
                speakers: r.episode.speakers.clone(),
                path: format!("{slug}/{}", r.episode.file_name),
                bytes: r.bytes,
                duration: r.duration,
                mime: r.mime.clone(),
                track: r.episode.track,
            })
            .collect(),
    }
}

fn work_dir(work: &Path, inputs: &Inputs) -> Result<PathBuf> {
    let dir = work.join(inputs.agenda.slug());
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// A stage result with the key it was made for.
#[derive(Serialize, Deserialize)]
struct Stage<T> {
    key: String,
    value: T,
}

fn key<T: Serialize>(deps: &T) -> String {
    let bytes = serde_json::to_vec(deps).expect("stage inputs serialise");
    blake3::hash(&bytes).to_hex().to_string()
}

fn load_stage<T: DeserializeOwned>(dir: &Path, name: &str, key: &str) -> Option<T> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).ok()?;
    let stage: Stage<T> = serde_json::from_str(&text).ok()?;
    (stage.key == key).then_some(stage.value)
}

fn save_stage<T: Serialize>(dir: &Path, name: &str, key: &str, value: &T) -> Result<()> {
    let path = dir.join(format!("{name}.json"));
    let tmp = dir.join(format!(".{name}.json.tmp"));
    let text = serde_json::to_string_pretty(&Stage {
        key: key.to_string(),
        value,
    })
    .expect("stage results serialise");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| Error::io(&path, e))
}

struct Keyed<T> {
    key: String,
    value: T,
}

fn decode_cached(
    inputs: &Inputs,
    config: &Config,
    dir: &Path,
) -> Result<Keyed<audio::DecodedAudio>> {
    let meta = std::fs::metadata(&inputs.recording).map_err(|e| Error::io(&inputs.recording, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos());
    let k = key(&(
        std::fs::canonicalize(&inputs.recording).unwrap_or(inputs.recording.clone()),
        meta.len(),
        modified,
        &config.output,
    ));
    if let Some(d) = load_stage::<audio::DecodedAudio>(dir, "decoded", &k) {
        if d.wav.exists() && d.analysis.exists() {
            return Ok(Keyed { key: k, value: d });
        }
    }
    let d = audio::decode(
        &inputs.recording,
        inputs.probe.duration,
        &config.output,
        dir,
    )?;
    save_stage(dir, "decoded", &k, &d)?;
    Ok(Keyed { key: k, value: d })
}

fn plan_cached(inputs: &Inputs, decoded: &Keyed<audio::DecodedAudio>, dir: &Path) -> Result<Plan> {
    let read = |p: &Option<PathBuf>| p.as_deref().map(crate::error::read_text).transpose();
    let (transcript, cues) = (read(&inputs.transcript)?, read(&inputs.cues)?);
    // The alignment's version is part of the key: a better aligner must not reuse old plans.
    let k = key(&(&decoded.key, &inputs.agenda, &transcript, &cues, "align-1"));
    if let Some(p) = load_stage::<Plan>(dir, "plan", &k) {
        return Ok(p);
    }
    let envelope = Envelope::from_pcm(&decoded.value.analysis)?;
    let transcript = match (&inputs.transcript, &transcript) {
        (Some(p), Some(t)) => Some(ingest::transcript::parse(t, p)?),
        _ => None,
    };
    let cues = match (&inputs.cues, &cues) {
        (Some(p), Some(c)) => Some(ingest::cues::parse(c, p)?),
        _ => None,
    };
    let plan = plan::align(&plan::Evidence {
        agenda: &inputs.agenda,
        duration: inputs.probe.duration,
        envelope: &envelope,
        analysis: &decoded.value.analysis,
        transcript: transcript.as_ref(),
        cues: cues.as_ref(),
    })?;
    save_stage(dir, "plan", &k, &plan)?;
    Ok(plan)
}
