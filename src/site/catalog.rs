//! The catalog: every webinar and episode of the series, as published.
//!
//! The published `catalog.json` is the source of truth across runs: each run reads it from
//! the target, replaces this webinar's entry and renders the feed and index from the result,
//! so episodes of earlier webinars are never lost and a re-run duplicates nothing.

use serde::{Deserialize, Serialize};

use crate::ingest::Person;
use crate::media::EpisodeKind;

/// Namespace of episode GUIDs (a fixed random UUID: GUIDs must not change, ever).
const GUID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5b1e_0c2a_93f4_4d6e_8a7b_2c1d_0e9f_4a37);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Newest first.
    pub webinars: Vec<Webinar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webinar {
    /// Folder name at the site root: date + title.
    pub slug: String,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chapter {
    pub title: String,
    pub speakers: Vec<String>,
    /// Seconds from the start of the whole-webinar episode.
    pub start: f64,
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
    /// Seconds.
    pub duration: f64,
    pub mime: String,
    pub track: u32,
}

pub fn guid(slug: &str, episode_id: &str) -> String {
    uuid::Uuid::new_v5(&GUID_NAMESPACE, format!("{slug}/{episode_id}").as_bytes()).to_string()
}

impl Catalog {
    pub fn from_json(text: &str) -> Result<Catalog, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a catalog always serialises")
    }

    /// Add or replace a webinar (matched by slug), keeping the list newest first.
    pub fn upsert(&mut self, webinar: Webinar) {
        self.webinars.retain(|w| w.slug != webinar.slug);
        self.webinars.push(webinar);
        self.webinars
            .sort_by(|a, b| (&b.date, &b.time, &b.slug).cmp(&(&a.date, &a.time, &a.slug)));
    }
}
