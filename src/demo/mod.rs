//! The built-in demo: a short sample webinar made from synthetic voices, published into a
//! local folder, so a new user sees the whole path work before touching their own files.

pub mod synth;

use std::path::{Path, PathBuf};

use crate::args;
use crate::error::{Error, Result};
use synth::{Script, Truth, Utterance, Voice};

/// The sample webinar's agenda: a moderator, two talks with Q&A, a wrap-up.
pub const AGENDA: &str = include_str!("../../tests/fixtures/demo/agenda.toml");

/// The script of the sample webinar; talks run over and under their planned slots on purpose.
pub fn script() -> Script {
    let voices = [
        ("Lucía Fernández", Voice::new("slt", 1.0)),
        ("Amara Okafor", Voice::new("awb", 1.0)),
        ("João Silva", Voice::new("rms", 1.0)),
        ("Helena Varga", Voice::new("kal16", 1.15)),
        ("Attendee", Voice::new("kal", 0.9)),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect();
    let u = Utterance::new;
    Script {
        lead_silence: 6.0,
        voices,
        noise_db: Some(-62.0),
        utterances: vec![
            u("Lucía Fernández", "Good afternoon everyone, and welcome to Learning from cities. Today we talk about innovation in difficult times.", 1.0),
            u("Lucía Fernández", "Our first speaker joins us from Lagos. Amara, the floor is yours.", 1.2),
            u("Amara Okafor", "Thank you Lucia. In Lagos we started with a simple question: what do residents actually need from their city during a crisis?", 0.6),
            u("Amara Okafor", "We opened a public data portal, and within weeks community groups were building tools we had never imagined.", 0.6),
            u("Amara Okafor", "The lesson for us was that innovation is not only digital. Sometimes it means going back to the market square and listening.", 0.7),
            u("Amara Okafor", "Our second lesson was about risk. Bureaucracy avoids risk, so we created a small fund where failure was allowed.", 0.6),
            u("Amara Okafor", "Teams could try an idea for three months. If it did not work, they wrote down what they learned and shared it with everyone.", 0.6),
            u("Amara Okafor", "Half of the projects failed, and that was fine. The other half now serve more than two million residents every day.", 0.7),
            u("Amara Okafor", "Finally, we learned that partnerships matter more than technology. Universities, markets and churches all helped us reach people.", 1.5),
            u("Lucía Fernández", "Thank you Amara. We have a question from the chat.", 0.8),
            u("Attendee", "How did you convince the city council to accept failure?", 0.9),
            u("Amara Okafor", "We showed them the cost of doing nothing. That argument works everywhere.", 1.4),
            u("Lucía Fernández", "Wonderful. Now let us travel to Porto Alegre. Joao, welcome.", 1.1),
            u("João Silva", "Thank you. Porto Alegre is famous for participatory budgeting, and we used that tradition during the pandemic.", 0.6),
            u("João Silva", "Citizens voted on which emergency programmes to fund first, and trust in the city administration grew.", 0.6),
            u("João Silva", "We also linked every project to the sustainable development goals, so we could report progress in a common language.", 0.6),
            u("João Silva", "Every neighbourhood assembly received a simple dashboard, with the money spent and the results achieved, updated each week.", 0.6),
            u("João Silva", "The dashboards started arguments, good arguments, about priorities, and those arguments made the programmes better.", 0.7),
            u("João Silva", "My advice to other cities is simple: publish your numbers early, even when they are not perfect, and let people help you fix them.", 1.6),
            u("Lucía Fernández", "Thank you Joao. One quick question before we close.", 0.7),
            u("Attendee", "Which goal was the hardest to measure?", 0.8),
            u("João Silva", "Inequality, without a doubt. The data arrives late and it hides the people who need help most.", 1.5),
            u("Helena Varga", "Thank you all. Three recommendations today: listen first, allow failure, and measure what matters.", 0.6),
            u("Helena Varga", "See you at the next webinar of the series.", 3.0),
        ],
        ..Default::default()
    }
}

/// Everything a demo run needs, made in `dir`.
pub struct DemoInputs {
    pub recording: PathBuf,
    pub agenda: PathBuf,
    pub transcript: PathBuf,
    pub config: PathBuf,
    pub truth: Truth,
}

/// Make the sample webinar: an MP4 with a small video track, its agenda, a Zoom-style
/// transcript, series artwork and a pipeline.toml.
pub fn prepare(dir: &Path) -> Result<DemoInputs> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let recording = dir.join("recording.mp4");
    let truth = synth::render(&script(), &recording, Some((320, 180)), &dir.join(".synth"))?;
    let agenda = dir.join("agenda.toml");
    write(&agenda, AGENDA)?;
    let transcript = dir.join("transcript.vtt");
    write(&transcript, &truth.to_vtt(|n| n.to_string()))?;
    let artwork = dir.join("artwork.png");
    crate::ffmpeg::run(
        args![
            "-f",
            "lavfi",
            "-i",
            "gradients=size=1400x1400:c0=0x0b5394:c1=0x38761d:seed=1:duration=1",
            "-frames:v",
            "1",
            &artwork
        ],
        None,
    )?;
    let config = dir.join("pipeline.toml");
    let base = include_str!("../../pipeline.toml")
        .replace("# image = \"artwork.png\"", "image = \"artwork.png\"");
    write(&config, &base)?;
    Ok(DemoInputs {
        recording,
        agenda,
        transcript,
        config,
        truth,
    })
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}
