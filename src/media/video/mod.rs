//! Video: an optional clip (MP4) and poster frame (JPEG) per episode, for the summary page.
//!
//! Re-encoding an hour of video costs far more than everything else eventcast does, and
//! loses quality, so the picture is *copied* wherever the cut points allow: a stream copy
//! can only start on a keyframe. Keyframes are found once per recording by demuxing
//! (ffprobe's packet flags, no decoding). A clip that starts on a keyframe (within a
//! frame) is copied whole; otherwise only the frames from its start to the next keyframe
//! are re-encoded (H.264, the source's size and pixel format, its frame times kept) and the
//! rest is copied, and the two parts are joined by ffmpeg's concat demuxer. Its automatic
//! `h264_mp4toannexb` conversion puts each part's parameter sets in-band before its
//! keyframe, so a decoder switches from the head's SPS/PPS to the source's cleanly; every
//! packet after that keyframe is the source's, byte for byte. Sources that are not H.264
//! (or clips with no keyframe inside) are re-encoded whole, and [`Method`] says so.
//!
//! The clip's sound is the audio episode's: the same decoded WAV, the same gain, limiter
//! and fades ([`super::episode_filters`]), encoded as AAC, so it sounds like the episode.
//! The poster is one frame a few seconds in, decoded with an input-side seek, so only that
//! frame's GOP is decoded. Nothing here runs unless `output.video_clips` is on.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod source;

pub use source::{Cut, Source};

use super::Episode;
use crate::args;
use crate::config::Output;
use crate::error::{Error, Result};

pub const MIME: &str = crate::mime::MP4;
pub const POSTER_MIME: &str = crate::mime::JPEG;
/// Widest poster, in pixels (narrower recordings keep their width).
pub const POSTER_MAX_WIDTH: u32 = 1280;
/// Where the poster frame is taken, in seconds into the episode (the middle of shorter ones).
const POSTER_AT: f64 = 5.0;
/// Bump when the way clips are made changes, so finished clips of older runs are remade.
const CLIP_VERSION: &str = "clip-1";

/// How a clip's picture was made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Stream copy of the whole span: it starts on a keyframe.
    Copied,
    /// The first `reencoded` seconds (up to the first keyframe) re-encoded, the rest copied.
    SmartCut { reencoded: f64 },
    /// Re-encoded whole (a codec other than H.264, or no keyframe inside the clip).
    Reencoded,
}

/// A finished clip and its poster, beside the episode's audio file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// e.g. "talk-1-natalia-currea-dereser.mp4".
    pub file_name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub duration: f64,
    #[serde(flatten)]
    pub method: Method,
    /// e.g. "talk-1-natalia-currea-dereser.jpg".
    pub poster_name: String,
    pub poster: PathBuf,
    pub poster_bytes: u64,
    pub poster_width: u32,
    pub poster_height: u32,
}

/// The encoder settings of a re-encoded part: H.264 in the source's size and pixel format.
fn h264_args(source: &Source) -> Vec<OsString> {
    let mut a = args!["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-bf", "0"];
    let profile = match source.profile.as_deref() {
        Some(p) if p.contains("Baseline") => Some("baseline"),
        Some("Main") => Some("main"),
        Some("High") => Some("high"),
        _ => None,
    };
    if source.codec == "h264" {
        if let Some(p) = profile {
            a.extend(args!["-profile:v", p]);
        }
    }
    if let Some(f) = source.pix_fmt.as_deref().filter(|f| f.starts_with("yuv")) {
        a.extend(args!["-pix_fmt", f]);
    }
    if let Some(ts) = source.timescale {
        a.extend(args!["-video_track_timescale", ts.to_string()]);
    }
    a
}

/// A file beside the concat demuxer's list, quoted its way. The demuxer resolves names
/// from the list's folder, so the bare file name is what works for any work folder.
fn concat_entry(path: &Path) -> String {
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy();
    format!("file '{}'\n", name.replace('\'', "'\\''"))
}

/// Make (or keep, when an earlier run finished it) the clip and poster of `ep`, whose
/// audio is `audio_filters` applied to `wav` from `ep.start` to `ep.end`.
pub fn make(
    source: &Source,
    ep: &Episode,
    audio_filters: &[String],
    wav: &Path,
    profile: &Output,
    dir: &Path,
) -> Result<Clip> {
    let stem = ep
        .file_name
        .rsplit_once('.')
        .map_or(ep.file_name.as_str(), |(s, _)| s);
    let file_name = format!("{stem}.mp4");
    let poster_name = format!("{stem}.jpg");
    let (path, poster) = (dir.join(&file_name), dir.join(&poster_name));
    let made_from = crate::key::of(&(
        CLIP_VERSION,
        ep,
        audio_filters,
        wav,
        profile,
        &source.identity,
    ));
    let sidecar = dir.join(format!(".{file_name}.done.json"));
    if let Some((_, clip)) = std::fs::read_to_string(&sidecar)
        .ok()
        .and_then(|t| serde_json::from_str::<(String, Clip)>(&t).ok())
        .filter(|(key, c)| *key == made_from && c.path.is_file() && c.poster.is_file())
    {
        tracing::info!("{file_name} was already made: keeping it");
        return Ok(clip);
    }
    let scratch = |what: &str| dir.join(format!(".{stem}.{what}"));
    let (head, tail, list) = (
        scratch("head.mp4"),
        scratch("tail.mp4"),
        scratch("concat.txt"),
    );
    let (partial, partial_poster) = (scratch("partial.mp4"), scratch("partial.jpg"));
    let result = cut_clip(
        source,
        ep,
        audio_filters,
        wav,
        profile,
        [&head, &tail, &list, &partial],
    )
    .and_then(|method| {
        poster_frame(source, ep, &partial_poster)?;
        std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
        std::fs::rename(&partial_poster, &poster).map_err(|e| Error::io(&poster, e))?;
        Ok(method)
    });
    for f in [&head, &tail, &list] {
        let _ = std::fs::remove_file(f);
    }
    let method = match result {
        Ok(m) => m,
        Err(e) => {
            // Nothing half-done.
            for f in [&partial, &partial_poster, &path, &poster] {
                let _ = std::fs::remove_file(f);
            }
            return Err(e);
        }
    };
    let bytes = |p: &Path| std::fs::metadata(p).map(|m| m.len());
    let poster_bytes = std::fs::read(&poster).map_err(|e| Error::io(&poster, e))?;
    let size = imagesize::blob_size(&poster_bytes).map_err(|e| {
        Error::input(
            &poster,
            format!("the poster ffmpeg wrote is unreadable: {e}"),
        )
    })?;
    let clip = Clip {
        bytes: bytes(&path).map_err(|e| Error::io(&path, e))?,
        duration: crate::ffmpeg::probe(&path)?.duration,
        file_name,
        path,
        method,
        poster_name,
        poster_bytes: poster_bytes.len() as u64,
        poster,
        poster_width: size.width as u32,
        poster_height: size.height as u32,
    };
    match clip.method {
        Method::Copied => tracing::info!("{}: picture copied", clip.file_name),
        Method::SmartCut { reencoded } => tracing::info!(
            "{}: first {reencoded:.2} s of picture re-encoded, the rest copied",
            clip.file_name
        ),
        Method::Reencoded => tracing::info!(
            "{}: picture re-encoded whole ({} source or no keyframe inside the clip)",
            clip.file_name,
            source.codec
        ),
    }
    let record = serde_json::to_string(&(&made_from, &clip)).expect("clips serialise");
    std::fs::write(&sidecar, record).map_err(|e| Error::io(&sidecar, e))?;
    Ok(clip)
}

/// Write the clip into `partial`, using `head`, `tail` and `list` as scratch files.
fn cut_clip(
    source: &Source,
    ep: &Episode,
    audio_filters: &[String],
    wav: &Path,
    profile: &Output,
    [head, tail, list, partial]: [&PathBuf; 4],
) -> Result<Method> {
    let (start, end) = (ep.start, ep.end);
    let length = (end - start).max(0.0);
    let rec = &source.path;
    // Copy from keyframe `key` to the end: seeking half a frame past it lands on it, and
    // the shift to zero keeps it (a negative time would mark it "discard").
    let copy_tail = |key: f64| {
        let from = key + source.frame_duration / 2.0;
        crate::ffmpeg::run(
            args![
                "-ss",
                format!("{from:.6}"),
                "-i",
                rec,
                "-t",
                format!("{:.6}", (end - from).max(0.0)),
                "-map",
                "0:V:0",
                "-c",
                "copy",
                "-avoid_negative_ts",
                "make_zero",
                "-map_metadata",
                "-1",
                "-f",
                "mp4",
                tail
            ],
            None,
        )
    };
    let (mut video_in, video_codec, method) = match source.cut(start, end) {
        Cut::Copy { from } => {
            copy_tail(from)?;
            (args!["-i", tail], args!["-c:v", "copy"], Method::Copied)
        }
        Cut::Smart { first, frames, key } => {
            let mut a = args![
                "-ss",
                format!("{start:.6}"),
                "-i",
                rec,
                "-map",
                "0:V:0",
                "-frames:v",
                frames.to_string(),
                "-fps_mode",
                "passthrough",
                "-map_metadata",
                "-1",
            ];
            a.extend(h264_args(source));
            a.extend(args!["-f", "mp4", head]);
            crate::ffmpeg::run(a, None)?;
            copy_tail(key)?;
            let text = format!(
                "ffconcat version 1.0\n{}duration {:.6}\n{}",
                concat_entry(head),
                key - first,
                concat_entry(tail)
            );
            std::fs::write(list, text).map_err(|e| Error::io(list, e))?;
            (
                args!["-f", "concat", "-safe", "0", "-i", list],
                args!["-c:v", "copy"],
                Method::SmartCut {
                    reencoded: ((key - first) * 1000.0).round() / 1000.0,
                },
            )
        }
        Cut::Reencode => (
            args![
                "-ss",
                format!("{start:.6}"),
                "-t",
                format!("{length:.6}"),
                "-i",
                rec
            ],
            h264_args(source),
            Method::Reencoded,
        ),
    };
    video_in.extend(args![
        "-ss",
        format!("{start:.3}"),
        "-t",
        format!("{length:.3}"),
        "-i",
        wav,
        "-map",
        "0:V:0",
        "-map",
        "1:a:0",
        "-map_metadata",
        "-1",
        "-t",
        format!("{length:.3}"),
    ]);
    video_in.extend(video_codec);
    video_in.extend(args![
        "-af",
        audio_filters.join(","),
        "-c:a",
        "aac",
        "-b:a",
        format!("{}k", profile.bitrate_kbps),
        "-ac",
        profile.channels.to_string(),
        "-ar",
        profile.sample_rate.to_string(),
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        partial
    ]);
    crate::ffmpeg::run(video_in, None)?;
    Ok(method)
}

/// One frame a few seconds into the episode, at most [`POSTER_MAX_WIDTH`] wide, as JPEG.
fn poster_frame(source: &Source, ep: &Episode, out: &Path) -> Result<()> {
    let at = ep.start + POSTER_AT.min((ep.end - ep.start) / 2.0);
    crate::ffmpeg::run(
        args![
            "-ss",
            format!("{at:.3}"),
            "-i",
            &source.path,
            "-map",
            "0:V:0",
            "-frames:v",
            "1",
            "-vf",
            format!("scale='min({POSTER_MAX_WIDTH},iw)':-2"),
            "-q:v",
            "3",
            "-map_metadata",
            "-1",
            "-f",
            "image2",
            "-c:v",
            "mjpeg",
            out
        ],
        None,
    )?;
    Ok(())
}
