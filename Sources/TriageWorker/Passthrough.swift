import Dispatch
import Foundation
import Kafka
import Logging

/// `triage work --passthrough`: the worker's Kafka loop with nothing in it. Each record of the
/// tickets topic is produced unchanged (key, value, headers) to the passthrough topic, and its
/// offset is committed once that write is acknowledged, with the worker's own consumer group,
/// client settings, back-pressure, rebalance and shutdown rules.
///
/// It is the in-run ceiling of a load test: the ratio of a worker's rate to this one's is what
/// decode, classify, decide and audit cost, measured on the same cluster with the same
/// settings. No model or policy is loaded.
final class PassthroughPipeline {
    let config: WorkerConfiguration
    let output: String
    let logger: Logger
    let stats: WorkerStatsBox
    let shouldStop: () -> Bool

    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let consume: Consume
    var tracker = OffsetTracker()
    /// The ticket each write in flight belongs to, by its delivery token.
    private var inFlight: [UInt: OffsetTracker.TicketToken] = [:]
    private var nextToken: UInt = 1
    private var assigned: Set<KafkaTopicPartition> = []
    private var lifecycle = Lifecycle()
    private let rebalanceLock = NSLock()

    init(config: WorkerConfiguration, output: String, stats: WorkerStatsBox, logger: Logger,
         shouldStop: @escaping () -> Bool) throws(KafkaError) {
        self.config = config
        self.output = output
        self.stats = stats
        self.logger = logger
        self.shouldStop = shouldStop
        var producerConfig = KafkaProducerConfiguration(settings: config.kafka)
        producerConfig.clientID = "triage-\(config.workerID)"
        producerConfig.extra = config.producerProperties
        producer = try KafkaProducer(configuration: producerConfig)
        var consumerConfig = KafkaConsumerConfiguration(
            settings: config.kafka, groupID: config.groupID, topics: [config.topics.tickets])
        consumerConfig.clientID = "triage-\(config.workerID)"
        consumerConfig.extra = config.consumerProperties
        consumer = try KafkaConsumer(configuration: consumerConfig)
        consume = Consume(consumer: consumer, maxBatch: config.maxBatch, maxInFlight: config.maxInFlightTickets)
        consumer.onRebalance = { [weak self] event in self?.rebalanced(event) }
    }

    func run() throws(WorkerError) {
        stats.update {
            $0.connected = true
            $0.classifierLoaded = true
        }
        do {
            while !shouldStop() {
                if let failure = lifecycle.failure { throw failure }
                let batch = try consume.next(inFlight: tracker.inFlight, assigned: assigned)
                for message in batch {
                    let ticket = tracker.begin(message.topicPartition, offset: message.offset, writes: 1)
                    let token = nextToken
                    nextToken &+= 1
                    inFlight[token] = ticket
                    try producer.send(KafkaProducerMessage(topic: output, key: message.key, value: message.value,
                                                           headers: message.headers), token: token)
                }
                if !batch.isEmpty {
                    let count = batch.count
                    stats.update { $0.consumed += count }
                }
                acknowledge(producer.poll(timeoutMs: 0))
                try consumer.store(tracker.takeCommittable())
                let loopAt = MonotonicClock.nowMicros()
                let pending = tracker.inFlight
                stats.update {
                    $0.inFlight = pending
                    $0.loopAdvancedMicros = loopAt
                }
            }
        } catch let error as WorkerError {
            stop(failure: error)
            throw error
        } catch {
            let failure = WorkerError("Kafka failed", underlying: error as? KafkaError)
            stop(failure: failure)
            throw failure
        }
        stop(failure: nil)
        if let failure = lifecycle.failure { throw failure }
    }

    // MARK: - Deliveries

    private func acknowledge(_ reports: [KafkaDeliveryReport]) {
        var completed = 0
        for report in reports {
            guard let ticket = inFlight.removeValue(forKey: report.token) else { continue }
            if let error = report.error {
                // The idempotent producer has retried already: stop, and leave the offset
                // uncommitted so the group copies the record again.
                lifecycle.fail(WorkerError("a passthrough write to \(output) failed", underlying: error))
                continue
            }
            if tracker.complete(ticket) != nil { completed += 1 }
        }
        if completed > 0 {
            stats.update {
                $0.completed += completed
                $0.routed += completed
            }
        }
    }

    /// Waits for the writes of `partitions` (all when nil) until `deadline`.
    private func drain(_ partitions: Set<KafkaTopicPartition>?, until deadline: UInt64) {
        while MonotonicClock.nowMicros() < deadline {
            let pending = partitions.map { tracker.pending(in: $0) } ?? tracker.inFlight
            if pending == 0 || lifecycle.failure != nil { return }
            acknowledge(producer.poll(timeoutMs: min(50, Pipeline.remainingMs(until: deadline))))
        }
    }

    private func deadline(afterMs timeoutMs: Int) -> UInt64 {
        let wanted = MonotonicClock.nowMicros() + UInt64(timeoutMs) * 1000
        return min(wanted, lifecycle.deadline ?? wanted)
    }

    // MARK: - Partitions moving

    /// Served inside `poll`: a revocation finishes and commits the partitions' copies first.
    private func rebalanced(_ event: KafkaRebalanceEvent) {
        rebalanceLock.lock()
        defer { rebalanceLock.unlock() }
        guard !lifecycle.isAbandoned else { return }
        switch event {
        case .assigned(let partitions):
            assigned.formUnion(partitions)
            consume.adopt(partitions, fetching: !lifecycle.isStopping)
            logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted())"])
        case .revoked(let partitions):
            let revoked = Set(partitions)
            drain(revoked, until: deadline(afterMs: config.shutdownTimeoutMs))
            do {
                let offsets = tracker.committable(revoked)
                try consumer.store(offsets)
                try consumer.commit(offsets, timeoutMs: Pipeline.remainingMs(until: deadline(afterMs: 10_000)))
            } catch {
                logger.warning("commit on revocation failed; the new owner will copy again from the last commit", metadata: ["error": "\(error)"])
            }
            forget(revoked)
            logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted())"])
        case .lost(let partitions):
            forget(Set(partitions))
            logger.warning("partitions lost; their new owner copies what was not committed", metadata: ["partitions": "\(partitions.sorted())"])
        }
        let count = assigned.count
        stats.update {
            $0.assignedPartitions = count
            $0.rebalances += 1
        }
    }

    private func forget(_ partitions: Set<KafkaTopicPartition>) {
        consume.forget(Array(partitions))
        tracker.forget(partitions)
        inFlight = inFlight.filter { !partitions.contains($0.value.partition) }
        assigned.subtract(partitions)
    }

    // MARK: - Stopping

    /// Within `shutdownTimeoutMs` in all: stop fetching, wait for the copies in flight, commit,
    /// leave the group (on a watchdog, as the worker does).
    private func stop(failure: WorkerError?) {
        let started = MonotonicClock.nowMicros()
        let budget = UInt64(config.shutdownTimeoutMs) * 1000
        let deadline = started + budget
        lifecycle.stop(deadline: deadline)
        if let failure {
            logger.error("stopping: \(failure)")
        } else {
            logger.info("shutting down: finishing \(tracker.inFlight) copies in flight")
        }
        consume.pauseAll(assigned)
        if failure == nil { drain(nil, until: started + budget * 6 / 10) }
        do {
            try consumer.store(tracker.takeCommittable())
            try consumer.commit(tracker.committable(), timeoutMs: max(1, Pipeline.remainingMs(until: started + budget * 8 / 10)))
        } catch {
            logger.warning("commit before leaving the group failed; the group will copy again from the last commit", metadata: ["error": "\(error)"])
        }
        acknowledge(producer.flush(timeoutMs: Pipeline.remainingMs(until: started + budget * 9 / 10)))
        let closing = ConsumerClose(consumer)
        let finished = closing.start()
        if finished.wait(timeout: .now() + .milliseconds(Int(max(Pipeline.remainingMs(until: deadline), 500)))) == .timedOut {
            rebalanceLock.withLock { lifecycle.abandon() }
            logger.error("leaving the group did not finish within the shutdown deadline; stopping without it")
        } else if let error = closing.error {
            logger.warning("leaving the group failed; the group will copy again from the last commit", metadata: ["error": "\(error)"])
        }
    }
}
