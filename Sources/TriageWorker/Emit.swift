import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire

/// Step 5, emit: the writes one decided ticket causes.
///
/// - `route`/`handoff`: the routed ticket to `queue.<name>`, keyed by customer id: the original
///   record's bytes, each kept as it was, with a `triage` object spliced in as the last member
///   (`RoutedTicket`);
/// - `automate`: the ticket with its `triage` object to `triage.automated`, one record per
///   action to `triage.actions`, and the reply to `triage.replies`. The reply is *held* until
///   every action and the ticket's audit record are acknowledged (say-to-do: nothing is
///   promised that is not already asked of the systems that act, and nothing is said that the
///   audit trail does not hold);
/// - always: one audit record, linked into this worker's hash chain for its audit partition
///   (`AuditChain`, the partition chosen by the customer's pseudonym), which the pipeline writes
///   to `triage.audit` together with the batch's other records of that partition
///   (`AuditMessage`), and the customer's new contact history to the compacted
///   `triage.contacts`, in the ticket's partition: once per customer per batch, the state
///   after the customer's last ticket of the batch (`Writes.contacts`; every ticket of theirs
///   in the batch waits for that one record).
struct Emit {
    let workerID: String
    let topics: TriageTopics
    let excerpt: Redactor?
    var chain: AuditChain
    /// `workerID` as a JSON string, quoted and escaped once: every routed ticket carries it.
    let workerIDJSON: [UInt8]

    init(workerID: String, topics: TriageTopics, excerpt: Redactor?, chain: AuditChain) {
        self.workerID = workerID
        self.topics = topics
        self.excerpt = excerpt
        self.chain = chain
        var json = JSONFragmentWriter(reservingCapacity: workerID.utf8.count + 2)
        json.string(workerID)
        workerIDJSON = json.finish()
    }

    /// Headers whose bytes are the same on every message of their kind, made once (not one
    /// `[UInt8]` each per message).
    static let contentTypeHeader = KafkaHeader(key: "content-type", string: "application/json")
    /// The `triage.decision` header for `kind`.
    static func decisionHeader(_ kind: DecisionKind) -> KafkaHeader {
        switch kind {
        case .automate: automateHeader
        case .route: routeHeader
        case .handoff: handoffHeader
        }
    }
    private static let automateHeader = KafkaHeader(key: WireHeader.decision, string: DecisionKind.automate.rawValue)
    private static let routeHeader = KafkaHeader(key: WireHeader.decision, string: DecisionKind.route.rawValue)
    private static let handoffHeader = KafkaHeader(key: WireHeader.decision, string: DecisionKind.handoff.rawValue)

    /// One write, and what the pipeline must know about it.
    struct Write {
        var message: KafkaProducerMessage
        /// Sent only once every `isAction` write of the ticket and its audit record are acknowledged.
        var held = false
        var isAction = false
    }

    /// Everything one decision writes: its messages, its sealed audit record, and the
    /// customer's contact history for the changelog.
    struct Writes {
        var messages: [Write]
        var audit: SealedAuditRecord? = nil
        var contacts: Contacts? = nil
        /// Writes the ticket waits for (the audit record and the contacts record count as one each).
        var count: Int { messages.count + (audit == nil ? 0 : 1) + (contacts == nil ? 0 : 1) }
    }

    /// The customer's history after this ticket, for `triage.contacts` in `partition` (the
    /// ticket's), keyed by `pseudonym`. The pipeline writes one such record per customer per
    /// batch: the changelog is compacted, only the latest state counts.
    struct Contacts {
        var partition: Int32
        var pseudonym: String
        var history: ContactHistory.Customer
    }

    /// Everything one decision writes but its audit record (`audit`, which `TicketSteps` times
    /// on its own and puts in `Writes.audit`).
    @inline(never)  // for benchmarks/instructions, which attributes cost by function
    func writes(ticket: Ticket, decided: Decide.Outcome, message: KafkaConsumerMessage, now: String) -> Writes {
        let decision = decided.decision
        // The bytes every message of the ticket carries, made once and shared (arrays are
        // copy-on-write): the key (the customer id) and the decision id header.
        let shared = Shared(key: Array(ticket.customerID.utf8), decisionID: KafkaHeader(key: WireHeader.decisionID, string: decision.id))
        let writes: [Write]
        if let reply = decision.reply, let replyID = decided.replyID, decision.kind == .automate {
            var automated: [Write] = []
            automated.reserveCapacity(decision.actions.count + 2)
            automated.append(Write(message: routed(ticket: ticket, original: message.value, decided: decided, now: now, topic: topics.automated,
                                                   shared: shared)))
            for action in decision.actions {
                automated.append(Write(message: self.action(action, reply: reply, replyID: replyID, ticket: ticket, decided: decided, now: now,
                                                            shared: shared),
                                       isAction: true))
            }
            automated.append(Write(message: self.reply(reply, replyID: replyID, ticket: ticket, decided: decided, now: now, shared: shared),
                                   held: true))
            writes = automated
        } else {
            writes = [Write(message: routed(ticket: ticket, original: message.value, decided: decided, now: now, shared: shared))]
        }
        return Writes(messages: writes, contacts: Contacts(partition: message.partition, pseudonym: decided.pseudonym, history: decided.history))
    }

    /// The decision's audit record, sealed into this worker's chain for its partition.
    @inline(never)  // for benchmarks/instructions
    mutating func audit(ticket: Ticket, decided: Decide.Outcome, message: KafkaConsumerMessage, latencyMicros: Int, now: String) -> SealedAuditRecord {
        chain.seal(DecisionAudit(
            ticket: ticket, decision: decided.decision,
            source: SourcePosition(topic: message.topic, partition: message.partition, offset: message.offset),
            workerID: workerID, decisionTime: now, latencyMicros: latencyMicros, customerPseudonym: decided.pseudonym,
            excerpt: excerpt?.excerpt(ticket.body), commitments: decided.commitments))
    }

    /// What every message of one ticket carries, made once for all of them.
    struct Shared {
        /// The message key: the customer id.
        var key: [UInt8]
        /// The `triage.decision_id` header.
        var decisionID: KafkaHeader
    }

    /// The ticket as sent, plus what was decided, for a queue (or `triage.automated`):
    /// `original` (the record's value) with the `triage` object spliced in.
    func routed(ticket: Ticket, original: [UInt8], decided: Decide.Outcome, now: String, topic: String? = nil,
                shared: Shared) -> KafkaProducerMessage {
        let decision = decided.decision
        let c = decision.classification
        // Literal keys and punctuation (`JSONFragmentWriter`): the same bytes `JSONWriter`
        // wrote, without its comma bookkeeping and key escaping on every member.
        // Room for the usual triage object (512 made one in seven grow); it is copied into the
        // ticket's bytes, so the room is not kept.
        var w = JSONFragmentWriter(reservingCapacity: 768)
        w.raw(#"{"decision_id":"#); w.string(decision.id)
        w.raw(#","decision":"#); w.string(decision.kind.rawValue)
        w.raw(#","queue":"#); w.string(decision.queue)
        w.raw(#","priority":"#); w.string(decision.priority.rawValue)
        w.raw(#","label":"#); w.string(c.label)
        w.raw(#","confidence":"#); w.double(c.confidence)
        w.raw(#","margin":"#); w.double(c.margin)
        w.raw(#","abstain":"#); w.bool(c.abstain)
        w.raw(#","reason_codes":["#)
        for (i, reason) in decision.reasons.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(reason.rawValue)
        }
        w.raw(#"],"evidence":["#)
        for (i, evidence) in decision.evidence.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(evidence)
        }
        w.raw(#"],"model_version":"#); w.string(c.modelVersion)
        w.raw(#","model_is_placeholder":"#); w.bool(c.isPlaceholder)
        w.raw(#","policy_version":"#); w.string(decision.policyVersion)
        w.raw(#","worker_id":"#); w.raw(workerIDJSON)
        w.raw(#","decided_at":"#); w.string(now)
        if let reply = decision.reply, let replyID = decided.replyID {
            w.raw(#","reply_id":"#); w.string(replyID)
            w.raw(#","template":"#); w.string(reply.templateID)
        }
        w.raw("}")
        w.trim()  // `w.bytes` below without a copy
        return KafkaProducerMessage(
            topic: topic ?? topics.queue(decision.queue), key: shared.key,
            value: RoutedTicket.value(original: original, carriesTriageMember: ticket.carriesTriageMember, triage: w.bytes),
            headers: [
                Self.contentTypeHeader,
                KafkaHeader(key: WireHeader.ticketID, string: ticket.id),
                shared.decisionID,
                Self.decisionHeader(decision.kind),
            ])
    }

    /// The automated reply: exact text (with the automated disclosure and the way to a person),
    /// and each commitment with its due time and the action that keeps it.
    func reply(_ reply: PlannedReply, replyID: String, ticket: Ticket, decided: Decide.Outcome, now: String,
               shared: Shared) -> KafkaProducerMessage {
        let decision = decided.decision
        let message = AutomatedReply.encode(
            replyID: replyID, decisionID: decision.id, ticketID: ticket.id, customerID: ticket.customerID,
            threadID: ticket.threadID ?? ticket.id, inReplyTo: ticket.id, template: reply.templateID, language: reply.language,
            text: reply.text,
            commitments: decided.commitments.map { .init(name: $0.name, dueTime: $0.dueTime, actionID: $0.action?.id, action: $0.action?.name) },
            policyVersion: decision.policyVersion, sentAt: now)
        return KafkaProducerMessage(topic: topics.replies, key: shared.key, value: message, headers: [shared.decisionID])
    }

    /// One action for the systems that act; `due_time` is the earliest due time of what it keeps.
    func action(_ action: PlannedAction, reply: PlannedReply, replyID: String, ticket: Ticket, decided: Decide.Outcome,
                now: String, shared: Shared) -> KafkaProducerMessage {
        let decision = decided.decision
        // The first of the earliest commitments it keeps (its due time is already written out),
        // by its index: no copy of the commitment and its action.
        let commitments = decided.commitments
        var due: Int?
        for (i, commitment) in commitments.enumerated() where action.fulfils.contains(commitment.name) {
            if commitment.dueAtMillis < due.map({ commitments[$0].dueAtMillis }) ?? .max { due = i }
        }
        let request = ActionRequest.encode(actionID: action.id, name: action.name, decisionID: decision.id, ticketID: ticket.id,
                                           replyID: replyID, template: reply.templateID, fulfils: action.fulfils,
                                           dueTime: due.map { commitments[$0].dueTime }, parameters: action.parameters, requestedAt: now)
        return KafkaProducerMessage(topic: topics.actions, key: shared.key, value: request,
                                    headers: [shared.decisionID, KafkaHeader(key: WireHeader.actionID, string: action.id)])
    }
}
