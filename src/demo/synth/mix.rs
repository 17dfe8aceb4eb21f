//! A script laid out in time and mixed (speech through its channels, room noise, music, the
//! noise floor), then written as WAV, AAC or MP4.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::channel::{band, through};
use super::music::music;
use super::speak::speak;
use super::{db_to_amp, Rng, Script, Truth, Turn, RATE};
use crate::args;
use crate::error::{Error, Result};

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
