//! Site: the feed, the pages and the catalog, rendered from templates.
//!
//! Default templates are compiled into the binary; a `templates` folder named in
//! pipeline.toml overrides them file by file. Templates see plain view models built here
//! (times already formatted, URLs already joined), so restyling needs no Rust.

pub mod catalog;

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;
use serde_json::json;

use crate::clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::Person;
use catalog::{Catalog, Webinar};

/// Built-in templates: (file name, contents).
const BUILTIN: [(&str, &str); 4] = [
    ("feed.xml.hbs", include_str!("../../templates/feed.xml.hbs")),
    (
        "index.html.hbs",
        include_str!("../../templates/index.html.hbs"),
    ),
    (
        "webinar.html.hbs",
        include_str!("../../templates/webinar.html.hbs"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
];

/// A rendered file, by its path from the site root.
#[derive(Debug, Clone)]
pub struct SiteFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Escape text for XML: the five entities, and control characters XML 1.0 forbids removed.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

struct Templates {
    html: Handlebars<'static>,
    xml: Handlebars<'static>,
    css: String,
}

fn load_templates(dir: Option<&Path>) -> Result<Templates> {
    let mut html = Handlebars::new();
    let mut xml = Handlebars::new();
    html.set_strict_mode(true);
    xml.set_strict_mode(true);
    xml.register_escape_fn(xml_escape);
    let mut css = String::new();
    for (name, builtin) in BUILTIN {
        let (text, origin) = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
            Some(p) => (crate::error::read_text(&p)?, p.display().to_string()),
            None => (builtin.to_string(), format!("built-in {name}")),
        };
        let registry = match name {
            "style.css" => {
                css = text;
                continue;
            }
            "feed.xml.hbs" => &mut xml,
            _ => &mut html,
        };
        registry
            .register_template_string(name, text)
            .map_err(|e| Error::Template(format!("{origin}: {e}")))?;
    }
    Ok(Templates { html, xml, css })
}

fn render(reg: &Handlebars<'static>, name: &str, data: &serde_json::Value) -> Result<String> {
    reg.render(name, data).map_err(|e| {
        let line = e.line_no.map(|l| format!(" line {l}")).unwrap_or_default();
        Error::Template(format!("{name}{line}: {}", e.reason()))
    })
}

fn zoned(w: &Webinar) -> jiff::ZonedDateTime {
    let date: jiff::civil::Date = w.date.parse().unwrap_or(jiff::civil::date(1970, 1, 1));
    let time: jiff::civil::Time = w
        .time
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(jiff::civil::time(12, 0, 0, 0));
    let tz = w
        .timezone
        .as_deref()
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    date.to_datetime(time)
        .to_zoned_datetime(tz)
        .unwrap_or_else(|_| jiff::Timestamp::UNIX_EPOCH.to_zoned_datetime(jiff::tz::TimeZone::UTC))
}

fn person_view(p: &Person) -> serde_json::Value {
    let place = [p.city.as_deref(), p.country.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    json!({
        "name": p.name,
        "role": p.role.clone().unwrap_or_default(),
        "organisation": p.organisation.clone().unwrap_or_default(),
        "place": place,
    })
}

#[derive(Serialize)]
struct Urls {
    base: String,
    feed: String,
    image: Option<String>,
}

fn webinar_view(w: &Webinar, urls: &Urls, config: &Config) -> serde_json::Value {
    let z = zoned(w);
    let when = match (&w.time, &w.timezone) {
        (Some(_), Some(tz)) => format!("{} ({tz})", z.strftime("%-d %B %Y, %H:%M")),
        (Some(_), None) => z.strftime("%-d %B %Y, %H:%M").to_string(),
        _ => z.strftime("%-d %B %Y").to_string(),
    };
    let episodes: Vec<_> = w
        .episodes
        .iter()
        .map(|e| {
            let file = e.path.rsplit('/').next().unwrap_or(&e.path).to_string();
            json!({
                "id": e.id,
                "guid": e.guid,
                "title": e.title,
                "kind": e.kind,
                "is_webinar": e.kind == crate::media::EpisodeKind::Webinar,
                "speakers": e.speakers.join(", "),
                "file": file,
                "url": format!("{}{}", urls.base, e.path),
                "bytes": e.bytes,
                "mime": e.mime,
                "seconds": e.duration.round() as u64,
                "length": clock(e.duration),
                "megabytes": format!("{:.1}", e.bytes as f64 / 1_000_000.0),
            })
        })
        .collect();
    let chapters: Vec<_> = w
        .chapters
        .iter()
        .map(|c| json!({"title": c.title, "speakers": c.speakers.join(", "), "start": clock(c.start), "seconds": c.start}))
        .collect();
    let paragraphs: Vec<&str> = w
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut summary: String = w.description.chars().take(300).collect();
    if w.description.chars().count() > 300 {
        summary.push('…');
    }
    json!({
        "slug": w.slug,
        "title": w.title,
        "series": w.series.clone().unwrap_or_else(|| config.series.title.clone()),
        "date": w.date,
        "when": when,
        "datetime": z.timestamp().to_string(),
        "pub_date": jiff::fmt::rfc2822::to_string(&z).unwrap_or_default(),
        "language": w.language,
        "description": w.description,
        "paragraphs": paragraphs,
        "summary": summary,
        "moderator": w.moderator.as_ref().map(person_view),
        "speakers": w.speakers.iter().map(person_view).collect::<Vec<_>>(),
        "chapters": chapters,
        "episodes": episodes,
        "page_url": format!("{}{}/", urls.base, w.slug),
    })
}

/// Render the whole site for `catalog`: feed, index, one page per webinar, catalog.json.
/// Media files are not included: they are published from where the media stage wrote them.
pub fn build(config: &Config, catalog: &Catalog) -> Result<Vec<SiteFile>> {
    let templates = load_templates(config.site.templates.as_deref())?;
    let base = config.base_url();
    let image_name = artwork_name(config);
    let urls = Urls {
        base: base.clone(),
        feed: format!("{base}feed.xml"),
        image: image_name.as_ref().map(|n| format!("{base}{n}")),
    };
    let webinars: Vec<_> = catalog
        .webinars
        .iter()
        .map(|w| webinar_view(w, &urls, config))
        .collect();
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
    });
    let mut files = Vec::new();
    let site = json!({"series": series, "urls": urls, "webinars": webinars});
    files.push(SiteFile {
        path: "feed.xml".into(),
        contents: render(&templates.xml, "feed.xml.hbs", &site)?.into_bytes(),
    });
    files.push(SiteFile {
        path: "index.html".into(),
        contents: render(&templates.html, "index.html.hbs", &site)?.into_bytes(),
    });
    for w in &webinars {
        let data = json!({"series": series, "urls": urls, "webinar": w});
        files.push(SiteFile {
            path: format!("{}/index.html", w["slug"].as_str().unwrap_or_default()),
            contents: render(&templates.html, "webinar.html.hbs", &data)?.into_bytes(),
        });
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

    #[test]
    fn xml_escape_is_correct() {
        assert_eq!(
            xml_escape("a & b <c> \"d\" 'e'\u{1}\u{7}f\n"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;f\n"
        );
    }
}
