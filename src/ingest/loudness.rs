//! EBU R128 loudness of every episode from one pass over the decoded audio.
//!
//! Episodes overlap (the whole-webinar episode contains every talk), so measuring each one
//! with its own ffmpeg pass would read the hour twice or more. Instead one streaming pass
//! over `audio.wav` records, for every 100 ms step, the K-weighted energy of the 400 ms
//! gating block ending there and the true peak of that step (the `ebur128` crate, a port
//! of libebur128). BS.1770 integrated loudness of *any* span is then the two-stage gated
//! mean of the blocks inside it, and its true peak the largest step peak: each episode's
//! numbers cost a scan of a few thousand floats. Memory is two floats per 100 ms (under
//! 1 MB for three hours); the audio itself is streamed.

use std::io::{BufReader, Read};
use std::path::Path;

use ebur128::{EbuR128, Mode};

use crate::error::{Error, Result};

/// Step between gating blocks, in seconds (BS.1770: 400 ms blocks, 75 % overlap).
const STEP: f64 = 0.1;
const BLOCK_STEPS: usize = 4;
const ABSOLUTE_GATE: f64 = -70.0;
const RELATIVE_GATE: f64 = -10.0;

/// Per-step loudness data of a whole recording.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Blocks {
    /// K-weighted mean square of the 400 ms block ending at the end of step `k` (0 while
    /// fewer than four steps have been seen).
    energy: Vec<f32>,
    /// Largest true-peak sample (linear, any channel) within step `k`.
    peak: Vec<f32>,
}

/// Loudness of one span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Integrated loudness in LUFS; `-inf` when every block is below the absolute gate.
    pub integrated: f64,
    /// True peak in dBTP.
    pub true_peak: f64,
}

fn to_lufs(energy: f64) -> f64 {
    if energy <= 0.0 {
        f64::NEG_INFINITY
    } else {
        10.0 * energy.log10() - 0.691
    }
}

impl Blocks {
    /// Measure a 16-bit PCM WAV (as [`crate::ingest::audio::decode`] writes it) from
    /// `source`; `path` names it in errors.
    pub fn measure_wav(source: impl Read, path: &Path) -> Result<Blocks> {
        let mut reader = BufReader::with_capacity(1 << 16, source);
        let (channels, rate) = read_wav_header(&mut reader)
            .map_err(|m| Error::input(path, format!("not a PCM WAV eventcast wrote: {m}")))?;
        let mut meter = EbuR128::new(channels, rate, Mode::M | Mode::TRUE_PEAK)
            .map_err(|e| Error::input(path, format!("cannot measure its loudness: {e}")))?;
        let step_frames = (rate as f64 * STEP).round() as usize;
        let mut bytes = vec![0u8; step_frames * channels as usize * 2];
        let mut samples = vec![0i16; step_frames * channels as usize];
        let mut blocks = Blocks::default();
        loop {
            let n = crate::ingest::envelope::read_full(&mut reader, &mut bytes)
                .map_err(|e| Error::io(path, e))?;
            let frames = n / (2 * channels as usize);
            if frames == 0 {
                break;
            }
            let len = frames * channels as usize;
            for (s, b) in samples[..len].iter_mut().zip(bytes.chunks_exact(2)) {
                *s = i16::from_le_bytes([b[0], b[1]]);
            }
            meter
                .add_frames_i16(&samples[..len])
                .map_err(|e| Error::input(path, format!("loudness measurement failed: {e}")))?;
            let mut peak = 0.0f64;
            for c in 0..channels {
                peak = peak.max(meter.prev_true_peak(c).unwrap_or(0.0));
            }
            let energy = if blocks.peak.len() + 1 >= BLOCK_STEPS {
                let l = meter.loudness_momentary().unwrap_or(f64::NEG_INFINITY);
                if l.is_finite() {
                    10f64.powf((l + 0.691) / 10.0)
                } else {
                    0.0
                }
            } else {
                0.0
            };
            blocks.energy.push(energy as f32);
            blocks.peak.push(peak as f32);
            if n < bytes.len() {
                break;
            }
        }
        Ok(blocks)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        serde_json::to_writer(std::io::BufWriter::new(file), self)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))
    }

    pub fn load(path: &Path) -> Result<Blocks> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_reader(BufReader::new(file))
            .map_err(|e| Error::io(path, std::io::Error::other(e)))
    }

    /// Length covered, in seconds.
    pub fn duration(&self) -> f64 {
        self.peak.len() as f64 * STEP
    }

    /// BS.1770 integrated loudness and true peak of `start..end` seconds.
    pub fn span(&self, start: f64, end: f64) -> Loudness {
        let blocks = self.blocks_in(start, end).map(|k| self.energy[k] as f64);
        let lo = ((start / STEP).floor().max(0.0) as usize).min(self.peak.len());
        let hi = ((end / STEP).ceil().max(0.0) as usize).min(self.peak.len());
        let peak = self.peak[lo..hi.max(lo)]
            .iter()
            .fold(0.0f32, |a, &b| a.max(b));
        Loudness {
            integrated: gated(blocks),
            true_peak: 20.0 * (peak.max(1e-9) as f64).log10(),
        }
    }

    /// Estimated integrated loudness of `start..end` after a gain of `gain_db` and a
    /// peak limiter at `limit_db`: each block loses part of the overshoot of its loudest
    /// peak. An estimate, good to a few tenths of a LU on speech, that saves measuring
    /// the limited audio before encoding; the encode pass measures what it wrote.
    pub fn span_limited(&self, start: f64, end: f64, gain_db: f64, limit_db: f64) -> f64 {
        let gain = 10f64.powf(gain_db / 10.0);
        let blocks = self.blocks_in(start, end).map(|k| {
            let peak = self.peak[k + 1 - BLOCK_STEPS..=k]
                .iter()
                .fold(0.0f32, |a, &b| a.max(b)) as f64;
            let over_db = (20.0 * peak.max(1e-9).log10() + gain_db - limit_db).max(0.0);
            self.energy[k] as f64 * gain * 10f64.powf(-LIMITER_SHARE * over_db / 10.0)
        });
        gated(blocks)
    }

    /// Indices of the gating blocks that lie wholly inside `start..end` seconds (block k
    /// spans steps k-3..=k).
    fn blocks_in(&self, start: f64, end: f64) -> std::ops::Range<usize> {
        let first = (start / STEP).ceil().max(0.0) as usize;
        let last = ((end / STEP).floor().max(0.0) as usize).min(self.peak.len());
        first + BLOCK_STEPS - 1..last.max(first + BLOCK_STEPS - 1)
    }
}

/// Share of a block's peak overshoot (in dB) that a limiter takes from the block's
/// loudness: it pulls the peak all the way down but the rest of the block less, for as
/// long as its release lasts.
const LIMITER_SHARE: f64 = 0.5;

/// BS.1770 two-stage gated mean of block energies, in LUFS.
fn gated(blocks: impl Iterator<Item = f64>) -> f64 {
    let inside: Vec<f64> = blocks.filter(|&e| to_lufs(e) > ABSOLUTE_GATE).collect();
    if inside.is_empty() {
        return f64::NEG_INFINITY;
    }
    let mean = inside.iter().sum::<f64>() / inside.len() as f64;
    let gate = to_lufs(mean) + RELATIVE_GATE;
    let (sum, n) = inside
        .iter()
        .filter(|&&e| to_lufs(e) > gate)
        .fold((0.0, 0usize), |(s, n), &e| (s + e, n + 1));
    to_lufs(sum / n.max(1) as f64)
}

/// Skip to the `data` chunk of a RIFF/RF64 WAV; returns (channels, sample rate).
fn read_wav_header(r: &mut impl Read) -> std::result::Result<(u32, u32), String> {
    let mut head = [0u8; 12];
    r.read_exact(&mut head).map_err(|e| e.to_string())?;
    if !(&head[0..4] == b"RIFF" || &head[0..4] == b"RF64") || &head[8..12] != b"WAVE" {
        return Err("no RIFF/WAVE header".into());
    }
    let mut format = None;
    loop {
        let mut chunk = [0u8; 8];
        r.read_exact(&mut chunk)
            .map_err(|_| "no data chunk".to_string())?;
        let size = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]) as u64;
        match &chunk[0..4] {
            b"data" => break,
            b"fmt " => {
                let mut fmt = vec![0u8; size as usize];
                r.read_exact(&mut fmt).map_err(|e| e.to_string())?;
                if fmt.len() < 16 {
                    return Err("short fmt chunk".into());
                }
                let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
                if bits != 16 {
                    return Err(format!("{bits}-bit samples, expected 16"));
                }
                let channels = u16::from_le_bytes([fmt[2], fmt[3]]) as u32;
                let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
                format = Some((channels, rate));
            }
            _ => {
                // Chunks are padded to an even size.
                let skip = size + (size & 1);
                std::io::copy(&mut r.take(skip), &mut std::io::sink())
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    format.ok_or_else(|| "no fmt chunk before the data".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(levels: &[(f32, usize)]) -> Blocks {
        let mut b = Blocks::default();
        for &(lufs, steps) in levels {
            for _ in 0..steps {
                let e = if lufs.is_finite() {
                    10f32.powf((lufs + 0.691) / 10.0)
                } else {
                    0.0
                };
                b.energy.push(e);
                b.peak.push(10f32.powf(lufs / 20.0));
            }
        }
        b
    }

    #[test]
    fn gating_ignores_silence_and_quiet_blocks() {
        // 10 s at -20 LUFS, 10 s of digital silence, 10 s at -45 (below the relative gate).
        let b = blocks(&[(-20.0, 100), (f32::NEG_INFINITY, 100), (-45.0, 100)]);
        let l = b.span(0.0, 30.0);
        assert!((l.integrated + 20.0).abs() < 0.01, "{l:?}");
        // Only the quiet part: it is its own reference, so it is not gated away.
        let q = b.span(20.0, 30.0);
        assert!((q.integrated + 45.0).abs() < 0.01, "{q:?}");
        assert_eq!(b.span(10.5, 19.5).integrated, f64::NEG_INFINITY);
    }

    #[test]
    fn a_limiter_is_expected_to_take_loudness_only_where_peaks_overshoot() {
        // Blocks at -20 LUFS whose peaks (taken equal to the level here) sit at -20 dBFS.
        let b = blocks(&[(-20.0, 100)]);
        let plain = b.span(0.0, 10.0).integrated;
        // 6 dB of gain with the limit at -10 dBFS: no peak reaches it, nothing is taken.
        let under = b.span_limited(0.0, 10.0, 6.0, -10.0);
        assert!((under - (plain + 6.0)).abs() < 0.01, "{under} vs {plain}");
        // 16 dB of gain: peaks overshoot by 6 dB and the estimate takes part of that.
        let over = b.span_limited(0.0, 10.0, 16.0, -10.0);
        assert!(
            over < plain + 16.0 - 1.0 && over > plain + 16.0 - 6.0,
            "{over}"
        );
    }

    #[test]
    fn two_levels_average_in_energy() {
        let b = blocks(&[(-20.0, 100), (-26.0, 100)]);
        let l = b.span(0.0, 20.0).integrated;
        // Mean of the energies of -20 and -26 LUFS is -22.03 LUFS.
        assert!((l + 22.03).abs() < 0.05, "{l}");
    }
}
