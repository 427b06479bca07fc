import Foundation
import Testing
import TriageCore
@testable import TriagePolicy

/// A copy of a shipped policy in a temporary directory, to break on purpose.
struct PolicyCopy {
    let directory: URL

    init(of name: String = "demo") throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("triage-policy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Policy.shippedDirectory(name)), to: directory)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Replaces the first occurrence of `old` in `file` (which must exist) with `new`.
    func edit(_ file: String, replacing old: String, with new: String) throws {
        let url = directory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let range = text.range(of: old) else { throw EditError(message: "'\(old)' not in \(file)") }
        try text.replacingCharacters(in: range, with: new).write(to: url, atomically: true, encoding: .utf8)
    }

    func write(_ file: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    /// The 1-based line of the first line of `file` that contains `marker`.
    /// With a "LAST:" prefix, the last such line.
    func line(of marker: String, in file: String) throws -> Int {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let last = marker.hasPrefix("LAST:")
        let marker = last ? String(marker.dropFirst(5)) : marker
        guard let index = last ? lines.lastIndex(where: { $0.contains(marker) }) : lines.firstIndex(where: { $0.contains(marker) }) else { throw EditError(message: "'\(marker)' not in \(file)") }
        return index + 1
    }

    struct EditError: Error { var message: String }
}

@Suite("Policy files: the shipped policies")
struct ShippedPolicyTests {
    @Test("every shipped policy loads with zero problems", arguments: ["demo", "banking77", "bitext"])
    func loads(name: String) throws {
        let directory = Policy.shippedDirectory(name)
        let problems = Policy.check(directory: directory)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
        let policy = try Policy.load(directory: directory)
        #expect(policy.version.hasPrefix("p-") && policy.version.count == 18)
        #expect(try Policy.load(directory: directory).version == policy.version, "same files, same version")
        #expect(!policy.templates.isEmpty && !policy.actions.isEmpty)
    }

    @Test("the shipped escape-hatch lexicon is the built-in one (plus the demo's additions)", arguments: ["demo", "banking77", "bitext"])
    func hatchLexicon(name: String) throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory(name))
        let loaded = EscapeHatch(lexicon: policy.content.escapeHatchLexicon)
        let builtIn = EscapeHatch()
        #expect(Set(loaded.guards) == Set(builtIn.guards))
        let extra = Set(loaded.phrases).subtracting(builtIn.phrases)
        #expect(Set(builtIn.phrases).isSubset(of: loaded.phrases))
        #expect(extra == (name == "demo" ? ["persons:banker"] : []))
    }

    @Test("the demo policy has today's queues and labels")
    func demoQueues() {
        let expected: [String: [String]] = [
            "cards": ["card_lost", "card_not_arrived"], "payments": ["payment_failed", "refund_request"],
            "account": ["login_problem", "update_details"], "fraud": ["suspicious_transaction"], "general": ["general_question"],
        ]
        #expect(Dictionary(uniqueKeysWithValues: Policy.demo.queues.map { ($0.name, $0.labels) }) == expected)
        #expect(Policy.demo.queueNames == ["cards", "payments", "account", "fraud", "general", "human"])
        for label in DemoDomain.labels { #expect(Policy.demo.queue(forLabel: label) != nil, "\(label)") }
        #expect(Policy.demo.content.name == "demo")
    }

    @Test("banking77 routes all 77 intents of the data set, by pattern, to 8 queues")
    func banking77() throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory("banking77"))
        #expect(policy.queues.count == 8)
        #expect(policy.queues.flatMap(\.labels).allSatisfy(LabelRouting.isPattern), "the policy names patterns, not the data set's labels")
        // Invented labels that take the routing's hard cases: a label several queues' patterns
        // match goes to the first queue in file order, and case does not matter. (The data set's
        // own labels are read from ../shared below, never written here.)
        let expected = ["phone_lost_or_stolen": "security", "widget_payment_not_recognised": "security", "top_up_by_card_fee": "top_ups",
                        "balance_late_after_transfer": "transfers", "exchange_widget": "currencies",
                        "verify_top_up_again": "top_ups", "why_verify_widget": "identity", "reset_pin": "account",
                        "Widget_REFUND_late": "card_payments", "top_up_by_cash_fee": "top_ups",
                        "balance_late_after_cash_deposit": "card_payments", "widget_card_kind": "cards",
                        "widget_or_google_pay": "cards"]
        for (label, queue) in expected { #expect(policy.queue(forLabel: label) == queue, "\(label)") }
        // The label set is read from ../shared (never copied into the repository).
        guard let data = Bitext.sharedFile("banking77/categories.json") else {
            print("skipped: banking77 categories.json not found under ../shared/data (or TRIAGE_SHARED_DATA)")
            return
        }
        let categories = try JSONSerialization.jsonObject(with: data) as! [String]
        #expect(categories.count == 77)
        #expect(policy.labelsWithoutQueue(categories).isEmpty)
        #expect(Set(categories.compactMap(policy.queue(forLabel:))) == Set(policy.queues.map(\.name)), "every queue gets intents")
    }

    @Test("bitext routes all 27 intents, each to the queue of its category in the data set")
    func bitext() throws {
        let policy = try Policy.load(directory: Policy.shippedDirectory("bitext"))
        #expect(policy.queues.count == 11)
        #expect(policy.queues.flatMap(\.labels).allSatisfy(LabelRouting.isPattern), "the policy names patterns, not the data set's labels")
        guard Bitext.url != nil, let rows = try? Bitext.load() else {
            print("skipped: bitext customer_support.csv not found under ../shared/data (or TRIAGE_SHARED_DATA)")
            return
        }
        let intents = Set(rows.map(\.intent))
        #expect(intents.count == 27)
        #expect(policy.labelsWithoutQueue(Array(intents)).isEmpty)
        for row in rows.prefix(2_000) {
            #expect(policy.queue(forLabel: row.intent) == row.category.lowercased(), "\(row.intent) is in category \(row.category)")
        }
    }
}

@Suite("Label routing: names first, then patterns in file order")
struct LabelRoutingTests {
    let routing = LabelRouting(queues: [
        ExpertQueue(name: "a", description: "", labels: ["*top_up*", "card_lost"]),
        ExpertQueue(name: "b", description: "", labels: ["card_*", "*_refund", "x*y*z"]),
        ExpertQueue(name: "c", description: "", labels: ["*"]),
    ])

    @Test("prefix, suffix, infix and several stars; case ignored; a name beats any pattern", arguments: [
        ("card_lost", "a"), ("card_arrival", "b"), ("CARD_arrival", "b"), ("get_refund", "b"), ("verify_top_up", "a"),
        ("card_top_up", "a"), ("xaybz", "b"), ("xyz", "b"), ("xzy", "c"), ("refund_get", "c"), ("", "c"),
    ])
    func routes(label: String, queue: String) {
        #expect(routing.queue(for: label) == queue)
    }

    @Test("without a catch-all, an unmatched label has no queue")
    func unmatched() {
        let strict = LabelRouting(queues: [ExpertQueue(name: "a", description: "", labels: ["card_*", "exact"])])
        #expect(strict.queue(for: "card") == nil)
        #expect(strict.queue(for: "card_") == "a")
        #expect(strict.queue(for: "exactly") == nil)
        #expect(strict.queue(for: "exact") == "a")
    }
}

@Suite("Policy files: check-config finds every kind of problem, with its file and line")
struct CheckConfigTests {
    /// (file to edit, text to replace, replacement, file of the problem, marker of its line, words of the message)
    static let cases: [(String, String, String, String, String, String)] = [
        ("policy.yaml", "name: demo", "name: demo\ncolour: blue", "policy.yaml", "colour: blue", "unknown key 'colour'"),
        ("policy.yaml", "min_confidence: 0.5", "min_confidence: high", "policy.yaml", "min_confidence: high", "'high' is not a number"),
        ("policy.yaml", "min_confidence: 0.5", "min_confidence: 1.5", "policy.yaml", "min_confidence: 1.5", "out of range"),
        ("policy.yaml", "window: 7d", "window: 7days", "policy.yaml", "window: 7days", "'7days' is not a duration"),
        ("policy.yaml", "max_contacts: 3", "max_contacts: [3]", "policy.yaml", "max_contacts: [3]", "must be a single value"),
        ("policy.yaml", "  - suspicious_transaction", "  - suspicious_transaction\n  - no_such_label", "policy.yaml", "no_such_label", "'no_such_label' is in no queue"),
        ("queues.yaml", "  - name: general", "  - name: cards", "queues.yaml", "LAST:- name: cards", "duplicate queue 'cards'"),
        ("queues.yaml", "labels: [general_question]", "labels: [general_question, card_lost]", "queues.yaml", "[general_question, card_lost]", "'card_lost' is mapped to two queues"),
        ("queues.yaml", "sla: {normal: 24h, high: 4h}", "sla: {normal: 1h, high: 4h}", "queues.yaml", "normal: 1h, high: 4h", "must not be slower than normal"),
        ("queues.yaml", "  - name: general", "  - name: human", "queues.yaml", "name: human", "'human' is reserved"),
        ("templates.yaml", "      card_frozen: {due: 5m}\n      replacement_card_ordered: {due: 1d}\n    actions: [freeze_card, order_replacement_card]",
         "      card_frozen: {due: 5m}\n      replacement_card_ordered: {due: 1d}\n    actions: [freeze_card]", "templates.yaml", "replacement_card_ordered: {due: 1d}", "say-to-do"),
        ("templates.yaml", "      password_reset_link_sent: {due: 10m}", "      password_reset_link_sent: {due: 10m}\n      card_posted: {due: 1d}", "templates.yaml", "card_posted", "unknown commitment 'card_posted'"),
        ("templates.yaml", "      card_frozen: {due: 5m}", "      card_frozen: {due: soon}", "templates.yaml", "due: soon", "'soon' is not a duration"),
        ("templates.yaml", "labels: [update_details]", "labels: [update_details, change_address]", "templates.yaml", "change_address", "'change_address', which is in no queue"),
        ("templates.yaml", "labels: [update_details]", "labels: [suspicious_transaction]", "templates.yaml", "labels: [suspicious_transaction]", "always_human"),
        ("templates.yaml", "  - id: update_details_en\n    labels: [update_details]\n    language: en", "  - id: update_details_en\n    labels: [update_details]\n    language: it", "templates.yaml", "language: it", "without the automated-disclosure footer"),
        ("templates.yaml", "  - id: login_problem_es", "  - id: card_lost_en", "templates.yaml", "LAST:id: card_lost_en", "duplicate template 'card_lost_en'"),
        ("templates.yaml", "    actions: [send_details_change_link]", "    actions: [send_details_change_link, send_flowers]", "templates.yaml", "send_flowers", "unknown action 'send_flowers'"),
        ("actions.yaml", "    fulfils: [card_frozen]", "    fulfils: [card_frozen, card_melted]", "actions.yaml", "card_melted", "unknown commitment 'card_melted'"),
        ("actions.yaml", "  - name: open_agent_task", "  - name: freeze_card", "actions.yaml", "LAST:- name: freeze_card", "duplicate action 'freeze_card'"),
        ("actions.yaml", "    parameters: [customer_id, ticket_id]\n\n  - name: send_password_reset_link", "    parameters: [customer_id, ticket_id, pin]\n\n  - name: send_password_reset_link", "actions.yaml", "ticket_id, pin]", "unknown parameter 'pin'"),
        ("escape-hatch.yaml", "explicit_request: {enabled: true}", "explicit_request: {enabled: false}", "escape-hatch.yaml", "explicit_request: {enabled: false}", "explicit_request cannot be disabled"),
        ("escape-hatch.yaml", "fraud_risk: {enabled: true, queue: fraud}", "fraud_risk: {enabled: true, queue: frauds}", "escape-hatch.yaml", "queue: frauds", "unknown queue 'frauds'"),
        ("escape-hatch.yaml", "distress_anger: {enabled: true}", "distress_anger: {enabled: maybe}", "escape-hatch.yaml", "enabled: maybe", "must be true or false"),
        ("escape-hatch.yaml", "  en: >-\n    This reply was written automatically.", "  en: >-\n    This reply was written by us.", "escape-hatch.yaml", "  en: >-", "does not say the reply is automated"),
        ("escape-hatch.yaml", "If you would rather talk to a person, reply\n    \"talk to a person\" and one of our team will take over.", "Thanks.", "escape-hatch.yaml", "  en: >-", "how to reach a person"),
        ("lexicons.yaml", "    en: [furious,", "    en: [furious, furious,", "lexicons.yaml", "en: [furious, furious,", "'furious' is listed twice"),
        ("lexicons.yaml", "legal_threat:", "legal_threats:", "lexicons.yaml", "legal_threats:", "unknown key 'legal_threats'"),
        ("queues.yaml", "    labels: [general_question]", "    labels: [general_question\n", "queues.yaml", "", "not valid YAML"),
        ("escape-hatch-lexicon.yaml", "\"connecting\", \"transfer\", \"transferring\",", "\"connecting\", \"transferring\",", "escape-hatch-lexicon.yaml", "", "no longer recognises \"transfer me to a representative\""),
        ("escape-hatch-lexicon.yaml", "  persons: [\"agent\", \"agents\",", "  persons: [\"agent\", \"travel agents\",", "escape-hatch-lexicon.yaml", "travel agents", "'travel agents' must be exactly one word"),
        ("escape-hatch-lexicon.yaml", "  someones: [\"someone\",", "  someone: [\"someone\",", "escape-hatch-lexicon.yaml", "someone: [", "unknown key 'someone'"),
        ("policy.yaml", "default_language: en", "default_language: en\nname: other", "policy.yaml", "name: other", "duplicate key 'name'"),
        ("queues.yaml", "    labels: [general_question]", "    labels: general_question", "queues.yaml", "labels: general_question", "labels must be a list, not 'general_question'"),
        ("queues.yaml", "  - name: fraud", "  - name: Fraud Team", "queues.yaml", "Fraud Team", "'Fraud Team' must be lower-case"),
    ]

    @Test("a broken file yields a problem naming the file, the line and the value", arguments: cases)
    func brokenFile(_ c: (String, String, String, String, String, String)) throws {
        let (file, old, new, problemFile, marker, words) = c
        let copy = try PolicyCopy()
        defer { copy.remove() }
        try copy.edit(file, replacing: old, with: new)
        let problems = Policy.check(directory: copy.directory.path)
        let matching = problems.filter { $0.file.hasSuffix("/" + problemFile) && $0.message.contains(words) }
        #expect(!matching.isEmpty, "expected '\(words)' in \(problemFile); got:\n\(problems.map(\.description).joined(separator: "\n"))")
        if !marker.isEmpty, let problem = matching.first {
            let line = try copy.line(of: marker.replacingOccurrences(of: "\n", with: ""), in: problemFile)
            #expect(problem.line == line, "\(problem)")
        }
        #expect(throws: PolicyLoadError.self) { try Policy.load(directory: copy.directory.path) }
    }

    @Test("every problem is listed, not just the first")
    func allProblems() throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        try copy.edit("policy.yaml", replacing: "min_margin: 0.05", with: "min_margin: -1")
        try copy.edit("queues.yaml", replacing: "  - name: general", with: "  - name: cards")
        try copy.edit("escape-hatch.yaml", replacing: "explicit_request: {enabled: true}", with: "explicit_request: {enabled: false}")
        let problems = Policy.check(directory: copy.directory.path)
        #expect(problems.count >= 3)
        #expect(Set(problems.map { URL(fileURLWithPath: $0.file).lastPathComponent }) == ["policy.yaml", "queues.yaml", "escape-hatch.yaml"])
        #expect(problems.allSatisfy { $0.line != nil && $0.column != nil })
        #expect(problems.contains { $0.description.contains("policy.yaml:") && $0.description.contains(": error: thresholds.min_margin -1 is out of range") })
    }

    @Test("missing, unknown and empty files are problems")
    func files() throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        try FileManager.default.removeItem(at: copy.directory.appendingPathComponent("queues.yaml"))
        try copy.write("queue.yaml", "queues: []\n")
        try copy.write("actions.yaml", "")
        let problems = Policy.check(directory: copy.directory.path).map(\.description)
        #expect(problems.contains { $0.contains("queues.yaml: error: missing file") })
        #expect(problems.contains { $0.contains("queue.yaml: error: unknown policy file") })
        #expect(problems.contains { $0.contains("actions.yaml:1: error: the file is empty") })
        #expect(Policy.check(directory: "/no/such/dir").map(\.message) == ["no such policy directory"])
    }

    @Test("durations", arguments: [("5m", Int64(300_000)), ("4h", 14_400_000), ("1h30m", 5_400_000), ("7d", 604_800_000),
                                   ("30s", 30_000), ("1w", 604_800_000)])
    func durations(_ text: String, _ millis: Int64) {
        #expect(PolicyLoader.parseDuration(text) == millis)
    }

    @Test("bad durations", arguments: ["", "5", "m", "-5m", "0m", "5 m", "5M", "400d", "1.5h"])
    func badDurations(_ text: String) {
        #expect(PolicyLoader.parseDuration(text) == nil)
    }

    @Test("the version is a hash of the content: a changed text changes it, a comment does not")
    func version() throws {
        let copy = try PolicyCopy()
        defer { copy.remove() }
        let original = try Policy.load(directory: copy.directory.path).version
        try copy.edit("templates.yaml", replacing: "# Automated replies.", with: "# A comment.")
        #expect(try Policy.load(directory: copy.directory.path).version == original)
        try copy.edit("templates.yaml", replacing: "We have frozen it", with: "We froze it")
        #expect(try Policy.load(directory: copy.directory.path).version != original)
    }

    @Test("TRIAGE_POLICY_DIR is honoured by demoDirectory")
    func environment() {
        if let directory = ProcessInfo.processInfo.environment["TRIAGE_POLICY_DIR"], !directory.isEmpty {
            #expect(Policy.demoDirectory == directory)
        } else {
            #expect(Policy.demoDirectory.hasSuffix("/prompts/demo"))
        }
    }
}
