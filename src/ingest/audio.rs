//! The one decode of the recording.
//!
//! Decoding an hour of AAC (and demuxing it out of a video file) is the most expensive
//! thing we do to the input, so it happens once: a single ffmpeg pass writes a PCM WAV at
//! the output profile's rate for the encoders and a 16 kHz mono copy for analysis. Video
//! is never decoded (only the audio stream is mapped).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::args;
use crate::config::Output;
use crate::error::Result;
use crate::ffmpeg;
use crate::progress::Progress;

/// Sample rate of the analysis copy.
pub const ANALYSIS_RATE: u32 = 16_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecodedAudio {
    /// PCM WAV at the profile's rate and channels: what episodes are cut from.
    pub wav: PathBuf,
    /// Raw signed 16-bit little-endian mono PCM at [`ANALYSIS_RATE`]: what analysis reads.
    pub analysis: PathBuf,
    pub duration: f64,
}

/// Decode the first audio stream of `recording` into `work`.
pub fn decode(
    recording: &Path,
    duration: f64,
    profile: &Output,
    work: &Path,
) -> Result<DecodedAudio> {
    let wav = work.join("audio.wav");
    let analysis = work.join("analysis.s16");
    let progress = Progress::new("decoding audio", duration);
    let result = ffmpeg::run(
        args![
            "-i",
            recording,
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            profile.channels.to_string(),
            "-ar",
            profile.sample_rate.to_string(),
            "-c:a",
            "pcm_s16le",
            "-rf64",
            "auto",
            &wav,
            "-map",
            "0:a:0",
            "-vn",
            "-ac",
            "1",
            "-ar",
            ANALYSIS_RATE.to_string(),
            "-f",
            "s16le",
            &analysis,
        ],
        Some(&progress),
    );
    progress.finish();
    result.map_err(|e| match e {
        crate::Error::Process { stderr_tail, .. } => crate::Error::input(
            recording,
            format!("its audio could not be decoded; the file may be damaged:\n{stderr_tail}"),
        ),
        e => e,
    })?;
    Ok(DecodedAudio {
        wav,
        analysis,
        duration,
    })
}
