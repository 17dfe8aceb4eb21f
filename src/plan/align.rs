//! Fitting the agenda onto the recording from the best evidence at hand.
//!
//! All evidence is reduced to one problem. The recording is a sequence of *units* (transcript
//! cues, or speech runs between pauses when there is no transcript), each with a cost of
//! being heard in each agenda item: low when its speaker (named by the transcript, or
//! recognised by voice) belongs to that item, high otherwise. A dynamic programme then picks
//! the item boundaries, always at unit edges (so never mid-word), that minimise the total
//! cost plus a weak prior pulling each item towards its planned length. Cue-sheet times pin
//! the boundaries they name; the programme fills in the rest.
//!
//! Without a transcript the voices are unknown, so we alternate: guess each speaker's voice
//! from where the current boundaries put their items (first the planned minutes), refit the
//! boundaries, and repeat until they stop moving. Talks are long stretches of one voice, so
//! even a guess minutes off learns mostly the right voice.

use std::path::Path;

use super::energy::Envelope;
use super::names::{match_name, words};
use super::voice::{self, Run, DIMS};
use super::{planned, sanity_warnings, Plan, RecordingSpan, Segment, Source};
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

/// How far from a written cue time we look for the pause to cut at, in seconds.
pub const CUE_SNAP: f64 = 2.0;
/// Weight of the planned-length prior, in seconds of mismatched speech per (relative
/// deviation)² × planned seconds: weak, so it only decides what the voices leave open.
const PRIOR: f64 = 0.005;
/// Extra cost of hearing the talk's own speaker in the Q&A after it rather than in the talk
/// itself: it makes a talk run to its speaker's last words before someone else speaks.
const QA_SPEAKER_BIAS: f64 = 0.02;
/// Voice distance (in units of a typical distance to one's own voice, times three) beyond
/// which a run counts as someone not on the agenda: the audience is far from every model.
const AUDIENCE: f64 = 2.0;
/// Voice distances are capped, so one odd run (a cough, laughter) cannot outweigh minutes
/// of clear speech.
const DIST_CAP: f64 = 3.0;
/// Seconds of speech at which a run's fingerprint counts half: short runs (a word between
/// two commas) have noisy fingerprints, so they weigh less.
const SHORT_RUN: f64 = 1.0;
/// Rounds of voice learning and refitting (it usually settles in two or three).
const ROUNDS: usize = 6;

/// Who may speak in an item: (person index, or `people.len()` for someone not on the
/// agenda; extra cost per second).
type Allowed = Vec<(usize, f64)>;

/// A cue-sheet time, snapped to a pause: the item starts at `start`, the one before it
/// ends by `prev_end`.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    start: f64,
    prev_end: f64,
}

pub fn align(ev: &Evidence) -> Result<Plan> {
    let agenda = ev.agenda;
    let names: Vec<&str> = agenda.people().iter().map(|p| p.name.as_str()).collect();
    let others = names.len();
    let allowed = allowed_speakers(agenda, &names);
    let runs = voice::runs(ev.envelope);
    let base = planned(agenda, ev.duration, ev.envelope);
    if runs.is_empty() {
        return Ok(base);
    }
    let mut warnings = Vec::new();
    let anchors = match ev.cues {
        Some(sheet) => resolve_cues(sheet, agenda, &names, &runs, ev.duration, &mut warnings)?,
        None => vec![None; agenda.items.len()],
    };
    let speech = (runs[0].start, runs[runs.len() - 1].end);
    let planned_secs = scaled_plan(agenda, speech.1 - speech.0);

    let (source, spans, dist, cues) = match ev.transcript {
        Some(t) => {
            t.check_duration(ev.duration)?;
            warnings.extend(t.warnings.iter().cloned());
            let (spans, who, cues) = transcript_units(t, &names, &mut warnings);
            let dist = who
                .iter()
                .map(|&w| {
                    (0..=others)
                        .map(|p| if p == w { 0.0 } else { 1.0 })
                        .collect()
                })
                .collect();
            (Source::Transcript, spans, dist, cues)
        }
        None => {
            let prints = voice::fingerprints(ev.analysis, &runs)?;
            let spans: Vec<(f64, f64)> = runs.iter().map(|r| (r.start, r.end)).collect();
            let init = initial_bounds(&spans, &base.segments);
            let fixed = anchor_units(&anchors, &spans);
            let dist = learn_voices(
                &spans,
                &prints,
                &allowed,
                &planned_secs,
                &fixed,
                others,
                init,
            );
            (Source::Audio, spans, dist, Vec::new())
        }
    };
    let fixed = anchor_units(&anchors, &spans);
    let bounds = fit(&spans, &dist, &allowed, &planned_secs, &fixed);

    let n = spans.len();
    let mut segments: Vec<Segment> = Vec::new();
    for (i, item) in agenda.items.iter().enumerate() {
        let (a, b) = (bounds[i], bounds[i + 1]);
        let (mut start, mut end) = if a < b {
            (spans[a].0, spans[b - 1].1)
        } else if a < n {
            (spans[a].0, spans[a].0)
        } else {
            (spans[n - 1].1, spans[n - 1].1)
        };
        if source == Source::Transcript && a < b {
            start = snap_edge(start, runs.iter().map(|r| r.start));
            end = snap_edge(end, runs.iter().map(|r| r.end));
        }
        if let Some(anchor) = anchors[i] {
            start = anchor.start;
            end = end.max(start);
            if let Some(prev) = segments.last_mut() {
                prev.end = prev.end.min(anchor.prev_end).max(prev.start);
            }
        }
        if let Some(prev) = segments.last() {
            start = start.max(prev.end);
            end = end.max(start);
        }
        let heard: f64 = (a..b).map(|u| spans[u].1 - spans[u].0).sum();
        let matched: f64 = (a..b)
            .filter(|&u| {
                let best = argmin(&dist[u]);
                allowed[i].iter().any(|&(p, _)| p == best)
            })
            .map(|u| spans[u].1 - spans[u].0)
            .sum();
        let purity = if heard > 0.0 { matched / heard } else { 0.0 };
        let (seg_source, confidence) = match (anchors[i], source) {
            (Some(_), _) => (Source::Cues, 0.95),
            (None, _) if a == b => (source, 0.0),
            (None, Source::Transcript) => (source, 0.5 + 0.45 * purity),
            (None, s) => (s, 0.3 + 0.5 * purity),
        };
        let speakers = agenda.item_speakers(item);
        if a == b && anchors[i].is_none() {
            warnings.push(format!(
                "\"{}\": {} not heard where the agenda puts it; the item is left empty",
                agenda.item_title(item),
                if speakers.is_empty() {
                    "nobody".to_string()
                } else {
                    speakers.join(", ")
                }
            ));
        } else if seg_source == Source::Audio && confidence < 0.5 {
            warnings.push(format!(
                "\"{}\": the voices there fit the agenda poorly (confidence {confidence:.2}); \
                 check its start and end by ear, or give a cue sheet",
                agenda.item_title(item)
            ));
        }
        segments.push(Segment {
            kind: item.kind,
            title: agenda.item_title(item),
            speakers,
            start,
            end,
            planned: planned_secs[i],
            source: seg_source,
            confidence,
            transcript: Vec::new(),
        });
    }
    slice_transcript(&mut segments, cues);
    let mut plan = Plan {
        recording: RecordingSpan {
            duration: ev.duration,
        },
        segments,
        warnings,
    };
    // The unscaled planned length is what a person compares against.
    for (s, m) in plan.segments.iter_mut().zip(agenda.planned_minutes()) {
        s.planned = m * 60.0;
    }
    plan.warnings.extend(sanity_warnings(&plan));
    Ok(plan)
}

/// The agenda's planned seconds per item, stretched to the length of the speech actually
/// recorded (a webinar that ran 10 % long ran long everywhere, as a rule).
fn scaled_plan(agenda: &Agenda, speech: f64) -> Vec<f64> {
    let minutes = agenda.planned_minutes();
    let total: f64 = minutes.iter().sum::<f64>() * 60.0;
    let scale = if total > 0.0 {
        (speech / total).clamp(0.5, 2.0)
    } else {
        1.0
    };
    minutes
        .iter()
        .map(|m| (m * 60.0 * scale).max(1.0))
        .collect()
}

fn allowed_speakers(agenda: &Agenda, names: &[&str]) -> Vec<Allowed> {
    let others = names.len();
    let index = |n: &String| names.iter().position(|x| *x == n.as_str());
    let mut last_talk: Vec<usize> = Vec::new();
    agenda
        .items
        .iter()
        .map(|item| {
            let own: Vec<usize> = agenda
                .item_speakers(item)
                .iter()
                .filter_map(index)
                .collect();
            let mut allowed: Allowed = own.iter().map(|&p| (p, 0.0)).collect();
            match item.kind {
                ItemKind::Qa => {
                    for &p in &last_talk {
                        if !own.contains(&p) {
                            allowed.push((p, QA_SPEAKER_BIAS));
                        }
                    }
                    allowed.push((others, 0.0));
                }
                _ if own.is_empty() => {
                    allowed = (0..=others).map(|p| (p, 0.5)).collect();
                }
                _ => {}
            }
            if item.kind == ItemKind::Talk {
                last_talk = own;
            }
            allowed
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

/// The nearest of `edges` to `t` within half a second (transcript times are often a little
/// early or late; the pause itself is exact).
fn snap_edge(t: f64, edges: impl Iterator<Item = f64>) -> f64 {
    edges
        .map(|e| (e, (e - t).abs()))
        .filter(|(_, d)| *d <= 0.5)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(e, _)| e)
        .unwrap_or(t)
}

/// Units of a transcript: its cues, each with the agenda person who speaks it (or
/// `names.len()` for nobody on the agenda). Cues without a name continue the previous
/// speaker. Also returns the cues with agenda names in place of display names.
fn transcript_units(
    t: &Transcript,
    names: &[&str],
    warnings: &mut Vec<String>,
) -> (Vec<(f64, f64)>, Vec<usize>, Vec<Cue>) {
    let others = names.len();
    let mut seen = std::collections::HashMap::new();
    let mut unmatched: Vec<String> = Vec::new();
    let mut heard = vec![false; others];
    let mut who = Vec::new();
    let mut cues = Vec::new();
    let mut last = others;
    for c in &t.cues {
        let w = match &c.speaker {
            Some(s) => *seen.entry(s.clone()).or_insert_with(|| {
                let m = match_name(s, names).unwrap_or(others);
                if m == others {
                    unmatched.push(s.clone());
                }
                m
            }),
            None => last,
        };
        last = w;
        if w < others {
            heard[w] = true;
        }
        who.push(w);
        let mut cue = c.clone();
        if w < others {
            cue.speaker = Some(names[w].to_string());
        }
        cues.push(cue);
    }
    for u in unmatched {
        warnings.push(format!(
            "{}: speaker \"{u}\" matches nobody on the agenda; counted as the audience \
             (if they are a speaker, make their agenda name closer to this display name)",
            t.path.display()
        ));
    }
    for (p, h) in heard.iter().enumerate() {
        if !h {
            warnings.push(format!(
                "{} never speaks in the transcript {}",
                names[p],
                t.path.display()
            ));
        }
    }
    let spans = t.cues.iter().map(|c| (c.start, c.end)).collect();
    (spans, who, cues)
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

/// Unit index each cue-sheet anchor pins its item's start to.
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

/// The unit boundaries the planned minutes give, to learn the first voices from.
fn initial_bounds(spans: &[(f64, f64)], planned: &[Segment]) -> Vec<usize> {
    let mut b: Vec<usize> = planned
        .iter()
        .map(|s| {
            spans
                .iter()
                .filter(|&&(a, e)| (a + e) / 2.0 < s.start)
                .count()
        })
        .collect();
    b[0] = 0;
    b.push(spans.len());
    b
}

/// The cheapest item boundaries (`items + 1` unit indices, first 0, last `spans.len()`).
fn fit(
    spans: &[(f64, f64)],
    dist: &[Vec<f64>],
    allowed: &[Allowed],
    planned: &[f64],
    fixed: &[Option<usize>],
) -> Vec<usize> {
    let n = spans.len();
    let m = allowed.len();
    // prefix[i][u]: cost of units 0..u heard in item i
    let prefix: Vec<Vec<f64>> = allowed
        .iter()
        .map(|al| {
            let mut acc = vec![0.0; n + 1];
            for u in 0..n {
                let c = al
                    .iter()
                    .map(|&(p, bias)| dist[u][p] + bias)
                    .fold(f64::INFINITY, f64::min);
                acc[u + 1] = acc[u] + (spans[u].1 - spans[u].0) * c;
            }
            acc
        })
        .collect();
    let prior = |i: usize, a: usize, b: usize| {
        let d = if a < b {
            spans[b - 1].1 - spans[a].0
        } else {
            0.0
        };
        PRIOR * (d - planned[i]).powi(2) / planned[i]
    };
    let mut dp = vec![vec![f64::INFINITY; n + 1]; m];
    let mut back = vec![vec![0usize; n + 1]; m];
    for i in 0..m {
        let starts: Vec<usize> = match fixed[i] {
            Some(k) => vec![k],
            None if i == 0 => vec![0],
            None => (0..=n).collect(),
        };
        for &a in &starts {
            let before = if i == 0 { 0.0 } else { dp[i - 1][a] };
            if !before.is_finite() {
                continue;
            }
            for b in a..=n {
                let c = before + prefix[i][b] - prefix[i][a] + prior(i, a, b);
                if c < dp[i][b] {
                    dp[i][b] = c;
                    back[i][b] = a;
                }
            }
        }
    }
    let mut bounds = vec![0; m + 1];
    bounds[m] = n;
    for i in (0..m).rev() {
        bounds[i] = back[i][bounds[i + 1]];
    }
    bounds
}

/// Learn each person's voice from the items the boundaries give them, refit, repeat.
/// `others` is the number of agenda people (the audience's column). Returns the final voice distances (one row per run, one column per person + the audience).
fn learn_voices(
    spans: &[(f64, f64)],
    prints: &[[f32; DIMS]],
    allowed: &[Allowed],
    planned: &[f64],
    fixed: &[Option<usize>],
    others: usize,
    mut bounds: Vec<usize>,
) -> Vec<Vec<f64>> {
    let n = spans.len();
    let dur: Vec<f64> = spans.iter().map(|s| s.1 - s.0).collect();
    let z = standardise(prints, &dur);
    let mut dist: Vec<Vec<f64>> = vec![vec![AUDIENCE; others + 1]; n];
    for round in 0..ROUNDS {
        // Who each run is, as far as the current boundaries tell.
        let mut sums = vec![([0f64; DIMS], 0f64); others];
        for i in 0..allowed.len() {
            let sole: Vec<usize> = allowed[i]
                .iter()
                .filter(|&&(p, b)| p < others && b == 0.0)
                .map(|&(p, _)| p)
                .collect();
            for u in bounds[i]..bounds[i + 1] {
                let who = if sole.len() == 1 && allowed[i].len() == 1 {
                    Some(sole[0])
                } else if round > 0 {
                    allowed[i]
                        .iter()
                        .map(|&(p, _)| p)
                        .filter(|&p| p < others && dist[u][p] < dist[u][others])
                        .min_by(|&a, &b| dist[u][a].total_cmp(&dist[u][b]))
                } else {
                    None
                };
                if let Some(p) = who {
                    for (s, x) in sums[p].0.iter_mut().zip(&z[u]) {
                        *s += x * dur[u];
                    }
                    sums[p].1 += dur[u];
                }
            }
        }
        let models: Vec<Option<[f64; DIMS]>> = sums
            .iter()
            .map(|(s, w)| {
                (*w >= 1.0).then(|| {
                    let mut m = [0f64; DIMS];
                    for (o, x) in m.iter_mut().zip(s) {
                        *o = x / w;
                    }
                    m
                })
            })
            .collect();
        let raw: Vec<Vec<Option<f64>>> = z
            .iter()
            .map(|x| {
                models
                    .iter()
                    .map(|m| {
                        m.map(|m| {
                            m.iter().zip(x).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / DIMS as f64
                        })
                    })
                    .collect()
            })
            .collect();
        // A voice counts as "someone else" at three times a typical distance to one's own.
        let nearest: Vec<f64> = raw
            .iter()
            .map(|r| r.iter().flatten().copied().fold(f64::INFINITY, f64::min))
            .collect();
        let tau = 3.0 * weighted_median(&nearest, &dur).max(1e-6);
        dist = raw
            .iter()
            .zip(&dur)
            .map(|(r, &len)| {
                let weight = len / (len + SHORT_RUN);
                let mut row: Vec<f64> = r
                    .iter()
                    .map(|d| d.map(|d| (d / tau).min(DIST_CAP)).unwrap_or(AUDIENCE))
                    .collect();
                // Someone not on the agenda is plausible only far from every known voice.
                let nearest = row.iter().copied().fold(DIST_CAP, f64::min);
                row.push((DIST_CAP + AUDIENCE - nearest).clamp(AUDIENCE, DIST_CAP));
                row.iter().map(|d| d * weight).collect()
            })
            .collect();
        let next = fit(spans, &dist, allowed, planned, fixed);
        if next == bounds && round > 0 {
            break;
        }
        bounds = next;
    }
    dist
}

/// Fingerprints scaled so every coefficient has zero mean and unit spread over the speech.
fn standardise(prints: &[[f32; DIMS]], weight: &[f64]) -> Vec<[f64; DIMS]> {
    let total: f64 = weight.iter().sum::<f64>().max(1e-9);
    let mut mean = [0f64; DIMS];
    let mut var = [0f64; DIMS];
    for (p, w) in prints.iter().zip(weight) {
        for k in 0..DIMS {
            mean[k] += p[k] as f64 * w / total;
        }
    }
    for (p, w) in prints.iter().zip(weight) {
        for k in 0..DIMS {
            var[k] += (p[k] as f64 - mean[k]).powi(2) * w / total;
        }
    }
    prints
        .iter()
        .map(|p| {
            let mut z = [0f64; DIMS];
            for k in 0..DIMS {
                z[k] = (p[k] as f64 - mean[k]) / var[k].sqrt().max(1e-6);
            }
            z
        })
        .collect()
}

fn weighted_median(values: &[f64], weights: &[f64]) -> f64 {
    let mut v: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, _)| v.is_finite())
        .map(|(&v, &w)| (v, w))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = v.iter().map(|x| x.1).sum::<f64>() / 2.0;
    let mut acc = 0.0;
    for (x, w) in &v {
        acc += w;
        if acc >= half {
            return *x;
        }
    }
    1.0
}

/// Resolve each cue-sheet line to an agenda item and snap its time to a pause.
fn resolve_cues(
    sheet: &CueSheet,
    agenda: &Agenda,
    names: &[&str],
    runs: &[Run],
    duration: f64,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<Anchor>>> {
    let mut out = vec![None; agenda.items.len()];
    let mut last: Option<usize> = None;
    for c in &sheet.lines {
        if c.time > duration {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "{} is past the end of the recording ({}): check the time",
                    crate::clock(c.time),
                    crate::clock(duration)
                ),
            ));
        }
        let candidates = cue_items(&c.label, agenda, names);
        if candidates.is_empty() {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "`{}` is neither a speaker nor an item of the agenda: write a name ({}) or \
                     an item title",
                    c.label,
                    names.join(", ")
                ),
            ));
        }
        let Some(&i) = candidates.iter().find(|&&i| last.is_none_or(|l| i > l)) else {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "`{}` at {} comes after the cue for \"{}\", but the agenda has it earlier: \
                     check the time or the agenda's order",
                    c.label,
                    crate::clock(c.time),
                    last.map(|l| agenda.item_title(&agenda.items[l]))
                        .unwrap_or_default()
                ),
            ));
        };
        last = Some(i);
        let anchor = snap_to_pause(c.time, runs);
        if anchor.is_none() {
            warnings.push(format!(
                "{}:{}: no pause within {CUE_SNAP} s of {} ({}); cutting at the time as written",
                sheet.path.display(),
                c.line,
                crate::clock(c.time),
                c.label
            ));
        }
        out[i] = Some(anchor.unwrap_or(Anchor {
            start: c.time,
            prev_end: c.time,
        }));
    }
    Ok(out)
}

/// The pause nearest to `t` (within [`CUE_SNAP`]): the next speech starts after it.
fn snap_to_pause(t: f64, runs: &[Run]) -> Option<Anchor> {
    (0..runs.len())
        .map(|k| {
            let gap = (if k == 0 { 0.0 } else { runs[k - 1].end }, runs[k].start);
            let d = if t < gap.0 {
                gap.0 - t
            } else if t > gap.1 {
                t - gap.1
            } else {
                0.0
            };
            (gap, d)
        })
        .filter(|(_, d)| *d <= CUE_SNAP)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|((end, start), _)| Anchor {
            start,
            prev_end: end,
        })
}

/// Agenda items a cue label may mean, in agenda order: by title, else by speaker, else by
/// kind ("Q&A", "welcome", "wrap-up").
fn cue_items(label: &str, agenda: &Agenda, names: &[&str]) -> Vec<usize> {
    let lw = words(label);
    let items = agenda.items.iter().enumerate();
    let by_title: Vec<usize> = items
        .clone()
        .filter(|(_, it)| {
            it.title.as_deref().is_some_and(|t| {
                let tw = words(t);
                !tw.is_empty() && (tw == lw || (lw.len() >= 2 && lw.iter().all(|w| tw.contains(w))))
            })
        })
        .map(|(i, _)| i)
        .collect();
    if !by_title.is_empty() {
        return by_title;
    }
    if let Some(p) = match_name(label, names) {
        return items
            .clone()
            .filter(|(_, it)| agenda.item_speakers(it).iter().any(|n| n == names[p]))
            .map(|(i, _)| i)
            .collect();
    }
    let has = |w: &str| lw.iter().any(|x| x == w);
    let kinds: &[ItemKind] = if has("qa")
        || (has("q") && has("a"))
        || has("questions")
        || has("preguntas")
        || has("perguntas")
    {
        &[ItemKind::Qa]
    } else if has("intro")
        || has("introduction")
        || has("welcome")
        || has("opening")
        || has("bienvenida")
    {
        &[ItemKind::Intro]
    } else if has("wrap") || has("wrapup") || has("closing") || has("conclusions") || has("cierre")
    {
        &[ItemKind::Wrapup, ItemKind::Outro]
    } else {
        &[]
    };
    items
        .filter(|(_, it)| kinds.contains(&it.kind))
        .map(|(i, _)| i)
        .collect()
}
