//! What a [`Channel`] does to sound: the microphone's band, the room's reverberation, the
//! level.

use super::{db_to_amp, Channel, RATE};

/// `dry` through a channel: microphone band, room reverb, level.
pub(super) fn through(ch: &Channel, dry: &[f32]) -> Vec<f32> {
    let mut x = band(ch, dry);
    if let Some((rt60, wet)) = ch.reverb {
        x = reverb(&x, rt60, wet);
    }
    let g = db_to_amp(ch.gain_db) as f32;
    x.iter_mut().for_each(|s| *s *= g);
    x
}

pub(super) fn band(ch: &Channel, x: &[f32]) -> Vec<f32> {
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
