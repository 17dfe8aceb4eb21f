//! Alignment benchmark: how far each evidence mode puts talk boundaries from the truth, and
//! how long alignment takes, on generated webinars (short ones and a 60-minute one).
//!
//! Run: `cargo bench --bench align` (all cases) or `cargo bench --bench align -- short`.
//! Rendered webinars are kept in target/bench-align/ and reused by later runs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use eventcast::ingest::{cues, transcript, ItemKind};
use eventcast::plan::{self, energy::Envelope, Evidence, Plan};
use eventcast::synth::display_variant;
use eventcast::testbed::{self, Spec};

const MODES: &[&str] = &[
    "cues",
    "transcript-zoom",
    "transcript-teams",
    "audio",
    "planned",
];

fn main() -> anyhow::Result<()> {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-align");
    let cases = [
        ("short-2min", Spec::typical(2.0, 2, 1)),
        ("short-3min", Spec::typical(3.0, 2, 2)),
        ("short-4min-3talks", Spec::typical(4.0, 3, 3)),
        ("short-4min-noisy", {
            let mut s = Spec::typical(4.0, 3, 5);
            s.noise_db = Some(-38.0);
            s
        }),
        ("webinar-60min", Spec::typical(60.0, 3, 7)),
    ];
    println!(
        "{:<18} {:<17} {:>6} {:>10} {:>9} {:>9} {:>10} {:>8}",
        "webinar", "mode", "edges", "median s", "max s", "align s", "audio s", "ratio"
    );
    for (name, spec) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let dir = root.join(name);
        let made = Instant::now();
        let webinar = spec.build();
        let rendered = load_or_render(&webinar, &dir)?;
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
            "{name}: inputs ready in {:.1} s",
            made.elapsed().as_secs_f64()
        );
        let duration = rendered.truth.duration;
        let agenda = &webinar.agenda;
        for &mode in MODES {
            let vtt = |teams: bool| {
                let name = |n: &str| {
                    let k = agenda
                        .people()
                        .iter()
                        .position(|p| p.name == n)
                        .unwrap_or(9);
                    if k < 9 {
                        display_variant(n, k)
                    } else {
                        n.to_string()
                    }
                };
                if teams {
                    rendered.truth.to_teams_vtt(name)
                } else {
                    rendered.truth.to_vtt(name)
                }
            };
            let started = Instant::now();
            let envelope = Envelope::from_pcm(&analysis)?;
            let t_path = dir.join("transcript.vtt");
            let c_path = dir.join("cues.txt");
            let (t, c) = match mode {
                "transcript-zoom" | "transcript-teams" => {
                    let text = vtt(mode == "transcript-teams");
                    (Some(transcript::parse(&text, &t_path)?), None)
                }
                "cues" => {
                    let text = testbed::cue_sheet(agenda, &rendered.spans);
                    (None, Some(cues::parse(&text, &c_path)?))
                }
                _ => (None, None),
            };
            let plan = if mode == "planned" {
                plan::planned(agenda, duration, &envelope)
            } else {
                plan::align(&Evidence {
                    agenda,
                    duration,
                    envelope: &envelope,
                    analysis: &analysis,
                    transcript: t.as_ref(),
                    cues: c.as_ref(),
                })?
            };
            let took = started.elapsed().as_secs_f64();
            let errors = edge_errors(&plan, &rendered.spans);
            let (median, max) = stats(&errors);
            println!(
                "{name:<18} {mode:<17} {:>6} {median:>10.3} {max:>9.3} {took:>9.2} {duration:>10.0} {:>8.4}",
                errors.len(),
                took / duration
            );
            if std::env::var_os("ALIGN_BENCH_VERBOSE").is_some() {
                eprint!("{}", plan.table());
                for (s, t) in plan.segments.iter().zip(&rendered.spans) {
                    if let Some((a, b)) = t {
                        eprintln!(
                            "  {:<40} truth {a:>8.2} {b:>8.2}  got {:>8.2} {:>8.2}",
                            s.title, s.start, s.end
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// |start - truth| and |end - truth| of every talk and wrap-up (the episodes).
fn edge_errors(plan: &Plan, truth: &[Option<(f64, f64)>]) -> Vec<f64> {
    let mut out = Vec::new();
    for (s, t) in plan.segments.iter().zip(truth) {
        if let (true, Some((a, b))) = (matches!(s.kind, ItemKind::Talk | ItemKind::Wrapup), t) {
            out.push((s.start - a).abs());
            out.push((s.end - b).abs());
        }
    }
    out
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

fn load_or_render(w: &testbed::Webinar, dir: &Path) -> anyhow::Result<testbed::Rendered> {
    let cache: PathBuf = dir.join("truth.json");
    let script = serde_json::to_string(&w.script)?;
    if let Ok(text) = std::fs::read_to_string(&cache) {
        if let Ok((s, truth)) = serde_json::from_str::<(String, eventcast::synth::Truth)>(&text) {
            if s == script && dir.join("recording.m4a").exists() {
                let spans = truth.item_spans(&w.item_of_turn, w.agenda.items.len());
                return Ok(testbed::Rendered {
                    recording: dir.join("recording.m4a"),
                    agenda: dir.join("agenda.toml"),
                    truth,
                    spans,
                });
            }
        }
    }
    let _ = std::fs::remove_file(dir.join("analysis.s16"));
    let r = w.render(dir)?;
    std::fs::write(&cache, serde_json::to_string(&(script, &r.truth))?)?;
    Ok(r)
}
