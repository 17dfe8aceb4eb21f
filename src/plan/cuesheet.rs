//! A person's cue sheet, placed on the webinar as it ran.
//!
//! People type cue sheets in a hurry while scrubbing through the recording: "0:10 Diana",
//! "12:40 Q&A", "55:02 cierre". A line may name a speaker (the moderator's name means the
//! moderator's next part: the welcome first, then a Q&A, then the closing), an item's
//! title, or a word for a part in English, Spanish, French or Portuguese. Lines are taken
//! in time order, each by the first part after the previous line's that it can mean.
//!
//! The time is what the player's clock showed, so it is a little off; it is moved to the
//! pause next to it where one voice hands over to another (the speaker starts right after
//! it, the one before stopped right before it). Where there is none (music, overlapping
//! speech, a reverb tail, only a breath inside one person's sentence) the time is kept as
//! written: a wrong pause would be worse.
//!
//! A time written with fractions of a second (`12:40.300`) was not read off a player's
//! clock but placed on the waveform, as the review page does: it is the cut itself, so it
//! is taken as written, never moved: the part starts there and the part before ends there.
//! That is what makes a cue sheet copied from the review page give back the very cuts the
//! page showed.

use super::align::Slot;
use super::names::{match_name, words};
use super::voice::Run;
use crate::error::{Error, Result};
use crate::ingest::cues::CueSheet;
use crate::ingest::{Agenda, ItemKind};

/// How far a pause may lie from the written time to be taken as the cut, in seconds.
pub const CUE_SNAP: f64 = 1.0;

/// Where a cue line pins a part: it starts at `start`; the part before ends by `prev_end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub start: f64,
    pub prev_end: f64,
}

/// Words for parts of a webinar, in four languages (accents folded).
const QA: &[&str] = &[
    "qa",
    "questions",
    "question",
    "preguntas",
    "pregunta",
    "perguntas",
    "pergunta",
    "debate",
    "discussion",
    "discusion",
    "discussao",
    "echanges",
    "echange",
    "dialogo",
    "coloquio",
    "panel",
    "chat",
    "respuestas",
    "reponses",
    "respostas",
];
const WELCOME: &[&str] = &[
    "welcome",
    "intro",
    "introduction",
    "opening",
    "bienvenida",
    "apertura",
    "inicio",
    "introduccion",
    "presentacion",
    "accueil",
    "bienvenue",
    "ouverture",
    "abertura",
    "boas",
    "introducao",
    "start",
    "comienzo",
];
const CLOSING: &[&str] = &[
    "closing",
    "close",
    "cierre",
    "clausura",
    "fin",
    "final",
    "despedida",
    "cloture",
    "encerramento",
    "fechamento",
    "outro",
    "end",
    "goodbye",
    "adios",
    "thanks",
    "gracias",
];
const WRAPUP: &[&str] = &[
    "wrap",
    "wrapup",
    "conclusion",
    "conclusions",
    "conclusiones",
    "conclusoes",
    "recommendations",
    "recomendaciones",
    "synthese",
    "sintese",
    "resumen",
    "summary",
];
const BREAK: &[&str] = &[
    "pause",
    "pausa",
    "break",
    "descanso",
    "intervalo",
    "music",
    "musica",
    "musique",
];

/// The anchor each slot gets from the cue sheet (`None`: no line for it); `snap` moves a
/// written time to the pause it means, if any (see [`snap`]).
pub fn anchors(
    sheet: &CueSheet,
    agenda: &Agenda,
    slots: &[Slot],
    names: &[&str],
    snap: &dyn Fn(f64) -> Result<Option<Anchor>>,
    duration: f64,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<Anchor>>> {
    let mut out = vec![None; slots.len()];
    let mut last: Option<usize> = None;
    for c in &sheet.lines {
        if c.time > duration {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "{} is past the end of the recording ({}): check the time",
                    crate::timecode::clock(c.time),
                    crate::timecode::clock(duration)
                ),
            ));
        }
        if is_break(&c.label) && !names_an_item(&c.label, agenda, slots) {
            warnings.push(format!(
                "{}:{}: `{}` is a break, not a part with a speaker; the line is not used",
                sheet.path.display(),
                c.line,
                c.label
            ));
            continue;
        }
        let candidates = meanings(&c.label, agenda, slots, names);
        if candidates.is_empty() {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "`{}` is neither a speaker, nor an item of the agenda, nor a part such as \
                     welcome, Q&A or closing: write a name ({}), an item title, or one of \
                     those words",
                    c.label,
                    names.join(", ")
                ),
            ));
        }
        let Some(&s) = candidates.iter().find(|&&s| last.is_none_or(|l| s > l)) else {
            return Err(Error::parse(
                &sheet.path,
                c.line,
                format!(
                    "`{}` at {} comes after the cue for \"{}\", but the agenda has it earlier: \
                     check the time or the agenda's order",
                    c.label,
                    crate::timecode::clock(c.time),
                    last.map(|l| slots[l].title.clone()).unwrap_or_default()
                ),
            ));
        };
        last = Some(s);
        let as_written = Anchor {
            start: c.time,
            prev_end: c.time,
        };
        out[s] = Some(if c.exact {
            as_written
        } else {
            snap(c.time)?.unwrap_or(as_written)
        });
    }
    Ok(out)
}

/// The pause nearest to `t` within [`CUE_SNAP`] where one voice hands over to another
/// (`handover`): the part starts where it ends. A pause inside one person's speech (a
/// breath) is no cut, however near.
pub fn snap(
    t: f64,
    runs: &[Run],
    handover: &dyn Fn(f64, f64) -> Result<bool>,
) -> Result<Option<Anchor>> {
    let mut near: Vec<((f64, f64), f64)> = (1..runs.len())
        .map(|k| {
            let (a, b) = (runs[k - 1].end, runs[k].start);
            let d = if t < a {
                a - t
            } else if t > b {
                t - b
            } else {
                0.0
            };
            ((a, b), d)
        })
        .filter(|(_, d)| *d <= CUE_SNAP)
        .collect();
    near.sort_by(|x, y| {
        x.1.total_cmp(&y.1)
            .then((y.0 .1 - y.0 .0).total_cmp(&(x.0 .1 - x.0 .0)))
    });
    for ((a, b), _) in near {
        if handover(a, b)? {
            return Ok(Some(Anchor {
                start: b,
                prev_end: a,
            }));
        }
    }
    Ok(None)
}

/// Whether a cue label names a break (a pause, music): nobody's part, so no cut.
pub fn is_break(label: &str) -> bool {
    words(label).iter().any(|w| BREAK.contains(&w.as_str()))
}

/// Whether `label` is the title of an agenda item (a break the agenda lists is a part).
fn names_an_item(label: &str, agenda: &Agenda, slots: &[Slot]) -> bool {
    !by_title(label, agenda, slots).is_empty()
}

/// Slots a cue label may mean, in order: by item title, by speaker, by the word for a part.
fn meanings(label: &str, agenda: &Agenda, slots: &[Slot], names: &[&str]) -> Vec<usize> {
    let by_title = by_title(label, agenda, slots);
    if !by_title.is_empty() {
        return by_title;
    }
    let lw = words(label);
    let indexed = slots.iter().enumerate();
    let has = |list: &[&str]| lw.iter().any(|w| list.contains(&w.as_str()));
    let qa = has(QA) || (lw.contains(&"q".to_string()) && lw.contains(&"a".to_string()));
    let kinds: &[ItemKind] = if qa {
        &[ItemKind::Qa]
    } else if has(WRAPUP) {
        &[ItemKind::Wrapup, ItemKind::Outro]
    } else if has(WELCOME) {
        &[ItemKind::Intro]
    } else if has(CLOSING) {
        &[ItemKind::Outro, ItemKind::Wrapup]
    } else {
        &[]
    };
    if !kinds.is_empty() {
        return indexed
            .filter(|(_, s)| kinds.contains(&s.kind))
            .map(|(i, _)| i)
            .collect();
    }
    match match_name(label, names) {
        Some(p) => indexed
            .filter(|(_, s)| s.speakers.iter().any(|n| n == names[p]))
            .map(|(i, _)| i)
            .collect(),
        None => Vec::new(),
    }
}

/// Slots whose agenda item has `label` as its title (all its words, when two or more).
fn by_title(label: &str, agenda: &Agenda, slots: &[Slot]) -> Vec<usize> {
    let lw = words(label);
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.item
                .and_then(|i| agenda.items[i].title.as_deref())
                .is_some_and(|t| {
                    let tw = words(t);
                    !tw.is_empty()
                        && (tw == lw || (lw.len() >= 2 && lw.iter().all(|w| tw.contains(w))))
                })
        })
        .map(|(i, _)| i)
        .collect()
}
