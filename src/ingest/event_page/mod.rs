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
//!
//! The visible agenda gives the order and the minutes; structured data completes the people
//! and gives the programme only when the page shows none. Welcome and closing items of the
//! moderator become `intro` and `outro` items. Items with clock times but no length run to
//! the next item, the last to the event's stated end. Lines of the agenda that gave nothing
//! are returned with the agenda ([`Imported::unread`]) so `agenda import` can show them.
//!
//! When a page defeats these rules the error says what is missing and points to
//! `agenda.toml`, which can always say the same thing explicitly.

pub mod lexicon;
pub mod people;
pub mod programme;
pub mod structured;
pub mod text;
pub mod when;

use std::path::Path;

use self::lexicon::{listed, FUNCTION_WORDS, LANGUAGES, LANGUAGE_NOTES};
use self::people::{person, Directory};
use self::programme::{is_total, kind_of, moderator_rest, Entry};
use self::structured::Structured;
use self::text::{
    bullet, clean_inline, fold, heading, html_lines, is_link_only, looks_like_html, markdown_lines,
    words, Line, PageText,
};
use self::when::{find_date, find_duration, find_times, hhmm, Stamp};
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

/// When the webinar is: date, local start and end (minutes after midnight), zone, total.
struct Schedule {
    date: String,
    start: Option<u32>,
    end: Option<u32>,
    zone: Option<String>,
    total_minutes: Option<f64>,
}

/// The schedule from structured data, else from the page's `<time>` or first date and the
/// times near it, else from the agenda's first and last clock times.
fn schedule(
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

/// "Series: Title", when the description calls the first part a series ("the series
/// Learning from cities", "el ciclo Aprender de las ciudades").
fn series(title: &str, description: &str) -> Option<String> {
    let (first, _) = title.split_once(':')?;
    let first = first.trim();
    let named = |word: &str| fold(description).contains(&format!("{word} {}", fold(first)));
    let series_words = ["series", "serie", "ciclo", "cycle"];
    (first.split_whitespace().count() >= 2 && series_words.iter().any(|w| named(w)))
        .then(|| first.to_string())
}

/// The spoken language: structured `inLanguage`, else a note ("held in Spanish"), else the
/// page's `lang` (its first part), else the language whose short words the page uses most.
fn language(page: &PageText, data: &Structured) -> String {
    let lines = &page.lines;
    let html_lang = || {
        let lang = page
            .lang
            .as_deref()?
            .split(['-', '_'])
            .next()?
            .to_lowercase();
        (!lang.is_empty()).then_some(lang)
    };
    (data.language.clone())
        .or_else(|| stated_language(lines))
        .or_else(html_lang)
        .unwrap_or_else(|| likely_language(lines))
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

/// The language of a note such as "held in Spanish"; a note that reads like one ("held",
/// "language", "nota", ...) beats a passing mention.
fn stated_language(lines: &[Line]) -> Option<String> {
    let mut weak = None;
    for (_, l) in lines {
        let t = words(l);
        let note = t.iter().any(|w| listed(LANGUAGE_NOTES, w));
        for w in t.windows(2) {
            if !listed("in|en|em|language|idioma|langue|lengua", &w[0]) {
                continue;
            }
            let code = LANGUAGES.split('|').find_map(|entry| {
                let mut names = entry.split_whitespace();
                let code = names.next()?;
                names.any(|n| n == w[1]).then_some(code)
            });
            match code {
                Some(code) if note => return Some(code.to_string()),
                Some(code) => weak = weak.or(Some(code)),
                None => {}
            }
        }
    }
    weak.map(String::from)
}

/// The language whose own short words the page uses most; "en" when in doubt.
fn likely_language(lines: &[Line]) -> String {
    let all: Vec<String> = lines.iter().flat_map(|(_, l)| words(l)).collect();
    let mut best = ("en", 0);
    for entry in FUNCTION_WORDS.split('|') {
        let mut w = entry.split_whitespace();
        let code = w.next().unwrap_or("en");
        let list: Vec<&str> = w.collect();
        let count = all.iter().filter(|x| list.contains(&x.as_str())).count();
        if count > best.1 {
            best = (code, count);
        }
    }
    best.0.to_string()
}

/// Whether `l` is a short label and its value ("**Where:** Online", "Contact : ...").
fn is_labelled(l: &str) -> bool {
    let l = l.trim_start_matches(['*', '_']);
    l.split_once(':').is_some_and(|(head, _)| {
        (1..=3).contains(&head.split_whitespace().count()) && !head.contains(',')
    })
}

/// The prose paragraphs of `lines`, without dates, times, links, labels, headings and noise.
fn describe(lines: &[Line]) -> String {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let end = (0, String::new());
    for (_, l) in lines.iter().chain([&end]) {
        let symbol = l
            .chars()
            .next()
            .is_some_and(|c| !c.is_alphanumeric() && !"*[(\"'“«¿¡_<".contains(c));
        let when = (is_date_line(l) || when::mentions_time(l)) && !l.ends_with(['.', '!', '?']);
        let noise = l.starts_with('#')
            || when
            || symbol
            || is_link_only(l)
            || is_labelled(l)
            || (l.ends_with(':') && l.split_whitespace().count() <= 4)
            || !l.chars().any(char::is_lowercase)
            || bullet(l).is_some()
            || l.starts_with('|')
            || moderator_rest(l).is_some()
            || is_total(l)
            || people::role_first(&clean_inline(l)).is_some();
        if !noise {
            current = format!("{current} {l}");
        } else if l.is_empty() {
            let p = clean_inline(&current);
            if p.split_whitespace().count() >= 8 {
                paragraphs.push(p);
            }
            current.clear();
        }
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        include_str!("../../../tests/fixtures/events/learning-from-cities-2021-06-29.md");

    /// Everything the fixture says except the description, as a user would write it.
    const EXPECTED: &str = r#"
title = "Learning from cities: Innovation in covid times"
series = "Learning from cities"
date = "2021-06-29"
language = "es"
total_minutes = 60.0
moderator = { name = "Diana Lopez", role = "Partnerships Specialist, Cities and Urbanization" }
items = [
  { kind = "talk", minutes = 10.0, speakers = [{ name = "Natalia Currea Dereser", role = "Knowledge and innovation director", organisation = "Agencia de Cooperación e Inversión de Medellín y el Área Metropolitana de Medellín", city = "Medellín", country = "Colombia", handle = "@NatCurrea" }] },
  { kind = "qa", title = "Follow up comments and Q&A by the moderator taking questions from the chat" },
  { kind = "talk", minutes = 10.0, speakers = [{ name = "María Eugenia Corti", role = "Sustainable and smart development director", organisation = "Intendencia de Montevideo", city = "Montevideo", country = "Uruguay" }] },
  { kind = "qa", title = "Follow up comments and Q&A by the moderator taking questions from the chat" },
  { kind = "wrapup", title = "Wrap up comments and recommendations", minutes = 5.0, speakers = [{ name = "Octavi de la Varga", role = "Secretary-General", organisation = "Metropolis" }] },
]
"#;

    fn load(text: &str) -> Agenda {
        import(text, Path::new("page.md")).expect("the page imports")
    }

    fn expect_err(text: &str) -> String {
        import(text, Path::new("p.md"))
            .expect_err("the page is refused")
            .to_string()
    }

    #[test]
    fn fixture_fields_and_items() {
        let expected = Agenda::from_toml(EXPECTED, Path::new("expected.toml")).expect("valid TOML");
        let mut a = load(PAGE);
        a.description.clear();
        assert_eq!(a, expected);
    }

    #[test]
    fn fixture_description_is_the_six_prose_paragraphs() {
        let d = load(PAGE).description;
        let paragraphs: Vec<&str> = d.split("\n\n").collect();
        assert_eq!(paragraphs.len(), 6, "{d}");
        assert!(
            paragraphs[0].starts_with("Societies are changing quickly, and the public"),
            "{d}"
        );
        assert!(
            paragraphs[5].starts_with("The joint UNDP - Metropolis series"),
            "{d}"
        );
        assert!(
            paragraphs[5].contains("webpage https://www.metropolis.org/learning-from-cities and")
        );
        for noise in [
            "INTERNATIONAL",
            "CALENDAR",
            "29 Jun",
            "Register",
            "Documents",
            "Moderator",
            "**",
        ] {
            assert!(!d.contains(noise), "{noise:?} in {d}");
        }
    }

    #[test]
    fn fixture_validates_and_round_trips_through_toml() {
        let a = load(PAGE);
        a.validate(Path::new("page.md")).expect("valid agenda");
        let back =
            Agenda::from_toml(&a.to_toml(), Path::new("agenda.toml")).expect("TOML reads back");
        assert_eq!(back, a);
        assert_eq!(a.planned_minutes(), vec![10.0, 17.5, 10.0, 17.5, 5.0]);
    }

    #[test]
    fn html_page_gives_the_same_agenda() {
        let html = r##"<!DOCTYPE html><html><head><title>Learning from cities | Metropolis</title></head>
<body><nav><ul><li>INTERNATIONAL</li><li>CALENDAR</li></ul></nav>
<h1>Learning from cities: Innovation in covid times</h1>
<p class="date">29 Jun. 2021</p><p><a href="#">Register here</a></p>
<p>Societies are changing quickly, and the public sector needs to adapt as well &ndash; innovation is
   no longer a luxury &amp; needs&nbsp;care.</p>
<!-- <p>1 January 2020</p> -->
<p>The joint UNDP - Metropolis series Learning from cities highlights city and metropolitan solutions.</p>
<p>Moderator: <strong>Diana Lopez</strong> - Partnerships Specialist, Cities and Urbanization</p>
<ul>
  <li><strong>Natalia Currea Dereser, Knowledge and innovation director. Agencia de Cooperaci&oacute;n e
      Inversi&oacute;n de Medell&iacute;n y el &Aacute;rea Metropolitana de Medell&iacute;n.</strong><br>
      Colombia (10 min) @NatCurrea</li>
  <li>Follow up comments and Q&amp;A by the moderator taking questions from the chat</li>
  <li><b>Mar&#237;a Eugenia Corti, Sustainable and smart development director.</b><br/>Intendencia de
      Montevideo, Uruguay (10 minutos)</li>
  <li><p>Follow up comments and Q&#x26;A by the moderator taking questions from the chat</p></li>
  <li>Wrap up comments and recommendations by <strong>Octavi de la Varga, Secretary-General of
      Metropolis</strong> (5 minutes)</li>
</ul>
<p>Total time - approximately 60 min</p><p>Please note that this event will be held in Spanish</p>
</body></html>"##;
        let mut a = import(html, Path::new("page.html")).expect("the HTML page imports");
        let d = "Societies are changing quickly, and the public sector needs to adapt as well – innovation \
                 is no longer a luxury & needs care.\n\nThe joint UNDP - Metropolis series Learning from \
                 cities highlights city and metropolitan solutions.";
        assert_eq!(a.description, d);
        a.description = load(PAGE).description;
        assert_eq!(a, load(PAGE));
        let lines = html_lines(html).lines;
        let natalia = lines
            .iter()
            .find(|(_, l)| l.starts_with("- **Natalia"))
            .expect("a bullet line");
        assert_eq!(natalia.0, 11, "HTML lines keep their source line numbers");
    }

    #[test]
    fn spanish_page() {
        let page = "# Aprender de las ciudades: Innovación en tiempos de covid\n\nmartes, 29 de junio de 2021\n\n\
            El ciclo Aprender de las ciudades reúne a gobiernos locales para compartir soluciones urbanas.\n\n\
            Moderadora: **Diana López** - Especialista en alianzas, Ciudades y Urbanización\n\n\
            1. Palabras de bienvenida (5 minutos)\n\
            2. **Natalia Currea Dereser, Directora de innovación. Alcaldía de Medellín, Colombia** (10 minutos)\n\
            3. Preguntas del público\n\
            4. Conclusiones y cierre por **Octavi de la Varga, Secretario General de Metropolis** (5')\n\n\
            Duración total: 1 hora\n\nEvento en español";
        let expected = r#"
            title = "Aprender de las ciudades: Innovación en tiempos de covid"
            series = "Aprender de las ciudades"
            date = "2021-06-29"
            language = "es"
            description = "El ciclo Aprender de las ciudades reúne a gobiernos locales para compartir soluciones urbanas."
            total_minutes = 60.0
            moderator = { name = "Diana López", role = "Especialista en alianzas, Ciudades y Urbanización" }
            items = [
              { kind = "intro", title = "Palabras de bienvenida", minutes = 5.0 },
              { kind = "talk", minutes = 10.0, speakers = [{ name = "Natalia Currea Dereser", role = "Directora de innovación", organisation = "Alcaldía de Medellín", city = "Medellín", country = "Colombia" }] },
              { kind = "qa", title = "Preguntas del público" },
              { kind = "wrapup", title = "Conclusiones y cierre", minutes = 5.0, speakers = [{ name = "Octavi de la Varga", role = "Secretario General de Metropolis" }] },
            ]"#;
        assert_eq!(
            load(page),
            Agenda::from_toml(expected, Path::new("e.toml")).expect("valid TOML")
        );
    }

    #[test]
    fn missing_title_date_or_agenda_is_an_input_error_naming_the_file() {
        let page = "# Learning from cities\n\n29 June 2021\n\nA webinar about innovation in cities and what they learned.\n";
        let err = import(page, Path::new("events/page.md")).expect_err("no agenda");
        assert_eq!(err.exit_code(), 2);
        let msg = err.to_string();
        assert!(
            msg.starts_with("events/page.md: no agenda found: expected a list, a table or lines"),
            "{msg}"
        );
        assert!(
            msg.ends_with("write an agenda.toml instead; see `eventcast agenda import`"),
            "{msg}"
        );
        assert!(expect_err("INTERNATIONAL\n\n- Q&A\n").starts_with("p.md: no title found"));
        assert!(expect_err("# Title here\n\n- Q&A (10 min)\n").starts_with("p.md: no date found"));
    }

    #[test]
    fn bad_dates_and_lengths_name_the_line() {
        let msg = expect_err("# Title here\n\n31 June 2021\n\n- Q&A\n");
        assert!(
            msg.starts_with("p.md:3: `31 June 2021` is not a real date"),
            "{msg}"
        );
        let msg = expect_err("# Title here\n\n2021-06-29\n\n- Welcome\n- Q&A (0 min)\n");
        assert!(msg.starts_with("p.md:6: a length of zero minutes"), "{msg}");
    }

    #[test]
    fn structured_programme_beats_a_menu() {
        let page = r#"<html><head><script type="application/ld+json">
{"@type":"Event","name":"Agua y ciudad","startDate":"2025-02-06T09:00:00-06:00",
 "subEvent":[{"@type":"Event","name":"Bienvenida","startDate":"2025-02-06T09:00:00-06:00","endDate":"2025-02-06T09:05:00-06:00"},
  {"@type":"Event","name":"Captación pluvial","startDate":"2025-02-06T09:05:00-06:00","endDate":"2025-02-06T09:30:00-06:00",
   "performer":{"@type":"Person","name":"Roberto Salinas","jobTitle":"Director"}}]}
</script></head><body><div class="menu"><ul><li>Bienvenida</li><li>Contacto</li></ul></div></body></html>"#;
        let a = import(page, Path::new("p.html")).expect("imports");
        let kinds: Vec<ItemKind> = a.items.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [ItemKind::Intro, ItemKind::Talk]);
        assert_eq!(a.items[1].minutes, Some(25.0));
        assert_eq!(a.items[1].speakers[0].role.as_deref(), Some("Director"));
        assert_eq!(a.time.as_deref(), Some("09:00"));
        assert_eq!(a.timezone.as_deref(), Some("Etc/GMT+6"));
    }

    #[test]
    fn truncated_pages_never_panic() {
        for page in [
            PAGE,
            "<p>Caf&eacute; &#xZZ; &bogus; <li><strong>Jos&eacute; P&eacute;rez</b> 1 h 3",
        ] {
            for (cut, _) in page.char_indices().step_by(3) {
                let _ = import(&page[..cut], Path::new("p.md"));
            }
        }
    }

    #[test]
    fn durations() {
        let cases =
            "(10 min)=10|10 minutos=10|5 minutes=5|(10 mins)=10|10'=10|1 h=60|90 min=90|1 hora=60|\
                     1h30=90|1 h 15 min=75|1.5 hours=90|about 45 Min.=45|2 horas=120";
        for (text, minutes) in cases.split('|').filter_map(|c| c.split_once('=')) {
            assert_eq!(
                find_duration(text).map(|d| d.0.to_string()).as_deref(),
                Some(minutes),
                "{text}"
            );
        }
        for text in [
            "Agenda 2030 goals",
            "COVID-19 times",
            "16:00 h",
            "at 16 h",
            "29 Jun. 2021",
        ] {
            assert_eq!(find_duration(text), None, "{text}");
        }
    }

    #[test]
    fn dates() {
        let june29 = "29 Jun. 2021|29 June 2021|June 29, 2021|Tuesday, June 29th, 2021|2021-06-29|29 jun 2021|\
                      martes, 29 de junio de 2021|29 juin 2021|29 de junho de 2021|Jun 29 2021";
        for text in june29.split('|') {
            assert_eq!(find_date(text), Some((2021, 6, 29)), "{text}");
        }
        assert_eq!(find_date("1er juillet 2021"), Some((2021, 7, 1)));
        assert_eq!(find_date("12 sept. 2022"), Some((2022, 9, 12)));
        assert_eq!(find_date("3 dic. 2020"), Some((2020, 12, 3)));
        assert_eq!(find_date("Agenda 2030 and the SDGs"), None);
    }

    #[test]
    fn languages() {
        let language =
            |lines: &[Line]| stated_language(lines).unwrap_or_else(|| likely_language(lines));
        let lang = |text: &str| language(&[(1, text.to_string())]);
        assert_eq!(
            lang("Please note that this event will be held in Spanish"),
            "es"
        );
        assert_eq!(lang("Evento en español"), "es");
        assert_eq!(lang("Language: Portuguese"), "pt");
        assert_eq!(lang("Ce webinaire se tiendra en français"), "fr");
        assert_eq!(lang("The webinar will be in English."), "en");
        assert_eq!(lang("No note at all"), "en");
        let two = [
            (1, "Slides in French are online".to_string()),
            (2, "Held in German".to_string()),
        ];
        assert_eq!(language(&two), "de", "a note that says `held` wins");
    }
}
