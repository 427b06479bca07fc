import Kafka

/// Reads topics from their beginning up to their current end, outside any consumer group
/// (no offsets are committed): for checks, summaries and reports.
public struct TopicReader {
    public var bootstrapServers: String

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// Calls `body` for every record of the named topics that exist (missing ones are
    /// skipped). Returns the number of records read.
    @discardableResult
    public func readAll(topics wanted: [String], timeoutMs: Int = 60_000, _ body: (KafkaConsumerMessage) throws -> Void) throws -> Int {
        let admin = try KafkaAdmin(bootstrapServers: bootstrapServers)
        let known = try admin.topics()
        var ends: [KafkaTopicPartition: Int64] = [:]
        var assignment: [KafkaTopicPartitionOffset] = []
        for topic in wanted {
            guard let partitions = known[topic] else { continue }
            for p in 0..<Int32(partitions) {
                let marks = try admin.watermarks(topic: topic, partition: p)
                guard marks.high > marks.low else { continue }
                ends[KafkaTopicPartition(topic: topic, partition: p)] = marks.high
                assignment.append(KafkaTopicPartitionOffset(topic: topic, partition: p, offset: marks.low))
            }
        }
        guard !assignment.isEmpty else { return 0 }
        let consumer = try KafkaConsumer(bootstrapServers: bootstrapServers, assignment: assignment,
                                         extra: ["fetch.max.bytes": "52428800"])
        var remaining = ends
        var count = 0
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timeout, message: "reading \(wanted): \(remaining.count) partitions not read to their end within \(timeoutMs) ms (\(remaining.keys.sorted().prefix(3))…)")
            }
            for message in try consumer.poll(maxMessages: 5_000, timeoutMs: 200) {
                try body(message)
                count += 1
                if let end = remaining[message.topicPartition], message.offset + 1 >= end {
                    remaining[message.topicPartition] = nil
                }
            }
        }
        try? consumer.close()
        return count
    }
}
