//! The check: what a podcast directory or a reader would trip over, found before publishing.
//!
//! Apple Podcasts and Spotify reject or silently mangle a feed with a missing tag, a wrong
//! enclosure length or odd artwork, and a broken link on a page is found by the audience,
//! not by us. So the same check runs on every build, over the site *as it will be* once
//! published (the target's files with this run's uploads laid over them), and on demand
//! over a published folder (`eventcast check DIR`). It reports every problem at once, by
//! file, so one run gives the whole list to fix.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::{Payload, Upload};
use crate::site::catalog::Catalog;

mod feed;
mod files;
mod online;
mod page;

use feed::*;
use files::*;
pub use files::{check_artwork, check_vtt};
pub use online::{check_online, Online};
use page::*;

const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
const ATOM: &str = "http://www.w3.org/2005/Atom";

/// Apple Podcasts' top-level categories (podcasters.apple.com/support/1691).
pub const APPLE_CATEGORIES: [&str; 19] = [
    "Arts",
    "Business",
    "Comedy",
    "Education",
    "Fiction",
    "Government",
    "Health & Fitness",
    "History",
    "Kids & Family",
    "Leisure",
    "Music",
    "News",
    "Religion & Spirituality",
    "Science",
    "Society & Culture",
    "Sports",
    "Technology",
    "True Crime",
    "TV & Film",
];

/// The site as a reader will see it: files under `root`, with `overlay` laid over them.
pub struct Site {
    root: Option<PathBuf>,
    overlay: BTreeMap<String, Payload>,
}

impl Site {
    /// A published folder.
    pub fn dir(root: &Path) -> Site {
        Site {
            root: Some(root.to_path_buf()),
            overlay: BTreeMap::new(),
        }
    }

    /// What `root` will hold once `uploads` are published into it.
    pub fn staged(root: Option<&Path>, uploads: &[Upload]) -> Site {
        Site {
            root: root.map(Path::to_path_buf),
            overlay: uploads
                .iter()
                .map(|u| (u.path.clone(), u.payload.clone()))
                .collect(),
        }
    }

    /// On a remote target (no local root), a file this run does not upload was checked
    /// when it was published: take it as present.
    fn assumed(&self, path: &str) -> bool {
        self.root.is_none() && !self.overlay.contains_key(path)
    }

    fn on_disk(&self, path: &str) -> Option<PathBuf> {
        let p = self.root.as_ref()?.join(path);
        p.is_file().then_some(p)
    }

    fn size(&self, path: &str) -> Option<u64> {
        match self.overlay.get(path) {
            Some(Payload::Bytes(b)) => Some(b.len() as u64),
            Some(Payload::File(p)) => std::fs::metadata(p).ok().map(|m| m.len()),
            None => std::fs::metadata(self.on_disk(path)?).ok().map(|m| m.len()),
        }
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        match self.overlay.get(path) {
            Some(Payload::Bytes(b)) => Some(b.clone()),
            Some(Payload::File(p)) => std::fs::read(p).ok(),
            None => std::fs::read(self.on_disk(path)?).ok(),
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.assumed(path) || self.overlay.contains_key(path) || self.on_disk(path).is_some()
    }

    /// Every `.html` file, by path from the root.
    fn pages(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .overlay
            .keys()
            .filter(|p| p.ends_with(".html"))
            .cloned()
            .collect();
        if let Some(root) = &self.root {
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|e| e == "html") {
                        if let Ok(rel) = p.strip_prefix(root) {
                            out.insert(rel.to_string_lossy().replace('\\', "/"));
                        }
                    }
                }
            }
        }
        out
    }
}

/// Check the whole site; an empty list means it is fit to publish.
pub fn check(site: &Site) -> Vec<String> {
    let mut problems = Vec::new();
    let base = match site.read("feed.xml") {
        None => {
            problems.push("feed.xml: missing".to_string());
            None
        }
        Some(bytes) => check_feed(site, &bytes, &mut problems),
    };
    if let Some(bytes) = site.read("catalog.json") {
        let text = String::from_utf8_lossy(&bytes);
        match Catalog::from_json(&text) {
            Ok(catalog) => check_videos(site, &catalog, &mut problems),
            Err(e) => problems.push(format!("catalog.json: does not parse: {e}")),
        }
    }
    for page in site.pages() {
        check_page(site, &page, base.as_deref(), &mut problems);
    }
    problems
}

/// Temporary files in a published folder: what a run writes before moving it into place
/// (see `publish::staging`), and older versions' `.<name>.<pid>-<n>.tmp`. A web server
/// would serve them; the next publish removes those of runs that stopped.
pub fn temporaries(root: &Path) -> Vec<String> {
    let staging = crate::publish::staging::STAGING;
    let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(staging))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    found.extend(crate::publish::dir::legacy_temporaries(root));
    found.sort();
    found
        .iter()
        .map(|p| {
            format!(
                "{}: a temporary file left by a run that stopped (or being written by one running now); publishing again removes it",
                p.strip_prefix(root).unwrap_or(p).display()
            )
        })
        .collect()
}

/// Video clips and posters the catalog lists (they are not in the feed) must be there, with
/// the size and type it records.
fn check_videos(site: &Site, catalog: &Catalog, problems: &mut Vec<String>) {
    let files = catalog
        .webinars
        .iter()
        .flat_map(|w| &w.episodes)
        .filter_map(|e| e.video.as_ref())
        .flat_map(|v| [(&v.clip, crate::mime::MP4), (&v.poster, crate::mime::JPEG)]);
    for (f, mime) in files {
        if f.mime != mime {
            problems.push(format!(
                "catalog.json: {} is listed as {} but must be {mime}",
                f.path, f.mime
            ));
        }
        if site.assumed(&f.path) {
            continue;
        }
        match site.size(&f.path) {
            None => problems.push(format!("catalog.json: {} is missing", f.path)),
            Some(real) if real != f.bytes => problems.push(format!(
                "catalog.json: {} has {real} bytes but the catalog says {}",
                f.path, f.bytes
            )),
            Some(_) => {}
        }
    }
}

fn el<'a>(n: Node<'a, 'a>, ns: Option<&str>, name: &str) -> Option<Node<'a, 'a>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == ns)
}

fn text_of(n: Option<Node>) -> Option<String> {
    let t: String = n?
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    let t = t.trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// The site path a URL of this site points at, or `None` for another host.
fn site_path(url: &str, base: &str) -> Option<String> {
    let rest = url.strip_prefix(base)?;
    let rest = rest.split(['#', '?']).next().unwrap_or("");
    Some(if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_string()
    })
}

/// The site's base URL from the channel's `link` (the index page, or its folder).
fn site_base(link: &str) -> String {
    let folder = link.strip_suffix("index.html").unwrap_or(link);
    format!("{}/", folder.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_from_the_page() {
        assert_eq!(resolve("w", "../feed.xml").as_deref(), Some("feed.xml"));
        assert_eq!(resolve("w", "a.mp3#t=12").as_deref(), Some("w/a.mp3"));
        assert_eq!(resolve("", "w/").as_deref(), Some("w/index.html"));
        assert_eq!(resolve("", "../x"), None);
    }

    #[test]
    fn vtt_timings_are_checked() {
        assert_eq!(
            check_vtt("WEBVTT\n\n00:00.000 --> 00:01.500\n<v A>hi\n\n00:01.000 --> 00:02.000\nx\n"),
            Ok(2)
        );
        assert!(check_vtt("WEBVTT\n\n00:05.000 --> 00:01.000\nx\n")
            .unwrap_err()
            .contains("line 3"));
        assert!(check_vtt("hello").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("3725"), Some(3725));
        assert_eq!(parse_duration("1:02:05"), Some(3725));
        assert_eq!(parse_duration("1:75"), None);
    }
}
