//! Plan: where each agenda item lies in the recording.
//!
//! The plan is a plain serialisable value ([`Plan`]) so it can be saved in the work folder,
//! printed for a person to check, edited, and refined by better evidence. Each segment
//! records where its boundaries came from and how sure we are. [`align`] finds the real
//! boundaries from a cue sheet, a transcript or the voices; [`planned`] is the last resort.
//!
//! A plan describes the webinar as it ran, not as it was announced: besides the agenda's
//! items (each segment keeps its item's index) it holds the parts no event page lists, the
//! moderator's welcome and closing, technical pauses and music, so the whole-webinar
//! episode gets a chapter for each.

pub mod align;
mod blocks;
pub mod cuesheet;
mod fit;
pub mod listen;
pub mod models;
pub mod names;
pub(crate) mod segments;
pub mod speakers;
pub mod voice;

pub use align::{align, Evidence};

use serde::{Deserialize, Serialize};

use crate::ingest::envelope::Envelope;
use crate::ingest::transcript::Cue;
use crate::ingest::{Agenda, ItemKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub recording: RecordingSpan,
    pub segments: Vec<Segment>,
    /// Things a person should look at before publishing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Who was heard when, as the alignment decided from the transcript's lines or the
    /// voices (what the review page draws one lane per speaker from); in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<Turn>,
}

/// A stretch of one voice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The agenda name; none for someone not on the agenda (the audience, a jingle's voice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingSpan {
    /// Length of the recording in seconds.
    pub duration: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub kind: ItemKind,
    /// The agenda item this segment is (its index in the agenda's items); none for a part
    /// the agenda does not list (welcome, closing, pause, music).
    #[serde(default)]
    pub item: Option<usize>,
    pub title: String,
    /// Agenda names of the people heard in this segment.
    pub speakers: Vec<String>,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
    /// Planned length in seconds, from the agenda.
    pub planned: f64,
    pub source: Source,
    /// 0 (a guess) to 1 (certain).
    pub confidence: f64,
    /// This segment's part of the transcript, re-timed to start at the segment's start
    /// (what the site publishes beside the episode); empty without a transcript.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Cue>,
}

impl Segment {
    pub fn duration(&self) -> f64 {
        (self.end - self.start).max(0.0)
    }
}

/// One chapter of the whole webinar: a segment of the plan, in the plan's clock. The one
/// chapter list, made once by [`Plan::chapters`]; media writes it into the tags (ID3 CHAP,
/// M4A chapters) and the catalog keeps it for the site (chapters JSON, page).
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// The agenda item's (or unlisted part's) title.
    pub title: String,
    /// Agenda names of the people heard in it.
    pub speakers: Vec<String>,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
}

impl Chapter {
    /// The title players show, the same in the tags and the chapters JSON: see [`chapter_label`].
    pub fn label(&self) -> String {
        chapter_label(&self.title, &self.speakers)
    }
}

/// A chapter's title as players show it: "item – speaker", the speaker left out when the
/// item's title already names them.
pub fn chapter_label(title: &str, speakers: &[String]) -> String {
    let who = speakers.join(", ");
    let named = speakers.iter().all(|n| title.contains(n.as_str()));
    if named || who.is_empty() {
        title.to_string()
    } else {
        format!("{title} – {who}")
    }
}

impl Plan {
    /// The chapters of the whole webinar: one per segment, in recording time.
    pub fn chapters(&self) -> Vec<Chapter> {
        self.segments
            .iter()
            .map(|s| Chapter {
                title: s.title.clone(),
                speakers: s.speakers.clone(),
                start: s.start,
                end: s.end,
            })
            .collect()
    }
}

/// The evidence a segment's boundaries rest on, strongest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Planned,
    Audio,
    Transcript,
    Cues,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Planned => "planned",
            Source::Audio => "audio",
            Source::Transcript => "transcript",
            Source::Cues => "cues",
        }
    }
}

/// Confidence given to boundaries taken from the planned minutes alone.
const PLANNED_CONFIDENCE: f64 = 0.2;

/// Lay the agenda's planned durations on the recording, starting where sound starts
/// (skipping the silent waiting room) and ending no later than the recording.
pub fn planned(agenda: &Agenda, duration: f64, envelope: &Envelope) -> Plan {
    let mut warnings = Vec::new();
    let start = match envelope.first_sound(0.3) {
        Some(t) => (t - 0.25).max(0.0),
        None => {
            warnings.push("no speech found anywhere in the recording".to_string());
            0.0
        }
    };
    let end_of_sound = envelope
        .last_sound(0.3)
        .map(|t| (t + 0.5).min(duration))
        .unwrap_or(duration);
    let mut t = start;
    let mut segments = Vec::new();
    let minutes = agenda.planned_minutes();
    let held: Vec<usize> = agenda.held().collect();
    for (k, &i) in held.iter().enumerate() {
        let item = &agenda.items[i];
        let planned = minutes[i] * 60.0;
        let seg_start = t.min(end_of_sound);
        let mut seg_end = (t + planned).min(end_of_sound);
        if k + 1 == held.len() {
            // The last item runs to the end of the speech, whatever was planned.
            seg_end = end_of_sound;
        }
        t += planned;
        segments.push(Segment {
            kind: item.kind,
            item: Some(i),
            title: agenda.item_title(item),
            speakers: agenda.item_speakers(item),
            start: seg_start,
            end: seg_end.max(seg_start),
            planned,
            source: Source::Planned,
            confidence: PLANNED_CONFIDENCE,
            transcript: Vec::new(),
        });
    }
    let mut plan = Plan {
        recording: RecordingSpan { duration },
        segments,
        warnings,
        turns: Vec::new(),
    };
    plan.warnings.extend(sanity_warnings(&plan));
    plan
}

/// Warnings a person should see: items squeezed to nothing, talks far over their slot.
pub fn sanity_warnings(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for s in plan.segments.iter().filter(|s| s.item.is_some()) {
        if s.duration() < 5.0 {
            out.push(format!(
                "\"{}\" is squeezed to {:.1} s: the recording may end before the agenda does",
                s.title,
                s.duration()
            ));
        } else if s.kind == ItemKind::Talk && s.planned > 0.0 && s.duration() > 2.0 * s.planned {
            out.push(format!(
                "\"{}\" lasts {} for a {} slot",
                s.title,
                crate::timecode::clock(s.duration()),
                crate::timecode::clock(s.planned)
            ));
        }
    }
    out
}

/// Title of a part no agenda lists, in the webinar's language (English when it is not
/// one of the four the series uses).
pub fn unlisted_title(kind: ItemKind, music: bool, language: &str) -> &'static str {
    let lang = language.split(['-', '_']).next().unwrap_or("en");
    let titles: [&str; 4] = match lang {
        "es" => ["Bienvenida", "Cierre", "Pausa", "Música"],
        "fr" => ["Accueil", "Clôture", "Pause", "Musique"],
        "pt" => ["Boas-vindas", "Encerramento", "Pausa", "Música"],
        _ => ["Welcome", "Closing", "Pause", "Music"],
    };
    match kind {
        ItemKind::Intro => titles[0],
        ItemKind::Outro => titles[1],
        _ if music => titles[3],
        _ => titles[2],
    }
}

impl Plan {
    /// The table a person checks in seconds.
    pub fn table(&self) -> String {
        let mut rows = vec![[
            "#".to_string(),
            "item".into(),
            "speaker".into(),
            "start".into(),
            "end".into(),
            "length".into(),
            "planned".into(),
            "source".into(),
            "conf".into(),
        ]];
        for s in &self.segments {
            rows.push([
                s.item
                    .map(|i| (i + 1).to_string())
                    .unwrap_or_else(|| "-".into()),
                truncate(&s.title, 40),
                truncate(&s.speakers.join(", "), 28),
                crate::timecode::clock(s.start),
                crate::timecode::clock(s.end),
                crate::timecode::clock(s.duration()),
                crate::timecode::clock(s.planned),
                s.source.as_str().into(),
                format!("{:.2}", s.confidence),
            ]);
        }
        let widths: Vec<usize> = (0..9)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = format!(
            "recording: {}\n",
            crate::timecode::clock(self.recording.duration)
        );
        for r in rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
