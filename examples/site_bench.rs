//! Benchmark of the site stage at series scale: render the feed, pages, chapters and
//! transcripts of N webinars, publish them into a folder, and check the folder.
//!
//! `cargo run --release --example site_bench -- 200` (default 100 webinars, 5 episodes
//! each, a one-hour transcript each). Media files are sparse files of the right length:
//! the check reads only their size.

use std::time::Instant;

use eventcast::config::Config;
use eventcast::ingest::Person;
use eventcast::media::EpisodeKind;
use eventcast::publish::{dir::DirTarget, Payload, Upload};
use eventcast::site::catalog::{self, Catalog, CatalogEpisode, Chapter, Cue, Webinar};

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100);
    let dir = tempfile::tempdir()?;
    let mut config = Config::builtin();
    // The plain cover eventcast publishes when the series has none.
    eventcast::site::ensure_artwork(&mut config, None, dir.path())?;

    let mut catalog = Catalog::default();
    let mut media = Vec::new();
    for i in 0..n {
        let slug = format!("2026-{:02}-{:02}-webinar-{i}", 1 + i % 12, 1 + i % 28);
        let person = |k: usize| Person {
            name: format!("Speaker {k} of {i}"),
            role: Some("Mayor".into()),
            organisation: Some("City".into()),
            city: Some("Ciudad".into()),
            country: Some("País".into()),
            handle: None,
        };
        let mut episodes = Vec::new();
        for (k, id) in ["webinar", "talk-1", "talk-2", "talk-3", "wrapup-1"]
            .iter()
            .enumerate()
        {
            let path = format!("{slug}/{id}.mp3");
            let file = dir.path().join("media").join(&path);
            std::fs::create_dir_all(file.parent().unwrap())?;
            let bytes = 1_000_000 + k as u64;
            std::fs::File::create(&file)?.set_len(bytes)?;
            media.push(Upload {
                path: path.clone(),
                payload: Payload::File(file),
            });
            episodes.push(CatalogEpisode {
                id: id.to_string(),
                guid: catalog::guid(&slug, id),
                kind: if k == 0 {
                    EpisodeKind::Webinar
                } else {
                    EpisodeKind::Talk
                },
                title: format!("Episode {id} of webinar {i}"),
                speakers: vec![format!("Speaker {k} of {i}")],
                path,
                bytes,
                start: if k == 0 { 0.0 } else { 600.0 * k as f64 },
                duration: if k == 0 { 3600.0 } else { 600.0 },
                mime: "audio/mpeg".into(),
                track: k as u32,
                video: None,
            });
        }
        catalog
            .upsert(Webinar {
                slug: slug.clone(),
                identity: None,
                title: format!("Webinar {i}"),
                series: None,
                date: slug[..10].to_string(),
                time: Some("16:00".into()),
                timezone: Some("Europe/Madrid".into()),
                language: "es".into(),
                fingerprint: None,
                description: "Una descripción de dos frases. Y otra.".into(),
                moderator: Some(person(0)),
                speakers: (1..4).map(person).collect(),
                chapters: (0..6)
                    .map(|c| Chapter {
                        title: format!("Item {c}"),
                        speakers: vec![],
                        start: 600.0 * c as f64,
                    })
                    .collect(),
                episodes,
                // One cue every 6 s for an hour.
                transcript: (0..600)
                    .map(|c| Cue {
                        start: 6.0 * c as f64,
                        end: 6.0 * c as f64 + 5.5,
                        speaker: format!("Speaker {} of {i}", c / 100 % 4),
                        text: "Una frase de la transcripción con algunas palabras más.".into(),
                    })
                    .collect(),
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }

    let started = Instant::now();
    let files = eventcast::site::build(&config, &catalog)?;
    let built = started.elapsed();
    let count = files.len();
    let mut uploads = media;
    uploads.extend(files.into_iter().map(Upload::from));
    let root = dir.path().join("site");
    let started = Instant::now();
    let target = DirTarget::new(&root);
    let mut site = |_: eventcast::site::catalog::Catalog| Ok(Vec::new());
    tokio::runtime::Runtime::new()?.block_on(eventcast::publish::publish(
        &target, uploads, &mut site, false,
    ))?;
    let published = started.elapsed();
    let started = Instant::now();
    let problems = eventcast::publish::check::check(&eventcast::publish::check::Site::dir(&root));
    let checked = started.elapsed();
    anyhow::ensure!(problems.is_empty(), "check failed: {problems:?}");
    println!(
        "{n} webinars, {} episodes, {count} site files: build {:.2} s, publish {:.2} s, check {:.2} s",
        n * 5,
        built.as_secs_f64(),
        published.as_secs_f64(),
        checked.as_secs_f64()
    );
    Ok(())
}
