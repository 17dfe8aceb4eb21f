//! The site's templates: the built-in ones, a folder's overrides, and rendering a view with
//! them (HTML escaped for HTML, XML for the feed).

use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

use crate::error::{Error, Result};

/// Built-in templates: (file name, contents); `eventcast init --templates` writes them out.
pub const BUILTIN: [(&str, &str); 4] = [
    ("feed.xml.hbs", include_str!("../../templates/feed.xml.hbs")),
    (
        "index.html.hbs",
        include_str!("../../templates/index.html.hbs"),
    ),
    (
        "webinar.html.hbs",
        include_str!("../../templates/webinar.html.hbs"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
];

/// Escape text for XML: the five entities, and control characters XML 1.0 forbids removed,
/// as are text direction controls (a catalog published by an older version may hold them).
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in crate::safe::strip_bidi(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a template writes XML (the feed) rather than HTML.
fn is_xml(name: &str) -> bool {
    name.ends_with(".xml.hbs")
}

/// The templates of one build: the pages', the feed's, and the style sheet.
pub struct Templates {
    html: Handlebars<'static>,
    xml: Handlebars<'static>,
    pub css: String,
}

impl Templates {
    /// The built-in templates, each replaced by the file of the same name in `dir` if there
    /// is one. A template that does not compile is an error naming its file, line and column.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut html = Handlebars::new();
        let mut xml = Handlebars::new();
        html.set_strict_mode(true);
        xml.set_strict_mode(true);
        xml.register_escape_fn(xml_escape);
        html.register_escape_fn(|s| handlebars::html_escape(&crate::safe::strip_bidi(s)));
        let mut css = String::new();
        for (name, builtin) in BUILTIN {
            let (text, origin) = match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(p) => (crate::error::read_text(&p)?, p.display().to_string()),
                None => (builtin.to_string(), format!("built-in {name}")),
            };
            let registry = match name {
                "style.css" => {
                    css = text;
                    continue;
                }
                _ if is_xml(name) => &mut xml,
                _ => &mut html,
            };
            registry.register_template_string(name, text).map_err(|e| {
                let at = e
                    .pos()
                    .map(|(line, col)| format!(" line {line}, column {col}"))
                    .unwrap_or_default();
                Error::Template(format!("{origin}{at}: {}", e.reason()))
            })?;
        }
        Ok(Templates { html, xml, css })
    }

    /// Render the template `name` with `data`, escaping text for XML or HTML.
    pub fn render(&self, name: &str, data: &impl Serialize) -> Result<String> {
        let registry = if is_xml(name) { &self.xml } else { &self.html };
        registry.render(name, data).map_err(|e| {
            let line = e.line_no.map(|l| format!(" line {l}")).unwrap_or_default();
            Error::Template(format!("{name}{line}: {}", e.reason()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_is_correct() {
        assert_eq!(
            xml_escape("a & b <c> \"d\" 'e'\u{1}\u{7}f\n"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;f\n"
        );
    }
}
