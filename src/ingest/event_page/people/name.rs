//! A person's name as pages write it: two to six capitalised words after any title such as
//! `Dr.`, which is kept out of the name; and the words that only call someone the moderator.

use super::super::lexicon::{
    listed, mentions, CLOSING_WORDS, HONORIFICS, INTRO_WORDS, MODERATOR_WORDS, PARTICLES, QA_WORDS,
};
use super::super::text::{fold, words};

/// `s` without a leading title such as `Dr.`, `Ing.`, `Prof.`, `Mme`.
pub fn strip_honorific(s: &str) -> &str {
    let s = s.trim_start();
    let Some((first, rest)) = s.split_once(' ') else {
        return s;
    };
    let word = fold(first.trim_end_matches('.'));
    if listed(HONORIFICS, &word) && rest.starts_with(|c: char| c.is_uppercase()) {
        rest.trim_start()
    } else {
        s
    }
}

pub(super) fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Two to six capitalised words (particles such as "de la" allowed), letters only, and
/// none of the words that name agenda items ("Closing Remarks" is not a person).
pub fn looks_like_name(s: &str) -> bool {
    let w: Vec<&str> = s.split_whitespace().collect();
    let particle = |w: &&str| listed(PARTICLES, w);
    let folded = words(s);
    (2..=6).contains(&w.len())
        && w.iter().all(|x| capitalised(x) || particle(x))
        && w.first().is_some_and(|x| capitalised(x))
        && w.last().is_some_and(|x| capitalised(x))
        && s.chars().all(|c| c.is_alphabetic() || " .'’-".contains(c))
        && ![QA_WORDS, INTRO_WORDS, CLOSING_WORDS, MODERATOR_WORDS]
            .iter()
            .any(|list| mentions(list, &folded))
}

/// The name `s` starts with (after any title), and the byte offset in `s` where it ends.
pub fn leading_name(s: &str) -> Option<(String, usize)> {
    let base = s.len() - strip_honorific(s).len();
    let body = &s[base..];
    let mut end = 0;
    let mut taken: Vec<&str> = Vec::new();
    let mut offset = 0;
    for token in body.split(' ') {
        let at = offset;
        offset += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        let word = token.trim_end_matches([',', ':', ';', '.']);
        let stops = word.len() != token.len();
        let clean = word.chars().all(|c| c.is_alphabetic() || "'’-".contains(c));
        let initial = word.len() <= 2 && token.ends_with('.') && capitalised(word);
        if !(clean || initial) || word.is_empty() {
            break;
        }
        if !(capitalised(word) || listed(PARTICLES, word)) {
            break;
        }
        taken.push(word);
        end = at + word.len();
        if stops && !initial {
            break;
        }
    }
    while taken.last().is_some_and(|w| listed(PARTICLES, w)) {
        let last = taken.pop().unwrap_or_default();
        end = body[..end].len() - last.len();
        end = body[..end].trim_end().len();
    }
    let name = taken.join(" ");
    looks_like_name(&name).then(|| (name, base + end))
}

/// Whether `s` is only a word for the moderator ("la modératrice", "the moderator").
pub fn is_moderator_word(s: &str) -> bool {
    let w = words(s);
    let article = |x: &String| listed("the|la|el|le|a|o|our|nuestra|nuestro|notre|nossa|nosso", x);
    !w.is_empty()
        && w.len() <= 3
        && w.iter().any(|x| listed(MODERATOR_WORDS, x))
        && w.iter().all(|x| article(x) || listed(MODERATOR_WORDS, x))
}
