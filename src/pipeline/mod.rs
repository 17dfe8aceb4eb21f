//! The driver: a plain fold over the stages, ingest → plan → media → site → publish.
//!
//! Each stage's result is saved in the work folder under a key made from everything it
//! depends on, so a re-run with the same inputs and settings resumes where the last run
//! stopped instead of decoding and encoding again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::{self, audio, Inputs};
use crate::key::of as key;
use crate::media::{self, Rendition};
use crate::plan::Plan;
use crate::publish::{self, Payload, PublishReport, Upload};
use crate::review;
use crate::site::{self, catalog};

mod cache;
mod inputs;

use cache::{decode_cached, load_stage, plan_cached, save_stage};
pub use inputs::{file_hash, fingerprint, HASHES};

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
    if !opts.dry_run {
        target.check().await?;
    }
    let (published, _) = publish::read_catalog(&*target).await?;
    // Another webinar in this webinar's folder fails now, not after an hour of encoding.
    published.check_slug(&catalog::entry_head(&inputs.agenda))?;
    // What the catalog records, from the inputs and the settings as the user wrote them:
    // hashed (the whole recording, unless remembered) once the cheap checks have passed.
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

    let mut webinar = catalog::entry(&inputs, &plan, &renditions);
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
