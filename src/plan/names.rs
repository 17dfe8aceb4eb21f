//! Matching the names people write (transcript display names, cue sheet lines) to the
//! agenda's speakers.
//!
//! Meeting platforms show whatever a participant typed: "Amara Okafor | Lagos State",
//! "maria garcia" for "María José García López", "Okafor, Amara", "Maria E. (2)" after a
//! rejoin, "iPhone de Natalia" from a phone. We fold accents and case, drop what follows a
//! `|`, ` - ` or `(`, drop device words, and score how the remaining words overlap an agenda
//! name; an ambiguous or weak match is no match, because a wrong speaker is worse than an
//! unknown one (the plan stage then asks the voices).
//!
//! Some display names say nothing about who speaks: "Unknown Speaker", "Speaker 2", a phone
//! number. [`is_anonymous`] tells them apart from names that are simply not on the agenda
//! (an attendee): the lines of one anonymous label may be several people.

/// Lower-case ASCII words of `s` ("João Silva-Pérez" → ["joao", "silva", "perez"]).
pub fn words(s: &str) -> Vec<String> {
    deunicode::deunicode(s)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The name part of a display name: what comes before an organisation or role suffix.
fn core(display: &str) -> &str {
    let mut end = display.len();
    for sep in ["|", " - ", " – ", " — ", "(", "[", " / ", "@"] {
        if let Some(i) = display.find(sep) {
            if i > 0 {
                end = end.min(i);
            }
        }
    }
    display[..end].trim()
}

/// Words of phone and computer names that are not part of a person's name
/// ("iPhone de Natalia", "Natalia's Galaxy S21", "iPad (2)").
const DEVICE_WORDS: &[&str] = &[
    "iphone", "ipad", "android", "galaxy", "samsung", "pixel", "huawei", "xiaomi", "redmi",
    "motorola", "moto", "macbook", "laptop", "pc", "phone", "telefono", "celular", "movil",
    "portable", "tablet", "de", "do", "da", "du", "s", "mobile",
];

/// Labels recognisers and platforms give to nobody in particular, in four languages.
const ANONYMOUS: &[&[&str]] = &[
    &["unknown", "speaker"],
    &["unknown"],
    &["speaker"],
    &["guest"],
    &["participant"],
    &["attendee"],
    &["orador", "desconocido"],
    &["hablante", "desconocido"],
    &["participante"],
    &["invitado"],
    &["interlocuteur", "inconnu"],
    &["intervenant", "inconnu"],
    &["locutor", "desconhecido"],
    &["orador", "desconhecido"],
    &["convidado"],
];

/// Whether a display name says nothing about who speaks: "Unknown Speaker", "Speaker 2",
/// "Guest", a phone number ("+34 6•• ••• •••", "Call-in User 3").
pub fn is_anonymous(display: &str) -> bool {
    let digits = display.chars().filter(|c| c.is_ascii_digit()).count();
    let letters = display.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 || (digits >= 4 && digits >= letters) {
        return true;
    }
    let w: Vec<String> = words(display)
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !["call", "in", "user", "dial", "caller", "llamada"].contains(&w.as_str()))
        .collect();
    if w.is_empty() {
        return true;
    }
    ANONYMOUS
        .iter()
        .any(|a| w.iter().map(String::as_str).eq(a.iter().copied()))
}

/// Display words without device words, when something is left.
fn without_devices(d: &[String]) -> Vec<String> {
    let kept: Vec<String> = d
        .iter()
        .filter(|w| !DEVICE_WORDS.contains(&w.as_str()) && !w.chars().any(|c| c.is_ascii_digit()))
        .cloned()
        .collect();
    if kept.is_empty() {
        d.to_vec()
    } else {
        kept
    }
}

/// How well display words `d` name agenda words `a` (0: not at all).
fn score(d: &[String], a: &[String]) -> u32 {
    if d.is_empty() || a.is_empty() {
        return 0;
    }
    let in_a = |w: &String| a.contains(w);
    let in_d = |w: &String| d.contains(w);
    let common = d.iter().filter(|w| in_a(w)).count();
    let mut ds = d.to_vec();
    ds.sort();
    let mut as_ = a.to_vec();
    as_.sort();
    if ds == as_ {
        return 100;
    }
    if a.len() >= 2 && a.iter().all(in_d) {
        return 90; // organisation or title appended without a separator
    }
    // An initial stands for a word of the agenda name that starts with it ("Maria E.").
    let initial_in_a = |w: &String| w.len() == 1 && a.iter().any(|x| x.starts_with(w.as_str()));
    if d.len() >= 2 && d.iter().all(|w| in_a(w) || initial_in_a(w)) && d[0] == a[0] {
        return 80; // a missing middle name or second surname, or an initial
    }
    if d.len() >= 2 && d.iter().all(in_a) {
        return 75; // "Okafor, Amara"
    }
    // "J. Silva": an initial and the surname
    if d.len() >= 2 && d[0].len() == 1 && a[0].starts_with(&d[0]) && d[1..].iter().all(in_a) {
        return 70;
    }
    if common >= 2 {
        return 60;
    }
    if d.len() == 1 && d[0] == a[0] {
        return 50; // first name only
    }
    if d.len() == 1 && a.len() >= 2 && a[1..].contains(&d[0]) {
        return 40; // surname only
    }
    0
}

/// The index in `names` of the agenda name `display` refers to, if exactly one fits best.
pub fn match_name(display: &str, names: &[&str]) -> Option<usize> {
    let agenda: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
    for candidate in [core(display), display] {
        let d = without_devices(&words(candidate));
        let scores: Vec<u32> = agenda.iter().map(|a| score(&d, a)).collect();
        let best = scores.iter().copied().max().unwrap_or(0);
        if best > 0 {
            let mut at = scores.iter().enumerate().filter(|(_, &s)| s == best);
            let first = at.next().map(|(i, _)| i);
            return if at.next().is_none() { first } else { None };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENDA: &[&str] = &[
        "Lucía Fernández",
        "Amara Okafor",
        "João Silva",
        "María José García López",
        "Helena Varga",
    ];

    fn m(display: &str) -> Option<&'static str> {
        match_name(display, AGENDA).map(|i| AGENDA[i])
    }

    #[test]
    fn display_names_find_their_speaker() {
        assert_eq!(m("Lucía Fernández"), Some("Lucía Fernández"));
        assert_eq!(m("LUCIA FERNANDEZ"), Some("Lucía Fernández"));
        assert_eq!(
            m("Amara Okafor | Lagos State Government"),
            Some("Amara Okafor")
        );
        assert_eq!(m("Amara Okafor - Lagos"), Some("Amara Okafor"));
        assert_eq!(m("Amara Okafor (she/her)"), Some("Amara Okafor"));
        assert_eq!(m("Amara Okafor Lagos State"), Some("Amara Okafor"));
        assert_eq!(m("Okafor, Amara"), Some("Amara Okafor"));
        assert_eq!(m("Joao Silva"), Some("João Silva"));
        assert_eq!(m("J. Silva"), Some("João Silva"));
        assert_eq!(m("Maria Garcia"), Some("María José García López"));
        assert_eq!(m("maría josé garcía"), Some("María José García López"));
        assert_eq!(m("Helena"), Some("Helena Varga"));
        assert_eq!(m("Varga"), Some("Helena Varga"));
        assert_eq!(m("iPhone de Amara"), Some("Amara Okafor"));
        assert_eq!(m("Helena's Galaxy S21"), Some("Helena Varga"));
        assert_eq!(m("Maria J. (2)"), Some("María José García López"));
    }

    #[test]
    fn anonymous_labels_are_told_from_strangers() {
        for a in [
            "Unknown Speaker",
            "Speaker 2",
            "+34 6•• ••• •••",
            "Call-in User 3",
            "Orador desconocido",
            "Guest",
            "+1 (202) 555-0143",
        ] {
            assert!(is_anonymous(a), "{a}");
        }
        for n in [
            "Pedro from Quito",
            "Anna K",
            "iPhone de Pedro",
            "Helena Varga",
        ] {
            assert!(!is_anonymous(n), "{n}");
        }
    }

    #[test]
    fn strangers_and_ambiguous_names_match_nobody() {
        assert_eq!(m("Guest 1234"), None);
        assert_eq!(m("iPhone de Pedro"), None);
        assert_eq!(m("Attendee"), None);
        assert_eq!(match_name("Ana", &["Ana Pérez", "Ana Gómez"]), None);
    }
}
