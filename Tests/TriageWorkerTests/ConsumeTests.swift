import Kafka
import Testing
import TestSupport
import TriageOps
@testable import TriageWorker

/// Step 1's back-pressure across rebalances, on the in-process mock cluster.
///
/// librdkafka keeps a partition's pause flag while the partition is away: paused, revoked
/// (or lost) and later assigned to the same member again, it stays paused unless somebody
/// resumes it. A member that forgot it had paused it then never fetches from it again, and
/// the partition's tickets wait for ever (the fault suite's frozen-worker case lost 1,043
/// tickets that way once in CI).
@Suite("Consume: back-pressure across rebalances", .serialized)
struct ConsumeTests {
    @Test("a partition paused by back-pressure, revoked, then assigned back is fetched again once the pressure is off")
    func pausedPartitionComesBack() async throws {
        let harness = try WorkerHarness(partitions: 2)
        let config = KafkaConsumerConfiguration(bootstrapServers: harness.bootstrap, groupID: harness.group, topics: ["tickets"])
        let first = try KafkaConsumer(configuration: config)
        let consume = Consume(consumer: first, maxBatch: 100, maxInFlight: 10)
        let owned = Owned()
        first.onRebalance = { event in
            switch event {
            case .assigned(let partitions):
                owned.partitions.formUnion(partitions)
                consume.adopt(partitions, fetching: true)
            case .revoked(let partitions), .lost(let partitions):
                owned.partitions.subtract(partitions)
                consume.forget(partitions)
            }
        }
        try await waitUntil("the first member owns both partitions") {
            _ = try consume.next(inFlight: 0, assigned: owned.partitions, timeoutMs: 50)
            return owned.partitions.count == 2
        }
        // Too much in flight: both partitions pause.
        _ = try consume.next(inFlight: 10, assigned: owned.partitions, timeoutMs: 50)
        #expect(consume.paused.count == 2)

        // A second member takes one of them, and leaves again: the first gets it back,
        // still under pressure.
        let second = try KafkaConsumer(configuration: config)
        try await waitUntil("the second member takes one") {
            _ = try consume.next(inFlight: 10, assigned: owned.partitions, timeoutMs: 50)
            _ = try second.poll(maxMessages: 10, timeoutMs: 50)
            return owned.partitions.count == 1 && second.assignment().count == 1
        }
        try second.close()
        try await waitUntil("the first member owns both again") {
            _ = try consume.next(inFlight: 10, assigned: owned.partitions, timeoutMs: 50)
            return owned.partitions.count == 2
        }

        // The pressure is off: records of both partitions arrive.
        try harness.produce((0..<20).map { KafkaProducerMessage(topic: "tickets", partition: Int32($0 % 2), key: "k\($0)", value: Array("{}".utf8)) })
        var partitions: Set<Int32> = []
        try await waitUntil("records from both partitions", seconds: 30) {
            partitions.formUnion(try consume.next(inFlight: 0, assigned: owned.partitions, timeoutMs: 50).map(\.partition))
            return partitions == [0, 1]
        }
        #expect(consume.paused.isEmpty)
        try first.close()
    }

    final class Owned: @unchecked Sendable {
        var partitions: Set<KafkaTopicPartition> = []
    }
}
