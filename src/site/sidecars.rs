//! The files beside each episode: its chapters (JSON) and its slice of the transcript
//! (WebVTT), both in the episode's own time.

use serde::Serialize;

use super::catalog::{CatalogEpisode, Chapter, Cue, Webinar};

/// `talk-1-x.mp3` → `talk-1-x.<ext>`: the episode's chapters and transcript sit beside it.
pub fn sidecar(path: &str, ext: &str) -> String {
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    format!("{stem}.{ext}")
}

/// The chapters of an episode in its own time: the whole webinar gets one per agenda item;
/// a part gets the items inside it, starting with one at 0.
pub fn episode_chapters(w: &Webinar, e: &CatalogEpisode) -> Vec<Chapter> {
    let end = e.start + e.duration;
    let mut out: Vec<Chapter> = w
        .chapters
        .iter()
        .filter(|c| c.start >= e.start - 0.5 && c.start < end - 0.5)
        .map(|c| Chapter {
            start: (c.start - e.start).max(0.0),
            ..c.clone()
        })
        .collect();
    match out.first_mut() {
        Some(first) if first.start < 1.0 => first.start = 0.0,
        _ => out.insert(
            0,
            Chapter {
                title: e.title.clone(),
                speakers: e.speakers.clone(),
                start: 0.0,
            },
        ),
    }
    out
}

/// A JSON chapters file (Podcasting 2.0 "JSON Chapters Format", version 1.2.0). Fields in
/// the order published files have them, so a re-run writes the same bytes.
#[derive(Serialize)]
struct ChaptersFile {
    chapters: Vec<JsonChapter>,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonChapter {
    /// Seconds, to the millisecond.
    #[serde(rename = "startTime")]
    start_time: f64,
    title: String,
}

/// The chapters file of an episode.
pub fn chapters_json(chapters: &[Chapter]) -> String {
    let file = ChaptersFile {
        chapters: chapters
            .iter()
            .map(|c| JsonChapter {
                start_time: (c.start * 1000.0).round() / 1000.0,
                title: crate::safe::strip_bidi(&c.label()).into_owned(),
            })
            .collect(),
        version: "1.2.0",
    };
    serde_json::to_string_pretty(&file).expect("chapters serialise")
}

/// The cues of the transcript inside an episode, in the episode's own time.
pub fn episode_cues(w: &Webinar, e: &CatalogEpisode) -> Vec<Cue> {
    let end = e.start + e.duration;
    w.transcript
        .iter()
        .filter(|c| c.end > e.start && c.start < end)
        .map(|c| Cue {
            start: (c.start - e.start).max(0.0),
            end: (c.end.min(end) - e.start).max(0.0),
            ..c.clone()
        })
        .collect()
}

fn vtt_escape(s: &str) -> String {
    crate::safe::strip_bidi(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("-->", "--&gt;")
}

/// A WebVTT transcript with each cue's speaker as a voice span (`<v Name>`).
pub fn vtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for c in cues {
        let text = c
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        out.push_str(&format!(
            "\n{} --> {}\n<v {}>{}\n",
            crate::timecode::vtt(c.start),
            crate::timecode::vtt(c.end),
            vtt_escape(&c.speaker),
            vtt_escape(&text)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One chapter list: the whole-webinar episode's tags and its chapters JSON carry the
    /// same titles at the same times.
    #[test]
    fn tag_and_json_chapters_have_the_same_titles() {
        use crate::media::{tags::TagContext, Episode, EpisodeKind};
        let chapter = |title: &str, speakers: &[&str], start: f64, end: f64| crate::plan::Chapter {
            title: title.into(),
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
            start,
            end,
        };
        let plan_chapters = vec![
            chapter("Bienvenida", &["Ana"], 12.0, 70.0),
            chapter("Charla de Diana", &["Diana"], 70.0, 400.0),
            chapter("Preguntas", &["Ana", "Diana"], 400.0, 600.0),
        ];
        let ep = Episode {
            id: "webinar".into(),
            item: None,
            kind: EpisodeKind::Webinar,
            title: "Webinar".into(),
            speakers: Vec::new(),
            start: 12.0,
            end: 600.0,
            file_name: "webinar.mp3".into(),
            track: 1,
        };
        let tags = TagContext {
            series: "S".into(),
            webinar: "W".into(),
            date: jiff::civil::date(2021, 6, 29),
            description: String::new(),
            cover: None,
            chapters: plan_chapters.clone(),
        };
        let id3: Vec<(String, f64)> = tags
            .chapters_of(&ep)
            .into_iter()
            .map(|(t, start, _)| (t, f64::from(start) / 1000.0))
            .collect();
        let catalog: Vec<Chapter> = plan_chapters
            .iter()
            .map(|c| Chapter::at(c, ep.start))
            .collect();
        let json: serde_json::Value = serde_json::from_str(&chapters_json(&catalog)).unwrap();
        let from_json: Vec<(String, f64)> = json["chapters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["title"].as_str().unwrap().to_string(),
                    c["startTime"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(id3, from_json);
        assert_eq!(
            from_json
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>(),
            [
                "Bienvenida – Ana",
                "Charla de Diana",
                "Preguntas – Ana, Diana"
            ]
        );
    }
}
