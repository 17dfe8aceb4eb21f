//! Ingest: read and check everything the user gave us, before any long work starts.
//!
//! Produces [`Inputs`]: the probed recording, the agenda (from TOML or an event page) and
//! the optional transcript and cue sheet paths (both parsed here once, so a bad line fails
//! before any decoding). The recording's audio is decoded exactly once, by
//! [`audio::decode`], into the work folder; every later stage reads that decoded copy.

pub mod agenda;
pub mod audio;
pub mod cues;
pub mod event_page;
pub mod fetch;
pub mod transcript;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use agenda::{Agenda, Item, ItemKind, Person};

use crate::error::{Error, Result};
use crate::ffmpeg::{self, Probe};

/// How far the planned agenda may exceed the recording before we refuse to cut it.
pub const AGENDA_OVERRUN_LIMIT: f64 = 1.25;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    pub recording: PathBuf,
    pub probe: Probe,
    pub agenda: Agenda,
    pub transcript: Option<PathBuf>,
    /// The user's cue sheet (`HH:MM:SS name` lines), if any.
    #[serde(default)]
    pub cues: Option<PathBuf>,
}

/// Read and cross-check the recording, agenda, transcript and cue sheet.
pub fn ingest(
    recording: &Path,
    agenda: &Path,
    transcript: Option<&Path>,
    cues: Option<&Path>,
) -> Result<Inputs> {
    let agenda = Agenda::load(agenda)?;
    let probe = ffmpeg::probe(recording)?;
    if probe.audio_streams == 0 {
        return Err(Error::input(
            recording,
            "has no audio stream: export the recording with its audio track",
        ));
    }
    if probe.duration <= 0.0 {
        return Err(Error::input(recording, "is empty (0 seconds long)"));
    }
    let planned = agenda.planned_minutes().iter().sum::<f64>() * 60.0;
    if planned > probe.duration * AGENDA_OVERRUN_LIMIT {
        return Err(Error::Mismatch(format!(
            "the agenda plans {} but {} is only {} long: check that this is the whole recording, \
             or correct the items' minutes in the agenda",
            crate::clock(planned),
            recording.display(),
            crate::clock(probe.duration)
        )));
    }
    if planned > probe.duration {
        tracing::warn!(
            "the agenda plans {} but the recording is {}: later items will be shortened",
            crate::clock(planned),
            crate::clock(probe.duration)
        );
    }
    if let Some(t) = transcript {
        transcript::Transcript::load(t)?.check_duration(probe.duration)?;
    }
    if let Some(c) = cues {
        cues::CueSheet::load(c)?;
    }
    Ok(Inputs {
        recording: recording.to_path_buf(),
        probe,
        agenda,
        transcript: transcript.map(Path::to_path_buf),
        cues: cues.map(Path::to_path_buf),
    })
}
