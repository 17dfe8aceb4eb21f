//! Alignment benchmark: how far each evidence mode puts the talk and wrap-up boundaries from
//! the truth, on webinars generated from the seed's event page as published (no welcome or
//! closing in it), with each phenomenon of real webinars alone and all of them together,
//! at 15 and 60 minutes; and how long alignment takes.
//!
//! Each case is rendered from several seeds (three at 15 minutes, one at 60; set
//! `ALIGN_BENCH_SEEDS_15` / `ALIGN_BENCH_SEEDS_60`): the seed changes every timing, the
//! sentences, and which voice is the moderator's; the errors of all seeds are pooled.
//!
//! Run: `cargo bench --bench align` (everything), or with filters on the case name, e.g.
//! `cargo bench --bench align -- 15min` or `-- all`. `ALIGN_BENCH_VERBOSE=1` prints each
//! plan beside the truth; `ALIGN_BENCH_MODES=audio,zoom` runs only those modes. Rendered webinars are kept in target/bench-align/ and reused.

use std::path::Path;
use std::time::Instant;

use eventcast::ingest::envelope::Envelope;
use eventcast::ingest::{cues, transcript, ItemKind};
use eventcast::plan::{self, Evidence, Plan};
use eventcast::testbed::{self, Engine, Phenomena, Scenario, Webinar};

const MODES: &[&str] = &["cues", "zoom", "teams", "audio"];

struct Row {
    case: String,
    mode: &'static str,
    found: (usize, usize),
    errors: Vec<f64>,
    took: f64,
    failed: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-align");
    let seed_agenda = testbed::seed_agenda();
    let mut rows = Vec::new();
    println!(
        "{:<22} {:<6} {:>6} {:>7} {:>9} {:>8} {:>8} {:>8}",
        "webinar", "mode", "edges", "found", "median s", "max s", "align s", "audio s"
    );
    let seeds_of = |minutes: f64| -> Vec<u64> {
        let var = if minutes < 30.0 {
            "ALIGN_BENCH_SEEDS_15"
        } else {
            "ALIGN_BENCH_SEEDS_60"
        };
        let n: u64 = std::env::var(var)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if minutes < 30.0 { 3 } else { 1 });
        (0..n).collect()
    };
    // Every case with flite's voices, and all phenomena together with espeak-ng's too.
    let mut cases: Vec<(String, Phenomena, Engine)> = Phenomena::cases()
        .into_iter()
        .map(|(n, p)| (n.to_string(), p, Engine::Flite))
        .collect();
    cases.push(("all-espeak".into(), Phenomena::ALL, Engine::Espeak));
    for minutes in [15.0, 60.0] {
        for (k, (name, ph, engine)) in cases.iter().cloned().enumerate() {
            let case = format!("{minutes:.0}min-{name}");
            if !filter.is_empty() && !filter.iter().any(|f| case.contains(f.as_str())) {
                continue;
            }
            let agenda = if minutes >= 60.0 {
                seed_agenda.clone()
            } else {
                testbed::scaled(&seed_agenda, minutes / 60.0)
            };
            let mut pooled: Vec<Row> = MODES
                .iter()
                .map(|&mode| Row {
                    case: case.clone(),
                    mode,
                    found: (0, 0),
                    errors: Vec::new(),
                    took: 0.0,
                    failed: None,
                })
                .collect();
            let mut audio_seconds = 0.0;
            for seed in seeds_of(minutes) {
                let mut scenario = Scenario::new(
                    agenda.clone(),
                    minutes * 0.92,
                    ph,
                    100 + k as u64 + 1000 * seed,
                );
                scenario.engine = engine;
                let webinar = scenario.build();
                let dir = root.join(format!("{case}-{seed}"));
                let made = Instant::now();
                let rendered = webinar.load_or_render(&dir)?;
                let analysis = dir.join("analysis.s16");
                if !analysis.exists() {
                    eventcast::ffmpeg::run(
                        eventcast::args![
                            "-i",
                            &rendered.recording,
                            "-ac",
                            "1",
                            "-ar",
                            "16000",
                            "-f",
                            "s16le",
                            &analysis
                        ],
                        None,
                    )?;
                }
                eprintln!(
                    "{case}-{seed}: inputs ready in {:.1} s",
                    made.elapsed().as_secs_f64()
                );
                let duration = rendered.truth.duration;
                audio_seconds += duration;
                let only = std::env::var("ALIGN_BENCH_MODES").unwrap_or_default();
                for (m, &mode) in MODES.iter().enumerate() {
                    if !only.is_empty() && !only.contains(mode) {
                        continue;
                    }
                    let started = Instant::now();
                    let envelope = Envelope::from_pcm(&analysis)?;
                    let t_path = dir.join(format!("{mode}.vtt"));
                    let c_path = dir.join("cues.txt");
                    let (t, c) = match mode {
                        "zoom" | "teams" => {
                            let text = webinar.transcript(&rendered.truth, mode == "teams", 0.35);
                            std::fs::write(&t_path, &text)?;
                            (Some(transcript::parse(&text, &t_path)?), None)
                        }
                        "cues" => {
                            let text = webinar.cue_sheet(&rendered.parts);
                            std::fs::write(&c_path, &text)?;
                            (None, Some(cues::parse(&text, &c_path)?))
                        }
                        _ => (None, None),
                    };
                    let result = plan::align(&Evidence {
                        agenda: &webinar.agenda,
                        duration,
                        envelope: &envelope,
                        analysis: &analysis,
                        transcript: t.as_ref(),
                        cues: c.as_ref(),
                    });
                    let took = started.elapsed().as_secs_f64();
                    let row = &mut pooled[m];
                    row.took = row.took.max(took);
                    match result {
                        Ok(plan) => {
                            let (errors, found) = edge_errors(&plan, &rendered.spans, &webinar);
                            if std::env::var_os("ALIGN_BENCH_VERBOSE").is_some() {
                                eprintln!("{case}-{seed} {mode}");
                                verbose(&plan, &rendered, &errors);
                            }
                            row.errors.extend(errors);
                            row.found.0 += found.0;
                            row.found.1 += found.1;
                        }
                        Err(e) => {
                            row.found.1 += talks(&webinar, &rendered.spans);
                            row.failed = Some(format!("seed {seed}: {e}"));
                        }
                    }
                }
            }
            for row in pooled {
                if row.found.1 > 0 || row.failed.is_some() {
                    print_row(&row, audio_seconds);
                    rows.push(row);
                }
            }
        }
    }
    println!("\nAll phenomena together (targets: transcript and cues median <= 0.5 s, largest <= 1.5 s; audio median <= 2 s, largest <= 10 s; every talk found):");
    for r in rows.iter().filter(|r| r.case.contains("-all")) {
        print_row(r, f64::NAN);
    }
    Ok(())
}

fn talks(w: &Webinar, truth: &[Option<(f64, f64)>]) -> usize {
    w.agenda
        .items
        .iter()
        .zip(truth)
        .filter(|(it, t)| it.kind.is_episode() && t.is_some())
        .count()
}

fn print_row(r: &Row, audio: f64) {
    let (median, max) = stats(&r.errors);
    println!(
        "{:<22} {:<6} {:>6} {:>3}/{:<3} {median:>9.2} {max:>8.2} {:>8.2} {audio:>8.0}{}",
        r.case,
        r.mode,
        r.errors.len(),
        r.found.0,
        r.found.1,
        r.took,
        r.failed
            .as_ref()
            .map(|e| format!("  FAILED: {}", e.lines().next().unwrap_or("")))
            .unwrap_or_default()
    );
}

/// |start - truth| and |end - truth| of every talk and wrap-up that took place, and how
/// many of them were found (a segment covering at least half of the truth).
fn edge_errors(
    plan: &Plan,
    truth: &[Option<(f64, f64)>],
    w: &Webinar,
) -> (Vec<f64>, (usize, usize)) {
    let mut out = Vec::new();
    let mut found = 0;
    for (i, (item, t)) in w.agenda.items.iter().zip(truth).enumerate() {
        let (true, Some((a, b))) = (matches!(item.kind, ItemKind::Talk | ItemKind::Wrapup), t)
        else {
            continue;
        };
        let Some(s) = plan.segments.iter().find(|s| s.item == Some(i)) else {
            continue;
        };
        let overlap = s.end.min(*b) - s.start.max(*a);
        if overlap >= 0.5 * (b - a) {
            found += 1;
        }
        out.push((s.start - a).abs());
        out.push((s.end - b).abs());
    }
    (out, (found, talks(w, truth)))
}

fn verbose(plan: &Plan, r: &testbed::Rendered, errors: &[f64]) {
    eprint!("{}", plan.table());
    let shown: Vec<String> = errors.iter().map(|e| format!("{e:.2}")).collect();
    eprintln!("  edge errors: {}", shown.join(" "));
    for (p, a, b) in &r.parts {
        eprintln!("  truth {p:?}: {a:>8.2} {b:>8.2}");
    }
}

fn stats(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mid = s.len() / 2;
    let median = if s.len().is_multiple_of(2) {
        (s[mid - 1] + s[mid]) / 2.0
    } else {
        s[mid]
    };
    (median, s[s.len() - 1])
}
