//! The driver: a plain fold over the stages, ingest → plan → media → site → publish.
//!
//! Each stage's result is saved in the work folder under a key made from everything it
//! depends on, so a re-run with the same inputs and settings resumes where the last run
//! stopped instead of decoding and encoding again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::ingest::{self, audio, Agenda, Inputs, Sources};
use crate::key::of as key;
use crate::media::{self, Rendition};
use crate::plan::Plan;
use crate::publish::{self, PublishReport};
use crate::review;
use crate::site::catalog;

mod cache;
mod inputs;
mod publishing;
mod session;

use cache::{decode_cached, load_stage, plan_cached, save_stage};
pub use inputs::{file_hash, fingerprint, HASHES};
use publishing::publish_webinar;
pub use publishing::remove;
pub use session::{Session, SessionOptions};

/// What a run may be told besides its inputs (a release's).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
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

/// What `eventcast plan` finds: the inputs, the plan, and the decoded audio it was made from.
pub struct Planned {
    pub inputs: Inputs,
    pub plan: Plan,
    pub audio: audio::DecodedAudio,
}

/// Ingest and plan only (for `eventcast plan`): the target is never opened, nothing is
/// published.
pub fn plan_only(session: &Session, sources: &Sources) -> Result<Planned> {
    let (config, work) = (&session.config, session.work());
    let inputs = ingest::ingest(sources, Agenda::load(&sources.agenda)?)?;
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

/// A webinar whose inputs have been read, whose slug is free (or its own) in the
/// published catalog, and whose inputs are fingerprinted: what decides whether there is
/// work to do.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub sources: Sources,
    pub agenda: Agenda,
    pub slug: String,
    /// [`fingerprint`] of the inputs and settings.
    pub fingerprint: String,
    /// The catalog's entry for this slug, when it was published before.
    pub published: Option<catalog::Webinar>,
    /// The inputs read and cross-checked; `None` while the recording is still remote.
    pub inputs: Option<Inputs>,
}

impl Admitted {
    /// Read and cross-check the recording, transcript and cue sheet, if not yet done.
    pub fn ingest(&mut self) -> Result<()> {
        if self.inputs.is_none() {
            self.inputs = Some(ingest::ingest(&self.sources, self.agenda.clone())?);
        }
        Ok(())
    }

    /// Published from these very inputs and settings.
    pub fn up_to_date(&self) -> bool {
        self.published
            .as_ref()
            .is_some_and(|w| w.fingerprint.as_deref() == Some(self.fingerprint.as_str()))
    }
}

/// The cheap checks, before an hour of encoding: the inputs read and agree (a bad one
/// fails before anything is written), the target is reachable and writable, no other
/// webinar has this one's slug; then the inputs are fingerprinted (each file hashed by
/// `hash`, which remembers what it hashed).
pub async fn admit(
    session: &Session,
    sources: Sources,
    hash: impl Fn(&Path) -> Result<blake3::Hash>,
) -> Result<Admitted> {
    let inputs = ingest::ingest(&sources, Agenda::load(&sources.agenda)?)?;
    let catalog = published(session).await?;
    settle(
        session,
        sources,
        inputs.agenda.clone(),
        Some(inputs),
        hash,
        &catalog,
    )
}

/// [`admit`] reading only the agenda, against a catalog read once for many webinars (a
/// batch's): whether a webinar is up to date is known without reading its recording
/// (still in a bucket, perhaps); the rest is read by [`Admitted::ingest`] once there is
/// work to do.
pub fn admit_by_agenda(
    session: &Session,
    sources: Sources,
    hash: impl Fn(&Path) -> Result<blake3::Hash>,
    catalog: &catalog::Catalog,
) -> Result<Admitted> {
    let agenda = Agenda::load(&sources.agenda)?;
    settle(session, sources, agenda, None, hash, catalog)
}

/// The published catalog, once the target is known to be reachable and writable.
pub async fn published(session: &Session) -> Result<catalog::Catalog> {
    session.check_target().await?;
    Ok(publish::read_catalog(session.target()?).await?.0)
}

fn settle(
    session: &Session,
    sources: Sources,
    agenda: Agenda,
    inputs: Option<Inputs>,
    hash: impl Fn(&Path) -> Result<blake3::Hash>,
    catalog: &catalog::Catalog,
) -> Result<Admitted> {
    catalog.check_slug(&catalog::entry_head(&agenda))?;
    let slug = agenda.slug();
    let fingerprint = fingerprint(&sources, &session.config, hash)?;
    tracing::debug!(%slug, %fingerprint, "inputs fingerprinted");
    let published = catalog.webinars.iter().find(|w| w.slug == slug).cloned();
    Ok(Admitted {
        sources,
        agenda,
        slug,
        fingerprint,
        published,
        inputs,
    })
}

/// Run the whole pipeline on one webinar's inputs.
pub async fn run(session: &Session, sources: Sources, overrides: Overrides) -> Result<RunReport> {
    let admitted = admit(session, sources, |p| session.hash(p)).await?;
    produce(session, admitted, overrides).await
}

/// The stages after admission, in order: ingest, decode, plan, review, media, then hold
/// or publish. Each resumes from the work folder when its inputs have not changed.
pub async fn produce(
    session: &Session,
    mut admitted: Admitted,
    overrides: Overrides,
) -> Result<RunReport> {
    admitted.ingest()?;
    let inputs = admitted.inputs.take().expect("ingested");
    let config = session.site_config()?;
    let dir = work_dir(session.work(), &inputs)?;
    tracing::info!(webinar = %admitted.slug, "ingested {}", admitted.sources.recording.display());
    let decoded = stage("decode", || decode_cached(&inputs, config, &dir))?;
    let plan = match overrides.plan {
        Some(reviewed) => reviewed,
        None => stage("plan", || plan_cached(&inputs, &decoded, &dir))?,
    };
    for w in &plan.warnings {
        tracing::warn!("plan: {w}");
    }
    for line in review::timeline::bars(&plan, review::timeline::LOG_WIDTH).lines() {
        tracing::info!("plan: {line}");
    }
    let reviewed = stage("review", || {
        review_step(session, &inputs, &plan, &decoded.value, &dir)
    })?;
    let renditions = stage_async(
        "media",
        encode(
            session,
            &inputs,
            &plan,
            &decoded,
            &admitted.sources.agenda,
            &dir,
        ),
    )
    .await?;
    let mut webinar = catalog::entry(&inputs, &plan, &renditions);
    webinar.fingerprint = Some(
        overrides
            .fingerprint
            .unwrap_or_else(|| admitted.fingerprint.clone()),
    );
    let (published, held) = match reviewed.hold {
        Some(doubts) => (
            PublishReport {
                dry_run: session.options.dry_run,
                ..PublishReport::default()
            },
            Some(hold(
                session,
                &admitted,
                &plan,
                doubts,
                &reviewed.page,
                &dir,
            )?),
        ),
        None => {
            let report = stage_async(
                "publish",
                publish_webinar(session, webinar, admitted.published, &renditions),
            )
            .await?;
            if !session.options.dry_run {
                review::Held::clear(&dir)?;
            }
            (report, None)
        }
    };
    Ok(RunReport {
        slug: admitted.slug,
        target: session.target_root()?,
        plan,
        renditions,
        published,
        review: reviewed.page,
        held,
    })
}

/// The review page, and the doubts that hold the webinar back (`None`: publish it).
struct Reviewed {
    page: PathBuf,
    hold: Option<Vec<String>>,
}

fn review_step(
    session: &Session,
    inputs: &Inputs,
    plan: &Plan,
    audio: &audio::DecodedAudio,
    dir: &Path,
) -> Result<Reviewed> {
    let min_confidence = session.config.review.min_confidence;
    // Held webinars are encoded (a release then only publishes, or re-cuts what moved),
    // but nothing reaches the target.
    let doubts = review::doubts(plan, min_confidence);
    let hold = session
        .options
        .hold
        .unwrap_or(session.config.review.hold)
        .holds(&doubts);
    let release = hold.then(|| review::held::command(&inputs.agenda.slug(), session.work()));
    let page = review::page::write(
        &review::page::Review {
            agenda: &inputs.agenda,
            plan,
            audio,
            min_confidence,
            release,
        },
        &review::page_path(dir),
    )?;
    tracing::info!("review page: {}", page.display());
    Ok(Reviewed {
        page,
        hold: hold.then_some(doubts),
    })
}

/// The episodes, encoded; reused while the work folder still holds them as they were made
/// from the same decode, cuts, tags and settings.
async fn encode(
    session: &Session,
    inputs: &Inputs,
    plan: &Plan,
    decoded: &cache::Keyed<audio::DecodedAudio>,
    agenda_file: &Path,
    dir: &Path,
) -> Result<Vec<Rendition>> {
    let config = session.site_config()?;
    let agenda = &inputs.agenda;
    let cover = match &config.series.image {
        Some(p) => Some(media::cover::check(p)?),
        None => None,
    };
    let episodes = media::episodes(agenda, plan, config.output.format);
    let tags = Arc::new(media::tags::TagContext {
        series: agenda
            .series
            .clone()
            .unwrap_or_else(|| config.series.title.clone()),
        webinar: agenda.title.clone(),
        date: agenda
            .civil_date()
            .map_err(|e| Error::input(agenda_file, format!("`date`: {e}")))?,
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
    let cached = load_stage::<Vec<Rendition>>(dir, "renditions", &media_key).filter(|r| {
        r.iter()
            .all(|x| std::fs::metadata(&x.path).is_ok_and(|m| m.len() == x.bytes))
    });
    if let Some(r) = cached {
        tracing::info!("episodes already encoded for these inputs: reusing them");
        return Ok(r);
    }
    let r = media::render(
        episodes,
        &decoded.value,
        &config.output,
        tags,
        &dir.join("media"),
        session.options.jobs,
        config
            .output
            .video_clips
            .then_some(inputs.recording.as_path()),
    )
    .await?;
    save_stage(dir, "renditions", &media_key, &r)?;
    Ok(r)
}

/// Keep the webinar back for review: its plan and what it was made from are saved in the
/// work folder, for `eventcast release`.
fn hold(
    session: &Session,
    admitted: &Admitted,
    plan: &Plan,
    reasons: Vec<String>,
    page: &Path,
    dir: &Path,
) -> Result<review::Held> {
    let absolute = review::held::absolute;
    let sources = &admitted.sources;
    let held = review::Held {
        slug: admitted.slug.clone(),
        title: admitted.agenda.title.clone(),
        since: jiff::Timestamp::now(),
        reasons,
        review: absolute(page),
        release: review::held::command(&admitted.slug, session.work()),
        fingerprint: admitted.fingerprint.clone(),
        sources: Sources {
            recording: absolute(&sources.recording),
            agenda: absolute(&sources.agenda),
            transcript: sources.transcript.as_deref().map(absolute),
            cues: sources.cues.as_deref().map(absolute),
        },
        config: session.options.config.as_deref().map(absolute),
        out: session.options.out.as_deref().map(absolute),
    };
    if !session.options.dry_run {
        review::Held::save_plan(dir, plan)?;
        held.save(dir)?;
    }
    tracing::warn!(
        "held for review, nothing published: open {} and then run `{}`",
        page.display(),
        held.release
    );
    Ok(held)
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
