import Dispatch
import Foundation
import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy

/// The pipeline's side of partitions moving: assignments restore the customers' contact
/// history and set each partition's fetch state; revocations finish, commit and forget the
/// partitions' tickets; losses forget them at once (their new owner reads them again).
/// Served inside `poll`, on the pipeline's thread.
extension Pipeline {
    func rebalanced(_ event: KafkaRebalanceEvent) {
        rebalanceLock.lock()
        defer { rebalanceLock.unlock() }
        guard !lifecycle.isAbandoned else { return }
        switch event {
        case .assigned(let partitions):
            restoreHistory(partitions)
            assigned.formUnion(partitions)
            consume.adopt(partitions, fetching: !lifecycle.isStopping)
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        case .revoked(let partitions):
            let revoked = Set(partitions)
            drain(revoked, until: deadline(afterMs: config.shutdownTimeoutMs))
            do {
                let offsets = tracker.committable(revoked)
                try consumer.store(offsets)
                let commitStarted = MonotonicClock.nowNanos()
                try consumer.commit(offsets, timeoutMs: Self.remainingMs(until: deadline(afterMs: 10_000)))
                metrics.commit.recordNanoseconds(Int64(MonotonicClock.nowNanos() - commitStarted))
            } catch {
                logger.warning("commit on revocation failed; the new owner will reprocess from the last commit", metadata: ["error": "\(error)"])
            }
            forget(revoked)
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted())"])
        case .lost(let partitions):
            let unfinished = tracker.pending(in: Set(partitions))
            forget(Set(partitions))
            if unfinished > 0 {
                logger.warning("partitions lost with \(unfinished) unfinished tickets; their new owner processes them again", metadata: ["partitions": "\(partitions.sorted())"])
            } else {
                logger.info("partitions lost (nothing unfinished)", metadata: ["partitions": "\(partitions.sorted())"])
            }
        }
        switch event {
        case .assigned: metrics.rebalanced("assigned")
        case .revoked: metrics.rebalanced("revoked")
        case .lost: metrics.rebalanced("lost")
        }
        let count = assigned.count
        metrics.assignedPartitions.record(count)
        stats.update {
            $0.assignedPartitions = count
            $0.rebalances += 1
        }
    }

    /// Reads the contacts changelog partitions of newly assigned ticket partitions, so the
    /// repeat-contact counts carry over from the previous owner (or a previous run).
    func restoreHistory(_ partitions: [KafkaTopicPartition]) {
        let started = MonotonicClock.nowMicros()
        let changelog = partitions.map { KafkaTopicPartition(topic: config.topics.contacts, partition: $0.partition) }
        do {
            let restored = try KafkaTopicReader(settings: config.kafka)
                .readAll(partitions: changelog, properties: config.sideReaderProperties,
                         timeoutMs: Int(Self.remainingMs(until: deadline(afterMs: 30_000)))) { message in
                    guard let key = message.key.map({ String(decoding: $0, as: UTF8.self) }) else { return }
                    steps.decide.history.restore(partition: message.partition, customer: key, state: ContactHistory.Customer(bytes: message.value))
                }
            if restored > 0 {
                logger.info("contact history restored", metadata: [
                    "records": "\(restored)", "ms": "\((MonotonicClock.nowMicros() - started) / 1000)"])
            }
        } catch {
            logger.warning("contact history not (fully) restored; repeat-contact counts may be low", metadata: ["error": "\(error)"])
        }
    }

    func forget(_ partitions: Set<KafkaTopicPartition>) {
        assigned.subtract(partitions)
        tracker.forget(partitions)
        metrics.forget(partitions)
        consume.forget(Array(partitions))
        outbox.forget(partitions)
        steps.decide.history.forget(partitions.filter { $0.topic == config.topics.tickets }.map(\.partition))
    }

    /// Serves deliveries until the tickets of `partitions` are done or `deadline` passes.
    func drain(_ partitions: Set<KafkaTopicPartition>?, until deadline: UInt64) {
        while MonotonicClock.nowMicros() < deadline {
            let pending = partitions.map { tracker.pending(in: $0) } ?? tracker.inFlight
            if pending == 0 || lifecycle.failure != nil { return }
            acknowledge(producer.poll(timeoutMs: min(50, Self.remainingMs(until: deadline))))
            do { try resendDue() } catch { lifecycle.fail(WorkerError("re-send failed while draining", underlying: error)) }
        }
    }

    /// `timeoutMs` from now, but never past the shutdown deadline once shutdown has begun.
    func deadline(afterMs timeoutMs: Int) -> UInt64 {
        let wanted = MonotonicClock.nowMicros() + UInt64(timeoutMs) * 1000
        return min(wanted, lifecycle.deadline ?? wanted)
    }
}
