//! `pipeline.toml`: *what* to produce. How to run (jobs, dry-run, resume) is the CLI's.
//!
//! Unknown keys are errors naming the key, so a typo never silently falls back to a
//! default. Secrets never live here: targets read them from environment variables.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub series: Series,
    #[serde(default)]
    pub site: Site,
    #[serde(default)]
    pub output: Output,
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub review: Review,
}

/// The podcast series all webinars are published into.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Name of the series, e.g. "Learning from cities".
    pub title: String,
    /// One or two sentences for the feed and the index page.
    pub description: String,
    /// Who publishes it, e.g. "Metropolis".
    pub author: String,
    /// Contact for podcast directories, e.g. "podcasts@example.org".
    pub owner_email: String,
    /// Owner's name for directories; defaults to `author`.
    #[serde(default)]
    pub owner_name: Option<String>,
    /// Series artwork, a square JPEG or PNG of 1400-3000 px; relative to this file.
    #[serde(default)]
    pub image: Option<PathBuf>,
    /// Apple Podcasts categories, e.g. ["Education", "Government"].
    #[serde(default = "default_categories")]
    pub categories: Vec<String>,
    /// Default language of the feed (BCP 47), e.g. "en"; each webinar keeps its own.
    #[serde(default = "default_language")]
    pub language: String,
    /// Whether episodes contain explicit content.
    #[serde(default)]
    pub explicit: bool,
}

fn default_categories() -> Vec<String> {
    vec!["Education".into()]
}
fn default_language() -> String {
    "en".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Public URL the target folder is served at, e.g. "https://learning.example.org/podcast/".
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Folder of templates overriding the built-in ones file by file; relative to this file.
    #[serde(default)]
    pub templates: Option<PathBuf>,
    /// Link pages as folders (`.../webinar/`) instead of files (`.../webinar/index.html`),
    /// e.g. `pretty_urls = true`. Only for a web server that serves a folder's index.html
    /// (a plain S3 bucket or Apache without DirectoryIndex answers 404). Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pretty_urls: bool,
}

fn default_base_url() -> String {
    "http://localhost:8000/".into()
}

impl Default for Site {
    fn default() -> Self {
        Site {
            base_url: default_base_url(),
            templates: None,
            pretty_urls: false,
        }
    }
}

/// The encoding profile of the episodes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Bit rate in kbit/s, e.g. 96.
    #[serde(default = "default_bitrate")]
    pub bitrate_kbps: u32,
    /// 1 for mono (speech podcasts), 2 for stereo.
    #[serde(default = "default_channels")]
    pub channels: u8,
    /// Sample rate in Hz, e.g. 44100.
    #[serde(default = "default_sample_rate")]
    pub sample_rate: u32,
    /// "mp3" (default) or "m4a" (AAC), e.g. `format = "m4a"`.
    #[serde(default)]
    pub format: Format,
    /// Integrated loudness of every episode in LUFS (EBU R128), e.g. -16.0.
    #[serde(default = "default_loudness")]
    pub loudness_lufs: f64,
    /// Highest true peak in dBTP, e.g. -1.0.
    #[serde(default = "default_true_peak")]
    pub true_peak_db: f64,
    /// LAME's algorithm quality for MP3, 0 (slowest) to 9 (fastest); the bit rate sets the
    /// size. 7 (LAME's "fast" mode) encodes in half the time of LAME's default 3, and at
    /// podcast bit rates for speech its difference from the source is no larger.
    #[serde(default = "default_mp3_quality")]
    pub mp3_quality: u8,
    /// Also cut a video clip (MP4) and a poster frame (JPEG) per episode, for the summary
    /// page, when the recording has video, e.g. `video_clips = true`. Off by default: the
    /// video is then never read.
    #[serde(default)]
    pub video_clips: bool,
}

fn default_bitrate() -> u32 {
    96
}
fn default_channels() -> u8 {
    1
}
fn default_sample_rate() -> u32 {
    44100
}
fn default_loudness() -> f64 {
    -16.0
}
fn default_true_peak() -> f64 {
    -1.0
}
fn default_mp3_quality() -> u8 {
    7
}

impl Default for Output {
    fn default() -> Self {
        Output {
            bitrate_kbps: default_bitrate(),
            channels: default_channels(),
            sample_rate: default_sample_rate(),
            format: Format::default(),
            loudness_lufs: default_loudness(),
            true_peak_db: default_true_peak(),
            mp3_quality: default_mp3_quality(),
            video_clips: false,
        }
    }
}

/// When a person checks the cuts before anything is published (see [`crate::review`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Which webinars are held for review instead of published: "never", "doubtful"
    /// (the default: those whose cuts rest on weak evidence) or "always", e.g.
    /// `hold = "always"` for a series where every webinar is checked by ear.
    /// `--hold never` on the command line overrides it for one run.
    #[serde(default)]
    pub hold: Hold,
    /// A webinar is doubtful when a talk, a wrap-up, the welcome or the closing was placed
    /// with a confidence below this (0 to 1), e.g. `min_confidence = 0.9` to hold every
    /// webinar aligned from the voices alone (those reach 0.8 at best; a transcript whose
    /// names match reaches 0.95, a cue sheet 0.95). Default 0.7.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f64,
}

fn default_min_confidence() -> f64 {
    0.7
}

impl Default for Review {
    fn default() -> Self {
        Review {
            hold: Hold::default(),
            min_confidence: default_min_confidence(),
        }
    }
}

/// Where the site is published. Credentials never go here: they are read from environment
/// variables (see each kind).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Target {
    /// A local folder, e.g. one a web server serves: `kind = "dir"`, `path = "public"`.
    Dir {
        /// Folder to publish into; relative to this file, e.g. "public".
        path: PathBuf,
    },
    /// An S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, ...): `kind = "s3"`.
    /// Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary
    /// credentials, AWS_SESSION_TOKEN.
    S3 {
        /// The bucket, e.g. "learning-resources". It must exist already.
        bucket: String,
        /// Region, e.g. "eu-west-1"; S3-compatible stores usually accept "us-east-1".
        #[serde(default = "default_region")]
        region: String,
        /// Endpoint of an S3-compatible store, e.g. "https://s3.example.org:9000";
        /// leave out for AWS itself.
        #[serde(default)]
        endpoint: Option<String>,
        /// Key prefix the site is published under, e.g. "podcast/" (default: the bucket root).
        #[serde(default)]
        prefix: String,
        /// Address the bucket as `endpoint/bucket/key` instead of `bucket.endpoint/key`;
        /// most self-hosted stores (MinIO, Ceph) need `true`.
        #[serde(default)]
        path_style: bool,
        /// Files larger than this go up in parts of this many MiB, e.g. 8 (the default);
        /// S3 needs at least 5.
        #[serde(default = "default_part_size_mib")]
        part_size_mib: u32,
    },
    /// A WebDAV server (Nextcloud, Apache mod_dav, nginx-dav, ...): `kind = "webdav"`.
    /// User and password come from EVENTCAST_WEBDAV_USER and EVENTCAST_WEBDAV_PASSWORD.
    Webdav {
        /// URL of the collection (folder) the site is published into, e.g.
        /// "https://files.example.org/remote.php/dav/files/comms/podcast/"; missing
        /// collections are created.
        url: String,
    },
}

fn default_part_size_mib() -> u32 {
    8
}

fn default_region() -> String {
    "us-east-1".into()
}

impl Default for Target {
    fn default() -> Self {
        Target::Dir {
            path: PathBuf::from("public"),
        }
    }
}

impl Config {
    /// Read and check a config file; relative paths in it are resolved against its folder.
    pub fn load(path: &Path) -> Result<Config> {
        let text = crate::error::read_text(path)?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| crate::error::line_of(&text, s.start))
                .unwrap_or(1);
            Error::Config {
                path: path.to_path_buf(),
                message: format!("line {line}: {}", e.message()),
            }
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        config.validate(path)?;
        Ok(config)
    }

    /// The built-in configuration used when no `--config` is given.
    pub fn builtin() -> Config {
        toml::from_str(include_str!("../pipeline.toml")).expect("the bundled pipeline.toml parses")
    }

    fn resolve_paths(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Some(p) = self.series.image.as_mut() {
            join(p);
        }
        if let Some(p) = self.site.templates.as_mut() {
            join(p);
        }
        if let Target::Dir { path } = &mut self.target {
            join(path);
        }
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |key: &str, msg: &str| Error::Config {
            path: path.to_path_buf(),
            message: format!("`{key}`: {msg}"),
        };
        if !self.series.owner_email.contains('@') {
            return Err(bad("series.owner_email", "must be an e-mail address"));
        }
        parse_base_url(&self.site.base_url).map_err(|m| bad("site.base_url", m))?;
        if !matches!(self.output.channels, 1 | 2) {
            return Err(bad("output.channels", "must be 1 (mono) or 2 (stereo)"));
        }
        if !(32..=320).contains(&self.output.bitrate_kbps) {
            return Err(bad("output.bitrate_kbps", "must be between 32 and 320"));
        }
        if ![22050, 24000, 32000, 44100, 48000].contains(&self.output.sample_rate) {
            return Err(bad(
                "output.sample_rate",
                "must be one of 22050, 24000, 32000, 44100, 48000",
            ));
        }
        if !(-36.0..=-9.0).contains(&self.output.loudness_lufs) {
            return Err(bad(
                "output.loudness_lufs",
                "must be between -36 and -9 LUFS (podcasts use -16, broadcast -23)",
            ));
        }
        if !(-9.0..=0.0).contains(&self.output.true_peak_db) {
            return Err(bad("output.true_peak_db", "must be between -9 and 0 dBTP"));
        }
        if !(0.0..=1.0).contains(&self.review.min_confidence) {
            return Err(bad(
                "review.min_confidence",
                "must be between 0 and 1 (0.7 is the default)",
            ));
        }
        if self.output.mp3_quality > 9 {
            return Err(bad(
                "output.mp3_quality",
                "must be 0 (slowest) to 9 (fastest); 7 is the default",
            ));
        }
        match &self.target {
            Target::Dir { .. } => {}
            Target::S3 {
                bucket,
                endpoint,
                part_size_mib,
                ..
            } => {
                if bucket.is_empty() {
                    return Err(bad("target.bucket", "must name a bucket"));
                }
                if !(5..=1024).contains(part_size_mib) {
                    return Err(bad(
                        "target.part_size_mib",
                        "must be 5 to 1024 (MiB); 8 is the default",
                    ));
                }
                if let Some(e) = endpoint {
                    if !(e.starts_with("http://") || e.starts_with("https://")) {
                        return Err(bad(
                            "target.endpoint",
                            "must start with http:// or https://",
                        ));
                    }
                }
            }
            Target::Webdav { url } => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(bad("target.url", "must start with http:// or https://"));
                }
                let authority = url.split("://").nth(1).and_then(|r| r.split('/').next());
                if authority.is_some_and(|a| a.contains('@')) {
                    return Err(bad(
                        "target.url",
                        "must not contain a user or password: set EVENTCAST_WEBDAV_USER and EVENTCAST_WEBDAV_PASSWORD instead",
                    ));
                }
            }
        }
        if let Some(img) = &self.series.image {
            if !img.is_file() {
                return Err(bad(
                    "series.image",
                    &format!("{} does not exist", img.display()),
                ));
            }
        }
        if let Some(dir) = &self.site.templates {
            if !dir.is_dir() {
                return Err(bad(
                    "site.templates",
                    &format!("{} is not a folder", dir.display()),
                ));
            }
        }
        Ok(())
    }

    /// `site.base_url` as an address, its path ending in exactly one slash (`load` refuses
    /// a file where it is not one).
    pub fn base_url(&self) -> Result<Url> {
        parse_base_url(&self.site.base_url).map_err(|m| Error::Config {
            path: "pipeline.toml".into(),
            message: format!("`site.base_url`: {m}"),
        })
    }
}

/// An http(s) address without query or fragment, its path ending in exactly one slash, so
/// that a path from the site root appended to it gives the file's address.
fn parse_base_url(text: &str) -> std::result::Result<Url, &'static str> {
    const NOT: &str = "must be an http:// or https:// address, without ? or #";
    let mut url = Url::parse(text).map_err(|_| NOT)?;
    if !matches!(url.scheme(), "http" | "https")
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(NOT);
    }
    let path = format!("{}/", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

/// Container and codec of the episodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// MP3 (LAME) with ID3v2.4 tags: what every podcast app plays.
    #[default]
    Mp3,
    /// AAC in MP4 (.m4a) with iTunes-style tags.
    M4a,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mp3 => "mp3",
            Format::M4a => "m4a",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Mp3 => crate::mime::MP3,
            Format::M4a => crate::mime::M4A,
        }
    }
}

/// Which webinars wait for a person before they are published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Hold {
    /// Publish every webinar as planned.
    Never,
    /// Hold the webinars whose cuts rest on weak evidence (see the README's review section).
    #[default]
    Doubtful,
    /// Hold every webinar.
    Always,
}

impl Hold {
    /// Whether a webinar with these doubts is held.
    pub fn holds(self, doubts: &[String]) -> bool {
        match self {
            Hold::Never => false,
            Hold::Doubtful => !doubts.is_empty(),
            Hold::Always => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_example_is_complete_and_valid() {
        let c = Config::builtin();
        assert_eq!(c.output, Output::default());
        c.validate(Path::new("pipeline.toml")).unwrap();
    }

    #[test]
    fn the_base_url_is_an_http_address_ending_in_one_slash() {
        let mut c = Config::builtin();
        for (text, url) in [
            (
                "https://example.org/podcast",
                "https://example.org/podcast/",
            ),
            (
                "https://example.org/podcast///",
                "https://example.org/podcast/",
            ),
            ("http://localhost:8000", "http://localhost:8000/"),
        ] {
            c.site.base_url = text.into();
            assert_eq!(c.base_url().unwrap().as_str(), url);
        }
        for text in [
            "ftp://example.org/",
            "example.org/podcast",
            "https://",
            "https://example.org/?page=2",
        ] {
            c.site.base_url = text.into();
            let e = c.validate(Path::new("pipeline.toml")).unwrap_err();
            assert!(e.to_string().contains("site.base_url"), "{text}: {e}");
        }
    }

    #[test]
    fn target_examples_in_the_bundled_file_parse() {
        let text = include_str!("../pipeline.toml");
        let (head, targets) = text.split_once("[target]").unwrap();
        for kind in ["s3", "webdav"] {
            let block: String = targets
                .lines()
                .skip_while(|l| *l != format!("# kind = \"{kind}\""))
                .take_while(|l| l.starts_with("# "))
                .map(|l| format!("{}\n", &l[2..]))
                .collect();
            let c: Config = toml::from_str(&format!("{head}[target]\n{block}")).unwrap();
            c.validate(Path::new("pipeline.toml")).unwrap();
            match (kind, &c.target) {
                (
                    "s3",
                    Target::S3 {
                        bucket,
                        path_style,
                        prefix,
                        ..
                    },
                ) => {
                    assert_eq!(
                        (bucket.as_str(), *path_style, prefix.as_str()),
                        ("learning-resources", true, "podcast/")
                    )
                }
                ("webdav", Target::Webdav { url }) => assert!(url.ends_with("/podcast/")),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn webdav_url_with_a_password_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipeline.toml");
        std::fs::write(
            &p,
            "[series]\ntitle='t'\ndescription='d'\nauthor='a'\nowner_email='a@b'\n[target]\nkind='webdav'\nurl='https://me:pw@dav.example.org/x/'\n",
        )
        .unwrap();
        let msg = Config::load(&p).unwrap_err().to_string();
        assert!(
            msg.contains("target.url") && msg.contains("EVENTCAST_WEBDAV_PASSWORD"),
            "{msg}"
        );
    }

    #[test]
    fn review_settings_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipeline.toml");
        let head = "[series]\ntitle='t'\ndescription='d'\nauthor='a'\nowner_email='a@b'\n";
        std::fs::write(
            &p,
            format!("{head}[review]\nhold = 'always'\nmin_confidence = 0.9\n"),
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.review.hold, Hold::Always);
        assert_eq!(c.review.min_confidence, 0.9);
        for (bad, key) in [
            ("hold = 'sometimes'", "sometimes"),
            ("min_confidence = 1.5", "review.min_confidence"),
            ("threshold = 0.5", "threshold"),
        ] {
            std::fs::write(&p, format!("{head}[review]\n{bad}\n")).unwrap();
            let msg = Config::load(&p).unwrap_err().to_string();
            assert!(msg.contains(key), "{bad}: {msg}");
        }
        assert_eq!(Config::builtin().review, Review::default());
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipeline.toml");
        std::fs::write(
            &p,
            "[series]\ntitle='t'\ndescription='d'\nauthor='a'\nowner_email='a@b'\ncolour='red'\n",
        )
        .unwrap();
        let msg = Config::load(&p).unwrap_err().to_string();
        assert!(msg.contains("colour") && msg.contains("line 6"), "{msg}");
    }
}
