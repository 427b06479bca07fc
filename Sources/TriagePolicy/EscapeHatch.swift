/// Detects an explicit request for a person in the customer's own words.
///
/// First version: normalised phrase matching in English, Spanish, German and French, with
/// guards for phrases that mention an agent or a human without asking for one ("travel
/// agent", "human error"). The routing-policy issue replaces this with lexicons in
/// `prompts/` that tolerate typos and abbreviations.
public struct EscapeHatch: Sendable {
    public var phrases: [String]
    public var guards: [String]

    public init(phrases: [String] = EscapeHatch.defaultPhrases, guards: [String] = EscapeHatch.defaultGuards) {
        self.phrases = phrases.map(EscapeHatch.normalise)
        self.guards = guards.map(EscapeHatch.normalise)
    }

    /// True when the text asks for a person.
    public func asksForPerson(_ text: String) -> Bool {
        var normalised = " " + EscapeHatch.normalise(text) + " "
        for phrase in guards { normalised = normalised.replacing(" \(phrase) ", with: " ") }
        return phrases.contains { normalised.contains(" \($0) ") }
    }

    /// Lower-cases, folds common accents and turns anything but letters and digits into single spaces.
    static func normalise(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var lastWasSpace = true
        for scalar in text.lowercased().unicodeScalars {
            let folded = foldAccent(scalar)
            if folded.properties.isAlphabetic || ("0"..."9").contains(folded) {
                out.unicodeScalars.append(folded)
                lastWasSpace = false
            } else if !lastWasSpace {
                out.append(" ")
                lastWasSpace = true
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    private static func foldAccent(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s {
        case "á", "à", "â", "ä": return "a"
        case "é", "è", "ê", "ë": return "e"
        case "í", "ì", "î", "ï": return "i"
        case "ó", "ò", "ô", "ö": return "o"
        case "ú", "ù", "û", "ü": return "u"
        case "ñ": return "n"
        case "ç": return "c"
        case "ß": return "s"
        default: return s
        }
    }

    public static let defaultPhrases: [String] = [
        // English
        "real person", "a person", "human being", "talk to a human", "speak to a human", "speak with a human",
        "talk to someone", "speak to someone", "speak with someone", "talk to an agent", "speak to an agent",
        "speak with an agent", "live agent", "human agent", "customer service agent", "representative",
        "operator", "a human", "an actual person", "not a bot", "no bots",
        // Spanish
        "hablar con un agente", "hablar con una persona", "persona real", "agente por favor", "un humano",
        // German
        "mit einem menschen", "echten menschen", "mitarbeiter sprechen", "einen mitarbeiter",
        // French
        "parler a un conseiller", "parler a une personne", "un conseiller", "vrai personne", "une vraie personne",
        "un humain",
    ]

    public static let defaultGuards: [String] = [
        "travel agent", "estate agent", "real estate agent", "human error", "human resources",
        "a person who", "agent de voyage", "agente de viajes",
    ]
}
