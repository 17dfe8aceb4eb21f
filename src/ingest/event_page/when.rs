//! When the webinar and each of its items happen: dates, clock times, lengths, time zones.
//!
//! Pages write these in many ways: `29 Jun. 2021`, `martes, 29 de junio de 2021`,
//! `2021-06-29`; clock times as `14:05`, `10h05`, `13 h 05`, `3:05 pm`, `16:00 h.`, often as
//! ranges (`14:05 – 14:20`, `de 10h00 à 11h30`, `11am - 12:30pm`); lengths as `10 min`,
//! `(5')`, `1 h 30`; zones as an abbreviation next to a time (`CEST`), a city's time
//! (`heure de Paris`, `hora de Bogotá`, `horário de Brasília`) or an offset (`GMT-5`, and
//! the `+02:00` of structured data). Times are kept as minutes after midnight.

use std::ops::Range;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use super::lexicon::{listed, mentions, MONTHS, ZONE_ABBREVIATIONS, ZONE_CITIES};
use super::text::{fold, leading, words, Line};

fn month_of(t: &str) -> Option<i8> {
    let months = || MONTHS.split('|').zip(1..);
    if let Some((_, m)) = months().find(|(names, _)| names.split_whitespace().any(|n| n == t)) {
        return Some(m);
    }
    if t.len() < 3 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let abbreviates = |names: &str| names.split_whitespace().any(|n| n.starts_with(t));
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
pub fn find_date(l: &str) -> Option<(i16, i8, i8)> {
    for w in l.as_bytes().windows(10) {
        let digits = |r: Range<usize>| w[r].iter().all(u8::is_ascii_digit);
        if digits(0..4) && w[4] == b'-' && digits(5..7) && w[7] == b'-' && digits(8..10) {
            let n = |r: Range<usize>| std::str::from_utf8(&w[r]).ok()?.parse::<i16>().ok();
            return Some((n(0..4)?, n(5..7)? as i8, n(8..10)? as i8));
        }
    }
    // 13/08/2024, 13.08.2024: day first, as pages outside the United States write it;
    // month first only when the second number cannot be a month (08/13/2024).
    for w in l.split(|c: char| c.is_whitespace() || "(),;".contains(c)) {
        let parts: Vec<&str> = w.split(['/', '.']).collect();
        if let [a, b, y] = parts[..] {
            let (Ok(a), Ok(b), Some(y)) = (a.parse::<i8>(), b.parse::<i8>(), year_of(y)) else {
                continue;
            };
            let (d, m) = if b > 12 && a <= 12 { (b, a) } else { (a, b) };
            if (1..=12).contains(&m) && (1..=31).contains(&d) {
                return Some((y, m, d));
            }
        }
    }
    let t: Vec<String> = words(l)
        .into_iter()
        .map(|w| w.trim_end_matches('.').to_string())
        .collect();
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

/// The first length in `s` ("10 min", "5 minutes", "10'", "1 h 30", "1 hora") in minutes,
/// with its byte range. Lengths over six hours are taken for times of day and skipped.
pub fn find_duration(s: &str) -> Option<(f64, Range<usize>)> {
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

/// A clock time written at the start of `s`: minutes after midnight, the bytes it used and
/// whether it said am/pm. `14:05`, `10h05`, `10h`, `13 h 05`, `3:05 pm`, `11am`, `16:00 h.`
fn clock_at(s: &str) -> Option<(u32, usize, bool)> {
    let hd = leading(s, |c| c.is_ascii_digit());
    if !(1..=2).contains(&hd) {
        return None;
    }
    let hour: u32 = s[..hd].parse().ok()?;
    let mut at = hd;
    let two_digits = |i: usize| -> Option<u32> {
        let d = s.get(i..i + 2)?;
        let n = leading(d, |c| c.is_ascii_digit());
        (n == 2 && !s[i + 2..].starts_with(|c: char| c.is_ascii_digit()))
            .then(|| d.parse().ok())
            .flatten()
    };
    let mut minute = None;
    let rest = &s[at..];
    if rest.starts_with(':') {
        minute = Some(two_digits(at + 1)?);
        at += 3;
    } else if rest.starts_with(['h', 'H']) || rest.starts_with(" h") {
        let h_at = at + if rest.starts_with(' ') { 2 } else { 1 };
        let after = &s[h_at..];
        if after.starts_with(|c: char| c.is_alphabetic()) {
            return None; // "1 hour", "2hrs": a length
        }
        at = h_at;
        let sp = if after.starts_with(' ') { 1 } else { 0 };
        if let Some(m) = two_digits(at + sp) {
            minute = Some(m);
            at += sp + 2;
        }
        if minute.is_none() && hd == 1 && rest.starts_with(' ') {
            // "1 h" is a length, not one o'clock ("13 h" and "9h" are times).
            return None;
        }
    }
    // A trailing " h" or "h." after "16:00", and am/pm.
    let tail = &s[at..];
    if minute.is_some() {
        for suffix in [" h.", " h", "h.", "h"] {
            if tail.starts_with(suffix)
                && !tail[suffix.len()..].starts_with(|c: char| c.is_alphanumeric())
            {
                at += suffix.len();
                break;
            }
        }
    }
    let tail = &s[at..];
    let sp = leading(tail, |c| c == ' ');
    let lower = tail[sp..].to_ascii_lowercase();
    let mut meridiem = None;
    for (m, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if lower.starts_with(m) && !lower[m.len()..].starts_with(|c: char| c.is_alphanumeric()) {
            meridiem = Some((pm, sp + m.len()));
            break;
        }
    }
    if minute.is_none() && meridiem.is_none() && !s[hd..at].contains(['h', 'H']) {
        return None;
    }
    let mut hour = hour;
    if let Some((pm, used)) = meridiem {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (pm, hour) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
        at += used;
    }
    let minute = minute.unwrap_or(0);
    (hour <= 23 && minute <= 59).then_some((hour * 60 + minute, at, meridiem.is_some()))
}

/// A clock time or range at the start of `s` ("14:05 – 14:20", "de 10h00 à 11h30" without
/// the "de"): start, end, and the bytes used.
pub fn times_at(s: &str) -> Option<(u32, Option<u32>, usize)> {
    let (start, used, said_meridiem) = clock_at(s)?;
    let rest = &s[used..];
    let sp = leading(rest, |c| c == ' ');
    let after_sp = &rest[sp..];
    for sep in [
        "–", "—", "-", "~", "to ", "a ", "à ", "às ", "as ", "até ", "ate ", "al ", "au ", "hasta ",
    ] {
        let Some(r) = after_sp.strip_prefix(sep) else {
            continue;
        };
        let gap = leading(r, |c| c == ' ');
        let Some((mut end, used2, end_meridiem)) = clock_at(&r[gap..]) else {
            continue;
        };
        let mut start = start;
        if end_meridiem && !said_meridiem && start < 12 * 60 {
            // "11 - 12:30pm", "2:00 - 3:30 pm": the first time shares the second's half.
            if end >= 12 * 60 && start + 12 * 60 <= end {
                start += 12 * 60;
            }
        }
        if end < start && end + 12 * 60 > start && !end_meridiem {
            end += 12 * 60;
        }
        let total = used + sp + sep.len() + gap + used2;
        return Some((start, Some(end), total));
    }
    Some((start, None, used))
}

/// The first clock time or range anywhere in `s`.
pub fn find_times(s: &str) -> Option<(u32, Option<u32>)> {
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let boundary = !prev.is_some_and(|p| p.is_alphanumeric() || ":.,/-".contains(p));
        prev = Some(c);
        if c.is_ascii_digit() && boundary {
            if let Some((a, b, _)) = times_at(&s[i..]) {
                return Some((a, b));
            }
        }
    }
    None
}

/// `HH:MM` of minutes after midnight.
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60 % 24, minutes % 60)
}

/// A point in time as structured data writes it (`2024-05-14T14:00:00+02:00`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stamp {
    pub date: Date,
    pub time: Option<Time>,
    /// Offset from UTC in seconds, when the stamp gives one (`Z` is 0).
    pub offset: Option<i32>,
}

impl Stamp {
    pub fn parse(s: &str) -> Option<Stamp> {
        let s = s.trim();
        let date: Date = s.get(..10)?.parse().ok()?;
        let Some(rest) = s.get(10..).filter(|r| !r.is_empty()) else {
            return Some(Stamp {
                date,
                time: None,
                offset: None,
            });
        };
        let rest = rest.strip_prefix(['T', ' '])?;
        let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
            (c, Some(0))
        } else if let Some(at) = rest.rfind(['+', '-']) {
            let (c, o) = rest.split_at(at);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let digits: String = o[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i32 = digits.get(..2)?.parse().ok()?;
            let m: i32 = digits.get(2..4).unwrap_or("00").parse().ok()?;
            (c, Some(sign * (h * 3600 + m * 60)))
        } else {
            (rest, None)
        };
        let time: Time = clock.parse().ok()?;
        Some(Stamp {
            date,
            time: Some(time),
            offset,
        })
    }

    /// The local date and time in `zone` (the stamp's own if it has no offset or no zone).
    pub fn local(&self, zone: Option<&str>) -> (Date, Option<u32>) {
        let minutes = |t: Time| t.hour() as u32 * 60 + t.minute() as u32;
        let (Some(time), Some(offset)) = (self.time, self.offset) else {
            return (self.date, self.time.map(minutes));
        };
        let zoned = Offset::from_seconds(offset)
            .and_then(|o| o.to_timestamp(DateTime::from_parts(self.date, time)))
            .ok()
            .zip(zone.and_then(|z| TimeZone::get(z).ok()))
            .map(|(ts, tz)| ts.to_zoned_datetime(tz).datetime());
        match zoned {
            Some(dt) => (dt.date(), Some(minutes(dt.time()))),
            None => (self.date, Some(minutes(time))),
        }
    }
}

/// The zone of a fixed offset: `Etc/GMT-2` for +02:00 (POSIX signs), `UTC` for zero;
/// `None` for offsets that are not whole hours.
pub fn offset_zone(seconds: i32) -> Option<String> {
    if seconds == 0 {
        return Some("UTC".into());
    }
    (seconds % 3600 == 0).then(|| format!("Etc/GMT{:+}", -seconds / 3600))
}

/// Whether `zone` is `seconds` ahead of UTC on `date` at noon.
pub fn zone_has_offset(zone: &str, date: Date, seconds: i32) -> bool {
    let Ok(tz) = TimeZone::get(zone) else {
        return false;
    };
    tz.to_timestamp(date.at(12, 0, 0, 0))
        .is_ok_and(|ts| tz.to_offset(ts).seconds() == seconds)
}

/// The zone of a city named in `text` ("Ciudad de México"), from [`ZONE_CITIES`].
pub fn city_zone(text: &str) -> Option<&'static str> {
    let w = words(text);
    ZONE_CITIES
        .iter()
        .find(|(names, _)| mentions(names, &w))
        .map(|(_, zone)| *zone)
}

/// The time zones a page states, in page order: a city's time ("heure de Paris")
/// anywhere, or an abbreviation or a `GMT-5`/`UTC+2` offset on a line that has a clock time.
pub fn zone_hints(lines: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut found = |z: String| {
        if !out.contains(&z) {
            out.push(z);
        }
    };
    for (_, l) in lines {
        let w = words(l);
        let folded = w.join(" ");
        for (names, zone) in ZONE_CITIES {
            for name in names.split('|') {
                let phrases = [
                    format!("hora de {name}"),
                    format!("heure de {name}"),
                    format!("horario de {name}"),
                    format!("hora oficial de {name}"),
                    format!("hora {name}"),
                    format!("{name} time"),
                ];
                // "15h às 16h30 (Brasília)": a city in parentheses after a time.
                let bracketed = format!("({name})");
                if find_times(l).is_some() && fold(l).contains(&bracketed) {
                    found(zone.to_string());
                }
                if phrases
                    .iter()
                    .any(|p| format!(" {folded} ").contains(&format!(" {p} ")))
                {
                    found(zone.to_string());
                }
            }
        }
        if find_times(l).is_none() {
            continue;
        }
        let tokens: Vec<&str> = l
            .split(|c: char| !(c.is_alphanumeric() || "+-−:".contains(c)))
            .filter(|t| !t.is_empty())
            .collect();
        for t in tokens {
            for prefix in ["GMT", "UTC"] {
                let Some(off) = t.strip_prefix(prefix).filter(|o| !o.is_empty()) else {
                    continue;
                };
                let off = off.replace('−', "-");
                let sign = if off.starts_with('-') { -1 } else { 1 };
                let digits = off.trim_start_matches(['+', '-']);
                let (h, m) = digits.split_once(':').unwrap_or((digits, "0"));
                if let (Ok(h), Ok(m)) = (h.parse::<i32>(), m.parse::<i32>()) {
                    if let Some(z) = offset_zone(sign * (h * 3600 + m * 60)) {
                        found(z);
                    }
                }
            }
            let zone = ZONE_ABBREVIATIONS
                .split_whitespace()
                .find_map(|e| e.strip_prefix(t)?.strip_prefix('='));
            if let Some(z) = zone {
                found(z.to_string());
            }
        }
    }
    out
}

/// Whether `l` says when the event is (a date or a clock time) rather than what it is.
pub fn mentions_time(l: &str) -> bool {
    find_date(l).is_some() || find_times(l).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_and_ranges_as_pages_write_them() {
        let cases = [
            ("14:05 – 14:20 Title", Some((845, Some(860)))),
            ("10h05 — Name", Some((605, None))),
            ("10h às 11h30 (horário de Brasília)", Some((600, Some(690)))),
            ("13 h 05", Some((785, None))),
            ("de 13 h à 14 h 15", Some((780, Some(855)))),
            ("3:05 pm", Some((905, None))),
            ("11am - 12:30pm EDT", Some((660, Some(750)))),
            ("2:00 pm - 3:30 pm CEST", Some((840, Some(930)))),
            ("6:00 PM – 7:30 PM", Some((1080, Some(1170)))),
            ("9:00 – 10:30 a.m. ET", Some((540, Some(630)))),
            ("16:00 h. Apertura", Some((960, None))),
        ];
        for (text, want) in cases {
            let got = find_times(text);
            assert_eq!(got, want, "{text}");
        }
        for text in [
            "10 min",
            "1 h",
            "1 hour 30",
            "29 June 2021",
            "2021",
            "COVID-19 times",
            "24-hour",
        ] {
            assert_eq!(find_times(text), None, "{text}");
        }
    }

    #[test]
    fn numeric_dates_are_day_first_unless_they_cannot_be() {
        assert_eq!(find_date("Data: 13/08/2024"), Some((2024, 8, 13)));
        assert_eq!(find_date("Jue, 19/10/2023 - 10:00"), Some((2023, 10, 19)));
        assert_eq!(find_date("08/13/2024"), Some((2024, 8, 13)));
        assert_eq!(find_date("13.08.2024"), Some((2024, 8, 13)));
    }

    #[test]
    fn zones_named_by_pages() {
        let hints = |text: &str| zone_hints(&[(1, text.to_string())]);
        assert_eq!(hints("de 10h00 à 11h30 (heure de Paris)"), ["Europe/Paris"]);
        assert_eq!(
            hints("Jue, 19/10/2023 - 10:00 (hora de Bogotá)"),
            ["America/Bogota"]
        );
        assert_eq!(hints("15h às 16h30 (Brasília)"), ["America/Sao_Paulo"]);
        assert_eq!(hints("May 14 @ 2:00 pm - 3:30 pm CEST"), ["Europe/Paris"]);
        assert_eq!(hints("10:00 (GMT-5)"), ["Etc/GMT+5"]);
        assert_eq!(
            hints("17:00 a 18:30 (CEST) / 10:00 a 11:30 (hora de Ciudad de México)"),
            ["America/Mexico_City", "Europe/Paris"]
        );
        // An abbreviation counts only next to a time: French "ET" is "and".
        assert!(hints("Villes ET territoires").is_empty());
    }

    #[test]
    fn stamps_in_another_zone() {
        let s = Stamp::parse("2023-10-19T15:00:00Z").unwrap();
        let (d, t) = s.local(Some("America/Bogota"));
        assert_eq!(
            (d.to_string(), t.map(hhmm)),
            ("2023-10-19".into(), Some("10:00".into()))
        );
        let s = Stamp::parse("2024-05-14T14:00:00+02:00").unwrap();
        assert_eq!(s.offset, Some(7200));
        assert!(zone_has_offset("Europe/Paris", s.date, 7200));
        assert!(!zone_has_offset("Europe/London", s.date, 7200));
        assert_eq!(offset_zone(-3 * 3600).as_deref(), Some("Etc/GMT+3"));
    }
}
