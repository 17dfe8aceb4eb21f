//! `eventcast plan` and `run` find where each speaker really spoke in webinars as they really
//! run: generated from the seed's event page *as published* (no welcome or closing in it,
//! planned for an hour), with a jingle, a technical pause, the moderator's backchannels,
//! names that match nobody, handovers without a gap or with overlapping speech, a speaker
//! switching to a phone and a room of their own for everyone; from a Zoom or Teams
//! transcript, a person's cue sheet or the voices alone. A speaker who cannot be found stops
//! the run; the work folder never mixes two recordings.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use eventcast::ingest::ItemKind;
use eventcast::testbed::{self, Phenomena, Rendered, Scenario, Webinar};

const PAGE: &str = "events/learning-from-cities-2021-06-29.md";

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    webinar: Webinar,
    rendered: Rendered,
    /// The event page as published, passed as `--agenda`.
    page: PathBuf,
}

/// A webinar of about five minutes that runs like a real one (every phenomenon at once),
/// rendered once for all tests in this file.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| make(5.0, Phenomena::ALL, 11, &[]))
}

fn make(minutes: f64, phenomena: Phenomena, seed: u64, absent: &[&str]) -> Fixture {
    let dir = tempfile::tempdir_in(common::scratch()).unwrap();
    let root = dir.path().to_path_buf();
    let mut scenario = Scenario::new(testbed::seed_agenda(), minutes, phenomena, seed);
    scenario.absent = absent.iter().map(|s| s.to_string()).collect();
    let webinar = scenario.build();
    let rendered = webinar.render(&root.join("inputs")).unwrap();
    let page = root.join("inputs/event.md");
    std::fs::copy(common::fixture(PAGE), &page).unwrap();
    Fixture {
        _dir: dir,
        root,
        webinar,
        rendered,
        page,
    }
}

fn write(f: &Fixture, name: &str, text: &str) -> PathBuf {
    let p = f.root.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Run `eventcast plan --json` on the event page with extra arguments in a work folder.
fn plan(f: &Fixture, work: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    plan_of(f, &f.rendered.recording, &f.page, work, extra)
}

fn plan_of(
    f: &Fixture,
    recording: &Path,
    agenda: &Path,
    work: &str,
    extra: &[&str],
) -> (std::process::Output, serde_json::Value) {
    let work = f.root.join(work);
    let mut args = vec![
        "plan",
        "--json",
        "--recording",
        recording.to_str().unwrap(),
        "--agenda",
        agenda.to_str().unwrap(),
        "--work",
        work.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, json)
}

/// `eventcast run` on the event page as published with transcript `t`, publishing into
/// `site` with the example settings.
fn run_published_page(f: &Fixture, t: &Path, site: &Path, extra: &[&str]) -> std::process::Output {
    let work = f.root.join("work-run");
    let config = common::example_config();
    let mut args = vec![
        "run",
        "--recording",
        f.rendered.recording.to_str().unwrap(),
        "--agenda",
        f.page.to_str().unwrap(),
        "--transcript",
        t.to_str().unwrap(),
        "--work",
        work.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    common::run(&args)
}

/// For every talk and wrap-up that took place: its segment's (start, end) against the
/// truth's, and the segment's source.
/// (start, end) as planned, (start, end) in truth, and the evidence it rests on.
type Placed = ((f64, f64), (f64, f64), String);

fn talks(f: &Fixture, json: &serde_json::Value) -> Vec<Placed> {
    let segs = json["segments"].as_array().expect("segments");
    let mut out = Vec::new();
    for (i, item) in f.webinar.agenda.items.iter().enumerate() {
        if !item.kind.is_episode() {
            continue;
        }
        let Some(truth) = f.rendered.spans[i] else {
            continue;
        };
        let s = segs
            .iter()
            .find(|s| s["item"].as_u64() == Some(i as u64))
            .unwrap_or_else(|| panic!("no segment for item {i}: {json}"));
        let got = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
        out.push((got, truth, s["source"].as_str().unwrap().to_string()));
    }
    out
}

/// `eventcast plan` with `extra` must succeed and place every talk's and wrap-up's edges
/// within `limit` seconds of the truth; returns the plan and each one's source.
fn placed(f: &Fixture, work: &str, extra: &[&str], limit: f64) -> (serde_json::Value, Vec<String>) {
    let (out, json) = plan(f, work, extra);
    assert!(out.status.success(), "{}", common::text(&out));
    let found = talks(f, &json);
    assert_eq!(found.len(), 3, "two talks and a wrap-up: {json}");
    for ((a, b), (ta, tb), _) in &found {
        assert!(
            (a - ta).abs() <= limit && (b - tb).abs() <= limit,
            "({a:.2}, {b:.2}) against the truth ({ta:.2}, {tb:.2})\n{}",
            common::text(&out)
        );
    }
    (json, found.into_iter().map(|x| x.2).collect())
}

#[test]
fn the_event_page_lists_no_welcome_and_plans_far_from_the_truth() {
    // Otherwise the tests below would prove nothing: the page plans an hour, talks of ten
    // minutes, and no welcome; the webinar ran five minutes, opening with a welcome.
    let f = fixture();
    let agenda = &f.webinar.agenda;
    assert!(agenda.items.iter().all(|i| i.kind != ItemKind::Intro));
    assert!(agenda.planned_minutes().iter().sum::<f64>() >= 55.0);
    let welcome = f
        .rendered
        .parts
        .iter()
        .find(|p| p.0 == testbed::Part::Welcome);
    assert!(
        welcome.is_some_and(|w| w.2 - w.1 > 5.0),
        "{:?}",
        f.rendered.parts
    );
}

#[test]
fn zoom_transcript_finds_every_speaker_of_the_published_page() {
    let f = fixture();
    let vtt = f.webinar.transcript(&f.rendered.truth, false, 0.35);
    assert!(vtt.contains(testbed::PHONE_NUMBER) && vtt.contains(testbed::UNKNOWN));
    let t = write(f, "zoom.vtt", &vtt);
    let (json, sources) = placed(f, "work-zoom", &["--transcript", t.to_str().unwrap()], 1.5);
    assert!(sources.iter().all(|s| s == "transcript"), "{sources:?}");
    // The phone caller is the wrap-up speaker, and the plan says how it knows.
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains(testbed::PHONE_NUMBER), "{warnings}");
    // The welcome and the closing no page lists are parts of their own, in Spanish.
    let titles: Vec<&str> = json["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.first(), Some(&"Música"), "{titles:?}");
    assert!(
        titles.contains(&"Bienvenida") && titles.contains(&"Cierre"),
        "{titles:?}"
    );
    // Each talk keeps its own slice of the transcript, re-timed to start at zero, with
    // the agenda's name for its speaker.
    for (s, item) in json["segments"].as_array().unwrap().iter().filter_map(|s| {
        s["item"]
            .as_u64()
            .map(|i| (s, &f.webinar.agenda.items[i as usize]))
    }) {
        if item.kind == ItemKind::Talk {
            let cues = s["transcript"]
                .as_array()
                .expect("a talk has its transcript");
            assert!(cues[0]["start"].as_f64().unwrap() < 1.0, "{s}");
            assert_eq!(cues[0]["speaker"], item.speakers[0].name.as_str(), "{s}");
        }
    }
}

#[test]
fn teams_transcript_finds_every_speaker() {
    let f = fixture();
    let vtt = f.webinar.transcript(&f.rendered.truth, true, 0.35);
    assert!(vtt.contains("<v "));
    let t = write(f, "teams.vtt", &vtt);
    placed(f, "work-teams", &["--transcript", t.to_str().unwrap()], 1.5);
}

#[test]
fn srt_transcript_places_every_talk() {
    let f = fixture();
    let names = |n: &str| eventcast::demo::synth::display_variant(n, n.len());
    let srt = f.rendered.truth.to_srt(names);
    let t = write(f, "transcript.srt", &srt);
    placed(f, "work-srt", &["--transcript", t.to_str().unwrap()], 1.5);
}

#[test]
fn a_cue_sheet_typed_in_a_hurry_places_every_talk() {
    let f = fixture();
    let sheet = f.webinar.cue_sheet(&f.rendered.parts);
    let c = write(f, "cues.txt", &sheet);
    let (_, sources) = placed(f, "work-cues", &["--cues", c.to_str().unwrap()], 1.5);
    assert!(sources.iter().all(|s| s == "cues"), "{sources:?}\n{sheet}");
}

#[test]
fn cue_sheet_words_in_four_languages_and_the_moderators_name() {
    // "Diana" is the moderator's welcome, "preguntas"/"échanges" are Q&A, "encerramento"
    // the closing: one line per part, each a different way of writing it.
    let f = fixture();
    let part = |p: testbed::Part| {
        f.rendered
            .parts
            .iter()
            .find(|x| x.0 == p)
            .map(|x| x.1.floor() as u64)
            .unwrap()
    };
    let clock = |t: u64| format!("{}:{:02}", t / 60, t % 60);
    let item = |i: usize| testbed::Part::Item(i);
    let sheet = format!(
        "{} Diana\n{}  -  Natalia\n{} preguntas\n{} María Eugenia Corti\n{} échanges\n{} Octavi\n{} encerramento\n",
        clock(part(testbed::Part::Welcome)),
        clock(part(item(0))),
        clock(part(item(1))),
        clock(part(item(2))),
        clock(part(item(3))),
        clock(part(item(4))),
        clock(part(testbed::Part::Closing)),
    );
    let c = write(f, "cues-words.txt", &sheet);
    let (json, _) = placed(f, "work-cues-words", &["--cues", c.to_str().unwrap()], 1.5);
    let closing = json["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "Cierre")
        .expect("a closing");
    assert_eq!(closing["source"], "cues", "{closing}");
}

#[test]
fn voices_alone_find_every_talk() {
    let f = fixture();
    let (_, sources) = placed(f, "work-audio", &[], 10.0);
    assert!(sources.iter().all(|s| s == "audio"), "{sources:?}");
}

#[test]
fn the_plan_table_shows_the_unlisted_parts_sources_and_confidence() {
    let f = fixture();
    let vtt = f.webinar.transcript(&f.rendered.truth, false, 0.35);
    let t = write(f, "table.vtt", &vtt);
    let out = common::run(&[
        "plan",
        "--recording",
        f.rendered.recording.to_str().unwrap(),
        "--agenda",
        f.page.to_str().unwrap(),
        "--transcript",
        t.to_str().unwrap(),
        "--work",
        f.root.join("work-table").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("source") && table.contains("conf"),
        "{table}"
    );
    assert!(
        table.contains("Talk: Natalia Currea Dereser") && table.contains("transcript"),
        "{table}"
    );
    assert!(
        table.contains("Bienvenida") && table.contains("Cierre"),
        "{table}"
    );
}

#[test]
fn a_speaker_who_did_not_come_stops_the_run_until_the_agenda_says_so() {
    let f = make(3.0, Phenomena::NONE, 23, &["María Eugenia Corti"]);
    let vtt = f.webinar.transcript(&f.rendered.truth, false, 0.3);
    let t = write(&f, "zoom.vtt", &vtt);
    let (out, _) = plan(&f, "work", &["--transcript", t.to_str().unwrap()]);
    let all = common::text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "María Eugenia Corti",
        "was not found",
        "zoom.vtt",
        "--cues",
        "skip = true",
    ] {
        assert!(stderr.contains(needle), "missing `{needle}`: {all}");
    }
    // `run` stops the same way, before encoding anything.
    let site = f.root.join("site");
    let out = run_published_page(&f, &t, &site, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
    assert!(
        common::walk(&site)
            .iter()
            .all(|p| p.extension().is_none_or(|e| e != "mp3")),
        "no episode is published"
    );
    // Marked as skipped in the agenda, the webinar plans without her.
    let mut agenda = f.webinar.agenda.clone();
    let talk = agenda
        .items
        .iter()
        .position(|i| i.speakers.iter().any(|p| p.name == "María Eugenia Corti"))
        .unwrap();
    agenda.items[talk].skip = true;
    let toml = write(&f, "agenda.toml", &agenda.to_toml());
    assert!(std::fs::read_to_string(&toml)
        .unwrap()
        .contains("skip = true"));
    let (out, json) = plan_of(
        &f,
        &f.rendered.recording,
        &toml,
        "work",
        &["--transcript", t.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", common::text(&out));
    let segs = json["segments"].as_array().unwrap();
    assert!(segs.iter().all(|s| s["item"].as_u64() != Some(talk as u64)));
    for ((a, b), (ta, tb), _) in talks(&f, &json) {
        assert!((a - ta).abs() <= 1.5 && (b - tb).abs() <= 1.5, "{json}");
    }
}

#[test]
fn two_recordings_of_one_agenda_in_one_work_folder_are_never_mixed() {
    let f = fixture();
    let short = make(4.5, Phenomena::NONE, 29, &[]);
    let vtt_long = write(
        f,
        "long.vtt",
        &f.webinar.transcript(&f.rendered.truth, false, 0.3),
    );
    let vtt_short = write(
        f,
        "short.vtt",
        &short.webinar.transcript(&short.rendered.truth, false, 0.3),
    );
    let (out, _) = plan(
        f,
        "work-shared",
        &["--transcript", vtt_long.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", common::text(&out));
    // The second recording: a different length, the same agenda, the same work folder.
    let (out, json) = plan_of(
        f,
        &short.rendered.recording,
        &f.page,
        "work-shared",
        &["--transcript", vtt_short.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", common::text(&out));
    let duration = short.rendered.truth.duration;
    assert!((json["recording"]["duration"].as_f64().unwrap() - duration).abs() < 0.5);
    for s in json["segments"].as_array().unwrap() {
        assert!(s["end"].as_f64().unwrap() <= duration + 0.5, "{s}");
    }
    for ((a, b), (ta, tb), _) in talks(&short, &json) {
        assert!((a - ta).abs() <= 1.5 && (b - tb).abs() <= 1.5, "{json}");
    }
    // The voices alone read the second recording's audio, not the first's.
    let (out, json) = plan_of(f, &short.rendered.recording, &f.page, "work-shared", &[]);
    assert!(out.status.success(), "{}", common::text(&out));
    for ((a, b), (ta, tb), _) in talks(&short, &json) {
        assert!((a - ta).abs() <= 10.0 && (b - tb).abs() <= 10.0, "{json}");
    }
}

/// Each case (file name, its text, what the message must say) written and given to `plan`
/// with `flag`, in a work folder of its own (`work` and the case's number from 1): refused
/// with exit status 2, naming the file and saying what is wrong, without a panic.
fn expect_bad_inputs(f: &Fixture, work: &str, flag: &str, cases: &[(&str, &str, &str)]) {
    for (k, &(name, text, needle)) in cases.iter().enumerate() {
        let file = write(f, name, text);
        let (out, _) = plan(
            f,
            &format!("{work}{}", k + 1),
            &[flag, file.to_str().unwrap()],
        );
        let all = common::text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&file.display().to_string()), "{all}");
        assert!(stderr.contains(needle), "missing `{needle}`: {all}");
        assert!(!stderr.contains("panicked"), "{all}");
    }
}

#[test]
fn bad_transcripts_are_refused_with_the_line() {
    let f = fixture();
    let cases = [
        ("notes.txt", "Lucía welcomed everyone at 16:00.\n", ":1: not a WebVTT or SRT"),
        (
            "unordered.vtt",
            "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nA: one\n\n00:00:02.000 --> 00:00:03.000\nB: two\n",
            ":6: this cue starts at 0:02",
        ),
        (
            "late.vtt",
            "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nA: one\n\n01:10:00.000 --> 01:10:03.000\nB: two\n",
            ":6: this cue ends at 1:10:03",
        ),
        (
            "nameless.vtt",
            "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nhello\n",
            "no cue names its speaker",
        ),
    ];
    expect_bad_inputs(f, "work-bad", "--transcript", &cases);
}

#[test]
fn bad_cue_sheets_are_refused_with_the_line() {
    let f = fixture();
    let cases = [
        (
            "stranger.txt",
            "00:10 Diana\n00:40 Bob Dylan\n",
            ":2: `Bob Dylan` is neither a speaker, nor an item",
        ),
        (
            "late-cues.txt",
            "00:10 Diana\n2:00:00 Octavi\n",
            ":2: 2:00:00 is past the end of the recording",
        ),
        (
            "garbled.txt",
            "at ten, Diana\n",
            ":1: expected a time and a name",
        ),
        (
            "backwards.txt",
            "0:10 Octavi\n0:30 Natalia\n",
            "the agenda has it earlier",
        ),
    ];
    expect_bad_inputs(f, "work-badc", "--cues", &cases);
}

#[test]
fn run_cuts_one_episode_per_speaker_from_the_published_page() {
    let f = fixture();
    let vtt = f.webinar.transcript(&f.rendered.truth, false, 0.35);
    let t = write(f, "run.vtt", &vtt);
    let site = f.root.join("site");
    let out = run_published_page(f, &t, &site, &["--json"]);
    assert!(out.status.success(), "{}", common::text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let episodes = report["renditions"].as_array().unwrap();
    let mut cut = 0;
    for (i, item) in f.webinar.agenda.items.iter().enumerate() {
        if !item.kind.is_episode() {
            continue;
        }
        let (first_word, last_word) = f.rendered.spans[i].unwrap();
        let e = episodes
            .iter()
            .find(|e| e["episode"]["item"].as_u64() == Some(i as u64))
            .unwrap_or_else(|| panic!("no episode for item {i}: {report}"));
        let start = e["episode"]["start"].as_f64().unwrap();
        assert!(
            (start - first_word).abs() <= 1.5,
            "{}: starts at {start:.2}, the speaker's first word at {first_word:.2}",
            e["episode"]["title"]
        );
        let mp3 = e["path"].as_str().unwrap();
        let got = common::probe(Path::new(mp3)).duration;
        assert!(
            (got - (last_word - first_word)).abs() <= 3.0,
            "{mp3}: {got:.2} s, the speaker spoke {:.2} s",
            last_word - first_word
        );
        cut += 1;
    }
    assert_eq!(cut, 3);
    // The whole webinar has a chapter for the welcome and the closing.
    let slug = f.webinar.agenda.slug();
    let chapters =
        std::fs::read_to_string(site.join(&slug).join(format!("{slug}.chapters.json"))).unwrap();
    assert!(
        chapters.contains("Bienvenida") && chapters.contains("Cierre"),
        "{chapters}"
    );
}
