//! The one decode of the recording.
//!
//! Decoding an hour of AAC (and demuxing it out of a video file) is the most expensive
//! thing we do to the input, so it happens once: a single ffmpeg pass writes a PCM WAV at
//! the output profile's rate for the encoders and a 16 kHz mono copy for analysis. Video
//! is never decoded (only the audio stream is mapped). The loudness of the whole recording
//! ([`crate::ingest::loudness`]) and its 10 ms envelope ([`crate::ingest::envelope`]) are
//! measured on the other core while ffmpeg decodes, by following the files as they are
//! written, and kept for the plan and media stages.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::args;
use crate::config::Output;
use crate::error::Result;
use crate::ffmpeg;
use crate::ingest::envelope::Envelope;
use crate::ingest::loudness::Blocks;
use crate::progress::Progress;

/// Sample rate of the analysis copy.
pub const ANALYSIS_RATE: u32 = 16_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecodedAudio {
    /// PCM WAV at the profile's rate and channels: what episodes are cut from.
    pub wav: PathBuf,
    /// Raw signed 16-bit little-endian mono PCM at [`ANALYSIS_RATE`]: what analysis reads.
    pub analysis: PathBuf,
    /// The loudness blocks of `wav` ([`crate::ingest::loudness::Blocks`], JSON).
    pub loudness: PathBuf,
    /// The 10 ms envelope of `analysis` ([`crate::ingest::envelope::Envelope`]).
    pub envelope: PathBuf,
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
    let loudness = work.join("loudness.json");
    let envelope = work.join("envelope.u8");
    // The followers must not read an old file before ffmpeg replaces it.
    let _ = std::fs::remove_file(&wav);
    let _ = std::fs::remove_file(&analysis);
    let progress = Progress::new("decoding audio", duration);
    let done = Arc::new(AtomicBool::new(false));
    let loudness_meter = follow(&wav, &done, Blocks::measure_wav);
    let envelope_meter = follow(&analysis, &done, Envelope::measure);
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
    done.store(true, Ordering::Release);
    let (blocks, levels) = (joined(loudness_meter), joined(envelope_meter));
    let checked = result
        .map_err(|e| match e {
            crate::Error::Process { stderr_tail, .. } => crate::Error::input(
                recording,
                format!("its audio could not be decoded; the file may be damaged:\n{stderr_tail}"),
            ),
            e => e,
        })
        .and_then(|log| check_complete(recording, duration, profile, &wav, &log))
        .and_then(|_| {
            blocks?.save(&loudness)?;
            levels?.save(&envelope)
        });
    if let Err(e) = checked {
        // Nothing half-done: a partial decode must not be picked up by a later run.
        let _ = std::fs::remove_file(&wav);
        let _ = std::fs::remove_file(&analysis);
        let _ = std::fs::remove_file(&loudness);
        let _ = std::fs::remove_file(&envelope);
        return Err(e);
    }
    Ok(DecodedAudio {
        wav,
        analysis,
        loudness,
        envelope,
        duration,
    })
}

/// Measure `path` with `measure` on another thread while ffmpeg writes it.
fn follow<T: Send + 'static>(
    path: &Path,
    done: &Arc<AtomicBool>,
    measure: fn(Follow, &Path) -> Result<T>,
) -> std::thread::JoinHandle<Result<T>> {
    let (path, done) = (path.to_path_buf(), done.clone());
    let span = tracing::Span::current();
    std::thread::spawn(move || {
        let _span = span.enter();
        measure(Follow::open(&path, done)?, &path)
    })
}

fn joined<T>(meter: std::thread::JoinHandle<Result<T>>) -> Result<T> {
    meter
        .join()
        .unwrap_or_else(|_| Err(crate::Error::Internal("an audio meter failed".into())))
}

/// Reads a file another process is still writing: at the end of what is there so far it
/// waits for more, until `done` says the writer has finished.
struct Follow {
    file: std::fs::File,
    done: Arc<AtomicBool>,
}

const FOLLOW_POLL: Duration = Duration::from_millis(20);

impl Follow {
    fn open(path: &Path, done: Arc<AtomicBool>) -> Result<Follow> {
        loop {
            let finished = done.load(Ordering::Acquire);
            match std::fs::File::open(path) {
                Ok(file) => return Ok(Follow { file, done }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !finished => {
                    std::thread::sleep(FOLLOW_POLL)
                }
                Err(e) => return Err(crate::Error::io(path, e)),
            }
        }
    }
}

impl Read for Follow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            // Looked at before reading: an empty read after the writer finished is the end.
            let finished = self.done.load(Ordering::Acquire);
            let n = self.file.read(buf)?;
            if n > 0 || finished || buf.is_empty() {
                return Ok(n);
            }
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

/// Seconds of decoded audio may fall short of the probed length by this much (container
/// durations are rounded, encoders pad) before we call the stream broken.
const SHORT_DECODE_TOLERANCE: f64 = 1.0;

/// ffmpeg keeps going (exit 0) past a damaged stretch of audio or a truncated file, so
/// compare what came out with what the container promised, and name the decoder's errors.
fn check_complete(
    recording: &Path,
    duration: f64,
    profile: &Output,
    wav: &Path,
    log: &ffmpeg::Log,
) -> Result<()> {
    let bytes = std::fs::metadata(wav)
        .map_err(|e| crate::Error::io(wav, e))?
        .len();
    let per_second = profile.sample_rate as f64 * profile.channels as f64 * 2.0;
    let decoded = bytes.saturating_sub(44) as f64 / per_second;
    if decoded + SHORT_DECODE_TOLERANCE.max(duration * 0.002) >= duration {
        if let Some(first) = &log.first_error {
            tracing::warn!(
                "{}: ffmpeg reported {} decoding error(s) but decoded the whole length; \
                 listen for glitches (first: {})",
                recording.display(),
                log.errors,
                first.trim()
            );
        }
        return Ok(());
    }
    let detail = match &log.first_error {
        Some(first) => format!(" ffmpeg said: {}", first.trim()),
        None => String::new(),
    };
    Err(crate::Error::input(
        recording,
        format!(
            "its audio stops decoding at {} of {}: the file is damaged or incomplete.{detail}\n\
             Export or download the recording again; nothing was produced from this one.",
            crate::timecode::clock(decoded),
            crate::timecode::clock(duration)
        ),
    ))
}
