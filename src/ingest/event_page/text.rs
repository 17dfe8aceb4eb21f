//! A page as numbered text lines, whatever it was written in.
//!
//! HTML is reduced to the lines a reader sees: block elements end lines, `<li>` becomes
//! `- `, `<strong>`/`<b>` become `**`, `<h1>` becomes `# ` and the other headings `## `,
//! and a table row becomes `| cell | cell |` (a row of `<th>` is followed by `|---|`, as in
//! Markdown), so Markdown and HTML are read by the same rules afterwards. Each line keeps
//! the number of the source line it starts on, for error messages and review comments.
//! The front matter of a Markdown file (`---` or `+++` blocks) is the post's metadata, not
//! the event's, and is blanked.

use super::lexicon::listed;

/// A line of the page: its 1-based line number in the file and its trimmed text.
pub type Line = (usize, String);

/// The visible text of a page and what its markup says besides.
#[derive(Debug, Default)]
pub struct PageText {
    pub lines: Vec<Line>,
    /// `datetime` attributes of `<time>` elements, with the index of the line they are on.
    pub datetimes: Vec<(usize, String)>,
    /// The `lang` attribute of `<html>`.
    pub lang: Option<String>,
}

pub fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

/// `s` folded like [`fold`], and for each byte of the folded text the byte of `s` it came
/// from, so a phrase found in the folded text can be cut out of `s`.
pub fn fold_map(s: &str) -> (String, Vec<usize>) {
    let mut folded = String::new();
    let mut from = Vec::new();
    for (i, c) in s.char_indices() {
        let f = fold(c.encode_utf8(&mut [0; 4]));
        from.extend(std::iter::repeat_n(i, f.len()));
        folded.push_str(&f);
    }
    from.push(s.len());
    (folded, from)
}

/// Folded words of `s`, keeping `&`, `-` and `/` inside words ("q&a", "wrap-up"); an
/// apostrophe separates ("d'accueil" is "d", "accueil").
pub fn words(s: &str) -> Vec<String> {
    let folded = fold(s);
    let parts = folded.split(|c: char| !(c.is_alphanumeric() || "&-/".contains(c)));
    parts
        .map(|w| w.trim_matches(|c: char| "&-/".contains(c)))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The byte length of the run of `s`'s first characters that match `f`.
pub fn leading(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.len() - s.trim_start_matches(f).len()
}

/// `s` without surrounding spaces and punctuation that joins parts, or `None` if empty.
pub fn nonempty(s: &str) -> Option<String> {
    let joining = |c: char| ",;:.-–—|·".contains(c) || c.is_whitespace();
    let start = s.len() - s.trim_start_matches(joining).len();
    let t = s.trim_matches(joining);
    if t.is_empty() {
        return None;
    }
    // Keep the full stop of an abbreviation that ends the text ("TransMilenio S.A.").
    let last = t.rsplit(' ').next().unwrap_or("");
    let stop = s[start + t.len()..].starts_with('.') && last.contains('.');
    Some(if stop { format!("{t}.") } else { t.to_string() })
}

/// Drop Markdown emphasis and link syntax and collapse whitespace.
pub fn clean_inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..mid]);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let out = out.replace("**", "");
    let unwrap = |w: &str| match w.strip_prefix("<http") {
        Some(url) => format!("http{}", url.replacen('>', "", 1)),
        None => w.to_string(),
    };
    // `*emphasis*` and `_emphasis_` marks around words.
    let unmark = |w: String| {
        let t = w.trim_matches('*');
        let t = t.strip_prefix('_').unwrap_or(t);
        t.strip_suffix('_').unwrap_or(t).to_string()
    };
    out.split_whitespace()
        .map(unwrap)
        .map(unmark)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a bullet line (`- `, `* `, `+ `, `• `, `1. `, `1) `).
pub fn bullet(l: &str) -> Option<&str> {
    if let Some(r) = ["- ", "* ", "+ ", "• "]
        .iter()
        .find_map(|m| l.strip_prefix(m))
    {
        return Some(r.trim());
    }
    let digits = leading(l, |c| c.is_ascii_digit());
    let r = &l[digits..];
    let numbered = (1..=2).contains(&digits) && (r.starts_with(". ") || r.starts_with(") "));
    numbered.then(|| r[2..].trim())
}

/// The cells of a table row (`| a | b |`), or `None` if `l` is not one.
pub fn table_cells(l: &str) -> Option<Vec<String>> {
    let inner = l.strip_prefix('|')?;
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

/// A Markdown table's separator row (`|---|:---:|`).
pub fn is_table_rule(l: &str) -> bool {
    table_cells(l).is_some_and(|cells| {
        cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| "-:".contains(ch)))
    })
}

pub fn is_link_only(l: &str) -> bool {
    (l.starts_with('[') && l.ends_with(')') && l.matches("](").count() == 1)
        || (l.starts_with("<http") && l.ends_with('>'))
        || (l.starts_with("http") && !l.contains(' '))
}

/// A heading line (`# `, `## `, ...) without its marks.
pub fn heading(l: &str) -> Option<&str> {
    let hashes = leading(l, |c| c == '#');
    (hashes > 0 && l[hashes..].starts_with(' ')).then(|| l[hashes..].trim())
}

pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start().to_ascii_lowercase();
    (t.starts_with('<') && !t.starts_with("<http"))
        || ["</p>", "</div>", "</li>", "<body"]
            .iter()
            .any(|x| t.contains(x))
}

/// A Markdown or plain-text page as lines, its front matter blanked. A bullet indented
/// under another becomes `– text`, a continuation of its parent (a panel's speakers).
pub fn markdown_lines(text: &str) -> Vec<Line> {
    let mut parent_indent: Option<usize> = None;
    let mut lines: Vec<Line> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        let indent = raw.len() - raw.trim_start().len();
        let mut out = l.to_string();
        match bullet(l) {
            Some(b) if parent_indent.is_some_and(|p| indent >= p + 2) => out = format!("– {b}"),
            Some(_) => parent_indent = Some(indent),
            None if l.is_empty() => {}
            None => parent_indent = None,
        }
        lines.push((i + 1, out));
    }
    let first = lines.iter().position(|(_, l)| !l.is_empty());
    if let Some(f) = first.filter(|&f| matches!(lines[f].1.as_str(), "---" | "+++")) {
        let fence = lines[f].1.clone();
        if let Some(end) = (f + 1..lines.len()).find(|&i| lines[i].1 == fence) {
            for l in &mut lines[f..=end] {
                l.1.clear();
            }
        }
    }
    lines
}

/// Text with its tags removed and entities decoded (for HTML inside JSON-LD strings).
pub fn strip_tags(html: &str) -> String {
    let decoded = decode_entities(html);
    let mut out = String::new();
    let mut rest = decoded.as_str();
    while let Some(a) = rest.find('<') {
        out.push_str(&rest[..a]);
        let tag_end = rest[a..].find('>').map_or(rest.len(), |e| a + e + 1);
        let tag = rest[a..tag_end].to_ascii_lowercase();
        if tag.starts_with("</p") || tag.starts_with("<br") || tag.starts_with("</div") {
            out.push_str("\n\n");
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

/// Decode `&amp;`, `&#237;`, `&#xED;`, `&iacute;` and the other common entities.
pub fn decode_entities(s: &str) -> String {
    const NAMED: &str = "amp=& lt=< gt=> quot=\" apos=' nbsp=\u{a0} ndash=– mdash=— lsquo=‘ \
        rsquo=’ ldquo=“ rdquo=” hellip=… laquo=« raquo=» iexcl=¡ iquest=¿ ordm=º ordf=ª euro=€ \
        bull=• middot=· copy=© rarr=→ larr=←";
    const MARKS: &str = "acute:aeiouyAEIOUY:áéíóúýÁÉÍÓÚÝ grave:aeiouAEIOU:àèìòùÀÈÌÒÙ \
        circ:aeiouAEIOU:âêîôûÂÊÎÔÛ uml:aeiouAEIOU:äëïöüÄËÏÖÜ tilde:anoANO:ãñõÃÑÕ cedil:cC:çÇ";
    let entity = |name: &str| -> Option<char> {
        if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            return n.and_then(char::from_u32);
        }
        if let Some(c) = NAMED
            .split(' ')
            .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
        {
            return c.chars().next();
        }
        let base = name.chars().next()?;
        let mark = MARKS
            .split(' ')
            .map(|m| m.split(':').collect::<Vec<_>>())
            .find(|m| m[0] == &name[base.len_utf8()..])?;
        mark[2]
            .chars()
            .nth(mark[1].chars().position(|c| c == base)?)
    };
    let mut out = String::new();
    let mut rest = s;
    while let Some(a) = rest.find('&') {
        out.push_str(&rest[..a]);
        rest = &rest[a..];
        let decoded = rest
            .find(';')
            .filter(|&e| e <= 10)
            .and_then(|e| Some((e, entity(&rest[1..e])?)));
        let (c, used) = decoded.map_or(('&', 1), |(e, c)| (c, e + 1));
        out.push(c);
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in the inside of a tag (`time datetime="..." class=x`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name).map(|a| from + a) {
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest[1..].trim_start().len();
        let value = &tag[value_at..];
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// Reduce HTML to text lines, each numbered by the source line it starts on.
pub fn html_lines(html: &str) -> PageText {
    const SKIPPED: &str = "script|style|head|nav|noscript|template|svg|button|select";
    const BLOCKS: &str = "p|div|h1|h2|h3|h4|h5|h6|ul|ol|section|article|header|footer|main|\
        table|tr|blockquote|dl|dt|dd|figure|figcaption|aside";
    fn push(out: &mut [Line], s: &str, line: usize) {
        let Some(last) = out.last_mut() else { return };
        for c in s.chars() {
            if !c.is_whitespace() {
                if last.1.is_empty() {
                    last.0 = line;
                }
                last.1.push(c);
            } else if !(last.1.is_empty() || last.1.ends_with(' ')) {
                last.1.push(' ');
            }
        }
    }
    fn brk(out: &mut Vec<Line>, blank: bool) {
        // A line holding only the marker of an `<li>` waits for the item's text.
        if out
            .last()
            .is_some_and(|(_, l)| !matches!(l.trim(), "" | "-"))
        {
            out.push((0, String::new()));
        }
        if blank && out.len() >= 2 && !out[out.len() - 2].1.trim().is_empty() {
            out.push((0, String::new()));
        }
    }
    let mut page = PageText::default();
    let out = &mut page.lines;
    out.push((1, String::new()));
    let (mut line, mut counted, mut in_li, mut in_cell, mut i) = (1, 0, 0usize, 0usize, 0);
    let mut header_row = false;
    while i < html.len() {
        let next = html[i..].find('<').map_or(html.len(), |o| i + o);
        let chunk = &html[i..next];
        let start = next - chunk.trim_start().len();
        line += html[counted..start].matches('\n').count();
        counted = start;
        push(out, &decode_entities(chunk), line);
        let rest = &html[next..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| next + e + 3);
            continue;
        }
        if !rest.get(1..).is_some_and(|r| {
            r.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
        }) {
            push(out, rest.get(..1).unwrap_or(""), line);
            i = next + 1;
            continue;
        }
        let end = rest.find('>').map_or(html.len(), |e| next + e + 1);
        let tag = html[next + 1..end].trim_end_matches('>');
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let name = name.to_ascii_lowercase();
        i = end;
        match name.as_str() {
            _ if listed(SKIPPED, &name) && !closing => {
                let close = format!("</{name}");
                i = html[end..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(html.len(), |e| end + e);
            }
            "html" if !closing => page.lang = attribute(tag, "lang"),
            "time" if !closing => {
                if let Some(v) = attribute(tag, "datetime") {
                    page.datetimes.push((out.len() - 1, v));
                }
            }
            // A line break inside a cell separates its parts, like a dash.
            "br" if in_cell > 0 => push(out, " — ", line),
            "br" => brk(out, false),
            "li" if in_cell == 0 => {
                brk(out, false);
                if !closing {
                    // An item of a list inside an item continues it (a panel's speakers).
                    push(out, if in_li > 0 { "– " } else { "- " }, line);
                }
                in_li = if closing {
                    in_li.saturating_sub(1)
                } else {
                    in_li + 1
                };
            }
            "strong" | "b" => push(out, "**", line),
            "h1" if !closing => {
                brk(out, true);
                push(out, "# ", line);
            }
            "h2" | "h3" | "h4" | "h5" | "h6" if !closing && in_cell == 0 => {
                brk(out, true);
                push(out, "## ", line);
            }
            "tr" if !closing => {
                brk(out, false);
                push(out, "|", line);
                header_row = false;
            }
            "tr" => {
                brk(out, false);
                if header_row {
                    push(out, "|---|", line);
                    brk(out, false);
                }
                header_row = false;
            }
            "td" | "th" if !closing => {
                header_row |= name == "th";
                in_cell += 1;
                push(out, " ", line);
            }
            "td" | "th" => {
                in_cell = in_cell.saturating_sub(1);
                let last = out.last_mut().map(|l| &mut l.1);
                if let Some(l) = last {
                    let trimmed = l.trim_end().trim_end_matches([',', '—', ' ']).to_string();
                    *l = trimmed;
                }
                push(out, " |", line);
            }
            // A definition list is one block: a `<dt>` time and its `<dd>` stay together.
            "dt" | "dd" if in_cell == 0 => brk(out, false),
            _ if listed(BLOCKS, &name) && in_cell > 0 => push(out, " ", line),
            _ if listed(BLOCKS, &name) => brk(out, in_li == 0),
            _ => {}
        }
    }
    for l in out.iter_mut() {
        l.1 = l.1.trim().to_string();
    }
    page
}
