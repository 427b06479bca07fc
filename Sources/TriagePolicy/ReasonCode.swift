/// A machine-readable reason for a decision. Stable strings: downstream tools, the audit
/// trail and docs/REASON-CODES.md rely on them.
public struct ReasonCode: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Routed to the expert queue that owns the predicted label.
    public static let routedByLabel = ReasonCode(rawValue: "routed_by_label")
    /// The customer asked for a person (escape hatch; cannot be disabled).
    public static let explicitRequest = ReasonCode(rawValue: "explicit_request")
    /// The ticket says `prefers_human: true`.
    public static let prefersHuman = ReasonCode(rawValue: "prefers_human")
    /// The model abstained: the ticket looks unlike anything it was trained on.
    public static let modelAbstained = ReasonCode(rawValue: "model_abstained")
    /// The top label's probability is under the policy's floor.
    public static let lowConfidence = ReasonCode(rawValue: "low_confidence")
    /// The model's label maps to no queue in the policy.
    public static let unknownLabel = ReasonCode(rawValue: "unknown_label")
}
