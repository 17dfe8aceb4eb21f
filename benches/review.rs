//! Review page benchmark (issue 14): how large the review page of a three-hour recording is
//! with its excerpts, and how long Chromium takes to open it.
//!
//! A three-hour webinar of the seed's shape (every part three times as long) is generated
//! with its Zoom-style transcript, planned, and its review page written as `run` writes it.
//! Then it prints the page's size, the excerpts' total, and, over a few openings in
//! headless Chromium, what the browser itself measured from navigation start: DOM
//! interactive and the load event (the page with its script run and every player
//! created). The wall time of each Chromium process (its start-up included) is printed
//! too, as an upper bound.
//!
//! Run: `cargo bench --bench review` (needs chromium: `.ci/install-test-tools.sh`). The
//! rendered webinar is kept in target/bench-review/ and reused; `REVIEW_BENCH_MINUTES`
//! changes the length (default 180), `REVIEW_BENCH_OPENINGS` the openings (default 5).

use std::path::Path;
use std::time::Instant;

use eventcast::review::page::{self, Review};
use eventcast::testbed::{self, Phenomena, Scenario};

fn main() -> anyhow::Result<()> {
    let minutes: f64 = env_or("REVIEW_BENCH_MINUTES", 180.0);
    let openings: usize = env_or("REVIEW_BENCH_OPENINGS", 5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-review");
    let dir = root.join(format!("{minutes}min"));
    let agenda = testbed::scaled(&testbed::seed_agenda(), minutes / 60.0);
    let webinar = Scenario::new(agenda, minutes, Phenomena::NONE, 7).build();
    let t = Instant::now();
    let rendered = webinar.load_or_render(&dir)?;
    println!(
        "recording: {minutes} min generated or reused in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let transcript = dir.join("zoom.vtt");
    std::fs::write(&transcript, webinar.transcript(&rendered.truth, false, 0.3))?;

    let t = Instant::now();
    let sources = eventcast::ingest::Sources {
        recording: rendered.recording.clone(),
        agenda: rendered.agenda.clone(),
        transcript: Some(transcript),
        cues: None,
    };
    let session = eventcast::pipeline::Session::open(eventcast::pipeline::SessionOptions {
        work: dir.join("work"),
        ..Default::default()
    })?;
    let planned = eventcast::pipeline::plan_only(&session, &sources)?;
    println!("plan: {:.1} s", t.elapsed().as_secs_f64());
    let page_path = dir.join("review.html");
    let t = Instant::now();
    page::write(
        &Review {
            agenda: &planned.inputs.agenda,
            plan: &planned.plan,
            audio: &planned.audio,
            min_confidence: 0.7,
            release: None,
        },
        &page_path,
    )?;
    println!("review page written in {:.1} s", t.elapsed().as_secs_f64());

    let html = std::fs::metadata(&page_path)?.len();
    let excerpts: Vec<u64> = std::fs::read_dir(page::excerpt_folder(&page_path))?
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .collect();
    let total = html + excerpts.iter().sum::<u64>();
    println!(
        "page: {:.0} kB; {} excerpts: {:.0} kB; together {:.2} MB (the issue asks under 5 MB)",
        html as f64 / 1e3,
        excerpts.len(),
        excerpts.iter().sum::<u64>() as f64 / 1e3,
        total as f64 / 1e6
    );

    // The browser's own clock: a copy of the page, next to it (the excerpts resolve), that
    // writes its navigation timing into the DOM Chromium dumps after the load event.
    let probe = dir.join("review-probe.html");
    let text = std::fs::read_to_string(&page_path)?.replace(
        "</body>",
        "<script>addEventListener('load', function () {\
         var n = performance.getEntriesByType('navigation')[0];\
         var p = document.createElement('pre'); p.id = 'timing';\
         p.textContent = n.domInteractive.toFixed(0) + ' ' + n.loadEventStart.toFixed(0);\
         document.body.appendChild(p); });</script></body>",
    );
    std::fs::write(&probe, text)?;
    println!(
        "{:>8} {:>16} {:>14} {:>16}",
        "opening", "DOM interactive", "load event", "chromium wall"
    );
    let mut loads = Vec::new();
    for k in 1..=openings {
        let t = Instant::now();
        let out = eventcast::testbed::chromium(&probe, &["--dump-dom"])?;
        let wall = t.elapsed().as_secs_f64() * 1e3;
        let dom = String::from_utf8_lossy(&out.stdout);
        let timing = dom
            .split("<pre id=\"timing\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .map(|t| {
                t.split_whitespace()
                    .filter_map(|x| x.parse::<f64>().ok())
                    .collect::<Vec<_>>()
            })
            .filter(|v| v.len() == 2)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "chromium wrote no timing: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })?;
        println!(
            "{k:>8} {:>13.0} ms {:>11.0} ms {:>13.0} ms",
            timing[0], timing[1], wall
        );
        loads.push(timing[1]);
    }
    std::fs::remove_file(&probe)?;
    loads.sort_by(f64::total_cmp);
    println!(
        "load event, median of {}: {:.0} ms (the issue asks under a second)",
        loads.len(),
        loads[loads.len() / 2]
    );
    Ok(())
}

fn env_or<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
