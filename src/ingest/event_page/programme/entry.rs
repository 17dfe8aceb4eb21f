//! One agenda line, read into an [`Entry`].
//!
//! Each agenda line is cut into a clock time or range, a length, and parts separated by
//! dashes, `|`, sentence ends and words such as "by", "a cargo de" or "Participan:". A part
//! that starts with a person (bold, or a name followed by details, or a name the page
//! describes elsewhere) gives speakers; "the moderator", "(moderadora)" or "moderated by"
//! mark the moderator; what remains is the title. The kind comes from the title's words.

use std::path::Path;

use super::super::lexicon::{
    listed, mentions, CLOSING_WORDS, CONNECTORS, HONORIFICS, INTRO_WORDS, MODERATOR_WORDS,
    PANEL_WORDS, QA_WORDS, SPEAKER_LABELS, SUBJECT_WORDS,
};
use super::super::people::{is_moderator_word, leading_name, people, Directory, Found};
use super::super::text::{bullet, clean_inline, fold, fold_map, nonempty, words};
use super::super::when::{find_duration, times_at};
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
pub(super) fn label(s: &str) -> Option<(bool, &str)> {
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
        if !w.is_empty() && w.len() <= 2 && listed(MODERATOR_WORDS, &w.join(" ")) {
            let rest = rest.trim_start().trim_start_matches(['*', '_']);
            return Some(rest.trim_start());
        }
    }
    let lower = fold(l);
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

/// `l` without bold marks around a leading clock time ("**16:00 h.** Apertura").
pub(super) fn unbold_time(l: &str) -> String {
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
pub(super) fn leading_times(l: &str) -> Option<(u32, Option<u32>, String)> {
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
                let title = c == '.' && listed(HONORIFICS, &fold(word_before));
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
    let (folded, from) = fold_map(s);
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
            if head.last().is_some_and(|x| listed(CONNECTORS, &fold(x))) {
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
