//! The one table of media types: what each kind of file eventcast makes or reads is called
//! in a feed, the catalog, tags and HTTP headers.

pub const MP3: &str = "audio/mpeg";
pub const M4A: &str = "audio/mp4";
pub const MP4: &str = "video/mp4";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const VTT: &str = "text/vtt";

/// The media type of a file by its extension (a path, URL or bare extension; any case);
/// `None` for an extension not in the table.
pub fn of(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.').map_or(path, |(_, e)| e);
    Some(match ext.to_ascii_lowercase().as_str() {
        "mp3" => MP3,
        "m4a" => M4A,
        "mp4" => MP4,
        "ogg" | "oga" | "opus" => "audio/ogg",
        "xml" => "application/rss+xml",
        "json" => "application/json",
        "html" => "text/html",
        "css" => "text/css",
        "vtt" => VTT,
        "srt" => "application/x-subrip",
        "txt" => "text/plain",
        "png" => PNG,
        "jpg" | "jpeg" => JPEG,
        _ => return None,
    })
}

/// The HTTP `Content-Type` of a file: its media type, text in UTF-8 said so, and
/// `application/octet-stream` for what the table does not know.
pub fn content_type(path: &str) -> &'static str {
    match of(path) {
        Some("application/rss+xml") => "application/rss+xml; charset=utf-8",
        Some("text/html") => "text/html; charset=utf-8",
        Some("text/css") => "text/css; charset=utf-8",
        Some("text/vtt") => "text/vtt; charset=utf-8",
        Some("text/plain") => "text/plain; charset=utf-8",
        Some(m) => m,
        None => "application/octet-stream",
    }
}

/// The media type a podcast enclosure with this file name must declare: audio only.
pub fn audio(path: &str) -> Option<&'static str> {
    of(path).filter(|m| m.starts_with("audio/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_extension() {
        assert_eq!(of("w/talk-1.MP3"), Some(MP3));
        assert_eq!(of("m4a"), Some(M4A));
        assert_eq!(of("https://x.org/a.b/c.jpeg"), Some(JPEG));
        assert_eq!(of("README"), None);
        assert_eq!(content_type("w/x.vtt"), "text/vtt; charset=utf-8");
        assert_eq!(content_type("w/x.bin"), "application/octet-stream");
        assert_eq!(audio("w/x.opus"), Some("audio/ogg"));
        assert_eq!(audio("w/x.mp4"), None);
    }
}
