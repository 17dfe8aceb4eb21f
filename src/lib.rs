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
pub mod key;
pub mod lock;
pub mod media;
pub mod mime;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod release;
pub mod review;
pub mod safe;
pub mod signals;
pub mod site;
#[cfg(feature = "testbed")]
pub mod testbed;
pub mod timecode;

pub use error::{Error, Result};
