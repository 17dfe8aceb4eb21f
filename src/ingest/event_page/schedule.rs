//! When the webinar is: its date, start, end, zone and total length, from structured data,
//! the line that dates the page, or the agenda's own clock times.

use std::path::Path;

use super::lexicon::listed;
use super::programme::{is_total, Entry};
use super::structured::Structured;
use super::text::{words, Line, PageText};
use super::when::{self, find_date, find_duration, find_times, Stamp};
use super::FALLBACK;
use crate::error::{Error, Result};

/// When the webinar is: date, local start and end (minutes after midnight), zone, total.
pub(super) struct Schedule {
    pub(super) date: String,
    pub(super) start: Option<u32>,
    pub(super) end: Option<u32>,
    pub(super) zone: Option<String>,
    pub(super) total_minutes: Option<f64>,
}

/// The schedule from structured data, else from the page's `<time>` or first date and the
/// times near it, else from the agenda's first and last clock times.
pub(super) fn schedule(
    page: &PageText,
    data: &Structured,
    data_lines: &[Line],
    entries: &[Entry],
    path: &Path,
) -> Result<Schedule> {
    let dated = match data.start {
        Some(_) => None,
        None => Some(date_line(page, path)?),
    };
    let stamp = data.start.or(dated.and_then(|(_, s)| s));
    let zone = zone(page, stamp, data.locality.as_deref(), data_lines);
    let (mut date, mut start) = (String::new(), None);
    if let Some(s) = data.start {
        let (d, t) = s.local(zone.as_deref());
        (date, start) = (d.to_string(), t);
    }
    let mut end = data.end.and_then(|s| s.local(zone.as_deref()).1);
    if let Some((at, stamp)) = dated {
        let (d, t, e) = visible_when(&page.lines, at, stamp, zone.as_deref(), path)?;
        (date, start, end) = (d, t.or(start), end.or(e));
    }
    let start = start.or_else(|| entries.first().and_then(|e| e.start));
    let end = end.or_else(|| entries.last().and_then(|e| e.end));
    let stated_total = (page.lines.iter().chain(data_lines))
        .filter(|(_, l)| is_total(l))
        .find_map(|(_, l)| find_duration(l).map(|(m, _)| m).filter(|m| *m > 0.0));
    let total_minutes = stated_total.or(match (start, end) {
        (Some(a), Some(b)) if b > a => Some(f64::from(b - a)),
        _ => None,
    });
    Ok(Schedule {
        date,
        start,
        end,
        zone,
        total_minutes,
    })
}

/// The zone the page states (the first that agrees with the event's offset, when a page
/// names several); else the organiser's town if its offset matches; else that offset as a
/// fixed zone.
fn zone(
    page: &PageText,
    stamp: Option<Stamp>,
    locality: Option<&str>,
    data_lines: &[Line],
) -> Option<String> {
    let all: Vec<Line> = page.lines.iter().chain(data_lines).cloned().collect();
    let hints = when::zone_hints(&all);
    let offset = stamp.and_then(|s| Some((s.date, s.offset?)));
    let agrees = |z: &String| offset.is_none_or(|(d, o)| o == 0 || when::zone_has_offset(z, d, o));
    if let Some(z) = hints.iter().find(|z| agrees(z)).or(hints.first()) {
        return Some(z.clone());
    }
    let (date, offset) = offset?;
    if let Some(z) = locality.and_then(when::city_zone) {
        if when::zone_has_offset(z, date, offset) {
            return Some(z.to_string());
        }
    }
    when::offset_zone(offset)
}

/// Whether `l` dates the page rather than the event ("Publié le 28 avril", "Updated").
fn is_publication_line(l: &str) -> bool {
    const WORDS: &str = "publie|publiee|publicado|publicada|published|posted|publicacao|\
        publication|atualizado|actualizado|updated|modifie|modified";
    words(l).iter().take(4).any(|w| listed(WORDS, w))
}

/// The line that dates the event: the first with a `<time datetime>` or a written date
/// that is not the page's own publication date; its index and the `<time>` stamp on it.
fn date_line(page: &PageText, path: &Path) -> Result<(usize, Option<Stamp>)> {
    for (i, (_, l)) in page.lines.iter().enumerate() {
        if is_publication_line(l) {
            continue;
        }
        let stamp = (page.datetimes.iter())
            .filter(|(at, _)| *at == i)
            .find_map(|(_, v)| Stamp::parse(v));
        if stamp.is_some() || find_date(l).is_some() {
            return Ok((i, stamp));
        }
    }
    let msg = "no date found: add a line such as `29 June 2021` or `2021-06-29`";
    Err(Error::input(path, format!("{msg}, or {FALLBACK}")))
}

/// The date, start and end on the dating line `at`: its `<time>` stamp or written date,
/// and clock times on it or on the few short lines after it.
fn visible_when(
    lines: &[Line],
    at: usize,
    stamp: Option<Stamp>,
    zone: Option<&str>,
    path: &Path,
) -> Result<(String, Option<u32>, Option<u32>)> {
    let (n, l) = &lines[at];
    let (date, mut start) = match (stamp, find_date(l)) {
        (Some(s), _) => s.local(zone),
        (None, Some((y, m, d))) => {
            let date = jiff::civil::Date::new(y, m, d).map_err(|e| {
                let msg = format!("`{l}` is not a real date ({e}); fix it or {FALLBACK}");
                Error::parse(path, *n, msg)
            })?;
            (date, None)
        }
        (None, None) => unreachable!("date_line gives a line with a date"),
    };
    let mut end = None;
    let near = (lines[at..].iter())
        .filter(|(_, l)| !l.is_empty())
        .take(4)
        .filter(|(_, l)| l.split_whitespace().count() <= 20);
    for (_, l) in near {
        if let Some((a, b)) = find_times(l) {
            start = start.or(Some(a));
            end = b;
            break;
        }
    }
    Ok((date.to_string(), start, end))
}
