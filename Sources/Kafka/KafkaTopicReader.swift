/// Reads topics from their beginning up to their current end, outside any consumer group
/// (no offsets are committed): for checks, summaries and reports.
public struct KafkaTopicReader {
    /// The command's settings: every admin and consumer the reader makes is built from them.
    public var settings: KafkaClientSettings
    public var bootstrapServers: String { settings.bootstrapServers }

    public init(settings: KafkaClientSettings) {
        self.settings = settings
    }

    public init(bootstrapServers: String) {
        self.init(settings: KafkaClientSettings(bootstrapServers: bootstrapServers))
    }

    /// Calls `body` for every record of the named topics that exist (missing ones are
    /// skipped). Returns the number of records read.
    @discardableResult
    public func readAll(topics wanted: [String], timeoutMs: Int = 60_000, _ body: (KafkaConsumerMessage) throws -> Void) throws -> Int {
        let admin = try KafkaAdmin(settings: settings)
        let known = try admin.topics()
        var partitions: [KafkaTopicPartition] = []
        for topic in wanted {
            guard let count = known[topic] else { continue }
            partitions += (0..<Int32(count)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        }
        return try readAll(partitions: partitions, admin: admin, timeoutMs: timeoutMs, body)
    }

    /// Calls `body` for every record now in these partitions, from their low watermark to
    /// their current end. Returns the number of records read.
    @discardableResult
    public func readAll(partitions: [KafkaTopicPartition], properties: [String: String] = [:], timeoutMs: Int = 60_000,
                        _ body: (KafkaConsumerMessage) throws -> Void) throws -> Int {
        try readAll(partitions: partitions, admin: KafkaAdmin(settings: settings), properties: properties,
                    timeoutMs: timeoutMs, body)
    }

    private func readAll(partitions: [KafkaTopicPartition], admin: KafkaAdmin, properties: [String: String] = [:],
                         timeoutMs: Int, _ body: (KafkaConsumerMessage) throws -> Void) throws -> Int {
        var ends: [KafkaTopicPartition: Int64] = [:]
        var assignment: [KafkaTopicPartitionOffset] = []
        for partition in partitions {
            let marks = try admin.watermarks(topic: partition.topic, partition: partition.partition)
            guard marks.high > marks.low else { continue }
            ends[partition] = marks.high
            assignment.append(KafkaTopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: marks.low))
        }
        guard !assignment.isEmpty else { return 0 }
        var extra = properties
        extra["fetch.max.bytes"] = extra["fetch.max.bytes"] ?? "52428800"
        let consumer = try KafkaConsumer(settings: settings, assignment: assignment, extra: extra)
        var remaining = ends
        var count = 0
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw KafkaError(code: .timeout, message: "reading \(partitions.count) partitions: \(remaining.count) not read to their end within \(timeoutMs) ms (\(remaining.keys.sorted().prefix(3))…)")
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
