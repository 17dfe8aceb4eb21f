//! Speech from a synthesiser: ffmpeg's flite voices or espeak-ng, pitch-shifted, trimmed to
//! the voiced part and brought to one level.

use std::path::Path;

use super::{db_to_amp, Voice, RATE};
use crate::args;
use crate::error::{Error, Result};

/// Speech level every voice is brought to before its channel's gain, in dBFS RMS (flite's
/// voices differ by 13 dB as they come).
const SPEECH_DB: f64 = -20.0;

/// Synthesise one utterance as 16 kHz mono samples at [`SPEECH_DB`], with the engine's own
/// silences trimmed.
pub(super) fn speak(voice: &Voice, text: &str, scratch: &Path) -> Result<Vec<f32>> {
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
