//! The cast of a test webinar: the voices of the agenda's people and of the audience, the
//! rooms and phone they speak through, and the lines they say.

use crate::demo::synth::Channel;

/// espeak-ng voices of the agenda's people, as [`VOICES`]: Spanish, three men of about the
/// same pitch among the first four.
pub(super) const ESPEAK_VOICES: &[(&str, f64)] = &[
    ("espeak:es+f2", 1.0),
    ("espeak:es+m3", 1.0),
    ("espeak:es-419+m3", 1.0),
    ("espeak:es+m1", 1.0),
    ("espeak:pt+m2", 1.0),
    ("espeak:es+m6", 1.0),
    ("espeak:es+f4", 1.0),
];

/// espeak-ng voices of the audience, as [`AUDIENCE`].
pub(super) const ESPEAK_AUDIENCE: &[&str] = &["espeak:es-419+m5", "espeak:pt+f3", "espeak:es+f5"];

/// Voices of the agenda's people, in the order of
/// [`Agenda::people`](crate::ingest::Agenda::people) (the moderator first), the first four
/// rotated by the scenario's seed. Four of the five are male voices of about the same pitch,
/// so two speakers of the same gender and pitch are the rule.
pub(super) const VOICES: &[(&str, f64)] = &[
    ("slt", 1.0),
    ("rms", 1.0),
    ("kal16", 1.0),
    ("awb", 1.0),
    ("kal", 1.0),
    ("rms", 1.12),
    ("slt", 0.9),
];

/// People in the audience: (display name, flite voice, pitch).
pub(super) const AUDIENCE: &[(&str, &str, f64)] = &[
    ("Pedro from Quito", "kal", 0.85),
    ("Anna K", "awb", 1.3),
    ("Sofía Méndez", "slt", 0.8),
];

/// The rooms of the agenda's people, in the order of [`VOICES`], when
/// [`Phenomena::rooms`](super::Phenomena::rooms) is on: levels 10 dB apart, laptop
/// microphones, reverb, noise.
pub(super) fn room(k: usize) -> Channel {
    let rooms = [
        // the moderator: a good headset in a quiet office
        Channel {
            gain_db: 0.0,
            highpass: Some(80.0),
            lowpass: Some(7500.0),
            reverb: Some((0.2, 0.08)),
            noise_db: Some(-64.0),
        },
        // a laptop in a bare meeting room, quiet
        Channel {
            gain_db: -10.0,
            highpass: Some(200.0),
            lowpass: Some(5500.0),
            reverb: Some((0.6, 0.3)),
            noise_db: Some(-52.0),
        },
        // a desk microphone, a little loud, a fan behind
        Channel {
            gain_db: 2.0,
            highpass: Some(120.0),
            lowpass: Some(7000.0),
            reverb: Some((0.35, 0.15)),
            noise_db: Some(-50.0),
        },
        // a laptop at home
        Channel {
            gain_db: -6.0,
            highpass: Some(250.0),
            lowpass: Some(4500.0),
            reverb: Some((0.3, 0.2)),
            noise_db: Some(-55.0),
        },
    ];
    rooms[k % rooms.len()].clone()
}

/// A phone: narrow band, no room, some line noise.
pub(super) fn phone() -> Channel {
    Channel {
        gain_db: -3.0,
        highpass: Some(300.0),
        lowpass: Some(3400.0),
        reverb: None,
        noise_db: Some(-48.0),
    }
}

pub(super) const WELCOME: &[&str] = &[
    "Good afternoon everyone, and welcome to this webinar of the series Learning from cities.",
    "Before we start, a few practical notes: please write your questions in the chat.",
    "The session is recorded and will be published on our website and as a podcast.",
    "Today we talk about innovation in cities, and what local governments can learn from each other.",
    "Let me briefly introduce the speakers who join us from three continents.",
    "Thank you all for being here, from so many cities and time zones.",
];

pub(super) const TALK: &[&str] = &[
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

pub(super) const QUESTIONS: &[&str] = &[
    "We have a question from the chat.",
    "How did you convince the council to accept failure?",
    "What would you do differently next time?",
    "Can you say more about the budget?",
    "Which goal was the hardest to measure?",
    "How did residents react at first?",
];

pub(super) const BACKCHANNELS: &[&str] = &["Yes.", "Right.", "Sure.", "Okay.", "Thank you."];

pub(super) const CLOSING: &[&str] = &[
    "Thank you very much to all our speakers, and to all of you for your questions.",
    "The recording and the podcast will be on our website next week.",
    "See you at the next webinar of the series. Goodbye.",
];
