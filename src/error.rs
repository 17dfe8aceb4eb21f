//! Errors a user must act on.
//!
//! Every variant says what went wrong *and* where (file, line, field or command), so the
//! message alone is enough to fix the input. [`Error::exit_code`] separates bad input
//! (exit status 2: the user must change something they gave us) from failures (exit
//! status 1: something broke while doing the work).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the user named is missing, unreadable or unusable.
    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },

    /// Another published webinar already has this webinar's slug (folder).
    #[error("{0}")]
    SlugTaken(SlugTaken),

    /// A line of an input file could not be understood.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A configuration key is missing, unknown or has a bad value.
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },

    /// The inputs are each valid but do not fit together (agenda longer than the recording, ...).
    #[error("{0}")]
    Mismatch(String),

    /// Something inside eventcast failed that no input caused (a worker thread or task that
    /// panicked, a built-in script that does not fit together): exit status 1.
    #[error("{0}")]
    Internal(String),

    /// Talks or wrap-ups whose speaker could not be found in the recording: nothing is cut,
    /// because publishing the webinar without them would lose them silently.
    #[error(
        "{}\nNothing was encoded or published. For each, either add a cue sheet line with the \
         time they start speaking (--cues, e.g. `12:40 {}`), or, if they did not speak, mark \
         the item `skip = true` in the agenda (an agenda.toml; `eventcast agenda import PAGE` \
         writes one from an event page).",
        .missing.join("\n"),
        .example
    )]
    SpeakerMissing {
        /// One line per item: who, which item, what evidence was searched.
        missing: Vec<String>,
        /// A name to show in the cue sheet example.
        example: String,
    },

    /// A program eventcast needs is not installed.
    #[error("`{tool}` was not found on PATH: {hint}")]
    ToolMissing { tool: String, hint: String },

    /// An external program failed.
    #[error(
        "{tool} failed ({status}): {command}\n--- last lines of its output ---\n{stderr_tail}"
    )]
    Process {
        tool: String,
        status: String,
        command: String,
        stderr_tail: String,
    },

    /// A page could not be fetched (no answer, a server error): worth trying again.
    #[error("{url}: {message}")]
    Fetch { url: String, message: String },

    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The run was asked to stop (SIGINT/SIGTERM) before this work started.
    #[error("interrupted before it finished: run the same command again to resume")]
    Interrupted,

    /// The site failed its check (feed, artwork, chapters, transcripts, links); the list
    /// names each problem's file.
    #[error("{context}:\n  - {}", .problems.join("\n  - "))]
    Check {
        context: String,
        problems: Vec<String>,
    },

    /// Rendering a template failed; the message names the template and line.
    #[error("template error: {0}")]
    Template(String),

    /// The publish target refused or could not be reached before any work started
    /// (wrong credentials, unknown bucket, unreachable host, missing variable).
    #[error("publish target {target}: {problem}")]
    Target { target: String, problem: String },

    /// A bucket inbox could not be listed or read, or a webinar's lease in it written.
    #[error("inbox {inbox}: {problem}")]
    Inbox { inbox: String, problem: String },

    /// The publish target failed while publishing (after retries, for transient failures).
    #[error("publish target {target}: {message}")]
    Remote { target: String, message: String },

    /// Publishing stopped part-way; the previously published site is still consistent.
    #[error(
        "publish target {target}: {reason}\nNot published ({}): {}\nThe site as published before is intact; run again to finish.",
        not_published.len(), not_published.join(", ")
    )]
    Unpublished {
        target: String,
        reason: String,
        not_published: Vec<String>,
    },
}

impl From<SlugTaken> for Error {
    fn from(e: SlugTaken) -> Self {
        Error::SlugTaken(e)
    }
}

impl Error {
    /// 2 for input the user must fix, 1 for failures while doing the work.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input { .. }
            | Error::Parse { .. }
            | Error::Config { .. }
            | Error::Mismatch(_)
            | Error::SpeakerMissing { .. }
            | Error::SlugTaken(_)
            | Error::Target { .. } => 2,
            Error::Interrupted => crate::signals::EXIT_INTERRUPTED,
            _ => 1,
        }
    }

    /// The message without the "publish target X:" a target's errors start with, for
    /// messages that name the target themselves.
    pub fn detail(&self) -> String {
        match self {
            Error::Target { problem, .. } => problem.clone(),
            Error::Remote { message, .. } => message.clone(),
            e => e.to_string(),
        }
    }

    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Read a whole text file, naming it in the error.
pub fn read_text(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(path, "file not found: check the path"),
        std::io::ErrorKind::InvalidData => Error::input(path, "not a UTF-8 text file"),
        _ => Error::io(path, e),
    })
}

/// The 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Two different webinars would be published under one slug (folder): the published one
/// would be replaced and its files overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct SlugTaken {
    pub slug: String,
    /// "title" (date) of the webinar published there.
    pub published: String,
    /// "title" (date) of the one that would replace it.
    pub incoming: String,
}

impl std::fmt::Display for SlugTaken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "webinar {} would be published as {}, the folder of another published webinar, {}: \
             a slug is the date and the first 60 characters of the title. Make the titles differ \
             in their beginning (or correct the date), or take the published one out first with \
             `eventcast remove {}`",
            self.incoming, self.slug, self.published, self.slug
        )
    }
}
