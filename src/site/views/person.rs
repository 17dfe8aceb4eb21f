//! The people of a webinar as the templates see them.

use serde::Serialize;

use crate::ingest::Person;
use crate::site::catalog::Webinar;

/// A person of the agenda. Fields it does not give are empty text.
#[derive(Serialize)]
pub struct PersonView<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub organisation: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    /// City and country, e.g. "Lagos, Nigeria".
    pub place: String,
    /// Name with role and organisation, e.g. "Amara Okafor (Chief Innovation Officer,
    /// Lagos State Government)": what apps show of a `podcast:person`.
    pub credit: String,
    /// The `podcast:person` role: `host` for the moderator, else `guest`.
    pub podcast_role: PodcastRole,
}

/// A person's role in the feed's `podcast:person`.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum PodcastRole {
    Host,
    Guest,
}

impl<'a> PersonView<'a> {
    pub(super) fn new(p: &'a Person, role: PodcastRole) -> PersonView<'a> {
        let place = [p.city.as_deref(), p.country.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let about: Vec<&str> = [p.role.as_deref(), p.organisation.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        // `podcast:person` has no field for a job title or organisation: apps show its text.
        let credit = if about.is_empty() {
            p.name.clone()
        } else {
            format!("{} ({})", p.name, about.join(", "))
        };
        PersonView {
            name: &p.name,
            role: p.role.as_deref().unwrap_or_default(),
            organisation: p.organisation.as_deref().unwrap_or_default(),
            city: p.city.as_deref().unwrap_or_default(),
            country: p.country.as_deref().unwrap_or_default(),
            place,
            credit,
            podcast_role: role,
        }
    }

    /// A speaker the agenda does not describe: a name only.
    fn named(name: &'a str) -> PersonView<'a> {
        PersonView {
            name,
            role: "",
            organisation: "",
            city: "",
            country: "",
            place: String::new(),
            credit: name.to_string(),
            podcast_role: PodcastRole::Guest,
        }
    }
}

/// The person named `name` in an episode of `w`: the moderator (host), a speaker (guest),
/// or a name the agenda does not describe.
pub(super) fn person<'a>(w: &'a Webinar, name: &'a str) -> PersonView<'a> {
    match &w.moderator {
        Some(m) if m.name == name => PersonView::new(m, PodcastRole::Host),
        _ => w
            .speakers
            .iter()
            .find(|p| p.name == name)
            .map(|p| PersonView::new(p, PodcastRole::Guest))
            .unwrap_or_else(|| PersonView::named(name)),
    }
}
