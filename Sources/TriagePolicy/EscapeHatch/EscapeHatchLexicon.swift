/// The words the escape hatch knows, grouped by the part they play in a request for a person.
///
/// Every list holds normalised words (lower case, accents folded, apostrophes dropped: see
/// `TicketText`), one word per entry. One value per language (`english`, `spanish`,
/// `german`, `french`, each in its own file) and `builtIn`, their union. Each list maps onto
/// one key of a future `prompts/escape-hatch/<language>.yaml` file with the same name.
///
/// Typo tolerance is not written down here: any person noun, contact verb or desire verb of
/// four letters or more also matches a token one edit away (insertion, deletion,
/// substitution or transposition; four-letter words keep their first two letters), unless
/// that token is itself a word of the lexicon; `knownWords` lists real words that sit one
/// edit away from a lexicon word ("contract", "pagar") so that they are never read as typos.
public struct EscapeHatchLexicon: Sendable, Hashable {
    /// People the customer can ask for by name alone: "agent", "representative", "Mitarbeiter".
    public var persons: [String]
    /// Someone who only counts with a contact verb: "someone", "assistant", "alguien".
    public var someones: [String]
    /// Verbs and nouns of getting in touch, present or infinitive: "talk", "hablar", "sprechen".
    public var contactWords: [String]
    /// Verbs of wanting or getting: "want", "need", "quiero", "möchte", "voudrais".
    public var desireWords: [String]
    /// Words that may stand between a verb and the person: articles, prepositions, pronouns,
    /// "please", intensifiers, profanity, and modifiers such as "customer service".
    public var fillers: [String]
    /// Adjectives that make any person noun a request on their own, before the noun: "real", "live".
    public var realnessBefore: [String]
    /// The same, after the noun: "persona real", "agente humano".
    public var realnessAfter: [String]
    /// Negations: "not", "don't", "nicht", "kein", "ne", "pas".
    public var negations: [String]
    /// Words that turn a following request around: "without", "instead", "sin", "ohne", "sans".
    public var withouts: [String]
    /// Auxiliaries that put the following contact verb in the past ("j'ai parlé"), so it reports
    /// rather than asks.
    public var pastAuxiliaries: [String]
    /// Neighbours that make a person noun something else: "travel agent", "human error",
    /// "agente de viajes", "recursos humanos". Checked right before and right after the noun,
    /// and after "of"/"de".
    public var guards: [String]
    /// Words that carry a guard one word further: "agent of change", "agente de viajes".
    public var guardLinkers: [String]
    /// Prefixes that make a German compound a third party: "Reiseberater", "Steuerberater".
    public var compoundGuards: [String]
    /// Person nouns that German glues to a prefix: "Kundendienstmitarbeiter".
    public var compoundHeads: [String]
    /// Machines the customer can reject ("not a bot" asks for a person).
    public var bots: [String]
    /// "am", "bin", "suis", "soy": "I'm not a robot" rejects nothing.
    public var selfCopulas: [String]
    /// Short words customers glue onto the next word: "tosomebody", "udirect".
    public var gluePrefixes: [String]
    /// Real words one edit away from a lexicon word, never read as typos of it.
    public var knownWords: [String]

    public init(
        persons: [String] = [], someones: [String] = [], contactWords: [String] = [],
        desireWords: [String] = [], fillers: [String] = [], realnessBefore: [String] = [],
        realnessAfter: [String] = [], negations: [String] = [], withouts: [String] = [],
        pastAuxiliaries: [String] = [], guards: [String] = [], guardLinkers: [String] = [], compoundGuards: [String] = [],
        compoundHeads: [String] = [], bots: [String] = [], selfCopulas: [String] = [],
        gluePrefixes: [String] = [], knownWords: [String] = []
    ) {
        self.persons = persons
        self.someones = someones
        self.contactWords = contactWords
        self.desireWords = desireWords
        self.fillers = fillers
        self.realnessBefore = realnessBefore
        self.realnessAfter = realnessAfter
        self.negations = negations
        self.withouts = withouts
        self.pastAuxiliaries = pastAuxiliaries
        self.guards = guards
        self.guardLinkers = guardLinkers
        self.compoundGuards = compoundGuards
        self.compoundHeads = compoundHeads
        self.bots = bots
        self.selfCopulas = selfCopulas
        self.gluePrefixes = gluePrefixes
        self.knownWords = knownWords
    }

    /// English, Spanish, German and French together.
    public static let builtIn: EscapeHatchLexicon = english + spanish + german + french

    /// The union of two lexicons, list by list, keeping the first occurrence of each word.
    public static func + (lhs: EscapeHatchLexicon, rhs: EscapeHatchLexicon) -> EscapeHatchLexicon {
        var out = lhs
        for (_, keyPath) in lists {
            var seen = Set(out[keyPath: keyPath])
            for word in rhs[keyPath: keyPath] where seen.insert(word).inserted {
                out[keyPath: keyPath].append(word)
            }
        }
        return out
    }

    /// The lists by their stable names (the future YAML keys), in a fixed order.
    static let lists: [(String, WritableKeyPath<EscapeHatchLexicon, [String]> & Sendable)] = [
        ("persons", \.persons), ("someones", \.someones), ("contact_words", \.contactWords),
        ("desire_words", \.desireWords), ("fillers", \.fillers), ("realness_before", \.realnessBefore),
        ("realness_after", \.realnessAfter), ("negations", \.negations), ("withouts", \.withouts),
        ("past_auxiliaries", \.pastAuxiliaries), ("guards", \.guards), ("guard_linkers", \.guardLinkers),
        ("compound_guards", \.compoundGuards),
        ("compound_heads", \.compoundHeads), ("bots", \.bots), ("self_copulas", \.selfCopulas),
        ("glue_prefixes", \.gluePrefixes), ("known_words", \.knownWords),
    ]
}
