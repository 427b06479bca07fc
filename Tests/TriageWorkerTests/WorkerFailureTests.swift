import Kafka
import Testing
import TriageCore
import TriageOps
@testable import TriageWorker

@Suite("Worker failures never lose a ticket", .serialized)
struct WorkerFailureTests {
    @Test("a non-retriable write error stops the worker with an error and leaves the ticket uncommitted")
    func fatalWriteStops() async throws {
        let harness = try WorkerHarness(partitions: 1)
        let small = Array(#"{"id":"s-1","customer_id":"c","body":"card lost"}"#.utf8)
        let big = Array((#"{"id":"b-2","customer_id":"c","body":"card lost "# + String(repeating: "y", count: 3_000) + #""}"#).utf8)
        try harness.produce([small, big, small])
        let worker = harness.worker("fatal") { config in
            // The routed copy of the big ticket exceeds this, and librdkafka refuses it outright.
            config.producerProperties = ["message.max.bytes": "2000"]
        }
        await #expect(throws: WorkerError.self) {
            try await worker.run()
        }
        // The first ticket is done; the big one is not, so the committed offset stops before it.
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(
            bootstrapServers: harness.bootstrap, groupID: harness.group, topics: ["tickets"]))
        let committed = try consumer.committed([KafkaTopicPartition(topic: "tickets", partition: 0)])
        #expect(committed.first.map { $0.offset <= 1 } == true, "committed \(committed); offset 1 (the big ticket) must be read again")
    }

    @Test("a worker with no reachable broker still stops promptly when asked", .timeLimit(.minutes(1)))
    func stopsWhenAsked() async throws {
        var config = WorkerConfiguration(bootstrapServers: "127.0.0.1:1", workerID: "nobody")
        config.groupID = "g"
        config.shutdownTimeoutMs = 1_000
        let worker = Worker(configuration: config, classifier: { PlaceholderClassifier() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await Task.sleep(for: .seconds(2))
            #expect(worker.stats.snapshot.consumed == 0)
            worker.requestStop()
            try await group.waitForAll()
        }
    }
}

