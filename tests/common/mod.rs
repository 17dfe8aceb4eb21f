//! Helpers shared by the integration-test binaries.
#![allow(dead_code)]

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

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// ffprobe's view of a media file: (duration in seconds, format tags).
pub fn probe(path: &Path) -> eventcast::ffmpeg::Probe {
    eventcast::ffmpeg::probe(path).expect("ffprobe reads the file")
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
