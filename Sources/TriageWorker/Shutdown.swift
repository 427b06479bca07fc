import Dispatch
import Foundation
import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy

/// Stopping: gracefully within `shutdownTimeoutMs` in all, or after a failure; leaving the
/// group on a watchdog so a hung librdkafka cannot hold the process past its deadline.
extension Pipeline {
    /// Graceful, within `shutdownTimeoutMs` in all: stop fetching, finish in-flight tickets,
    /// commit, write the final audit checkpoint, leave the group. Each phase gets what the
    /// earlier ones left, and leaving runs on a watchdog (librdkafka 2.0.2 can hang in
    /// `consumer_close` during a cooperative rebalance), so a hung library cannot hold the
    /// process past its deadline.
    func shutdown() throws(WorkerError) {
        let started = MonotonicClock.nowMicros()
        let budget = UInt64(config.shutdownTimeoutMs) * 1000
        let deadline = started + budget
        lifecycle.stop(deadline: deadline)
        logger.info("shutting down: finishing \(tracker.inFlight) in-flight tickets", metadata: ["deadline_s": "\(config.shutdownTimeoutMs / 1000)"])
        consume.pauseAll(assigned)
        // In-flight work may use 60% of the budget; committing and leaving keep the rest.
        drain(nil, until: started + budget * 6 / 10)
        if tracker.inFlight > 0 {
            logger.warning("\(tracker.inFlight) tickets not acknowledged in time; their offsets stay uncommitted and the group will process them again")
        }
        commitBeforeLeaving(deadline: started + budget * 8 / 10)
        do {
            if config.exactlyOnce { try writeFinalCheckpointTransactionally() } else { try checkpointIfDue(final: true) }
        } catch {
            logger.warning("the final audit checkpoint was not written", metadata: ["error": "\(error)"])
        }
        acknowledge(producer.flush(timeoutMs: Self.remainingMs(until: started + budget * 9 / 10)))
        leaveGroup(deadline: deadline)
        if let failure = lifecycle.failure { throw failure }
    }

    /// Commits every done offset, synchronously. A commit refused because the group is
    /// rebalancing (another member joined or left) or because this member's generation is
    /// stale is retried while `poll` serves the rebalance, until the deadline; records fetched
    /// meanwhile are not processed (their offsets are never stored, so the group reads them
    /// again).
    func commitBeforeLeaving(deadline: UInt64) {
        while true {
            do {
                try storeCompleted()
                let commitStarted = MonotonicClock.nowNanos()
                try consumer.commit(tracker.committable(), timeoutMs: max(1, Self.remainingMs(until: deadline)))
                metrics.commit.recordNanoseconds(Int64(MonotonicClock.nowNanos() - commitStarted))
                return
            } catch {
                let retriable = error.isRetriable || error.rdKafkaName == "ILLEGAL_GENERATION" || error.rdKafkaName == "REBALANCE_IN_PROGRESS"
                guard retriable, MonotonicClock.nowMicros() < deadline else {
                    logger.warning("commit before leaving the group failed; the group will reprocess from the last commit", metadata: ["error": "\(error)"])
                    return
                }
                logger.info("commit waits for the group to settle", metadata: ["error": "\(error)"])
                _ = try? consumer.poll(maxMessages: 1_000, timeoutMs: Int32(min(200, Self.remainingMs(until: deadline))))
            }
        }
    }

    /// After a failure: commit what is safely done, write nothing more, leave.
    func abort(_ error: WorkerError) {
        logger.error("stopping: \(error)")
        let deadline = MonotonicClock.nowMicros() + UInt64(config.shutdownTimeoutMs) * 1000
        lifecycle.stop(deadline: deadline)
        if let open = transaction {
            // Nothing of the open transaction becomes visible; its tickets are read again.
            logger.warning("exactly-once: aborting the open transaction", metadata: ["tickets": "\(open.tickets)"])
            transaction = nil
            try? producer.abortTransaction(timeoutMs: min(5_000, Self.remainingMs(until: deadline)))
            tracker.forget(Set(open.starts.keys))
        }
        try? storeCompleted()
        try? consumer.commit(timeoutMs: min(5_000, Self.remainingMs(until: deadline)))
        acknowledge(producer.flush(timeoutMs: min(5_000, Self.remainingMs(until: deadline))))
        leaveGroup(deadline: deadline)
    }

    /// Leaves the group (the final revocation commits what is done) on a watchdog thread, and
    /// waits for it until `deadline`. If librdkafka has not returned by then, the pipeline
    /// goes on without it: the group's session timeout hands the partitions on, and whatever
    /// was not committed is processed again (at-least-once).
    func leaveGroup(deadline: UInt64) {
        let closing = ConsumerClose(consumer)
        let finished = closing.start()
        let waitMs = max(Self.remainingMs(until: deadline), 500)
        if finished.wait(timeout: .now() + .milliseconds(Int(waitMs))) == .timedOut {
            // A rebalance callback of the hung close finishes first (its waits end at the
            // deadline, already past); any later one finds nothing to do.
            rebalanceLock.withLock { lifecycle.abandon() }
            logger.error("leaving the group did not finish within the shutdown deadline (librdkafka hung in consumer_close); stopping without it, the group's session timeout will move the partitions")
            return
        }
        if let error = closing.error {
            logger.warning("leaving the group failed; the group will reprocess from the last commit", metadata: ["error": "\(error)"])
        }
    }
}
