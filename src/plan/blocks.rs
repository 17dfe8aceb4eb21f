//! The webinar's structure, heard before any voice but the moderator's is known: the
//! moderator's first words, their turns (a two-state smoothing), the blocks of speech
//! between them, and which blocks are the talks (see [`super::listen`]).

use super::align::{Slot, PAUSE};
use super::models;
use super::voice::{Run, DIMS};

/// Seconds of the first speech surely the moderator's (the welcome's first sentence)...
const SEED_VOICE: f64 = 5.0;
/// ... and at most taken as the moderator's voice, while it sounds the same.
const FIRST_VOICE: f64 = 25.0;
/// Distance between the mean voices of two blocks (as [`NEW_VOICE`]) beyond which they
/// are two people: the means of two stretches of one's own speech lie well within one.
const NEW_STRETCH: f64 = 1.2;
/// Distance from a voice (in typical distances of one's own speech from one's voice)
/// beyond which speech is someone else's.
pub(super) const NEW_VOICE: f64 = 3.0;

/// How far one stretch of a voice typically lies from that voice's mean, measured on the
/// recording itself: two pieces of one run of speech (no pause between) are one person,
/// and two samples lie twice as far apart as each from their mean.
pub(super) fn within_voice(spans: &[(f64, f64)], z: &[[f64; DIMS]], runs: &[Run]) -> Option<f64> {
    let same_run = |a: usize, b: usize| {
        runs.iter()
            .any(|r| r.start <= spans[a].0 && spans[b].1 <= r.end)
    };
    let mut d: Vec<f64> = (1..spans.len())
        .filter(|&u| (spans[u].0 - spans[u - 1].1).abs() < 1e-9 && same_run(u - 1, u))
        .map(|u| {
            z[u].iter()
                .zip(&z[u - 1])
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                / DIMS as f64
                / 2.0
        })
        .collect();
    if d.len() < 4 {
        return None;
    }
    d.sort_by(f64::total_cmp);
    Some(d[d.len() / 2].max(1e-6))
}

/// The units of the moderator's first words: the first few seconds of speech, then as
/// long as the speech goes on in that voice (a short welcome ends before FIRST_VOICE).
fn first_voice(spans: &[(f64, f64)], z: &[[f64; DIMS]], within: Option<f64>) -> Option<Vec<usize>> {
    let n = spans.len();
    let first = spans.first()?.0;
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let mut opening: Vec<usize> = (0..n)
        .filter(|&u| spans[u].0 < first + SEED_VOICE)
        .collect();
    if opening.len() < 2 {
        opening = (0..n.min(2)).collect();
    }
    let seed = models::Models::learn(1, opening.iter().map(|&u| (&z[u], 0, dur[u])))?;
    let mut strays = 0;
    for u in opening.len()..n {
        if spans[u].0 >= first + FIRST_VOICE {
            break;
        }
        let d = seed.distance(&z[u], 0).unwrap_or(f64::INFINITY) / within.unwrap_or(seed.typical());
        tracing::trace!(unit = u, start = spans[u].0, d, "first voice");
        if d > NEW_VOICE {
            strays += 1;
            if strays >= 2 {
                break;
            }
        } else {
            strays = 0;
            opening.push(u);
        }
    }
    Some(opening)
}

/// A stretch of speech between two turns of the moderator: a talk, an answer, a question
/// from the audience. What the moderator says in a word or two inside it ("sí") does not
/// end it.
#[derive(Clone)]
struct Block {
    units: Vec<usize>,
    start: f64,
    /// Seconds of speech in it.
    speech: f64,
    /// Its mean voice.
    mean: [f64; DIMS],
}

/// Seconds of the moderator's voice in a row that end a block (a question, a handover).
const MODERATOR_TURN: f64 = 1.2;
/// Least seconds of speech on each side of a split block.
const SPLIT_LEAST: f64 = 4.0;
/// Cost of the speaker changing between two units, in seconds of evidence: a word of the
/// moderator's is not a turn, a sentence is.
const SWITCH: f64 = 0.5;
/// Seconds of speech per second of distance in time when blocks are given to the parts
/// (see [`talk_blocks`]): length decides, time only breaks ties.
const TIME_WEIGHT: f64 = 0.2;

/// The blocks of speech between the moderator's turns, and the units of those turns.
fn blocks(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    moderator: &models::Models,
    scale: f64,
) -> (Vec<Block>, Vec<usize>) {
    let n = spans.len();
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let theirs = moderator_units(spans, z, moderator, scale);
    let mut turn = vec![false; n];
    let mut u = 0;
    while u < n {
        let a = u;
        while u < n && theirs[u] {
            u += 1;
        }
        if (a..u).map(|v| dur[v]).sum::<f64>() >= MODERATOR_TURN {
            turn[a..u].iter_mut().for_each(|t| *t = true);
        }
        u = u.max(a + 1);
    }
    let mut out: Vec<Block> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let close = |current: &mut Vec<usize>, out: &mut Vec<Block>| {
        if !current.is_empty() {
            out.push(block_of(std::mem::take(current), spans, z, &dur));
        }
    };
    for u in 0..n {
        let paused = u > 0 && spans[u].0 - spans[u - 1].1 >= PAUSE;
        if turn[u] || paused {
            close(&mut current, &mut out);
        }
        if !turn[u] {
            current.push(u);
        }
    }
    close(&mut current, &mut out);
    let turns = (0..n).filter(|&u| turn[u]).collect();
    (out, turns)
}

fn block_of(units: Vec<usize>, spans: &[(f64, f64)], z: &[[f64; DIMS]], dur: &[f64]) -> Block {
    let speech: f64 = units.iter().map(|&v| dur[v]).sum();
    Block {
        start: spans[units[0]].0,
        mean: mean_voice(&units, z, dur),
        units,
        speech,
    }
}

/// The mean fingerprint of `units`, weighted by their length.
fn mean_voice(units: &[usize], z: &[[f64; DIMS]], dur: &[f64]) -> [f64; DIMS] {
    let total: f64 = units.iter().map(|&v| dur[v]).sum::<f64>().max(1e-9);
    let mut mean = [0f64; DIMS];
    for &v in units {
        for (m, x) in mean.iter_mut().zip(&z[v]) {
            *m += x * dur[v] / total;
        }
    }
    mean
}

/// The block and place (an index into its units) where splitting it leaves two halves of
/// at least [`SPLIT_LEAST`] seconds that sound most unlike, if they are two voices.
fn best_split(
    blocks: &[Block],
    z: &[[f64; DIMS]],
    dur: &[f64],
    moderator: &models::Models,
    scale: f64,
) -> Option<(usize, usize)> {
    let not_moderator = |m: &[f64; DIMS]| {
        moderator
            .distance(m, 0)
            .is_none_or(|d| d / scale > NEW_STRETCH)
    };
    let mut best: Option<(f64, usize, usize)> = None;
    for (j, b) in blocks.iter().enumerate() {
        for at in 1..b.units.len() {
            let (l, r) = b.units.split_at(at);
            let len = |us: &[usize]| us.iter().map(|&v| dur[v]).sum::<f64>();
            if len(l) < SPLIT_LEAST || len(r) < SPLIT_LEAST {
                continue;
            }
            let (ml, mr) = (mean_voice(l, z, dur), mean_voice(r, z, dur));
            let d = ml
                .iter()
                .zip(&mr)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                / DIMS as f64
                / scale;
            if d > NEW_STRETCH
                && not_moderator(&ml)
                && not_moderator(&mr)
                && best.is_none_or(|x| d > x.0)
            {
                best = Some((d, j, at));
            }
        }
    }
    best.map(|(_, j, at)| (j, at))
}

/// Which units the moderator speaks: each unit alone is a noisy witness, so the two
/// readings (the moderator, someone else) are smoothed over time, a change of speaker
/// costing as much as a few seconds of evidence (a two-state Viterbi path).
fn moderator_units(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    moderator: &models::Models,
    scale: f64,
) -> Vec<bool> {
    let n = spans.len();
    // cost of each reading per unit: the moderator's grows with the distance, anyone
    // else's is flat at the distance beyond which a voice is someone else's
    let cost = |u: usize| {
        let d = moderator.distance(&z[u], 0).unwrap_or(f64::INFINITY) / scale;
        let len = spans[u].1 - spans[u].0;
        (d.min(2.0 * NEW_VOICE) * len, NEW_VOICE * len)
    };
    let mut acc = [0.0f64; 2];
    let mut back: Vec<[usize; 2]> = Vec::with_capacity(n);
    for u in 0..n {
        let (m, o) = cost(u);
        let stay_or_switch = |to: usize| {
            let stay = acc[to];
            let switch = acc[1 - to] + SWITCH;
            if stay <= switch {
                (stay, to)
            } else {
                (switch, 1 - to)
            }
        };
        let (am, bm) = stay_or_switch(0);
        let (ao, bo) = stay_or_switch(1);
        acc = [am + m, ao + o];
        back.push([bm, bo]);
    }
    let mut state = if acc[0] <= acc[1] { 0 } else { 1 };
    let mut out = vec![false; n];
    for u in (0..n).rev() {
        out[u] = state == 0;
        state = back[u][state];
    }
    out
}

/// Which block starts each talk and wrap-up (`None`: no block fits, the speaker was not
/// heard). Talks are long stretches of one voice; questions and answers are short. So the
/// blocks are chosen in order, one per part, to hold as much speech as possible, two
/// parts in a row by different speakers never taking blocks of the same voice; where each
/// part was expected (`expected`, seconds) only breaks ties. A block shorter than a part's
/// `least` seconds cannot be that part.
fn talk_blocks(
    blocks: &[Block],
    expected: &[f64],
    least: &[f64],
    persons: &[usize],
    scale: f64,
) -> Vec<Option<usize>> {
    let (v, e) = (blocks.len(), expected.len());
    let distinct = |a: usize, b: usize| {
        let d = blocks[a]
            .mean
            .iter()
            .zip(&blocks[b].mean)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            / DIMS as f64;
        d / scale > NEW_STRETCH
    };
    let gain = |k: usize, j: usize| {
        blocks[j].speech - TIME_WEIGHT * (blocks[j].start - expected[k]).abs().min(1e6)
    };
    // best[k][j]: parts 0..=k placed, part k in block j (j == v: part k has none), and
    // the last block used (for the distinct voices).
    let none = v;
    let mut best = vec![vec![(f64::NEG_INFINITY, none, none); v + 1]; e];
    for k in 0..e {
        for j in 0..=v {
            if j < v && blocks[j].speech < least[k] {
                continue;
            }
            let here = if j < v { gain(k, j) } else { 0.0 };
            if k == 0 {
                best[k][j] = (here, none, if j < v { j } else { none });
                continue;
            }
            for p in 0..=v {
                let (before, _, last) = best[k - 1][p];
                if !before.is_finite() {
                    continue;
                }
                if j < v {
                    if last != none && last >= j {
                        continue;
                    }
                    if last != none && persons[k] != persons[k - 1] && !distinct(last, j) {
                        continue;
                    }
                }
                let total = before + here;
                if total > best[k][j].0 {
                    let used = if j < v { j } else { last };
                    best[k][j] = (total, p, used);
                }
            }
        }
    }
    let mut out = vec![None; e];
    if e == 0 {
        return out;
    }
    let mut j = (0..=v)
        .max_by(|&a, &b| best[e - 1][a].0.total_cmp(&best[e - 1][b].0))
        .unwrap_or(none);
    for k in (0..e).rev() {
        out[k] = (j < v).then_some(j);
        j = best[k][j].1;
    }
    out
}

/// Voices to learn first, as (unit, person), the boundaries they suggest, and the talk and
/// wrap-up speakers whose voice is nowhere in the recording. The first speech of a
/// webinar is the moderator welcoming people, so that voice is known before any other;
/// the moderator's turns then cut the rest into blocks, and the longest blocks in order
/// are the talks and the wrap-up ([`talk_blocks`]). A speaker who switches to a phone
/// mid-talk does so without the moderator taking the word, so the talk stays one block.
pub(super) fn first_voices(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    slots: &[Slot],
    moderator: usize,
    within: Option<f64>,
) -> Option<FirstVoices> {
    let n = spans.len();
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let opening = first_voice(spans, z, within)?;
    let mut model = models::Models::learn(1, opening.iter().map(|&u| (&z[u], 0, dur[u])))?;
    let scale = within.unwrap_or(model.typical());
    // Once more with the moderator's voice learnt from all their turns.
    let (_, turns) = blocks(spans, z, &model, scale);
    if let Some(m) =
        models::Models::learn(1, opening.iter().chain(&turns).map(|&u| (&z[u], 0, dur[u])))
    {
        model = m;
    }
    let (found, turns) = blocks(spans, z, &model, scale);
    let planned = super::listen::planned_starts(spans, slots);
    // Talks and wrap-ups by someone other than the moderator (a wrap-up by the moderator
    // is made of their turns).
    let person = |k: usize| {
        slots[k]
            .allowed
            .iter()
            .find(|a| a.1 == 0.0)
            .map_or(moderator, |a| a.0)
    };
    let episodes: Vec<usize> = (0..slots.len())
        .filter(|&k| slots[k].kind.is_episode() && person(k) != moderator)
        .collect();
    let persons: Vec<usize> = episodes.iter().map(|&k| person(k)).collect();
    let expected: Vec<f64> = episodes.iter().map(|&k| planned[k]).collect();
    let least: Vec<f64> = episodes
        .iter()
        .map(|&k| (0.2 * slots[k].planned).clamp(3.0, 20.0))
        .collect();
    let mut found = found;
    let mut chosen = talk_blocks(&found, &expected, &least, &persons, scale);
    // Two speakers back to back, the moderator silent between them, make one block: while
    // a speaker is left without one, split the block whose halves sound most unlike.
    while chosen.iter().any(Option::is_none) {
        let Some((j, at)) = best_split(&found, z, &dur, &model, scale) else {
            break;
        };
        let mut split = found.clone();
        let right = split[j].units.split_off(at);
        split[j] = block_of(split[j].units.clone(), spans, z, &dur);
        split.insert(j + 1, block_of(right, spans, z, &dur));
        let again = talk_blocks(&split, &expected, &least, &persons, scale);
        let paired = |c: &[Option<usize>]| c.iter().filter(|x| x.is_some()).count();
        if paired(&again) <= paired(&chosen) {
            break;
        }
        found = split;
        chosen = again;
    }
    if tracing::enabled!(tracing::Level::TRACE) {
        let shown: Vec<(f64, f64)> = found.iter().map(|b| (b.start, b.speech)).collect();
        tracing::trace!(blocks = ?shown, ?expected, ?least, ?chosen, "blocks");
    }
    let mut seeds: Vec<(usize, usize)> = opening
        .iter()
        .chain(&turns)
        .map(|&u| (u, moderator))
        .collect();
    let mut bounds = vec![0usize; slots.len() + 1];
    bounds[slots.len()] = n;
    let mut unheard = Vec::new();
    let mut at = 0;
    for (i, &k) in episodes.iter().enumerate() {
        match chosen[i] {
            Some(j) => {
                let b = &found[j];
                seeds.extend(b.units.iter().map(|&u| (u, persons[i])));
                bounds[k] = b.units[0];
                bounds[k + 1] = b.units[b.units.len() - 1] + 1;
                at = bounds[k + 1];
            }
            None => {
                unheard.push(persons[i]);
                bounds[k] = at;
                bounds[k + 1] = at;
            }
        }
    }
    // Slots between two episodes (Q&A) share what lies between them; so do those before
    // the first (the welcome) and after the last (the closing).
    let mut s = 0;
    while s < slots.len() {
        if slots[s].kind.is_episode() {
            s += 1;
            continue;
        }
        let a = s;
        while s < slots.len() && !slots[s].kind.is_episode() {
            s += 1;
        }
        let (from, to) = (bounds[a], bounds[s].max(bounds[a]));
        let k = s - a;
        for j in 1..k {
            bounds[a + j] = from + (to - from) * j / k;
        }
    }
    bounds[0] = 0;
    for k in 1..bounds.len() {
        bounds[k] = bounds[k].max(bounds[k - 1]);
    }
    Some(FirstVoices {
        seeds,
        bounds,
        unheard,
    })
}

/// What [`first_voices`] finds.
pub(super) struct FirstVoices {
    /// Units whose speaker is known from the start, as (unit, person).
    pub(super) seeds: Vec<(usize, usize)>,
    /// Slot boundaries (unit indices) to learn the other voices from.
    pub(super) bounds: Vec<usize>,
    /// Talk and wrap-up speakers whose voice is nowhere in the recording.
    pub(super) unheard: Vec<usize>,
}
