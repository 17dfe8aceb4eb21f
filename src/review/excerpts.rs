//! Short excerpts of the recording around each cut, encoded next to the review page.
//!
//! The page must open anywhere (a laptop, a phone, from `file://`) and stay small for a
//! three-hour recording, so it never links the whole recording: each cut gets its own
//! MP3 (every browser plays it) of [`REACH`] seconds on each side, mono at a bit rate
//! where speech stays clear, cut from the decoded WAV in one ffmpeg pass for all cuts.

use std::path::{Path, PathBuf};

use crate::args;
use crate::error::{Error, Result};

/// Seconds of recording on each side of a cut: the page's largest step (10 s) and the
/// few seconds heard around the cut still fit.
pub const REACH: f64 = 15.0;
/// Encoding of the excerpts: speech stays clear, a minute takes about 240 kB.
const BITRATE_KBPS: u32 = 32;
const SAMPLE_RATE: u32 = 22_050;

/// The stretch of a recording `duration` long an excerpt around `t` holds.
pub fn window(t: f64, duration: f64) -> (f64, f64) {
    ((t - REACH).max(0.0), (t + REACH).min(duration).max(t))
}

/// Encode `windows` (seconds) of `wav` into `folder` as `cut-01.mp3`, `cut-02.mp3`, ...
/// Excerpts of an earlier page in that folder are removed first. Returns the file names.
pub fn encode(wav: &Path, windows: &[(f64, f64)], folder: &Path) -> Result<Vec<String>> {
    std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    for e in std::fs::read_dir(folder)
        .map_err(|e| Error::io(folder, e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("cut-") && name.ends_with(".mp3") {
            std::fs::remove_file(e.path()).map_err(|err| Error::io(e.path(), err))?;
        }
    }
    let names: Vec<String> = (1..=windows.len())
        .map(|k| format!("cut-{k:02}.mp3"))
        .collect();
    if windows.is_empty() {
        return Ok(names);
    }
    let mut a = Vec::new();
    for &(from, to) in windows {
        a.extend(args![
            "-ss",
            format!("{from:.3}"),
            "-t",
            format!("{:.3}", (to - from).max(0.1)),
            "-i",
            wav
        ]);
    }
    let paths: Vec<PathBuf> = names.iter().map(|n| folder.join(n)).collect();
    for (k, path) in paths.iter().enumerate() {
        a.extend(args![
            "-map",
            format!("{k}:a:0"),
            "-map_metadata",
            "-1",
            "-ac",
            "1",
            "-ar",
            SAMPLE_RATE.to_string(),
            "-c:a",
            "libmp3lame",
            "-b:a",
            format!("{BITRATE_KBPS}k"),
            "-f",
            "mp3",
            path
        ]);
    }
    crate::ffmpeg::run(a, None)?;
    Ok(names)
}
