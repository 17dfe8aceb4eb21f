//! Loudness envelope of the analysis PCM: one level per 10 ms frame.
//!
//! Read by streaming the file. Each frame's level is kept in one byte (half-dB steps),
//! and silence thresholds come from histograms of those bytes, so three hours cost about
//! a megabyte and nothing is copied or sorted: memory stays flat as recordings grow.
//!
//! The threshold is local, not one for the whole recording: in a webinar each speaker has
//! their own microphone, level and room noise (a quiet laptop 10 dB below the moderator, a
//! fan behind another), so "sound" is judged against the noise floor and speech level of
//! the surrounding half minute, and never below the whole recording's floor.

use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::audio::ANALYSIS_RATE;

/// Frames per second of the envelope.
pub const FRAME_RATE: f64 = 100.0;
const FRAME: usize = (ANALYSIS_RATE as usize) / 100;
/// Levels are stored as half-dB steps above this floor.
const FLOOR_DB: f32 = -120.0;

/// Frames per block that share one threshold.
const BLOCK: usize = 50;
/// Frames on each side of a block whose levels set its threshold (15 s).
const REACH: usize = 1500;
/// Longest dip below the threshold inside sound that is not a pause (60 ms).
const BRIDGE: usize = 6;

#[derive(Debug, Clone)]
pub struct Envelope {
    /// RMS level of each frame: `FLOOR_DB + level / 2` dBFS.
    levels: Vec<u8>,
    /// Frames of block `k` (`BLOCK` frames each) above `thresholds[k]` count as sound.
    thresholds: Vec<u8>,
}

fn quantise(db: f32) -> u8 {
    ((db - FLOOR_DB) * 2.0).round().clamp(0.0, 255.0) as u8
}

fn level_db(q: u8) -> f32 {
    FLOOR_DB + q as f32 / 2.0
}

impl Envelope {
    /// An envelope from frame levels in dBFS.
    pub fn from_levels(db: impl IntoIterator<Item = f32>) -> Envelope {
        Envelope::from_quantised(db.into_iter().map(quantise).collect())
    }

    fn from_quantised(levels: Vec<u8>) -> Envelope {
        let mut whole = [0usize; 256];
        for &q in &levels {
            whole[q as usize] += 1;
        }
        let floor = percentile(&whole, levels.len(), 0.05);
        // One sliding histogram over the frames within REACH of each block's middle.
        let mut local = [0usize; 256];
        let (mut lo, mut hi) = (0usize, 0usize);
        let blocks = levels.len().div_ceil(BLOCK);
        let thresholds = (0..blocks)
            .map(|k| {
                let mid = k * BLOCK + BLOCK / 2;
                let (a, b) = (mid.saturating_sub(REACH), (mid + REACH).min(levels.len()));
                while hi < b {
                    local[levels[hi] as usize] += 1;
                    hi += 1;
                }
                while lo < a {
                    local[levels[lo] as usize] -= 1;
                    lo += 1;
                }
                quantise(silence_threshold(&local, hi - lo, floor))
            })
            .collect();
        Envelope { levels, thresholds }
    }

    /// The envelope of the analysis PCM file at `path`.
    pub fn from_pcm(path: &Path) -> Result<Envelope> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Envelope::measure(file, path)
    }

    /// The envelope of analysis PCM read from `source`; `path` names it in errors.
    pub fn measure(source: impl Read, path: &Path) -> Result<Envelope> {
        let mut reader = BufReader::with_capacity(1 << 16, source);
        let mut buf = vec![0u8; FRAME * 2];
        let mut levels = Vec::new();
        loop {
            let n = read_full(&mut reader, &mut buf).map_err(|e| Error::io(path, e))?;
            if n < 2 {
                break;
            }
            let samples = n / 2;
            let sum: f64 = buf[..samples * 2]
                .chunks_exact(2)
                .map(|b| {
                    let s = i16::from_le_bytes([b[0], b[1]]) as f64 / 32768.0;
                    s * s
                })
                .sum();
            let rms = (sum / samples as f64).sqrt();
            levels.push(quantise((20.0 * rms.max(1e-6).log10()) as f32));
            if n < buf.len() {
                break;
            }
        }
        Ok(Envelope::from_quantised(levels))
    }

    /// Keep the frame levels in `path` (one byte each); the threshold is derived again.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, &self.levels).map_err(|e| Error::io(path, e))
    }

    pub fn load(path: &Path) -> Result<Envelope> {
        let levels = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(Envelope::from_quantised(levels))
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    pub fn duration(&self) -> f64 {
        self.levels.len() as f64 / FRAME_RATE
    }

    /// Whether frame `i` is sound: above the silence threshold around it, or in a dip of
    /// at most [`BRIDGE`] frames between two such frames. A quiet, band-limited voice
    /// dips below the threshold between syllables; those dips are not pauses.
    pub fn is_sound(&self, i: usize) -> bool {
        let loud = |j: usize| self.levels[j] > self.thresholds[j / BLOCK];
        if loud(i) {
            return true;
        }
        let before = (i.saturating_sub(BRIDGE)..i).rev().find(|&j| loud(j));
        let after = (i + 1..(i + BRIDGE + 1).min(self.levels.len())).find(|&j| loud(j));
        matches!((before, after), (Some(a), Some(b)) if b - a <= BRIDGE + 1)
    }

    /// Level of frame `i` in dBFS.
    pub fn level(&self, i: usize) -> f32 {
        level_db(self.levels[i])
    }

    /// Start of the first stretch of sound lasting at least `min_len` seconds.
    pub fn first_sound(&self, min_len: f64) -> Option<f64> {
        let need = (min_len * FRAME_RATE) as usize;
        let mut run = 0;
        for i in 0..self.len() {
            if self.is_sound(i) {
                run += 1;
                // allow short gaps between syllables: count frames above threshold only
                if run >= need {
                    return Some((i + 1 - run) as f64 / FRAME_RATE);
                }
            } else {
                run = 0;
            }
        }
        None
    }

    /// End of the last stretch of sound lasting at least `min_len` seconds.
    pub fn last_sound(&self, min_len: f64) -> Option<f64> {
        let need = (min_len * FRAME_RATE) as usize;
        let mut run = 0;
        for i in (0..self.len()).rev() {
            if self.is_sound(i) {
                run += 1;
                if run >= need {
                    return Some((i + run) as f64 / FRAME_RATE);
                }
            } else {
                run = 0;
            }
        }
        None
    }
}

/// The `p` quantile of `n` quantised levels counted in `histogram`, in dB.
fn percentile(histogram: &[usize; 256], n: usize, p: f64) -> f32 {
    if n == 0 {
        return FLOOR_DB;
    }
    let rank = ((n - 1) as f64 * p) as usize;
    let mut seen = 0;
    for (q, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen > rank {
            return level_db(q as u8);
        }
    }
    level_db(255)
}

/// The silence threshold from a histogram of `n` quantised levels around a moment: 30 %
/// of the way from the local noise floor (10th percentile) to the local speech level
/// (95th), at least 9 dB above that floor and above the whole recording's `floor`, so a
/// stretch of pure silence has no "sound" in it however quiet it is.
fn silence_threshold(histogram: &[usize; 256], n: usize, floor: f32) -> f32 {
    let local = percentile(histogram, n, 0.10);
    let loud = percentile(histogram, n, 0.95);
    (local + ((loud - local) * 0.3).max(9.0))
        .max(floor + 9.0)
        .max(-75.0)
}

/// Fill `buf` as far as the reader allows; fewer bytes only at the end of the stream.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sound_after_silence() {
        // 2 s of near-silence, then 1 s of a loud tone, then 1 s of silence.
        let mut db = vec![-90.0f32; 200];
        db.extend(std::iter::repeat_n(-20.0f32, 100));
        db.extend(std::iter::repeat_n(-90.0f32, 100));
        let e = Envelope::from_levels(db);
        assert_eq!(e.first_sound(0.2), Some(2.0));
        assert_eq!(e.last_sound(0.2), Some(3.0));
    }
}
