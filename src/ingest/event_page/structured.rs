//! The schema.org `Event` a page carries as JSON-LD or microdata.
//!
//! CMS event plugins (The Events Calendar, Modern Events Calendar, Drupal, Joomla) and
//! ticketing sites publish the event as structured data for search engines. When a page
//! has it, it is the most exact source for the name, the start and end with their UTC
//! offset, the language and the people (`performer` with `jobTitle` and `affiliation`);
//! some pages have nothing else (an app that renders the rest with JavaScript), and then
//! the programme comes from `subEvent`. Event subtypes (`EducationEvent`, `BusinessEvent`)
//! count as events; `@graph` and `@id` references are followed.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::people::{city_in, strip_honorific};
use super::text::{decode_entities, strip_tags};
use super::when::Stamp;
use crate::ingest::Person;

/// What the page's structured data says about the event.
#[derive(Debug, Default, Clone)]
pub struct Structured {
    pub name: Option<String>,
    pub description: Option<String>,
    pub start: Option<Stamp>,
    pub end: Option<Stamp>,
    pub language: Option<String>,
    /// Performers and people among the organisers.
    pub people: Vec<Person>,
    /// The town of the organiser or venue, to name the zone of an offset.
    pub locality: Option<String>,
    pub sub_events: Vec<SubEvent>,
}

/// One `subEvent`: an item of the programme.
#[derive(Debug, Clone)]
pub struct SubEvent {
    pub name: String,
    pub start: Option<Stamp>,
    pub end: Option<Stamp>,
    pub performers: Vec<Person>,
}

/// The event in the page's JSON-LD, else in its microdata.
pub fn read(html: &str) -> Option<Structured> {
    let doc = Html::parse_document(html);
    json_ld(&doc).or_else(|| microdata(&doc))
}

fn is_event_type(v: &Value) -> bool {
    let is = |t: &str| {
        let t = t.rsplit('/').next().unwrap_or(t);
        t.ends_with("Event") && t != "VirtualEvent"
    };
    match v.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

fn is_type(v: &Value, wanted: &str) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

fn json_ld(doc: &Html) -> Option<Structured> {
    let selector = Selector::parse("script[type='application/ld+json']").expect("valid selector");
    let mut nodes: Vec<Value> = Vec::new();
    for script in doc.select(&selector) {
        let text: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(text.trim()) else {
            continue;
        };
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(items) => stack.extend(items.into_iter().rev()),
                Value::Object(ref o) if o.contains_key("@graph") => {
                    if let Some(g) = o.get("@graph") {
                        stack.push(g.clone());
                    }
                }
                other => nodes.push(other),
            }
        }
    }
    let ids: HashMap<String, Value> = nodes
        .iter()
        .filter_map(|n| Some((n.get("@id")?.as_str()?.to_string(), n.clone())))
        .collect();
    let deref = |v: &Value| -> Value {
        match v.get("@id").and_then(Value::as_str) {
            Some(id) if v.get("@type").is_none() => ids.get(id).cloned().unwrap_or(v.clone()),
            _ => v.clone(),
        }
    };
    let event = nodes.iter().find(|n| is_event_type(n))?;
    let text = |v: &Value, key: &str| -> Option<String> {
        let s = match v.get(key)? {
            Value::String(s) => s.clone(),
            Value::Array(a) => a.first()?.as_str()?.to_string(),
            Value::Object(o) => o.get("name")?.as_str()?.to_string(),
            _ => return None,
        };
        let s = strip_tags(&decode_entities(&s));
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    let list = |v: Option<&Value>| -> Vec<Value> {
        match v {
            Some(Value::Array(a)) => a.iter().map(&deref).collect(),
            Some(x) => vec![deref(x)],
            None => vec![],
        }
    };
    let person = |v: &Value| -> Option<Person> {
        if let Value::String(name) = v {
            return Some(Person {
                name: strip_honorific(name).to_string(),
                ..Default::default()
            });
        }
        if !(is_type(v, "Person") || v.get("@type").is_none()) {
            return None;
        }
        let name = text(v, "name")?;
        let org = list(v.get("affiliation").or(v.get("worksFor")))
            .into_iter()
            .next();
        let organisation = org.as_ref().and_then(|o| match o {
            Value::String(s) => Some(s.clone()),
            o => text(o, "name"),
        });
        let address = org
            .as_ref()
            .and_then(|o| o.get("address"))
            .or(v.get("address"));
        let city = address
            .and_then(|a| text(a, "addressLocality"))
            .or_else(|| organisation.as_deref().and_then(city_in));
        Some(Person {
            name: strip_honorific(&name).to_string(),
            role: text(v, "jobTitle"),
            organisation,
            city,
            country: address.and_then(|a| text(a, "addressCountry")),
            handle: None,
        })
    };
    let stamp = |v: &Value, key: &str| text(v, key).and_then(|s| Stamp::parse(&s));
    let mut people: Vec<Person> = list(event.get("performer"))
        .iter()
        .chain(list(event.get("organizer")).iter())
        .filter_map(&person)
        .collect();
    let sub_events: Vec<SubEvent> = list(event.get("subEvent"))
        .iter()
        .filter_map(|s| {
            Some(SubEvent {
                name: text(s, "name")?,
                start: stamp(s, "startDate"),
                end: stamp(s, "endDate"),
                performers: list(s.get("performer"))
                    .iter()
                    .filter_map(&person)
                    .collect(),
            })
        })
        .collect();
    people.extend(sub_events.iter().flat_map(|s| s.performers.clone()));
    let locality = list(event.get("organizer"))
        .iter()
        .chain(list(event.get("location")).iter())
        .find_map(|o| o.get("address").and_then(|a| text(a, "addressLocality")));
    Some(Structured {
        name: text(event, "name"),
        description: text(event, "description"),
        start: stamp(event, "startDate"),
        end: stamp(event, "endDate"),
        language: text(event, "inLanguage"),
        people,
        locality,
        sub_events,
    })
}

/// The `itemprop` elements that belong to the item `scope` (not to items inside it).
fn props<'a>(scope: ElementRef<'a>) -> Vec<(String, ElementRef<'a>)> {
    let mut out = Vec::new();
    let mut stack: Vec<ElementRef<'a>> = scope.child_elements().collect();
    stack.reverse();
    while let Some(el) = stack.pop() {
        if let Some(names) = el.attr("itemprop") {
            for n in names.split_whitespace() {
                out.push((n.to_string(), el));
            }
        }
        if el.attr("itemscope").is_none() {
            let mut children: Vec<ElementRef<'a>> = el.child_elements().collect();
            children.reverse();
            stack.extend(children);
        }
    }
    out
}

fn value(el: ElementRef) -> String {
    let v = el.value();
    let raw = match v.name() {
        "meta" => v.attr("content").unwrap_or("").to_string(),
        "time" => v
            .attr("datetime")
            .map(String::from)
            .unwrap_or_else(|| el.text().collect()),
        _ => el.text().collect(),
    };
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn microdata(doc: &Html) -> Option<Structured> {
    let selector = Selector::parse("[itemscope][itemtype]").expect("valid selector");
    let event = doc.select(&selector).find(|el| {
        let t = el.value().attr("itemtype").unwrap_or("");
        let t = t.rsplit('/').next().unwrap_or(t);
        t.ends_with("Event")
    })?;
    let props = props(event);
    let get = |name: &str| {
        props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, el)| value(*el))
            .filter(|s| !s.is_empty())
    };
    let person = |el: ElementRef| -> Option<Person> {
        if el.value().attr("itemscope").is_none() {
            let name = value(el);
            return (!name.is_empty()).then(|| Person {
                name: strip_honorific(&name).to_string(),
                ..Default::default()
            });
        }
        let own = self::props(el);
        let get = |name: &str| own.iter().find(|(n, _)| n == name).map(|(_, e)| *e);
        let name = value(get("name")?);
        let organisation = get("affiliation").or(get("worksFor")).map(|a| {
            if a.value().attr("itemscope").is_some() {
                self::props(a)
                    .iter()
                    .find(|(n, _)| n == "name")
                    .map(|(_, e)| value(*e))
                    .unwrap_or_default()
            } else {
                value(a)
            }
        });
        let organisation = organisation.filter(|o| !o.is_empty());
        Some(Person {
            name: strip_honorific(&name).to_string(),
            role: get("jobTitle").map(value).filter(|s| !s.is_empty()),
            city: organisation.as_deref().and_then(city_in),
            organisation,
            country: None,
            handle: None,
        })
    };
    let people = props
        .iter()
        .filter(|(n, _)| {
            matches!(
                n.as_str(),
                "performer" | "organizer" | "actor" | "contributor"
            )
        })
        .filter_map(|(_, el)| person(*el))
        .collect();
    let description = props
        .iter()
        .find(|(n, _)| n == "description")
        .map(|(_, el)| {
            let paragraphs: Vec<String> = el
                .child_elements()
                .map(value)
                .filter(|p| !p.is_empty())
                .collect();
            if paragraphs.is_empty() {
                value(*el)
            } else {
                paragraphs.join("\n\n")
            }
        });
    Some(Structured {
        name: get("name"),
        description,
        start: get("startDate").and_then(|s| Stamp::parse(&s)),
        end: get("endDate").and_then(|s| Stamp::parse(&s)),
        language: get("inLanguage"),
        people,
        locality: None,
        sub_events: Vec::new(),
    })
}
