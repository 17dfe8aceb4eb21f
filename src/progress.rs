//! Progress of long work: a bar with ETA on a terminal, a line every few seconds otherwise
//! (so a scheduled job's log shows it is alive without drowning in redraws).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const LINE_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    label: String,
    total: f64,
    bar: Option<ProgressBar>,
    last_line: Mutex<Instant>,
}

impl Progress {
    /// Track `total` units (seconds of media) of work called `label`.
    pub fn new(label: impl Into<String>, total: f64) -> Progress {
        let label = label.into();
        let bar = (std::io::stderr().is_terminal() && !quiet()).then(|| {
            let bar = ProgressBar::new((total * 10.0).max(1.0) as u64);
            bar.set_style(
                ProgressStyle::with_template("{msg:30!} [{bar:30}] {percent:>3}% ETA {eta}")
                    .expect("static template")
                    .progress_chars("=> "),
            );
            bar.set_message(label.clone());
            bar
        });
        Progress {
            label,
            total,
            bar,
            last_line: Mutex::new(Instant::now()),
        }
    }

    pub fn set_position(&self, done: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position((done * 10.0) as u64);
            return;
        }
        let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= LINE_EVERY {
            *last = Instant::now();
            let pct = if self.total > 0.0 {
                100.0 * done / self.total
            } else {
                0.0
            };
            tracing::info!("{}: {:.0}%", self.label, pct.min(100.0));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// No bars at all (`--quiet`).
pub fn set_quiet(q: bool) {
    QUIET.store(q, std::sync::atomic::Ordering::Relaxed);
}

fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}
