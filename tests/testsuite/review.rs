//! The review step as a person meets it: a doubtful webinar held by an unattended batch
//! (nothing published, the others go on), released with the cue sheet of its review page
//! and published with exactly those cuts; and the review page itself in headless
//! Chromium: one lane per speaker, players that start before their cut, buttons that move
//! a cut and the cue sheet that follows, a copied cue sheet that `run` turns into those
//! very cuts, valid HTML, screenshots at desktop and phone sizes.
//!
//! Needs java + vnu.jar and chromium: run `.ci/install-test-tools.sh` once before
//! `cargo test`. A missing tool fails the test with that instruction, never skips it.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use eventcast::ingest::Agenda;
use eventcast::plan::Plan;
use eventcast::review::cuts;
use eventcast::testbed::{self, Phenomena, Rendered, Scenario, Webinar};

struct Fixture {
    _dir: tempfile::TempDir,
    webinar: Webinar,
    rendered: Rendered,
    /// A Zoom-style transcript of it.
    transcript: PathBuf,
}

/// A five-minute webinar of the seed's shape (welcome, two talks with Q&A, wrap-up,
/// closing), rendered once for the tests in this file.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let agenda = testbed::scaled(&testbed::seed_agenda(), 5.0 / 60.0);
        let webinar = Scenario::new(agenda, 5.0, Phenomena::NONE, 21).build();
        let rendered = webinar.render(&root.join("inputs")).unwrap();
        let transcript = root.join("inputs/zoom.vtt");
        std::fs::write(&transcript, webinar.transcript(&rendered.truth, false, 0.3)).unwrap();
        Fixture {
            _dir: dir,
            webinar,
            rendered,
            transcript,
        }
    })
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `eventcast` with `command` (its name and flags) on the fixture's recording, agenda and
/// transcript, then `more`.
fn on_fixture(f: &Fixture, command: &[&str], more: &[&str]) -> std::process::Output {
    let mut args = command.to_vec();
    args.extend([
        "--recording",
        s(&f.rendered.recording),
        "--agenda",
        s(&f.rendered.agenda),
        "--transcript",
        s(&f.transcript),
    ]);
    args.extend_from_slice(more);
    common::run(&args)
}

/// A pipeline.toml where a webinar aligned from the voices alone (0.8 at best) is doubtful.
fn strict_config(dir: &Path) -> PathBuf {
    let path = dir.join("pipeline.toml");
    std::fs::write(
        &path,
        "[series]\ntitle = \"Review test\"\ndescription = \"Webinars checked by ear.\"\n\
         author = \"Metropolis\"\nowner_email = \"podcasts@example.org\"\n\n\
         [review]\nhold = \"doubtful\"\nmin_confidence = 0.9\n",
    )
    .unwrap();
    path
}

/// The text of the review page's cue-sheet box as the page was written.
fn page_cue_sheet(page: &Path) -> String {
    let html = scraper::Html::parse_document(&std::fs::read_to_string(page).unwrap());
    let sel = scraper::Selector::parse("textarea#cue-sheet").unwrap();
    html.select(&sel)
        .next()
        .expect("the page has a cue sheet")
        .text()
        .collect()
}

/// The (tenths, label) of each cut line of a cue sheet.
fn cue_lines(sheet: &str) -> Vec<(i64, String)> {
    eventcast::ingest::cues::parse(sheet, Path::new("cues.txt"))
        .unwrap()
        .lines
        .iter()
        .map(|l| {
            assert!(l.exact, "a page's cue sheet writes tenths: {sheet}");
            ((l.time * 10.0).round() as i64, l.label.clone())
        })
        .collect()
}

/// The cuts of `plan` as (tenths, label), as the page would show them.
fn plan_cuts(agenda: &Agenda, plan: &Plan) -> Vec<(i64, String)> {
    cuts::cuts(agenda, plan)
        .into_iter()
        .map(|c| (c.tenths as i64, c.label))
        .collect()
}

/// `got` and `want` are the same cuts, each within a tenth of a second; and at each cut
/// of `ends` (indices into `want`) the part before ends there.
fn assert_same_cuts(got: &[(i64, String)], want: &[(i64, String)], plan: &Plan, ends: &[usize]) {
    assert_eq!(got.len(), want.len(), "cuts {got:?}, wanted {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.1, w.1, "cuts {got:?}, wanted {want:?}");
        assert!(
            (g.0 - w.0).abs() <= 1,
            "cut {:?} at {}, wanted {}",
            g.1,
            g.0,
            w.0
        );
    }
    for &k in ends {
        let (t, label) = (want[k].0 as f64 / 10.0, &want[k].1);
        let ends_here = plan
            .segments
            .iter()
            .any(|s| (s.end - t).abs() <= 0.1 && s.start < t);
        assert!(
            ends_here,
            "cut {k} ({label}) at {t}: no part ends there: {plan:#?}"
        );
    }
}

fn add_webinar(inbox: &Path, name: &str, agenda: &Agenda, cues: Option<&str>) -> PathBuf {
    let f = fixture();
    let dir = inbox.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&f.rendered.recording, dir.join("recording.m4a")).unwrap();
    std::fs::write(dir.join("agenda.toml"), agenda.to_toml()).unwrap();
    if let Some(c) = cues {
        std::fs::write(dir.join("cues.txt"), c).unwrap();
    }
    dir
}

#[test]
fn a_doubtful_webinar_is_held_by_batch_then_released_with_the_reviewed_cuts() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let (inbox, site, work) = (
        tmp.path().join("inbox"),
        tmp.path().join("site"),
        tmp.path().join("work"),
    );
    let config = strict_config(tmp.path());
    // Doubtful: no transcript, no cue sheet, only the voices.
    let doubtful = f.webinar.agenda.clone();
    add_webinar(&inbox, "a-voices-only", &doubtful, None);
    // Sure: the same recording under another title, with the organiser's cue sheet.
    let mut sure = f.webinar.agenda.clone();
    sure.title = "Second webinar, with notes".into();
    sure.date = "2021-07-06".into();
    add_webinar(
        &inbox,
        "b-with-cues",
        &sure,
        Some(&f.webinar.cue_sheet(&f.rendered.parts)),
    );
    let batch = || {
        common::run(&[
            "batch",
            "--inbox",
            s(&inbox),
            "--out",
            s(&site),
            "--work",
            s(&work),
            "--config",
            s(&config),
            "--jobs",
            "2",
        ])
    };

    let out = batch();
    let all = common::text(&out);
    assert_eq!(out.status.code(), Some(3), "held: exit status 3\n{all}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no summary line for {name}: {all}"))
            .to_string()
    };
    let slug = doubtful.slug();
    let page = work.join(&slug).join("review.html");
    let held = line("a-voices-only");
    assert!(held.contains("held for review"), "{all}");
    assert!(
        held.contains(s(&page)),
        "the line names the review page: {all}"
    );
    assert!(
        held.contains(&format!("eventcast release {slug} --work ")),
        "{all}"
    );
    let published_line = line("b-with-cues");
    assert!(published_line.contains("published"), "{all}");
    let sure_page = work.join(sure.slug()).join("review.html");
    assert!(
        published_line.contains(s(&sure_page)) && sure_page.is_file(),
        "a published webinar's line names its review page too: {all}"
    );
    assert!(
        stdout.contains("1 published, 1 held for review, 0 failed"),
        "{all}"
    );
    // Nothing of the held webinar reached the target; the other one did.
    let published = common::walk(&site);
    assert!(
        published.iter().all(|p| !s(p).contains(&slug)),
        "{published:?}"
    );
    let feed = std::fs::read_to_string(site.join("feed.xml")).unwrap();
    assert!(
        feed.contains(&sure.slug()) && !feed.contains(&slug),
        "{feed}"
    );
    // Its episodes were encoded, waiting in the work folder.
    let encoded: Vec<PathBuf> = common::walk(&work.join(&slug).join("media"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "mp3"))
        .collect();
    assert_eq!(encoded.len(), 4, "webinar, two talks, wrap-up: {encoded:?}");

    // The next run skips it: still held, nothing encoded again.
    let again = batch();
    let all = common::text(&again);
    assert_eq!(again.status.code(), Some(3), "{all}");
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("held for review") && stdout.contains("still waiting since"),
        "{all}"
    );
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("encoding"),
        "{all}"
    );

    // The reviewer moves the second talk's start 1.5 s later and copies the cue sheet.
    let sheet = page_cue_sheet(&page);
    let mut lines = cue_lines(&sheet);
    let talk2 = doubtful
        .items
        .iter()
        .filter(|i| i.kind.is_episode())
        .nth(1)
        .unwrap();
    let label = talk2.speakers[0].name.clone();
    let k = lines
        .iter()
        .position(|l| l.1 == label)
        .expect("a cut for talk 2");
    lines[k].0 += 15;
    let reviewed: String = sheet
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .chain(
            lines
                .iter()
                .map(|(t, l)| format!("{} {l}\n", cuts::clock_tenths(*t as u64))),
        )
        .collect();
    let cues = tmp.path().join("reviewed-cues.txt");
    std::fs::write(&cues, &reviewed).unwrap();
    // The plan the page showed, kept while the webinar waits.
    let held_plan: Plan = serde_json::from_str(
        &std::fs::read_to_string(work.join(&slug).join("held-plan.json")).unwrap(),
    )
    .unwrap();

    let out = common::run(&[
        "release",
        &slug,
        "--work",
        s(&work),
        "--cues",
        s(&cues),
        "--jobs",
        "2",
        "--json",
    ]);
    let all = common::text(&out);
    assert!(out.status.success(), "{all}");
    let report: eventcast::pipeline::RunReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.held.is_none());
    assert_same_cuts(
        &plan_cuts(&doubtful, &report.plan),
        &lines,
        &report.plan,
        &[k],
    );
    // Every part the moved cut does not touch is exactly where the page showed it.
    let talk2_item = doubtful.items.iter().position(|i| std::ptr::eq(i, talk2));
    let before_talk2 = held_plan
        .segments
        .iter()
        .take_while(|s| s.item != talk2_item)
        .filter(|s| s.item.is_some())
        .last()
        .unwrap()
        .item;
    for s in held_plan
        .segments
        .iter()
        .filter(|s| s.item != talk2_item && s.item != before_talk2)
    {
        assert!(
            report.plan.segments.iter().any(|r| r.kind == s.kind
                && r.item == s.item
                && r.start == s.start
                && r.end == s.end),
            "\"{}\" {}–{} moved: {:#?}",
            s.title,
            s.start,
            s.end,
            report.plan
        );
    }
    // Only what the cue sheet moved was cut again: talk 1 and the wrap-up were kept.
    let stderr = String::from_utf8_lossy(&out.stderr);
    for e in &report.renditions {
        let kept = stderr.contains(&format!("{} was already encoded", e.episode.file_name));
        let moved = e.episode.id == "talk-2" || e.episode.id == "webinar";
        assert_eq!(kept, !moved, "{}: kept {kept}\n{all}", e.episode.file_name);
    }
    // Published with the reviewed cut: talk 2 starts where the cue sheet says.
    let ep = report
        .renditions
        .iter()
        .find(|r| r.episode.id == "talk-2")
        .unwrap();
    let cut = lines[k].0 as f64 / 10.0;
    assert!(
        (ep.episode.start - cut).abs() <= 0.05,
        "talk 2 starts at {}, the cue sheet says {cut}",
        ep.episode.start
    );
    let feed = std::fs::read_to_string(site.join("feed.xml")).unwrap();
    assert!(feed.contains(&ep.episode.file_name), "{feed}");
    assert!(site.join(&slug).join(&ep.episode.file_name).is_file());
    assert!(!work.join(&slug).join("held.json").exists());

    // Released is published: the next batch finds everything up to date.
    let last = batch();
    let all = common::text(&last);
    assert_eq!(last.status.code(), Some(0), "{all}");
    assert!(
        String::from_utf8_lossy(&last.stdout).contains("Nothing to do"),
        "{all}"
    );
    // A release of what is not held says what is.
    let out = common::run(&["release", "no-such-webinar", "--work", s(&work)]);
    let all = common::text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("no-such-webinar") && all.contains("held there: none"),
        "{all}"
    );

    common::screenshot(
        &page,
        &manifest().join("target/screenshots/review-held.png"),
        1280,
        1400,
    );
}

/// What the probe script found in the page, in Chromium.
#[derive(serde::Deserialize, Debug)]
struct Probe {
    /// The cue-sheet box once the script ran, before anything moved.
    initial: String,
    /// The box after each move.
    moved: Vec<String>,
    /// For each cut: where its player was (recording seconds) once it played, whether
    /// it was playing, and what the page said.
    plays: Vec<Played>,
    /// The player of the moved cut, after moving it while it played.
    replayed: Played,
    copied: Option<String>,
    status: String,
    clocks: Vec<String>,
}

#[derive(serde::Deserialize, Debug)]
struct Played {
    at: f64,
    paused: bool,
    said: String,
}

/// Clicks and listens its way through the page, then writes what it saw into #probe.
const PROBE: &str = r#"<pre id="probe"></pre><script>
(async function () {
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const cards = [...document.querySelectorAll("article.cut")];
  const box = document.getElementById("cue-sheet");
  const copied = { text: null };
  navigator.clipboard.writeText = (t) => { copied.text = t; return Promise.resolve(); };
  const out = { initial: box.value, moved: [], plays: [], copied: null, status: "", clocks: [] };
  const click = (k, step) => cards[k].querySelector(`[data-step="${step}"]`).click();
  const played = async (k) => {
    const a = cards[k].querySelector("audio");
    for (let i = 0; i < 100 && (a.paused || a.currentTime === 0); i++) await wait(50);
    return { at: data.cuts[k].from + a.currentTime, paused: a.paused,
             said: cards[k].querySelector("[data-where]").textContent };
  };
  try {
    click(1, "20"); out.moved.push(box.value);
    click(2, "-5"); out.moved.push(box.value);
    click(3, "100"); click(3, "-20"); out.moved.push(box.value);
    for (let k = 0; k < cards.length; k++) {
      cards[k].querySelector("[data-play]").click();
      out.plays.push(await played(k));
      cards[k].querySelector("audio").pause();
    }
    cards[1].querySelector("[data-play]").click();
    await played(1);
    click(1, "20");
    await wait(100);
    out.replayed = await played(1);
    cards[1].querySelector("audio").pause();
    document.getElementById("copy").click();
    await wait(50);
    out.copied = copied.text;
    out.status = document.getElementById("cue-status").textContent;
    out.clocks = cards.map((c) => c.querySelector("[data-clock]").textContent);
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById("probe").textContent = JSON.stringify(out);
})();
</script></body>"#;

#[test]
fn the_review_page_plays_moves_and_copies_cuts_that_run_reproduces() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("review page.html");
    let out = on_fixture(
        f,
        &["plan"],
        &["--work", s(&tmp.path().join("work")), "--review", s(&page)],
    );
    let all = common::text(&out);
    assert!(out.status.success(), "{all}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(s(&page)),
        "{all}"
    );
    // Under its table, `plan` draws one bar per part.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\ntimeline ") && stdout.contains("▓ transcript"),
        "{all}"
    );

    let html_text = std::fs::read_to_string(&page).unwrap();
    let html = scraper::Html::parse_document(&html_text);
    let select = |css: &str| -> Vec<String> {
        html.select(&scraper::Selector::parse(css).unwrap())
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    // Self-contained: no address of another host, excerpts next to the page.
    for attr in ["src=\"http", "href=\"http", "url(", "@import"] {
        assert!(!html_text.contains(attr), "the page reaches out: {attr}");
    }
    let excerpts = tmp.path().join("review page-excerpts");
    let agenda = &f.webinar.agenda;
    let srcs: Vec<String> = html
        .select(&scraper::Selector::parse("audio").unwrap())
        .map(|a| a.value().attr("src").unwrap().to_string())
        .collect();
    let sheet = page_cue_sheet(&page);
    let planned = cue_lines(&sheet);
    assert_eq!(srcs.len(), planned.len(), "a player per cut");
    for (k, src) in srcs.iter().enumerate() {
        assert_eq!(src, &format!("review%20page-excerpts/cut-{:02}.mp3", k + 1));
    }
    // One lane per person heard, the agenda's people in its order; then the audience.
    let lanes: Vec<String> = select(".lane-name")
        .iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let people: Vec<String> = agenda.people().iter().map(|p| p.name.clone()).collect();
    assert!(lanes.len() >= people.len(), "{lanes:?}");
    for (lane, name) in lanes.iter().zip(&people) {
        assert!(
            lane.starts_with(name.as_str()),
            "{lanes:?} against {people:?}"
        );
    }
    assert!(lanes[people.len()..]
        .iter()
        .all(|l| l.starts_with("Others")));
    let lane_tracks = html
        .select(&scraper::Selector::parse(".track.lane").unwrap())
        .collect::<Vec<_>>();
    assert_eq!(lane_tracks.len(), lanes.len());
    assert!(lane_tracks.iter().all(|t| t
        .select(&scraper::Selector::parse(".turn").unwrap())
        .count()
        > 0));
    // Each excerpt is the recording around its cut.
    let data_json = html
        .select(&scraper::Selector::parse("#review-data").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    let data: serde_json::Value = serde_json::from_str(&data_json).unwrap();
    let first = &data["cuts"][1];
    let (from, to) = (
        first["from"].as_f64().unwrap(),
        first["to"].as_f64().unwrap(),
    );
    let excerpt = excerpts.join("cut-02.mp3");
    assert!((common::probe(&excerpt).duration - (to - from)).abs() < 0.15);
    let r = correlation(
        &levels(&excerpt, None),
        &levels(&f.rendered.recording, Some((from, to - from))),
    );
    assert!(
        r > 0.9,
        "cut 2's excerpt sounds like the recording there only {r:.2}"
    );

    // Valid HTML5 by the Nu Html Checker.
    let errors = common::vnu_errors(std::slice::from_ref(&page));
    assert!(errors.is_empty(), "the Nu Html Checker reports:\n{errors}");

    // In Chromium: move cuts, play each, move one while it plays, copy the sheet.
    let probe = tmp.path().join("probe.html");
    std::fs::write(&probe, html_text.replace("</body>", PROBE)).unwrap();
    let out = common::chromium(
        &probe,
        &[
            "--autoplay-policy=no-user-gesture-required",
            "--virtual-time-budget=20000",
            "--dump-dom",
        ],
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let dumped = scraper::Html::parse_document(&dom);
    let found: String = dumped
        .select(&scraper::Selector::parse("#probe").unwrap())
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default();
    let p: Probe = serde_json::from_str(&found)
        .unwrap_or_else(|e| panic!("the probe did not finish ({e}): {found}\n{dom}"));
    // The script writes the same cue sheet the page was written with.
    assert_eq!(p.initial, sheet);
    let moved = |text: &str| cue_lines(text);
    let mut want = planned.clone();
    want[1].0 += 20;
    assert_eq!(moved(&p.moved[0]), want, "cut 2 moved 2 s later");
    want[2].0 -= 5;
    assert_eq!(
        moved(&p.moved[1]),
        want,
        "cut 3 moved half a second earlier"
    );
    // +10 s, then 2 s back; never past the next cut.
    let limit = want.get(4).map_or(i64::MAX, |n| n.0 - 1);
    want[3].0 = (want[3].0 + 100).min(limit) - 20;
    assert_eq!(moved(&p.moved[2]), want, "cut 4 moved 8 s later");
    // Every player starts a few seconds before its cut, and plays.
    let lead = data["lead"].as_f64().unwrap();
    for (k, play) in p.plays.iter().enumerate() {
        let cut = want[k].0 as f64 / 10.0;
        assert!(!play.paused, "cut {} did not play: {p:?}", k + 1);
        assert!(
            play.at < cut && play.at >= (cut - lead - 0.5).max(0.0),
            "cut {} at {cut}: its player started at {:.2}",
            k + 1,
            play.at
        );
        assert!(play.said.contains("before the cut"), "{play:?}");
    }
    // Moved while it plays, the player starts again before the new cut.
    let cut2 = (want[1].0 + 20) as f64 / 10.0;
    assert!(
        !p.replayed.paused && p.replayed.at < cut2 && p.replayed.at >= cut2 - lead - 0.5,
        "after moving cut 2 to {cut2} while it played: {:?}",
        p.replayed
    );
    want[1].0 += 20;
    assert_eq!(p.clocks[1], cuts::clock_tenths(want[1].0 as u64));
    let copied = p.copied.expect("the copy button copied");
    assert_eq!(cue_lines(&copied), want);
    assert!(p.status.contains("Copied"), "{}", p.status);

    // The copied cue sheet, given to `run`, gives exactly those cuts.
    let cues = tmp.path().join("copied-cues.txt");
    std::fs::write(&cues, &copied).unwrap();
    let site = tmp.path().join("site");
    let out = on_fixture(
        f,
        &["run", "--json"],
        &[
            "--cues",
            s(&cues),
            "--work",
            s(&tmp.path().join("work")),
            "--out",
            s(&site),
            "--config",
            s(&common::example_config()),
        ],
    );
    let all = common::text(&out);
    assert!(out.status.success(), "{all}");
    let report: eventcast::pipeline::RunReport = serde_json::from_slice(&out.stdout).unwrap();
    let every_cut: Vec<usize> = (1..want.len()).collect();
    assert_same_cuts(
        &plan_cuts(agenda, &report.plan),
        &want,
        &report.plan,
        &every_cut,
    );
    for r in report
        .renditions
        .iter()
        .filter(|r| r.episode.item.is_some())
    {
        let cut = want
            .iter()
            .map(|w| w.0 as f64 / 10.0)
            .filter(|t| *t <= r.episode.start + 1e-6)
            .fold(f64::NAN, f64::max);
        assert!(
            r.episode.start - cut <= 0.5,
            "{} starts {:.2} s after its cut",
            r.episode.title,
            r.episode.start - cut
        );
    }

    // Kept where people can look, at desktop and phone sizes.
    let shots = manifest().join("target/screenshots");
    common::screenshot(&page, &shots.join("review.png"), 1280, 2400);
    common::screenshot(&page, &shots.join("review-phone.png"), 390, 2400);
}

/// The level of each 100 ms of `media` (from `span` = (start, length) seconds), in dB.
fn levels(media: &Path, span: Option<(f64, f64)>) -> Vec<f64> {
    let mut args: Vec<String> = Vec::new();
    if let Some((a, d)) = span {
        args.extend([
            "-ss".into(),
            format!("{a:.3}"),
            "-t".into(),
            format!("{d:.3}"),
        ]);
    }
    args.extend(["-i".into(), s(media).into()]);
    args.extend(
        ["-ac", "1", "-ar", "16000", "-f", "s16le", "-"]
            .iter()
            .map(|x| x.to_string()),
    );
    common::ffmpeg(&args)
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]) as f64 / 32768.0)
        .collect::<Vec<_>>()
        .chunks(1600)
        .map(|c| 10.0 * (c.iter().map(|x| x * x).sum::<f64>() / c.len() as f64 + 1e-9).log10())
        .collect()
}

/// Pearson's correlation of the common length of `a` and `b`.
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let var = |v: &[f64], m: f64| v.iter().map(|x| (x - m).powi(2)).sum::<f64>().sqrt();
    cov / (var(a, ma) * var(b, mb))
}
