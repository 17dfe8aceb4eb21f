//! Where a batch finds its webinars: a local folder of webinar folders, or a bucket
//! prefix of webinar prefixes (`s3://bucket/prefix/`), each holding the same files.
//!
//! A bucket's files are streamed into the work folder (`<work>/inbox/<webinar>/`), each
//! downloaded again only when its ETag or size changes. The blake3 hash of a recording is
//! remembered in the bucket (`.eventcast/hashes/`, keyed by the object's key, ETag and
//! size), so a pass where nothing changed downloads no recording, on any machine.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::{Config, Target};
use crate::error::{Error, Result};
use crate::ingest::Sources;

/// File extensions taken as the recording.
const MEDIA: [&str; 13] = [
    "mp4", "m4a", "m4v", "mov", "mkv", "webm", "mp3", "wav", "aac", "ogg", "opus", "flac", "ts",
];

/// Of those, the ones that hold a picture (a platform's download may add the audio alone).
const VIDEO: [&str; 6] = ["mp4", "m4v", "mov", "mkv", "webm", "ts"];

/// Where eventcast keeps its own objects in a bucket inbox (skipped as a webinar).
pub const STATE: &str = ".eventcast";

/// The inbox of a batch.
pub enum Inbox {
    Folder(PathBuf),
    Bucket(Bucket),
}

/// A bucket inbox.
pub struct Bucket {
    pub(super) store: Arc<dyn ObjectStore>,
    /// `s3://bucket/prefix/`, for people.
    describe: String,
    /// The prefix, "" or ending in '/'.
    pub(super) prefix: String,
}

/// One webinar of the inbox.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The webinar folder's (or prefix's) name.
    pub name: String,
}

/// A webinar's files, fetched where they need to be local, with the content hashes known
/// without reading them.
pub struct Fetched {
    pub sources: Sources,
    pub known: HashMap<PathBuf, blake3::Hash>,
    /// The recording, when it is still in the bucket only.
    pending: Option<ObjectMeta>,
}

impl Fetched {
    /// Whether the recording must be downloaded before the inputs can be fingerprinted.
    pub fn hash_unknown(&self) -> bool {
        !self.known.contains_key(&self.sources.recording) && self.pending.is_some()
    }
}

impl Inbox {
    /// `--inbox`: a folder, or `s3://bucket/prefix/`, reached with the S3 target's endpoint,
    /// region and addressing when the target is S3 (else `AWS_REGION` and
    /// `AWS_ENDPOINT_URL`) and the credentials in the environment.
    pub fn open(spec: &str, config: &Config) -> Result<Inbox> {
        let Some(rest) = spec.strip_prefix("s3://") else {
            return Ok(Inbox::Folder(PathBuf::from(spec)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Mismatch(format!(
                "--inbox {spec}: name the bucket, as s3://bucket/prefix/"
            )));
        }
        let prefix = match prefix.trim_matches('/') {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let describe = format!("s3://{bucket}/{prefix}");
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let (region, endpoint, path_style) = match &config.target {
            Target::S3 {
                region,
                endpoint,
                path_style,
                ..
            } => (region.clone(), endpoint.clone(), *path_style),
            _ => (
                env("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
                env("AWS_ENDPOINT_URL"),
                false,
            ),
        };
        let (store, _) = crate::publish::s3::connect(
            bucket,
            &region,
            endpoint.as_deref(),
            path_style,
            &describe,
        )?;
        Ok(Inbox::Bucket(Bucket {
            store: Arc::new(store),
            describe,
            prefix,
        }))
    }

    pub fn describe(&self) -> String {
        match self {
            Inbox::Folder(dir) => dir.display().to_string(),
            Inbox::Bucket(b) => b.describe.clone(),
        }
    }

    /// The webinars, sorted by name (names starting with '.' are not webinars).
    pub async fn scan(&self) -> Result<Vec<Entry>> {
        let mut names = match self {
            Inbox::Folder(dir) => scan_folder(dir)?,
            Inbox::Bucket(b) => {
                let listed = b
                    .store
                    .list_with_delimiter(prefix_key(&b.prefix).as_ref())
                    .await
                    .map_err(|e| b.error("cannot be listed", e))?;
                listed
                    .common_prefixes
                    .iter()
                    .filter_map(|p| p.filename().map(str::to_string))
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            }
        };
        names.sort();
        Ok(names.into_iter().map(|name| Entry { name }).collect())
    }

    /// Find a webinar's recording, agenda, transcript and cue sheet (see the README for
    /// names); from a bucket, download all but the recording, and learn the recording's
    /// hash if the bucket remembers it.
    pub async fn fetch(&self, entry: &Entry, work: &Path) -> Result<Fetched> {
        match self {
            Inbox::Folder(dir) => {
                let dir = dir.join(&entry.name);
                let files = list_folder(&dir)?;
                let chosen = choose(&dir.display().to_string(), files)?;
                Ok(Fetched {
                    sources: chosen.map(|(_, p)| p.clone()),
                    known: HashMap::new(),
                    pending: None,
                })
            }
            Inbox::Bucket(b) => b.fetch(entry, work).await,
        }
    }

    /// Download the recording, if it is still in the bucket only.
    pub async fn fetch_recording(&self, fetched: &mut Fetched) -> Result<()> {
        let (Inbox::Bucket(b), Some(meta)) = (self, fetched.pending.take()) else {
            return Ok(());
        };
        let hash = b.download(&meta, &fetched.sources.recording).await?;
        b.remember(&meta, hash).await;
        fetched
            .known
            .insert(fetched.sources.recording.clone(), hash);
        Ok(())
    }
}

impl Bucket {
    /// A bucket held in memory, for tests of what is kept in it.
    #[cfg(test)]
    pub(super) fn in_memory(prefix: &str) -> Bucket {
        Bucket {
            store: Arc::new(object_store::memory::InMemory::new()),
            describe: format!("memory://{prefix}"),
            prefix: prefix.to_string(),
        }
    }

    fn error(&self, what: &str, e: object_store::Error) -> Error {
        Error::Inbox {
            inbox: self.describe.clone(),
            problem: format!("{what}: {e}"),
        }
    }

    async fn fetch(&self, entry: &Entry, work: &Path) -> Result<Fetched> {
        let name = crate::safe::component(&entry.name).map_err(|e| {
            Error::Mismatch(format!(
                "{}{}/: the webinar's name {e}; rename it in the bucket",
                self.describe, entry.name
            ))
        })?;
        let folder = format!("{}{}/", self.prefix, entry.name);
        let objects: Vec<ObjectMeta> = self
            .store
            .list(Some(&Key::from(folder.as_str())))
            .try_collect()
            .await
            .map_err(|e| self.error("cannot be listed", e))?;
        let files = objects
            .into_iter()
            .filter_map(|m| {
                let rest = m.location.as_ref().strip_prefix(&folder)?.to_string();
                (!rest.contains('/') && !rest.starts_with('.')).then_some((rest, m))
            })
            .collect();
        let chosen = choose(&format!("{}{}/", self.describe, entry.name), files)?;
        let local = work.join("inbox").join(name);
        std::fs::create_dir_all(&local).map_err(|e| Error::io(&local, e))?;
        let path = |file: &str| local.join(file);
        let mut known = HashMap::new();
        // The small files: fetched each time they change.
        for (file, meta) in [
            Some(&chosen.agenda),
            chosen.transcript.as_ref(),
            chosen.cues.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            if !same(&path(file), meta) {
                self.download(meta, &path(file)).await?;
            }
        }
        let (file, meta) = &chosen.recording;
        let recording = path(file);
        let pending = if same(&recording, meta) {
            None
        } else {
            if let Some(h) = self.remembered(meta).await {
                known.insert(recording.clone(), h);
            }
            Some(meta.clone())
        };
        Ok(Fetched {
            sources: chosen.map(|(file, _)| path(file)),
            known,
            pending,
        })
    }

    /// Stream an object to `to` (atomically, never whole in memory) and return its hash.
    async fn download(&self, meta: &ObjectMeta, to: &Path) -> Result<blake3::Hash> {
        let dir = to.parent().expect("a file in a folder");
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
        let got = self
            .store
            .get(&meta.location)
            .await
            .map_err(|e| self.error(&format!("{} cannot be read", meta.location), e))?;
        let mut stream = got.into_stream();
        let mut hasher = blake3::Hasher::new();
        while let Some(chunk) = stream
            .try_next()
            .await
            .map_err(|e| self.error(&format!("{} cannot be read", meta.location), e))?
        {
            hasher.update(&chunk);
            tmp.write_all(&chunk)
                .map_err(|e| Error::io(tmp.path(), e))?;
        }
        tmp.persist(to).map_err(|e| Error::io(to, e.error))?;
        std::fs::write(etag_file(to), identity(meta)).map_err(|e| Error::io(to, e))?;
        tracing::info!("downloaded {} ({} bytes)", meta.location, meta.size);
        Ok(hasher.finalize())
    }

    /// Where the bucket remembers an object's content hash.
    fn hash_key(&self, meta: &ObjectMeta) -> Key {
        let id = blake3::hash(identity(meta).as_bytes());
        Key::from(format!("{}{STATE}/hashes/{}", self.prefix, id.to_hex()))
    }

    async fn remembered(&self, meta: &ObjectMeta) -> Option<blake3::Hash> {
        let got = self.store.get(&self.hash_key(meta)).await.ok()?;
        let bytes = got.bytes().await.ok()?;
        blake3::Hash::from_hex(std::str::from_utf8(&bytes).ok()?.trim()).ok()
    }

    /// Remember a recording's hash in the bucket; a failure only costs a download later.
    async fn remember(&self, meta: &ObjectMeta, hash: blake3::Hash) {
        let payload = PutPayload::from(hash.to_hex().to_string());
        if let Err(e) = self.store.put(&self.hash_key(meta), payload).await {
            tracing::warn!("could not remember the hash of {}: {e}", meta.location);
        }
    }
}

/// What identifies an object's content without reading it.
fn identity(meta: &ObjectMeta) -> String {
    format!(
        "{}\n{}\n{}",
        meta.location,
        meta.e_tag.as_deref().unwrap_or(""),
        meta.size
    )
}

/// The file beside a download that says which version of the object it is.
fn etag_file(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.etag"))
}

/// Whether the local copy `path` is of this version of the object.
fn same(path: &Path, meta: &ObjectMeta) -> bool {
    path.is_file()
        && std::fs::read_to_string(etag_file(path)).is_ok_and(|known| known == identity(meta))
}

fn prefix_key(prefix: &str) -> Option<Key> {
    (!prefix.is_empty()).then(|| Key::from(prefix))
}

fn scan_folder(inbox: &Path) -> Result<Vec<String>> {
    let rd = std::fs::read_dir(inbox).map_err(|e| {
        Error::input(
            inbox,
            format!("the inbox cannot be read ({e}): check the --inbox path"),
        )
    })?;
    Ok(rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect())
}

fn list_folder(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    Ok(std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect())
}

/// A webinar's files by role.
struct Chosen<T> {
    recording: T,
    agenda: T,
    transcript: Option<T>,
    cues: Option<T>,
}

impl<T> Chosen<T> {
    fn map(&self, f: impl Fn(&T) -> PathBuf) -> Sources {
        Sources {
            recording: f(&self.recording),
            agenda: f(&self.agenda),
            transcript: self.transcript.as_ref().map(&f),
            cues: self.cues.as_ref().map(&f),
        }
    }
}

/// Pick the recording, agenda, transcript and cue sheet among a webinar's files (name,
/// and whatever locates it); `dir` names the webinar in errors.
fn choose<T: Clone>(dir: &str, mut files: Vec<(String, T)>) -> Result<Chosen<(String, T)>> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let ext = |n: &str| {
        Path::new(n)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let bad = |what: String| Error::input(Path::new(dir), what);
    // Several candidates: the one `preferred` picks, if it picks exactly one.
    let pick = |what: &str, exts: &[&str], preferred: &dyn Fn(&str) -> bool| {
        let mut candidates: Vec<&(String, T)> = files
            .iter()
            .filter(|(n, _)| exts.contains(&ext(n).as_str()))
            .collect();
        if candidates.len() > 1 && candidates.iter().filter(|(n, _)| preferred(n)).count() == 1 {
            candidates.retain(|(n, _)| preferred(n));
        }
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => Err(bad(format!(
                "holds {} files that could be the {what} ({}): keep one",
                many.len(),
                many.iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    };
    let none = |_: &str| false;
    let named = |name: &str| files.iter().find(|(n, _)| n == name).cloned();
    // A platform's download holds the recording more than once: Zoom gives the video and an
    // audio-only .m4a of it, the transcript and live captions (`.transcript.vtt`, `.cc.vtt`).
    let video = |n: &str| VIDEO.contains(&ext(n).as_str());
    let recording = pick("recording", &MEDIA, &video)?
        .ok_or_else(|| bad("holds no recording (a .mp4, .m4a, .mp3, .wav, ... file)".into()))?;
    let agenda =
        match named("agenda.toml") {
            Some(a) => a,
            None => pick("agenda", &["toml", "md", "markdown", "html", "htm"], &none)?.ok_or_else(
                || bad("holds no agenda (agenda.toml, or the event page as .md or .html)".into()),
            )?,
        };
    Ok(Chosen {
        recording,
        agenda,
        transcript: pick("transcript", &["vtt", "srt"], &|n: &str| {
            n.to_ascii_lowercase().contains(".transcript.")
        })?,
        cues: named("cues.txt"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(files: &[&str]) -> Vec<(String, ())> {
        files.iter().map(|n| (n.to_string(), ())).collect()
    }

    #[test]
    fn a_zoom_download_as_it_comes_picks_the_video_and_the_transcript() {
        let chosen = choose(
            "inbox/2024-03-05-webinar",
            names(&[
                "GMT20240305-140012_Recording_1920x1080.mp4",
                "GMT20240305-140012_Recording.m4a",
                "GMT20240305-140012_Recording.transcript.vtt",
                "GMT20240305-140012_Recording.cc.vtt",
                "GMT20240305-140012_RecordingnewChat.txt",
                "event-page.html",
            ]),
        )
        .unwrap();
        assert_eq!(
            chosen.recording.0,
            "GMT20240305-140012_Recording_1920x1080.mp4"
        );
        assert_eq!(
            chosen.transcript.unwrap().0,
            "GMT20240305-140012_Recording.transcript.vtt"
        );
        assert_eq!(chosen.agenda.0, "event-page.html");
        assert!(chosen.cues.is_none());
    }

    #[test]
    fn two_recordings_of_one_kind_are_refused_naming_both() {
        let err = choose(
            "inbox/w",
            names(&["speaker-view.mp4", "gallery-view.mp4", "agenda.toml"]),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("2 files that could be the recording")
                && err.contains("speaker-view.mp4")
                && err.contains("gallery-view.mp4"),
            "{err}"
        );
    }
}
