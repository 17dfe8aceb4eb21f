//! Video clips and posters as a viewer and a checker see them: a generated recording whose
//! picture is a different colour in each agenda section, keyframes every 2 s so most cut
//! points fall between them. Decoded with ffmpeg, packets compared with ffprobe's hashes.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use eventcast::demo::synth::{self, Script, Utterance, Voice};

const FPS: f64 = 10.0;
/// Keyframe every 2 s, and none at scene changes: cut points land between keyframes.
const GOP: usize = 20;
const SIZE: (u32, u32) = (1440, 810);
/// The picture of each agenda item: intro, talk 1, talk 2, wrap-up.
const COLOURS: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];

struct Inputs {
    video: PathBuf,
    audio_only: PathBuf,
    agenda: PathBuf,
    transcript: PathBuf,
    artwork: PathBuf,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("video")
}

/// The recording (with and without its video), agenda, transcript and artwork, made once.
fn inputs() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let dir = root().join("inputs");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let people = [
            ("Lucía Fernández", "slt", 1.0),
            ("Amara Okafor", "awb", 1.0),
            ("João Silva", "rms", 1.0),
            ("Helena Varga", "kal16", 1.15),
        ];
        let lines = [
            "Good afternoon, and welcome to this short webinar about cities. Our first speaker is Amara.",
            "Thank you. In Lagos we opened our data to everyone. Community groups built tools we never imagined.",
            "Half of our projects failed, and that was fine, because we learned from every one of them.",
            "Thank you. Porto Alegre is famous for participatory budgeting. Citizens voted on what to fund first.",
            "Publish your numbers early, even when they are not perfect, and let people help you fix them.",
            "Thank you all. Listen first, allow failure, and measure what matters. See you next time.",
        ];
        // (speaker, line, pause after): 1.6 s between agenda items, where the colour changes.
        let turns = [(0, 0, 1.6), (1, 1, 0.5), (1, 2, 1.6), (2, 3, 0.5), (2, 4, 1.6), (3, 5, 2.0)];
        let script = Script {
            lead_silence: 2.0,
            voices: people
                .iter()
                .map(|&(n, v, p)| (n.to_string(), Voice::new(v, p)))
                .collect(),
            utterances: turns
                .iter()
                .map(|&(who, line, pause)| Utterance::new(people[who].0, lines[line], pause))
                .collect(),
            noise_db: Some(-60.0),
            ..Default::default()
        };
        let wav = dir.join("speech.wav");
        let truth = synth::render(&script, &wav, None, &dir.join(".synth")).unwrap();
        // Each item's colour starts halfway through the pause before its first words.
        let firsts = [0, 1, 3, 5];
        let mut filter = format!(
            "color=c=0x{}:s={}x{}:r={FPS}:d={}",
            hex(COLOURS[0]),
            SIZE.0,
            SIZE.1,
            truth.duration
        );
        for (i, &t) in firsts.iter().enumerate().skip(1) {
            let change = (truth.turns[t - 1].end + truth.turns[t].start) / 2.0;
            filter.push_str(&format!(
                ",drawbox=x=0:y=0:w=iw:h=ih:t=fill:color=0x{}:enable='gte(t,{change:.3})'",
                hex(COLOURS[i])
            ));
        }
        // A small moving pattern in a corner, so no two frames are alike.
        filter.push_str(&format!(
            "[bg];testsrc2=s=160x90:r={FPS}[fg];[bg][fg]overlay=8:8:shortest=1"
        ));
        let video = dir.join("recording.mp4");
        let gop = GOP.to_string();
        common::ffmpeg([
            "-f",
            "lavfi",
            "-i",
            &filter,
            "-i",
            wav.to_str().unwrap(),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            &gop,
            "-keyint_min",
            &gop,
            "-sc_threshold",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
            video.to_str().unwrap(),
        ]);
        let audio_only = dir.join("recording.m4a");
        common::ffmpeg([
            "-i",
            wav.to_str().unwrap(),
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            audio_only.to_str().unwrap(),
        ]);
        let agenda = dir.join("agenda.toml");
        std::fs::write(
            &agenda,
            common::short_agenda(
                "Clips of cities",
                Some("A short webinar for the video clip tests."),
                [0.15, 0.25, 0.25, 0.1],
            ),
        )
        .unwrap();
        let transcript = dir.join("transcript.vtt");
        std::fs::write(&transcript, truth.to_vtt(|n| n.to_string())).unwrap();
        let artwork = dir.join("artwork.png");
        common::ffmpeg([
            "-f",
            "lavfi",
            "-i",
            "color=c=0x0b5394:s=1400x1400",
            "-frames:v",
            "1",
            artwork.to_str().unwrap(),
        ]);
        Inputs {
            video,
            audio_only,
            agenda,
            transcript,
            artwork,
        }
    })
}

fn hex(c: [u8; 3]) -> String {
    format!("{:02X}{:02X}{:02X}", c[0], c[1], c[2])
}

struct Run {
    site: PathBuf,
    work: PathBuf,
    stderr: String,
}

/// `eventcast run` on `recording` with `video_clips` on or off, in a fresh folder `name`.
fn run(name: &str, recording: &Path, clips: bool) -> Run {
    let i = inputs();
    let dir = root().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("pipeline.toml");
    let text = include_str!("../../pipeline.toml")
        .replace(
            "# image = \"artwork.png\"",
            &format!("image = {:?}", i.artwork.to_str().unwrap()),
        )
        .replace("video_clips = false", &format!("video_clips = {clips}"));
    std::fs::write(&config, text).unwrap();
    let (site, work) = (dir.join("site"), dir.join("work"));
    // The site and work folders are given relative to where it runs, as users do.
    let out = common::eventcast()
        .current_dir(&dir)
        .env("RUST_LOG", "eventcast=debug")
        .args(["run", "--recording"])
        .arg(recording)
        .arg("--agenda")
        .arg(&i.agenda)
        .arg("--transcript")
        .arg(&i.transcript)
        .arg("--config")
        .arg(&config)
        .args(["--out", "site", "--work", "work"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out));
    Run {
        site,
        work,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn clips_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run("clips", &inputs().video, true))
}

/// What the media stage recorded for each episode: (audio file, start, end, clip record).
fn renditions(run: &Run) -> Vec<serde_json::Value> {
    let stage = common::walk(&run.work)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == "renditions.json"))
        .expect("the media stage saved its renditions");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(stage).unwrap()).unwrap();
    v["value"].as_array().unwrap().clone()
}

fn site_file(run: &Run, name: &str) -> PathBuf {
    common::walk(&run.site)
        .into_iter()
        .find(|p| p.file_name().is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("{name} was not published"))
}

/// ffprobe's list of a file's video packets in decode order: (pts seconds, keyframe, MD5
/// of the data).
fn packets(path: &Path) -> Vec<(f64, bool, String)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_data_hash",
            "MD5",
        ])
        .args([
            "-show_entries",
            "packet=pts_time,flags,data_hash",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((
                f.first()?.parse().ok()?,
                f.get(1)?.starts_with('K'),
                f.get(2)?.to_string(),
            ))
        })
        .collect()
}

/// The MD5 of each video packet in decode order, with parameter sets (SPS, PPS) taken out:
/// the coded pictures alone.
fn pictures(path: &Path) -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-bsf:v",
            "filter_units=remove_types=7|8",
        ])
        .args(["-f", "framemd5", "-"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| Some(l.rsplit(',').next()?.trim().to_string()))
        .collect()
}

/// Average colour of the middle of the first (or last) frame.
fn colour(path: &Path, last: bool) -> [u8; 3] {
    let mut c = Command::new("ffmpeg");
    c.args(["-hide_banner", "-nostdin", "-v", "error"]);
    if last {
        c.args(["-sseof", "-0.5"]);
    }
    c.arg("-i").arg(path);
    c.args(["-vf", "crop=iw/2:ih/2,scale=1:1", "-pix_fmt", "rgb24"]);
    if !last {
        c.args(["-frames:v", "1"]);
    }
    c.args(["-f", "rawvideo", "-"]);
    let out = c.output().unwrap();
    let px = out.stdout.rchunks(3).next().unwrap_or_default();
    assert_eq!(px.len(), 3, "{}", String::from_utf8_lossy(&out.stderr));
    [px[0], px[1], px[2]]
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (*x as i32 - y as i32).abs() < 48)
}

fn stream_duration(path: &Path, kind: &str) -> f64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", kind])
        .args(["-show_entries", "stream=duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn every_episode_gets_a_clip_that_decodes_cleanly_and_shows_its_section() {
    let run = clips_run();
    let episodes = renditions(run);
    assert_eq!(episodes.len(), 4, "webinar, two talks, wrap-up");
    for r in &episodes {
        let ep = &r["episode"];
        let id = ep["id"].as_str().unwrap();
        let clip = site_file(run, r["clip"]["file_name"].as_str().unwrap());
        // Decodes with no complaint from a real decoder.
        let out = Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-v", "error", "-i"])
            .arg(&clip)
            .args(["-f", "null", "-"])
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // As long as the audio episode, within two frames, picture and sound.
        let length = ep["end"].as_f64().unwrap() - ep["start"].as_f64().unwrap();
        for kind in ["v:0", "a:0"] {
            let d = stream_duration(&clip, kind);
            assert!(
                (d - length).abs() <= 2.0 / FPS,
                "{id} {kind}: {d} s, episode {length} s"
            );
        }
        // Cut at the right place: the first and last frames show the section's colour.
        let section = match id {
            "webinar" => (0, 3),
            "talk-1" => (1, 1),
            "talk-2" => (2, 2),
            _ => (3, 3),
        };
        let (first, last) = (colour(&clip, false), colour(&clip, true));
        assert!(
            close(first, COLOURS[section.0]),
            "{id} starts with {first:?}"
        );
        assert!(close(last, COLOURS[section.1]), "{id} ends with {last:?}");
    }
}

#[test]
fn after_the_first_keyframe_the_picture_is_the_sources_byte_for_byte() {
    let run = clips_run();
    let source = packets(&inputs().video);
    let source_pictures = pictures(&inputs().video);
    let mut smart = 0;
    for r in renditions(run) {
        let id = r["episode"]["id"].as_str().unwrap().to_string();
        let start = r["episode"]["start"].as_f64().unwrap();
        let clip = packets(&site_file(run, r["clip"]["file_name"].as_str().unwrap()));
        // Where the copied part begins in the clip: its first keyframe after the start, or
        // the start itself when the clip was copied whole.
        let splice = match r["clip"]["method"].as_str().unwrap() {
            "copied" => 0,
            "smart_cut" => {
                smart += 1;
                let reencoded = r["clip"]["reencoded"].as_f64().unwrap();
                assert!(reencoded < (GOP as f64 + 1.0) / FPS, "{id}: {reencoded} s");
                clip.iter()
                    .skip(1)
                    .position(|p| p.1)
                    .expect("a second keyframe")
                    + 1
            }
            other => panic!("{id}: picture {other}, expected it copied from a keyframe on"),
        };
        // The source keyframe it was copied from, by time (the clip's picture starts on the
        // first frame at or after the episode's start, less than a frame after it).
        let at = start + clip[splice].0;
        let from = source
            .iter()
            .position(|p| p.1 && p.0 > at - 0.01 && p.0 < at + 1.0 / FPS + 0.01)
            .unwrap_or_else(|| panic!("{id}: no source keyframe at {at:.3} s"));
        // From the splice keyframe on, every packet is the source's: byte for byte, but
        // for the parameter sets the join puts in-band before each keyframe (so a decoder
        // switches from the re-encoded head's SPS/PPS back to the source's).
        let path = site_file(run, r["clip"]["file_name"].as_str().unwrap());
        let clip_pictures = pictures(&path);
        let copied = clip.len() - splice;
        assert!(copied > 10, "{id}: only {copied} packets copied");
        for k in 0..copied {
            let (c, s) = (&clip[splice + k], &source[from + k]);
            let what = format!("{id}: packet {} at {:.2} s", splice + k, c.0);
            assert_eq!(c.1, s.1, "{what}: keyframe flag");
            assert_eq!(
                clip_pictures[splice + k],
                source_pictures[from + k],
                "{what}"
            );
            if !c.1 {
                assert_eq!(c.2, s.2, "{what}");
            }
        }
    }
    assert!(
        smart >= 2,
        "the recording was made so most cuts miss keyframes"
    );
}

#[test]
fn each_clip_has_a_jpeg_poster_and_the_page_shows_both() {
    let run = clips_run();
    for r in renditions(run) {
        let id = r["episode"]["id"].as_str().unwrap();
        let poster = site_file(run, r["clip"]["poster_name"].as_str().unwrap());
        let bytes = std::fs::read(&poster).unwrap();
        assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "{id}: not a JPEG");
        let size = imagesize::blob_size(&bytes).unwrap();
        // At most 1280 px wide, the recording's shape kept.
        assert_eq!((size.width, size.height), (1280, 720), "{id}");
        // A frame of the episode's own section (a few seconds in).
        let expected = match id {
            "webinar" | "talk-1" => COLOURS[if id == "webinar" { 0 } else { 1 }],
            "talk-2" => COLOURS[2],
            _ => COLOURS[3],
        };
        let got = colour(&poster, false);
        assert!(close(got, expected), "{id}: poster is {got:?}");
    }
    let page = webinar_page(run);
    // The page with its players is valid HTML (the Nu Html Checker, as for every page).
    let errors = common::vnu_errors(&[webinar_page_path(run)]);
    assert!(errors.is_empty(), "{errors}");
    let html = scraper::Html::parse_document(&page);
    let videos: Vec<_> = html
        .select(&scraper::Selector::parse("video").unwrap())
        .map(|v| v.value().clone())
        .collect();
    assert_eq!(videos.len(), 4, "one player per episode");
    for v in &videos {
        let (src, poster) = (v.attr("src").unwrap(), v.attr("poster").unwrap());
        assert!(src.ends_with(".mp4") && !src.contains("://"), "{src}");
        assert!(
            poster.ends_with(".jpg") && !poster.contains("://"),
            "{poster}"
        );
        assert_eq!(v.attr("preload"), Some("none"));
        assert!(v.attr("controls").is_some());
        assert!(v
            .attr("aria-label")
            .is_some_and(|l| l.starts_with("Watch: ")));
    }
    // The catalog records them; the feed stays audio-only.
    let catalog = std::fs::read_to_string(run.site.join("catalog.json")).unwrap();
    let catalog: serde_json::Value = serde_json::from_str(&catalog).unwrap();
    for e in catalog["webinars"][0]["episodes"].as_array().unwrap() {
        assert_eq!(e["video"]["clip"]["mime"], "video/mp4");
        assert_eq!(e["video"]["poster"]["mime"], "image/jpeg");
        let clip = run.site.join(e["video"]["clip"]["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(clip).unwrap().len(),
            e["video"]["clip"]["bytes"].as_u64().unwrap()
        );
    }
    let feed = std::fs::read_to_string(run.site.join("feed.xml")).unwrap();
    assert!(!feed.contains(".mp4") && !feed.contains("video/"), "{feed}");
    // `eventcast check` knows the clips are expected: take one away and it says so.
    let clip = site_file(run, "talk-1-amara-okafor.mp4");
    let check_dir = root().join("check");
    let _ = std::fs::remove_dir_all(&check_dir);
    copy_dir(&run.site, &check_dir);
    let ok = common::run(&["check", check_dir.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", common::text(&ok));
    let rel = clip.strip_prefix(&run.site).unwrap();
    std::fs::remove_file(check_dir.join(rel)).unwrap();
    let bad = common::run(&["check", check_dir.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(
        common::text(&bad).contains("talk-1-amara-okafor.mp4"),
        "{}",
        common::text(&bad)
    );
}

/// The webinar's page (not the series index).
fn webinar_page(run: &Run) -> String {
    std::fs::read_to_string(webinar_page_path(run)).unwrap()
}

fn webinar_page_path(run: &Run) -> PathBuf {
    common::walk(&run.site)
        .into_iter()
        .find(|p| p.ends_with("index.html") && p.parent() != Some(run.site.as_path()))
        .expect("the webinar page was published")
}

fn copy_dir(from: &Path, to: &Path) {
    for f in common::walk(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, dest).unwrap();
    }
}

/// The clip's sound is the episode's: same loudness as the audio episode.
#[test]
fn the_clip_sounds_like_the_episode() {
    let run = clips_run();
    let r = &renditions(run)[1];
    let lufs = |p: &Path| common::loudness(p).0;
    let audio = lufs(&site_file(run, r["episode"]["file_name"].as_str().unwrap()));
    let clip = lufs(&site_file(run, r["clip"]["file_name"].as_str().unwrap()));
    assert!(
        (audio - clip).abs() < 0.5,
        "episode {audio} LUFS, clip {clip} LUFS"
    );
    assert!((audio + 16.0).abs() < 1.0, "{audio}");
}

/// The ffmpeg command lines eventcast logged (at debug level).
fn commands(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("running ffmpeg"))
        .collect()
}

#[test]
fn without_video_clips_no_video_is_made_or_decoded() {
    let i = inputs();
    let run = run("no-clips", &i.video, false);
    let files = common::walk(&run.site)
        .into_iter()
        .chain(common::walk(&run.work));
    let video: Vec<_> = files
        .filter(|p| p.extension().is_some_and(|e| e == "mp4" || e == "jpg"))
        .collect();
    assert!(video.is_empty(), "{video:?}");
    let recording = i.video.to_str().unwrap();
    let reads: Vec<_> = commands(&run.stderr)
        .into_iter()
        .filter(|c| c.contains(recording))
        .collect();
    assert!(
        !reads.is_empty(),
        "the recording's audio is decoded once:\n{}",
        run.stderr
    );
    for c in reads {
        assert!(c.contains("-vn") && !c.contains("0:V"), "{c}");
    }
    assert!(!webinar_page(&run).contains("<video"));
}

#[test]
fn clips_asked_of_a_recording_without_video_warn_once_and_make_the_audio() {
    let run = run("audio-only", &inputs().audio_only, true);
    let warnings = run.stderr.matches("has no video stream").count();
    assert_eq!(warnings, 1, "{}", run.stderr);
    let mp3s = common::walk(&run.site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mp3"))
        .count();
    assert_eq!(mp3s, 4);
    assert!(!common::walk(&run.site)
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "mp4" || e == "jpg")));
}
