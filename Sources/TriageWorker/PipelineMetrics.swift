import CoreMetrics
import Kafka
import TriagePolicy

/// What the pipeline records through swift-metrics (the process picks the backend; with
/// none bootstrapped every handle is a no-op). Family names and labels are documented in
/// docs/OPERATIONS.md, "Metrics, health and logs".
///
/// Cheap on the hot path: every handle is made once per label set and cached here, on the
/// pipeline thread that alone uses this object. A ticket's figures (its four stage times, its
/// decision's labels, its end-to-end time) are appended to arrays that keep their capacity,
/// and `flush()`, once per batch of the loop, hands them to the backend in one tight loop
/// (the Prometheus histograms take a lock per value; done together the locks and buckets
/// stay in cache). Nothing is allocated per ticket once the arrays have grown. Label values are
/// queue names, decision kinds, reason codes and topic/partition numbers only: never ticket
/// text or a customer id.
public final class PipelineMetrics {
    /// The per-stage latency histograms, `triage_stage_duration_seconds{stage}`.
    private let decode: CoreMetrics.Timer
    private let classify: CoreMetrics.Timer
    private let decide: CoreMetrics.Timer
    private let emit: CoreMetrics.Timer
    /// From the input record's Kafka timestamp to the acknowledgement of the ticket's last write.
    private let endToEnd = CoreMetrics.Timer(label: "triage_end_to_end_duration_seconds")
    /// Synchronous commits (revocation, shutdown); periodic commits are librdkafka's auto-commit.
    let commit = CoreMetrics.Timer(label: "triage_commit_duration_seconds")
    /// Returning freed memory to the system (`MemoryTrim`), every `memoryTrimIntervalMs`.
    let memoryTrim = CoreMetrics.Timer(label: "triage_memory_trim_seconds")
    /// Gauges of this pipeline alone: with several pipelines in a process (`--threads`) they
    /// carry a `pipeline` label, so one does not overwrite another's value.
    let inFlight: Gauge
    let assignedPartitions: Gauge
    let producerQueue: Gauge
    let deliveryRetries = Counter(label: "triage_delivery_retries_total")
    let unconfirmedDeliveries = Counter(label: "triage_unconfirmed_deliveries_total")
    let stalls = Counter(label: "triage_stalls_total")
    /// Exactly-once mode: transactions that committed, and that aborted (`reason`: `delivery`,
    /// `commit`, `offsets`, `stall`).
    let transactionsCommitted = Counter(label: "triage_transactions_committed_total")
    private var transactionsAborted: [String: Counter] = [:]
    /// Exactly-once mode: from sending the offsets to the end of the commit.
    let transactionCommit = CoreMetrics.Timer(label: "triage_transaction_commit_duration_seconds")
    private let consumed = Counter(label: "triage_records_consumed_total")
    private let rebalances: [String: Counter]

    private struct TicketLabels: Hashable {
        var kind: DecisionKind
        var queue: String
        var reason: String
    }
    private var tickets: [TicketLabels: Counter] = [:]
    /// Figures of the current batch, not yet handed to the backend.
    private var stageNanos: [(decode: Int64, classify: Int64, decide: Int64, emit: Int64)] = []
    private var decodeOnlyNanos: [Int64] = []
    private var decisions: [TicketLabels] = []
    private var endToEndMillis: [Int64] = []
    private var deadLetters: [String: Counter] = [:]
    private var lag: [KafkaTopicPartition: Gauge] = [:]

    func transactionAborted(reason: String) {
        if transactionsAborted[reason] == nil {
            transactionsAborted[reason] = Counter(label: "triage_transactions_aborted_total", dimensions: [("reason", reason)])
        }
        transactionsAborted[reason]!.increment()
    }

    /// - Parameter pipeline: this pipeline's index when the process runs more than one.
    public init(pipeline: Int? = nil) {
        let own = pipeline.map { [("pipeline", String($0))] } ?? []
        inFlight = Gauge(label: "triage_in_flight_tickets", dimensions: own)
        assignedPartitions = Gauge(label: "triage_assigned_partitions", dimensions: own)
        producerQueue = Gauge(label: "triage_producer_queue_messages", dimensions: own)
        let stage = "triage_stage_duration_seconds"
        decode = CoreMetrics.Timer(label: stage, dimensions: [("stage", "decode")])
        classify = CoreMetrics.Timer(label: stage, dimensions: [("stage", "classify")])
        decide = CoreMetrics.Timer(label: stage, dimensions: [("stage", "decide")])
        emit = CoreMetrics.Timer(label: stage, dimensions: [("stage", "emit")])
        rebalances = Dictionary(uniqueKeysWithValues: ["assigned", "revoked", "lost"].map {
            ($0, Counter(label: "triage_rebalances_total", dimensions: [("kind", $0)]))
        })
        for kind in ["assigned", "revoked", "lost"] { rebalances[kind]!.increment(by: 0) }
        for counter in [deliveryRetries, unconfirmedDeliveries, stalls, consumed] { counter.increment(by: 0) }
        inFlight.record(0)
        producerQueue.record(0)
    }

    /// One decided ticket: its stage times, and `triage_tickets_total{decision,queue,reason}`
    /// (reason: the decision's first reason code). Buffered until `flush`.
    public func decided(_ decision: Decision, decodeNanos: Int64, classifyNanos: Int64, decideNanos: Int64, emitNanos: Int64) {
        stageNanos.append((decodeNanos, classifyNanos, decideNanos, emitNanos))
        decisions.append(TicketLabels(kind: decision.kind, queue: decision.queue, reason: decision.reasons.first?.rawValue ?? "none"))
    }

    /// A ticket finished: end-to-end time in milliseconds. Buffered until `flush`.
    func finished(endToEndMillis millis: Int64) {
        endToEndMillis.append(millis)
    }

    /// Hands the batch's figures to the backend.
    public func flush() {
        for times in stageNanos {
            decode.recordNanoseconds(times.decode)
            classify.recordNanoseconds(times.classify)
            decide.recordNanoseconds(times.decide)
            emit.recordNanoseconds(times.emit)
        }
        for nanos in decodeOnlyNanos { decode.recordNanoseconds(nanos) }
        consumed.increment(by: stageNanos.count + decodeOnlyNanos.count)
        for labels in decisions { counter(for: labels).increment() }
        for millis in endToEndMillis { endToEnd.recordMilliseconds(millis) }
        stageNanos.removeAll(keepingCapacity: true)
        decodeOnlyNanos.removeAll(keepingCapacity: true)
        decisions.removeAll(keepingCapacity: true)
        endToEndMillis.removeAll(keepingCapacity: true)
    }

    private func counter(for labels: TicketLabels) -> Counter {
        if let counter = tickets[labels] { return counter }
        let counter = Counter(label: "triage_tickets_total", dimensions: [
            ("decision", labels.kind.rawValue), ("queue", labels.queue), ("reason", labels.reason)])
        tickets[labels] = counter
        return counter
    }

    /// One dead-lettered record: `triage_dead_letters_total{reason}` (rare: counted at once),
    /// and its decode time.
    public func deadLettered(reason: String, decodeNanos: Int64) {
        decodeOnlyNanos.append(decodeNanos)
        if let counter = deadLetters[reason] {
            counter.increment()
            return
        }
        let counter = Counter(label: "triage_dead_letters_total", dimensions: [("reason", reason)])
        deadLetters[reason] = counter
        counter.increment()
    }

    func rebalanced(_ kind: String) { rebalances[kind]?.increment() }

    /// librdkafka's statistics: the producer's queue depth, or the consumer's lag per partition.
    func statistics(_ stats: KafkaStatistics, fromConsumer: Bool, assigned: Set<KafkaTopicPartition>) {
        guard fromConsumer else {
            producerQueue.record(stats.queuedMessages)
            return
        }
        for (partition, value) in stats.consumerLag where assigned.contains(partition) {
            gauge(for: partition).record(value)
        }
    }

    /// Partitions that left this member stop reporting lag (0: nothing of theirs waits here).
    func forget(_ partitions: Set<KafkaTopicPartition>) {
        for partition in partitions { lag[partition]?.record(0) }
    }

    private func gauge(for partition: KafkaTopicPartition) -> Gauge {
        if let gauge = lag[partition] { return gauge }
        let gauge = Gauge(label: "triage_consumer_lag_messages", dimensions: [("topic", partition.topic), ("partition", String(partition.partition))])
        lag[partition] = gauge
        return gauge
    }
}
