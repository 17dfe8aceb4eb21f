//! The feed: what Apple Podcasts, Spotify and the Podcasting 2.0 apps require of it.

use super::*;

/// Checks the feed and returns the site's base URL (from the channel's `link`).
pub(super) fn check_feed(site: &Site, bytes: &[u8], problems: &mut Vec<String>) -> Option<String> {
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
                let expected = crate::mime::audio(url);
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
                Some((p, b)) if tr.attribute("type") == Some(crate::mime::VTT) => {
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
pub(super) fn feed_urls(feed: &str) -> Vec<String> {
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

/// `3725`, `62:05` or `1:02:05` in seconds.
pub(super) fn parse_duration(s: &str) -> Option<u64> {
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
