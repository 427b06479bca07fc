import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy
import Dispatch
import Foundation

/// The pipeline of one worker, top to bottom:
/// consume → decode → classify → decide → emit → outbox → commit.
///
/// This file has the loop and one ticket's way through the steps; what happens around them
/// has files of its own: `Rebalance.swift` (partitions moving), `Stall.swift` (a loop frozen
/// past the session timeout), `Shutdown.swift` (stopping within one deadline) and
/// `Lifecycle.swift` (running, stopping or abandoned, and the first failure).
///
/// It runs on one dedicated thread that owns the consumer, the producer and the classifier;
/// librdkafka's callbacks (deliveries, rebalances) are served on that thread inside `poll`.
final class Pipeline {
    let config: WorkerConfiguration
    let logger: Logger
    let stats: WorkerStatsBox
    let metrics: PipelineMetrics
    let shouldStop: () -> Bool

    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let consume: Consume
    /// Decode, classify, decide and emit for one record (`TicketSteps.swift`).
    var steps: TicketSteps
    var tracker = OffsetTracker()
    var control: ControlChannel?
    /// Every write asked for and not yet acknowledged, held replies, the batch's shared
    /// records and the acknowledged chain heads (`Outbox.swift`).
    var outbox: Outbox
    var lastCheckpoint = MonotonicClock.nowMicros()
    var memoryTrim: MemoryTrim

    var assigned: Set<KafkaTopicPartition> = [] {
        didSet { lastAssigned = nil }
    }
    /// The partition of the last record `process` found assigned: a batch reads runs of one
    /// partition, so most records skip hashing their topic into `assigned`.
    private var lastAssigned: KafkaTopicPartition?
    /// The decision time of the last ticket, in milliseconds and as RFC 3339: tickets decided
    /// within the same millisecond share the text.
    private var decisionTime: (millis: Int64, text: String) = (.min, "")
    /// Running, stopping (with the deadline of every wait) or abandoned, and the first failure
    /// (`Lifecycle.swift`).
    var lifecycle = Lifecycle()
    /// Exactly-once mode: the transaction open now, if any (`Transaction.swift`).
    var transaction: OpenTransaction?
    /// Exactly-once mode: heads of audit chains ended by an abort, for one last checkpoint.
    var retiredChainHeads: [(chainID: String, heads: [SealedAuditRecord])] = []
    /// The audit-cost benchmark's current slice (nil outside the benchmark).
    private var slice: SliceClock?

    private struct SliceClock {
        var tickets = 0
        var pipelineCPU = MonotonicClock.threadCPUNanos()
        var processCPU = MonotonicClock.processCPUNanos()
        var wall = MonotonicClock.nowNanos()
    }

    init(config: WorkerConfiguration, classifier: any TicketClassifier, stats: WorkerStatsBox, metrics: PipelineMetrics = PipelineMetrics(),
         logger: Logger, shouldStop: @escaping () -> Bool) throws(KafkaError) {
        self.config = config
        outbox = Outbox(retry: Outbox.RetryPolicy(maxRetries: config.maxDeliveryRetries, backoffMs: config.retryBackoffMs),
                        transactional: config.exactlyOnce)
        memoryTrim = MemoryTrim(intervalMicros: UInt64(max(0, config.memoryTrimIntervalMs)) * 1000)
        self.logger = logger
        self.stats = stats
        self.metrics = metrics
        // librdkafka's statistics (lag, queue depth) for the metrics; set by -X wins.
        let statistics: [String: String] = config.statisticsIntervalMs > 0 && config.kafka.properties["statistics.interval.ms"] == nil
            ? ["statistics.interval.ms": String(config.statisticsIntervalMs)] : [:]
        self.shouldStop = shouldStop
        var producerConfig = KafkaProducerConfiguration(settings: config.kafka)
        producerConfig.clientID = "triage-\(config.workerID)"
        producerConfig.extra = statistics.merging(config.producerProperties) { _, set in set }
        if config.exactlyOnce {
            producerConfig.transactionalID = config.transactionalID
            producerConfig.transactionTimeoutMs = config.transactionTimeoutMs
        }
        producer = try KafkaProducer(configuration: producerConfig)
        var consumerConfig = KafkaConsumerConfiguration(
            settings: config.kafka, groupID: config.groupID, topics: [config.topics.tickets])
        consumerConfig.clientID = "triage-\(config.workerID)"
        consumerConfig.extra = statistics.merging(config.consumerProperties) { _, set in set }
        consumer = try KafkaConsumer(configuration: consumerConfig)
        consume = Consume(consumer: consumer, maxBatch: config.maxBatch, maxInFlight: config.maxInFlightTickets)
        // The chain learns the audit topic's partition count in `run` (the cluster may not be up yet).
        steps = TicketSteps(
            decode: Decode(limits: config.recordLimits, maxDepth: config.maxJSONDepth), classifier: classifier,
            decide: Decide(policy: config.policy, pseudonymizer: config.pseudonymizer),
            emit: Emit(workerID: config.workerID, topics: config.topics, excerpt: config.auditExcerpt,
                       chain: AuditChain(workerID: config.workerID, partitions: 1)),
            deadLetterTopic: config.topics.deadLetter)
        if config.auditSliceTickets != nil { slice = SliceClock() }

        consumer.onRebalance = { [weak self] event in self?.rebalanced(event) }
    }

    // MARK: - The loop

    func run() throws(WorkerError) {
        do {
            try prepare()
            stats.update { $0.connected = true }
            while !shouldStop() {
                if let failure = lifecycle.failure { throw failure }
                refreshControl()
                let polledAt = MonotonicClock.nowMicros()
                let batch = try consume.next(inFlight: tracker.inFlight, assigned: assigned)
                if config.exactlyOnce {
                    try runTransaction(batch, polledAt: polledAt)
                    try finishTurn()
                    continue
                }
                for (index, message) in batch.enumerated() {
                    // A process frozen past the session timeout may have lost its partitions
                    // without knowing yet: write nothing more until the group has had its say
                    // (checked before each ticket, and again before its writes).
                    guard MonotonicClock.nowMicros() - polledAt <= stallLimitMicros, try process(message, polledAt: polledAt) else {
                        try recoverFromStall(unprocessed: batch[index...], since: polledAt)
                        break
                    }
                }
                try writeBatchRecords()
                acknowledge(producer.poll(timeoutMs: 0))
                try resendDue()
                try storeCompleted()
                try checkpointIfDue()
                try finishTurn()
            }
        } catch let error as WorkerError {
            abort(error)
            throw error
        } catch let error as KafkaError {
            let failure = WorkerError("Kafka failed", underlying: error)
            abort(failure)
            throw failure
        } catch {
            let failure = WorkerError("unexpected error: \(error)")
            abort(failure)
            throw failure
        }
        try shutdown()
    }

    /// The end of each turn of the loop, in both modes.
    private func finishTurn() throws(WorkerError) {
        if let nanos = memoryTrim.ifDue() { metrics.memoryTrim.recordNanoseconds(Int64(nanos)) }
        try checkClientErrors()
        takeStatistics()
        metrics.flush()
    }

    /// Waits for the cluster's metadata, then starts this process's audit chain over the audit
    /// topic's partitions and opens the control channel. A missing audit or contacts topic is
    /// a configuration error.
    func prepare() throws(KafkaError) {
        while !shouldStop() {
            let topics: [String: Int]
            do {
                topics = try producer.topics(timeoutMs: 1_000)
            } catch {
                logger.warning("waiting for the cluster's metadata", metadata: ["error": "\(error)"])
                continue
            }
            guard let partitions = topics[config.topics.audit], partitions > 0 else {
                throw KafkaError(code: .configuration, message: "the audit topic \(config.topics.audit) does not exist; create it first (triage work --create-topics)")
            }
            steps.emit.chain = AuditChain(workerID: config.workerID, partitions: Int32(partitions))
            logger.info("audit chain started", metadata: ["chain": "\(steps.emit.chain.chainID)", "partitions": "\(partitions)"])
            let tickets = topics[config.topics.tickets] ?? 0
            guard let contacts = topics[config.topics.contacts], contacts >= tickets else {
                throw KafkaError(code: .configuration, message: "the contacts changelog \(config.topics.contacts) must exist with at least as many partitions as \(config.topics.tickets) (\(tickets)); it has \(topics[config.topics.contacts].map(String.init) ?? "none")")
            }
            if config.exactlyOnce { try initTransactions() }
            if let partitions = topics[config.topics.control] {
                control = try ControlChannel(settings: config.kafka, topic: config.topics.control, partitions: partitions,
                                             properties: config.sideReaderProperties)
            } else {
                logger.warning("no control topic \(config.topics.control): say-to-do circuit breakers cannot reach this worker")
            }
            return
        }
    }

    // MARK: - One ticket

    /// Handles one record. Returns false, having changed and written nothing, when the loop
    /// stalled past the stall limit while classifying it (the caller then checks with the group).
    func process(_ message: KafkaConsumerMessage, polledAt: UInt64) throws -> Bool {
        // A partition revoked in the middle of a batch now belongs to another member.
        let partition = message.topicPartition
        if partition != lastAssigned {
            guard assigned.contains(partition) else { return true }
            lastAssigned = partition
        }
        let nowMillis = UTCTime.nowMillis()
        if nowMillis != decisionTime.millis { decisionTime = (nowMillis, UTCTime.rfc3339(millis: nowMillis)) }
        let handled = steps.handle(message, nowMillis: nowMillis, now: decisionTime.text,
                                   disabledTemplates: control?.disabledTemplates ?? [], automation: config.automation,
                                   mayDecide: { MonotonicClock.nowMicros() - polledAt <= stallLimitMicros })
        let records: Emit.Writes
        switch handled {
        case .stalled:
            return false
        case .deadLettered(let error, let writes, let decodeNanos):
            metrics.deadLettered(reason: error.reason.rawValue, decodeNanos: Int64(decodeNanos))
            stats.update {
                $0.consumed += 1
                $0.deadLettered += 1
            }
            records = writes
        case .decided(let decision, let writes, let t):
            metrics.decided(decision, decodeNanos: Int64(t.decode), classifyNanos: Int64(t.classify), decideNanos: Int64(t.decide),
                            emitNanos: Int64(t.route + t.audit))
            stats.update {
                $0.consumed += 1
                $0.count(decision.cohort)
                switch decision.kind {
                case .handoff: $0.handoffs += 1
                case .route: $0.routed += 1
                case .automate: $0.automated += 1
                }
            }
            records = writes
        }
        let ticket = tracker.begin(message.topicPartition, offset: message.offset, writes: records.count, recordTimestampMs: message.timestampMs)
        var actions: [Outbox.Action] = []
        outbox.add(records, for: ticket, actions: &actions)
        try perform(actions)
        if slice != nil { try endSliceIfDue() }
        return true
    }

    /// Writes the records the batch just handled shares between its tickets (audit messages,
    /// contact histories; `Outbox.closeBatch`).
    func writeBatchRecords() throws(KafkaError) {
        var actions: [Outbox.Action] = []
        outbox.closeBatch(auditTopic: config.topics.audit, contactsTopic: config.topics.contacts, actions: &actions)
        try perform(actions)
    }

    /// Audit-cost benchmark only: after `auditSliceTickets` tickets, waits for all of their
    /// writes to be acknowledged, books the slice's CPU time, and switches audit records on
    /// or off for the next slice.
    func endSliceIfDue() throws(KafkaError) {
        guard var current = slice, let size = config.auditSliceTickets else { return }
        current.tickets += 1
        slice = current
        guard current.tickets >= size else { return }
        try writeBatchRecords()
        drain(nil, until: deadline(afterMs: config.shutdownTimeoutMs))
        let next = SliceClock()
        let finished = AuditSlice(withAudit: steps.writesAudit, tickets: current.tickets,
                                  pipelineCPUNanos: next.pipelineCPU - current.pipelineCPU,
                                  processCPUNanos: next.processCPU - current.processCPU, wallNanos: next.wall - current.wall)
        stats.update { $0.auditSlices.append(finished) }
        steps.writesAudit.toggle()
        slice = next
    }

    /// Carries out the outbox's actions, in order.
    func perform(_ actions: [Outbox.Action]) throws(KafkaError) {
        var completed = 0
        defer { if completed > 0 { stats.update { $0.completed += completed } } }
        for action in actions { try perform(action, completed: &completed) }
    }

    func perform(_ action: Outbox.Action, completed: inout Int) throws(KafkaError) {
        switch action {
        case .send(let token, let message):
            try send(message, token: token)
        case .acknowledged(let ticket):
            if let done = tracker.complete(ticket) { finished(done, &completed) }
        case .retrying(let topic, let attempt, let error):
            stats.update { $0.deliveryRetries += 1 }
            metrics.deliveryRetries.increment()
            logger.warning("retrying write", metadata: ["topic": "\(topic)", "attempt": "\(attempt)", "error": "\(error)"])
        case .resendingUnconfirmed(let topic):
            stats.update { $0.unconfirmedDeliveries += 1 }
            metrics.unconfirmedDeliveries.increment()
            logger.warning("a write was acknowledged without an offset; writing it again (at-least-once)", metadata: ["topic": "\(topic)"])
        case .failed(let error):
            lifecycle.fail(error)
        case .transactionMustAbort(let error):
            if transaction != nil, transaction!.mustAbort == nil { transaction!.mustAbort = error }
        }
    }

    func refreshControl() {
        guard let control else { return }
        for change in control.refresh() {
            logger.notice("control: \(change.kind.rawValue) \(change.template) by \(change.by): \(change.reason)")
        }
    }

    func send(_ message: KafkaProducerMessage, token: UInt) throws(KafkaError) {
        do {
            try producer.send(message, token: token)
        } catch {
            // Queue still full after waiting: serve deliveries and try once more.
            guard error.code == .queueFull else { throw error }
            acknowledge(producer.poll(timeoutMs: 100))
            try producer.send(message, token: token)
        }
    }

    // MARK: - Acknowledgements and retries

    func acknowledge(_ reports: [KafkaDeliveryReport]) {
        var actions: [Outbox.Action] = []
        let now = MonotonicClock.nowMicros()
        for report in reports { outbox.delivered(report, nowMicros: now, actions: &actions) }
        // Completions are counted here and published below, with the CPU time that made them.
        var completed = 0
        for action in actions {
            do {
                try perform(action, completed: &completed)
            } catch {
                lifecycle.fail(WorkerError("a write after an acknowledgement (an automated reply, a retry) failed", underlying: error))
            }
        }
        // One update: readers see the completed count and the CPU time that produced it together.
        let inFlight = tracker.inFlight
        let cpu = MonotonicClock.threadCPUNanos()
        let advanced = MonotonicClock.nowMicros()
        stats.update {
            $0.completed += completed
            $0.inFlight = inFlight
            $0.pipelineCPUNanos = cpu
            $0.loopAdvancedMicros = advanced
        }
        metrics.inFlight.record(inFlight)
    }

    /// A ticket's writes are all acknowledged: its end-to-end latency, from its record's
    /// Kafka timestamp (the producer's clock, or the broker's with LogAppendTime).
    func finished(_ ticket: OffsetTracker.Completed, _ completed: inout Int) {
        completed += 1
        guard let timestamp = ticket.recordTimestampMs else { return }
        metrics.finished(endToEndMillis: max(0, UTCTime.nowMillis() - timestamp))
    }

    /// librdkafka's latest statistics (every `statisticsIntervalMs`), into the metrics.
    func takeStatistics() {
        if let consumerStats = consumer.takeStatistics() {
            metrics.statistics(consumerStats, fromConsumer: true, assigned: assigned)
        }
        if let producerStats = producer.takeStatistics() {
            metrics.statistics(producerStats, fromConsumer: false, assigned: assigned)
        }
    }

    func resendDue() throws(KafkaError) {
        var actions: [Outbox.Action] = []
        outbox.dueRetries(nowMicros: MonotonicClock.nowMicros(), actions: &actions)
        try perform(actions)
    }

    // MARK: - Audit chain checkpoints

    /// Writes the acknowledged heads of this worker's audit chains that moved since the last
    /// checkpoint, every `checkpointIntervalMs` (and, marked final, at shutdown). Best effort:
    /// a lost checkpoint only means a verifier vouches for a shorter prefix.
    func checkpointIfDue(final: Bool = false) throws(KafkaError) {
        let now = MonotonicClock.nowMicros()
        guard final || now - lastCheckpoint >= UInt64(config.checkpointIntervalMs) * 1000 else { return }
        lastCheckpoint = now
        let time = UTCTime.now()
        for head in outbox.headsToCheckpoint(final: final) {
            let checkpoint = ChainCheckpoint(chainID: steps.emit.chain.chainID, partition: head.partition, seq: head.seq,
                                             hash: head.hash, time: time, final: final)
            let message = KafkaProducerMessage(topic: config.topics.auditCheckpoints, key: steps.emit.chain.chainID, value: checkpoint.encoded())
            try producer.send(message, token: outbox.untrackedToken())
        }
    }

    func storeCompleted(_ partitions: Set<KafkaTopicPartition>? = nil) throws(KafkaError) {
        try consumer.store(tracker.takeCommittable(partitions))
    }

    func checkClientErrors() throws(WorkerError) {
        if let fatal = producer.fatalError() {
            throw WorkerError("the producer hit a fatal error", underlying: fatal)
        }
        for error in producer.takeErrors() + consumer.takeErrors() {
            logger.warning("kafka: \(error)")
        }
    }

    /// Held while a rebalance callback runs: only the close thread's callbacks can overlap
    /// the pipeline thread, and only after a close overran its deadline.
    let rebalanceLock = NSLock()

    static func remainingMs(until deadline: UInt64) -> Int32 {
        let now = MonotonicClock.nowMicros()
        guard deadline > now else { return 0 }
        return Int32(clamping: (deadline - now) / 1000)
    }
}
