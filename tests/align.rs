//! `eventcast plan` finds where each speaker really spoke, from a cue sheet, a transcript
//! (Zoom, Teams, SRT) or the voices alone, on a generated webinar whose real timings differ
//! from its agenda; and bad transcripts and cue sheets get clear messages, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use eventcast::ingest::ItemKind;
use eventcast::synth::display_variant;
use eventcast::testbed::{self, Rendered, Spec, Webinar};

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    webinar: Webinar,
    rendered: Rendered,
}

/// One short webinar (about 2.5 minutes: intro, two talks with Q&A, wrap-up), rendered once
/// for all tests in this file. Its talks overrun and finish early against the agenda.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let webinar = Spec::typical(2.5, 2, 11).build();
        let rendered = webinar.render(&root.join("inputs")).unwrap();
        Fixture {
            _dir: dir,
            root,
            webinar,
            rendered,
        }
    })
}

/// A display name as a meeting platform shows it (never the agenda's spelling).
fn display(f: &Fixture, name: &str) -> String {
    let k = f
        .webinar
        .agenda
        .people()
        .iter()
        .position(|p| p.name == name)
        .unwrap_or(99);
    if k == 99 {
        name.to_string()
    } else {
        display_variant(name, k)
    }
}

fn write(f: &Fixture, name: &str, text: &str) -> PathBuf {
    let p = f.root.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Run `eventcast plan --json` with extra arguments in its own work folder.
fn plan(f: &Fixture, work: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let work = f.root.join(work);
    let mut args = vec![
        "plan",
        "--json",
        "--recording",
        f.rendered.recording.to_str().unwrap(),
        "--agenda",
        f.rendered.agenda.to_str().unwrap(),
        "--work",
        work.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = common::run(&args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, json)
}

/// Largest distance of any talk or wrap-up start or end from the truth, and the sources seen.
fn worst_edge(f: &Fixture, json: &serde_json::Value) -> (f64, Vec<String>) {
    let segs = json["segments"].as_array().expect("segments");
    assert_eq!(segs.len(), f.webinar.agenda.items.len());
    let mut worst: f64 = 0.0;
    let mut sources = Vec::new();
    for (i, (s, item)) in segs.iter().zip(&f.webinar.agenda.items).enumerate() {
        if !matches!(item.kind, ItemKind::Talk | ItemKind::Wrapup) {
            continue;
        }
        let (a, b) = f.rendered.spans[i].expect("every item is spoken");
        let start = s["start"].as_f64().unwrap();
        let end = s["end"].as_f64().unwrap();
        worst = worst.max((start - a).abs()).max((end - b).abs());
        sources.push(s["source"].as_str().unwrap().to_string());
    }
    (worst, sources)
}

/// `eventcast plan` with `extra`, which must succeed and place every talk's edges within
/// `limit` seconds of the truth; returns the plan and each segment's evidence source.
fn placed(
    f: &Fixture,
    work: &str,
    extra: &[&str],
    limit: f64,
    context: &str,
) -> (serde_json::Value, Vec<String>) {
    let (out, json) = plan(f, work, extra);
    assert!(out.status.success(), "{}", common::text(&out));
    let (worst, sources) = worst_edge(f, &json);
    assert!(
        worst <= limit,
        "worst edge {worst:.2} s\n{context}{}",
        common::text(&out)
    );
    (json, sources)
}

fn planned_error(f: &Fixture) -> f64 {
    // The baseline a user would get by cutting at the planned minutes from the first word.
    let agenda = &f.webinar.agenda;
    let first = f.rendered.spans[0].unwrap().0;
    let mut t = first;
    let mut worst: f64 = 0.0;
    for ((item, m), span) in agenda
        .items
        .iter()
        .zip(agenda.planned_minutes())
        .zip(&f.rendered.spans)
    {
        let (a, b) = span.unwrap();
        if matches!(item.kind, ItemKind::Talk) {
            worst = worst.max((t - a).abs()).max((t + m * 60.0 - b).abs());
        }
        t += m * 60.0;
    }
    worst
}

#[test]
fn the_planned_minutes_are_far_off_in_the_test_webinar() {
    // Otherwise the tests below would prove nothing.
    assert!(planned_error(fixture()) > 8.0);
}

#[test]
fn zoom_transcript_places_every_talk() {
    let f = fixture();
    let vtt = f.rendered.truth.to_vtt(|n| display(f, n));
    let t = write(f, "zoom.vtt", &vtt);
    let (json, sources) = placed(
        f,
        "work-zoom",
        &["--transcript", t.to_str().unwrap()],
        0.5,
        "",
    );
    assert!(sources.iter().all(|s| s == "transcript"), "{sources:?}");
    // The audience's display names match nobody, and the plan says so.
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("Pedro from Quito")
            || warnings.contains("Anna K")
            || warnings.contains("iPhone"),
        "{warnings}"
    );
    // Each talk keeps its own slice of the transcript, re-timed to start at zero.
    for (s, item) in json["segments"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&f.webinar.agenda.items)
    {
        if item.kind == ItemKind::Talk {
            let cues = s["transcript"]
                .as_array()
                .expect("a talk has its transcript");
            assert!(cues[0]["start"].as_f64().unwrap() < 0.5, "{s}");
            assert_eq!(cues[0]["speaker"], item.speakers[0].name.as_str());
        }
    }
}

#[test]
fn teams_transcript_places_every_talk() {
    let f = fixture();
    let vtt = f.rendered.truth.to_teams_vtt(|n| display(f, n));
    assert!(vtt.contains("/10-0\n") && vtt.contains("<v "));
    let t = write(f, "teams.vtt", &vtt);
    placed(
        f,
        "work-teams",
        &["--transcript", t.to_str().unwrap()],
        0.5,
        "",
    );
}

#[test]
fn srt_transcript_places_every_talk() {
    let f = fixture();
    let srt = f.rendered.truth.to_srt(|n| display(f, n));
    let t = write(f, "transcript.srt", &srt);
    placed(
        f,
        "work-srt",
        &["--transcript", t.to_str().unwrap()],
        0.5,
        "",
    );
}

#[test]
fn cue_sheet_times_snap_to_the_pauses() {
    let f = fixture();
    let sheet = testbed::cue_sheet(&f.webinar.agenda, &f.rendered.spans);
    // Written in whole seconds: up to half a second off before snapping.
    let c = write(f, "cues.txt", &sheet);
    let context = format!("{sheet}\n");
    let (_, sources) = placed(
        f,
        "work-cues",
        &["--cues", c.to_str().unwrap()],
        0.5,
        &context,
    );
    assert!(sources.iter().all(|s| s == "cues"), "{sources:?}");
}

#[test]
fn voices_alone_place_every_talk() {
    let f = fixture();
    let (_, sources) = placed(f, "work-audio", &[], 2.0, "");
    assert!(sources.iter().all(|s| s == "audio"), "{sources:?}");
}

#[test]
fn the_plan_table_shows_sources_and_confidence() {
    let f = fixture();
    let vtt = f.rendered.truth.to_vtt(|n| display(f, n));
    let t = write(f, "table.vtt", &vtt);
    let out = common::run(&[
        "plan",
        "--recording",
        f.rendered.recording.to_str().unwrap(),
        "--agenda",
        f.rendered.agenda.to_str().unwrap(),
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
        table.contains("Talk: Amara Okafor") && table.contains("transcript"),
        "{table}"
    );
}

#[test]
fn a_speaker_missing_from_the_transcript_is_reported() {
    let f = fixture();
    let mut truth = f.rendered.truth.clone();
    truth.turns.retain(|t| t.speaker != "Helena Varga");
    let t = write(f, "no-helena.vtt", &truth.to_vtt(|n| display(f, n)));
    let (out, json) = plan(f, "work-no-helena", &["--transcript", t.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::text(&out));
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("Helena Varga never speaks"), "{warnings}");
}

fn expect_bad_input(f: &Fixture, work: &str, flag: &str, file: &Path, needle: &str) {
    let (out, _) = plan(f, work, &[flag, file.to_str().unwrap()]);
    let all = common::text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&file.display().to_string()), "{all}");
    assert!(stderr.contains(needle), "missing `{needle}`: {all}");
    assert!(!stderr.contains("panicked"), "{all}");
}

#[test]
fn bad_transcripts_are_refused_with_the_line() {
    let f = fixture();
    let unknown = write(f, "notes.txt", "Lucía welcomed everyone at 16:00.\n");
    expect_bad_input(
        f,
        "work-bad1",
        "--transcript",
        &unknown,
        ":1: not a WebVTT or SRT",
    );
    let unordered = write(
        f,
        "unordered.vtt",
        "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nA: one\n\n00:00:02.000 --> 00:00:03.000\nB: two\n",
    );
    expect_bad_input(
        f,
        "work-bad2",
        "--transcript",
        &unordered,
        ":6: this cue starts at 0:02",
    );
    let late = write(
        f,
        "late.vtt",
        "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nA: one\n\n01:10:00.000 --> 01:10:03.000\nB: two\n",
    );
    expect_bad_input(
        f,
        "work-bad3",
        "--transcript",
        &late,
        ":6: this cue ends at 1:10:03",
    );
    let nameless = write(
        f,
        "nameless.vtt",
        "WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nhello\n",
    );
    expect_bad_input(
        f,
        "work-bad4",
        "--transcript",
        &nameless,
        "no cue names its speaker",
    );
}

#[test]
fn bad_cue_sheets_are_refused_with_the_line() {
    let f = fixture();
    let stranger = write(f, "stranger.txt", "00:10 Lucía\n00:40 Bob Dylan\n");
    expect_bad_input(
        f,
        "work-badc1",
        "--cues",
        &stranger,
        ":2: `Bob Dylan` is neither a speaker nor an item",
    );
    let late = write(f, "late-cues.txt", "00:10 Lucía\n2:00:00 Helena Varga\n");
    expect_bad_input(
        f,
        "work-badc2",
        "--cues",
        &late,
        ":2: 2:00:00 is past the end of the recording",
    );
    let garbled = write(f, "garbled.txt", "at ten, Lucía\n");
    expect_bad_input(
        f,
        "work-badc3",
        "--cues",
        &garbled,
        ":1: expected a time and a name",
    );
}

#[test]
fn run_cuts_episodes_at_the_aligned_boundaries() {
    let f = fixture();
    let vtt = f.rendered.truth.to_vtt(|n| display(f, n));
    let t = write(f, "run.vtt", &vtt);
    let site = f.root.join("site");
    let out = common::run(&[
        "run",
        "--recording",
        f.rendered.recording.to_str().unwrap(),
        "--agenda",
        f.rendered.agenda.to_str().unwrap(),
        "--transcript",
        t.to_str().unwrap(),
        "--work",
        f.root.join("work-run").to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::text(&out));
    let slug = f.webinar.agenda.slug();
    let mut talks = 0;
    for (i, item) in f.webinar.agenda.items.iter().enumerate() {
        if item.kind != ItemKind::Talk {
            continue;
        }
        talks += 1;
        let who = eventcast::ingest::agenda::slugify(&item.speakers[0].name);
        let mp3 = site.join(&slug).join(format!("talk-{talks}-{who}.mp3"));
        let (a, b) = f.rendered.spans[i].unwrap();
        let got = common::probe(&mp3).duration;
        assert!(
            (got - (b - a)).abs() < 0.5,
            "{}: {got:.2} s, truth {:.2} s",
            mp3.display(),
            b - a
        );
    }
}
