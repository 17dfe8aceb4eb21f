//! The integration tests: one binary, a module per area, all run against the real
//! `eventcast` binary, the real ffmpeg and real servers on 127.0.0.1 (`common`).

mod common;

mod align;
mod batch;
mod bucket_inbox;
mod cli;
mod command_line;
mod event_fetch;
mod event_pages;
mod media;
mod publish;
mod review;
mod site;
mod video;
