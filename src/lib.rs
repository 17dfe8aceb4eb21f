//! eventcast: turn a webinar recording and its agenda into podcast episodes, a feed and a
//! summary page, and publish them.
//!
//! Data flows one way through stages that are plain functions over serialisable values:
//! [`ingest`] → [`plan`] → [`review`] → [`media`] → [`site`] → [`publish`], driven by
//! [`pipeline`].
//! See ARCHITECTURE.md for the map.

pub mod batch;
pub mod config;
pub mod demo;
pub mod error;
pub mod ffmpeg;
pub mod ingest;
pub mod media;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod review;
pub mod safe;
pub mod signals;
pub mod site;
pub mod synth;
pub mod testbed;

pub use error::{Error, Result};

/// `H:MM:SS` or `M:SS`, for people.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clocks() {
        assert_eq!(super::clock(59.6), "1:00");
        assert_eq!(super::clock(3725.0), "1:02:05");
    }
}
