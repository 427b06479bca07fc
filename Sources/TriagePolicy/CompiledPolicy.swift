import TriageCore

/// A policy's content compiled for `decide`: lookups by label, the footer already appended
/// to each reply, and one word table for the escape hatch and the risk lexicons together (so
/// a ticket is normalised once and each of its words looked up once).
final class CompiledPolicy: Sendable {
    struct Template: Sendable {
        struct Action: Sendable {
            var name: String
            var fulfils: [String]
            var parameters: [String]
        }
        var id: String
        var language: String
        /// Text, blank line, footer.
        var text: String
        var commitments: [CommitmentDue]
        var actions: [Action]
    }

    struct Phrase: Sendable {
        var rule: EscapeRule
        /// Table entries of the phrase's words, in order.
        var entries: [Int32]
        var text: String
    }

    /// What a scan found in one text.
    struct Findings {
        var asksForPerson = false
        /// `EscapeRule.bit` of every lexicon rule with a phrase in the text.
        var lexiconRules: UInt16 = 0
        /// By `EscapeRule.index`: the first phrase found (index into `phrases`).
        var firstPhrase: [Int?] = []

        mutating func formUnion(_ other: Findings) {
            asksForPerson = asksForPerson || other.asksForPerson
            lexiconRules |= other.lexiconRules
            if firstPhrase.isEmpty { firstPhrase = other.firstPhrase; return }
            for (i, phrase) in other.firstPhrase.enumerated() where firstPhrase[i] == nil { firstPhrase[i] = phrase }
        }
    }

    /// What the policy says about one label, found with one lookup per decision.
    struct Label: Sendable {
        var queue: String
        var alwaysHuman: Bool
        var templates: [Template]
    }

    let routing: LabelRouting
    /// Labels the policy names (in queues, templates or always_human); a label matched only
    /// by a queue's pattern is resolved per decision (`label(_:)`).
    let labels: [String: Label]
    /// What the policy says about `label`: one lookup for a label it names, a pattern match
    /// for one it routes by pattern only.
    func label(_ label: String) -> Label? {
        labels[label] ?? routing.queue(for: label).map { Label(queue: $0, alwaysHuman: false, templates: []) }
    }

    let defaultLanguage: String
    let thresholds: PolicyThresholds
    let maxContacts: Int
    let table: WordTable
    let phrases: [Phrase]
    let phrasesByFirstEntry: [Int32: [Int]]
    private let ruleEnabled: [Bool]
    let ruleQueue: [String?]
    /// cohorts.yaml: what the audit record's `cohort` may carry.
    let cohort: CohortSchema

    init(_ content: PolicyContent) {
        cohort = content.cohortAttributes.isEmpty ? .none : CohortSchema(content.cohortAttributes)
        routing = LabelRouting(queues: content.queues)
        let alwaysHuman = Set(content.alwaysHuman)
        defaultLanguage = content.defaultLanguage
        thresholds = content.thresholds
        maxContacts = content.repeatContact.maxContacts
        ruleEnabled = EscapeRule.allCases.map { content.setting($0).enabled }
        ruleQueue = EscapeRule.allCases.map { content.setting($0).queue }

        // Templates: only those whose every commitment is kept by one of their actions and
        // whose language has a footer (check-config reports the others); say-to-do holds by
        // construction.
        let actionsByName = Dictionary(content.actions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var byLabel: [String: [Template]] = [:]
        for template in content.templates {
            guard let footer = content.footers[template.language], !footer.isEmpty else { continue }
            let stated = template.commitments.map(\.name)
            var actionNames = template.actions
            if actionNames.isEmpty {
                for commitment in stated {
                    guard !actionNames.contains(where: { actionsByName[$0]?.fulfils.contains(commitment) == true }),
                          let action = content.actions.first(where: { $0.fulfils.contains(commitment) }) else { continue }
                    actionNames.append(action.name)
                }
            }
            let actions = actionNames.compactMap { name in
                actionsByName[name].map { Template.Action(name: $0.name, fulfils: $0.fulfils.filter(stated.contains), parameters: $0.parameters) }
            }
            guard actions.count == actionNames.count,
                  stated.allSatisfy({ commitment in actions.contains { $0.fulfils.contains(commitment) } }) else { continue }
            var text = template.text
            while text.last?.isWhitespace == true { text.removeLast() }
            let compiled = Template(id: template.id, language: template.language, text: text + "\n\n" + footer,
                                    commitments: template.commitments, actions: actions)
            for label in template.labels { byLabel[label, default: []].append(compiled) }
        }
        var labels: [String: Label] = [:]
        let named = content.queues.flatMap(\.labels).filter { !LabelRouting.isPattern($0) } + byLabel.keys + content.alwaysHuman
        for label in named {
            guard let queue = routing.queue(for: label) else { continue }
            labels[label] = Label(queue: queue, alwaysHuman: alwaysHuman.contains(label), templates: byLabel[label] ?? [])
        }
        self.labels = labels

        // One table: the hatch's words and every word of every risk phrase.
        var phraseWords: [(EscapeRule, [[UInt8]], String)] = []
        var extra: [String] = []
        for lexicon in content.lexicons {
            for language in lexicon.phrases.keys.sorted() {
                for phrase in lexicon.phrases[language] ?? [] {
                    let text = TicketText(phrase)
                    let words = text.words.map { Array(text.bytes[Int($0.start)..<Int($0.start + $0.count)]) }
                    guard !words.isEmpty else { continue }
                    phraseWords.append((lexicon.rule, words, phrase))
                    extra += words.map { String(decoding: $0, as: UTF8.self) }
                }
            }
        }
        let table = WordTable(content.escapeHatchLexicon, extraWords: extra)
        var phrases: [Phrase] = []
        var byFirst: [Int32: [Int]] = [:]
        for (rule, words, text) in phraseWords {
            let entries = words.map { table.entry(of: $0) }
            guard !entries.contains(-1) else { continue }
            byFirst[entries[0], default: []].append(phrases.count)
            phrases.append(Phrase(rule: rule, entries: entries, text: text))
        }
        self.table = table
        self.phrases = phrases
        self.phrasesByFirstEntry = byFirst
    }

    @inline(__always) func enabled(_ rule: EscapeRule) -> Bool { ruleEnabled[rule.index] }

    /// The ticket's language as the templates name it: the primary subtag of `language`
    /// ("es-ES" is "es"), else the policy's default.
    func language(of ticket: Ticket) -> String {
        guard let tag = ticket.language, !tag.isEmpty else { return defaultLanguage }
        if tag.utf8.count == 2, tag.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { return tag }
        let primary = tag.split(separator: "-", maxSplits: 1).first.map(String.init) ?? tag
        return primary.lowercased()
    }

    /// Normalises a text once and reads it for both the escape hatch and the risk lexicons.
    func scan(_ text: String) -> Findings {
        var findings = Findings()
        // Lexicon hits are rare: remember (position, entry) only for them.
        var hits: [(Int, Int32)] = []
        findings.asksForPerson = TicketText.withNormalised(text) { bytes, words in
            EscapeHatch.scan(bytes: bytes, words: words, table: table) { k, entry in hits.append((k, entry)) }
        }
        guard !hits.isEmpty else { return findings }
        findings.firstPhrase = Array(repeating: nil, count: EscapeRule.allCases.count)
        for (h, (k, entry)) in hits.enumerated() {
            guard let candidates = phrasesByFirstEntry[entry] else { continue }
            for p in candidates {
                let phrase = phrases[p]
                // The phrase's next words must be the next hits, at the next positions.
                var matches = true
                for w in 1..<max(1, phrase.entries.count) {
                    guard h + w < hits.count, hits[h + w].0 == k + w, hits[h + w].1 == phrase.entries[w] else {
                        matches = false
                        break
                    }
                }
                guard matches else { continue }
                let rule = phrase.rule
                findings.lexiconRules |= rule.bit
                if findings.firstPhrase[rule.index] == nil { findings.firstPhrase[rule.index] = p }
            }
        }
        return findings
    }
}
