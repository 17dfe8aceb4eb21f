//! The record of a webinar held for review, kept in its work folder (`held.json`).
//!
//! It says what the held run was made from (input files, settings file, target override)
//! so `eventcast release SLUG` can publish it later without being told again, and the
//! fingerprint of those inputs, so a batch skips the webinar while it waits and takes it
//! up again only when its inputs change.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ingest::Sources;
use crate::plan::Plan;

/// File name of the record in the webinar's work folder.
const FILE: &str = "held.json";
/// File name of the plan that was held, the one its review page shows: a release
/// publishes it, with the cuts the reviewer moved.
const PLAN_FILE: &str = "held-plan.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Held {
    pub slug: String,
    pub title: String,
    /// When it was held.
    pub since: jiff::Timestamp,
    /// Why (empty when `hold = "always"` held a webinar with no doubts).
    pub reasons: Vec<String>,
    /// The review page.
    pub review: PathBuf,
    /// The command that publishes it once reviewed (without the reviewer's `--cues`).
    pub release: String,
    /// The fingerprint of the inputs and settings that were held
    /// ([`crate::pipeline::fingerprint`]); a release records it in the catalog.
    pub fingerprint: String,
    /// The inputs, as absolute paths.
    #[serde(flatten)]
    pub sources: Sources,
    /// pipeline.toml (none: the built-in one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PathBuf>,
    /// `--out`, when the run had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
}

impl Held {
    /// The record in the webinar's work folder `dir`, if it is held.
    pub fn load(dir: &Path) -> Result<Option<Held>> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::input(
                &path,
                format!(
                    "is not a record of a held webinar ({e}): delete it and run the webinar again"
                ),
            )
        })
    }

    /// Keep the record in `dir` (written whole, then renamed into place).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("the record serialises");
        crate::safe::write_atomic(&dir.join(FILE), text.as_bytes())
    }

    /// Keep the plan that was held (the one its review page shows) in `dir`.
    pub fn save_plan(dir: &Path, plan: &Plan) -> Result<()> {
        let text = serde_json::to_string(plan).expect("a plan serialises");
        crate::safe::write_atomic(&dir.join(PLAN_FILE), text.as_bytes())
    }

    /// The plan that was held in `dir`, if it is still there.
    pub fn load_plan(dir: &Path) -> Result<Option<Plan>> {
        let path = dir.join(PLAN_FILE);
        match std::fs::read_to_string(&path) {
            Ok(t) => Ok(serde_json::from_str(&t).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// The webinar in `dir` is no longer held (published, or released).
    pub fn clear(dir: &Path) -> Result<()> {
        for name in [FILE, PLAN_FILE] {
            let path = dir.join(name);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&path, e))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Every webinar held in the work folder `work`, by slug.
    pub fn all(work: &Path) -> Vec<Held> {
        let mut out: Vec<Held> = std::fs::read_dir(work)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| Held::load(&e.path()).ok().flatten())
            .collect();
        out.sort_by(|a, b| a.slug.cmp(&b.slug));
        out
    }
}

/// An absolute form of `path` (the record outlives the directory the run started in).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The command that releases webinar `slug` held in `work`, as a person would type it.
pub fn command(slug: &str, work: &Path) -> String {
    let work = absolute(work);
    format!(
        "eventcast release {} --work {}",
        shell_word(slug),
        shell_word(&work.to_string_lossy())
    )
}

/// `s` as one word for a POSIX shell.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_survives_a_shell() {
        assert_eq!(
            command("2026-01-02-x", Path::new("/srv/work")),
            "eventcast release 2026-01-02-x --work /srv/work"
        );
        assert_eq!(shell_word("my work/it's"), "'my work/it'\\''s'");
    }

    #[test]
    fn a_record_survives_a_round_trip_and_clearing_it_twice_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let w = dir.path().join("2026-01-02-x");
        std::fs::create_dir_all(&w).unwrap();
        assert_eq!(Held::load(&w).unwrap(), None);
        let h = Held {
            slug: "2026-01-02-x".into(),
            title: "X".into(),
            since: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            reasons: vec!["why".into()],
            review: w.join("review.html"),
            release: "eventcast release 2026-01-02-x --work /w".into(),
            fingerprint: "f".into(),
            sources: Sources {
                recording: "/r.mp4".into(),
                agenda: "/a.toml".into(),
                transcript: None,
                cues: None,
            },
            config: Some("/p.toml".into()),
            out: None,
        };
        h.save(&w).unwrap();
        assert_eq!(Held::load(&w).unwrap(), Some(h.clone()));
        assert_eq!(Held::all(dir.path()), vec![h]);
        Held::clear(&w).unwrap();
        Held::clear(&w).unwrap();
        assert!(Held::all(dir.path()).is_empty());
        std::fs::write(w.join(FILE), "{").unwrap();
        let e = Held::load(&w).unwrap_err().to_string();
        assert!(e.contains("held.json") && e.contains("delete it"), "{e}");
    }
}
