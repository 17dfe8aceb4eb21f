//! `eventcast release SLUG [--cues FILE]`: publish a held webinar as reviewed.
//!
//! The held run recorded what it was made from ([`Held`]) and the plan its review page
//! shows, so the release runs the same pipeline again, hold off, with that plan and the
//! cuts the reviewer's cue sheet moved ([`crate::review::cuts::apply`]); a cue sheet that names
//! other parts than the page's cuts is planned with instead, as `run --cues` would.
//! Every stage resumes from the work folder: the audio is not decoded again, and only the
//! episodes whose cuts moved are encoded again (plus the whole-webinar episode when its
//! chapters moved). The catalog records the fingerprint of the inputs that were held, so
//! a batch finds the webinar up to date and never publishes its unreviewed cuts over the
//! reviewed ones.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::ingest::Sources;
use crate::pipeline::{self, Overrides, RunReport, Session, SessionOptions};
use crate::review::{Held, Hold};

/// How to release.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub slug: String,
    /// The work folder the held run used.
    pub work: PathBuf,
    /// The reviewer's cue sheet; none keeps the cuts as held.
    pub cues: Option<PathBuf>,
    pub jobs: usize,
}

/// Publish the held webinar `slug` (with the cue sheet, if any); it is no longer held.
pub async fn release(opts: &ReleaseOptions) -> Result<RunReport> {
    let dir = pipeline::webinar_dir(&opts.work, &opts.slug)?;
    let Some(held) = Held::load(&dir)? else {
        let waiting: Vec<String> = Held::all(&opts.work).into_iter().map(|h| h.slug).collect();
        return Err(Error::input(
            &opts.work,
            format!(
                "holds no webinar \"{}\" waiting for review; held there: {}. Check the slug \
                 and --work (the folder the held run used)",
                opts.slug,
                if waiting.is_empty() {
                    "none".to_string()
                } else {
                    waiting.join(", ")
                }
            ),
        ));
    };
    // Never publish with the built-in example's address, e-mail and target: a run without
    // pipeline.toml is refused now, but an older one may have been held without one.
    if held.config.is_none() {
        return Err(Error::Mismatch(format!(
            "{} was held by a run without pipeline.toml, and nothing is published with the \
             built-in example settings: run it again with --config FILE",
            held.slug
        )));
    }
    // A batch starting now must not publish the unreviewed cuts at the same time.
    let Some(_lock) = crate::lock::webinar(&opts.work, &held.slug)? else {
        return Err(Error::Mismatch(format!(
            "another eventcast run is working on {} right now: release it when that run ends",
            held.slug
        )));
    };
    // The plan the page showed, with the cuts the reviewer moved; a cue sheet that names
    // other parts (typed by hand) is planned with instead.
    let held_plan = Held::load_plan(&dir)?;
    let plan = match (&opts.cues, held_plan) {
        (None, held_plan) => held_plan,
        (Some(cues), Some(held_plan)) => {
            // Read now, so a typo fails before anything else happens.
            let sheet = crate::ingest::cues::CueSheet::load(cues)?;
            let agenda = crate::ingest::Agenda::load(&held.sources.agenda)?;
            let reviewed = crate::review::cuts::apply(&agenda, &held_plan, &sheet)?;
            if reviewed.is_none() {
                tracing::info!(
                    "{} does not name the review page's cuts one for one: planning again with it",
                    cues.display()
                );
            }
            reviewed
        }
        (Some(cues), None) => {
            crate::ingest::cues::CueSheet::load(cues)?;
            None
        }
    };
    let session = Session::open(SessionOptions {
        config: held.config.clone(),
        out: held.out.clone(),
        work: opts.work.clone(),
        jobs: opts.jobs,
        dry_run: false,
        hold: Some(Hold::Never),
    })?;
    let sources = Sources {
        cues: opts.cues.clone().or(held.sources.cues.clone()),
        ..held.sources.clone()
    };
    let overrides = Overrides {
        fingerprint: Some(held.fingerprint.clone()),
        plan,
    };
    let report = pipeline::run(&session, sources, overrides).await?;
    tracing::info!(webinar = %held.slug, "released after review");
    Ok(report)
}
