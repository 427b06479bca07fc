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
public struct AuditRecord: Sendable, Hashable {
    public static let schemaVersion = 2
    static let fieldEvidence = ["label:", "p:", "margin:", "template:"]

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
    /// Cohort attributes for fairness statistics: the ticket's `attributes`, plus its
    /// `language` and `channel`. Never read by the model or the rules.
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
        decisionID = decision.id
        ticketID = ticket.id
        self.customerPseudonym = customerPseudonym
        eventTime = ticket.createdAt
        self.decisionTime = decisionTime
        self.workerID = workerID
        modelVersion = decision.classification.modelVersion
        classifierIsPlaceholder = decision.classification.isPlaceholder
        policyVersion = decision.policyVersion
        label = decision.classification.label
        confidence = decision.classification.confidence
        top = decision.classification.top
        margin = decision.classification.margin
        abstain = decision.classification.abstain
        self.decision = decision.kind
        queue = decision.queue
        priority = decision.priority
        reasons = decision.reasons
        var cohort: [(String, String)] = []
        if let language = ticket.language { cohort.append(("language", language)) }
        if let channel = ticket.channel { cohort.append(("channel", channel)) }
        for (key, value) in ticket.attributes where key != "language" && key != "channel" { cohort.append((key, value)) }
        self.cohort = cohort
        self.latencyMicros = latencyMicros
        self.source = source
        // Evidence that repeats a field of the record (label, probability, margin, template)
        // is left out; the rules and lexicon entries that fired stay.
        self.evidence = decision.evidence.filter { item in
            // The repeated fields start with l, p, m or t: skip the prefix checks for the rest.
            guard let first = item.utf8.first, [UInt8(ascii: "l"), UInt8(ascii: "p"), UInt8(ascii: "m"), UInt8(ascii: "t")].contains(first) else { return true }
            return !Self.fieldEvidence.contains { item.hasPrefix($0) }
        }
        if let reply = decision.reply {
            template = reply.templateID
            commitments = reply.commitments.map { commitment in
                let action = decision.actions.first { $0.fulfils.contains(commitment.name) }?.name ?? ""
                return AuditCommitment(name: commitment.name, action: action, dueTime: UTCTime.rfc3339(millis: commitment.dueAtMillis))
            }
        }
    }

    public static func == (a: Self, b: Self) -> Bool { a.encoded() == b.encoded() }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded()) }

    /// The record as compact JSON, in the order docs/AUDIT-SCHEMA.md lists the fields.
    ///
    /// Written with literal fragments (`JSONFragmentWriter`) rather than `JSONWriter`: the
    /// worker writes one record per ticket, and this is part of the audit trail's cost budget.
    public func encoded() -> [UInt8] {
        var w = JSONFragmentWriter(reservingCapacity: 1024)
        w.raw("{\"schema_version\":"); w.int(Self.schemaVersion)
        w.raw(",\"decision_id\":"); w.string(decisionID)
        w.raw(",\"ticket_id\":"); w.string(ticketID)
        w.raw(",\"customer\":"); w.string(customerPseudonym)
        w.raw(",\"event_time\":"); w.string(eventTime)
        w.raw(",\"decision_time\":"); w.string(decisionTime)
        w.raw(",\"worker_id\":"); w.string(workerID)
        w.raw(",\"model_version\":"); w.string(modelVersion)
        w.raw(",\"model_is_placeholder\":"); w.bool(classifierIsPlaceholder)
        w.raw(",\"policy_version\":"); w.string(policyVersion)
        w.raw(",\"label\":"); w.string(label)
        w.raw(",\"confidence\":"); w.decimal6(confidence)
        w.raw(",\"top\":[")
        for (i, candidate) in top.enumerated() {
            w.raw(i == 0 ? "{\"label\":" : ",{\"label\":"); w.string(candidate.label)
            w.raw(",\"probability\":"); w.decimal6(candidate.probability)
            w.raw("}")
        }
        w.raw("],\"margin\":"); w.decimal6(margin)
        w.raw(",\"abstain\":"); w.bool(abstain)
        w.raw(",\"decision\":"); w.string(decision.rawValue)
        w.raw(",\"queue\":"); w.string(queue)
        w.raw(",\"priority\":"); w.string(priority.rawValue)
        w.raw(",\"reasons\":[")
        for (i, reason) in reasons.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(reason.rawValue)
        }
        w.raw("],\"cohort\":{")
        for (i, (key, value)) in cohort.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(key); w.raw(":"); w.string(value)
        }
        w.raw("},\"latency_us\":"); w.int(latencyMicros)
        w.raw(",\"source\":{\"topic\":"); w.string(source.topic)
        w.raw(",\"partition\":"); w.int(Int(source.partition))
        w.raw(",\"offset\":"); w.int(source.offset)
        w.raw("},\"template\":"); w.string(template)
        w.raw(",\"commitments\":[")
        for (i, commitment) in commitments.enumerated() {
            w.raw(i == 0 ? "{\"name\":" : ",{\"name\":"); w.string(commitment.name)
            w.raw(",\"action\":"); w.string(commitment.action)
            w.raw(",\"due_time\":"); w.string(commitment.dueTime)
            w.raw("}")
        }
        w.raw("],\"evidence\":[")
        for (i, line) in evidence.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(line)
        }
        w.raw("]")
        if let excerpt { w.raw(",\"excerpt\":"); w.string(excerpt) }
        if let chain {
            w.raw(",\"chain\":{\"id\":"); w.string(chain.chainID)
            w.raw(",\"partition\":"); w.int(Int(chain.partition))
            w.raw(",\"seq\":"); w.int(chain.seq)
            w.raw(",\"prev\":"); w.string(chain.previousHash)
            w.raw("}")
        }
        w.raw("}")
        return w.bytes
    }
}
