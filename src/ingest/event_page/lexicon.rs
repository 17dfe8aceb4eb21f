//! The words the importer recognises, in English, Spanish, French and Portuguese.
//!
//! Every list is lower case with accents folded (see [`super::text::fold`]) and `|`
//! between entries, so a reviewer can read and extend one without reading the code that
//! uses it. Multi-word entries match whole words in order ("mot de la fin").

/// Month names in English, Spanish, French and Portuguese, one month per `|`.
pub const MONTHS: &str = "january enero janvier janeiro|february febrero fevrier fevereiro|\
    march marzo mars marco|april abril avril|may mayo mai maio|june junio juin junho|\
    july julio juillet julho|august agosto aout|\
    september septiembre setiembre septembre setembro|october octubre octobre outubro|\
    november noviembre novembre novembro|december diciembre decembre dezembro";

/// A BCP 47 code, then the language's names in English, Spanish, French, Portuguese and itself.
pub const LANGUAGES: &str = "en english ingles anglais|es spanish espanol castellano espagnol \
    espanhol|fr french frances francais|pt portuguese portugues portugais|de german aleman \
    allemand deutsch alemao|it italian italiano italien|ca catalan catala|ar arabic arabe|\
    zh chinese chino chinois mandarin|ru russian ruso russe|ja japanese japones japonais|\
    ko korean coreano|nl dutch neerlandes neerlandais|tr turkish turco turc|hi hindi";

/// Words that say a line is a note about the event's language ("held in Spanish").
pub const LANGUAGE_NOTES: &str = "held|language|idioma|langue|note|nota|realizara|realizado|\
    deroulera|tiendra|lingua";

/// Short function words that only one of the four languages uses, to tell the page's
/// language when nothing states it.
pub const FUNCTION_WORDS: &str = "en the and of with for to is are this will|\
    es el los las del y con para una es por al|\
    fr le les des et du une pour avec est aux sur|\
    pt o os da do das dos e com para uma em nao ao pelo";

/// Country names as written on event pages.
pub const COUNTRIES: &str = "argentina|argentine|bolivia|bolivie|brazil|brasil|bresil|chile|\
    chili|colombia|colombie|costa rica|cuba|ecuador|equateur|el salvador|guatemala|haiti|\
    honduras|jamaica|mexico|mexique|nicaragua|panama|paraguay|peru|perou|puerto rico|\
    dominican republic|republica dominicana|uruguay|venezuela|canada|united states|usa|\
    estados unidos|eeuu|etats-unis|etats unis|spain|espana|espagne|espanha|france|francia|\
    franca|germany|alemania|allemagne|alemanha|deutschland|italy|italia|italie|portugal|\
    united kingdom|uk|reino unido|royaume-uni|royaume uni|england|scotland|wales|\
    northern ireland|ireland|irlanda|irlande|\
    netherlands|paises bajos|pays-bas|holanda|belgium|belgica|belgique|switzerland|suiza|\
    suisse|suica|austria|autriche|sweden|suecia|suede|norway|noruega|norvege|denmark|\
    dinamarca|danemark|finland|finlandia|finlande|poland|polonia|pologne|greece|grecia|grece|\
    czechia|czech republic|hungary|hungria|romania|rumania|roumanie|ukraine|ucrania|russia|\
    rusia|russie|turkey|turkiye|turquia|turquie|morocco|marruecos|maroc|marrocos|algeria|\
    argelia|algerie|tunisia|tunez|tunisie|egypt|egipto|egypte|nigeria|ghana|senegal|\
    cote d'ivoire|ivory coast|costa de marfil|cameroon|camerun|cameroun|kenya|kenia|ethiopia|\
    etiopia|tanzania|uganda|rwanda|ruanda|south africa|sudafrica|afrique du sud|mozambique|\
    mocambique|angola|cabo verde|cap-vert|china|chine|japan|japon|japao|south korea|\
    corea del sur|india|inde|indonesia|philippines|filipinas|vietnam|thailand|tailandia|\
    malaysia|malasia|singapore|singapur|pakistan|bangladesh|iran|iraq|israel|jordan|jordania|\
    lebanon|libano|liban|saudi arabia|arabia saudita|united arab emirates|\
    emiratos arabes unidos|australia|australie|new zealand|nueva zelanda";

/// Words after which an organisation names its city ("Intendencia de Montevideo").
pub const CITY_MARKERS: &str = "alcaldia de|intendencia de|ayuntamiento de|ajuntament de|\
    municipalidad de|municipio de|prefeitura de|prefeitura do|prefeitura da|\
    camara municipal de|camara municipal do|area metropolitana de|ciudad de|city of|\
    municipality of|metropolitan area of|ville de|metropole de|mairie de|commune de|stadt|\
    gemeente|comune di|agglomeration de|communaute urbaine de|communaute d'agglomeration de|\
    communaute de communes de";

/// Words before which an organisation names its city ("Oslo kommune").
pub const CITY_SUFFIXES: &str = "kommune|kommun|metropolitan municipality|city council|\
    municipality|metropolitan municipality";

/// Words that make a phrase an organisation rather than a job ("Red de Ciudades").
pub const ORGANISATION_WORDS: &str = "authority|assembly|association|asociacion|associacao|\
    network|red|rede|reseau|institute|institut|instituto|university|universidad|universite|\
    universidade|council|city|ville|ciudad|cidade|municipality|municipalidad|municipio|\
    municipal|mairie|metropole|metropolitan|metropolitana|ayuntamiento|ajuntament|alcaldia|\
    intendencia|prefeitura|camara|government|gobierno|gouvernement|governo|ministry|\
    ministerio|ministere|agency|agencia|agence|foundation|fundacion|fundacao|fondation|forum|\
    foro|observatory|observatorio|observatoire|department|departamento|company|companhia|\
    compania|empresa|bank|banco|banque|office|oficina|centre|center|centro|kommune|gemeente|\
    stadt|commission|comision|society|sociedad|sociedade|trust|alliance|alianza|coalition|\
    consortium|secretariat|union|unies|group|grupo|groupe|lab|laboratorio|laboratoire|\
    services|servicios|servicos|sistema|system|federation|federacion|cooperation|programme|\
    nations|unidas|unido|ong|ngo|inc|ltd|gmbh|sa|metropolitano|metropolitain|directorio|\
    diretorio|directorate|direccion|direcao|empresa|corporation|corporacion|council|ltda|sl|sas|spa|bv|ag|plc|llc";

/// Labels that announce the moderator ("Moderator:", "Modera:", "Animé par").
pub const MODERATOR_WORDS: &str = "moderator|moderators|moderadora|moderador|moderadoras|\
    moderadores|moderacion|moderacao|moderatrice|moderateur|moderation|modera|moderates|\
    moderated|moderada|moderado|chair|chairs|chaired|chairperson|host|hosted|hosts|\
    facilitator|facilitadora|facilitador|animateur|animatrice|anime|animee|animation|\
    mediador|mediadora|mediacao|mediacion|mediated|mediado|mediada";

/// Words that make an agenda line a question and answer time or a discussion.
pub const QA_WORDS: &str = "q&a|q & a|q/a|questions|question|preguntas|pregunta|perguntas|\
    pergunta|debate|debat|discussion|discusion|discussao|dialogo|dialogue|conversation|\
    conversatorio|conversa|echanges|echange|intercambio|coloquio|colloque|mesa redonda|\
    round table|roundtable|table ronde|faq|panel|painel";

/// Words that make an agenda line a panel: a discussion only when it has no single speaker.
pub const PANEL_WORDS: &str = "panel|painel";

/// Words that make an agenda line the welcome.
pub const INTRO_WORDS: &str = "welcome|opening|intro|introduction|introductory|housekeeping|\
    bienvenida|bienvenidos|bienvenue|boas-vindas|boas vindas|apertura|abertura|accueil|\
    ouverture|saludo|saludos|inauguracion|inauguration|instalacion|mot d'accueil";

/// Words that make an agenda line the closing or a wrap-up.
pub const CLOSING_WORDS: &str = "wrap up|wrap-up|wrapup|closing|close|conclusion|conclusions|\
    concluding|final remarks|cierre|clausura|conclusiones|encerramento|fechamento|conclusoes|\
    conclusao|mot de la fin|cloture|synthese|sintesis|despedida|farewell|remerciements|\
    agradecimientos|agradecimentos";

/// Headings of an agenda section.
pub const AGENDA_HEADINGS: &str = "agenda|programme|program|programa|programacao|programmation|\
    running order|schedule|order of the day|ordre du jour|deroulement|deroule|orden del dia|\
    pauta|cronograma|itinerario|horario|timetable";

/// Labels that announce the speakers of an item ("Participan:", "Speakers:").
pub const SPEAKER_LABELS: &str = "interviene|intervienen|participan|participa|ponentes|ponente|\
    speakers|speaker|panelists|panellists|panelistas|intervenants|intervenantes|intervenant|\
    avec|with|con|com|palestrantes|palestrante|participantes|oradores|orador|convidados";

/// Words between an item's title and its speaker ("by", "a cargo de").
pub const CONNECTORS: &str = "by|por|par|a cargo de|with|con|avec|com|de la mano de|presented by|\
    presentado por|presente par|presentee par|apresentado por|apresentada por";

/// Words after a speaker's name that introduce the talk's subject ("Rika Jansen on ...").
pub const SUBJECT_WORDS: &str = "on|about|sobre|sur|acerca de";

/// Table headers: the column of times, of titles and of speakers.
pub const TIME_HEADERS: &str = "time|hora|horario|horaire|heure|when|hour";
pub const SPEAKER_HEADERS: &str = "speaker|speakers|who|ponente|ponentes|intervenant|\
    intervenants|intervenant·e|intervenant·es|intervenante|orador|oradores|palestrante|\
    palestrantes|presenter|presenters|participantes|quien|quem|avec|with|con";

/// Titles kept out of a person's name ("Dr. Kwame Mensah").
pub const HONORIFICS: &str = "dr|dra|drª|dr.ª|prof|profa|profª|ing|lic|arq|mr|mrs|ms|mme|mlle|\
    sr|sra|srta|sir|pr|hon|eng|cllr|cr|sen|rep";

/// Name particles written in lower case ("de la Varga", "van den Berg", "Puig i Serra").
pub const PARTICLES: &str = "de|del|la|las|los|da|das|do|dos|van|von|der|den|di|y|i|e|du|le|\
    ter|ten|bin|al";

/// Time zone abbreviations and the IANA zone each is read as. An abbreviation stands for
/// several zones with the same rules; the one listed is as good as any for `time`.
pub const ZONE_ABBREVIATIONS: &str = "CET=Europe/Paris CEST=Europe/Paris MEZ=Europe/Berlin \
    MESZ=Europe/Berlin WET=Europe/Lisbon WEST=Europe/Lisbon BST=Europe/London \
    GMT=Europe/London UTC=UTC EET=Europe/Athens EEST=Europe/Athens ET=America/New_York \
    EST=America/New_York EDT=America/New_York CT=America/Chicago CST=America/Chicago \
    CDT=America/Chicago MT=America/Denver MST=America/Denver MDT=America/Denver \
    PT=America/Los_Angeles PST=America/Los_Angeles PDT=America/Los_Angeles \
    BRT=America/Sao_Paulo ART=America/Argentina/Buenos_Aires COT=America/Bogota \
    CLT=America/Santiago CLST=America/Santiago PET=America/Lima UYT=America/Montevideo \
    WAT=Africa/Lagos CAT=Africa/Maputo EAT=Africa/Nairobi SAST=Africa/Johannesburg \
    IST=Asia/Kolkata JST=Asia/Tokyo AEST=Australia/Sydney AEDT=Australia/Sydney \
    HNE=America/Toronto HAE=America/Toronto";

/// Cities whose local time pages name ("heure de Paris", "hora de Bogotá"), and their zone.
pub const ZONE_CITIES: &[(&str, &str)] = &[
    ("paris|lyon|marseille", "Europe/Paris"),
    ("bruxelles|brussels|bruselas", "Europe/Brussels"),
    (
        "madrid|barcelona|valencia|sevilla|peninsular|peninsula",
        "Europe/Madrid",
    ),
    ("lisboa|lisbon|lisbonne|porto", "Europe/Lisbon"),
    ("london|londres", "Europe/London"),
    ("berlin", "Europe/Berlin"),
    ("amsterdam", "Europe/Amsterdam"),
    ("roma|rome", "Europe/Rome"),
    ("geneve|geneva|ginebra", "Europe/Zurich"),
    ("bogota", "America/Bogota"),
    ("lima", "America/Lima"),
    ("quito|guayaquil", "America/Guayaquil"),
    (
        "mexico|ciudad de mexico|mexico city|cdmx|monterrey|guadalajara",
        "America/Mexico_City",
    ),
    ("santiago|santiago de chile", "America/Santiago"),
    ("buenos aires", "America/Argentina/Buenos_Aires"),
    ("montevideo", "America/Montevideo"),
    ("caracas", "America/Caracas"),
    ("la paz", "America/La_Paz"),
    ("asuncion", "America/Asuncion"),
    (
        "sao paulo|brasilia|rio de janeiro|recife",
        "America/Sao_Paulo",
    ),
    ("montreal|quebec|ottawa|toronto", "America/Toronto"),
    ("new york|washington|nueva york", "America/New_York"),
    ("dakar", "Africa/Dakar"),
    ("abidjan", "Africa/Abidjan"),
    ("rabat|casablanca", "Africa/Casablanca"),
    ("tunis", "Africa/Tunis"),
    ("alger|algiers", "Africa/Algiers"),
    ("nairobi", "Africa/Nairobi"),
    ("maputo", "Africa/Maputo"),
    ("luanda", "Africa/Luanda"),
    // Countries, as in "hora Colombia", "UK time", "horário do Brasil".
    ("colombia", "America/Bogota"),
    ("peru", "America/Lima"),
    ("ecuador", "America/Guayaquil"),
    ("argentina", "America/Argentina/Buenos_Aires"),
    ("chile", "America/Santiago"),
    ("uruguay", "America/Montevideo"),
    ("venezuela", "America/Caracas"),
    ("bolivia", "America/La_Paz"),
    ("paraguay", "America/Asuncion"),
    ("costa rica", "America/Costa_Rica"),
    ("guatemala", "America/Guatemala"),
    ("brasil|brazil|do brasil", "America/Sao_Paulo"),
    ("uk|uk time|british", "Europe/London"),
    ("espana|spain|espanola", "Europe/Madrid"),
    ("portugal", "Europe/Lisbon"),
    ("francia|france", "Europe/Paris"),
    ("johannesburg|pretoria", "Africa/Johannesburg"),
];

/// Words that introduce a city's local time: "hora de Bogotá", "heure de Paris", "Madrid time".
pub const ZONE_PHRASES: &str = "hora de|heure de|horario de|hora oficial de|hora|heure|\
    horario|time in|local time in";

/// Whether `word` is one of the `|`-separated entries of `list`.
pub fn listed(list: &str, word: &str) -> bool {
    list.split('|').any(|x| x.trim() == word)
}

/// Whether the folded words `w` (see [`super::text::words`]) contain one of `list`'s
/// entries as whole words, in order.
pub fn mentions(list: &str, w: &[String]) -> bool {
    // "questions-réponses" also reads as "questions", "réponses".
    let split: Vec<String> = w
        .iter()
        .flat_map(|x| x.split('-').map(String::from))
        .collect();
    let has = |w: &[String], e: &[String]| {
        w.windows(e.len())
            .any(|win| win.iter().zip(e).all(|(a, b)| a == b))
    };
    list.split('|')
        .map(super::text::words)
        .filter(|e| !e.is_empty())
        .any(|e| has(w, &e) || has(&split, &e))
}
