//! The catalog: every webinar and episode of the series, as published.
//!
//! The published `catalog.json` is the source of truth across runs: each run reads it from
//! the target, replaces this webinar's entry and renders the feed and index from the result,
//! so episodes of earlier webinars are never lost and a re-run duplicates nothing.

use serde::{Deserialize, Serialize};

pub use crate::error::SlugTaken;
use crate::ingest::Inputs;
use crate::ingest::Person;
use crate::media::EpisodeKind;
use crate::media::{self, Rendition};
use crate::plan::Plan;

/// Namespace of episode GUIDs (a fixed random UUID: GUIDs must not change, ever).
const GUID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5b1e_0c2a_93f4_4d6e_8a7b_2c1d_0e9f_4a37);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// The channel's `podcast:guid`, fixed at the first build: it must follow the podcast
    /// for life, even when its feed moves to another address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// Newest first.
    pub webinars: Vec<Webinar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webinar {
    /// Folder name at the site root: date + title (cut after 60 characters, so two
    /// webinars can share one; a catalog never holds two webinars with the same slug).
    pub slug: String,
    /// Which webinar this is: a hash of its date and whole title (see [`identity`]). Only
    /// the same webinar replaces an entry; catalogs of older versions have none, and theirs
    /// is derived from the date and title they stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub language: String,
    /// Hash of the inputs and settings it was made from (see `pipeline::fingerprint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderator: Option<Person>,
    pub speakers: Vec<Person>,
    /// The agenda as it happened, with times in the whole-webinar episode.
    pub chapters: Vec<Chapter>,
    pub episodes: Vec<CatalogEpisode>,
    /// What was said, by whom, with times in the whole-webinar episode; empty when the
    /// webinar came without a transcript. Each episode's WebVTT file is cut from it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Cue>,
}

/// One transcript cue, attributed to a person named in the agenda where possible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cue {
    /// Seconds from the start of the whole-webinar episode, in whole milliseconds ([`ms`]).
    pub start: f64,
    pub end: f64,
    pub speaker: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    pub title: String,
    pub speakers: Vec<String>,
    /// Seconds from the start of the whole-webinar episode.
    pub start: f64,
}

impl Chapter {
    /// A plan's chapter ([`crate::plan::Plan::chapters`]) as the catalog keeps it: in the
    /// whole-webinar episode's clock (it starts `offset` seconds into the recording), in
    /// whole milliseconds.
    pub fn at(c: &crate::plan::Chapter, offset: f64) -> Chapter {
        Chapter {
            title: c.title.clone(),
            speakers: c.speakers.clone(),
            start: ms((c.start - offset).max(0.0)),
        }
    }

    /// The title players show, the same as in the episode's tags.
    pub fn label(&self) -> String {
        crate::plan::chapter_label(&self.title, &self.speakers)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEpisode {
    /// Stable id within the webinar ("webinar", "talk-1", ...).
    pub id: String,
    /// Deterministic GUID: same webinar and item, same GUID, on every run and machine.
    pub guid: String,
    pub kind: EpisodeKind,
    pub title: String,
    pub speakers: Vec<String>,
    /// Path from the site root, e.g. "2021-06-29-learning-from-cities/talk-1-x.mp3".
    pub path: String,
    pub bytes: u64,
    /// Where the episode begins in the whole-webinar episode, in seconds (0 for the whole
    /// webinar): places its chapters and transcript slice.
    #[serde(default)]
    pub start: f64,
    /// Seconds.
    pub duration: f64,
    pub mime: String,
    pub track: u32,
    /// The episode's video clip and poster, for its page (the feed stays audio-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<EpisodeVideo>,
}

/// A video clip of an episode and its poster frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeVideo {
    /// An MP4 (`video/mp4`).
    pub clip: MediaFile,
    /// A JPEG (`image/jpeg`).
    pub poster: MediaFile,
}

/// A published file: path from the site root, size and type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFile {
    /// e.g. "2021-06-29-learning-from-cities/talk-1-x.mp4".
    pub path: String,
    pub bytes: u64,
    pub mime: String,
}

/// Namespace of the Podcasting 2.0 `podcast:guid` (fixed by the podcast namespace spec).
const PODCAST_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0xead4_c236_bf58_58c6_a2c6_a6b2_8d12_8cb6);

/// The channel's `podcast:guid`: UUIDv5 of the feed URL with its scheme and trailing
/// slashes removed, in the Podcasting 2.0 namespace, so every tool derives the same one.
pub fn feed_guid(feed_url: &str) -> String {
    let bare = feed_url
        .split_once("://")
        .map_or(feed_url, |(_, rest)| rest)
        .trim_end_matches('/');
    uuid::Uuid::new_v5(&PODCAST_NAMESPACE, bare.as_bytes()).to_string()
}

/// `seconds` rounded to whole milliseconds, the one unit the catalog stores times in: a
/// time computed afresh and the same time read back from a saved plan differ in their last
/// binary digits (9.524999999999999 and 9.525000000000002), and a catalog that changes
/// with them is rewritten by runs that change nothing.
pub fn ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// A webinar's identity: its date and whole title, hashed (the slug is cut short and
/// folded to ASCII, so two webinars can share one).
pub fn identity(date: &str, title: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(date.as_bytes());
    h.update(b"\0");
    h.update(title.as_bytes());
    h.finalize().to_hex()[..20].to_string()
}

impl Webinar {
    /// The stored identity, or the one an entry of an older catalog has by its date and title.
    pub fn identity(&self) -> String {
        self.identity
            .clone()
            .unwrap_or_else(|| identity(&self.date, &self.title))
    }
}

pub fn guid(slug: &str, episode_id: &str) -> String {
    uuid::Uuid::new_v5(&GUID_NAMESPACE, format!("{slug}/{episode_id}").as_bytes()).to_string()
}

impl Catalog {
    pub fn from_json(text: &str) -> Result<Catalog, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The catalog as published; text direction controls (kept by catalogs of older
    /// versions) are dropped from every string.
    pub fn to_json(&self) -> String {
        let json = serde_json::to_string_pretty(self).expect("a catalog always serialises");
        // serde_json writes them raw (never as \u escapes), and only inside strings.
        crate::safe::strip_bidi(&json).into_owned()
    }

    /// Whether `webinar` may take its slug: it is free, or held by the same webinar.
    pub fn check_slug(&self, webinar: &Webinar) -> Result<(), SlugTaken> {
        match self.webinars.iter().find(|w| w.slug == webinar.slug) {
            Some(w) if w.identity() != webinar.identity() => {
                let name = |w: &Webinar| format!("\"{}\" ({})", w.title, w.date);
                Err(SlugTaken {
                    slug: webinar.slug.clone(),
                    published: name(w),
                    incoming: name(webinar),
                })
            }
            _ => Ok(()),
        }
    }

    /// Add a webinar, or replace the same webinar's entry (same slug and identity), keeping
    /// the list newest first. Another webinar with the same slug is an error, never replaced.
    pub fn upsert(&mut self, webinar: Webinar) -> Result<(), SlugTaken> {
        self.check_slug(&webinar)?;
        self.webinars.retain(|w| w.slug != webinar.slug);
        self.webinars.push(webinar);
        self.webinars
            .sort_by(|a, b| (&b.date, &b.time, &b.slug).cmp(&(&a.date, &a.time, &a.slug)));
        Ok(())
    }

    /// Take a webinar out of the catalog, returning it; `None` when no webinar has `slug`.
    pub fn remove(&mut self, slug: &str) -> Option<Webinar> {
        let i = self.webinars.iter().position(|w| w.slug == slug)?;
        Some(self.webinars.remove(i))
    }
}

/// What the catalog records of a webinar before it is planned and encoded: enough to know
/// which webinar it is and where it goes (slug, identity, title, date).
pub fn entry_head(agenda: &crate::ingest::Agenda) -> Webinar {
    Webinar {
        slug: agenda.slug(),
        identity: Some(identity(&agenda.date, &agenda.title)),
        title: agenda.title.clone(),
        series: agenda.series.clone(),
        date: agenda.date.clone(),
        time: agenda.time.clone(),
        timezone: agenda.timezone.clone(),
        language: agenda.language.clone(),
        fingerprint: None,
        description: agenda.description.clone(),
        moderator: agenda.moderator.clone(),
        speakers: Vec::new(),
        chapters: Vec::new(),
        episodes: Vec::new(),
        transcript: Vec::new(),
    }
}

/// This webinar as the catalog records it, times in whole milliseconds ([`ms`]).
pub fn entry(inputs: &Inputs, plan: &Plan, renditions: &[Rendition]) -> Webinar {
    let agenda = &inputs.agenda;
    let slug = agenda.slug();
    // Chapters count from the start of the whole-webinar episode as published (trimmed).
    let offset = renditions
        .iter()
        .find(|r| r.episode.kind == media::EpisodeKind::Webinar)
        .map(|r| r.episode.start)
        .or_else(|| plan.segments.first().map(|s| s.start))
        .unwrap_or(0.0);
    Webinar {
        speakers: agenda
            .people()
            .into_iter()
            .filter(|p| agenda.moderator.as_ref().is_none_or(|m| m.name != p.name))
            .cloned()
            .collect(),
        chapters: plan
            .chapters()
            .iter()
            .map(|c| Chapter::at(c, offset))
            .collect(),
        episodes: renditions
            .iter()
            .map(|r| CatalogEpisode {
                id: r.episode.id.clone(),
                guid: guid(&slug, &r.episode.id),
                kind: r.episode.kind,
                title: r.episode.title.clone(),
                speakers: r.episode.speakers.clone(),
                path: format!("{slug}/{}", r.episode.file_name),
                bytes: r.bytes,
                start: ms((r.episode.start - offset).max(0.0)),
                duration: ms(r.duration),
                mime: r.mime.clone(),
                track: r.episode.track,
                video: r.clip.as_ref().map(|c| EpisodeVideo {
                    clip: MediaFile {
                        path: format!("{slug}/{}", c.file_name),
                        bytes: c.bytes,
                        mime: media::video::MIME.into(),
                    },
                    poster: MediaFile {
                        path: format!("{slug}/{}", c.poster_name),
                        bytes: c.poster_bytes,
                        mime: media::video::POSTER_MIME.into(),
                    },
                }),
            })
            .collect(),
        // The plan's per-segment slices, put back on the whole-webinar episode's clock.
        transcript: plan
            .segments
            .iter()
            .flat_map(|s| {
                s.transcript.iter().map(move |c| Cue {
                    start: ms((c.start + s.start - offset).max(0.0)),
                    end: ms((c.end + s.start - offset).max(0.0)),
                    speaker: c.speaker.clone().unwrap_or_default(),
                    text: c.text.clone(),
                })
            })
            .collect(),
        ..entry_head(agenda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_taken_only_by_the_same_webinar_and_old_catalogs_keep_working() {
        // A catalog written before identities were stored.
        let old = r#"{"webinars": [{"slug": "2026-01-10-a", "title": "A long title, first",
            "date": "2026-01-10", "language": "es", "description": "", "speakers": [],
            "chapters": [], "episodes": []}]}"#;
        let mut c = Catalog::from_json(old).unwrap();
        let mut same = c.webinars[0].clone();
        same.identity = Some(identity("2026-01-10", "A long title, first"));
        same.description = "new".into();
        c.upsert(same).unwrap();
        assert_eq!(c.webinars.len(), 1);
        assert_eq!(c.webinars[0].description, "new");
        let mut other = c.webinars[0].clone();
        other.title = "A long title, second".into();
        other.identity = Some(identity("2026-01-10", "A long title, second"));
        let err = c.upsert(other).unwrap_err().to_string();
        assert!(err.contains("first") && err.contains("second"), "{err}");
        assert_eq!(c.webinars[0].description, "new");
    }

    #[test]
    fn feed_guid_follows_the_podcasting_2_0_rule() {
        // The example of the podcast namespace spec (docs/tags/guid.md).
        assert_eq!(
            feed_guid("https://mp3s.nashownotes.com/pc20rss.xml"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
        assert_eq!(
            feed_guid("https://podnews.net/rss//"),
            feed_guid("http://podnews.net/rss")
        );
    }

    #[test]
    fn episode_guids_depend_only_on_webinar_and_item() {
        assert_eq!(
            guid("2026-01-10-a", "talk-1"),
            guid("2026-01-10-a", "talk-1")
        );
        assert_ne!(
            guid("2026-01-10-a", "talk-1"),
            guid("2026-01-10-a", "talk-2")
        );
        assert_ne!(
            guid("2026-01-10-a", "talk-1"),
            guid("2026-01-11-a", "talk-1")
        );
    }
}
