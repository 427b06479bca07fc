import Kafka

/// Step 1, consume: batches from the group, with back-pressure.
///
/// When too many tickets are in flight (read but not yet acknowledged), fetching pauses on
/// every assigned partition; `poll` still runs so the group keeps this member. Fetching
/// resumes when half of them are done.
struct Consume {
    let consumer: KafkaConsumer
    let maxBatch: Int
    let maxInFlight: Int
    private(set) var paused: Set<KafkaTopicPartition> = []

    init(consumer: KafkaConsumer, maxBatch: Int, maxInFlight: Int) {
        self.consumer = consumer
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
    }

    mutating func next(inFlight: Int, assigned: Set<KafkaTopicPartition>, timeoutMs: Int32 = 100) throws(KafkaError) -> [KafkaConsumerMessage] {
        if inFlight >= maxInFlight {
            let toPause = assigned.subtracting(paused)
            if !toPause.isEmpty {
                consumer.pause(Array(toPause))
                paused.formUnion(toPause)
            }
        } else if !paused.isEmpty, inFlight <= maxInFlight / 2 {
            consumer.resume(Array(paused.intersection(assigned)))
            paused.removeAll()
        }
        return try consumer.poll(maxMessages: maxBatch, timeoutMs: timeoutMs)
    }

    /// Stops fetching everywhere (shutdown).
    mutating func pauseAll(_ assigned: Set<KafkaTopicPartition>) {
        consumer.pause(Array(assigned))
        paused.formUnion(assigned)
    }

    /// Partitions that left this member are no longer paused by us.
    mutating func forget(_ partitions: [KafkaTopicPartition]) {
        paused.subtract(partitions)
    }
}
