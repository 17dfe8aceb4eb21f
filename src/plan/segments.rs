//! From slot boundaries to the plan's segments: edges moved to the pauses next to them,
//! overlapping handovers cut where the fewest words are lost, cue-sheet times applied,
//! pauses and music made parts of their own, and who was heard when.

use super::align::{Slot, CUE_CONFIDENCE, PAUSE};
use super::cuesheet::Anchor;
use super::fit::argmin;
use super::speakers::{Units, Who};
use super::voice::Run;
use super::{unlisted_title, Segment, Source, Turn};
use crate::ingest::transcript::Cue;
use crate::ingest::ItemKind;

/// Transcript times are a few hundred milliseconds off; a pause this close is the edge.
const TRANSCRIPT_SNAP: f64 = 0.6;
/// Speech after a pause inside a part that still goes with the pause (seconds).
const PAUSE_TAIL: f64 = 30.0;

/// The segments of the slots that are not empty (and of every agenda item), with their
/// edges moved to the pauses next to them and overlapping handovers cut.
pub(super) fn segments(
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
            // The part before runs up to the cue: to the pause's start where the cue was
            // moved to one, else to the time as written (speech goes on up to it).
            if let Some(prev) = out.last_mut() {
                prev.end = anchor.prev_end.max(prev.start);
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
            (Some(_), _) => (Source::Cues, CUE_CONFIDENCE),
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

/// Pauses of [`PAUSE`] seconds or more between parts, and music outside them, become parts
/// of their own (chapters of the whole webinar). A pause near the end of a welcome, Q&A or
/// closing ("we seem to have a technical problem" ... "we are back") takes that end with it.
pub(super) fn add_gaps(
    segments: &mut Vec<Segment>,
    music: &[(f64, f64)],
    runs: &[Run],
    language: &str,
) {
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
pub(super) fn turns(units: &Units, names: &[&str]) -> Vec<Turn> {
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
pub(crate) fn slice_transcript(segments: &mut [Segment], cues: Vec<Cue>) {
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
