/// Which expert queue owns a model label, from the `labels` of queues.yaml: a label listed
/// by name wins; otherwise the first pattern that matches, in file order. A pattern holds
/// `*` (any run of characters, none included) and ignores the case of ASCII letters: `card_*`,
/// `*refund*`, or `*`
/// for every label no other entry takes. Patterns let a policy route a model's whole label set
/// without copying the list of labels into the policy.
public struct LabelRouting: Sendable, Hashable {
    private struct Pattern: Sendable, Hashable {
        /// ASCII-lower-cased, split at `*`: `*top_up*` is ["", "top_up", ""].
        var parts: [[UInt8]]
        var queue: String
    }

    private var exact: [String: String] = [:]
    private var patterns: [Pattern] = []

    public init(queues: [ExpertQueue]) {
        for queue in queues {
            for entry in queue.labels {
                if Self.isPattern(entry) {
                    let lower = entry.utf8.map(Self.lowercased)
                    patterns.append(Pattern(parts: lower.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init),
                                            queue: queue.name))
                } else if exact[entry] == nil {
                    exact[entry] = queue.name
                }
            }
        }
    }

    /// True for a `labels` entry that is a pattern rather than a label.
    public static func isPattern(_ entry: String) -> Bool { entry.utf8.contains(UInt8(ascii: "*")) }

    /// The queue that owns `label`, or nil when no entry takes it. Runs for every decision
    /// on a label the policy routes by pattern only: no allocation.
    public func queue(for label: String) -> String? {
        if let queue = exact[label] { return queue }
        guard !patterns.isEmpty else { return nil }
        var label = label
        return label.withUTF8 { text in patterns.first { Self.matches($0.parts, text) }?.queue }
    }

    @inline(__always)
    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Whether `text[at...]` starts with `part`, ignoring ASCII case (`part` is lower-case).
    private static func hasPart(_ part: [UInt8], in text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start >= 0, start + part.count <= text.count else { return false }
        for (i, byte) in part.enumerated() where lowercased(text[start + i]) != byte { return false }
        return true
    }

    /// Glob match with `*` only: the first part is a prefix, the last a suffix, the ones
    /// between appear in order, without overlapping.
    private static func matches(_ parts: [[UInt8]], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = parts.first, let last = parts.last else { return false }
        guard parts.count > 1 else { return first.count == text.count && hasPart(first, in: text, at: 0) }
        let end = text.count - last.count
        guard end >= first.count, hasPart(first, in: text, at: 0), hasPart(last, in: text, at: end) else { return false }
        var position = first.count
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = (position...max(position, end - part.count)).first(where: { hasPart(part, in: text, at: $0) && $0 + part.count <= end })
            else { return false }
            position = found + part.count
        }
        return true
    }
}
