//! Test webinars as they really run, with the truth of where every part is, for measuring
//! alignment in the tests and the benchmark.
//!
//! A webinar is generated from an agenda as published (an event page lists talks, Q&A and
//! a wrap-up; never the moderator's welcome or closing), and then runs the way real ones do:
//! the moderator welcomes people for a few minutes before the first talk and closes after
//! the last; talks overrun or end early; the Q&A is a mix of the moderator reading questions,
//! people from the audience and the speaker answering; the whole thing ends well before its
//! planned total. On top of that, each of the [`Phenomena`] that break aligners can be turned
//! on alone or together: a jingle, a technical pause, the moderator's backchannels inside
//! talks, display names that match nobody, handovers with no gap or overlapping speech, a
//! speaker switching microphone mid-talk, and each speaker in a room of their own.
//!
//! Transcripts are written the way meeting platforms' recognisers write them (timings a few
//! hundred milliseconds off, a speaker's consecutive lines merged, backchannels as cues of
//! their own) and cue sheets the way a person in a hurry types them.
//!
//! Who speaks is in `cast`, how the webinar runs in `script`, the recording in `render`, and
//! what people write of it in `transcript`.

mod browser;
mod cast;
mod render;
mod script;
mod transcript;

use std::path::Path;

use crate::demo::synth::Script;
use crate::ingest::Agenda;

pub use self::browser::chromium;
pub use self::render::Rendered;

/// What makes a webinar hard to align; each can be turned on alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phenomena {
    /// A jingle before the welcome and after the closing.
    pub music: bool,
    /// A technical pause (half a minute of nothing) before a talk.
    pub pause: bool,
    /// The moderator's "yes", "right" inside talks, in the gaps or over the speaker.
    pub backchannels: bool,
    /// Transcript names that match nobody: "Unknown Speaker" lines, a speaker calling in
    /// from a phone number, a speaker who rejoins under another name.
    pub names: bool,
    /// Handovers with almost no gap, and with overlapping speech.
    pub handovers: bool,
    /// A speaker switches from laptop to phone mid-talk.
    pub mic_change: bool,
    /// Each speaker in their own room: level 10 dB apart, band-limited microphones,
    /// reverb, background noise.
    pub rooms: bool,
}

impl Phenomena {
    pub const NONE: Phenomena = Phenomena {
        music: false,
        pause: false,
        backchannels: false,
        names: false,
        handovers: false,
        mic_change: false,
        rooms: false,
    };
    pub const ALL: Phenomena = Phenomena {
        music: true,
        pause: true,
        backchannels: true,
        names: true,
        handovers: true,
        mic_change: true,
        rooms: true,
    };

    /// No phenomenon, each alone, then all together, by name.
    pub fn cases() -> Vec<(&'static str, Phenomena)> {
        let one = |f: fn(&mut Phenomena)| {
            let mut p = Phenomena::NONE;
            f(&mut p);
            p
        };
        vec![
            ("plain", Phenomena::NONE),
            ("music", one(|p| p.music = true)),
            ("pause", one(|p| p.pause = true)),
            ("backchannels", one(|p| p.backchannels = true)),
            ("names", one(|p| p.names = true)),
            ("handovers", one(|p| p.handovers = true)),
            ("mic-change", one(|p| p.mic_change = true)),
            ("rooms", one(|p| p.rooms = true)),
            ("all", Phenomena::ALL),
        ]
    }
}

/// A part of the webinar as it really ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// An agenda item, by index.
    Item(usize),
    Welcome,
    Closing,
    Pause,
    Music,
}

/// How a generated webinar runs.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The agenda as published: what the webinar was meant to be.
    pub agenda: Agenda,
    /// About how long the webinar really runs, in minutes.
    pub minutes: f64,
    pub phenomena: Phenomena,
    /// Agenda people who did not come: their items do not happen.
    pub absent: Vec<String>,
    /// The speech synthesiser of every voice.
    pub engine: Engine,
    pub seed: u64,
}

/// Which synthesiser speaks: flite (ffmpeg's, English voices) or espeak-ng (Spanish voices,
/// a different engine altogether: alignment measured on one engine only could be tuned to
/// it without anyone noticing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    #[default]
    Flite,
    Espeak,
}

/// The display name that means "the recogniser does not know who this is".
pub const UNKNOWN: &str = "Unknown Speaker";
/// How a phone caller appears in a transcript.
pub const PHONE_NUMBER: &str = "+34 6•• ••• •••";

/// A webinar made from a scenario: the script as it really went, which part each
/// utterance belongs to, and the name each utterance's speaker shows on the platform.
pub struct Webinar {
    pub agenda: Agenda,
    pub script: Script,
    pub part_of_turn: Vec<Part>,
    /// The display name of each utterance's speaker (empty for music).
    pub display: Vec<String>,
    pub phenomena: Phenomena,
    pub seed: u64,
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

impl Scenario {
    pub fn new(agenda: Agenda, minutes: f64, phenomena: Phenomena, seed: u64) -> Scenario {
        Scenario {
            agenda,
            minutes,
            phenomena,
            absent: Vec::new(),
            engine: Engine::Flite,
            seed,
        }
    }
}

/// The seed's event page as published (`tests/fixtures/events/`), as an agenda.
pub fn seed_agenda() -> Agenda {
    let page = include_str!("../../tests/fixtures/events/learning-from-cities-2021-06-29.md");
    crate::ingest::event_page::import(page, Path::new("learning-from-cities-2021-06-29.md"))
        .expect("the seed's event page imports")
}

/// `agenda` with every planned length multiplied by `k` (a shorter webinar of the same
/// shape).
pub fn scaled(agenda: &Agenda, k: f64) -> Agenda {
    let mut a = agenda.clone();
    for it in &mut a.items {
        it.minutes = it.minutes.map(|m| m * k);
    }
    a.total_minutes = a.total_minutes.map(|m| m * k);
    a
}
