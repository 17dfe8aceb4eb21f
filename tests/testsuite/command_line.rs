//! The command line's own rules, run on the real binary: where pipeline.toml is found,
//! refusing to publish without one, `init`, a closed pipe, colour, completions, and the
//! exit status and message of a missing folder or an empty inbox.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::text;

/// The binary run from `cwd`, with no EVENTCAST_CONFIG from the environment of the tests.
fn eventcast_in(cwd: &Path) -> Command {
    let mut c = common::eventcast();
    c.current_dir(cwd).env_remove("EVENTCAST_CONFIG");
    c
}

fn output(mut c: Command) -> Output {
    c.output().expect("the eventcast binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A folder with pipeline.toml (the repository's example) and an empty inbox.
fn settings_and_inbox(root: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(root).unwrap();
    let config = root.join("pipeline.toml");
    std::fs::copy(common::example_config(), &config).unwrap();
    let inbox = root.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    (config, inbox)
}

/// `c` succeeds, and its log says which settings it read: `says`.
fn assert_reads_settings(c: Command, says: &str) {
    let out = output(c);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stderr(&out).contains(says),
        "missing `{says}`: {}",
        text(&out)
    );
}

/// `out` is bad input (exit status 2) and its log says each of `needles`.
fn assert_bad_input(out: &Output, needles: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "{}", text(out));
    let err = stderr(out);
    for needle in needles {
        assert!(err.contains(needle), "missing `{needle}`: {}", text(out));
    }
}

#[test]
fn pipeline_toml_is_found_in_a_parent_folder_and_named_in_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (config, inbox) = settings_and_inbox(tmp.path());
    let deep = tmp.path().join("webinars/2024");
    std::fs::create_dir_all(&deep).unwrap();
    let mut c = eventcast_in(&deep);
    c.args(["batch", "--inbox", s(&inbox)]);
    assert_reads_settings(
        c,
        &format!("settings: {} (found by folder)", config.display()),
    );
    // Found by folder before EVENTCAST_CONFIG; --config before both.
    let other = tmp.path().join("other.toml");
    std::fs::copy(&config, &other).unwrap();
    let mut c = eventcast_in(&deep);
    c.env("EVENTCAST_CONFIG", &other)
        .args(["batch", "--inbox", s(&inbox)]);
    assert_reads_settings(c, &format!("settings: {}", config.display()));
    let mut c = eventcast_in(&deep);
    c.env("EVENTCAST_CONFIG", &config)
        .args(["batch", "--inbox", s(&inbox), "--config", s(&other)]);
    assert_reads_settings(
        c,
        &format!("settings: {} (given with --config)", other.display()),
    );
}

#[test]
fn pipeline_toml_is_found_through_eventcast_config() {
    let tmp = tempfile::tempdir().unwrap();
    let (config, inbox) = settings_and_inbox(&tmp.path().join("settings"));
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let mut c = eventcast_in(&elsewhere);
    c.env("EVENTCAST_CONFIG", &config)
        .args(["batch", "--inbox", s(&inbox)]);
    assert_reads_settings(
        c,
        &format!("settings: {} (named by EVENTCAST_CONFIG)", config.display()),
    );
}

#[test]
fn commands_that_publish_refuse_to_run_without_pipeline_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&tmp.path().join("in"));
    // No pipeline.toml here or above, no EVENTCAST_CONFIG: the built-in example would
    // publish into ./public with example.org's address.
    let cwd = tmp.path().join("job");
    let inbox = cwd.join("inbox");
    let webinar = inbox.join("webinar-1");
    std::fs::create_dir_all(&webinar).unwrap();
    std::fs::copy(&inputs.recording, webinar.join("recording.mp4")).unwrap();
    std::fs::copy(&inputs.agenda, webinar.join("agenda.toml")).unwrap();
    let commands: [&[&str]; 3] = [
        &[
            "run",
            "--recording",
            s(&inputs.recording),
            "--agenda",
            s(&inputs.agenda),
            "--hold",
            "never",
        ],
        &["batch", "--inbox", s(&inbox), "--hold", "never"],
        &["remove", "2024-01-01-some-webinar"],
    ];
    for args in commands {
        let mut c = eventcast_in(&cwd);
        c.args(args);
        let out = output(c);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let err = stderr(&out);
        for needle in ["no pipeline.toml", "eventcast init", "--config"] {
            assert!(
                err.contains(needle),
                "{args:?}: stderr lacks {needle:?}:\n{err}"
            );
        }
        assert!(
            !cwd.join("public").exists(),
            "{args:?} published into ./public"
        );
        assert!(
            !cwd.join(".eventcast-work").exists(),
            "{args:?} started work"
        );
    }
    // `plan` publishes nothing: it plans with the built-in example and says so.
    let mut c = eventcast_in(&cwd);
    c.args([
        "plan",
        "--json",
        "--recording",
        s(&inputs.recording),
        "--agenda",
        s(&inputs.agenda),
    ]);
    let out = output(c);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("built-in example"), "{}", text(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["segments"].as_array().unwrap().len(), 6);
    assert!(!cwd.join("public").exists());
}

#[test]
fn init_writes_the_commented_example_and_refuses_to_overwrite_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("series");
    let out = common::run(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out));
    let written = dir.join("pipeline.toml");
    let toml = std::fs::read_to_string(&written).unwrap();
    assert_eq!(
        toml,
        std::fs::read_to_string(common::example_config()).unwrap()
    );
    assert!(toml.contains("# Credentials come ONLY from environment variables"));
    eventcast::config::Config::load(&written).expect("the written pipeline.toml loads");
    assert!(stdout(&out).contains(&written.display().to_string()));
    assert!(
        !dir.join("templates").exists(),
        "templates only with --templates"
    );

    // Edited by the user: a second init leaves it alone, --force replaces it.
    std::fs::write(&written, "# mine\n").unwrap();
    let again = common::run(&["init", s(&dir)]);
    assert_bad_input(&again, &["already exist", "--force"]);
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "# mine\n");
    let forced = common::run(&["init", s(&dir), "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), toml);
}

#[test]
fn init_templates_writes_the_built_in_templates_and_uses_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = eventcast_in(dir)
        .args(["init", "--templates"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for name in [
        "feed.xml.hbs",
        "index.html.hbs",
        "webinar.html.hbs",
        "style.css",
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join("templates").join(name)).unwrap(),
            std::fs::read_to_string(shipped.join(name)).unwrap(),
            "{name}"
        );
    }
    let config = eventcast::config::Config::load(&dir.join("pipeline.toml")).unwrap();
    assert_eq!(config.site.templates, Some(dir.join("templates")));

    // A restyled template is never overwritten without --force; nothing else is written.
    let style = dir.join("templates/style.css");
    std::fs::write(&style, "body { color: teal }").unwrap();
    std::fs::remove_file(dir.join("pipeline.toml")).unwrap();
    let again = eventcast_in(dir)
        .args(["init", "--templates"])
        .output()
        .unwrap();
    assert_bad_input(&again, &["style.css"]);
    assert_eq!(
        std::fs::read_to_string(&style).unwrap(),
        "body { color: teal }"
    );
    assert!(!dir.join("pipeline.toml").exists());
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_the_command_quietly() {
    // An event page whose agenda prints far more than a pipe holds (`| head -c 10`).
    let tmp = tempfile::tempdir().unwrap();
    let page =
        std::fs::read_to_string(common::fixture("events/learning-from-cities-2021-06-29.md"))
            .unwrap();
    let qa = page
        .lines()
        .find(|l| l.starts_with("- Follow up comments"))
        .unwrap();
    let big = page.replacen(qa, &format!("{qa}\n").repeat(3000), 1);
    let file = tmp.path().join("big.md");
    std::fs::write(&file, big).unwrap();

    let mut child = eventcast_in(tmp.path())
        .args(["agenda", "import", s(&file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    let mut pipe = child.stdout.take().unwrap();
    pipe.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"# Imported");
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("error"), "{err}");
}

/// What a terminal shows of `args` run in `cwd` (through a pseudo-terminal made by
/// util-linux's `script`), with `NO_COLOR` set to `no_color` if given.
fn on_a_terminal(cwd: &Path, args: &str, no_color: Option<&str>) -> String {
    let mut c = Command::new("script");
    c.current_dir(cwd)
        .env("RUST_LOG", "eventcast=info")
        .env_remove("EVENTCAST_CONFIG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_eventcast")),
            "/dev/null",
        ]);
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let out = c
        .output()
        .expect("util-linux's `script` runs (apt-get install util-linux)");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_and_color_never_keep_escape_codes_out_of_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (config, inbox) = settings_and_inbox(tmp.path());
    let args = format!("batch --inbox {} --config {}", s(&inbox), s(&config));
    let esc = |t: &str| t.contains('\u{1b}');
    // On a terminal the log is coloured...
    let shown = on_a_terminal(tmp.path(), &args, None);
    assert!(shown.contains("settings:") && esc(&shown), "{shown:?}");
    // ... unless NO_COLOR (any non-empty value) or --color never says not to.
    let shown = on_a_terminal(tmp.path(), &args, Some("1"));
    assert!(shown.contains("settings:") && !esc(&shown), "{shown:?}");
    let shown = on_a_terminal(tmp.path(), &format!("--color never {args}"), None);
    assert!(shown.contains("settings:") && !esc(&shown), "{shown:?}");
    // --color always colours even into a file or a pipe, and wins over NO_COLOR.
    let mut c = eventcast_in(tmp.path());
    c.env("NO_COLOR", "1").args([
        "--color",
        "always",
        "batch",
        "--inbox",
        s(&inbox),
        "--config",
        s(&config),
    ]);
    let out = output(c);
    assert!(out.status.success(), "{}", text(&out));
    assert!(esc(&stderr(&out)), "{}", text(&out));
    // Never into a pipe by default.
    let mut c = eventcast_in(tmp.path());
    c.args(["batch", "--inbox", s(&inbox), "--config", s(&config)]);
    let out = output(c);
    assert!(!esc(&stderr(&out)) && !esc(&stdout(&out)), "{}", text(&out));
}

#[test]
fn completions_print_a_script_that_knows_the_subcommands() {
    let out = common::run(&["completions", "bash"]);
    assert!(out.status.success(), "{}", text(&out));
    let script = stdout(&out);
    for word in [
        "run",
        "plan",
        "batch",
        "release",
        "remove",
        "check",
        "init",
        "--config",
        "--recording",
    ] {
        assert!(script.contains(word), "the bash script lacks {word}");
    }
    // bash itself reads it without a syntax error.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("eventcast.bash");
    std::fs::write(&file, &script).unwrap();
    let bash = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(bash.status.success(), "{}", text(&bash));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = common::run(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", text(&out));
        assert!(stdout(&out).contains("batch"), "{shell}");
    }
}

#[test]
fn help_shows_a_commands_own_options_apart_from_the_shared_ones() {
    let out = common::run(&["run", "--help"]);
    assert!(out.status.success(), "{}", text(&out));
    let help = stdout(&out);
    let section = |heading: &str| -> String {
        let start = help
            .find(&format!("\n{heading}:\n"))
            .unwrap_or_else(|| panic!("no {heading} section in:\n{help}"));
        let rest = &help[start + heading.len() + 3..];
        // A section ends where the next heading (a line without indentation) starts.
        rest.lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let own = section("Options");
    assert!(own.contains("--json"), "{own}");
    for shared in [
        "--config",
        "--out",
        "--work",
        "--jobs",
        "--verbose",
        "--color",
    ] {
        assert!(
            !own.contains(shared),
            "{shared} is among run's own options:\n{own}"
        );
    }
    assert!(section("Inputs").contains("--recording"));
    let settings = section("Settings");
    assert!(settings.contains("--config") && settings.contains("--out"));
    let running = section("Running");
    assert!(running.contains("--work") && running.contains("--jobs"));
    let global = section("Global options");
    assert!(global.contains("--verbose") && global.contains("--color"));
}

#[test]
fn check_on_a_missing_folder_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-site-here");
    let out = common::run(&["check", s(&missing)]);
    assert_bad_input(&out, &["no-site-here", "no such folder"]);
}

#[test]
fn batch_on_an_empty_inbox_says_the_inbox_holds_no_webinars() {
    let tmp = tempfile::tempdir().unwrap();
    let (config, inbox) = settings_and_inbox(tmp.path());
    let mut c = eventcast_in(tmp.path());
    c.args(["batch", "--inbox", s(&inbox), "--config", s(&config)]);
    let out = output(c);
    assert!(out.status.success(), "{}", text(&out));
    let said = stdout(&out);
    assert!(said.contains("holds no webinars"), "{said}");
    assert!(!said.contains("already published"), "{said}");
}
