import Kafka
import TriageAudit

/// Step 6, the outbox: every write the pipeline has asked for and not yet seen acknowledged.
///
/// It owns the pending writes (by delivery token), their retries, the automated replies held
/// back until their actions and audit record are acknowledged (say-to-do), the records the
/// tickets of one batch share (audit messages, contact histories), and the acknowledged heads
/// of the audit chains that checkpoints report.
///
/// A value-type state machine in the manner of swift-kafka-client's
/// `KafkaConsumer.StateMachine`: it does no I/O. Each method changes the state and appends
/// to `actions` what the pipeline must now do (send a message, count one of a ticket's writes
/// as done, log a retry, stop with a failure), and the pipeline carries them out in order.
/// `OutboxTests` drives it without Kafka.
struct Outbox {
    /// What the pipeline does next, in order.
    enum Action {
        /// Hand `message` to the producer with delivery token `token`.
        case send(token: UInt, message: KafkaProducerMessage)
        /// One write of `ticket` is acknowledged (the offset tracker counts it).
        case acknowledged(OffsetTracker.TicketToken)
        /// A write failed and is sent again after a backoff (for the log and the metrics).
        case retrying(topic: String, attempt: Int, error: KafkaError)
        /// A write was acknowledged without an offset and is sent once more (at-least-once).
        case resendingUnconfirmed(topic: String)
        /// A write cannot be delivered: the ticket's offset must not be committed.
        case failed(WorkerError)
        /// Exactly-once mode: a write of the open transaction failed; the transaction must be
        /// aborted and its tickets processed again (nothing is retried inside it).
        case transactionMustAbort(KafkaError)
    }

    /// How failed deliveries are retried.
    struct RetryPolicy {
        var maxRetries: Int
        var backoffMs: Int
    }

    private struct PendingWrite {
        var ticket: OffsetTracker.TicketToken
        /// The other tickets a shared message (audit, contacts) carries records for.
        var alsoFor: [OffsetTracker.TicketToken] = []
        var message: KafkaProducerMessage
        var attempts = 0
        /// Set for the audit record: its place in the hash chain.
        var audit: SealedAuditRecord?
        /// An action of an automated reply (the reply waits for it).
        var isAction = false
        /// Already re-sent once because its acknowledgement carried no offset.
        var resentUnconfirmed = false
    }

    private struct ContactsKey: Hashable {
        var partition: Int32
        var pseudonym: String
    }

    private let retry: RetryPolicy
    /// Exactly-once mode: every write belongs to the open transaction, which the cluster
    /// makes visible all at once or not at all. Replies are not held (the transaction that
    /// holds them also holds their actions and audit record), failed writes are not retried
    /// (the transaction aborts), and chain heads count only once their transaction commits.
    let transactional: Bool
    /// Exactly-once mode: heads acknowledged inside the open transaction, not yet committed.
    private var uncommittedHeads: [Int32: SealedAuditRecord] = [:]
    private var pending: [UInt: PendingWrite] = [:]
    private var nextToken: UInt = 1
    private var retries: [(due: UInt64, token: UInt)] = []
    /// Automated replies waiting for their actions *and* their audit record to be
    /// acknowledged, by ticket: nothing is said to a customer that is not both done and audited.
    private var heldReplies: [OffsetTracker.TicketToken: (reply: KafkaProducerMessage, waitingFor: Int)] = [:]
    /// Audit records sealed in the current batch, by audit partition, in chain order.
    private var auditBatch: [Int32: [(ticket: OffsetTracker.TicketToken, record: SealedAuditRecord)]] = [:]
    /// Contact histories of the current batch, one per customer: the latest state, and every
    /// ticket of the batch that waits for it.
    private var contactsBatch: [ContactsKey: (history: ContactHistory.Customer, tickets: [OffsetTracker.TicketToken])] = [:]
    /// Per audit partition: the last record of this worker's chain whose delivery was acknowledged.
    private(set) var auditHeads: [Int32: SealedAuditRecord] = [:]
    private var checkpointed: [Int32: Int64] = [:]

    init(retry: RetryPolicy, transactional: Bool = false) {
        self.retry = retry
        self.transactional = transactional
    }

    /// Writes sent and not yet acknowledged.
    var pendingCount: Int { pending.count }

    /// The message behind a delivery token still pending (to send it again).
    func message(_ token: UInt) -> KafkaProducerMessage? { pending[token]?.message }

    // MARK: - Adding

    /// The writes of one decided (or dead-lettered) ticket: each is sent now, except a reply
    /// that must wait (held) and the records its batch shares (sent by `closeBatch`).
    mutating func add(_ writes: Emit.Writes, for ticket: OffsetTracker.TicketToken, actions: inout [Action]) {
        let waitingFor = writes.messages.reduce(0) { $0 + ($1.isAction ? 1 : 0) } + (writes.audit == nil ? 0 : 1)
        for write in writes.messages {
            if write.held && waitingFor > 0 && !transactional {
                heldReplies[ticket] = (write.message, waitingFor)
                continue
            }
            enqueue(PendingWrite(ticket: ticket, message: write.message, isAction: write.isAction), &actions)
        }
        if let audit = writes.audit {
            auditBatch[audit.partition, default: []].append((ticket, audit))
        }
        if let contacts = writes.contacts {
            let key = ContactsKey(partition: contacts.partition, pseudonym: contacts.pseudonym)
            if contactsBatch[key] == nil {
                contactsBatch[key] = (contacts.history, [ticket])
            } else {
                contactsBatch[key]!.history = contacts.history
                contactsBatch[key]!.tickets.append(ticket)
            }
        }
    }

    /// The end of a batch: one contact-history record per customer, and per audit partition
    /// one audit message (or a few, at `AuditMessage.maxBytes`) holding the batch's records
    /// in chain order. Each ticket still waits for the messages that carry its records.
    mutating func closeBatch(auditTopic: String, contactsTopic: String, actions: inout [Action]) {
        for (key, entry) in contactsBatch {
            let message = KafkaProducerMessage(topic: contactsTopic, partition: key.partition, key: key.pseudonym, value: entry.history.encoded())
            enqueue(PendingWrite(ticket: entry.tickets[0], alsoFor: Array(entry.tickets.dropFirst()), message: message), &actions)
        }
        contactsBatch.removeAll(keepingCapacity: true)
        guard !auditBatch.isEmpty else { return }
        for (partition, entries) in auditBatch.sorted(by: { $0.key < $1.key }) {
            for packed in AuditMessage.pack(entries.map(\.record.bytes)) {
                let carried = entries[packed.records]
                let message = KafkaProducerMessage(topic: auditTopic, partition: partition, key: nil as [UInt8]?, value: packed.value)
                enqueue(PendingWrite(ticket: carried.first!.ticket, alsoFor: carried.dropFirst().map(\.ticket), message: message,
                                     audit: carried.last!.record), &actions)
            }
        }
        auditBatch.removeAll(keepingCapacity: true)
    }

    /// A write that belongs to no ticket (an audit checkpoint): a token, nothing to track.
    mutating func untrackedToken() -> UInt {
        defer { nextToken &+= 1 }
        return nextToken
    }

    private mutating func enqueue(_ write: PendingWrite, _ actions: inout [Action]) {
        let token = nextToken
        nextToken &+= 1
        pending[token] = write
        actions.append(.send(token: token, message: write.message))
    }

    // MARK: - Deliveries

    /// The producer's delivery report for `report.token`, at monotonic time `nowMicros`.
    mutating func delivered(_ report: KafkaDeliveryReport, nowMicros: UInt64, actions: inout [Action]) {
        // Taken out of the table (not copied): put back below only when it is sent again.
        guard var write = pending.removeValue(forKey: report.token) else { return }
        if let error = report.error, transactional {
            actions.append(.transactionMustAbort(error))
            return
        }
        if let error = report.error {
            write.attempts += 1
            guard error.isRetriable, write.attempts <= retry.maxRetries, !error.isFatal else {
                actions.append(.failed(WorkerError("write to \(write.message.topic) failed after \(write.attempts) attempt(s); the ticket's offset is not committed", underlying: error)))
                pending[report.token] = write
                return
            }
            pending[report.token] = write
            let backoff = UInt64(retry.backoffMs) << UInt64(min(write.attempts - 1, 6))
            retries.append((nowMicros + backoff * 1000, report.token))
            actions.append(.retrying(topic: write.message.topic, attempt: write.attempts, error: error))
            return
        }
        // Acknowledged without an offset: the broker said the batch was a duplicate of one it
        // already has. On librdkafka's mock cluster that can be untrue after injected produce
        // errors (the record is missing), so write it once more: at worst a duplicate, which
        // consumers drop by decision id (at-least-once).
        if report.offset < 0 && !write.resentUnconfirmed {
            write.resentUnconfirmed = true
            pending[report.token] = write
            actions.append(.resendingUnconfirmed(topic: write.message.topic))
            actions.append(.send(token: report.token, message: write.message))
            return
        }
        if let audit = write.audit {
            if transactional {
                if audit.seq > uncommittedHeads[audit.partition]?.seq ?? -1 { uncommittedHeads[audit.partition] = audit }
            } else if audit.seq > auditHeads[audit.partition]?.seq ?? -1 {
                auditHeads[audit.partition] = audit
            }
        }
        if write.isAction { releaseReplyIfDone(write.ticket, &actions) }
        if write.audit != nil {
            releaseReplyIfDone(write.ticket, &actions)
            for ticket in write.alsoFor { releaseReplyIfDone(ticket, &actions) }
        }
        actions.append(.acknowledged(write.ticket))
        for ticket in write.alsoFor { actions.append(.acknowledged(ticket)) }
    }

    /// An action or the audit record of `ticket` was acknowledged: when it was the last
    /// thing the reply waited for, the reply goes out.
    private mutating func releaseReplyIfDone(_ ticket: OffsetTracker.TicketToken, _ actions: inout [Action]) {
        guard var held = heldReplies[ticket] else { return }
        held.waitingFor -= 1
        guard held.waitingFor <= 0 else {
            heldReplies[ticket] = held
            return
        }
        heldReplies[ticket] = nil
        enqueue(PendingWrite(ticket: ticket, message: held.reply), &actions)
    }

    /// Retries whose backoff has passed by `nowMicros`.
    mutating func dueRetries(nowMicros: UInt64, actions: inout [Action]) {
        guard !retries.isEmpty else { return }
        for item in retries where item.due <= nowMicros {
            if let write = pending[item.token] { actions.append(.send(token: item.token, message: write.message)) }
        }
        retries.removeAll { $0.due <= nowMicros }
    }

    // MARK: - Transactions (exactly-once mode)

    /// The open transaction committed: the heads acknowledged in it are the chain's heads now.
    mutating func transactionCommitted() {
        for (partition, head) in uncommittedHeads where head.seq > auditHeads[partition]?.seq ?? -1 {
            auditHeads[partition] = head
        }
        uncommittedHeads.removeAll(keepingCapacity: true)
    }

    /// The open transaction aborted: none of its writes will ever be visible, so nothing of
    /// it is pending, held or batched any more. The committed chain heads stay.
    mutating func transactionAborted() {
        pending.removeAll(keepingCapacity: true)
        retries.removeAll()
        heldReplies.removeAll()
        auditBatch.removeAll(keepingCapacity: true)
        contactsBatch.removeAll(keepingCapacity: true)
        uncommittedHeads.removeAll(keepingCapacity: true)
    }

    /// The pipeline starts a new audit chain (after an abort): returns the old chain's
    /// committed heads (for its last checkpoint) and starts the new chain with none.
    mutating func startNewChain() -> [SealedAuditRecord] {
        let heads = auditHeads.sorted { $0.key < $1.key }.map(\.value)
        auditHeads.removeAll()
        checkpointed.removeAll()
        uncommittedHeads.removeAll()
        return heads
    }

    // MARK: - Partitions leaving, checkpoints

    /// Partitions this worker no longer owns: a write is dropped when every ticket it was for
    /// is gone (an audit message can carry records of tickets from several partitions), and so
    /// are their held replies and contact histories not yet written.
    mutating func forget(_ partitions: Set<KafkaTopicPartition>) {
        let orphaned = pending.filter { _, write in
            partitions.contains(write.ticket.partition) && write.alsoFor.allSatisfy { partitions.contains($0.partition) }
        }.map(\.key)
        for token in orphaned { pending[token] = nil }
        heldReplies = heldReplies.filter { !partitions.contains($0.key.partition) }
        contactsBatch = contactsBatch.filter { !partitions.contains($0.value.tickets[0].partition) }
    }

    /// The acknowledged chain heads a checkpoint should report: those that moved since the
    /// last call, or all of them when `final`.
    mutating func headsToCheckpoint(final: Bool) -> [SealedAuditRecord] {
        var heads: [SealedAuditRecord] = []
        for (partition, head) in auditHeads.sorted(by: { $0.key < $1.key }) where final || checkpointed[partition] != head.seq {
            checkpointed[partition] = head.seq
            heads.append(head)
        }
        return heads
    }
}
