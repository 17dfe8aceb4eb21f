//! Synthetic webinars with known ground truth, for the demo, the tests and the benchmarks.
//!
//! Speech comes from ffmpeg's `flite` voices (pitch-shifted to make more distinct people),
//! laid out by a [`Script`] with exact pauses and optional background noise, so we know to
//! the sample where every turn starts and ends: the truth alignment is measured against.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::args;
use crate::error::{Error, Result};

/// Sample rate of the synthesised speech.
pub const RATE: u32 = 16_000;

/// A synthetic person: a flite voice and a pitch factor (1.0 = as is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    pub flite: String,
    pub pitch: f64,
}

impl Voice {
    pub fn new(flite: &str, pitch: f64) -> Voice {
        Voice {
            flite: flite.into(),
            pitch,
        }
    }
}

/// One stretch of one person speaking.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Utterance {
    pub speaker: String,
    pub text: String,
    /// Silence after it, in seconds.
    pub pause_after: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Script {
    /// Silent waiting room before anyone speaks, in seconds.
    pub lead_silence: f64,
    /// Voice of each speaker named in the utterances.
    pub voices: HashMap<String, Voice>,
    pub utterances: Vec<Utterance>,
    /// Background noise level in dBFS (e.g. -50), or none.
    pub noise_db: Option<f64>,
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
    /// A Zoom-style WebVTT transcript ("Name: text" cues) of the truth.
    pub fn to_vtt(&self, display_name: impl Fn(&str) -> String) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for (i, t) in self.turns.iter().enumerate() {
            out.push_str(&format!(
                "{}\n{} --> {}\n{}: {}\n\n",
                i + 1,
                vtt_time(t.start),
                vtt_time(t.end),
                display_name(&t.speaker),
                t.text
            ));
        }
        out
    }
}

impl Truth {
    /// A Teams-style WebVTT transcript: `<v Name>` spans, cue ids `guid/turn-part`, and
    /// long turns split into several cues the way Teams splits them.
    pub fn to_teams_vtt(&self, display_name: impl Fn(&str) -> String) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for (i, t) in self.turns.iter().enumerate() {
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
                    vtt_time(a),
                    vtt_time(b),
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
        for (i, t) in self.turns.iter().enumerate() {
            out.push_str(&format!(
                "{}\n{} --> {}\n{}: {}\n\n",
                i + 1,
                vtt_time(t.start).replace('.', ","),
                vtt_time(t.end).replace('.', ","),
                display_name(&t.speaker),
                t.text
            ));
        }
        out
    }

    /// Where each agenda item really starts and ends, given which agenda item each turn
    /// belongs to (`item_of_turn[k]` for turn k, non-decreasing).
    pub fn item_spans(&self, item_of_turn: &[usize], items: usize) -> Vec<Option<(f64, f64)>> {
        let mut out: Vec<Option<(f64, f64)>> = vec![None; items];
        for (t, &i) in self.turns.iter().zip(item_of_turn) {
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

pub fn vtt_time(t: f64) -> String {
    let ms = (t.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// Synthesise one utterance as 16 kHz mono samples, with flite's own silences trimmed.
fn speak(voice: &Voice, text: &str, scratch: &Path) -> Result<Vec<i16>> {
    let text_file = scratch.join("utterance.txt");
    std::fs::write(&text_file, text).map_err(|e| Error::io(&text_file, e))?;
    let raw = scratch.join("utterance.s16");
    let shift = if (voice.pitch - 1.0).abs() > 1e-3 {
        format!(",asetrate={}*{:.4},aresample={RATE}", RATE, voice.pitch)
    } else {
        String::new()
    };
    crate::ffmpeg::run(
        args![
            "-f",
            "lavfi",
            "-i",
            format!(
                "flite=textfile={}:voice={}",
                text_file.display(),
                voice.flite
            ),
            "-af",
            format!("aresample={RATE}{shift}"),
            "-ac",
            "1",
            "-f",
            "s16le",
            &raw,
        ],
        None,
    )?;
    let bytes = std::fs::read(&raw).map_err(|e| Error::io(&raw, e))?;
    let samples: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    // Trim to the voiced part so the truth marks real speech, not flite's padding.
    let loud = |s: &i16| s.unsigned_abs() > 600;
    let first = samples.iter().position(loud).unwrap_or(0);
    let last = samples
        .iter()
        .rposition(loud)
        .map(|i| i + 1)
        .unwrap_or(samples.len());
    Ok(samples[first..last.max(first)].to_vec())
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
    let mut cache: HashMap<(String, String), Vec<i16>> = HashMap::new();
    let mut pcm: Vec<i16> = vec![0; (script.lead_silence * RATE as f64) as usize];
    let mut turns = Vec::new();
    for u in &script.utterances {
        let voice = script.voices.get(&u.speaker).ok_or_else(|| {
            Error::Mismatch(format!("script: no voice for speaker {}", u.speaker))
        })?;
        let k = (format!("{}@{}", voice.flite, voice.pitch), u.text.clone());
        if !cache.contains_key(&k) {
            let s = speak(voice, &u.text, scratch)?;
            cache.insert(k.clone(), s);
        }
        let speech = &cache[&k];
        let start = pcm.len() as f64 / RATE as f64;
        pcm.extend_from_slice(speech);
        let end = pcm.len() as f64 / RATE as f64;
        turns.push(Turn {
            speaker: u.speaker.clone(),
            text: u.text.clone(),
            start,
            end,
        });
        pcm.extend(std::iter::repeat_n(
            0,
            (u.pause_after * RATE as f64) as usize,
        ));
    }
    if let Some(db) = script.noise_db {
        add_noise(&mut pcm, db);
    }
    let duration = pcm.len() as f64 / RATE as f64;
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
        a.extend(args!["-c:a", "aac", "-b:a", "64k", "-ar", "44100", out]);
        crate::ffmpeg::run(a, None)?;
    }
    Ok(Truth { duration, turns })
}

/// Deterministic white noise at `db` dBFS RMS (a fixed-seed xorshift: same file every run).
fn add_noise(pcm: &mut [i16], db: f64) {
    let amp = 10f64.powf(db / 20.0) * 32768.0 * 3f64.sqrt();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for s in pcm.iter_mut() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let u = (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        *s = (*s as f64 + u * amp).clamp(-32768.0, 32767.0) as i16;
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
