import Kafka
import Logging
import TriageAudit

/// Exactly-once mode (`triage work --exactly-once`): read-process-write in Kafka transactions.
///
/// Each batch the consumer returns is one transaction: every write its tickets cause (routed
/// tickets, automated records, actions, replies, audit messages, contact histories, dead
/// letters, audit checkpoints) and the offsets after its records
/// (`send_offsets_to_transaction`, with the consumer's group metadata) commit together, or
/// none of them does. A `read_committed` reader sees a batch whole or not at all, so a ticket
/// read again after a crash, a rebalance or an abort is written once as far as readers can
/// tell, and a reply is visible only together with its actions and its audit record.
///
/// - One transactional producer per pipeline, `transactional.id` = `<prefix>.<worker id>`
///   (KIP-447 style, which librdkafka 2.0.2 supports: the group coordinator checks the member
///   id and generation sent with the offsets, so a member rebalanced away cannot commit).
///   A restarted worker with the same id fences its predecessor and aborts its open
///   transaction.
/// - An abort (a write failed, a transaction call asked for it, the loop stalled past the
///   session timeout) rewinds everything the batch changed: the consumer seeks back to the
///   batch's first offsets, the contact history gets its earlier state back, the outbox drops
///   the batch's writes, and the audit chain starts anew (the aborted records, invisible to
///   readers, would otherwise leave a gap in it). The batch is then read and processed again.
/// - A fatal error (fenced by a newer producer with the same id) stops the worker: its open
///   transaction is aborted by the cluster.
///
/// librdkafka 2.0.2's mock cluster (the dev cluster) accepts every transaction call but does
/// not hide aborted records, store offsets sent to a transaction, or fence by transactional
/// id (`TransactionTests`). So that committed offsets move on the dev cluster too, the
/// consumer also commits each transaction's offsets once it has committed (on Kafka this
/// rewrites what the transaction already committed).
struct OpenTransaction {
    /// Per partition, the first offset the transaction read: where it rewinds to on abort.
    var starts: [KafkaTopicPartition: Int64] = [:]
    /// Per partition, the offset after the last record it processed: committed with it.
    var ends: [KafkaTopicPartition: Int64] = [:]
    var tickets = 0
    /// The first write of the transaction that failed: it must abort.
    var mustAbort: KafkaError?
    /// How many of `Pipeline.retiredChainHeads` it carries checkpoints for.
    var retiredCheckpoints = 0
}

extension Pipeline {
    /// Registers the transactional id (fencing an older producer with it), waiting for the
    /// transaction coordinator while it is not available.
    func initTransactions() throws(KafkaError) {
        while !shouldStop() {
            do {
                try producer.initTransactions(timeoutMs: 30_000)
                logger.info("exactly-once: transactional producer ready", metadata: ["transactional_id": "\(config.transactionalID)"])
                return
            } catch {
                guard error.isRetriable, !error.isFatal else { throw error }
                logger.warning("exactly-once: waiting for the transaction coordinator", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One batch in one transaction: process, write, send the offsets, commit; or abort and
    /// rewind. Also opens a transaction with no tickets when only checkpoints are due.
    func runTransaction(_ batch: [KafkaConsumerMessage], polledAt: UInt64) throws {
        let checkpointDue = MonotonicClock.nowMicros() - lastCheckpoint >= UInt64(config.checkpointIntervalMs) * 1000
        guard !batch.isEmpty || checkpointDue || !retiredChainHeads.isEmpty else { return }
        try producer.beginTransaction()
        transaction = OpenTransaction()
        steps.decide.history.beginTransaction()
        var stalled = false
        var run: (partition: KafkaTopicPartition, owned: Bool)?
        do {
            for message in batch {
                // Where the partition rewinds to if the transaction aborts: noted before the
                // ticket is processed, since processing it may fail half-way.
                let partition = message.topicPartition
                if run?.partition != partition { run = (partition, assigned.contains(partition)) }
                if run!.owned, transaction!.starts[partition] == nil { transaction!.starts[partition] = message.offset }
                guard MonotonicClock.nowMicros() - polledAt <= stallLimitMicros, try process(message, polledAt: polledAt) else {
                    stalled = true
                    break
                }
                // Only partitions still assigned: a record of one revoked inside the poll that
                // fetched it was skipped, and its offset belongs to the new owner.
                guard run!.owned else { continue }
                transaction!.ends[partition] = message.offset + 1
                transaction!.tickets += 1
                // A write failed: the rest of the batch would be refused (the producer is in
                // its abortable state), so stop here and abort.
                if transaction!.mustAbort != nil { break }
            }
            try writeBatchRecords()
            try writeCheckpoints()
        } catch let error as KafkaError where !error.isFatal && producer.fatalError() == nil {
            // A write refused inside the transaction (typically `_STATE` once an earlier write
            // failed): the transaction must abort.
            try abortTransaction(reason: "delivery", cause: transaction?.mustAbort ?? error)
            return
        }
        if stalled || MonotonicClock.nowMicros() - polledAt > stallLimitMicros {
            try abortTransaction(reason: "stall", cause: nil)
            try recoverFromStall(unprocessed: batch[...], since: polledAt)
            return
        }
        if let failure = transaction!.mustAbort {
            try abortTransaction(reason: "delivery", cause: failure)
            return
        }
        let offsets = transaction!.ends.map { KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value) }
        let started = MonotonicClock.nowNanos()
        do {
            try producer.sendOffsetsToTransaction(offsets, consumer: consumer, timeoutMs: Int32(clamping: config.transactionTimeoutMs))
        } catch {
            try transactionFailed(error, during: "offsets")
            return
        }
        do {
            try commitTransaction()
        } catch {
            try transactionFailed(error, during: "commit")
            return
        }
        metrics.transactionCommit.recordNanoseconds(Int64(MonotonicClock.nowNanos() - started))
        transactionCommitted(offsets)
    }

    /// Commits, calling again while the error is retriable (a coordinator moving, a time-out),
    /// for at most the transaction timeout.
    private func commitTransaction() throws(KafkaError) {
        let deadline = MonotonicClock.nowMicros() + UInt64(config.transactionTimeoutMs) * 1000
        while true {
            do {
                try producer.commitTransaction(timeoutMs: max(1, min(10_000, Self.remainingMs(until: deadline))))
                return
            } catch {
                guard error.isRetriable, !error.transactionRequiresAbort, !error.isFatal, MonotonicClock.nowMicros() < deadline else { throw error }
                logger.warning("exactly-once: commit retried", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A transaction call failed: fatal (fenced, or the producer broke) stops the worker;
    /// anything else aborts the transaction and the batch is processed again.
    private func transactionFailed(_ error: KafkaError, during step: String) throws {
        if error.isFatal || producer.fatalError() != nil {
            transaction = nil
            throw WorkerError("exactly-once: the transactional producer \(config.transactionalID) was fenced (a newer producer with its id started) or failed fatally while its transaction's \(step) ran; this worker stops, and the cluster aborts its open transaction",
                              underlying: producer.fatalError() ?? error)
        }
        try abortTransaction(reason: step, cause: error)
    }

    /// Aborts the open transaction and puts back everything its batch changed, so the batch
    /// is read and processed again as if for the first time.
    func abortTransaction(reason: String, cause: KafkaError?) throws {
        guard let open = transaction else { return }
        logger.warning("exactly-once: transaction aborted; its tickets are processed again",
                       metadata: ["reason": "\(reason)", "tickets": "\(open.tickets)", "error": "\(cause.map { "\($0)" } ?? "none")"])
        let deadline = MonotonicClock.nowMicros() + UInt64(config.transactionTimeoutMs) * 1000
        while true {
            do {
                try producer.abortTransaction(timeoutMs: max(1, min(10_000, Self.remainingMs(until: deadline))))
                break
            } catch {
                guard error.isRetriable, !error.isFatal, MonotonicClock.nowMicros() < deadline else {
                    transaction = nil
                    throw WorkerError("exactly-once: the transaction could not be aborted; this worker stops (the cluster aborts it at its timeout)", underlying: error)
                }
            }
        }
        transaction = nil
        // Purged deliveries of the aborted writes: nothing of them is pending any more.
        _ = producer.poll(timeoutMs: 0)
        outbox.transactionAborted()
        tracker.forget(Set(open.starts.keys))
        steps.decide.history.abortTransaction()
        if open.tickets > 0 {
            // The aborted records hold chain positions no reader will see: a new chain, whose
            // first record links to nothing, keeps every chain a reader sees whole. The old
            // chain ends at its last committed record, which one more checkpoint names.
            let heads = outbox.startNewChain()
            if !heads.isEmpty { retiredChainHeads.append((steps.emit.chain.chainID, heads)) }
            steps.emit.chain = AuditChain(workerID: config.workerID, partitions: steps.emit.chain.partitions)
            logger.info("exactly-once: a new audit chain after the abort", metadata: ["chain": "\(steps.emit.chain.chainID)"])
        }
        consumer.seek(open.starts.filter { assigned.contains($0.key) }.map {
            KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value)
        })
        stats.update { $0.transactionsAborted += 1 }
        metrics.transactionAborted(reason: reason)
    }

    /// The transaction committed: its tickets are done, its chain heads are the committed ones,
    /// and the consumer commits its offsets too (see the type's note on the mock).
    private func transactionCommitted(_ offsets: [KafkaTopicPartitionOffset]) {
        let retired = transaction?.retiredCheckpoints ?? 0
        transaction = nil
        acknowledge(producer.poll(timeoutMs: 0))
        outbox.transactionCommitted()
        steps.decide.history.commitTransaction()
        retiredChainHeads.removeFirst(min(retired, retiredChainHeads.count))
        do {
            try storeCompleted()
            try consumer.commitAsync(offsets)
        } catch {
            logger.warning("exactly-once: the consumer's commit after the transaction failed (the transaction holds the offsets)", metadata: ["error": "\(error)"])
        }
        stats.update { $0.transactionsCommitted += 1 }
        metrics.transactionsCommitted.increment()
    }

    /// Inside the open transaction: the last checkpoint of chains an abort ended, then the
    /// periodic checkpoint of the current chain when due.
    private func writeCheckpoints(final: Bool = false) throws(KafkaError) {
        let time = UTCTime.now()
        for retired in retiredChainHeads {
            for head in retired.heads {
                let checkpoint = ChainCheckpoint(chainID: retired.chainID, partition: head.partition, seq: head.seq, hash: head.hash,
                                                 time: time, final: false)
                try producer.send(KafkaProducerMessage(topic: config.topics.auditCheckpoints, key: retired.chainID, value: checkpoint.encoded()),
                                  token: outbox.untrackedToken())
            }
        }
        transaction?.retiredCheckpoints = retiredChainHeads.count
        try checkpointIfDue(final: final)
    }

    /// At shutdown: the final checkpoint in a transaction of its own.
    func writeFinalCheckpointTransactionally() throws {
        try producer.beginTransaction()
        transaction = OpenTransaction()
        do {
            try writeCheckpoints(final: true)
            try commitTransaction()
            transactionCommitted([])
        } catch {
            try? abortTransaction(reason: "checkpoint", cause: error)
            throw error
        }
    }
}
