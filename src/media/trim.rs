//! Dead air: where the sound of a span starts and ends, from the analysis envelope.
//!
//! The envelope (10 ms frames, see [`crate::plan::energy`]) says which frames hold sound,
//! so trimming costs no pass over the audio.

use crate::ingest::envelope::{Envelope, FRAME_RATE};

/// First and last moment of sound within `start..end` seconds: the edges of the first and
/// last runs of at least `min_len` seconds above the envelope's silence threshold.
/// `None` when the span holds no such run (it is silent).
pub fn sound_within(env: &Envelope, start: f64, end: f64, min_len: f64) -> Option<(f64, f64)> {
    let lo = ((start * FRAME_RATE).floor().max(0.0) as usize).min(env.len());
    let hi = ((end * FRAME_RATE).ceil().max(0.0) as usize).min(env.len());
    let need = ((min_len * FRAME_RATE) as usize).max(1);
    let first_run_end = |it: &mut dyn Iterator<Item = usize>| {
        let mut run = 0;
        for i in it {
            run = if env.is_sound(i) { run + 1 } else { 0 };
            if run >= need {
                return Some((i, run));
            }
        }
        None
    };
    let (i, run) = first_run_end(&mut (lo..hi.max(lo)))?;
    let first = i + 1 - run;
    let (j, run) = first_run_end(&mut (lo..hi.max(lo)).rev())?;
    let last = j + run;
    Some((first as f64 / FRAME_RATE, last as f64 / FRAME_RATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sound_inside_a_span() {
        // 0–2 s quiet, 2–3 s sound, 3–5 s quiet, 5–6 s sound, 6–8 s quiet.
        let mut db = vec![-80.0f32; 800];
        db[200..300].fill(-20.0);
        db[500..600].fill(-20.0);
        let env = Envelope::from_levels(db);
        assert_eq!(sound_within(&env, 0.0, 8.0, 0.2), Some((2.0, 6.0)));
        assert_eq!(sound_within(&env, 2.5, 4.0, 0.2), Some((2.5, 3.0)));
        assert_eq!(sound_within(&env, 3.2, 4.8, 0.2), None);
    }
}
