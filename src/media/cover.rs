//! Cover art: checked before any encoding, because Apple Podcasts and Spotify reject
//! artwork that is not a square JPEG or PNG of 1400 to 3000 pixels, and finding out after
//! an hour of encoding (or after publishing) is too late.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

pub const MIN_SIDE: u32 = 1400;
pub const MAX_SIDE: u32 = 3000;

/// An image fit to embed as cover art.
#[derive(Clone)]
pub struct Cover {
    pub mime: &'static str,
    pub data: Vec<u8>,
    pub side: u32,
    /// blake3 of `data`, hex: what cache keys take instead of the image.
    pub hash: String,
}

/// Not the image's bytes: its type, size and hash.
impl std::fmt::Debug for Cover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cover")
            .field("mime", &self.mime)
            .field("side", &self.side)
            .field("bytes", &self.data.len())
            .field("hash", &self.hash)
            .finish()
    }
}

/// Read `path` and check that podcast apps will accept it; the error says how to fix it.
pub fn check(path: &Path) -> Result<Cover> {
    let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=codec_name,width,height", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.trim().split(',').collect();
    let (codec, w, h) = match (out.status.success(), fields.as_slice()) {
        (true, [c, w, h]) => (
            c.to_string(),
            w.parse::<u32>().unwrap_or(0),
            h.parse::<u32>().unwrap_or(0),
        ),
        _ => {
            return Err(Error::input(
                path,
                "`series.image` is not an image ffmpeg can read: use a square JPEG or PNG \
                 of 1400 to 3000 px",
            ))
        }
    };
    let mime = match codec.as_str() {
        "mjpeg" => crate::mime::JPEG,
        "png" => crate::mime::PNG,
        _ => "",
    };
    let fits = w == h && (MIN_SIDE..=MAX_SIDE).contains(&w);
    if mime.is_empty() || !fits {
        return Err(Error::input(
            path,
            format!(
                "`series.image` is a {w}×{h} {codec} image, but podcast apps need a square JPEG \
                 or PNG of {MIN_SIDE} to {MAX_SIDE} px. Make one with:\n  {}",
                resize_command(path)
            ),
        ));
    }
    Ok(Cover {
        mime,
        hash: blake3::hash(&data).to_hex().to_string(),
        data,
        side: w,
    })
}

/// The ffmpeg command that turns `path` into a 1400 px square PNG (center crop).
pub fn resize_command(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cover".into());
    let out = path.with_file_name(format!("{stem}-{MIN_SIDE}.png"));
    format!(
        "ffmpeg -i '{}' -vf 'scale={MIN_SIDE}:{MIN_SIDE}:force_original_aspect_ratio=increase,crop={MIN_SIDE}:{MIN_SIDE}' -frames:v 1 '{}'",
        path.display(),
        out.display()
    )
}
