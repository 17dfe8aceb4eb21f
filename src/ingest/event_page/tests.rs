//! The importer on whole pages: the seed's fixture as Markdown and HTML, other languages,
//! refused pages, and the dates and lengths pages write.

use super::when::find_duration;
use super::*;

const PAGE: &str =
    include_str!("../../../tests/fixtures/events/learning-from-cities-2021-06-29.md");

/// Everything the fixture says except the description, as a user would write it.
const EXPECTED: &str = r#"
title = "Learning from cities: Innovation in covid times"
series = "Learning from cities"
date = "2021-06-29"
language = "es"
total_minutes = 60.0
moderator = { name = "Diana Lopez", role = "Partnerships Specialist, Cities and Urbanization" }
items = [
  { kind = "talk", minutes = 10.0, speakers = [{ name = "Natalia Currea Dereser", role = "Knowledge and innovation director", organisation = "Agencia de Cooperación e Inversión de Medellín y el Área Metropolitana de Medellín", city = "Medellín", country = "Colombia", handle = "@NatCurrea" }] },
  { kind = "qa", title = "Follow up comments and Q&A by the moderator taking questions from the chat" },
  { kind = "talk", minutes = 10.0, speakers = [{ name = "María Eugenia Corti", role = "Sustainable and smart development director", organisation = "Intendencia de Montevideo", city = "Montevideo", country = "Uruguay" }] },
  { kind = "qa", title = "Follow up comments and Q&A by the moderator taking questions from the chat" },
  { kind = "wrapup", title = "Wrap up comments and recommendations", minutes = 5.0, speakers = [{ name = "Octavi de la Varga", role = "Secretary-General", organisation = "Metropolis" }] },
]
"#;

fn load(text: &str) -> Agenda {
    import(text, Path::new("page.md")).expect("the page imports")
}

fn expect_err(text: &str) -> String {
    import(text, Path::new("p.md"))
        .expect_err("the page is refused")
        .to_string()
}

#[test]
fn fixture_fields_and_items() {
    let expected = Agenda::from_toml(EXPECTED, Path::new("expected.toml")).expect("valid TOML");
    let mut a = load(PAGE);
    a.description.clear();
    assert_eq!(a, expected);
}

#[test]
fn fixture_description_is_the_six_prose_paragraphs() {
    let d = load(PAGE).description;
    let paragraphs: Vec<&str> = d.split("\n\n").collect();
    assert_eq!(paragraphs.len(), 6, "{d}");
    assert!(
        paragraphs[0].starts_with("Societies are changing quickly, and the public"),
        "{d}"
    );
    assert!(
        paragraphs[5].starts_with("The joint UNDP - Metropolis series"),
        "{d}"
    );
    assert!(paragraphs[5].contains("webpage https://www.metropolis.org/learning-from-cities and"));
    for noise in [
        "INTERNATIONAL",
        "CALENDAR",
        "29 Jun",
        "Register",
        "Documents",
        "Moderator",
        "**",
    ] {
        assert!(!d.contains(noise), "{noise:?} in {d}");
    }
}

#[test]
fn fixture_validates_and_round_trips_through_toml() {
    let a = load(PAGE);
    a.validate(Path::new("page.md")).expect("valid agenda");
    let back = Agenda::from_toml(&a.to_toml(), Path::new("agenda.toml")).expect("TOML reads back");
    assert_eq!(back, a);
    assert_eq!(a.planned_minutes(), vec![10.0, 17.5, 10.0, 17.5, 5.0]);
}

#[test]
fn html_page_gives_the_same_agenda() {
    let html = r##"<!DOCTYPE html><html><head><title>Learning from cities | Metropolis</title></head>
<body><nav><ul><li>INTERNATIONAL</li><li>CALENDAR</li></ul></nav>
<h1>Learning from cities: Innovation in covid times</h1>
<p class="date">29 Jun. 2021</p><p><a href="#">Register here</a></p>
<p>Societies are changing quickly, and the public sector needs to adapt as well &ndash; innovation is
   no longer a luxury &amp; needs&nbsp;care.</p>
<!-- <p>1 January 2020</p> -->
<p>The joint UNDP - Metropolis series Learning from cities highlights city and metropolitan solutions.</p>
<p>Moderator: <strong>Diana Lopez</strong> - Partnerships Specialist, Cities and Urbanization</p>
<ul>
  <li><strong>Natalia Currea Dereser, Knowledge and innovation director. Agencia de Cooperaci&oacute;n e
      Inversi&oacute;n de Medell&iacute;n y el &Aacute;rea Metropolitana de Medell&iacute;n.</strong><br>
      Colombia (10 min) @NatCurrea</li>
  <li>Follow up comments and Q&amp;A by the moderator taking questions from the chat</li>
  <li><b>Mar&#237;a Eugenia Corti, Sustainable and smart development director.</b><br/>Intendencia de
      Montevideo, Uruguay (10 minutos)</li>
  <li><p>Follow up comments and Q&#x26;A by the moderator taking questions from the chat</p></li>
  <li>Wrap up comments and recommendations by <strong>Octavi de la Varga, Secretary-General of
      Metropolis</strong> (5 minutes)</li>
</ul>
<p>Total time - approximately 60 min</p><p>Please note that this event will be held in Spanish</p>
</body></html>"##;
    let mut a = import(html, Path::new("page.html")).expect("the HTML page imports");
    let d = "Societies are changing quickly, and the public sector needs to adapt as well – innovation \
             is no longer a luxury & needs care.\n\nThe joint UNDP - Metropolis series Learning from \
             cities highlights city and metropolitan solutions.";
    assert_eq!(a.description, d);
    a.description = load(PAGE).description;
    assert_eq!(a, load(PAGE));
    let lines = html_lines(html).lines;
    let natalia = lines
        .iter()
        .find(|(_, l)| l.starts_with("- **Natalia"))
        .expect("a bullet line");
    assert_eq!(natalia.0, 11, "HTML lines keep their source line numbers");
}

#[test]
fn spanish_page() {
    let page = "# Aprender de las ciudades: Innovación en tiempos de covid\n\nmartes, 29 de junio de 2021\n\n\
        El ciclo Aprender de las ciudades reúne a gobiernos locales para compartir soluciones urbanas.\n\n\
        Moderadora: **Diana López** - Especialista en alianzas, Ciudades y Urbanización\n\n\
        1. Palabras de bienvenida (5 minutos)\n\
        2. **Natalia Currea Dereser, Directora de innovación. Alcaldía de Medellín, Colombia** (10 minutos)\n\
        3. Preguntas del público\n\
        4. Conclusiones y cierre por **Octavi de la Varga, Secretario General de Metropolis** (5')\n\n\
        Duración total: 1 hora\n\nEvento en español";
    let expected = r#"
            title = "Aprender de las ciudades: Innovación en tiempos de covid"
            series = "Aprender de las ciudades"
            date = "2021-06-29"
            language = "es"
            description = "El ciclo Aprender de las ciudades reúne a gobiernos locales para compartir soluciones urbanas."
            total_minutes = 60.0
            moderator = { name = "Diana López", role = "Especialista en alianzas, Ciudades y Urbanización" }
            items = [
              { kind = "intro", title = "Palabras de bienvenida", minutes = 5.0 },
              { kind = "talk", minutes = 10.0, speakers = [{ name = "Natalia Currea Dereser", role = "Directora de innovación", organisation = "Alcaldía de Medellín", city = "Medellín", country = "Colombia" }] },
              { kind = "qa", title = "Preguntas del público" },
              { kind = "wrapup", title = "Conclusiones y cierre", minutes = 5.0, speakers = [{ name = "Octavi de la Varga", role = "Secretario General de Metropolis" }] },
            ]"#;
    assert_eq!(
        load(page),
        Agenda::from_toml(expected, Path::new("e.toml")).expect("valid TOML")
    );
}

#[test]
fn missing_title_date_or_agenda_is_an_input_error_naming_the_file() {
    let page = "# Learning from cities\n\n29 June 2021\n\nA webinar about innovation in cities and what they learned.\n";
    let err = import(page, Path::new("events/page.md")).expect_err("no agenda");
    assert_eq!(err.exit_code(), 2);
    let msg = err.to_string();
    assert!(
        msg.starts_with("events/page.md: no agenda found: expected a list, a table or lines"),
        "{msg}"
    );
    assert!(
        msg.ends_with("write an agenda.toml instead; see `eventcast agenda import`"),
        "{msg}"
    );
    assert!(expect_err("INTERNATIONAL\n\n- Q&A\n").starts_with("p.md: no title found"));
    assert!(expect_err("# Title here\n\n- Q&A (10 min)\n").starts_with("p.md: no date found"));
}

#[test]
fn bad_dates_and_lengths_name_the_line() {
    let msg = expect_err("# Title here\n\n31 June 2021\n\n- Q&A\n");
    assert!(
        msg.starts_with("p.md:3: `31 June 2021` is not a real date"),
        "{msg}"
    );
    let msg = expect_err("# Title here\n\n2021-06-29\n\n- Welcome\n- Q&A (0 min)\n");
    assert!(msg.starts_with("p.md:6: a length of zero minutes"), "{msg}");
}

#[test]
fn structured_programme_beats_a_menu() {
    let page = r#"<html><head><script type="application/ld+json">
{"@type":"Event","name":"Agua y ciudad","startDate":"2025-02-06T09:00:00-06:00",
 "subEvent":[{"@type":"Event","name":"Bienvenida","startDate":"2025-02-06T09:00:00-06:00","endDate":"2025-02-06T09:05:00-06:00"},
  {"@type":"Event","name":"Captación pluvial","startDate":"2025-02-06T09:05:00-06:00","endDate":"2025-02-06T09:30:00-06:00",
   "performer":{"@type":"Person","name":"Roberto Salinas","jobTitle":"Director"}}]}
</script></head><body><div class="menu"><ul><li>Bienvenida</li><li>Contacto</li></ul></div></body></html>"#;
    let a = import(page, Path::new("p.html")).expect("imports");
    let kinds: Vec<ItemKind> = a.items.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, [ItemKind::Intro, ItemKind::Talk]);
    assert_eq!(a.items[1].minutes, Some(25.0));
    assert_eq!(a.items[1].speakers[0].role.as_deref(), Some("Director"));
    assert_eq!(a.time.as_deref(), Some("09:00"));
    assert_eq!(a.timezone.as_deref(), Some("Etc/GMT+6"));
}

#[test]
fn truncated_pages_never_panic() {
    for page in [
        PAGE,
        "<p>Caf&eacute; &#xZZ; &bogus; <li><strong>Jos&eacute; P&eacute;rez</b> 1 h 3",
    ] {
        for (cut, _) in page.char_indices().step_by(3) {
            let _ = import(&page[..cut], Path::new("p.md"));
        }
    }
}

#[test]
fn durations() {
    let cases =
        "(10 min)=10|10 minutos=10|5 minutes=5|(10 mins)=10|10'=10|1 h=60|90 min=90|1 hora=60|\
                 1h30=90|1 h 15 min=75|1.5 hours=90|about 45 Min.=45|2 horas=120";
    for (text, minutes) in cases.split('|').filter_map(|c| c.split_once('=')) {
        assert_eq!(
            find_duration(text).map(|d| d.0.to_string()).as_deref(),
            Some(minutes),
            "{text}"
        );
    }
    for text in [
        "Agenda 2030 goals",
        "COVID-19 times",
        "16:00 h",
        "at 16 h",
        "29 Jun. 2021",
    ] {
        assert_eq!(find_duration(text), None, "{text}");
    }
}

#[test]
fn dates() {
    let june29 =
        "29 Jun. 2021|29 June 2021|June 29, 2021|Tuesday, June 29th, 2021|2021-06-29|29 jun 2021|\
                  martes, 29 de junio de 2021|29 juin 2021|29 de junho de 2021|Jun 29 2021";
    for text in june29.split('|') {
        assert_eq!(find_date(text), Some((2021, 6, 29)), "{text}");
    }
    assert_eq!(find_date("1er juillet 2021"), Some((2021, 7, 1)));
    assert_eq!(find_date("12 sept. 2022"), Some((2022, 9, 12)));
    assert_eq!(find_date("3 dic. 2020"), Some((2020, 12, 3)));
    assert_eq!(find_date("Agenda 2030 and the SDGs"), None);
}
