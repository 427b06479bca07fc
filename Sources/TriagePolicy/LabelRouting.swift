/// Which expert queue owns a model label, from the `labels` of queues.yaml: a label listed
/// by name wins; otherwise the first pattern that matches, in file order. A pattern holds
/// `*` (any run of characters, none included) and ignores case: `card_*`, `*refund*`, or `*`
/// for every label no other entry takes. Patterns let a policy route a model's whole label set
/// without copying the list of labels into the policy.
public struct LabelRouting: Sendable, Hashable {
    private struct Pattern: Sendable, Hashable {
        /// Lower-cased, split at `*`: `*top_up*` is ["", "top_up", ""].
        var parts: [[UInt8]]
        var queue: String
    }

    private var exact: [String: String] = [:]
    private var patterns: [Pattern] = []

    public init(queues: [ExpertQueue]) {
        for queue in queues {
            for entry in queue.labels {
                if Self.isPattern(entry) {
                    patterns.append(Pattern(parts: Array(entry.lowercased().utf8).split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init),
                                            queue: queue.name))
                } else if exact[entry] == nil {
                    exact[entry] = queue.name
                }
            }
        }
    }

    /// True for a `labels` entry that is a pattern rather than a label.
    public static func isPattern(_ entry: String) -> Bool { entry.utf8.contains(UInt8(ascii: "*")) }

    /// The queue that owns `label`, or nil when no entry takes it.
    public func queue(for label: String) -> String? {
        if let queue = exact[label] { return queue }
        guard !patterns.isEmpty else { return nil }
        let text = Array(label.lowercased().utf8)
        return patterns.first { Self.matches($0.parts, text) }?.queue
    }

    /// Glob match with `*` only: the first part is a prefix, the last a suffix, the ones
    /// between appear in order.
    private static func matches(_ parts: [[UInt8]], _ text: [UInt8]) -> Bool {
        guard parts.count > 1 else { return parts.first == text }
        guard text.starts(with: parts[0]), text.count >= parts[0].count + parts[parts.count - 1].count,
              text.reversed().starts(with: parts[parts.count - 1].reversed()) else { return false }
        var position = parts[0].count
        let end = text.count - parts[parts.count - 1].count
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = find(part, in: text, from: position, before: end) else { return false }
            position = found + part.count
        }
        return true
    }

    private static func find(_ part: [UInt8], in text: [UInt8], from start: Int, before end: Int) -> Int? {
        guard end - start >= part.count else { return nil }
        for i in start...(end - part.count) where text[i..<(i + part.count)].elementsEqual(part) { return i }
        return nil
    }
}
