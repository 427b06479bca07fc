extension EscapeHatchLexicon {
    /// German (umlauts folded: "möchte" is "mochte", "ß" is "ss"). The verb often comes last,
    /// so a contact verb after the person counts too: "ich möchte mit einem Menschen sprechen".
    /// "will" is not a desire word here: English "will the agent refund me" would read as one.
    public static let german = EscapeHatchLexicon(
        persons: [
            "mensch", "menschen", "mitarbeiter", "mitarbeiterin", "mitarbeitern", "mitarbeitende",
            "mitarbeitenden", "berater", "beraterin", "kundenberater", "kundenberaterin",
            "sachbearbeiter", "sachbearbeiterin", "ansprechpartner", "ansprechpartnerin",
            "servicemitarbeiter", "agent", "agenten", "agentin", "betreuer", "betreuerin",
            "vorgesetzten", "vorgesetzter", "vorgesetzte", "kundenbetreuer", "operator",
        ],
        someones: ["jemand", "jemanden", "jemandem", "person", "personen", "leute", "assistent", "angestellten"],
        contactWords: [
            "sprechen", "spreche", "sprich", "reden", "rede", "telefonieren", "chatten", "schreiben",
            "kontaktieren", "kontakt", "erreichen", "verbinden", "verbindet", "verbunden",
            "durchstellen", "weiterleiten", "weiterverbinden", "zuruckrufen", "anrufen", "ruft",
            "rufen", "melden", "meldet", "weitergeleitet",
        ],
        desireWords: [
            "mochte", "mochten", "wollen", "brauche", "brauchen", "hatte", "verlange",
            "fordere", "wunsche", "gebt", "geben",
        ],
        fillers: [
            "mit", "einem", "einer", "einen", "ein", "eine", "dem", "der", "den", "die", "das", "bitte",
            "jetzt", "sofort", "endlich", "mal", "doch", "gerne", "gern", "sie", "mich", "mir", "ihnen",
            "ihrer", "ihren", "ihrem", "ihre", "zu", "ich", "kann", "konnte", "konnen", "echten",
            "echter", "echte", "richtigen", "richtiger", "wirklichen", "lebenden", "zustandigen",
            "kundenservice", "kundendienst", "service", "support", "hallo", "verdammt", "verdammten",
            "scheiss", "bei", "an", "euch", "eurem", "euren", "anderen", "direkt", "vom",
        ],
        realnessBefore: ["echten", "echter", "echte", "richtigen", "richtiger", "wirklichen", "lebenden", "menschlichen"],
        realnessAfter: [],
        negations: ["nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals"],
        withouts: ["ohne", "statt", "anstatt", "anstelle"],
        pastAuxiliaries: ["habe", "hat", "hatten", "haben"],
        guards: ["reise", "immobilien", "versicherungs", "steuer", "virtueller", "virtuelle", "fehler", "rechte"],
        guardLinkers: [],
        compoundGuards: ["reise", "immobilien", "versicherungs", "steuer", "rechts", "finanz", "anlage", "vermogens", "energie"],
        compoundHeads: ["mitarbeiter", "mitarbeiterin", "berater", "beraterin", "betreuer", "betreuerin", "agent", "agentin"],
        bots: ["bot", "bots", "roboter", "maschine", "computer", "ki"],
        selfCopulas: ["bin"],
        gluePrefixes: ["mit", "einem"],
        knownWords: [
            "menschlich", "menschliche", "menschliches", "menschlicher", "gesprochen", "telefoniert",
            "kontaktiert", "versprechen", "sprache", "rechen", "reden", "wollen", "mitarbeit",
            "beratung", "berate", "personal", "agentur", "agenda",
        ]
    )
}
