//! Synthetic webinars with known ground truth, for the demo, the tests and the benchmarks.
//!
//! Speech comes from ffmpeg's `flite` voices or espeak-ng (pitch-shifted to make more people),
//! laid out by a [`Script`] with exact pauses, so we know to the sample where every turn
//! starts and ends: the truth alignment is measured against. Real webinars are messier than
//! a clean concatenation, and alignment must be measured on that mess, so a script can also
//! give each speaker a [`Channel`] of their own (level, a band-limited microphone, room
//! reverb, room noise while their microphone is open), switch a speaker's channel mid-talk,
//! let turns overlap (a negative pause), and play music. All of it is mixed here in Rust,
//! deterministically: the same script always makes the same samples.
//!
//! Speech is made in `speak`, a channel applied in `channel`, music in `music`, and all of it
//! laid out, mixed and written in `mix`.

mod channel;
mod mix;
mod music;
mod speak;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use self::mix::{render, scratch_dir, write_wav};

/// Sample rate of the synthesised speech.
pub const RATE: u32 = 16_000;
/// Speaker name of music in the truth.
pub const MUSIC: &str = "♪";

/// A synthetic person: a voice and a pitch factor (1.0 = as is). The voice is one of
/// ffmpeg's flite voices ("slt", "rms", "awb", "kal16", "kal") or, after `espeak:`, an
/// espeak-ng voice with its variant ("espeak:es+m3"): a second synthesiser, so that
/// alignment is not only ever measured on one engine's voices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    pub voice: String,
    pub pitch: f64,
}

impl Voice {
    pub fn new(voice: &str, pitch: f64) -> Voice {
        Voice {
            voice: voice.into(),
            pitch,
        }
    }
}

/// What lies between a speaker's mouth and the recording: their microphone and room.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    /// Level change in dB (a quiet laptop microphone: -10).
    #[serde(default)]
    pub gain_db: f64,
    /// Lowest frequency the microphone passes, in Hz (a phone: 300).
    #[serde(default)]
    pub highpass: Option<f64>,
    /// Highest frequency the microphone passes, in Hz (a phone: 3400).
    #[serde(default)]
    pub lowpass: Option<f64>,
    /// Room reverberation: (RT60 in seconds, wet share 0..1).
    #[serde(default)]
    pub reverb: Option<(f64, f64)>,
    /// Room noise heard while this microphone is open, in dBFS RMS.
    #[serde(default)]
    pub noise_db: Option<f64>,
}

/// One stretch of one person speaking, or of music.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Utterance {
    pub speaker: String,
    pub text: String,
    /// Silence after it, in seconds; negative: the next one starts this long before this
    /// one ends (overlapping speech).
    pub pause_after: f64,
    /// The channel it goes through (a key of [`Script::channels`]); by default the
    /// speaker's own entry there, else none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Seconds of music instead of speech (`speaker` and `text` are then only labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub music: Option<f64>,
}

impl Utterance {
    pub fn new(speaker: &str, text: &str, pause_after: f64) -> Utterance {
        Utterance {
            speaker: speaker.into(),
            text: text.into(),
            pause_after,
            channel: None,
            music: None,
        }
    }

    /// `seconds` of music, then `pause_after` of silence.
    pub fn music(seconds: f64, pause_after: f64) -> Utterance {
        Utterance {
            speaker: MUSIC.into(),
            text: "music".into(),
            pause_after,
            channel: None,
            music: Some(seconds),
        }
    }

    fn channel_name(&self) -> &str {
        self.channel.as_deref().unwrap_or(&self.speaker)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Script {
    /// Silent waiting room before anyone speaks, in seconds.
    pub lead_silence: f64,
    /// Voice of each speaker named in the utterances.
    pub voices: HashMap<String, Voice>,
    pub utterances: Vec<Utterance>,
    /// Background noise level of the whole recording in dBFS (e.g. -50), or none.
    pub noise_db: Option<f64>,
    /// Microphones and rooms by name (see [`Utterance::channel`]).
    #[serde(default)]
    pub channels: HashMap<String, Channel>,
}

/// Where each utterance really is in the rendered recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub speaker: String,
    pub text: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Truth {
    pub duration: f64,
    pub turns: Vec<Turn>,
}

impl Truth {
    /// The spoken turns (music is not in a transcript).
    fn spoken(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.speaker != MUSIC)
    }

    /// A Zoom-style WebVTT transcript ("Name: text" cues) of the truth.
    pub fn to_vtt(&self, display_name: impl Fn(&str) -> String) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for (i, t) in self.spoken().enumerate() {
            out.push_str(&format!(
                "{}\n{} --> {}\n{}: {}\n\n",
                i + 1,
                crate::timecode::vtt(t.start),
                crate::timecode::vtt(t.end),
                display_name(&t.speaker),
                t.text
            ));
        }
        out
    }

    /// A Teams-style WebVTT transcript: `<v Name>` spans, cue ids `guid/turn-part`, and
    /// long turns split into several cues the way Teams splits them.
    pub fn to_teams_vtt(&self, display_name: impl Fn(&str) -> String) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for (i, t) in self.spoken().enumerate() {
            let words: Vec<&str> = t.text.split_whitespace().collect();
            let parts = words.len().div_ceil(12).max(1);
            let per = words.len().div_ceil(parts).max(1);
            for (k, chunk) in words.chunks(per).enumerate() {
                let a = t.start + (t.end - t.start) * (k * per) as f64 / words.len() as f64;
                let b = t.start
                    + (t.end - t.start) * ((k * per + chunk.len()) as f64 / words.len() as f64);
                out.push_str(&format!(
                    "8f0c2d1e-4b7a-4c55-9e13-2a6b0f3d9c{:02x}/{}-{k}\n{} --> {}\n<v {}>{}</v>\n\n",
                    i % 256,
                    i + 10,
                    crate::timecode::vtt(a),
                    crate::timecode::vtt(b),
                    display_name(&t.speaker),
                    chunk.join(" ")
                ));
            }
        }
        out
    }

    /// An SRT transcript with `Name:` prefixes.
    pub fn to_srt(&self, display_name: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for (i, t) in self.spoken().enumerate() {
            out.push_str(&format!(
                "{}\n{} --> {}\n{}: {}\n\n",
                i + 1,
                crate::timecode::vtt(t.start).replace('.', ","),
                crate::timecode::vtt(t.end).replace('.', ","),
                display_name(&t.speaker),
                t.text
            ));
        }
        out
    }

    /// Where each agenda item really starts and ends, given which agenda item each turn
    /// belongs to (`item_of_turn[k]` for turn k; `None` for turns outside every item).
    pub fn item_spans(
        &self,
        item_of_turn: &[Option<usize>],
        items: usize,
    ) -> Vec<Option<(f64, f64)>> {
        let mut out: Vec<Option<(f64, f64)>> = vec![None; items];
        for (t, i) in self.turns.iter().zip(item_of_turn) {
            let Some(i) = *i else { continue };
            let span = out[i].get_or_insert((t.start, t.end));
            span.0 = span.0.min(t.start);
            span.1 = span.1.max(t.end);
        }
        out
    }
}

/// Display names as meeting platforms show them, unlike the agenda's: accents dropped, an
/// organisation appended, the second surname missing, different case. `style` picks one.
pub fn display_variant(name: &str, style: usize) -> String {
    let plain = deunicode::deunicode(name);
    let words: Vec<&str> = name.split_whitespace().collect();
    match style % 5 {
        0 => format!("{name} | City Hall"),
        1 => plain.to_uppercase(),
        2 => words.iter().take(2).copied().collect::<Vec<_>>().join(" "),
        3 => format!("{plain} - Guest"),
        _ => plain.to_lowercase(),
    }
}

fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A deterministic xorshift generator: the same script always makes the same webinar.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [-1, 1).
    fn uniform(&mut self) -> f64 {
        self.unit() * 2.0 - 1.0
    }

    pub fn between(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next_u64() % v.len() as u64) as usize]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}
