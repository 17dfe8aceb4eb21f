//! The `eventcast` command line.
//!
//! Exit status: 0 success; 1 failure (in a batch: a webinar failed); 2 bad input;
//! 3 held for review: encoded but not published, waiting for `eventcast release` (in a
//! batch: one or more webinars are waiting, none failed); 130 interrupted.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use eventcast::pipeline::{self, RunOptions};
use eventcast::review::{self, Hold};
use eventcast::{demo, ingest::Agenda, Error};

#[derive(Parser)]
#[command(
    name = "eventcast",
    version,
    about = "Turn a webinar recording and its agenda into podcast episodes, a feed and a summary page"
)]
struct Cli {
    /// More detail in the log (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only warnings and errors; no progress bars.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Log lines as text for people, or one JSON object per line for machines.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cut, encode, render and publish one webinar.
    Run {
        #[command(flatten)]
        inputs: InputArgs,
        /// pipeline.toml with the series, output profile and target (default: built-in example).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Publish into this folder, whatever pipeline.toml's target says.
        #[arg(long)]
        out: Option<PathBuf>,
        /// ffmpeg processes at once (default: number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// List what would be uploaded, changed or left alone on the target; upload nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the report (plan, episodes, files published) as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Which webinars wait for a person before they are published, whatever
        /// pipeline.toml's `review.hold` says; `--hold never` publishes this one as planned.
        #[arg(long, value_enum)]
        hold: Option<Hold>,
    },
    /// Show where each agenda item lies in the recording.
    Plan {
        #[command(flatten)]
        inputs: InputArgs,
        /// Print the plan as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write the review page (timeline, a player and buttons per cut, the cue
        /// sheet) to this HTML file, with the audio excerpts in a folder next to it.
        #[arg(long, value_name = "FILE.html")]
        review: Option<PathBuf>,
    },
    /// Publish a webinar held for review, with the cuts of the review page's cue sheet.
    ///
    /// Only what the cue sheet changed is cut and encoded again; the audio is not decoded
    /// again. Exit status as for `run`.
    Release {
        /// The held webinar, e.g. 2026-11-20-innovation-in-difficult-times (the run or
        /// batch that held it printed it, with this command).
        slug: String,
        /// The cue sheet copied from the review page, when a cut was moved.
        #[arg(long)]
        cues: Option<PathBuf>,
        /// The work folder the held run used.
        #[arg(long, default_value = ".eventcast-work")]
        work: PathBuf,
        /// ffmpeg processes at once (default: number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Print the report (plan, episodes, files published) as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Work with agendas.
    Agenda {
        #[command(subcommand)]
        command: AgendaCommand,
    },
    /// Publish every new or changed webinar in an inbox folder (for scheduled jobs).
    ///
    /// Each subfolder of the inbox is one webinar: a recording (.mp4, .m4a, .mp3, .wav, ...),
    /// an agenda (agenda.toml, or the event page as .md/.html) and optionally a transcript
    /// (.vtt/.srt). Exit status: 0 all done or nothing to do, 1 one or more failed,
    /// 2 bad inbox or config, 3 one or more held for review (none failed), 130 interrupted.
    Batch {
        /// Folder holding one subfolder per webinar.
        #[arg(long)]
        inbox: PathBuf,
        /// pipeline.toml with the series, output profile and target (default: built-in example).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Publish into this folder, whatever pipeline.toml's target says.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Folder where stage results and locks are kept so a re-run resumes.
        #[arg(long, default_value = ".eventcast-work")]
        work: PathBuf,
        /// ffmpeg processes at once (default: number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Say what would be done, and do nothing.
        #[arg(long)]
        dry_run: bool,
        /// Which webinars wait for a person before they are published, whatever
        /// pipeline.toml's `review.hold` says; `--hold never` publishes them all as planned.
        #[arg(long, value_enum)]
        hold: Option<Hold>,
    },
    /// Check a published site: feed tags, enclosure lengths, artwork, chapters,
    /// transcripts, links between pages and temporary files left by stopped runs; when the
    /// site's address can be reached from here, also that the web server serves every URL
    /// the feed links to. Exit status 1 lists every problem.
    Check {
        /// The published folder (where feed.xml is).
        dir: PathBuf,
    },
    /// Take a webinar out of the series: feed, index and catalog are published without it,
    /// then its folder (episodes, page, chapters, transcripts) is deleted.
    Remove {
        /// The webinar's folder name in the site, e.g. 2026-11-20-innovation-in-difficult-times.
        webinar: String,
        /// pipeline.toml with the series and target (default: built-in example).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The published folder, whatever pipeline.toml's target says.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a sample webinar with synthetic voices and publish it into a local folder.
    Demo {
        /// Folder for the demo's inputs and site.
        #[arg(long, default_value = "eventcast-demo")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum AgendaCommand {
    /// Print the agenda.toml equivalent of an event page (Markdown or HTML) for review.
    ///
    /// Lines of the page's agenda that gave nothing are printed first, as comments.
    Import {
        /// The event page: a file, or its address (https://...), fetched once and kept
        /// in the work folder.
        file: PathBuf,
        /// Folder where a fetched page is kept, so a re-run reads the same page.
        #[arg(long, default_value = ".eventcast-work")]
        work: PathBuf,
    },
}

#[derive(Args)]
struct InputArgs {
    /// The webinar recording: any file ffmpeg reads (MP4, M4A, MP3, WAV, ...).
    #[arg(long)]
    recording: PathBuf,
    /// The agenda: agenda.toml, or the event page as published (.md, .html, or its
    /// https:// address, fetched once and kept in the work folder).
    #[arg(long)]
    agenda: PathBuf,
    /// A transcript (WebVTT or SRT) with speaker names.
    #[arg(long)]
    transcript: Option<PathBuf>,
    /// A cue sheet: one `HH:MM:SS name-or-title` line per speaker or item.
    #[arg(long)]
    cues: Option<PathBuf>,
    /// Folder where stage results are kept so a re-run resumes.
    #[arg(long, default_value = ".eventcast-work")]
    work: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    eventcast::progress::set_quiet(cli.quiet);
    match execute(cli.command) {
        Ok(status) => status,
        Err(e) => {
            let code = e.downcast_ref::<Error>().map(Error::exit_code).unwrap_or(1);
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    let level = match (quiet, verbose) {
        (true, _) => "warn",
        (_, 0) => "info",
        (_, 1) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("eventcast={level},warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr()) && format == LogFormat::Text,
        );
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_span_list(true)
            .init(),
    }
}

/// The async runtime, listening for SIGINT/SIGTERM (see `eventcast::signals`).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async { eventcast::signals::install() });
    Ok(rt)
}

fn execute(command: Command) -> anyhow::Result<ExitCode> {
    let mut status = ExitCode::SUCCESS;
    match command {
        Command::Run {
            inputs,
            config,
            out,
            jobs,
            dry_run,
            json,
            hold,
        } => {
            let agenda = agenda_source(&inputs.agenda, &inputs.work)?;
            let opts = RunOptions {
                recording: inputs.recording,
                agenda,
                transcript: inputs.transcript,
                cues: inputs.cues,
                config,
                out,
                work: inputs.work,
                jobs: jobs.unwrap_or_else(pipeline::default_jobs),
                dry_run,
                hold,
                fingerprint: None,
                plan: None,
            };
            let report = runtime()?.block_on(pipeline::run(&opts))?;
            status = report_status(&report, json)?;
        }
        Command::Plan {
            inputs,
            json,
            review,
        } => {
            let agenda = agenda_source(&inputs.agenda, &inputs.work)?;
            let planned = pipeline::plan_only(
                &inputs.recording,
                &agenda,
                inputs.transcript.as_deref(),
                inputs.cues.as_deref(),
                &inputs.work,
            )?;
            let plan = &planned.plan;
            if json {
                println!("{}", serde_json::to_string_pretty(plan)?);
            } else {
                print!("{}", plan.table());
                let width = review::timeline::terminal_width().unwrap_or(100);
                print!("\n{}", review::timeline::bars(plan, width));
            }
            if let Some(page) = review {
                let page = review::page::write(
                    &review::page::Review {
                        agenda: &planned.inputs.agenda,
                        plan,
                        audio: &planned.audio,
                        min_confidence: eventcast::config::Config::builtin().review.min_confidence,
                        release: None,
                    },
                    &page,
                )?;
                eprintln!("Review page: {}", page.display());
            }
        }
        Command::Release {
            slug,
            cues,
            work,
            jobs,
            json,
        } => {
            let opts = eventcast::release::ReleaseOptions {
                slug,
                work,
                cues,
                jobs: jobs.unwrap_or_else(pipeline::default_jobs),
            };
            let report = runtime()?.block_on(eventcast::release::release(&opts))?;
            status = report_status(&report, json)?;
        }
        Command::Agenda {
            command: AgendaCommand::Import { file, work },
        } => {
            let source = agenda_source(&file, &work)?;
            let (agenda, unread) = Agenda::load_reviewed(&source)?;
            println!(
                "# Imported from {} by `eventcast agenda import`. Review it, then pass it with --agenda.",
                file.display()
            );
            if source != file {
                println!("# The page as read is kept in {}.", source.display());
            }
            if !unread.is_empty() {
                println!(
                    "# These lines of the page's agenda gave nothing; add what they say by hand:"
                );
                for (line, text) in &unread {
                    println!("#   line {line}: {text}");
                }
            }
            print!("{}", agenda.to_toml());
        }
        Command::Batch {
            inbox,
            config,
            out,
            work,
            jobs,
            dry_run,
            hold,
        } => {
            let opts = eventcast::batch::BatchOptions {
                inbox,
                config,
                out,
                work,
                jobs: jobs.unwrap_or_else(pipeline::default_jobs),
                dry_run,
                hold,
            };
            let results =
                runtime()?.block_on(eventcast::batch::run(&opts, &eventcast::signals::Stop))?;
            print!("{}", eventcast::batch::summary(&results));
            use eventcast::batch::Outcome;
            if results.iter().any(|r| r.outcome == Outcome::Failed) {
                return Err(anyhow::anyhow!(
                    "{} of {} webinars failed",
                    results
                        .iter()
                        .filter(|r| r.outcome == Outcome::Failed)
                        .count(),
                    results.len()
                ));
            }
            if results.iter().any(|r| r.outcome == Outcome::Interrupted) {
                return Err(Error::Interrupted.into());
            }
            if results.iter().any(|r| r.outcome == Outcome::Held) {
                status = ExitCode::from(review::EXIT_HELD);
            }
        }
        Command::Check { dir } => {
            let mut problems =
                eventcast::publish::check::check(&eventcast::publish::check::Site::dir(&dir));
            problems.extend(eventcast::publish::check::temporaries(&dir));
            let online = runtime()?.block_on(eventcast::publish::check::check_online(&dir));
            problems.extend(online.problems);
            if let Some(why) = &online.skipped {
                eprintln!("The feed's links were not fetched: {why}.");
            }
            if !problems.is_empty() {
                return Err(Error::Check {
                    context: format!("{}: {} problem(s)", dir.display(), problems.len()),
                    problems,
                }
                .into());
            }
            println!(
                "{}: the feed, artwork, chapters, transcripts and links are fine.",
                dir.display()
            );
        }
        Command::Remove {
            webinar,
            config,
            out,
        } => {
            let target = runtime()?.block_on(pipeline::remove(
                config.as_deref(),
                out.as_deref(),
                &webinar,
            ))?;
            println!("Removed {webinar} from {target}.");
        }
        Command::Demo { out } => {
            let started = std::time::Instant::now();
            eprintln!(
                "Making a sample webinar with synthetic voices in {} ...",
                out.join("inputs").display()
            );
            let d = demo::prepare(&out.join("inputs"))?;
            let opts = RunOptions {
                recording: d.recording,
                agenda: d.agenda,
                transcript: Some(d.transcript),
                cues: None,
                config: Some(d.config),
                out: Some(out.join("site")),
                work: out.join("work"),
                jobs: pipeline::default_jobs(),
                dry_run: false,
                // The demo shows what gets published.
                hold: Some(Hold::Never),
                fingerprint: None,
                plan: None,
            };
            let report = runtime()?.block_on(pipeline::run(&opts))?;
            print_report(&report);
            println!("Demo finished in {:.1} s.", started.elapsed().as_secs_f64());
        }
    }
    Ok(status)
}

/// Print a run's report; the exit status says whether it was held for review.
fn report_status(report: &pipeline::RunReport, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print_report(report);
    }
    Ok(match report.held {
        Some(_) => ExitCode::from(review::EXIT_HELD),
        None => ExitCode::SUCCESS,
    })
}

/// The agenda file to read: the file given, or the kept copy of a page given by address.
fn agenda_source(agenda: &std::path::Path, work: &std::path::Path) -> anyhow::Result<PathBuf> {
    let limits = eventcast::ingest::fetch::Limits::default();
    Ok(eventcast::ingest::fetch::agenda_source(
        agenda, work, &limits,
    )?)
}

fn print_report(r: &pipeline::RunReport) {
    print!("{}", r.plan.table());
    let width = review::timeline::terminal_width().unwrap_or(100);
    print!("\n{}", review::timeline::bars(&r.plan, width));
    println!("\nEpisodes:");
    for e in &r.renditions {
        println!(
            "  {:<48} {:>8}  {:>6.1} MB  {}",
            e.episode.title,
            eventcast::timecode::clock(e.duration),
            e.bytes as f64 / 1e6,
            e.episode.file_name
        );
    }
    println!("\nReview page: {}", r.review.display());
    if let Some(held) = &r.held {
        println!("\nHeld for review: the episodes are encoded, nothing was published.");
        for why in &held.reasons {
            println!("  - {why}");
        }
        println!(
            "Open the review page, move any cut that is off, then publish with\n  {} [--cues FILE]\n(FILE: the page's cue sheet, when a cut moved).",
            held.release
        );
        return;
    }
    let p = &r.published;
    if p.dry_run {
        println!(
            "\nDry run: nothing was uploaded to {}. It would upload {} files ({} new, {} changed) and leave {} alone:",
            r.target.display(),
            p.written.len(),
            p.written.len() - p.changed.len(),
            p.changed.len(),
            p.unchanged.len()
        );
        for f in &p.written {
            let how = if p.changed.contains(f) {
                "changed"
            } else {
                "new"
            };
            println!("  {how:<9} {f}");
        }
        for f in &p.unchanged {
            println!("  unchanged {f}");
        }
        return;
    }
    println!(
        "\nPublished into {} ({} files written, {} unchanged).",
        r.target.display(),
        p.written.len(),
        p.unchanged.len()
    );
    println!("  feed:  {}", r.target.join("feed.xml").display());
    println!(
        "  page:  {}",
        r.target.join(&r.slug).join("index.html").display()
    );
    println!("  index: {}", r.target.join("index.html").display());
}
