//! Unattended runs: an inbox of webinars, re-runs that skip what is published, a run
//! killed mid-way and finished by the next, and two overlapping runs.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::text;

/// Demo inputs made once for this test binary.
fn inputs() -> &'static eventcast::demo::DemoInputs {
    static INPUTS: OnceLock<eventcast::demo::DemoInputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        common::demo_inputs(&tempfile::tempdir_in(common::scratch()).unwrap().keep())
    })
}

/// A webinar folder in `inbox` named `name`, with the demo recording and an agenda whose
/// title and date make it a distinct webinar.
fn add_webinar(inbox: &Path, name: &str, day: u32) -> PathBuf {
    let dir = inbox.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&inputs().recording, dir.join("recording.mp4")).unwrap();
    let agenda = std::fs::read_to_string(&inputs().agenda)
        .unwrap()
        .replace(
            "title = \"Innovation in difficult times: Lagos & Porto Alegre\"",
            &format!("title = \"Webinar {name}\""),
        )
        .replace("2026-11-20", &format!("2026-11-{day:02}"));
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    dir
}

struct Setup {
    _tmp: tempfile::TempDir,
    inbox: PathBuf,
    site: PathBuf,
    work: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let inbox = tmp.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    Setup {
        inbox,
        site: tmp.path().join("site"),
        work: tmp.path().join("work"),
        _tmp: tmp,
    }
}

fn batch_cmd(s: &Setup, extra: &[&str]) -> Command {
    let mut c = common::eventcast();
    c.args([
        "batch",
        "--inbox",
        s.inbox.to_str().unwrap(),
        "--out",
        s.site.to_str().unwrap(),
        "--work",
        s.work.to_str().unwrap(),
        "--config",
        inputs().config.to_str().unwrap(),
    ])
    .args(extra);
    c
}

fn batch(s: &Setup, extra: &[&str]) -> Output {
    batch_cmd(s, extra).output().unwrap()
}

/// `batch --jobs 1` started in the background, its standard output and error made by
/// `stdio` (thrown away, or piped to be read when it ends).
fn spawn_one_job(s: &Setup, stdio: fn() -> Stdio) -> Child {
    batch_cmd(s, &["--jobs", "1"])
        .stdout(stdio())
        .stderr(stdio())
        .spawn()
        .unwrap()
}

/// (slug, guid) of every feed item.
fn feed_items(site: &Path) -> Vec<(String, String)> {
    let feed = std::fs::read(site.join("feed.xml")).unwrap();
    let channel = rss::Channel::read_from(&feed[..]).expect("feed parses");
    channel
        .items()
        .iter()
        .map(|i| {
            let url = i.enclosure().unwrap().url();
            let slug = url.rsplit('/').nth(1).unwrap().to_string();
            (slug, i.guid().unwrap().value().to_string())
        })
        .collect()
}

fn assert_feed_consistent(site: &Path, webinars: usize) {
    let items = feed_items(site);
    assert_eq!(items.len(), 4 * webinars, "{items:?}");
    let mut guids: Vec<&String> = items.iter().map(|(_, g)| g).collect();
    guids.sort();
    guids.dedup();
    assert_eq!(guids.len(), items.len(), "duplicate GUIDs in the feed");
    let feed = std::fs::read(site.join("feed.xml")).unwrap();
    for item in rss::Channel::read_from(&feed[..]).unwrap().items() {
        let rel = item
            .enclosure()
            .unwrap()
            .url()
            .strip_prefix("http://localhost:8000/")
            .unwrap();
        assert!(site.join(rel).is_file(), "feed points at missing {rel}");
    }
    let leftovers: Vec<_> = common::walk(site)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".tmp") || name.contains("partial")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "partial files published: {leftovers:?}"
    );
}

#[test]
fn inbox_with_a_broken_webinar_publishes_the_others_and_a_rerun_does_nothing() {
    let s = setup();
    add_webinar(&s.inbox, "alpha", 10);
    add_webinar(&s.inbox, "gamma", 12);
    let broken = add_webinar(&s.inbox, "beta", 11);
    std::fs::write(broken.join("recording.mp4"), b"not a recording").unwrap();

    let dry = batch(&s, &["--dry-run"]);
    assert_eq!(dry.status.code(), Some(1), "{}", text(&dry));
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(stdout.matches("would publish").count(), 2, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("beta") && l.contains("FAILED")),
        "{stdout}"
    );
    assert!(
        !s.site.join("feed.xml").exists(),
        "a dry run published something"
    );

    let first = batch(&s, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("2 published, 1 failed"), "{stdout}");
    let beta = stdout.lines().find(|l| l.starts_with("beta")).unwrap();
    assert!(
        beta.contains("FAILED") && beta.contains("recording.mp4"),
        "{beta}"
    );
    assert_feed_consistent(&s.site, 2);

    // The operator takes the broken one out; the next scheduled run has nothing to do.
    std::fs::remove_dir_all(&broken).unwrap();
    let feed_before = std::fs::read(s.site.join("feed.xml")).unwrap();
    let second = batch(&s, &[]);
    assert!(second.status.success(), "{}", text(&second));
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("Nothing to do"), "{stdout}");
    assert_eq!(stdout.matches("up to date").count(), 2, "{stdout}");
    assert_eq!(std::fs::read(s.site.join("feed.xml")).unwrap(), feed_before);

    // A changed input is published again, replacing (not duplicating) its episodes.
    let agenda = s.inbox.join("alpha/agenda.toml");
    let text_before = std::fs::read_to_string(&agenda).unwrap();
    std::fs::write(
        &agenda,
        text_before.replace("Knowledge Officer", "Head of Knowledge"),
    )
    .unwrap();
    let third = batch(&s, &[]);
    assert!(third.status.success(), "{}", text(&third));
    assert!(String::from_utf8_lossy(&third.stdout).contains("1 published, 0 failed"));
    assert_feed_consistent(&s.site, 2);
}

#[test]
fn json_logs_name_the_webinar_in_every_webinar_line() {
    let s = setup();
    add_webinar(&s.inbox, "alpha", 10);
    let out = batch(&s, &["--log-format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut webinar_lines = 0;
    for line in stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
        if let Some(spans) = v["spans"].as_array() {
            assert_eq!(spans[0]["webinar"], "alpha", "{line}");
            webinar_lines += 1;
        }
    }
    assert!(webinar_lines >= 3, "{stderr}");
    assert!(
        stderr.contains("\"stage\":\"media\"") || stderr.contains("\"stage\":\"publish\""),
        "{stderr}"
    );
}

/// Kill -9 while episodes are being encoded; the next run finishes the job and the feed
/// has every episode exactly once.
#[test]
fn run_killed_mid_encoding_is_completed_by_the_next() {
    let s = setup();
    add_webinar(&s.inbox, "alpha", 10);
    let mut child = spawn_one_job(&s, Stdio::null);
    let deadline = Instant::now() + Duration::from_secs(120);
    // Kill while the second episode is being encoded, the first one finished.
    let killed_mid_encode = loop {
        let files = if s.work.exists() {
            common::walk(&s.work)
        } else {
            Vec::new()
        };
        let name_ends = |suffix: &str| files.iter().any(|p| p.to_string_lossy().ends_with(suffix));
        if name_ends(".partial.mp3") && name_ends(".done.json") {
            child.kill().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    child.wait().unwrap();
    assert!(
        killed_mid_encode,
        "the run ended before encoding could be interrupted"
    );
    assert!(
        !s.site.join("feed.xml").exists(),
        "a feed was published by a run that never finished"
    );

    let rerun = batch(&s, &[]);
    assert!(rerun.status.success(), "{}", text(&rerun));
    assert!(String::from_utf8_lossy(&rerun.stdout).contains("1 published"));
    // The episode finished before the kill is not encoded again.
    assert!(
        String::from_utf8_lossy(&rerun.stderr).contains("was already encoded: keeping it"),
        "{}",
        text(&rerun)
    );
    assert_feed_consistent(&s.site, 1);
}

/// Two overlapping scheduled runs on the same inbox: every webinar is published once, and
/// the catalog and feed hold all of them.
#[test]
fn overlapping_runs_share_the_inbox() {
    let s = setup();
    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        add_webinar(&s.inbox, name, 10 + i as u32);
    }
    let a = spawn_one_job(&s, Stdio::piped);
    std::thread::sleep(Duration::from_millis(300));
    let b = spawn_one_job(&s, Stdio::piped);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", text(&a));
    assert!(b.status.success(), "{}", text(&b));
    let published = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .matches(" published ")
            .count()
    };
    let (pa, pb) = (published(&a), published(&b));
    assert!(
        pa + pb >= 3,
        "each webinar published by one of the runs:\n{}\n{}",
        text(&a),
        text(&b)
    );
    assert_feed_consistent(&s.site, 3);
    let catalog: eventcast::site::catalog::Catalog =
        serde_json::from_str(&std::fs::read_to_string(s.site.join("catalog.json")).unwrap())
            .unwrap();
    assert_eq!(catalog.webinars.len(), 3);
}

/// SIGTERM (what systemd and Kubernetes send): the run stops starting new work, exits with
/// 130, publishes nothing half-done, and the next run completes the job.
#[test]
fn sigterm_stops_cleanly_and_the_next_run_resumes() {
    let s = setup();
    add_webinar(&s.inbox, "alpha", 10);
    add_webinar(&s.inbox, "beta", 11);
    let mut child = spawn_one_job(&s, Stdio::piped);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(s.work.exists()
        && common::walk(&s.work)
            .iter()
            .any(|p| p.to_string_lossy().ends_with(".partial.mp3")))
    {
        assert!(
            Instant::now() < deadline && child.try_wait().unwrap().is_none(),
            "encoding never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("beta") && l.contains("interrupted")),
        "{stdout}"
    );
    assert!(!s.site.join("feed.xml").exists() || feed_items(&s.site).len() <= 4);

    let rerun = batch(&s, &[]);
    assert!(rerun.status.success(), "{}", text(&rerun));
    assert_feed_consistent(&s.site, 2);
}

#[test]
fn two_webinars_with_one_slug_never_replace_each_other() {
    let s = setup();
    // Same date, titles that differ only after the 60 characters a slug keeps.
    let common_part = "Innovation in difficult times: what Lagos and Porto Alegre learnt";
    for (name, end) in [("first", "in 2025"), ("second", "in 2026")] {
        let dir = add_webinar(&s.inbox, name, 20);
        let agenda = dir.join("agenda.toml");
        let text = std::fs::read_to_string(&agenda).unwrap().replace(
            &format!("title = \"Webinar {name}\""),
            &format!("title = \"{common_part} {end}\""),
        );
        std::fs::write(&agenda, text).unwrap();
    }
    let first = batch(&s, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("1 published, 1 failed"), "{stdout}");
    let second_line = stdout.lines().find(|l| l.starts_with("second")).unwrap();
    for needle in ["FAILED", "in 2025", "in 2026", "eventcast remove"] {
        assert!(
            second_line.contains(needle),
            "{needle:?} not in {second_line}"
        );
    }
    let catalog = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(s.site.join("catalog.json")).unwrap()).unwrap()
    };
    let titles: Vec<String> = catalog()["webinars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, [format!("{common_part} in 2025")]);
    assert_feed_consistent(&s.site, 1);
    let published: Vec<(PathBuf, Vec<u8>)> = common::walk(&s.site)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();

    // The next scheduled run republishes neither: the first is up to date, the second
    // still fails, and the site is byte for byte as it was.
    let again = batch(&s, &[]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("0 published, 1 failed"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("first") && l.contains("up to date")),
        "{stdout}"
    );
    for (p, b) in &published {
        assert_eq!(&std::fs::read(p).unwrap(), b, "{} changed", p.display());
    }
}
