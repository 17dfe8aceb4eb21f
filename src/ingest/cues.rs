//! Cue sheets: the user's own notes of when each item or speaker started.
//!
//! The strongest evidence we get, and the least formal: one line per item or speaker, a
//! `HH:MM:SS` or `MM:SS` time and a name or title (either first), lines in any order,
//! `#` comments. A time with fractions of a second (`1:02:03.4`) is exact: the plan cuts
//! there, where a whole-second time is moved to the pause next to it. What a name refers to is decided by the plan stage against the agenda;
//! here we only read the lines and keep their numbers for error messages.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct CueLine {
    /// Seconds from the start of the recording.
    pub time: f64,
    /// The name or title as written.
    pub label: String,
    /// Written with fractions of a second (`12:40.300`): the time was placed on a
    /// waveform (the review page writes cue sheets this way), so it is taken as written
    /// rather than moved to the pause next to it.
    pub exact: bool,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct CueSheet {
    pub path: PathBuf,
    /// Sorted by time.
    pub lines: Vec<CueLine>,
}

impl CueSheet {
    pub fn load(path: &Path) -> Result<CueSheet> {
        let text = crate::error::read_text(path)?;
        parse(&text, path)
    }
}

const SEPARATORS: &[char] = &['-', '–', '—', '|', ':', ',', ';', '\t', ' '];

pub fn parse(text: &str, path: &Path) -> Result<CueSheet> {
    // Labels become chapter titles: no direction controls (see `safe`).
    let text = crate::safe::strip_bidi(text);
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim().trim_start_matches('\u{feff}');
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let first = l.split_whitespace().next().unwrap_or("");
        let last = l.split_whitespace().last().unwrap_or("");
        let (time, label, clock) = if let Some(t) = parse_clock(first) {
            (t, &l[first.len()..], first)
        } else if let Some(t) = parse_clock(last) {
            (t, &l[..l.len() - last.len()], last)
        } else {
            return Err(Error::parse(
                path,
                line,
                format!(
                    "expected a time and a name, like `00:12:30 Amara Okafor` or `12:30 Q&A`, \
                     got `{l}`"
                ),
            ));
        };
        let label = label.trim_matches(SEPARATORS).trim();
        if label.is_empty() {
            return Err(Error::parse(
                path,
                line,
                "this cue has a time but no name or title: add who or what starts then",
            ));
        }
        lines.push(CueLine {
            time,
            label: label.to_string(),
            line,
            exact: clock.trim_end_matches(SEPARATORS).contains(['.', ',']),
        });
    }
    if lines.is_empty() {
        return Err(Error::input(
            path,
            "the cue sheet has no cues: write one `HH:MM:SS name` line per speaker or item",
        ));
    }
    lines.sort_by(|a, b| a.time.total_cmp(&b.time));
    Ok(CueSheet {
        path: path.to_path_buf(),
        lines,
    })
}

/// `H:MM:SS` or `MM:SS`, optionally with fractions of a second; a trailing separator is allowed.
fn parse_clock(token: &str) -> Option<f64> {
    let t = token.trim_end_matches(SEPARATORS);
    if !t.contains(':') {
        return None;
    }
    crate::timecode::parse(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_first_or_last_in_any_order() {
        let s = parse(
            "# my notes\n12:30 - Amara Okafor\n\n00:00:40 Lucía (intro)\nQ&A: 1:05:02\n",
            Path::new("c.txt"),
        )
        .unwrap();
        let got: Vec<(f64, &str, usize)> = s
            .lines
            .iter()
            .map(|c| (c.time, c.label.as_str(), c.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (40.0, "Lucía (intro)", 4),
                (750.0, "Amara Okafor", 2),
                (3902.0, "Q&A", 5)
            ]
        );
        assert!(s.lines.iter().all(|c| !c.exact));
    }

    #[test]
    fn fractions_of_a_second_make_a_time_exact() {
        let s = parse(
            "0:12:40.3 Ana
Q&A 13:05,5
",
            Path::new("c.txt"),
        )
        .unwrap();
        let got: Vec<(i64, bool)> = s
            .lines
            .iter()
            .map(|c| ((c.time * 10.0).round() as i64, c.exact))
            .collect();
        assert_eq!(got, vec![(7603, true), (7855, true)]);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let e = parse("10:00 Ana\nAna at ten\n", Path::new("c.txt"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.txt:2: expected a time"), "{e}");
        let e = parse("10:00\n", Path::new("c.txt"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.txt:1:") && e.contains("no name"), "{e}");
        let e = parse("10:75 Ana\n", Path::new("c.txt"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.txt:1:"), "{e}");
    }
}
