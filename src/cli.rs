//! The command line: what each subcommand takes, and the rules shared by all of them
//! (where pipeline.toml is found, when colour is used, what goes to standard output).
//!
//! Flags used by several subcommands are declared once, in the small `Args` structs below,
//! and flattened into each subcommand under a help heading, so `eventcast run --help`
//! shows the command's own options apart from the shared ones.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use eventcast::review::Hold;

#[derive(Parser)]
#[command(
    name = "eventcast",
    version,
    about = "Turn a webinar recording and its agenda into podcast episodes, a feed and a summary page"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes: how much is logged, and how.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// More detail in the log (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only warnings and errors; no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log lines as text for people, or one JSON object per line for machines.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Colour in the log: `auto` colours on a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to colour a stream that is (or is not) a terminal, given `NO_COLOR`'s value.
    /// An explicit `--color always` wins over NO_COLOR, as no-color.org asks.
    pub fn enabled(self, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }

    /// Whether to colour what goes to standard error (the log, progress bars).
    pub fn stderr(self) -> bool {
        self.enabled(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        )
    }
}

/// The settings file (what to produce). Found as described in [`discover`].
#[derive(Args)]
#[command(next_help_heading = "Settings")]
pub struct ConfigArgs {
    /// pipeline.toml with the series, output profile and target [default: pipeline.toml in
    /// this folder or a parent folder, else $EVENTCAST_CONFIG].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Where the site is published, overriding the settings.
#[derive(Args)]
#[command(next_help_heading = "Settings")]
pub struct OutArgs {
    /// Publish into this folder, whatever pipeline.toml's target says.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The work folder: stage results, fetched pages and locks, so a re-run resumes.
#[derive(Args)]
#[command(next_help_heading = "Running")]
pub struct WorkArgs {
    /// Folder where stage results (and fetched event pages) are kept so a re-run resumes.
    #[arg(long, value_name = "DIR", default_value = ".eventcast-work")]
    pub work: PathBuf,
}

#[derive(Args)]
#[command(next_help_heading = "Running")]
pub struct JobsArgs {
    /// ffmpeg processes at once [default: number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

impl JobsArgs {
    pub fn get(&self) -> usize {
        self.jobs.unwrap_or_else(eventcast::pipeline::default_jobs)
    }
}

#[derive(Args)]
#[command(next_help_heading = "Running")]
pub struct DryRunArgs {
    /// Say what would be uploaded, changed or left alone on the target; upload nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
#[command(next_help_heading = "Running")]
pub struct HoldArgs {
    /// Which webinars wait for a person before they are published, whatever
    /// pipeline.toml's `review.hold` says; `--hold never` publishes as planned.
    #[arg(long, value_enum)]
    pub hold: Option<Hold>,
}

/// What `run` and `batch` share: the settings, where to publish and work, and how.
#[derive(Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub work: WorkArgs,
    #[command(flatten)]
    pub jobs: JobsArgs,
    #[command(flatten)]
    pub dry_run: DryRunArgs,
    #[command(flatten)]
    pub hold: HoldArgs,
}

impl PublishArgs {
    /// The session these flags open, with pipeline.toml as found (publishing is refused
    /// without one).
    pub fn session(self) -> anyhow::Result<eventcast::pipeline::SessionOptions> {
        Ok(eventcast::pipeline::SessionOptions {
            config: Some(require_config(self.config.config.as_deref())?),
            out: self.out.out,
            work: self.work.work,
            jobs: self.jobs.get(),
            dry_run: self.dry_run.dry_run,
            hold: self.hold.hold,
        })
    }
}

/// One webinar's input files.
#[derive(Args)]
#[command(next_help_heading = "Inputs")]
pub struct InputArgs {
    /// The webinar recording: any file ffmpeg reads (MP4, M4A, MP3, WAV, ...).
    #[arg(long, value_name = "FILE")]
    pub recording: PathBuf,
    /// The agenda: agenda.toml, or the event page as published (.md, .html, or its
    /// https:// address, fetched once and kept in the work folder).
    #[arg(long, value_name = "FILE|URL")]
    pub agenda: PathBuf,
    /// A transcript (WebVTT or SRT) with speaker names.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// A cue sheet: one `HH:MM:SS name-or-title` line per speaker or item.
    #[arg(long, value_name = "FILE")]
    pub cues: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Cut, encode, render and publish one webinar.
    Run {
        /// Print the report (plan, episodes, files published) as JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        publish: PublishArgs,
    },
    /// Show where each agenda item lies in the recording.
    Plan {
        /// Print the plan as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write the review page (timeline, a player and buttons per cut, the cue
        /// sheet) to this HTML file, with the audio excerpts in a folder next to it.
        #[arg(long, value_name = "FILE.html")]
        review: Option<PathBuf>,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        work: WorkArgs,
    },
    /// Publish a webinar held for review, with the cuts of the review page's cue sheet.
    ///
    /// Only what the cue sheet changed is cut and encoded again; the audio is not decoded
    /// again. The held run's pipeline.toml and target are used. Exit status as for `run`.
    Release {
        /// The held webinar, e.g. 2026-11-20-innovation-in-difficult-times (the run or
        /// batch that held it printed it, with this command).
        slug: String,
        /// The cue sheet copied from the review page, when a cut was moved.
        #[arg(long, value_name = "FILE")]
        cues: Option<PathBuf>,
        /// Print the report (plan, episodes, files published) as JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        work: WorkArgs,
        #[command(flatten)]
        jobs: JobsArgs,
    },
    /// Work with agendas.
    Agenda {
        #[command(subcommand)]
        command: AgendaCommand,
    },
    /// Publish every new or changed webinar in an inbox (for scheduled jobs).
    ///
    /// Each subfolder of the inbox (or prefix of a bucket inbox) is one webinar: a recording
    /// (.mp4, .m4a, .mp3, .wav, ...), an agenda (agenda.toml, or the event page as .md/.html)
    /// and optionally a transcript (.vtt/.srt) and a cue sheet (cues.txt). Exit status: 0 all
    /// done or nothing to do, 1 one or more failed, 2 bad inbox or config, 3 one or more held
    /// for review (none failed), 130 interrupted.
    Batch {
        /// The inbox: a folder holding one subfolder per webinar, or a bucket prefix holding
        /// one prefix per webinar (`s3://bucket/prefix/`, reached with the S3 target's
        /// endpoint and the AWS_* credentials in the environment).
        #[arg(long, value_name = "DIR|S3-URL")]
        inbox: String,
        /// Only the webinars of shard I of N (0-based), chosen by a hash of each webinar's
        /// folder name: run N batches with 0/N ... N-1/N (a Kubernetes Indexed Job passes
        /// `$(JOB_COMPLETION_INDEX)/N`) and each webinar is made by exactly one.
        #[arg(long, value_name = "I/N")]
        shard: Option<eventcast::batch::Shard>,
        /// After this shard, help with the others; wait for webinars that other runs hold
        /// until they are done, or take them over when their holder's lease expires.
        #[arg(long)]
        steal: bool,
        /// How long a bucket inbox's claim on a webinar lasts when its holder stops renewing
        /// it (a machine that died): then another run takes the webinar over.
        #[arg(long, value_name = "SECONDS", default_value_t = eventcast::batch::LEASE.as_secs())]
        lease: u64,
        #[command(flatten)]
        publish: PublishArgs,
    },
    /// Check a published site.
    ///
    /// Feed tags, enclosure lengths, artwork, chapters, transcripts, links between pages and temporary files left by stopped runs; when the
    /// site's address can be reached from here, also that the web server serves every URL
    /// the feed links to. Exit status 1 lists every problem; 2 when DIR is not a folder.
    Check {
        /// The published folder (where feed.xml is).
        dir: PathBuf,
    },
    /// Take a webinar out of the series.
    ///
    /// The feed, index and catalog are published without it, then its folder (episodes, page, chapters, transcripts) is deleted.
    Remove {
        /// The webinar's folder name in the site, e.g. 2026-11-20-innovation-in-difficult-times.
        webinar: String,
        #[command(flatten)]
        config: ConfigArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Write a commented pipeline.toml to start from.
    ///
    /// With --templates, also the built-in templates, to restyle the feed and pages.
    Init {
        /// The folder to write into (made if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write the built-in templates into DIR/templates/ and point pipeline.toml
        /// at them.
        #[arg(long)]
        templates: bool,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Make a sample webinar with synthetic voices and publish it into a local folder.
    ///
    /// The demo uses its own settings: no pipeline.toml is read.
    Demo {
        /// Folder for the demo's inputs and site.
        #[arg(long, value_name = "DIR", default_value = "eventcast-demo")]
        out: PathBuf,
    },
    /// Print the completion script for a shell.
    ///
    /// For example:
    /// `eventcast completions bash > ~/.local/share/bash-completion/completions/eventcast`.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand)]
pub enum AgendaCommand {
    /// Print the agenda.toml equivalent of an event page (Markdown or HTML) for review.
    ///
    /// Lines of the page's agenda that gave nothing are printed first, as comments.
    Import {
        /// The event page: a file, or its address (https://...), fetched once and kept
        /// in the work folder.
        file: PathBuf,
        #[command(flatten)]
        work: WorkArgs,
    },
}

// ---- pipeline.toml discovery ----

/// The file pipeline.toml is looked for under, in the current folder and its parents.
pub const CONFIG_FILE: &str = "pipeline.toml";
/// The environment variable naming pipeline.toml when none is found by folder.
pub const CONFIG_ENV: &str = "EVENTCAST_CONFIG";

/// The settings file in use, and how it was found.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub how: How,
}

#[derive(Debug, PartialEq, Eq)]
pub enum How {
    Flag,
    Folder,
    Env,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.how {
            How::Flag => "given with --config".to_string(),
            How::Folder => "found by folder".to_string(),
            How::Env => format!("named by {CONFIG_ENV}"),
        };
        write!(f, "{} ({how})", self.path.display())
    }
}

/// pipeline.toml as zola finds its config: `--config FILE`; else pipeline.toml in `cwd` or
/// the nearest parent folder holding one; else the file `env` (EVENTCAST_CONFIG) names.
/// None when none of these gives a file.
pub fn discover(flag: Option<&Path>, cwd: &Path, env: Option<&std::ffi::OsStr>) -> Option<Found> {
    if let Some(path) = flag {
        return Some(Found {
            path: path.to_path_buf(),
            how: How::Flag,
        });
    }
    if let Some(dir) = cwd.ancestors().find(|d| d.join(CONFIG_FILE).is_file()) {
        return Some(Found {
            path: dir.join(CONFIG_FILE),
            how: How::Folder,
        });
    }
    env.filter(|v| !v.is_empty()).map(|v| Found {
        path: cwd.join(v),
        how: How::Env,
    })
}

/// [`discover`] from this process's folder and environment, logging which file is used.
pub fn find_config(flag: Option<&Path>) -> Option<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let found = discover(flag, &cwd, std::env::var_os(CONFIG_ENV).as_deref())?;
    tracing::info!("settings: {found}");
    Some(found.path)
}

/// pipeline.toml for a command that publishes: refused when none is found, rather than
/// publishing with the built-in example's address, e-mail and target.
pub fn require_config(flag: Option<&Path>) -> Result<PathBuf, BadInput> {
    find_config(flag).ok_or_else(|| {
        BadInput(format!(
            "no {CONFIG_FILE} found (no --config, none in this folder or a parent folder, \
             {CONFIG_ENV} not set): nothing is published with the built-in example settings. \
             Run `eventcast init` to write one and fill in the series, site address and \
             target, or pass --config FILE"
        ))
    })
}

/// Input the user must fix, found by the command line itself: exit status 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

// ---- standard output ----

/// Standard output was closed by its reader (`eventcast ... | head`): not a failure, the
/// reader has what it wanted, so the command ends quietly with status 0.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Write `text` to standard output. Every result the CLI prints goes through here, so a
/// closed pipe becomes [`StdoutClosed`] instead of `println!`'s panic.
pub fn out(text: impl fmt::Display) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => anyhow::Error::new(StdoutClosed),
            _ => anyhow::Error::new(e).context("writing to standard output"),
        })
}

/// A note for the person at the terminal, on standard error; a closed stderr is ignored.
pub fn note(text: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn config_flag_wins_then_nearest_folder_then_environment() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep = root.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        let env = Some(OsStr::new("/elsewhere/p.toml"));
        // Nothing by folder: the environment names it.
        assert_eq!(
            discover(None, &deep, env),
            Some(Found {
                path: "/elsewhere/p.toml".into(),
                how: How::Env
            })
        );
        assert_eq!(discover(None, &deep, Some(OsStr::new(""))), None);
        std::fs::write(root.join(CONFIG_FILE), "").unwrap();
        assert_eq!(
            discover(None, &deep, env).unwrap().path,
            root.join(CONFIG_FILE)
        );
        std::fs::write(root.join("a").join(CONFIG_FILE), "").unwrap();
        assert_eq!(
            discover(None, &deep, env).unwrap().path,
            root.join("a").join(CONFIG_FILE)
        );
        let flag = Path::new("mine.toml");
        assert_eq!(discover(Some(flag), &deep, env).unwrap().how, How::Flag);
    }

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(Color::Auto.enabled(true, None));
        assert!(Color::Auto.enabled(true, empty));
        assert!(!Color::Auto.enabled(true, set));
        assert!(!Color::Auto.enabled(false, None));
        assert!(Color::Always.enabled(false, set));
        assert!(!Color::Never.enabled(true, None));
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
