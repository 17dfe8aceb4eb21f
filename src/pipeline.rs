//! The driver: a plain fold over the stages, ingest → plan → media → site → publish.
//!
//! Each stage's result is saved in the work folder under a key made from everything it
//! depends on, so a re-run with the same inputs and settings resumes where the last run
//! stopped instead of decoding and encoding again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tracing::Instrument;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::envelope::Envelope;
use crate::ingest::{self, audio, Inputs};
use crate::media::{self, Rendition};
use crate::plan::{self, Plan};
use crate::publish::{self, Payload, PublishReport, Upload};
use crate::review;
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
    /// Encode and compare with the target, but upload nothing.
    pub dry_run: bool,
    /// Which webinars are held for review, whatever pipeline.toml's `review.hold` says.
    pub hold: Option<review::Hold>,
    /// The fingerprint the catalog records, when not that of the inputs given: a release
    /// records the inputs that were held, so a batch finds them up to date.
    pub fingerprint: Option<String>,
    /// The plan to publish instead of planning: a release's, the held plan with the cuts
    /// the reviewer moved.
    pub plan: Option<Plan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    pub slug: String,
    pub target: PathBuf,
    pub plan: Plan,
    pub renditions: Vec<Rendition>,
    /// Empty when the webinar was held.
    pub published: PublishReport,
    /// The review page ([`review::page`]).
    pub review: PathBuf,
    /// Set when the webinar was held for review instead of published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<review::Held>,
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

/// A hash of everything a published webinar was made from: the input files' contents and
/// the settings. The catalog records it, so a batch run can skip what is up to date.
pub fn fingerprint(
    recording: &Path,
    agenda: &Path,
    transcript: Option<&Path>,
    cues: Option<&Path>,
    config: &Config,
    hashes: Option<&Path>,
) -> Result<String> {
    let mut h = blake3::Hasher::new();
    for path in [Some(recording), Some(agenda), transcript, cues]
        .into_iter()
        .flatten()
    {
        h.update(file_hash(path, hashes)?.as_bytes());
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

/// What `eventcast plan` finds: the inputs, the plan, and the decoded audio it was made from.
pub struct Planned {
    pub inputs: Inputs,
    pub plan: Plan,
    pub audio: audio::DecodedAudio,
}

/// Ingest and plan only (for `eventcast plan`).
pub fn plan_only(
    recording: &Path,
    agenda: &Path,
    transcript: Option<&Path>,
    cues: Option<&Path>,
    config: &Config,
    work: &Path,
) -> Result<Planned> {
    crate::ffmpeg::require_tools()?;
    let inputs = ingest::ingest(recording, agenda, transcript, cues)?;
    let dir = work_dir(work, &inputs)?;
    // The run's output profile, so the decode cached here is the one `run` reads.
    let decoded = decode_cached(&inputs, config, &dir)?;
    let plan = plan_cached(&inputs, &decoded, &dir)?;
    Ok(Planned {
        inputs,
        plan,
        audio: decoded.value,
    })
}

pub async fn run(opts: &RunOptions) -> Result<RunReport> {
    crate::ffmpeg::require_tools()?;
    let mut config = load_config(opts.config.as_deref())?;
    let target = publish::open(&config.target, opts.out.as_deref())?;
    let target_root = PathBuf::from(target.describe());
    // Cheap checks first: a bad input or an unreachable, unwritable target fails before an
    // hour of encoding. A dry run writes nothing, not even the probe: reading the catalog
    // proves the target is reachable.
    let inputs = ingest::ingest(
        &opts.recording,
        &opts.agenda,
        opts.transcript.as_deref(),
        opts.cues.as_deref(),
    )?;
    // What the catalog records, from the inputs and the settings as the user wrote them.
    if !opts.dry_run {
        target.check().await?;
    }
    let (published, _) = publish::read_catalog(&*target).await?;
    // Another webinar in this webinar's folder fails now, not after an hour of encoding.
    published.check_slug(&catalog_entry_head(&inputs.agenda))?;
    // The inputs are hashed (the whole recording, unless remembered) once the cheap checks
    // have passed.
    let input_fingerprint = fingerprint(
        &opts.recording,
        &opts.agenda,
        opts.transcript.as_deref(),
        opts.cues.as_deref(),
        &config,
        Some(&opts.work.join(HASHES)),
    )?;
    site::ensure_artwork(&mut config, target.local_root(), &opts.work)?;
    let cover = match &config.series.image {
        Some(p) => Some(media::cover::check(p)?),
        None => None,
    };
    let dir = work_dir(&opts.work, &inputs)?;

    tracing::info!(webinar = %inputs.agenda.slug(), "ingested {}", opts.recording.display());
    let decoded = stage("decode", || decode_cached(&inputs, &config, &dir))?;
    let plan = match &opts.plan {
        Some(reviewed) => reviewed.clone(),
        None => stage("plan", || plan_cached(&inputs, &decoded, &dir))?,
    };
    for w in &plan.warnings {
        tracing::warn!("plan: {w}");
    }
    for line in review::timeline::bars(&plan, review::timeline::LOG_WIDTH).lines() {
        tracing::info!("plan: {line}");
    }
    // Held webinars are encoded (a release then only publishes, or re-cuts what moved),
    // but nothing reaches the target.
    let doubts = review::doubts(&plan, config.review.min_confidence);
    let hold = opts.hold.unwrap_or(config.review.hold).holds(&doubts);
    let release = hold.then(|| review::held::command(&inputs.agenda.slug(), &opts.work));
    let page = stage("review", || {
        review::page::write(
            &review::page::Review {
                agenda: &inputs.agenda,
                plan: &plan,
                audio: &decoded.value,
                min_confidence: config.review.min_confidence,
                release: release.clone(),
            },
            &review::page_path(&dir),
        )
    })?;
    tracing::info!("review page: {}", page.display());

    let agenda = &inputs.agenda;
    let episodes = media::episodes(agenda, &plan, config.output.format);
    let tags = Arc::new(media::tags::TagContext {
        series: agenda
            .series
            .clone()
            .unwrap_or_else(|| config.series.title.clone()),
        webinar: agenda.title.clone(),
        date: agenda
            .civil_date()
            .map_err(|e| Error::input(&opts.agenda, format!("`date`: {e}")))?,
        description: agenda.description.clone(),
        chapters: plan.chapters(),
        cover,
    });
    let media_key = key(&(
        &decoded.key,
        &episodes,
        &config.output,
        &tags.series,
        agenda,
        tags.cover.as_ref().map(|c| &c.hash),
    ));
    // Reused only while every file is still there as it was made (the work folder may
    // have been cleaned by hand).
    let cached = load_stage::<Vec<Rendition>>(&dir, "renditions", &media_key).filter(|r| {
        r.iter()
            .all(|x| std::fs::metadata(&x.path).is_ok_and(|m| m.len() == x.bytes))
    });
    let renditions: Vec<Rendition> = match cached {
        Some(r) => {
            tracing::info!("episodes already encoded for these inputs: reusing them");
            r
        }
        None => {
            let r = stage_async(
                "media",
                media::render(
                    episodes,
                    &decoded.value,
                    &config.output,
                    tags,
                    &dir.join("media"),
                    opts.jobs,
                    config
                        .output
                        .video_clips
                        .then_some(opts.recording.as_path()),
                ),
            )
            .await?;
            save_stage(&dir, "renditions", &media_key, &r)?;
            r
        }
    };

    let mut webinar = catalog_entry(&inputs, &plan, &renditions);
    webinar.fingerprint = Some(
        opts.fingerprint
            .clone()
            .unwrap_or(input_fingerprint.clone()),
    );
    let slug = webinar.slug.clone();
    if hold {
        let held = review::Held {
            slug: slug.clone(),
            title: inputs.agenda.title.clone(),
            since: jiff::Timestamp::now(),
            reasons: doubts,
            review: review::held::absolute(&page),
            release: release.unwrap_or_default(),
            fingerprint: input_fingerprint,
            recording: review::held::absolute(&opts.recording),
            agenda: review::held::absolute(&opts.agenda),
            transcript: opts.transcript.as_deref().map(review::held::absolute),
            cues: opts.cues.as_deref().map(review::held::absolute),
            config: opts.config.as_deref().map(review::held::absolute),
            out: opts.out.as_deref().map(review::held::absolute),
        };
        if !opts.dry_run {
            review::Held::save_plan(&dir, &plan)?;
            held.save(&dir)?;
        }
        tracing::warn!(
            "held for review, nothing published: open {} and then run `{}`",
            page.display(),
            held.release
        );
        return Ok(RunReport {
            slug,
            target: target_root,
            plan,
            renditions,
            published: PublishReport {
                dry_run: opts.dry_run,
                ..PublishReport::default()
            },
            review: page,
            held: Some(held),
        });
    }
    let media: Vec<Upload> = renditions
        .iter()
        .flat_map(|r| {
            let clip = r
                .clip
                .iter()
                .flat_map(|c| [(&c.file_name, &c.path), (&c.poster_name, &c.poster)]);
            std::iter::once((&r.episode.file_name, &r.path)).chain(clip)
        })
        .map(|(name, path)| Upload {
            path: format!("{slug}/{name}"),
            payload: Payload::File(path.clone()),
        })
        .collect();
    // Runs again if another run changed the published catalog meanwhile. What it renders
    // is checked before anything is published.
    let local_root = target.local_root().map(Path::to_path_buf);
    // Files of an earlier publication of this webinar that this one no longer has (an
    // episode renamed, another format): deleted once the new feed is out.
    let mut stale = BTreeSet::new();
    let mut site = |mut published: catalog::Catalog| -> Result<Vec<Upload>> {
        let earlier = published.webinars.iter().find(|w| w.slug == slug).cloned();
        published.upsert(webinar.clone())?;
        let files: Vec<Upload> = site::build(&config, &published)?
            .into_iter()
            .map(Upload::from)
            .collect();
        let mut staged = media.clone();
        staged.extend(files.iter().cloned());
        check_staged(local_root.as_deref(), &staged)?;
        let mut gone = match &earlier {
            Some(w) => published_files(&config, w)?,
            None => BTreeSet::new(),
        };
        for up in &staged {
            gone.remove(&up.path);
        }
        stale = gone;
        Ok(files)
    };
    let report = stage_async(
        "publish",
        publish::publish(&*target, media.clone(), &mut site, opts.dry_run),
    )
    .await?;
    if !opts.dry_run && !stale.is_empty() {
        delete_files(&*target, &stale).await;
    }
    if !opts.dry_run {
        review::Held::clear(&dir)?;
    }
    tracing::info!(
        written = report.written.len(),
        unchanged = report.unchanged.len(),
        dry_run = report.dry_run,
        "published into {}",
        target_root.display()
    );
    Ok(RunReport {
        slug,
        target: target_root,
        plan,
        renditions,
        published: report,
        review: page,
        held: None,
    })
}

/// Check the site as readers will see it once `uploads` are published; a failure lists
/// every problem and nothing is published. On a remote target, files this run does not
/// upload were checked when they were published.
fn check_staged(local_root: Option<&Path>, uploads: &[Upload]) -> Result<()> {
    let problems = publish::check::check(&publish::check::Site::staged(local_root, uploads));
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Check {
        context: "the built site failed its check, so nothing was published".into(),
        problems,
    })
}

/// Take a webinar out of the series: the feed, index and catalog are published without it;
/// then its files are deleted (on a folder target, its whole folder).
pub async fn remove(config: Option<&Path>, out: Option<&Path>, slug: &str) -> Result<String> {
    let mut config = load_config(config)?;
    let target = publish::open(&config.target, out)?;
    target.check().await?;
    let (published, _) = publish::read_catalog(&*target).await?;
    if !published.webinars.iter().any(|w| w.slug == slug) {
        let known: Vec<&str> = published.webinars.iter().map(|w| w.slug.as_str()).collect();
        return Err(Error::Target {
            target: target.describe(),
            problem: format!(
                "has no webinar \"{slug}\"; published webinars: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        });
    }
    site::ensure_artwork(
        &mut config,
        target.local_root(),
        &std::env::temp_dir().join("eventcast"),
    )?;
    let local_root = target.local_root().map(Path::to_path_buf);
    let mut site = |mut published: catalog::Catalog| -> Result<Vec<Upload>> {
        published.remove(slug);
        let files: Vec<Upload> = site::build(&config, &published)?
            .into_iter()
            .map(Upload::from)
            .collect();
        check_staged(local_root.as_deref(), &files)?;
        Ok(files)
    };
    publish::publish(&*target, Vec::new(), &mut site, false).await?;
    match &local_root {
        Some(root) => publish::dir::delete_folder(root, slug)?,
        None => {
            let gone = published
                .webinars
                .iter()
                .find(|w| w.slug == slug)
                .map(|w| published_files(&config, w))
                .transpose()?
                .unwrap_or_default();
            delete_files(&*target, &gone).await;
        }
    }
    Ok(target.describe())
}

/// Every file a webinar's catalog entry puts on the site: its media (episodes, clips,
/// posters) and what the site builds in its folder (page, chapters, transcripts).
fn published_files(config: &Config, webinar: &catalog::Webinar) -> Result<BTreeSet<String>> {
    let alone = catalog::Catalog {
        guid: None,
        webinars: vec![webinar.clone()],
    };
    let folder = format!("{}/", webinar.slug);
    let mut files: BTreeSet<String> = site::build(config, &alone)?
        .into_iter()
        .map(|f| f.path)
        .filter(|p| p.starts_with(&folder))
        .collect();
    for e in &webinar.episodes {
        files.insert(e.path.clone());
        if let Some(v) = &e.video {
            files.insert(v.clip.path.clone());
            files.insert(v.poster.path.clone());
        }
    }
    Ok(files)
}

/// Delete files no longer published. Nothing links to them any more, so a failure is
/// only reported: the run has done its job.
async fn delete_files(target: &dyn publish::Target, paths: &BTreeSet<String>) {
    let mut deleted = 0;
    for path in paths {
        match target.delete(path).await {
            Ok(()) => deleted += 1,
            Err(e) => tracing::warn!("{path} is no longer published but could not be deleted: {e}"),
        }
    }
    tracing::info!(deleted, "deleted the files no longer published");
}

/// What the catalog records of a webinar before it is planned and encoded: enough to know
/// which webinar it is and where it goes (slug, identity, title, date).
pub fn catalog_entry_head(agenda: &crate::ingest::Agenda) -> catalog::Webinar {
    catalog::Webinar {
        slug: agenda.slug(),
        identity: Some(catalog::identity(&agenda.date, &agenda.title)),
        title: agenda.title.clone(),
        series: agenda.series.clone(),
        date: agenda.date.clone(),
        time: agenda.time.clone(),
        timezone: agenda.timezone.clone(),
        language: agenda.language.clone(),
        fingerprint: None,
        description: agenda.description.clone(),
        moderator: agenda.moderator.clone(),
        speakers: Vec::new(),
        chapters: Vec::new(),
        episodes: Vec::new(),
        transcript: Vec::new(),
    }
}

/// This webinar as the catalog records it, times in whole milliseconds ([`catalog::ms`]).
pub fn catalog_entry(inputs: &Inputs, plan: &Plan, renditions: &[Rendition]) -> catalog::Webinar {
    let agenda = &inputs.agenda;
    let slug = agenda.slug();
    // Chapters count from the start of the whole-webinar episode as published (trimmed).
    let offset = renditions
        .iter()
        .find(|r| r.episode.kind == media::EpisodeKind::Webinar)
        .map(|r| r.episode.start)
        .or_else(|| plan.segments.first().map(|s| s.start))
        .unwrap_or(0.0);
    catalog::Webinar {
        speakers: agenda
            .people()
            .into_iter()
            .filter(|p| agenda.moderator.as_ref().is_none_or(|m| m.name != p.name))
            .cloned()
            .collect(),
        chapters: plan
            .chapters()
            .iter()
            .map(|c| catalog::Chapter::at(c, offset))
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
                start: catalog::ms((r.episode.start - offset).max(0.0)),
                duration: catalog::ms(r.duration),
                mime: r.mime.clone(),
                track: r.episode.track,
                video: r.clip.as_ref().map(|c| catalog::EpisodeVideo {
                    clip: catalog::MediaFile {
                        path: format!("{slug}/{}", c.file_name),
                        bytes: c.bytes,
                        mime: media::video::MIME.into(),
                    },
                    poster: catalog::MediaFile {
                        path: format!("{slug}/{}", c.poster_name),
                        bytes: c.poster_bytes,
                        mime: media::video::POSTER_MIME.into(),
                    },
                }),
            })
            .collect(),
        // The plan's per-segment slices, put back on the whole-webinar episode's clock.
        transcript: plan
            .segments
            .iter()
            .flat_map(|s| {
                s.transcript.iter().map(move |c| catalog::Cue {
                    start: catalog::ms((c.start + s.start - offset).max(0.0)),
                    end: catalog::ms((c.end + s.start - offset).max(0.0)),
                    speaker: c.speaker.clone().unwrap_or_default(),
                    text: c.text.clone(),
                })
            })
            .collect(),
        ..catalog_entry_head(agenda)
    }
}

/// Run an asynchronous stage inside a `stage` span.
async fn stage_async<T>(name: &'static str, f: impl std::future::Future<Output = T>) -> T {
    let span = tracing::info_span!("stage", stage = name);
    let started = std::time::Instant::now();
    let out = f.instrument(span.clone()).await;
    span.in_scope(|| tracing::info!("{name} done in {:.1} s", started.elapsed().as_secs_f64()));
    out
}

/// Run a synchronous stage inside a `stage` span, so every log line names it.
fn stage<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    tracing::info_span!("stage", stage = name).in_scope(|| {
        let started = std::time::Instant::now();
        let out = f();
        tracing::info!("{name} done in {:.1} s", started.elapsed().as_secs_f64());
        out
    })
}

/// The webinar's folder in `--work`, made if missing.
fn work_dir(work: &Path, inputs: &Inputs) -> Result<PathBuf> {
    let dir = webinar_dir(work, &inputs.agenda.slug())?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

/// The folder of webinar `slug` in `--work`: one safe component below it, whatever the
/// agenda says.
pub fn webinar_dir(work: &Path, slug: &str) -> Result<PathBuf> {
    let name = crate::safe::component(slug).map_err(|e| {
        Error::Mismatch(format!(
            "the webinar's folder name {e}; check the agenda's `date` and `title`"
        ))
    })?;
    Ok(work.join(name))
}

/// A stage result with the key it was made for.
#[derive(Serialize, Deserialize)]
struct Stage<T> {
    key: String,
    value: T,
}

use crate::key::of as key;

fn load_stage<T: DeserializeOwned>(dir: &Path, name: &str, key: &str) -> Option<T> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).ok()?;
    let stage: Stage<T> = serde_json::from_str(&text).ok()?;
    (stage.key == key).then_some(stage.value)
}

fn save_stage<T: Serialize>(dir: &Path, name: &str, key: &str, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(&Stage {
        key: key.to_string(),
        value,
    })
    .expect("stage results serialise");
    crate::safe::write_atomic(&dir.join(format!("{name}.json")), text.as_bytes())
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
        // Only what the decode depends on: a new loudness target or format must not re-decode.
        (config.output.channels, config.output.sample_rate),
    ));
    // The decoded files live in a folder named by that key, so files made from another
    // recording (or another export of it) can never be mixed with these.
    let folder = dir.join(format!("audio-{}", &k[..16]));
    if let Some(d) = load_stage::<audio::DecodedAudio>(dir, "decoded", &k) {
        if [&d.wav, &d.analysis, &d.loudness, &d.envelope]
            .iter()
            .all(|p| p.starts_with(&folder) && p.exists())
        {
            return Ok(Keyed { key: k, value: d });
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    let d = audio::decode(
        &inputs.recording,
        inputs.probe.duration,
        &config.output,
        &folder,
    )?;
    save_stage(dir, "decoded", &k, &d)?;
    // Decodes of other recordings are of no further use (and an hour of WAV is large).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("audio-") && e.path() != folder {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    for old in ["audio.wav", "analysis.s16", "loudness.json", "envelope.u8"] {
        let _ = std::fs::remove_file(dir.join(old));
    }
    Ok(Keyed { key: k, value: d })
}

fn plan_cached(inputs: &Inputs, decoded: &Keyed<audio::DecodedAudio>, dir: &Path) -> Result<Plan> {
    let read = |p: &Option<PathBuf>| p.as_deref().map(crate::error::read_text).transpose();
    let (transcript, cues) = (read(&inputs.transcript)?, read(&inputs.cues)?);
    // The alignment's version is part of the key: a better aligner must not reuse old plans.
    let k = key(&(&decoded.key, &inputs.agenda, &transcript, &cues, "align-3"));
    if let Some(p) = load_stage::<Plan>(dir, "plan", &k) {
        return Ok(p);
    }
    let envelope = Envelope::load(&decoded.value.envelope)?;
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
