//! The programme: which lines of the page are the agenda, and what each line says.
//!
//! The agenda is the run of lines that reads most like one: bullets, numbered items, table
//! rows, or lines that start with a clock time; after a heading such as "Agenda",
//! "Programa" or "Running order", plain lines of the same paragraph count too. Runs are
//! scored by how many of their lines carry a time, a length or a person, and the best one
//! wins, so a site menu or a list of tags never beats the real programme.
//!
//! Each agenda line is cut into a clock time or range, a length, and parts separated by
//! dashes, `|`, sentence ends and words such as "by", "a cargo de" or "Participan:". A part
//! that starts with a person (bold, or a name followed by details, or a name the page
//! describes elsewhere) gives speakers; "the moderator", "(moderadora)" or "moderated by"
//! mark the moderator; what remains is the title. The kind comes from the title's words.

use std::path::Path;

use super::lexicon::{
    listed, mentions, AGENDA_HEADINGS, CLOSING_WORDS, CONNECTORS, INTRO_WORDS, MODERATOR_WORDS,
    PANEL_WORDS, QA_WORDS, SPEAKER_HEADERS, SPEAKER_LABELS, SUBJECT_WORDS, TIME_HEADERS,
};
use super::people::{is_moderator_word, leading_name, people, Directory, Found};
use super::text::{
    bullet, clean_inline, heading, is_table_rule, nonempty, table_cells, words, Line,
};
use super::when::{find_duration, times_at};
use crate::error::{Error, Result};
use crate::ingest::ItemKind;

/// One line of the programme, read.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub start: Option<u32>,
    pub end: Option<u32>,
    pub minutes: Option<f64>,
    pub title: Option<String>,
    pub speakers: Vec<Found>,
    /// The line says the moderator speaks ("by the moderator", "la modératrice").
    pub by_moderator: bool,
}

impl Entry {
    /// Whether the line gave nothing an agenda can use.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.speakers.is_empty() && self.minutes.is_none()
    }
}

/// The kind an item's title and speakers make it. Closing items are wrap-ups here; the
/// caller makes them the outro when only the moderator speaks.
pub fn kind_of(title: &str, speakers: usize) -> ItemKind {
    let w = words(title);
    let qa = QA_WORDS
        .split('|')
        .filter(|k| speakers != 1 || !listed(PANEL_WORDS, k))
        .any(|k| mentions(k, &w));
    if qa {
        ItemKind::Qa
    } else if mentions(INTRO_WORDS, &w) {
        ItemKind::Intro
    } else if mentions(CLOSING_WORDS, &w) {
        ItemKind::Wrapup
    } else if speakers > 0 {
        ItemKind::Talk
    } else {
        ItemKind::Other
    }
}

/// What a label at the start of `s` says ("Modera:", "Participan:"), and the text after it.
fn label(s: &str) -> Option<(bool, &str)> {
    let (head, rest) = s.split_once(':')?;
    let w = words(head);
    if w.is_empty() || w.len() > 2 {
        return None;
    }
    let joined = w.join(" ");
    if listed(MODERATOR_WORDS, &joined) {
        Some((true, rest.trim()))
    } else if listed(SPEAKER_LABELS, &joined) {
        Some((false, rest.trim()))
    } else {
        None
    }
}

/// A line that names the moderator ("Moderator: Name", "Moderated by Name", "Animé par
/// Name", "Modera Name"), and the text that names them.
pub fn moderator_rest(l: &str) -> Option<&str> {
    let l = bullet(l).unwrap_or(l);
    let l = l.trim_start_matches(['*', '_']).trim_start();
    if let Some((head, rest)) = l.split_once(':') {
        let w = words(head);
        if !w.is_empty() && w.len() <= 2 && listed(super::lexicon::MODERATOR_WORDS, &w.join(" ")) {
            let rest = rest.trim_start().trim_start_matches(['*', '_']);
            return Some(rest.trim_start());
        }
    }
    let lower = super::text::fold(l);
    for p in [
        "moderated by ",
        "moderada por ",
        "moderado por ",
        "chaired by ",
        "anime par ",
        "animee par ",
        "modere par ",
        "moderee par ",
        "mediado por ",
        "mediada por ",
        "hosted by ",
        "modera ",
    ] {
        if lower.starts_with(p) {
            let at = l
                .char_indices()
                .nth(p.chars().count())
                .map_or(l.len(), |(i, _)| i);
            return Some(&l[at..]);
        }
    }
    None
}

/// A short line announcing the total length ("Total time - approximately 60 min").
pub fn is_total(l: &str) -> bool {
    let w = words(l);
    let total = |x: &String| listed("total|duration|duracion|duree|duracao", x);
    (w.len() <= 12 && w.iter().any(total)) || w.iter().take(2).any(total)
}

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

/// `l` without bold marks around a leading clock time ("**16:00 h.** Apertura").
fn unbold_time(l: &str) -> String {
    if let Some(inner) = l.strip_prefix("**") {
        if let Some(end) = inner.find("**") {
            if times_at(inner[..end].trim()).is_some() {
                return format!("{} {}", &inner[..end], &inner[end + 2..]);
            }
        }
    }
    l.to_string()
}

/// The clock time or range `l` starts with and the rest of the line.
fn leading_times(l: &str) -> Option<(u32, Option<u32>, String)> {
    let l = unbold_time(l);
    let mut l = l.trim_start();
    // "de 14 h à 14 h 05", "from 3 pm", "das 10h às 11h"
    for from in [
        "de ", "De ", "from ", "From ", "desde ", "Desde ", "das ", "Das ", "entre ",
    ] {
        if let Some(r) = l.strip_prefix(from).filter(|r| times_at(r).is_some()) {
            l = r;
        }
    }
    let (start, end, used) = times_at(l)?;
    let rest = l[used..].trim_start_matches(|c: char| c.is_whitespace() || "–—-|:.·,".contains(c));
    Some((start, end, rest.to_string()))
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

/// Split `s` at dashes, `|`, bullets `·` and sentence ends, outside bold text and parentheses.
fn parts(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut bold = false;
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("**") {
            bold = !bold;
            cur.push_str("**");
            i += 2;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if !bold && depth == 0 {
            if let Some(sep) = [" — ", " – ", " - ", " | ", " · "]
                .iter()
                .find(|x| rest.starts_with(**x))
            {
                out.push(std::mem::take(&mut cur));
                i += sep.len();
                continue;
            }
            // A sentence end: ". ", "? ", "! " before a capital, not after a title or initial.
            if ".?!".contains(c) && rest[1..].starts_with(' ') {
                let next = rest[2..].trim_start().chars().next();
                let capital = next.is_some_and(|n| n.is_uppercase() || "¿¡«\"“".contains(n));
                let word_before = cur.rsplit(' ').next().unwrap_or("");
                let short = word_before.chars().count() <= 2 && c == '.';
                let title =
                    c == '.' && listed(super::lexicon::HONORIFICS, &super::text::fold(word_before));
                if capital && !short && !title {
                    if c != '.' {
                        cur.push(c);
                    }
                    out.push(std::mem::take(&mut cur));
                    i += 2;
                    continue;
                }
            }
        }
        cur.push(c);
        i += c.len_utf8();
    }
    out.push(cur);
    out.into_iter()
        .map(|p| {
            p.trim_matches(|c: char| c.is_whitespace() || "–—|·".contains(c))
                .to_string()
        })
        .filter(|p| {
            !p.trim_matches(|c: char| c.is_whitespace() || ",;:.".contains(c))
                .is_empty()
        })
        .collect()
}

/// Where a connector ("by", "a cargo de", "moderated by") is followed by a person in `s`:
/// (byte offset of the connector, offset of the person, whether it names the moderator).
fn connector_split(s: &str) -> Option<(usize, usize, bool)> {
    let (folded, from) = super::text::fold_map(s);
    let moderators = "moderated by|moderada por|moderado por|anime par|animee par|modere par|\
        moderee par|mediado por|mediada por|chaired by";
    let list =
        (CONNECTORS.split('|').map(|c| (c, false))).chain(moderators.split('|').map(|c| (c, true)));
    let mut best: Option<(usize, usize, bool)> = None;
    for (c, moderator) in list {
        let pat = format!(" {} ", c.trim());
        for (at, _) in folded.match_indices(&pat) {
            let person_at = from[at + pat.len()];
            let after = s[person_at..].trim_start_matches("**");
            if leading_name(after).is_none() {
                continue;
            }
            // The earliest connector wins; at the same place, the longer ("moderated by").
            let (start, person) = (from[at], s.len() - after.len());
            if best.is_none_or(|(b, p, _)| start < b || (start == b && person > p)) {
                best = Some((start, person, moderator));
            }
            break;
        }
    }
    best
}

/// A trailing "by the moderator" or "par la modératrice" on a title: the title without it.
fn strip_moderator_phrase(t: &str) -> Option<String> {
    let t = t.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    let w: Vec<&str> = t.split_whitespace().collect();
    for n in (1..=3).rev() {
        if w.len() <= n {
            continue;
        }
        let tail = w[w.len() - n..].join(" ");
        if is_moderator_word(&tail) {
            let mut head = w[..w.len() - n].to_vec();
            if head
                .last()
                .is_some_and(|x| listed(CONNECTORS, &super::text::fold(x)))
            {
                head.pop();
            }
            return Some(head.join(" "));
        }
    }
    None
}

/// Read one agenda line.
pub fn entry(text: &str, line: usize, dir: &Directory, path: &Path) -> Result<Entry> {
    let mut e = Entry::default();
    let mut rest = text.trim().to_string();
    if let Some((a, b, r)) = leading_times(&rest) {
        (e.start, e.end, rest) = (Some(a), b, r);
    }
    if let Some((m, r)) = find_duration(&rest) {
        if m <= 0.0 {
            let msg = "a length of zero minutes: give the planned length, e.g. `(10 min)`, or leave it out";
            return Err(Error::parse(path, line, msg));
        }
        let (mut a, mut b) = (&rest[..r.start], &rest[r.end..]);
        if let (Some(x), Some(y)) = (
            a.trim_end().strip_suffix('('),
            b.trim_start().strip_prefix(')'),
        ) {
            (a, b) = (x, y);
        }
        e.minutes = Some(m);
        rest = format!("{} {}", a.trim_end(), b.trim_start());
    }
    let mut titles: Vec<String> = Vec::new();
    let mut after_dash = false;
    for part in parts(&rest) {
        read_part(&part, after_dash, dir, &mut e, &mut titles);
        after_dash = true;
    }
    let title = titles
        .iter()
        .filter_map(|t| {
            let t = clean_inline(t);
            let t = match strip_moderator_phrase(&t) {
                Some(s) => {
                    e.by_moderator = true;
                    s
                }
                None => t,
            };
            let t = t.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
            let t = CONNECTORS.split('|').fold(t.to_string(), |t, c| {
                let lower = t.to_lowercase();
                if lower.ends_with(&format!(" {c}")) {
                    t[..t.len() - c.len()].trim_end().to_string()
                } else {
                    t
                }
            });
            nonempty(&unquote(&t))
        })
        .collect::<Vec<_>>()
        .join(" – ");
    e.title = nonempty(&title);
    Ok(e)
}

/// A title without the quotes around it (`"Designing stations"`).
fn unquote(t: &str) -> String {
    let t = t.trim();
    for (a, b) in [("\"", "\""), ("“", "”"), ("'", "'"), ("‘", "’"), ("«", "»")] {
        if let Some(inner) = t.strip_prefix(a).and_then(|x| x.strip_suffix(b)) {
            if !inner.contains(a) {
                return inner.trim().to_string();
            }
        }
    }
    t.to_string()
}

fn read_part(
    part: &str,
    after_dash: bool,
    dir: &Directory,
    e: &mut Entry,
    titles: &mut Vec<String>,
) {
    let part = part.trim();
    // "Modera: Name", "Participan: A; B"
    if let Some((moderator, rest)) = label(part) {
        let found = people(rest);
        if !found.is_empty() {
            e.speakers.extend(found.into_iter().map(|mut f| {
                f.moderator |= moderator;
                f
            }));
            return;
        }
    }
    if is_moderator_word(part) {
        e.by_moderator = true;
        return;
    }
    // Bold text that starts with a name is a person; what comes before it is the title.
    if let Some(open) = part.find("**") {
        let inner = &part[open + 2..];
        if let Some(close) = inner.find("**") {
            let bold = &inner[..close];
            if leading_name(bold).is_some() {
                let person_text = format!("{bold}{}", &inner[close + 2..]);
                let before = &part[..open];
                let found = people(&person_text);
                if !found.is_empty() {
                    let moderator = strip_moderator_phrase(before).is_some();
                    titles.push(before.to_string());
                    add_found(e, found, moderator, titles);
                    return;
                }
            }
        }
    }
    if let Some((at, person_at, moderator)) = connector_split(part) {
        let found = people(&part[person_at..].replace("**", ""));
        if !found.is_empty() {
            titles.push(part[..at].to_string());
            add_found(e, found, moderator, titles);
            return;
        }
    }
    // "Title (Name, Organisation)", "Title (moderator: Name)"; not "Name (Role, Org)".
    let trailing = part
        .trim_end()
        .strip_suffix(')')
        .and_then(|p| p.rfind(" ("));
    if let Some(open) = trailing.filter(|_| leading_name(&part.replace("**", "")).is_none()) {
        let inner = &part.trim_end()[open + 2..part.trim_end().len() - 1];
        let inner = inner.replace("**", "");
        let (moderator, names) = match label(&inner) {
            Some((m, rest)) => (m, rest.to_string()),
            None => (false, inner.clone()),
        };
        let described = leading_name(&names).is_some_and(|(name, end)| {
            moderator || dir.knows(&name) || names[end..].trim_start().starts_with(',')
        });
        if described {
            let found = people(&names);
            if !found.is_empty() {
                titles.push(part[..open].to_string());
                add_found(e, found, moderator, titles);
                return;
            }
        }
    }
    // A moderator phrase then a name: "la modératrice, Claire Dubois".
    let plain = part.replace("**", "");
    if let Some((name, end)) = leading_name(&plain) {
        let rest = plain[end..].trim_start();
        let has_details =
            rest.starts_with([',', '(', '–', '-', '—', ';']) || rest.is_empty() && after_dash;
        let subject = SUBJECT_WORDS
            .split('|')
            .any(|w| rest.to_lowercase().starts_with(&format!("{w} ")));
        let list = rest.starts_with(',') && people(&plain).len() > 1;
        if has_details || dir.knows(&name) || subject || list {
            let found = people(&plain);
            if !found.is_empty() {
                add_found(e, found, false, titles);
                return;
            }
        }
    }
    titles.push(part.to_string());
}

fn add_found(e: &mut Entry, found: Vec<Found>, moderator: bool, titles: &mut Vec<String>) {
    for mut f in found {
        f.moderator |= moderator;
        if let Some(r) = f.rest.take() {
            let r = r.trim();
            let r = SUBJECT_WORDS
                .split('|')
                .find_map(|w| r.strip_prefix(&format!("{w} ")))
                .unwrap_or(r);
            titles.push(r.to_string());
        }
        e.speakers.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Entry {
        entry(text, 1, &Directory::default(), Path::new("p.md")).expect("the line reads")
    }

    fn names(e: &Entry) -> Vec<String> {
        e.speakers.iter().map(|f| f.person.name.clone()).collect()
    }

    #[test]
    fn panel_with_its_speakers_as_continuations() {
        let e = read("Panel: what worked for us – 25 mins – Hannah Kaye, Director, Brixton Energy – Owen Jones, Project Manager, Ynni Ogwen (Wales)");
        assert_eq!(
            e.title.as_deref(),
            Some("Panel: what worked for us"),
            "{e:?}"
        );
        assert_eq!(names(&e), ["Hannah Kaye", "Owen Jones"]);
        assert_eq!(e.minutes, Some(25.0));
    }
}
