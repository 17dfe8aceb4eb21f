//! Import a published event page (Markdown or HTML) into an [`Agenda`].
//!
//! Users rarely have their webinar as structured data: they have the page the organiser
//! published, with a title, a date, some paragraphs, a moderator and a bullet list of
//! speakers. This importer reads that page so nobody has to retype it as `agenda.toml`.
//! It is a set of small, predictable heuristics, not a general parser:
//!
//! - HTML is first reduced to text lines (block elements end lines, `<li>` becomes `- `,
//!   `<strong>`/`<b>` become `**`, common entities are decoded); both forms are then read
//!   the same way.
//! - Title: the first `# ` heading, else the first line that is not navigation noise (all
//!   capitals), a date, a link, a label such as `Documents:` or a bullet.
//! - Date: the first day, month and year found (English, Spanish, French or Portuguese month
//!   names or abbreviations, `June 29, 2021`, or ISO `2021-06-29`).
//! - Language: a note such as "held in Spanish" or "en español"; "en" when there is none.
//! - Agenda: the first bullet list that looks like one (a length, a bold name or a
//!   Q&A/welcome/wrap-up keyword). A line right under a bullet continues it. Bold text that
//!   starts with a name is a speaker, read as `Name, Role. Organisation, Country`; an
//!   `@handle` and a length such as `(10 min)`, `10 minutos`, `10'` or `1 h` may follow.
//!   The city is only filled in when the organisation is named after it ("Intendencia de
//!   Montevideo").
//! - Description: the prose paragraphs between the title and the agenda.
//! - Series: the part of the title before `:` when the description names it again.
//!
//! When a page defeats these rules the error says what is missing and points to
//! `agenda.toml`, which can always say the same thing explicitly.

use std::ops::Range;
use std::path::Path;

use super::agenda::{Agenda, Item, ItemKind, Person};
use crate::error::{Error, Result};

const FALLBACK: &str = "write an agenda.toml instead; see `eventcast agenda import`";

/// A line of the page: its 1-based line number in the file and its trimmed text.
type Line = (usize, String);

/// Month names in English, Spanish, French and Portuguese (accents folded), one month per `|`.
const MONTHS: &str = "january enero janvier janeiro|february febrero fevrier fevereiro|\
    march marzo mars marco|april abril avril|may mayo mai maio|june junio juin junho|\
    july julio juillet julho|august agosto aout|\
    september septiembre setiembre septembre setembro|october octubre octobre outubro|\
    november noviembre novembre novembro|december diciembre decembre dezembro";

/// A BCP 47 code, then the language's names in English, Spanish, French and itself.
const LANGUAGES: &str = "en english ingles anglais|es spanish espanol castellano espagnol|\
    fr french frances francais|pt portuguese portugues portugais|de german aleman allemand \
    deutsch|it italian italiano italien|ca catalan catala|ar arabic arabe|zh chinese chino \
    chinois mandarin|ru russian ruso russe|ja japanese japones japonais|ko korean coreano|\
    nl dutch neerlandes neerlandais|tr turkish turco turc|hi hindi";

/// Country names as written on event pages (accents folded, lower case).
const COUNTRIES: &str = "argentina|bolivia|brazil|brasil|chile|colombia|costa rica|cuba|\
    ecuador|el salvador|guatemala|haiti|honduras|jamaica|mexico|nicaragua|panama|paraguay|\
    peru|puerto rico|dominican republic|republica dominicana|uruguay|venezuela|canada|\
    united states|usa|estados unidos|eeuu|spain|espana|france|francia|germany|alemania|italy|\
    italia|portugal|united kingdom|uk|reino unido|ireland|irlanda|netherlands|paises bajos|\
    belgium|belgica|switzerland|suiza|austria|sweden|suecia|norway|noruega|denmark|dinamarca|\
    finland|finlandia|poland|polonia|greece|grecia|czechia|czech republic|hungary|hungria|\
    romania|rumania|ukraine|ucrania|russia|rusia|turkey|turkiye|turquia|morocco|marruecos|\
    algeria|argelia|tunisia|tunez|egypt|egipto|nigeria|ghana|senegal|cote d'ivoire|\
    ivory coast|costa de marfil|cameroon|camerun|kenya|kenia|ethiopia|etiopia|tanzania|\
    uganda|rwanda|ruanda|south africa|sudafrica|mozambique|angola|china|japan|japon|\
    south korea|corea del sur|india|indonesia|philippines|filipinas|vietnam|thailand|\
    tailandia|malaysia|malasia|singapore|singapur|pakistan|bangladesh|iran|iraq|israel|\
    jordan|jordania|lebanon|libano|saudi arabia|arabia saudita|united arab emirates|\
    emiratos arabes unidos|australia|new zealand|nueva zelanda";

/// Words after which an organisation names its city ("Intendencia de Montevideo").
const CITY_MARKERS: &str = "alcaldia de|intendencia de|ayuntamiento de|municipalidad de|\
    municipio de|prefeitura de|area metropolitana de|ciudad de|city of|municipality of|\
    metropolitan area of|ville de";

const MODERATOR_LABELS: &str = "moderator|moderadora|moderador|moderacion|moderatrice|\
    moderateur|moderation|chair|host|facilitator|facilitadora|facilitador";

/// Whether `word` is one of the `|`-separated entries of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split('|').any(|x| x == word)
}

/// Read a published event page and return the agenda it describes.
pub fn import(text: &str, path: &Path) -> Result<Agenda> {
    let lines: Vec<Line> = if looks_like_html(text) {
        html_lines(text)
    } else {
        let numbered = text.lines().enumerate();
        numbered
            .map(|(i, l)| (i + 1, l.trim().to_string()))
            .collect()
    };
    let title_at = (lines.iter().position(|(_, l)| l.starts_with("# ")))
        .or_else(|| lines.iter().position(|(_, l)| is_title_like(l)))
        .ok_or_else(|| {
            let msg = "no title found: start the page with the webinar's title";
            Error::input(path, format!("{msg}, or {FALLBACK}"))
        })?;
    let title = clean_inline(lines[title_at].1.trim_start_matches('#'));
    let date = page_date(&lines, path)?;
    let (mut moderator, mut total_minutes) = (None, None);
    for (_, l) in &lines {
        if let Some(rest) = moderator_rest(l) {
            moderator = moderator.or_else(|| person_in(rest));
        } else if total_minutes.is_none() && is_total(l) {
            total_minutes = find_duration(l).map(|(m, _)| m).filter(|m| *m > 0.0);
        }
    }
    let Some((agenda_at, items)) = find_agenda(&lines, path)? else {
        let msg = "no agenda found: expected a bullet list such as \
                   `- **Name, Role. Organisation, Country** (10 min)`; fix the page";
        return Err(Error::input(path, format!("{msg} or {FALLBACK}")));
    };
    let description = describe(lines.get(title_at + 1..agenda_at).unwrap_or(&[]));
    let series = (title.split_once(':').map(|(s, _)| s.trim().to_string()))
        .filter(|s| s.split_whitespace().count() >= 2 && fold(&description).contains(&fold(s)));
    let agenda = Agenda {
        title,
        series,
        date,
        time: None,
        timezone: None,
        language: page_language(&lines),
        description,
        moderator,
        total_minutes,
        items,
    };
    agenda.validate(path)?;
    Ok(agenda)
}

fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

/// Folded words of `s`, keeping `&` and `'` ("q&a", "d'ivoire").
fn words(s: &str) -> Vec<String> {
    let folded = fold(s);
    let parts = folded.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '&'));
    parts.filter(|w| !w.is_empty()).map(String::from).collect()
}

/// The byte length of the run of `s`'s first characters that match `f`.
fn leading(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.len() - s.trim_start_matches(f).len()
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim_matches(|c: char| ",;:.-".contains(c) || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_string())
}

/// Drop Markdown emphasis and link syntax and collapse whitespace.
fn clean_inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let out = out.replace("**", "");
    let unwrap = |w: &str| match w.strip_prefix("<http") {
        Some(url) => format!("http{}", url.replacen('>', "", 1)),
        None => w.to_string(),
    };
    out.split_whitespace()
        .map(unwrap)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a bullet line (`- `, `* `, `+ `, `• `, `1. `, `1) `).
fn bullet(l: &str) -> Option<&str> {
    if let Some(r) = ["- ", "* ", "+ ", "• "]
        .iter()
        .find_map(|m| l.strip_prefix(m))
    {
        return Some(r.trim());
    }
    let digits = leading(l, |c| c.is_ascii_digit());
    let r = &l[digits..];
    let numbered = (1..=2).contains(&digits) && (r.starts_with(". ") || r.starts_with(") "));
    numbered.then(|| r[2..].trim())
}

fn is_link_only(l: &str) -> bool {
    (l.starts_with('[') && l.ends_with(')') && l.matches("](").count() == 1)
        || (l.starts_with("<http") && l.ends_with('>'))
        || (l.starts_with("http") && !l.contains(' '))
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
}

/// A short line announcing the total length ("Total time - approximately 60 min").
fn is_total(l: &str) -> bool {
    let w = words(l);
    w.len() <= 12 && w.iter().any(|w| listed("total|duration|duracion|duree", w))
}

/// What follows a "Moderator:" label (or "Moderated by"), if `l` is such a line.
fn moderator_rest(l: &str) -> Option<&str> {
    let l = bullet(l).unwrap_or(l);
    if let Some((label, rest)) = l.split_once(':') {
        let word = fold(label);
        if listed(
            MODERATOR_LABELS,
            word.trim_matches(|c: char| c == '*' || c == ' '),
        ) {
            let rest = rest.trim_start();
            let bold_label = label.contains("**");
            return Some(if bold_label {
                rest.strip_prefix("**").unwrap_or(rest)
            } else {
                rest
            });
        }
    }
    let by = "moderated by |moderada por |moderado por |chaired by |hosted by ";
    by.split('|').find_map(|p| {
        let hit = l.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p));
        hit.then(|| &l[p.len()..])
    })
}

fn month_of(t: &str) -> Option<i8> {
    let months = || MONTHS.split('|').zip(1..);
    if let Some((_, m)) = months().find(|(names, _)| names.split(' ').any(|n| n == t)) {
        return Some(m);
    }
    if t.len() < 3 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let abbreviates = |names: &str| names.split(' ').any(|n| n.starts_with(t));
    let hits: Vec<i8> = months()
        .filter(|(names, _)| abbreviates(names))
        .map(|(_, m)| m)
        .collect();
    match hits[..] {
        [m] => Some(m),
        _ => None,
    }
}

fn day_of(t: &str) -> Option<i8> {
    let n = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if n.is_empty() || n.len() > 2 || t.len() - n.len() > 2 {
        return None;
    }
    n.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year_of(t: &str) -> Option<i16> {
    let y: i16 = t.parse().ok().filter(|_| t.len() == 4)?;
    (1900..=2100).contains(&y).then_some(y)
}

/// The first date in `l` as (year, month, day), not yet checked to exist.
fn find_date(l: &str) -> Option<(i16, i8, i8)> {
    for w in l.as_bytes().windows(10) {
        let digits = |r: Range<usize>| w[r].iter().all(u8::is_ascii_digit);
        if digits(0..4) && w[4] == b'-' && digits(5..7) && w[7] == b'-' && digits(8..10) {
            let n = |r: Range<usize>| std::str::from_utf8(&w[r]).ok()?.parse::<i16>().ok();
            return Some((n(0..4)?, n(5..7)? as i8, n(8..10)? as i8));
        }
    }
    let t = words(l);
    let get = |i: usize| t.get(i).map(String::as_str);
    let skip_de = |i: usize| {
        if matches!(get(i), Some("de" | "del")) {
            i + 1
        } else {
            i
        }
    };
    for (i, tok) in t.iter().enumerate() {
        if let Some(d) = day_of(tok) {
            let at = skip_de(i + 1);
            let y = get(skip_de(at + 1)).and_then(year_of);
            if let (Some(m), Some(y)) = (get(at).and_then(month_of), y) {
                return Some((y, m, d));
            }
        }
        let (m, d, y) = (
            month_of(tok),
            get(i + 1).and_then(day_of),
            get(i + 2).and_then(year_of),
        );
        if let (Some(m), Some(d), Some(y)) = (m, d, y) {
            return Some((y, m, d));
        }
    }
    None
}

fn page_date(lines: &[Line], path: &Path) -> Result<String> {
    for (n, l) in lines {
        if let Some((y, m, d)) = find_date(l) {
            return jiff::civil::Date::new(y, m, d)
                .map(|d| d.to_string())
                .map_err(|e| {
                    let msg = format!("`{l}` is not a real date ({e}); fix it or {FALLBACK}");
                    Error::parse(path, *n, msg)
                });
        }
    }
    let msg = "no date found: add a line such as `29 June 2021` or `2021-06-29`";
    Err(Error::input(path, format!("{msg}, or {FALLBACK}")))
}

/// The language of a note such as "held in Spanish"; "en" when the page has none. A line
/// that reads like a note ("held", "language", "nota", ...) beats a passing mention.
fn page_language(lines: &[Line]) -> String {
    let mut weak = None;
    for (_, l) in lines {
        let t = words(l);
        let note = t
            .iter()
            .any(|w| listed("held|language|idioma|langue|note|nota|realizara", w));
        for w in t.windows(2) {
            if !listed("in|en|em|language|idioma|langue|lengua", &w[0]) {
                continue;
            }
            let code = LANGUAGES.split('|').find_map(|entry| {
                let mut names = entry.split(' ');
                let code = names.next()?;
                names.any(|n| n == w[1]).then_some(code)
            });
            match code {
                Some(code) if note => return code.to_string(),
                Some(code) => weak = weak.or(Some(code)),
                None => {}
            }
        }
    }
    weak.unwrap_or("en").to_string()
}

/// The first length in `s` ("10 min", "5 minutes", "10'", "1 h 30", "1 hora") in minutes,
/// with its byte range. Lengths over six hours are taken for times of day and skipped.
fn find_duration(s: &str) -> Option<(f64, Range<usize>)> {
    let digits_at = |i: usize| leading(&s[i..], |c| c.is_ascii_digit());
    let number_at = |i: usize| -> Option<(f64, usize)> {
        let int = digits_at(i);
        let frac = if int > 0 && s[i + int..].starts_with(['.', ',']) {
            digits_at(i + int + 1)
        } else {
            0
        };
        let end = i + int + if frac > 0 { frac + 1 } else { 0 };
        Some((s[i..end].replace(',', ".").parse().ok()?, end))
    };
    let unit_at = |i: usize| -> Option<(f64, usize)> {
        let start = i + leading(&s[i..], |c| c == ' ');
        let rest = &s[start..];
        if let Some(q) = rest.chars().next().filter(|c| "'’′".contains(*c)) {
            return Some((1.0, start + q.len_utf8()));
        }
        let len = leading(rest, char::is_alphabetic);
        let unit = rest[..len].to_lowercase();
        let factor = if listed("min|mins|minute|minutes|minuto|minutos|mn", &unit) {
            1.0
        } else if listed("h|hr|hrs|hs|hour|hours|hora|horas|heure|heures", &unit) {
            60.0
        } else {
            return None;
        };
        Some((factor, start + len))
    };
    let mut prev = None;
    for (i, c) in s.char_indices() {
        let starts = c.is_ascii_digit()
            && !prev.is_some_and(|p: char| p.is_alphanumeric() || ":.,".contains(p));
        prev = Some(c);
        let Some((n, j)) = starts.then(|| number_at(i)).flatten() else {
            continue;
        };
        let Some((factor, mut end)) = unit_at(j) else {
            continue;
        };
        let mut minutes = n * factor;
        // "1 h 30", "1h30 min"
        let k = end + leading(&s[end..], |c| c == ' ');
        if let Some((extra, e)) = number_at(k).filter(|(x, _)| factor == 60.0 && *x < 60.0) {
            match unit_at(e) {
                None => (minutes, end) = (minutes + extra, e),
                Some((f, e)) if f < 60.0 => (minutes, end) = (minutes + extra, e),
                _ => {}
            }
        }
        if minutes <= 360.0 {
            return Some((minutes, i..end));
        }
    }
    None
}

/// The agenda, and the index of the line it starts on: the first run of bullets that has a
/// length, a speaker or a Q&A/welcome/wrap-up item.
fn find_agenda(lines: &[Line], path: &Path) -> Result<Option<(usize, Vec<Item>)>> {
    let mut i = 0;
    while i < lines.len() {
        if bullet(&lines[i].1).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut entries: Vec<Line> = Vec::new();
        while let Some((n, l)) = lines.get(i) {
            let next_is_bullet = lines.get(i + 1).is_some_and(|(_, l)| bullet(l).is_some());
            let continues = !l.is_empty() && moderator_rest(l).is_none() && !is_total(l);
            if let Some(b) = bullet(l) {
                entries.push((*n, b.to_string()));
            } else if let Some(last) = entries.last_mut().filter(|_| continues) {
                last.1 = format!("{} {l}", last.1);
            } else if !(l.is_empty() && next_is_bullet) {
                break;
            }
            i += 1;
        }
        let mut items = Vec::new();
        for (n, text) in entries
            .iter()
            .filter(|(_, t)| moderator_rest(t).is_none() && !is_total(t))
        {
            items.push(item(text, *n, path)?);
        }
        if items
            .iter()
            .any(|it| it.kind != ItemKind::Other || it.minutes.is_some())
        {
            return Ok(Some((start, items)));
        }
    }
    Ok(None)
}

fn kind_of(text: &str, has_speakers: bool) -> ItemKind {
    let f = fold(text);
    let has = |keys: &str| keys.split('|').any(|k| f.contains(k));
    if has("q&a|q & a|question|pregunta|pergunta") {
        ItemKind::Qa
    } else if has("wrap up|wrap-up|closing|conclusion|concluding|cierre|clausura") {
        ItemKind::Wrapup
    } else if has("welcome|opening|bienvenid|introduc|apertura|bienvenue|ouverture") {
        ItemKind::Intro
    } else if has_speakers {
        ItemKind::Talk
    } else {
        ItemKind::Other
    }
}

fn item(text: &str, line: usize, path: &Path) -> Result<Item> {
    let (minutes, text) = match find_duration(text) {
        Some((m, r)) => {
            let (mut a, mut b) = (&text[..r.start], &text[r.end..]);
            if let (Some(x), Some(y)) = (
                a.trim_end().strip_suffix('('),
                b.trim_start().strip_prefix(')'),
            ) {
                (a, b) = (x, y);
            }
            (Some(m), format!("{a} {b}"))
        }
        None => (None, text.to_string()),
    };
    if minutes.is_some_and(|m| m <= 0.0) {
        let msg =
            "a length of zero minutes: give the planned length, e.g. `(10 min)`, or leave it out";
        return Err(Error::parse(path, line, msg));
    }
    let parts: Vec<&str> = text.split("**").collect();
    let speakers: Vec<Person> = (1..parts.len())
        .step_by(2)
        .filter_map(|k| person(parts[k], parts.get(k + 1).copied().unwrap_or("")))
        .collect();
    let plain = parts
        .iter()
        .step_by(2)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let (kind_text, title_text) = if speakers.is_empty() {
        (&text, text.as_str())
    } else {
        (&plain, parts[0])
    };
    let title = clean_inline(title_text);
    let connectors = [":", " -", " –", " by", " por", " with", " con", " par"];
    let title = connectors.iter().fold(title.as_str(), |t, c| {
        t.strip_suffix(c).unwrap_or(t).trim_end()
    });
    Ok(Item {
        kind: kind_of(kind_text, !speakers.is_empty()),
        title: nonempty(title),
        speakers,
        minutes,
        skip: false,
    })
}

/// Two to six capitalised words (particles such as "de la" allowed), letters only.
fn looks_like_name(s: &str) -> bool {
    let w: Vec<&str> = s.split_whitespace().collect();
    let capital = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
    let particle = |w: &&str| listed("de|del|la|las|los|da|das|do|dos|van|von|der|di|y", w);
    (2..=6).contains(&w.len())
        && w.iter().all(|x| capital(x) || particle(x))
        && w.first().is_some_and(capital)
        && w.last().is_some_and(capital)
        && s.chars().all(|c| c.is_alphabetic() || " .'’-".contains(c))
        && kind_of(s, false) == ItemKind::Other
}

/// A person from the first bold text in `text` (or `text` itself when nothing is bold).
fn person_in(text: &str) -> Option<Person> {
    match text.split("**").collect::<Vec<_>>().as_slice() {
        [_, bold, after @ ..] => person(bold, &after.join(" ")),
        _ => person(text, ""),
    }
}

/// A person from bold text starting with a name, and the plain text after it.
fn person(bold: &str, after: &str) -> Option<Person> {
    let bold = bold.trim();
    let seps = [",", " - ", " – ", " — ", ":", "(", "|"];
    let end = seps
        .iter()
        .filter_map(|s| bold.find(s))
        .min()
        .unwrap_or(bold.len());
    let name = bold[..end].trim();
    if !looks_like_name(name) {
        return None;
    }
    let mut p = Person {
        name: name.to_string(),
        ..Default::default()
    };
    let mut details = Vec::new();
    let text = format!("{} {after}", &bold[end..]);
    for w in text.split_whitespace() {
        let handle = w
            .strip_prefix('@')
            .map(|h| h.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_')));
        match handle {
            Some(h) if !h.is_empty() && p.handle.is_none() => p.handle = Some(format!("@{h}")),
            _ => details.push(w),
        }
    }
    fill_details(&mut p, &details.join(" "));
    Some(p)
}

/// Role, organisation, city and country from "Role. Organisation, Country" and variants:
/// the last segment is the country if it is a known one; role and organisation are split at
/// a full stop, else (with a country) at a comma, else at " of " / " at ".
fn fill_details(p: &mut Person, details: &str) {
    let mut d = details.trim_start_matches(|c: char| ",;:-–—".contains(c) || c.is_whitespace());
    d = d.trim_end_matches(|c: char| ",;:.-–—".contains(c) || c.is_whitespace());
    if let Some(inner) = d.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        d = inner.trim();
    }
    let cut = [", ", ". ", " - ", " – "]
        .iter()
        .filter_map(|s| d.rfind(s).map(|i| (i, i + s.len())))
        .max();
    let (head, tail) = cut.map_or(("", d), |(a, b)| (&d[..a], &d[b..]));
    let tail = tail.trim_matches(|c: char| !c.is_alphanumeric());
    if listed(COUNTRIES, &fold(tail)) {
        p.country = Some(tail.to_string());
        d = head;
    }
    let no_comma = |(r, o): &(&str, &str)| !r.contains(',') && !o.contains(',');
    let split = (d.split_once(". "))
        .or_else(|| p.country.as_ref().and_then(|_| d.split_once(", ")))
        .or_else(|| d.split_once(" of ").filter(no_comma))
        .or_else(|| d.split_once(" at ").filter(no_comma));
    match split {
        Some((role, org)) => (p.role, p.organisation) = (nonempty(role), nonempty(org)),
        // A lone segment naming a city is an organisation ("Prefeitura de São Paulo").
        None if city_in(d).is_some() => p.organisation = nonempty(d),
        None => p.role = nonempty(d),
    }
    p.city = p.organisation.as_deref().and_then(city_in);
}

/// The city an organisation is named after: "Intendencia de Montevideo" -> "Montevideo".
fn city_in(org: &str) -> Option<String> {
    let w: Vec<&str> = org.split_whitespace().collect();
    let folded: Vec<String> = w.iter().map(|x| fold(x)).collect();
    for marker in CITY_MARKERS
        .split('|')
        .map(|m| m.split(' ').collect::<Vec<_>>())
    {
        let hit = |i: usize| {
            folded
                .get(i..i + marker.len())
                .is_some_and(|f| f.iter().zip(&marker).all(|(a, b)| a == b))
        };
        let Some(at) = (0..w.len()).find(|&i| hit(i)) else {
            continue;
        };
        let mut city: Vec<&str> = Vec::new();
        for x in &w[at + marker.len()..] {
            let word = x.trim_end_matches(|c: char| ",.;)".contains(c));
            if !(word.chars().next().is_some_and(char::is_uppercase) || listed("de|del|la", word)) {
                break;
            }
            city.push(word);
            if word.len() != x.len() {
                break;
            }
        }
        while city.last().is_some_and(|x| listed("de|del|la", x)) {
            city.pop();
        }
        return nonempty(&city.join(" "));
    }
    None
}

/// The prose paragraphs of `lines`, without dates, links, labels, headings and noise.
fn describe(lines: &[Line]) -> String {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let end = (0, String::new());
    for (_, l) in lines.iter().chain([&end]) {
        let noise = l.starts_with('#')
            || is_date_line(l)
            || is_link_only(l)
            || (l.ends_with(':') && l.split_whitespace().count() <= 4)
            || !l.chars().any(char::is_lowercase)
            || bullet(l).is_some()
            || moderator_rest(l).is_some()
            || is_total(l);
        if !noise {
            current = format!("{current} {l}");
        } else if l.is_empty() {
            let p = clean_inline(&current);
            let n = p.split_whitespace().count();
            if n >= 8 || (n >= 3 && p.ends_with(['.', '!', '?'])) {
                paragraphs.push(p);
            }
            current.clear();
        }
    }
    paragraphs.join("\n\n")
}

fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start().to_ascii_lowercase();
    (t.starts_with('<') && !t.starts_with("<http"))
        || ["</p>", "</div>", "</li>", "<body"]
            .iter()
            .any(|x| t.contains(x))
}

/// Decode `&amp;`, `&#237;`, `&#xED;`, `&iacute;` and the other common entities.
fn decode_entities(s: &str) -> String {
    const NAMED: &str = "amp=& lt=< gt=> quot=\" apos=' nbsp=\u{a0} ndash=– mdash=— lsquo=‘ \
        rsquo=’ ldquo=“ rdquo=” hellip=… laquo=« raquo=» iexcl=¡ iquest=¿ ordm=º ordf=ª euro=€";
    const MARKS: &str = "acute:aeiouyAEIOUY:áéíóúýÁÉÍÓÚÝ grave:aeiouAEIOU:àèìòùÀÈÌÒÙ \
        circ:aeiouAEIOU:âêîôûÂÊÎÔÛ uml:aeiouAEIOU:äëïöüÄËÏÖÜ tilde:anoANO:ãñõÃÑÕ cedil:cC:çÇ";
    let entity = |name: &str| -> Option<char> {
        if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            return n.and_then(char::from_u32);
        }
        if let Some(c) = NAMED
            .split(' ')
            .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
        {
            return c.chars().next();
        }
        let base = name.chars().next()?;
        let mark = MARKS
            .split(' ')
            .map(|m| m.split(':').collect::<Vec<_>>())
            .find(|m| m[0] == &name[base.len_utf8()..])?;
        mark[2]
            .chars()
            .nth(mark[1].chars().position(|c| c == base)?)
    };
    let mut out = String::new();
    let mut rest = s;
    while let Some(a) = rest.find('&') {
        out.push_str(&rest[..a]);
        rest = &rest[a..];
        let decoded = rest
            .find(';')
            .filter(|&e| e <= 10)
            .and_then(|e| Some((e, entity(&rest[1..e])?)));
        let (c, used) = decoded.map_or(('&', 1), |(e, c)| (c, e + 1));
        out.push(c);
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

/// Reduce HTML to text lines, each numbered by the source line it starts on.
fn html_lines(html: &str) -> Vec<Line> {
    const SKIPPED: &str = "script|style|head|nav|noscript|template";
    const BLOCKS: &str = "p|div|h1|h2|h3|h4|h5|h6|ul|ol|section|article|header|footer|main|table|tr|blockquote|dl|dt|dd";
    fn push(out: &mut [Line], s: &str, line: usize) {
        let Some(last) = out.last_mut() else { return };
        for c in s.chars() {
            if !c.is_whitespace() {
                if last.1.is_empty() {
                    last.0 = line;
                }
                last.1.push(c);
            } else if !(last.1.is_empty() || last.1.ends_with(' ')) {
                last.1.push(' ');
            }
        }
    }
    fn brk(out: &mut Vec<Line>, blank: bool) {
        // A line holding only the marker of an `<li>` waits for the item's text.
        if out
            .last()
            .is_some_and(|(_, l)| !matches!(l.trim(), "" | "-"))
        {
            out.push((0, String::new()));
        }
        if blank && out.len() >= 2 && !out[out.len() - 2].1.trim().is_empty() {
            out.push((0, String::new()));
        }
    }
    let mut out: Vec<Line> = vec![(1, String::new())];
    let (mut line, mut counted, mut in_li, mut i) = (1, 0, 0usize, 0);
    while i < html.len() {
        let next = html[i..].find('<').map_or(html.len(), |o| i + o);
        let chunk = &html[i..next];
        let start = next - chunk.trim_start().len();
        line += html[counted..start].matches('\n').count();
        counted = start;
        push(&mut out, &decode_entities(chunk), line);
        let rest = &html[next..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| next + e + 3);
            continue;
        }
        if !rest.get(1..).is_some_and(|r| {
            r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
        }) {
            push(&mut out, rest.get(..1).unwrap_or(""), line);
            i = next + 1;
            continue;
        }
        let end = rest.find('>').map_or(html.len(), |e| next + e + 1);
        let tag = html[next + 1..end].trim_end_matches('>');
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let name = name.to_ascii_lowercase();
        i = end;
        match name.as_str() {
            _ if listed(SKIPPED, &name) && !closing => {
                let close = format!("</{name}");
                i = html[end..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(html.len(), |e| end + e);
            }
            "br" => brk(&mut out, false),
            "li" => {
                brk(&mut out, false);
                in_li = if closing {
                    in_li.saturating_sub(1)
                } else {
                    in_li + 1
                };
                if !closing {
                    push(&mut out, "- ", line);
                }
            }
            "strong" | "b" => push(&mut out, "**", line),
            "h1" if !closing => {
                brk(&mut out, true);
                push(&mut out, "# ", line);
            }
            "td" | "th" => push(&mut out, " ", line),
            _ if listed(BLOCKS, &name) => brk(&mut out, in_li == 0),
            _ => {}
        }
    }
    out.into_iter()
        .map(|(n, l)| (n, l.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        include_str!("../../tests/fixtures/events/learning-from-cities-2021-06-29.md");

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
        let lines = html_lines(html);
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
            msg.starts_with("events/page.md: no agenda found: expected a bullet list"),
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
        let lang = |text: &str| page_language(&[(1, text.to_string())]);
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
        assert_eq!(page_language(&two), "de", "a note that says `held` wins");
    }
}
