//! ID3v2 tags, written with the `id3` crate.

use std::path::Path;

use id3::{Tag, TagLike, Timestamp, Version};

use super::{Episode, EpisodeKind};
use crate::error::{Error, Result};

/// What every episode of one webinar shares in its tags.
#[derive(Debug, Clone)]
pub struct TagContext {
    pub series: String,
    pub webinar: String,
    pub date: jiff::civil::Date,
    pub description: String,
}

pub fn write(path: &Path, ep: &Episode, ctx: &TagContext) -> Result<()> {
    let mut tag = Tag::new();
    tag.set_title(&ep.title);
    tag.set_artist(ep.speakers.join(", "));
    tag.set_album(format!("{} / {}", ctx.series, ctx.webinar));
    tag.set_album_artist(&ctx.series);
    tag.set_genre("Podcast");
    tag.set_track(ep.track);
    tag.set_date_recorded(Timestamp {
        year: ctx.date.year() as i32,
        month: Some(ctx.date.month() as u8),
        day: Some(ctx.date.day() as u8),
        hour: None,
        minute: None,
        second: None,
    });
    if ep.kind == EpisodeKind::Webinar && !ctx.description.is_empty() {
        tag.add_frame(id3::frame::Comment {
            lang: "eng".into(),
            description: String::new(),
            text: ctx.description.clone(),
        });
    }
    tag.write_to_path(path, Version::Id3v24)
        .map_err(|e| Error::input(path, format!("could not write its ID3 tags: {e}")))
}
