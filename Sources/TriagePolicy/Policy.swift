import TriageCore

/// The routing policy: which queue owns each label, when a person must take over, and
/// how a ticket's decision is made.
///
/// First version (foundation): route by label, hand off on the escape hatch, `prefers_human`,
/// abstention and low confidence. The routing-policy issue adds automated replies with
/// say-to-do commitments and loads all of this from `prompts/`.
public struct Policy: Sendable {
    public var queues: [ExpertQueue]
    public var escapeHatch: EscapeHatch
    /// Under this top-1 probability the ticket goes to a person.
    public var minConfidence: Double
    /// Content hash of what the policy is made of.
    public let version: String
    private let queueForLabel: [String: String]

    public init(queues: [ExpertQueue], escapeHatch: EscapeHatch = EscapeHatch(), minConfidence: Double = 0.5) {
        self.queues = queues
        self.escapeHatch = escapeHatch
        self.minConfidence = minConfidence
        var map: [String: String] = [:]
        for queue in queues { for label in queue.labels { map[label] = queue.name } }
        self.queueForLabel = map
        var fingerprint = "min_confidence=\(minConfidence);"
        for queue in queues { fingerprint += "\(queue.name):\(queue.labels.joined(separator: ","));" }
        fingerprint += escapeHatch.phrases.joined(separator: "|") + "#" + escapeHatch.guards.joined(separator: "|")
        self.version = "p-" + StableHash.hex64(fingerprint)
    }

    /// Queue names, `human` included.
    public var queueNames: [String] { queues.map(\.name) + [ExpertQueue.humanQueueName] }

    /// The queue that owns a label, if any.
    public func queue(forLabel label: String) -> String? { queueForLabel[label] }

    /// Decides what to do with one ticket. Pure: the same inputs give the same decision.
    public func decide(_ ticket: Ticket, classification: Classification, decisionID: String) -> Decision {
        var reasons: [ReasonCode] = []
        if escapeHatch.asksForPerson(ticket.body) || ticket.subject.map(escapeHatch.asksForPerson) == true {
            reasons.append(.explicitRequest)
        }
        if ticket.prefersHuman { reasons.append(.prefersHuman) }
        if classification.abstain { reasons.append(.modelAbstained) }
        if classification.confidence < minConfidence { reasons.append(.lowConfidence) }
        let labelQueue = queueForLabel[classification.label]
        if labelQueue == nil { reasons.append(.unknownLabel) }

        let kind: DecisionKind
        let queue: String
        if reasons.isEmpty {
            kind = .route
            queue = labelQueue!
            reasons = [.routedByLabel]
        } else {
            kind = .handoff
            // A clear category goes to its experts; otherwise to the general human queue.
            let categoryIsClear = labelQueue != nil && !classification.abstain && classification.confidence >= minConfidence
            queue = categoryIsClear ? labelQueue! : ExpertQueue.humanQueueName
        }
        return Decision(
            id: decisionID, kind: kind, queue: queue, priority: kind == .handoff ? .high : .normal,
            reasons: reasons, classification: classification, policyVersion: version)
    }

    /// The demo's policy: the queues of the sample bank support desk.
    public static let demo = Policy(queues: [
        ExpertQueue(name: "cards", description: "Lost, stolen and undelivered cards", labels: ["card_lost", "card_not_arrived"]),
        ExpertQueue(name: "payments", description: "Failed payments and refunds", labels: ["payment_failed", "refund_request"]),
        ExpertQueue(name: "account", description: "Sign-in problems and personal details", labels: ["login_problem", "update_details"]),
        ExpertQueue(name: "fraud", description: "Suspicious transactions", labels: ["suspicious_transaction"]),
        ExpertQueue(name: "general", description: "Everything else", labels: ["general_question"]),
    ])
}
