//! What the templates see: one view of the site, built once per render from the catalog and
//! the settings.
//!
//! Times are already formatted, URLs already joined and people already described, so a
//! restyled template needs no Rust. `feed.xml.hbs` and `index.html.hbs` receive a
//! [`SiteView`], `webinar.html.hbs` a [`WebinarPageView`]; the README lists their fields
//! (the templates' data), which are the serialised names of the fields here.

mod episode;
mod person;

use serde::{Serialize, Serializer};
use url::Url;

use super::catalog::Webinar;
use super::labels::{self, Labels};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::timecode::clock;
use episode::EpisodeView;
use person::{PersonView, PodcastRole};

/// The data of `feed.xml.hbs` and `index.html.hbs`: the series and every webinar in it.
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub series: SeriesView<'a>,
    pub urls: UrlsView,
    /// Newest first.
    pub webinars: Vec<WebinarView<'a>>,
    /// The words pages say themselves, in the series' language.
    pub t: &'static Labels,
}

/// The data of `webinar.html.hbs`: one webinar, with the series around it.
#[derive(Serialize)]
pub struct WebinarPageView<'v, 'a> {
    pub series: &'v SeriesView<'a>,
    pub urls: &'v UrlsView,
    pub webinar: &'v WebinarView<'a>,
    /// The words pages say themselves, in the webinar's language (`webinar.t`).
    pub t: &'static Labels,
}

/// The series, from `[series]` in pipeline.toml.
#[derive(Serialize)]
pub struct SeriesView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub author: &'a str,
    /// `owner_name`, else the author.
    pub owner_name: &'a str,
    pub owner_email: &'a str,
    /// Apple Podcasts categories.
    pub categories: &'a [String],
    /// BCP 47 tag of the feed's language.
    pub language: &'a str,
    /// Whether episodes contain explicit content (renders as `true` or `false`).
    pub explicit: bool,
    /// The artwork's file name at the site root ("artwork.png"), if the series has one.
    pub image: Option<String>,
    /// The channel's `podcast:guid`, fixed at the first build.
    pub guid: String,
}

/// Where the site is served.
#[derive(Serialize)]
pub struct UrlsView {
    /// `site.base_url`, its path ending in one slash.
    pub base: Url,
    /// The index page: `base` + "index.html" (`base` with `site.pretty_urls`).
    pub home: Url,
    /// What a page's URL ends with after its folder: "index.html", or "" for pretty URLs.
    pub page: &'static str,
    pub feed: Url,
    /// The artwork's address, if the series has one.
    pub image: Option<Url>,
}

/// A webinar: its page, its people, its episodes.
#[derive(Serialize)]
pub struct WebinarView<'a> {
    /// Its folder at the site root.
    pub slug: &'a str,
    pub title: &'a str,
    /// The series' title as the webinar gives it, else `[series]`'s.
    pub series: &'a str,
    /// The calendar date, `YYYY-MM-DD`.
    pub date: jiff::civil::Date,
    /// Date and time in words, in the webinar's language and zone, e.g. "20 November 2026,
    /// 16:00 CET (Europe/Madrid)".
    pub when: String,
    /// The moment it started, RFC 3339 in UTC, for `<time datetime>`.
    pub datetime: jiff::Timestamp,
    /// The same moment in the webinar's zone, RFC 2822, for the feed's `pubDate`.
    #[serde(serialize_with = "rfc2822")]
    pub pub_date: jiff::ZonedDateTime,
    /// BCP 47 tag of the webinar's language.
    pub language: &'a str,
    /// The words pages say themselves, in the webinar's language.
    pub t: &'static Labels,
    pub description: &'a str,
    /// The description's paragraphs (split at blank lines).
    pub paragraphs: Vec<&'a str>,
    /// The description's first 300 characters, with "…" if cut.
    pub summary: String,
    pub moderator: Option<PersonView<'a>>,
    /// Everyone else in the agenda.
    pub speakers: Vec<PersonView<'a>>,
    pub episodes: Vec<EpisodeView<'a>>,
    /// "4 episodes", in the webinar's language.
    pub episode_count: String,
    /// The `id` of the whole-webinar episode's player element, if there is that episode.
    pub player: Option<String>,
    /// The whole-webinar episode's address, if there is that episode.
    pub audio_url: Option<String>,
    /// The whole-webinar episode's file name, if there is that episode.
    pub audio_file: Option<&'a str>,
    /// What was said, turn by turn; empty without a transcript.
    pub transcript: Vec<TurnView<'a>>,
    /// The page's address (a file, not a folder, unless `site.pretty_urls`).
    pub page_url: String,
}

/// A turn of the transcript: one speaker's consecutive cues.
#[derive(Serialize)]
pub struct TurnView<'a> {
    pub speaker: &'a str,
    /// Where it starts in the whole webinar, as a clock.
    pub at: String,
    /// Where it starts in the whole webinar, in whole seconds.
    pub seconds: u64,
    pub text: String,
}

/// A date and time as RFC 2822 writes it; one it cannot write (a negative year) is empty.
fn rfc2822<S: Serializer>(z: &jiff::ZonedDateTime, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&jiff::fmt::rfc2822::to_string(z).unwrap_or_default())
}

impl<'a> SiteView<'a> {
    /// The view of `webinars` (the catalog's, newest first) in the series of `config`.
    pub fn new(
        config: &'a Config,
        webinars: &'a [Webinar],
        urls: UrlsView,
        guid: String,
        artwork: Option<&str>,
    ) -> Result<SiteView<'a>> {
        let s = &config.series;
        let series = SeriesView {
            title: &s.title,
            description: &s.description,
            author: &s.author,
            owner_name: s.owner_name.as_deref().unwrap_or(&s.author),
            owner_email: &s.owner_email,
            categories: &s.categories,
            language: &s.language,
            explicit: s.explicit,
            image: artwork.map(str::to_string),
            guid,
        };
        let webinars = webinars
            .iter()
            .map(|w| WebinarView::new(w, &urls, config))
            .collect::<Result<_>>()?;
        Ok(SiteView {
            series,
            urls,
            webinars,
            t: labels::for_language(&s.language),
        })
    }
}

impl UrlsView {
    /// The site's addresses, `artwork` being the artwork's file name at the site root.
    pub fn new(config: &Config, artwork: Option<&str>) -> Result<UrlsView> {
        let base = config.base_url()?;
        let page = if config.site.pretty_urls {
            ""
        } else {
            "index.html"
        };
        // A plain file name always joins to an http(s) address ending in a slash.
        let join = |name: &str| base.join(name).expect("a file name joins to the base URL");
        Ok(UrlsView {
            home: join(page),
            feed: join("feed.xml"),
            image: artwork.map(join),
            page,
            base,
        })
    }

    /// The address of a file, from its path from the site root as the catalog gives it
    /// (appended as written: a URL join would read a colon in it as a scheme).
    pub(super) fn of(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// When the webinar took place: its calendar date, and the moment in its own zone (noon
/// when the catalog gives no time, UTC when it gives no zone). A date, time or zone that
/// does not read is an error naming it and the catalog, never a silent 1970 or UTC.
fn zoned(w: &Webinar) -> Result<(jiff::civil::Date, jiff::ZonedDateTime)> {
    let bad = |field: &str, value: &str, e: jiff::Error| Error::Input {
        path: "catalog.json".into(),
        message: format!("webinar {}: `{field}` {value:?} does not read: {e}", w.slug),
    };
    let date: jiff::civil::Date = w.date.parse().map_err(|e| bad("date", &w.date, e))?;
    let time = match w.time.as_deref() {
        Some(t) => t.parse().map_err(|e| bad("time", t, e))?,
        None => jiff::civil::time(12, 0, 0, 0),
    };
    let tz = match w.timezone.as_deref() {
        Some(z) => jiff::tz::TimeZone::get(z).map_err(|e| bad("timezone", z, e))?,
        None => jiff::tz::TimeZone::UTC,
    };
    let moment = date
        .to_datetime(time)
        .to_zoned_datetime(tz)
        .map_err(|e| bad("time", w.time.as_deref().unwrap_or("12:00"), e))?;
    Ok((date, moment))
}

/// Consecutive cues of one speaker joined into a turn, for reading on the page.
fn turns(w: &Webinar) -> Vec<TurnView<'_>> {
    let mut out: Vec<TurnView> = Vec::new();
    for c in &w.transcript {
        match out.last_mut() {
            Some(turn) if turn.speaker == c.speaker => {
                turn.text.push(' ');
                turn.text.push_str(c.text.trim());
            }
            _ => out.push(TurnView {
                speaker: &c.speaker,
                at: clock(c.start),
                seconds: c.start.floor() as u64,
                text: c.text.trim().to_string(),
            }),
        }
    }
    out
}

impl<'a> WebinarView<'a> {
    fn new(w: &'a Webinar, urls: &UrlsView, config: &'a Config) -> Result<WebinarView<'a>> {
        let t = labels::for_language(&w.language);
        let (date, z) = zoned(w)?;
        let day = t.date(z.date());
        let when = match (&w.time, &w.timezone) {
            (Some(_), Some(tz)) => format!("{day}, {} ({tz})", z.strftime("%H:%M %Z")),
            (Some(_), None) => format!("{day}, {}", z.strftime("%H:%M")),
            _ => day.clone(),
        };
        let mut summary: String = w.description.chars().take(300).collect();
        if w.description.chars().count() > 300 {
            summary.push('…');
        }
        let episodes: Vec<EpisodeView> = w
            .episodes
            .iter()
            .map(|e| EpisodeView::new(w, e, urls, t, &day))
            .collect();
        let whole = episodes.iter().find(|e| e.is_webinar);
        Ok(WebinarView {
            slug: &w.slug,
            title: &w.title,
            series: w.series.as_deref().unwrap_or(&config.series.title),
            date,
            when,
            datetime: z.timestamp(),
            language: &w.language,
            t,
            description: &w.description,
            paragraphs: w
                .description
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect(),
            summary,
            moderator: w
                .moderator
                .as_ref()
                .map(|m| PersonView::new(m, PodcastRole::Host)),
            speakers: w
                .speakers
                .iter()
                .map(|p| PersonView::new(p, PodcastRole::Guest))
                .collect(),
            episode_count: t.episodes(w.episodes.len()),
            player: whole.map(|e| format!("{}-player", e.id)),
            audio_url: whole.map(|e| e.url.clone()),
            audio_file: whole.map(|e| e.file),
            episodes,
            transcript: turns(w),
            // A file, not a folder: a server need not add index.html by itself.
            page_url: urls.of(&format!("{}/{}", w.slug, urls.page)),
            pub_date: z,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog's webinar in a zone that does not exist is an error naming the zone and the
    /// catalog (exit 2), not a page dated in UTC or 1970.
    #[test]
    fn an_unknown_time_zone_in_the_catalog_is_an_error() {
        let w: Webinar = serde_json::from_value(serde_json::json!({
            "slug": "2021-06-29-t", "title": "T", "date": "2021-06-29", "time": "16:00",
            "timezone": "Europe/Atlantis", "language": "es", "description": "",
            "speakers": [], "chapters": [], "episodes": []
        }))
        .unwrap();
        let e = zoned(&w).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("catalog.json") && msg.contains("Europe/Atlantis"),
            "{msg}"
        );
        assert_eq!(e.exit_code(), 2);
        let good = Webinar {
            timezone: Some("Europe/Madrid".into()),
            ..w
        };
        assert_eq!(
            zoned(&good).unwrap().1.strftime("%H:%M %Z").to_string(),
            "16:00 CEST"
        );
    }

    /// Dates and addresses reach the templates as the text they have always been.
    #[test]
    fn dates_and_addresses_serialise_as_text() {
        let mut config = Config::builtin();
        config.site.base_url = "https://example.org/podcast".into();
        let w: Webinar = serde_json::from_value(serde_json::json!({
            "slug": "2021-06-29-t", "title": "T", "date": "2021-06-29", "time": "16:00",
            "timezone": "Europe/Madrid", "language": "es", "description": "",
            "speakers": [], "chapters": [], "episodes": []
        }))
        .unwrap();
        let urls = UrlsView::new(&config, Some("artwork.png")).unwrap();
        let webinars = [w];
        let site = SiteView::new(&config, &webinars, urls, "g".into(), None).unwrap();
        let v = serde_json::to_value(&site).unwrap();
        assert_eq!(v["urls"]["base"], "https://example.org/podcast/");
        assert_eq!(v["urls"]["home"], "https://example.org/podcast/index.html");
        assert_eq!(
            v["urls"]["image"],
            "https://example.org/podcast/artwork.png"
        );
        let w = &v["webinars"][0];
        assert_eq!(w["date"], "2021-06-29");
        assert_eq!(w["datetime"], "2021-06-29T14:00:00Z");
        assert_eq!(w["pub_date"], "Tue, 29 Jun 2021 16:00:00 +0200");
        assert_eq!(
            w["page_url"],
            "https://example.org/podcast/2021-06-29-t/index.html"
        );
    }
}
