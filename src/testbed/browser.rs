//! Headless Chromium, as the tests and the review page's benchmark open a page in it.

use std::path::Path;
use std::process::{Command, Output};

/// Run headless Chromium on `page` with `args`, with its own empty profile and no background
/// network, and wait for it.
pub fn chromium(page: &Path, args: &[&str]) -> std::io::Result<Output> {
    let profile = tempfile::tempdir()?;
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
}
