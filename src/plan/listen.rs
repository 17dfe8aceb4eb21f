//! Who speaks when, from the audio alone.
//!
//! Without a transcript nobody's voice is known, so it is learnt from the structure every
//! webinar has. The first speech is the moderator welcoming people: that voice is known
//! first. The moderator then takes the word between every two parts, so their turns
//! (found by a two-state smoothing of each unit's distance from their voice) cut the rest
//! into blocks; talks and the wrap-up are the longest blocks, in order, each of a voice
//! unlike the one before (a talk is minutes of one voice, an answer or a question from the
//! audience a few sentences). Those blocks give each speaker's first voice. Then the
//! voices and the boundaries are refined in turns, as in expectation-maximisation: learn
//! each person's voice (one or two means, for a laptop and then a phone) from where the
//! boundaries put their parts, refit the boundaries ([`super::align`]'s dynamic
//! programme), repeat until nothing moves.
//!
//! Why these choices: fingerprints of two seconds of speech are noisy (one person's
//! overlap another's), but means over a block are steady, and the moderator's voice is
//! heard all through the webinar; a speaker's room and microphone shape the fingerprint as
//! much as the voice does, which separates people in different rooms and is why one
//! person may need two means; per-speaker level differences are taken out by the
//! fingerprint (cepstra without c0) and by the local loudness threshold
//! ([`super::energy`]). A block with two voices back to back (no moderator between) is
//! split only when a speaker would otherwise be left without a block.

use std::path::Path;

use super::align::Slot;
use super::blocks::{first_voices, within_voice, FirstVoices, NEW_VOICE};
use super::cuesheet::Anchor;
use super::fit::{anchor_units, argmin, fit};
use super::models;
use super::speakers::{self, Units, Who};
use super::voice::{self, Run, DIMS};
use crate::error::Result;
use crate::ingest::envelope::Envelope;

/// Longest unit of speech without a transcript, in seconds: a handover without a pause
/// is found to within this, then refined.
pub const UNIT: f64 = 2.0;
/// Voice distances (in typical distances to one's own voice) are capped, so one odd unit
/// (a cough, laughter) cannot outweigh minutes of clear speech.
const DIST_CAP: f64 = 3.0;
/// Distance, in the same units, at which a voice counts as someone not on the agenda.
const AUDIENCE: f64 = 2.0;
/// Seconds of speech at which a unit's fingerprint counts half.
const SHORT_RUN: f64 = 1.0;
/// Rounds of voice learning and refitting (it usually settles in two or three).
const ROUNDS: usize = 8;
/// What the voices tell: units with their voice distances, and the talk and wrap-up
/// speakers whose voice is nowhere in the recording.
pub struct Heard {
    pub units: Units,
    pub unheard: Vec<usize>,
}

/// Units of speech (runs cut into pieces of at most [`UNIT`] seconds) with each one's
/// distance from each person's voice, learnt as the module doc says. `anchors` are the
/// cue sheet's (the parts they pin are not guessed); `moderator` indexes the agenda's
/// people.
pub fn units(
    runs: &[Run],
    analysis: &Path,
    envelope: &Envelope,
    slots: &[Slot],
    anchors: &[Option<Anchor>],
    people: usize,
    moderator: Option<usize>,
) -> Result<Heard> {
    let spans = split(runs, UNIT);
    // A whole run of a second or so: what a backchannel sounds like without a transcript.
    let whole: Vec<bool> = spans
        .iter()
        .map(|s| {
            runs.iter()
                .any(|r| r.start == s.0 && r.end == s.1 && r.len() <= 1.5)
        })
        .collect();
    let prints = voice::fingerprints(analysis, &spans, Some(envelope))?;
    let fixed = anchor_units(anchors, &spans);
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let z = models::standardise(&prints, &dur);
    let within = within_voice(&spans, &z, runs);
    let found = moderator
        .filter(|_| fixed.iter().all(Option::is_none))
        .and_then(|m| first_voices(&spans, &z, slots, m, within));
    let FirstVoices {
        seeds,
        bounds,
        unheard,
    } = found.unwrap_or_else(|| FirstVoices {
        seeds: Vec::new(),
        bounds: initial_bounds(&spans, slots, &fixed),
        unheard: Vec::new(),
    });
    if tracing::enabled!(tracing::Level::TRACE) {
        let voices: Vec<(usize, f64)> = seeds.iter().map(|&(u, p)| (p, spans[u].0)).collect();
        let at: Vec<f64> = bounds
            .iter()
            .filter_map(|&b| spans.get(b).map(|s| s.0))
            .collect();
        tracing::trace!(?voices, ?at, "voices found and first boundaries");
    }
    let learning = Learning {
        spans: &spans,
        z: &z,
        short: &whole,
        slots,
        fixed: &fixed,
        people,
        moderator,
    };
    Ok(Heard {
        units: learning.run(bounds, &seeds),
        unheard,
    })
}

/// Runs cut into pieces of at most `max` seconds (equal pieces per run).
fn split(runs: &[Run], max: f64) -> Vec<(f64, f64)> {
    runs.iter()
        .flat_map(|r| {
            let k = (r.len() / max).ceil().max(1.0) as usize;
            let step = r.len() / k as f64;
            (0..k).map(move |j| (r.start + j as f64 * step, r.start + (j + 1) as f64 * step))
        })
        .collect()
}

/// The unit boundaries of a first guess to learn voices from: the welcome is the first
/// minute or two of speech, then the planned minutes in order.
fn initial_bounds(spans: &[(f64, f64)], slots: &[Slot], fixed: &[Option<usize>]) -> Vec<usize> {
    let mut b: Vec<usize> = planned_starts(spans, slots)
        .iter()
        .zip(fixed)
        .map(|(&t, f)| {
            f.unwrap_or_else(|| spans.iter().filter(|&&(a, e)| (a + e) / 2.0 < t).count())
        })
        .collect();
    b[0] = 0;
    for s in 1..b.len() {
        b[s] = b[s].max(b[s - 1]);
    }
    b.push(spans.len());
    b
}

/// Where each slot would start if the webinar ran to its planned minutes from the first
/// speech, with a minute or two of welcome and closing.
pub(super) fn planned_starts(spans: &[(f64, f64)], slots: &[Slot]) -> Vec<f64> {
    let first = spans[0].0;
    let speech = spans[spans.len() - 1].1 - first;
    let mut t = first;
    slots
        .iter()
        .enumerate()
        .map(|(s, slot)| {
            let start = t;
            t += if slot.item.is_some() {
                slot.planned
            } else if s == 0 {
                (speech * 0.04).clamp(20.0, 120.0)
            } else {
                (speech * 0.02).clamp(10.0, 60.0)
            };
            start
        })
        .collect()
}

/// What voice learning works on.
struct Learning<'a> {
    spans: &'a [(f64, f64)],
    z: &'a [[f64; DIMS]],
    /// Units that are a whole short run (a backchannel, if between another's speech).
    short: &'a [bool],
    slots: &'a [Slot],
    /// Units the cue sheet pins slot starts to.
    fixed: &'a [Option<usize>],
    people: usize,
    moderator: Option<usize>,
}

impl Learning<'_> {
    /// Learn each person's voice from the slots the boundaries give them (at first from
    /// `seeds` as well), refit, repeat. Returns the units with their final voice
    /// distances (one column per person + the audience), who each most likely is, and
    /// their weights (backchannels almost none).
    fn run(&self, mut bounds: Vec<usize>, seeds: &[(usize, usize)]) -> Units {
        let Learning {
            spans,
            z,
            short,
            slots,
            fixed,
            people,
            moderator,
        } = *self;
        let n = spans.len();
        let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
        let mut units = Units {
            spans: spans.to_vec(),
            dist: vec![vec![AUDIENCE; people + 1]; n],
            weight: vec![1.0; n],
            words: vec![0; n],
            who: vec![Who::Unknown; n],
        };
        let mut voices: Option<models::Models> = None;
        let trusted = {
            let mut who: Vec<usize> = seeds.iter().map(|s| s.1).collect();
            who.sort();
            who.dedup();
            who.len() >= 2
        };
        let seeded: std::collections::BTreeSet<usize> = seeds.iter().map(|s| s.0).collect();
        for round in 0..ROUNDS {
            // Who each unit is, as far as the current boundaries tell: the slot's only
            // speaker, unless it clearly sounds like someone else; elsewhere, the nearest
            // voice of those the slot allows, when it is near.
            // The voices found one after the other (when all were found) stay what they
            // were found to be: they come from the webinar's structure, not from the
            // voices, and keep a speaker who changed microphones one person. At first the
            // voices are learnt from them alone, later from the last round's labels.
            let mut known: Vec<(usize, usize)> = if trusted { seeds.to_vec() } else { Vec::new() };
            if trusted && round == 0 {
                voices =
                    models::Models::learn(people, seeds.iter().map(|&(u, p)| (&z[u], p, dur[u])));
            }
            let near = |u: usize, p: usize| -> Option<f64> {
                let m = voices.as_ref()?;
                m.distance(&z[u], p)
                    .map(|d| d / m.typical())
                    .filter(|d| *d <= NEW_VOICE)
            };
            for (s, slot) in slots.iter().enumerate() {
                let own: Vec<usize> = slot
                    .allowed
                    .iter()
                    .filter(|&&(p, b)| p < people && b == 0.0)
                    .map(|&(p, _)| p)
                    .collect();
                let sole =
                    own.len() == 1 && slot.allowed.iter().all(|&(p, b)| p == own[0] || b > 0.0);
                for u in bounds[s]..bounds[s + 1] {
                    if trusted && seeded.contains(&u) {
                        continue;
                    }
                    let nearest = (0..people)
                        .filter_map(|p| near(u, p).map(|d| (p, d)))
                        .min_by(|a, b| a.1.total_cmp(&b.1));
                    // At first, the boundaries come from the moderator's voice alone, so a
                    // slot of one speaker holds that speaker and the moderator only (a
                    // speaker who switched microphones sounds like nobody known yet).
                    let other_than = |q: usize| q != own[0] && (round > 0 || Some(q) == moderator);
                    let who = if sole {
                        match nearest {
                            Some((q, _)) if other_than(q) => None,
                            _ => Some(own[0]),
                        }
                    } else {
                        nearest
                            .filter(|(q, _)| slot.allowed.iter().any(|a| a.0 == *q))
                            .map(|(q, _)| q)
                    };
                    if let Some(p) = who {
                        known.push((u, p));
                    }
                }
            }
            let Some(models) =
                models::Models::learn(people, known.iter().map(|&(u, p)| (&z[u], p, dur[u])))
            else {
                break;
            };
            voices = Some(models.clone());
            let tau = 3.0 * models.typical();
            units.dist = z
                .iter()
                .zip(&dur)
                .map(|(x, &len)| {
                    let weight = len / (len + SHORT_RUN);
                    let mut row: Vec<f64> = (0..people)
                        .map(|p| {
                            models
                                .distance(x, p)
                                .map(|d| (d / tau).min(DIST_CAP))
                                .unwrap_or(AUDIENCE)
                        })
                        .collect();
                    // Someone not on the agenda is plausible only far from every known voice.
                    let nearest = row.iter().copied().fold(DIST_CAP, f64::min);
                    row.push((DIST_CAP + AUDIENCE - nearest).clamp(AUDIENCE, DIST_CAP));
                    row.iter().map(|d| d * weight).collect()
                })
                .collect();
            units.who = units
                .dist
                .iter()
                .map(|row| match argmin(row) {
                    p if p < people => Who::Person(p),
                    _ => Who::Audience,
                })
                .collect();
            units.weight = speakers::backchannel_weights(&units.who, |u| short[u]);
            let next = fit(&units, slots, fixed);
            if next == bounds && round > 0 {
                break;
            }
            bounds = next;
        }
        units
    }
}
