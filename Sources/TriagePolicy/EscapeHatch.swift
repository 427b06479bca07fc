/// Detects an explicit request for a person in the customer's own words: a customer who
/// asks for a person always gets one.
///
/// English, Spanish, German and French. The text is normalised once (`TicketText`: lower
/// case, accents folded, clauses marked), each word is looked up in a compiled lexicon
/// (`WordTable`: exact words, one-edit typos, glued words, German compounds), and a request
/// is a person noun in one of a few frames (`RequestFrames`): governed by a contact verb
/// ("talk to a real person", "mit einem Menschen sprechen"), by a desire verb ("get me a rep"),
/// with a realness adjective ("live agent"), alone ("REPRESENTATIVE!!!"), or a rejected bot
/// ("not a bot"). Guards keep "travel agent", "human error" and "someone's account" out;
/// negation keeps "I don't need an agent" out; past tense keeps "I talked to an agent" out.
/// A complaint about an agent ("the agent was rude") is not a request unless it asks for
/// someone ("... I want a supervisor"). See docs/ESCAPE-HATCH.md.
///
/// Deterministic, pure, and allocation-light: the lexicon is compiled once per lexicon value
/// (the built-in one once per process).
public struct EscapeHatch: Sendable {
    /// What the hatch knows, by role and language (see `EscapeHatchLexicon`).
    public let lexicon: EscapeHatchLexicon
    private let table: WordTable

    /// The built-in lexicon: English, Spanish, German and French.
    public init() {
        self.lexicon = .builtIn
        self.table = EscapeHatch.builtInTable
    }

    /// A custom lexicon (compiled now; keep the value rather than making one per ticket).
    public init(lexicon: EscapeHatchLexicon) {
        self.lexicon = lexicon
        self.table = WordTable(lexicon)
    }

    private static let builtInTable = WordTable(.builtIn)

    /// Words near which an unknown word is worth a typo search.
    private static let anchors: WordClass = [.person, .someone, .contact, .desire, .realBefore, .realAfter, .bot]

    /// True when the text asks for a person.
    public func asksForPerson(_ text: String) -> Bool {
        // (Arrays here: measured faster than `TicketText.withNormalised` for this entry point.)
        let ticketText = TicketText(text)
        return ticketText.bytes.withUnsafeBufferPointer { bytes in
            ticketText.words.withUnsafeBufferPointer { words in
                EscapeHatch.scan(bytes: bytes, words: words, table: table) { _, _ in }
            }
        }
    }

    /// The table this hatch compiled (the policy builds its own with its lexicons' words).
    var wordTable: WordTable { table }

    /// True when the normalised text asks for a person. `extraHit` is called with the word
    /// position and table entry of every word of the policy's other lexicons (`.extra`),
    /// so one lookup per word serves both the hatch and the distress lexicons.
    static func scan(bytes: UnsafeBufferPointer<UInt8>, words ticketWords: UnsafeBufferPointer<TicketText.Word>, table: WordTable,
                     extraHit: (Int, Int32) -> Void) -> Bool {
        let n = ticketWords.count
        if n == 0 { return false }
        return withUnsafeTemporaryAllocation(of: RequestFrames.Word.self, capacity: n) { words in
            func slice(_ word: TicketText.Word) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: bytes[Int(word.start)..<Int(word.start + word.count)])
            }
            // Exact words first; then typos, glued words and compounds, but only near a word
            // that can take part in a request (or in a short ticket), which spares the
            // typo search for most words of most tickets.
            let reach = RequestFrames.maxGapBefore + 1
            var lastAnchor = Int.min / 2
            var anchored = false
            for k in 0..<n {
                let word = ticketWords[k]
                var (classes, entry) = table.lookup(slice(word))
                if classes.contains(.extra) {
                    extraHit(k, entry)
                    classes.remove(.extra)
                }
                if classes.isEmpty { classes = word.marks.contains(.star) ? .filler : .unknown }
                if !classes.isDisjoint(with: EscapeHatch.anchors) { lastAnchor = k; anchored = true }
                var marks = word.marks
                if k - lastAnchor <= reach || n <= RequestFrames.keywordLimit { marks.insert(.nearAnchor) }
                (words.baseAddress! + k).initialize(to: .init(classes: classes, marks: marks, count: word.count))
            }
            // No word that can take part in a request, and too long for the keyword frame:
            // nothing to look at more closely.
            guard anchored || n <= RequestFrames.keywordLimit else { return false }
            var nextAnchor = Int.max / 2
            for k in stride(from: n - 1, through: 0, by: -1) {
                if !words[k].classes.isDisjoint(with: EscapeHatch.anchors) { nextAnchor = k; continue }
                guard words[k].classes == .unknown,
                      words[k].marks.contains(.nearAnchor) || nextAnchor - k <= reach else { continue }
                words[k].classes = table.classifyLoosely(slice(ticketWords[k]), marks: words[k].marks)
            }
            // Every frame needs a person, someone or bot word: without one there is no request.
            guard words.contains(where: { !$0.classes.isDisjoint(with: EscapeHatch.heads) }) else { return false }
            return RequestFrames(words: UnsafeBufferPointer(words)).asksForPerson()
        }
    }

    /// Words a request is about; a text without any cannot ask for a person.
    private static let heads: WordClass = [.person, .someone, .bot]

    // MARK: - Fingerprint (`Policy.version`)

    /// Every lexicon word that can make a request, as "list:word" in a fixed order. Together
    /// with `guards` this is what `Policy.version` fingerprints.
    public var phrases: [String] {
        EscapeHatchLexicon.lists.filter { !EscapeHatch.guardLists.contains($0.0) }
            .flatMap { name, keyPath in lexicon[keyPath: keyPath].map { "\(name):\($0)" } }
    }

    /// Every word that keeps a text from being a request (guards, negations, known words),
    /// as "list:word" in a fixed order.
    public var guards: [String] {
        EscapeHatchLexicon.lists.filter { EscapeHatch.guardLists.contains($0.0) }
            .flatMap { name, keyPath in lexicon[keyPath: keyPath].map { "\(name):\($0)" } }
    }

    private static let guardLists: Set<String> = [
        "negations", "withouts", "past_auxiliaries", "guards", "guard_linkers", "compound_guards",
        "self_copulas", "known_words",
    ]
}
