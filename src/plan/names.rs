//! Matching the names people write (transcript display names, cue sheet lines) to the
//! agenda's speakers.
//!
//! Meeting platforms show whatever a participant typed: "Amara Okafor | Lagos State",
//! "maria garcia" for "María José García López", "Okafor, Amara". We fold accents and case,
//! drop what follows a `|`, ` - ` or `(`, and score how the remaining words overlap an
//! agenda name; an ambiguous or weak match is no match, because a wrong speaker is worse
//! than an unknown one (unknown voices are treated as the audience).

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
    if d.len() >= 2 && d.iter().all(in_a) && d[0] == a[0] {
        return 80; // a missing middle name or second surname
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
        let d = words(candidate);
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
    }

    #[test]
    fn strangers_and_ambiguous_names_match_nobody() {
        assert_eq!(m("Guest 1234"), None);
        assert_eq!(m("iPhone de Pedro"), None);
        assert_eq!(m("Attendee"), None);
        assert_eq!(match_name("Ana", &["Ana Pérez", "Ana Gómez"]), None);
    }
}
