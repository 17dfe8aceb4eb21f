//! The pages: every link resolves inside the site.

use super::*;

/// Every link and source on a page must resolve to a file of the site, and nothing may be
/// loaded from another host.
pub(super) fn check_page(site: &Site, page: &str, base: Option<&str>, problems: &mut Vec<String>) {
    let Some(bytes) = site.read(page) else {
        return;
    };
    let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
    let selector = scraper::Selector::parse("[href], [src], [poster]").expect("a valid selector");
    let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
    for node in html.select(&selector) {
        let element = node.value();
        for attr in ["href", "src", "poster"] {
            let Some(target) = element.attr(attr) else {
                continue;
            };
            let target = target.trim();
            if target.is_empty() || target.starts_with('#') {
                continue;
            }
            // A resource the browser fetches by itself, as opposed to a link the reader follows.
            let loads = attr != "href" || element.name() == "link";
            let resolved = if let Some(p) = base.and_then(|b| site_path(target, b)) {
                Some(p)
            } else if target.contains("://") || target.starts_with("//") {
                if loads && !target.starts_with("data:") {
                    problems.push(format!(
                        "{page}: loads {target} from another host; pages must be self-contained"
                    ));
                }
                None
            } else if target.split('/').next().is_some_and(|s| s.contains(':')) {
                None // mailto:, tel:, data:
            } else {
                match resolve(dir, target) {
                    Some(p) => Some(p),
                    None => {
                        problems.push(format!("{page}: {target} points above the site root"));
                        None
                    }
                }
            };
            if let Some(p) = resolved {
                if !site.exists(&p) {
                    problems.push(format!("{page}: {target} does not resolve (no {p})"));
                }
            }
        }
    }
}

/// A relative reference from a page in `dir`, as a path from the site root.
pub(super) fn resolve(dir: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or("");
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let absolute = target.starts_with('/');
    if absolute {
        parts.clear();
    }
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if target.is_empty() || target.ends_with('/') || path.is_empty() {
        path = if path.is_empty() {
            "index.html".into()
        } else {
            format!("{path}/index.html")
        };
    }
    Some(path)
}
