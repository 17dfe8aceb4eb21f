//! Loudness envelope of the analysis PCM: one dB value per 10 ms frame.
//!
//! Read by streaming the file, so memory grows with the number of frames (360 000 floats
//! for an hour), never with the audio itself.

use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::audio::ANALYSIS_RATE;

/// Frames per second of the envelope.
pub const FRAME_RATE: f64 = 100.0;
const FRAME: usize = (ANALYSIS_RATE as usize) / 100;

#[derive(Debug, Clone)]
pub struct Envelope {
    /// RMS level of each frame in dBFS (floor -120).
    pub db: Vec<f32>,
}

impl Envelope {
    pub fn from_pcm(path: &Path) -> Result<Envelope> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = vec![0u8; FRAME * 2];
        let mut db = Vec::new();
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
            db.push((20.0 * rms.max(1e-6).log10()) as f32);
            if n < buf.len() {
                break;
            }
        }
        Ok(Envelope { db })
    }

    pub fn duration(&self) -> f64 {
        self.db.len() as f64 / FRAME_RATE
    }

    /// Level (dB) below which a frame counts as silence: a little above the noise floor.
    pub fn silence_threshold(&self) -> f32 {
        let mut sorted: Vec<f32> = self.db.clone();
        sorted.sort_by(f32::total_cmp);
        if sorted.is_empty() {
            return -60.0;
        }
        let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
        let floor = pct(0.05);
        let loud = pct(0.95);
        (floor + ((loud - floor) * 0.3).max(10.0))
            .min(loud - 3.0)
            .max(-70.0)
    }

    /// Start of the first stretch of sound lasting at least `min_len` seconds.
    pub fn first_sound(&self, min_len: f64) -> Option<f64> {
        let thr = self.silence_threshold();
        let need = (min_len * FRAME_RATE) as usize;
        let mut run = 0;
        for (i, &v) in self.db.iter().enumerate() {
            if v > thr {
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
        let thr = self.silence_threshold();
        let need = (min_len * FRAME_RATE) as usize;
        let mut run = 0;
        for (i, &v) in self.db.iter().enumerate().rev() {
            if v > thr {
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
        let e = Envelope { db };
        assert_eq!(e.first_sound(0.2), Some(2.0));
        assert_eq!(e.last_sound(0.2), Some(3.0));
    }
}
