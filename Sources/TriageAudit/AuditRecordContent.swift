import TriageCore
import TriagePolicy

/// What an audit record says, however it is held: an `AuditRecord` (a value, for tests and
/// tools) or a `DecisionAudit` (read straight from the ticket and the decision the worker has
/// in hand, nothing copied or derived ahead of time). `AuditRecord.encode` writes either, so
/// there is one encoder and one field order.
public protocol AuditRecordContent {
    var decisionID: String { get }
    var ticketID: String { get }
    var customerPseudonym: String { get }
    var eventTime: String? { get }
    var decisionTime: String { get }
    var workerID: String { get }
    var modelVersion: String { get }
    var classifierIsPlaceholder: Bool { get }
    var policyVersion: String { get }
    var label: String { get }
    var confidence: Double { get }
    var top: [Classification.Candidate] { get }
    var margin: Double { get }
    var abstain: Bool { get }
    var decision: DecisionKind { get }
    var queue: String { get }
    var priority: Priority { get }
    var reasons: [ReasonCode] { get }
    var latencyMicros: Int { get }
    var source: SourcePosition { get }
    var template: String? { get }
    var excerpt: String? { get }
    /// The cohort attributes, in record order.
    func forEachCohort(_ body: (String, String) -> Void)
    func forEachCommitment(_ body: (AuditCommitment) -> Void)
    func forEachEvidence(_ body: (String) -> Void)
}

/// The audit record of one decision, as a view over the ticket and the decision: what the
/// worker seals for every ticket (`AuditChain.seal`), without building an `AuditRecord` first.
public struct DecisionAudit: AuditRecordContent {
    public let ticket: Ticket
    public let made: Decision
    public let source: SourcePosition
    public let workerID: String
    public let decisionTime: String
    public let latencyMicros: Int
    public let customerPseudonym: String
    public let excerpt: String?
    /// The reply's commitments with their due times and actions (`Decision.resolvedCommitments`).
    public let commitments: [ResolvedCommitment]

    /// `commitments`: the decision's, when the caller has already resolved them (the worker
    /// does, once per ticket, for the reply, the actions and this record).
    public init(ticket: Ticket, decision: Decision, source: SourcePosition, workerID: String, decisionTime: String,
                latencyMicros: Int, customerPseudonym: String, excerpt: String? = nil, commitments: [ResolvedCommitment]? = nil) {
        self.ticket = ticket
        self.made = decision
        self.commitments = commitments ?? decision.resolvedCommitments()
        self.source = source
        self.workerID = workerID
        self.decisionTime = decisionTime
        self.latencyMicros = latencyMicros
        self.customerPseudonym = customerPseudonym
        self.excerpt = excerpt
    }

    public var decisionID: String { made.id }
    public var ticketID: String { ticket.id }
    public var eventTime: String? { ticket.createdAt }
    public var modelVersion: String { made.classification.modelVersion }
    public var classifierIsPlaceholder: Bool { made.classification.isPlaceholder }
    public var policyVersion: String { made.policyVersion }
    public var label: String { made.classification.label }
    public var confidence: Double { made.classification.confidence }
    public var top: [Classification.Candidate] { made.classification.top }
    public var margin: Double { made.classification.margin }
    public var abstain: Bool { made.classification.abstain }
    public var decision: DecisionKind { made.kind }
    public var queue: String { made.queue }
    public var priority: Priority { made.priority }
    public var reasons: [ReasonCode] { made.reasons }
    public var template: String? { made.reply?.templateID }

    /// The ticket's `language`, `channel` and `attributes` as the policy declares them
    /// (`Decision.cohort`, cohorts.yaml): undeclared attributes left out, undeclared values
    /// as `other`, in the declaration's order.
    public func forEachCohort(_ body: (String, String) -> Void) {
        made.cohort.forEach(body)
    }

    /// Each promise of the automated reply, with the action that keeps it.
    public func forEachCommitment(_ body: (AuditCommitment) -> Void) {
        for commitment in commitments {
            body(AuditCommitment(name: commitment.name, action: commitment.action?.name ?? "", dueTime: commitment.dueTime))
        }
    }

    /// The rules and lexicon entries that fired; evidence that repeats a field of the record
    /// (label, probability, margin, template) is left out.
    public func forEachEvidence(_ body: (String) -> Void) {
        for item in made.evidence where !Self.repeatsAField(item) { body(item) }
    }

    static let fieldEvidence = ["label:", "p:", "margin:", "template:"]

    static func repeatsAField(_ item: String) -> Bool {
        if let decided = item.utf8.withContiguousStorageIfAvailable(repeatsAField(utf8:)), let decided { return decided }
        return fieldEvidence.contains { item.hasPrefix($0) }
    }

    /// `repeatsAField` from the UTF-8 bytes, without `String.hasPrefix` (a few hundred
    /// instructions a call, four calls for most decisions); nil when only `hasPrefix` can say.
    ///
    /// The same answer: the prefixes are ASCII and start with four different letters, so the
    /// first byte names the one candidate. `hasPrefix` compares the bytes of an ASCII string; for
    /// other strings it compares characters, which agree with the bytes unless a character right
    /// after the prefix could extend the prefix's last one (a combining mark, say): that is
    /// left to `hasPrefix` (a non-ASCII byte there). No other text is canonically equivalent to
    /// these ASCII letters and the colon, so bytes that differ mean no prefix either way.
    private static func repeatsAField(utf8: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let first = utf8.first else { return false }
        let prefix: StaticString
        switch first {
        case UInt8(ascii: "l"): prefix = "label:"
        case UInt8(ascii: "p"): prefix = "p:"
        case UInt8(ascii: "m"): prefix = "margin:"
        case UInt8(ascii: "t"): prefix = "template:"
        default: return false
        }
        let length = prefix.utf8CodeUnitCount
        guard utf8.count >= length else { return false }
        for i in 1..<length where utf8[i] != prefix.utf8Start[i] { return false }
        return utf8.count == length || utf8[length] < 0x80 ? true : nil
    }
}

/// One promise of an automated reply, resolved once for everything that states it (the
/// reply, the action that keeps it, the audit record): its due time as RFC 3339 and the
/// first action that fulfils it.
public struct ResolvedCommitment: Sendable, Hashable {
    public var name: String
    public var dueAtMillis: Int64
    /// `dueAtMillis` as RFC 3339 UTC with milliseconds.
    public var dueTime: String
    /// Nil when no action of the decision fulfils it.
    public var action: PlannedAction?
}

extension Decision {
    /// The reply's commitments in the reply's order, each with its due time and action; empty
    /// without a reply.
    public func resolvedCommitments() -> [ResolvedCommitment] {
        guard let reply else { return [] }
        return reply.commitments.map { commitment in
            ResolvedCommitment(name: commitment.name, dueAtMillis: commitment.dueAtMillis,
                               dueTime: UTCTime.rfc3339(millis: commitment.dueAtMillis),
                               action: actions.first { $0.fulfils.contains(commitment.name) })
        }
    }
}
