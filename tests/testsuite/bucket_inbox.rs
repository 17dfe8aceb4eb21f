//! A back catalogue in a bucket: several `eventcast batch` processes (machines, each with
//! its own work folder) share one S3 inbox through leases in the bucket, and one of them
//! is killed while it holds a lease.

use crate::common::{self, servers::*};
use crate::publish::{assert_consistent, config_file, BASE_URL};

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use object_store::path::Path as Key;
use object_store::{ObjectStoreExt, PutPayload};

const WEBINARS: usize = 12;
/// Each webinar's recording, named as Zoom names it.
const RECORDING: &str = "GMT20261101-150000_Recording_1280x720.mp4";
const MACHINES: usize = 4;
/// Episodes per demo webinar: its talks and the whole webinar.
const EPISODES: usize = 4;

fn name(i: usize) -> String {
    format!("2026-11-{:02}-webinar-{i:02}", i + 1)
}

/// The demo webinar, twelve times over under `inbox/`, each with its own title and date.
fn fill_inbox(s3: &S3, inputs: &eventcast::demo::DemoInputs) {
    let agenda = std::fs::read_to_string(&inputs.agenda).unwrap();
    assert!(agenda.contains("2026-11-20"), "the demo agenda changed");
    let recording = std::fs::read(&inputs.recording).unwrap();
    let transcript = std::fs::read(&inputs.transcript).unwrap();
    let store = s3.store();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for i in 0..WEBINARS {
            let text = agenda
                .replace("2026-11-20", &format!("2026-11-{:02}", i + 1))
                .replacen("title = \"", &format!("title = \"Webinar {i:02}: "), 1);
            // As a Zoom download comes: the video, the audio alone, the transcript, the live
            // captions and the chat, beside the agenda.
            for (file, bytes) in [
                (RECORDING, recording.clone()),
                (
                    "GMT20261101-150000_Recording.m4a",
                    b"the audio alone".to_vec(),
                ),
                (
                    "GMT20261101-150000_Recording.transcript.vtt",
                    transcript.clone(),
                ),
                ("GMT20261101-150000_Recording.cc.vtt", b"WEBVTT\n".to_vec()),
                (
                    "GMT20261101-150000_RecordingnewChat.txt",
                    b"15:02:11 From Ana: hi".to_vec(),
                ),
                ("agenda.toml", text.into_bytes()),
            ] {
                let key = Key::from(format!("inbox/{}/{file}", name(i)));
                store.put(&key, PutPayload::from(bytes)).await.unwrap();
            }
        }
    });
}

fn batch(s3: &S3, config: &Path, work: &Path, extra: &[&str]) -> Command {
    let mut c = common::eventcast();
    c.envs(s3.env())
        .args(["batch", "--inbox", &format!("s3://{BUCKET}/inbox/")])
        .arg("--config")
        .arg(config)
        .arg("--work")
        .arg(work)
        .args(["--jobs", "1", "--hold", "never"])
        .args(extra);
    c
}

/// The owner (`host:pid`) of each live lease in the inbox, by webinar.
fn leases(s3: &S3, rt: &tokio::runtime::Runtime) -> Vec<(String, u32)> {
    let store = s3.store();
    rt.block_on(async {
        let mut out = Vec::new();
        for i in 0..WEBINARS {
            let key = Key::from(format!("inbox/.eventcast/leases/{}", name(i)));
            let Ok(got) = store.get(&key).await else {
                continue;
            };
            let Ok(bytes) = got.bytes().await else {
                continue;
            };
            let lease: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let owner = lease["owner"].as_str().unwrap();
            let pid = owner.rsplit(':').next().unwrap().parse().unwrap();
            out.push((name(i), pid));
        }
        out
    })
}

fn feed_guids(files: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let feed = rss::Channel::read_from(&files["feed.xml"][..]).expect("the feed parses");
    feed.items()
        .iter()
        .map(|i| i.guid().expect("every item has a GUID").value().to_string())
        .collect()
}

#[test]
fn four_machines_share_a_bucket_inbox_and_take_over_the_webinar_of_one_that_died() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = common::demo_inputs(&tmp.path().join("inputs"));
    let s3 = moto_unsigned();
    fill_inbox(&s3, &inputs);
    let config = config_file(
        &tmp.path().join("inputs"),
        tmp.path(),
        &s3.target(s3.port, BUCKET),
    );

    // Four machines: a shard each, then the others' (--steal); leases of 8 s, renewed every 2.7 s.
    let mut machines: Vec<Child> = (0..MACHINES)
        .map(|i| {
            let work = tmp.path().join(format!("work-{i}"));
            let shard = format!("{i}/{MACHINES}");
            batch(&s3, &config, &work, &["--shard", &shard, "--steal"])
                .args(["--lease", "8"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();

    // Kill one machine while it holds a lease.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let (killed_webinar, killed) = loop {
        if started.elapsed() > Duration::from_secs(120) {
            let outputs: Vec<String> = machines
                .into_iter()
                .map(|mut m| {
                    let _ = m.kill();
                    common::text(&m.wait_with_output().unwrap())
                })
                .collect();
            panic!(
                "no machine took a lease within 2 minutes:\n{}",
                outputs.join("\n")
            );
        }
        let held = leases(&s3, &rt);
        let hit = held.iter().find_map(|(webinar, pid)| {
            let m = machines.iter().position(|c| c.id() == *pid)?;
            Some((webinar.clone(), m))
        });
        if let Some(hit) = hit {
            break hit;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    machines[killed].kill().unwrap(); // SIGKILL
    let mut stderr = String::new();
    for (i, m) in machines.into_iter().enumerate() {
        let out = m.wait_with_output().unwrap();
        if i == killed {
            assert!(!out.status.success(), "machine {i} was killed");
            continue;
        }
        assert!(out.status.success(), "machine {i}: {}", common::text(&out));
        stderr.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        stderr.contains(&format!("took over {killed_webinar}: the lease of")),
        "nobody took over {killed_webinar} after its holder died:\n{stderr}"
    );

    // Every webinar exactly once in the catalog and the feed, every file there.
    let files = s3.files();
    let slugs = assert_consistent(&files);
    assert_eq!(slugs.len(), WEBINARS, "{slugs:?}");
    assert_eq!(
        slugs.iter().collect::<BTreeSet<_>>().len(),
        WEBINARS,
        "a webinar is in the catalog twice: {slugs:?}"
    );
    let guids = feed_guids(&files);
    assert_eq!(guids.len(), WEBINARS * EPISODES, "{guids:?}");
    assert_eq!(
        guids.iter().collect::<BTreeSet<_>>().len(),
        guids.len(),
        "duplicate GUIDs in the feed"
    );
    // Nothing the feed does not point at: no stray media, no temporaries of the dead run.
    let feed = String::from_utf8(files["feed.xml"].clone()).unwrap();
    for path in files.keys() {
        let media = [".mp3", ".m4a", ".mp4", ".jpg"]
            .iter()
            .any(|e| path.ends_with(e));
        if media && path.contains('/') {
            assert!(
                feed.contains(&format!("{BASE_URL}{path}")),
                "{path} is published but not in the feed"
            );
        }
        assert!(
            !path.starts_with(".eventcast-tmp/") || path.ends_with("uploads.json"),
            "a temporary is left: {path}"
        );
    }

    // A second pass on a new machine (a fresh work folder) has nothing to do, and reads
    // no recording: their hashes are remembered in the bucket.
    let again = batch(&s3, &config, &tmp.path().join("work-new"), &[])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", common::text(&again));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("Nothing to do"), "{stdout}");
    assert_eq!(stdout.matches("up to date").count(), WEBINARS, "{stdout}");
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(
        !log.contains(&format!("{RECORDING} (")),
        "a recording was downloaded by a pass with nothing to do:\n{log}"
    );
    assert!(
        s3.files() == files,
        "a pass with nothing to do changed the site"
    );
    assert_eq!(feed_guids(&s3.files()), guids);
}
