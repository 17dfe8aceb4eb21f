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

use crate::error::{Error, Result};
use crate::ingest::cues::CueSheet;
use crate::ingest::{Agenda, ItemKind};
use crate::plan::names::words;
use crate::plan::{cuesheet, Plan, Segment, Source};

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

/// The reviewed plan: `plan` with the cuts `sheet` moved, when `sheet` names the cuts of
/// `plan` one for one, in order (a cue sheet from its review page, edited or not); `None`
/// when it names other parts, and only planning again with it can tell.
///
/// A line whose time is the cut's, to the tenth, leaves that cut exactly where the plan
/// had it: its episodes are not cut again. A line at another time moves the cut there: the
/// part starts there, the part before ends there, and a pause found between them gives way.
pub fn apply(agenda: &Agenda, plan: &Plan, sheet: &CueSheet) -> Result<Option<Plan>> {
    let cuts = cuts(agenda, plan);
    let same_parts = cuts.len() == sheet.lines.len()
        && cuts
            .iter()
            .zip(&sheet.lines)
            .all(|(c, l)| words(&c.label) == words(&l.label));
    if !same_parts {
        return Ok(None);
    }
    let duration = plan.recording.duration;
    let mut segments = plan.segments.clone();
    // The transcript goes back on the recording's clock, to be sliced again at the end.
    let mut lines: Vec<_> = segments
        .iter_mut()
        .flat_map(|s| {
            let origin = s.start;
            std::mem::take(&mut s.transcript)
                .into_iter()
                .map(move |mut c| {
                    c.start += origin;
                    c.end += origin;
                    c
                })
        })
        .collect();
    lines.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut previous: Option<f64> = None;
    let mut moved = false;
    let mut squeezed: Vec<usize> = Vec::new();
    for (c, l) in cuts.iter().zip(&sheet.lines) {
        if previous.is_some_and(|p| l.time <= p) || l.time > duration {
            return Err(Error::parse(
                &sheet.path,
                l.line,
                format!(
                    "`{}` at {} does not fall between the cut before it and the end of the \
                     recording ({}): check the time",
                    l.label,
                    crate::timecode::clock(l.time),
                    crate::timecode::clock(duration)
                ),
            ));
        }
        previous = Some(l.time);
        if (l.time * 10.0).round() as u64 == c.tenths {
            continue;
        }
        moved = true;
        let t = l.time;
        let seg = &mut segments[c.segment];
        seg.start = t;
        seg.end = seg.end.max(t);
        seg.source = Source::Cues;
        seg.confidence = crate::plan::align::CUE_CONFIDENCE;
        if let Some(b) = c.before {
            segments[b].end = t.max(segments[b].start);
            // Whatever lies between the two parts (a pause found in the audio) stays
            // only where it does not overlap them.
            let prev_end = segments[b].end;
            for (k, between) in segments.iter_mut().enumerate().take(c.segment).skip(b + 1) {
                between.start = between.start.max(prev_end);
                between.end = between.end.min(t).max(between.start);
                if between.duration() <= 0.0 {
                    squeezed.push(k);
                }
            }
        }
    }
    if !moved {
        return Ok(Some(plan.clone()));
    }
    let mut k = 0;
    segments.retain(|_| {
        k += 1;
        !squeezed.contains(&(k - 1))
    });
    crate::plan::segments::slice_transcript(&mut segments, lines);
    Ok(Some(Plan {
        segments,
        ..plan.clone()
    }))
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

    #[test]
    fn a_reviewed_sheet_moves_only_the_cuts_it_changed() {
        let agenda = crate::testbed::seed_agenda();
        let mut segments = vec![seg(ItemKind::Intro, None, 4.14, 36.52)];
        let mut t = 37.06;
        for (i, it) in agenda.items.iter().enumerate() {
            segments.push(seg(it.kind, Some(i), t, t + 99.5));
            t += 100.0;
            if i == 0 {
                segments.push(seg(ItemKind::Pause, None, t, t + 30.0));
                t += 30.0;
            }
        }
        let plan = Plan {
            recording: RecordingSpan { duration: t + 60.0 },
            segments,
            warnings: Vec::new(),
            turns: Vec::new(),
        };
        let cs = cuts(&agenda, &plan);
        let text = cue_sheet(&agenda, &cs);
        let path = std::path::Path::new("cues.txt");
        let same = cues::parse(&text, path).unwrap();
        assert_eq!(apply(&agenda, &plan, &same).unwrap(), Some(plan.clone()));

        // The second item starts 10 s earlier, inside the pause after the first.
        let moved_t = cs[2].tenths - 100;
        let edited = text.replace(
            &format!("{} {}", clock_tenths(cs[2].tenths), cs[2].label),
            &format!("{} {}", clock_tenths(moved_t), cs[2].label),
        );
        let reviewed = apply(&agenda, &plan, &cues::parse(&edited, path).unwrap())
            .unwrap()
            .unwrap();
        let at = moved_t as f64 / 10.0;
        let second = reviewed
            .segments
            .iter()
            .find(|s| s.item == Some(1))
            .unwrap();
        assert!((second.start - at).abs() < 1e-9 && second.source == Source::Cues);
        let first = reviewed
            .segments
            .iter()
            .find(|s| s.item == Some(0))
            .unwrap();
        assert!((first.end - at).abs() < 1e-9, "{first:?}");
        assert!(
            !reviewed.segments.iter().any(|s| s.kind == ItemKind::Pause),
            "the pause under the moved cut gave way"
        );
        // The others did not move at all.
        let untouched = |s: &&Segment| s.kind != ItemKind::Pause && s.item.is_none_or(|i| i > 1);
        for s in plan.segments.iter().filter(untouched) {
            assert!(reviewed.segments.contains(s), "{s:?} moved");
        }

        // Other parts than the page's cuts: planned again, not applied.
        let hand = cues::parse("0:10 welcome\n12:40 Q&A\n", path).unwrap();
        assert_eq!(apply(&agenda, &plan, &hand).unwrap(), None);
        // A cut past the end of the recording is refused with its line.
        let last = cs.last().unwrap();
        let past = text.replace(
            &format!("{} {}", clock_tenths(last.tenths), last.label),
            &format!(
                "{} {}",
                clock_tenths(((t + 61.0) * 10.0) as u64),
                last.label
            ),
        );
        let e = apply(&agenda, &plan, &cues::parse(&past, path).unwrap());
        assert!(e.is_err_and(|e| e.to_string().contains("cues.txt")));
    }
}
