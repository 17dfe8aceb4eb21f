//! The recording's video, as ffprobe sees it: its stream, frame rate and keyframes (found
//! by demuxing, never decoding).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::args;
use crate::error::{Error, Result};

/// Where the picture of `start..end` comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cut {
    /// Copy from the keyframe at `from` (within a frame of the start).
    Copy {
        from: f64,
    },
    /// Re-encode `frames` frames from `first` (the first frame at or after the start) up
    /// to the keyframe at `key`, copy from `key` on.
    Smart {
        first: f64,
        frames: usize,
        key: f64,
    },
    Reencode,
}

/// The recording's picture, as the clips need it: read once per recording, by demuxing.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub codec: String,
    pub(super) profile: Option<String>,
    pub(super) pix_fmt: Option<String>,
    /// Denominator of the stream's time base (the MP4 track timescale), e.g. 12800.
    pub(super) timescale: Option<u64>,
    /// Presentation time of every frame, sorted, in seconds.
    pub frames: Vec<f64>,
    /// Presentation time of every keyframe, sorted, in seconds.
    pub keyframes: Vec<f64>,
    /// Typical time between frames, in seconds.
    pub frame_duration: f64,
    /// The recording's full path, size and date when it was read: a clip made from another
    /// file is made again, the same file named another way is not.
    pub(super) identity: String,
}

fn ffprobe(args: Vec<OsString>) -> Result<String> {
    let shown: Vec<_> = args.iter().map(|a| a.to_string_lossy()).collect();
    let line = format!("ffprobe {}", shown.join(" "));
    let out = Command::new("ffprobe")
        .args(args)
        .output()
        .map_err(|e| Error::Process {
            tool: "ffprobe".into(),
            status: format!("could not start: {e}"),
            command: line.clone(),
            stderr_tail: String::new(),
        })?;
    if !out.status.success() {
        return Err(Error::Process {
            tool: "ffprobe".into(),
            status: out.status.to_string(),
            command: line,
            stderr_tail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Source {
    /// Read the recording's first video stream (cover pictures do not count); `None` when
    /// it has none.
    pub fn open(recording: &Path) -> Result<Option<Source>> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            streams: Vec<RawStream>,
        }
        #[derive(Deserialize)]
        struct RawStream {
            codec_name: Option<String>,
            profile: Option<String>,
            pix_fmt: Option<String>,
            time_base: Option<String>,
            avg_frame_rate: Option<String>,
        }
        let json = ffprobe(args![
            "-v",
            "error",
            "-select_streams",
            "V:0",
            "-show_entries",
            "stream=codec_name,profile,pix_fmt,time_base,avg_frame_rate",
            "-of",
            "json",
            recording
        ])?;
        let raw: Raw = serde_json::from_str(&json)
            .map_err(|e| Error::input(recording, format!("ffprobe gave unreadable JSON: {e}")))?;
        let Some(stream) = raw.streams.into_iter().next() else {
            return Ok(None);
        };
        // Demuxing only: packet times and keyframe flags, nothing is decoded.
        let csv = ffprobe(args![
            "-v",
            "error",
            "-select_streams",
            "V:0",
            "-show_entries",
            "packet=pts_time,flags",
            "-of",
            "csv=p=0",
            recording
        ])?;
        let mut frames = Vec::new();
        let mut keyframes = Vec::new();
        for line in csv.lines() {
            let mut fields = line.split(',');
            let Some(t) = fields.next().and_then(|t| t.trim().parse::<f64>().ok()) else {
                continue;
            };
            frames.push(t);
            if fields.next().is_some_and(|f| f.starts_with('K')) {
                keyframes.push(t);
            }
        }
        if frames.is_empty() {
            return Ok(None);
        }
        frames.sort_by(f64::total_cmp);
        keyframes.sort_by(f64::total_cmp);
        let rate = stream.avg_frame_rate.as_deref().and_then(ratio);
        let frame_duration = median_step(&frames)
            .or(rate.filter(|r| *r > 0.0).map(|r| 1.0 / r))
            .unwrap_or(1.0 / 25.0);
        let meta = std::fs::metadata(recording).map_err(|e| Error::io(recording, e))?;
        Ok(Some(Source {
            path: recording.to_path_buf(),
            codec: stream.codec_name.unwrap_or_default(),
            profile: stream.profile,
            pix_fmt: stream.pix_fmt,
            timescale: stream
                .time_base
                .as_deref()
                .and_then(|tb| tb.strip_prefix("1/")?.parse().ok()),
            frames,
            keyframes,
            frame_duration,
            identity: format!(
                "{:?} {} {:?}",
                std::fs::canonicalize(recording).unwrap_or(recording.to_path_buf()),
                meta.len(),
                meta.modified().ok()
            ),
        }))
    }

    /// How the picture of `start..end` is cut: copied from a keyframe when one is within a
    /// frame of the start, re-encoded up to the next keyframe otherwise.
    pub fn cut(&self, start: f64, end: f64) -> Cut {
        if self.codec != "h264" {
            return Cut::Reencode;
        }
        let near = self
            .keyframes
            .iter()
            .copied()
            .filter(|k| (k - start).abs() < self.frame_duration && *k < end)
            .min_by(|a, b| (a - start).abs().total_cmp(&(b - start).abs()));
        if let Some(from) = near {
            return Cut::Copy { from };
        }
        let eps = self.frame_duration * 1e-3;
        let Some(&first) = self.frames.iter().find(|&&t| t >= start - eps) else {
            return Cut::Reencode;
        };
        let Some(&key) = self.keyframes.iter().find(|&&k| k > first + eps) else {
            return Cut::Reencode;
        };
        if key >= end - eps {
            return Cut::Reencode;
        }
        let frames = self
            .frames
            .iter()
            .filter(|&&t| t >= first - eps && t < key - eps)
            .count();
        Cut::Smart { first, frames, key }
    }
}

/// `30000/1001` → 29.97.
fn ratio(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d != 0.0).then_some(n / d)
}

/// The median time between consecutive frames.
fn median_step(frames: &[f64]) -> Option<f64> {
    let mut steps: Vec<f64> = frames
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    if steps.is_empty() {
        return None;
    }
    steps.sort_by(f64::total_cmp);
    Some(steps[steps.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(fps: f64, seconds: f64, gop: usize) -> Source {
        let frames: Vec<f64> = (0..(seconds * fps) as usize)
            .map(|i| i as f64 / fps)
            .collect();
        let keyframes = frames.iter().copied().step_by(gop).collect();
        Source {
            path: PathBuf::from("rec.mp4"),
            codec: "h264".into(),
            profile: None,
            pix_fmt: None,
            timescale: None,
            frame_duration: median_step(&frames).unwrap(),
            frames,
            keyframes,
            identity: String::new(),
        }
    }

    #[test]
    fn a_start_within_a_frame_of_a_keyframe_is_copied() {
        let s = source(25.0, 20.0, 50);
        assert_eq!(s.cut(4.0, 9.0), Cut::Copy { from: 4.0 });
        assert_eq!(s.cut(3.99, 9.0), Cut::Copy { from: 4.0 });
        assert_eq!(s.cut(4.03, 9.0), Cut::Copy { from: 4.0 });
    }

    #[test]
    fn other_starts_reencode_up_to_the_next_keyframe() {
        let s = source(25.0, 20.0, 50);
        // Frames every 40 ms: the first at or after 5.3 is 5.32; 17 frames up to 6.0.
        match s.cut(5.3, 9.0) {
            Cut::Smart { first, frames, key } => {
                assert!((first - 5.32).abs() < 1e-9 && frames == 17 && key == 6.0);
            }
            other => panic!("{other:?}"),
        }
        // No keyframe before the end: all of it is re-encoded.
        assert_eq!(s.cut(6.5, 7.9), Cut::Reencode);
        let mut vp9 = s.clone();
        vp9.codec = "vp9".into();
        assert_eq!(vp9.cut(4.0, 9.0), Cut::Reencode);
    }
}
