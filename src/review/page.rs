//! The review page: one self-contained HTML file per webinar, with an audio excerpt per
//! cut in a folder next to it.
//!
//! It is opened by whoever checks the cuts, often from the work folder on a laptop or
//! sent to a phone, so it needs nothing but itself: styles and script are inline, no
//! request goes to another host, it works from `file://`, and without a script it still
//! shows everything (the buttons that move cuts appear when the script runs). The view
//! is computed here (positions as percentages of the recording, times already
//! formatted); `templates/review.html.hbs` only lays it out.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde_json::{json, Value};

use super::cuts::{self, Cut};
use super::excerpts;
use crate::error::{Error, Result};
use crate::ingest::audio::DecodedAudio;
use crate::ingest::envelope::{Envelope, FRAME_RATE};
use crate::ingest::{Agenda, ItemKind};
use crate::plan::{Plan, Segment, Source};

const TEMPLATE: &str = include_str!("../../templates/review.html.hbs");
const STYLE: &str = include_str!("../../templates/review.css");
const SCRIPT: &str = include_str!("../../templates/review.js");

/// Seconds heard before a cut and after it when its player starts.
pub const LEAD: f64 = 4.0;
pub const TAIL: f64 = 4.0;
/// Transcript lines shown around a cut: those starting within this many seconds of it.
const AROUND: f64 = 20.0;
/// Columns of the loudness strip of the whole recording.
const STRIP: usize = 1000;
/// Loudness drawn from this level (dBFS, the strip's floor) ...
const QUIET_DB: f32 = -70.0;
/// ... to this one (its top).
const LOUD_DB: f32 = -10.0;

/// What the page shows besides the plan.
pub struct Review<'a> {
    pub agenda: &'a Agenda,
    pub plan: &'a Plan,
    pub audio: &'a DecodedAudio,
    /// The confidence below which a part is doubtful (`review.min_confidence`).
    pub min_confidence: f64,
    /// When the webinar is held: the command that publishes it once reviewed.
    pub release: Option<String>,
}

/// The folder of the excerpts of the page at `page`: `<name>-excerpts` next to it.
pub fn excerpt_folder(page: &Path) -> PathBuf {
    let stem = page
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "review".into());
    page.with_file_name(format!("{stem}-excerpts"))
}

/// Write the review page to `page` and its excerpts next to it; returns `page`.
pub fn write(review: &Review, page: &Path) -> Result<PathBuf> {
    if let Some(dir) = page.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let cuts = cuts::cuts(review.agenda, review.plan);
    let duration = review.plan.recording.duration;
    let windows: Vec<(f64, f64)> = cuts
        .iter()
        .map(|c| excerpts::window(c.seconds(), duration))
        .collect();
    let folder = excerpt_folder(page);
    let files = excerpts::encode(&review.audio.wav, &windows, &folder)?;
    let folder_url = url_segment(&folder.file_name().unwrap_or_default().to_string_lossy());
    let envelope = Envelope::load(&review.audio.envelope)?;
    let sources: Vec<String> = files.iter().map(|f| format!("{folder_url}/{f}")).collect();
    let html = render(&view(review, &envelope, &cuts, &windows, &sources))?;
    crate::safe::write_atomic(page, html.as_bytes())?;
    Ok(page.to_path_buf())
}

fn render(view: &Value) -> Result<String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(|s| handlebars::html_escape(&crate::safe::strip_bidi(s)));
    hb.register_template_string("review", TEMPLATE)
        .map_err(|e| Error::Template(format!("built-in review.html.hbs: {e}")))?;
    hb.render("review", view)
        .map_err(|e| Error::Template(format!("built-in review.html.hbs: {e}")))
}

/// Everything the template shows.
fn view(
    review: &Review,
    envelope: &Envelope,
    cuts: &[Cut],
    windows: &[(f64, f64)],
    sources: &[String],
) -> Value {
    let (agenda, plan) = (review.agenda, review.plan);
    let duration = plan.recording.duration.max(1e-3);
    let pct = |t: f64| format!("{:.3}%", (100.0 * t / duration).clamp(0.0, 100.0));
    let width = |a: f64, b: f64| format!("{:.3}%", (100.0 * (b - a) / duration).max(0.08));
    let doubts = super::doubts(plan, review.min_confidence);
    let starts_cut = |i: usize| cuts.iter().position(|c| c.segment == i);

    // Warnings apply to the part they name, when they name one.
    let warnings: Vec<(String, Option<usize>)> = plan
        .warnings
        .iter()
        .map(|w| {
            let part = plan
                .segments
                .iter()
                .position(|s| !s.title.is_empty() && w.contains(&format!("\"{}\"", s.title)));
            (w.clone(), part)
        })
        .collect();
    let warning_id = |k: usize| format!("warning-{}", k + 1);

    let parts: Vec<Value> = plan
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let doubt = super::doubt(s, review.min_confidence);
            let mut class = format!("part src-{}", s.source.as_str());
            if s.kind == ItemKind::Pause {
                class = "part pause".into();
            }
            if doubt.is_some() {
                class.push_str(" doubtful");
            }
            json!({
                "class": class,
                "left": pct(s.start),
                "width": width(s.start, s.end),
                "label": format!(
                    "{}: {} to {}, from {}, confidence {:.2}{}",
                    s.title,
                    crate::timecode::clock(s.start),
                    crate::timecode::clock(s.end),
                    super::evidence(s.source),
                    s.confidence,
                    if doubt.is_some() { ", doubtful" } else { "" }
                ),
                "href": starts_cut(i).map(|k| format!("#cut-{}", k + 1)),
            })
        })
        .collect();

    let pins: Vec<Value> = warnings
        .iter()
        .enumerate()
        .filter_map(|(k, (text, part))| {
            let s = &plan.segments[(*part)?];
            Some(json!({ "left": pct(s.start), "id": warning_id(k), "text": text }))
        })
        .collect();

    let cut_views: Vec<Value> = cuts
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let s = &plan.segments[c.segment];
            let before = c.before.map(|b| plan.segments[b].title.clone());
            let (from, to) = windows[k];
            let doubt = super::doubt(s, review.min_confidence);
            let about: Vec<Value> = warnings
                .iter()
                .enumerate()
                .filter(|(_, (_, part))| {
                    part.is_some_and(|p| p == c.segment || Some(p) == c.before)
                })
                .map(|(j, (text, _))| json!({ "id": warning_id(j), "text": text }))
                .collect();
            let zoom = zoom(envelope, from, to);
            json!({
                "n": k + 1,
                "clock": cuts::clock_tenths(c.tenths),
                "left": pct(c.seconds()),
                "before": before.unwrap_or_else(|| "the start of the recording".into()),
                "after": s.title,
                "speakers": s.speakers.join(", "),
                "evidence": super::evidence(s.source),
                "confidence": format!("{:.2}", s.confidence),
                "doubt": doubt,
                "warnings": about,
                "src": sources[k],
                "from_clock": crate::timecode::clock(from),
                "to_clock": crate::timecode::clock(to),
                "zoom_w": zoom.width,
                "zoom_path": zoom.level,
                "speech_path": zoom.speech,
                "cut_x": format!("{:.1}", (c.seconds() - from) * 10.0),
                "lines": lines_around(plan, c.seconds()),
            })
        })
        .collect();

    let lanes = lanes(review, &pct, &width);
    let cue_sheet = cuts::cue_sheet(agenda, cuts);
    let data = json!({
        "duration": duration,
        "lead": LEAD,
        "tail": TAIL,
        "header": cuts::header(agenda),
        "cuts": cuts.iter().zip(windows).map(|(c, &(from, to))| json!({
            "t": c.tenths,
            "label": c.label,
            "from": from,
            "to": to,
        })).collect::<Vec<_>>(),
    });
    let plan_rows: Vec<Value> = plan
        .segments
        .iter()
        .map(|s| {
            json!({
                "title": s.title,
                "speakers": s.speakers.join(", "),
                "start": crate::timecode::clock(s.start),
                "end": crate::timecode::clock(s.end),
                "length": crate::timecode::clock(s.duration()),
                "source": s.source.as_str(),
                "confidence": format!("{:.2}", s.confidence),
                "doubtful": super::doubt(s, review.min_confidence).is_some(),
            })
        })
        .collect();
    json!({
        "title": agenda.title,
        "language": agenda.language,
        "date": agenda.date,
        "slug": agenda.slug(),
        "duration": crate::timecode::clock(plan.recording.duration),
        "held": review.release.is_some(),
        "release": review.release,
        "doubts": doubts,
        "min_confidence": format!("{:.2}", review.min_confidence),
        "axis": axis(plan.recording.duration, &pct),
        "legend": legend()
            .into_iter()
            .map(|(s, e)| json!({ "class": format!("src-{}", s.as_str()), "label": e }))
            .collect::<Vec<_>>(),
        "strip_w": STRIP,
        "strip": strip(envelope, STRIP),
        "parts": parts,
        "pins": pins,
        "lanes": lanes,
        "cuts": cut_views,
        "lead": LEAD,
        "tail": TAIL,
        "cue_sheet": cue_sheet,
        "cue_rows": cue_sheet.lines().count().clamp(4, 30),
        "plan": plan_rows,
        "unpinned": warnings.iter().filter(|w| w.1.is_none()).map(|w| &w.0).collect::<Vec<_>>(),
        "version": env!("CARGO_PKG_VERSION"),
        "css": STYLE,
        "js": SCRIPT,
        // Inside <script>: no `<` can end it early.
        "data": data.to_string().replace('<', "\\u003c"),
    })
}

/// One lane per person heard (agenda people in the agenda's order, then everyone else),
/// from the plan's turns; a plan without them lends each part to its speakers.
fn lanes(
    review: &Review,
    pct: &dyn Fn(f64) -> String,
    width: &dyn Fn(f64, f64) -> String,
) -> Vec<Value> {
    let (agenda, plan) = (review.agenda, review.plan);
    let moderator = agenda.moderator.as_ref().map(|m| m.name.as_str());
    let turns: Vec<(Option<String>, f64, f64)> = if plan.turns.is_empty() {
        plan.segments
            .iter()
            .flat_map(|s| s.speakers.iter().map(|p| (Some(p.clone()), s.start, s.end)))
            .collect()
    } else {
        plan.turns
            .iter()
            .map(|t| (t.speaker.clone(), t.start, t.end))
            .collect()
    };
    let mut people: Vec<Option<String>> = agenda
        .people()
        .iter()
        .map(|p| Some(p.name.clone()))
        .filter(|p| turns.iter().any(|t| t.0 == *p))
        .collect();
    if turns.iter().any(|t| t.0.is_none()) {
        people.push(None);
    }
    people
        .iter()
        .map(|who| {
            let mine: Vec<&(Option<String>, f64, f64)> =
                turns.iter().filter(|t| t.0 == *who).collect();
            let spoken: f64 = mine.iter().map(|t| t.2 - t.1).sum();
            let role = match who.as_deref() {
                None => "not on the agenda",
                Some(n) if Some(n) == moderator => "moderator",
                Some(_) => "speaker",
            };
            json!({
                "name": who.clone().unwrap_or_else(|| "Others".into()),
                "role": role,
                "summary": format!("{} turns, {} in all", mine.len(), crate::timecode::clock(spoken)),
                "turns": mine.iter().map(|t| json!({
                    "l": pct(t.1),
                    "w": width(t.1, t.2),
                    "t": format!("{}–{}", crate::timecode::clock(t.1), crate::timecode::clock(t.2)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Ticks along the recording at a round step giving five to ten of them.
fn axis(duration: f64, pct: &dyn Fn(f64) -> String) -> Vec<Value> {
    let step = [60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0]
        .into_iter()
        .find(|s| duration / s <= 10.0)
        .unwrap_or(7200.0);
    let step = if duration < 300.0 { 30.0 } else { step };
    (0..)
        .map(|k| k as f64 * step)
        .take_while(|t| *t < duration - step * 0.3)
        .map(|t| json!({ "left": pct(t), "label": crate::timecode::clock(t) }))
        .collect()
}

/// Height (0 at the top, 40 at the floor) of a level in dBFS.
fn height(db: f32) -> f32 {
    let k = ((db - QUIET_DB) / (LOUD_DB - QUIET_DB)).clamp(0.0, 1.0);
    40.0 - 40.0 * k
}

/// An SVG path filling the loudest level of each of `columns` columns over `frames`.
fn area(envelope: &Envelope, frames: std::ops::Range<usize>, columns: usize) -> String {
    let frames = frames.start.min(envelope.len())..frames.end.min(envelope.len());
    let n = frames.len();
    let mut d = String::from("M0 40");
    for c in 0..columns {
        let a = frames.start + c * n / columns.max(1);
        let b = (frames.start + (c + 1) * n / columns.max(1)).max(a + 1);
        let loudest = (a..b.min(frames.end))
            .map(|i| envelope.level(i))
            .fold(f32::NEG_INFINITY, f32::max);
        let y = if loudest.is_finite() {
            height(loudest)
        } else {
            40.0
        };
        d.push_str(&format!("V{y:.1}H{}", c + 1));
    }
    d.push_str("V40Z");
    d
}

/// The whole recording's loudness in `columns` columns.
fn strip(envelope: &Envelope, columns: usize) -> String {
    area(envelope, 0..envelope.len(), columns)
}

/// A cut's close-up: loudness in tenths of a second, and where the plan hears speech.
struct Zoom {
    width: usize,
    level: String,
    speech: String,
}

fn zoom(envelope: &Envelope, from: f64, to: f64) -> Zoom {
    let frame = |t: f64| (t * FRAME_RATE).round() as usize;
    let (a, b) = (frame(from), frame(to).max(frame(from) + 1));
    let width = (b - a).div_ceil(10).max(1);
    let mut speech = String::new();
    let mut run: Option<usize> = None;
    for c in 0..=width {
        let sound = c < width
            && (a + c * 10..(a + c * 10 + 10).min(b).min(envelope.len()))
                .filter(|&i| envelope.is_sound(i))
                .count()
                >= 5;
        match (sound, run) {
            (true, None) => run = Some(c),
            (false, Some(s)) => {
                speech.push_str(&format!("M{s} 37h{}v3h-{}Z", c - s, c - s));
                run = None;
            }
            _ => {}
        }
    }
    Zoom {
        width,
        level: area(envelope, a..b, width),
        speech,
    }
}

/// The transcript lines starting within [`AROUND`] seconds of `t`, on the recording's
/// clock, each marked as before or after the cut.
fn lines_around(plan: &Plan, t: f64) -> Vec<Value> {
    let mut lines: Vec<(f64, &str, &str)> = plan
        .segments
        .iter()
        .flat_map(|s: &Segment| {
            s.transcript.iter().map(move |c| {
                (
                    c.start + s.start,
                    c.speaker.as_deref().unwrap_or(""),
                    c.text.as_str(),
                )
            })
        })
        .filter(|(start, _, _)| (start - t).abs() <= AROUND)
        .collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    lines
        .into_iter()
        .map(|(start, speaker, text)| {
            json!({
                "t": format!("{start:.2}"),
                "clock": crate::timecode::clock(start),
                "speaker": speaker,
                "text": text,
                "side": if start < t { "before" } else { "after" },
            })
        })
        .collect()
}

/// `name` as one segment of a relative URL.
fn url_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The evidence of each source, for the legend.
fn legend() -> Vec<(Source, &'static str)> {
    [
        Source::Cues,
        Source::Transcript,
        Source::Audio,
        Source::Planned,
    ]
    .into_iter()
    .map(|s| (s, super::evidence(s)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_live_beside_the_page_and_their_folder_is_a_safe_url() {
        assert_eq!(
            excerpt_folder(Path::new("/w/x/review.html")),
            Path::new("/w/x/review-excerpts")
        );
        assert_eq!(
            url_segment("my page é-excerpts"),
            "my%20page%20%C3%A9-excerpts"
        );
    }

    #[test]
    fn loudness_paths_close_on_the_floor() {
        let env = Envelope::from_levels(
            std::iter::repeat_n(-90.0f32, 100).chain(std::iter::repeat_n(-10.0f32, 100)),
        );
        let d = area(&env, 0..200, 4);
        assert_eq!(d, "M0 40V40.0H1V40.0H2V0.0H3V0.0H4V40Z");
        let z = zoom(&env, 0.0, 2.0);
        assert_eq!(z.width, 20);
        assert_eq!(z.speech, "M10 37h10v3h-10Z");
    }
}
