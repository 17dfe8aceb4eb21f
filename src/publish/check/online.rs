//! The published site as the web serves it.

use super::*;

/// What fetching the feed's URLs from the web found.
pub struct Online {
    /// URLs the server does not serve, with what it answered.
    pub problems: Vec<String>,
    /// Why nothing was fetched (the site's address cannot be reached from here), if so.
    pub skipped: Option<String>,
}

/// Fetch every URL the published feed in `root` links to, when the site's address can be
/// reached from here: a file can be in the folder and still not be served (a folder URL on
/// a server that adds no index.html, a path the server maps elsewhere).
pub async fn check_online(root: &Path) -> Online {
    let mut online = Online {
        problems: Vec::new(),
        skipped: None,
    };
    let Ok(feed) = std::fs::read_to_string(root.join("feed.xml")) else {
        online.skipped = Some("no feed.xml".into());
        return online;
    };
    let urls = feed_urls(&feed);
    let client = match reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            online.skipped = Some(format!("no HTTP client: {e}"));
            return online;
        }
    };
    for (i, url) in urls.iter().enumerate() {
        let answer = match client.head(url).send().await {
            Ok(r) if matches!(r.status().as_u16(), 405 | 501) => client.get(url).send().await,
            other => other,
        };
        match answer {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => online.problems.push(format!(
                "feed.xml: {url} answers {} on the web server{}",
                r.status(),
                if url.split('#').next().is_some_and(|u| u.ends_with('/')) {
                    " (a folder URL: the server must serve its index.html, or set `site.pretty_urls = false`)"
                } else {
                    ""
                }
            )),
            // The first URL cannot be reached: the site is not served where this runs.
            Err(e) if i == 0 => {
                online.skipped = Some(format!("{url} cannot be reached from here ({e})"));
                return online;
            }
            Err(e) => online.problems.push(format!("feed.xml: {url} cannot be fetched: {e}")),
        }
    }
    online
}
