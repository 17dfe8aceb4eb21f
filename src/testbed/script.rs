//! The webinar as it really runs: [`Scenario::build`] writes its script one utterance at a
//! time, with real lengths, the moderator's welcome and closing, Q&A and each phenomenon.

use super::cast::{
    phone, room, AUDIENCE, BACKCHANNELS, CLOSING, ESPEAK_AUDIENCE, ESPEAK_VOICES, QUESTIONS, TALK,
    VOICES, WELCOME,
};
use super::{first_name, Engine, Part, Scenario, Webinar, PHONE_NUMBER, UNKNOWN};
use crate::demo::synth::{self, Rng, Script, Utterance, Voice};
use crate::ingest::ItemKind;

/// Builds the script one utterance at a time.
struct Writer {
    rng: Rng,
    utterances: Vec<Utterance>,
    parts: Vec<Part>,
    display: Vec<String>,
    handovers: bool,
}

impl Writer {
    /// Say `text` as `who` (shown as `shown`) in `part`, after the right pause.
    fn say(&mut self, who: &str, shown: &str, text: &str, part: Part, channel: Option<&str>) {
        let handovers = self.handovers;
        if let Some(prev) = self.utterances.last_mut() {
            if prev.music.is_none() && prev.pause_after == PENDING {
                prev.pause_after = if prev.speaker == who {
                    self.rng.between(0.3, 0.9)
                } else if handovers && self.rng.chance(0.35) {
                    self.rng.between(0.04, 0.22)
                } else if handovers && self.rng.chance(0.45) {
                    -self.rng.between(0.15, 0.9)
                } else {
                    self.rng.between(0.4, 2.0)
                };
            }
        }
        let mut u = Utterance::new(who, text, PENDING);
        u.channel = channel.map(str::to_string);
        self.utterances.push(u);
        self.parts.push(part);
        self.display.push(shown.to_string());
    }

    /// Set the pause after the last utterance explicitly.
    fn pause(&mut self, seconds: f64) {
        if let Some(prev) = self.utterances.last_mut() {
            prev.pause_after = seconds;
        }
    }

    fn pause_between(&mut self, a: f64, b: f64) {
        let seconds = self.rng.between(a, b);
        self.pause(seconds);
    }

    fn music(&mut self, seconds: f64, after: f64) {
        self.utterances.push(Utterance::music(seconds, after));
        self.parts.push(Part::Music);
        self.display.push(String::new());
    }

    fn spoken(&self) -> f64 {
        self.utterances
            .iter()
            .map(|u| estimate(u) + u.pause_after.max(0.0))
            .sum()
    }
}

/// Marks a pause that the next utterance decides.
const PENDING: f64 = -1000.0;

/// A rough length of an utterance, to fill a part to its real length.
fn estimate(u: &Utterance) -> f64 {
    u.music
        .unwrap_or_else(|| u.text.split_whitespace().count() as f64 * 0.36 + 0.3)
}

impl Scenario {
    pub fn build(&self) -> Webinar {
        let ph = self.phenomena;
        let agenda = &self.agenda;
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ self.seed.wrapping_mul(0x9E37_79B9) | 1);
        let people: Vec<String> = agenda.people().iter().map(|p| p.name.clone()).collect();
        let moderator = agenda
            .moderator
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_else(|| people[0].clone());
        let present = |n: &str| !self.absent.iter().any(|a| a == n);
        // Real lengths: talks overrun or end early, Q&A is shorter than planned, the
        // moderator welcomes for a few minutes and closes in one; then all of it is scaled
        // to the webinar's length.
        let planned = agenda.planned_minutes();
        let mut real: Vec<f64> = agenda
            .items
            .iter()
            .zip(&planned)
            .map(|(it, m)| {
                let k = match it.kind {
                    ItemKind::Talk => rng.between(0.75, 1.3),
                    ItemKind::Qa => rng.between(0.45, 0.8),
                    _ => rng.between(0.7, 1.0),
                };
                m * 60.0 * k
            })
            .collect();
        // One to four minutes of welcome and about a minute of closing in an hour's agenda.
        let size = (planned.iter().sum::<f64>() / 60.0).clamp(0.2, 3.0);
        let mut welcome = rng.between(60.0, 240.0) * size;
        let mut closing = rng.between(35.0, 80.0) * size;
        let total: f64 = real.iter().sum::<f64>() + welcome + closing;
        let scale = self.minutes * 60.0 / total;
        real.iter_mut().for_each(|r| *r *= scale);
        welcome *= scale;
        closing *= scale;

        let mut w = Writer {
            rng: Rng(rng.next_u64() | 1),
            utterances: Vec::new(),
            parts: Vec::new(),
            display: Vec::new(),
            handovers: ph.handovers,
        };
        // Display names as the platform shows them, before anyone rejoins.
        let mut shown: std::collections::HashMap<String, String> = people
            .iter()
            .enumerate()
            .map(|(k, n)| (n.clone(), synth::display_variant(n, k)))
            .collect();
        for &(n, _, _) in AUDIENCE {
            shown.insert(n.to_string(), n.to_string());
        }
        let talks: Vec<usize> = (0..agenda.items.len())
            .filter(|&i| agenda.items[i].kind == ItemKind::Talk)
            .collect();
        let episodes: Vec<usize> = (0..agenda.items.len())
            .filter(|&i| agenda.items[i].kind.is_episode())
            .collect();
        let holder = |i: usize| -> String {
            agenda.items[i]
                .speakers
                .first()
                .map(|p| p.name.clone())
                .unwrap_or_else(|| moderator.clone())
        };
        if ph.names {
            // The last episode's speaker dials in from a phone: nothing names them.
            if let Some(&last) = episodes.last() {
                shown.insert(holder(last), PHONE_NUMBER.to_string());
            }
        }
        let mic_talk = talks.first().copied();
        let rejoin_talk = talks.get(1).copied();

        if ph.music {
            w.music(rng.between(8.0, 15.0), rng.between(0.8, 2.0));
        }
        fill(
            &mut w,
            &moderator,
            &shown[&moderator],
            WELCOME,
            welcome,
            Part::Welcome,
            None,
        );
        let mut last_talker = moderator.clone();
        let mut skipping = false;
        for (i, item) in agenda.items.iter().enumerate() {
            let who = holder(i);
            if !present(&who) && item.kind.is_episode() {
                skipping = true;
                continue;
            }
            if skipping && item.kind == ItemKind::Qa {
                continue;
            }
            skipping = false;
            let part = Part::Item(i);
            let mut left = real[i];
            match item.kind {
                ItemKind::Qa => {
                    let talker = last_talker.clone();
                    let talker_channel = channel_of(&w, &talker);
                    let m = &shown[&moderator];
                    w.say(
                        &moderator,
                        m,
                        &format!(
                            "Thank you, {}. We have questions from the chat.",
                            first_name(&talker)
                        ),
                        part,
                        None,
                    );
                    left -= 5.0;
                    let mut k = 0;
                    while left > 0.0 {
                        let q = *w.rng.pick(QUESTIONS);
                        if k % 2 == 1 {
                            let (name, _, _) = *w.rng.pick(AUDIENCE);
                            let display = if ph.names {
                                UNKNOWN.to_string()
                            } else {
                                shown[name].clone()
                            };
                            w.say(name, &display, q, part, None);
                        } else {
                            w.say(&moderator, m, q, part, None);
                        }
                        left -= q.split_whitespace().count() as f64 * 0.36 + 1.5;
                        for _ in 0..1 + w.rng.next_u64() % 4 {
                            let a = *w.rng.pick(TALK);
                            let display = shown[&talker].clone();
                            w.say(&talker, &display, a, part, talker_channel.as_deref());
                            left -= a.split_whitespace().count() as f64 * 0.36 + 0.9;
                        }
                        k += 1;
                    }
                    let next = agenda.items[i + 1..]
                        .iter()
                        .position(|it| it.kind.is_episode())
                        .map(|k| holder(i + 1 + k));
                    let line = match &next {
                        Some(n) => format!(
                            "Thank you. Let us welcome our next speaker, {}.",
                            first_name(n)
                        ),
                        None => "Thank you. Let us move on.".to_string(),
                    };
                    w.say(&moderator, m, &line, part, None);
                    if ph.pause && Some(i + 1) == rejoin_talk {
                        let m = shown[&moderator].clone();
                        w.say(&moderator, &m, "It seems we have a technical problem. Please bear with us for a moment.", part, None);
                        w.pause(rng.between(25.0, 45.0));
                        let pause_at = w.utterances.len();
                        w.say(
                            &moderator,
                            &m,
                            "We are back. Thank you for your patience.",
                            Part::Pause,
                            None,
                        );
                        // The apology and the return belong to the pause, not to the Q&A.
                        w.parts[pause_at - 1] = Part::Pause;
                    }
                }
                _ => {
                    let mut said = 0.0;
                    let mut next_backchannel = w.rng.between(30.0, 70.0) * scale.max(0.25);
                    let mut switched = false;
                    let mut rejoined = false;
                    while said < left {
                        let s = *w.rng.pick(TALK);
                        let ch = if switched {
                            Some(format!("{who} phone"))
                        } else {
                            None
                        };
                        let display = shown[&who].clone();
                        w.say(&who, &display, s, part, ch.as_deref());
                        said += s.split_whitespace().count() as f64 * 0.36 + 0.9;
                        if ph.backchannels
                            && item.kind == ItemKind::Talk
                            && said > next_backchannel
                            && said < left - 5.0
                        {
                            // In the gap, or over the end of the speaker's sentence.
                            let over = w.rng.chance(0.5);
                            if over {
                                w.pause_between(-0.6, -0.2);
                            } else {
                                w.pause_between(0.25, 0.5);
                            }
                            let b = *w.rng.pick(BACKCHANNELS);
                            let m = shown[&moderator].clone();
                            w.say(&moderator, &m, b, part, None);
                            w.pause_between(0.2, 0.5);
                            next_backchannel = said + w.rng.between(30.0, 70.0) * scale.max(0.25);
                        }
                        if ph.mic_change && Some(i) == mic_talk && !switched && said > left * 0.45 {
                            w.say(
                                &who,
                                &display,
                                "Sorry, my laptop battery is dying, I am switching to my phone.",
                                part,
                                None,
                            );
                            w.pause_between(3.0, 7.0);
                            switched = true;
                            if ph.names {
                                shown
                                    .insert(who.clone(), format!("iPhone de {}", first_name(&who)));
                            }
                        }
                        if ph.names && Some(i) == rejoin_talk && !rejoined && said > left * 0.5 {
                            // The connection drops; they come back under another name.
                            w.pause_between(4.0, 8.0);
                            let initial: String = who
                                .split_whitespace()
                                .nth(1)
                                .and_then(|s| s.chars().next())
                                .map(|c| format!(" {c}."))
                                .unwrap_or_default();
                            shown.insert(
                                who.clone(),
                                format!("{}{initial} (2)", deunicode::deunicode(first_name(&who))),
                            );
                            rejoined = true;
                        }
                    }
                    if item.kind == ItemKind::Talk {
                        last_talker = who.clone();
                    }
                }
            }
        }
        fill(
            &mut w,
            &moderator,
            &shown[&moderator],
            CLOSING,
            closing,
            Part::Closing,
            None,
        );
        if ph.music {
            w.pause(rng.between(0.8, 2.0));
            w.music(rng.between(6.0, 10.0), 2.0);
        }
        w.pause(2.0);
        if ph.names {
            // The recogniser loses a few lines of anyone.
            let n = w.display.len();
            for _ in 0..n / 25 {
                let k = (w.rng.next_u64() % n as u64) as usize;
                if w.utterances[k].music.is_none() {
                    w.display[k] = UNKNOWN.to_string();
                }
            }
        }
        let mut voices: std::collections::HashMap<String, Voice> = people
            .iter()
            .enumerate()
            .map(|(k, n)| {
                // The first four people's voices rotate with the seed: which voice is the
                // moderator's, and which two talk, changes from webinar to webinar.
                let rotated = if k < 4 {
                    (k + self.seed as usize) % 4
                } else {
                    k
                };
                let voices = match self.engine {
                    Engine::Flite => VOICES,
                    Engine::Espeak => ESPEAK_VOICES,
                };
                let (v, p) = voices[rotated % voices.len()];
                (n.clone(), Voice::new(v, p))
            })
            .collect();
        for (k, &(n, v, p)) in AUDIENCE.iter().enumerate() {
            let voice = match self.engine {
                Engine::Flite => Voice::new(v, p),
                Engine::Espeak => Voice::new(ESPEAK_AUDIENCE[k % ESPEAK_AUDIENCE.len()], 1.0),
            };
            voices.insert(n.to_string(), voice);
        }
        let mut channels = std::collections::HashMap::new();
        if ph.rooms {
            for (k, n) in people.iter().enumerate() {
                channels.insert(n.clone(), room(k));
            }
            for (k, &(n, _, _)) in AUDIENCE.iter().enumerate() {
                let mut c = room(k + 1);
                c.gain_db -= 3.0;
                channels.insert(n.to_string(), c);
            }
        }
        if ph.mic_change {
            if let Some(t) = mic_talk {
                channels.insert(format!("{} phone", holder(t)), phone());
            }
        }
        let script = Script {
            lead_silence: rng.between(2.0, 20.0),
            voices,
            utterances: w.utterances,
            noise_db: Some(-66.0),
            channels,
        };
        Webinar {
            agenda: agenda.clone(),
            script,
            part_of_turn: w.parts,
            display: w.display,
            phenomena: ph,
            seed: self.seed,
        }
    }
}

/// The channel `who` last spoke through (a phone after a switch).
fn channel_of(w: &Writer, who: &str) -> Option<String> {
    w.utterances
        .iter()
        .rev()
        .find(|u| u.speaker == who)
        .and_then(|u| u.channel.clone())
}

/// `who` says lines of `lines` (in order, then at random) until about `seconds` are said.
fn fill(
    w: &mut Writer,
    who: &str,
    shown: &str,
    lines: &[&str],
    seconds: f64,
    part: Part,
    ch: Option<&str>,
) {
    let start = w.spoken();
    let mut k = 0;
    while w.spoken() - start < seconds || k == 0 {
        let line = if k < lines.len() {
            lines[k]
        } else {
            *w.rng.pick(TALK)
        };
        w.say(who, shown, line, part, ch);
        k += 1;
    }
}
