//! The `eventcast` command line: parses the arguments (see `cli.rs`), sets up logging and
//! colour, and hands each subcommand to the library.
//!
//! Exit status: 0 success (also when the reader of standard output closed it early, as
//! `| head` does); 1 failure (in a batch: a webinar failed); 2 bad input (including no
//! pipeline.toml for a command that publishes); 3 held for review: encoded but not
//! published, waiting for `eventcast release` (in a batch: one or more webinars are
//! waiting, none failed); 130 interrupted.

mod cli;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{note, out, AgendaCommand, Cli, Command, LogFormat};
use eventcast::ingest::Sources;
use eventcast::pipeline::{self, Overrides, Session, SessionOptions};
use eventcast::review::{self, Hold};
use eventcast::{demo, ingest::Agenda, Error};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colour = cli.global.color.stderr() && cli.global.log_format == LogFormat::Text;
    console::set_colors_enabled(colour);
    console::set_colors_enabled_stderr(colour);
    init_logging(&cli.global, colour);
    eventcast::progress::set_quiet(cli.global.quiet);
    match execute(cli.command) {
        Ok(status) => status,
        Err(e) if e.downcast_ref::<cli::StdoutClosed>().is_some() => ExitCode::SUCCESS,
        Err(e) => {
            let code = match (e.downcast_ref::<Error>(), e.downcast_ref::<cli::BadInput>()) {
                (Some(e), _) => e.exit_code(),
                (None, Some(_)) => 2,
                (None, None) => 1,
            };
            note(format_args!("error: {e:#}"));
            ExitCode::from(code)
        }
    }
}

fn init_logging(global: &cli::GlobalArgs, ansi: bool) {
    let level = match (global.quiet, global.verbose) {
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
        .with_ansi(ansi);
    match global.log_format {
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
            json,
            inputs,
            publish: p,
        } => {
            let agenda = agenda_source(&inputs.agenda, &p.work.work)?;
            let sources = Sources {
                recording: inputs.recording,
                agenda,
                transcript: inputs.transcript,
                cues: inputs.cues,
            };
            let session = Session::open(p.session()?)?;
            let report =
                runtime()?.block_on(pipeline::run(&session, sources, Overrides::default()))?;
            status = report_status(&report, json)?;
        }
        Command::Plan {
            json,
            review,
            inputs,
            config,
            work,
        } => {
            // Without pipeline.toml the built-in example's output profile is planned with:
            // nothing is published.
            let config = cli::find_config(config.config.as_deref());
            if config.is_none() {
                tracing::info!("settings: the built-in example (no pipeline.toml found)");
            }
            let session = Session::open(SessionOptions {
                config,
                work: work.work.clone(),
                ..SessionOptions::default()
            })?;
            let agenda = agenda_source(&inputs.agenda, &work.work)?;
            let sources = Sources {
                recording: inputs.recording,
                agenda,
                transcript: inputs.transcript,
                cues: inputs.cues,
            };
            let planned = pipeline::plan_only(&session, &sources)?;
            let plan = &planned.plan;
            if json {
                out(format_args!("{}\n", serde_json::to_string_pretty(plan)?))?;
            } else {
                let width = review::timeline::terminal_width().unwrap_or(100);
                out(format_args!(
                    "{}\n{}",
                    plan.table(),
                    review::timeline::bars(plan, width)
                ))?;
            }
            if let Some(page) = review {
                let page = review::page::write(
                    &review::page::Review {
                        agenda: &planned.inputs.agenda,
                        plan,
                        audio: &planned.audio,
                        min_confidence: session.config.review.min_confidence,
                        release: None,
                    },
                    &page,
                )?;
                note(format_args!("Review page: {}", page.display()));
            }
        }
        Command::Release {
            slug,
            cues,
            json,
            work,
            jobs,
        } => {
            let opts = eventcast::release::ReleaseOptions {
                slug,
                work: work.work,
                cues,
                jobs: jobs.get(),
            };
            let report = runtime()?.block_on(eventcast::release::release(&opts))?;
            status = report_status(&report, json)?;
        }
        Command::Agenda {
            command: AgendaCommand::Import { file, work },
        } => {
            let source = agenda_source(&file, &work.work)?;
            let (agenda, unread) = Agenda::load_reviewed(&source)?;
            let mut text = format!(
                "# Imported from {} by `eventcast agenda import`. Review it, then pass it with --agenda.\n",
                file.display()
            );
            if source != file {
                writeln!(text, "# The page as read is kept in {}.", source.display())?;
            }
            if !unread.is_empty() {
                text.push_str(
                    "# These lines of the page's agenda gave nothing; add what they say by hand:\n",
                );
                for (line, said) in &unread {
                    writeln!(text, "#   line {line}: {said}")?;
                }
            }
            text.push_str(&agenda.to_toml());
            out(text)?;
        }
        Command::Batch {
            inbox,
            publish: p,
            shard,
            steal,
            lease,
        } => {
            let opts = eventcast::batch::BatchOptions {
                inbox,
                shard,
                steal,
                lease: std::time::Duration::from_secs(lease.max(3)),
            };
            let session = Session::open(p.session()?)?;
            let results = runtime()?.block_on(eventcast::batch::run(
                &session,
                &opts,
                &eventcast::signals::Stop,
            ))?;
            if results.is_empty() {
                out(format_args!(
                    "Nothing to do: the inbox {} holds no webinars (each webinar is a \
                     subfolder with a recording and an agenda).\n",
                    opts.inbox
                ))?;
                return Ok(status);
            }
            out(eventcast::batch::summary(&results))?;
            use eventcast::batch::Outcome;
            let failed = results
                .iter()
                .filter(|r| r.outcome == Outcome::Failed)
                .count();
            if failed > 0 {
                return Err(anyhow::anyhow!(
                    "{failed} of {} webinars failed",
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
            if !dir.is_dir() {
                return Err(cli::BadInput(format!(
                    "{}: no such folder: pass the folder the site was published into (where \
                     feed.xml is)",
                    dir.display()
                ))
                .into());
            }
            let mut problems =
                eventcast::publish::check::check(&eventcast::publish::check::Site::dir(&dir));
            problems.extend(eventcast::publish::check::temporaries(&dir));
            let online = runtime()?.block_on(eventcast::publish::check::check_online(&dir));
            problems.extend(online.problems);
            if let Some(why) = &online.skipped {
                note(format_args!("The feed's links were not fetched: {why}."));
            }
            if !problems.is_empty() {
                return Err(Error::Check {
                    context: format!("{}: {} problem(s)", dir.display(), problems.len()),
                    problems,
                }
                .into());
            }
            out(format_args!(
                "{}: the feed, artwork, chapters, transcripts and links are fine.\n",
                dir.display()
            ))?;
        }
        Command::Remove {
            webinar,
            config,
            out: site,
        } => {
            let session = Session::open(SessionOptions {
                config: Some(cli::require_config(config.config.as_deref())?),
                out: site.out,
                work: std::env::temp_dir().join("eventcast"),
                ..SessionOptions::default()
            })?;
            let target = runtime()?.block_on(pipeline::remove(&session, &webinar))?;
            out(format_args!("Removed {webinar} from {target}.\n"))?;
        }
        Command::Init {
            dir,
            templates,
            force,
        } => {
            let written = init(&dir, templates, force)?;
            let mut text = String::new();
            for path in &written {
                writeln!(text, "wrote {}", path.display())?;
            }
            writeln!(
                text,
                "Fill in [series], [site] base_url and [target] in {}; eventcast finds it \
                 when run in {} or a folder below it.",
                written[0].display(),
                dir.display()
            )?;
            out(text)?;
        }
        Command::Demo { out: folder } => {
            let started = std::time::Instant::now();
            note(format_args!(
                "Making a sample webinar with synthetic voices in {} ...",
                folder.join("inputs").display()
            ));
            let d = demo::prepare(&folder.join("inputs"))?;
            let session = Session::open(SessionOptions {
                config: Some(d.config),
                out: Some(folder.join("site")),
                work: folder.join("work"),
                jobs: pipeline::default_jobs(),
                dry_run: false,
                // The demo shows what gets published.
                hold: Some(Hold::Never),
            })?;
            let sources = Sources {
                recording: d.recording,
                agenda: d.agenda,
                transcript: Some(d.transcript),
                cues: None,
            };
            let report =
                runtime()?.block_on(pipeline::run(&session, sources, Overrides::default()))?;
            out(format_args!(
                "{}Demo finished in {:.1} s.\n",
                report_text(&report),
                started.elapsed().as_secs_f64()
            ))?;
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "eventcast", &mut script);
            out(String::from_utf8_lossy(&script))?;
        }
    }
    Ok(status)
}

/// The example pipeline.toml of the repository, with its comments.
const EXAMPLE_CONFIG: &str = include_str!("../pipeline.toml");

/// Write pipeline.toml (and the built-in templates) into `dir`; nothing is written when a
/// file exists, unless `force`. Returns the files written, pipeline.toml first.
fn init(dir: &Path, templates: bool, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = vec![(dir.join(cli::CONFIG_FILE), EXAMPLE_CONFIG.to_string())];
    if templates {
        // Point the settings at the templates written next to them.
        let commented = "# templates = \"templates\"";
        debug_assert!(EXAMPLE_CONFIG.contains(commented));
        files[0].1 = EXAMPLE_CONFIG.replacen(commented, "templates = \"templates\"", 1);
        for (name, text) in eventcast::site::BUILTIN {
            files.push((dir.join("templates").join(name), text.to_string()));
        }
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !existing.is_empty() && !force {
        return Err(cli::BadInput(format!(
            "{} already exist(s): nothing was written. Pass --force to overwrite, or choose \
             another folder",
            existing.join(", ")
        ))
        .into());
    }
    for (path, text) in &files {
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// Print a run's report; the exit status says whether it was held for review.
fn report_status(report: &pipeline::RunReport, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        out(format_args!("{}\n", serde_json::to_string_pretty(report)?))?;
    } else {
        out(report_text(report))?;
    }
    Ok(match report.held {
        Some(_) => ExitCode::from(review::EXIT_HELD),
        None => ExitCode::SUCCESS,
    })
}

/// The agenda file to read: the file given, or the kept copy of a page given by address.
fn agenda_source(agenda: &Path, work: &Path) -> anyhow::Result<PathBuf> {
    let limits = eventcast::ingest::fetch::Limits::default();
    Ok(eventcast::ingest::fetch::agenda_source(
        agenda, work, &limits,
    )?)
}

/// A run's report for people: the plan, its timeline, the episodes and where they went.
fn report_text(r: &pipeline::RunReport) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = write_report(&mut s, r);
    s
}

fn write_report(s: &mut String, r: &pipeline::RunReport) -> std::fmt::Result {
    s.push_str(&r.plan.table());
    let width = review::timeline::terminal_width().unwrap_or(100);
    write!(s, "\n{}", review::timeline::bars(&r.plan, width))?;
    writeln!(s, "\nEpisodes:")?;
    for e in &r.renditions {
        writeln!(
            s,
            "  {:<48} {:>8}  {:>6.1} MB  {}",
            e.episode.title,
            eventcast::timecode::clock(e.duration),
            e.bytes as f64 / 1e6,
            e.episode.file_name
        )?;
    }
    writeln!(s, "\nReview page: {}", r.review.display())?;
    if let Some(held) = &r.held {
        writeln!(
            s,
            "\nHeld for review: the episodes are encoded, nothing was published."
        )?;
        for why in &held.reasons {
            writeln!(s, "  - {why}")?;
        }
        writeln!(
            s,
            "Open the review page, move any cut that is off, then publish with\n  {} [--cues FILE]\n(FILE: the page's cue sheet, when a cut moved).",
            held.release
        )?;
        return Ok(());
    }
    let p = &r.published;
    if p.dry_run {
        writeln!(
            s,
            "\nDry run: nothing was uploaded to {}. It would upload {} files ({} new, {} changed) and leave {} alone:",
            r.target.display(),
            p.written.len(),
            p.written.len() - p.changed.len(),
            p.changed.len(),
            p.unchanged.len()
        )?;
        for f in &p.written {
            let how = if p.changed.contains(f) {
                "changed"
            } else {
                "new"
            };
            writeln!(s, "  {how:<9} {f}")?;
        }
        for f in &p.unchanged {
            writeln!(s, "  unchanged {f}")?;
        }
        return Ok(());
    }
    writeln!(
        s,
        "\nPublished into {} ({} files written, {} unchanged).",
        r.target.display(),
        p.written.len(),
        p.unchanged.len()
    )?;
    writeln!(s, "  feed:  {}", r.target.join("feed.xml").display())?;
    writeln!(
        s,
        "  page:  {}",
        r.target.join(&r.slug).join("index.html").display()
    )?;
    writeln!(s, "  index: {}", r.target.join("index.html").display())
}
