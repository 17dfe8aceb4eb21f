//! A webinar rendered to disk: the recording and its agenda, with the truth of where every
//! part is, reused between runs while the script is the same.

use std::path::{Path, PathBuf};

use super::{Part, Webinar};
use crate::demo::synth::{self, Truth};
use crate::error::{Error, Result};

/// A rendered webinar on disk.
pub struct Rendered {
    pub recording: PathBuf,
    /// The agenda as TOML (the same agenda the scenario was made from).
    pub agenda: PathBuf,
    pub truth: Truth,
    /// Where each agenda item really starts and ends (`None`: it did not happen).
    pub spans: Vec<Option<(f64, f64)>>,
    /// Where each part really is, in order: welcome, items, pauses, closing, music.
    pub parts: Vec<(Part, f64, f64)>,
}

impl Webinar {
    /// Render the recording (`recording.m4a`, AAC as platforms export it) and write
    /// `agenda.toml` into `dir`.
    pub fn render(&self, dir: &Path) -> Result<Rendered> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let recording = dir.join("recording.m4a");
        let truth = synth::render(&self.script, &recording, None, &dir.join(".synth"))?;
        let agenda = dir.join("agenda.toml");
        std::fs::write(&agenda, self.agenda.to_toml()).map_err(|e| Error::io(&agenda, e))?;
        Ok(self.rendered(recording, agenda, truth))
    }

    /// The rendered webinar, from a truth rendered earlier.
    pub fn rendered(&self, recording: PathBuf, agenda: PathBuf, truth: Truth) -> Rendered {
        let items: Vec<Option<usize>> = self
            .part_of_turn
            .iter()
            .map(|p| match p {
                Part::Item(i) => Some(*i),
                _ => None,
            })
            .collect();
        let spans = truth.item_spans(&items, self.agenda.items.len());
        let mut parts: Vec<(Part, f64, f64)> = Vec::new();
        for (p, t) in self.part_of_turn.iter().zip(&truth.turns) {
            match parts.last_mut() {
                Some(last) if last.0 == *p => last.2 = last.2.max(t.end),
                _ => parts.push((*p, t.start, t.end)),
            }
        }
        Rendered {
            recording,
            agenda,
            truth,
            spans,
            parts,
        }
    }

    /// The rendered webinar in `dir`, rendered again only when its script changed (and then
    /// without the `analysis.s16` an earlier recording left there): the benchmarks keep
    /// their webinars between runs.
    pub fn load_or_render(&self, dir: &Path) -> Result<Rendered> {
        let cache: PathBuf = dir.join("truth.json");
        let script = serde_json::to_string(&self.script).expect("a script serialises");
        let recording = dir.join("recording.m4a");
        let agenda = dir.join("agenda.toml");
        if let Ok(text) = std::fs::read_to_string(&cache) {
            if let Ok((s, truth)) = serde_json::from_str::<(String, Truth)>(&text) {
                if s == script && recording.exists() {
                    return Ok(self.rendered(recording, agenda, truth));
                }
            }
        }
        let _ = std::fs::remove_file(dir.join("analysis.s16"));
        let r = self.render(dir)?;
        let saved = serde_json::to_string(&(script, &r.truth)).expect("a truth serialises");
        std::fs::write(&cache, saved).map_err(|e| Error::io(&cache, e))?;
        Ok(r)
    }
}
