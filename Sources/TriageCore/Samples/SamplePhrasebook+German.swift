extension SamplePhrasebook {
    static let german = SamplePhrasebook(
        greetings: ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Moin,", ""],
        closings: ["Danke.", "Viele Grüße, {name}", "Mit freundlichen Grüßen", "Danke im Voraus", ""],
        bodies: [
            [
                "Ich habe meine Karte mit der Endung {card} {date} verloren. Bitte sperren Sie sie.",
                "Mein Portemonnaie wurde in {city} gestohlen, die Karte war drin. Wie sperre ich sie?",
                "Ich finde meine Kreditkarte nicht mehr, zuletzt benutzt bei {merchant}. Bitte sperren.",
            ],
            [
                "Ich habe vor {days} Tagen eine neue Karte bestellt, sie ist immer noch nicht da.",
                "Die Ersatzkarte ist nicht angekommen, laut App wurde sie {date} verschickt.",
                "Wo bleibt meine neue Karte? Ich bin nach {city} umgezogen.",
            ],
            [
                "Meine Zahlung von {amount} bei {merchant} wurde abgelehnt, obwohl genug Geld da ist.",
                "Die Überweisung über {amount} ist fehlgeschlagen, die App zeigt einen Fehler.",
                "Die Karte {card} funktioniert bei {merchant} nicht, Zahlung abgebrochen.",
            ],
            [
                "Ich habe eine Bestellung an {merchant} zurückgeschickt und warte noch auf {amount}.",
                "Mir wurden {amount} bei {merchant} doppelt abgebucht. Bitte erstatten.",
                "Abo gekündigt, trotzdem {date} {amount} abgebucht. Ich möchte das Geld zurück.",
            ],
            [
                "Ich kann mich nicht in der App anmelden, das Passwort wird nicht akzeptiert.",
                "Mein Zugang ist nach mehreren Versuchen gesperrt. Wie entsperre ich ihn?",
                "Der SMS-Code kommt nicht an, ich komme auf meinem {device} nicht rein.",
            ],
            [
                "Ich bin nach {city} umgezogen und möchte meine Adresse ändern.",
                "Bitte ändern Sie meine Telefonnummer im Konto.",
                "Wie kann ich meine {field} ändern? In der App geht das nicht.",
            ],
            [
                "Da ist eine Abbuchung von {amount} bei {merchant} {date}, die ich nicht gemacht habe.",
                "Ich erkenne eine Zahlung über {amount} mit meiner Karte {card} nicht. Ist das Betrug?",
                "Jemand hat meine Karte in {city} benutzt, ich war die ganze Woche zu Hause.",
            ],
            [
                "Welche Gebühren fallen für Kartenzahlungen im Ausland an?",
                "Wann hat die Filiale in {city} geöffnet?",
                "Wie bekomme ich einen Kontoauszug für das letzte Jahr?",
            ],
        ],
        subjects: [
            ["Karte verloren"], ["Karte nicht angekommen"], ["Zahlung abgelehnt"], ["Erstattung"],
            ["Login-Problem"], ["Daten ändern"], ["Unbekannte Abbuchung"], ["Frage"],
        ],
        humanRequests: [
            "Ich möchte mit einem Menschen sprechen.",
            "Bitte verbinden Sie mich mit einem echten Mitarbeiter.",
        ],
        followUps: ["Ich schreibe erneut, da ich noch keine Antwort habe.", "Gibt es etwas Neues?"],
        filler: "Hier das vollständige Fehlerprotokoll aus der App. "
    )
}
