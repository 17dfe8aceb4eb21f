//! A person's details after their name: role, organisation, city and country, told apart by
//! position (role first), by a few words only organisations use, and by known countries.

use super::super::lexicon::{listed, CITY_MARKERS, CITY_SUFFIXES, COUNTRIES, ORGANISATION_WORDS};
use super::super::text::{fold, nonempty, words};
use super::name::capitalised;
use super::{parenthesised, split_top};
use crate::ingest::Person;

/// `s` cut at full stops that end a phrase ("director. Agencia"), not at those of an
/// abbreviation ("S.A. (Colombia)", "Inc.") or before a parenthesis.
fn sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    for (i, _) in s.match_indices(". ") {
        let word = s[from..i].rsplit(' ').next().unwrap_or("");
        let next = s[i + 2..].chars().next();
        let abbreviation = word.contains('.') || word.chars().count() <= 2;
        if !abbreviation && next.is_some_and(char::is_uppercase) {
            out.push(s[from..i].trim());
            from = i + 2;
        }
    }
    out.push(s[from..].trim());
    out.retain(|p| !p.is_empty());
    out
}

fn has_organisation_word(s: &str) -> bool {
    // "S.A.", "Ltda.": company forms are written with full stops.
    let w = words(&s.replace('.', ""));
    w.iter().any(|w| listed(ORGANISATION_WORDS, w)) || city_in(s).is_some()
}

fn is_country(s: &str) -> bool {
    listed(COUNTRIES, &fold(s.trim()))
}

/// Role, organisation, city and country from the details after a name. Segments are cut
/// at `, `, `. ` and `; ` (not inside parentheses): a known country last, then role,
/// organisation, city in that order. After a dash ("Name – Role, Unit") the text is all
/// role unless its last segment names an organisation. One segment alone is a role, an
/// organisation (if it reads like one, or follows "(moderator)"), or "Role of/at Org".
pub fn fill_details(p: &mut Person, details: &str, dash_form: bool, after_moderator: bool) {
    let d = details.trim_matches(|c: char| ",;:.-–—".contains(c) || c.is_whitespace());
    if d.is_empty() {
        return;
    }
    let mut segs: Vec<String> = Vec::new();
    for a in split_top(d, ", ") {
        for b in split_top(a, "; ") {
            for c in sentences(b) {
                if let Some(s) = nonempty(c) {
                    segs.push(s);
                }
            }
        }
    }
    let mut city_seg = None;
    if let Some(last) = segs.last().cloned() {
        let paren_country = last.rfind(" (").and_then(|at| {
            let (head, tail) = last.split_at(at);
            let (inner, after) = parenthesised(tail.trim_start())?;
            (after.trim().is_empty() && is_country(inner))
                .then(|| (head.trim().to_string(), inner.trim().to_string()))
        });
        if let Some((head, country)) = paren_country {
            p.country = Some(country);
            segs.pop();
            // "Dakar (Sénégal)" is a city; "Université libre de Bruxelles (Belgique)" is not.
            let short = head.split_whitespace().count() <= 3;
            if has_organisation_word(&head) || !short {
                segs.push(head);
            } else {
                city_seg = Some(head);
            }
        } else if is_country(&last) {
            p.country = Some(last);
            segs.pop();
        }
    }
    if dash_form
        && segs.len() >= 2
        && p.country.is_none()
        && !segs.last().is_some_and(|s| has_organisation_word(s))
    {
        segs = vec![segs.join(", ")];
    }
    let no_comma = |(r, o): &(&str, &str)| !r.contains(',') && !o.contains(',');
    match segs.as_slice() {
        [] => {}
        [one] => {
            let at = one.split_once(" at ").filter(no_comma);
            let of = one.split_once(" of ").filter(no_comma);
            if let Some((role, org)) = role_of_organisation(one) {
                (p.role, p.organisation) = (Some(role), Some(org));
            } else if let Some((role, org)) = at {
                (p.role, p.organisation) = (nonempty(role), nonempty(org));
            } else if has_organisation_word(one) || after_moderator {
                p.organisation = nonempty(one);
            } else if let Some((role, org)) = of {
                (p.role, p.organisation) = (nonempty(role), nonempty(org));
            } else {
                p.role = nonempty(one);
            }
        }
        [role, org] => (p.role, p.organisation) = (nonempty(role), nonempty(org)),
        [role, org, city, more @ ..] => {
            p.role = nonempty(role);
            let mut o = org.clone();
            for m in more {
                o = format!("{o}, {m}");
            }
            p.organisation = nonempty(&o);
            city_seg = city_seg.or_else(|| Some(city.clone()));
        }
    }
    p.city = city_seg
        .and_then(|c| nonempty(&c))
        .or_else(|| p.organisation.as_deref().and_then(city_in));
}

/// "gerente de la Empresa Pública ...", "investigadora del Instituto ...": a role, then a
/// linking word and a capitalised organisation word, split into (role, organisation).
fn role_of_organisation(s: &str) -> Option<(String, String)> {
    let w: Vec<&str> = s.split_whitespace().collect();
    for i in 1..w.len() {
        let org_word = capitalised(w[i]) && listed(ORGANISATION_WORDS, &fold(w[i]));
        if !org_word {
            continue;
        }
        let mut cut = i;
        while cut > 1
            && listed(
                "de|del|la|el|do|da|du|des|of|the|at|en|em|au|na|no",
                &fold(w[cut - 1]),
            )
        {
            cut -= 1;
        }
        if cut < i && cut >= 1 {
            return Some((w[..cut].join(" "), w[i..].join(" ")));
        }
        return None;
    }
    None
}

/// The city an organisation is named after: "Intendencia de Montevideo" -> "Montevideo",
/// "Oslo kommune" -> "Oslo".
pub fn city_in(org: &str) -> Option<String> {
    let w: Vec<&str> = org.split_whitespace().collect();
    let folded: Vec<String> = w.iter().map(|x| fold(x)).collect();
    let at = |marker: &[&str], i: usize| {
        folded
            .get(i..i + marker.len())
            .is_some_and(|f| f.iter().zip(marker).all(|(a, b)| a == b))
    };
    let link = |x: &str| listed("de|del|la|do|da|di", x);
    for marker in CITY_MARKERS
        .split('|')
        .map(|m| m.split_whitespace().collect::<Vec<_>>())
    {
        let Some(start) = (0..w.len()).find(|&i| at(&marker, i)) else {
            continue;
        };
        let mut city: Vec<&str> = Vec::new();
        for x in &w[start + marker.len()..] {
            let word = x.trim_end_matches(|c: char| ",.;)".contains(c));
            if !(capitalised(word) || link(word)) {
                break;
            }
            city.push(word);
            if word.len() != x.len() {
                break;
            }
        }
        while city.last().is_some_and(|x| link(x)) {
            city.pop();
        }
        if let Some(c) = nonempty(&city.join(" ")) {
            return Some(c);
        }
    }
    for marker in CITY_SUFFIXES
        .split('|')
        .map(|m| m.split_whitespace().collect::<Vec<_>>())
    {
        let Some(start) = (1..w.len()).find(|&i| at(&marker, i)) else {
            continue;
        };
        let city: Vec<&str> = w[..start]
            .iter()
            .rev()
            .take_while(|x| capitalised(x))
            .copied()
            .collect();
        if city.len() == start {
            let city: Vec<&str> = city.into_iter().rev().collect();
            return nonempty(&city.join(" "));
        }
    }
    None
}
