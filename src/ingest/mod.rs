//! Ingest: read and check everything the user gave us, before any long work starts.
//!
//! Produces [`Inputs`]: the probed recording, the agenda (from TOML or an event page) and
//! the optional transcript and cue sheet paths (both parsed here once, so a bad line fails
//! before any decoding). The recording's audio is decoded exactly once, by
//! [`audio::decode`], into the work folder; every later stage reads that decoded copy.

pub mod agenda;
pub mod audio;
pub mod cues;
pub mod envelope;
pub mod event_page;
pub mod fetch;
pub mod loudness;
pub mod transcript;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use agenda::{Agenda, Item, ItemKind, Person};

use crate::error::{Error, Result};
use crate::ffmpeg::{self, Probe};

/// How far the planned agenda may exceed the recording before we point it out.
pub const AGENDA_OVERRUN_WARNING: f64 = 1.5;
/// How far it may exceed it, without a transcript or cue sheet, before we refuse: a
/// 60-minute agenda and a recording of under four minutes are likely two webinars.
pub const AGENDA_OVERRUN_LIMIT: f64 = 15.0;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    pub recording: PathBuf,
    pub probe: Probe,
    pub agenda: Agenda,
    pub transcript: Option<PathBuf>,
    /// The user's cue sheet (`HH:MM:SS name` lines), if any.
    #[serde(default)]
    pub cues: Option<PathBuf>,
    /// The transcript and cue sheet as read here, once.
    #[serde(skip)]
    pub parsed: Parsed,
}

/// The transcript and the cue sheet, parsed, and a digest of their text (what a plan made
/// from them is keyed by).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub transcript: Option<transcript::Transcript>,
    pub cues: Option<cues::CueSheet>,
    pub digest: String,
}

/// A webinar's input files, as given: on the command line, or found in an inbox folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    pub recording: PathBuf,
    /// The agenda: TOML, or an event page saved as a file.
    pub agenda: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<PathBuf>,
    /// The user's cue sheet: when each item or speaker started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cues: Option<PathBuf>,
}

impl Sources {
    /// Every file, recording first.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        [Some(&self.recording), Some(&self.agenda)]
            .into_iter()
            .chain([self.transcript.as_ref(), self.cues.as_ref()])
            .flatten()
            .map(PathBuf::as_path)
    }
}

/// Read the recording, transcript and cue sheet and cross-check them with the agenda
/// (read first, with [`Agenda::load`], by whoever decides whether there is work to do).
pub fn ingest(sources: &Sources, agenda: Agenda) -> Result<Inputs> {
    let (recording, transcript, cues) = (
        sources.recording.as_path(),
        sources.transcript.as_deref(),
        sources.cues.as_deref(),
    );
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
    // Webinars often end well before their planned total; the planned minutes are only a
    // weak prior for the plan stage, which stops the run if a speaker cannot be found.
    // Only a recording so short that it is more likely another file is refused, and only
    // when neither a transcript nor a cue sheet can say where each speaker is.
    let planned = agenda.planned_minutes().iter().sum::<f64>() * 60.0;
    if planned > probe.duration * AGENDA_OVERRUN_LIMIT && transcript.is_none() && cues.is_none() {
        return Err(Error::Mismatch(format!(
            "the agenda plans {} but {} is only {} long: check that this is the whole \
             recording; if it is, give a transcript (--transcript) or a cue sheet (--cues) so \
             each speaker can be placed",
            crate::timecode::clock(planned),
            recording.display(),
            crate::timecode::clock(probe.duration)
        )));
    }
    if planned > probe.duration * AGENDA_OVERRUN_WARNING {
        tracing::warn!(
            "the agenda plans {} but {} is {} long: check that this is the whole recording",
            crate::timecode::clock(planned),
            recording.display(),
            crate::timecode::clock(probe.duration)
        );
    }
    let mut digest = blake3::Hasher::new();
    let parsed_transcript = match transcript {
        Some(t) => {
            let text = crate::error::read_text(t)?;
            digest.update(text.as_bytes());
            let parsed = transcript::parse(&text, t)?;
            parsed.check_duration(probe.duration)?;
            Some(parsed)
        }
        None => None,
    };
    digest.update(b"\0");
    let parsed_cues = match cues {
        Some(c) => {
            let text = crate::error::read_text(c)?;
            digest.update(text.as_bytes());
            Some(cues::parse(&text, c)?)
        }
        None => None,
    };
    Ok(Inputs {
        recording: recording.to_path_buf(),
        probe,
        agenda,
        transcript: transcript.map(Path::to_path_buf),
        cues: cues.map(Path::to_path_buf),
        parsed: Parsed {
            transcript: parsed_transcript,
            cues: parsed_cues,
            digest: digest.finalize().to_hex().to_string(),
        },
    })
}
