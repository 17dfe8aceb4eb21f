//! The foundation, end to end: the real binary on a generated webinar, checked the way a
//! user would check it (feed parses, pages name every speaker, MP3s play with their tags),
//! and bad input rejected with a clear message, exit status 2, and nothing written.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{eventcast, run, text};
use eventcast::ingest::Agenda;

/// One demo run shared by the tests of this binary: (folder, stdout).
fn demo() -> &'static (PathBuf, String) {
    static DEMO: OnceLock<(PathBuf, String)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir_in(common::scratch()).unwrap().keep();
        let out = run(&["demo", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        (dir, String::from_utf8(out.stdout).unwrap())
    })
}

fn demo_agenda() -> Agenda {
    Agenda::load(&common::fixture("demo/agenda.toml")).unwrap()
}

fn site() -> PathBuf {
    demo().0.join("site")
}

fn webinar_dir() -> PathBuf {
    site().join(demo_agenda().slug())
}

#[test]
fn demo_feed_parses_and_lists_every_episode_with_exact_lengths() {
    let feed = std::fs::read(site().join("feed.xml")).unwrap();
    let channel = rss::Channel::read_from(&feed[..]).expect("feed.xml is valid RSS");
    assert_eq!(channel.title(), "Learning from cities");
    let itunes = channel.itunes_ext().expect("channel has itunes tags");
    assert_eq!(itunes.author(), Some("Metropolis"));
    assert_eq!(
        itunes.owner().and_then(|o| o.email()),
        Some("podcasts@example.org")
    );
    assert!(itunes.image().unwrap().ends_with("artwork.png"));
    // whole webinar + two talks + wrap-up
    assert_eq!(channel.items().len(), 4, "{:?}", channel.items());
    for item in channel.items() {
        let enc = item.enclosure().expect("every item has an enclosure");
        assert_eq!(enc.mime_type(), "audio/mpeg");
        let rel = enc
            .url()
            .strip_prefix("http://localhost:8000/")
            .expect("absolute URL from base_url");
        let file = site().join(rel);
        let len = std::fs::metadata(&file).unwrap().len();
        assert_eq!(enc.length(), len.to_string(), "enclosure length of {rel}");
        assert!(item.guid().is_some() && item.pub_date().is_some());
        let duration: f64 = item
            .itunes_ext()
            .unwrap()
            .duration()
            .unwrap()
            .parse()
            .unwrap();
        assert!((duration - common::probe(&file).duration).abs() < 1.0);
    }
    let titles: Vec<&str> = channel.items().iter().filter_map(|i| i.title()).collect();
    assert!(
        titles.iter().any(|t| t.contains("Amara Okafor")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("João Silva")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("Helena Varga")),
        "{titles:?}"
    );
}

#[test]
fn demo_page_shows_every_speaker_with_role_and_organisation_and_a_player_per_episode() {
    let html = std::fs::read_to_string(webinar_dir().join("index.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let body: String = doc.root_element().text().collect();
    let agenda = demo_agenda();
    assert!(body.contains(&agenda.title));
    for p in agenda.people() {
        assert!(body.contains(&p.name), "page lacks {}", p.name);
        if let Some(role) = &p.role {
            assert!(body.contains(role.as_str()), "page lacks role {role}");
        }
        if let Some(org) = &p.organisation {
            assert!(body.contains(org.as_str()), "page lacks organisation {org}");
        }
    }
    let lang = doc.root_element().value().attr("lang");
    assert_eq!(lang, Some("en"));
    let audio = scraper::Selector::parse("audio[src]").unwrap();
    let srcs: Vec<&str> = doc
        .select(&audio)
        .filter_map(|a| a.value().attr("src"))
        .collect();
    assert_eq!(srcs.len(), 4);
    for src in srcs {
        assert!(
            webinar_dir().join(src).is_file(),
            "player points at missing {src}"
        );
    }
    let index = std::fs::read_to_string(site().join("index.html")).unwrap();
    assert!(index.contains(&format!("{}/index.html", agenda.slug())));
}

#[test]
fn demo_episodes_play_and_carry_their_tags() {
    let catalog: eventcast::site::catalog::Catalog =
        serde_json::from_str(&std::fs::read_to_string(site().join("catalog.json")).unwrap())
            .unwrap();
    let webinar = &catalog.webinars[0];
    assert_eq!(webinar.episodes.len(), 4);
    for ep in &webinar.episodes {
        let p = common::probe(&site().join(&ep.path));
        assert!(p.duration > 3.0, "{} is {} s", ep.path, p.duration);
        assert_eq!(p.tags.get("title"), Some(&ep.title));
        assert_eq!(p.tags.get("artist"), Some(&ep.speakers.join(", ")));
        assert_eq!(
            p.tags.get("album").map(String::as_str),
            Some("Learning from cities / Innovation in difficult times: Lagos & Porto Alegre")
        );
        assert_eq!(p.tags.get("date").map(String::as_str), Some("2026-11-20"));
    }
    // The whole-webinar episode starts after the silent waiting room (6 s in the script)
    // and keeps everything said after it.
    let whole = webinar.episodes.iter().find(|e| e.id == "webinar").unwrap();
    let truth_speech = 165.0 - 6.0;
    assert!(
        whole.duration > truth_speech - 5.0 && whole.duration < truth_speech + 1.0,
        "{}",
        whole.duration
    );
}

#[test]
fn demo_prints_where_the_site_is() {
    let stdout = &demo().1;
    assert!(stdout.contains("feed.xml"), "{stdout}");
    assert!(stdout.contains(&site().display().to_string()), "{stdout}");
}

/// Run on the demo's recording with a structured agenda and no transcript: talks are cut
/// where the speakers really spoke, not at the planned minutes, and a second run changes nothing.
#[test]
fn run_cuts_talks_where_they_were_spoken_and_rerun_rewrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&dir.path().join("in"));
    let out = dir.path().join("site");
    let work = dir.path().join("work");
    let args = [
        "run",
        "--recording",
        inputs.recording.to_str().unwrap(),
        "--agenda",
        inputs.agenda.to_str().unwrap(),
        "--config",
        inputs.config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--work",
        work.to_str().unwrap(),
    ];
    let first = run(&args);
    assert!(first.status.success(), "{}", text(&first));
    let slug = demo_agenda().slug();
    let talk = common::probe(&out.join(&slug).join("talk-1-amara-okafor.mp3"));
    // Planned 0.75 min; Amara really speaks for about 50 s. Without a transcript the voices
    // place the cut; each end keeps at most half a second of air.
    // The talk: Amara's turns up to the first question (she speaks again in the Q&A).
    let turns: Vec<_> = inputs
        .truth
        .turns
        .iter()
        .skip_while(|t| t.speaker != "Amara Okafor")
        .take_while(|t| t.speaker == "Amara Okafor")
        .collect();
    let truth = turns[turns.len() - 1].end - turns[0].start;
    assert!(
        talk.duration > truth - 1.0 && talk.duration < truth + 1.0,
        "talk lasts {} s, Amara spoke for {truth} s",
        talk.duration
    );
    let wrap = common::probe(&out.join(&slug).join("wrapup-1-helena-varga.mp3"));
    assert!(wrap.duration > 3.0);

    let second = run(&args);
    assert!(second.status.success(), "{}", text(&second));
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("0 files written"), "{stdout}");
}

#[test]
fn plan_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&dir.path().join("in"));
    let out = run(&[
        "plan",
        "--recording",
        inputs.recording.to_str().unwrap(),
        "--agenda",
        inputs.agenda.to_str().unwrap(),
        "--work",
        dir.path().join("work").to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let duration = v["recording"]["duration"].as_f64().unwrap();
    assert!((duration - common::probe(&inputs.recording).duration).abs() < 0.01);
    let segs = v["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 6);
    assert_eq!(segs[1]["kind"], "talk");
    assert_eq!(segs[1]["speakers"][0], "Amara Okafor");
    // the waiting room (6 s of silence) is skipped
    let first_start = segs[0]["start"].as_f64().unwrap();
    assert!((first_start - 6.0).abs() < 0.5, "{first_start}");
    for s in segs {
        for key in [
            "kind",
            "title",
            "speakers",
            "start",
            "end",
            "source",
            "confidence",
        ] {
            assert!(s.get(key).is_some(), "segment lacks {key}: {s}");
        }
        assert!(s["end"].as_f64() >= s["start"].as_f64());
    }
}

#[test]
fn agenda_import_prints_a_reviewable_agenda_toml() {
    let fixture = common::fixture("events/learning-from-cities-2021-06-29.md");
    let out = run(&["agenda", "import", fixture.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let toml = String::from_utf8(out.stdout).unwrap();
    let agenda =
        Agenda::from_toml(&toml, Path::new("imported.toml")).expect("the printed agenda parses");
    assert_eq!(
        agenda.title,
        "Learning from cities: Innovation in covid times"
    );
    assert_eq!(agenda.date, "2021-06-29");
    assert_eq!(agenda.language, "es");
    assert_eq!(agenda.total_minutes, Some(60.0));
    let names: Vec<String> = agenda.people().iter().map(|p| p.name.clone()).collect();
    assert_eq!(
        names,
        [
            "Diana Lopez",
            "Natalia Currea Dereser",
            "María Eugenia Corti",
            "Octavi de la Varga"
        ]
    );
    assert_eq!(agenda.planned_minutes(), vec![10.0, 17.5, 10.0, 17.5, 5.0]);
}

// ---- bad input: clear message, exit status 2 (1 for a missing tool), nothing written ----

fn bad_run(recording: &Path, agenda: &Path, dir: &Path) -> (std::process::Output, PathBuf) {
    let out_dir = dir.join("site");
    let out = run(&[
        "run",
        "--recording",
        recording.to_str().unwrap(),
        "--agenda",
        agenda.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--config",
        common::example_config().to_str().unwrap(),
        "--work",
        dir.join("work").to_str().unwrap(),
    ]);
    (out, out_dir)
}

fn assert_rejected(out: &std::process::Output, out_dir: &Path, code: i32, needles: &[&str]) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{stderr}");
    }
    assert!(
        !out_dir.exists(),
        "something was written into the output folder"
    );
}

#[test]
fn missing_recording_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.mp4");
    let (out, site) = bad_run(&missing, &common::fixture("demo/agenda.toml"), dir.path());
    assert_rejected(&out, &site, 2, &["nope.mp4", "not found"]);
}

#[test]
fn recording_without_audio_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("silent-video.mp4");
    eventcast::ffmpeg::run(
        eventcast::args![
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=5:duration=3",
            "-c:v",
            "libx264",
            &video
        ],
        None,
    )
    .unwrap();
    let (out, site) = bad_run(&video, &common::fixture("demo/agenda.toml"), dir.path());
    assert_rejected(&out, &site, 2, &["silent-video.mp4", "no audio stream"]);
}

#[test]
fn unreadable_recording_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.mp4");
    std::fs::write(&junk, b"this is not a video").unwrap();
    let (out, site) = bad_run(&junk, &common::fixture("demo/agenda.toml"), dir.path());
    assert_rejected(&out, &site, 2, &["junk.mp4", "not a media file"]);
}

#[test]
fn agenda_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&dir.path().join("in"));
    let agenda = dir.path().join("agenda.toml");
    let text = std::fs::read_to_string(&inputs.agenda).unwrap();
    std::fs::write(&agenda, text.replace("kind = \"qa\"", "kind = \"panel\"")).unwrap();
    let (out, site) = bad_run(&inputs.recording, &agenda, dir.path());
    let line = std::fs::read_to_string(&agenda)
        .unwrap()
        .lines()
        .position(|l| l.contains("panel"))
        .unwrap()
        + 1;
    assert_rejected(&out, &site, 2, &[&format!("agenda.toml:{line}:"), "panel"]);
}

#[test]
fn agenda_longer_than_recording_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&dir.path().join("in"));
    // The event page plans 60 minutes; the demo recording is under 3.
    let (out, site) = bad_run(
        &inputs.recording,
        &common::fixture("events/learning-from-cities-2021-06-29.md"),
        dir.path(),
    );
    assert_rejected(
        &out,
        &site,
        2,
        &["the agenda plans 1:00:00", "recording.mp4"],
    );
}

#[test]
fn missing_ffmpeg_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("site");
    let out = eventcast()
        .env("PATH", dir.path())
        .args([
            "run",
            "--recording",
            "x.mp4",
            "--agenda",
            common::fixture("demo/agenda.toml").to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--config",
            common::example_config().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_rejected(&out, &out_dir, 1, &["ffmpeg", "apt-get install ffmpeg"]);
}

#[test]
fn a_date_that_is_not_a_calendar_date_is_rejected_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&dir.path().join("in"));
    let text = std::fs::read_to_string(&inputs.agenda).unwrap();
    let date = text
        .lines()
        .find(|l| l.starts_with("date = "))
        .expect("the demo agenda has a date")
        .to_string();
    // A bracketed suffix once passed as a date and named the work folder: the decode wrote
    // outside --work. Plain datetimes named folders "2024-03-05T10:00-...".
    let escape = dir.path().join("escaped");
    for (i, bad) in [
        format!("2024-03-05T10:00[../../{}]", escape.display()),
        "2024-03-05T10:00[../../../tmp/evil]".to_string(),
        "2024-03-05T10:00[Europe/Madrid]".to_string(),
        "2024-03-05T10:00".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let case = dir.path().join(format!("case-{i}"));
        std::fs::create_dir_all(&case).unwrap();
        let agenda = case.join("agenda.toml");
        std::fs::write(&agenda, text.replace(&date, &format!("date = {bad:?}"))).unwrap();
        let (out, site) = bad_run(&inputs.recording, &agenda, &case);
        assert_rejected(&out, &site, 2, &["agenda.toml", "`date`", "YYYY-MM-DD"]);
        let work = common::walk(&case.join("work"));
        assert!(work.is_empty(), "{bad}: the work folder got {work:?}");
    }
    assert!(!escape.exists(), "something was written outside --work");
}
