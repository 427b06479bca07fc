import Foundation
import Kafka
import Testing
import TestSupport
@testable import TriageWorker

/// `triage work --passthrough`: every record copied unchanged, offsets committed after the
/// copy is acknowledged, and a restart in the same group copies nothing twice.
@Suite("Passthrough copies records unchanged and commits", .serialized)
struct PassthroughTests {
    struct Copy: Hashable {
        var key: [UInt8]?
        var value: [UInt8]
        var headers: [String]
    }

    /// A `triage work --passthrough` member of the harness's group, writing to `tickets.passthrough`.
    static func passthrough(_ id: String, _ harness: WorkerHarness, maxBatch: Int, properties: [String: String] = [:]) -> Worker {
        var config = WorkerConfiguration(bootstrapServers: harness.bootstrap, workerID: id)
        config.groupID = harness.group
        config.shutdownTimeoutMs = 10_000
        config.maxBatch = maxBatch
        config.passthroughTopic = "tickets.passthrough"
        config.kafka.properties.merge(properties) { _, new in new }
        return Worker(configuration: config, classifier: { throw WorkerError("no classifier in passthrough") })
    }

    static func copy(of message: KafkaConsumerMessage) -> Copy {
        Copy(key: message.key, value: message.value,
             headers: message.headers.map { "\($0.key)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "<null>")" })
    }

    @Test("2,000 records (JSON or not, with keys and headers) come out byte for byte; every partition is committed at its end; a second run copies nothing again")
    func copiesAndCommits() async throws {
        let harness = try WorkerHarness(partitions: 4)
        var first: [KafkaProducerMessage] = []
        for i in 0..<2_000 {
            let key: String? = i % 7 == 0 ? nil : "customer-\(i % 50)"
            let text: String = i % 3 == 0 ? "not json \(i)\u{0}\u{1}" : "{\"id\":\"t-\(i)\"}"
            let headers: [KafkaHeader] = i % 2 == 0 ? [KafkaHeader(key: "h", value: Array("v\(i)".utf8))] : []
            first.append(KafkaProducerMessage(topic: "tickets", key: key, value: Array(text.utf8), headers: headers))
        }
        try harness.produce(first)
        func passthrough(_ id: String) -> Worker { Self.passthrough(id, harness, maxBatch: 128) }
        let worker = passthrough("pass-1")
        try await harness.run([worker]) { $0[0].completed >= 2_000 }
        #expect(worker.stats.snapshot.completed == 2_000)

        var copies: [Copy] = []
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["tickets.passthrough"]) { copies.append(Self.copy(of: $0)) }
        var inputs: [Copy] = []
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["tickets"]) { inputs.append(Self.copy(of: $0)) }
        #expect(inputs.count == 2_000)
        #expect(copies.count == 2_000, "each record copied once")
        #expect(Dictionary(grouping: copies, by: { $0 }).mapValues(\.count) == Dictionary(grouping: inputs, by: { $0 }).mapValues(\.count),
                "the copies are the inputs: keys, values and headers unchanged")

        let admin = try KafkaAdmin(settings: KafkaClientSettings(bootstrapServers: harness.bootstrap))
        for partition in Int32(0)..<4 {
            let end = try admin.watermarks(topic: "tickets", partition: partition).high
            #expect(try await harness.committedOffset(partition: partition) == end, "tickets[\(partition)] committed at its end")
        }

        // The same group again, with 100 new records: only those are copied.
        try harness.produce((0..<100).map { KafkaProducerMessage(topic: "tickets", key: "late-\($0)", value: Array("late \($0)".utf8)) })
        let again = passthrough("pass-2")
        try await harness.run([again], atLeast: .seconds(2)) { $0[0].completed >= 100 }
        #expect(again.stats.snapshot.completed == 100, "a restart copies only what was not committed")
        var total = 0
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["tickets.passthrough"]) { _ in total += 1 }
        #expect(total == 2_100)
    }

    @Test("a second passthrough joins the group mid-stream: the partitions are shared, every record is copied, and each partition is committed at its end")
    func secondMemberJoins() async throws {
        let harness = try WorkerHarness(partitions: 4)
        func passthrough(_ id: String) -> Worker {
            // The mock holds each rebalance for the session timeout less 1 s: 3 s, not 9 s.
            Self.passthrough(id, harness, maxBatch: 64, properties: ["session.timeout.ms": "4000", "heartbeat.interval.ms": "1000"])
        }
        func records(_ range: Range<Int>) -> [KafkaProducerMessage] {
            range.map { KafkaProducerMessage(topic: "tickets", key: "c-\($0 % 97)", value: Array("record \($0)".utf8)) }
        }
        try harness.produce(records(0..<1_000))
        let first = passthrough("pass-a"), second = passthrough("pass-b")
        var total = 1_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            try await waitUntil("the first member copies", seconds: 60) { first.stats.snapshot.completed > 0 }
            group.addTask { try await second.run() }
            // More records while the second member joins and the partitions move, then 1,000
            // more after it has partitions.
            let started = ContinuousClock.now
            var after = 0
            while after < 1_000 && ContinuousClock.now - started < .seconds(60) {
                try harness.produce(records(total..<total + 100))
                total += 100
                if second.stats.snapshot.completed > 0 { after += 100 }
                try await Task.sleep(for: .milliseconds(100))
            }
            let produced = total
            try? await waitUntil("both members copy and every record is copied", seconds: 60, every: .milliseconds(100)) {
                first.stats.snapshot.completed + second.stats.snapshot.completed >= produced
                    && first.stats.snapshot.completed > 0 && second.stats.snapshot.completed > 0
            }
            // One at a time, as a rolling stop does: the first commits and leaves, the second
            // takes its partitions over (the mock refuses commits while a rebalance is on, so
            // the second stops once the group has settled).
            first.requestStop()
            try await waitUntil("the second member owns every partition", seconds: 60) { second.stats.snapshot.assignedPartitions == 4 }
            second.requestStop()
            try await group.waitForAll()
        }
        let a = first.stats.snapshot, b = second.stats.snapshot
        #expect(b.completed > 0, "the second member got partitions and copied (first \(a.completed), second \(b.completed))")
        #expect(a.rebalances >= 2, "the first member saw its assignment change")

        var copied: [String: Int] = [:]
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["tickets.passthrough"]) {
            copied[String(decoding: $0.value, as: UTF8.self), default: 0] += 1
        }
        let missing = (0..<total).filter { copied["record \($0)"] == nil }
        #expect(missing.isEmpty, "\(missing.count) records were not copied, e.g. \(missing.prefix(5))")
        let duplicates = copied.values.reduce(0) { $0 + $1 - 1 }
        // At least once: a copy not yet committed when its partition moved is copied again by
        // the new owner; the revocation commit keeps that to the records in flight.
        #expect(duplicates <= 64 * 4, "\(duplicates) duplicates")
        let admin = try KafkaAdmin(settings: KafkaClientSettings(bootstrapServers: harness.bootstrap))
        for partition in Int32(0)..<4 {
            let end = try admin.watermarks(topic: "tickets", partition: partition).high
            #expect(try await harness.committedOffset(partition: partition) == end, "tickets[\(partition)] committed at its end")
        }
    }
}
