import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy
import Dispatch
import Foundation


/// The pipeline of one worker, top to bottom:
/// consume → decode → classify → decide → emit → commit.
///
/// It runs on one dedicated thread that owns the consumer, the producer and the classifier;
/// librdkafka's callbacks (deliveries, rebalances) are served on that thread inside `poll`.
final class Pipeline {
    private let config: WorkerConfiguration
    private let logger: Logger
    private let stats: WorkerStatsBox
    private let metrics: PipelineMetrics
    private let shouldStop: () -> Bool

    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let consume: Consume
    private let decode: Decode
    private var classifier: any TicketClassifier
    private var decide: Decide
    private var emit: Emit
    private var tracker = OffsetTracker()
    private var control: ControlChannel?
    /// Every write asked for and not yet acknowledged, held replies, the batch's shared
    /// records and the acknowledged chain heads (`Outbox.swift`).
    private var outbox: Outbox
    private var lastCheckpoint = MonotonicClock.nowMicros()

    private var assigned: Set<KafkaTopicPartition> = []
    private var failure: WorkerError?
    /// Set when a graceful shutdown starts: every wait from then on ends by this time
    /// (monotonic microseconds), so the whole shutdown fits `shutdownTimeoutMs`.
    private var shutdownDeadline: UInt64?
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
        outbox = Outbox(retry: Outbox.RetryPolicy(maxRetries: config.maxDeliveryRetries, backoffMs: config.retryBackoffMs))
        self.logger = logger
        self.stats = stats
        self.metrics = metrics
        // librdkafka's statistics (lag, queue depth) for the metrics; set by -X wins.
        let statistics: [String: String] = config.statisticsIntervalMs > 0 && config.kafka.properties["statistics.interval.ms"] == nil
            ? ["statistics.interval.ms": String(config.statisticsIntervalMs)] : [:]
        self.shouldStop = shouldStop
        self.classifier = classifier
        var producerConfig = KafkaProducerConfiguration(settings: config.kafka)
        producerConfig.clientID = "triage-\(config.workerID)"
        producerConfig.extra = statistics.merging(config.producerProperties) { _, set in set }
        producer = try KafkaProducer(configuration: producerConfig)
        var consumerConfig = KafkaConsumerConfiguration(
            settings: config.kafka, groupID: config.groupID, topics: [config.topics.tickets])
        consumerConfig.clientID = "triage-\(config.workerID)"
        consumerConfig.extra = statistics.merging(config.consumerProperties) { _, set in set }
        consumer = try KafkaConsumer(configuration: consumerConfig)
        consume = Consume(consumer: consumer, maxBatch: config.maxBatch, maxInFlight: config.maxInFlightTickets)
        decode = Decode(limits: config.recordLimits, maxDepth: config.maxJSONDepth)
        decide = Decide(policy: config.policy, pseudonymizer: config.pseudonymizer)
        // The chain learns the audit topic's partition count in `run` (the cluster may not be up yet).
        emit = Emit(workerID: config.workerID, topics: config.topics, excerpt: config.auditExcerpt,
                    chain: AuditChain(workerID: config.workerID, partitions: 1))
        if config.auditSliceTickets != nil { slice = SliceClock() }

        consumer.onRebalance = { [weak self] event in self?.rebalanced(event) }
    }

    // MARK: - The loop

    func run() throws(WorkerError) {
        do {
            try prepare()
            stats.update { $0.connected = true }
            while !shouldStop() {
                if let failure { throw failure }
                refreshControl()
                let polledAt = MonotonicClock.nowMicros()
                let batch = try consume.next(inFlight: tracker.inFlight, assigned: assigned)
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
                try checkClientErrors()
                takeStatistics()
                metrics.flush()
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

    /// Waits for the cluster's metadata, then starts this process's audit chain over the audit
    /// topic's partitions and opens the control channel. A missing audit or contacts topic is
    /// a configuration error.
    private func prepare() throws(KafkaError) {
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
            emit.chain = AuditChain(workerID: config.workerID, partitions: Int32(partitions))
            logger.info("audit chain started", metadata: ["chain": "\(emit.chain.chainID)", "partitions": "\(partitions)"])
            let tickets = topics[config.topics.tickets] ?? 0
            guard let contacts = topics[config.topics.contacts], contacts >= tickets else {
                throw KafkaError(code: .configuration, message: "the contacts changelog \(config.topics.contacts) must exist with at least as many partitions as \(config.topics.tickets) (\(tickets)); it has \(topics[config.topics.contacts].map(String.init) ?? "none")")
            }
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
    private func process(_ message: KafkaConsumerMessage, polledAt: UInt64) throws -> Bool {
        // A partition revoked in the middle of a batch now belongs to another member.
        guard assigned.contains(message.topicPartition) else { return true }
        let t0 = MonotonicClock.nowNanos()
        let started = t0 / 1000
        let nowMillis = UTCTime.nowMillis()
        let now = UTCTime.rfc3339(millis: nowMillis)
        var records: Emit.Writes
        let decoded = decode(message)
        let t1 = MonotonicClock.nowNanos()
        switch decoded {
        case .failure(let error):
            metrics.deadLettered(reason: error.reason.rawValue, decodeNanos: Int64(t1 - t0))
            records = Emit.Writes(messages: [Emit.Write(message: DeadLetter.record(for: message, error: error, topic: config.topics.deadLetter, workerID: config.workerID, at: now,
                                                                                   limits: config.recordLimits))])
            stats.update {
                $0.consumed += 1
                $0.deadLettered += 1
            }
        case .success(let ticket):
            let classification = classifier.classify(ticket)
            let t2 = MonotonicClock.nowNanos()
            // Checked before anything has state: deciding counts the contact, emitting seals
            // the audit record into the chain.
            guard MonotonicClock.nowMicros() - polledAt <= stallLimitMicros else { return false }
            let decided = decide(ticket, classification, from: message, nowMillis: nowMillis,
                                 disabledTemplates: control?.disabledTemplates ?? [], automation: config.automation)
            let decision = decided.decision
            let t3 = MonotonicClock.nowNanos()
            let latency = Int(t3 / 1000 - started)
            records = emit.writes(ticket: ticket, decision: decision, message: message, pseudonym: decided.pseudonym,
                                  history: decided.history, latencyMicros: latency, now: now)
            metrics.decided(decision, decodeNanos: Int64(t1 - t0), classifyNanos: Int64(t2 - t1), decideNanos: Int64(t3 - t2),
                            emitNanos: Int64(MonotonicClock.nowNanos() - t3))
            stats.update {
                $0.consumed += 1
                $0.count(decision.cohort)
                switch decision.kind {
                case .handoff: $0.handoffs += 1
                case .route: $0.routed += 1
                case .automate: $0.automated += 1
                }
            }
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
    private func writeBatchRecords() throws(KafkaError) {
        var actions: [Outbox.Action] = []
        outbox.closeBatch(auditTopic: config.topics.audit, contactsTopic: config.topics.contacts, actions: &actions)
        try perform(actions)
    }

    /// Audit-cost benchmark only: after `auditSliceTickets` tickets, waits for all of their
    /// writes to be acknowledged, books the slice's CPU time, and switches audit records on
    /// or off for the next slice.
    private func endSliceIfDue() throws(KafkaError) {
        guard var current = slice, let size = config.auditSliceTickets else { return }
        current.tickets += 1
        slice = current
        guard current.tickets >= size else { return }
        try writeBatchRecords()
        drain(nil, until: deadline(afterMs: config.shutdownTimeoutMs))
        let next = SliceClock()
        let finished = AuditSlice(withAudit: emit.writesAudit, tickets: current.tickets,
                                  pipelineCPUNanos: next.pipelineCPU - current.pipelineCPU,
                                  processCPUNanos: next.processCPU - current.processCPU, wallNanos: next.wall - current.wall)
        stats.update { $0.auditSlices.append(finished) }
        emit.writesAudit.toggle()
        slice = next
    }

    /// Carries out the outbox's actions, in order.
    private func perform(_ actions: [Outbox.Action]) throws(KafkaError) {
        var completed = 0
        defer { if completed > 0 { stats.update { $0.completed += completed } } }
        for action in actions { try perform(action, completed: &completed) }
    }

    private func perform(_ action: Outbox.Action, completed: inout Int) throws(KafkaError) {
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
            failure = failure ?? error
        }
    }

    private func refreshControl() {
        guard let control else { return }
        for change in control.refresh() {
            logger.notice("control: \(change.kind.rawValue) \(change.template) by \(change.by): \(change.reason)")
        }
    }

    private func send(_ message: KafkaProducerMessage, token: UInt) throws(KafkaError) {
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

    private func acknowledge(_ reports: [KafkaDeliveryReport]) {
        var actions: [Outbox.Action] = []
        let now = MonotonicClock.nowMicros()
        for report in reports { outbox.delivered(report, nowMicros: now, actions: &actions) }
        // Completions are counted here and published below, with the CPU time that made them.
        var completed = 0
        for action in actions {
            do {
                try perform(action, completed: &completed)
            } catch {
                failure = failure ?? WorkerError("a write after an acknowledgement (an automated reply, a retry) failed", underlying: error)
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
    private func finished(_ ticket: OffsetTracker.Completed, _ completed: inout Int) {
        completed += 1
        guard let timestamp = ticket.recordTimestampMs else { return }
        metrics.finished(endToEndMillis: max(0, UTCTime.nowMillis() - timestamp))
    }

    /// librdkafka's latest statistics (every `statisticsIntervalMs`), into the metrics.
    private func takeStatistics() {
        if let consumerStats = consumer.takeStatistics() {
            metrics.statistics(consumerStats, fromConsumer: true, assigned: assigned)
        }
        if let producerStats = producer.takeStatistics() {
            metrics.statistics(producerStats, fromConsumer: false, assigned: assigned)
        }
    }

    private func resendDue() throws(KafkaError) {
        var actions: [Outbox.Action] = []
        outbox.dueRetries(nowMicros: MonotonicClock.nowMicros(), actions: &actions)
        try perform(actions)
    }

    // MARK: - Audit chain checkpoints

    /// Writes the acknowledged heads of this worker's audit chains that moved since the last
    /// checkpoint, every `checkpointIntervalMs` (and, marked final, at shutdown). Best effort:
    /// a lost checkpoint only means a verifier vouches for a shorter prefix.
    private func checkpointIfDue(final: Bool = false) throws(KafkaError) {
        let now = MonotonicClock.nowMicros()
        guard final || now - lastCheckpoint >= UInt64(config.checkpointIntervalMs) * 1000 else { return }
        lastCheckpoint = now
        let time = UTCTime.now()
        for head in outbox.headsToCheckpoint(final: final) {
            let checkpoint = ChainCheckpoint(chainID: emit.chain.chainID, partition: head.partition, seq: head.seq,
                                             hash: head.hash, time: time, final: final)
            let message = KafkaProducerMessage(topic: config.topics.auditCheckpoints, key: emit.chain.chainID, value: checkpoint.encoded())
            try producer.send(message, token: outbox.untrackedToken())
        }
    }

    private func storeCompleted(_ partitions: Set<KafkaTopicPartition>? = nil) throws(KafkaError) {
        try consumer.store(tracker.takeCommittable(partitions))
    }

    private func checkClientErrors() throws(WorkerError) {
        if let fatal = producer.fatalError() {
            throw WorkerError("the producer hit a fatal error", underlying: fatal)
        }
        for error in producer.takeErrors() + consumer.takeErrors() {
            logger.warning("kafka: \(error)")
        }
    }

    // MARK: - Stalls

    /// How long the loop may go between polling and writing before it assumes the group may
    /// have given its partitions away (a process stopped or starved past the session timeout):
    /// the session timeout less two heartbeats.
    private var stallLimitMicros: UInt64 {
        let session = config.consumerProperty("session.timeout.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultSessionTimeoutMs
        let heartbeat = config.consumerProperty("heartbeat.interval.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultHeartbeatIntervalMs
        return UInt64(max(1_000, session - 2 * heartbeat)) * 1000
    }

    /// After a stall: the rest of the batch is not processed (its records are fetched again
    /// by whoever owns their partitions), fetching pauses, and the consumer is polled for a
    /// few heartbeats so librdkafka can learn whether the partitions were lost (the
    /// rebalance callback then forgets them) before anything more is written.
    private func recoverFromStall(unprocessed: ArraySlice<KafkaConsumerMessage>, since polledAt: UInt64) throws(KafkaError) {
        let stalledMs = (MonotonicClock.nowMicros() - polledAt) / 1000
        logger.warning("the worker stalled for \(stalledMs) ms, longer than the session timeout allows; checking with the group before writing again",
                       metadata: ["unprocessed": "\(unprocessed.count)"])
        stats.update { $0.stalls += 1 }
        metrics.stalls.increment()
        var firstUnprocessed: [KafkaTopicPartition: Int64] = [:]
        func remember(_ messages: some Sequence<KafkaConsumerMessage>) {
            for message in messages {
                firstUnprocessed[message.topicPartition] = min(firstUnprocessed[message.topicPartition] ?? .max, message.offset)
            }
        }
        remember(unprocessed)
        let paused = assigned
        consume.pauseAll(paused)
        let heartbeat = config.consumerProperty("heartbeat.interval.ms").flatMap(Int.init) ?? KafkaConsumerConfiguration.defaultHeartbeatIntervalMs
        let until = MonotonicClock.nowMicros() + UInt64(3 * heartbeat + 500) * 1000
        while MonotonicClock.nowMicros() < until, !shouldStop() {
            remember(try consumer.poll(maxMessages: 1_000, timeoutMs: 100))
        }
        // Still ours: read the skipped records again. Gone: their new owner reads them.
        consumer.seek(firstUnprocessed.filter { assigned.contains($0.key) }.map {
            KafkaTopicPartitionOffset(topic: $0.key.topic, partition: $0.key.partition, offset: $0.value)
        })
        consume.resume(paused.intersection(assigned))
        logger.info("after the stall", metadata: ["partitions_kept": "\(paused.intersection(assigned).count)", "partitions_lost": "\(paused.subtracting(assigned).count)"])
    }

    // MARK: - Rebalances

    private func rebalanced(_ event: KafkaRebalanceEvent) {
        rebalanceLock.lock()
        defer { rebalanceLock.unlock() }
        guard !abandoned else { return }
        switch event {
        case .assigned(let partitions):
            restoreHistory(partitions)
            assigned.formUnion(partitions)
            consume.adopt(partitions, fetching: shutdownDeadline == nil)
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
    private func restoreHistory(_ partitions: [KafkaTopicPartition]) {
        let started = MonotonicClock.nowMicros()
        let changelog = partitions.map { KafkaTopicPartition(topic: config.topics.contacts, partition: $0.partition) }
        do {
            let restored = try KafkaTopicReader(settings: config.kafka)
                .readAll(partitions: changelog, properties: config.sideReaderProperties,
                         timeoutMs: Int(Self.remainingMs(until: deadline(afterMs: 30_000)))) { message in
                    guard let key = message.key.map({ String(decoding: $0, as: UTF8.self) }) else { return }
                    decide.history.restore(partition: message.partition, customer: key, state: ContactHistory.Customer(bytes: message.value))
                }
            if restored > 0 {
                logger.info("contact history restored", metadata: [
                    "records": "\(restored)", "ms": "\((MonotonicClock.nowMicros() - started) / 1000)"])
            }
        } catch {
            logger.warning("contact history not (fully) restored; repeat-contact counts may be low", metadata: ["error": "\(error)"])
        }
    }

    private func forget(_ partitions: Set<KafkaTopicPartition>) {
        assigned.subtract(partitions)
        tracker.forget(partitions)
        metrics.forget(partitions)
        consume.forget(Array(partitions))
        outbox.forget(partitions)
        decide.history.forget(partitions.filter { $0.topic == config.topics.tickets }.map(\.partition))
    }

    /// Serves deliveries until the tickets of `partitions` are done or `deadline` passes.
    private func drain(_ partitions: Set<KafkaTopicPartition>?, until deadline: UInt64) {
        while MonotonicClock.nowMicros() < deadline {
            let pending = partitions.map { tracker.pending(in: $0) } ?? tracker.inFlight
            if pending == 0 || failure != nil { return }
            acknowledge(producer.poll(timeoutMs: min(50, Self.remainingMs(until: deadline))))
            do { try resendDue() } catch { failure = WorkerError("re-send failed while draining", underlying: error) }
        }
    }

    /// `timeoutMs` from now, but never past the shutdown deadline once shutdown has begun.
    private func deadline(afterMs timeoutMs: Int) -> UInt64 {
        let wanted = MonotonicClock.nowMicros() + UInt64(timeoutMs) * 1000
        return min(wanted, shutdownDeadline ?? wanted)
    }

    // MARK: - Shutdown

    /// Graceful, within `shutdownTimeoutMs` in all: stop fetching, finish in-flight tickets,
    /// commit, write the final audit checkpoint, leave the group. Each phase gets what the
    /// earlier ones left, and leaving runs on a watchdog (librdkafka 2.0.2 can hang in
    /// `consumer_close` during a cooperative rebalance), so a hung library cannot hold the
    /// process past its deadline.
    private func shutdown() throws(WorkerError) {
        let started = MonotonicClock.nowMicros()
        let budget = UInt64(config.shutdownTimeoutMs) * 1000
        let deadline = started + budget
        shutdownDeadline = deadline
        logger.info("shutting down: finishing \(tracker.inFlight) in-flight tickets", metadata: ["deadline_s": "\(config.shutdownTimeoutMs / 1000)"])
        consume.pauseAll(assigned)
        // In-flight work may use 60% of the budget; committing and leaving keep the rest.
        drain(nil, until: started + budget * 6 / 10)
        if tracker.inFlight > 0 {
            logger.warning("\(tracker.inFlight) tickets not acknowledged in time; their offsets stay uncommitted and the group will process them again")
        }
        commitBeforeLeaving(deadline: started + budget * 8 / 10)
        do {
            try checkpointIfDue(final: true)
        } catch {
            logger.warning("the final audit checkpoint was not written", metadata: ["error": "\(error)"])
        }
        acknowledge(producer.flush(timeoutMs: Self.remainingMs(until: started + budget * 9 / 10)))
        leaveGroup(deadline: deadline)
        if let failure { throw failure }
    }

    /// Commits every done offset, synchronously. A commit refused because the group is
    /// rebalancing (another member joined or left) or because this member's generation is
    /// stale is retried while `poll` serves the rebalance, until the deadline; records fetched
    /// meanwhile are not processed (their offsets are never stored, so the group reads them
    /// again).
    private func commitBeforeLeaving(deadline: UInt64) {
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
    private func abort(_ error: WorkerError) {
        logger.error("stopping: \(error)")
        let deadline = MonotonicClock.nowMicros() + UInt64(config.shutdownTimeoutMs) * 1000
        shutdownDeadline = deadline
        try? storeCompleted()
        try? consumer.commit(timeoutMs: min(5_000, Self.remainingMs(until: deadline)))
        acknowledge(producer.flush(timeoutMs: min(5_000, Self.remainingMs(until: deadline))))
        leaveGroup(deadline: deadline)
    }

    /// Leaves the group (the final revocation commits what is done) on a watchdog thread, and
    /// waits for it until `deadline`. If librdkafka has not returned by then, the pipeline
    /// goes on without it: the group's session timeout hands the partitions on, and whatever
    /// was not committed is processed again (at-least-once).
    private func leaveGroup(deadline: UInt64) {
        let closing = ConsumerClose(consumer)
        let finished = closing.start()
        let waitMs = max(Self.remainingMs(until: deadline), 500)
        if finished.wait(timeout: .now() + .milliseconds(Int(waitMs))) == .timedOut {
            // A rebalance callback of the hung close finishes first (its waits end at the
            // deadline, already past); any later one finds nothing to do.
            rebalanceLock.withLock { abandoned = true }
            logger.error("leaving the group did not finish within the shutdown deadline (librdkafka hung in consumer_close); stopping without it, the group's session timeout will move the partitions")
            return
        }
        if let error = closing.error {
            logger.warning("leaving the group failed; the group will reprocess from the last commit", metadata: ["error": "\(error)"])
        }
    }

    /// True once leaving the group overran the deadline and the pipeline went on without it.
    private var abandoned = false
    /// Held while a rebalance callback runs: only the close thread's callbacks can overlap
    /// the pipeline thread, and only after a close overran its deadline.
    private let rebalanceLock = NSLock()

    static func remainingMs(until deadline: UInt64) -> Int32 {
        let now = MonotonicClock.nowMicros()
        guard deadline > now else { return 0 }
        return Int32(clamping: (deadline - now) / 1000)
    }
}
