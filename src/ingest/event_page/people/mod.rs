//! People as event pages write them.
//!
//! A person is read from text that starts with their name, in the orders pages use:
//! `Name, Role, Organisation, City, Country`, `Name – Role, Organisation`,
//! `Name (Role, Organisation)`, `Name, role, City (Country)`, `Name (moderator), Org`, and
//! `Role, Organisation: Name` in lists of speakers. Titles such as `Dr.` are kept out of
//! the name. What is a role and what an organisation is decided by position (role first)
//! and by a few words that only organisations use ("Network", "Instituto", "Ville de"); a
//! city is filled in when the page places one after the organisation, before a country in
//! parentheses, or when the organisation is named after it ("Intendencia de Montevideo").
//! People named once with details and again by name only (a panel, a structured
//! `performer`, a "Role: Name" list) get the details everywhere, through a [`Directory`].

mod details;
mod name;

pub use self::details::{city_in, fill_details};
pub use self::name::{is_moderator_word, leading_name, looks_like_name, strip_honorific};
use super::lexicon::{listed, mentions, CLOSING_WORDS, INTRO_WORDS, MODERATOR_WORDS, QA_WORDS};
use super::text::{fold, words};
use crate::ingest::Person;

/// A person found in text, and whether the text calls them the moderator.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub person: Person,
    pub moderator: bool,
    /// Text after the name that is not about the person ("on Amsterdam's model").
    pub rest: Option<String>,
}

/// The text inside the parentheses `s` starts with, and what follows them.
fn parenthesised(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('(')?;
    let mut depth = 1;
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&inner[..i], &inner[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// A person from text that starts with their name, with the details that follow it.
pub fn person(text: &str) -> Option<Found> {
    let text = text.trim();
    let (name, end) = leading_name(text)?;
    let mut p = Person {
        name,
        ..Default::default()
    };
    let mut rest = text[end..].trim_start();
    let mut moderator = false;
    let mut details = String::new();
    let mut dash_form = false;
    while let Some((inner, after)) = parenthesised(rest) {
        if is_moderator_word(inner) {
            moderator = true;
        } else if details.is_empty() {
            details = inner.to_string();
        }
        rest = after.trim_start();
    }
    let mut leftover = None;
    if let Some(r) = rest.strip_prefix([',', ';']) {
        if !details.is_empty() {
            details.push_str(", ");
        }
        details.push_str(r);
    } else if let Some(r) = ["-", "–", "—", ":", "|"]
        .iter()
        .find_map(|d| rest.strip_prefix(d))
    {
        dash_form = details.is_empty();
        if !details.is_empty() {
            details.push_str(", ");
        }
        details.push_str(r);
    } else if !rest.is_empty() {
        leftover = Some(rest.to_string());
    }
    // "Name, role, Organisation (moderator)"
    if let Some(open) = details.trim_end().rfind('(') {
        let tail = details.trim_end()[open..].to_string();
        if parenthesised(&tail)
            .is_some_and(|(inner, after)| is_moderator_word(inner) && after.is_empty())
        {
            moderator = true;
            details.truncate(open);
        }
    }
    let mut kept = Vec::new();
    for w in details.split_whitespace() {
        let handle = w
            .strip_prefix('@')
            .map(|h| h.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_')));
        match handle {
            Some(h) if !h.is_empty() && p.handle.is_none() => p.handle = Some(format!("@{h}")),
            _ => kept.push(w),
        }
    }
    if let Some(l) = leftover.as_deref() {
        if let Some(h) = l.strip_prefix('@') {
            let h = h.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
            if !h.is_empty() && !h.contains(' ') {
                p.handle = Some(format!("@{h}"));
                leftover = None;
            }
        }
    }
    fill_details(&mut p, &kept.join(" "), dash_form, moderator);
    Some(Found {
        person: p,
        moderator,
        rest: leftover,
    })
}

/// A person from `Role, Organisation: Name` (a list of speakers written role first).
pub fn role_first(text: &str) -> Option<Person> {
    let (before, after) = text.rsplit_once(':')?;
    let name_text = after.trim().trim_end_matches(['.', ',', ';']);
    let (name, end) = leading_name(name_text)?;
    let before = before.trim();
    let folded = words(before);
    let label = folded.is_empty()
        || folded.len() > 12
        || [MODERATOR_WORDS, QA_WORDS, INTRO_WORDS, CLOSING_WORDS]
            .iter()
            .any(|l| mentions(l, &folded))
        || listed(super::lexicon::SPEAKER_LABELS, &folded.join(" "));
    if label || end != name_text.len() {
        return None;
    }
    let mut p = Person {
        name,
        ..Default::default()
    };
    fill_details(&mut p, before, false, false);
    Some(p)
}

/// Several people named in one place: `A; B` or `A, B and C (Org)`, each read by [`person`].
pub fn people(text: &str) -> Vec<Found> {
    let text = text.trim().trim_end_matches('.');
    let pieces: Vec<&str> = split_top(text, "; ");
    if pieces.len() >= 2 && pieces.iter().all(|p| leading_name(p).is_some()) {
        return pieces.iter().filter_map(|p| person(p)).collect();
    }
    let mut pieces: Vec<&str> = split_top(text, ", ");
    let last_join = pieces.last().and_then(|last| {
        [" and ", " y ", " e ", " et ", " & "]
            .iter()
            .find_map(|j| last.split_once(j))
    });
    if let Some((a, b)) = last_join {
        pieces.pop();
        pieces.push(a);
        pieces.push(b);
        let only_names = pieces.iter().all(|p| {
            leading_name(p).is_some_and(|(_, end)| {
                let rest = p[end..].trim();
                rest.is_empty()
                    || parenthesised(rest).is_some_and(|(_, after)| after.trim().is_empty())
            })
        });
        if pieces.len() >= 2 && only_names {
            return pieces.iter().filter_map(|p| person(p)).collect();
        }
    }
    person(text).into_iter().collect()
}

/// `s` split at `sep` where `sep` is not inside parentheses.
fn split_top<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0i32, 0);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth == 0 && bytes[i..].starts_with(sep.as_bytes()) => {
                out.push(s[from..i].trim());
                i += sep.len();
                from = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(s[from..].trim());
    out.retain(|p| !p.is_empty());
    out
}

/// Everyone the page describes, to complete people it names again with fewer details.
#[derive(Debug, Default)]
pub struct Directory {
    people: Vec<Person>,
}

fn same_person(a: &str, b: &str) -> bool {
    fold(strip_honorific(a))
        .split_whitespace()
        .eq(fold(strip_honorific(b)).split_whitespace())
}

impl Directory {
    /// Remember `p`; what it says completes what was known of the same person.
    pub fn add(&mut self, p: &Person) {
        match self
            .people
            .iter_mut()
            .find(|q| same_person(&q.name, &p.name))
        {
            Some(q) => complete(q, p),
            None => self.people.push(p.clone()),
        }
    }

    pub fn knows(&self, name: &str) -> bool {
        self.people.iter().any(|q| same_person(&q.name, name))
    }

    /// Fill the fields `p` lacks from what is known of the same person.
    pub fn complete(&self, p: &mut Person) {
        if let Some(q) = self.people.iter().find(|q| same_person(&q.name, &p.name)) {
            complete(p, q);
        }
    }
}

fn complete(p: &mut Person, from: &Person) {
    let fill = |a: &mut Option<String>, b: &Option<String>| {
        if a.is_none() {
            a.clone_from(b);
        }
    };
    fill(&mut p.role, &from.role);
    fill(&mut p.organisation, &from.organisation);
    fill(&mut p.city, &from.city);
    fill(&mut p.country, &from.country);
    fill(&mut p.handle, &from.handle);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, role: &str, org: &str, city: &str, country: &str) -> Person {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Person {
            name: name.into(),
            role: some(role),
            organisation: some(org),
            city: some(city),
            country: some(country),
            handle: None,
        }
    }

    #[test]
    fn people_in_the_orders_pages_use() {
        let cases = [
            (
                "Dr. Kwame Mensah, Director of Urban Planning, Accra Metropolitan Assembly",
                p(
                    "Kwame Mensah",
                    "Director of Urban Planning",
                    "Accra Metropolitan Assembly",
                    "",
                    "",
                ),
            ),
            (
                "Moussa Diallo, adjoint au maire, Dakar (Sénégal)",
                p("Moussa Diallo", "adjoint au maire", "", "Dakar", "Sénégal"),
            ),
            (
                "Aisha Rahman (Accessibility Lead, Transport for London)",
                p(
                    "Aisha Rahman",
                    "Accessibility Lead",
                    "Transport for London",
                    "",
                    "",
                ),
            ),
            (
                "Valentina Ríos – Coordinadora de Programas, Red de Ciudades por el Cuidado",
                p(
                    "Valentina Ríos",
                    "Coordinadora de Programas",
                    "Red de Ciudades por el Cuidado",
                    "",
                    "",
                ),
            ),
            (
                "Diana Lopez - Partnerships Specialist, Cities and Urbanization",
                p(
                    "Diana Lopez",
                    "Partnerships Specialist, Cities and Urbanization",
                    "",
                    "",
                    "",
                ),
            ),
            (
                "Marta Iglesias, investigadora, Instituto de Estudios Urbanos (IEU), Madrid",
                p(
                    "Marta Iglesias",
                    "investigadora",
                    "Instituto de Estudios Urbanos (IEU)",
                    "Madrid",
                    "",
                ),
            ),
            (
                "Elif Demir, data scientist at İzmir Metropolitan Municipality",
                p(
                    "Elif Demir",
                    "data scientist",
                    "İzmir Metropolitan Municipality",
                    "İzmir",
                    "",
                ),
            ),
            (
                "Diego Ortiz, gerente de la Empresa Pública de Vivienda (Ecuador)",
                p(
                    "Diego Ortiz",
                    "gerente",
                    "Empresa Pública de Vivienda",
                    "",
                    "Ecuador",
                ),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(person(text).map(|f| f.person), Some(want), "{text}");
        }
    }

    #[test]
    fn moderators_lists_and_roles_first() {
        let f = person(
            "Fernanda Lima (moderadora), Coordenadora de Inovação, Frente Nacional de Prefeitos",
        )
        .unwrap();
        assert!(f.moderator);
        assert_eq!(f.person.role.as_deref(), Some("Coordenadora de Inovação"));
        let f = person("Marta Kowalska (moderator), Smart Towns Europe").unwrap();
        assert_eq!(f.person.organisation.as_deref(), Some("Smart Towns Europe"));
        let names: Vec<String> =
            people("Jonas Weber, Elif Demir and Pau Serra (Ajuntament de Girona)")
                .into_iter()
                .map(|f| f.person.name)
                .collect();
        assert_eq!(names, ["Jonas Weber", "Elif Demir", "Pau Serra"]);
        // Not a list: a name, a role and an organisation that all look like names.
        assert_eq!(
            people("Jordan Ellis, Senior Fellow, Urban Mobility Institute").len(),
            1
        );
        let r = role_first("Night Mayor, City of Amsterdam: Rika Jansen").unwrap();
        assert_eq!(
            r,
            p(
                "Rika Jansen",
                "Night Mayor",
                "City of Amsterdam",
                "Amsterdam",
                ""
            )
        );
        assert_eq!(
            role_first("Conclusions : Hélène Marchand, déléguée générale"),
            None
        );
        assert_eq!(role_first("Moderator: Ana Souza"), None);
    }

    #[test]
    fn names_are_not_titles() {
        assert_eq!(leading_name("Closing Remarks"), None);
        assert_eq!(leading_name("All speakers"), None);
        assert_eq!(leading_name("Bogotá: el Sistema Distrital"), None);
        assert_eq!(
            leading_name("Dr. Pieter van den Berg, Advisor").map(|(n, _)| n),
            Some("Pieter van den Berg".into())
        );
        assert_eq!(city_in("Oslo kommune").as_deref(), Some("Oslo"));
        assert_eq!(city_in("Prefeitura do Recife").as_deref(), Some("Recife"));
    }
}
