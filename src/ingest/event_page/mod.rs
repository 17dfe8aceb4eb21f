//! Import a published event page (Markdown or HTML) into an [`Agenda`].
//!
//! Users rarely have their webinar as structured data: they have the page the organiser
//! published. Organisations publish it in many shapes (a CMS event plugin, a ticketing
//! site, a blog post, a Markdown file), in English, Spanish, French or Portuguese, so this
//! importer reads the page the way a person does, with small, predictable rules rather than
//! one clever parser:
//!
//! - [`text`]: the page as numbered lines; HTML and Markdown are read alike afterwards.
//! - [`structured`]: the schema.org `Event` in JSON-LD or microdata, when the page has one:
//!   the most exact source for name, start, end, offset, language and people.
//! - [`when`]: dates, clock times, lengths and time zones as pages write them.
//! - [`programme`]: which lines are the agenda (a list, numbered list, table, or lines that
//!   start with a time) and what each says: time, length, title, speakers, moderator.
//! - [`people`]: a person's name, role, organisation, city and country in whatever order.
//! - [`lexicon`]: every word list, in one place.
//! - `schedule`: the webinar's date, start, end, zone and total length.
//! - `language`: the language it is held in.
//! - `description`: the prose paragraphs, and the series the title names.
//!
//! The visible agenda gives the order and the minutes; structured data completes the people
//! and gives the programme only when the page shows none. Welcome and closing items of the
//! moderator become `intro` and `outro` items. Items with clock times but no length run to
//! the next item, the last to the event's stated end. Lines of the agenda that gave nothing
//! are returned with the agenda ([`Imported::unread`]) so `agenda import` can show them.
//!
//! When a page defeats these rules the error says what is missing and points to
//! `agenda.toml`, which can always say the same thing explicitly.

mod description;
mod language;
pub mod lexicon;
pub mod people;
pub mod programme;
mod schedule;
pub mod structured;
pub mod text;
pub mod when;

use std::path::Path;

use self::description::{describe, series};
use self::language::language;
use self::people::{person, Directory};
use self::programme::{kind_of, moderator_rest, Entry};
use self::schedule::schedule;
use self::structured::Structured;
use self::text::{
    bullet, clean_inline, fold, heading, html_lines, is_link_only, looks_like_html, markdown_lines,
    Line, PageText,
};
use self::when::{find_date, hhmm, Stamp};
use super::agenda::{Agenda, Item, ItemKind, Person};
use crate::error::{Error, Result};

const FALLBACK: &str = "write an agenda.toml instead; see `eventcast agenda import`";

/// An imported agenda, and the lines of the page's agenda that gave nothing.
#[derive(Debug, Clone)]
pub struct Imported {
    pub agenda: Agenda,
    /// (line number, text) of each agenda line that became no item.
    pub unread: Vec<(usize, String)>,
}

/// Read a published event page and return the agenda it describes.
pub fn import(text: &str, path: &Path) -> Result<Agenda> {
    read(text, path).map(|i| i.agenda)
}

fn is_date_line(l: &str) -> bool {
    find_date(l).is_some() && l.split_whitespace().count() <= 10
}

fn is_title_like(l: &str) -> bool {
    l.split_whitespace().count() >= 2
        && l.chars().any(char::is_lowercase)
        && !(is_date_line(l) || is_link_only(l) || l.ends_with(':') || l.contains(" > "))
        && bullet(l).is_none()
        && moderator_rest(l).is_none()
        && !l.starts_with('|')
}

/// Read a published event page: the agenda and what could not be read.
pub fn read(text: &str, path: &Path) -> Result<Imported> {
    let is_html = looks_like_html(text);
    let page = if is_html {
        html_lines(text)
    } else {
        PageText {
            lines: markdown_lines(text),
            ..Default::default()
        }
    };
    let data = if is_html {
        structured::read(text).unwrap_or_default()
    } else {
        Structured::default()
    };
    let lines = &page.lines;
    // The structured description, as lines, for what the visible page does not say.
    let data_lines: Vec<Line> = (data.description.iter())
        .flat_map(|d| d.lines().map(|l| (0, l.trim().to_string())))
        .collect();
    let (title, title_at) = title(lines, &data, path)?;
    let (mut dir, named) = people_on_page(lines, &data, &data_lines);

    // The visible agenda, unless it is only words (a site menu with "Welcome") and the
    // structured data has a programme.
    let substantial = |p: &programme::Programme| {
        (p.entries.iter())
            .any(|e| e.start.is_some() || e.minutes.is_some() || !e.speakers.is_empty())
    };
    let programme = programme::find(lines, &dir, path)?
        .filter(|p| data.sub_events.is_empty() || substantial(p));
    let (agenda_at, entries, unread) = match programme {
        Some(p) => (Some(p.start), p.entries, p.unread),
        None => (None, sub_event_entries(&data), Vec::new()),
    };
    if entries.is_empty() {
        let msg = "no agenda found: expected a list, a table or lines that start with a time, \
                   such as `- 14:05 Title – **Name**, Role, Organisation (10 min)`; fix the page";
        return Err(Error::input(path, format!("{msg} or {FALLBACK}")));
    }
    // The moderator: a label or a list of speakers, else an agenda line ("by the
    // moderator, Name"), else "Hosted by".
    let mut moderator = named.moderator;
    for f in entries.iter().flat_map(|e| &e.speakers) {
        dir.add(&f.person);
        if f.moderator && moderator.is_none() {
            moderator = Some(f.person.clone());
        }
    }
    let mut moderator = moderator.or(named.host);
    if let Some(m) = &mut moderator {
        dir.complete(m);
    }

    let when = schedule(&page, &data, &data_lines, &entries, path)?;
    let items = items(&entries, moderator.as_ref(), &dir, when.end);
    let description_lines = match (title_at, agenda_at) {
        (Some(t), Some(a)) if a > t => &lines[t + 1..a],
        (Some(t), None) => &lines[t + 1..],
        _ => &[][..],
    };
    let mut description = describe(description_lines);
    if description.is_empty() {
        description = describe(&data_lines);
    }
    let agenda = Agenda {
        series: series(&title, &description),
        title,
        date: when.date,
        time: when.start.map(hhmm),
        timezone: when.zone.filter(|_| when.start.is_some()),
        language: language(&page, &data),
        description,
        moderator,
        total_minutes: when.total_minutes,
        items,
    };
    agenda.validate(path)?;
    Ok(Imported { agenda, unread })
}

/// The title and the index of its line: the first `# ` heading, else the structured name
/// (its line: the first that reads like a title), else the first line that reads like one.
fn title(lines: &[Line], data: &Structured, path: &Path) -> Result<(String, Option<usize>)> {
    let heading_at = lines.iter().position(|(_, l)| l.starts_with("# "));
    let title_at = heading_at.or_else(|| lines.iter().position(|(_, l)| is_title_like(l)));
    let title = match (heading_at, &data.name, title_at) {
        (Some(i), _, _) => clean_inline(heading(&lines[i].1).unwrap_or("")),
        (None, Some(name), _) => name.clone(),
        (None, None, Some(i)) => clean_inline(&lines[i].1),
        (None, None, None) => {
            let msg = "no title found: start the page with the webinar's title";
            return Err(Error::input(path, format!("{msg}, or {FALLBACK}")));
        }
    };
    Ok((title, title_at))
}

/// The moderator as the page names them outside the agenda.
struct Named {
    /// From a label ("Moderator:", "Modera", "Animé par") or "(moderator)" in a list of
    /// speakers.
    moderator: Option<Person>,
    /// From "Hosted by", used only when nothing else names a moderator.
    host: Option<Person>,
}

/// Everyone the page describes outside its agenda (structured people, "Role: Name" lines,
/// lists of speakers, the moderator's label), and the moderator it names.
fn people_on_page(lines: &[Line], data: &Structured, data_lines: &[Line]) -> (Directory, Named) {
    let mut dir = Directory::default();
    for p in &data.people {
        dir.add(p);
    }
    for (_, l) in lines.iter().chain(data_lines) {
        if let Some(p) = people::role_first(&clean_inline(l)) {
            dir.add(&p);
        }
    }
    let mut listed_moderator = None;
    for found in lines.iter().filter_map(|(_, l)| described_person(l)) {
        dir.add(&found.person);
        if found.moderator {
            listed_moderator = listed_moderator.or(Some(found.person));
        }
    }
    let (mut labelled, mut host) = (None, None);
    for (_, l) in lines.iter().chain(data_lines) {
        let Some(rest) = moderator_rest(l) else {
            continue;
        };
        let hosted = fold(l)
            .trim_start_matches(['-', '*', ' '])
            .starts_with("hosted");
        let found = person(&clean_inline(rest)).map(|f| f.person);
        if hosted {
            host = host.or(found);
        } else {
            labelled = labelled.or(found);
        }
    }
    let moderator = labelled.or(listed_moderator);
    if let Some(m) = &moderator {
        dir.add(m);
    }
    (dir, Named { moderator, host })
}

/// A person a line describes: a bullet that starts with a name followed by details, or a
/// line that starts with a bold name followed by details.
fn described_person(l: &str) -> Option<people::Found> {
    let (text, is_bullet) = match bullet(l) {
        Some(b) => (b, true),
        None => (l, false),
    };
    if !(is_bullet || text.starts_with("**")) {
        return None;
    }
    let found = person(&clean_inline(text))?;
    let p = &found.person;
    let described = p.role.is_some() || p.organisation.is_some() || p.country.is_some();
    (described && found.rest.is_none()).then_some(found)
}

/// The programme from structured `subEvent`s, for pages that show none.
fn sub_event_entries(data: &Structured) -> Vec<Entry> {
    let minutes = |s: &Option<Stamp>| s.and_then(|s| s.local(None).1);
    (data.sub_events.iter())
        .map(|s| {
            let (start, end) = (minutes(&s.start), minutes(&s.end));
            Entry {
                start,
                end,
                minutes: None,
                title: Some(s.name.clone()),
                speakers: (s.performers.iter())
                    .map(|p| people::Found {
                        person: p.clone(),
                        moderator: false,
                        rest: None,
                    })
                    .collect(),
                by_moderator: false,
            }
        })
        .collect()
}

/// Agenda items from the programme's entries: kinds settled against the moderator, people
/// completed from the directory, and minutes from stated lengths or clock times.
fn items(
    entries: &[Entry],
    moderator: Option<&Person>,
    dir: &Directory,
    end: Option<u32>,
) -> Vec<Item> {
    let is_moderator = |p: &Person| {
        moderator.is_some_and(|m| {
            fold(&m.name)
                .split_whitespace()
                .eq(fold(&p.name).split_whitespace())
        })
    };
    let mut items = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let mut speakers: Vec<Person> = Vec::new();
        for f in &e.speakers {
            if f.moderator && is_moderator(&f.person) {
                continue;
            }
            let mut p = f.person.clone();
            dir.complete(&mut p);
            speakers.push(p);
        }
        let title = e.title.clone();
        let mut kind = kind_of(title.as_deref().unwrap_or(""), speakers.len());
        if kind != ItemKind::Talk {
            speakers.retain(|p| !is_moderator(p));
        }
        if kind == ItemKind::Wrapup && speakers.is_empty() {
            kind = ItemKind::Outro;
        }
        if kind == ItemKind::Talk && speakers.is_empty() {
            kind = ItemKind::Other;
        }
        let next_start = entries.get(i + 1).and_then(|n| n.start);
        let until = e
            .end
            .or(next_start)
            .or(if i + 1 == entries.len() { end } else { None });
        let minutes = e.minutes.or(match (e.start, until) {
            (Some(a), Some(b)) if b > a => Some(f64::from(b - a)),
            _ => None,
        });
        let title = match kind {
            ItemKind::Talk if title.is_none() => None,
            _ => title,
        };
        items.push(Item {
            kind,
            title,
            speakers,
            minutes,
            skip: false,
        });
    }
    items
}

#[cfg(test)]
mod tests;
