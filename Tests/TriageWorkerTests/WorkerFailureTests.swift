import Checksums
import Kafka
import Testing
import TestSupport
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
        let committed = try await harness.committedOffset()
        #expect(committed <= 1, "committed \(committed); offset 1 (the big ticket) must be read again")
    }

    @Test("no automated reply is written while its audit record is not acknowledged (its audit partition unavailable)")
    func noReplyWithoutAudit() async throws {
        let harness = try WorkerHarness(partitions: 2, brokers: 2)
        // The audit topic's partitions are led by a broker that is down, so no audit write is
        // ever acknowledged; every other topic and the group live on the broker that is up.
        let mock = harness.cluster.cluster
        for (topic, partitions) in try KafkaAdmin(bootstrapServers: harness.bootstrap).topics() {
            for partition in 0..<Int32(partitions) {
                try mock.setPartitionLeader(topic: topic, partition: partition, brokerID: topic == "triage.audit" ? 2 : 1)
            }
        }
        try mock.setGroupCoordinator(group: harness.group, brokerID: 1)
        let worker = harness.worker("no-audit") { $0.shutdownTimeoutMs = 2_000 }
        try await RebalanceTests.stoppingOnFailure([worker]) { group in
            group.addTask { _ = try? await worker.run() }
            try await waitUntil("both partitions assigned", seconds: 30) { worker.stats.snapshot.assignedPartitions == 2 }
            try mock.setBrokerDown(2)
            _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 200, seed: 21, malformedRate: 0)
            try await waitUntil("an automated decision", seconds: 30) { worker.stats.snapshot.automated > 0 }
            try await Task.sleep(for: .seconds(3))
        }
        var actions = 0
        var replies = 0
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.actions", "triage.replies"]) { message in
            if message.topic == "triage.replies" { replies += 1 } else { actions += 1 }
        }
        #expect(worker.stats.snapshot.automated > 0, "some tickets were decided as automated replies")
        #expect(actions > 0, "actions were written (the audit topic alone was unavailable)")
        #expect(replies == 0, "\(replies) replies were written although no audit record was ever acknowledged (\(actions) actions were)")
    }

    @Test("a 1 MB value, key or header is dead-lettered once as a bounded record, a tombstone with a null value; the worker goes on and commits past them")
    func poisonPills() async throws {
        let harness = try WorkerHarness(partitions: 1)
        let megabyte = Array(repeating: UInt8(ascii: "x"), count: 1_000_000)
        let good = Array(#"{"id":"ok-1","customer_id":"c9","body":"someone has taken my card"}"#.utf8)
        let small = Array(#"{"id":"k-1","customer_id":"c","body":"hello"}"#.utf8)
        let bigValue = Array(#"{"id":"v-1","customer_id":"c","body":""#.utf8) + megabyte + Array(#""}"#.utf8)
        try harness.produce([
            KafkaProducerMessage(topic: "tickets", key: nil as [UInt8]?, value: bigValue),
            KafkaProducerMessage(topic: "tickets", key: megabyte, value: small),
            KafkaProducerMessage(topic: "tickets", key: "c", value: small, headers: [KafkaHeader(key: "trace", value: megabyte)]),
            KafkaProducerMessage(topic: "tickets", key: "gone", value: [], nullValue: true),
            KafkaProducerMessage(topic: "tickets", key: "c9", value: good),
        ])
        let worker = harness.worker("poison")
        try await harness.run([worker]) { $0[0].completed >= 5 }
        #expect(worker.stats.snapshot.deadLettered == 4)

        var letters: [Int64: KafkaConsumerMessage] = [:]
        var count = 0
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.dlq"]) { message in
            count += 1
            letters[Int64(message.header("triage.source.offset") ?? "-1") ?? -1] = message
        }
        #expect(count == 4, "each poison pill is dead-lettered exactly once")
        for (offset, field, size) in [(Int64(0), nil as String?, bigValue.count), (1, "key", megabyte.count), (2, "headers", 1_000_005)] {
            let letter = try #require(letters[offset], "offset \(offset) dead-lettered")
            #expect(letter.header("triage.dlq.reason") == "too_large_to_copy")
            #expect(letter.header("triage.dlq.cause") == "too_large")
            #expect(letter.header("triage.dlq.field") == field)
            #expect(letter.value.count <= 1_024, "a bounded prefix, not the whole value")
            #expect(letter.key.map(\.count) ?? 0 <= 4_096)
            let sizes = ["value_bytes", "key_bytes", "header_bytes"].compactMap { letter.header("triage.source.\($0)").flatMap(Int.init) }
            #expect(sizes.max() == size, "the part's size is recorded: \(sizes)")
            #expect(letter.header("triage.source.value_sha256")?.count == 64)
        }
        #expect(letters[1].flatMap { $0.header("triage.source.value_sha256") } == SHA256.hash(small).hexString)
        let tombstone = try #require(letters[3])
        #expect(tombstone.isTombstone, "a tombstone is dead-lettered with a null value, not an empty one")
        #expect(tombstone.header("triage.dlq.reason") == "not_json")

        // The worker committed past every one of them: the group finds nothing more to do.
        #expect(try await harness.committedOffset() == 5)
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

