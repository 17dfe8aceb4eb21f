//! Who speaks each transcript line, as far as the transcript and the voices tell.
//!
//! A recogniser's transcript names most lines well and some not at all: "Unknown Speaker",
//! a speaker calling in from a phone number, a speaker who rejoined as "Maria E. (2)" or
//! "iPhone de Natalia". Treating those lines as the audience makes the talk they belong to
//! collapse, so each line gets an identity here in three steps:
//!
//! 1. display names are matched to the agenda's people ([`super::names`]);
//! 2. the voices of the matched lines are learnt, and a name that matched nobody (all its
//!    lines together) or an anonymous line (alone) takes the voice it sounds like, when one
//!    fits clearly better than the others;
//! 3. an agenda person still never heard takes the unresolved name with the most speech
//!    (pairing several in time order): a speaker who dialled in by phone is named nowhere
//!    but is the one voice left.
//!
//! Every guess of steps 2 and 3 is reported. Short lines of one voice inside another's
//! speech ("sí", "thanks") are marked as backchannels: they weigh almost nothing, so they
//! never end a talk.

use std::collections::HashMap;
use std::path::Path;

use super::models;
use super::names::{is_anonymous, match_name};
use super::voice::{self, DIMS};
use crate::error::Result;
use crate::ingest::envelope::Envelope;
use crate::ingest::transcript::{Cue, Transcript};

/// Who a unit of speech is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An agenda person, by index into the agenda's people.
    Person(usize),
    /// Someone not on the agenda.
    Audience,
    /// Nobody can tell.
    Unknown,
}

/// Units of speech with their cost of being heard as each person.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// Start and end of each unit in seconds, in order of start.
    pub spans: Vec<(f64, f64)>,
    /// `dist[u][p]`: 0 when unit `u` is surely person `p`, 1 when surely not; the last
    /// column is the audience.
    pub dist: Vec<Vec<f64>>,
    /// How much each unit counts (backchannels almost nothing).
    pub weight: Vec<f64>,
    /// Words spoken in each unit (for cutting overlapping speech).
    pub words: Vec<usize>,
    pub who: Vec<Who>,
}

impl Units {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Longest line that can be a backchannel, in seconds and in words.
const BACKCHANNEL_SECONDS: f64 = 2.5;
const BACKCHANNEL_WORDS: usize = 5;
/// Weight of a backchannel line.
const BACKCHANNEL_WEIGHT: f64 = 0.05;
/// Cost of a line nobody can attribute, for any person: neither for nor against.
const UNKNOWN_COST: f64 = 0.5;
/// The least distance (in typical distances of one's own voice) at which a line is as
/// likely someone in the audience as anyone on the agenda. Where the agenda's voices lie
/// far apart it is further: halfway between one's own voice and another's (on a log
/// scale), as a voice unlike everyone's but much nearer one person is that person on
/// another microphone.
const AUDIENCE_DISTANCE: f64 = 3.5;
/// How many times nearer one person than everyone else an unnamed line must sound to be
/// theirs, however far it is from their usual voice.
const NEARER: f64 = 2.0;
/// How sharply voice distances decide between people for an unnamed line.
const SOFTNESS: f64 = 0.7;
/// A voice is taken as a person's when its distance is within this many typical
/// distances of one's own voice...
const VOICE_MATCH: f64 = 1.6;
/// ... and clearly nearer than the next person's.
const VOICE_MARGIN: f64 = 0.75;
/// Least speech (seconds) of an unresolved name for it to stand in for a person never heard.
const STAND_IN_SECONDS: f64 = 15.0;

/// The transcript's lines as units, each with who speaks it. `names` are the agenda's
/// people; `analysis` and `envelope` let voices settle what names do not.
pub fn from_transcript(
    t: &Transcript,
    names: &[&str],
    analysis: &Path,
    envelope: &Envelope,
    warnings: &mut Vec<String>,
) -> Result<(Units, Vec<Cue>)> {
    let people = names.len();
    let n = t.cues.len();
    // The label of each line: its own, or the previous line's when it names nobody.
    let mut labels: Vec<String> = Vec::with_capacity(n);
    for c in &t.cues {
        let l = c
            .speaker
            .clone()
            .or_else(|| labels.last().cloned())
            .unwrap_or_default();
        labels.push(l);
    }
    let mut by_label: HashMap<&str, Option<usize>> = HashMap::new();
    for l in &labels {
        by_label
            .entry(l.as_str())
            .or_insert_with(|| match_name(l, names));
    }
    let mut who: Vec<Who> = labels
        .iter()
        .map(|l| match by_label[l.as_str()] {
            Some(p) => Who::Person(p),
            None => Who::Unknown,
        })
        .collect();
    let spans: Vec<(f64, f64)> = t.cues.iter().map(|c| (c.start, c.end)).collect();

    // Names that are not anonymous label one person each; anonymous lines stand alone.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for u in 0..n {
        if who[u] != Who::Unknown {
            continue;
        }
        let l = &labels[u];
        if is_single(l) {
            groups.push((l.clone(), vec![u]));
        } else if let Some(g) = groups.iter_mut().find(|g| &g.0 == l) {
            g.1.push(u);
        } else {
            groups.push((l.clone(), vec![u]));
        }
    }

    let mut voices = None;
    if !groups.is_empty() {
        let z = line_voices(&spans, analysis, envelope)?;
        voices = resolve_by_voice(&spans, &z, &mut who, &groups, people, names, warnings);
        if stand_in(&spans, &mut who, &groups, &labels, names, warnings) {
            // The stand-in's voice is known now: learn it, for the lines still unnamed.
            let left: Vec<(String, Vec<usize>)> = groups
                .iter()
                .filter(|g| g.1.iter().all(|&u| who[u] == Who::Unknown))
                .cloned()
                .collect();
            voices = resolve_by_voice(&spans, &z, &mut who, &left, people, names, &mut Vec::new())
                .or(voices);
        }
    }
    // Whatever a name that matched nobody still is: someone in the audience.
    let mut strangers: Vec<&str> = Vec::new();
    for (label, members) in &groups {
        if is_single(label) {
            continue;
        }
        if members.iter().all(|&u| who[u] == Who::Unknown) {
            for &u in members {
                who[u] = Who::Audience;
            }
            if !strangers.contains(&label.as_str()) {
                strangers.push(label);
            }
        }
    }
    for s in strangers {
        warnings.push(format!(
            "{}: speaker \"{s}\" matches nobody on the agenda and sounds like none of them; \
             counted as the audience",
            t.path.display()
        ));
    }
    let words: Vec<usize> = t
        .cues
        .iter()
        .map(|c| c.text.split_whitespace().count())
        .collect();
    let weight = backchannel_weights(&who, |u| {
        spans[u].1 - spans[u].0 <= BACKCHANNEL_SECONDS && words[u] <= BACKCHANNEL_WORDS
    });
    let dist = who
        .iter()
        .map(|w| match *w {
            Who::Person(p) => (0..=people)
                .map(|k| if k == p { 0.0 } else { 1.0 })
                .collect(),
            Who::Audience => (0..=people)
                .map(|k| if k == people { 0.0 } else { 1.0 })
                .collect(),
            Who::Unknown => vec![UNKNOWN_COST; people + 1],
        })
        .collect::<Vec<Vec<f64>>>();
    // A line nobody could name still sounds more like some than others: each person's
    // share of a softmax over the voice distances (the audience at a middling distance),
    // so a line that clearly sounds like one person costs almost what a named line does,
    // and an ambiguous one costs about the same anywhere. Never quite 0: a name is surer.
    let mut dist = dist;
    if let Some(r) = &voices {
        for u in 0..n {
            if who[u] != Who::Unknown {
                continue;
            }
            tracing::trace!(unit = u, voices = ?r[u], "an unnamed line's voice distances");
            let weights: Vec<f64> = r[u]
                .iter()
                .map(|d| (-d.min(50.0) / SOFTNESS).exp())
                .collect();
            let total: f64 = weights.iter().sum::<f64>().max(1e-12);
            for (d, w) in dist[u].iter_mut().zip(&weights) {
                *d = 0.1 + 0.9 * (1.0 - w / total);
            }
        }
    }
    let cues = t
        .cues
        .iter()
        .zip(&who)
        .zip(&labels)
        .map(|((c, w), l)| {
            let mut c = c.clone();
            c.speaker = match *w {
                Who::Person(p) => Some(names[p].to_string()),
                _ => Some(l.clone()).filter(|l| !l.is_empty()),
            };
            c
        })
        .collect();
    Ok((
        Units {
            spans,
            dist,
            weight,
            words,
            who,
        },
        cues,
    ))
}

/// A label that is only a number: one caller, however anonymous.
fn is_phone_number(label: &str) -> bool {
    let digits = label.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = label.chars().filter(|c| c.is_alphabetic()).count();
    letters == 0 || (digits >= 4 && digits >= letters)
}

/// Whether each line of `label` must be told apart on its own ("Unknown Speaker" is many
/// people; a name or a phone number is one).
fn is_single(label: &str) -> bool {
    label.is_empty() || (is_anonymous(label) && !is_phone_number(label))
}

/// Each line's voice: the standardised fingerprint of its inner part (recogniser timings
/// are a little off at the edges).
fn line_voices(
    spans: &[(f64, f64)],
    analysis: &Path,
    envelope: &Envelope,
) -> Result<Vec<[f64; DIMS]>> {
    let inner: Vec<(f64, f64)> = spans
        .iter()
        .map(|&(a, b)| {
            if b - a > 1.0 {
                (a + 0.2, b - 0.2)
            } else {
                (a, b)
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..inner.len()).collect();
    order.sort_by(|&a, &b| inner[a].0.total_cmp(&inner[b].0));
    let sorted: Vec<(f64, f64)> = order.iter().map(|&u| inner[u]).collect();
    let prints_sorted = voice::fingerprints(analysis, &sorted, Some(envelope))?;
    let mut prints = vec![[0f32; DIMS]; inner.len()];
    for (k, &u) in order.iter().enumerate() {
        prints[u] = prints_sorted[k];
    }
    let dur: Vec<f64> = spans.iter().map(|s| (s.1 - s.0).max(0.0)).collect();
    Ok(models::standardise(&prints, &dur))
}

/// Step 2: unresolved names and anonymous lines take the voice they clearly sound like.
/// Returns each line's distance from each person's voice, in typical distances of one's
/// own voice (infinite for a person without a model), and last the distance at which a
/// line is as likely the audience's (see [`AUDIENCE_DISTANCE`]), when voices could be
/// learnt.
fn resolve_by_voice(
    spans: &[(f64, f64)],
    z: &[[f64; DIMS]],
    who: &mut [Who],
    groups: &[(String, Vec<usize>)],
    people: usize,
    names: &[&str],
    warnings: &mut Vec<String>,
) -> Option<Vec<Vec<f64>>> {
    let dur: Vec<f64> = spans.iter().map(|s| (s.1 - s.0).max(0.0)).collect();
    let models = models::Models::learn(
        people,
        who.iter().enumerate().filter_map(|(u, w)| match w {
            Who::Person(p) if dur[u] >= 1.2 => Some((&z[u], *p, dur[u])),
            _ => None,
        }),
    );
    let models = models?;
    let voice_of = |members: &[usize]| -> Option<(usize, f64)> {
        let mut total = vec![0.0; people];
        let mut weight = 0.0;
        for &u in members.iter().filter(|&&u| dur[u] >= 0.8) {
            for (p, t) in total.iter_mut().enumerate() {
                *t += models.distance(&z[u], p).unwrap_or(f64::INFINITY) * dur[u];
            }
            weight += dur[u];
        }
        if weight <= 0.0 {
            return None;
        }
        let mut ranked: Vec<(usize, f64)> = total.iter().map(|t| t / weight).enumerate().collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, d) = ranked[0];
        let second = ranked.get(1).map(|r| r.1).unwrap_or(f64::INFINITY);
        (d <= VOICE_MATCH * models.typical() && d <= VOICE_MARGIN * second).then_some((best, d))
    };
    for (label, members) in groups {
        let Some((p, _)) = voice_of(members) else {
            continue;
        };
        for &u in members {
            who[u] = Who::Person(p);
        }
        if !is_single(label) {
            warnings.push(format!(
                "transcript name \"{label}\" is taken as {}: the voice of its lines is theirs",
                names[p]
            ));
        }
    }
    let audience = models.apart().map_or(AUDIENCE_DISTANCE, |apart| {
        apart.sqrt().max(AUDIENCE_DISTANCE)
    });
    Some(
        z.iter()
            .map(|x| {
                let mut row: Vec<f64> = (0..people)
                    .map(|p| {
                        models
                            .distance(x, p)
                            .map(|d| d / models.typical())
                            .unwrap_or(f64::INFINITY)
                    })
                    .collect();
                // A voice half as far from one person as from anyone else is theirs, on
                // another microphone, rather than a stranger's.
                let mut sorted = row.clone();
                sorted.sort_by(f64::total_cmp);
                let second = sorted.get(1).copied().unwrap_or(f64::INFINITY);
                row.push(audience.max((second / NEARER).min(1e6)));
                row
            })
            .collect(),
    )
}

/// Step 3: a person never heard takes the unresolved name with the most speech. Returns
/// whether anyone did.
fn stand_in(
    spans: &[(f64, f64)],
    who: &mut [Who],
    groups: &[(String, Vec<usize>)],
    labels: &[String],
    names: &[&str],
    warnings: &mut Vec<String>,
) -> bool {
    let heard: Vec<bool> = (0..names.len())
        .map(|p| who.contains(&Who::Person(p)))
        .collect();
    let unheard: Vec<usize> = (0..names.len()).filter(|&p| !heard[p]).collect();
    if unheard.is_empty() {
        return false;
    }
    let mut candidates: Vec<(f64, f64, &Vec<usize>)> = groups
        .iter()
        .filter(|(l, m)| !is_single(l) && m.iter().all(|&u| who[u] == Who::Unknown))
        .map(|(_, m)| {
            let speech: f64 = m.iter().map(|&u| spans[u].1 - spans[u].0).sum();
            let middle = spans[m[m.len() / 2]].0;
            (speech, middle, m)
        })
        .filter(|c| c.0 >= STAND_IN_SECONDS)
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates.truncate(unheard.len());
    // People are in agenda order (moderator first, then by their items); so are the names
    // in time order.
    candidates.sort_by(|a, b| a.1.total_cmp(&b.1));
    let offset = unheard.len() - candidates.len();
    let any = !candidates.is_empty();
    for (k, (speech, _, members)) in candidates.into_iter().enumerate() {
        let p = unheard[k + offset.min(k)];
        for &u in members {
            who[u] = Who::Person(p);
        }
        warnings.push(format!(
            "transcript name \"{}\" is taken as {}: nobody else fits its {:.0} s of speech, \
             and the transcript names {} nowhere",
            labels[members[0]], names[p], speech, names[p]
        ));
    }
    any
}

/// Weights of units: a short line of one voice between two lines of another voice is a
/// backchannel ("sí", "claro") and weighs almost nothing; everything else weighs 1.
pub fn backchannel_weights(who: &[Who], short: impl Fn(usize) -> bool) -> Vec<f64> {
    let n = who.len();
    // The nearest line before and after each that is neither short nor unknown.
    let substantive = |u: usize| !short(u) && who[u] != Who::Unknown;
    let mut last = None;
    let before: Vec<Option<usize>> = (0..n)
        .map(|u| {
            let b = last;
            if substantive(u) {
                last = Some(u);
            }
            b
        })
        .collect();
    let mut after = vec![None; n];
    let mut next = None;
    for u in (0..n).rev() {
        after[u] = next;
        if substantive(u) {
            next = Some(u);
        }
    }
    (0..n)
        .map(|u| match (before[u], after[u]) {
            (Some(a), Some(b)) if short(u) && who[a] == who[b] && who[a] != who[u] => {
                BACKCHANNEL_WEIGHT
            }
            _ => 1.0,
        })
        .collect()
}
