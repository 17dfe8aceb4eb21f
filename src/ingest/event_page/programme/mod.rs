//! The programme: which lines of the page are the agenda; each line is read in `entry`.
//!
//! The agenda is the run of lines that reads most like one: bullets, numbered items, table
//! rows, or lines that start with a clock time; after a heading such as "Agenda",
//! "Programa" or "Running order", plain lines of the same paragraph count too. Runs are
//! scored by how many of their lines carry a time, a length or a person, and the best one
//! wins, so a site menu or a list of tags never beats the real programme.

mod entry;

use std::path::Path;

pub use self::entry::{entry, is_total, kind_of, moderator_rest, Entry};
use self::entry::{label, leading_times, unbold_time};
use super::lexicon::{listed, AGENDA_HEADINGS, SPEAKER_HEADERS, TIME_HEADERS};
use super::people::{people, Directory, Found};
use super::text::{bullet, clean_inline, heading, is_table_rule, table_cells, words, Line};
use super::when::times_at;
use crate::error::Result;
use crate::ingest::ItemKind;

/// Whether `l` is a heading that announces the agenda ("## Programme", "**Agenda**").
pub fn is_agenda_heading(l: &str) -> bool {
    let t = heading(l).unwrap_or(l);
    let t = match t.find('(') {
        Some(p) => &t[..p],
        None => t,
    };
    let t = t.trim().trim_matches(['*', '_', ':', ' ']);
    listed(AGENDA_HEADINGS, &words(t).join(" "))
}

/// A line that starts with a time and says something after it ("14:05 Title").
fn is_clock_line(l: &str) -> bool {
    leading_times(l).is_some_and(|(_, _, rest)| {
        let w = words(&rest);
        // "14:00 - 15:30 (CEST)" says when the event is, not an item.
        let zone_only = w.len() <= 3 && rest.trim_start().starts_with('(');
        !(w.is_empty() || zone_only)
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Bullet,
    Row,
    Clock,
    Plain,
}

fn shape(l: &str) -> Option<Shape> {
    if table_cells(l).is_some() {
        Some(Shape::Row)
    } else if bullet(l).is_some() {
        Some(Shape::Bullet)
    } else if is_clock_line(l) {
        Some(Shape::Clock)
    } else {
        None
    }
}

/// Whether `l` is about people: a label ("Modera:", "Participan:") or a name with details.
fn names_people(l: &str) -> bool {
    let l = clean_inline(l);
    label(&l).is_some()
        || moderator_rest(&l).is_some()
        || super::people::person(&l).is_some_and(|f| {
            let p = &f.person;
            f.rest.is_none() && (p.role.is_some() || p.organisation.is_some())
        })
}

/// A run of agenda lines: (line number, text, shape), and where it starts.
struct Run {
    start: usize,
    lines: Vec<(usize, String, Shape)>,
}

/// Whether `l` is only a clock time or range ("17:00", "**9:00–9:05**").
fn only_time(l: &str) -> bool {
    let l = unbold_time(l);
    times_at(l.trim()).is_some_and(|(_, _, used)| {
        l.trim()[used..]
            .trim_matches(|c: char| c.is_whitespace() || "h.:*".contains(c))
            .is_empty()
    })
}

/// `lines` with a line that is only a time joined to the line after it (`<dt>17:00</dt>
/// <dd>Bienvenida</dd>`, a time in its own table-less column).
fn join_times(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (n, l) = &lines[i];
        let next = lines
            .get(i + 1)
            .filter(|(_, x)| !x.is_empty() && heading(x).is_none() && shape(x).is_none());
        match next {
            Some((_, x)) if only_time(l) && bullet(l).is_none() => {
                out.push((*n, format!("{} {x}", unbold_time(l).trim())));
                i += 2;
            }
            _ => {
                out.push((*n, l.clone()));
                i += 1;
            }
        }
    }
    out
}

fn runs(lines: &[Line]) -> Vec<Run> {
    let lines = &join_times(lines);
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_heading = false;
    while i < lines.len() {
        let l = &lines[i].1;
        if is_agenda_heading(l) {
            after_heading = true;
            i += 1;
            continue;
        }
        let skip = l.is_empty() || moderator_rest(l).is_some() || is_total(l);
        let paragraph_mode = after_heading && !skip && heading(l).is_none();
        if shape(l).is_none() && !paragraph_mode {
            if heading(l).is_some() {
                after_heading = false;
            }
            i += 1;
            continue;
        }
        let start = i;
        let mut run: Vec<(usize, String, Shape)> = Vec::new();
        let plain_ok = after_heading;
        while let Some((n, l)) = lines.get(i) {
            let next_fits = lines.get(i + 1).is_some_and(|(_, l)| shape(l).is_some());
            match shape(l) {
                Some(s) => run.push((*n, l.clone(), s)),
                None if l.is_empty() => {
                    if !next_fits {
                        break;
                    }
                }
                // A line right under a timed item that names its people belongs to it
                // ("10:40 Mesa redonda" / "Modera: ..." / "Participan: ...").
                None if names_people(l)
                    && !lines[i - 1].1.is_empty()
                    && run.last().is_some_and(|last| last.2 == Shape::Clock) =>
                {
                    if let Some(last) = run.last_mut() {
                        last.1 = format!("{} – {l}", last.1);
                    }
                }
                None if moderator_rest(l).is_some() || is_total(l) => {
                    run.push((*n, l.clone(), Shape::Plain));
                }
                None if heading(l).is_some() || is_agenda_heading(l) => break,
                None => {
                    let prev_blank = i > 0 && lines[i - 1].1.is_empty();
                    let under_bullet = run.last().is_some_and(|last| last.2 == Shape::Bullet);
                    if under_bullet && !prev_blank {
                        // A line right under a bullet continues it.
                        if let Some(last) = run.last_mut() {
                            last.1 = format!("{} {l}", last.1);
                        }
                    } else if plain_ok && (!prev_blank || run.is_empty()) {
                        run.push((*n, l.clone(), Shape::Plain));
                    } else {
                        break;
                    }
                }
            }
            i += 1;
        }
        after_heading = false;
        if !run.is_empty() {
            out.push(Run { start, lines: run });
        }
        i = i.max(start + 1);
    }
    out
}

/// Columns of a table whose header names them: times, speakers (the rest are titles).
#[derive(Debug, Default, Clone)]
struct Columns {
    time: Option<usize>,
    speaker: Option<usize>,
}

fn columns(header: &[String]) -> Option<Columns> {
    let mut c = Columns::default();
    for (i, cell) in header.iter().enumerate() {
        let w = words(cell);
        if w.iter().any(|x| listed(TIME_HEADERS, x)) {
            c.time = Some(i);
        } else if w.iter().any(|x| listed(SPEAKER_HEADERS, x)) {
            c.speaker = Some(i);
        }
    }
    (c.time.is_some() || c.speaker.is_some()).then_some(c)
}

/// The agenda: the index of the line it starts on, its entries, and the lines of it that
/// gave nothing.
pub struct Programme {
    pub start: usize,
    pub entries: Vec<Entry>,
    pub unread: Vec<(usize, String)>,
}

/// The run of lines that reads most like an agenda, read; `None` when none does. (Lines
/// naming the moderator are skipped here: the caller reads them from the whole page.)
pub fn find(lines: &[Line], dir: &Directory, path: &Path) -> Result<Option<Programme>> {
    let mut best: Option<(usize, Programme)> = None;
    for run in runs(lines) {
        let mut entries = Vec::new();
        let mut unread = Vec::new();
        let mut cols: Option<Columns> = None;
        for (k, (n, l, s)) in run.lines.iter().enumerate() {
            if moderator_rest(l).is_some() || is_total(l) {
                continue;
            }
            if *s == Shape::Row {
                if is_table_rule(l) {
                    continue;
                }
                let cells = table_cells(l).unwrap_or_default();
                let next_is_rule = run.lines.get(k + 1).is_some_and(|x| is_table_rule(&x.1));
                if next_is_rule
                    || (k == 0
                        && columns(&cells).is_some()
                        && !cells.iter().any(|c| times_at(c).is_some()))
                {
                    cols = columns(&cells);
                    continue;
                }
                let e = row(&cells, cols.as_ref(), *n, dir, path)?;
                if e.is_empty() {
                    unread.push((*n, l.clone()));
                } else {
                    entries.push(e);
                }
                continue;
            }
            let text = bullet(l).unwrap_or(l);
            let e = entry(text, *n, dir, path)?;
            if e.is_empty() || is_note(text, &e) {
                unread.push((*n, l.clone()));
            } else {
                entries.push(e);
            }
        }
        let score: usize = entries
            .iter()
            .map(|e| {
                let timed = e.start.is_some() || e.minutes.is_some();
                let kind = e
                    .title
                    .as_deref()
                    .map_or(ItemKind::Other, |t| kind_of(t, e.speakers.len()));
                2 * usize::from(timed)
                    + 2 * usize::from(!e.speakers.is_empty())
                    + usize::from(kind != ItemKind::Other)
            })
            .sum();
        if score == 0 {
            continue;
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((
                score,
                Programme {
                    start: run.start,
                    entries,
                    unread,
                },
            ));
        }
    }
    Ok(best.map(|(_, p)| p))
}

/// A note inside the programme rather than an item: all in parentheses or in italics, with
/// no time, length or person ("(horários sujeitos a alteração)").
fn is_note(text: &str, e: &Entry) -> bool {
    let t = text.trim();
    let wrapped = (t.starts_with('(') && t.ends_with(')'))
        || (t.starts_with('*') && t.ends_with('*') && !t.starts_with("**"))
        || (t.starts_with('_') && t.ends_with('_'));
    wrapped && e.start.is_none() && e.minutes.is_none() && e.speakers.is_empty()
}

/// A table row: times from the time column (or any cell that is only a time), speakers
/// from the speaker column, the other cells read as an agenda line.
fn row(
    cells: &[String],
    cols: Option<&Columns>,
    line: usize,
    dir: &Directory,
    path: &Path,
) -> Result<Entry> {
    let mut times = None;
    let mut texts = Vec::new();
    let mut speaker_cell = None;
    for (i, c) in cells.iter().enumerate() {
        let only_time = times_at(c.trim()).is_some_and(|(_, _, used)| {
            c.trim()[used..]
                .trim_matches(|x: char| x.is_whitespace() || "h.".contains(x))
                .is_empty()
        });
        if cols.is_some_and(|k| k.time == Some(i)) || (times.is_none() && only_time) {
            if let Some((a, b, _)) = times_at(c.trim()) {
                times = Some((a, b));
            }
        } else if cols.is_some_and(|k| k.speaker == Some(i)) {
            speaker_cell = Some(c.clone());
        } else if !c.trim().is_empty() {
            texts.push(c.clone());
        }
    }
    let mut e = entry(&texts.join(" – "), line, dir, path)?;
    if let Some((a, b)) = times {
        e.start = Some(a);
        e.end = b;
    }
    if let Some(cell) = speaker_cell {
        let cell = cell.trim_matches(|c: char| c.is_whitespace() || "—–-".contains(c));
        let found: Vec<Found> = people(cell)
            .into_iter()
            .chain(super::people::role_first(cell).map(|p| Found {
                person: p,
                moderator: false,
                rest: None,
            }))
            .collect();
        e.speakers.extend(dedup(found));
    }
    Ok(e)
}

fn dedup(found: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for f in found {
        if !out.iter().any(|g| g.person.name == f.person.name) {
            out.push(f);
        }
    }
    out
}
