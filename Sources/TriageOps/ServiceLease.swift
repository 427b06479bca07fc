import Kafka
import Logging
import TriageWire

/// The lease that keeps a single-instance service (the ledger, the fairness monitor) single:
/// a consumer group of its own on the one-partition lease topic (`TriageTopics.leases`).
/// The member that has the partition assigned holds the lease; every other replica stands by
/// and takes over when the holder leaves the group (at once, when it stops cleanly) or is
/// dropped from it (after the session timeout, when it died or froze).
///
/// Before it writes, the holder calls `confirm()`: librdkafka's rebalance callbacks are served,
/// and at least every `confirmIntervalMs` (and always after a gap longer than that, e.g. a
/// process frozen by SIGSTOP) the group coordinator is asked to accept a commit with this
/// member's generation. A member the group has moved on from gets ILLEGAL_GENERATION or
/// UNKNOWN_MEMBER_ID and stops writing before a single record. What is left is the time
/// between a confirmation and the writes that follow it (milliseconds), which a lease
/// without fencing tokens on the write path cannot close (docs/OPERATIONS.md).
public final class ServiceLease {
    public let group: String
    public let topic: String
    private let consumer: KafkaConsumer
    private let logger: Logger
    private let confirmInterval: Duration
    private var lastConfirmed: ContinuousClock.Instant?
    private var lastCall: ContinuousClock.Instant?
    public private(set) var isHeld = false

    /// Joins `group` on `topic`; the topic must exist with one partition.
    public init(kafka: KafkaClientSettings, group: String, topic: String, instance: String,
                confirmIntervalMs: Int64 = 1_000, logger: Logger) throws(KafkaError) {
        self.group = group
        self.topic = topic
        self.logger = logger
        self.confirmInterval = .milliseconds(confirmIntervalMs)
        let partitions = try KafkaAdmin(settings: kafka).topics()[topic]
        guard let partitions else {
            throw KafkaError(code: .configuration, message: "lease topic \(topic) does not exist: run `triage topics create` (a single-instance service takes its lease there)")
        }
        guard partitions == 1 else {
            throw KafkaError(code: .configuration, message: "lease topic \(topic) has \(partitions) partitions; a lease needs exactly 1 (see `triage topics check`)")
        }
        var config = KafkaConsumerConfiguration(settings: kafka, groupID: group, topics: [topic])
        config.clientID = instance
        consumer = try KafkaConsumer(configuration: config)
    }

    /// Serves the group; true while this member has the lease partition.
    @discardableResult
    public func poll(timeoutMs: Int32 = 0) -> Bool {
        _ = try? consumer.poll(maxMessages: 1, timeoutMs: timeoutMs)
        let held = !consumer.assignment().isEmpty
        if held != isHeld {
            isHeld = held
            if held { lastConfirmed = nil }
            logger.notice(held ? "lease \(group): taken; this instance is active" : "lease \(group): lost; this instance stands by")
        }
        return held
    }

    /// Blocks until this member holds the lease (true) or `shouldStop` says so (false).
    /// `whileWaiting` runs every 200 ms meanwhile (a standby is alive, not stuck).
    public func waitUntilHeld(shouldStop: () -> Bool, whileWaiting: () -> Void = {}) -> Bool {
        var announced = false
        while !shouldStop() {
            whileWaiting()
            if poll(timeoutMs: 200), confirm() { return true }
            if !announced {
                logger.notice("lease \(group): held by another instance; standing by")
                announced = true
            }
        }
        return false
    }

    /// True when this member may write now: it has the partition and, if the last
    /// confirmation is older than the interval (or this call comes after a gap), the
    /// coordinator has just accepted a commit of this member's generation.
    public func confirm() -> Bool {
        let now = ContinuousClock.now
        let afterGap = lastCall.map { now - $0 > confirmInterval } ?? false
        lastCall = now
        guard poll() else { return false }
        if !afterGap, let lastConfirmed, now - lastConfirmed <= confirmInterval { return true }
        do {
            try consumer.commit([KafkaTopicPartitionOffset(topic: topic, partition: 0, offset: 0)], timeoutMs: 5_000)
            lastConfirmed = ContinuousClock.now
            return true
        } catch {
            logger.warning("lease \(group): the group coordinator did not confirm this instance (\(error.message)); not writing until it does")
            isHeld = false
            return false
        }
    }

    /// Leaves the group, so a standby takes over at once.
    public func release() {
        try? consumer.close()
        isHeld = false
    }
}
