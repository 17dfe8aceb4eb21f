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

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::args;
use crate::error::{Error, Result};

/// Sample rate of the synthesised speech.
pub const RATE: u32 = 16_000;
/// Speech level every voice is brought to before its channel's gain, in dBFS RMS (flite's
/// voices differ by 13 dB as they come).
const SPEECH_DB: f64 = -20.0;
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

/// Synthesise one utterance as 16 kHz mono samples at [`SPEECH_DB`], with the engine's own
/// silences trimmed.
fn speak(voice: &Voice, text: &str, scratch: &Path) -> Result<Vec<f32>> {
    let text_file = scratch.join("utterance.txt");
    std::fs::write(&text_file, text).map_err(|e| Error::io(&text_file, e))?;
    let raw = scratch.join("utterance.s16");
    let shift = if (voice.pitch - 1.0).abs() > 1e-3 {
        format!(",asetrate={}*{:.4},aresample={RATE}", RATE, voice.pitch)
    } else {
        String::new()
    };
    let input = match voice.voice.strip_prefix("espeak:") {
        Some(name) => {
            let wav = scratch.join("utterance.wav");
            let out = std::process::Command::new("espeak-ng")
                .arg("-v")
                .arg(name)
                .arg("-w")
                .arg(&wav)
                .arg("-f")
                .arg(&text_file)
                .output()
                .map_err(|e| Error::ToolMissing {
                    tool: "espeak-ng".into(),
                    hint: format!("{e}: install it (Debian: `apt-get install espeak-ng`)"),
                })?;
            if !out.status.success() {
                return Err(Error::Process {
                    tool: "espeak-ng".into(),
                    status: out.status.to_string(),
                    command: format!("espeak-ng -v {name} -w {}", wav.display()),
                    stderr_tail: String::from_utf8_lossy(&out.stderr).into_owned(),
                });
            }
            args!["-i", wav]
        }
        None => args![
            "-f",
            "lavfi",
            "-i",
            format!(
                "flite=textfile={}:voice={}",
                text_file.display(),
                voice.voice
            )
        ],
    };
    let mut a = input;
    a.extend(args![
        "-af",
        format!("aresample={RATE}{shift}"),
        "-ac",
        "1",
        "-f",
        "s16le",
        "-y",
        &raw,
    ]);
    crate::ffmpeg::run(a, None)?;
    let bytes = std::fs::read(&raw).map_err(|e| Error::io(&raw, e))?;
    let samples: Vec<f32> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0)
        .collect();
    // Trim to the voiced part so the truth marks real speech, not flite's padding.
    let loud = |s: &f32| s.abs() > 600.0 / 32768.0;
    let first = samples.iter().position(loud).unwrap_or(0);
    let last = samples
        .iter()
        .rposition(loud)
        .map(|i| i + 1)
        .unwrap_or(samples.len());
    let mut speech = samples[first..last.max(first)].to_vec();
    // Voices start and stop within a few milliseconds, never in one sample.
    let ramp = (0.005 * RATE as f64) as usize;
    let n = speech.len();
    for i in 0..ramp.min(n / 2) {
        let g = i as f32 / ramp as f32;
        speech[i] *= g;
        speech[n - 1 - i] *= g;
    }
    let rms = (speech.iter().map(|s| (*s as f64).powi(2)).sum::<f64>()
        / speech.len().max(1) as f64)
        .sqrt();
    if rms > 0.0 {
        let g = (db_to_amp(SPEECH_DB) / rms) as f32;
        speech.iter_mut().for_each(|s| *s *= g);
    }
    Ok(speech)
}

fn db_to_amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Render `script` into `out`: `.mp4` gets a small test-pattern video track (`video` =
/// width, height), `.wav` is plain PCM, anything else AAC audio. Returns the truth.
pub fn render(
    script: &Script,
    out: &Path,
    video: Option<(u32, u32)>,
    scratch: &Path,
) -> Result<Truth> {
    std::fs::create_dir_all(scratch).map_err(|e| Error::io(scratch, e))?;
    let (pcm, truth) = mix(script, scratch)?;
    let wav = if out.extension().is_some_and(|e| e == "wav") {
        out.to_path_buf()
    } else {
        scratch.join("speech.wav")
    };
    write_wav(&wav, &pcm)?;
    if wav != out {
        let mut a = args!["-i", &wav];
        if let Some((w, h)) = video {
            a = args![
                "-f",
                "lavfi",
                "-i",
                format!("testsrc2=size={w}x{h}:rate=10"),
                "-i",
                &wav,
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-shortest",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "100",
                "-pix_fmt",
                "yuv420p",
            ];
        }
        a.extend(args![
            "-y", "-c:a", "aac", "-b:a", "64k", "-ar", "44100", out
        ]);
        crate::ffmpeg::run(a, None)?;
    }
    Ok(truth)
}

/// Lay the script out in time and mix it: speech through each speaker's channel, room
/// noise while a microphone is open, music, the recording's own noise floor.
fn mix(script: &Script, scratch: &Path) -> Result<(Vec<i16>, Truth)> {
    let mut cache: HashMap<(String, String), Vec<f32>> = HashMap::new();
    let mut placed: Vec<(usize, Vec<f32>)> = Vec::new();
    let mut turns = Vec::new();
    let mut t = script.lead_silence.max(0.0);
    for (k, u) in script.utterances.iter().enumerate() {
        let dry = match u.music {
            Some(seconds) => music(seconds, k as u64),
            None => {
                let voice = script.voices.get(&u.speaker).ok_or_else(|| {
                    Error::Internal(format!("script: no voice for speaker {}", u.speaker))
                })?;
                let key = (format!("{}@{}", voice.voice, voice.pitch), u.text.clone());
                if !cache.contains_key(&key) {
                    let s = speak(voice, &u.text, scratch)?;
                    cache.insert(key.clone(), s);
                }
                cache[&key].clone()
            }
        };
        let start = (t * RATE as f64).round() as usize;
        let end = start + dry.len();
        turns.push(Turn {
            speaker: u.speaker.clone(),
            text: u.text.clone(),
            start: start as f64 / RATE as f64,
            end: end as f64 / RATE as f64,
        });
        let wet = match script.channels.get(u.channel_name()) {
            Some(ch) => through(ch, &dry),
            None => dry,
        };
        placed.push((start, wet));
        // A pause never takes the next turn back before this one started.
        t = (end as f64 / RATE as f64 + u.pause_after).max(start as f64 / RATE as f64 + 0.05);
    }
    let tail = 2.0;
    let last = placed.iter().map(|(s, w)| s + w.len()).max().unwrap_or(0);
    let len = last.max((t * RATE as f64) as usize) + (tail * RATE as f64) as usize;
    let mut buf = vec![0f32; len];
    for (start, wet) in &placed {
        for (o, s) in buf[*start..].iter_mut().zip(wet) {
            *o += s;
        }
    }
    room_noise(script, &turns, &mut buf);
    if let Some(db) = script.noise_db {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let amp = db_to_amp(db) * 3f64.sqrt();
        for s in buf.iter_mut() {
            *s += (rng.uniform() * amp) as f32;
        }
    }
    let pcm = buf
        .iter()
        .map(|s| (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect::<Vec<_>>();
    let duration = pcm.len() as f64 / RATE as f64;
    Ok((pcm, Truth { duration, turns }))
}

/// Noise of each room while its microphone is open: from just before a speaker's turn to
/// just after it, kept open across their own short pauses.
fn room_noise(script: &Script, turns: &[Turn], buf: &mut [f32]) {
    let mut open: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    for (u, t) in script.utterances.iter().zip(turns) {
        let name = u.channel_name();
        if script
            .channels
            .get(name)
            .is_none_or(|c| c.noise_db.is_none())
        {
            continue;
        }
        let spans = open.entry(name).or_default();
        let (a, b) = (t.start - 0.3, t.end + 0.5);
        match spans.last_mut() {
            Some(last) if a - last.1 < 1.5 => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    let mut names: Vec<&&str> = open.keys().collect();
    names.sort();
    for (k, name) in names.into_iter().enumerate() {
        let ch = &script.channels[*name];
        let amp = db_to_amp(ch.noise_db.unwrap_or(-90.0)) * 3f64.sqrt();
        let mut rng = Rng(0xA076_1D64_78BD_642F ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9));
        for &(a, b) in &open[*name] {
            let (a, b) = (
                ((a.max(0.0)) * RATE as f64) as usize,
                ((b * RATE as f64) as usize).min(buf.len()),
            );
            if a >= b {
                continue;
            }
            let noise: Vec<f32> = (a..b).map(|_| (rng.uniform() * amp) as f32).collect();
            let filtered = band(ch, &noise);
            for (o, n) in buf[a..b].iter_mut().zip(filtered) {
                *o += n;
            }
        }
    }
}

/// `dry` through a channel: microphone band, room reverb, level.
fn through(ch: &Channel, dry: &[f32]) -> Vec<f32> {
    let mut x = band(ch, dry);
    if let Some((rt60, wet)) = ch.reverb {
        x = reverb(&x, rt60, wet);
    }
    let g = db_to_amp(ch.gain_db) as f32;
    x.iter_mut().for_each(|s| *s *= g);
    x
}

fn band(ch: &Channel, x: &[f32]) -> Vec<f32> {
    let mut y = x.to_vec();
    // Each filter twice: a fourth-order slope, like a real small microphone's.
    for _ in 0..2 {
        if let Some(f) = ch.highpass {
            Biquad::new(f, true).run(&mut y);
        }
        if let Some(f) = ch.lowpass {
            Biquad::new(f, false).run(&mut y);
        }
    }
    y
}

/// A second-order Butterworth high- or low-pass filter.
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

impl Biquad {
    fn new(freq: f64, high: bool) -> Biquad {
        let w = 2.0 * std::f64::consts::PI * freq / RATE as f64;
        let (sin, cos) = w.sin_cos();
        let alpha = sin / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
        let a0 = 1.0 + alpha;
        let b = if high {
            [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0]
        } else {
            [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0]
        };
        Biquad {
            b: [b[0] / a0, b[1] / a0, b[2] / a0],
            a: [-2.0 * cos / a0, (1.0 - alpha) / a0],
        }
    }

    fn run(&self, x: &mut [f32]) {
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        for s in x.iter_mut() {
            let x0 = *s as f64;
            let y0 =
                self.b[0] * x0 + self.b[1] * x1 + self.b[2] * x2 - self.a[0] * y1 - self.a[1] * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            *s = y0 as f32;
        }
    }
}

/// A Schroeder reverberator (four combs, two all-passes) with a tail of `rt60` seconds.
fn reverb(x: &[f32], rt60: f64, wet: f64) -> Vec<f32> {
    let tail = (rt60 * RATE as f64) as usize;
    let n = x.len() + tail;
    let mut acc = vec![0f32; n];
    for ms in [29.7, 37.1, 41.1, 43.7] {
        let d = (ms / 1000.0 * RATE as f64) as usize;
        let g = 10f64.powf(-3.0 * (ms / 1000.0) / rt60) as f32;
        let mut y = vec![0f32; n];
        for i in 0..n {
            let input = if i < x.len() { x[i] } else { 0.0 };
            y[i] = input + if i >= d { g * y[i - d] } else { 0.0 };
            acc[i] += y[i] * 0.25;
        }
    }
    for ms in [5.0, 1.7] {
        let d = (ms / 1000.0 * RATE as f64) as usize;
        let g = 0.7f32;
        let mut y = vec![0f32; n];
        for i in 0..n {
            let xd = if i >= d { acc[i - d] } else { 0.0 };
            let yd = if i >= d { y[i - d] } else { 0.0 };
            y[i] = -g * acc[i] + xd + g * yd;
        }
        acc = y;
    }
    let (wet, dry) = (wet as f32, 1.0 - wet as f32);
    (0..n)
        .map(|i| dry * if i < x.len() { x[i] } else { 0.0 } + wet * acc[i])
        .collect()
}

/// `seconds` of a jingle: chords, a bass line, a melody and a beat, at about -20 dBFS.
fn music(seconds: f64, seed: u64) -> Vec<f32> {
    let n = (seconds * RATE as f64) as usize;
    let mut out = vec![0f32; n];
    let mut rng = Rng(0x51_7CC1_B727_220A ^ seed.wrapping_mul(0x2545_F491));
    let beat = 60.0 / (96.0 + 40.0 * (rng.uniform() + 1.0) / 2.0);
    // I–V–vi–IV in a key picked by the seed, as MIDI notes.
    let key = 55 + (rng.next_u64() % 10) as i32;
    let chords = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]];
    let hz = |note: i32| 440.0 * 2f64.powf((note - 69) as f64 / 12.0);
    let note = |out: &mut [f32], at: f64, len: f64, f: f64, amp: f64, harmonics: usize| {
        let a = (at * RATE as f64) as usize;
        let m = ((len * RATE as f64) as usize).min(out.len().saturating_sub(a));
        for i in 0..m {
            let t = i as f64 / RATE as f64;
            let env = (t / 0.01).min(1.0) * (-3.0 * t / len).exp();
            let mut v = 0.0;
            for h in 1..=harmonics {
                v += (2.0 * std::f64::consts::PI * f * h as f64 * t).sin() / h as f64;
            }
            out[a + i] += (amp * env * v) as f32;
        }
    };
    let bars = (seconds / (4.0 * beat)).ceil() as usize;
    for bar in 0..bars {
        let chord = chords[bar % 4];
        let t0 = bar as f64 * 4.0 * beat;
        for &c in &chord {
            note(&mut out, t0, 4.0 * beat, hz(key + c), 0.035, 4);
        }
        note(&mut out, t0, 2.0 * beat, hz(key + chord[0] - 12), 0.06, 3);
        note(
            &mut out,
            t0 + 2.0 * beat,
            2.0 * beat,
            hz(key + chord[0] - 12),
            0.06,
            3,
        );
        for e in 0..8 {
            let pick = chord[(rng.next_u64() % 3) as usize] + 12;
            note(
                &mut out,
                t0 + e as f64 * beat / 2.0,
                beat / 2.0,
                hz(key + pick),
                0.04,
                2,
            );
            // hi-hat: a short burst of noise
            let a = ((t0 + e as f64 * beat / 2.0) * RATE as f64) as usize;
            for i in 0..(0.03 * RATE as f64) as usize {
                if a + i < n {
                    out[a + i] += (rng.uniform() * 0.03 * (-(i as f64) / 80.0).exp()) as f32;
                }
            }
        }
        for b in [0.0, 2.0] {
            // kick: a falling sine
            let a = ((t0 + b * beat) * RATE as f64) as usize;
            for i in 0..(0.15 * RATE as f64) as usize {
                if a + i < n {
                    let t = i as f64 / RATE as f64;
                    let f = 50.0 + 80.0 * (-t / 0.03).exp();
                    out[a + i] +=
                        (0.2 * (-t / 0.05).exp() * (2.0 * std::f64::consts::PI * f * t).sin())
                            as f32;
                }
            }
        }
    }
    // Fade in and out over half a second.
    let fade = (0.5 * RATE as f64) as usize;
    for i in 0..fade.min(n) {
        let g = i as f32 / fade as f32;
        out[i] *= g;
        out[n - 1 - i] *= g;
    }
    out
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

/// Write 16 kHz mono 16-bit PCM as a WAV file.
pub fn write_wav(path: &Path, pcm: &[i16]) -> Result<()> {
    let data_len = (pcm.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + pcm.len() * 2);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for s in pcm {
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(&bytes).map_err(|e| Error::io(path, e))
}

/// Where scratch files for a render go: beside the output.
pub fn scratch_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.synth"))
}
