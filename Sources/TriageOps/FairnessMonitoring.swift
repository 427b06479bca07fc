import CoreMetrics
import Kafka
import Logging
import TriageWire
import TriageWorker
import TriageAudit
import TriageCore
import TriageGovernance

/// `triage audit monitor`: feeds `triage.audit`, `triage.commitments` and `triage.feedback` into
/// a `FairnessMonitor` and publishes every closed window to `triage.fairness` (key = window
/// start, value = `FairnessWindow.encoded()`, header `partial` = `true`/`false`).
///
/// Offsets: the monitor reads every partition of the input topics with a manual assignment
/// (no consumer group, nothing committed), from their end or, with `fromBeginning`, from their
/// beginning. A restarted monitor therefore either starts afresh at the end (losing the open
/// windows' earlier records, which were published as partial on the graceful stop) or re-reads
/// everything (re-publishing windows with the same key: consumers keep the latest per key).
public final class FairnessMonitoring {
    public struct Options: Sendable {
        public var kafka: KafkaClientSettings
        public var bootstrapServers: String {
            get { kafka.bootstrapServers }
            set { kafka.bootstrapServers = newValue }
        }
        public var topics = TriageTopics()
        public var config: FairnessConfig
        public var fromBeginning = false
        /// Seconds between progress lines (0: none).
        public var progressIntervalSeconds = 10
        /// Benchmark control (only with `runOnce`).
        public var shuffle: AttributeShuffle?
        /// Partitions of `triage.fairness` when the monitor has to create it.
        public var fairnessPartitions = 1
        /// The consumer group whose lease (`ServiceLease`) keeps the live monitor single: a
        /// second replica stands by instead of publishing every window and alert twice.
        /// nil: no lease.
        public var leaseGroup: String? = "triage-monitor"
        /// This instance's name in the lease group.
        public var instance = "monitor"

        public init(bootstrapServers: String, config: FairnessConfig) {
            self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), config: config)
        }

        public init(kafka: KafkaClientSettings, config: FairnessConfig) {
            self.kafka = kafka
            self.config = config
        }
    }

    /// What the monitor did.
    public struct Summary: Sendable {
        public var read: [String: Int] = [:]
        public var skipped: [String: Int] = [:]
        public var firstSkipReason: [String: String] = [:]
        public var windowsPublished = 0
        public var partialWindows = 0
        public var alerts = 0
        /// Alerts on each attribute, summed over windows.
        public var alertsByAttribute: [String: Int] = [:]
        public var lateDropped = 0
        public var unmatchedFeedback = 0
        public var openWindows = 0
        public var watermarkMs: Int64?
        public var missingTopics: [String] = []
        /// Times this instance took the lease and became the active monitor.
        public var leaseTerms = 0

        public var readTotal: Int { read.values.reduce(0, +) }
        public var skippedTotal: Int { skipped.values.reduce(0, +) }
    }

    /// What the caller is told as it happens.
    public enum Event {
        /// A window was published to `triage.fairness`.
        case window(FairnessWindow, partial: Bool)
        /// A periodic progress report.
        case progress(Summary)
        /// Something worth a line in the log (missing topics, a first skipped record, …).
        case note(String)
    }

    public let options: Options
    /// For `/healthz` and `/readyz`.
    /// What the probes are told (health, readiness); shared with the HTTP server's thread.
    public let progress: ServiceProgress
    private var summary = Summary()
    private var producer: KafkaProducer?
    private var token: UInt = 0

    public init(options: Options, progress: ServiceProgress = ServiceProgress()) {
        self.options = options
        self.progress = progress
    }

    // MARK: - Once

    /// Reads everything currently in the input topics, publishes every window (a window whose
    /// end is after the time of reading is published as partial), returns.
    public func runOnce(publish: Bool = true, nowMs: Int64 = UTCTime.nowMillis(), onEvent: (Event) -> Void) throws -> Summary {
        let reader = GovernanceInputReader(kafka: options.kafka, topics: options.topics,
                                           windowLengthMs: options.config.windowLengthMs)
        var input = try reader.read { count in onEvent(.note("read \(count) records…")) }
        summary.read = input.read
        summary.skipped = input.skipped
        summary.firstSkipReason = input.firstSkipReason
        summary.missingTopics = input.missingTopics
        if !input.missingTopics.isEmpty { onEvent(.note("topic(s) not found, read as empty: \(input.missingTopics.joined(separator: ", "))")) }
        for (topic, reason) in input.firstSkipReason.sorted(by: { $0.key < $1.key }) {
            onEvent(.note("skipped \(input.skipped[topic] ?? 0) record(s) of \(topic) that are not valid input, first: \(reason)"))
        }
        if let shuffle = options.shuffle { shuffle.apply(to: &input) }

        var monitor = FairnessMonitor(config: options.config)
        input.decisions.sort { ($0.decisionTimeMs, $0.decisionID) < ($1.decisionTimeMs, $1.decisionID) }
        for d in input.decisions { monitor.add(d) }
        for r in input.resolutions { monitor.add(r) }
        for f in input.feedback { monitor.add(f) }
        let windows = monitor.closeAllWindows()
        summary.watermarkMs = monitor.watermarkMs == .min ? nil : monitor.watermarkMs
        summary.lateDropped = monitor.lateDropped
        summary.unmatchedFeedback = monitor.unmatchedFeedback
        if publish && !windows.isEmpty { try openProducer() }
        for window in windows {
            try emit(window, partial: window.endMs > nowMs, publish: publish, onEvent: onEvent)
        }
        if publish { try flush() }
        return summary
    }

    // MARK: - Live

    /// Runs until `shouldStop` says so, then closes every open window and publishes it as
    /// partial. With a lease, only while this instance holds it: a standby replica waits, and
    /// an instance that loses the lease stops publishing at once and stands by again.
    public func run(shouldStop: () -> Bool, onEvent: (Event) -> Void) throws -> Summary {
        guard options.shuffle == nil else {
            throw KafkaError(code: .configuration, message: "the attribute shuffle (a benchmark control) needs --once")
        }
        guard let group = options.leaseGroup else {
            try runActive(lease: nil, shouldStop: shouldStop, onEvent: onEvent)
            return summary
        }
        var logger = Logger(label: "triage.monitor")
        logger[metadataKey: "instance"] = "\(options.instance)"
        let lease = try ServiceLease(kafka: options.kafka, group: group, topic: options.topics.leases,
                                     instance: options.instance, logger: logger)
        defer { lease.release() }
        while !shouldStop() {
            progress.waiting(for: "standing by: the lease \(group) is held by another instance")
            guard lease.waitUntilHeld(shouldStop: shouldStop, whileWaiting: { progress.advanced() }) else { break }
            onEvent(.note("lease \(group) taken: this instance is the active monitor"))
            summary.leaseTerms += 1
            try runActive(lease: lease, shouldStop: shouldStop, onEvent: onEvent)
        }
        return summary
    }

    private func runActive(lease: ServiceLease?, shouldStop: () -> Bool, onEvent: (Event) -> Void) throws {
        let topics = options.topics
        progress.waiting(for: "connecting to Kafka")
        let admin = try KafkaAdmin(settings: options.kafka)
        try ensureOutputTopic(admin)
        let known = try admin.topics()
        summary.missingTopics = topics.governanceInputs.filter { known[$0] == nil }
        if !summary.missingTopics.isEmpty {
            onEvent(.note("topic(s) not found, not read (restart the monitor once they exist): \(summary.missingTopics.joined(separator: ", "))"))
        }
        guard known[topics.audit] != nil else {
            throw KafkaError(code: .configuration, message: "topic \(topics.audit) does not exist: nothing to monitor")
        }
        var assignment: [KafkaTopicPartitionOffset] = []
        // With --from-beginning, the backlog (up to the end at start) is read before any window
        // closes, so that partitions read at different speeds drop nothing as late.
        var backlog: [KafkaTopicPartition: Int64] = [:]
        for topic in topics.governanceInputs {
            guard let partitions = known[topic] else { continue }
            for p in 0..<Int32(partitions) {
                if options.fromBeginning {
                    let marks = try admin.watermarks(topic: topic, partition: p)
                    if marks.high > marks.low { backlog[KafkaTopicPartition(topic: topic, partition: p)] = marks.high }
                }
                assignment.append(KafkaTopicPartitionOffset(
                    topic: topic, partition: p,
                    offset: options.fromBeginning ? KafkaTopicPartitionOffset.beginning : KafkaTopicPartitionOffset.end))
            }
        }
        let consumer = try KafkaConsumer(settings: options.kafka, assignment: assignment,
                                         extra: ["fetch.max.bytes": "52428800"])
        defer { try? consumer.close() }
        try openProducer()
        onEvent(.note("reading \(assignment.count) partitions of \(topics.governanceInputs.filter { known[$0] != nil }.joined(separator: ", ")) from their \(options.fromBeginning ? "beginning" : "end"); windows of \(DurationText.text(milliseconds: options.config.windowLengthMs)), allowed lateness \(DurationText.text(milliseconds: options.config.allowedLatenessMs)) → \(topics.fairness)"))

        var monitor = FairnessMonitor(config: options.config)
        var input = GovernanceInput()
        let interval = Duration.seconds(options.progressIntervalSeconds)
        var nextProgress = ContinuousClock.now + interval
        // Every alert series exists from the start (at 0), so a dashboard sees "no alerts", not "no data".
        for attribute in options.config.attributes {
            for metric in FairnessMetric.allCases {
                Counter(label: "triage_fairness_alerts_total", dimensions: [("attribute", attribute), ("metric", metric.rawValue)]).increment(by: 0)
            }
        }
        progress.markReady()
        while !shouldStop() {
            progress.advanced()
            for message in try consumer.poll(maxMessages: 5_000, timeoutMs: 250) {
                if let end = backlog[message.topicPartition], message.offset + 1 >= end {
                    backlog[message.topicPartition] = nil
                    if backlog.isEmpty { onEvent(.note("caught up with the backlog")) }
                }
                input.ingest(topic: message.topic, value: message.value, topics: topics)
                for d in input.decisions { monitor.add(d) }
                for r in input.resolutions { monitor.add(r) }
                for f in input.feedback { monitor.add(f) }
                input.decisions.removeAll(keepingCapacity: true)
                input.resolutions.removeAll(keepingCapacity: true)
                input.feedback.removeAll(keepingCapacity: true)
            }
            for (topic, reason) in input.firstSkipReason where summary.firstSkipReason[topic] == nil {
                summary.firstSkipReason[topic] = reason
                onEvent(.note("skipping records of \(topic) that are not valid input (counted), first: \(reason)"))
            }
            summary.read = input.read
            summary.skipped = input.skipped
            if let lease, !lease.confirm() {
                onEvent(.note("lease \(lease.group) lost: standing by; \(monitor.openWindows().count) open window(s) are left to the new holder"))
                progress.markNotReady("lease \(lease.group) lost: standing by")
                return
            }
            if backlog.isEmpty {
                for window in monitor.closeCompletedWindows() {
                    try emit(window, partial: false, publish: true, onEvent: onEvent)
                }
            }
            _ = producer?.poll()
            if options.progressIntervalSeconds > 0, ContinuousClock.now >= nextProgress {
                nextProgress = ContinuousClock.now + interval
                update(from: monitor)
                onEvent(.progress(summary))
            }
        }
        if let lease, !lease.confirm() {
            onEvent(.note("stopping without the lease: \(monitor.openWindows().count) open window(s) not published"))
            return
        }
        onEvent(.note("stopping: closing \(monitor.openWindows().count) open window(s) and publishing them as partial"))
        for window in monitor.closeAllWindows() {
            try emit(window, partial: true, publish: true, onEvent: onEvent)
        }
        update(from: monitor)
        try flush()
    }

    private func update(from monitor: FairnessMonitor) {
        summary.lateDropped = monitor.lateDropped
        summary.unmatchedFeedback = monitor.unmatchedFeedback
        summary.openWindows = monitor.openWindows().count
        summary.watermarkMs = monitor.watermarkMs == .min ? nil : monitor.watermarkMs
    }

    // MARK: - Output

    private func ensureOutputTopic(_ admin: KafkaAdmin) throws {
        guard (try admin.topics())[options.topics.fairness] == nil else { return }
        // A real cluster creates it here; the mock cluster refuses CreateTopics and creates it
        // on the first write instead.
        _ = try? admin.createMissingTopics([KafkaTopicSpec(name: options.topics.fairness, partitions: options.fairnessPartitions)],
                                           timeoutMs: 3_000)
    }

    private func openProducer() throws {
        guard producer == nil else { return }
        producer = try KafkaProducer(configuration: KafkaProducerConfiguration(settings: options.kafka))
    }

    private func emit(_ window: FairnessWindow, partial: Bool, publish: Bool, onEvent: (Event) -> Void) throws {
        if publish, let producer {
            token += 1
            try producer.send(KafkaProducerMessage(
                topic: options.topics.fairness, key: UTCTime.rfc3339(millis: window.startMs), value: window.encoded(),
                headers: [KafkaHeader(key: "partial", string: partial ? "true" : "false")]), token: token)
            for report in producer.poll() {
                if let error = report.error { throw error }
            }
        }
        summary.windowsPublished += 1
        if partial { summary.partialWindows += 1 }
        summary.alerts += window.alerts.count
        for alert in window.alerts {
            summary.alertsByAttribute[alert.attribute, default: 0] += 1
            // Attribute and metric names only: no cohort value, no customer.
            Counter(label: "triage_fairness_alerts_total", dimensions: [("attribute", alert.attribute), ("metric", alert.metric.rawValue)]).increment()
        }
        Counter(label: "triage_fairness_windows_total", dimensions: [("partial", partial ? "true" : "false")]).increment()
        onEvent(.window(window, partial: partial))
    }

    private func flush() throws {
        guard let producer else { return }
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            for report in producer.flush(timeoutMs: 1_000) {
                if let error = report.error { throw error }
            }
            if producer.outstanding == 0 { return }
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timeout, message: "\(producer.outstanding) window(s) not delivered to \(options.topics.fairness) within 30 s")
            }
        }
    }

    // MARK: - Lines for people

    /// `window 2026-…Z – …Z: 945 decisions, 61 tests, 1 alert (partial)`.
    public static func windowLine(_ w: FairnessWindow, partial: Bool) -> String {
        let alerts = w.alerts.count
        return "window \(UTCTime.rfc3339(millis: w.startMs)) – \(UTCTime.rfc3339(millis: w.endMs)): \(w.records) decisions, \(w.commitmentResolutions) resolutions, \(w.requeued) requeued, \(w.testCount) tests, \(alerts) alert\(alerts == 1 ? "" : "s")\(partial ? " (partial)" : "")"
    }

    /// `ALERT style=informal handoff 31.0% vs rest 20.1%, impact ratio 0.65 (best-off standard), p 1.2e-05, corrected 3.4e-04`.
    public static func alertLine(_ a: CohortComparison) -> String {
        "ALERT \(a.attribute)=\(a.cohort) \(a.metric.rawValue) \(percent(a.rate)) vs rest \(percent(a.restRate)), impact ratio \(fixed(a.impactRatio, 3)) (best-off \(a.bestOff)), p \(scientific(a.pValue)), corrected \(scientific(a.adjustedPValue))"
    }

    public static func progressLine(_ s: Summary) -> String {
        let read = s.read.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "progress: read \(read.isEmpty ? "nothing yet" : read); skipped \(s.skippedTotal); windows published \(s.windowsPublished), open \(s.openWindows); alerts \(s.alerts); late dropped \(s.lateDropped); watermark \(s.watermarkMs.map { UTCTime.rfc3339(millis: $0) } ?? "–")"
    }

    static func percent(_ v: Double) -> String { fixed(v * 100, 1) + "%" }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        var s = "\(r)"
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }

    public static func scientific(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == 0 { return "0" }
        if v >= 0.001 { return fixed(v, 4) }
        var exponent = 0
        var m = v
        while m < 1 { m *= 10; exponent -= 1 }
        return "\(fixed(m, 2))e\(exponent)"
    }
}
