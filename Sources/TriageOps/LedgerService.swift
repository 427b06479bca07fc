import CoreMetrics
import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire
import TriageWorker

/// `triage ledger`: runs the `CommitmentLedger` over Kafka.
///
/// Reads `triage.audit` (commitments of `automate` decisions), `triage.outcomes` (fulfilment
/// events) and `triage.control` (operator resets) from the beginning; writes resolutions to
/// `triage.commitments`, escalations of overdue promises to `queue.human` (reason
/// `promise_overdue`), breaker trips to `triage.control`, and the say-to-do ratios per template
/// and per cohort to `triage.saytodo`. Commitments already resolved (read back from
/// `triage.commitments` at start) are not escalated twice, and breakers already open stay open.
///
/// One instance per cluster: it needs every worker's commitments. Its state is rebuilt from the
/// topics at start, so it needs no store of its own.
public final class LedgerService {
    public struct Options: Sendable {
        public var topics = TriageTopics()
        /// Read what is in the topics now, settle it as of `atMillis`, and stop.
        public var once = false
        /// The "now" of a `once` run (default: the wall clock).
        public var atMillis: Int64?
        public var sweepIntervalMs = 1_000
        public var summaryIntervalMs = 10_000
        /// Resolutions per template the ratio is computed over.
        public var window = 200
        /// The consumer group whose lease (`ServiceLease`) keeps the ledger single: a second
        /// replica stands by instead of escalating every promise a second time. nil: no lease
        /// (tests of the ledger alone; a control that shows what the lease prevents).
        public var leaseGroup: String? = "triage-ledger"
        /// This instance's name in the lease group and the logs.
        public var instance = "ledger"
        /// Told (on the ledger's thread) when this instance becomes active and when it stops being.
        public var onActive: @Sendable (Bool) -> Void = { _ in }
        /// The wall clock promises fall due by (tests move it).
        public var now: @Sendable () -> Int64 = { UTCTime.nowMillis() }
        public init() {}
    }

    public struct Summary: Sendable {
        public var commitmentsMade = 0
        public var keptOnTime = 0
        public var escalated = 0
        public var fulfilledLate = 0
        public var open = 0
        public var trips: [String] = []
        /// Times this instance took the lease and became the active ledger.
        public var leaseTerms = 0
    }

    private let kafka: KafkaClientSettings
    private let options: Options
    private let rule: SayToDoRule
    private let logger: Logger
    /// For `/healthz` and `/readyz`.
    /// What the probes are told (health, readiness); shared with the HTTP server's thread.
    public let progress: ServiceProgress
    private let escalations = Counter(label: "triage_ledger_escalations_total")
    private let resolvedCounter = Counter(label: "triage_ledger_resolutions_total")
    private var ledger: CommitmentLedger
    private let producer: KafkaProducer
    private var token: UInt = 0
    private var summary = Summary()
    /// Per cohort attribute and value: (kept on time, resolved).
    private var cohorts: [String: [String: (kept: Int, resolved: Int)]] = [:]

    public convenience init(bootstrapServers: String, policy: Policy, options: Options = Options(), logger: Logger) throws {
        try self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), policy: policy, options: options, logger: logger)
    }

    public init(kafka: KafkaClientSettings, policy: Policy, options: Options = Options(), progress: ServiceProgress = ServiceProgress(),
                logger: Logger) throws {
        self.kafka = kafka
        self.progress = progress
        self.options = options
        self.logger = logger
        rule = policy.sayToDo
        ledger = CommitmentLedger(rule: policy.sayToDo, window: options.window)
        var config = KafkaProducerConfiguration(settings: kafka)
        config.clientID = "triage-ledger"
        producer = try KafkaProducer(configuration: config)
    }

    public func run(shouldStop: () -> Bool = { false }) throws -> Summary {
        let lease = try options.leaseGroup.map { group throws(KafkaError) in
            try ServiceLease(kafka: kafka, group: group, topic: options.topics.leases,
                             instance: options.instance, logger: logger)
        }
        defer { lease?.release() }
        escalations.increment(by: 0)
        resolvedCounter.increment(by: 0)
        if options.once {
            if let lease {
                // A one-off settlement must not race a running ledger.
                let deadline = ContinuousClock.now + .seconds(30)
                guard lease.waitUntilHeld(shouldStop: { shouldStop() || ContinuousClock.now > deadline }) else {
                    throw KafkaError(code: .configuration, message: "another ledger holds the lease \(lease.group) (it is running): stop it before a --once run")
                }
            }
            progress.waiting(for: "restoring state from \(options.topics.commitments) and \(options.topics.control)")
            try restore()
            try runOnce()
        } else {
            while !shouldStop() {
                if let lease {
                    progress.waiting(for: "standing by: the lease \(lease.group) is held by another instance")
                    guard lease.waitUntilHeld(shouldStop: shouldStop, whileWaiting: { progress.advanced() }) else { break }
                }
                // Whatever the previous holder settled is read back before anything is written.
                ledger = CommitmentLedger(rule: rule, window: options.window)
                cohorts = [:]
                progress.waiting(for: "restoring state from \(options.topics.commitments) and \(options.topics.control)")
                try restore()
                summary.leaseTerms += 1
                options.onActive(true)
                defer { options.onActive(false) }
                try runLive(lease: lease, shouldStop: shouldStop)
                try flush()
            }
        }
        try flush()
        summary.open = ledger.openCount
        summary.trips = ledger.tripped.sorted()
        return summary
    }

    // MARK: - Start: what earlier runs already settled

    private func restore() throws {
        let reader = KafkaTopicReader(settings: kafka)
        var settled = 0
        try reader.readAll(topics: [options.topics.commitments]) { message in
            guard let r = try? JSONParser().parse(message.value), let decision = r["decision_id"]?.stringValue,
                  let name = r["commitment"]?.stringValue else { return }
            ledger.alreadyResolved("\(decision)/\(name)")
            settled += 1
        }
        var state: [String: ControlMessage.Kind] = [:]
        try reader.readAll(topics: [options.topics.control]) { message in
            if let control = ControlMessage(bytes: message.value) { state[control.template] = control.kind }
        }
        for (template, kind) in state where kind == .templateDisabled { ledger.markTripped(template) }
        if settled > 0 || !state.isEmpty {
            logger.info("ledger restored: \(settled) commitments already settled, open breakers: \(ledger.tripped.sorted())")
        }
    }

    // MARK: - Modes

    private enum Event {
        case decision(JSONValue)
        case outcome(decisionID: String, action: String, atMillis: Int64)
        case control(ControlMessage)
    }

    /// The events of one message (an audit message can hold several records, `AuditMessage`).
    private func events(_ message: KafkaConsumerMessage) -> [(Int64, Event)] {
        guard message.topic == options.topics.audit else { return event(message.topic, message.value).map { [$0] } ?? [] }
        return AuditMessage.records(in: message.value).compactMap { event(message.topic, $0) }
    }

    private func event(_ topic: String, _ bytes: [UInt8]) -> (Int64, Event)? {
        let topics = options.topics
        let parser = JSONParser(maxBytes: 1 << 20, maxDepth: 32)
        switch topic {
        case topics.audit:
            guard let value = try? parser.parse(bytes), value["decision"]?.stringValue == "automate" else { return nil }
            return (RFC3339Timestamp.milliseconds(value["decision_time"]?.stringValue) ?? 0, .decision(value))
        case topics.outcomes:
            guard let outcome = ActionOutcome(bytes: bytes, parser: parser), outcome.isDone,
                  !outcome.decisionID.isEmpty, !outcome.action.isEmpty else { return nil }
            return (outcome.atMillis, .outcome(decisionID: outcome.decisionID, action: outcome.action, atMillis: outcome.atMillis))
        case topics.control:
            guard let control = ControlMessage(bytes: bytes) else { return nil }
            return (RFC3339Timestamp.milliseconds(control.time) ?? 0, .control(control))
        default:
            return nil
        }
    }

    /// Everything now in the topics, in time order, settled as of `atMillis`.
    private func runOnce() throws {
        var events: [(Int64, Int, Event)] = []
        try KafkaTopicReader(settings: kafka)
            .readAll(topics: [options.topics.audit, options.topics.outcomes, options.topics.control]) { message in
                for (time, event) in self.events(message) { events.append((time, events.count, event)) }
            }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for (time, _, event) in events {
            try settle(ledger.sweep(nowMillis: time), at: time)
            try apply(event, at: time)
        }
        let end = options.atMillis ?? UTCTime.nowMillis()
        try settle(ledger.sweep(nowMillis: end), at: end)
        try publishSummary(at: end)
    }

    /// Runs while this instance holds the lease (or, with none, until `shouldStop`).
    private func runLive(lease: ServiceLease?, shouldStop: () -> Bool) throws {
        let admin = try KafkaAdmin(settings: kafka)
        let known = try admin.topics()
        var assignment: [KafkaTopicPartitionOffset] = []
        for topic in [options.topics.audit, options.topics.outcomes, options.topics.control] {
            guard let partitions = known[topic] else {
                throw KafkaError(code: .configuration, message: "topic \(topic) does not exist; start the workers (triage work creates it) first")
            }
            for p in 0..<Int32(partitions) {
                assignment.append(KafkaTopicPartitionOffset(topic: topic, partition: p, offset: KafkaTopicPartitionOffset.beginning))
            }
        }
        let consumer = try KafkaConsumer(settings: kafka, assignment: assignment,
                                         extra: ["fetch.max.bytes": "52428800"])
        defer { try? consumer.close() }
        progress.markReady()
        var lastSweep = ContinuousClock.now
        var lastSummary = ContinuousClock.now
        while !shouldStop() {
            progress.advanced()
            let messages = try consumer.poll(maxMessages: 5_000, timeoutMs: 100)
            // Nothing is written (and nothing read is applied) without the lease.
            if let lease, !lease.confirm() {
                progress.markNotReady("lease \(lease.group) lost: standing by")
                return
            }
            for message in messages {
                for (time, event) in events(message) { try apply(event, at: time) }
            }
            let now = ContinuousClock.now
            if now - lastSweep >= .milliseconds(options.sweepIntervalMs) {
                lastSweep = now
                let wall = options.now()
                try settle(ledger.sweep(nowMillis: wall), at: wall)
                _ = producer.poll()
            }
            if now - lastSummary >= .milliseconds(options.summaryIntervalMs) {
                lastSummary = now
                try publishSummary(at: options.now())
            }
        }
        try publishSummary(at: options.now())
    }

    // MARK: - Effects

    private func apply(_ event: Event, at time: Int64) throws {
        switch event {
        case .decision(let record):
            let commitments = CommitmentLedger.Commitment.from(auditRecord: record)
            summary.commitmentsMade += commitments.count
            try settle(ledger.made(commitments), at: time)
        case .outcome(let decisionID, let action, let at):
            try settle(ledger.fulfilled(decisionID: decisionID, action: action, atMillis: at), at: at)
        case .control(let control):
            if control.kind == .templateEnabled && ledger.tripped.contains(control.template) {
                ledger.reset(template: control.template)
                logger.notice("breaker closed for template \(control.template) by \(control.by): \(control.reason)")
            }
        }
    }

    private func settle(_ resolutions: [CommitmentLedger.Resolution], at time: Int64) throws {
        guard !resolutions.isEmpty else { return }
        for resolution in resolutions {
            let c = resolution.commitment
            try send(KafkaProducerMessage(topic: options.topics.commitments, key: c.decisionID, value: resolution.encoded()))
            if resolution.keptOnTime { summary.keptOnTime += 1 }
            resolvedCounter.increment()
            if resolution.escalated {
                summary.escalated += 1
                escalations.increment()
                try send(KafkaProducerMessage(
                    topic: options.topics.queue(ExpertQueue.humanQueueName), key: c.customer, value: resolution.escalation(at: time),
                    headers: [KafkaHeader(key: WireHeader.decision, string: Escalation.decisionHeaderValue),
                              KafkaHeader(key: WireHeader.reason, string: ReasonCode.promiseOverdue.rawValue),
                              KafkaHeader(key: WireHeader.ticketID, string: c.ticketID),
                              KafkaHeader(key: WireHeader.decisionID, string: c.decisionID)]))
            } else if !resolution.keptOnTime {
                summary.fulfilledLate += 1
            }
            for (attribute, value) in c.cohort {
                var entry = cohorts[attribute, default: [:]][value] ?? (0, 0)
                entry.resolved += 1
                if resolution.keptOnTime { entry.kept += 1 }
                cohorts[attribute, default: [:]][value] = entry
            }
        }
        for trip in ledger.trips() {
            let ratio = Double(trip.kept) / Double(max(trip.resolved, 1))
            let control = ControlMessage(
                kind: .templateDisabled, template: trip.template,
                reason: "say-to-do ratio \(String(format: "%.4f", ratio)) (\(trip.kept) of the last \(trip.resolved) kept on time) is under the floor \(ledger.rule.floor)",
                by: "ledger", time: UTCTime.rfc3339(millis: time), kept: trip.kept, made: trip.resolved)
            try send(KafkaProducerMessage(topic: options.topics.control, key: trip.template, value: control.encoded()))
            logger.warning("circuit breaker OPEN for template \(trip.template): \(control.reason); its tickets go to people until `triage ledger reset --template \(trip.template)`")
        }
    }

    /// Say-to-do per template and per cohort value, to `triage.saytodo`.
    private func publishSummary(at time: Int64) throws {
        var w = JSONWriter(reservingCapacity: 1024)
        w.beginObject()
        w.key("time"); w.string(UTCTime.rfc3339(millis: time))
        w.key("templates")
        w.beginObject()
        for (template, record) in ledger.templates.sorted(by: { $0.key < $1.key }) {
            w.key(template)
            w.beginObject()
            w.key("made"); w.int(record.made)
            w.key("resolved"); w.int(record.resolved)
            w.key("kept_on_time"); w.int(record.keptOnTime)
            w.key("ratio"); if record.resolved > 0 { w.double(Double(record.keptOnTime) / Double(record.resolved)) } else { w.null() }
            w.key("recent_ratio"); if let ratio = record.ratio { w.double(ratio) } else { w.null() }
            w.key("breaker_open"); w.bool(ledger.tripped.contains(template))
            w.endObject()
        }
        w.endObject()
        w.key("cohorts")
        w.beginObject()
        for (attribute, values) in cohorts.sorted(by: { $0.key < $1.key }) {
            w.key(attribute)
            w.beginObject()
            for (value, entry) in values.sorted(by: { $0.key < $1.key }) {
                w.key(value)
                w.beginObject()
                w.key("resolved"); w.int(entry.resolved)
                w.key("kept_on_time"); w.int(entry.kept)
                w.key("ratio"); w.double(Double(entry.kept) / Double(max(entry.resolved, 1)))
                w.endObject()
            }
            w.endObject()
        }
        w.endObject()
        w.key("open"); w.int(ledger.openCount)
        w.endObject()
        try send(KafkaProducerMessage(topic: options.topics.sayToDo, key: "summary", value: w.bytes))
        recordMetrics()
        let made = ledger.templates.values.reduce(0) { $0 + $1.resolved }
        let kept = ledger.templates.values.reduce(0) { $0 + $1.keptOnTime }
        logger.info("say-to-do: \(kept) of \(made) resolved commitments kept on time, \(summary.escalated) escalated, \(ledger.openCount) open, breakers open: \(ledger.tripped.sorted())")
    }

    /// `triage_saytodo_ratio{template}` and `triage_circuit_breaker_open{template}` (1 open,
    /// 0 closed), at each summary.
    private func recordMetrics() {
        for template in Set(ledger.templates.keys).union(ledger.tripped) {
            if let record = ledger.templates[template], record.resolved > 0 {
                Gauge(label: "triage_saytodo_ratio", dimensions: [("template", template)])
                    .record(Double(record.keptOnTime) / Double(record.resolved))
            }
            Gauge(label: "triage_circuit_breaker_open", dimensions: [("template", template)])
                .record(ledger.tripped.contains(template) ? 1 : 0)
        }
        Gauge(label: "triage_ledger_open_commitments").record(ledger.openCount)
    }

    private func send(_ message: KafkaProducerMessage) throws(KafkaError) {
        token &+= 1
        try producer.send(message, token: token)  // waits while librdkafka's queue is full
        if token % 1_000 == 0 { try check(producer.poll()) }
    }

    private func check(_ reports: [KafkaDeliveryReport]) throws(KafkaError) {
        if let failed = reports.first(where: { $0.error != nil }), let error = failed.error { throw error }
    }

    private func flush() throws {
        var waited = 0
        while producer.outstanding > 0 {
            try check(producer.flush(timeoutMs: 1_000))
            waited += 1
            guard waited < 60 else { throw KafkaError(code: .timeout, message: "ledger: \(producer.outstanding) writes not acknowledged after 60 s") }
        }
    }
}

