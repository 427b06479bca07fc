import Kafka

/// Step 1, consume: batches from the group, with back-pressure.
///
/// When too many tickets are in flight (read but not yet acknowledged), fetching pauses on
/// every assigned partition; `poll` still runs so the group keeps this member. Fetching
/// resumes when half of them are done.
///
/// A class, not a struct, on purpose: librdkafka serves rebalance callbacks *inside*
/// `poll`, and the pipeline's rebalance handler calls `forget` on this same object. A
/// mutating struct method that polls would hold exclusive access to the struct across
/// that callback, and Swift's exclusivity check stops the process (it did, on every
/// revocation). Here no access to the back-pressure state spans the call to `poll`.
final class Consume {
    let consumer: KafkaConsumer
    let maxBatch: Int
    let maxInFlight: Int
    private(set) var paused: Set<KafkaTopicPartition> = []

    init(consumer: KafkaConsumer, maxBatch: Int, maxInFlight: Int) {
        self.consumer = consumer
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
    }

    /// Applies back-pressure, then polls: records, and any rebalance callbacks on the way.
    func next(inFlight: Int, assigned: Set<KafkaTopicPartition>, timeoutMs: Int32 = 100) throws(KafkaError) -> [KafkaConsumerMessage] {
        if inFlight >= maxInFlight {
            let toPause = assigned.subtracting(paused)
            if !toPause.isEmpty {
                consumer.pause(Array(toPause))
                paused.formUnion(toPause)
            }
        } else if !paused.isEmpty, inFlight <= maxInFlight / 2 {
            let toResume = paused.intersection(assigned)
            paused.removeAll()
            consumer.resume(Array(toResume))
        }
        return try consumer.poll(maxMessages: maxBatch, timeoutMs: timeoutMs)
    }

    /// Stops fetching everywhere (shutdown).
    func pauseAll(_ assigned: Set<KafkaTopicPartition>) {
        paused.formUnion(assigned)
        consumer.pause(Array(assigned))
    }

    /// Fetches again from these partitions (after a stall).
    func resume(_ partitions: Set<KafkaTopicPartition>) {
        paused.subtract(partitions)
        consumer.resume(Array(partitions))
    }

    /// Newly assigned partitions (called from the rebalance callback, after librdkafka has
    /// added them to the assignment). librdkafka keeps a partition's pause flag while the
    /// partition is away, so one this member paused, lost and got back would stay paused
    /// for good: its state is set here, explicitly. `fetching` false (shutting down) keeps
    /// them paused; back-pressure pauses them again at the next `next` if it still holds.
    func adopt(_ partitions: [KafkaTopicPartition], fetching: Bool) {
        guard !partitions.isEmpty else { return }
        if fetching {
            paused.subtract(partitions)
            consumer.resume(partitions)
        } else {
            paused.formUnion(partitions)
            consumer.pause(partitions)
        }
    }

    /// Partitions that leave this member (called before librdkafka removes them from the
    /// assignment): those this member paused are resumed first, so no stale pause flag
    /// outlives them.
    func forget(_ partitions: [KafkaTopicPartition]) {
        let ours = paused.intersection(partitions)
        paused.subtract(partitions)
        if !ours.isEmpty { consumer.resume(Array(ours)) }
    }
}
