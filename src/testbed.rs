//! Test webinars for measuring alignment: an agenda, and a recording whose real timings
//! differ from it by as much as we like, with the truth of where each item really is.
//!
//! Real webinars overrun, finish early, wait in the waiting room, and let the Q&A run long
//! with several people taking turns; a [`Spec`] says how long each item *really* lasts and
//! the agenda keeps the planned minutes, so every mode of the plan stage (cue sheet,
//! transcripts, voices alone) can be scored against the truth by the tests and the benchmark.
//! Speech comes from a small pool of sentences per person, so an hour renders in a minute
//! ([`crate::synth`] synthesises each voice and sentence once).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ingest::{Agenda, Item, ItemKind, Person};
use crate::synth::{self, Script, Truth, Utterance, Voice};

/// One agenda item: its kind, who holds it (index into [`CAST`], `None` for the moderator),
/// its planned minutes and how long it really lasts.
#[derive(Debug, Clone)]
pub struct ItemSpec {
    pub kind: ItemKind,
    pub speaker: Option<usize>,
    pub planned_minutes: f64,
    pub real_seconds: f64,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub title: String,
    /// Silent waiting room before the moderator speaks.
    pub lead_silence: f64,
    pub noise_db: Option<f64>,
    pub items: Vec<ItemSpec>,
    pub seed: u64,
}

/// The agenda people: (name, flite voice, pitch). The first is the moderator.
pub const CAST: &[(&str, &str, f64)] = &[
    ("Lucía Fernández", "slt", 1.0),
    ("Amara Okafor", "awb", 1.0),
    ("João Silva", "rms", 1.0),
    ("María José García López", "kal16", 1.0),
    ("Helena Varga", "rms", 1.25),
];

/// People in the audience, not on the agenda.
const AUDIENCE: &[(&str, &str, f64)] = &[
    ("Pedro from Quito", "kal", 0.9),
    ("Anna K", "awb", 0.85),
    ("iPhone de Sofía", "slt", 1.2),
];

const SENTENCES: &[&str] = &[
    "In our city we started with a simple question about what residents really need.",
    "We opened the data to everyone, and community groups built tools we never imagined.",
    "Innovation is not only digital; sometimes it means going back to the market square.",
    "Bureaucracy avoids risk, so we created a small fund where failure was allowed.",
    "Half of the projects failed, and that was fine, because we learned from every one.",
    "Partnerships with universities and neighbourhood groups mattered more than technology.",
    "Every assembly received a dashboard with the money spent and the results achieved.",
    "Publish your numbers early, even when they are not perfect.",
    "The hardest part was keeping people engaged after the first year.",
    "We measured progress against the sustainable development goals.",
    "Trust grows slowly, and it disappears very quickly.",
    "Our budget was small, so we had to choose carefully.",
    "Young people brought the best ideas, and they tested them in the streets.",
    "We now share our methods with other cities in the region.",
];

const QUESTIONS: &[&str] = &[
    "Thank you. We have a question from the chat.",
    "How did you convince the council to accept failure?",
    "What would you do differently next time?",
    "Can you say more about the budget?",
    "Which goal was the hardest to measure?",
    "How did residents react at first?",
];

const HANDOVER: &str = "Thank you very much. Let us welcome our next speaker.";

/// The pauses between two people, cycling: short and long hand-overs.
const HANDOVER_PAUSES: &[f64] = &[0.4, 1.2, 0.6, 2.5, 0.8, 1.6];

/// A rough length of a flite sentence, to fill an item to its real length.
fn estimate(text: &str) -> f64 {
    text.split_whitespace().count() as f64 * 0.36 + 0.3
}

/// A deterministic xorshift generator: the same spec always makes the same webinar.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }

    fn between(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// A webinar made from a spec: the agenda as planned, the script as it really went, and the
/// agenda item each utterance belongs to.
pub struct Webinar {
    pub agenda: Agenda,
    pub script: Script,
    pub item_of_turn: Vec<usize>,
}

pub fn person(i: usize) -> Person {
    Person {
        name: CAST[i].0.to_string(),
        ..Default::default()
    }
}

impl Spec {
    /// The fixture's shape at about `minutes` of speech: intro, talks with Q&A after each,
    /// a wrap-up; talks overrun or finish early by a fifth of their slot, Q&A runs long.
    pub fn typical(minutes: f64, talks: usize, seed: u64) -> Spec {
        let unit = minutes / (3.0 + talks as f64 * 4.0);
        let mut items = vec![ItemSpec {
            kind: ItemKind::Intro,
            speaker: None,
            planned_minutes: unit * 1.5,
            real_seconds: unit * 60.0 * 1.2,
        }];
        for t in 0..talks {
            let over = if t % 2 == 0 { 1.3 } else { 0.7 };
            items.push(ItemSpec {
                kind: ItemKind::Talk,
                speaker: Some(1 + t % 3),
                planned_minutes: unit * 2.5,
                real_seconds: unit * 60.0 * 2.5 * over,
            });
            items.push(ItemSpec {
                kind: ItemKind::Qa,
                speaker: None,
                planned_minutes: unit * 1.5,
                real_seconds: unit * 60.0 * 1.5 * if t % 2 == 0 { 0.8 } else { 1.6 },
            });
        }
        items.push(ItemSpec {
            kind: ItemKind::Wrapup,
            speaker: Some(4),
            planned_minutes: unit * 1.5,
            real_seconds: unit * 60.0 * 1.0,
        });
        Spec {
            title: format!("Learning from cities: test webinar {seed}"),
            lead_silence: (unit * 20.0).clamp(4.0, 90.0),
            noise_db: Some(-55.0),
            items,
            seed,
        }
    }

    pub fn build(&self) -> Webinar {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ self.seed.wrapping_mul(0x9E37_79B9));
        let moderator = 0;
        let mut utterances: Vec<Utterance> = Vec::new();
        let mut item_of_turn = Vec::new();
        let mut handover = 0;
        let mut say = |utterances: &mut Vec<Utterance>,
                       item_of_turn: &mut Vec<usize>,
                       who: &str,
                       text: &str,
                       item: usize,
                       rng: &mut Rng| {
            if let Some(prev) = utterances.last_mut() {
                prev.pause_after = if prev.speaker == who {
                    rng.between(0.3, 0.8)
                } else {
                    handover += 1;
                    HANDOVER_PAUSES[handover % HANDOVER_PAUSES.len()]
                };
            }
            utterances.push(Utterance {
                speaker: who.to_string(),
                text: text.to_string(),
                pause_after: 2.0,
            });
            item_of_turn.push(item);
        };
        let mut last_talker = 1;
        for (i, it) in self.items.iter().enumerate() {
            let holder = CAST[it.speaker.unwrap_or(moderator)].0;
            let mut left = it.real_seconds;
            match it.kind {
                ItemKind::Qa => {
                    let mut k = 0;
                    while left > 0.0 {
                        let asker = if k % 2 == 0 {
                            holder
                        } else {
                            rng.pick(AUDIENCE).0
                        };
                        let q = rng.pick(QUESTIONS);
                        say(&mut utterances, &mut item_of_turn, asker, q, i, &mut rng);
                        left -= estimate(q) + 1.0;
                        for _ in 0..1 + rng.next() % 3 {
                            let a = rng.pick(SENTENCES);
                            say(
                                &mut utterances,
                                &mut item_of_turn,
                                CAST[last_talker].0,
                                a,
                                i,
                                &mut rng,
                            );
                            left -= estimate(a) + 0.6;
                        }
                        k += 1;
                    }
                    say(
                        &mut utterances,
                        &mut item_of_turn,
                        holder,
                        HANDOVER,
                        i,
                        &mut rng,
                    );
                }
                _ => {
                    while left > 0.0 {
                        let s = rng.pick(SENTENCES);
                        say(&mut utterances, &mut item_of_turn, holder, s, i, &mut rng);
                        left -= estimate(s) + 0.55;
                    }
                }
            }
            if it.kind == ItemKind::Talk {
                last_talker = it.speaker.unwrap_or(moderator);
            }
        }
        let voices = CAST
            .iter()
            .chain(AUDIENCE)
            .map(|&(n, v, p)| (n.to_string(), Voice::new(v, p)))
            .collect();
        let script = Script {
            lead_silence: self.lead_silence,
            voices,
            utterances,
            noise_db: self.noise_db,
        };
        let agenda = Agenda {
            title: self.title.clone(),
            series: Some("Learning from cities".into()),
            date: "2026-11-20".into(),
            time: None,
            timezone: None,
            language: "en".into(),
            description: String::new(),
            moderator: Some(person(moderator)),
            total_minutes: None,
            items: self
                .items
                .iter()
                .map(|it| Item {
                    kind: it.kind,
                    title: None,
                    speakers: it.speaker.map(person).into_iter().collect(),
                    minutes: Some(it.planned_minutes),
                })
                .collect(),
        };
        Webinar {
            agenda,
            script,
            item_of_turn,
        }
    }
}

/// A rendered webinar on disk.
pub struct Rendered {
    pub recording: PathBuf,
    pub agenda: PathBuf,
    pub truth: Truth,
    /// Where each agenda item really starts and ends.
    pub spans: Vec<Option<(f64, f64)>>,
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
        let spans = truth.item_spans(&self.item_of_turn, self.agenda.items.len());
        Ok(Rendered {
            recording,
            agenda,
            truth,
            spans,
        })
    }
}

/// A cue sheet as a person writes it: whole seconds, a name for talks and the intro,
/// "Q&A" for questions, lines in the given order.
pub fn cue_sheet(agenda: &Agenda, spans: &[Option<(f64, f64)>]) -> String {
    let mut out = String::from("# when each part started\n");
    for (item, span) in agenda.items.iter().zip(spans) {
        let Some((start, _)) = span else { continue };
        let t = start.round() as u64;
        let label = match item.kind {
            ItemKind::Qa => "Q&A".to_string(),
            _ => agenda.item_speakers(item).join(", "),
        };
        out.push_str(&format!(
            "{:02}:{:02}:{:02}  {label}\n",
            t / 3600,
            t / 60 % 60,
            t % 60
        ));
    }
    out
}
