//! SIGINT/SIGTERM: the first asks the run to stop starting new work (running ffmpeg jobs
//! finish, stage results stay resumable); the second stops at once.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

/// Exit status of a run stopped by a second signal (the shell's 128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// A cheap handle on the process-wide stop request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stop;

impl Stop {
    pub fn requested(&self) -> bool {
        requested()
    }
}

pub fn requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Listen for SIGINT and SIGTERM on the current tokio runtime. The handlers are in place
/// when this returns; call it from inside the runtime.
pub fn install() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::warn!("cannot listen for signals: Ctrl-C will stop at once");
        return;
    };
    tokio::spawn(async move {
        let mut seen = 0;
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            seen += 1;
            if seen == 1 {
                STOP.store(true, Ordering::SeqCst);
                tracing::warn!("stopping: finishing the work in progress, starting nothing new (signal again to stop now)");
            } else {
                tracing::error!("stopped at once; run again to resume");
                std::process::exit(EXIT_INTERRUPTED as i32);
            }
        }
    });
}
