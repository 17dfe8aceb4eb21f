//! Stage results kept in the work folder, each under a key made from everything it depends
//! on: the decode (keyed by the recording and the profile) and the plan.

use std::path::Path;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::envelope::Envelope;
use crate::ingest::{audio, Inputs};
use crate::key::of as key;
use crate::plan::{self, Plan};

/// A stage result with the key it was made for.
#[derive(Serialize, Deserialize)]
pub(super) struct Stage<T> {
    key: String,
    value: T,
}

pub(super) fn load_stage<T: DeserializeOwned>(dir: &Path, name: &str, key: &str) -> Option<T> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).ok()?;
    let stage: Stage<T> = serde_json::from_str(&text).ok()?;
    (stage.key == key).then_some(stage.value)
}

pub(super) fn save_stage<T: Serialize>(dir: &Path, name: &str, key: &str, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(&Stage {
        key: key.to_string(),
        value,
    })
    .expect("stage results serialise");
    crate::safe::write_atomic(&dir.join(format!("{name}.json")), text.as_bytes())
}

pub(super) struct Keyed<T> {
    pub(super) key: String,
    pub(super) value: T,
}

pub(super) fn decode_cached(
    inputs: &Inputs,
    config: &Config,
    dir: &Path,
) -> Result<Keyed<audio::DecodedAudio>> {
    let meta = std::fs::metadata(&inputs.recording).map_err(|e| Error::io(&inputs.recording, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos());
    let k = key(&(
        std::fs::canonicalize(&inputs.recording).unwrap_or(inputs.recording.clone()),
        meta.len(),
        modified,
        // Only what the decode depends on: a new loudness target or format must not re-decode.
        (config.output.channels, config.output.sample_rate),
    ));
    // The decoded files live in a folder named by that key, so files made from another
    // recording (or another export of it) can never be mixed with these.
    let folder = dir.join(format!("audio-{}", &k[..16]));
    if let Some(d) = load_stage::<audio::DecodedAudio>(dir, "decoded", &k) {
        if [&d.wav, &d.analysis, &d.loudness, &d.envelope]
            .iter()
            .all(|p| p.starts_with(&folder) && p.exists())
        {
            return Ok(Keyed { key: k, value: d });
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    let d = audio::decode(
        &inputs.recording,
        inputs.probe.duration,
        &config.output,
        &folder,
    )?;
    save_stage(dir, "decoded", &k, &d)?;
    // Decodes of other recordings are of no further use (and an hour of WAV is large).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("audio-") && e.path() != folder {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    for old in ["audio.wav", "analysis.s16", "loudness.json", "envelope.u8"] {
        let _ = std::fs::remove_file(dir.join(old));
    }
    Ok(Keyed { key: k, value: d })
}

pub(super) fn plan_cached(
    inputs: &Inputs,
    decoded: &Keyed<audio::DecodedAudio>,
    dir: &Path,
) -> Result<Plan> {
    // The alignment's version is part of the key: a better aligner must not reuse old plans.
    let k = key(&(
        &decoded.key,
        &inputs.agenda,
        &inputs.parsed.digest,
        "align-3",
    ));
    if let Some(p) = load_stage::<Plan>(dir, "plan", &k) {
        return Ok(p);
    }
    let envelope = Envelope::load(&decoded.value.envelope)?;
    let plan = plan::align(&plan::Evidence {
        agenda: &inputs.agenda,
        duration: inputs.probe.duration,
        envelope: &envelope,
        analysis: &decoded.value.analysis,
        transcript: inputs.parsed.transcript.as_ref(),
        cues: inputs.parsed.cues.as_ref(),
    })?;
    save_stage(dir, "plan", &k, &plan)?;
    Ok(plan)
}
