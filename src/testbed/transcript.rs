//! What people write of a rendered webinar: the transcript a meeting platform's recogniser
//! writes, and the cue sheet a person in a hurry types.

use super::{first_name, Part, Webinar};
use crate::demo::synth::{Rng, Truth};
use crate::ingest::ItemKind;

impl Webinar {
    /// The transcript a meeting platform's recogniser writes: display names as shown
    /// (with [`Phenomena::names`](super::Phenomena::names): phone numbers, rejoins, "Unknown
    /// Speaker"), timings off by up to `jitter` seconds, a speaker's consecutive lines merged.
    /// Zoom style (`Name: text`) or Teams style (`<v Name>`, long cues split).
    pub fn transcript(&self, truth: &Truth, teams: bool, jitter: f64) -> String {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ self.seed.wrapping_mul(31) | 1);
        // (display, start, end, text)
        let mut cues: Vec<(String, f64, f64, String)> = Vec::new();
        for (t, shown) in truth.turns.iter().zip(&self.display) {
            if shown.is_empty() {
                continue;
            }
            let start = (t.start + rng.between(-jitter, jitter)).max(0.0);
            let end = (t.end + rng.between(-jitter, jitter)).max(start + 0.2);
            match cues.last_mut() {
                Some(last) if last.0 == *shown && start - last.2 < 1.0 && end - last.1 < 12.0 => {
                    last.2 = end;
                    last.3 = format!("{} {}", last.3, t.text);
                }
                _ => cues.push((shown.clone(), start, end, t.text.clone())),
            }
        }
        if teams {
            // Teams splits long cues into parts of about twelve words.
            cues = cues
                .into_iter()
                .flat_map(|(who, a, b, text)| {
                    let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
                    let parts = words.len().div_ceil(12).max(1);
                    let per = words.len().div_ceil(parts).max(1);
                    let n = words.len().max(1) as f64;
                    let chunks: Vec<Vec<String>> =
                        words.chunks(per).map(<[String]>::to_vec).collect();
                    let mut done = 0;
                    chunks
                        .into_iter()
                        .map(|chunk| {
                            let f = |k: usize| a + (b - a) * k as f64 / n;
                            let part =
                                (who.clone(), f(done), f(done + chunk.len()), chunk.join(" "));
                            done += chunk.len();
                            part
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        // Platforms write cues in order of their start.
        cues.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut out = String::from("WEBVTT\n\n");
        for (i, (who, a, b, text)) in cues.iter().enumerate() {
            if teams {
                out.push_str(&format!(
                    "8f0c2d1e-4b7a-4c55-9e13-2a6b0f3d9c{:02x}/{}-0\n{} --> {}\n<v {who}>{text}</v>\n\n",
                    i % 256,
                    i + 10,
                    crate::timecode::vtt(*a),
                    crate::timecode::vtt(*b),
                ));
            } else {
                out.push_str(&format!(
                    "{}\n{} --> {}\n{who}: {text}\n\n",
                    i + 1,
                    crate::timecode::vtt(*a),
                    crate::timecode::vtt(*b)
                ));
            }
        }
        out
    }

    /// A cue sheet as a person in a hurry types it while watching the recording: the time
    /// on the player's clock (whole seconds, cut down), and a first name, a full name or a
    /// word for the part ("Q&A", "preguntas", "bienvenida", "cierre").
    pub fn cue_sheet(&self, parts: &[(Part, f64, f64)]) -> String {
        let mut rng = Rng(0x94D0_49BB_1331_11EB ^ self.seed.wrapping_mul(17) | 1);
        let moderator = self
            .agenda
            .moderator
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default();
        let mut out = String::new();
        for &(part, start, _) in parts {
            let label = match part {
                Part::Welcome => {
                    if rng.chance(0.5) {
                        first_name(&moderator).to_string()
                    } else {
                        rng.pick(&["bienvenida", "welcome", "Intro"]).to_string()
                    }
                }
                Part::Closing => rng.pick(&["cierre", "closing", "fin"]).to_string(),
                Part::Item(i) => {
                    let item = &self.agenda.items[i];
                    match item.kind {
                        ItemKind::Qa => rng.pick(&["Q&A", "preguntas", "questions"]).to_string(),
                        _ => {
                            let name = self.agenda.item_speakers(item).join(", ");
                            if rng.chance(0.5) {
                                first_name(&name).to_string()
                            } else {
                                name
                            }
                        }
                    }
                }
                Part::Pause | Part::Music => continue,
            };
            let t = start.floor() as u64;
            let clock = if t >= 3600 {
                format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
            } else {
                format!("{}:{:02}", t / 60, t % 60)
            };
            out.push_str(&format!("{clock} {label}\n"));
        }
        out
    }
}
