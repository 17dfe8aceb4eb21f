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

use super::cuesheet;
use super::fit::{anchor_units, fit};
use super::listen;
use super::segments::{add_gaps, segments, slice_transcript, turns};
use super::speakers::{self, Units, Who};
use super::voice::{self, Run};
use super::{planned, sanity_warnings, unlisted_title, Plan, RecordingSpan, Segment, Source};
use crate::error::{Error, Result};
use crate::ingest::cues::CueSheet;
use crate::ingest::envelope::Envelope;
use crate::ingest::transcript::Transcript;
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

/// Extra cost of hearing the talk's own speaker in the Q&A after it rather than in the talk
/// itself: it makes a talk run to its speaker's last words before someone else speaks.
const QA_SPEAKER_BIAS: f64 = 0.05;
/// Extra cost of hearing other agenda speakers in a Q&A (a panel at the end).
const QA_PANEL_BIAS: f64 = 0.3;
/// Cost of someone not on the agenda in the welcome or the closing (music, a jingle's
/// voice-over, an attendee unmuted by mistake).
const UNLISTED_AUDIENCE: f64 = 0.5;
/// A gap in the speech at least this long between two parts is a pause of its own.
pub(super) const PAUSE: f64 = 20.0;
/// Confidence of a part whose start a cue sheet gives.
pub(crate) const CUE_CONFIDENCE: f64 = 0.95;
/// How much more the voice must change across a pause than on either side of it for a
/// cue to be moved there (see [`voice::change_at`]).
const HANDOVER: f64 = 1.3;
/// Speech of a talk's own speaker (seconds) below which they count as not found.
const FOUND_SECONDS: f64 = 10.0;

/// Who may speak in a slot: (person index, or `people` for someone not on the agenda;
/// extra cost per second).
pub(super) type Allowed = Vec<(usize, f64)>;

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
    pub(super) allowed: Allowed,
    /// Who opens it (the moderator opens a Q&A): starting it on someone else's words
    /// costs [`OPENER_COST`].
    pub(super) opener: Option<usize>,
    /// Planned seconds (0 for unlisted parts: no prior).
    pub(super) planned: f64,
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
            &|t| {
                cuesheet::snap(t, &fine, &|a, b| {
                    let change = voice::change_at(ev.analysis, ev.envelope, a, b)?;
                    tracing::trace!(a, b, change, "voice change at a pause near a cue");
                    Ok(change >= HANDOVER)
                })
            },
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
            let moderator = agenda
                .moderator
                .as_ref()
                .and_then(|m| names.iter().position(|n| *n == m.name));
            let heard = listen::units(
                &runs,
                ev.analysis,
                ev.envelope,
                &slots,
                &anchors,
                people,
                moderator,
            )?;
            unheard = heard.unheard;
            (Source::Audio, heard.units, Vec::new())
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
                "\"{}\" ({} to {}): the voices there fit the agenda poorly (confidence \
                 {:.2}); check its start and end by ear, or give a cue sheet",
                s.title,
                crate::timecode::clock(s.start),
                crate::timecode::clock(s.end),
                s.confidence
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
            opener: None,
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
            opener: moderator.filter(|_| item.kind == ItemKind::Qa),
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
                crate::timecode::clock(length)
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
