//! Running ffmpeg and ffprobe.
//!
//! Every process is checked: a failure carries the exit status, the command line and the
//! tail of what the tool printed, because "ffmpeg failed" alone helps nobody. A missing
//! binary is reported with the command that installs it.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use ffmpeg_sidecar::command::FfmpegCommand;
use ffmpeg_sidecar::event::{FfmpegEvent, LogLevel};

use crate::error::{Error, Result};
use crate::progress::Track;

const INSTALL_HINT: &str =
    "install it (on Debian/Ubuntu: `sudo apt-get install ffmpeg`) and try again";
const TAIL_LINES: usize = 20;

/// Fail early, with what to do, when ffmpeg or ffprobe is not installed.
pub fn require_tools() -> Result<()> {
    for tool in ["ffmpeg", "ffprobe"] {
        let found = Command::new(tool)
            .arg("-version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok();
        if !found {
            return Err(Error::ToolMissing {
                tool: tool.into(),
                hint: INSTALL_HINT.into(),
            });
        }
    }
    Ok(())
}

fn command_line(program: &str, args: &[OsString]) -> String {
    let mut s = program.to_string();
    for a in args {
        let a = a.to_string_lossy();
        s.push(' ');
        if a.contains(|c: char| c.is_whitespace() || c == '\'' || c == ';') {
            s.push('\'');
            s.push_str(&a.replace('\'', "'\\''"));
            s.push('\'');
        } else {
            s.push_str(&a);
        }
    }
    s
}

/// What ffmpeg printed, kept bounded: a long run must not grow our memory with the
/// recording (a filter such as `ebur128` can log ten lines per second of audio).
#[derive(Debug, Default)]
pub struct Log {
    /// The last lines printed, where filters put their summaries.
    pub last: Vec<String>,
    /// How many lines reported damage in the input (decoding errors, corrupt data).
    pub errors: usize,
    /// The first of those lines.
    pub first_error: Option<String>,
}

/// Lines of the log kept in [`Log::last`].
const LAST_LINES: usize = 64;

fn reports_damage(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.contains("error") || l.contains("invalid data") || l.contains("corrupt")
}

/// Run ffmpeg with `args` (inputs, filters, outputs; `-y` and log options are added).
/// Progress, when given, is advanced with the output time ffmpeg reports.
/// Returns what it logged, for callers that read a filter's report (ebur128, ...).
pub fn run(args: Vec<OsString>, progress: Option<&dyn Track>) -> Result<Log> {
    let mut cmd = FfmpegCommand::new();
    cmd.hide_banner().args(["-nostdin"]).args(&args).overwrite();
    let line = command_line("ffmpeg", &args);
    tracing::debug!(command = %line, "running ffmpeg");
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::ToolMissing {
            tool: "ffmpeg".into(),
            hint: INSTALL_HINT.into(),
        },
        _ => Error::Process {
            tool: "ffmpeg".into(),
            status: format!("could not start: {e}"),
            command: line.clone(),
            stderr_tail: String::new(),
        },
    })?;
    let mut log = Log::default();
    let mut last: VecDeque<String> = VecDeque::new();
    let mut tail: VecDeque<String> = VecDeque::new();
    let events = child.iter().map_err(|e| Error::Process {
        tool: "ffmpeg".into(),
        status: format!("could not read its output: {e}"),
        command: line.clone(),
        stderr_tail: String::new(),
    })?;
    for event in events {
        match event {
            FfmpegEvent::Progress(p) => {
                if let (Some(progress), Some(t)) = (progress, crate::timecode::parse(&p.time)) {
                    progress.set_position(t);
                }
            }
            FfmpegEvent::Log(level, msg) => {
                if matches!(level, LogLevel::Error | LogLevel::Fatal | LogLevel::Warning)
                    || tail.len() < TAIL_LINES
                {
                    tail.push_back(msg.clone());
                    if tail.len() > TAIL_LINES {
                        tail.pop_front();
                    }
                }
                if reports_damage(&msg) {
                    log.errors += 1;
                    log.first_error.get_or_insert_with(|| msg.clone());
                }
                if last.len() == LAST_LINES {
                    last.pop_front();
                }
                last.push_back(msg);
            }
            FfmpegEvent::Error(msg) => {
                tail.push_back(msg);
                if tail.len() > TAIL_LINES {
                    tail.pop_front();
                }
            }
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| Error::Process {
        tool: "ffmpeg".into(),
        status: format!("could not wait for it: {e}"),
        command: line.clone(),
        stderr_tail: String::new(),
    })?;
    if !status.success() {
        return Err(Error::Process {
            tool: "ffmpeg".into(),
            status: status.to_string(),
            command: line,
            stderr_tail: tail.into_iter().collect::<Vec<_>>().join("\n"),
        });
    }
    log.last = last.into();
    Ok(log)
}

/// Convenience: build an argument vector from anything string-like.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        vec![$(std::ffi::OsString::from($a)),*]
    };
}

/// What ffprobe says about a media file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Probe {
    /// Length in seconds.
    pub duration: f64,
    pub format: String,
    pub audio_streams: usize,
    pub video_streams: usize,
    /// Sample rate and channels of the first audio stream.
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
    /// Container tags (title, artist, ...), as ffprobe reports them.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

/// Probe a media file with ffprobe's JSON output.
pub fn probe(path: &Path) -> Result<Probe> {
    if !path.exists() {
        return Err(Error::input(path, "file not found: check the path"));
    }
    std::fs::File::open(path).map_err(|e| Error::input(path, format!("cannot be read: {e}")))?;
    let args = [
        OsString::from("-v"),
        "error".into(),
        "-print_format".into(),
        "json".into(),
        "-show_format".into(),
        "-show_streams".into(),
        path.as_os_str().to_owned(),
    ];
    let out = Command::new("ffprobe")
        .args(&args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::ToolMissing {
                tool: "ffprobe".into(),
                hint: INSTALL_HINT.into(),
            },
            _ => Error::io(path, e),
        })?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(Error::input(
            path,
            format!("not a media file ffmpeg can read ({})", msg.trim()),
        ));
    }
    parse_probe(&out.stdout).map_err(|m| Error::input(path, m))
}

fn parse_probe(json: &[u8]) -> std::result::Result<Probe, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(default)]
        streams: Vec<RawStream>,
        format: Option<RawFormat>,
    }
    #[derive(serde::Deserialize)]
    struct RawStream {
        codec_type: Option<String>,
        sample_rate: Option<String>,
        channels: Option<u32>,
        duration: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct RawFormat {
        format_name: Option<String>,
        duration: Option<String>,
        #[serde(default)]
        tags: std::collections::BTreeMap<String, String>,
    }
    let raw: Raw =
        serde_json::from_slice(json).map_err(|e| format!("ffprobe gave unreadable JSON: {e}"))?;
    let format = raw.format.ok_or("ffprobe found no container format")?;
    let audio: Vec<&RawStream> = raw
        .streams
        .iter()
        .filter(|s| s.codec_type.as_deref() == Some("audio"))
        .collect();
    let duration = format
        .duration
        .as_deref()
        .or_else(|| audio.first().and_then(|s| s.duration.as_deref()))
        .and_then(|d| d.parse::<f64>().ok())
        .ok_or("its duration is unknown (is the file complete?)")?;
    Ok(Probe {
        duration,
        format: format.format_name.unwrap_or_default(),
        audio_streams: audio.len(),
        video_streams: raw
            .streams
            .iter()
            .filter(|s| s.codec_type.as_deref() == Some("video"))
            .count(),
        sample_rate: audio
            .first()
            .and_then(|s| s.sample_rate.as_deref()?.parse().ok()),
        channels: audio.first().and_then(|s| s.channels),
        tags: format.tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_json() {
        let json = br#"{"streams":[{"codec_type":"video"},{"codec_type":"audio","sample_rate":"48000","channels":2}],
            "format":{"format_name":"mov,mp4","duration":"61.5","tags":{"title":"x"}}}"#;
        let p = parse_probe(json).unwrap();
        assert_eq!(
            (p.duration, p.audio_streams, p.video_streams, p.sample_rate),
            (61.5, 1, 1, Some(48000))
        );
    }
}
