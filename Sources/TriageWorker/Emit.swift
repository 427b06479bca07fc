import Kafka
import TriageAudit
import TriageCore
import TriagePolicy

/// Step 5, emit: the writes one decided ticket causes.
///
/// - the routed ticket to `queue.<name>`, keyed by customer id: the original JSON (unknown
///   fields kept, in order) plus a `triage` object;
/// - one audit record to `triage.audit`, keyed by the customer's pseudonym and linked into
///   this worker's hash chain for its partition (`AuditChain`).
struct Emit {
    let workerID: String
    let auditTopic: String
    let pseudonymizer: Pseudonymizer
    let excerpt: Redactor?
    var chain: AuditChain

    /// One write, and for the audit record its place in the chain.
    struct Write {
        var message: KafkaProducerMessage
        var audit: SealedAuditRecord?
    }

    mutating func writes(ticket: Ticket, decision: Decision, message: KafkaConsumerMessage, latencyMicros: Int, now: String) -> [Write] {
        [Write(message: routed(ticket: ticket, decision: decision, now: now)),
         audit(ticket: ticket, decision: decision, message: message, latencyMicros: latencyMicros, now: now)]
    }

    /// The decision's audit record, sealed into this worker's chain for its partition.
    mutating func audit(ticket: Ticket, decision: Decision, message: KafkaConsumerMessage, latencyMicros: Int, now: String) -> Write {
        var audit = AuditRecord(
            ticket: ticket, decision: decision,
            source: SourcePosition(topic: message.topic, partition: message.partition, offset: message.offset),
            workerID: workerID, decisionTime: now, latencyMicros: latencyMicros, pseudonymizer: pseudonymizer)
        audit.excerpt = excerpt?.excerpt(ticket.body)
        let sealed = chain.seal(&audit)
        return Write(
            message: KafkaProducerMessage(
                topic: auditTopic, partition: sealed.partition, key: audit.customerPseudonym, value: sealed.bytes,
                headers: [KafkaHeader(key: "triage.decision_id", string: decision.id),
                          KafkaHeader(key: "triage.ticket_id", string: ticket.id)]),
            audit: sealed)
    }

    func routed(ticket: Ticket, decision: Decision, now: String) -> KafkaProducerMessage {
        let c = decision.classification
        let triage: JSONObject = [
            "decision_id": .string(decision.id),
            "decision": .string(decision.kind.rawValue),
            "queue": .string(decision.queue),
            "priority": .string(decision.priority.rawValue),
            "label": .string(c.label),
            "confidence": .double(c.confidence),
            "margin": .double(c.margin),
            "abstain": .bool(c.abstain),
            "reason_codes": .array(decision.reasons.map { .string($0.rawValue) }),
            "model_version": .string(c.modelVersion),
            "model_is_placeholder": .bool(c.isPlaceholder),
            "policy_version": .string(decision.policyVersion),
            "worker_id": .string(workerID),
            "decided_at": .string(now),
        ]
        var object = ticket.original
        object["triage"] = .object(triage)
        return KafkaProducerMessage(
            topic: decision.topic, key: ticket.customerID, value: JSONValue.object(object).serializedBytes(),
            headers: [
                KafkaHeader(key: "content-type", string: "application/json"),
                KafkaHeader(key: "triage.ticket_id", string: ticket.id),
                KafkaHeader(key: "triage.decision_id", string: decision.id),
                KafkaHeader(key: "triage.decision", string: decision.kind.rawValue),
            ])
    }
}
