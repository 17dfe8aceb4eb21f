//! Fitting the webinar as it ran onto the recording, from the best evidence at hand.
//!
//! **The model.** An event page lists talks, Q&A and a wrap-up; the webinar as it runs also
//! has the moderator's welcome before the first item and closing after the last, and
//! perhaps pauses and music. So the agenda becomes a sequence of *slots*: an unlisted
//! welcome (when the agenda has no intro), the agenda's items in order, an unlisted closing
//! (when it has no outro). Each slot says who may be heard in it (a talk: its speaker; a
//! Q&A: the moderator, the audience, and at a small extra cost the speaker of the talk
//! before it) and how long it was planned; unlisted slots may be empty.
//!
//! **The evidence.** The recording is a sequence of *units* (transcript lines, or stretches
//! of speech of at most [`UNIT`] seconds when there is no transcript), each with a cost of
//! being heard as each person ([`super::speakers::Units`]). A dynamic programme picks the
//! slot boundaries, always at unit edges, that minimise the total cost plus a weak prior
//! pulling each listed item towards its planned length. Cue-sheet times pin the starts they
//! name ([`super::cuesheet`]); the programme fills in the rest.
//!
//! **Audio alone.** Without a transcript the voices are unknown, so we alternate: learn each
//! person's voice from where the current boundaries put their slots (first a guess from the
//! planned minutes, with the welcome from the first speech), refit, and repeat until the
//! boundaries stop moving. Talks are long stretches of one voice, so even a guess minutes
//! off learns mostly the right voice. Music is found from the loudness envelope
//! ([`super::voice::music`]) and kept out of the units.
//!
//! **No silent losses.** A talk or wrap-up whose speaker is not found is an error naming
//! them, never an empty episode.

use std::path::Path;

use super::cuesheet::{self, Anchor};
use super::energy::Envelope;
use super::speakers::{self, Units, Who};
use super::voice::{self, Run, DIMS};
use super::{planned, sanity_warnings, unlisted_title, Plan, RecordingSpan, Segment, Source, Turn};
use crate::error::{Error, Result};
use crate::ingest::cues::CueSheet;
use crate::ingest::transcript::{Cue, Transcript};
use crate::ingest::{Agenda, ItemKind};

/// What we know about one recording.
pub struct Evidence<'a> {
    pub agenda: &'a Agenda,
    /// Length of the recording in seconds.
    pub duration: f64,
    pub envelope: &'a Envelope,
    /// The 16 kHz mono analysis PCM (for voice fingerprints).
    pub analysis: &'a Path,
    pub transcript: Option<&'a Transcript>,
    pub cues: Option<&'a CueSheet>,
}

/// Longest unit of speech without a transcript, in seconds: a handover without a pause
/// is found to within this, then refined.
pub const UNIT: f64 = 2.0;
/// Weight of the planned-length prior, in seconds of mismatched speech per (relative
/// deviation)² × planned seconds: weak, so it only decides what the voices leave open.
const PRIOR: f64 = 0.005;
/// Extra cost of hearing the talk's own speaker in the Q&A after it rather than in the talk
/// itself: it makes a talk run to its speaker's last words before someone else speaks.
const QA_SPEAKER_BIAS: f64 = 0.05;
/// Extra cost of hearing other agenda speakers in a Q&A (a panel at the end).
const QA_PANEL_BIAS: f64 = 0.3;
/// Cost of someone not on the agenda in the welcome or the closing (music, a jingle's
/// voice-over, an attendee unmuted by mistake).
const UNLISTED_AUDIENCE: f64 = 0.5;
/// A gap in the speech at least this long between two parts is a pause of its own.
const PAUSE: f64 = 20.0;
/// Speech after a pause inside a part that still goes with the pause (seconds).
const PAUSE_TAIL: f64 = 30.0;
/// Voice distances (in typical distances to one's own voice) are capped, so one odd unit
/// (a cough, laughter) cannot outweigh minutes of clear speech.
const DIST_CAP: f64 = 3.0;
/// Distance, in the same units, at which a voice counts as someone not on the agenda.
const AUDIENCE: f64 = 2.0;
/// Seconds of speech at which a unit's fingerprint counts half.
const SHORT_RUN: f64 = 1.0;
/// Rounds of voice learning and refitting (it usually settles in two or three).
const ROUNDS: usize = 8;
/// Transcript times are a few hundred milliseconds off; a pause this close is the edge.
const TRANSCRIPT_SNAP: f64 = 0.6;
/// Speech of a talk's own speaker (seconds) below which they count as not found.
const FOUND_SECONDS: f64 = 10.0;

/// Who may speak in a slot: (person index, or `people` for someone not on the agenda;
/// extra cost per second).
type Allowed = Vec<(usize, f64)>;

/// One part the webinar may have: an agenda item, or the welcome or closing no event page
/// lists.
#[derive(Debug, Clone)]
pub struct Slot {
    pub kind: ItemKind,
    /// The agenda item (index), or none for an unlisted part.
    pub item: Option<usize>,
    pub title: String,
    /// The agenda names heard in it.
    pub speakers: Vec<String>,
    allowed: Allowed,
    /// Planned seconds (0 for unlisted parts: no prior).
    planned: f64,
}

pub fn align(ev: &Evidence) -> Result<Plan> {
    let agenda = ev.agenda;
    let names: Vec<&str> = agenda.people().iter().map(|p| p.name.as_str()).collect();
    let people = names.len();
    let mut slots = slots(agenda, &names);
    let music = voice::music(ev.envelope, ev.analysis)?;
    let runs: Vec<Run> = voice::runs(ev.envelope)
        .into_iter()
        .flat_map(|r| without(&r, &music))
        .collect();
    if runs.is_empty() {
        let missing: Vec<&Slot> = slots.iter().filter(|s| s.kind.is_episode()).collect();
        if let Some(first) = missing.first() {
            return Err(Error::SpeakerMissing {
                missing: missing
                    .iter()
                    .map(|s| {
                        format!(
                            "{} (\"{}\") was not found in the recording: there is no speech \
                             in it at all, only silence or music.",
                            s.speakers.join(", "),
                            s.title
                        )
                    })
                    .collect(),
                example: first.speakers.first().cloned().unwrap_or_default(),
            });
        }
        return Ok(planned(agenda, ev.duration, ev.envelope));
    }
    let mut warnings = Vec::new();
    let speech = runs[runs.len() - 1].end - runs[0].start;
    scale_plan(&mut slots, speech);
    // Pauses as short as a breath: where a cut may fall between two people.
    let fine = voice::runs_split_at(ev.envelope, 0.12);
    let anchors = match ev.cues {
        Some(sheet) => cuesheet::anchors(
            sheet,
            agenda,
            &slots,
            &names,
            &fine,
            ev.duration,
            &mut warnings,
        )?,
        None => vec![None; slots.len()],
    };

    // Talk and wrap-up speakers whose voice is nowhere in the recording (audio alone).
    let mut unheard: Vec<usize> = Vec::new();
    let (source, units, cues) = match ev.transcript {
        Some(t) => {
            t.check_duration(ev.duration)?;
            warnings.extend(t.warnings.iter().cloned());
            let (units, cues) =
                speakers::from_transcript(t, &names, ev.analysis, ev.envelope, &mut warnings)?;
            (Source::Transcript, units, cues)
        }
        None => {
            let spans = split(&runs, UNIT);
            // A whole run of a second or so: what a backchannel sounds like without a
            // transcript.
            let whole: Vec<bool> = spans
                .iter()
                .map(|s| {
                    runs.iter()
                        .any(|r| r.start == s.0 && r.end == s.1 && r.len() <= 1.5)
                })
                .collect();
            let prints = voice::fingerprints(ev.analysis, &spans, Some(ev.envelope))?;
            let fixed = anchor_units(&anchors, &spans);
            let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
            let z = voice::standardise(&prints, &dur);
            let moderator = agenda
                .moderator
                .as_ref()
                .and_then(|m| names.iter().position(|n| *n == m.name));
            let within = within_voice(&spans, &z, &runs);
            let found = moderator
                .filter(|_| fixed.iter().all(Option::is_none))
                .and_then(|m| first_voices(&spans, &z, &slots, m, within));
            let FirstVoices {
                seeds,
                bounds: init,
                unheard: silent,
            } = found.unwrap_or_else(|| FirstVoices {
                seeds: Vec::new(),
                bounds: initial_bounds(&spans, &slots, &fixed),
                unheard: Vec::new(),
            });
            unheard = silent;
            if tracing::enabled!(tracing::Level::TRACE) {
                let voices: Vec<(usize, f64)> =
                    seeds.iter().map(|&(u, p)| (p, spans[u].0)).collect();
                let at: Vec<f64> = init
                    .iter()
                    .filter_map(|&b| spans.get(b).map(|s| s.0))
                    .collect();
                tracing::trace!(?voices, ?at, "voices found and first boundaries");
            }
            let units = learn_voices(
                &spans, &z, &whole, &slots, &fixed, people, init, &seeds, moderator,
            );
            (Source::Audio, units, Vec::new())
        }
    };
    let fixed = anchor_units(&anchors, &units.spans);
    let bounds = fit(&units, &slots, &fixed);
    if tracing::enabled!(tracing::Level::TRACE) {
        for (u, span) in units.spans.iter().enumerate() {
            let slot = bounds.iter().rposition(|&b| b <= u).unwrap_or(0);
            tracing::trace!(
                unit = u,
                start = span.0,
                end = span.1,
                slot,
                who = ?units.who[u],
                weight = units.weight[u],
                dist = ?units.dist[u],
            );
        }
    }
    let mut segments = segments(&slots, &bounds, &units, &anchors, source, &fine);
    let missing = missing(&slots, &bounds, &units, &segments, &unheard, ev, source);
    if !missing.is_empty() {
        let example = missing[0].0.clone();
        return Err(Error::SpeakerMissing {
            missing: missing.into_iter().map(|m| m.1).collect(),
            example,
        });
    }
    add_gaps(&mut segments, &music, &runs, &agenda.language);
    slice_transcript(&mut segments, cues);
    let mut plan = Plan {
        recording: RecordingSpan {
            duration: ev.duration,
        },
        segments,
        warnings,
        turns: turns(&units, &names),
    };
    // The unscaled planned length is what a person compares against.
    let minutes = agenda.planned_minutes();
    for s in &mut plan.segments {
        s.planned = s.item.map(|i| minutes[i] * 60.0).unwrap_or(0.0);
    }
    for s in &plan.segments {
        if s.source == Source::Audio && s.item.is_some() && s.confidence < 0.5 {
            plan.warnings.push(format!(
                "\"{}\": the voices there fit the agenda poorly (confidence {:.2}); check its \
                 start and end by ear, or give a cue sheet",
                s.title, s.confidence
            ));
        }
    }
    plan.warnings.extend(sanity_warnings(&plan));
    Ok(plan)
}

/// The webinar's parts in order: an unlisted welcome, the items that took place, an
/// unlisted closing.
fn slots(agenda: &Agenda, names: &[&str]) -> Vec<Slot> {
    let people = names.len();
    let index = |n: &String| names.iter().position(|x| *x == n.as_str());
    let moderator = agenda.moderator.as_ref().and_then(|m| index(&m.name));
    let talkers: Vec<usize> = agenda
        .held()
        .map(|i| &agenda.items[i])
        .filter(|it| it.kind.is_episode())
        .flat_map(|it| it.speakers.iter().filter_map(|p| index(&p.name)))
        .collect();
    let unlisted = |kind: ItemKind| {
        let mut allowed: Allowed = match moderator {
            Some(m) => vec![(m, 0.0)],
            None => (0..people).map(|p| (p, 0.3)).collect(),
        };
        allowed.push((people, UNLISTED_AUDIENCE));
        Slot {
            kind,
            item: None,
            title: unlisted_title(kind, false, &agenda.language).to_string(),
            speakers: moderator
                .map(|m| names[m].to_string())
                .into_iter()
                .collect(),
            allowed,
            planned: 0.0,
        }
    };
    let held: Vec<usize> = agenda.held().collect();
    let mut out = Vec::new();
    if agenda.items[held[0]].kind != ItemKind::Intro {
        out.push(unlisted(ItemKind::Intro));
    }
    let minutes = agenda.planned_minutes();
    let mut last_talk: Vec<usize> = Vec::new();
    for &i in &held {
        let item = &agenda.items[i];
        let speakers = agenda.item_speakers(item);
        let own: Vec<usize> = speakers.iter().filter_map(index).collect();
        let mut allowed: Allowed = own.iter().map(|&p| (p, 0.0)).collect();
        match item.kind {
            ItemKind::Qa => {
                if let Some(m) = moderator.filter(|m| !own.contains(m)) {
                    allowed.push((m, 0.0));
                }
                for &p in &talkers {
                    if !allowed.iter().any(|a| a.0 == p) {
                        let bias = if last_talk.contains(&p) {
                            QA_SPEAKER_BIAS
                        } else {
                            QA_PANEL_BIAS
                        };
                        allowed.push((p, bias));
                    }
                }
                allowed.push((people, 0.0));
            }
            ItemKind::Talk | ItemKind::Wrapup => {}
            _ if own.is_empty() => allowed = (0..=people).map(|p| (p, 0.5)).collect(),
            _ => allowed.push((people, UNLISTED_AUDIENCE)),
        }
        if item.kind == ItemKind::Talk {
            last_talk = own;
        }
        out.push(Slot {
            kind: item.kind,
            item: Some(i),
            title: agenda.item_title(item),
            speakers,
            allowed,
            planned: minutes[i] * 60.0,
        });
    }
    if agenda.items[held[held.len() - 1]].kind != ItemKind::Outro {
        out.push(unlisted(ItemKind::Outro));
    }
    out
}

/// Stretch the planned lengths to the speech actually recorded (a webinar that ran 10 %
/// long ran long everywhere, as a rule; one that ended early did too), leaving room for
/// the welcome and closing no agenda lists.
fn scale_plan(slots: &mut [Slot], speech: f64) {
    let total: f64 = slots.iter().map(|s| s.planned).sum();
    let unlisted = slots.iter().filter(|s| s.item.is_none()).count() as f64;
    let listed_speech = speech * (1.0 - 0.05 * unlisted);
    if total > 0.0 {
        let k = listed_speech / total;
        for s in slots.iter_mut() {
            s.planned = (s.planned * k).max(if s.item.is_some() { 1.0 } else { 0.0 });
        }
    }
}

/// `r` without the parts that lie in `music`.
fn without(r: &Run, music: &[(f64, f64)]) -> Vec<Run> {
    let mut out = vec![r.clone()];
    for &(a, b) in music {
        out = out
            .into_iter()
            .flat_map(|x| {
                let mut keep = Vec::new();
                if x.start < a {
                    keep.push(Run {
                        start: x.start,
                        end: x.end.min(a),
                    });
                }
                if x.end > b {
                    keep.push(Run {
                        start: x.start.max(b),
                        end: x.end,
                    });
                }
                keep
            })
            // What is left of a run cut by music is its fade, not speech.
            .filter(|x| x.len() >= if x.len() < r.len() { 1.0 } else { 0.12 })
            .collect();
    }
    out
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

fn argmin(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// Unit index each anchor pins its slot's start to.
fn anchor_units(anchors: &[Option<Anchor>], spans: &[(f64, f64)]) -> Vec<Option<usize>> {
    anchors
        .iter()
        .map(|a| {
            a.map(|a| {
                spans
                    .iter()
                    .position(|&(s, e)| (s + e) / 2.0 >= a.start)
                    .unwrap_or(spans.len())
            })
        })
        .collect()
}

/// The cheapest slot boundaries (`slots + 1` unit indices, first 0, last `units.len()`).
fn fit(units: &Units, slots: &[Slot], fixed: &[Option<usize>]) -> Vec<usize> {
    let spans = &units.spans;
    let n = spans.len();
    let m = slots.len();
    // prefix[s][u]: cost of units 0..u heard in slot s
    let prefix: Vec<Vec<f64>> = slots
        .iter()
        .map(|slot| {
            let mut acc = vec![0.0; n + 1];
            for u in 0..n {
                let c = slot
                    .allowed
                    .iter()
                    .map(|&(p, bias)| units.dist[u][p] + bias)
                    .fold(f64::INFINITY, f64::min);
                acc[u + 1] = acc[u] + (spans[u].1 - spans[u].0) * units.weight[u] * c;
            }
            acc
        })
        .collect();
    let prior = |s: usize, a: usize, b: usize| {
        let p = slots[s].planned;
        if p <= 0.0 {
            return 0.0;
        }
        let d = if a < b {
            spans[b - 1].1 - spans[a].0
        } else {
            0.0
        };
        PRIOR * (d - p).powi(2) / p
    };
    let mut dp = vec![vec![f64::INFINITY; n + 1]; m];
    let mut back = vec![vec![0usize; n + 1]; m];
    for s in 0..m {
        let starts: Vec<usize> = match fixed[s] {
            Some(k) => vec![k],
            None if s == 0 => vec![0],
            None => (0..=n).collect(),
        };
        for &a in &starts {
            let before = if s == 0 { 0.0 } else { dp[s - 1][a] };
            if !before.is_finite() {
                continue;
            }
            let ends: Box<dyn Iterator<Item = usize>> = if s + 1 == m {
                Box::new(std::iter::once(n))
            } else {
                Box::new(a..=n)
            };
            for b in ends {
                let c = before + prefix[s][b] - prefix[s][a] + prior(s, a, b);
                if c < dp[s][b] {
                    dp[s][b] = c;
                    back[s][b] = a;
                }
            }
        }
    }
    let mut bounds = vec![0; m + 1];
    bounds[m] = n;
    for s in (0..m).rev() {
        bounds[s] = back[s][bounds[s + 1]];
    }
    bounds
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
fn planned_starts(spans: &[(f64, f64)], slots: &[Slot]) -> Vec<f64> {
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

/// Seconds of the first speech surely the moderator's (the welcome's first sentence)...
const SEED_VOICE: f64 = 5.0;
/// ... and at most taken as the moderator's voice, while it sounds the same.
const FIRST_VOICE: f64 = 25.0;
/// Distance between the mean voices of two blocks (as [`NEW_VOICE`]) beyond which they
/// are two people: the means of two stretches of one's own speech lie well within one.
const NEW_STRETCH: f64 = 1.2;
/// Distance from a voice (in typical distances of one's own speech from one's voice)
/// beyond which speech is someone else's.
const NEW_VOICE: f64 = 3.0;

/// The units of the moderator's first words: the first few seconds of speech, then as
/// long as the speech goes on in that voice (a short welcome ends before FIRST_VOICE).
/// How far one stretch of a voice typically lies from that voice's mean, measured on the
/// recording itself: two pieces of one run of speech (no pause between) are one person,
/// and two samples lie twice as far apart as each from their mean.
fn within_voice(spans: &[(f64, f64)], z: &[[f64; DIMS]], runs: &[Run]) -> Option<f64> {
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
    let seed = voice::Models::learn(1, opening.iter().map(|&u| (&z[u], 0, dur[u])))?;
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
const TIME_WEIGHT: f64 = 0.02;

/// The blocks of speech between the moderator's turns, and the units of those turns.
fn blocks(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    moderator: &voice::Models,
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
    moderator: &voice::Models,
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
    moderator: &voice::Models,
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
fn first_voices(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    slots: &[Slot],
    moderator: usize,
    within: Option<f64>,
) -> Option<FirstVoices> {
    let n = spans.len();
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let opening = first_voice(spans, z, within)?;
    let mut model = voice::Models::learn(1, opening.iter().map(|&u| (&z[u], 0, dur[u])))?;
    let scale = within.unwrap_or(model.typical());
    // Once more with the moderator's voice learnt from all their turns.
    let (_, turns) = blocks(spans, z, &model, scale);
    if let Some(m) =
        voice::Models::learn(1, opening.iter().chain(&turns).map(|&u| (&z[u], 0, dur[u])))
    {
        model = m;
    }
    let (found, turns) = blocks(spans, z, &model, scale);
    let planned = planned_starts(spans, slots);
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
struct FirstVoices {
    /// Units whose speaker is known from the start, as (unit, person).
    seeds: Vec<(usize, usize)>,
    /// Slot boundaries (unit indices) to learn the other voices from.
    bounds: Vec<usize>,
    /// Talk and wrap-up speakers whose voice is nowhere in the recording.
    unheard: Vec<usize>,
}

/// Learn each person's voice from the slots the boundaries give them, refit, repeat.
/// Returns the units with their final voice distances (one column per person + the
/// audience), who each most likely is, and their weights (backchannels almost none).
#[allow(clippy::too_many_arguments)]
fn learn_voices(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    short: &[bool],
    slots: &[Slot],
    fixed: &[Option<usize>],
    people: usize,
    mut bounds: Vec<usize>,
    seeds: &[(usize, usize)],
    moderator: Option<usize>,
) -> Units {
    let n = spans.len();
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let mut units = Units {
        spans: spans.to_vec(),
        dist: vec![vec![AUDIENCE; people + 1]; n],
        weight: vec![1.0; n],
        words: vec![0; n],
        who: vec![Who::Unknown; n],
    };
    let mut voices: Option<voice::Models> = None;
    for round in 0..ROUNDS {
        // Who each unit is, as far as the current boundaries tell: the slot's only
        // speaker, unless it clearly sounds like someone else; elsewhere, the nearest
        // voice of those the slot allows, when it is near. At first the voices are those
        // found one after the other (when all were found), later the last round's.
        let seeded = round == 0 && {
            let mut who: Vec<usize> = seeds.iter().map(|s| s.1).collect();
            who.sort();
            who.dedup();
            who.len() >= 2
        };
        let mut known: Vec<(usize, usize)> = if seeded { seeds.to_vec() } else { Vec::new() };
        if seeded {
            voices = voice::Models::learn(people, seeds.iter().map(|&(u, p)| (&z[u], p, dur[u])));
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
            let sole = own.len() == 1 && slot.allowed.iter().all(|&(p, b)| p == own[0] || b > 0.0);
            for u in bounds[s]..bounds[s + 1] {
                if seeded && known.iter().any(|k| k.0 == u) {
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
            voice::Models::learn(people, known.iter().map(|&(u, p)| (&z[u], p, dur[u])))
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

/// The segments of the slots that are not empty (and of every agenda item), with their
/// edges moved to the pauses next to them and overlapping handovers cut.
fn segments(
    slots: &[Slot],
    bounds: &[usize],
    units: &Units,
    anchors: &[Option<Anchor>],
    source: Source,
    fine: &[Run],
) -> Vec<Segment> {
    let spans = &units.spans;
    let n = spans.len();
    let mut out: Vec<Segment> = Vec::new();
    let mut last_unit: Option<usize> = None;
    for (s, slot) in slots.iter().enumerate() {
        let (a, b) = (bounds[s], bounds[s + 1]);
        if a == b && slot.item.is_none() && anchors[s].is_none() {
            continue;
        }
        let (mut start, mut end) = if a < b {
            let end = spans[a..b].iter().map(|x| x.1).fold(f64::MIN, f64::max);
            (spans[a].0, end)
        } else if a < n {
            (spans[a].0, spans[a].0)
        } else {
            (spans[n - 1].1, spans[n - 1].1)
        };
        if source == Source::Transcript && a < b {
            start = snap_edge(start, fine.iter().map(|r| r.start));
            end = snap_edge(end, fine.iter().map(|r| r.end));
        }
        if let Some(anchor) = anchors[s] {
            start = anchor.start;
            end = end.max(start);
            if let Some(prev) = out.last_mut() {
                prev.end = prev.end.min(anchor.prev_end).max(prev.start);
            }
        }
        if let (Some(prev), Some(l)) = (out.last_mut(), last_unit) {
            if prev.end > start && a < b {
                // Overlapping speech at the handover: cut where the fewest words are lost.
                let cut = cut_overlap(spans[l], units.words[l], spans[a], units.words[a]);
                prev.end = cut.min(prev.end).max(prev.start);
                start = cut.max(start);
            }
        }
        if let Some(prev) = out.last() {
            start = start.max(prev.end);
            end = end.max(start);
        }
        let own: Vec<usize> = slot
            .allowed
            .iter()
            .filter(|a| a.1 == 0.0)
            .map(|a| a.0)
            .collect();
        let heard: f64 = (a..b)
            .map(|u| (spans[u].1 - spans[u].0) * units.weight[u])
            .sum();
        let matched: f64 = (a..b)
            .filter(|&u| own.contains(&argmin(&units.dist[u])))
            .map(|u| (spans[u].1 - spans[u].0) * units.weight[u])
            .sum();
        let purity = if heard > 0.0 { matched / heard } else { 0.0 };
        let (seg_source, confidence) = match (anchors[s], source) {
            (Some(_), _) => (Source::Cues, 0.95),
            (None, _) if a == b => (source, 0.0),
            (None, Source::Transcript) => (source, 0.5 + 0.45 * purity),
            (None, s) => (s, 0.3 + 0.5 * purity),
        };
        if a < b {
            last_unit = Some(b - 1);
        }
        out.push(Segment {
            kind: slot.kind,
            item: slot.item,
            title: slot.title.clone(),
            speakers: slot.speakers.clone(),
            start,
            end,
            planned: slot.planned,
            source: seg_source,
            confidence,
            transcript: Vec::new(),
        });
    }
    out
}

/// Where to cut between the last unit of one part (`a`, `wa` words) and the first of the
/// next (`b`, `wb` words) when they overlap: at one end of the overlap, whichever cuts off
/// fewer words (words spread evenly over each unit).
fn cut_overlap(a: (f64, f64), wa: usize, b: (f64, f64), wb: usize) -> f64 {
    let overlap = (a.1 - b.0).max(0.0);
    let rate = |s: (f64, f64), w: usize| w.max(1) as f64 / (s.1 - s.0).max(0.1);
    // Cutting at b's start loses a's words in the overlap; at a's end, b's.
    if rate(a, wa) * overlap <= rate(b, wb) * overlap {
        b.0
    } else {
        a.1
    }
}

/// The nearest of `edges` to `t` within [`TRANSCRIPT_SNAP`] (transcript times are often a
/// little early or late; the pause itself is exact).
fn snap_edge(t: f64, edges: impl Iterator<Item = f64>) -> f64 {
    edges
        .map(|e| (e, (e - t).abs()))
        .filter(|(_, d)| *d <= TRANSCRIPT_SNAP)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(e, _)| e)
        .unwrap_or(t)
}

/// Talks and wrap-ups whose speaker was not found: (a name, what to tell the user).
fn missing(
    slots: &[Slot],
    bounds: &[usize],
    units: &Units,
    segments: &[Segment],
    unheard: &[usize],
    ev: &Evidence,
    source: Source,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (s, slot) in slots.iter().enumerate() {
        if !slot.kind.is_episode() || slot.item.is_none() {
            continue;
        }
        let seg = segments.iter().find(|g| g.item == slot.item);
        if seg.is_some_and(|g| g.source == Source::Cues && g.duration() > 0.0) {
            continue;
        }
        let own: Vec<usize> = slot.allowed.iter().map(|a| a.0).collect();
        let heard: f64 = (bounds[s]..bounds[s + 1])
            .filter(|&u| matches!(units.who[u], Who::Person(p) if own.contains(&p)))
            .map(|u| units.spans[u].1 - units.spans[u].0)
            .sum();
        let length = seg.map(|g| g.duration()).unwrap_or(0.0);
        let least = FOUND_SECONDS.min(slot.planned * 0.25);
        let own_voice_heard = !own.iter().all(|p| unheard.contains(p));
        let found = match source {
            Source::Transcript => heard >= least,
            _ => length >= least && heard > 0.0 && own_voice_heard,
        };
        if found {
            continue;
        }
        let who = slot.speakers.join(", ");
        let searched = match (source, ev.transcript) {
            (Source::Transcript, Some(t)) => format!(
                "no line of the transcript {} is theirs, by name or by voice",
                t.path.display()
            ),
            _ if !own_voice_heard => "without a transcript, the recording has fewer voices \
                 speaking at length than the agenda has speakers, and none is left for them \
                 where the agenda puts them"
                .to_string(),
            _ => format!(
                "without a transcript, no stretch of a voice other than the others' fits \
                 where the agenda puts it ({} of speech found there)",
                crate::clock(length)
            ),
        };
        out.push((
            slot.speakers.first().cloned().unwrap_or_default(),
            format!(
                "{who} (\"{}\") was not found in the recording: {searched}.",
                slot.title
            ),
        ));
    }
    out
}

/// Pauses of [`PAUSE`] seconds or more between parts, and music outside them, become parts
/// of their own (chapters of the whole webinar). A pause near the end of a welcome, Q&A or
/// closing ("we seem to have a technical problem" ... "we are back") takes that end with it.
fn add_gaps(segments: &mut Vec<Segment>, music: &[(f64, f64)], runs: &[Run], language: &str) {
    let gap = |start: f64, end: f64, music: bool| Segment {
        kind: ItemKind::Pause,
        item: None,
        title: unlisted_title(ItemKind::Pause, music, language).to_string(),
        speakers: Vec::new(),
        start,
        end,
        planned: 0.0,
        source: Source::Audio,
        confidence: 0.8,
        transcript: Vec::new(),
    };
    let mut extra = Vec::new();
    for s in segments.iter_mut() {
        if s.kind.is_episode() {
            continue;
        }
        let inside: Vec<&Run> = runs
            .iter()
            .filter(|r| r.start >= s.start && r.end <= s.end)
            .collect();
        let last_gap = inside
            .windows(2)
            .filter(|w| w[1].start - w[0].end >= PAUSE)
            .map(|w| (w[0].end, w[1].start))
            .next_back();
        if let Some((a, b)) = last_gap {
            let after: f64 = inside
                .iter()
                .filter(|r| r.start >= b)
                .map(|r| r.len())
                .sum();
            if after <= PAUSE_TAIL {
                extra.push(gap(a, s.end, false));
                s.end = a;
            }
        }
    }
    segments.append(&mut extra);
    segments.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.end.total_cmp(&b.end)));
    for &(a, b) in music {
        let inside = segments
            .iter()
            .any(|s| s.start < b && a < s.end && s.duration() > 0.0);
        if !inside {
            extra.push(gap(a, b, true));
        }
    }
    let spoken: Vec<&Segment> = segments.iter().filter(|s| s.duration() > 0.0).collect();
    for w in spoken.windows(2) {
        let (a, b) = (w[0].end, w[1].start);
        if b - a >= PAUSE && !music.iter().any(|&(x, y)| x < b && a < y) {
            extra.push(gap(a, b, false));
        }
    }
    segments.extend(extra);
    segments.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.end.total_cmp(&b.end)));
}

/// Silence (seconds) within which two units of one voice make one turn.
const TURN_GAP: f64 = 1.5;

/// Who was heard when, as the fit decided: the units of one voice run together.
fn turns(units: &Units, names: &[&str]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for (&(start, end), who) in units.spans.iter().zip(&units.who) {
        let speaker = match *who {
            Who::Person(p) => Some(names[p].to_string()),
            Who::Audience => None,
            Who::Unknown => continue,
        };
        match out
            .iter_mut()
            .rev()
            .take_while(|t| start - t.end <= TURN_GAP)
            .find(|t| t.speaker == speaker)
        {
            Some(t) => t.end = t.end.max(end),
            _ => out.push(Turn {
                speaker,
                start,
                end,
            }),
        }
    }
    out
}

/// Each cue goes to the segment it overlaps most, re-timed to that segment's start.
fn slice_transcript(segments: &mut [Segment], cues: Vec<Cue>) {
    for mut c in cues {
        let overlap = |s: &Segment| c.end.min(s.end) - c.start.max(s.start);
        let Some(i) = (0..segments.len()).max_by(|&a, &b| {
            overlap(&segments[a])
                .total_cmp(&overlap(&segments[b]))
                .then(b.cmp(&a))
        }) else {
            return;
        };
        let origin = segments[i].start;
        c.start = (c.start - origin).max(0.0);
        c.end = (c.end - origin).max(c.start);
        c.line = 0;
        segments[i].transcript.push(c);
    }
}
