//! The files the feed points at: artwork, chapters, transcripts.

/// Apple's artwork rule: a square JPEG or PNG of 1400 to 3000 pixels a side.
pub fn check_artwork(bytes: &[u8]) -> Result<(), String> {
    let kind = imagesize::image_type(bytes).map_err(|e| format!("not an image ({e})"))?;
    if !matches!(kind, imagesize::ImageType::Png | imagesize::ImageType::Jpeg) {
        return Err(format!("is {kind:?}; it must be a JPEG or PNG"));
    }
    let size = imagesize::blob_size(bytes).map_err(|e| format!("unreadable ({e})"))?;
    if size.width != size.height || !(1400..=3000).contains(&size.width) {
        return Err(format!(
            "is {}×{} px; it must be square, 1400 to 3000 px a side",
            size.width, size.height
        ));
    }
    Ok(())
}

/// A Podcasting 2.0 JSON chapters file: a version, and chapters in time order inside the episode.
pub(super) fn check_chapters(bytes: &[u8], duration: Option<u64>) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if !v["version"].is_string() {
        return Err("no \"version\"".into());
    }
    let list = v["chapters"]
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or("no \"chapters\" list")?;
    let mut last = -1.0;
    for (i, c) in list.iter().enumerate() {
        let start = c["startTime"]
            .as_f64()
            .ok_or(format!("chapter {} has no numeric startTime", i + 1))?;
        if start < last {
            return Err(format!("chapter {} starts before the one above it", i + 1));
        }
        if duration.is_some_and(|d| start > d as f64 + 1.0) {
            return Err(format!("chapter {} starts after the episode ends", i + 1));
        }
        if c["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return Err(format!("chapter {} has no title", i + 1));
        }
        last = start;
    }
    Ok(())
}

/// A WebVTT time: exactly three decimals after a full stop (WebVTT is stricter than
/// what [`crate::timecode::parse`] reads).
pub(super) fn vtt_seconds(s: &str) -> Option<f64> {
    let (_, ms) = s.split_once('.')?;
    if ms.len() != 3 || s.contains(',') {
        return None;
    }
    crate::timecode::parse(s)
}

/// A WebVTT file: the header, then cues whose timings parse and never go backwards.
/// Returns the number of cues; an error names the line.
pub fn check_vtt(text: &str) -> Result<usize, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate().peekable();
    match lines.next() {
        Some((_, first))
            if first == "WEBVTT"
                || first.starts_with("WEBVTT ")
                || first.starts_with("WEBVTT\t") => {}
        _ => return Err("line 1: a WebVTT file starts with WEBVTT".into()),
    }
    let mut cues = 0;
    let mut last_start = 0.0;
    for (i, line) in lines {
        if !line.contains("-->") {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (start, arrow, end) = (parts.next(), parts.next(), parts.next());
        let (Some(start), Some("-->"), Some(end)) = (start, arrow, end) else {
            return Err(format!("line {}: bad cue timing {line:?}", i + 1));
        };
        let (Some(s), Some(e)) = (vtt_seconds(start), vtt_seconds(end)) else {
            return Err(format!("line {}: bad cue timing {line:?}", i + 1));
        };
        if e < s {
            return Err(format!("line {}: the cue ends before it starts", i + 1));
        }
        if s < last_start {
            return Err(format!(
                "line {}: the cue starts before the one above it",
                i + 1
            ));
        }
        last_start = s;
        cues += 1;
    }
    Ok(cues)
}
