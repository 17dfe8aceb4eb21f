//! The language the webinar is held in: a structured `inLanguage`, a note on the page, the
//! page's `lang`, or the language whose short words the page uses most.

use super::lexicon::{listed, FUNCTION_WORDS, LANGUAGES, LANGUAGE_NOTES};
use super::structured::Structured;
use super::text::{words, Line, PageText};

/// The spoken language: structured `inLanguage`, else a note ("held in Spanish"), else the
/// page's `lang` (its first part), else the language whose short words the page uses most.
pub(super) fn language(page: &PageText, data: &Structured) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
