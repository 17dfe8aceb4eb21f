//! Publishing to real servers on 127.0.0.1, started by each test and killed when it ends:
//! moto's S3 server (with IAM on, so it checks every request's SigV4 signature) and wsgidav
//! (WebDAV with basic auth), sometimes behind a proxy that drops connections, delays and
//! answers 500/503. `.ci/install-publish-tools.sh` installs both servers; a missing one
//! fails the test with a message saying so.
//!
//! What a user would check: the feed references only files that are there, at every
//! moment; both of two concurrent runs' webinars end up in it; a re-run finishes what a
//! failed or killed run left; a target that is wrong fails before any encoding; no secret
//! shows in the output, even at trace level.

use crate::common;
use crate::common::proxy::*;
use crate::common::servers::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use base64::Engine;
use std::time::{Duration, Instant};

pub(crate) const BASE_URL: &str = "https://learning.example.org/podcast/";

// ---------------------------------------------------------------------------------------
// Two short webinars, encoded once per test binary.

struct Webinars {
    dir: PathBuf,
    recording: PathBuf,
    transcript: PathBuf,
    agenda_a: PathBuf,
    agenda_b: PathBuf,
    /// Work folder with both webinars' episodes already encoded.
    work: PathBuf,
    slug_a: String,
    slug_b: String,
}

fn webinars() -> &'static Webinars {
    static W: OnceLock<Webinars> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir_in(common::scratch()).unwrap().keep();
        let d = common::demo_inputs(&dir.join("inputs"));
        let agenda_b = dir.join("inputs/agenda-b.toml");
        let text = std::fs::read_to_string(&d.agenda).unwrap();
        assert!(text.contains("date = \"2026-11-20\""));
        std::fs::write(
            &agenda_b,
            text.replace("date = \"2026-11-20\"", "date = \"2026-11-27\""),
        )
        .unwrap();
        let w = Webinars {
            recording: d.recording.clone(),
            transcript: d.transcript.clone(),
            agenda_a: d.agenda.clone(),
            agenda_b,
            work: dir.join("work"),
            slug_a: String::new(),
            slug_b: String::new(),
            dir,
        };
        // Encode both once; every test then publishes from this work folder's cache.
        let warm = w.dir.join("warm");
        let config = config_file(
            &w.dir.join("inputs"),
            &w.dir,
            "kind = \"dir\"\npath = \"unused\"\n",
        );
        let mut slugs = Vec::new();
        for agenda in [&w.agenda_a, &w.agenda_b] {
            let out = w
                .run(
                    &config,
                    agenda,
                    &w.work,
                    &[],
                    &["--out", warm.to_str().unwrap()],
                )
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", common::text(&out));
            let catalog: serde_json::Value =
                serde_json::from_slice(&std::fs::read(warm.join("catalog.json")).unwrap()).unwrap();
            let known: Vec<String> = slugs.clone();
            slugs.extend(
                catalog["webinars"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["slug"].as_str().unwrap().to_string())
                    .filter(|s| !known.contains(s)),
            );
        }
        assert_eq!(slugs.len(), 2, "{slugs:?}");
        Webinars {
            slug_a: slugs[0].clone(),
            slug_b: slugs[1].clone(),
            ..w
        }
    })
}

impl Webinars {
    /// `eventcast run` (see [`Webinars::run`]) into the shared work folder, which must
    /// succeed.
    fn published(
        &self,
        config: &Path,
        agenda: &Path,
        env: &[(&str, &str)],
        extra: &[&str],
    ) -> Output {
        let out = output(&mut self.run(config, agenda, &self.work, env, extra));
        assert!(out.status.success(), "{}", common::text(&out));
        out
    }

    /// `eventcast run` for one of the webinars, with only the given credentials in its
    /// environment.
    fn run(
        &self,
        config: &Path,
        agenda: &Path,
        work: &Path,
        env: &[(&str, &str)],
        extra: &[&str],
    ) -> Command {
        let mut c = common::eventcast();
        for var in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "EVENTCAST_WEBDAV_USER",
            "EVENTCAST_WEBDAV_PASSWORD",
        ] {
            c.env_remove(var);
        }
        c.envs(env.iter().copied());
        c.args(["run", "--recording"])
            .arg(&self.recording)
            .arg("--agenda")
            .arg(agenda)
            .arg("--transcript")
            .arg(&self.transcript)
            .arg("--config")
            .arg(config)
            .arg("--work")
            .arg(work)
            .arg("--jobs")
            .arg("2")
            .args(extra);
        c
    }
}

/// The demo's pipeline.toml (in `inputs`) with another `[target]`, written into `dir`.
pub(crate) fn config_file(inputs: &Path, dir: &Path, target: &str) -> PathBuf {
    let text = std::fs::read_to_string(inputs.join("pipeline.toml")).unwrap();
    let head = &text[..text.find("[target]").unwrap()];
    let head = head
        .replace(
            "image = \"artwork.png\"",
            &format!("image = {:?}", inputs.join("artwork.png")),
        )
        .replace(
            "base_url = \"http://localhost:8000/\"",
            &format!("base_url = {BASE_URL:?}"),
        );
    assert!(head.contains(BASE_URL), "the demo config changed: {head}");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(format!("pipeline-{:08x}.toml", rand::random::<u32>()));
    std::fs::write(&path, format!("{head}[target]\n{target}")).unwrap();
    path
}

impl Webinars {
    fn config(&self, dir: &Path, target: &str) -> PathBuf {
        config_file(&self.dir.join("inputs"), dir, target)
    }
}

// ---------------------------------------------------------------------------------------
// What a user checks on the published site.

/// Every file the feed, the catalog and the pages point at is there. Returns the slugs of
/// the webinars in the catalog (empty if nothing is published yet).
pub(crate) fn assert_consistent(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let Some(feed) = files.get("feed.xml") else {
        assert!(
            !files.contains_key("catalog.json") && !files.contains_key("index.html"),
            "a catalog or index without a feed: {:?}",
            files.keys()
        );
        return vec![];
    };
    let feed = String::from_utf8(feed.clone()).unwrap();
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let mut enclosures = 0;
    for e in doc.descendants().filter(|n| n.has_tag_name("enclosure")) {
        let url = e.attribute("url").unwrap();
        let path = url
            .strip_prefix(BASE_URL)
            .unwrap_or_else(|| panic!("enclosure {url} is not under {BASE_URL}"));
        let bytes = files
            .get(path)
            .unwrap_or_else(|| panic!("the feed references {path}, which is not published"));
        assert_eq!(
            e.attribute("length").unwrap(),
            bytes.len().to_string(),
            "{path}: enclosure length differs from the published file"
        );
        enclosures += 1;
    }
    let catalog: serde_json::Value =
        serde_json::from_slice(files.get("catalog.json").expect("a feed without a catalog"))
            .unwrap();
    let mut slugs = Vec::new();
    let mut episodes = 0;
    for w in catalog["webinars"].as_array().unwrap() {
        let slug = w["slug"].as_str().unwrap().to_string();
        assert!(
            files.contains_key(&format!("{slug}/index.html")),
            "no page for {slug}"
        );
        for e in w["episodes"].as_array().unwrap() {
            let path = e["path"].as_str().unwrap();
            assert!(
                files.contains_key(path),
                "catalog references missing {path}"
            );
            episodes += 1;
        }
        slugs.push(slug);
    }
    // The feed is rendered from the catalog: a feed missing episodes would be stale.
    assert_eq!(enclosures, episodes, "feed and catalog disagree");
    assert!(files.contains_key("index.html"));
    slugs.sort();
    slugs
}

fn both(w: &Webinars) -> Vec<String> {
    let mut v = vec![w.slug_a.clone(), w.slug_b.clone()];
    v.sort();
    v
}

fn output(c: &mut Command) -> Output {
    c.output().expect("eventcast runs")
}

fn writes(requests: &[String]) -> Vec<&String> {
    requests
        .iter()
        .filter(|r| {
            [
                "PUT ",
                "POST ",
                "DELETE ",
                "MOVE ",
                "PROPPATCH ",
                "MKCOL ",
                "LOCK ",
            ]
            .iter()
            .any(|m| r.starts_with(m))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn s3_publishes_in_order_with_types_and_a_rerun_uploads_nothing() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    let config = w.config(tmp.path(), &s3.target(s3.port, BUCKET));
    w.published(&config, &w.agenda_a, &s3.env(), &[]);

    let contents = s3.contents();
    let files: BTreeMap<_, _> = contents
        .iter()
        .map(|(k, (b, _))| (k.clone(), b.clone()))
        .collect();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    let attrs = |p: &str| contents[p].1.clone();
    let feed = attrs("feed.xml");
    assert_eq!(feed["content-type"], "application/rss+xml; charset=utf-8");
    assert!(feed["cache-control"].contains("max-age=60"), "{feed:?}");
    let mp3 = contents
        .keys()
        .find(|k| k.ends_with(".mp3"))
        .expect("episodes are published")
        .clone();
    let media = attrs(&mp3);
    assert_eq!(media["content-type"], "audio/mpeg");
    assert!(
        media["cache-control"].contains("max-age=604800"),
        "{media:?}"
    );
    assert_eq!(
        media["meta-blake3"],
        blake3::hash(&files[&mp3]).to_hex().to_string()
    );
    assert_eq!(attrs("catalog.json")["content-type"], "application/json");
    assert!(!contents.keys().any(|k| k.contains("eventcast-probe")));

    // A re-run of the same webinar, counted at a proxy: nothing is uploaded.
    let proxy = Proxy::start(s3.port, NO_FAULTS);
    let config = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
    w.published(&config, &w.agenda_a, &s3.env(), &[]);
    let requests = proxy.requests();
    eprintln!(
        "no-change S3 re-run: {} requests: {requests:?}",
        requests.len()
    );
    // The health check's probe (a PUT, and a DELETE that object_store sends as a bulk
    // delete POST) is the only write.
    let w_req = writes(&requests);
    assert_eq!(w_req.len(), 2, "{w_req:?}");
    assert_eq!(
        w_req[0],
        &format!("PUT /{BUCKET}/podcast/.eventcast-tmp/probe"),
        "{w_req:?}"
    );
    assert_eq!(w_req[1], &format!("POST /{BUCKET}?delete"));
    assert!(s3.files() == files, "a no-change re-run changed the bucket");

    // A dry run of another webinar lists its files as new and uploads nothing.
    let proxy = Proxy::start(s3.port, NO_FAULTS);
    let config = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
    let out = w.published(&config, &w.agenda_b, &s3.env(), &["--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Dry run"), "{stdout}");
    assert!(
        stdout.contains(&format!("new       {}/index.html", w.slug_b)),
        "{stdout}"
    );
    assert!(stdout.contains("changed   feed.xml"), "{stdout}");
    assert!(stdout.contains("unchanged style.css"), "{stdout}");
    assert_eq!(writes(&proxy.requests()), Vec::<&String>::new());
    assert!(s3.files() == files, "a dry run changed the bucket");
}

#[test]
fn s3_faults_fail_cleanly_or_succeed_and_a_rerun_completes() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    // Webinar A is published; B goes up through a proxy that misbehaves.
    let direct = w.config(tmp.path(), &s3.target(s3.port, BUCKET));
    w.published(&direct, &w.agenda_a, &s3.env(), &[]);
    // A server that answers 503 to everything once the health check (PUT, POST delete) and
    // the reads before publishing (catalog, upload ledger, catalog) are done: the run gives
    // up after its bounded retries, names what it did not publish, and leaves the site as
    // it was.
    let before = s3.digest();
    let proxy = Proxy::start(
        s3.port,
        Faults {
            share: 1.0,
            max: usize::MAX,
            delay: Duration::ZERO,
            after: 5,
            only: Some(503),
            seed: 3,
        },
    );
    let failing = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
    let out = output(&mut w.run(&failing, &w.agenda_b, &w.work, &s3.env(), &[]));
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Not published ("), "{err}");
    for p in ["catalog.json", "index.html", "feed.xml", ".mp3"] {
        assert!(err.contains(p), "{p} not listed as unpublished: {err}");
    }
    assert!(err.contains("run again to finish"), "{err}");
    assert_eq!(
        s3.digest(),
        before,
        "a failed run changed the published site; requests: {:?}",
        proxy.requests()
    );

    for seed in [1, 2] {
        let proxy = Proxy::start(
            s3.port,
            Faults {
                share: 0.35,
                max: 12,
                delay: Duration::ZERO,
                after: 0,
                only: None,
                seed,
            },
        );
        let faulty = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
        let out = output(&mut w.run(&faulty, &w.agenda_b, &w.work, &s3.env(), &[]));
        eprintln!(
            "seed {seed}: {} faults injected in {} requests; exit {:?}",
            proxy.injected(),
            proxy.requests().len(),
            out.status.code()
        );
        assert!(proxy.injected() > 0, "the proxy injected no fault");
        let slugs = assert_consistent(&s3.files());
        if out.status.success() {
            assert_eq!(slugs, both(w));
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("error: publish target"),
                "{}",
                common::text(&out)
            );
            assert!(!err.contains("panicked"), "{err}");
            assert!(slugs.contains(&w.slug_a), "{slugs:?}");
        }
    }
    w.published(&direct, &w.agenda_b, &s3.env(), &[]);
    assert_eq!(assert_consistent(&s3.files()), both(w));
}

#[test]
fn s3_run_killed_during_upload_then_rerun_is_complete() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    let direct = w.config(tmp.path(), &s3.target(s3.port, BUCKET));
    w.published(&direct, &w.agenda_a, &s3.env(), &[]);
    let before = s3.files();

    // Slow every request down, and kill the run once some of B's media went up.
    let proxy = Proxy::start(
        s3.port,
        Faults {
            delay: Duration::from_millis(300),
            ..NO_FAULTS
        },
    );
    let slow = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
    let mut child = w
        .run(&slow, &w.agenda_b, &w.work, &s3.env(), &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let media_put =
        |r: &String| r.starts_with("PUT ") && r.contains(&w.slug_b) && r.contains(".mp3");
    while proxy.requests().iter().filter(|r| media_put(r)).count() < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let files = s3.files();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    for p in ["feed.xml", "catalog.json", "index.html"] {
        assert_eq!(files[p], before[p], "{p} changed by a run killed before it");
    }
    w.published(&direct, &w.agenda_b, &s3.env(), &[]);
    assert_eq!(assert_consistent(&s3.files()), both(w));
}

#[test]
fn s3_two_concurrent_runs_both_end_up_in_the_feed() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    let config = w.config(tmp.path(), &s3.target(s3.port, BUCKET));
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| output(&mut w.run(&config, &w.agenda_a, &w.work, &s3.env(), &[])));
        let b = s.spawn(|| output(&mut w.run(&config, &w.agenda_b, &w.work, &s3.env(), &[])));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.status.success(), "{}", common::text(&a));
    assert!(b.status.success(), "{}", common::text(&b));
    assert_eq!(assert_consistent(&s3.files()), both(w));
}

/// A run that must fail in the health check: before any decoding or encoding.
fn assert_fails_before_encoding(out: &Output, work: &Path, expected: &[&str]) {
    assert_eq!(out.status.code(), Some(2), "{}", common::text(out));
    let err = String::from_utf8_lossy(&out.stderr);
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    let made = read_tree(work);
    assert!(
        made.is_empty(),
        "work was done before the check failed: {:?}",
        made.keys()
    );
}

#[test]
fn s3_wrong_credentials_unknown_bucket_unreachable_host_fail_before_encoding() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    let work = tmp.path().join("work");
    let good = w.config(tmp.path(), &s3.target(s3.port, BUCKET));

    let wrong_secret = [
        ("AWS_ACCESS_KEY_ID", s3.key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", "not-the-right-secret-key"),
    ];
    let out = output(&mut w.run(&good, &w.agenda_a, &work, &wrong_secret, &[]));
    assert_fails_before_encoding(
        &out,
        &work,
        &[
            "wrong credentials",
            "secret access key does not match",
            "AWS_SECRET_ACCESS_KEY",
        ],
    );

    let unknown_key = [
        ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000"),
        ("AWS_SECRET_ACCESS_KEY", s3.secret.as_str()),
    ];
    let out = output(&mut w.run(&good, &w.agenda_a, &work, &unknown_key, &[]));
    assert_fails_before_encoding(
        &out,
        &work,
        &["wrong credentials", "access key id is not known"],
    );

    let out = output(&mut w.run(&good, &w.agenda_a, &work, &[], &[]));
    assert_fails_before_encoding(&out, &work, &["AWS_ACCESS_KEY_ID is not set"]);

    let no_bucket = w.config(tmp.path(), &s3.target(s3.port, "no-such-bucket"));
    let out = output(&mut w.run(&no_bucket, &w.agenda_a, &work, &s3.env(), &[]));
    assert_fails_before_encoding(
        &out,
        &work,
        &[
            "bucket `no-such-bucket` does not exist",
            "create it",
            "target.bucket",
        ],
    );

    let closed = w.config(tmp.path(), &s3.target(free_port(), BUCKET));
    let out = output(&mut w.run(&closed, &w.agenda_a, &work, &s3.env(), &[]));
    assert_fails_before_encoding(&out, &work, &["cannot reach", "target.endpoint"]);
}

#[test]
fn secrets_never_appear_in_output_even_at_trace_level() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    let dav = wsgidav(tmp.path());
    let runs = [
        (
            w.config(tmp.path(), &s3.target(s3.port, BUCKET)),
            s3.env(),
            true,
        ),
        (w.config(tmp.path(), &dav.target(dav.port)), dav.env(), true),
        (
            w.config(tmp.path(), &s3.target(s3.port, BUCKET)),
            vec![
                ("AWS_ACCESS_KEY_ID", s3.key_id.as_str()),
                ("AWS_SECRET_ACCESS_KEY", "wrong-secret-that-must-not-leak"),
            ],
            false,
        ),
        (
            w.config(tmp.path(), &dav.target(dav.port)),
            vec![
                ("EVENTCAST_WEBDAV_USER", DAV_USER),
                (
                    "EVENTCAST_WEBDAV_PASSWORD",
                    "wrong-password-that-must-not-leak",
                ),
            ],
            false,
        ),
    ];
    for (config, env, ok) in &runs {
        let out = output(
            w.run(config, &w.agenda_a, &w.work, env, &["-vv"])
                .env("RUST_LOG", "trace"),
        );
        let all = common::text(&out);
        assert_eq!(out.status.success(), *ok, "{all}");
        assert!(
            all.contains("TRACE"),
            "trace-level logging was not on: {}",
            &all[..all.len().min(2000)]
        );
        let secret = env
            .iter()
            .find(|(k, _)| k.ends_with("SECRET_ACCESS_KEY") || k.ends_with("PASSWORD"))
            .unwrap()
            .1;
        assert!(!all.contains(secret), "the secret appears in the output");
        // Nor the basic-auth header made from it.
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{DAV_USER}:{secret}"));
        assert!(
            !all.contains(&basic),
            "the Authorization header appears in the output"
        );
    }
}

#[test]
fn webdav_publishes_creating_collections_and_a_rerun_uploads_nothing() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let dav = wsgidav(tmp.path());
    let config = w.config(tmp.path(), &dav.target(dav.port));
    w.published(&config, &w.agenda_a, &dav.env(), &[]);
    let files = dav.files();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    // What was uploaded is byte for byte what was encoded.
    let encoded = read_tree(&w.work.join(&w.slug_a).join("media"));
    for (name, bytes) in encoded.iter().filter(|(n, _)| n.ends_with(".mp3")) {
        assert_eq!(&files[&format!("{}/{name}", w.slug_a)], bytes, "{name}");
    }
    assert!(!files
        .keys()
        .any(|k| k.contains("eventcast-tmp") || k.contains("probe")));

    let proxy = Proxy::start(dav.port, NO_FAULTS);
    let config = w.config(tmp.path(), &dav.target(proxy.port));
    w.published(&config, &w.agenda_a, &dav.env(), &[]);
    let requests = proxy.requests();
    eprintln!(
        "no-change WebDAV re-run: {} requests: {requests:?}",
        requests.len()
    );
    // The only writes are the health check's, on its probe in the staging folder: every
    // method publishing uses, once.
    let w_req = writes(&requests);
    let methods: Vec<&str> = w_req.iter().map(|r| r.split(' ').next().unwrap()).collect();
    assert_eq!(
        methods,
        ["PUT", "PROPPATCH", "MOVE", "LOCK", "DELETE", "DELETE"],
        "{w_req:?}"
    );
    assert!(
        w_req
            .iter()
            .all(|r| r.contains("/sites/podcast/.eventcast-tmp/")),
        "{w_req:?}"
    );
    assert_eq!(dav.files(), files);

    // `eventcast remove` takes the webinar out of the feed and deletes its files there.
    let mut remove = common::eventcast();
    remove
        .envs(dav.env().iter().copied())
        .args(["remove", &w.slug_a, "--config"])
        .arg(&config);
    let out = output(&mut remove);
    assert!(out.status.success(), "{}", common::text(&out));
    let left = dav.files();
    let in_folder: Vec<&String> = left
        .keys()
        .filter(|k| k.starts_with(&format!("{}/", w.slug_a)))
        .collect();
    assert!(in_folder.is_empty(), "{in_folder:?}");
    let feed = String::from_utf8_lossy(&left["feed.xml"]);
    assert!(!feed.contains(&w.slug_a), "{feed}");
    assert!(left.contains_key("index.html") && left.contains_key("catalog.json"));
}

#[test]
fn webdav_concurrent_runs_and_faults() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let dav = wsgidav(tmp.path());
    let config = w.config(tmp.path(), &dav.target(dav.port));
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| output(&mut w.run(&config, &w.agenda_a, &w.work, &dav.env(), &[])));
        let b = s.spawn(|| output(&mut w.run(&config, &w.agenda_b, &w.work, &dav.env(), &[])));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.status.success(), "{}", common::text(&a));
    assert!(b.status.success(), "{}", common::text(&b));
    assert_eq!(assert_consistent(&dav.files()), both(w));

    // Re-publish A with changed pages (another base URL) through a misbehaving proxy.
    let proxy = Proxy::start(
        dav.port,
        Faults {
            share: 0.3,
            max: 10,
            delay: Duration::ZERO,
            after: 0,
            only: None,
            seed: 7,
        },
    );
    let faulty = w.config(tmp.path(), &dav.target(proxy.port));
    let faulty_text = std::fs::read_to_string(&faulty).unwrap().replace(
        "title = \"Learning from cities\"",
        "title = \"Learning from cities (2)\"",
    );
    std::fs::write(&faulty, faulty_text).unwrap();
    let out = output(&mut w.run(&faulty, &w.agenda_a, &w.work, &dav.env(), &[]));
    eprintln!(
        "{} faults injected in {} requests; exit {:?}",
        proxy.injected(),
        proxy.requests().len(),
        out.status.code()
    );
    assert!(proxy.injected() > 0);
    assert_eq!(assert_consistent(&dav.files()), both(w));
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("error: publish target"),
            "{}",
            common::text(&out)
        );
    }
    // Without the faults, a re-run finishes the job: the new series title is in the feed.
    let direct = w.config(tmp.path(), &dav.target(dav.port));
    std::fs::write(
        &direct,
        std::fs::read(&faulty)
            .unwrap()
            .replace_ports(proxy.port, dav.port),
    )
    .unwrap();
    w.published(&direct, &w.agenda_a, &dav.env(), &[]);
    let files = dav.files();
    assert_eq!(assert_consistent(&files), both(w));
    assert!(String::from_utf8_lossy(&files["feed.xml"]).contains("Learning from cities (2)"));
}

trait ReplacePorts {
    fn replace_ports(self, from: u16, to: u16) -> Vec<u8>;
}

impl ReplacePorts for Vec<u8> {
    fn replace_ports(self, from: u16, to: u16) -> Vec<u8> {
        String::from_utf8(self)
            .unwrap()
            .replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"))
            .into_bytes()
    }
}

#[test]
fn webdav_wrong_password_and_unreachable_host_fail_before_encoding() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let dav = wsgidav(tmp.path());
    let work = tmp.path().join("work");
    let config = w.config(tmp.path(), &dav.target(dav.port));
    let wrong = [
        ("EVENTCAST_WEBDAV_USER", DAV_USER),
        ("EVENTCAST_WEBDAV_PASSWORD", "wrong"),
    ];
    let out = output(&mut w.run(&config, &w.agenda_a, &work, &wrong, &[]));
    assert_fails_before_encoding(
        &out,
        &work,
        &["wrong credentials", "EVENTCAST_WEBDAV_PASSWORD"],
    );
    let closed = w.config(tmp.path(), &dav.target(free_port()));
    let out = output(&mut w.run(&closed, &w.agenda_a, &work, &dav.env(), &[]));
    assert_fails_before_encoding(
        &out,
        &work,
        &["cannot reach the WebDAV server", "target.url"],
    );
    assert!(dav.files().is_empty());
}

#[test]
fn dir_concurrent_runs_both_end_up_in_the_feed() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let config = w.config(tmp.path(), &format!("kind = \"dir\"\npath = {site:?}\n"));
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| output(&mut w.run(&config, &w.agenda_a, &w.work, &[], &[])));
        let b = s.spawn(|| output(&mut w.run(&config, &w.agenda_b, &w.work, &[], &[])));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(a.status.success(), "{}", common::text(&a));
    assert!(b.status.success(), "{}", common::text(&b));
    let files = read_tree(&site);
    assert_eq!(assert_consistent(&files), both(w));
    assert!(!files
        .keys()
        .any(|k| k.ends_with(".tmp") || k.ends_with(".lock")));
}

/// A work folder for webinar A holding the shared decode (and episodes, unless
/// `fresh_media`) but no plan: a run from it plans (and encodes) afresh, its times
/// computed rather than read back from plan.json.
fn work_without_plan(w: &Webinars, dir: &Path, fresh_media: bool) -> PathBuf {
    let work = dir.join(format!("work-{:08x}", rand::random::<u32>()));
    let from = w.work.join(&w.slug_a);
    let to = work.join(&w.slug_a);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(&from).unwrap().flatten() {
        let skip =
            e.file_name() == "plan.json" || (fresh_media && e.file_name() == "renditions.json");
        if e.path().is_file() && !skip {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    work
}

/// Publish webinar A from a fresh plan, then again from the plan the first run saved: the
/// second run must write nothing. Returns the second run's output.
fn fresh_then_resumed(
    w: &Webinars,
    dir: &Path,
    config: &Path,
    env: &[(&str, &str)],
    fresh_media: bool,
) -> Output {
    let work = work_without_plan(w, dir, fresh_media);
    let first = output(&mut w.run(config, &w.agenda_a, &work, env, &[]));
    assert!(first.status.success(), "{}", common::text(&first));
    let again = output(&mut w.run(config, &w.agenda_a, &work, env, &[]));
    assert!(again.status.success(), "{}", common::text(&again));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("(0 files written,"),
        "an identical re-run after a fresh plan wrote files: {}",
        common::text(&again)
    );
    again
}

#[test]
fn an_identical_rerun_after_a_fresh_plan_writes_nothing_on_every_target() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();

    let site = tmp.path().join("site");
    let config = w.config(tmp.path(), &format!("kind = \"dir\"\npath = {site:?}\n"));
    fresh_then_resumed(w, tmp.path(), &config, &[], true);
    let catalog = std::fs::read_to_string(site.join("catalog.json")).unwrap();
    // Times are stored in whole milliseconds: never 9.524999999999999.
    let doc: serde_json::Value = serde_json::from_str(&catalog).unwrap();
    let mut times = Vec::new();
    for wb in doc["webinars"].as_array().unwrap() {
        for c in wb["transcript"].as_array().unwrap() {
            times.extend([c["start"].as_f64().unwrap(), c["end"].as_f64().unwrap()]);
        }
        for c in wb["chapters"].as_array().unwrap() {
            times.push(c["start"].as_f64().unwrap());
        }
        for e in wb["episodes"].as_array().unwrap() {
            times.extend([
                e["start"].as_f64().unwrap(),
                e["duration"].as_f64().unwrap(),
            ]);
        }
    }
    assert!(times.len() > 10);
    for t in times {
        assert_eq!(t, (t * 1000.0).round() / 1000.0, "{t} is not in whole ms");
    }

    let s3 = moto();
    let proxy = Proxy::start(s3.port, NO_FAULTS);
    let config = w.config(tmp.path(), &s3.target(proxy.port, BUCKET));
    fresh_then_resumed(w, tmp.path(), &config, &s3.env(), false);
    assert_eq!(assert_consistent(&s3.files()), vec![w.slug_a.clone()]);

    for dav in [
        wsgidav(tmp.path()),
        apache(tmp.path(), None, None),
        rclone(tmp.path()),
    ] {
        let config = w.config(tmp.path(), &dav.target(dav.port));
        fresh_then_resumed(w, tmp.path(), &config, &dav.env(), false);
        assert_eq!(assert_consistent(&dav.files()), vec![w.slug_a.clone()]);
    }
}

#[test]
fn webdav_check_runs_every_method_and_names_the_one_the_server_refuses() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    // Apache answering 405 to LOCK and UNLOCK, as nginx's dav module does.
    let dav = apache(
        tmp.path(),
        Some("GET HEAD OPTIONS PUT DELETE PROPFIND PROPPATCH MKCOL MOVE COPY"),
        None,
    );
    let work = tmp.path().join("work");
    let config = w.config(tmp.path(), &dav.target(dav.port));
    let out = output(&mut w.run(&config, &w.agenda_a, &work, &dav.env(), &[]));
    assert_fails_before_encoding(&out, &work, &["refused LOCK (405", "DavLockDB"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("publish target {}", dav.base());
    assert_eq!(err.matches(&prefix).count(), 1, "{err}");
    assert!(dav.files().is_empty(), "{:?}", dav.files().keys());

    // The same server with every method: publishing works, and a re-run writes nothing.
    let dav = apache(tmp.path(), None, None);
    let config = w.config(tmp.path(), &dav.target(dav.port));
    w.published(&config, &w.agenda_a, &dav.env(), &[]);
    let out = w.published(&config, &w.agenda_a, &dav.env(), &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("(0 files written,"));
    let files = dav.files();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    assert!(
        !files.keys().any(|k| k.contains(".lock")),
        "{:?}",
        files.keys()
    );
}

#[test]
fn webdav_without_properties_keeps_hashes_in_a_manifest_and_leaves_no_lock_file() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let dav = rclone(tmp.path());
    let config = w.config(tmp.path(), &dav.target(dav.port));
    let first = w.published(&config, &w.agenda_a, &dav.env(), &[]);
    let err = String::from_utf8_lossy(&first.stderr);
    assert_eq!(
        err.matches("does not store properties").count(),
        1,
        "said not once: {err}"
    );
    assert!(err.contains("403"), "{err}");
    let files = dav.files();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    assert!(
        !files.keys().any(|k| k.ends_with(".lock")),
        "{:?}",
        files.keys()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&files[".eventcast-manifest.json"]).unwrap();
    let mp3 = files.keys().find(|k| k.ends_with(".mp3")).unwrap();
    assert_eq!(
        manifest[mp3]["hash"],
        blake3::hash(&files[mp3]).to_hex().to_string()
    );

    // A re-run, counted at a proxy: only the health check's probe is written.
    let proxy = Proxy::start(dav.port, NO_FAULTS);
    let config = w.config(tmp.path(), &dav.target(proxy.port));
    let again = w.published(&config, &w.agenda_a, &dav.env(), &[]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("(0 files written,"),
        "{}",
        common::text(&again)
    );
    let requests = proxy.requests();
    let w_req = writes(&requests);
    assert!(
        w_req.iter().all(|r| r.contains("/.eventcast-tmp/")),
        "{w_req:?}"
    );
    assert_eq!(dav.files(), files);
}

/// Files in the staging folder of a published site.
fn staged(site: &Path) -> Vec<String> {
    std::fs::read_dir(site.join(".eventcast-tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// `eventcast check` of a published folder passes.
fn assert_check_passes(site: &Path) {
    let out = common::run(&["check", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::text(&out));
}

/// Start `run`, and kill it (SIGKILL) as soon as `seen()` says a temporary is being
/// written; `false` if the run ended first.
fn kill_when(mut run: Command, seen: impl Fn() -> bool) -> bool {
    let mut child = run
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if seen() {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(started.elapsed() < Duration::from_secs(180));
    }
}

#[test]
fn a_run_killed_while_writing_leaves_temporaries_the_next_run_removes() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();

    // Folder target: killed while a media file is being copied in.
    let mut caught = None;
    for attempt in 0..40 {
        let site = tmp.path().join(format!("site-{attempt}"));
        let config = w.config(tmp.path(), &format!("kind = \"dir\"\npath = {site:?}\n"));
        let media = |n: &String| n.ends_with(".mp3");
        // Caught only if the temporary is still there once the run is dead (it may have
        // been renamed into place between the look and the kill).
        if kill_when(w.run(&config, &w.agenda_a, &w.work, &[], &[]), || {
            staged(&site).iter().any(media)
        }) && !staged(&site).is_empty()
        {
            caught = Some((site, config));
            break;
        }
    }
    let (site, config) = caught.expect("no run was caught writing a temporary in 40 tries");
    let out = common::run(&["check", site.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a temporary file left by a run"),
        "{}",
        common::text(&out)
    );
    w.published(&config, &w.agenda_a, &[], &[]);
    assert_eq!(staged(&site), Vec::<String>::new());
    assert_eq!(assert_consistent(&read_tree(&site)), vec![w.slug_a.clone()]);
    assert_check_passes(&site);

    // WebDAV: killed while a media file sits in the staging collection (requests slowed).
    let dav = wsgidav(tmp.path());
    let proxy = Proxy::start(
        dav.port,
        Faults {
            delay: Duration::from_millis(300),
            ..NO_FAULTS
        },
    );
    // A collection of its own per try, so that each try has files to write.
    let collection = |port: u16, n: usize| {
        format!("kind = \"webdav\"\nurl = \"http://127.0.0.1:{port}/sites/podcast-{n}/\"\n")
    };
    let mut caught = None;
    for n in 0..5 {
        let slow = w.config(tmp.path(), &collection(proxy.port, n));
        let site = dav.root.join(format!("sites/podcast-{n}"));
        if kill_when(w.run(&slow, &w.agenda_a, &w.work, &dav.env(), &[]), || {
            staged(&site).iter().any(|f| f.ends_with(".mp3"))
        }) && !staged(&site).is_empty()
        {
            caught = Some((n, site));
            break;
        }
    }
    let (n, site) = caught.expect("no WebDAV run was caught writing a temporary in 5 tries");
    let direct = w.config(tmp.path(), &collection(dav.port, n));
    w.published(&direct, &w.agenda_a, &dav.env(), &[]);
    assert_eq!(staged(&site), Vec::<String>::new());
    assert_eq!(assert_consistent(&read_tree(&site)), vec![w.slug_a.clone()]);
    assert_check_passes(&site);
}

/// Keys of the multipart uploads in progress in the test bucket.
fn s3_uploads(s3: &S3) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/publish_servers/s3_uploads.py");
    let out = Command::new(tool("python3"))
        .arg(script)
        .arg(format!("http://127.0.0.1:{}", s3.port))
        .args([BUCKET, &s3.key_id, &s3.secret])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::text(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn s3_multipart_upload_of_a_killed_run_is_aborted_by_the_next() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let s3 = moto();
    // 320 kbit/s makes the whole-webinar episode larger than one 5 MiB part.
    let target = |port| format!("{}part_size_mib = 5\n", s3.target(port, BUCKET));
    let big = |config: PathBuf| {
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("bitrate_kbps = 96\n"), "{text}");
        std::fs::write(
            &config,
            text.replace("bitrate_kbps = 96\n", "bitrate_kbps = 320\n"),
        )
        .unwrap();
        config
    };
    let work = work_without_plan(w, tmp.path(), true);
    let proxy = Proxy::start(
        s3.port,
        Faults {
            delay: Duration::from_millis(300),
            ..NO_FAULTS
        },
    );
    let slow = big(w.config(tmp.path(), &target(proxy.port)));
    let part = |r: &String| r.starts_with("PUT ") && r.contains("uploadId=");
    assert!(
        kill_when(w.run(&slow, &w.agenda_a, &work, &s3.env(), &[]), || {
            proxy.requests().iter().any(part)
        }),
        "the run ended before a part was sent"
    );
    assert_eq!(s3_uploads(&s3).len(), 1, "the killed run left no upload");
    let direct = big(w.config(tmp.path(), &target(s3.port)));
    let out = output(&mut w.run(&direct, &w.agenda_a, &work, &s3.env(), &[]));
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("aborted a multipart upload"),
        "{}",
        common::text(&out)
    );
    assert_eq!(s3_uploads(&s3), Vec::<String>::new());
    let files = s3.files();
    assert_eq!(assert_consistent(&files), vec![w.slug_a.clone()]);
    let ledger: serde_json::Value =
        serde_json::from_slice(&files[".eventcast-tmp/uploads.json"]).unwrap();
    assert_eq!(ledger, serde_json::json!({}));
}

#[test]
fn feed_links_are_files_and_check_fetches_them_from_the_web_server() {
    let w = webinars();
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("served");
    std::fs::create_dir_all(&site).unwrap();
    // Apache serving the folder at /podcast/ with no DirectoryIndex: a folder URL is no page.
    let server = apache(tmp.path(), None, Some(&site));
    let base = format!("http://127.0.0.1:{}/podcast/", server.port);
    let config = |pretty: bool| {
        let path = w.config(tmp.path(), &format!("kind = \"dir\"\npath = {site:?}\n"));
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(BASE_URL, &base)
            .replace("[site]\n", &format!("[site]\npretty_urls = {pretty}\n"));
        assert!(text.contains("pretty_urls"), "{text}");
        std::fs::write(&path, text).unwrap();
        path
    };
    let check = || common::run(&["check", site.to_str().unwrap()]);

    w.published(&config(false), &w.agenda_a, &[], &[]);
    let feed = std::fs::read_to_string(site.join("feed.xml")).unwrap();
    let channel = rss::Channel::read_from(feed.as_bytes()).unwrap();
    assert_eq!(channel.link(), format!("{base}index.html"));
    for item in channel.items() {
        let link = item.link().unwrap();
        assert!(
            link.starts_with(&format!("{base}{}/index.html#", w.slug_a)),
            "{link}"
        );
    }
    let out = check();
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("not fetched"),
        "the check did not fetch the feed's links: {}",
        common::text(&out)
    );

    // Folder links, which this server does not serve: the check fetches them and says so.
    w.published(&config(true), &w.agenda_a, &[], &[]);
    let out = check();
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{base}{}/#", w.slug_a)) && err.contains("folder URL"),
        "{err}"
    );
}
