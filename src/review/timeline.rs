//! The plan as a picture in the terminal and the logs: one line per part, its bar placed
//! on the recording's length, so a glance shows where parts leave gaps or overlap and
//! which rest on weak evidence, without reading the times in the table.

use crate::plan::{Plan, Source};

/// Columns of the timeline in the logs (no terminal to fit).
pub const LOG_WIDTH: usize = 100;
/// Columns given to each line's label.
const LABEL: usize = 24;
/// Narrowest bar drawn, whatever the terminal.
const LEAST_BAR: usize = 20;

/// The character a bar is drawn with, by the evidence it rests on: the stronger, the
/// darker.
fn shade(source: Source) -> char {
    match source {
        Source::Cues => '█',
        Source::Transcript => '▓',
        Source::Audio => '▒',
        Source::Planned => '░',
    }
}

/// The width of the terminal standard output is, if it is one.
pub fn terminal_width() -> Option<usize> {
    console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| cols as usize)
}

/// The timeline of `plan` in lines of at most `width` columns: a time axis, one line per
/// part, and a legend.
pub fn bars(plan: &Plan, width: usize) -> String {
    let bar = width.saturating_sub(LABEL + 1).max(LEAST_BAR);
    let duration = plan.recording.duration.max(1e-3);
    let col = |t: f64| ((t / duration) * bar as f64).clamp(0.0, bar as f64);
    let mut out = String::new();
    // The axis: the start, the middle and the end of the recording.
    let mut axis: Vec<char> = vec![' '; bar];
    let marks = [
        (0usize, crate::timecode::clock(0.0)),
        (bar / 2, crate::timecode::clock(duration / 2.0)),
        (bar, crate::timecode::clock(duration)),
    ];
    for (at, text) in &marks {
        let n = text.chars().count();
        let from = at.saturating_sub(if *at == 0 {
            0
        } else if *at == bar {
            n
        } else {
            n / 2
        });
        for (k, c) in text.chars().enumerate() {
            if let Some(slot) = axis.get_mut(from + k) {
                *slot = c;
            }
        }
    }
    out.push_str(&format!(
        "{:<LABEL$} {}\n",
        "timeline",
        axis.iter().collect::<String>().trim_end()
    ));
    for s in &plan.segments {
        let number = s
            .item
            .map(|i| (i + 1).to_string())
            .unwrap_or_else(|| "-".into());
        let label = fit(&format!("{number:>2} {}", s.title), LABEL);
        let (a, b) = (col(s.start), col(s.end));
        // A cell is drawn when the part covers half of it; a part always shows, however short.
        let first = a.round() as usize;
        let last = (b.round() as usize).max(first + 1).min(bar);
        let first = first.min(last.saturating_sub(1));
        let mut line: Vec<char> = vec![' '; bar];
        line[..first].iter_mut().for_each(|c| *c = '·');
        let fill = if s.kind == crate::ingest::ItemKind::Pause {
            '─'
        } else {
            shade(s.source)
        };
        line[first..last].iter_mut().for_each(|c| *c = fill);
        out.push_str(&format!(
            "{label:<LABEL$} {}\n",
            line.iter().collect::<String>().trim_end()
        ));
    }
    out.push_str(&format!(
        "{:<LABEL$} {} cues  {} transcript  {} voices  {} planned  ─ pause\n",
        "",
        shade(Source::Cues),
        shade(Source::Transcript),
        shade(Source::Audio),
        shade(Source::Planned)
    ));
    out
}

/// `s` in at most `n` columns.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ItemKind;
    use crate::plan::{RecordingSpan, Segment};

    fn seg(title: &str, item: Option<usize>, start: f64, end: f64, source: Source) -> Segment {
        Segment {
            kind: if item.is_some() {
                ItemKind::Talk
            } else {
                ItemKind::Pause
            },
            item,
            title: title.into(),
            speakers: Vec::new(),
            start,
            end,
            planned: 0.0,
            source,
            confidence: 0.9,
            transcript: Vec::new(),
        }
    }

    #[test]
    fn each_part_is_a_bar_where_it_lies_and_every_line_fits() {
        let plan = Plan {
            recording: RecordingSpan { duration: 1000.0 },
            segments: vec![
                seg(
                    "First talk with a very long title indeed",
                    Some(0),
                    0.0,
                    500.0,
                    Source::Cues,
                ),
                seg("Pause", None, 500.0, 520.0, Source::Audio),
                // overlaps the first: its bar starts left of where the first ends
                seg("Second", Some(1), 400.0, 1000.0, Source::Audio),
            ],
            warnings: Vec::new(),
            turns: Vec::new(),
        };
        let text = bars(&plan, 80);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            lines[0].starts_with("timeline") && lines[0].ends_with("16:40"),
            "{text}"
        );
        let bar = |l: &str| l.chars().skip(LABEL + 1).collect::<String>();
        let first = bar(lines[1]);
        let second = bar(lines[3]);
        assert!(lines[1].contains('…'));
        // 55 columns of bar: the first half is the first talk...
        assert_eq!(first.chars().filter(|&c| c == '█').count(), 28, "{text}");
        assert!(first.starts_with('█'));
        // ... the second starts at 40 % and runs to the end, drawn lighter
        assert_eq!(
            second.find('▒').map(|b| second[..b].chars().count()),
            Some(22)
        );
        assert_eq!(second.chars().count(), 55);
        assert!(bar(lines[2]).contains('─'));
        // a narrow terminal still gets a readable bar: the second part's runs to the end
        let narrow = bars(&plan, 10);
        assert_eq!(
            narrow.lines().nth(3).unwrap().chars().count(),
            LABEL + 1 + LEAST_BAR,
            "{narrow}"
        );
    }
}
