import Testing
import TestSupport
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire
@testable import Kafka
@testable import TriageWorker

/// The outbox as a state machine, without Kafka: what it asks the pipeline to send, when a
/// ticket's writes count as done, when a held reply goes out, retries and forgetting.
@Suite("Outbox: pending writes, held replies, retries, the batch's shared records")
struct OutboxTests {
    typealias Action = Outbox.Action
    let p0 = KafkaTopicPartition(topic: "tickets", partition: 0)

    /// The writes the real decide and emit steps make for `body` from customer `customer`.
    struct Made {
        var writes: Emit.Writes
        var decision: Decision
    }

    static func make(_ body: String, customer: String = "cust-1", offset: Int64 = 0, label: String, emit: inout Emit, decide: inout Decide) throws -> Made {
        let json = #"{"id":"T-\#(offset)","customer_id":"\#(customer)","body":"\#(body)"}"#
        let message = KafkaConsumerMessage(topic: "tickets", partition: 0, offset: offset, key: nil, value: Array(json.utf8))
        guard case .success(let ticket) = Decode(limits: RecordLimits(), maxDepth: 16)(message) else { throw TestFailure("decodes") }
        let classification = Classification(label: label, confidence: 0.95, top: [.init(label: label, probability: 0.95)],
                                            margin: 0.9, abstain: false, modelVersion: "m-1", isPlaceholder: false)
        let decided = decide(ticket, classification, from: message, nowMillis: 1_767_225_600_000, disabledTemplates: [], automation: true)
        var writes = emit.writes(ticket: ticket, decided: decided, message: message, now: "2026-01-01T00:00:00.000Z")
        writes.audit = emit.audit(ticket: ticket, decided: decided, message: message, latencyMicros: 1, now: "2026-01-01T00:00:00.000Z")
        return Made(writes: writes, decision: decided.decision)
    }

    static func steps() -> (Emit, Decide) {
        (Emit(workerID: "w", topics: TriageTopics(), excerpt: nil, chain: AuditChain(workerID: "w", partitions: 1, nonce: 1)),
         Decide(policy: .demo, pseudonymizer: .development))
    }

    static func sends(_ actions: [Action]) -> [(token: UInt, topic: String)] {
        actions.compactMap { if case .send(let token, let message) = $0 { (token, message.topic) } else { nil } }
    }

    static func acknowledged(_ actions: [Action]) -> [OffsetTracker.TicketToken] {
        actions.compactMap { if case .acknowledged(let ticket) = $0 { ticket } else { nil } }
    }

    static func ok(_ token: UInt, offset: Int64 = 1) -> KafkaDeliveryReport {
        KafkaDeliveryReport(token: token, topic: "t", partition: 0, offset: offset, error: nil)
    }

    func token(_ position: Int) -> OffsetTracker.TicketToken { .init(partition: p0, position: position) }

    @Test("a routed ticket: the routed copy is sent at once, the contacts and audit records at the end of the batch; each acknowledgement counts one write")
    func routed() throws {
        var (emit, decide) = Self.steps()
        let made = try Self.make("what are your opening hours", label: "general_question", emit: &emit, decide: &decide)
        #expect(made.decision.kind != .automate)
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(made.writes, for: token(0), actions: &actions)
        #expect(Self.sends(actions).map(\.topic).allSatisfy { $0.hasPrefix("queue.") })
        #expect(Self.sends(actions).count == 1)
        var batch: [Action] = []
        outbox.closeBatch(auditTopic: "triage.audit", contactsTopic: "triage.contacts", actions: &batch)
        #expect(Self.sends(batch).map(\.topic).sorted() == ["triage.audit", "triage.contacts"])
        #expect(outbox.pendingCount == 3)
        #expect(made.writes.count == 3, "the tracker waits for three writes")
        var acks: [Action] = []
        for send in Self.sends(actions) + Self.sends(batch) { outbox.delivered(Self.ok(send.token), nowMicros: 0, actions: &acks) }
        #expect(Self.acknowledged(acks) == [token(0), token(0), token(0)])
        #expect(outbox.pendingCount == 0)
        #expect(outbox.headsToCheckpoint(final: false).map(\.seq) == [0], "the acknowledged audit record is the chain's head")
        #expect(outbox.headsToCheckpoint(final: false).isEmpty, "nothing moved since")
        #expect(outbox.headsToCheckpoint(final: true).count == 1, "a final checkpoint reports every head")
    }

    @Test("an automated reply is held until its actions and its audit record are acknowledged, then sent")
    func heldReply() throws {
        var (emit, decide) = Self.steps()
        let made = try Self.make("My card is lost", label: "card_lost", emit: &emit, decide: &decide)
        #expect(made.decision.kind == .automate)
        #expect(!made.decision.actions.isEmpty)
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(made.writes, for: token(0), actions: &actions)
        #expect(!Self.sends(actions).contains { $0.topic == "triage.replies" }, "the reply waits")
        outbox.closeBatch(auditTopic: "triage.audit", contactsTopic: "triage.contacts", actions: &actions)
        let sends = Self.sends(actions)
        var released: [Action] = []
        for send in sends where send.topic != "triage.audit" { outbox.delivered(Self.ok(send.token), nowMicros: 0, actions: &released) }
        #expect(!Self.sends(released).contains { $0.topic == "triage.replies" }, "actions done, the audit record not yet: still held")
        let audit = try #require(sends.first { $0.topic == "triage.audit" })
        outbox.delivered(Self.ok(audit.token), nowMicros: 0, actions: &released)
        let reply = try #require(Self.sends(released).first { $0.topic == "triage.replies" }, "released with the audit record")
        var last: [Action] = []
        outbox.delivered(Self.ok(reply.token), nowMicros: 0, actions: &last)
        #expect(Self.acknowledged(released).count + Self.acknowledged(last).count == made.writes.count)
        #expect(outbox.pendingCount == 0)
    }

    @Test("a retriable failure is sent again after its backoff, up to the limit; then the write fails")
    func retries() {
        var outbox = Outbox(retry: .init(maxRetries: 2, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(Emit.Writes(messages: [Emit.Write(message: KafkaProducerMessage(topic: "queue.x", key: "k", value: [1]))]), for: token(0), actions: &actions)
        let sent = Self.sends(actions)[0].token
        let retriable = KafkaError(code: .produce, message: "not leader", isRetriable: true)
        for attempt in 1...2 {
            var after: [Action] = []
            outbox.delivered(KafkaDeliveryReport(token: sent, topic: "queue.x", partition: 0, offset: -1, error: retriable), nowMicros: 1_000_000, actions: &after)
            #expect(after.contains { if case .retrying(_, attempt, _) = $0 { true } else { false } })
            var due: [Action] = []
            outbox.dueRetries(nowMicros: 1_000_000, actions: &due)
            #expect(due.isEmpty, "not before the backoff")
            outbox.dueRetries(nowMicros: 1_000_000 + 10_000 << (attempt - 1), actions: &due)
            #expect(Self.sends(due).map(\.token) == [sent], "the same write, same token")
        }
        var final: [Action] = []
        outbox.delivered(KafkaDeliveryReport(token: sent, topic: "queue.x", partition: 0, offset: -1, error: retriable), nowMicros: 2_000_000, actions: &final)
        #expect(final.contains { if case .failed = $0 { true } else { false } })
        #expect(Self.acknowledged(final).isEmpty)
    }

    @Test("an acknowledgement without an offset sends the write once more; the second counts")
    func unconfirmed() {
        var outbox = Outbox(retry: .init(maxRetries: 2, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(Emit.Writes(messages: [Emit.Write(message: KafkaProducerMessage(topic: "queue.x", key: "k", value: [1]))]), for: token(0), actions: &actions)
        let sent = Self.sends(actions)[0].token
        var first: [Action] = []
        outbox.delivered(Self.ok(sent, offset: -1), nowMicros: 0, actions: &first)
        #expect(Self.sends(first).map(\.token) == [sent])
        #expect(Self.acknowledged(first).isEmpty)
        var second: [Action] = []
        outbox.delivered(Self.ok(sent, offset: -1), nowMicros: 0, actions: &second)
        #expect(Self.acknowledged(second) == [token(0)])
    }

    @Test("two tickets of one customer in one batch share one contacts record, which acknowledges both")
    func contactsPerCustomer() throws {
        var (emit, decide) = Self.steps()
        let first = try Self.make("what are your opening hours", customer: "c-9", offset: 0, label: "general_question", emit: &emit, decide: &decide)
        let second = try Self.make("and on Sunday?", customer: "c-9", offset: 1, label: "general_question", emit: &emit, decide: &decide)
        var outbox = Outbox(retry: .init(maxRetries: 2, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(first.writes, for: token(0), actions: &actions)
        outbox.add(second.writes, for: token(1), actions: &actions)
        var batch: [Action] = []
        outbox.closeBatch(auditTopic: "triage.audit", contactsTopic: "triage.contacts", actions: &batch)
        let contacts = Self.sends(batch).filter { $0.topic == "triage.contacts" }
        #expect(contacts.count == 1)
        if case .send(_, let message)? = batch.first(where: { if case .send(_, let m) = $0 { m.topic == "triage.contacts" } else { false } }) {
            #expect(ContactHistory.Customer(bytes: message.value)?.contacts.count == 2, "the state after the second ticket")
        }
        var acks: [Action] = []
        outbox.delivered(Self.ok(contacts[0].token), nowMicros: 0, actions: &acks)
        #expect(Self.acknowledged(acks) == [token(0), token(1)])
    }

    @Test("forgetting a partition drops its pending writes and held replies: their acknowledgements count for nothing")
    func forget() throws {
        var (emit, decide) = Self.steps()
        let made = try Self.make("My card is lost", label: "card_lost", emit: &emit, decide: &decide)
        var outbox = Outbox(retry: .init(maxRetries: 2, backoffMs: 10))
        var actions: [Action] = []
        outbox.add(made.writes, for: token(0), actions: &actions)
        outbox.closeBatch(auditTopic: "triage.audit", contactsTopic: "triage.contacts", actions: &actions)
        #expect(outbox.pendingCount > 0)
        outbox.forget([p0])
        #expect(outbox.pendingCount == 0)
        var after: [Action] = []
        for send in Self.sends(actions) { outbox.delivered(Self.ok(send.token), nowMicros: 0, actions: &after) }
        #expect(after.isEmpty, "no reply released, nothing acknowledged: \(after)")
    }
    // MARK: - Exactly-once mode

    @Test("transactional: an automated reply is sent at once with its actions (the transaction holds them together), and a failed write asks for an abort instead of a retry")
    func transactionalSendsReplyAndAborts() throws {
        var (emit, decide) = Self.steps()
        let made = try Self.make("My card is lost", label: "card_lost", emit: &emit, decide: &decide)
        #expect(made.decision.kind == .automate)
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 10), transactional: true)
        var actions: [Action] = []
        outbox.add(made.writes, for: token(0), actions: &actions)
        #expect(Self.sends(actions).contains { $0.topic == "triage.replies" }, "not held: it commits with its actions and audit record or not at all")
        let failed = Self.sends(actions)[0].token
        var after: [Action] = []
        let error = KafkaError(code: .produce, message: "not leader", isRetriable: true)
        outbox.delivered(KafkaDeliveryReport(token: failed, topic: "t", partition: 0, offset: -1, error: error), nowMicros: 0, actions: &after)
        #expect(after.contains { if case .transactionMustAbort = $0 { true } else { false } })
        #expect(!after.contains { if case .retrying = $0 { true } else { false } }, "nothing is retried inside a transaction")
        outbox.transactionAborted()
        #expect(outbox.pendingCount == 0)
        var late: [Action] = []
        for send in Self.sends(actions) { outbox.delivered(Self.ok(send.token), nowMicros: 0, actions: &late) }
        #expect(late.isEmpty, "deliveries of an aborted transaction count for nothing")
    }

    @Test("transactional: an acknowledged audit record is the chain's head only once its transaction commits; an abort leaves the committed head, a new chain starts with none")
    func transactionalHeads() throws {
        var (emit, decide) = Self.steps()
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 10), transactional: true)
        func ticket(_ offset: Int64) throws {
            let made = try Self.make("what are your opening hours", offset: offset, label: "general_question", emit: &emit, decide: &decide)
            var actions: [Action] = []
            outbox.add(made.writes, for: token(Int(offset)), actions: &actions)
            outbox.closeBatch(auditTopic: "triage.audit", contactsTopic: "triage.contacts", actions: &actions)
            var acks: [Action] = []
            for send in Self.sends(actions) { outbox.delivered(Self.ok(send.token), nowMicros: 0, actions: &acks) }
        }
        try ticket(0)
        #expect(outbox.auditHeads.isEmpty, "acknowledged, not committed")
        outbox.transactionCommitted()
        #expect(outbox.auditHeads[0]?.seq == 0)
        try ticket(1)
        outbox.transactionAborted()
        #expect(outbox.auditHeads[0]?.seq == 0, "the aborted record is not the head")
        let old = outbox.startNewChain()
        #expect(old.map(\.seq) == [0], "the old chain's last committed record, for its last checkpoint")
        #expect(outbox.auditHeads.isEmpty)
    }
}
