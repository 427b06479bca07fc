import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire

/// Measures the cost of each pipeline step on one core, without Kafka, by running the
/// pipeline's own step code (`TicketSteps`, `Outbox`, `OffsetTracker`) over sample tickets:
/// decode, classify, decide (with the customer's contact history), route (the routed ticket, or
/// the automated ticket with its actions and reply), audit (the audit record: JSON and hash
/// chain) and outbox (handing the writes to the outbox; at the end of each batch of 500 the
/// batch's audit and contacts messages, and every write acknowledged at once, the batch's cost
/// shared evenly between its tickets). What is left out is librdkafka: consuming, producing,
/// delivery reports. For `triage pipeline-bench`; numbers, not a test. `auditShare` is the
/// audit step's part of the whole per-ticket cost, the in-process half of the audit cost budget.
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
            KafkaConsumerMessage(topic: "tickets", partition: Int32(i % 12), offset: Int64(i / 12), key: nil, value: sample.bytes)
        }
        let topics = TriageTopics()
        var steps = TicketSteps(
            decode: Decode(limits: RecordLimits(), maxDepth: 16), classifier: try classifier(),
            decide: Decide(policy: policy, pseudonymizer: .development),
            emit: Emit(workerID: "bench", topics: topics, excerpt: nil, chain: AuditChain(workerID: "bench", partitions: 12, nonce: seed)),
            deadLetterTopic: topics.deadLetter)
        var outbox = Outbox(retry: .init(maxRetries: 3, backoffMs: 100))
        var tracker = OffsetTracker()
        var acknowledger = Acknowledger()
        let nowMillis: Int64 = 1_767_225_600_000
        let now = UTCTime.rfc3339(millis: nowMillis)
        let names = ["decode", "classify", "decide", "route", "audit", "outbox", "metrics"]
        var times = Array(repeating: [UInt64](), count: names.count)
        for i in times.indices { times[i].reserveCapacity(count) }
        let batch = 500  // WorkerConfiguration.maxBatch's default
        var batchStart = 0
        let metrics = self.metrics
        let started = MonotonicClock.nowNanos()
        for (index, message) in messages.enumerated() {
            guard case .decided(let decision, let writes, let t) = steps.handle(
                message, nowMillis: nowMillis, now: now, disabledTemplates: [], automation: true, mayDecide: { true })
            else { continue }
            let t5 = MonotonicClock.nowNanos()
            Self.handOver(writes, of: message, recordTimestampMs: nowMillis, outbox: &outbox, tracker: &tracker, acknowledger: &acknowledger)
            let t6 = MonotonicClock.nowNanos()
            times[0].append(t.decode); times[1].append(t.classify); times[2].append(t.decide); times[3].append(t.route)
            times[4].append(t.audit); times[5].append(t6 - t5)
            if index - batchStart + 1 == batch || index == messages.count - 1 {
                // What the pipeline does after each batch: the shared records, the acknowledgements.
                let closing = MonotonicClock.nowNanos()
                Self.closeBatch(topics: topics, outbox: &outbox, tracker: &tracker, acknowledger: &acknowledger)
                let share = (MonotonicClock.nowNanos() - closing) / UInt64(times[5].count - batchStart)
                for i in batchStart..<times[5].count { times[5][i] += share }
                batchStart = times[5].count
            }
            if let metrics {
                // What `Pipeline.process` and `Pipeline.finished` record for one ticket, and the
                // pipeline's flush after each batch of `batch` tickets.
                let t7 = MonotonicClock.nowNanos()
                metrics.decided(decision, decodeNanos: Int64(t.decode), classifyNanos: Int64(t.classify),
                                decideNanos: Int64(t.decide), emitNanos: Int64(t.route + t.audit))
                // The record's timestamp travels with the ticket in the offset tracker.
                metrics.finished(endToEndMillis: UTCTime.nowMillis() - nowMillis)
                if times[0].count % batch == 0 { metrics.flush() }
                times[6].append(MonotonicClock.nowNanos() - t7)
            }
        }
        let total = Double(MonotonicClock.nowNanos() - started) / 1e9
        precondition(acknowledger.acknowledged > 0 && tracker.inFlight == 0, "every ticket's writes were acknowledged")
        let sums = times.map { $0.reduce(0.0) { $0 + Double($1) } }
        let stepsTotal = sums[0..<6].reduce(0, +)
        let stepTimes = zip(names, times).filter { !$0.1.isEmpty }.map { name, samples in
            let sorted = samples.sorted()
            return StepTimes(step: name, medianNanos: Double(sorted[sorted.count / 2]),
                             p99Nanos: Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]))
        }
        return Result(tickets: times[0].count, steps: stepTimes, ticketsPerSecond: Double(times[0].count) / total,
                      auditShare: sums[4] / stepsTotal, metricsShare: sums[6] / stepsTotal)
    }

    /// The outbox step for one ticket: its writes handed to the outbox, and acknowledged.
    /// Not inlined, so an instruction profile (benchmarks/instructions) can attribute its cost.
    @inline(never)
    private static func handOver(_ writes: Emit.Writes, of message: KafkaConsumerMessage, recordTimestampMs: Int64,
                                 outbox: inout Outbox, tracker: inout OffsetTracker, acknowledger: inout Acknowledger) {
        let ticket = tracker.begin(message.topicPartition, offset: message.offset, writes: writes.count, recordTimestampMs: recordTimestampMs)
        var actions: [Outbox.Action] = []
        outbox.add(writes, for: ticket, actions: &actions)
        acknowledger.carryOut(actions, outbox: &outbox, tracker: &tracker)
    }

    /// The outbox step at the end of a batch: the batch's audit and contacts messages, acknowledged.
    @inline(never)
    private static func closeBatch(topics: TriageTopics, outbox: inout Outbox, tracker: inout OffsetTracker, acknowledger: inout Acknowledger) {
        var shared: [Outbox.Action] = []
        outbox.closeBatch(auditTopic: topics.audit, contactsTopic: topics.contacts, actions: &shared)
        acknowledger.carryOut(shared, outbox: &outbox, tracker: &tracker)
        _ = tracker.takeCommittable()
    }

    /// Stands in for the producer: every write the outbox asks to send is acknowledged (so held
    /// replies are released as they would be), and every completed ticket is counted. As in
    /// the worker (`Pipeline.acknowledge`), the delivery reports of the sends come back
    /// together, in order, and the actions they cause are carried out after them.
    private struct Acknowledger {
        var nextOffset: Int64 = 0
        var acknowledged = 0
        /// Reused between calls: the reports of the sends not yet delivered, and the actions they caused.
        private var reports: [KafkaDeliveryReport] = []
        private var caused: [Outbox.Action] = []

        mutating func carryOut(_ actions: [Outbox.Action], outbox: inout Outbox, tracker: inout OffsetTracker) {
            perform(actions, tracker: &tracker)
            while !reports.isEmpty {
                caused.removeAll(keepingCapacity: true)
                for report in reports { outbox.delivered(report, nowMicros: 0, actions: &caused) }
                reports.removeAll(keepingCapacity: true)
                perform(caused, tracker: &tracker)
            }
        }

        private mutating func perform(_ actions: [Outbox.Action], tracker: inout OffsetTracker) {
            for action in actions {
                switch action {
                case .send(let token, let message):
                    nextOffset += 1
                    reports.append(KafkaDeliveryReport(token: token, topic: message.topic, partition: message.partition ?? 0, offset: nextOffset))
                case .acknowledged(let ticket):
                    if tracker.complete(ticket) != nil { acknowledged += 1 }
                case .retrying, .resendingUnconfirmed, .failed, .transactionMustAbort:
                    preconditionFailure("an acknowledged write cannot fail: \(action)")
                }
            }
        }
    }
}
