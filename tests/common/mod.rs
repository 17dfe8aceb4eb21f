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
