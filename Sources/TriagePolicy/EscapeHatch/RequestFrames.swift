/// The shapes a request for a person takes, over a ticket's classified words.
///
/// A *person head* is a person noun ("agent") or a someone noun ("someone") that no guard
/// word turns into something else ("travel agent", "human error", "someone's account").
/// A head is requested when one of these frames holds, inside one clause:
///
/// 1. **contact**: a contact word, then only fillers, then the head: "talk to a live agent",
///    "hablar con alguien", "passez-moi un conseiller"; or the head, fillers, then a contact
///    word: "mit einem Menschen sprechen", "someone to talk to", "someone call me";
/// 2. **desire** (person nouns only): a desire word, fillers, the head: "I want an agent",
///    "get me a rep", "ich brauche einen Mitarbeiter";
/// 3. **realness**: "real person", "live agent", "persona real", "echten Menschen";
/// 4. **keyword**: the whole ticket is at most six words (or one clause at most three), all
///    of them fillers, contact or desire words and person nouns: "agent", "REPRESENTATIVE!!!",
///    "human pls", "I tried the app twice. Agent!";
/// 5. **bot rejection**: "not a bot", "no robots", "kein Bot" (but not "I'm not a robot").
///
/// A frame does not count when it is negated: a negation next to the nearest desire word
/// ("I don't want an agent", "je ne veux pas", "ich möchte nicht"), a negation right before
/// the verb or the head ("don't transfer me", "no agent answered", "keinen Menschen"), or
/// "without"/"instead of"/"sans"/"ohne" shortly before it. Contact verbs in the past
/// ("talked", "spoke", "j'ai parlé") are not in the lexicon or follow a past auxiliary:
/// reporting a conversation is not asking for one.
struct RequestFrames {
    struct Word {
        var classes: WordClass
        var marks: TicketText.Marks
        var count: Int32
    }

    let words: UnsafeBufferPointer<Word>

    /// Longest gap, in words, between a contact or desire word and the head.
    static let maxGapBefore = 5
    /// Longest gap between the head and a contact word after it.
    static let maxGapAfter = 3
    /// The keyword frame's word limit.
    static let keywordLimit = 6
    /// The same for one clause of a longer ticket.
    static let clauseKeywordLimit = 3

    func asksForPerson() -> Bool {
        let n = words.count
        if n == 0 { return false }
        if isKeywordRequest() { return true }
        for p in 0..<n where !words[p].classes.isDisjoint(with: [.person, .someone]) && isHead(p) {
            let strong = words[p].classes.contains(.person)
            if hasRealness(p), !isNegated(anchor: p, head: p) { return true }
            if let anchor = requestBefore(p, strong: strong), !isNegated(anchor: anchor, head: p) { return true }
            if requestAfter(p), !isNegated(anchor: p, head: p) { return true }
        }
        return rejectsBot()
    }

    // MARK: - Heads and guards

    private func isHead(_ p: Int) -> Bool {
        let n = words.count
        if words[p].marks.contains(.possessive) { return false }
        if p > 0, !words[p].marks.contains(.clauseStart), words[p - 1].classes.contains(.guardWord) { return false }
        if p + 1 < n, !words[p + 1].marks.contains(.clauseStart) {
            if words[p + 1].classes.contains(.guardWord) { return false }
            if p + 2 < n, words[p + 1].classes.contains(.guardLinker), !words[p + 2].marks.contains(.clauseStart),
               words[p + 2].classes.contains(.guardWord) { return false }
        }
        return true
    }

    private func sameClause(_ a: Int, _ b: Int) -> Bool {
        var k = a + 1
        while k <= b {
            if words[k].marks.contains(.clauseStart) { return false }
            k += 1
        }
        return true
    }

    // MARK: - Frames

    /// A word that may stand in a gap: a filler, a realness word, or one short unknown word
    /// (a typo of "with" or "to").
    private func isGap(_ k: Int, unknownUsed: inout Bool) -> Bool {
        let c = words[k].classes
        if !c.isDisjoint(with: [.filler, .realBefore, .realAfter]) { return true }
        if c == .unknown && words[k].count <= 4 && !words[k].marks.contains(.digit) && !unknownUsed {
            unknownUsed = true
            return true
        }
        return false
    }

    private func isPresentContact(_ k: Int) -> Bool {
        guard words[k].classes.contains(.contact) else { return false }
        return k == 0 || words[k].marks.contains(.clauseStart) || !words[k - 1].classes.contains(.pastAuxiliary)
    }

    /// The contact (or, for person nouns, desire) word that governs the head from before it.
    private func requestBefore(_ p: Int, strong: Bool) -> Int? {
        var k = p - 1
        var unknownUsed = false
        while k >= 0 && p - k <= Self.maxGapBefore + 1 && !words[k + 1].marks.contains(.clauseStart) {
            let c = words[k].classes
            if c.contains(.contact) { return isPresentContact(k) ? k : nil }
            if strong && c.contains(.desire) { return k }
            guard isGap(k, unknownUsed: &unknownUsed) else { return nil }
            k -= 1
        }
        return nil
    }

    /// A contact word after the head: "mit einem Menschen sprechen", "someone to talk to".
    private func requestAfter(_ p: Int) -> Bool {
        var k = p + 1
        var unknownUsed = false
        while k < words.count && k - p <= Self.maxGapAfter + 1 && !words[k].marks.contains(.clauseStart) {
            if words[k].classes.contains(.contact) { return isPresentContact(k) }
            guard isGap(k, unknownUsed: &unknownUsed) else { return false }
            k += 1
        }
        return false
    }

    private func hasRealness(_ p: Int) -> Bool {
        if p > 0, !words[p].marks.contains(.clauseStart), words[p - 1].classes.contains(.realBefore) { return true }
        if p + 1 < words.count, !words[p + 1].marks.contains(.clauseStart), words[p + 1].classes.contains(.realAfter) {
            return true
        }
        return false
    }

    /// The whole ticket is a few words naming a person ("agent", "human pls", "contact agent"),
    /// or one of its clauses is ("I tried the app twice. Agent!").
    private func isKeywordRequest() -> Bool {
        if words.count <= Self.keywordLimit && isKeywordSpan(0..<words.count) { return true }
        var start = 0
        for k in 1...words.count where k == words.count || words[k].marks.contains(.clauseStart) {
            if k - start <= Self.clauseKeywordLimit && isKeywordSpan(start..<k) { return true }
            start = k
        }
        return false
    }

    private func isKeywordSpan(_ span: Range<Int>) -> Bool {
        let allowed: WordClass = [.person, .someone, .filler, .realBefore, .realAfter, .contact, .desire]
        var named = false
        for p in span {
            let c = words[p].classes
            if c.isDisjoint(with: allowed) || c.contains(.negation) { return false }
            if c.contains(.person) && isHead(p) { named = true }
        }
        return named
    }

    /// "not a bot", "no robots", "kein Bot", "pas un robot"; not "I'm not a robot".
    private func rejectsBot() -> Bool {
        for b in words.indices where words[b].classes.contains(.bot) {
            var k = b - 1
            var steps = 0
            while k >= 0 && steps < 3 && !words[k + 1].marks.contains(.clauseStart) {
                if words[k].classes.contains(.negation) {
                    let lo = max(0, k - 2)
                    let selfDescribed = (lo..<k).contains { words[$0].classes.contains(.selfCopula) && sameClause($0, k) }
                    if !selfDescribed { return true }
                    break
                }
                guard words[k].classes.contains(.filler) else { break }
                k -= 1
                steps += 1
            }
        }
        return false
    }

    // MARK: - Negation

    private func isNegated(anchor a: Int, head p: Int) -> Bool {
        // "no agent", "not an agent", "keinen Menschen"
        var k = p - 1
        var steps = 0
        while k >= 0 && steps < 3 && !words[k + 1].marks.contains(.clauseStart) {
            if words[k].classes.contains(.negation) { return true }
            guard !words[k].classes.isDisjoint(with: [.filler, .realBefore]) else { break }
            k -= 1
            steps += 1
        }
        // "don't transfer me", "not to talk"
        let start = min(a, p)
        if start > 0, !words[start].marks.contains(.clauseStart) {
            if words[start - 1].classes.contains(.negation) { return true }
            if start > 1, words[start - 1].classes.contains(.filler), !words[start - 1].marks.contains(.clauseStart),
               words[start - 2].classes.contains(.negation) { return true }
        }
        // "I don't want", "je ne veux pas", "ich möchte nicht": a negation right beside the nearest
        // desire word ("I do not understand, I need..." is not a negated need).
        var d = max(a, p)
        while d >= 0 && max(a, p) - d <= 8 {
            if words[d].classes.contains(.desire) {
                let lo = max(0, d - 1), hi = min(words.count - 1, d + 1)
                for g in lo...hi where words[g].classes.contains(.negation) && sameClause(min(g, d), max(g, d)) {
                    return true
                }
                break
            }
            if words[d].marks.contains(.clauseStart) { break }
            d -= 1
        }
        // "without talking to an agent", "sans parler à un conseiller", "ohne mit einem Menschen zu sprechen"
        var w = start - 1
        while w >= 0 && start - w <= 3 && !words[w + 1].marks.contains(.clauseStart) {
            if words[w].classes.contains(.without) { return true }
            w -= 1
        }
        return false
    }
}
