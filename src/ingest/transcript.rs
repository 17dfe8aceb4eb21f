//! Transcripts with speaker names: WebVTT as Zoom writes it (`Name: text`), as Teams writes
//! it (`<v Name>text</v>`, cue ids like `guid/12-0`), and SRT with `Name:` prefixes.
//!
//! A transcript is the second-best evidence of who spoke when (after a cue sheet), so a
//! broken one must fail loudly: every error names the file and line. Display names are
//! kept as written; matching them to the agenda is the plan stage's job.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One cue: a stretch of text, with its speaker's display name when the transcript gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cue {
    /// Seconds from the start of the recording (or of the episode, in a slice).
    pub start: f64,
    pub end: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    pub text: String,
    /// Line of the timing line in the source file (0 in slices made by eventcast).
    #[serde(default, skip)]
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Transcript {
    pub path: PathBuf,
    pub cues: Vec<Cue>,
    /// Oddities worth a look that do not stop alignment (overlapping cues, ...).
    pub warnings: Vec<String>,
}

/// How much two cues may overlap before we warn (Teams overlaps cues by a few frames).
const OVERLAP_TOLERANCE: f64 = 0.5;
/// How much earlier than the cue before it a cue may start (overlapping speakers).
const DISORDER_TOLERANCE: f64 = 3.0;
/// How far past the end of the recording a cue may end (rounding, trailing silence).
const END_TOLERANCE: f64 = 2.0;

impl Transcript {
    pub fn load(path: &Path) -> Result<Transcript> {
        let text = crate::error::read_text(path)?;
        parse(&text, path)
    }

    /// Refuse a transcript that runs past the end of the recording: it belongs to another
    /// recording, or the recording was trimmed, and every cut would be wrong.
    pub fn check_duration(&self, duration: f64) -> Result<()> {
        if let Some(c) = self.cues.iter().find(|c| c.end > duration + END_TOLERANCE) {
            return Err(Error::parse(
                &self.path,
                c.line,
                format!(
                    "this cue ends at {} but the recording is only {} long: is this the \
                     transcript of another (or an untrimmed) recording?",
                    crate::timecode::clock(c.end),
                    crate::timecode::clock(duration)
                ),
            ));
        }
        Ok(())
    }
}

/// Parse WebVTT or SRT text read from `path`.
pub fn parse(text: &str, path: &Path) -> Result<Transcript> {
    // Speaker names and text reach pages and captions: no direction controls (see `safe`).
    let text = crate::safe::strip_bidi(text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let is_vtt = first.is_some_and(|i| lines[i].trim_start().starts_with("WEBVTT"));
    let is_srt = !is_vtt
        && first.is_some_and(|i| {
            lines[i].trim().chars().all(|c| c.is_ascii_digit())
                && lines.get(i + 1).is_some_and(|l| l.contains("-->"))
        });
    if !is_vtt && !is_srt {
        return Err(Error::parse(
            path,
            first.map(|i| i + 1).unwrap_or(1),
            "not a WebVTT or SRT transcript (WebVTT starts with `WEBVTT`, SRT with a cue \
             number and a `00:00:01,000 --> 00:00:04,000` line): export the transcript as .vtt or .srt",
        ));
    }
    let mut cues: Vec<Cue> = Vec::new();
    let mut warnings = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let block_start = i;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let block = &lines[block_start..i];
        let head = block[0].trim_start();
        if is_vtt
            && (head.starts_with("WEBVTT")
                || head.starts_with("NOTE")
                || head.starts_with("STYLE")
                || head.starts_with("REGION"))
        {
            continue;
        }
        let Some(t) = block.iter().position(|l| l.contains("-->")) else {
            return Err(Error::parse(
                path,
                block_start + 1,
                "expected a cue timing line like `00:00:01.000 --> 00:00:04.000`",
            ));
        };
        let line = block_start + t + 1;
        let (start, end) = parse_timing(block[t])
            .ok_or_else(|| Error::parse(path, line, format!("bad cue timing `{}`", block[t])))?;
        if end < start {
            return Err(Error::parse(path, line, "this cue ends before it starts"));
        }
        let (speaker, text) = speaker_and_text(&block[t + 1..]);
        if let Some(prev) = cues.last() {
            // Recognisers write overlapping speakers' cues a little out of order; those
            // are put back in order below. Minutes out of order is another file's mix-up.
            if start + DISORDER_TOLERANCE < prev.start {
                return Err(Error::parse(
                    path,
                    line,
                    format!(
                        "this cue starts at {} but the cue at line {} starts later ({}): cues \
                         must be in time order; re-export the transcript",
                        crate::timecode::clock(start),
                        prev.line,
                        crate::timecode::clock(prev.start)
                    ),
                ));
            }
            if start + OVERLAP_TOLERANCE < prev.end {
                warnings.push(format!(
                    "{}:{line}: cue overlaps the one at line {} by {:.1} s; boundaries near it are less certain",
                    path.display(),
                    prev.line,
                    prev.end - start
                ));
            }
        }
        cues.push(Cue {
            start,
            end,
            speaker,
            text,
            line,
        });
    }
    if cues.is_empty() {
        return Err(Error::input(path, "the transcript has no cues"));
    }
    cues.sort_by(|a, b| a.start.total_cmp(&b.start));
    if cues.iter().all(|c| c.speaker.is_none()) {
        return Err(Error::input(
            path,
            "no cue names its speaker (`Name: text` or `<v Name>text</v>`), so it cannot tell \
             who spoke when: export it with speaker names, or leave out --transcript to align \
             from the audio",
        ));
    }
    Ok(Transcript {
        path: path.to_path_buf(),
        cues,
        warnings,
    })
}

/// `00:01:02.500 --> 00:01:04.000 align:start` → (62.5, 64.0).
fn parse_timing(line: &str) -> Option<(f64, f64)> {
    let (a, b) = line.split_once("-->")?;
    let b = b.split_whitespace().next()?;
    Some((
        crate::timecode::parse(a.trim())?,
        crate::timecode::parse(b)?,
    ))
}

/// The speaker (from a `<v Name>` span or a `Name:` prefix) and the plain text of a cue.
fn speaker_and_text(lines: &[&str]) -> (Option<String>, String) {
    let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    let mut speaker = None;
    if let Some(rest) = joined.trim_start().strip_prefix("<v") {
        if rest.starts_with([' ', '.', '\t']) {
            if let Some(close) = rest.find('>') {
                // `<v.class Name>`: the class goes, the name stays.
                let tag = rest[..close].trim_start();
                let name = if tag.starts_with('.') {
                    tag.split_once(' ').map(|(_, n)| n).unwrap_or("")
                } else {
                    tag
                };
                let name = name.trim();
                if !name.is_empty() {
                    speaker = Some(name.to_string());
                }
            }
        }
    }
    let plain = strip_tags(&joined);
    if speaker.is_some() {
        return (speaker, plain);
    }
    if let Some((name, text)) = plain.split_once(':') {
        let name = name.trim();
        let words = name.split_whitespace().count();
        let looks_like_name = (1..=8).contains(&words)
            && name.chars().count() <= 80
            && !name.contains("http")
            && !looks_like_clock(name, text);
        if looks_like_name {
            return (Some(name.to_string()), text.trim().to_string());
        }
    }
    (None, plain)
}

/// Whether `name: text` is rather a time of day or a count in running text ("at 10:30",
/// "2: the second point"): digits right before the colon, then a digit or nothing
/// name-like before them. Display names may hold digits ("Speaker 2", "Maria E. (2)",
/// "+34 6•• ••• •••", "Call-in User 3").
fn looks_like_clock(name: &str, text: &str) -> bool {
    let ends_in_digit = name.ends_with(|c: char| c.is_ascii_digit());
    let text_starts_with_digit = text.starts_with(|c: char| c.is_ascii_digit());
    let phone = name.starts_with('+') || name.chars().filter(|c| c.is_ascii_digit()).count() >= 6;
    let starts_with_digit = name.starts_with(|c: char| c.is_ascii_digit());
    !phone && ((ends_in_digit && text_starts_with_digit) || starts_with_digit)
}

/// Text without WebVTT tags (`<v ...>`, `</v>`, `<i>`, `<00:01.000>`).
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = false;
    for c in s.chars() {
        match c {
            '<' => depth = true,
            '>' if depth => depth = false,
            _ if !depth => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WebVTT text of `cues`, speakers as `<v Name>` spans (what podcast apps display).
    fn to_vtt(cues: &[Cue]) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for (i, c) in cues.iter().enumerate() {
            out.push_str(&format!(
                "{}\n{} --> {}\n",
                i + 1,
                crate::timecode::vtt(c.start),
                crate::timecode::vtt(c.end)
            ));
            match &c.speaker {
                Some(s) => out.push_str(&format!("<v {s}>{}</v>\n\n", c.text)),
                None => out.push_str(&format!("{}\n\n", c.text)),
            }
        }
        out
    }

    fn p() -> &'static Path {
        Path::new("t.vtt")
    }

    #[test]
    fn zoom_style() {
        let t = parse(
            "WEBVTT\n\n1\n00:00:01.500 --> 00:00:04.000\nAna Pérez | Metropolis: Hola a todos\n\n2\n00:00:04.200 --> 00:01:02.000\nJoão Silva: Obrigado. Two: lines\n",
            p(),
        )
        .unwrap();
        assert_eq!(t.cues.len(), 2);
        assert_eq!(t.cues[0].speaker.as_deref(), Some("Ana Pérez | Metropolis"));
        assert_eq!(t.cues[0].text, "Hola a todos");
        assert_eq!(t.cues[0].start, 1.5);
        assert_eq!(t.cues[1].end, 62.0);
        assert_eq!(t.cues[1].text, "Obrigado. Two: lines");
        assert_eq!(t.cues[1].line, 8);
    }

    #[test]
    fn display_names_with_digits_and_clock_times() {
        let t = parse(
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n+34 6•• ••• •••: Buenas tardes\n\n\
             00:00:03.000 --> 00:00:04.000\nMaria E. (2): Sí\n\n\
             00:00:05.000 --> 00:00:06.000\nSpeaker 2: hello\n\n\
             00:00:07.000 --> 00:00:08.000\nAna: we met at 10:30 today\n\n\
             00:00:09.000 --> 00:00:10.000\nat 10:30 we started\n",
            p(),
        )
        .unwrap();
        let who: Vec<Option<&str>> = t.cues.iter().map(|c| c.speaker.as_deref()).collect();
        assert_eq!(
            who,
            vec![
                Some("+34 6•• ••• •••"),
                Some("Maria E. (2)"),
                Some("Speaker 2"),
                Some("Ana"),
                None
            ]
        );
        assert_eq!(t.cues[3].text, "we met at 10:30 today");
    }

    #[test]
    fn teams_style() {
        let t = parse(
            "WEBVTT\n\nNOTE a comment\n\n3f2a-11/12-0\n00:00:01.000 --> 00:00:02.000\n<v Okafor, Amara (Lagos)>Thank you.</v>\n\n3f2a-11/12-1\n00:00:02.000 --> 00:00:03.000 align:start\n<v.loud Amara Okafor>More text</v>\n",
            p(),
        )
        .unwrap();
        assert_eq!(t.cues[0].speaker.as_deref(), Some("Okafor, Amara (Lagos)"));
        assert_eq!(t.cues[0].text, "Thank you.");
        assert_eq!(t.cues[1].speaker.as_deref(), Some("Amara Okafor"));
    }

    #[test]
    fn srt_with_name_prefixes() {
        let t = parse(
            "1\n00:00:01,000 --> 00:00:02,500\nHelena Varga: Welcome\n\n2\n00:00:03,000 --> 00:00:04,000\nHELENA: again\n",
            Path::new("t.srt"),
        )
        .unwrap();
        assert_eq!(t.cues[0].speaker.as_deref(), Some("Helena Varga"));
        assert_eq!(t.cues[0].end, 2.5);
        assert_eq!(t.cues[1].speaker.as_deref(), Some("HELENA"));
    }

    #[test]
    fn bad_transcripts_name_the_line() {
        let err = |s: &str| parse(s, p()).unwrap_err().to_string();
        assert!(err("Hello there\n").starts_with("t.vtt:1: not a WebVTT or SRT"));
        let unordered = "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nA: x\n\n00:00:01.000 --> 00:00:02.000\nB: y\n";
        let e = err(unordered);
        assert!(e.starts_with("t.vtt:6:") && e.contains("time order"), "{e}");
        let nameless = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n";
        assert!(err(nameless).contains("no cue names its speaker"));
        let backwards = "WEBVTT\n\n00:00:03.000 --> 00:00:02.000\nA: x\n";
        assert!(err(backwards).starts_with("t.vtt:3: this cue ends before it starts"));
        let garbage = "WEBVTT\n\n00:00:xx --> 00:00:02.000\nA: x\n";
        assert!(err(garbage).starts_with("t.vtt:3: bad cue timing"));
    }

    #[test]
    fn overlaps_warn_and_overruns_fail() {
        let t = parse(
            "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nA: x\n\n00:00:02.000 --> 00:00:09.000\nB: y\n",
            p(),
        )
        .unwrap();
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
        assert!(t.warnings[0].contains("overlaps"));
        let e = t.check_duration(6.0).unwrap_err().to_string();
        assert!(
            e.starts_with("t.vtt:6:") && e.contains("only 0:06 long"),
            "{e}"
        );
        t.check_duration(9.5).unwrap();
    }

    #[test]
    fn vtt_round_trip() {
        let cues = vec![Cue {
            start: 0.0,
            end: 1.25,
            speaker: Some("Ana".into()),
            text: "Hola".into(),
            line: 0,
        }];
        let back = parse(&to_vtt(&cues), p()).unwrap();
        assert_eq!(back.cues[0].speaker.as_deref(), Some("Ana"));
        assert_eq!(back.cues[0].end, 1.25);
    }
}
