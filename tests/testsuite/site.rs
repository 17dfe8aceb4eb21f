//! The feed and pages as their readers see them: podcast-feed parsers, the Nu Html Checker,
//! headless Chromium, and the real binary publishing a series webinar after webinar.
//!
//! Needs java + vnu.jar and chromium: run `.ci/install-test-tools.sh` once before
//! `cargo test`. A missing tool fails the test with that instruction, never skips it.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use eventcast::config::Config;
use eventcast::demo::synth::{self, Script, Utterance, Voice};
use eventcast::ingest::{Agenda, Item, ItemKind, Person};
use eventcast::media::EpisodeKind;
use eventcast::publish::{Payload, Upload};
use eventcast::site::catalog::{self, Catalog, CatalogEpisode, Chapter, Cue, Webinar};
use rss::validation::Validate;

/// Names that break naive escaping in XML, HTML, WebVTT and JSON alike.
const TRICKY_TITLE: &str = "Ciudades & \"voces\" <en línea>: ¿qué aprendimos?";
const TRICKY_MODERATOR: &str = "Zoë O'Brien-Núñez";
const TRICKY_SPEAKER: &str = "Ana \"Anita\" <Pérez> & Cía";
const TRICKY_SERIES: &str = "Aprender de las ciudades & <amigos>";

const BASE: &str = "https://learning.example.org/podcast/";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A square (or not) PNG of `w`×`h`.
fn artwork(path: &Path, w: u32, h: u32) {
    common::ffmpeg([
        "-f",
        "lavfi",
        "-i",
        &format!("gradients=size={w}x{h}:c0=0x0b5394:c1=0x38761d:duration=1"),
        "-frames:v",
        "1",
        path.to_str().unwrap(),
    ]);
}

/// A pipeline.toml for the tricky series, with artwork `image`.
fn config_file(dir: &Path, image: &Path) -> PathBuf {
    let path = dir.join("pipeline.toml");
    let text = format!(
        "[series]\ntitle = {}\ndescription = {}\nauthor = {}\nowner_email = \"podcasts@example.org\"\nimage = {}\ncategories = [\"Education\", \"Government\"]\nlanguage = \"es\"\n\n[site]\nbase_url = \"{BASE}\"\n",
        toml_str(TRICKY_SERIES),
        toml_str("Soluciones urbanas: \"lo que funciona\" & <lo que no>."),
        toml_str("Metrópolis & Co"),
        toml_str(image.to_str().unwrap()),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn person(name: &str, role: &str, org: &str, city: &str, country: &str) -> Person {
    Person {
        name: name.into(),
        role: Some(role.into()),
        organisation: Some(org.into()),
        city: Some(city.into()),
        country: Some(country.into()),
        handle: None,
    }
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    n.children()
        .find(|c| c.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}>"))
}

fn xml_text(node: roxmltree::Node) -> String {
    node.text().unwrap_or("").to_string()
}

fn page(path: &Path) -> scraper::Html {
    scraper::Html::parse_document(&std::fs::read_to_string(path).unwrap())
}

fn select<'a>(html: &'a scraper::Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&scraper::Selector::parse(css).unwrap())
        .collect()
}

fn text(e: &scraper::ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------
// A site built from a catalog made here, with transcripts: every tag, every page, by parsers.
// ---------------------------------------------------------------------------------------

/// A silent MP3 of `seconds`, so players and enclosure lengths are real.
fn mp3(path: &Path, seconds: f64) -> u64 {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    common::ffmpeg([
        "-f",
        "lavfi",
        "-i",
        "anullsrc=r=22050:cl=mono",
        "-t",
        &format!("{seconds}"),
        "-c:a",
        "libmp3lame",
        "-b:a",
        "32k",
        path.to_str().unwrap(),
    ]);
    std::fs::metadata(path).unwrap().len()
}

fn episode(
    slug: &str,
    id: &str,
    title: &str,
    speakers: &[&str],
    start: f64,
    duration: f64,
    media: &Path,
) -> (CatalogEpisode, Upload) {
    let path = format!("{slug}/{id}.mp3");
    let file = media.join(&path);
    let bytes = mp3(&file, duration);
    (
        CatalogEpisode {
            id: id.into(),
            guid: catalog::guid(slug, id),
            kind: if id == "webinar" {
                EpisodeKind::Webinar
            } else {
                EpisodeKind::Talk
            },
            title: title.into(),
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
            path: path.clone(),
            bytes,
            start,
            duration,
            mime: "audio/mpeg".into(),
            track: 1,
            video: None,
        },
        Upload {
            path,
            payload: Payload::File(file),
        },
    )
}

fn tricky_webinar(media: &Path) -> (Webinar, Vec<Upload>) {
    let slug = "2026-03-12-ciudades-voces-en-linea";
    let moderator = person(
        TRICKY_MODERATOR,
        "Directora de \"Conocimiento\"",
        "Metrópolis & Co",
        "Barcelona",
        "España",
    );
    let speaker = person(
        TRICKY_SPEAKER,
        "Alcaldesa <interina>",
        "Ayuntamiento de Medellín",
        "Medellín",
        "Colombia",
    );
    let (whole, u1) = episode(
        slug,
        "webinar",
        TRICKY_TITLE,
        &[TRICKY_MODERATOR, TRICKY_SPEAKER],
        0.0,
        40.0,
        media,
    );
    let (talk, u2) = episode(
        slug,
        "talk-1",
        &format!("Medellín – {TRICKY_SPEAKER}"),
        &[TRICKY_SPEAKER],
        10.0,
        20.0,
        media,
    );
    let cue = |start: f64, end: f64, speaker: &str, text: &str| Cue {
        start,
        end,
        speaker: speaker.into(),
        text: text.into(),
    };
    let w = Webinar {
        slug: slug.into(),
        identity: None,
        title: TRICKY_TITLE.into(),
        series: Some(TRICKY_SERIES.into()),
        date: "2026-03-12".into(),
        time: Some("16:00".into()),
        timezone: Some("America/Bogota".into()),
        language: "es".into(),
        fingerprint: None,
        description: "¿Cómo innovan las ciudades \"bajo presión\"? <b>Dos</b> alcaldías & una red.\n\nSegundo párrafo.".into(),
        moderator: Some(moderator.clone()),
        speakers: vec![speaker],
        chapters: vec![
            Chapter { title: "Bienvenida & <reglas>".into(), speakers: vec![TRICKY_MODERATOR.into()], start: 0.0 },
            Chapter { title: format!("Charla: {TRICKY_SPEAKER}"), speakers: vec![TRICKY_SPEAKER.into()], start: 10.0 },
            Chapter { title: "Preguntas \"abiertas\"".into(), speakers: vec![TRICKY_MODERATOR.into()], start: 30.0 },
        ],
        episodes: vec![whole, talk],
        transcript: vec![
            cue(0.5, 4.0, TRICKY_MODERATOR, "Bienvenidas & bienvenidos a <Aprender>."),
            cue(4.5, 9.0, TRICKY_MODERATOR, "Hoy hablamos de \"innovación\"."),
            cue(10.5, 18.0, TRICKY_SPEAKER, "En Medellín --> empezamos por escuchar."),
            cue(18.5, 29.0, TRICKY_SPEAKER, "Y luego medimos & publicamos."),
            cue(31.0, 38.0, TRICKY_MODERATOR, "¿Preguntas?"),
        ],
    };
    (w, vec![u1, u2])
}

fn plain_webinar(media: &Path) -> (Webinar, Vec<Upload>) {
    let slug = "2026-01-20-open-data";
    let (whole, u1) = episode(slug, "webinar", "Open data", &["Kim Lee"], 0.0, 12.0, media);
    let w = Webinar {
        slug: slug.into(),
        identity: None,
        title: "Open data".into(),
        series: None,
        date: "2026-01-20".into(),
        time: None,
        timezone: None,
        language: "en".into(),
        fingerprint: None,
        description: "Open data in cities.".into(),
        moderator: None,
        speakers: vec![person(
            "Kim Lee",
            "Analyst",
            "City of Seoul",
            "Seoul",
            "South Korea",
        )],
        chapters: vec![Chapter {
            title: "Talk".into(),
            speakers: vec!["Kim Lee".into()],
            start: 0.0,
        }],
        episodes: vec![whole],
        transcript: vec![],
    };
    (w, vec![u1])
}

/// Publish a site of two webinars (one with a transcript) into `dir/site`.
fn constructed_site(dir: &Path) -> (Config, Catalog, PathBuf) {
    let image = dir.join("cover.png");
    artwork(&image, 1400, 1400);
    let config = Config::load(&config_file(dir, &image)).unwrap();
    let media = dir.join("media");
    let (a, mut uploads) = tricky_webinar(&media);
    let (b, more) = plain_webinar(&media);
    uploads.extend(more);
    let mut catalog = Catalog::default();
    catalog.upsert(b).unwrap();
    catalog.upsert(a).unwrap();
    let root = dir.join("site");
    uploads.extend(
        eventcast::site::build(&config, &catalog)
            .unwrap()
            .into_iter()
            .map(Upload::from),
    );
    for up in uploads {
        let dest = root.join(&up.path);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        match up.payload {
            Payload::Bytes(b) => std::fs::write(&dest, b).unwrap(),
            Payload::File(p) => {
                std::fs::copy(p, &dest).unwrap();
            }
        }
    }
    (config, catalog, root)
}

#[test]
fn feed_has_every_apple_and_podcasting_2_tag_and_tricky_names_survive() {
    let dir = tempfile::tempdir().unwrap();
    let (_, catalog, root) = constructed_site(dir.path());
    let feed_bytes = std::fs::read(root.join("feed.xml")).unwrap();

    // A real RSS parser with its validation.
    let channel = rss::Channel::read_from(&feed_bytes[..]).expect("the rss crate parses the feed");
    channel
        .validate()
        .expect("the feed passes the rss crate's validation");
    assert_eq!(channel.title(), TRICKY_SERIES);
    // The index page as a file: a server need not add index.html to a folder URL.
    assert_eq!(channel.link(), format!("{BASE}index.html"));
    for item in channel.items() {
        let link = item.link().unwrap();
        assert!(
            link.starts_with(BASE) && link.contains("/index.html#"),
            "{link}"
        );
    }
    assert_eq!(channel.language(), Some("es"));
    let it = channel.itunes_ext().expect("itunes tags");
    assert_eq!(it.author(), Some("Metrópolis & Co"));
    let owner = it.owner().expect("itunes:owner");
    assert_eq!(owner.email(), Some("podcasts@example.org"));
    assert_eq!(owner.name(), Some("Metrópolis & Co"));
    assert_eq!(it.image(), Some(format!("{BASE}artwork.png").as_str()));
    let cats: Vec<&str> = it.categories().iter().map(|c| c.text()).collect();
    assert_eq!(cats, ["Education", "Government"]);
    assert_eq!(it.explicit(), Some("false"));
    assert_eq!(it.r#type(), Some("episodic"));
    let podcast = &channel.extensions()["podcast"];
    assert_eq!(
        podcast["guid"][0].value(),
        Some(catalog::feed_guid(&format!("{BASE}feed.xml")).as_str())
    );
    assert_eq!(podcast["locked"][0].value(), Some("yes"));
    assert_eq!(
        podcast["locked"][0].attrs()["owner"],
        "podcasts@example.org"
    );

    // Every episode of every webinar, newest webinar first.
    let expected: Vec<&CatalogEpisode> =
        catalog.webinars.iter().flat_map(|w| &w.episodes).collect();
    assert_eq!(channel.items().len(), expected.len());
    for (item, e) in channel.items().iter().zip(&expected) {
        assert_eq!(item.title(), Some(e.title.as_str()));
        assert_eq!(item.guid().map(|g| g.value()), Some(e.guid.as_str()));
        assert!(item.description().is_some_and(|d| !d.is_empty()));
        let date = item.pub_date().expect("pubDate");
        jiff::fmt::rfc2822::parse(date).expect("pubDate is RFC 2822");
        let enc = item.enclosure().expect("enclosure");
        let file = root.join(enc.url().strip_prefix(BASE).expect("enclosure on the site"));
        assert_eq!(
            enc.length(),
            std::fs::metadata(&file).unwrap().len().to_string()
        );
        assert_eq!(enc.mime_type(), "audio/mpeg");
        let ie = item.itunes_ext().expect("item itunes tags");
        assert_eq!(
            ie.duration(),
            Some(format!("{}", e.duration.round() as u64).as_str())
        );
        assert_eq!(ie.episode_type(), Some("full"));
        assert_eq!(ie.image(), Some(format!("{BASE}artwork.png").as_str()));
        let p = &item.extensions()["podcast"];
        let chapters_url = p["chapters"][0].attrs()["url"].clone();
        assert_eq!(
            p["chapters"][0].attrs()["type"],
            "application/json+chapters"
        );
        let chapters: serde_json::Value = serde_json::from_slice(
            &std::fs::read(root.join(chapters_url.strip_prefix(BASE).unwrap())).unwrap(),
        )
        .unwrap();
        assert_eq!(chapters["version"], "1.2.0");
        assert!(!chapters["chapters"].as_array().unwrap().is_empty());
    }

    // The tricky webinar, tag by tag, with roxmltree: text comes back exactly as given.
    let text = String::from_utf8(feed_bytes).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let items: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    let whole = items[0];
    assert_eq!(xml_text(child(whole, "title")), TRICKY_TITLE);
    let people: Vec<(String, String)> = whole
        .children()
        .filter(|c| c.tag_name().name() == "person")
        .map(|c| (c.attribute("role").unwrap().to_string(), xml_text(c)))
        .collect();
    assert_eq!(
        people,
        [
            (
                "host".to_string(),
                format!("{TRICKY_MODERATOR} (Directora de \"Conocimiento\", Metrópolis & Co)")
            ),
            (
                "guest".to_string(),
                format!("{TRICKY_SPEAKER} (Alcaldesa <interina>, Ayuntamiento de Medellín)")
            ),
        ]
    );
    // Chapters of the whole webinar: one per agenda item, titles intact and the same as in
    // the episode's tags ("item – speaker", the speaker left out where the item names them).
    let url = child(whole, "chapters").attribute("url").unwrap();
    let chapters: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(url.strip_prefix(BASE).unwrap())).unwrap())
            .unwrap();
    let titles: Vec<&str> = chapters["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            &format!("Bienvenida & <reglas> – {TRICKY_MODERATOR}"),
            &format!("Charla: {TRICKY_SPEAKER}"),
            &format!("Preguntas \"abiertas\" – {TRICKY_MODERATOR}")
        ]
    );
    // The talk's own chapters and transcript slice are in the talk's time.
    let talk = items[1];
    let tr = child(talk, "transcript");
    assert_eq!(tr.attribute("type"), Some("text/vtt"));
    assert_eq!(tr.attribute("language"), Some("es"));
    let vtt = std::fs::read_to_string(
        root.join(tr.attribute("url").unwrap().strip_prefix(BASE).unwrap()),
    )
    .unwrap();
    assert_eq!(eventcast::publish::check::check_vtt(&vtt), Ok(2), "{vtt}");
    assert!(vtt.contains("00:00:00.500 --> 00:00:08.000\n<v Ana \"Anita\" &lt;Pérez&gt; &amp; Cía>En Medellín --&gt; empezamos por escuchar."), "{vtt}");
    // The webinar without a transcript has no transcript tag.
    assert!(items[2]
        .children()
        .all(|c| c.tag_name().name() != "transcript"));
}

#[test]
fn pages_are_valid_accessible_self_contained_and_render_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_, catalog, root) = constructed_site(dir.path());
    let status = common::run(&["check", root.to_str().unwrap()]);
    assert!(status.status.success(), "{}", common::text(&status));

    let w = &catalog.webinars[0];
    let page_path = root.join(&w.slug).join("index.html");
    let html = page(&page_path);
    assert_eq!(select(&html, "html")[0].value().attr("lang"), Some("es"));
    assert_eq!(text(&select(&html, "h1")[0]), TRICKY_TITLE);
    // Date, time and zone, in the page's language.
    assert_eq!(
        text(&select(&html, ".when")[0]),
        "12 de marzo de 2026, 16:00 -05 (America/Bogota)"
    );
    // People: name, role, organisation and country, moderator marked.
    let people: Vec<String> = select(&html, ".people li").iter().map(text).collect();
    assert_eq!(
        people,
        [
            format!("{TRICKY_MODERATOR} Moderación Directora de \"Conocimiento\" Metrópolis & Co Barcelona, España"),
            format!("{TRICKY_SPEAKER} Alcaldesa <interina> Ayuntamiento de Medellín Medellín, Colombia"),
        ]
    );
    // Each episode: a labelled player, its length and a download link to the same file.
    let episodes = select(&html, "section.episode");
    assert_eq!(episodes.len(), 2);
    for (section, e) in episodes.iter().zip(&w.episodes) {
        let file = e.path.rsplit('/').next().unwrap();
        let audio = section
            .select(&scraper::Selector::parse("audio[controls]").unwrap())
            .next()
            .unwrap();
        assert_eq!(audio.value().attr("src"), Some(file));
        assert!(audio.value().attr("aria-label").unwrap().contains(&e.title));
        let download = section
            .select(&scraper::Selector::parse("a[download]").unwrap())
            .next()
            .unwrap();
        assert_eq!(download.value().attr("href"), Some(file));
        assert!(text(section).contains(&eventcast::timecode::clock(e.duration)));
    }
    // Chapters move the whole-webinar player; without a script the link opens the file there.
    let chapter_links = select(&html, "#webinar ol.chapters a");
    let starts: Vec<(&str, &str, &str)> = chapter_links
        .iter()
        .map(|a| {
            (
                a.value().attr("href").unwrap(),
                a.value().attr("data-start").unwrap(),
                a.value().attr("data-player").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            ("webinar.mp3#t=0", "0", "webinar-player"),
            ("webinar.mp3#t=10", "10", "webinar-player"),
            ("webinar.mp3#t=30", "30", "webinar-player")
        ]
    );
    // In a browser, following a chapter link seeks the player (and leaves the page open).
    let probe = page_path.with_file_name("probe.html");
    let clicking = std::fs::read_to_string(&page_path).unwrap().replace(
        "</body>",
        "<script>document.querySelectorAll('#webinar ol.chapters a')[2].click();\
         document.title = 'at=' + document.getElementById('webinar-player').currentTime;</script></body>",
    );
    std::fs::write(&probe, clicking).unwrap();
    let dom = common::chromium_dom(&probe);
    std::fs::remove_file(&probe).unwrap();
    assert!(
        dom.contains("<title>at=30</title>"),
        "the chapter link did not seek the player:\n{dom}"
    );
    // Transcript by speaker, folded away by default.
    let details = select(&html, "details");
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].value().attr("open"), None);
    let turns: Vec<String> = select(&html, ".transcript .speaker")
        .iter()
        .map(text)
        .collect();
    assert_eq!(turns, [TRICKY_MODERATOR, TRICKY_SPEAKER, TRICKY_MODERATOR]);
    assert!(text(&details[0]).contains("Y luego medimos & publicamos."));
    // How to subscribe, with a labelled field holding the feed address.
    let input = select(&html, "input#feed-url")[0];
    assert_eq!(
        input.value().attr("value"),
        Some(format!("{BASE}feed.xml").as_str())
    );
    assert_eq!(select(&html, "label[for=feed-url]").len(), 1);
    // Landmarks, headings in order, Open Graph.
    for landmark in ["header", "nav", "main", "footer"] {
        assert_eq!(select(&html, landmark).len(), 1, "{landmark}");
    }
    let levels: Vec<u8> = select(&html, "h1, h2, h3, h4, h5, h6")
        .iter()
        .map(|h| h.value().name()[1..].parse().unwrap())
        .collect();
    assert_eq!(levels[0], 1);
    assert!(
        levels.windows(2).all(|p| p[1] <= p[0] + 1),
        "heading levels skip: {levels:?}"
    );
    let og = |p: &str| {
        select(&html, &format!("meta[property='{p}']"))[0]
            .value()
            .attr("content")
            .unwrap()
            .to_string()
    };
    assert_eq!(og("og:title"), TRICKY_TITLE);
    assert_eq!(og("og:url"), format!("{BASE}{}/index.html", w.slug));
    assert_eq!(og("og:image"), format!("{BASE}artwork.png"));

    // The index: every webinar, newest first, in its own language.
    let index = page(&root.join("index.html"));
    let listed: Vec<String> = select(&index, ".webinars h3 a").iter().map(text).collect();
    assert_eq!(listed, [TRICKY_TITLE, "Open data"]);
    let langs: Vec<&str> = select(&index, ".webinars li")
        .iter()
        .map(|li| li.value().attr("lang").unwrap())
        .collect();
    assert_eq!(langs, ["es", "en"]);

    let counts: Vec<String> = select(&index, ".webinars .when").iter().map(text).collect();
    assert!(counts[0].ends_with("· 2 episodios"), "{counts:?}");
    assert!(counts[1].ends_with("· 1 episode"), "{counts:?}");

    // Valid HTML5 by the Nu Html Checker.
    let pages = vec![
        root.join("index.html"),
        page_path.clone(),
        root.join(&catalog.webinars[1].slug).join("index.html"),
    ];
    let errors = common::vnu_errors(&pages);
    assert!(errors.is_empty(), "the Nu Html Checker reports:\n{errors}");

    // Rendered by Chromium, at desktop and phone widths, kept where people can look.
    let shots = manifest().join("target/screenshots");
    common::screenshot(&page_path, &shots.join("webinar.png"), 1280, 2000);
    common::screenshot(&page_path, &shots.join("webinar-phone.png"), 390, 2200);
    common::screenshot(
        &root.join("index.html"),
        &shots.join("index.png"),
        1280,
        1200,
    );
}

#[test]
fn a_template_error_names_the_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let mut config = Config::builtin();
    config.site.templates = Some(templates.clone());
    let (w, _) = plain_webinar(&dir.path().join("media"));
    let mut catalog = Catalog::default();
    catalog.upsert(w).unwrap();

    // The site built with `text` as the webinar page's template must fail: its message.
    let error_with = |text: &str| {
        std::fs::write(templates.join("webinar.html.hbs"), text).unwrap();
        eventcast::site::build(&config, &catalog)
            .unwrap_err()
            .to_string()
    };
    let msg = error_with("<!DOCTYPE html>\n<title>x</title>\n<p>{{webinar.no_such_field}}</p>\n");
    assert!(
        msg.contains("webinar.html.hbs") && msg.contains("line 3"),
        "{msg}"
    );

    let msg = error_with("<p>\n{{#if webinar.title}}\nno end\n");
    // The unclosed block is reported where the file ends, after line 3.
    assert!(msg.contains("templates/webinar.html.hbs line 4"), "{msg}");

    // An overriding feed template is used, and escapes for XML.
    std::fs::remove_file(templates.join("webinar.html.hbs")).unwrap();
    std::fs::write(templates.join("feed.xml.hbs"), "<rss version=\"2.0\"><channel><title>{{series.title}} – mine &amp; {{webinars.0.title}}</title></channel></rss>").unwrap();
    let files = eventcast::site::build(&config, &catalog).unwrap();
    let feed = String::from_utf8(
        files
            .iter()
            .find(|f| f.path == "feed.xml")
            .unwrap()
            .contents
            .clone(),
    )
    .unwrap();
    assert!(feed.contains("– mine &amp; Open data"), "{feed}");
}

#[test]
fn without_series_image_the_published_cover_or_a_plain_one_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let published = dir.path().join("site");
    std::fs::create_dir_all(&published).unwrap();
    let mut config = Config::builtin();
    assert_eq!(config.series.image, None);
    eventcast::site::ensure_artwork(&mut config, Some(&published), &dir.path().join("scratch"))
        .unwrap();
    let plain = config.series.image.clone().unwrap();
    eventcast::publish::check::check_artwork(&std::fs::read(&plain).unwrap()).unwrap();

    artwork(&published.join("artwork.png"), 2000, 2000);
    let mut config = Config::builtin();
    eventcast::site::ensure_artwork(&mut config, Some(&published), &dir.path().join("scratch"))
        .unwrap();
    assert_eq!(config.series.image, Some(published.join("artwork.png")));
}

#[test]
fn the_check_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (_, catalog, root) = constructed_site(dir.path());
    let w = &catalog.webinars[0];
    // A truncated episode, non-square artwork, a broken chapters file, a dead link.
    let mp3 = root.join(&w.episodes[1].path);
    let bytes = std::fs::read(&mp3).unwrap();
    std::fs::write(&mp3, &bytes[..bytes.len() - 10]).unwrap();
    artwork(&root.join("artwork.png"), 1400, 1000);
    let chapters = root.join(w.episodes[0].path.replace(".mp3", ".chapters.json"));
    std::fs::write(&chapters, "{\"version\": \"1.2.0\", \"chapters\": [").unwrap();
    let index = root.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, html.replace("style.css", "styles.css")).unwrap();

    let vtt = root.join(w.episodes[1].path.replace(".mp3", ".vtt"));
    std::fs::write(&vtt, "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n").unwrap();
    // A feed without an Apple category or owner e-mail, and with a duplicated GUID.
    let feed = root.join("feed.xml");
    let xml = std::fs::read_to_string(&feed).unwrap();
    let xml = xml
        .replace("<itunes:category text=\"Education\"/>", "")
        .replace(
            "<itunes:category text=\"Government\"/>",
            "<itunes:category text=\"Urbanism\"/>",
        )
        .replace("<itunes:email>podcasts@example.org</itunes:email>", "")
        .replace(&w.episodes[1].guid, &w.episodes[0].guid);
    std::fs::write(&feed, xml).unwrap();

    let out = common::run(&["check", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let guid = format!(
        "<guid> {} is used by an earlier item too",
        w.episodes[0].guid
    );
    let length = format!(
        "length says {} bytes but {} has {}",
        bytes.len(),
        w.episodes[1].path,
        bytes.len() - 10
    );
    for needle in [
        "\"Urbanism\" is not an Apple Podcasts category",
        "<itunes:owner> has no <itunes:email>",
        &guid,
        ".vtt: line 3: the cue ends before it starts",
        &length,
        "artwork artwork.png: is 1400×1000 px",
        "chapters",
        "not JSON",
        "index.html: styles.css does not resolve",
    ] {
        assert!(err.contains(needle), "missing `{needle}`: {err}");
    }
}

// ---------------------------------------------------------------------------------------
// The real binary, three webinars one after another, a re-run and a removal.
// ---------------------------------------------------------------------------------------

/// A ~25 s recording: a moderator, two short talks, a wrap-up.
fn short_recording(path: &Path) {
    let voices = [("M", "slt", 1.0), ("A", "awb", 1.0), ("B", "rms", 1.0)]
        .into_iter()
        .map(|(n, v, p)| (n.to_string(), Voice::new(v, p)))
        .collect();
    let u = |speaker: &str, text: &str| Utterance::new(speaker, text, 0.8);
    let script = Script {
        lead_silence: 1.0,
        voices,
        noise_db: None,
        utterances: vec![
            u("M", "Welcome to the webinar. Our first speaker is Ana."),
            u(
                "A",
                "Thank you. We opened our data and residents built tools with it.",
            ),
            u("A", "The lesson is to listen first and to allow failure."),
            u("B", "In our city citizens vote on the budget every year."),
            u("B", "Publishing the numbers early built trust."),
            u("M", "Thank you both, and goodbye."),
        ],
        ..Default::default()
    };
    synth::render(&script, path, None, &synth::scratch_dir(path)).unwrap();
}

fn agenda(n: usize, date: &str) -> Agenda {
    let speaker = |name: &str, org: &str, country: &str| Person {
        name: name.into(),
        role: Some("Mayor's \"adviser\"".into()),
        organisation: Some(org.into()),
        city: None,
        country: Some(country.into()),
        handle: None,
    };
    let item = |kind, minutes: f64, speakers: Vec<Person>| Item {
        kind,
        title: None,
        speakers,
        minutes: Some(minutes),
        skip: false,
    };
    let moderator = Person {
        name: TRICKY_MODERATOR.into(),
        ..Person::default()
    };
    Agenda {
        title: format!("Webinar {n}: Zoë & <Cía> \"live\""),
        series: None,
        date: date.into(),
        time: Some("15:30".into()),
        timezone: Some("Europe/Madrid".into()),
        language: "es".into(),
        description: format!("Número {n} de la serie."),
        moderator: Some(moderator.clone()),
        total_minutes: None,
        items: vec![
            item(ItemKind::Intro, 0.07, vec![]),
            item(
                ItemKind::Talk,
                0.13,
                vec![speaker(TRICKY_SPEAKER, "Medellín & Co", "Colombia")],
            ),
            item(
                ItemKind::Talk,
                0.1,
                vec![speaker("João Silva", "Porto Alegre", "Brasil")],
            ),
            item(ItemKind::Wrapup, 0.05, vec![moderator.clone()]),
        ],
    }
}

/// (guid, title) of every feed item, in feed order.
fn feed_items(root: &Path) -> Vec<(String, String)> {
    let channel =
        rss::Channel::read_from(&std::fs::read(root.join("feed.xml")).unwrap()[..]).unwrap();
    channel
        .items()
        .iter()
        .map(|i| {
            (
                i.guid().unwrap().value().to_string(),
                i.title().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn three_webinars_make_one_feed_reruns_keep_guids_and_remove_takes_one_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let recording = d.join("recording.wav");
    short_recording(&recording);
    let image = d.join("cover.png");
    artwork(&image, 1500, 1500);
    let config = config_file(d, &image);
    let site = d.join("site");
    let work = d.join("work");
    let run = |agenda_path: &Path, config: &Path| {
        common::run(&[
            "run",
            "--recording",
            recording.to_str().unwrap(),
            "--agenda",
            agenda_path.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
            "--work",
            work.to_str().unwrap(),
            "--jobs",
            "2",
            "--quiet",
            // This test is about the feed; a 24-second webinar's parts of a few seconds
            // are doubtful, and holding is tests/review.rs's business.
            "--hold",
            "never",
        ])
    };

    // Bad artwork: the check fails and nothing at all is published.
    let bad_image = d.join("wide.png");
    artwork(&bad_image, 1600, 900);
    let bad_config = d.join("bad");
    std::fs::create_dir_all(&bad_config).unwrap();
    let bad_config = config_file(&bad_config, &bad_image);
    let dates = ["2026-01-15", "2026-03-15", "2026-02-15"];
    let agendas: Vec<PathBuf> = dates
        .iter()
        .enumerate()
        .map(|(i, date)| {
            let p = d.join(format!("agenda-{i}.toml"));
            std::fs::write(&p, agenda(i + 1, date).to_toml()).unwrap();
            p
        })
        .collect();
    // A non-square cover is bad input, refused before any encoding.
    let out = run(&agendas[0], &bad_config);
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1600×900"),
        "{}",
        common::text(&out)
    );
    let published: Vec<_> = std::fs::read_dir(&site)
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        published.is_empty(),
        "published despite a failed check: {published:?}"
    );

    // Three webinars, one after another, published out of date order.
    for a in &agendas {
        let out = run(a, &config);
        assert!(out.status.success(), "{}", common::text(&out));
    }
    let items = feed_items(&site);
    assert_eq!(items.len(), 3 * 4, "{items:#?}");
    let guids: BTreeSet<&String> = items.iter().map(|(g, _)| g).collect();
    assert_eq!(guids.len(), items.len(), "duplicate GUIDs");
    // Newest webinar first in the feed and on the index; titles intact.
    let whole_titles: Vec<&str> = items
        .iter()
        .map(|(_, t)| t.as_str())
        .filter(|t| t.starts_with("Webinar "))
        .collect();
    assert_eq!(
        whole_titles,
        [
            "Webinar 2: Zoë & <Cía> \"live\"",
            "Webinar 3: Zoë & <Cía> \"live\"",
            "Webinar 1: Zoë & <Cía> \"live\""
        ]
    );
    let index = page(&site.join("index.html"));
    let listed: Vec<String> = select(&index, ".webinars h3 a").iter().map(text).collect();
    assert_eq!(listed, whole_titles);
    let check = common::run(&["check", site.to_str().unwrap()]);
    assert!(check.status.success(), "{}", common::text(&check));
    let all_pages: Vec<PathBuf> = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("index.html"))
        .filter(|p| p.is_file())
        .chain([site.join("index.html")])
        .collect();
    assert_eq!(all_pages.len(), 4, "{all_pages:?}");
    let errors = common::vnu_errors(&all_pages);
    assert!(errors.is_empty(), "the Nu Html Checker reports:\n{errors}");

    // Re-running a webinar replaces its episodes: same GUIDs, nothing duplicated.
    let out = run(&agendas[1], &config);
    assert!(out.status.success(), "{}", common::text(&out));
    assert_eq!(feed_items(&site), items);

    // Removing the oldest webinar takes its episodes, page and folder away.
    let oldest = agenda(1, dates[0]).slug();
    let remove_oldest = || {
        common::run(&[
            "remove",
            &oldest,
            "--config",
            config.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
        ])
    };
    let out = remove_oldest();
    assert!(out.status.success(), "{}", common::text(&out));
    let left = feed_items(&site);
    assert_eq!(left.len(), 2 * 4);
    assert!(left.iter().all(|(g, _)| guids.contains(g)));
    assert!(left.iter().all(|(_, t)| !t.contains("Webinar 1")));
    assert!(!site.join(&oldest).exists());
    let check = common::run(&["check", site.to_str().unwrap()]);
    assert!(check.status.success(), "{}", common::text(&check));
    let out = remove_oldest();
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&agenda(2, dates[1]).slug()),
        "{}",
        common::text(&out)
    );
}

/// Text direction controls: U+202A–U+202E, U+2066–U+2069, U+200E/F.
const BIDI: [char; 11] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}',
];

#[test]
fn text_direction_controls_reach_no_output() {
    // A name that shows as "Ana Pérez (exe.3pm)" but holds an override, in every field a
    // catalog written by an older version may carry, and in the agenda and transcript.
    let evil = "Ana\u{202E} Pérez\u{2066}x\u{2069}\u{200F}";
    let clean = "Ana Pérezx";
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("cover.png");
    artwork(&image, 1400, 1400);
    let config = Config::load(&config_file(dir.path(), &image)).unwrap();
    let (mut w, _) = tricky_webinar(&dir.path().join("media"));
    w.title = format!("Charla de {evil}");
    w.speakers[0].name = evil.into();
    w.speakers[0].organisation = Some(format!("{evil} \u{202B}Org"));
    w.description = format!("Con {evil}.");
    for c in &mut w.chapters {
        c.title = format!("{} {evil}", c.title);
        c.speakers = vec![evil.into()];
    }
    for e in &mut w.episodes {
        e.title = format!("{evil}: {}", e.title);
        e.speakers = vec![evil.into()];
    }
    for c in &mut w.transcript {
        c.speaker = evil.into();
        c.text = format!("{} \u{202D}{evil}", c.text);
    }
    let mut catalog = Catalog::default();
    catalog.upsert(w).unwrap();
    let files = eventcast::site::build(&config, &catalog).unwrap();
    assert!(files.len() > 5);
    for f in &files {
        let text = String::from_utf8_lossy(&f.contents);
        if let Some(c) = text.chars().find(|c| BIDI.contains(c)) {
            panic!("{} holds U+{:04X}", f.path, c as u32);
        }
        if f.path.ends_with(".html") || f.path.ends_with(".xml") || f.path.ends_with(".vtt") {
            assert!(
                text.contains(clean),
                "{}: the name lost more than its controls",
                f.path
            );
        }
    }

    // What reads the inputs drops them before anything else sees the text.
    let agenda_path = dir.path().join("agenda.toml");
    std::fs::write(
        &agenda_path,
        format!(
            "title = \"Charla de {evil}\"\ndate = \"2026-03-12\"\nlanguage = \"es\"\n[moderator]\nname = \"{evil}\"\n[[items]]\nkind = \"talk\"\ntitle = \"{evil}\"\n[[items.speakers]]\nname = \"{evil}\"\ncity = \"{evil}\"\n"
        ),
    )
    .unwrap();
    let agenda = Agenda::load(&agenda_path).unwrap();
    let toml = agenda.to_toml();
    assert!(!toml.contains(BIDI), "{toml}");
    assert_eq!(agenda.moderator.unwrap().name, clean);
    let vtt = format!("WEBVTT\n\n00:00.000 --> 00:02.000\n<v {evil}>Hola {evil}\n");
    let t = eventcast::ingest::transcript::parse(&vtt, Path::new("t.vtt")).unwrap();
    assert_eq!(t.cues[0].speaker.as_deref(), Some(clean));
    assert!(!t.cues[0].text.contains(BIDI));
    let cues =
        eventcast::ingest::cues::parse(&format!("0:10 {evil}\n"), Path::new("c.txt")).unwrap();
    assert!(!format!("{:?}", cues.lines).contains(BIDI));
}
