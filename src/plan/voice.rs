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

use crate::error::{Error, Result};
use crate::ingest::audio::ANALYSIS_RATE;
use crate::ingest::envelope::{Envelope, FRAME_RATE};

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
    runs_split_at(env, MIN_PAUSE)
}

/// Runs of sound joined across gaps shorter than `min_pause` seconds.
pub fn runs_split_at(env: &Envelope, min_pause: f64) -> Vec<Run> {
    let max_gap = ((min_pause * FRAME_RATE) as usize).max(1);
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

/// Seconds of the window in which music is told from speech.
const MUSIC_WINDOW: usize = 4;
/// Share of a window's frames that must be sound for it to be music: speech stops between
/// words and phrases, music hardly at all (speech in a reverberant room may not stop
/// either, which is why [`tonality`] decides).
const MUSIC_SOUND_SHARE: f64 = 0.9;
/// [`tonality`] above which a second is music: held notes score about 0.9, speech 0.2 to
/// 0.6 (measured on the generated webinars, reverberant rooms included).
const MUSIC_TONALITY: f32 = 0.75;
/// Shortest stretch taken as music, in seconds.
const MUSIC_MIN: f64 = 5.0;

/// Stretches of the recording that are music (a jingle, hold music), not speech: sound
/// without the pauses speech has, whose partials hold still as notes do. Only stretches
/// without pauses are read again from the analysis PCM at `path`.
pub fn music(env: &Envelope, path: &Path) -> Result<Vec<(f64, f64)>> {
    let second = FRAME_RATE as usize;
    let seconds = env.len() / second;
    let per: Vec<usize> = (0..seconds)
        .map(|s| {
            (s * second..(s + 1) * second)
                .filter(|&i| env.is_sound(i))
                .count()
        })
        .collect();
    let w = MUSIC_WINDOW;
    let mut candidate = vec![false; seconds];
    for s in 0..seconds.saturating_sub(w - 1) {
        let sound: usize = per[s..s + w].iter().sum();
        if sound as f64 >= MUSIC_SOUND_SHARE * (w * second) as f64 {
            candidate[s..s + w].iter_mut().for_each(|f| *f = true);
        }
    }
    let mut out = Vec::new();
    for (a, b) in stretches(&candidate) {
        let tonal = tonality(path, a as f64, b as f64)?;
        let music: Vec<bool> = (0..tonal.len())
            .map(|k| {
                // the middle of three seconds, so one odd second neither makes nor breaks it
                let lo = k.saturating_sub(1);
                let hi = (k + 2).min(tonal.len());
                let mut v: Vec<f32> = tonal[lo..hi].to_vec();
                v.sort_by(f32::total_cmp);
                v[v.len() / 2] >= MUSIC_TONALITY
            })
            .collect();
        for (x, y) in stretches(&music) {
            if (y - x) as f64 >= MUSIC_MIN {
                out.push(((a + x) as f64, (a + y) as f64));
            }
        }
    }
    Ok(out)
}

/// The (start, end) of each run of `true`.
fn stretches(flags: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < flags.len() {
        if !flags[s] {
            s += 1;
            continue;
        }
        let a = s;
        while s < flags.len() && flags[s] {
            s += 1;
        }
        out.push((a, s));
    }
    out
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

/// The mean MFCC vector of each span (seconds; sorted by start, overlaps allowed),
/// streaming the analysis PCM at `path` once. Only frames the envelope calls sound count
/// when `env` is given (a cue's span includes the pauses around its words).
pub fn fingerprints(
    path: &Path,
    spans: &[(f64, f64)],
    env: Option<&Envelope>,
) -> Result<Vec<[f32; DIMS]>> {
    let mut sums = vec![[0f64; DIMS]; spans.len()];
    let mut counts = vec![0usize; spans.len()];
    // Spans are visited in order of start; `first` is the first that may still be open.
    let mut first = 0usize;
    let last_end = spans.iter().map(|s| s.1).fold(0.0, f64::max);
    frames(path, 0.0, last_end, |centre, coeffs| {
        while first < spans.len() && spans[first].1 <= centre {
            first += 1;
        }
        if env.is_some_and(|e| {
            let i = (centre * FRAME_RATE) as usize;
            i < e.len() && !e.is_sound(i)
        }) {
            return;
        }
        let mut k = first;
        while k < spans.len() && spans[k].0 <= centre {
            if spans[k].1 > centre {
                for (s, c) in sums[k].iter_mut().zip(coeffs) {
                    *s += *c as f64;
                }
                counts[k] += 1;
            }
            k += 1;
        }
    })?;
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

/// Call `each(centre, coefficients)` for every 10 ms frame whose centre lies in
/// `from..to` seconds, reading the analysis PCM at `path` (skipping what comes before).
pub fn frames(
    path: &Path,
    from: f64,
    to: f64,
    mut each: impl FnMut(f64, &[f32; DIMS]),
) -> Result<()> {
    let mfcc = Mfcc::new();
    let mut buf = vec![Complex32::new(0.0, 0.0); FFT_LEN];
    let mut coeffs = [0f32; DIMS];
    windows(path, from, to, |centre, samples| {
        mfcc.frame(samples, &mut buf, &mut coeffs);
        each(centre, &coeffs);
    })
}

/// Call `each(centre, samples)` with the [`WINDOW`] samples of every 10 ms frame whose
/// centre lies in `from..to` seconds of the analysis PCM at `path`.
fn windows(path: &Path, from: f64, to: f64, mut each: impl FnMut(f64, &[f32])) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let first_frame = ((from * ANALYSIS_RATE as f64 - (WINDOW / 2) as f64) / HOP as f64)
        .floor()
        .max(0.0) as usize;
    file.seek(SeekFrom::Start((first_frame * HOP * 2) as u64))
        .map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut pending: Vec<f32> = Vec::with_capacity(WINDOW + HOP);
    let mut bytes = vec![0u8; HOP * 2];
    let mut frame = first_frame;
    loop {
        let n = crate::ingest::envelope::read_full(&mut reader, &mut bytes)
            .map_err(|e| Error::io(path, e))?;
        pending.extend(
            bytes[..n / 2 * 2]
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0),
        );
        while pending.len() >= WINDOW {
            let centre = (frame * HOP + WINDOW / 2) as f64 / ANALYSIS_RATE as f64;
            if centre >= to {
                return Ok(());
            }
            if centre >= from {
                each(centre, &pending[..WINDOW]);
            }
            pending.drain(..HOP);
            frame += 1;
        }
        if n < bytes.len() {
            return Ok(());
        }
    }
}

/// Frames apart whose spectra are compared for [`tonality`] (50 ms).
const TONAL_LAG: usize = 5;
/// FFT bins compared (250 Hz to 2.5 kHz, where both music's notes and voices are).
const TONAL_BINS: std::ops::Range<usize> = 8..80;

/// How alike the fine spectrum stays over 50 ms, per second of `from..to` (a correlation,
/// -1..1): held notes keep their partials where they are, a voice's pitch and formants
/// move from syllable to syllable, reverberant or not.
pub fn tonality(path: &Path, from: f64, to: f64) -> Result<Vec<f32>> {
    let fft = FftPlanner::new().plan_fft_forward(FFT_LEN);
    let hann: Vec<f32> = (0..WINDOW)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / (WINDOW - 1) as f32).cos())
        .collect();
    let mut buf = vec![Complex32::new(0.0, 0.0); FFT_LEN];
    let mut history: std::collections::VecDeque<Vec<f32>> = std::collections::VecDeque::new();
    let seconds = (to - from).ceil().max(0.0) as usize;
    let mut sums = vec![(0f64, 0usize); seconds];
    windows(path, from, to, |centre, samples| {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = Complex32::new(
                if i < WINDOW {
                    samples[i] * hann[i]
                } else {
                    0.0
                },
                0.0,
            );
        }
        fft.process(&mut buf);
        let spec: Vec<f32> = TONAL_BINS
            .map(|k| (buf[k].norm_sqr() + 1e-10).ln())
            .collect();
        if history.len() == TONAL_LAG {
            let old = history.pop_front().unwrap_or_default();
            let r = correlation(&old, &spec);
            let s = ((centre - from) as usize).min(seconds.saturating_sub(1));
            if seconds > 0 {
                sums[s].0 += r as f64;
                sums[s].1 += 1;
            }
        }
        history.push_back(spec);
    })?;
    Ok(sums
        .iter()
        .map(|&(s, n)| if n > 0 { (s / n as f64) as f32 } else { 0.0 })
        .collect())
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut sab, mut saa, mut sbb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt().max(1e-9)
}

/// Seconds of sound on each side of a pause that [`change_at`] compares.
const SIDE: f64 = 2.0;

/// How much more the voice changes across the pause `a..b` than within either side of it:
/// the distance between the last [`SIDE`] seconds of sound before it and the first after
/// it, over the larger of the distances between the two halves of each side (coefficients
/// scaled by their spread in the window). Well above 1 where one person hands over to
/// another; about 1 where a speaker only took a breath, or where the voices overlap.
pub fn change_at(path: &Path, env: &Envelope, a: f64, b: f64) -> Result<f64> {
    // Sound frames in the two seconds-long halves on each side: before-before, before,
    // after, after-after.
    let mut bins: [Vec<[f32; DIMS]>; 4] = Default::default();
    let from = (a - 2.0 * SIDE - 1.0).max(0.0);
    let mut before: Vec<(f64, [f32; DIMS])> = Vec::new();
    let mut after: Vec<(f64, [f32; DIMS])> = Vec::new();
    frames(path, from, b + 2.0 * SIDE + 1.0, |centre, c| {
        let i = (centre * FRAME_RATE) as usize;
        if i >= env.len() || !env.is_sound(i) {
            return;
        }
        if centre < a {
            before.push((centre, *c));
        } else if centre >= b {
            after.push((centre, *c));
        }
    })?;
    // The last SIDE seconds of sound before, the first after, and the same again further out.
    let take = (SIDE * FRAME_RATE) as usize;
    for (k, (_, c)) in before.iter().rev().take(2 * take).enumerate() {
        bins[if k < take { 1 } else { 0 }].push(*c);
    }
    for (k, (_, c)) in after.iter().take(2 * take).enumerate() {
        bins[if k < take { 2 } else { 3 }].push(*c);
    }
    if bins.iter().any(|b| b.len() < take / 4) {
        return Ok(1.0);
    }
    let all: Vec<&[f32; DIMS]> = bins.iter().flatten().collect();
    let mut spread = [0f64; DIMS];
    for k in 0..DIMS {
        let mean = all.iter().map(|c| c[k] as f64).sum::<f64>() / all.len() as f64;
        let var = all
            .iter()
            .map(|c| (c[k] as f64 - mean).powi(2))
            .sum::<f64>()
            / all.len() as f64;
        spread[k] = var.sqrt().max(1e-6);
    }
    let means: Vec<[f64; DIMS]> = bins
        .iter()
        .map(|bin| {
            let mut m = [0f64; DIMS];
            for c in bin {
                for k in 0..DIMS {
                    m[k] += c[k] as f64 / spread[k] / bin.len() as f64;
                }
            }
            m
        })
        .collect();
    let d = |x: usize, y: usize| -> f64 {
        means[x]
            .iter()
            .zip(&means[y])
            .map(|(p, q)| (p - q).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    Ok(d(1, 2) / d(0, 1).max(d(2, 3)).max(1e-6))
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
        let spans: Vec<(f64, f64)> = r.iter().map(|r| (r.start, r.end)).collect();
        let f = fingerprints(&path, &spans, None).unwrap();
        let d = |a: &[f32; DIMS], b: &[f32; DIMS]| -> f32 {
            a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
        };
        assert!(d(&f[0], &f[2]) * 10.0 < d(&f[0], &f[1]), "{f:?}");
    }
}
