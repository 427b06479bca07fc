import Kafka
import Testing

/// The transactional producer on librdkafka's mock cluster: the calls, their errors, and
/// fencing by transactional id. What librdkafka 2.0.2's mock does *not* do (hide aborted
/// records, store transactional offsets) is pinned by the last two tests, so an upgrade that
/// fixes it shows up here (docs/OPERATIONS.md, "Exactly-once mode").
@Suite("Transactions")
struct TransactionTests {
    static func transactional(_ mock: MockTopic, id: String) throws -> KafkaProducer {
        var config = KafkaProducerConfiguration(bootstrapServers: mock.bootstrap)
        config.lingerMs = 1
        config.transactionalID = id
        config.transactionTimeoutMs = 10_000
        let producer = try KafkaProducer(configuration: config)
        try producer.initTransactions(timeoutMs: 30_000)
        return producer
    }

    static func member(_ mock: MockTopic, group: String) throws -> KafkaConsumer {
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: mock.bootstrap, groupID: group, topics: [mock.topic]))
        #expect(try eventually { _ = try consumer.poll(maxMessages: 10, timeoutMs: 100); return !consumer.assignment().isEmpty })
        return consumer
    }

    static func read(_ mock: MockTopic, topic: String, partitions: Int32 = 1) throws -> [KafkaConsumerMessage] {
        let reader = try KafkaConsumer(bootstrapServers: mock.bootstrap, assignment: (0..<partitions).map {
            KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: -2)
        })
        var got: [KafkaConsumerMessage] = []
        var idle = 0
        while idle < 10 {
            let batch = try reader.poll(maxMessages: 100, timeoutMs: 100)
            got += batch
            idle = batch.isEmpty ? idle + 1 : 0
        }
        return got
    }

    @Test("a transaction's records and its consumed offsets commit together; the producer's property list is transactional")
    func commitWithOffsets() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        try mock.produce(5)
        let group = "g-\(UInt32.random(in: 0...UInt32.max))"
        let consumer = try Self.member(mock, group: group)
        let producer = try Self.transactional(mock, id: "tx-\(group)")
        try producer.beginTransaction()
        for i in 0..<3 { try producer.send(KafkaProducerMessage(topic: "out", key: "k\(i)", value: [UInt8(i)]), token: UInt(i)) }
        try producer.sendOffsetsToTransaction([KafkaTopicPartitionOffset(topic: mock.topic, partition: 0, offset: 5)], consumer: consumer, timeoutMs: 10_000)
        try producer.commitTransaction(timeoutMs: 10_000)
        let reports = producer.poll(timeoutMs: 0)
        #expect(reports.count == 3 && reports.allSatisfy { $0.error == nil && $0.offset >= 0 }, "\(reports)")
        #expect(try Self.read(mock, topic: "out").count == 3)
        // Outside a transaction a transactional producer refuses to write.
        #expect(throws: KafkaError.self) {
            try producer.send(KafkaProducerMessage(topic: "out", key: "late", value: [9]), token: 9, queueFullWaitMs: 0)
            let late = producer.flush(timeoutMs: 2_000)
            if let error = late.first?.error { throw error }
        }
        try consumer.close()
    }

    @Test("an aborted transaction can be followed by a new one on the same producer")
    func abortThenCommit() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        let producer = try Self.transactional(mock, id: "tx-abort-\(UInt32.random(in: 0...UInt32.max))")
        try producer.beginTransaction()
        try producer.send(KafkaProducerMessage(topic: "out", key: "a", value: [1]), token: 1)
        try producer.abortTransaction(timeoutMs: 10_000)
        try producer.beginTransaction()
        try producer.send(KafkaProducerMessage(topic: "out", key: "b", value: [2]), token: 2)
        try producer.commitTransaction(timeoutMs: 10_000)
        let reports = producer.poll(timeoutMs: 0)
        #expect(reports.contains { $0.token == 2 && $0.error == nil })
    }

    @Test("a producer told it is fenced (PRODUCER_FENCED injected on EndTxn) fails its commit fatally and writes nothing more")
    func fencedIsFatal() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        let zombie = try Self.transactional(mock, id: "tx-fence-\(UInt32.random(in: 0...UInt32.max))")
        try zombie.beginTransaction()
        try zombie.send(KafkaProducerMessage(topic: "out", key: "z", value: [1]), token: 1)
        _ = zombie.flush(timeoutMs: 5_000)
        mock.cluster.pushRequestErrors(.endTxn, errors: [90])  // PRODUCER_FENCED
        var failure: KafkaError?
        do { try zombie.commitTransaction(timeoutMs: 10_000) } catch { failure = error }
        let error = try #require(failure, "the fenced producer's commit must fail")
        #expect(error.isFatal || zombie.fatalError() != nil, "fenced is fatal: \(error)")
        #expect(throws: KafkaError.self) { try zombie.beginTransaction() }
    }

    @Test("librdkafka 2.0.2's mock cluster does not fence a producer when another one with the same transactional id starts (a limit of the mock, not of Kafka)")
    func mockDoesNotFence() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        let id = "tx-nofence-\(UInt32.random(in: 0...UInt32.max))"
        let zombie = try Self.transactional(mock, id: id)
        try zombie.beginTransaction()
        try zombie.send(KafkaProducerMessage(topic: "out", key: "z", value: [1]), token: 1)
        _ = zombie.flush(timeoutMs: 5_000)
        _ = try Self.transactional(mock, id: id)
        // Kafka bumps the id's epoch and this commit fails with PRODUCER_FENCED. The mock makes
        // a new producer id instead and leaves the old one valid. If this fails, the mock learned
        // to fence: update docs/OPERATIONS.md.
        var failure: KafkaError?
        do { try zombie.commitTransaction(timeoutMs: 10_000) } catch { failure = error }
        #expect(failure == nil, "the mock fenced the first producer: \(String(describing: failure))")
    }

    @Test("a retriable error on EndTxn is retried inside commit; a commit that fails with an abortable error says so, and after aborts the producer commits again")
    func injectedTransactionErrors() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        let producer = try Self.transactional(mock, id: "tx-err-\(UInt32.random(in: 0...UInt32.max))")
        // COORDINATOR_NOT_AVAILABLE (15) twice: librdkafka retries EndTxn itself.
        mock.cluster.pushRequestErrors(.endTxn, errors: [15, 15])
        try producer.beginTransaction()
        try producer.send(KafkaProducerMessage(topic: "out", key: "a", value: [1]), token: 1)
        try producer.commitTransaction(timeoutMs: 20_000)

        // A produce that fails for good (INVALID_RECORD, 87, not retriable) fails the commit
        // with an error that requires abort; after the abort the producer works again.
        try producer.beginTransaction()
        mock.cluster.pushRequestErrors(.produce, errors: [87])
        try producer.send(KafkaProducerMessage(topic: "out", key: "b", value: [2]), token: 2)
        var failure: KafkaError?
        do { try producer.commitTransaction(timeoutMs: 10_000) } catch { failure = error }
        let error = try #require(failure)
        #expect(error.transactionRequiresAbort && !error.isFatal, "\(error)")
        try producer.abortTransaction(timeoutMs: 10_000)
        // The redo may itself fail once (the mock's sequence state for the failed batch lags
        // the producer's epoch bump: OUT_OF_ORDER_SEQUENCE_NUMBER, which requires abort), as a
        // worker would see it: abort and do it again until it commits.
        var committed = false
        var failures: [KafkaError] = []
        for _ in 0..<5 where !committed {
            try producer.beginTransaction()
            try producer.send(KafkaProducerMessage(topic: "out", key: "c", value: [3]), token: 3)
            do {
                try producer.commitTransaction(timeoutMs: 10_000)
                committed = true
            } catch {
                #expect(error.transactionRequiresAbort, "\(error)")
                failures.append(error)
                try producer.abortTransaction(timeoutMs: 10_000)
            }
        }
        #expect(committed, "no transaction committed after the abort: \(failures)")
        #expect(producer.fatalError() == nil)
    }

    @Test("librdkafka 2.0.2's mock cluster keeps aborted records visible to read_committed readers (a limit of the mock, not of Kafka)")
    func mockShowsAbortedRecords() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.cluster.createTopic("out", partitions: 1)
        let producer = try Self.transactional(mock, id: "tx-mock-\(UInt32.random(in: 0...UInt32.max))")
        try producer.beginTransaction()
        try producer.send(KafkaProducerMessage(topic: "out", key: "aborted", value: [1]), token: 1)
        _ = producer.flush(timeoutMs: 5_000)
        try producer.abortTransaction(timeoutMs: 10_000)
        let seen = try Self.read(mock, topic: "out")
        // A Kafka broker hides this record from a read_committed reader (the aborted-transactions
        // list of the fetch response). If this fails, the mock learned to: update
        // docs/OPERATIONS.md and assert duplicates = 0 in ExactlyOnceFaultSuiteTests.
        #expect(seen.count == 1, "the mock showed \(seen.count) aborted records")
    }

    @Test("librdkafka 2.0.2's mock cluster does not store offsets sent to a transaction (a limit of the mock, not of Kafka)")
    func mockIgnoresTransactionalOffsets() throws {
        let mock = try MockTopic(partitions: 1)
        try mock.produce(5)
        let group = "g-\(UInt32.random(in: 0...UInt32.max))"
        let consumer = try Self.member(mock, group: group)
        let producer = try Self.transactional(mock, id: "tx-off-\(group)")
        try producer.beginTransaction()
        let offsets = [KafkaTopicPartitionOffset(topic: mock.topic, partition: 0, offset: 4)]
        try producer.sendOffsetsToTransaction(offsets, consumer: consumer, timeoutMs: 10_000)
        try producer.commitTransaction(timeoutMs: 10_000)
        let committed = try consumer.committed(offsets.map(\.topicPartition))
        // Kafka: 4. If this fails, the worker's extra consumer commit after each transaction
        // (Transaction.swift) is no longer needed on the dev cluster.
        #expect(committed.map(\.offset) != [4], "the mock stored the transaction's offsets: \(committed)")
        try consumer.close()
    }
}
