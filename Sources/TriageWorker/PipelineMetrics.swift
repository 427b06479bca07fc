import CoreMetrics
import Kafka
import TriagePolicy

/// What the pipeline records through swift-metrics (the process picks the backend; with
/// none bootstrapped every handle is a no-op). Family names and labels are documented in
/// docs/OPERATIONS.md, "Metrics, health and logs".
///
/// Cheap on the hot path: every handle is made once per label set and cached here, on the
/// pipeline thread that alone uses this object, so recording a ticket is a dictionary lookup
/// and an atomic add or a histogram update: no allocation, no lock of ours. Label values are
/// queue names, decision kinds, reason codes and topic/partition numbers only: never ticket
/// text or a customer id.
public final class PipelineMetrics {
    /// The per-stage latency histograms, `triage_stage_duration_seconds{stage}`.
    public let decode: CoreMetrics.Timer
    public let classify: CoreMetrics.Timer
    public let decide: CoreMetrics.Timer
    public let emit: CoreMetrics.Timer
    /// From the input record's Kafka timestamp to the acknowledgement of the ticket's last write.
    let endToEnd = CoreMetrics.Timer(label: "triage_end_to_end_duration_seconds")
    /// Synchronous commits (revocation, shutdown); periodic commits are librdkafka's auto-commit.
    let commit = CoreMetrics.Timer(label: "triage_commit_duration_seconds")
    let inFlight = Gauge(label: "triage_in_flight_tickets")
    let assignedPartitions = Gauge(label: "triage_assigned_partitions")
    let producerQueue = Gauge(label: "triage_producer_queue_messages")
    let deliveryRetries = Counter(label: "triage_delivery_retries_total")
    let unconfirmedDeliveries = Counter(label: "triage_unconfirmed_deliveries_total")
    let stalls = Counter(label: "triage_stalls_total")
    let consumed = Counter(label: "triage_records_consumed_total")
    private let rebalances: [String: Counter]

    private struct TicketLabels: Hashable {
        var kind: DecisionKind
        var queue: String
        var reason: String
    }
    private var tickets: [TicketLabels: Counter] = [:]
    private var deadLetters: [String: Counter] = [:]
    private var lag: [KafkaTopicPartition: Gauge] = [:]

    public init() {
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

    /// One decided ticket: `triage_tickets_total{decision,queue,reason}` (reason: the
    /// decision's first reason code).
    public func decided(_ decision: Decision) {
        let labels = TicketLabels(kind: decision.kind, queue: decision.queue, reason: decision.reasons.first?.rawValue ?? "none")
        if let counter = tickets[labels] {
            counter.increment()
            return
        }
        let counter = Counter(label: "triage_tickets_total", dimensions: [
            ("decision", labels.kind.rawValue), ("queue", labels.queue), ("reason", labels.reason)])
        tickets[labels] = counter
        counter.increment()
    }

    /// One dead-lettered record: `triage_dead_letters_total{reason}`.
    public func deadLettered(reason: String) {
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
