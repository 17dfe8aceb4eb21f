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

use crate::publish::{Payload, Upload};

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
        match super::catalog::Catalog::from_json(&text) {
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
fn check_videos(site: &Site, catalog: &super::catalog::Catalog, problems: &mut Vec<String>) {
    let files = catalog
        .webinars
        .iter()
        .flat_map(|w| &w.episodes)
        .filter_map(|e| e.video.as_ref())
        .flat_map(|v| [(&v.clip, "video/mp4"), (&v.poster, "image/jpeg")]);
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

/// Checks the feed and returns the site's base URL (from the channel's `link`).
fn check_feed(site: &Site, bytes: &[u8], problems: &mut Vec<String>) -> Option<String> {
    let mut bad = |m: String| problems.push(format!("feed.xml: {m}"));
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            bad(format!("not UTF-8: {e}"));
            return None;
        }
    };
    let doc = match Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            bad(format!("not well-formed XML: {e}"));
            return None;
        }
    };
    let rss = doc.root_element();
    if rss.tag_name().name() != "rss" || rss.attribute("version") != Some("2.0") {
        bad("the root element must be <rss version=\"2.0\">".into());
    }
    let Some(ch) = el(rss, None, "channel") else {
        bad("no <channel>".into());
        return None;
    };
    for name in ["title", "link", "description", "language"] {
        if text_of(el(ch, None, name)).is_none() {
            bad(format!("channel: <{name}> is missing or empty"));
        }
    }
    let base = text_of(el(ch, None, "link")).map(|l| site_base(&l));
    let base_str = base.clone().unwrap_or_default();
    if text_of(el(ch, Some(ITUNES), "author")).is_none() {
        bad("channel: <itunes:author> is missing".into());
    }
    let owner = el(ch, Some(ITUNES), "owner");
    if owner
        .and_then(|o| text_of(el(o, Some(ITUNES), "name")))
        .is_none()
    {
        bad("channel: <itunes:owner> has no <itunes:name>".into());
    }
    match owner.and_then(|o| text_of(el(o, Some(ITUNES), "email"))) {
        Some(e) if e.contains('@') => {}
        _ => bad("channel: <itunes:owner> has no <itunes:email> address".into()),
    }
    let categories: Vec<_> = ch
        .children()
        .filter(|c| c.tag_name().name() == "category" && c.tag_name().namespace() == Some(ITUNES))
        .collect();
    if categories.is_empty() {
        bad("channel: no <itunes:category>".into());
    }
    for c in categories {
        let t = c.attribute("text").unwrap_or("");
        if !APPLE_CATEGORIES.contains(&t) {
            bad(format!(
                "channel: \"{t}\" is not an Apple Podcasts category; use one of: {}",
                APPLE_CATEGORIES.join(", ")
            ));
        }
    }
    match text_of(el(ch, Some(ITUNES), "explicit")).as_deref() {
        Some("true" | "false") => {}
        other => bad(format!(
            "channel: <itunes:explicit> must be true or false, not {other:?}"
        )),
    }
    match text_of(el(ch, Some(ITUNES), "type")).as_deref() {
        Some("episodic" | "serial") => {}
        other => bad(format!(
            "channel: <itunes:type> must be episodic or serial, not {other:?}"
        )),
    }
    match text_of(el(ch, Some(PODCAST), "guid")) {
        Some(g) if uuid::Uuid::parse_str(&g).is_ok() => {}
        other => bad(format!(
            "channel: <podcast:guid> must be a UUID, not {other:?}"
        )),
    }
    match el(ch, Some(PODCAST), "locked") {
        Some(l) if matches!(text_of(Some(l)).as_deref(), Some("yes" | "no")) => {}
        _ => bad("channel: <podcast:locked> must be yes or no".into()),
    }
    if el(ch, Some(ATOM), "link")
        .and_then(|l| l.attribute("href"))
        .is_none()
    {
        bad("channel: no <atom:link rel=\"self\"> with the feed's own address".into());
    }
    match el(ch, Some(ITUNES), "image").and_then(|i| i.attribute("href")) {
        None => bad(
            "channel: no <itunes:image>: set series.image in pipeline.toml to a square JPEG or PNG of 1400 to 3000 px"
                .into(),
        ),
        Some(href) => match site_path(href, &base_str) {
            None => bad(format!("channel: artwork {href} is not on this site")),
            Some(p) => match site.read(&p) {
                None => bad(format!("channel: artwork {p} is missing")),
                Some(img) => {
                    if let Err(m) = check_artwork(&img) {
                        bad(format!("artwork {p}: {m}"));
                    }
                }
            },
        },
    }

    let mut guids = HashSet::new();
    for (i, item) in ch
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "item")
        .enumerate()
    {
        let title = text_of(el(item, None, "title"));
        let who = format!(
            "item {} ({})",
            i + 1,
            title.as_deref().unwrap_or("untitled")
        );
        let mut bad = |m: String| problems.push(format!("feed.xml: {who}: {m}"));
        if title.is_none() {
            bad("<title> is missing".into());
        }
        if text_of(el(item, None, "description")).is_none() {
            bad("<description> is missing".into());
        }
        match text_of(el(item, None, "guid")) {
            None => bad("<guid> is missing".into()),
            Some(g) => {
                if !guids.insert(g.clone()) {
                    bad(format!("<guid> {g} is used by an earlier item too"));
                }
            }
        }
        match text_of(el(item, None, "link")) {
            None => bad("<link> is missing".into()),
            Some(l) => {
                if !site_path(&l, &base_str).is_some_and(|p| site.exists(&p)) {
                    bad(format!("<link> {l} is not a page of this site"));
                }
            }
        }
        match text_of(el(item, None, "pubDate")) {
            Some(d) if jiff::fmt::rfc2822::parse(&d).is_ok() => {}
            other => bad(format!("<pubDate> is not an RFC 2822 date: {other:?}")),
        }
        let duration = match text_of(el(item, Some(ITUNES), "duration")) {
            Some(d) => match parse_duration(&d) {
                Some(s) => Some(s),
                None => {
                    bad(format!("<itunes:duration> {d:?} is not seconds or H:MM:SS"));
                    None
                }
            },
            None => {
                bad("<itunes:duration> is missing".into());
                None
            }
        };
        match text_of(el(item, Some(ITUNES), "episodeType")).as_deref() {
            Some("full" | "trailer" | "bonus") => {}
            other => bad(format!(
                "<itunes:episodeType> must be full, trailer or bonus, not {other:?}"
            )),
        }
        match el(item, Some(ITUNES), "image").and_then(|n| n.attribute("href")) {
            None => bad("<itunes:image> is missing".into()),
            Some(href) => {
                if !site_path(href, &base_str).is_some_and(|p| site.exists(&p)) {
                    bad(format!("<itunes:image> {href} is not a file of this site"));
                }
            }
        }
        match el(item, None, "enclosure") {
            None => bad("<enclosure> is missing".into()),
            Some(enc) => {
                let url = enc.attribute("url").unwrap_or("");
                let length = enc.attribute("length").and_then(|l| l.parse::<u64>().ok());
                let mime = enc.attribute("type").unwrap_or("");
                let expected = mime_for(url);
                if expected != Some(mime) {
                    bad(format!(
                        "<enclosure> type {mime:?} does not match {url} (expected {})",
                        expected.unwrap_or("an audio file: .mp3, .m4a, .ogg, .opus")
                    ));
                }
                match site_path(url, &base_str) {
                    None => bad(format!("<enclosure> {url} is not on this site")),
                    Some(p) if site.assumed(&p) => {}
                    Some(p) => match (site.size(&p), length) {
                        (None, _) => bad(format!("<enclosure> {p} is missing")),
                        (_, None) => bad("<enclosure> has no length in bytes".into()),
                        (Some(real), Some(said)) if real != said => bad(format!(
                            "<enclosure> length says {said} bytes but {p} has {real}"
                        )),
                        _ => {}
                    },
                }
            }
        }
        if let Some(ch) = el(item, Some(PODCAST), "chapters") {
            let url = ch.attribute("url").unwrap_or("");
            if site_path(url, &base_str).is_some_and(|p| site.assumed(&p)) {
                continue;
            }
            match site_path(url, &base_str).and_then(|p| site.read(&p).map(|b| (p, b))) {
                None => bad(format!(
                    "<podcast:chapters> {url} is not a file of this site"
                )),
                Some((p, b)) => {
                    if let Err(m) = check_chapters(&b, duration) {
                        bad(format!("chapters {p}: {m}"));
                    }
                }
            }
        }
        for tr in item.children().filter(|c| {
            c.tag_name().name() == "transcript" && c.tag_name().namespace() == Some(PODCAST)
        }) {
            let url = tr.attribute("url").unwrap_or("");
            if site_path(url, &base_str).is_some_and(|p| site.assumed(&p)) {
                continue;
            }
            match site_path(url, &base_str).and_then(|p| site.read(&p).map(|b| (p, b))) {
                None => bad(format!(
                    "<podcast:transcript> {url} is not a file of this site"
                )),
                Some((p, b)) if tr.attribute("type") == Some("text/vtt") => {
                    if let Err(m) = check_vtt(&String::from_utf8_lossy(&b)) {
                        bad(format!("transcript {p}: {m}"));
                    }
                }
                Some(_) => {}
            }
        }
    }
    base
}

/// Every URL the feed gives readers and apps: the site's page, item pages, enclosures,
/// artwork, chapters and transcripts, each once, in feed order.
fn feed_urls(feed: &str) -> Vec<String> {
    let Ok(doc) = Document::parse(feed) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let (ns, name) = (n.tag_name().namespace(), n.tag_name().name());
        let url = match (ns, name) {
            (None, "link") => text_of(Some(n)),
            (None, "enclosure") | (Some(PODCAST), "chapters" | "transcript") => {
                n.attribute("url").map(str::to_string)
            }
            (Some(ITUNES), "image") | (Some(ATOM), "link") => {
                n.attribute("href").map(str::to_string)
            }
            _ => None,
        };
        if let Some(u) = url.filter(|u| !out.contains(u)) {
            out.push(u);
        }
    }
    out
}

/// What fetching the feed's URLs from the web found.
pub struct Online {
    /// URLs the server does not serve, with what it answered.
    pub problems: Vec<String>,
    /// Why nothing was fetched (the site's address cannot be reached from here), if so.
    pub skipped: Option<String>,
}

/// Fetch every URL the published feed in `root` links to, when the site's address can be
/// reached from here: a file can be in the folder and still not be served (a folder URL on
/// a server that adds no index.html, a path the server maps elsewhere).
pub async fn check_online(root: &Path) -> Online {
    let mut online = Online {
        problems: Vec::new(),
        skipped: None,
    };
    let Ok(feed) = std::fs::read_to_string(root.join("feed.xml")) else {
        online.skipped = Some("no feed.xml".into());
        return online;
    };
    let urls = feed_urls(&feed);
    let client = match reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            online.skipped = Some(format!("no HTTP client: {e}"));
            return online;
        }
    };
    for (i, url) in urls.iter().enumerate() {
        let answer = match client.head(url).send().await {
            Ok(r) if matches!(r.status().as_u16(), 405 | 501) => client.get(url).send().await,
            other => other,
        };
        match answer {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => online.problems.push(format!(
                "feed.xml: {url} answers {} on the web server{}",
                r.status(),
                if url.split('#').next().is_some_and(|u| u.ends_with('/')) {
                    " (a folder URL: the server must serve its index.html, or set `site.pretty_urls = false`)"
                } else {
                    ""
                }
            )),
            // The first URL cannot be reached: the site is not served where this runs.
            Err(e) if i == 0 => {
                online.skipped = Some(format!("{url} cannot be reached from here ({e})"));
                return online;
            }
            Err(e) => online.problems.push(format!("feed.xml: {url} cannot be fetched: {e}")),
        }
    }
    online
}

/// The MIME type an enclosure with this file name must declare.
fn mime_for(url: &str) -> Option<&'static str> {
    let ext = url.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        _ => return None,
    })
}

/// `3725`, `62:05` or `1:02:05` in seconds.
fn parse_duration(s: &str) -> Option<u64> {
    let parts: Vec<u64> = s
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [s] => Some(s),
        [m, s] if s < 60 => Some(m * 60 + s),
        [h, m, s] if m < 60 && s < 60 => Some(h * 3600 + m * 60 + s),
        _ => None,
    }
}

/// Apple's artwork rule: a square JPEG or PNG of 1400 to 3000 pixels a side.
pub fn check_artwork(bytes: &[u8]) -> Result<(), String> {
    let kind = imagesize::image_type(bytes).map_err(|e| format!("not an image ({e})"))?;
    if !matches!(kind, imagesize::ImageType::Png | imagesize::ImageType::Jpeg) {
        return Err(format!("is {kind:?}; it must be a JPEG or PNG"));
    }
    let size = imagesize::blob_size(bytes).map_err(|e| format!("unreadable ({e})"))?;
    if size.width != size.height || !(1400..=3000).contains(&size.width) {
        return Err(format!(
            "is {}×{} px; it must be square, 1400 to 3000 px a side",
            size.width, size.height
        ));
    }
    Ok(())
}

/// A Podcasting 2.0 JSON chapters file: a version, and chapters in time order inside the episode.
fn check_chapters(bytes: &[u8], duration: Option<u64>) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if !v["version"].is_string() {
        return Err("no \"version\"".into());
    }
    let list = v["chapters"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or("no \"chapters\" list")?;
    let mut last = -1.0;
    for (i, c) in list.iter().enumerate() {
        let start = c["startTime"]
            .as_f64()
            .ok_or(format!("chapter {} has no numeric startTime", i + 1))?;
        if start < last {
            return Err(format!("chapter {} starts before the one above it", i + 1));
        }
        if duration.is_some_and(|d| start > d as f64 + 1.0) {
            return Err(format!("chapter {} starts after the episode ends", i + 1));
        }
        if c["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return Err(format!("chapter {} has no title", i + 1));
        }
        last = start;
    }
    Ok(())
}

fn vtt_seconds(s: &str) -> Option<f64> {
    let (hms, ms) = s.split_once('.')?;
    if ms.len() != 3 {
        return None;
    }
    let parts: Vec<u64> = hms
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let secs = match parts[..] {
        [m, s] if m < 60 && s < 60 => m * 60 + s,
        [h, m, s] if m < 60 && s < 60 => h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(secs as f64 + ms.parse::<u64>().ok()? as f64 / 1000.0)
}

/// A WebVTT file: the header, then cues whose timings parse and never go backwards.
/// Returns the number of cues; an error names the line.
pub fn check_vtt(text: &str) -> Result<usize, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate().peekable();
    match lines.next() {
        Some((_, first))
            if first == "WEBVTT"
                || first.starts_with("WEBVTT ")
                || first.starts_with("WEBVTT\t") => {}
        _ => return Err("line 1: a WebVTT file starts with WEBVTT".into()),
    }
    let mut cues = 0;
    let mut last_start = 0.0;
    for (i, line) in lines {
        if !line.contains("-->") {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (start, arrow, end) = (parts.next(), parts.next(), parts.next());
        let (Some(start), Some("-->"), Some(end)) = (start, arrow, end) else {
            return Err(format!("line {}: bad cue timing {line:?}", i + 1));
        };
        let (Some(s), Some(e)) = (vtt_seconds(start), vtt_seconds(end)) else {
            return Err(format!("line {}: bad cue timing {line:?}", i + 1));
        };
        if e < s {
            return Err(format!("line {}: the cue ends before it starts", i + 1));
        }
        if s < last_start {
            return Err(format!(
                "line {}: the cue starts before the one above it",
                i + 1
            ));
        }
        last_start = s;
        cues += 1;
    }
    Ok(cues)
}

/// Every link and source on a page must resolve to a file of the site, and nothing may be
/// loaded from another host.
fn check_page(site: &Site, page: &str, base: Option<&str>, problems: &mut Vec<String>) {
    let Some(bytes) = site.read(page) else {
        return;
    };
    let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
    let selector = scraper::Selector::parse("[href], [src], [poster]").expect("a valid selector");
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    for node in html.select(&selector) {
        let element = node.value();
        for attr in ["href", "src", "poster"] {
            let Some(target) = element.attr(attr) else {
                continue;
            };
            let target = target.trim();
            if target.is_empty() || target.starts_with('#') {
                continue;
            }
            // A resource the browser fetches by itself, as opposed to a link the reader follows.
            let loads = attr != "href" || element.name() == "link";
            let resolved = if let Some(p) = base.and_then(|b| site_path(target, b)) {
                Some(p)
            } else if target.contains("://") || target.starts_with("//") {
                if loads && !target.starts_with("data:") {
                    problems.push(format!(
                        "{page}: loads {target} from another host; pages must be self-contained"
                    ));
                }
                None
            } else if target.split('/').next().is_some_and(|s| s.contains(':')) {
                None // mailto:, tel:, data:
            } else {
                match resolve(dir, target) {
                    Some(p) => Some(p),
                    None => {
                        problems.push(format!("{page}: {target} points above the site root"));
                        None
                    }
                }
            };
            if let Some(p) = resolved {
                if !site.exists(&p) {
                    problems.push(format!("{page}: {target} does not resolve (no {p})"));
                }
            }
        }
    }
}

/// A relative reference from a page in `dir`, as a path from the site root.
fn resolve(dir: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or("");
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let absolute = target.starts_with('/');
    if absolute {
        parts.clear();
    }
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if target.is_empty() || target.ends_with('/') || path.is_empty() {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    Some(path)
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
