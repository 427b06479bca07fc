import TriageCore
import TriagePolicy

/// Where a ticket was read from.
public struct SourcePosition: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// A commitment an automated reply stated, as the audit trail records it.
public struct AuditCommitment: Sendable, Hashable {
    public var name: String
    /// The action that fulfils it (emitted to `triage.actions` in the same unit of work).
    public var action: String
    /// When it is due, RFC 3339 UTC.
    public var dueTime: String
    public init(name: String, action: String, dueTime: String) {
        self.name = name
        self.action = action
        self.dueTime = dueTime
    }
}

/// One record per decision on `triage.audit` (schema version 2, see docs/AUDIT-SCHEMA.md and
/// docs/audit-record.schema.json).
///
/// It carries what a reviewer needs to check the decision and compare cohorts, and never
/// the raw customer id or the ticket text: the customer is a keyed pseudonym.
public struct AuditRecord: Sendable, Hashable, AuditRecordContent {
    public static let schemaVersion = 2

    public var decisionID: String
    public var ticketID: String
    public var customerPseudonym: String
    /// The ticket's `created_at`, when it had one.
    public var eventTime: String?
    /// When the decision was made, RFC 3339 UTC.
    public var decisionTime: String
    public var workerID: String
    public var modelVersion: String
    public var classifierIsPlaceholder: Bool
    public var policyVersion: String
    public var label: String
    public var confidence: Double
    public var top: [Classification.Candidate]
    public var margin: Double
    public var abstain: Bool
    public var decision: DecisionKind
    public var queue: String
    public var priority: Priority
    public var reasons: [ReasonCode]
    /// Cohort attributes for fairness statistics: the ticket's `language`, `channel` and
    /// `attributes` that the policy declares, with declared values or `other`
    /// (`Decision.cohort`). Never read by the model or the rules.
    public var cohort: [(String, String)]
    public var latencyMicros: Int
    public var source: SourcePosition
    /// The reply template used (automate only).
    public var template: String? = nil
    /// What the automated reply promised (automate only).
    public var commitments: [AuditCommitment] = []
    /// Rules that fired, with their evidence, as the policy wrote them.
    public var evidence: [String] = []
    /// A redacted excerpt of the ticket text, only when the worker is told to add one.
    public var excerpt: String? = nil
    /// The hash-chain link; set by `AuditChain.seal`.
    public var chain: ChainLink? = nil

    public init(ticket: Ticket, decision: Decision, source: SourcePosition, workerID: String,
                decisionTime: String, latencyMicros: Int, pseudonymizer: Pseudonymizer) {
        self.init(ticket: ticket, decision: decision, source: source, workerID: workerID, decisionTime: decisionTime,
                  latencyMicros: latencyMicros, customerPseudonym: pseudonymizer.pseudonym(ticket.customerID))
    }

    /// With the customer's pseudonym already computed (the worker needs it for other writes too).
    public init(ticket: Ticket, decision: Decision, source: SourcePosition, workerID: String,
                decisionTime: String, latencyMicros: Int, customerPseudonym: String) {
        self.init(DecisionAudit(ticket: ticket, decision: decision, source: source, workerID: workerID,
                                decisionTime: decisionTime, latencyMicros: latencyMicros, customerPseudonym: customerPseudonym))
    }

    /// The same record as a value.
    public init(_ content: some AuditRecordContent) {
        decisionID = content.decisionID
        ticketID = content.ticketID
        customerPseudonym = content.customerPseudonym
        eventTime = content.eventTime
        decisionTime = content.decisionTime
        workerID = content.workerID
        modelVersion = content.modelVersion
        classifierIsPlaceholder = content.classifierIsPlaceholder
        policyVersion = content.policyVersion
        label = content.label
        confidence = content.confidence
        top = content.top
        margin = content.margin
        abstain = content.abstain
        decision = content.decision
        queue = content.queue
        priority = content.priority
        reasons = content.reasons
        latencyMicros = content.latencyMicros
        source = content.source
        template = content.template
        excerpt = content.excerpt
        var cohort: [(String, String)] = []
        content.forEachCohort { cohort.append(($0, $1)) }
        self.cohort = cohort
        var commitments: [AuditCommitment] = []
        content.forEachCommitment { commitments.append($0) }
        self.commitments = commitments
        var evidence: [String] = []
        content.forEachEvidence { evidence.append($0) }
        self.evidence = evidence
    }

    public func forEachCohort(_ body: (String, String) -> Void) { for (key, value) in cohort { body(key, value) } }
    public func forEachCommitment(_ body: (AuditCommitment) -> Void) { commitments.forEach(body) }
    public func forEachEvidence(_ body: (String) -> Void) { evidence.forEach(body) }

    public static func == (a: Self, b: Self) -> Bool { a.encoded() == b.encoded() }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded()) }

    /// The record as compact JSON, in the order docs/AUDIT-SCHEMA.md lists the fields.
    public func encoded() -> [UInt8] { Self.encode(self, chain: chain) }

    /// Any record content as compact JSON, with `chain` as its link.
    ///
    /// Written with literal fragments (`JSONFragmentWriter`) rather than `JSONWriter`: the
    /// worker writes one record per ticket, and this is part of the audit trail's cost budget.
    public static func encode(_ r: some AuditRecordContent, chain: ChainLink?) -> [UInt8] {
        var w = JSONFragmentWriter(reservingCapacity: typicalCapacity)
        writeFields(r, to: &w)
        if let chain {
            w.raw(",\"chain\":{\"id\":"); w.string(chain.chainID)
            w.raw(",\"partition\":"); w.int(Int(chain.partition))
            w.raw(",\"seq\":"); w.int(chain.seq)
            w.raw(",\"prev\":"); w.string(chain.previousHash)
            w.raw("}")
        }
        w.raw("}")
        return w.finish()
    }

    /// Room reserved for one record: 1,024 made almost half of pipeline-bench's records grow
    /// (a copy each); longer ones (much evidence, an excerpt) still grow.
    static let typicalCapacity = 1536

    /// The record's members before `chain`, from its opening brace (left open): the part of
    /// the bytes that `AuditChain` does not write itself.
    static func writeFields(_ r: some AuditRecordContent, to w: inout JSONFragmentWriter) {
        w.raw("{\"schema_version\":"); w.int(Self.schemaVersion)
        w.raw(",\"decision_id\":"); w.string(r.decisionID)
        w.raw(",\"ticket_id\":"); w.string(r.ticketID)
        w.raw(",\"customer\":"); w.string(r.customerPseudonym)
        w.raw(",\"event_time\":"); w.string(r.eventTime)
        w.raw(",\"decision_time\":"); w.string(r.decisionTime)
        w.raw(",\"worker_id\":"); w.string(r.workerID)
        w.raw(",\"model_version\":"); w.string(r.modelVersion)
        w.raw(",\"model_is_placeholder\":"); w.bool(r.classifierIsPlaceholder)
        w.raw(",\"policy_version\":"); w.string(r.policyVersion)
        w.raw(",\"label\":"); w.string(r.label)
        w.raw(",\"confidence\":"); w.decimal6(r.confidence)
        w.raw(",\"top\":[")
        for (i, candidate) in r.top.enumerated() {
            w.raw(i == 0 ? "{\"label\":" : ",{\"label\":"); w.string(candidate.label)
            w.raw(",\"probability\":"); w.decimal6(candidate.probability)
            w.raw("}")
        }
        w.raw("],\"margin\":"); w.decimal6(r.margin)
        w.raw(",\"abstain\":"); w.bool(r.abstain)
        w.raw(",\"decision\":"); w.string(r.decision.rawValue)
        w.raw(",\"queue\":"); w.string(r.queue)
        w.raw(",\"priority\":"); w.string(r.priority.rawValue)
        w.raw(",\"reasons\":[")
        for (i, reason) in r.reasons.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(reason.rawValue)
        }
        w.raw("],\"cohort\":{")
        var first = true
        r.forEachCohort { key, value in
            if !first { w.raw(",") }
            first = false
            w.string(key); w.raw(":"); w.string(value)
        }
        w.raw("},\"latency_us\":"); w.int(r.latencyMicros)
        w.raw(",\"source\":{\"topic\":"); w.string(r.source.topic)
        w.raw(",\"partition\":"); w.int(Int(r.source.partition))
        w.raw(",\"offset\":"); w.int(r.source.offset)
        w.raw("},\"template\":"); w.string(r.template)
        w.raw(",\"commitments\":[")
        first = true
        r.forEachCommitment { commitment in
            w.raw(first ? "{\"name\":" : ",{\"name\":"); w.string(commitment.name)
            first = false
            w.raw(",\"action\":"); w.string(commitment.action)
            w.raw(",\"due_time\":"); w.string(commitment.dueTime)
            w.raw("}")
        }
        w.raw("],\"evidence\":[")
        first = true
        r.forEachEvidence { line in
            if !first { w.raw(",") }
            first = false
            w.string(line)
        }
        w.raw("]")
        if let excerpt = r.excerpt { w.raw(",\"excerpt\":"); w.string(excerpt) }
    }
}
