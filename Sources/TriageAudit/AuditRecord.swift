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

    /// Probabilities are written with 6 decimals: enough to compare with any threshold, and
    /// the audit trail stays small.
    static func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }

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
        self.evidence = decision.evidence.filter { item in !Self.fieldEvidence.contains { item.hasPrefix($0) } }
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

    /// The record as compact JSON.
    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 768)
        w.beginObject()
        w.key("schema_version"); w.int(Self.schemaVersion)
        w.key("decision_id"); w.string(decisionID)
        w.key("ticket_id"); w.string(ticketID)
        w.key("customer"); w.string(customerPseudonym)
        w.key("event_time"); if let eventTime { w.string(eventTime) } else { w.null() }
        w.key("decision_time"); w.string(decisionTime)
        w.key("worker_id"); w.string(workerID)
        w.key("model_version"); w.string(modelVersion)
        w.key("model_is_placeholder"); w.bool(classifierIsPlaceholder)
        w.key("policy_version"); w.string(policyVersion)
        w.key("label"); w.string(label)
        w.key("confidence"); w.double(Self.rounded(confidence))
        w.key("top")
        w.beginArray()
        for candidate in top {
            w.beginObject()
            w.key("label"); w.string(candidate.label)
            w.key("probability"); w.double(Self.rounded(candidate.probability))
            w.endObject()
        }
        w.endArray()
        w.key("margin"); w.double(Self.rounded(margin))
        w.key("abstain"); w.bool(abstain)
        w.key("decision"); w.string(decision.rawValue)
        w.key("queue"); w.string(queue)
        w.key("priority"); w.string(priority.rawValue)
        w.key("reasons")
        w.beginArray()
        for reason in reasons { w.string(reason.rawValue) }
        w.endArray()
        w.key("cohort")
        w.beginObject()
        for (key, value) in cohort { w.key(key); w.string(value) }
        w.endObject()
        w.key("latency_us"); w.int(latencyMicros)
        w.key("source")
        w.beginObject()
        w.key("topic"); w.string(source.topic)
        w.key("partition"); w.int(Int(source.partition))
        w.key("offset"); w.int(source.offset)
        w.endObject()
        w.key("template"); if let template { w.string(template) } else { w.null() }
        w.key("commitments")
        w.beginArray()
        for commitment in commitments {
            w.beginObject()
            w.key("name"); w.string(commitment.name)
            w.key("action"); w.string(commitment.action)
            w.key("due_time"); w.string(commitment.dueTime)
            w.endObject()
        }
        w.endArray()
        w.key("evidence")
        w.beginArray()
        for line in evidence { w.string(line) }
        w.endArray()
        if let excerpt { w.key("excerpt"); w.string(excerpt) }
        if let chain {
            w.key("chain")
            w.beginObject()
            w.key("id"); w.string(chain.chainID)
            w.key("partition"); w.int(Int(chain.partition))
            w.key("seq"); w.int(chain.seq)
            w.key("prev"); w.string(chain.previousHash)
            w.endObject()
        }
        w.endObject()
        return w.bytes
    }
}
