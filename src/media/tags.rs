//! Tags, written with tagging libraries (never by hand): ID3v2.4 for MP3 (`id3`, including
//! CHAP/CTOC chapters and the APIC cover), iTunes-style atoms for M4A (`mp4ameta`).
//!
//! M4A has two chapter forms and players differ in which they read: Apple's (Podcasts on
//! iOS and macOS, Music/iTunes, QuickTime) read only a QuickTime chapter track (a text track
//! the audio track points at with `tref/chap`); many other players and taggers read only the
//! Nero `chpl` list in `moov/udta` (ffmpeg, hence mpv, and VLC read both). The whole-webinar
//! episode carries both, from the same marks as the MP3 episode's CHAP frames
//! (`TagContext::chapters_of`).

use std::path::Path;

use id3::frame::{Chapter, Picture, PictureType, TableOfContents};
use id3::{Frame, Tag, TagLike, Timestamp, Version};

use super::{Episode, EpisodeKind, Format};
use crate::error::{Error, Result};

/// What every episode of one webinar shares in its tags.
#[derive(Debug, Clone)]
pub struct TagContext {
    pub series: String,
    pub webinar: String,
    pub date: jiff::civil::Date,
    pub description: String,
    /// Cover art (series or webinar artwork), already checked by [`super::cover::check`].
    pub cover: Option<super::cover::Cover>,
    /// The plan's chapters ([`crate::plan::Plan::chapters`]), in recording time: the
    /// whole-webinar episode's.
    pub chapters: Vec<crate::plan::Chapter>,
}

impl TagContext {
    /// Chapters of `ep` with times relative to its (trimmed) start, in milliseconds.
    pub fn chapters_of(&self, ep: &Episode) -> Vec<(String, u32, u32)> {
        if ep.kind != EpisodeKind::Webinar {
            return Vec::new();
        }
        let length = ep.end - ep.start;
        let ms = |t: f64| ((t - ep.start).clamp(0.0, length) * 1000.0).round() as u32;
        self.chapters
            .iter()
            .filter(|c| ms(c.end) > ms(c.start))
            .map(|c| (c.label(), ms(c.start), ms(c.end)))
            .collect()
    }

    fn description_of(&self, ep: &Episode) -> String {
        if ep.kind == EpisodeKind::Webinar {
            return self.description.clone();
        }
        format!(
            "{} – from the webinar \"{}\" ({}).",
            ep.title, self.webinar, self.date
        )
    }
}

pub fn write(path: &Path, ep: &Episode, ctx: &TagContext, format: Format) -> Result<()> {
    match format {
        Format::Mp3 => write_id3(path, ep, ctx),
        Format::M4a => write_mp4(path, ep, ctx),
    }
}

fn write_id3(path: &Path, ep: &Episode, ctx: &TagContext) -> Result<()> {
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
    tag.add_frame(id3::frame::Comment {
        lang: "eng".into(),
        description: String::new(),
        text: ctx.description_of(ep),
    });
    if let Some(cover) = &ctx.cover {
        tag.add_frame(Picture {
            mime_type: cover.mime.to_string(),
            picture_type: PictureType::CoverFront,
            description: "Cover".into(),
            data: cover.data.clone(),
        });
    }
    let chapters = ctx.chapters_of(ep);
    if !chapters.is_empty() {
        let ids: Vec<String> = (1..=chapters.len()).map(|i| format!("chp{i}")).collect();
        for ((title, start, end), id) in chapters.iter().zip(&ids) {
            tag.add_frame(Chapter {
                element_id: id.clone(),
                start_time: *start,
                end_time: *end,
                start_offset: u32::MAX,
                end_offset: u32::MAX,
                frames: vec![Frame::text("TIT2", title.as_str())],
            });
        }
        tag.add_frame(TableOfContents {
            element_id: "toc".into(),
            top_level: true,
            ordered: true,
            elements: ids,
            frames: vec![Frame::text("TIT2", "Chapters")],
        });
    }
    tag.write_to_path(path, Version::Id3v24)
        .map_err(|e| Error::input(path, format!("could not write its ID3 tags: {e}")))
}

fn write_mp4(path: &Path, ep: &Episode, ctx: &TagContext) -> Result<()> {
    let fail = |e: mp4ameta::Error| Error::input(path, format!("could not write its tags: {e}"));
    let mut tag = mp4ameta::Tag::read_from_path(path).map_err(fail)?;
    tag.set_title(&ep.title);
    tag.set_artist(ep.speakers.join(", "));
    tag.set_album(format!("{} / {}", ctx.series, ctx.webinar));
    tag.set_album_artist(&ctx.series);
    tag.set_genre("Podcast");
    tag.set_track_number(ep.track.min(u16::MAX as u32) as u16);
    tag.set_year(ctx.date.to_string());
    tag.set_description(ctx.description_of(ep));
    if let Some(cover) = &ctx.cover {
        let fmt = if cover.mime == crate::mime::PNG {
            mp4ameta::ImgFmt::Png
        } else {
            mp4ameta::ImgFmt::Jpeg
        };
        tag.set_artwork(mp4ameta::Img::new(fmt, cover.data.clone()));
    }
    // Each form only stores starts: a chapter lasts until the next one (or the end).
    let chapters: Vec<mp4ameta::Chapter> = ctx
        .chapters_of(ep)
        .into_iter()
        .take(CHPL_MAX_CHAPTERS)
        .map(|(title, start, _)| {
            let title = truncate(&title, CHPL_MAX_TITLE).to_string();
            mp4ameta::Chapter::new(std::time::Duration::from_millis(start.into()), title)
        })
        .collect();
    *tag.chapter_list_mut() = chapters.clone();
    *tag.chapter_track_mut() = chapters;
    tag.write_to_path(path).map_err(fail)
}

/// A `chpl` list counts its chapters and each title's bytes in one byte.
const CHPL_MAX_CHAPTERS: usize = u8::MAX as usize;
const CHPL_MAX_TITLE: usize = u8::MAX as usize;

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary
/// (`mp4ameta` cuts longer titles at a byte count, which could split a character).
fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn titles_are_cut_on_a_character_boundary() {
        let title = format!("{}ñ", "a".repeat(254));
        assert_eq!(truncate(&title, 255), "a".repeat(254));
        assert_eq!(truncate("Medellín", 255), "Medellín");
    }
}
