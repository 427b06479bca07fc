import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire

/// Measures the cost of each pipeline step on one core, without Kafka: decode, classify,
/// decide (with the customer's contact history), route (the routed ticket, or the automated
/// ticket with its actions and reply, and the contacts changelog record) and audit (the audit
/// record: JSON and hash chain; the pseudonym is computed once per ticket, in decide). For `triage pipeline-bench`; numbers, not a test. `auditShare` is the audit
/// step's part of the whole per-ticket cost, the in-process half of the audit cost budget.
public struct PipelineBenchmark {
    public struct StepTimes: Sendable {
        public var step: String
        /// Nanoseconds per ticket at the 50th and 99th percentile.
        public var medianNanos: Double
        public var p99Nanos: Double
    }

    public struct Result: Sendable {
        public var tickets: Int
        public var steps: [StepTimes]
        /// Whole pipeline (all steps), tickets per second on one core.
        public var ticketsPerSecond: Double
        /// Mean time of the audit step ÷ mean time of all steps.
        public var auditShare: Double
        /// With `metrics`: mean time of recording one ticket's metrics ÷ mean time of all the
        /// other steps (the hot-path cost of metrics); 0 without.
        public var metricsShare: Double = 0
    }

    public var classifier: ClassifierFactory
    public var policy: Policy = .demo
    /// When set, each ticket is recorded as the worker records it (stage histograms, the
    /// ticket counter, the end-to-end histogram from the record's timestamp), into whatever
    /// backend the process bootstrapped: to measure what metrics cost the hot path.
    public var metrics: PipelineMetrics?

    public init(classifier: @escaping ClassifierFactory) {
        self.classifier = classifier
    }

    public func run(tickets count: Int, seed: UInt64 = 1) throws -> Result {
        var generator = SampleTicketGenerator(seed: seed, malformedRate: 0, humanRequestRate: 0.05)
        let messages = generator.next(count).enumerated().map { i, sample in
            KafkaConsumerMessage(topic: "tickets", partition: 0, offset: Int64(i), key: nil, value: sample.bytes)
        }
        var classify = try classifier()
        let decode = Decode(limits: RecordLimits(), maxDepth: 16)
        var decide = Decide(policy: policy, pseudonymizer: .development)
        var emit = Emit(workerID: "bench", topics: TriageTopics(), excerpt: nil,
                        chain: AuditChain(workerID: "bench", partitions: 12, nonce: seed))
        emit.writesAudit = false  // `route` times the other writes; `audit` is timed on its own
        let nowMillis: Int64 = 1_767_225_600_000
        let now = UTCTime.rfc3339(millis: nowMillis)
        var times = Array(repeating: [UInt64](), count: 6)
        for i in times.indices { times[i].reserveCapacity(count) }
        var sink = 0
        let batch = 500  // WorkerConfiguration.maxBatch's default
        var inBatch = 0
        let metrics = self.metrics
        let started = MonotonicClock.nowNanos()
        for message in messages {
            let t0 = MonotonicClock.nowNanos()
            guard case .success(let ticket) = decode(message) else { continue }
            let t1 = MonotonicClock.nowNanos()
            let classification = classify.classify(ticket)
            let t2 = MonotonicClock.nowNanos()
            let decided = decide(ticket, classification, from: message, nowMillis: nowMillis, disabledTemplates: [], automation: true)
            let t3 = MonotonicClock.nowNanos()
            let writes = emit.writes(ticket: ticket, decision: decided.decision, message: message, pseudonym: decided.pseudonym,
                                     history: decided.history, latencyMicros: 0, now: now)
            // The contacts record is encoded here for every ticket: an upper bound (the worker
            // writes one per customer per batch).
            let routed = writes.messages.reduce(0) { $0 + $1.message.value.count } + (writes.contacts?.history.encoded().count ?? 0)
            let t4 = MonotonicClock.nowNanos()
            let audit = emit.audit(ticket: ticket, decision: decided.decision, message: message, pseudonym: decided.pseudonym,
                                   latencyMicros: 0, now: now)
            let t5 = MonotonicClock.nowNanos()
            sink &+= routed + audit.bytes.count
            if let metrics {
                // What `Pipeline.process` and `Pipeline.finished` record for one ticket, and the
                // pipeline's flush after each batch of `batch` tickets.
                metrics.decided(decided.decision, decodeNanos: Int64(t1 - t0), classifyNanos: Int64(t2 - t1),
                                decideNanos: Int64(t3 - t2), emitNanos: Int64(t5 - t3))
                // The record's timestamp travels with the ticket in the offset tracker.
                metrics.finished(endToEndMillis: UTCTime.nowMillis() - nowMillis)
                inBatch += 1
                if inBatch == batch {
                    metrics.flush()
                    inBatch = 0
                }
                times[5].append(MonotonicClock.nowNanos() - t5)
            }
            times[0].append(t1 - t0); times[1].append(t2 - t1); times[2].append(t3 - t2); times[3].append(t4 - t3)
            times[4].append(t5 - t4)
        }
        let total = Double(MonotonicClock.nowNanos() - started) / 1e9
        precondition(sink > 0)
        let names = ["decode", "classify", "decide", "route", "audit", "metrics"]
        let sums = times.map { $0.reduce(0.0) { $0 + Double($1) } }
        let stepsTotal = sums[0..<5].reduce(0, +)
        let auditShare = sums[4] / stepsTotal
        let steps = zip(names, times).filter { !$0.1.isEmpty }.map { name, samples in
            let sorted = samples.sorted()
            return StepTimes(step: name, medianNanos: Double(sorted[sorted.count / 2]),
                             p99Nanos: Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]))
        }
        return Result(tickets: times[0].count, steps: steps, ticketsPerSecond: Double(times[0].count) / total,
                      auditShare: auditShare, metricsShare: sums[5] / stepsTotal)
    }
}
