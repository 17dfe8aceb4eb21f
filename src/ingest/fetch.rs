//! Event pages given by address: fetched once, then read from the work folder.
//!
//! `--agenda https://...` and `eventcast agenda import https://...` read the event page
//! from the web, because that is what most users have. The page is fetched with a
//! timeout, following up to five redirects, and refused with a message saying what to do
//! when the server answers an error, something that is not a page (a PDF, an image) or
//! more than [`Limits::max_bytes`]. The page is kept in `<work>/pages/`, and a later run
//! with the same address reads that copy, so a re-run (or a resumed run) reads exactly
//! what the first one read even if the page has changed or gone since; deleting the copy
//! fetches the page again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long and how much a page fetch may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// For the whole answer, connection included.
    pub timeout: Duration,
    /// The largest page accepted, in bytes.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(30),
            max_bytes: 5 * 1024 * 1024,
        }
    }
}

/// Whether `arg` is a web address rather than a file.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The agenda file to read for `arg`: `arg` itself, or for an address the copy of the page
/// in `work` (fetched now if no earlier run kept one).
pub fn agenda_source(arg: &Path, work: &Path, limits: &Limits) -> Result<PathBuf> {
    let Some(url) = arg.to_str().filter(|a| is_url(a)) else {
        return Ok(arg.to_path_buf());
    };
    let dir = work.join("pages");
    let stem = copy_stem(url);
    for ext in ["html", "md"] {
        let copy = dir.join(format!("{stem}.{ext}"));
        if copy.is_file() {
            tracing::info!(
                "reading {} (the copy of {url} kept by an earlier run; delete it to fetch the page again)",
                copy.display()
            );
            return Ok(copy);
        }
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io(work, e))?;
    let (body, ext) = rt.block_on(fetch(url, limits))?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let copy = dir.join(format!("{stem}.{ext}"));
    crate::safe::write_atomic(&copy, body.as_bytes())?;
    tracing::info!(
        "fetched {url} ({} kB) into {}",
        body.len().div_ceil(1024),
        copy.display()
    );
    Ok(copy)
}

/// A file name for the copy of `url`: its host and a hash of the whole address.
fn copy_stem(url: &str) -> String {
    let host = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("page");
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let hash = blake3::hash(url.as_bytes()).to_hex();
    format!("{host}-{}", &hash[..12])
}

/// Fetch `url`: the body as UTF-8 text and the extension it is kept under (`html`, `md`).
pub async fn fetch(url: &str, limits: &Limits) -> Result<(String, &'static str)> {
    let failed = |message: String| Error::Fetch {
        url: url.to_string(),
        message,
    };
    let refused = |message: String| Error::input(url, message);
    let client = reqwest::Client::builder()
        .timeout(limits.timeout)
        .connect_timeout(limits.timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!("eventcast/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed(format!("cannot set up the HTTP client: {e}")))?;
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            failed(format!(
                "no complete answer within {} s: check the address, or try again later",
                limits.timeout.as_secs_f64()
            ))
        } else if e.is_redirect() {
            refused("too many redirects (more than 5): give the page's final address".into())
        } else if e.is_builder() {
            refused(format!("not a valid address ({e})"))
        } else {
            failed(format!(
                "could not be fetched ({e}): check the address and the network"
            ))
        }
    };
    let mut answer = client.get(url).send().await.map_err(transport)?;
    let status = answer.status();
    if status.is_client_error() {
        return Err(refused(format!(
            "the server answered {status}: check the address, or save the page and pass the file"
        )));
    }
    if !status.is_success() {
        return Err(failed(format!(
            "the server answered {status}: try again later, or save the page and pass the file"
        )));
    }
    let content_type = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let ext = match mime.as_str() {
        "text/html" | "application/xhtml+xml" => "html",
        "text/markdown" | "text/x-markdown" | "text/plain" | "" => "md",
        other => {
            return Err(refused(format!(
            "is not a web page (the server sent `{other}`): give the address of the event's page"
        )))
        }
    };
    let too_large = || {
        refused(format!(
            "the answer is larger than {} MB, more than any event page: check the address",
            limits.max_bytes / (1024 * 1024)
        ))
    };
    if answer
        .content_length()
        .is_some_and(|n| n > limits.max_bytes)
    {
        return Err(too_large());
    }
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(transport)? {
        if (body.len() + chunk.len()) as u64 > limits.max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    // A server that says nothing or `text/plain` may still send HTML.
    let ext = if ext == "md" && super::event_page::text::looks_like_html(&text) {
        "html"
    } else {
        ext
    };
    Ok((text, ext))
}
