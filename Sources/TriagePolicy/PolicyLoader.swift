import Foundation
import Yams

/// One problem in a policy directory, with where it is.
public struct PolicyProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file's path (directory + file name).
    public var file: String
    /// 1-based line and column, when known.
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: error: message`, like a compiler.
    public var description: String {
        var place = file
        if let line { place += ":\(line)"; if let column { place += ":\(column)" } }
        return "\(place): error: \(message)"
    }
}

/// A policy directory that cannot be loaded, with every problem in it.
public struct PolicyLoadError: Error, CustomStringConvertible {
    public var directory: String
    public var problems: [PolicyProblem]
    public var description: String {
        "policy \(directory) has \(problems.count) problem(s):\n" + problems.map(\.description).joined(separator: "\n")
    }
}

extension Policy {
    /// The files of a policy directory; the first three are required.
    public static let fileNames = ["policy.yaml", "queues.yaml", "escape-hatch.yaml", "templates.yaml", "actions.yaml", "lexicons.yaml",
                                   "escape-hatch-lexicon.yaml", "cohorts.yaml"]

    /// Requests the escape hatch must recognise in each language of escape-hatch-lexicon.yaml:
    /// a lexicon that misses one would quietly switch the explicit-request rule off.
    public static let canaryRequests: [String: [String]] = [
        "en": ["I want to talk to a person", "agent", "can I speak to someone please", "real person please", "not a bot",
               "transfer me to a representative"],
        "es": ["quiero hablar con una persona", "hablar con un agente", "necesito un agente"],
        "de": ["Ich möchte mit einem Menschen sprechen", "Können Sie mich mit einem Mitarbeiter verbinden?"],
        "fr": ["je veux parler à un conseiller", "Je voudrais parler à quelqu'un"],
    ]

    /// Reads a policy directory (docs/POLICY.md). Throws every problem `check` would list.
    public static func load(directory: String) throws(PolicyLoadError) -> Policy {
        var loader = PolicyLoader(directory: directory)
        let content = loader.load()
        guard loader.problems.isEmpty, let content else {
            throw PolicyLoadError(directory: directory, problems: loader.problems)
        }
        return Policy(content: content)
    }

    /// Every problem of a policy directory, in file order; empty when it loads.
    public static func check(directory: String) -> [PolicyProblem] {
        var loader = PolicyLoader(directory: directory)
        _ = loader.load()
        return loader.problems
    }
}

/// Where a node is.
struct Place {
    var file: String
    var line: Int?
    var column: Int?
}

/// Reads and checks the YAML files of one policy directory, collecting every problem.
struct PolicyLoader {
    let directory: String
    var problems: [PolicyProblem] = []

    init(directory: String) {
        self.directory = directory
    }

    // MARK: - Problems and places

    func path(_ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    func place(_ node: Node?, _ file: String) -> Place {
        Place(file: path(file), line: node?.mark?.line, column: node?.mark?.column)
    }

    mutating func problem(_ place: Place, _ message: String) {
        problems.append(PolicyProblem(file: place.file, line: place.line, column: place.column, message: message))
    }

    mutating func problem(_ node: Node?, _ file: String, _ message: String) {
        problem(place(node, file), message)
    }

    // MARK: - Typed reading

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A mapping's entries by key, reporting a non-mapping, unknown keys, duplicate and
    /// missing required keys. `keys: nil` accepts any key.
    mutating func mapping(_ node: Node?, _ file: String, _ what: String, keys: [String]?, required: [String] = []) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            problem(node, file, "\(what) must be a mapping, not \(Self.describe(node))")
            return nil
        }
        var out: [(key: String, keyNode: Node, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                problem(keyNode, file, "\(what): keys must be plain words, not \(Self.describe(keyNode))")
                continue
            }
            let key = scalar.string
            if let keys, !keys.contains(key) {
                problem(keyNode, file, "\(what): unknown key '\(key)' (expected one of: \(keys.joined(separator: ", ")))")
                continue
            }
            guard seen.insert(key).inserted else {
                problem(keyNode, file, "\(what): duplicate key '\(key)'")
                continue
            }
            out.append((key, keyNode, value))
        }
        for key in required where !seen.contains(key) {
            problem(node, file, "\(what): missing key '\(key)'")
        }
        return out
    }

    mutating func scalar(_ node: Node, _ file: String, _ what: String) -> String? {
        guard case .scalar(let s) = node else {
            problem(node, file, "\(what) must be a single value, not \(Self.describe(node))")
            return nil
        }
        return s.string
    }

    mutating func string(_ node: Node, _ file: String, _ what: String, nonEmpty: Bool = true) -> String? {
        guard let s = scalar(node, file, what) else { return nil }
        if case .scalar(let sc) = node, sc.style == .plain, s == "~" || s == "null" || (s.isEmpty && nonEmpty) {
            problem(node, file, "\(what) must not be empty")
            return nil
        }
        if nonEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problem(node, file, "\(what) must not be empty")
            return nil
        }
        return s
    }

    mutating func name(_ node: Node, _ file: String, _ what: String) -> String? {
        guard let s = string(node, file, what) else { return nil }
        guard Self.isName(s) else {
            problem(node, file, "\(what) '\(s)' must be lower-case letters, digits, '_' or '-', starting with a letter or digit")
            return nil
        }
        return s
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.utf8.first, (first >= 0x61 && first <= 0x7A) || (first >= 0x30 && first <= 0x39) else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }

    mutating func language(_ node: Node, _ file: String, _ what: String) -> String? {
        guard let s = string(node, file, what) else { return nil }
        guard s.utf8.count == 2, s.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else {
            problem(node, file, "\(what) '\(s)' must be a two-letter lower-case language code (en, es, de, fr)")
            return nil
        }
        return s
    }

    mutating func double(_ node: Node, _ file: String, _ what: String, in range: ClosedRange<Double>) -> Double? {
        guard let s = scalar(node, file, what) else { return nil }
        guard let value = Double(s), value.isFinite else {
            problem(node, file, "\(what) '\(s)' is not a number")
            return nil
        }
        guard range.contains(value) else {
            problem(node, file, "\(what) \(s) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func int(_ node: Node, _ file: String, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let s = scalar(node, file, what) else { return nil }
        guard let value = Int(s) else {
            problem(node, file, "\(what) '\(s)' is not a whole number")
            return nil
        }
        guard range.contains(value) else {
            problem(node, file, "\(what) \(s) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, _ file: String, _ what: String) -> Bool? {
        guard let s = scalar(node, file, what) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default:
            problem(node, file, "\(what) '\(s)' must be true or false")
            return nil
        }
    }

    /// "30s", "5m", "4h", "2d", "1w", "1h30m": a positive duration up to 365 days, in milliseconds.
    static func parseDuration(_ s: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for c in s.utf8 {
            if c >= 0x30 && c <= 0x39 {
                let next = (number ?? 0) * 10 + Int64(c - 0x30)
                guard next < 1_000_000 else { return nil }
                number = next
                continue
            }
            let unit: Int64
            switch c {
            case UInt8(ascii: "s"): unit = 1_000
            case UInt8(ascii: "m"): unit = 60_000
            case UInt8(ascii: "h"): unit = 3_600_000
            case UInt8(ascii: "d"): unit = 86_400_000
            case UInt8(ascii: "w"): unit = 7 * 86_400_000
            default: return nil
            }
            guard let n = number else { return nil }
            total += n * unit
            number = nil
            sawUnit = true
        }
        guard number == nil, sawUnit, total > 0, total <= 365 * 86_400_000 else { return nil }
        return total
    }

    mutating func duration(_ node: Node, _ file: String, _ what: String) -> Int64? {
        guard let s = scalar(node, file, what) else { return nil }
        guard let value = Self.parseDuration(s) else {
            problem(node, file, "\(what) '\(s)' is not a duration: a positive number with a unit s, m, h, d or w (e.g. 5m, 4h, 1h30m, 7d), at most 365d")
            return nil
        }
        return value
    }

    /// A list of single values, with each item's node.
    mutating func list(_ node: Node, _ file: String, _ what: String) -> [(String, Node)]? {
        guard case .sequence(let sequence) = node else {
            problem(node, file, "\(what) must be a list, not \(Self.describe(node))")
            return nil
        }
        var out: [(String, Node)] = []
        for item in sequence {
            if let s = string(item, file, "an item of \(what)") { out.append((s, item)) }
        }
        return out
    }

    mutating func items(_ node: Node, _ file: String, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            problem(node, file, "\(what) must be a list, not \(Self.describe(node))")
            return nil
        }
        return Array(sequence)
    }

    // MARK: - Files

    mutating func read(_ file: String, required: Bool) -> Node? {
        let full = path(file)
        guard FileManager.default.fileExists(atPath: full) else {
            if required { problem(Place(file: full), "missing file (a policy directory needs \(Policy.fileNames.prefix(3).joined(separator: ", ")))") }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
            problem(Place(file: full), "cannot read the file as UTF-8")
            return nil
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                problem(Place(file: full, line: 1), "the file is empty")
                return nil
            }
            return root
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problemText, let mark, _), .parser(_, let problemText, let mark, _), .composer(_, let problemText, let mark, _):
                problem(Place(file: full, line: mark.line, column: mark.column), "not valid YAML: \(problemText)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                // Yams marks the first occurrence; point at the repeated one (same column, later line).
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let key = duplicates.first ?? ""
                let column = context.mark.column
                var line = context.mark.line
                for i in context.mark.line..<max(context.mark.line, lines.count) {
                    let chars = Array(lines[i])
                    guard chars.count >= column - 1 + key.count + 1 else { continue }
                    if String(chars[(column - 1)...]).hasPrefix(key + ":") { line = i + 1; break }
                }
                problem(Place(file: full, line: line, column: column),
                        "duplicate key '\(duplicates.joined(separator: "', '"))' in one mapping (first on line \(context.mark.line)); the rest of this file is not checked until it is fixed")
            default:
                problem(Place(file: full), "not valid YAML: \(error)")
            }
        } catch {
            problem(Place(file: full), "not valid YAML: \(error)")
        }
        return nil
    }

    /// Reads and checks everything; nil when a required part is missing.
    mutating func load() -> PolicyContent? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            problem(Place(file: directory), "no such policy directory")
            return nil
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in present.sorted() where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !Policy.fileNames.contains(name) {
            problem(Place(file: path(name)), "unknown policy file '\(name)' (expected: \(Policy.fileNames.joined(separator: ", ")))")
        }
        var content = PolicyContent(queues: [])
        var ok = true

        // queues.yaml first: the other files name its queues and labels.
        if let root = read("queues.yaml", required: true) { readQueues(root, into: &content) } else { ok = false }
        let labelQueue = LabelRouting(queues: content.queues)
        let queueNames = Set(content.queues.map(\.name))

        var alwaysHumanNodes: [(String, Node)] = []
        if let root = read("policy.yaml", required: true) {
            readPolicy(root, into: &content, labelQueue: labelQueue, alwaysHumanNodes: &alwaysHumanNodes)
        } else { ok = false }

        var lexiconLanguages: [String] = []
        if let root = read("escape-hatch-lexicon.yaml", required: false) {
            readHatchLexicon(root, into: &content, languages: &lexiconLanguages)
        }

        var footerLanguages: Set<String> = []
        if let root = read("escape-hatch.yaml", required: true) {
            readEscapeHatch(root, into: &content, queueNames: queueNames, footerLanguages: &footerLanguages)
        } else { ok = false }
        if !lexiconLanguages.isEmpty {
            let hatch = EscapeHatch(lexicon: content.escapeHatchLexicon)
            for language in lexiconLanguages {
                for request in Policy.canaryRequests[language] ?? [] where !hatch.asksForPerson(request) {
                    problem(Place(file: path("escape-hatch-lexicon.yaml")),
                            "the escape hatch no longer recognises \"\(request)\" (\(language)): the explicit-request rule cannot be weakened")
                }
            }
        }
        if content.footers[content.defaultLanguage] == nil, ok {
            problem(Place(file: path("escape-hatch.yaml")),
                    "footers: no footer for the default language '\(content.defaultLanguage)' (policy.yaml default_language)")
        }

        if let root = read("actions.yaml", required: false) { readActions(root, into: &content) }
        if let root = read("templates.yaml", required: false) {
            readTemplates(root, into: &content, labelQueue: labelQueue)
        }
        if let root = read("lexicons.yaml", required: false) { readLexicons(root, into: &content) }
        if let root = read("cohorts.yaml", required: false) { readCohorts(root, into: &content) }
        return ok ? content : nil
    }

    // MARK: queues.yaml

    mutating func readQueues(_ root: Node, into content: inout PolicyContent) {
        let file = "queues.yaml"
        guard let top = mapping(root, file, "queues.yaml", keys: ["queues"], required: ["queues"]),
              let queuesNode = top.first?.value, let items = items(queuesNode, file, "queues") else { return }
        var firstLine: [String: Int] = [:]
        var labelLine: [String: (String, Int)] = [:]
        for item in items {
            guard let fields = mapping(item, file, "a queue", keys: ["name", "description", "skills", "sla", "labels"],
                                       required: ["name", "description", "labels"]) else { continue }
            var queue = ExpertQueue(name: "", description: "", labels: [])
            var nameOK = false
            for (key, _, value) in fields {
                switch key {
                case "name":
                    guard let name = name(value, file, "queue name") else { break }
                    if name == ExpertQueue.humanQueueName {
                        problem(value, file, "queue name 'human' is reserved: it is the queue for tickets without a clear category")
                    } else if let line = firstLine[name] {
                        problem(value, file, "duplicate queue '\(name)' (first defined on line \(line))")
                    } else {
                        firstLine[name] = value.mark?.line ?? 0
                        queue.name = name
                        nameOK = true
                    }
                case "description":
                    queue.description = string(value, file, "queue description") ?? ""
                case "skills":
                    queue.skills = (list(value, file, "skills") ?? []).map(\.0)
                case "sla":
                    guard let slas = mapping(value, file, "sla", keys: Priority.allCases.map(\.rawValue)) else { break }
                    for (priority, _, due) in slas {
                        if let millis = duration(due, file, "sla.\(priority)") { queue.slaMillis[Priority(rawValue: priority)!] = millis }
                    }
                    if let high = queue.slaMillis[.high], let normal = queue.slaMillis[.normal], high > normal {
                        problem(value, file, "sla: high priority (\(Self.format(high))) must not be slower than normal (\(Self.format(normal)))")
                    }
                default: // labels
                    guard let labels = list(value, file, "labels") else { break }
                    for (label, node) in labels {
                        if queue.labels.contains(label) {
                            problem(node, file, "label '\(label)' is listed twice in this queue")
                        } else {
                            queue.labels.append(label)
                        }
                    }
                }
            }
            guard nameOK else { continue }
            // Patterns may overlap (the first match wins, LabelRouting); a label by name only once.
            for label in queue.labels where !LabelRouting.isPattern(label) {
                let node = fieldItem(fields, "labels", label)
                if let (other, line) = labelLine[label] {
                    problem(node, file, "label '\(label)' is mapped to two queues: '\(other)' (line \(line)) and '\(queue.name)'")
                } else {
                    labelLine[label] = (queue.name, node?.mark?.line ?? 0)
                }
            }
            content.queues.append(queue)
        }
    }

    /// The node of one item of a list field, for problem lines.
    func fieldItem(_ fields: [(key: String, keyNode: Node, value: Node)], _ key: String, _ item: String) -> Node? {
        guard let value = fields.first(where: { $0.key == key })?.value, case .sequence(let sequence) = value else { return nil }
        return sequence.first { $0.scalar?.string == item } ?? value
    }

    static func format(_ millis: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where millis % size == 0 {
            return "\(millis / size)\(unit)"
        }
        return "\(millis)ms"
    }

    // MARK: policy.yaml

    mutating func readPolicy(_ root: Node, into content: inout PolicyContent, labelQueue: LabelRouting,
                             alwaysHumanNodes: inout [(String, Node)]) {
        let file = "policy.yaml"
        guard let fields = mapping(root, file, "policy.yaml",
                                   keys: ["name", "description", "default_language", "thresholds", "repeat_contact", "say_to_do", "always_human"],
                                   required: ["name", "default_language", "thresholds"]) else { return }
        for (key, _, value) in fields {
            switch key {
            case "name": content.name = name(value, file, "name") ?? content.name
            case "description": content.description = string(value, file, "description") ?? ""
            case "default_language": content.defaultLanguage = language(value, file, "default_language") ?? content.defaultLanguage
            case "thresholds":
                guard let t = mapping(value, file, "thresholds", keys: ["min_confidence", "min_margin", "automate"],
                                      required: ["min_confidence", "min_margin", "automate"]) else { break }
                for (k, _, v) in t {
                    switch k {
                    case "min_confidence": content.thresholds.minConfidence = double(v, file, "thresholds.min_confidence", in: 0...1) ?? content.thresholds.minConfidence
                    case "min_margin": content.thresholds.minMargin = double(v, file, "thresholds.min_margin", in: 0...1) ?? content.thresholds.minMargin
                    default:
                        guard let a = mapping(v, file, "thresholds.automate", keys: ["min_confidence", "min_margin"],
                                              required: ["min_confidence", "min_margin"]) else { break }
                        for (ak, _, av) in a {
                            if ak == "min_confidence" {
                                content.thresholds.automateMinConfidence = double(av, file, "thresholds.automate.min_confidence", in: 0...1) ?? content.thresholds.automateMinConfidence
                            } else {
                                content.thresholds.automateMinMargin = double(av, file, "thresholds.automate.min_margin", in: 0...1) ?? content.thresholds.automateMinMargin
                            }
                        }
                        if content.thresholds.automateMinConfidence < content.thresholds.minConfidence {
                            problem(v, file, "thresholds.automate.min_confidence (\(content.thresholds.automateMinConfidence)) must be at least thresholds.min_confidence (\(content.thresholds.minConfidence))")
                        }
                        if content.thresholds.automateMinMargin < content.thresholds.minMargin {
                            problem(v, file, "thresholds.automate.min_margin (\(content.thresholds.automateMinMargin)) must be at least thresholds.min_margin (\(content.thresholds.minMargin))")
                        }
                    }
                }
            case "repeat_contact":
                guard let r = mapping(value, file, "repeat_contact", keys: ["max_contacts", "window"], required: ["max_contacts", "window"]) else { break }
                for (k, _, v) in r {
                    if k == "max_contacts" {
                        content.repeatContact.maxContacts = int(v, file, "repeat_contact.max_contacts", in: 2...100) ?? content.repeatContact.maxContacts
                    } else {
                        content.repeatContact.windowMillis = duration(v, file, "repeat_contact.window") ?? content.repeatContact.windowMillis
                    }
                }
            case "say_to_do":
                guard let r = mapping(value, file, "say_to_do", keys: ["floor", "min_commitments"], required: ["floor", "min_commitments"]) else { break }
                for (k, _, v) in r {
                    if k == "floor" {
                        content.sayToDo.floor = double(v, file, "say_to_do.floor", in: 0.5...1) ?? content.sayToDo.floor
                    } else {
                        content.sayToDo.minCommitments = int(v, file, "say_to_do.min_commitments", in: 1...1_000_000) ?? content.sayToDo.minCommitments
                    }
                }
            default: // always_human
                for (label, node) in list(value, file, "always_human") ?? [] {
                    if labelQueue.queue(for: label) == nil {
                        problem(node, file, "always_human: label '\(label)' is in no queue of queues.yaml")
                    } else if content.alwaysHuman.contains(label) {
                        problem(node, file, "always_human: label '\(label)' is listed twice")
                    } else {
                        content.alwaysHuman.append(label)
                        alwaysHumanNodes.append((label, node))
                    }
                }
            }
        }
    }

    // MARK: escape-hatch.yaml

    mutating func readEscapeHatch(_ root: Node, into content: inout PolicyContent, queueNames: Set<String>,
                                  footerLanguages: inout Set<String>) {
        let file = "escape-hatch.yaml"
        guard let fields = mapping(root, file, "escape-hatch.yaml", keys: ["rules", "footers", "disclosure_words", "lexicon_additions"],
                                   required: ["footers", "disclosure_words"]) else { return }
        var footerNodes: [(String, Node)] = []
        for (key, _, value) in fields {
            switch key {
            case "rules":
                guard let rules = mapping(value, file, "rules", keys: EscapeRule.allCases.map(\.rawValue)) else { break }
                for (name, _, ruleNode) in rules {
                    let rule = EscapeRule(rawValue: name)!
                    guard let settings = mapping(ruleNode, file, "rules.\(name)", keys: ["enabled", "queue"], required: ["enabled"]) else { continue }
                    var setting = EscapeRuleSetting()
                    for (k, _, v) in settings {
                        if k == "enabled" {
                            guard let enabled = bool(v, file, "rules.\(name).enabled") else { continue }
                            if rule == .explicitRequest && !enabled {
                                problem(v, file, "rules.explicit_request cannot be disabled: a customer who asks for a person always gets one")
                                continue
                            }
                            setting.enabled = enabled
                        } else {
                            guard let queue = self.name(v, file, "rules.\(name).queue") else { continue }
                            if queue != ExpertQueue.humanQueueName && !queueNames.contains(queue) {
                                problem(v, file, "rules.\(name).queue: unknown queue '\(queue)' (not in queues.yaml)")
                                continue
                            }
                            setting.queue = queue
                        }
                    }
                    content.rules[rule] = setting
                }
            case "footers":
                guard let footers = mapping(value, file, "footers", keys: nil) else { break }
                for (language, keyNode, textNode) in footers {
                    guard self.language(keyNode, file, "footers: language") != nil,
                          let text = string(textNode, file, "footers.\(language)") else { continue }
                    var trimmed = text
                    while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
                    content.footers[language] = trimmed
                    footerLanguages.insert(language)
                    footerNodes.append((language, textNode))
                }
            case "disclosure_words":
                guard let languages = mapping(value, file, "disclosure_words", keys: nil) else { break }
                for (language, keyNode, wordsNode) in languages {
                    guard self.language(keyNode, file, "disclosure_words: language") != nil,
                          let words = list(wordsNode, file, "disclosure_words.\(language)") else { continue }
                    if words.isEmpty { problem(wordsNode, file, "disclosure_words.\(language) is empty") }
                    content.disclosureWords[language] = words.map(\.0)
                }
            default: // lexicon_additions
                guard let languages = mapping(value, file, "lexicon_additions", keys: nil) else { break }
                let listNames = EscapeHatchLexicon.lists.map(\.0)
                for (language, keyNode, listsNode) in languages {
                    guard self.language(keyNode, file, "lexicon_additions: language") != nil,
                          let lists = mapping(listsNode, file, "lexicon_additions.\(language)", keys: listNames) else { continue }
                    var addition = EscapeHatchLexicon()
                    for (listName, _, wordsNode) in lists {
                        let keyPath = EscapeHatchLexicon.lists.first { $0.0 == listName }!.1
                        for (word, node) in list(wordsNode, file, "lexicon_additions.\(language).\(listName)") ?? [] {
                            let normalised = TicketText(word)
                            guard normalised.words.count == 1 else {
                                problem(node, file, "lexicon_additions.\(language).\(listName): '\(word)' must be exactly one word")
                                continue
                            }
                            addition[keyPath: keyPath].append(word)
                        }
                    }
                    content.escapeHatchLexicon = content.escapeHatchLexicon + addition
                }
            }
        }
        // Every footer discloses the automation and tells how to reach a person, in words the
        // escape hatch itself recognises (so quoting the footer back is a request).
        let hatch = content.escapeHatchLexicon == .builtIn ? EscapeHatch() : EscapeHatch(lexicon: content.escapeHatchLexicon)
        for (language, node) in footerNodes {
            let text = content.footers[language] ?? ""
            let words = Self.words(text)
            if let disclosure = content.disclosureWords[language] {
                if !disclosure.contains(where: { Self.words($0).allSatisfy(words.contains) }) {
                    problem(node, file, "footers.\(language) does not say the reply is automated (it uses none of disclosure_words.\(language): \(disclosure.joined(separator: ", ")))")
                }
            } else {
                problem(node, file, "footers.\(language): no disclosure_words.\(language) to check that it says the reply is automated")
            }
            if !hatch.asksForPerson(text) {
                problem(node, file, "footers.\(language) does not tell the customer how to reach a person in words the escape hatch recognises (e.g. \"reply 'talk to a person'\")")
            }
        }
    }

    // MARK: escape-hatch-lexicon.yaml

    /// The whole escape-hatch lexicon by language (replaces the built-in one).
    mutating func readHatchLexicon(_ root: Node, into content: inout PolicyContent, languages: inout [String]) {
        let file = "escape-hatch-lexicon.yaml"
        guard let entries = mapping(root, file, "escape-hatch-lexicon.yaml", keys: nil) else { return }
        let listNames = EscapeHatchLexicon.lists.map(\.0)
        var union: EscapeHatchLexicon?
        for (language, keyNode, listsNode) in entries {
            guard self.language(keyNode, file, "escape-hatch-lexicon.yaml: language") != nil,
                  let lists = mapping(listsNode, file, language, keys: listNames, required: ["persons", "contact_words"]) else { continue }
            var lexicon = EscapeHatchLexicon()
            for (listName, _, wordsNode) in lists {
                let keyPath = EscapeHatchLexicon.lists.first { $0.0 == listName }!.1
                for (word, node) in list(wordsNode, file, "\(language).\(listName)") ?? [] {
                    guard TicketText(word).words.count == 1 else {
                        problem(node, file, "\(language).\(listName): '\(word)' must be exactly one word")
                        continue
                    }
                    lexicon[keyPath: keyPath].append(word)
                }
            }
            union = union.map { $0 + lexicon } ?? lexicon
            languages.append(language)
        }
        if let union { content.escapeHatchLexicon = union }
    }

    static func words(_ text: String) -> Set<String> {
        let t = TicketText(text)
        return Set(t.words.map { String(decoding: t.bytes[Int($0.start)..<Int($0.start + $0.count)], as: UTF8.self) })
    }

    // MARK: actions.yaml

    mutating func readActions(_ root: Node, into content: inout PolicyContent) {
        let file = "actions.yaml"
        guard let fields = mapping(root, file, "actions.yaml", keys: ["commitments", "actions"], required: ["commitments", "actions"]) else { return }
        var commitmentNodes: [String: Node] = [:]
        if let commitments = fields.first(where: { $0.key == "commitments" }),
           let entries = mapping(commitments.value, file, "commitments", keys: nil) {
            for (name, keyNode, descriptionNode) in entries {
                guard self.name(keyNode, file, "commitment name") != nil,
                      let description = string(descriptionNode, file, "commitments.\(name)") else { continue }
                content.commitments.append(CommitmentDefinition(name: name, description: description))
                commitmentNodes[name] = keyNode
            }
        }
        guard let actionsNode = fields.first(where: { $0.key == "actions" })?.value,
              let items = items(actionsNode, file, "actions") else { return }
        var firstLine: [String: Int] = [:]
        var fulfilled: Set<String> = []
        for item in items {
            guard let entries = mapping(item, file, "an action", keys: ["name", "does", "fulfils", "parameters"],
                                        required: ["name", "does", "fulfils"]) else { continue }
            var action = PolicyAction(name: "", does: "", fulfils: [])
            var nameOK = false
            for (key, _, value) in entries {
                switch key {
                case "name":
                    guard let name = name(value, file, "action name") else { break }
                    if let line = firstLine[name] {
                        problem(value, file, "duplicate action '\(name)' (first defined on line \(line))")
                    } else {
                        firstLine[name] = value.mark?.line ?? 0
                        action.name = name
                        nameOK = true
                    }
                case "does": action.does = string(value, file, "does") ?? ""
                case "fulfils":
                    guard let names = list(value, file, "fulfils") else { break }
                    if names.isEmpty { problem(value, file, "fulfils is empty: an action must keep at least one commitment") }
                    for (commitment, node) in names {
                        if commitmentNodes[commitment] == nil {
                            problem(node, file, "action fulfils unknown commitment '\(commitment)' (not under commitments:)")
                        } else {
                            action.fulfils.append(commitment)
                        }
                    }
                default: // parameters
                    for (parameter, node) in list(value, file, "parameters") ?? [] {
                        if PolicyAction.knownParameters.contains(parameter) {
                            action.parameters.append(parameter)
                        } else {
                            problem(node, file, "unknown parameter '\(parameter)' (known: \(PolicyAction.knownParameters.joined(separator: ", ")))")
                        }
                    }
                }
            }
            guard nameOK else { continue }
            fulfilled.formUnion(action.fulfils)
            content.actions.append(action)
        }
        for commitment in content.commitments where !fulfilled.contains(commitment.name) {
            problem(commitmentNodes[commitment.name], file, "commitment '\(commitment.name)' is fulfilled by no action")
        }
    }

    // MARK: templates.yaml

    mutating func readTemplates(_ root: Node, into content: inout PolicyContent, labelQueue: LabelRouting) {
        let file = "templates.yaml"
        guard let top = mapping(root, file, "templates.yaml", keys: ["templates"], required: ["templates"]),
              let templatesNode = top.first?.value, let items = items(templatesNode, file, "templates") else { return }
        let known = Set(content.commitments.map(\.name))
        let actionsByName = Dictionary(content.actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var firstLine: [String: Int] = [:]
        var answered: [String: (String, Int)] = [:] // "label|language" -> template id, line
        for item in items {
            guard let entries = mapping(item, file, "a template", keys: ["id", "labels", "language", "text", "commitments", "actions"],
                                        required: ["id", "labels", "language", "text"]) else { continue }
            var template = ReplyTemplate(id: "", labels: [], language: "", text: "")
            var valid = true
            var labelNodes: [(String, Node)] = []
            var commitmentsNode: Node?
            var actionsNode: Node?
            for (key, _, value) in entries {
                switch key {
                case "id":
                    guard let id = name(value, file, "template id") else { valid = false; break }
                    if let line = firstLine[id] {
                        problem(value, file, "duplicate template '\(id)' (first defined on line \(line))")
                        valid = false
                    } else {
                        firstLine[id] = value.mark?.line ?? 0
                        template.id = id
                    }
                case "labels":
                    guard let labels = list(value, file, "labels") else { valid = false; break }
                    if labels.isEmpty { problem(value, file, "labels is empty: a template answers at least one label") }
                    for (label, node) in labels {
                        if labelQueue.queue(for: label) == nil {
                            problem(node, file, "template answers label '\(label)', which is in no queue of queues.yaml")
                            valid = false
                        } else if content.alwaysHuman.contains(label) {
                            problem(node, file, "template answers label '\(label)', which policy.yaml lists under always_human")
                            valid = false
                        } else {
                            template.labels.append(label)
                            labelNodes.append((label, node))
                        }
                    }
                case "language":
                    guard let language = language(value, file, "language") else { valid = false; break }
                    template.language = language
                    if content.footers[language] == nil {
                        problem(value, file, "reply in '\(language)' would go out without the automated-disclosure footer: escape-hatch.yaml has no footers.\(language)")
                        valid = false
                    }
                case "text":
                    guard let text = string(value, file, "text") else { valid = false; break }
                    template.text = text
                case "commitments":
                    commitmentsNode = value
                default:
                    actionsNode = value
                }
            }
            // Commitments: name -> {due: duration}.
            if let commitmentsNode, let commitments = mapping(commitmentsNode, file, "commitments", keys: nil) {
                for (name, keyNode, spec) in commitments {
                    guard known.contains(name) else {
                        problem(keyNode, file, "template states unknown commitment '\(name)' (not under commitments: in actions.yaml)")
                        valid = false
                        continue
                    }
                    guard let due = mapping(spec, file, "commitments.\(name)", keys: ["due"], required: ["due"]),
                          let dueNode = due.first?.value, let millis = duration(dueNode, file, "commitments.\(name).due") else {
                        valid = false
                        continue
                    }
                    template.commitments.append(CommitmentDue(name: name, dueMillis: millis))
                }
            }
            // Actions: as listed, or derived; every stated commitment must be kept (say-to-do).
            if let actionsNode, let listed = list(actionsNode, file, "actions") {
                for (action, node) in listed {
                    guard let definition = actionsByName[action] else {
                        problem(node, file, "template runs unknown action '\(action)' (not in actions.yaml)")
                        valid = false
                        continue
                    }
                    if !definition.fulfils.contains(where: { c in template.commitments.contains { $0.name == c } }) {
                        problem(node, file, "action '\(action)' keeps none of this template's commitments")
                        valid = false
                    }
                    template.actions.append(action)
                }
            }
            for commitment in template.commitments {
                let keepers = template.actions.isEmpty ? content.actions.map(\.name) : template.actions
                if !keepers.contains(where: { actionsByName[$0]?.fulfils.contains(commitment.name) == true }) {
                    let node = commitmentsNode.flatMap { n in n.mapping?.keys.first { $0.string == commitment.name } } ?? commitmentsNode
                    problem(node, file, "say-to-do: template '\(template.id)' states '\(commitment.name)' but none of \(template.actions.isEmpty ? "the actions in actions.yaml" : "its actions (\(template.actions.joined(separator: ", ")))") fulfils it")
                    valid = false
                }
            }
            if template.actions.isEmpty {
                for commitment in template.commitments {
                    guard !template.actions.contains(where: { actionsByName[$0]?.fulfils.contains(commitment.name) == true }),
                          let action = content.actions.first(where: { $0.fulfils.contains(commitment.name) }) else { continue }
                    template.actions.append(action.name)
                }
            }
            if !template.language.isEmpty {
                for (label, node) in labelNodes {
                    let key = label + "|" + template.language
                    if let (other, line) = answered[key] {
                        problem(node, file, "label '\(label)' in '\(template.language)' is answered by two templates: '\(other)' (line \(line)) and '\(template.id)'")
                        valid = false
                    } else {
                        answered[key] = (template.id, node.mark?.line ?? 0)
                    }
                }
            }
            if valid && !template.id.isEmpty { content.templates.append(template) }
        }
    }

    // MARK: lexicons.yaml

    mutating func readLexicons(_ root: Node, into content: inout PolicyContent) {
        let file = "lexicons.yaml"
        guard let groups = mapping(root, file, "lexicons.yaml", keys: EscapeRule.lexiconRules.map(\.rawValue)) else { return }
        for (group, _, value) in groups {
            guard let fields = mapping(value, file, group, keys: ["description", "phrases"], required: ["description", "phrases"]) else { continue }
            var lexicon = RiskLexicon(rule: EscapeRule(rawValue: group)!, description: "", phrases: [:])
            for (key, _, v) in fields {
                if key == "description" {
                    lexicon.description = string(v, file, "\(group).description") ?? ""
                    continue
                }
                guard let languages = mapping(v, file, "\(group).phrases", keys: nil) else { continue }
                for (language, keyNode, phrasesNode) in languages {
                    guard self.language(keyNode, file, "\(group).phrases: language") != nil,
                          let phrases = list(phrasesNode, file, "\(group).phrases.\(language)") else { continue }
                    var seen: Set<String> = []
                    var kept: [String] = []
                    for (phrase, node) in phrases {
                        let words = TicketText(phrase)
                        let normal = words.words.map { String(decoding: words.bytes[Int($0.start)..<Int($0.start + $0.count)], as: UTF8.self) }.joined(separator: " ")
                        if normal.isEmpty {
                            problem(node, file, "\(group).phrases.\(language): '\(phrase)' has no words")
                        } else if !seen.insert(normal).inserted {
                            problem(node, file, "\(group).phrases.\(language): '\(phrase)' is listed twice")
                        } else {
                            kept.append(phrase)
                        }
                    }
                    lexicon.phrases[language] = kept
                }
            }
            content.lexicons.append(lexicon)
        }
    }
}
