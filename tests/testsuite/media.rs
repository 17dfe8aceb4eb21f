//! Episodes as a listener and a podcast app see them: loudness and true peak measured by
//! ffmpeg's `ebur128`, dead air by `silencedetect`, tags read back with the `id3` crate and
//! ffprobe, and what happens with bad input. All media is generated here.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use eventcast::demo::synth::{self, Script, Utterance, Voice};

const TARGET_LUFS: f64 = -16.0;
const PEAK_LIMIT: f64 = -1.0;

/// Seconds of silence (below -45 dBFS) at the start and at the end of a file.
fn edge_silence(path: &Path) -> (f64, f64) {
    let log = common::audio_filter_log(path, "silencedetect=noise=-45dB:d=0.05");
    let times = |key: &str| -> Vec<f64> {
        log.lines()
            .filter_map(|l| l.split(key).nth(1))
            .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
            .collect()
    };
    let (starts, ends) = (times("silence_start: "), times("silence_end: "));
    let duration = common::probe(path).duration;
    let leading = match (starts.first(), ends.first()) {
        (Some(&s), Some(&e)) if s <= 0.01 => e,
        _ => 0.0,
    };
    // A silence still open at the end (no silence_end after the last start) is trailing.
    let trailing = match starts.last() {
        Some(&s)
            if starts.len() > ends.len() || ends.last().is_some_and(|&e| e >= duration - 0.05) =>
        {
            duration - s
        }
        _ => 0.0,
    };
    (leading, trailing)
}

/// One `eventcast demo`-style run shared by the tests that only read its output.
struct DemoRun {
    inputs: PathBuf,
    site: PathBuf,
    work: PathBuf,
    stderr: String,
}

fn demo_run() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("media-demo");
        let _ = std::fs::remove_dir_all(&root);
        let inputs = root.join("inputs");
        let d = common::demo_inputs(&inputs);
        let (site, work) = (root.join("site"), root.join("work"));
        // The ffmpeg commands are logged at debug level: the tests read them.
        let out = common::eventcast()
            .env("RUST_LOG", "eventcast=info,eventcast::ffmpeg=debug")
            .args([
                "run",
                "--recording",
                d.recording.to_str().unwrap(),
                "--agenda",
                d.agenda.to_str().unwrap(),
                "--config",
                d.config.to_str().unwrap(),
                "--out",
                site.to_str().unwrap(),
                "--work",
                work.to_str().unwrap(),
            ])
            .output()
            .expect("eventcast runs");
        assert!(out.status.success(), "{}", common::text(&out));
        DemoRun {
            inputs,
            site,
            work,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = common::walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn every_episode_meets_the_loudness_target_and_peak_limit() {
    let run = demo_run();
    let mp3s = files_with_ext(&run.site, "mp3");
    assert_eq!(mp3s.len(), 4, "webinar, two talks, wrap-up: {mp3s:?}");
    for mp3 in &mp3s {
        let (i, tp) = common::loudness(mp3);
        assert!(
            (i - TARGET_LUFS).abs() <= 1.0,
            "{}: {i} LUFS, want {TARGET_LUFS} ± 1",
            mp3.display()
        );
        assert!(tp <= PEAK_LIMIT, "{}: true peak {tp} dBTP", mp3.display());
    }
}

#[test]
fn dead_air_is_trimmed_to_half_a_second() {
    let run = demo_run();
    // The recording starts with 6 s of waiting room and ends with 3 s of silence.
    for mp3 in files_with_ext(&run.site, "mp3") {
        let (lead, trail) = edge_silence(&mp3);
        assert!(
            lead <= 0.5,
            "{}: {lead:.2} s of leading silence",
            mp3.display()
        );
        assert!(
            trail <= 0.5,
            "{}: {trail:.2} s of trailing silence",
            mp3.display()
        );
    }
}

#[test]
fn tags_carry_the_metadata_cover_and_chapters() {
    let run = demo_run();
    let agenda = eventcast::ingest::Agenda::load(&run.inputs.join("agenda.toml")).unwrap();
    let mp3s = files_with_ext(&run.site, "mp3");
    for mp3 in &mp3s {
        let tag = id3::Tag::read_from_path(mp3).expect("ID3 tag");
        use id3::TagLike;
        assert!(
            tag.title().is_some_and(|t| !t.is_empty()),
            "{}",
            mp3.display()
        );
        assert!(tag.artist().is_some_and(|a| !a.is_empty()));
        assert_eq!(
            tag.album(),
            Some(format!("Learning from cities / {}", agenda.title).as_str())
        );
        let date = tag.date_recorded().expect("recording date");
        assert_eq!(
            format!(
                "{:04}-{:02}-{:02}",
                date.year,
                date.month.unwrap(),
                date.day.unwrap()
            ),
            agenda.date
        );
        assert!(tag.track().is_some_and(|t| (1..=4).contains(&t)));
        assert!(tag.comments().next().is_some_and(|c| !c.text.is_empty()));
        let pic = tag.pictures().next().expect("an APIC cover");
        assert_eq!(pic.mime_type, "image/png");
        // PNG IHDR: width and height are the big-endian words at bytes 16 and 20.
        let side = |at: usize| u32::from_be_bytes(pic.data[at..at + 4].try_into().unwrap());
        assert_eq!((side(16), side(20)), (1400, 1400));
    }

    // The whole-webinar episode: one chapter per agenda item, at the plan's times.
    let webinar = mp3s
        .iter()
        .find(|p| p.file_name().unwrap().to_string_lossy() == format!("{}.mp3", agenda.slug()))
        .expect("the whole-webinar episode");
    let tag = id3::Tag::read_from_path(webinar).unwrap();
    let chapters: Vec<_> = tag.chapters().collect();
    assert_eq!(chapters.len(), agenda.items.len());
    let toc: Vec<_> = tag.tables_of_contents().collect();
    assert_eq!(toc.len(), 1);
    assert!(toc[0].top_level && toc[0].ordered);
    assert_eq!(toc[0].elements.len(), chapters.len());
    let plan = plan_json(run);
    let segments = plan["segments"].as_array().unwrap();
    let offset = segments[0]["start"].as_f64().unwrap();
    for (chap, seg) in chapters.iter().zip(segments) {
        let title = chap
            .frames
            .iter()
            .find(|f| f.id() == "TIT2")
            .and_then(|f| f.content().text())
            .expect("chapter title");
        for who in seg["speakers"].as_array().unwrap() {
            assert!(title.contains(who.as_str().unwrap()), "{title} names {who}");
        }
        let want = (seg["start"].as_f64().unwrap() - offset) * 1000.0;
        assert!(
            (chap.start_time as f64 - want).abs() <= 350.0,
            "{title}: chapter at {} ms, plan says {want:.0} ms",
            chap.start_time
        );
    }
    assert_eq!(chapters[0].start_time, 0);
    let talk = mp3s
        .iter()
        .find(|p| p.to_string_lossy().contains("talk-1"))
        .unwrap();
    assert_eq!(
        id3::Tag::read_from_path(talk).unwrap().chapters().count(),
        0
    );
}

fn plan_json(run: &DemoRun) -> serde_json::Value {
    let out = common::run(&[
        "plan",
        "--recording",
        run.inputs.join("recording.mp4").to_str().unwrap(),
        "--agenda",
        run.inputs.join("agenda.toml").to_str().unwrap(),
        "--work",
        run.work.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", common::text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The demo webinar again, as M4A: (site, work folder), shared by the M4A tests.
fn m4a_run() -> &'static (PathBuf, PathBuf) {
    static RUN: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| {
        let run = demo_run();
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("media-m4a");
        let _ = std::fs::remove_dir_all(&root);
        let config = run.inputs.join("pipeline.toml");
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replace("format = \"mp3\"", "format = \"m4a\"");
        let m4a_config = run.inputs.join("pipeline-m4a.toml");
        std::fs::write(&m4a_config, text).unwrap();
        let (site, work) = (root.join("site"), root.join("work"));
        run_m4a(&site, &work);
        (site, work)
    })
}

/// `eventcast run` on the demo inputs with `format = "m4a"`, into `site`.
fn run_m4a(site: &Path, work: &Path) {
    let inputs = &demo_run().inputs;
    let out = common::run(&[
        "run",
        "--recording",
        inputs.join("recording.mp4").to_str().unwrap(),
        "--agenda",
        inputs.join("agenda.toml").to_str().unwrap(),
        "--config",
        inputs.join("pipeline-m4a.toml").to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--work",
        work.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::text(&out));
}

#[test]
fn m4a_option_is_normalised_and_tagged() {
    let (site, _) = m4a_run();
    let files = files_with_ext(site, "m4a");
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        let (i, tp) = common::loudness(f);
        assert!((i - TARGET_LUFS).abs() <= 1.0, "{}: {i} LUFS", f.display());
        assert!(tp <= PEAK_LIMIT, "{}: {tp} dBTP", f.display());
        let p = common::probe(f);
        assert_eq!(p.audio_streams, 1);
        assert!(
            p.tags.get("title").is_some_and(|t| !t.is_empty()),
            "{:?}",
            p.tags
        );
        assert!(p.tags.get("artist").is_some_and(|t| !t.is_empty()));
        assert!(p
            .tags
            .get("album")
            .is_some_and(|t| t.contains("Learning from cities")));
        // The cover is an attached picture stream of 1400 × 1400.
        let dims = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
            .args(["stream=width,height", "-of", "csv=p=0"])
            .arg(f)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&dims.stdout).trim(), "1400,1400");
    }
    let feed = std::fs::read_to_string(site.join("feed.xml")).unwrap();
    assert!(
        feed.contains("audio/mp4"),
        "the feed announces AAC enclosures"
    );
    // The page offers the files under their own format's name.
    let page = common::walk(site)
        .into_iter()
        .find(|p| p.ends_with("index.html") && p.parent() != Some(site.as_path()))
        .unwrap();
    let page = std::fs::read_to_string(page).unwrap();
    assert_eq!(page.matches("Download M4A").count(), 4, "{page}");
    assert!(!page.contains("Download MP3"));
}

#[test]
fn republishing_as_m4a_deletes_the_mp3_files_it_replaces() {
    let run = demo_run();
    let (_, m4a_work) = m4a_run();
    // The MP3 site, published again from the same inputs with `format = "m4a"` (the M4A
    // episodes are already encoded in that work folder).
    let site = Path::new(env!("CARGO_TARGET_TMPDIR")).join("media-switch");
    let _ = std::fs::remove_dir_all(&site);
    for f in common::walk(&run.site) {
        let dest = site.join(f.strip_prefix(&run.site).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
    assert_eq!(files_with_ext(&site, "mp3").len(), 4);
    run_m4a(&site, m4a_work);
    assert_eq!(files_with_ext(&site, "m4a").len(), 4);
    assert_eq!(files_with_ext(&site, "mp3"), Vec::<PathBuf>::new());
    // Everything else is still there: one chapters file per episode.
    let chapters = common::walk(&site)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".chapters.json"))
        .count();
    assert_eq!(chapters, 4);
    let check = common::run(&["check", site.to_str().unwrap()]);
    assert!(check.status.success(), "{}", common::text(&check));
}

/// The chapters ffprobe reads from a file: (title, start in seconds, end in seconds).
fn ffprobe_chapters(path: &Path) -> Vec<(String, f64, f64)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_chapters", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(out.status.success(), "ffprobe {}", path.display());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let secs = |v: &serde_json::Value| v.as_str().unwrap().parse::<f64>().unwrap();
    json["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let title = c["tags"]["title"].as_str().unwrap_or_default().to_string();
            (title, secs(&c["start_time"]), secs(&c["end_time"]))
        })
        .collect()
}

/// Where the movie box (`moov`, all of the file's structure and tags) lies in an MP4 file.
fn moov(data: &[u8]) -> std::ops::Range<usize> {
    let mut at = 0;
    loop {
        assert!(at + 8 <= data.len(), "no moov box");
        // Size, type; a size of 1 means a 64-bit size follows.
        let mut size = u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        if size == 1 {
            size = u64::from_be_bytes(data[at + 8..at + 16].try_into().unwrap()) as usize;
        }
        if &data[at + 4..at + 8] == b"moov" {
            return at..at + size;
        }
        at += size;
    }
}

/// Where `fourcc` occurs in the movie box of `data`.
fn atoms(data: &[u8], fourcc: &[u8; 4]) -> Vec<usize> {
    let moov = moov(data);
    data[moov.clone()]
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == fourcc)
        .map(|(i, _)| moov.start + i)
        .collect()
}

/// A copy in `dir` of an MP4 file whose one `fourcc` atom is renamed to `to`, so readers
/// skip it: what a player that knows only the other chapter form finds.
fn hide_atom(path: &Path, fourcc: &[u8; 4], to: &[u8; 4], dir: &Path) -> PathBuf {
    let mut data = std::fs::read(path).unwrap();
    let found = atoms(&data, fourcc);
    let name = String::from_utf8_lossy(fourcc);
    assert_eq!(found.len(), 1, "one {name} atom in {}", path.display());
    data[found[0]..found[0] + 4].copy_from_slice(to);
    let copy = dir.join(format!("without-{name}.m4a"));
    std::fs::write(&copy, data).unwrap();
    copy
}

/// Decode the audio of `path` with ffmpeg: (seconds decoded, anything ffmpeg complained of).
fn decode(path: &Path) -> (f64, String) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-nostats", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-f", "null", "-progress", "pipe:1", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success(), "ffmpeg decodes {}", path.display());
    let progress = String::from_utf8_lossy(&out.stdout);
    let micros: f64 = progress
        .lines()
        .filter_map(|l| l.strip_prefix("out_time_us="))
        .next_back()
        .expect("ffmpeg reports its progress")
        .parse()
        .unwrap();
    (
        micros / 1e6,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn m4a_webinar_has_a_chapter_per_agenda_item_in_both_chapter_forms() {
    let run = demo_run();
    let (site, _) = m4a_run();
    let agenda = eventcast::ingest::Agenda::load(&run.inputs.join("agenda.toml")).unwrap();
    let webinar = files_with_ext(site, "m4a")
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy() == format!("{}.m4a", agenda.slug()))
        .expect("the whole-webinar episode");
    let duration = common::probe(&webinar).duration;

    // Titled "item – speaker", at the plan's times from the episode's trimmed start.
    let chapters = ffprobe_chapters(&webinar);
    assert_eq!(chapters.len(), agenda.items.len(), "{chapters:?}");
    let plan = plan_json(run);
    let segments = plan["segments"].as_array().unwrap();
    let offset = segments[0]["start"].as_f64().unwrap();
    for ((title, start, _), seg) in chapters.iter().zip(segments) {
        let item = seg["title"].as_str().unwrap();
        let speakers: Vec<&str> = seg["speakers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert!(
            *title == item || *title == format!("{item} – {}", speakers.join(", ")),
            "chapter {title:?} for item {item:?} by {speakers:?}"
        );
        for who in &speakers {
            assert!(title.contains(who), "{title} names {who}");
        }
        let want = seg["start"].as_f64().unwrap() - offset;
        assert!(
            (start - want).abs() <= 0.35,
            "{title}: chapter at {start:.3} s, plan says {want:.3} s"
        );
    }
    assert_eq!(chapters[0].1, 0.0);
    let last_end = chapters.last().unwrap().2;
    assert!(
        (last_end - duration).abs() <= 0.05,
        "the last chapter ends at {last_end} s, the episode at {duration} s"
    );

    // The same marks as the MP3 episode's CHAP frames, to the millisecond.
    let mp3 = run
        .site
        .join(webinar.parent().unwrap().file_name().unwrap())
        .join(format!("{}.mp3", agenda.slug()));
    let id3 = id3::Tag::read_from_path(&mp3).unwrap();
    let mp3_starts: Vec<u32> = id3.chapters().map(|c| c.start_time).collect();
    let m4a_starts: Vec<u32> = chapters
        .iter()
        .map(|c| (c.1 * 1000.0).round() as u32)
        .collect();
    assert_eq!(m4a_starts, mp3_starts);

    // Each form on its own: Apple's players read only the chapter track (`tref/chap`),
    // others only the Nero list (`chpl`).
    let tmp = tempfile::tempdir().unwrap();
    let track_only = hide_atom(&webinar, b"chpl", b"free", tmp.path());
    let list_only = hide_atom(&webinar, b"chap", b"xxxx", tmp.path());
    assert_eq!(ffprobe_chapters(&track_only), chapters, "the chapter track");
    assert_eq!(ffprobe_chapters(&list_only), chapters, "the chpl list");

    // Still plays, and the chapter track did not lengthen it.
    let (decoded, complaints) = decode(&webinar);
    assert_eq!(complaints, "", "ffmpeg decodes {}", webinar.display());
    assert!(
        (decoded - duration).abs() <= 0.05,
        "decoded {decoded} s of a {duration} s episode"
    );
    let mp3_duration = common::probe(&mp3).duration;
    assert!(
        (duration - mp3_duration).abs() <= 0.1,
        "the M4A lasts {duration} s, the MP3 of the same span {mp3_duration} s"
    );

    // The talks and the wrap-up have no chapters in either form.
    let parts: Vec<PathBuf> = files_with_ext(site, "m4a")
        .into_iter()
        .filter(|p| *p != webinar)
        .collect();
    assert_eq!(parts.len(), 3, "two talks and the wrap-up: {parts:?}");
    for part in &parts {
        assert!(ffprobe_chapters(part).is_empty(), "{}", part.display());
        let data = std::fs::read(part).unwrap();
        for atom in [b"chpl", b"chap"] {
            assert!(
                atoms(&data, atom).is_empty(),
                "{} has a {} atom",
                part.display(),
                String::from_utf8_lossy(atom)
            );
        }
        let (_, complaints) = decode(part);
        assert_eq!(complaints, "", "ffmpeg decodes {}", part.display());
    }
}

// ---- bad input ----

fn run_with(
    recording: &Path,
    agenda: &Path,
    config: Option<&Path>,
    root: &Path,
) -> std::process::Output {
    let mut args = vec![
        "run".to_string(),
        "--recording".into(),
        recording.display().to_string(),
        "--agenda".into(),
        agenda.display().to_string(),
        "--out".into(),
        root.join("site").display().to_string(),
        "--work".into(),
        root.join("work").display().to_string(),
        // These tests check what is published; webinars aligned from short synthetic
        // audio are often doubtful, and holding them is tests/review.rs's business.
        "--hold".into(),
        "never".into(),
    ];
    if let Some(c) = config {
        args.extend(["--config".to_string(), c.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::run(&args)
}

/// A webinar of a minute and a half: intro, two talks, wrap-up.
fn short_agenda() -> String {
    common::short_agenda("Short test webinar", None, [0.25, 0.5, 0.5, 0.25])
}

/// The short agenda written as agenda.toml in `dir`.
fn short_agenda_in(dir: &Path) -> PathBuf {
    let path = dir.join("agenda.toml");
    std::fs::write(&path, short_agenda()).unwrap();
    path
}

fn sine(path: &Path, seconds: f64, extra: &[&str]) {
    let tone = format!("sine=frequency=300:duration={seconds}");
    let mut args = vec!["-f", "lavfi", "-i", &tone];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    common::ffmpeg(args);
}

/// `out` is a refusal (exit status 2) that says each of `needles`, and nothing is published
/// into `root`'s site.
fn assert_refused(out: &std::process::Output, root: &Path, needles: &[&str]) {
    let text = common::text(out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for needle in needles {
        assert!(text.contains(needle), "missing `{needle}`: {text}");
    }
    let published = files_with_ext(&root.join("site"), "mp3");
    assert!(published.is_empty(), "{published:?}");
    assert!(!root.join("site/feed.xml").exists());
}

#[test]
fn audio_that_stops_decoding_part_way_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let agenda = short_agenda_in(dir.path());
    // A 90 s MP3 whose middle third is overwritten with junk: ffmpeg skips it and exits 0.
    let rec = dir.path().join("damaged.mp3");
    sine(&rec, 90.0, &["-c:a", "libmp3lame", "-b:a", "64k"]);
    let mut bytes = std::fs::read(&rec).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 3..2 * n / 3] {
        *b = 0;
    }
    std::fs::write(&rec, bytes).unwrap();
    let out = run_with(&rec, &agenda, None, dir.path());
    assert_refused(&out, dir.path(), &["damaged.mp3", "stops decoding"]);
    // No half-decoded audio is left for a later run to pick up.
    let leftovers: Vec<_> = files_with_ext(&dir.path().join("work"), "wav");
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_recording_without_speech_is_refused_naming_the_speakers() {
    let dir = tempfile::tempdir().unwrap();
    let agenda = short_agenda_in(dir.path());
    let rec = dir.path().join("tone.wav");
    sine(&rec, 20.0, &[]);
    let out = run_with(&rec, &agenda, None, dir.path());
    assert_refused(&out, dir.path(), &["Amara Okafor", "no speech"]);
}

#[test]
fn a_cover_that_apps_would_reject_is_refused_with_the_fix() {
    let run = demo_run();
    let dir = tempfile::tempdir().unwrap();
    let cover = dir.path().join("wide.png");
    common::ffmpeg([
        "-f",
        "lavfi",
        "-i",
        "color=c=red:size=800x600:d=1",
        "-frames:v",
        "1",
        cover.to_str().unwrap(),
    ]);
    let config = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(run.inputs.join("pipeline.toml"))
        .unwrap()
        .replace(
            "image = \"artwork.png\"",
            &format!("image = \"{}\"", cover.display()),
        );
    std::fs::write(&config, text).unwrap();
    let out = run_with(
        &run.inputs.join("recording.mp4"),
        &run.inputs.join("agenda.toml"),
        Some(&config),
        dir.path(),
    );
    // Names the file and its size, and offers the resize.
    assert_refused(
        &out,
        dir.path(),
        &["wide.png", "800×600", "ffmpeg -i", "1400"],
    );
}

#[test]
fn a_silent_talk_stops_the_run_until_its_item_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let agenda = short_agenda_in(dir.path());
    // Intro and the first talk speak; the second talk's slot is 45 s of room noise, then
    // the moderator hands over to the wrap-up.
    let u = Utterance::new;
    let line = "Cities learn from each other when they share what worked and what failed.";
    let script = Script {
        lead_silence: 2.0,
        voices: [
            ("mod".to_string(), Voice::new("slt", 1.0)),
            ("amara".to_string(), Voice::new("awb", 1.0)),
            ("helena".to_string(), Voice::new("kal16", 1.15)),
        ]
        .into_iter()
        .collect(),
        utterances: vec![
            u(
                "mod",
                "Welcome everyone to this short test webinar about cities.",
                0.5,
            ),
            u(
                "mod",
                "Today two speakers share what their cities learned.",
                0.5,
            ),
            u(
                "mod",
                "Our first speaker is Amara. Amara, please go ahead.",
                0.8,
            ),
            u("amara", line, 0.4),
            u("amara", line, 0.4),
            u("amara", line, 0.4),
            u("amara", line, 0.4),
            u("amara", line, 0.4),
            u("amara", "That is all from me today, thank you.", 0.8),
            u("mod", "Thank you Amara. Our next speaker is Joao.", 45.0),
            u(
                "mod",
                "It seems Joao could not join us. Helena, please.",
                0.8,
            ),
            u("helena", "Thank you all for joining us today.", 0.5),
            u("helena", line, 0.5),
            u("helena", "See you at the next webinar, goodbye.", 1.0),
        ],
        noise_db: Some(-60.0),
        ..Default::default()
    };
    let rec = dir.path().join("silent-talk.wav");
    synth::render(&script, &rec, None, &dir.path().join("synth")).unwrap();
    // Nobody speaks where João's talk should be: nothing is encoded or published.
    let out = run_with(&rec, &agenda, None, dir.path());
    assert_refused(&out, dir.path(), &["João Silva", "skip = true"]);
    // The agenda says he did not speak: the others are published, he is in no episode.
    let planned = short_agenda();
    let skipped = planned.replacen(
        "[[items]]\nkind = \"talk\"\nminutes = 0.5\n[[items.speakers]]\nname = \"João Silva\"",
        "[[items]]\nkind = \"talk\"\nminutes = 0.5\nskip = true\n[[items.speakers]]\nname = \"João Silva\"",
        1,
    );
    assert_ne!(skipped, planned);
    std::fs::write(&agenda, skipped).unwrap();
    let out = run_with(&rec, &agenda, None, dir.path());
    let text = common::text(&out);
    assert!(out.status.success(), "{text}");
    let mp3s = files_with_ext(&dir.path().join("site"), "mp3");
    let names: Vec<String> = mp3s
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("talk-1")), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("joao")),
        "no episode for a talk that did not happen: {names:?}"
    );
    for mp3 in &mp3s {
        let (i, _) = common::loudness(mp3);
        assert!((i - TARGET_LUFS).abs() <= 1.0, "{}: {i}", mp3.display());
    }
    assert!(!std::fs::read_to_string(dir.path().join("site/feed.xml"))
        .unwrap()
        .contains("João"));
}

#[test]
fn the_recording_is_decoded_once_and_its_video_never() {
    let run = demo_run();
    let recording = run.inputs.join("recording.mp4");
    assert!(
        recording.is_file(),
        "the demo recording is an MP4 with video"
    );
    assert_eq!(common::probe(&recording).video_streams, 1);
    let commands: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once("running ffmpeg command=").map(|(_, c)| c))
        .collect();
    let reading_it: Vec<&&str> = commands
        .iter()
        .filter(|c| c.contains(recording.to_str().unwrap()))
        .collect();
    assert_eq!(reading_it.len(), 1, "{commands:#?}");
    // Only its audio stream is mapped: ffmpeg never decodes a stream that is not mapped.
    let maps: Vec<&str> = reading_it[0]
        .split(" -map ")
        .skip(1)
        .map(|rest| rest.split_whitespace().next().unwrap())
        .collect();
    assert!(
        !maps.is_empty() && maps.iter().all(|m| *m == "0:a:0"),
        "{}",
        reading_it[0]
    );
    // Every episode is cut from the decoded copy, once (the review page's excerpts are
    // one more command, from the decoded copy too).
    let encodes = commands
        .iter()
        .filter(|c| c.contains("libmp3lame") && !c.contains("review-excerpts"))
        .count();
    let episodes = files_with_ext(&run.site, "mp3").len();
    assert_eq!(encodes, episodes, "{commands:#?}");
    assert!(commands
        .iter()
        .filter(|c| c.contains("libmp3lame"))
        .all(|c| c.contains("audio.wav")));
}

#[test]
fn the_run_reports_no_warning_for_a_healthy_webinar() {
    let run = demo_run();
    assert!(!run.stderr.contains("silent"), "{}", run.stderr);
}
