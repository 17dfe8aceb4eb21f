//! An episode as the templates see it: its file, its people, its chapters, its video.

use serde::Serialize;

use super::person::{person, PersonView, PodcastRole};
use super::UrlsView;
use crate::media::EpisodeKind;
use crate::site::catalog::{CatalogEpisode, Webinar};
use crate::site::labels::Labels;
use crate::site::sidecars::{episode_chapters, episode_cues, sidecar};
use crate::timecode::clock;

/// An episode: one audio file of the webinar.
#[derive(Serialize)]
pub struct EpisodeView<'a> {
    /// Unique in the webinar ("webinar", "talk-1", "wrapup-1"); the page's anchor.
    pub id: &'a str,
    /// Never changes, on any run or machine.
    pub guid: &'a str,
    pub title: &'a str,
    /// `webinar`, `talk` or `wrapup`.
    pub kind: EpisodeKind,
    /// Whether this is the whole webinar (the episode with chapters).
    pub is_webinar: bool,
    /// The names of who speaks, joined by ", ".
    pub speakers: String,
    /// Who speaks (the whole webinar: the moderator and every speaker).
    pub people: Vec<PersonView<'a>>,
    /// The feed's description: the webinar's for the whole webinar, else a line naming the
    /// webinar before it.
    pub description: String,
    /// The file name, beside the page.
    pub file: &'a str,
    /// The file's address.
    pub url: String,
    pub bytes: u64,
    /// Media type, e.g. "audio/mpeg".
    pub mime: &'a str,
    /// Length in whole seconds.
    pub seconds: u64,
    /// Length as a clock, e.g. "12:05".
    pub length: String,
    /// Size in MB with one decimal, e.g. "11.6".
    pub megabytes: String,
    /// What the download link calls the file: "MP3", "M4A".
    pub format: String,
    /// The chapters, in the episode's own time.
    pub chapters: Vec<ChapterView>,
    /// The address of its chapters JSON.
    pub chapters_url: String,
    /// The address of its WebVTT transcript, if the webinar has a transcript.
    pub transcript_url: Option<String>,
    /// The file name of its WebVTT transcript, if the webinar has a transcript.
    pub transcript_file: Option<String>,
    /// Its video clip, with `output.video_clips` and a recording with video.
    pub video: Option<VideoView<'a>>,
}

/// A chapter of an episode.
#[derive(Serialize)]
pub struct ChapterView {
    pub title: String,
    /// The names of who speaks, joined by ", ".
    pub speakers: String,
    /// Where it starts, as a clock, e.g. "3:07".
    pub at: String,
    /// Where it starts, in whole seconds.
    pub seconds: u64,
}

/// An episode's video clip and poster frame, beside the page.
#[derive(Serialize)]
pub struct VideoView<'a> {
    /// The MP4's file name.
    pub file: &'a str,
    /// The JPEG's file name.
    pub poster: &'a str,
    /// The MP4's size in MB with one decimal.
    pub megabytes: String,
}

/// The last component of a path from the site root: the file's name beside its page.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A size in MB with one decimal.
fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}

impl<'a> EpisodeView<'a> {
    /// Episode `e` of `w`, whose date in words is `day`.
    pub(super) fn new(
        w: &'a Webinar,
        e: &'a CatalogEpisode,
        urls: &UrlsView,
        t: &Labels,
        day: &str,
    ) -> EpisodeView<'a> {
        let file = file_name(&e.path);
        let whole = e.kind == EpisodeKind::Webinar;
        let people = if whole {
            w.moderator
                .iter()
                .map(|m| PersonView::new(m, PodcastRole::Host))
                .chain(
                    w.speakers
                        .iter()
                        .map(|p| PersonView::new(p, PodcastRole::Guest)),
                )
                .collect()
        } else {
            e.speakers.iter().map(|n| person(w, n)).collect()
        };
        let description = if whole && w.description.trim().is_empty() {
            // Apple requires a description; an agenda need not have one.
            format!("{} ({day}).", w.title)
        } else if whole {
            w.description.clone()
        } else {
            format!(
                "{} “{}” ({day}).\n\n{}",
                t.from_webinar, w.title, w.description
            )
        };
        let has_transcript = !episode_cues(w, e).is_empty();
        EpisodeView {
            id: &e.id,
            guid: &e.guid,
            title: &e.title,
            kind: e.kind,
            is_webinar: whole,
            speakers: e.speakers.join(", "),
            people,
            description: description.trim().to_string(),
            file,
            url: urls.of(&e.path),
            bytes: e.bytes,
            mime: &e.mime,
            seconds: e.duration.round() as u64,
            length: clock(e.duration),
            megabytes: megabytes(e.bytes),
            format: file.rsplit('.').next().unwrap_or_default().to_uppercase(),
            chapters: episode_chapters(w, e)
                .into_iter()
                .map(|c| ChapterView {
                    speakers: c.speakers.join(", "),
                    at: clock(c.start),
                    seconds: c.start.floor() as u64,
                    title: c.title,
                })
                .collect(),
            chapters_url: urls.of(&sidecar(&e.path, "chapters.json")),
            transcript_url: has_transcript.then(|| urls.of(&sidecar(&e.path, "vtt"))),
            transcript_file: has_transcript.then(|| sidecar(file, "vtt")),
            video: e.video.as_ref().map(|v| VideoView {
                file: file_name(&v.clip.path),
                poster: file_name(&v.poster.path),
                megabytes: megabytes(v.clip.bytes),
            }),
        }
    }
}
