//! What the audio alone tells: where people speak, and what each stretch of speech sounds like.
//!
//! Speech is cut into *runs* at pauses (from the 10 ms loudness envelope); each run gets one
//! voice fingerprint, the mean of its frames' mel-cepstral coefficients (MFCC c1..c12), which
//! differ between people far more than between sentences of one person. The PCM is streamed
//! once and only one vector per run is kept, so memory stays flat in the recording's length.

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use super::energy::{Envelope, FRAME_RATE};
use crate::error::{Error, Result};
use crate::ingest::audio::ANALYSIS_RATE;

/// Shortest silence that separates two runs, in seconds.
pub const MIN_PAUSE: f64 = 0.25;
/// Runs shorter than this are clicks or breaths, not speech.
const MIN_RUN: f64 = 0.12;
/// Cepstral coefficients kept (c1..=DIMS; c0 is loudness, which says little about who).
pub const DIMS: usize = 12;
const HOP: usize = (ANALYSIS_RATE as usize) / 100;
const WINDOW: usize = 400; // 25 ms
const FFT_LEN: usize = 512;
const BANDS: usize = 26;

/// A stretch of speech between two pauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub start: f64,
    pub end: f64,
}

impl Run {
    pub fn len(&self) -> f64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() <= 0.0
    }
}

/// Speech runs: frames above the envelope's silence threshold, joined across gaps shorter
/// than [`MIN_PAUSE`].
pub fn runs(env: &Envelope) -> Vec<Run> {
    let max_gap = (MIN_PAUSE * FRAME_RATE) as usize;
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let n = env.len();
    while i < n {
        if !env.is_sound(i) {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && env.is_sound(i) {
            i += 1;
        }
        match out.last_mut() {
            Some(last) if s - last.1 < max_gap => last.1 = i,
            _ => out.push((s, i)),
        }
    }
    out.into_iter()
        .map(|(s, e)| Run {
            start: s as f64 / FRAME_RATE,
            end: e as f64 / FRAME_RATE,
        })
        .filter(|r| r.len() >= MIN_RUN)
        .collect()
}

/// Mel filterbank + DCT, made once.
struct Mfcc {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// (first bin, weights) of each mel band.
    bands: Vec<(usize, Vec<f32>)>,
    dct: Vec<[f32; BANDS]>,
}

impl Mfcc {
    fn new() -> Mfcc {
        let fft = FftPlanner::new().plan_fft_forward(FFT_LEN);
        let window = (0..WINDOW)
            .map(|i| {
                0.54 - 0.46 * (2.0 * std::f32::consts::PI * i as f32 / (WINDOW - 1) as f32).cos()
            })
            .collect();
        let mel = |f: f32| 2595.0 * (1.0 + f / 700.0).log10();
        let hz = |m: f32| 700.0 * (10f32.powf(m / 2595.0) - 1.0);
        let (lo, hi) = (mel(100.0), mel(7600.0));
        let edges: Vec<f32> = (0..BANDS + 2)
            .map(|k| hz(lo + (hi - lo) * k as f32 / (BANDS + 1) as f32))
            .map(|f| f * FFT_LEN as f32 / ANALYSIS_RATE as f32)
            .collect();
        let bands = (0..BANDS)
            .map(|b| {
                let (l, c, r) = (edges[b], edges[b + 1], edges[b + 2]);
                let first = l.floor() as usize + 1;
                let last = (r.ceil() as usize).min(FFT_LEN / 2);
                let w = (first..last)
                    .map(|k| {
                        let k = k as f32;
                        if k <= c {
                            (k - l) / (c - l)
                        } else {
                            (r - k) / (r - c)
                        }
                        .max(0.0)
                    })
                    .collect();
                (first, w)
            })
            .collect();
        let dct = (1..=DIMS)
            .map(|c| {
                let mut row = [0f32; BANDS];
                for (b, v) in row.iter_mut().enumerate() {
                    *v = (std::f32::consts::PI * c as f32 * (b as f32 + 0.5) / BANDS as f32).cos();
                }
                row
            })
            .collect();
        Mfcc {
            fft,
            window,
            bands,
            dct,
        }
    }

    fn frame(&self, samples: &[f32], buf: &mut [Complex32], out: &mut [f32; DIMS]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = Complex32::new(
                if i < WINDOW {
                    samples[i] * self.window[i]
                } else {
                    0.0
                },
                0.0,
            );
        }
        self.fft.process(buf);
        let mut logmel = [0f32; BANDS];
        for (m, (first, w)) in logmel.iter_mut().zip(&self.bands) {
            let e: f32 = w
                .iter()
                .enumerate()
                .map(|(k, wk)| wk * buf[first + k].norm_sqr())
                .sum();
            *m = (e + 1e-8).ln();
        }
        for (o, row) in out.iter_mut().zip(&self.dct) {
            *o = row.iter().zip(&logmel).map(|(a, b)| a * b).sum();
        }
    }
}

/// The mean MFCC vector of each run, streaming the analysis PCM at `path` once.
pub fn fingerprints(path: &Path, runs: &[Run]) -> Result<Vec<[f32; DIMS]>> {
    let mfcc = Mfcc::new();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut sums = vec![[0f64; DIMS]; runs.len()];
    let mut counts = vec![0usize; runs.len()];
    // Samples from the start of frame `frame` on; a frame is computed once WINDOW are in.
    let mut pending: Vec<f32> = Vec::with_capacity(WINDOW + HOP);
    let mut bytes = vec![0u8; HOP * 2];
    let mut buf = vec![Complex32::new(0.0, 0.0); FFT_LEN];
    let mut coeffs = [0f32; DIMS];
    let mut frame = 0usize;
    let mut r = 0usize;
    'read: loop {
        let n = crate::plan::energy::read_full(&mut reader, &mut bytes)
            .map_err(|e| Error::io(path, e))?;
        pending.extend(
            bytes[..n / 2 * 2]
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0),
        );
        while pending.len() >= WINDOW {
            let centre = (frame * HOP + WINDOW / 2) as f64 / ANALYSIS_RATE as f64;
            while r < runs.len() && runs[r].end <= centre {
                r += 1;
            }
            if r >= runs.len() {
                break 'read;
            }
            if runs[r].start <= centre {
                mfcc.frame(&pending[..WINDOW], &mut buf, &mut coeffs);
                for (s, c) in sums[r].iter_mut().zip(coeffs) {
                    *s += c as f64;
                }
                counts[r] += 1;
            }
            pending.drain(..HOP);
            frame += 1;
        }
        if n < bytes.len() {
            break;
        }
    }
    Ok(sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| {
            let mut v = [0f32; DIMS];
            for (o, x) in v.iter_mut().zip(s) {
                *o = (x / c.max(1) as f64) as f32;
            }
            v
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_pauses_only() {
        // speech 1 s, gap 0.1 s (a breath), speech 1 s, gap 0.5 s, speech 0.5 s
        let mut db = vec![-90.0f32; 100];
        db.extend(std::iter::repeat_n(-20.0f32, 100));
        db.extend(std::iter::repeat_n(-90.0f32, 10));
        db.extend(std::iter::repeat_n(-20.0f32, 100));
        db.extend(std::iter::repeat_n(-90.0f32, 50));
        db.extend(std::iter::repeat_n(-20.0f32, 50));
        db.extend(std::iter::repeat_n(-90.0f32, 100));
        let r = runs(&Envelope::from_levels(db));
        assert_eq!(
            r,
            vec![
                Run {
                    start: 1.0,
                    end: 3.1
                },
                Run {
                    start: 3.6,
                    end: 4.1
                }
            ]
        );
    }

    #[test]
    fn fingerprints_tell_tones_apart() {
        // Two runs of a low tone and one of a high tone: the low ones match each other.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.s16");
        let tone = |f: f32, secs: f32| {
            (0..(secs * 16000.0) as usize)
                .map(|i| {
                    ((2.0 * std::f32::consts::PI * f * i as f32 / 16000.0).sin() * 8000.0) as i16
                })
                .collect::<Vec<i16>>()
        };
        let mut pcm = tone(300.0, 1.0);
        pcm.extend(vec![0i16; 8000]);
        pcm.extend(tone(2500.0, 1.0));
        pcm.extend(vec![0i16; 8000]);
        pcm.extend(tone(300.0, 1.0));
        let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
        std::fs::write(&path, bytes).unwrap();
        let env = Envelope::from_pcm(&path).unwrap();
        let r = runs(&env);
        assert_eq!(r.len(), 3, "{r:?}");
        let f = fingerprints(&path, &r).unwrap();
        let d = |a: &[f32; DIMS], b: &[f32; DIMS]| -> f32 {
            a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
        };
        assert!(d(&f[0], &f[2]) * 10.0 < d(&f[0], &f[1]), "{f:?}");
    }
}
