//! Input made safe before it names a file or reaches a reader.
//!
//! Agendas, transcripts and published catalogs come from people and other tools, and a
//! hostile or careless one must not be able to write outside the work folder or the site
//! (`../`, a bracketed time-zone suffix in a date), nor reorder what a reader sees (text
//! direction controls). The checks live here once and run where paths are built and where
//! text is written, not only where input is read, so a new caller cannot forget them. Files
//! are written whole or not at all ([`write_atomic`]).

use std::path::Path;

/// Why a name cannot be one path component.
fn unsafe_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name == "." || name == ".." {
        return Some("it names a folder above or itself");
    }
    if name.len() > 200 {
        return Some("it is longer than 200 bytes");
    }
    if name.contains(['/', '\\']) {
        return Some("it contains a path separator");
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Some("it contains control characters");
    }
    if name.contains(':') {
        return Some("it contains ':' (a drive or scheme on some systems)");
    }
    None
}

/// `name` if it is one safe path component: not empty, not `.` or `..`, no separator,
/// colon or control character. The error says why not.
pub fn component(name: &str) -> Result<&str, String> {
    match unsafe_reason(name) {
        None => Ok(name),
        Some(why) => Err(format!("{name:?} cannot be a file or folder name: {why}")),
    }
}

/// A relative path of safe components separated by `/` (a site path such as
/// `2026-11-20-title/talk-1.mp3`).
pub fn relative_path(path: &str) -> Result<&str, String> {
    for seg in path.split('/') {
        if let Some(why) = unsafe_reason(seg) {
            return Err(format!(
                "{path:?} cannot be a path inside the site: its part {seg:?} is unusable ({why})"
            ));
        }
    }
    Ok(path)
}

/// Unicode's explicit direction controls: embeddings, overrides, isolates and marks
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). In a name they make a page show
/// text in another order than it has ("evil\u{202E}3pm.exe").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` without direction controls (see [`is_bidi_control`]).
pub fn strip_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_bidi_control) {
        text.chars().filter(|c| !is_bidi_control(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Write `bytes` to `path` whole or not at all: into a temporary file beside it, then
/// renamed into place, so a reader (or a run after a kill) never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> crate::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    tempfile::NamedTempFile::new_in(dir)
        .and_then(|mut t| {
            std::io::Write::write_all(&mut t, bytes)?;
            t.persist(path).map_err(|e| e.error)?;
            Ok(())
        })
        .map_err(|e| crate::Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_single_and_plain() {
        assert!(component("2024-03-05-a-title").is_ok());
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a\\b",
            "2024-03-05T10:00[..",
            "a\u{0}b",
            "a\u{202E}b",
        ] {
            assert!(component(bad).is_err(), "{bad:?}");
        }
        assert!(relative_path("w/talk-1.mp3").is_ok());
        for bad in ["../x", "w/../../x", "/abs", "w//x", "w/"] {
            assert!(relative_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn direction_controls_are_stripped() {
        assert_eq!(
            strip_bidi("Ana\u{202E}lrep\u{2066}x\u{2069}\u{200F}"),
            "Analrepx"
        );
        assert!(matches!(strip_bidi("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
