//! Review: a person sees the cuts before the world hears them.
//!
//! Cutting a webinar into per-speaker episodes is trusted only when someone can check it in
//! a minute, and unattended batches publish whatever the plan found. So between plan and
//! publish there is a review step:
//!
//! - every run writes a review page ([`page`]) into the work folder: the whole recording
//!   as a timeline (loudness, one lane per speaker, the parts coloured by evidence and
//!   confidence, the warnings where they apply), and for each cut a short excerpt to
//!   listen to, buttons to move it, and a cue sheet that always holds the cuts as they
//!   stand ([`cuts`]); a cue sheet copied from the page gives back exactly those cuts;
//! - a webinar whose cuts rest on weak evidence ([`doubts`]) is *held* ([`Hold`],
//!   `[review]` in pipeline.toml): encoded, but not published, until a person runs
//!   `eventcast release` ([`crate::release`]), with the page's cue sheet if they moved a cut;
//! - the plan is also drawn as one bar per part in the terminal and the logs
//!   ([`timeline`]), so a glance shows gaps and overlaps.

pub mod cuts;
mod excerpts;
pub mod held;
pub mod page;
pub mod timeline;

use crate::ingest::ItemKind;
use crate::plan::{Plan, Segment};

pub use held::Held;

/// Where a run writes the review page of the webinar whose work folder is `dir`.
pub fn page_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("review.html")
}

/// Exit status of `run`, `batch` and `release` when a webinar was held for review (and
/// nothing failed): encoded and waiting for a person, not published.
pub const EXIT_HELD: u8 = 3;

/// A listed part shorter than this (seconds) makes a webinar doubtful: the recording may
/// end before the agenda does, or the part was not found.
const SQUEEZED: f64 = 5.0;

pub use crate::config::Hold;

/// Why a plan is doubtful, one sentence per part (empty: it is not); see [`doubt`].
pub fn doubts(plan: &Plan, min_confidence: f64) -> Vec<String> {
    plan.segments
        .iter()
        .filter_map(|s| doubt(s, min_confidence))
        .collect()
}

/// Why a part is doubtful, if it is. The parts judged by their confidence are those
/// whose edges are the episodes' edges: talks, wrap-ups, and the welcome and closing that
/// bound the whole-webinar episode. A Q&A is judged by the talks around it: it mixes
/// voices by nature, so its own confidence is low even where it is right. Any listed
/// part squeezed to a few seconds is doubtful too.
pub fn doubt(s: &Segment, min_confidence: f64) -> Option<String> {
    let judged = matches!(
        s.kind,
        ItemKind::Talk | ItemKind::Wrapup | ItemKind::Intro | ItemKind::Outro
    );
    let span = || {
        format!(
            "\"{}\" ({}–{})",
            s.title,
            crate::timecode::clock(s.start),
            crate::timecode::clock(s.end)
        )
    };
    if s.item.is_some() && s.duration() < SQUEEZED {
        Some(format!(
            "{} lasts only {:.1} s: it may not have taken place, or was not found",
            span(),
            s.duration()
        ))
    } else if judged && s.confidence < min_confidence {
        Some(format!(
            "{} was placed from {} with confidence {:.2}, below {min_confidence:.2}",
            span(),
            evidence(s.source),
            s.confidence
        ))
    } else {
        None
    }
}

/// The evidence a source stands for, in words.
pub fn evidence(source: crate::plan::Source) -> &'static str {
    use crate::plan::Source;
    match source {
        Source::Cues => "the cue sheet",
        Source::Transcript => "the transcript",
        Source::Audio => "the voices alone",
        Source::Planned => "the planned minutes alone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{RecordingSpan, Source};

    fn segment(kind: ItemKind, item: Option<usize>, start: f64, end: f64, c: f64) -> Segment {
        Segment {
            kind,
            item,
            title: format!("{kind:?}"),
            speakers: vec!["Ana".into()],
            start,
            end,
            planned: 600.0,
            source: Source::Audio,
            confidence: c,
            transcript: Vec::new(),
        }
    }

    fn plan(segments: Vec<Segment>) -> Plan {
        Plan {
            recording: RecordingSpan { duration: 3600.0 },
            segments,
            warnings: Vec::new(),
            turns: Vec::new(),
        }
    }

    #[test]
    fn a_weak_talk_or_a_squeezed_item_is_doubtful_a_mixed_qa_is_not() {
        let p = plan(vec![
            segment(ItemKind::Intro, None, 10.0, 100.0, 0.8),
            segment(ItemKind::Talk, Some(0), 100.0, 700.0, 0.8),
            segment(ItemKind::Qa, Some(1), 700.0, 900.0, 0.4),
            segment(ItemKind::Talk, Some(2), 900.0, 1500.0, 0.65),
            segment(ItemKind::Qa, Some(3), 1500.0, 1502.0, 0.4),
        ]);
        let d = doubts(&p, 0.7);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].contains("\"Talk\" (15:00–25:00)") && d[0].contains("0.65"));
        assert!(d[0].contains("the voices alone"), "{d:?}");
        assert!(d[1].contains("\"Qa\"") && d[1].contains("2.0 s"), "{d:?}");
        assert!(doubts(&p, 0.6).len() == 1);
        assert!(!Hold::Doubtful.holds(&doubts(&p, 0.6)[1..]));
        assert!(Hold::Doubtful.holds(&d));
        assert!(!Hold::Never.holds(&d));
        assert!(Hold::Always.holds(&[]));
    }
}
