//! Time codes, read and written in one place: `H:MM:SS` for people, `HH:MM:SS.mmm` for
//! WebVTT, and what recognisers, players and ffmpeg print (`MM:SS`, `HH:MM:SS.ss`, SRT's
//! `HH:MM:SS,mmm`).

/// `H:MM:SS` or `M:SS`, for people.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `HH:MM:SS.mmm`, as WebVTT writes times.
pub fn vtt(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// `HH:MM:SS.mmm`, `H:MM:SS`, `MM:SS.mmm` or SRT's `HH:MM:SS,mmm` to seconds; minutes and
/// seconds after the first field must be below 60.
pub fn parse(s: &str) -> Option<f64> {
    let s = s.trim().replace(',', ".");
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut total = 0.0;
    for (k, p) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        let ok = !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || (last && c == '.'));
        if !ok {
            return None;
        }
        let v: f64 = p.parse().ok()?;
        if k > 0 && v >= 60.0 {
            return None;
        }
        total = total * 60.0 + v;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_for_people_and_for_webvtt() {
        assert_eq!(clock(59.6), "1:00");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(vtt(3725.0125), "01:02:05.013");
        assert_eq!(vtt(-1.0), "00:00:00.000");
    }

    #[test]
    fn read_as_recognisers_players_and_ffmpeg_write_them() {
        assert_eq!(parse("00:03:29.04"), Some(209.04));
        assert_eq!(parse("1:02:05"), Some(3725.0));
        assert_eq!(parse("12:40"), Some(760.0));
        assert_eq!(parse("00:00:01,500"), Some(1.5));
        for bad in ["x", "12.5", "1:60", "1:2:3:4", "-0:01", "1::2", "N/A"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
