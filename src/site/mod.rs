//! Site: the feed, the pages and the catalog, rendered from templates.
//!
//! Default templates are compiled into the binary; a `templates` folder named in
//! pipeline.toml overrides them file by file (`templates.rs`). Templates see plain view
//! models built here (times already formatted, URLs already joined), so restyling needs no
//! Rust; each episode's chapters and transcript files are written beside it (`sidecars.rs`).

pub mod catalog;
mod labels;
mod sidecars;
mod templates;

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::Person;
use crate::timecode::clock;
use catalog::{Catalog, Webinar};
use sidecars::{chapters_json, episode_chapters, episode_cues, sidecar, vtt};
use templates::Templates;
pub use templates::BUILTIN;

/// A rendered file, by its path from the site root.
#[derive(Debug, Clone)]
pub struct SiteFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// When the webinar took place, in its own zone (noon when the catalog gives no time, UTC
/// when it gives no zone). A date, time or zone that does not read is an error naming it
/// and the catalog, never a silent 1970 or UTC.
fn zoned(w: &Webinar) -> Result<jiff::ZonedDateTime> {
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
    date.to_datetime(time)
        .to_zoned_datetime(tz)
        .map_err(|e| bad("time", w.time.as_deref().unwrap_or("12:00"), e))
}

fn person_view(p: &Person, host: bool) -> serde_json::Value {
    let place = [p.city.as_deref(), p.country.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let about: Vec<&str> = [p.role.as_deref(), p.organisation.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    // `podcast:person` has no field for a job title or organisation: apps show its text.
    let credit = if about.is_empty() {
        p.name.clone()
    } else {
        format!("{} ({})", p.name, about.join(", "))
    };
    json!({
        "name": p.name,
        "role": p.role.clone().unwrap_or_default(),
        "organisation": p.organisation.clone().unwrap_or_default(),
        "city": p.city.clone().unwrap_or_default(),
        "country": p.country.clone().unwrap_or_default(),
        "place": place,
        "credit": credit,
        "podcast_role": if host { "host" } else { "guest" },
    })
}

#[derive(Serialize)]
struct Urls {
    base: String,
    /// The index page: `base` + "index.html" (`base` with `site.pretty_urls`).
    home: String,
    /// What a page's URL ends with after its folder: "index.html", or "" for pretty URLs.
    page: &'static str,
    feed: String,
    image: Option<String>,
}

/// Consecutive cues of one speaker joined into a turn, for reading on the page.
fn turns(cues: &[catalog::Cue]) -> Vec<serde_json::Value> {
    let mut out: Vec<(String, f64, String)> = Vec::new();
    for c in cues {
        match out.last_mut() {
            Some((who, _, text)) if *who == c.speaker => {
                text.push(' ');
                text.push_str(c.text.trim());
            }
            _ => out.push((c.speaker.clone(), c.start, c.text.trim().to_string())),
        }
    }
    out.into_iter()
        .map(|(speaker, start, text)| {
            json!({"speaker": speaker, "at": clock(start), "seconds": start.floor() as u64, "text": text})
        })
        .collect()
}

fn webinar_view(w: &Webinar, urls: &Urls, config: &Config) -> Result<serde_json::Value> {
    let t = labels::for_language(&w.language);
    let z = zoned(w)?;
    let day = t.date(z.date());
    let when = match (&w.time, &w.timezone) {
        (Some(_), Some(tz)) => format!("{day}, {} ({tz})", z.strftime("%H:%M %Z")),
        (Some(_), None) => format!("{day}, {}", z.strftime("%H:%M")),
        _ => day,
    };
    let mut summary: String = w.description.chars().take(300).collect();
    if w.description.chars().count() > 300 {
        summary.push('…');
    }
    let person = |name: &str| -> serde_json::Value {
        match &w.moderator {
            Some(m) if m.name == name => person_view(m, true),
            _ => w
                .speakers
                .iter()
                .find(|p| p.name == name)
                .map(|p| person_view(p, false))
                .unwrap_or_else(|| {
                    person_view(
                        &Person {
                            name: name.into(),
                            ..Person::default()
                        },
                        false,
                    )
                }),
        }
    };
    let episodes: Vec<_> = w
        .episodes
        .iter()
        .map(|e| {
            let file = e.path.rsplit('/').next().unwrap_or(&e.path).to_string();
            let whole = e.kind == crate::media::EpisodeKind::Webinar;
            let people: Vec<_> = if whole {
                w.moderator
                    .iter()
                    .map(|m| person_view(m, true))
                    .chain(w.speakers.iter().map(|p| person_view(p, false)))
                    .collect()
            } else {
                e.speakers.iter().map(|n| person(n)).collect()
            };
            let chapters: Vec<_> = episode_chapters(w, e)
                .iter()
                .map(|c| json!({"title": c.title, "speakers": c.speakers.join(", "), "at": clock(c.start), "seconds": c.start.floor() as u64}))
                .collect();
            let has_transcript = !episode_cues(w, e).is_empty();
            let description = if whole && w.description.trim().is_empty() {
                // Apple requires a description; an agenda need not have one.
                format!("{} ({}).", w.title, t.date(z.date()))
            } else if whole {
                w.description.clone()
            } else {
                format!("{} “{}” ({}).\n\n{}", t.from_webinar, w.title, t.date(z.date()), w.description)
            };
            json!({
                "id": e.id,
                "guid": e.guid,
                "title": e.title,
                "kind": e.kind,
                "is_webinar": whole,
                "speakers": e.speakers.join(", "),
                "people": people,
                "description": description.trim(),
                "file": file,
                "url": format!("{}{}", urls.base, e.path),
                "bytes": e.bytes,
                "mime": e.mime,
                "seconds": e.duration.round() as u64,
                "length": clock(e.duration),
                "megabytes": format!("{:.1}", e.bytes as f64 / 1_000_000.0),
                // What the download link calls the file: "MP3", "M4A".
                "format": file.rsplit('.').next().unwrap_or_default().to_uppercase(),
                "chapters": chapters,
                "chapters_url": format!("{}{}", urls.base, sidecar(&e.path, "chapters.json")),
                "transcript_url": if has_transcript { json!(format!("{}{}", urls.base, sidecar(&e.path, "vtt"))) } else { json!(null) },
                "transcript_file": if has_transcript { json!(sidecar(&file, "vtt")) } else { json!(null) },
                "video": e.video.as_ref().map(|v| {
                    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
                    json!({
                        "file": name(&v.clip.path),
                        "poster": name(&v.poster.path),
                        "megabytes": format!("{:.1}", v.clip.bytes as f64 / 1_000_000.0),
                    })
                }),
            })
        })
        .collect();
    let paragraphs: Vec<&str> = w
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let whole = episodes.iter().find(|e| e["is_webinar"] == json!(true));
    Ok(json!({
        "slug": w.slug,
        "title": w.title,
        "series": w.series.clone().unwrap_or_else(|| config.series.title.clone()),
        "date": w.date,
        "when": when,
        "datetime": z.timestamp().to_string(),
        "pub_date": jiff::fmt::rfc2822::to_string(&z).unwrap_or_default(),
        "language": w.language,
        "t": t,
        "description": w.description,
        "paragraphs": paragraphs,
        "summary": summary,
        "moderator": w.moderator.as_ref().map(|m| person_view(m, true)),
        "speakers": w.speakers.iter().map(|p| person_view(p, false)).collect::<Vec<_>>(),
        "episodes": episodes,
        "episode_count": t.episodes(w.episodes.len()),
        "player": whole.map(|e| json!(format!("{}-player", e["id"].as_str().unwrap_or_default()))).unwrap_or(json!(null)),
        "audio_url": whole.map(|e| e["url"].clone()).unwrap_or(json!(null)),
        "audio_file": whole.map(|e| e["file"].clone()).unwrap_or(json!(null)),
        "transcript": turns(&w.transcript),
        // A file, not a folder: a server need not add index.html by itself.
        "page_url": format!("{}{}/{}", urls.base, w.slug, urls.page),
    }))
}

/// Render the whole site for `catalog`: feed, index, one page per webinar with each
/// episode's chapters (JSON) and transcript slice (WebVTT), the artwork and catalog.json.
/// Media files are not included: they are published from where the media stage wrote them.
pub fn build(config: &Config, catalog: &Catalog) -> Result<Vec<SiteFile>> {
    let templates = Templates::load(config.site.templates.as_deref())?;
    let base = config.base_url();
    let image_name = artwork_name(config);
    let page = if config.site.pretty_urls {
        ""
    } else {
        "index.html"
    };
    let urls = Urls {
        home: format!("{base}{page}"),
        page,
        base: base.clone(),
        feed: format!("{base}feed.xml"),
        image: image_name.as_ref().map(|n| format!("{base}{n}")),
    };
    let mut catalog = catalog.clone();
    let guid = catalog
        .guid
        .get_or_insert_with(|| catalog::feed_guid(&urls.feed))
        .clone();
    let webinars: Vec<_> = catalog
        .webinars
        .iter()
        .map(|w| webinar_view(w, &urls, config))
        .collect::<Result<_>>()?;
    let s = &config.series;
    let series = json!({
        "title": s.title,
        "description": s.description,
        "author": s.author,
        "owner_name": s.owner_name.clone().unwrap_or_else(|| s.author.clone()),
        "owner_email": s.owner_email,
        "categories": s.categories,
        "language": s.language,
        "explicit": if s.explicit { "true" } else { "false" },
        "image": image_name,
        "guid": guid,
    });
    let mut files = Vec::new();
    let t = labels::for_language(&s.language);
    let site = json!({"series": series, "urls": urls, "webinars": webinars, "t": t});
    files.push(SiteFile {
        path: "feed.xml".into(),
        contents: templates.render("feed.xml.hbs", &site)?.into_bytes(),
    });
    files.push(SiteFile {
        path: "index.html".into(),
        contents: templates.render("index.html.hbs", &site)?.into_bytes(),
    });
    for (w, view) in catalog.webinars.iter().zip(&webinars) {
        let data = json!({"series": series, "urls": urls, "webinar": view, "t": view["t"]});
        files.push(SiteFile {
            path: format!("{}/index.html", w.slug),
            contents: templates.render("webinar.html.hbs", &data)?.into_bytes(),
        });
        for e in &w.episodes {
            files.push(SiteFile {
                path: sidecar(&e.path, "chapters.json"),
                contents: chapters_json(&episode_chapters(w, e)).into_bytes(),
            });
            let cues = episode_cues(w, e);
            if !cues.is_empty() {
                files.push(SiteFile {
                    path: sidecar(&e.path, "vtt"),
                    contents: vtt(&cues).into_bytes(),
                });
            }
        }
    }
    files.push(SiteFile {
        path: "style.css".into(),
        contents: templates.css.into_bytes(),
    });
    if let (Some(name), Some(src)) = (&image_name, &config.series.image) {
        files.push(SiteFile {
            path: name.clone(),
            contents: std::fs::read(src).map_err(|e| Error::io(src, e))?,
        });
    }
    files.push(SiteFile {
        path: "catalog.json".into(),
        contents: catalog.to_json().into_bytes(),
    });
    Ok(files)
}

/// Apple Podcasts refuses a feed without artwork, so when `series.image` is not set the
/// site keeps the artwork it already published, or gets a plain cover (made once in
/// `scratch`), with a warning saying how to use a real one.
pub fn ensure_artwork(config: &mut Config, published: Option<&Path>, scratch: &Path) -> Result<()> {
    if config.series.image.is_some() {
        return Ok(());
    }
    let existing = ["artwork.png", "artwork.jpg"]
        .iter()
        .filter_map(|n| published.map(|root| root.join(n)))
        .find(|p| p.is_file());
    let image = match existing {
        Some(p) => p,
        None => {
            let p = scratch.join("plain-artwork.png");
            if !p.is_file() {
                std::fs::create_dir_all(scratch).map_err(|e| Error::io(scratch, e))?;
                crate::ffmpeg::run(
                    crate::args![
                        "-f",
                        "lavfi",
                        "-i",
                        "color=c=0x0b5394:s=1400x1400:d=1",
                        "-frames:v",
                        "1",
                        &p
                    ],
                    None,
                )?;
            }
            tracing::warn!(
                "series.image is not set in pipeline.toml: publishing a plain cover; set it to a square JPEG or PNG of 1400 to 3000 px"
            );
            p
        }
    };
    config.series.image = Some(image);
    Ok(())
}

/// Name of the series artwork at the site root ("artwork.png" / "artwork.jpg").
fn artwork_name(config: &Config) -> Option<String> {
    let img = config.series.image.as_ref()?;
    let ext = img.extension()?.to_str()?.to_ascii_lowercase();
    Some(format!(
        "artwork.{}",
        if ext == "jpeg" { "jpg" } else { &ext }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog's webinar in a zone that does not exist is an error naming the zone and the
    /// catalog (exit 2), not a page dated in UTC or 1970.
    #[test]
    fn an_unknown_time_zone_in_the_catalog_is_an_error() {
        let w: Webinar = serde_json::from_value(json!({
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
            zoned(&good).unwrap().strftime("%H:%M %Z").to_string(),
            "16:00 CEST"
        );
    }
}
