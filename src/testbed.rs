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

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ingest::{Agenda, ItemKind};
use crate::synth::{self, Channel, Rng, Script, Truth, Utterance, Voice};

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

/// espeak-ng voices of the agenda's people, as [`VOICES`]: Spanish, three men of about the
/// same pitch among the first four.
const ESPEAK_VOICES: &[(&str, f64)] = &[
    ("espeak:es+f2", 1.0),
    ("espeak:es+m3", 1.0),
    ("espeak:es-419+m3", 1.0),
    ("espeak:es+m1", 1.0),
    ("espeak:pt+m2", 1.0),
    ("espeak:es+m6", 1.0),
    ("espeak:es+f4", 1.0),
];

/// espeak-ng voices of the audience, as [`AUDIENCE`].
const ESPEAK_AUDIENCE: &[&str] = &["espeak:es-419+m5", "espeak:pt+f3", "espeak:es+f5"];

/// Voices of the agenda's people, in the order of [`Agenda::people`] (the moderator first),
/// the first four rotated by the scenario's seed. Four of the five are male voices of about
/// the same pitch, so two speakers of the same gender and pitch are the rule.
const VOICES: &[(&str, f64)] = &[
    ("slt", 1.0),
    ("rms", 1.0),
    ("kal16", 1.0),
    ("awb", 1.0),
    ("kal", 1.0),
    ("rms", 1.12),
    ("slt", 0.9),
];

/// People in the audience: (display name, flite voice, pitch).
const AUDIENCE: &[(&str, &str, f64)] = &[
    ("Pedro from Quito", "kal", 0.85),
    ("Anna K", "awb", 1.3),
    ("Sofía Méndez", "slt", 0.8),
];

/// The rooms of the agenda's people, in the order of [`VOICES`], when
/// [`Phenomena::rooms`] is on: levels 10 dB apart, laptop microphones, reverb, noise.
fn room(k: usize) -> Channel {
    let rooms = [
        // the moderator: a good headset in a quiet office
        Channel {
            gain_db: 0.0,
            highpass: Some(80.0),
            lowpass: Some(7500.0),
            reverb: Some((0.2, 0.08)),
            noise_db: Some(-64.0),
        },
        // a laptop in a bare meeting room, quiet
        Channel {
            gain_db: -10.0,
            highpass: Some(200.0),
            lowpass: Some(5500.0),
            reverb: Some((0.6, 0.3)),
            noise_db: Some(-52.0),
        },
        // a desk microphone, a little loud, a fan behind
        Channel {
            gain_db: 2.0,
            highpass: Some(120.0),
            lowpass: Some(7000.0),
            reverb: Some((0.35, 0.15)),
            noise_db: Some(-50.0),
        },
        // a laptop at home
        Channel {
            gain_db: -6.0,
            highpass: Some(250.0),
            lowpass: Some(4500.0),
            reverb: Some((0.3, 0.2)),
            noise_db: Some(-55.0),
        },
    ];
    rooms[k % rooms.len()].clone()
}

/// A phone: narrow band, no room, some line noise.
fn phone() -> Channel {
    Channel {
        gain_db: -3.0,
        highpass: Some(300.0),
        lowpass: Some(3400.0),
        reverb: None,
        noise_db: Some(-48.0),
    }
}

const WELCOME: &[&str] = &[
    "Good afternoon everyone, and welcome to this webinar of the series Learning from cities.",
    "Before we start, a few practical notes: please write your questions in the chat.",
    "The session is recorded and will be published on our website and as a podcast.",
    "Today we talk about innovation in cities, and what local governments can learn from each other.",
    "Let me briefly introduce the speakers who join us from three continents.",
    "Thank you all for being here, from so many cities and time zones.",
];

const TALK: &[&str] = &[
    "In our city we started with a simple question about what residents really need.",
    "We opened the data to everyone, and community groups built tools we never imagined.",
    "Innovation is not only digital; sometimes it means going back to the market square.",
    "Bureaucracy avoids risk, so we created a small fund where failure was allowed.",
    "Half of the projects failed, and that was fine, because we learned from every one.",
    "Partnerships with universities and neighbourhood groups mattered more than technology.",
    "Every assembly received a dashboard with the money spent and the results achieved.",
    "Publish your numbers early, even when they are not perfect.",
    "The hardest part was keeping people engaged after the first year.",
    "We measured progress against the sustainable development goals.",
    "Trust grows slowly, and it disappears very quickly.",
    "Our budget was small, so we had to choose carefully.",
    "Young people brought the best ideas, and they tested them in the streets.",
    "We now share our methods with other cities in the region.",
];

const QUESTIONS: &[&str] = &[
    "We have a question from the chat.",
    "How did you convince the council to accept failure?",
    "What would you do differently next time?",
    "Can you say more about the budget?",
    "Which goal was the hardest to measure?",
    "How did residents react at first?",
];

const BACKCHANNELS: &[&str] = &["Yes.", "Right.", "Sure.", "Okay.", "Thank you."];

const CLOSING: &[&str] = &[
    "Thank you very much to all our speakers, and to all of you for your questions.",
    "The recording and the podcast will be on our website next week.",
    "See you at the next webinar of the series. Goodbye.",
];

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

/// Builds the script one utterance at a time.
struct Writer {
    rng: Rng,
    utterances: Vec<Utterance>,
    parts: Vec<Part>,
    display: Vec<String>,
    handovers: bool,
}

impl Writer {
    /// Say `text` as `who` (shown as `shown`) in `part`, after the right pause.
    fn say(&mut self, who: &str, shown: &str, text: &str, part: Part, channel: Option<&str>) {
        let handovers = self.handovers;
        if let Some(prev) = self.utterances.last_mut() {
            if prev.music.is_none() && prev.pause_after == PENDING {
                prev.pause_after = if prev.speaker == who {
                    self.rng.between(0.3, 0.9)
                } else if handovers && self.rng.chance(0.35) {
                    self.rng.between(0.04, 0.22)
                } else if handovers && self.rng.chance(0.45) {
                    -self.rng.between(0.15, 0.9)
                } else {
                    self.rng.between(0.4, 2.0)
                };
            }
        }
        let mut u = Utterance::new(who, text, PENDING);
        u.channel = channel.map(str::to_string);
        self.utterances.push(u);
        self.parts.push(part);
        self.display.push(shown.to_string());
    }

    /// Set the pause after the last utterance explicitly.
    fn pause(&mut self, seconds: f64) {
        if let Some(prev) = self.utterances.last_mut() {
            prev.pause_after = seconds;
        }
    }

    fn pause_between(&mut self, a: f64, b: f64) {
        let seconds = self.rng.between(a, b);
        self.pause(seconds);
    }

    fn music(&mut self, seconds: f64, after: f64) {
        self.utterances.push(Utterance::music(seconds, after));
        self.parts.push(Part::Music);
        self.display.push(String::new());
    }

    fn spoken(&self) -> f64 {
        self.utterances
            .iter()
            .map(|u| estimate(u) + u.pause_after.max(0.0))
            .sum()
    }
}

/// Marks a pause that the next utterance decides.
const PENDING: f64 = -1000.0;

/// A rough length of an utterance, to fill a part to its real length.
fn estimate(u: &Utterance) -> f64 {
    u.music
        .unwrap_or_else(|| u.text.split_whitespace().count() as f64 * 0.36 + 0.3)
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

    pub fn build(&self) -> Webinar {
        let ph = self.phenomena;
        let agenda = &self.agenda;
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ self.seed.wrapping_mul(0x9E37_79B9) | 1);
        let people: Vec<String> = agenda.people().iter().map(|p| p.name.clone()).collect();
        let moderator = agenda
            .moderator
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_else(|| people[0].clone());
        let present = |n: &str| !self.absent.iter().any(|a| a == n);
        // Real lengths: talks overrun or end early, Q&A is shorter than planned, the
        // moderator welcomes for a few minutes and closes in one; then all of it is scaled
        // to the webinar's length.
        let planned = agenda.planned_minutes();
        let mut real: Vec<f64> = agenda
            .items
            .iter()
            .zip(&planned)
            .map(|(it, m)| {
                let k = match it.kind {
                    ItemKind::Talk => rng.between(0.75, 1.3),
                    ItemKind::Qa => rng.between(0.45, 0.8),
                    _ => rng.between(0.7, 1.0),
                };
                m * 60.0 * k
            })
            .collect();
        // One to four minutes of welcome and about a minute of closing in an hour's agenda.
        let size = (planned.iter().sum::<f64>() / 60.0).clamp(0.2, 3.0);
        let mut welcome = rng.between(60.0, 240.0) * size;
        let mut closing = rng.between(35.0, 80.0) * size;
        let total: f64 = real.iter().sum::<f64>() + welcome + closing;
        let scale = self.minutes * 60.0 / total;
        real.iter_mut().for_each(|r| *r *= scale);
        welcome *= scale;
        closing *= scale;

        let mut w = Writer {
            rng: Rng(rng.next_u64() | 1),
            utterances: Vec::new(),
            parts: Vec::new(),
            display: Vec::new(),
            handovers: ph.handovers,
        };
        // Display names as the platform shows them, before anyone rejoins.
        let mut shown: std::collections::HashMap<String, String> = people
            .iter()
            .enumerate()
            .map(|(k, n)| (n.clone(), synth::display_variant(n, k)))
            .collect();
        for &(n, _, _) in AUDIENCE {
            shown.insert(n.to_string(), n.to_string());
        }
        let talks: Vec<usize> = (0..agenda.items.len())
            .filter(|&i| agenda.items[i].kind == ItemKind::Talk)
            .collect();
        let episodes: Vec<usize> = (0..agenda.items.len())
            .filter(|&i| agenda.items[i].kind.is_episode())
            .collect();
        let holder = |i: usize| -> String {
            agenda.items[i]
                .speakers
                .first()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| moderator.clone())
        };
        if ph.names {
            // The last episode's speaker dials in from a phone: nothing names them.
            if let Some(&last) = episodes.last() {
                shown.insert(holder(last), PHONE_NUMBER.to_string());
            }
        }
        let mic_talk = talks.first().copied();
        let rejoin_talk = talks.get(1).copied();

        if ph.music {
            w.music(rng.between(8.0, 15.0), rng.between(0.8, 2.0));
        }
        fill(
            &mut w,
            &moderator,
            &shown[&moderator],
            WELCOME,
            welcome,
            Part::Welcome,
            None,
        );
        let mut last_talker = moderator.clone();
        let mut skipping = false;
        for (i, item) in agenda.items.iter().enumerate() {
            let who = holder(i);
            if !present(&who) && item.kind.is_episode() {
                skipping = true;
                continue;
            }
            if skipping && item.kind == ItemKind::Qa {
                continue;
            }
            skipping = false;
            let part = Part::Item(i);
            let mut left = real[i];
            match item.kind {
                ItemKind::Qa => {
                    let talker = last_talker.clone();
                    let talker_channel = channel_of(&w, &talker);
                    let m = &shown[&moderator];
                    w.say(
                        &moderator,
                        m,
                        &format!(
                            "Thank you, {}. We have questions from the chat.",
                            first_name(&talker)
                        ),
                        part,
                        None,
                    );
                    left -= 5.0;
                    let mut k = 0;
                    while left > 0.0 {
                        let q = *w.rng.pick(QUESTIONS);
                        if k % 2 == 1 {
                            let (name, _, _) = *w.rng.pick(AUDIENCE);
                            let display = if ph.names {
                                UNKNOWN.to_string()
                            } else {
                                shown[name].clone()
                            };
                            w.say(name, &display, q, part, None);
                        } else {
                            w.say(&moderator, m, q, part, None);
                        }
                        left -= q.split_whitespace().count() as f64 * 0.36 + 1.5;
                        for _ in 0..1 + w.rng.next_u64() % 4 {
                            let a = *w.rng.pick(TALK);
                            let display = shown[&talker].clone();
                            w.say(&talker, &display, a, part, talker_channel.as_deref());
                            left -= a.split_whitespace().count() as f64 * 0.36 + 0.9;
                        }
                        k += 1;
                    }
                    let next = agenda.items[i + 1..]
                        .iter()
                        .position(|it| it.kind.is_episode())
                        .map(|k| holder(i + 1 + k));
                    let line = match &next {
                        Some(n) => format!(
                            "Thank you. Let us welcome our next speaker, {}.",
                            first_name(n)
                        ),
                        None => "Thank you. Let us move on.".to_string(),
                    };
                    w.say(&moderator, m, &line, part, None);
                    if ph.pause && Some(i + 1) == rejoin_talk {
                        let m = shown[&moderator].clone();
                        w.say(&moderator, &m, "It seems we have a technical problem. Please bear with us for a moment.", part, None);
                        w.pause(rng.between(25.0, 45.0));
                        let pause_at = w.utterances.len();
                        w.say(
                            &moderator,
                            &m,
                            "We are back. Thank you for your patience.",
                            Part::Pause,
                            None,
                        );
                        // The apology and the return belong to the pause, not to the Q&A.
                        w.parts[pause_at - 1] = Part::Pause;
                    }
                }
                _ => {
                    let mut said = 0.0;
                    let mut next_backchannel = w.rng.between(30.0, 70.0) * scale.max(0.25);
                    let mut switched = false;
                    let mut rejoined = false;
                    while said < left {
                        let s = *w.rng.pick(TALK);
                        let ch = if switched {
                            Some(format!("{who} phone"))
                        } else {
                            None
                        };
                        let display = shown[&who].clone();
                        w.say(&who, &display, s, part, ch.as_deref());
                        said += s.split_whitespace().count() as f64 * 0.36 + 0.9;
                        if ph.backchannels
                            && item.kind == ItemKind::Talk
                            && said > next_backchannel
                            && said < left - 5.0
                        {
                            // In the gap, or over the end of the speaker's sentence.
                            let over = w.rng.chance(0.5);
                            if over {
                                w.pause_between(-0.6, -0.2);
                            } else {
                                w.pause_between(0.25, 0.5);
                            }
                            let b = *w.rng.pick(BACKCHANNELS);
                            let m = shown[&moderator].clone();
                            w.say(&moderator, &m, b, part, None);
                            w.pause_between(0.2, 0.5);
                            next_backchannel = said + w.rng.between(30.0, 70.0) * scale.max(0.25);
                        }
                        if ph.mic_change && Some(i) == mic_talk && !switched && said > left * 0.45 {
                            w.say(
                                &who,
                                &display,
                                "Sorry, my laptop battery is dying, I am switching to my phone.",
                                part,
                                None,
                            );
                            w.pause_between(3.0, 7.0);
                            switched = true;
                            if ph.names {
                                shown
                                    .insert(who.clone(), format!("iPhone de {}", first_name(&who)));
                            }
                        }
                        if ph.names && Some(i) == rejoin_talk && !rejoined && said > left * 0.5 {
                            // The connection drops; they come back under another name.
                            w.pause_between(4.0, 8.0);
                            let initial: String = who
                                .split_whitespace()
                                .nth(1)
                                .and_then(|s| s.chars().next())
                                .map(|c| format!(" {c}."))
                                .unwrap_or_default();
                            shown.insert(
                                who.clone(),
                                format!("{}{initial} (2)", deunicode::deunicode(first_name(&who))),
                            );
                            rejoined = true;
                        }
                    }
                    if item.kind == ItemKind::Talk {
                        last_talker = who.clone();
                    }
                }
            }
        }
        fill(
            &mut w,
            &moderator,
            &shown[&moderator],
            CLOSING,
            closing,
            Part::Closing,
            None,
        );
        if ph.music {
            w.pause(rng.between(0.8, 2.0));
            w.music(rng.between(6.0, 10.0), 2.0);
        }
        w.pause(2.0);
        if ph.names {
            // The recogniser loses a few lines of anyone.
            let n = w.display.len();
            for _ in 0..n / 25 {
                let k = (w.rng.next_u64() % n as u64) as usize;
                if w.utterances[k].music.is_none() {
                    w.display[k] = UNKNOWN.to_string();
                }
            }
        }
        let mut voices: std::collections::HashMap<String, Voice> = people
            .iter()
            .enumerate()
            .map(|(k, n)| {
                // The first four people's voices rotate with the seed: which voice is the
                // moderator's, and which two talk, changes from webinar to webinar.
                let rotated = if k < 4 {
                    (k + self.seed as usize) % 4
                } else {
                    k
                };
                let voices = match self.engine {
                    Engine::Flite => VOICES,
                    Engine::Espeak => ESPEAK_VOICES,
                };
                let (v, p) = voices[rotated % voices.len()];
                (n.clone(), Voice::new(v, p))
            })
            .collect();
        for (k, &(n, v, p)) in AUDIENCE.iter().enumerate() {
            let voice = match self.engine {
                Engine::Flite => Voice::new(v, p),
                Engine::Espeak => Voice::new(ESPEAK_AUDIENCE[k % ESPEAK_AUDIENCE.len()], 1.0),
            };
            voices.insert(n.to_string(), voice);
        }
        let mut channels = std::collections::HashMap::new();
        if ph.rooms {
            for (k, n) in people.iter().enumerate() {
                channels.insert(n.clone(), room(k));
            }
            for (k, &(n, _, _)) in AUDIENCE.iter().enumerate() {
                let mut c = room(k + 1);
                c.gain_db -= 3.0;
                channels.insert(n.to_string(), c);
            }
        }
        if ph.mic_change {
            if let Some(t) = mic_talk {
                channels.insert(format!("{} phone", holder(t)), phone());
            }
        }
        let script = Script {
            lead_silence: rng.between(2.0, 20.0),
            voices,
            utterances: w.utterances,
            noise_db: Some(-66.0),
            channels,
        };
        Webinar {
            agenda: agenda.clone(),
            script,
            part_of_turn: w.parts,
            display: w.display,
            phenomena: ph,
            seed: self.seed,
        }
    }
}

/// The channel `who` last spoke through (a phone after a switch).
fn channel_of(w: &Writer, who: &str) -> Option<String> {
    w.utterances
        .iter()
        .rev()
        .find(|u| u.speaker == who)
        .and_then(|u| u.channel.clone())
}

/// `who` says lines of `lines` (in order, then at random) until about `seconds` are said.
fn fill(
    w: &mut Writer,
    who: &str,
    shown: &str,
    lines: &[&str],
    seconds: f64,
    part: Part,
    ch: Option<&str>,
) {
    let start = w.spoken();
    let mut k = 0;
    while w.spoken() - start < seconds || k == 0 {
        let line = if k < lines.len() {
            lines[k]
        } else {
            *w.rng.pick(TALK)
        };
        w.say(who, shown, line, part, ch);
        k += 1;
    }
}

/// A rendered webinar on disk.
pub struct Rendered {
    pub recording: PathBuf,
    /// The agenda as TOML (the same agenda the scenario was made from).
    pub agenda: PathBuf,
    pub truth: Truth,
    /// Where each agenda item really starts and ends (`None`: it did not happen).
    pub spans: Vec<Option<(f64, f64)>>,
    /// Where each part really is, in order: welcome, items, pauses, closing, music.
    pub parts: Vec<(Part, f64, f64)>,
}

impl Webinar {
    /// Render the recording (`recording.m4a`, AAC as platforms export it) and write
    /// `agenda.toml` into `dir`.
    pub fn render(&self, dir: &Path) -> Result<Rendered> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let recording = dir.join("recording.m4a");
        let truth = synth::render(&self.script, &recording, None, &dir.join(".synth"))?;
        let agenda = dir.join("agenda.toml");
        std::fs::write(&agenda, self.agenda.to_toml()).map_err(|e| Error::io(&agenda, e))?;
        Ok(self.rendered(recording, agenda, truth))
    }

    /// The rendered webinar, from a truth rendered earlier.
    pub fn rendered(&self, recording: PathBuf, agenda: PathBuf, truth: Truth) -> Rendered {
        let items: Vec<Option<usize>> = self
            .part_of_turn
            .iter()
            .map(|p| match p {
                Part::Item(i) => Some(*i),
                _ => None,
            })
            .collect();
        let spans = truth.item_spans(&items, self.agenda.items.len());
        let mut parts: Vec<(Part, f64, f64)> = Vec::new();
        for (p, t) in self.part_of_turn.iter().zip(&truth.turns) {
            match parts.last_mut() {
                Some(last) if last.0 == *p => last.2 = last.2.max(t.end),
                _ => parts.push((*p, t.start, t.end)),
            }
        }
        Rendered {
            recording,
            agenda,
            truth,
            spans,
            parts,
        }
    }

    /// The transcript a meeting platform's recogniser writes: display names as shown
    /// (with [`Phenomena::names`]: phone numbers, rejoins, "Unknown Speaker"), timings
    /// off by up to `jitter` seconds, a speaker's consecutive lines merged. Zoom style
    /// (`Name: text`) or Teams style (`<v Name>`, long cues split).
    pub fn transcript(&self, truth: &Truth, teams: bool, jitter: f64) -> String {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ self.seed.wrapping_mul(31) | 1);
        // (display, start, end, text)
        let mut cues: Vec<(String, f64, f64, String)> = Vec::new();
        for (t, shown) in truth.turns.iter().zip(&self.display) {
            if shown.is_empty() {
                continue;
            }
            let start = (t.start + rng.between(-jitter, jitter)).max(0.0);
            let end = (t.end + rng.between(-jitter, jitter)).max(start + 0.2);
            match cues.last_mut() {
                Some(last) if last.0 == *shown && start - last.2 < 1.0 && end - last.1 < 12.0 => {
                    last.2 = end;
                    last.3 = format!("{} {}", last.3, t.text);
                }
                _ => cues.push((shown.clone(), start, end, t.text.clone())),
            }
        }
        if teams {
            // Teams splits long cues into parts of about twelve words.
            cues = cues
                .into_iter()
                .flat_map(|(who, a, b, text)| {
                    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
                    let parts = words.len().div_ceil(12).max(1);
                    let per = words.len().div_ceil(parts).max(1);
                    let n = words.len().max(1) as f64;
                    let chunks: Vec<Vec<String>> =
                        words.chunks(per).map(<[String]>::to_vec).collect();
                    let mut done = 0;
                    chunks
                        .into_iter()
                        .map(|chunk| {
                            let f = |k: usize| a + (b - a) * k as f64 / n;
                            let part =
                                (who.clone(), f(done), f(done + chunk.len()), chunk.join(" "));
                            done += chunk.len();
                            part
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        // Platforms write cues in order of their start.
        cues.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut out = String::from("WEBVTT\n\n");
        for (i, (who, a, b, text)) in cues.iter().enumerate() {
            if teams {
                out.push_str(&format!(
                    "8f0c2d1e-4b7a-4c55-9e13-2a6b0f3d9c{:02x}/{}-0\n{} --> {}\n<v {who}>{text}</v>\n\n",
                    i % 256,
                    i + 10,
                    synth::vtt_time(*a),
                    synth::vtt_time(*b),
                ));
            } else {
                out.push_str(&format!(
                    "{}\n{} --> {}\n{who}: {text}\n\n",
                    i + 1,
                    synth::vtt_time(*a),
                    synth::vtt_time(*b)
                ));
            }
        }
        out
    }

    /// A cue sheet as a person in a hurry types it while watching the recording: the time
    /// on the player's clock (whole seconds, cut down), and a first name, a full name or a
    /// word for the part ("Q&A", "preguntas", "bienvenida", "cierre").
    pub fn cue_sheet(&self, parts: &[(Part, f64, f64)]) -> String {
        let mut rng = Rng(0x94D0_49BB_1331_11EB ^ self.seed.wrapping_mul(17) | 1);
        let moderator = self
            .agenda
            .moderator
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let mut out = String::new();
        for &(part, start, _) in parts {
            let label = match part {
                Part::Welcome => {
                    if rng.chance(0.5) {
                        first_name(&moderator).to_string()
                    } else {
                        rng.pick(&["bienvenida", "welcome", "Intro"]).to_string()
                    }
                }
                Part::Closing => rng.pick(&["cierre", "closing", "fin"]).to_string(),
                Part::Item(i) => {
                    let item = &self.agenda.items[i];
                    match item.kind {
                        ItemKind::Qa => rng.pick(&["Q&A", "preguntas", "questions"]).to_string(),
                        _ => {
                            let name = self.agenda.item_speakers(item).join(", ");
                            if rng.chance(0.5) {
                                first_name(&name).to_string()
                            } else {
                                name
                            }
                        }
                    }
                }
                Part::Pause | Part::Music => continue,
            };
            let t = start.floor() as u64;
            let clock = if t >= 3600 {
                format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
            } else {
                format!("{}:{:02}", t / 60, t % 60)
            };
            out.push_str(&format!("{clock} {label}\n"));
        }
        out
    }
}

/// The seed's event page as published (`tests/fixtures/events/`), as an agenda.
pub fn seed_agenda() -> Agenda {
    let page = include_str!("../tests/fixtures/events/learning-from-cities-2021-06-29.md");
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
