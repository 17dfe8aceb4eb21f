//! The few words the pages and feed say themselves, in the webinar's language.
//!
//! A page declares the webinar's language (`lang`), so its headings and buttons must be in
//! that language too, or screen readers mispronounce them and readers meet a mixed page.
//! Languages not listed fall back to English; a user wanting other wording overrides the
//! templates, which see these strings as `t.*`.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    pub skip: &'static str,
    pub all_webinars: &'static str,
    pub webinars: &'static str,
    pub people: &'static str,
    pub moderator: &'static str,
    pub listen: &'static str,
    pub download: &'static str,
    pub chapters: &'static str,
    pub transcript: &'static str,
    pub show_transcript: &'static str,
    pub subscribe: &'static str,
    pub subscribe_text: &'static str,
    pub feed_address: &'static str,
    pub play: &'static str,
    /// Label of an episode's video player.
    pub watch: &'static str,
    pub episode: &'static str,
    pub episodes: &'static str,
    pub from_webinar: &'static str,
    months: [&'static str; 12],
    /// Date pattern with `{d}`, `{m}` and `{y}`.
    date: &'static str,
}

const EN: Labels = Labels {
    skip: "Skip to content",
    all_webinars: "All webinars",
    webinars: "Webinars",
    people: "Speakers",
    moderator: "Moderator",
    listen: "Listen",
    download: "Download",
    chapters: "Chapters",
    transcript: "Transcript",
    show_transcript: "Show the transcript",
    subscribe: "Subscribe",
    subscribe_text: "Follow the series in your podcast app: add this feed address (in Apple Podcasts: Library, then Follow a Show by URL).",
    feed_address: "Feed address",
    play: "Play",
    watch: "Watch",
    episode: "episode",
    episodes: "episodes",
    from_webinar: "From the webinar",
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    date: "{d} {m} {y}",
};

const ES: Labels = Labels {
    skip: "Ir al contenido",
    all_webinars: "Todos los webinars",
    webinars: "Webinars",
    people: "Ponentes",
    moderator: "Moderación",
    listen: "Escuchar",
    download: "Descargar",
    chapters: "Capítulos",
    transcript: "Transcripción",
    show_transcript: "Mostrar la transcripción",
    subscribe: "Suscribirse",
    subscribe_text: "Sigue la serie en tu aplicación de podcasts: añade esta dirección del feed (en Apple Podcasts: Biblioteca, Seguir un programa por URL).",
    feed_address: "Dirección del feed",
    play: "Reproducir",
    watch: "Ver el vídeo",
    episode: "episodio",
    episodes: "episodios",
    from_webinar: "Del webinar",
    months: [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
    ],
    date: "{d} de {m} de {y}",
};

const PT: Labels = Labels {
    skip: "Ir para o conteúdo",
    all_webinars: "Todos os webinars",
    webinars: "Webinars",
    people: "Palestrantes",
    moderator: "Moderação",
    listen: "Ouvir",
    download: "Baixar",
    chapters: "Capítulos",
    transcript: "Transcrição",
    show_transcript: "Mostrar a transcrição",
    subscribe: "Assinar",
    subscribe_text: "Siga a série no seu aplicativo de podcasts: adicione este endereço do feed (no Apple Podcasts: Biblioteca, Seguir um programa por URL).",
    feed_address: "Endereço do feed",
    play: "Reproduzir",
    watch: "Ver o vídeo",
    episode: "episódio",
    episodes: "episódios",
    from_webinar: "Do webinar",
    months: [
        "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
        "outubro", "novembro", "dezembro",
    ],
    date: "{d} de {m} de {y}",
};

const FR: Labels = Labels {
    skip: "Aller au contenu",
    all_webinars: "Tous les webinaires",
    webinars: "Webinaires",
    people: "Intervenants",
    moderator: "Modération",
    listen: "Écouter",
    download: "Télécharger",
    chapters: "Chapitres",
    transcript: "Transcription",
    show_transcript: "Afficher la transcription",
    subscribe: "S’abonner",
    subscribe_text: "Suivez la série dans votre application de podcasts : ajoutez cette adresse de flux (dans Apple Podcasts : Bibliothèque, Suivre une émission par URL).",
    feed_address: "Adresse du flux",
    play: "Lire",
    watch: "Regarder la vidéo",
    episode: "épisode",
    episodes: "épisodes",
    from_webinar: "Du webinaire",
    months: [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ],
    date: "{d} {m} {y}",
};

/// Labels for a BCP 47 language tag ("es", "pt-BR"); English when the language is not known.
pub fn for_language(tag: &str) -> &'static Labels {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "es" => &ES,
        "pt" => &PT,
        "fr" => &FR,
        _ => &EN,
    }
}

impl Labels {
    /// "1 episode", "3 episodes".
    pub fn episodes(&self, n: usize) -> String {
        format!("{n} {}", if n == 1 { self.episode } else { self.episodes })
    }

    /// A calendar date in words, e.g. "20 de noviembre de 2026".
    pub fn date(&self, d: jiff::civil::Date) -> String {
        self.date
            .replace("{d}", &d.day().to_string())
            .replace("{m}", self.months[(d.month() - 1) as usize])
            .replace("{y}", &d.year().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words_follow_the_language() {
        let d = jiff::civil::date(2026, 11, 20);
        assert_eq!(for_language("es").date(d), "20 de noviembre de 2026");
        assert_eq!(for_language("pt-BR").date(d), "20 de novembro de 2026");
        assert_eq!(for_language("de").date(d), "20 November 2026");
    }
}
