//! The agenda: what the webinar was meant to be.
//!
//! Two forms reach us. `agenda.toml` is the structured form a user writes or reviews; the
//! event page as published (Markdown or HTML) is what most users actually have, so
//! [`super::event_page`] turns it into the same [`Agenda`]. Everything downstream sees only
//! this type. Planned lengths are a prior for the plan stage, never trusted as cut points.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Minutes given to an item with no stated length when the agenda has no total either.
pub const DEFAULT_ITEM_MINUTES: f64 = 5.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agenda {
    /// Title of the webinar, e.g. "Learning from cities: Innovation in covid times".
    pub title: String,
    /// Series the webinar belongs to, e.g. "Learning from cities".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// Day of the webinar, `YYYY-MM-DD`.
    pub date: String,
    /// Local start time, `HH:MM`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// IANA time zone of `time`, e.g. "Europe/Madrid".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Spoken language, as a BCP 47 code: "es", "en", "pt-BR".
    pub language: String,
    /// What the webinar is about (plain text, paragraphs separated by blank lines).
    #[serde(default)]
    pub description: String,
    /// Who chairs the webinar and runs the Q&A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderator: Option<Person>,
    /// Announced total length in minutes; items with no length share what it leaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_minutes: Option<f64>,
    /// The programme, in order.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Name as spoken, without titles, e.g. "Natalia Currea Dereser" (not "Dr. ...").
    pub name: String,
    /// Job or position, e.g. "Knowledge and innovation director".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Where they work, e.g. "Intendencia de Montevideo".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// City they speak for, e.g. "Montevideo".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Country as the page writes it, e.g. "Uruguay".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Social media handle, e.g. "@NatCurrea".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Intro,
    Talk,
    Qa,
    Wrapup,
    Outro,
    /// A break, a technical pause or music: nobody's part.
    Pause,
    Other,
}

impl ItemKind {
    /// Whether this item becomes an episode of its own (besides the whole webinar).
    pub fn is_episode(self) -> bool {
        matches!(self, ItemKind::Talk | ItemKind::Wrapup)
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Intro => "Introduction",
            ItemKind::Talk => "Talk",
            ItemKind::Qa => "Q&A",
            ItemKind::Wrapup => "Wrap-up",
            ItemKind::Outro => "Closing",
            ItemKind::Pause => "Break",
            ItemKind::Other => "Session",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub kind: ItemKind,
    /// Title of the item; when absent one is made from the kind and speakers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who speaks. Q&A and intro items with no speaker are the moderator's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Person>,
    /// Planned length in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<f64>,
    /// The item did not take place (its speaker did not come): it is not looked for in the
    /// recording and gets no episode, e.g. `skip = true`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
}

impl Agenda {
    /// Read an agenda in either form: `.toml` is the structured form, anything else
    /// (`.md`, `.html`, `.txt`) is read as a published event page.
    pub fn load(path: &Path) -> Result<Agenda> {
        Agenda::load_reviewed(path).map(|(agenda, _)| agenda)
    }

    /// [`Agenda::load`], with the lines of an event page's agenda that gave nothing, as
    /// (line number, text), for the reviewer (none for `agenda.toml`).
    pub fn load_reviewed(path: &Path) -> Result<(Agenda, Vec<(usize, String)>)> {
        // Direction controls in a name would reorder what readers see on every page and in
        // every tag: they go before anything else reads the text.
        let text = crate::safe::strip_bidi(&crate::error::read_text(path)?).into_owned();
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let (agenda, unread) = if is_toml {
            (Agenda::from_toml(&text, path)?, Vec::new())
        } else {
            let imported = super::event_page::read(&text, path)?;
            (imported.agenda, imported.unread)
        };
        agenda.validate(path)?;
        Ok((agenda, unread))
    }

    pub fn from_toml(text: &str, path: &Path) -> Result<Agenda> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| crate::error::line_of(text, s.start))
                .unwrap_or(1);
            Error::parse(path, line, e.message().to_string())
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("an agenda always serialises to TOML")
    }

    /// Check the values serde cannot: dates, zones, lengths, at least one item.
    pub fn validate(&self, path: &Path) -> Result<()> {
        let bad = |field: &str, msg: String| Error::Config {
            path: path.to_path_buf(),
            message: format!("`{field}`: {msg}"),
        };
        self.civil_date().map_err(|e| bad("date", e))?;
        if let Some(t) = &self.time {
            t.parse::<jiff::civil::Time>()
                .map_err(|e| bad("time", format!("{e} (expected HH:MM)")))?;
        }
        if let Some(z) = &self.timezone {
            jiff::tz::TimeZone::get(z).map_err(|e| {
                bad(
                    "timezone",
                    format!("{z:?} is not a time zone: {e} (expected an IANA zone such as Europe/Madrid)"),
                )
            })?;
        }
        if self.title.trim().is_empty() {
            return Err(bad("title", "must not be empty".into()));
        }
        if self.items.is_empty() {
            return Err(bad("items", "the agenda lists no items".into()));
        }
        if self.held().next().is_none() {
            return Err(bad(
                "items",
                "every item is `skip = true`: nothing took place".into(),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            if let Some(m) = item.minutes {
                if !(m.is_finite() && m > 0.0) {
                    return Err(bad(
                        &format!("items[{i}].minutes"),
                        format!("{m} is not a positive length"),
                    ));
                }
            }
            if item.kind == ItemKind::Talk && item.speakers.is_empty() {
                return Err(bad(
                    &format!("items[{i}].speakers"),
                    "a talk needs a speaker".into(),
                ));
            }
        }
        Ok(())
    }

    /// The day of the webinar. Only a plain calendar date `YYYY-MM-DD` is one: jiff would
    /// also take a datetime with a bracketed zone (`2024-03-05T10:00[Europe/Madrid]`), and
    /// the date names the webinar's folders.
    pub fn civil_date(&self) -> Result<jiff::civil::Date, String> {
        let d = self.date.as_bytes();
        let shaped = d.len() == 10
            && d.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return Err(format!(
                "{:?} is not a calendar date: write it as YYYY-MM-DD, e.g. 2024-03-05 (a time goes in `time`, a zone in `timezone`)",
                self.date
            ));
        }
        self.date.parse().map_err(|e| {
            format!(
                "{:?} is not a calendar date: {e} (expected YYYY-MM-DD)",
                self.date
            )
        })
    }

    /// Planned minutes of each item: stated lengths as given, the others sharing what
    /// `total_minutes` leaves (or [`DEFAULT_ITEM_MINUTES`] each when there is no total).
    pub fn planned_minutes(&self) -> Vec<f64> {
        let stated: f64 = self.items.iter().filter_map(|i| i.minutes).sum();
        let unstated = self.items.iter().filter(|i| i.minutes.is_none()).count();
        let share = match self.total_minutes {
            Some(total) if unstated > 0 && total > stated => (total - stated) / unstated as f64,
            _ => DEFAULT_ITEM_MINUTES,
        };
        self.items
            .iter()
            .map(|i| i.minutes.unwrap_or(share))
            .collect()
    }

    /// Indices of the items that took place (not `skip`), in order.
    pub fn held(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.items.len()).filter(|&i| !self.items[i].skip)
    }

    /// Everyone who speaks: the moderator first, then the speakers of the items that took
    /// place, each once.
    pub fn people(&self) -> Vec<&Person> {
        let mut out: Vec<&Person> = Vec::new();
        for p in self.moderator.iter().chain(
            self.items
                .iter()
                .filter(|i| !i.skip)
                .flat_map(|i| i.speakers.iter()),
        ) {
            if !out.iter().any(|q| q.name == p.name) {
                out.push(p);
            }
        }
        out
    }

    /// The names heard in an item: its speakers, or the moderator when it names none.
    pub fn item_speakers(&self, item: &Item) -> Vec<String> {
        if item.speakers.is_empty() {
            self.moderator.iter().map(|m| m.name.clone()).collect()
        } else {
            item.speakers.iter().map(|p| p.name.clone()).collect()
        }
    }

    /// The item's title, or one made from its kind and speakers.
    pub fn item_title(&self, item: &Item) -> String {
        if let Some(t) = item.title.as_deref().filter(|t| !t.trim().is_empty()) {
            return t.to_string();
        }
        let names = item
            .speakers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if names.is_empty() {
            item.kind.label().to_string()
        } else {
            format!("{}: {names}", item.kind.label())
        }
    }

    /// Stable folder name for this webinar: date + title, ASCII, lower case. A single safe
    /// path component once [`Agenda::validate`] has passed (callers building paths check it
    /// again with [`crate::safe::component`]).
    pub fn slug(&self) -> String {
        format!("{}-{}", self.date, slugify(&self.title))
    }
}

/// ASCII, lower-case, dash-separated; accents folded ("Medellín" -> "medellin").
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut out = String::new();
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out.push_str("webinar");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, minutes: Option<f64>) -> Item {
        Item {
            kind,
            title: None,
            speakers: vec![Person {
                name: "A".into(),
                ..Default::default()
            }],
            minutes,
            skip: false,
        }
    }

    /// A zone that does not exist is bad input naming the zone and the file, never UTC.
    #[test]
    fn an_unknown_time_zone_is_an_error() {
        let text = "title = \"T\"\ndate = \"2021-06-29\"\ntime = \"16:00\"\n\
                    timezone = \"Europe/Atlantis\"\nlanguage = \"es\"\n\n\
                    [[items]]\nkind = \"talk\"\nspeakers = [{ name = \"A\" }]\nminutes = 10\n";
        let path = Path::new("agenda.toml");
        let agenda = Agenda::from_toml(text, path).unwrap();
        let e = agenda.validate(path).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("agenda.toml") && msg.contains("Europe/Atlantis"),
            "{msg}"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn unstated_items_share_what_the_total_leaves() {
        let a = Agenda {
            title: "T".into(),
            series: None,
            date: "2021-06-29".into(),
            time: None,
            timezone: None,
            language: "es".into(),
            description: String::new(),
            moderator: None,
            total_minutes: Some(60.0),
            items: vec![
                item(ItemKind::Talk, Some(10.0)),
                item(ItemKind::Qa, None),
                item(ItemKind::Talk, Some(10.0)),
                item(ItemKind::Qa, None),
                item(ItemKind::Wrapup, Some(5.0)),
            ],
        };
        assert_eq!(a.planned_minutes(), vec![10.0, 17.5, 10.0, 17.5, 5.0]);
    }

    #[test]
    fn toml_errors_name_the_line() {
        let text =
            "title = \"T\"\ndate = \"2021-06-29\"\nlanguage = \"es\"\nbogus = 1\nitems = []\n";
        let err = Agenda::from_toml(text, Path::new("a.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("a.toml:4:"), "{msg}");
        assert!(msg.contains("bogus"), "{msg}");
    }

    #[test]
    fn dates_are_plain_calendar_dates() {
        let text = |date: &str| {
            format!("title = \"T\"\ndate = \"{date}\"\nlanguage = \"es\"\n[[items]]\nkind = \"wrapup\"\n")
        };
        let ok = Agenda::from_toml(&text("2024-03-05"), Path::new("a.toml")).unwrap();
        ok.validate(Path::new("a.toml")).unwrap();
        for bad in [
            "2024-03-05T10:00[../../../tmp/evil]",
            "2024-03-05T10:00[Europe/Madrid]",
            "2024-03-05T10:00",
            "2024-3-5",
            "2024-02-30",
            " 2024-03-05",
        ] {
            let a = Agenda::from_toml(&text(bad), Path::new("a.toml")).unwrap();
            let err = a.validate(Path::new("a.toml")).unwrap_err().to_string();
            assert!(
                err.contains("`date`") && err.contains("YYYY-MM-DD"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(
            slugify("Innovación en tiempos de covid!"),
            "innovacion-en-tiempos-de-covid"
        );
    }
}
