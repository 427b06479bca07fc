import Kafka
import Testing

@Suite("Kafka wrapper against the mock cluster", .serialized)
struct ProducerConsumerTests {
    @Test("delivery reports carry the caller's token, partition and offset")
    func deliveryReports() throws {
        let mock = try MockTopic(partitions: 2)
        let reports = try mock.produce(50)
        #expect(reports.count == 50)
        #expect(reports.allSatisfy { $0.error == nil })
        #expect(Set(reports.map(\.token)) == Set((0..<50).map(UInt.init)))
        #expect(reports.allSatisfy { $0.topic == mock.topic && $0.offset >= 0 && (0..<2).contains($0.partition) })
    }

    @Test("records round-trip with key, value and headers through a manual assignment")
    func roundTrip() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.produce(10, headers: [KafkaHeader(key: "h", string: "x"), KafkaHeader(key: "empty", value: nil)])
        let consumer = try KafkaConsumer(bootstrapServers: mock.bootstrap,
                                         assignment: [KafkaTopicPartitionOffset(topic: mock.topic, partition: 0, offset: KafkaTopicPartitionOffset.beginning)])
        var got: [KafkaConsumerMessage] = []
        _ = try eventually { got += try consumer.poll(maxMessages: 100, timeoutMs: 100); return got.count >= 10 }
        #expect(got.map { String(decoding: $0.value, as: UTF8.self) } == (0..<10).map { "v\($0)" })
        #expect(got.map(\.offset) == Array(0..<10))
        #expect(got[3].key.map { String(decoding: $0, as: UTF8.self) } == "k3")
        #expect(got[0].header("h") == "x")
        #expect(got[0].headers.contains { $0.key == "empty" && $0.value == nil })
        let marks = try consumer.watermarks(topic: mock.topic, partition: 0)
        #expect(marks.high == 10)
    }

    @Test("a group member gets partitions, and only stored offsets are committed")
    func groupCommitsStoredOffsets() throws {
        let mock = try MockTopic(partitions: 2)
        try mock.produce(20)
        let group = "g-\(UInt32.random(in: 0...UInt32.max))"
        var config = KafkaConsumerConfiguration(bootstrapServers: mock.bootstrap, groupID: group, topics: [mock.topic])
        config.autoCommitIntervalMs = 100
        let consumer = try KafkaConsumer(configuration: config)
        var events: [KafkaRebalanceEvent] = []
        consumer.onRebalance = { events.append($0) }
        var got: [KafkaConsumerMessage] = []
        #expect(try eventually { got += try consumer.poll(maxMessages: 100, timeoutMs: 100); return got.count >= 20 })
        #expect(events.contains { if case .assigned(let p) = $0 { return p.count == 2 } else { return false } })
        #expect(consumer.assignment().count == 2)

        // Store only the first 3 records of each partition: commit must say 3, not 10.
        let stored = (0..<Int32(2)).map { KafkaTopicPartitionOffset(topic: mock.topic, partition: $0, offset: 3) }
        try consumer.store(stored)
        try consumer.commit()
        let committed = try consumer.committed(stored.map(\.topicPartition))
        #expect(committed.map(\.offset) == [3, 3])
        try consumer.close()
        #expect(events.contains { if case .revoked = $0 { return true } else { return false } })
    }

    @Test("a second member takes partitions over with cooperative rebalancing, revocation first")
    func cooperativeRebalance() throws {
        let mock = try MockTopic(partitions: 4)
        let group = "g-\(UInt32.random(in: 0...UInt32.max))"
        let config = KafkaConsumerConfiguration(bootstrapServers: mock.bootstrap, groupID: group, topics: [mock.topic])
        let first = try KafkaConsumer(configuration: config)
        var firstEvents: [KafkaRebalanceEvent] = []
        first.onRebalance = { firstEvents.append($0) }
        #expect(try eventually(seconds: 60) { _ = try first.poll(maxMessages: 10, timeoutMs: 100); return first.assignment().count == 4 })

        let second = try KafkaConsumer(configuration: config)
        // A behaviour check, not a timing one: on a loaded 2-core CI machine (every suite runs
        // at once) the first member alone took 24 s to get its four partitions and the two
        // rounds of a cooperative rebalance more than 45 s.
        #expect(try eventually(seconds: 120) {
            _ = try first.poll(maxMessages: 10, timeoutMs: 50)
            _ = try second.poll(maxMessages: 10, timeoutMs: 50)
            return first.assignment().count == 2 && second.assignment().count == 2
        })
        // Cooperative: the first member gave up two partitions and kept two (no full revoke).
        let revoked = firstEvents.compactMap { if case .revoked(let p) = $0 { return p } else { return nil } }
        #expect(revoked.flatMap { $0 }.count == 2)
        try second.close()
        // The first member takes the two partitions back. Wait for that before closing it:
        // librdkafka 2.0.2 can hang for good in `rd_kafka_consumer_close` when the close
        // revokes partitions while this rebalance is still going on (seen once in CI: the
        // rebalance callback's `rd_kafka_incremental_unassign` never returned).
        #expect(try eventually(seconds: 120) {
            _ = try first.poll(maxMessages: 10, timeoutMs: 50)
            return first.assignment().count == 4
        })
        try first.close()
    }

    @Test("pause stops fetching and resume starts it again")
    func pauseResume() throws {
        let mock = try MockTopic(partitions: 1)
        let consumer = try KafkaConsumer(bootstrapServers: mock.bootstrap,
                                         assignment: [KafkaTopicPartitionOffset(topic: mock.topic, partition: 0, offset: KafkaTopicPartitionOffset.beginning)])
        consumer.pause([KafkaTopicPartition(topic: mock.topic, partition: 0)])
        try mock.produce(5)
        var got = 0
        for _ in 0..<10 { got += try consumer.poll(maxMessages: 10, timeoutMs: 100).count }
        #expect(got == 0)
        consumer.resume([KafkaTopicPartition(topic: mock.topic, partition: 0)])
        #expect(try eventually { got += try consumer.poll(maxMessages: 10, timeoutMs: 100).count; return got == 5 })
    }

    @Test("a produce that fails with retriable errors is retried by librdkafka and delivered")
    func retriableProduceErrors() throws {
        let mock = try MockTopic(partitions: 1)
        mock.cluster.pushRequestErrors(.produce, errors: [6, 6, 6])  // NOT_LEADER_FOR_PARTITION ×3
        let reports = try mock.produce(5)
        #expect(reports.count == 5)
        #expect(reports.allSatisfy { $0.error == nil })
    }

    @Test("a broker that goes down and comes back loses nothing")
    func brokerDownAndUp() throws {
        let mock = try MockTopic(partitions: 1, brokers: 1)
        let producer = try mock.producer()
        try mock.cluster.setBrokerDown(1)
        for i in 0..<5 { try producer.send(KafkaProducerMessage(topic: mock.topic, key: nil as String?, value: [UInt8(i)]), token: UInt(i)) }
        var reports = producer.flush(timeoutMs: 1_000)
        #expect(reports.isEmpty, "nothing can be delivered while the only broker is down")
        try mock.cluster.setBrokerUp(1)
        _ = eventually { reports += producer.flush(timeoutMs: 200); return reports.count == 5 }
        #expect(reports.count == 5)
        #expect(reports.allSatisfy { $0.error == nil })
    }

    @Test("a non-retriable delivery failure is reported with its error, not lost")
    func deliveryFailureIsReported() throws {
        let mock = try MockTopic(partitions: 1)
        var config = KafkaProducerConfiguration(bootstrapServers: mock.bootstrap)
        config.messageTimeoutMs = 1_000
        let producer = try KafkaProducer(configuration: config)
        try mock.cluster.setBrokerDown(1)
        try producer.send(KafkaProducerMessage(topic: mock.topic, key: nil as String?, value: [1]), token: 42)
        var reports: [KafkaDeliveryReport] = []
        _ = eventually(seconds: 10) { reports += producer.flush(timeoutMs: 200); return !reports.isEmpty }
        #expect(reports.count == 1)
        #expect(reports.first?.token == 42)
        #expect(reports.first?.error?.code == .produce || reports.first?.error?.code == .timeout)
        #expect(reports.first?.error?.isRetriable == true)
        try mock.cluster.setBrokerUp(1)
    }
}
