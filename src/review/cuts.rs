//! The cuts a person reviews, and the cue sheet that holds them.
//!
//! A cut is where one part of the webinar hands over to the next: the part before ends
//! there and the next begins (the first cut starts the webinar). That is exactly what a
//! cue-sheet line says, so the review page's cue sheet is one line per cut, the time to
//! the tenth of a second and a label naming the part that starts: the item's title, or
//! for an item without one its speaker, and the words `welcome` and `closing` for the
//! parts no agenda lists. Times with tenths are taken as written by the plan
//! ([`crate::plan::cuesheet`]), never moved to a pause, so running again with the sheet
//! gives back these cuts.
//!
//! Pauses and music the plan found between parts are not cuts: they are found again.

use serde::Serialize;

use crate::ingest::{Agenda, ItemKind};
use crate::plan::{cuesheet, Plan, Segment};

/// One cut.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cut {
    /// The segment (index into the plan's) that starts here.
    pub segment: usize,
    /// The segment of the part that ends here (none for the first cut).
    pub before: Option<usize>,
    /// Tenths of a second from the start of the recording.
    pub tenths: u64,
    /// The cue-sheet label that names the part starting here.
    pub label: String,
}

impl Cut {
    pub fn seconds(&self) -> f64 {
        self.tenths as f64 / 10.0
    }
}

/// The cuts of `plan`, in time order.
pub fn cuts(agenda: &Agenda, plan: &Plan) -> Vec<Cut> {
    let mut out: Vec<Cut> = Vec::new();
    for (i, s) in plan.segments.iter().enumerate() {
        let Some(label) = label(agenda, s) else {
            continue;
        };
        out.push(Cut {
            segment: i,
            before: out.last().map(|c| c.segment),
            tenths: (s.start.max(0.0) * 10.0).round() as u64,
            label,
        });
    }
    out
}

/// What a cue sheet calls the part of `s` (none for a pause or music found in the audio).
fn label(agenda: &Agenda, s: &Segment) -> Option<String> {
    let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(i) = s.item else {
        return match s.kind {
            ItemKind::Intro => Some("welcome".into()),
            ItemKind::Outro => Some("closing".into()),
            _ => None,
        };
    };
    let item = &agenda.items[i];
    let title = item
        .title
        .as_deref()
        .map(one_line)
        .filter(|t| t.chars().any(char::is_alphanumeric));
    if let Some(t) = title {
        return Some(t);
    }
    Some(match item.kind {
        ItemKind::Qa => "Q&A".into(),
        ItemKind::Intro => "welcome".into(),
        ItemKind::Outro => "closing".into(),
        ItemKind::Wrapup if item.speakers.is_empty() => "wrap-up".into(),
        _ => match item.speakers.first() {
            Some(p) => one_line(&p.name),
            None => one_line(&agenda.item_title(item)),
        },
    })
    .filter(|l| !cuesheet::is_break(l) || item.title.is_some())
}

/// `H:MM:SS.t`: the clock a cue sheet writes for a cut.
pub fn clock_tenths(tenths: u64) -> String {
    let s = tenths / 10;
    format!(
        "{}:{:02}:{:02}.{}",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        tenths % 10
    )
}

/// The comment lines a review page's cue sheet starts with.
pub fn header(agenda: &Agenda) -> String {
    let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "# Cuts of \"{}\" ({}), from its review page.\n\
         # Times with tenths of a second are cuts, taken as written.\n",
        one_line(&agenda.title),
        agenda.slug()
    )
}

/// The cue sheet of `cuts`, in the `--cues` format.
pub fn cue_sheet(agenda: &Agenda, cuts: &[Cut]) -> String {
    let mut out = header(agenda);
    for c in cuts {
        out.push_str(&format!("{} {}\n", clock_tenths(c.tenths), c.label));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::cues;
    use crate::plan::{RecordingSpan, Source};

    fn seg(kind: ItemKind, item: Option<usize>, start: f64, end: f64) -> Segment {
        Segment {
            kind,
            item,
            title: String::new(),
            speakers: Vec::new(),
            start,
            end,
            planned: 0.0,
            source: Source::Transcript,
            confidence: 0.9,
            transcript: Vec::new(),
        }
    }

    #[test]
    fn one_line_per_part_that_parses_back_to_the_same_times() {
        let agenda = crate::testbed::seed_agenda();
        let kinds: Vec<(usize, ItemKind)> = agenda
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (i, it.kind))
            .collect();
        let mut segments = vec![seg(ItemKind::Intro, None, 12.34, 100.0)];
        let mut t = 100.0;
        for &(i, k) in &kinds {
            segments.push(seg(k, Some(i), t + 0.06, t + 300.0));
            t += 300.0;
        }
        segments.push(seg(ItemKind::Pause, None, t, t + 40.0));
        segments.push(seg(ItemKind::Outro, None, t + 3640.95, t + 3700.0));
        let plan = Plan {
            recording: RecordingSpan { duration: 9000.0 },
            segments,
            warnings: Vec::new(),
            turns: Vec::new(),
        };
        let cuts = cuts(&agenda, &plan);
        assert_eq!(cuts.len(), kinds.len() + 2, "the pause is no cut");
        assert_eq!(cuts[0].label, "welcome");
        assert_eq!(cuts[0].before, None);
        assert_eq!(cuts[1].before, Some(0));
        assert_eq!(cuts.last().unwrap().label, "closing");
        let text = cue_sheet(&agenda, &cuts);
        assert!(text.starts_with("# Cuts of \""), "{text}");
        assert!(text.contains("\n0:00:12.3 welcome\n"), "{text}");
        let sheet = cues::parse(&text, std::path::Path::new("cues.txt")).unwrap();
        let read: Vec<(u64, &str, bool)> = sheet
            .lines
            .iter()
            .map(|l| ((l.time * 10.0).round() as u64, l.label.as_str(), l.exact))
            .collect();
        let made: Vec<(u64, &str, bool)> = cuts
            .iter()
            .map(|c| (c.tenths, c.label.as_str(), true))
            .collect();
        assert_eq!(read, made);
        assert_eq!(clock_tenths(36_009), "1:00:00.9");
    }
}
