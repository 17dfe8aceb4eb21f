//! Music for the jingles: chords, a bass line, a melody and a beat, made from a seed.

use super::{Rng, RATE};

/// `seconds` of a jingle: chords, a bass line, a melody and a beat, at about -20 dBFS.
pub(super) fn music(seconds: f64, seed: u64) -> Vec<f32> {
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
