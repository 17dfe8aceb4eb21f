//! The webinar's description (the page's prose paragraphs, without dates, labels, lists and
//! other noise) and the series its title names.

use super::is_date_line;
use super::people;
use super::programme::{is_total, moderator_rest};
use super::text::{bullet, clean_inline, fold, is_link_only, Line};
use super::when;

/// "Series: Title", when the description calls the first part a series ("the series
/// Learning from cities", "el ciclo Aprender de las ciudades").
pub(super) fn series(title: &str, description: &str) -> Option<String> {
    let (first, _) = title.split_once(':')?;
    let first = first.trim();
    let named = |word: &str| fold(description).contains(&format!("{word} {}", fold(first)));
    let series_words = ["series", "serie", "ciclo", "cycle"];
    (first.split_whitespace().count() >= 2 && series_words.iter().any(|w| named(w)))
        .then(|| first.to_string())
}

/// Whether `l` is a short label and its value ("**Where:** Online", "Contact : ...").
fn is_labelled(l: &str) -> bool {
    let l = l.trim_start_matches(['*', '_']);
    l.split_once(':').is_some_and(|(head, _)| {
        (1..=3).contains(&head.split_whitespace().count()) && !head.contains(',')
    })
}

/// The prose paragraphs of `lines`, without dates, times, links, labels, headings and noise.
pub(super) fn describe(lines: &[Line]) -> String {
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
