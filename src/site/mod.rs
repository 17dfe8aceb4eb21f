//! Site: the feed, the pages and the catalog, rendered from templates.
//!
//! Default templates are compiled into the binary; a `templates` folder named in
//! pipeline.toml overrides them file by file (`templates.rs`). Templates see the views built
//! here (`views/`: times already formatted, URLs already joined), so restyling needs no
//! Rust; each episode's chapters and transcript files are written beside it (`sidecars.rs`).

pub mod catalog;
mod labels;
mod sidecars;
mod templates;
mod views;

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use catalog::Catalog;
use sidecars::{chapters_json, episode_chapters, episode_cues, sidecar, vtt};
use templates::Templates;
pub use templates::BUILTIN;
use views::{SiteView, UrlsView, WebinarPageView};

/// A rendered file, by its path from the site root.
#[derive(Debug, Clone)]
pub struct SiteFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// A webinar's page, from the site root.
fn page_path(w: &catalog::Webinar) -> String {
    format!("{}/index.html", w.slug)
}

/// Every file [`build`] makes for webinar `w` (its page, each episode's chapters and, when
/// it has any, transcript), known without rendering anything.
pub fn webinar_files(w: &catalog::Webinar) -> Vec<String> {
    let mut files = vec![page_path(w)];
    for e in &w.episodes {
        files.push(sidecar(&e.path, "chapters.json"));
        if !episode_cues(w, e).is_empty() {
            files.push(sidecar(&e.path, "vtt"));
        }
    }
    files
}

/// Render the whole site for `catalog`: feed, index, one page per webinar with each
/// episode's chapters (JSON) and transcript slice (WebVTT), the artwork and catalog.json.
/// Media files are not included: they are published from where the media stage wrote them.
pub fn build(config: &Config, catalog: &Catalog) -> Result<Vec<SiteFile>> {
    let templates = Templates::load(config.site.templates.as_deref())?;
    let artwork = artwork_name(config);
    let urls = UrlsView::new(config, artwork.as_deref())?;
    let mut catalog = catalog.clone();
    let guid = catalog
        .guid
        .get_or_insert_with(|| catalog::feed_guid(urls.feed.as_str()))
        .clone();
    let site = SiteView::new(config, &catalog.webinars, urls, guid, artwork.as_deref())?;
    let mut files = vec![
        SiteFile {
            path: "feed.xml".into(),
            contents: templates.render("feed.xml.hbs", &site)?.into_bytes(),
        },
        SiteFile {
            path: "index.html".into(),
            contents: templates.render("index.html.hbs", &site)?.into_bytes(),
        },
    ];
    for (w, webinar) in catalog.webinars.iter().zip(&site.webinars) {
        let page = WebinarPageView {
            series: &site.series,
            urls: &site.urls,
            webinar,
            t: webinar.t,
        };
        files.push(SiteFile {
            path: page_path(w),
            contents: templates.render("webinar.html.hbs", &page)?.into_bytes(),
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
    if let (Some(name), Some(src)) = (artwork, &config.series.image) {
        files.push(SiteFile {
            path: name,
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
