//! The event-page corpus: every page in `tests/fixtures/events/` is imported and compared,
//! field by field, with the `.agenda.toml` beside it, written by a person reading the page.
//!
//! The pages are shaped the way organisations publish them (CMS event plugins, a ticketing
//! site, JSON-LD only, microdata, Markdown tables, numbered programmes, clock times, four
//! languages). A field the importer still gets wrong is listed in [`KNOWN_WRONG`]: the test
//! fails if any other field differs, and also if a listed field has become right, so the
//! list is always the honest state of the importer.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eventcast::ingest::Agenda;
use serde_json::Value;

/// (page, field) pairs that come out different from what the page says.
const KNOWN_WRONG: &[(&str, &str)] = &[
    // "Sistema de Aguas de la Ciudad de México": the city is named after "Ciudad de", and
    // "Ciudad de" is also how organisations introduce any city ("Ciudad de Bogotá").
    ("agua-y-ciudad-2025-02-06.html", "items[1].speakers[0].city"),
    // Only an offset (-03:00) and no city or zone name: a fixed zone (Etc/GMT+3) is right
    // for the time, but the page's country is not read to name America/Sao_Paulo.
    ("resiliencia-2022-09-27.html", "timezone"),
    // "Empresa Pública de Vivienda de Cuenca (Ecuador)": nothing tells "de Cuenca" (a city)
    // from "de Vivienda" (a field) without a list of cities.
    (
        "vivienda-asequible-2024-04-17.html",
        "items[1].speakers[0].city",
    ),
    // "Project Manager, Ynni Ogwen (Wales)": a short name before a country in parentheses
    // is read as a city ("Dakar (Sénégal)"); this one is an organisation.
    (
        "community-energy-2023-10-12.md",
        "items[2].speakers[1].city",
    ),
    (
        "community-energy-2023-10-12.md",
        "items[2].speakers[1].organisation",
    ),
];

fn corpus() -> Vec<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".agenda.toml") {
            continue;
        }
        let stem = name.rsplit_once('.').unwrap().0;
        let expected = dir.join(format!("{stem}.agenda.toml"));
        assert!(
            expected.exists(),
            "{name} has no {stem}.agenda.toml beside it"
        );
        pages.push((path, expected));
    }
    pages.sort();
    pages
}

/// Every leaf of `v` by its path (`items[2].speakers[0].city`).
fn flatten(v: &Value, path: &str, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(x, &p, out);
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.insert(path.to_string(), "[]".into());
            }
            for (i, x) in a.iter().enumerate() {
                flatten(x, &format!("{path}[{i}]"), out);
            }
        }
        other => {
            out.insert(path.to_string(), other.to_string());
        }
    }
}

/// The fields where `got` and `want` differ, with both values.
fn differences(got: &Agenda, want: &Agenda) -> BTreeMap<String, (String, String)> {
    let (mut g, mut w) = (BTreeMap::new(), BTreeMap::new());
    flatten(&serde_json::to_value(got).unwrap(), "", &mut g);
    flatten(&serde_json::to_value(want).unwrap(), "", &mut w);
    let mut out = BTreeMap::new();
    for key in g.keys().chain(w.keys()) {
        let (a, b) = (g.get(key), w.get(key));
        if a != b {
            let show = |x: Option<&String>| x.cloned().unwrap_or_else(|| "(absent)".into());
            out.insert(key.clone(), (show(a), show(b)));
        }
    }
    out
}

#[test]
fn every_page_gives_the_agenda_a_reader_sees() {
    let pages = corpus();
    assert!(pages.len() >= 12, "the corpus has {} pages", pages.len());
    let mut report = String::new();
    for (page, expected) in &pages {
        let name = page.file_name().unwrap().to_str().unwrap();
        let want = Agenda::load(expected).unwrap_or_else(|e| panic!("{e}"));
        let got = match Agenda::load(page) {
            Ok(a) => a,
            Err(e) => {
                report.push_str(&format!("\n{name}: not imported: {e}\n"));
                continue;
            }
        };
        let diffs = differences(&got, &want);
        let known: Vec<&str> = KNOWN_WRONG
            .iter()
            .filter(|(p, _)| *p == name)
            .map(|(_, f)| *f)
            .collect();
        for (field, (g, w)) in &diffs {
            if !known.contains(&field.as_str()) {
                report.push_str(&format!("\n{name}: {field}\n   got:  {g}\n   want: {w}\n"));
            }
        }
        for field in known {
            if !diffs.contains_key(field) {
                report.push_str(&format!(
                    "\n{name}: {field} is listed in KNOWN_WRONG but now comes out right: \
                     remove it from the list\n"
                ));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn agenda_import_prints_the_agenda_lines_that_gave_nothing_as_comments() {
    let page = common::fixture("events/saneamento-periferias-2023-06-15.md");
    let out = common::run(&["agenda", "import", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let comments: Vec<&str> = stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        comments[1..],
        [
            "# These lines of the page's agenda gave nothing; add what they say by hand:",
            "#   line 21: (horários sujeitos a alteração)",
        ],
        "{stdout}"
    );
    let printed = Agenda::from_toml(&stdout, Path::new("printed.toml")).expect("it parses");
    let expected = common::fixture("events/saneamento-periferias-2023-06-15.agenda.toml");
    assert_eq!(printed, Agenda::load(&expected).unwrap());

    let seed = common::fixture("events/learning-from-cities-2021-06-29.md");
    let out = common::run(&["agenda", "import", seed.to_str().unwrap()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('#')).count(),
        1,
        "{stdout}"
    );
}

#[test]
fn cut_and_garbled_pages_never_panic() {
    for (page, _) in corpus() {
        let text = std::fs::read_to_string(&page).unwrap();
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let step = (cuts.len() / 40).max(1);
        for &cut in cuts.iter().step_by(step) {
            let _ = eventcast::ingest::event_page::import(&text[..cut], &page);
            let _ = eventcast::ingest::event_page::import(&text[cut..], &page);
        }
    }
}
