//! Helpers shared by the integration tests.

pub mod proxy;
pub mod servers;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The real `eventcast` binary built by cargo for these tests.
pub fn eventcast() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eventcast"));
    c.env("RUST_LOG", "eventcast=info");
    c
}

/// Run the binary with `args`, returning its output (never panics on a non-zero exit).
pub fn run(args: &[&str]) -> Output {
    eventcast()
        .args(args)
        .output()
        .expect("the eventcast binary runs")
}

pub fn text(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo webinar's inputs (recording, agenda, transcript, config), made in `dir`.
pub fn demo_inputs(dir: &Path) -> eventcast::demo::DemoInputs {
    eventcast::demo::prepare(dir).expect("the demo inputs can be made")
}

/// The agenda (TOML) of a short generated webinar on 2026-11-20, in English: Lucía
/// Fernández moderates; an intro, Amara Okafor's and João Silva's talks and Helena Varga's
/// wrap-up, planned for `minutes` each.
pub fn short_agenda(title: &str, description: Option<&str>, minutes: [f64; 4]) -> String {
    let description = description
        .map(|d| format!("description = \"{d}\"\n"))
        .unwrap_or_default();
    let [intro, talk_1, talk_2, wrapup] = minutes;
    format!(
        r#"title = "{title}"
date = "2026-11-20"
language = "en"
{description}
[moderator]
name = "Lucía Fernández"

[[items]]
kind = "intro"
minutes = {intro}

[[items]]
kind = "talk"
minutes = {talk_1}
[[items.speakers]]
name = "Amara Okafor"

[[items]]
kind = "talk"
minutes = {talk_2}
[[items.speakers]]
name = "João Silva"

[[items]]
kind = "wrapup"
minutes = {wrapup}
[[items.speakers]]
name = "Helena Varga"
"#
    )
}

/// The folder of this test process's shared fixtures (made once, kept in statics, so never
/// dropped): `<target>/tmp/testsuite-<pid>/`. The folders of earlier runs whose process is
/// gone are removed when it is first asked for, so runs leave nothing behind.
pub fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix("testsuite-") else {
                continue;
            };
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("testsuite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// The repository's example pipeline.toml, for runs whose settings do not matter.
pub fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pipeline.toml")
}

/// ffprobe's view of a media file: (duration in seconds, format tags).
pub fn probe(path: &Path) -> eventcast::ffmpeg::Probe {
    eventcast::ffmpeg::probe(path).expect("ffprobe reads the file")
}

/// Run ffmpeg with `args` (no banner, errors only, never reading stdin, overwriting); it
/// must succeed. Returns what it wrote to standard output.
pub fn ffmpeg<I, S>(args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-v", "error", "-y"])
        .args(&args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What ffmpeg logs running the audio filter `filter` over the first audio stream of `path`
/// (decoded, nothing written).
pub fn audio_filter_log(path: &Path, filter: &str) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-af", filter, "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// ffmpeg's EBU R128 summary of a file's audio: (integrated LUFS, true peak dBTP).
pub fn loudness(path: &Path) -> (f64, f64) {
    let log = audio_filter_log(path, "ebur128=peak=true");
    let summary = &log[log.rfind("Summary:").expect("ebur128 prints a summary")..];
    let value = |key: &str| -> f64 {
        let line = summary
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {summary}"));
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    (value("I:"), value("Peak:"))
}

/// Every file below `dir` (none if it does not exist).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// What to do when a test tool is missing.
pub fn install_hint(what: &str) -> String {
    format!("{what} is missing: run .ci/install-test-tools.sh (it installs the Nu Html Checker and chromium), then cargo test again")
}

pub fn vnu_jar() -> PathBuf {
    let jar = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/test-tools/node_modules/vnu-jar/build/dist/vnu.jar")
        });
    assert!(
        jar.is_file(),
        "{}",
        install_hint(&format!("{}", jar.display()))
    );
    jar
}

/// The Nu Html Checker's errors for `pages` (empty when they are valid HTML5).
pub fn vnu_errors(pages: &[PathBuf]) -> String {
    let out = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "gnu"])
        .args(pages)
        .output()
        .unwrap_or_else(|e| panic!("{} ({e})", install_hint("java")));
    String::from_utf8_lossy(&out.stderr).trim().to_string()
        + String::from_utf8_lossy(&out.stdout).trim()
}

/// Headless Chromium on `page` with `args` (its own empty profile, no background network).
pub fn chromium(page: &Path, args: &[&str]) -> std::process::Output {
    eventcast::testbed::chromium(page, args)
        .unwrap_or_else(|e| panic!("{} ({e})", install_hint("chromium")))
}

/// The DOM of `page` after headless Chromium ran its scripts.
pub fn chromium_dom(page: &Path) -> String {
    let out = chromium(page, &["--virtual-time-budget=2000", "--dump-dom"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Render `page` in headless Chromium at `width`×`height` into `png`.
pub fn screenshot(page: &Path, png: &Path, width: u32, height: u32) {
    std::fs::create_dir_all(png.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(png);
    let (shot, size) = (
        format!("--screenshot={}", png.display()),
        format!("--window-size={width},{height}"),
    );
    let out = chromium(page, &["--hide-scrollbars", &shot, &size]);
    assert!(
        png.is_file(),
        "chromium made no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = imagesize::size(png).unwrap();
    assert_eq!((size.width, size.height), (width as usize, height as usize));
}
