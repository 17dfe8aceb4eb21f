//! Progress of long work: a bar with ETA on a terminal, a line every few seconds otherwise
//! (so a scheduled job's log shows it is alive without drowning in redraws).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const LINE_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    label: String,
    total: f64,
    bar: Option<ProgressBar>,
    last_line: Mutex<Instant>,
    /// Work done so far, summed over the parts.
    done: Mutex<f64>,
}

/// Anything a long process reports its position to (ffmpeg's output time, in seconds).
pub trait Track: Sync {
    fn set_position(&self, position: f64);
}

impl Track for Progress {
    fn set_position(&self, position: f64) {
        Progress::set_position(self, position)
    }
}

impl Track for Part {
    fn set_position(&self, position: f64) {
        Part::set_position(self, position)
    }
}

/// One piece of a [`Progress`] that several workers advance at once (an encode in the
/// pool): its own position adds to the whole's.
pub struct Part {
    whole: Arc<Progress>,
    own: Mutex<f64>,
}

impl Part {
    /// This piece has reached `position` (only forward moves count: a second pass over
    /// the same span adds nothing until it passes the first).
    pub fn set_position(&self, position: f64) {
        let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
        if position > *own {
            self.whole.advance(position - *own);
            *own = position;
        }
    }
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
            done: Mutex::new(0.0),
        }
    }

    /// A piece of this work, advanced on its own (see [`Part`]).
    pub fn part(self: &Arc<Self>) -> Part {
        Part {
            whole: self.clone(),
            own: Mutex::new(0.0),
        }
    }

    fn advance(&self, by: f64) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done += by;
        self.set_position(*done);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_add_up_and_a_second_pass_counts_once() {
        let whole = Arc::new(Progress::new("encoding", 100.0));
        let (a, b) = (whole.part(), whole.part());
        a.set_position(30.0);
        b.set_position(20.0);
        assert_eq!(*whole.done.lock().unwrap(), 50.0);
        // `a` is encoded again from the start: nothing is added until it passes 30.
        a.set_position(10.0);
        assert_eq!(*whole.done.lock().unwrap(), 50.0);
        a.set_position(40.0);
        assert_eq!(*whole.done.lock().unwrap(), 60.0);
    }
}
