import Kafka
import Testing
import TestSupport
import TriageCore
import TriageOps
import TriagePolicy
@testable import TriageWorker

/// Runs workers in this process against an in-process mock cluster.
struct WorkerHarness {
    let cluster: DevCluster
    let group = "it-\(UInt32.random(in: 0...UInt32.max))"

    init(partitions: Int = 4, brokers: Int = 1) throws {
        cluster = try DevCluster(brokers: brokers, partitions: partitions)
    }

    var bootstrap: String { cluster.bootstrapServers }

    func worker(_ id: String, configure: (inout WorkerConfiguration) -> Void = { _ in }) -> Worker {
        var config = WorkerConfiguration(bootstrapServers: bootstrap, workerID: id)
        config.groupID = group
        config.shutdownTimeoutMs = 10_000
        configure(&config)
        return Worker(configuration: config, classifier: { PlaceholderClassifier() })
    }

    /// Runs the workers until `done` says so (or 90 s pass), then stops them gracefully.
    func run(_ workers: [Worker], atLeast minimum: Duration = .zero, until done: @escaping @Sendable ([WorkerStats]) -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            let started = ContinuousClock.now
            // Not met within 90 s: the workers stop anyway and the test's own checks say what is missing.
            try? await waitUntil("the workers' condition", seconds: 90, every: .milliseconds(100)) {
                done(workers.map(\.stats.snapshot)) && ContinuousClock.now - started >= minimum
            }
            workers.forEach { $0.requestStop() }
            try await group.waitForAll()
        }
    }

    /// The group's committed offset of one partition (`-1001` when none), asked again while
    /// the group coordinator answers late (a retriable error).
    func committedOffset(topic: String = "tickets", partition: Int32 = 0) async throws -> Int64 {
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(
            bootstrapServers: bootstrap, groupID: group, topics: [topic]))
        let committed = try await retrying("the committed offset of \(topic)[\(partition)]", when: { ($0 as? KafkaError)?.isRetriable == true }) {
            try consumer.committed([KafkaTopicPartition(topic: topic, partition: partition)])
        }
        return committed.first?.offset ?? -1001
    }

    func produce(_ values: [[UInt8]], topic: String = "tickets", key: String? = nil) throws {
        try produce(values.map { KafkaProducerMessage(topic: topic, key: key, value: $0) })
    }

    /// Writes whole records (keys, headers, null values), up to 4 MB each.
    func produce(_ messages: [KafkaProducerMessage]) throws {
        try produceRecords(messages, to: bootstrap)
    }
}

/// Writes whole records (keys, headers, null values), up to 4 MB each, and waits (at most
/// 60 s) until every one is acknowledged; a failed delivery is an error.
func produceRecords(_ messages: [KafkaProducerMessage], to bootstrap: String) throws {
    var config = KafkaProducerConfiguration(bootstrapServers: bootstrap)
    config.extra = ["message.max.bytes": "4000000"]
    let producer = try KafkaProducer(configuration: config)
    for (i, message) in messages.enumerated() { try producer.send(message, token: UInt(i)) }
    var acknowledged = 0
    let deadline = ContinuousClock.now + .seconds(60)
    while acknowledged < messages.count {
        guard ContinuousClock.now < deadline else { throw TestFailure("only \(acknowledged) of \(messages.count) test records acknowledged in 60 s") }
        let reports = producer.flush(timeoutMs: 1_000)
        if let failed = reports.first(where: { $0.error != nil }) { throw TestFailure("producing a test record failed: \(failed.error!)") }
        acknowledged += reports.count
    }
}

@Suite("Worker end to end on the mock cluster", .serialized)
struct WorkerIntegrationTests {
    @Test("N tickets in: N routed and N audit records out, every malformed one dead-lettered, 0 lost")
    func endToEnd() async throws {
        let harness = try WorkerHarness(partitions: 4)
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 400, seed: 11, malformedRate: 0.05)
        let workers = [harness.worker("a"), harness.worker("b")]
        try await harness.run(workers) { stats in stats.reduce(0) { $0 + $1.completed } >= 400 }

        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.inputRecords == 400)
        #expect(report.wellFormedInputs == seeded.wellFormedIDs.count)
        #expect(report.routedUnique == seeded.wellFormedIDs.count)
        #expect(report.auditUnique == report.routedUnique)
        #expect(report.deadLetterUnique == seeded.malformed)
        #expect(report.lost == 0)
        #expect(report.isComplete, "\(report.render())")
        #expect(report.perQueue.values.reduce(0, +) == report.routedUnique)

        // Every audit record sits in an intact hash chain, one per (worker process, partition),
        // and every worker wrote a final checkpoint when it stopped.
        let audit = try AuditVerification(bootstrapServers: harness.bootstrap).run()
        #expect(audit.recordsRead == report.auditRecords)
        #expect(audit.isIntact, "\(audit.findings.prefix(5))")
        #expect(Set(audit.chains.map { $0.chainID.split(separator: ".")[0] }) == ["a", "b"])
        #expect(audit.chains.allSatisfy { $0.closed && $0.checkpointedSeq == $0.lastSeq })
    }

    @Test("every malformed class lands in the DLQ with its reason, and the worker keeps going")
    func deadLetterClasses() async throws {
        let harness = try WorkerHarness(partitions: 1)
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        let cases: [(TicketDecodingError.Reason, [UInt8])] = [
            (.notJSON, Array("this is not json".utf8)),
            (.notObject, Array("[1,2,3]".utf8)),
            (.missingField, Array(#"{"id":"m1","body":"hello"}"#.utf8)),
            (.wrongType, Array(#"{"id":"m2","customer_id":"c","body":42}"#.utf8)),
            (.emptyBody, Array(#"{"id":"m3","customer_id":"c","body":"   "}"#.utf8)),
            (.invalidUTF8, Array(#"{"id":"m4","customer_id":"c","body":"bad "#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)),
            (.tooLarge, Array((#"{"id":"m5","customer_id":"c","body":""# + String(repeating: "x", count: 70_000) + #""}"#).utf8)),
            (.tooDeep, Array((#"{"id":"m6","customer_id":"c","body":"b","extra":"# + deep + "}").utf8)),
            (.invalidTimestamp, Array(#"{"id":"m7","customer_id":"c","body":"b","created_at":"yesterday"}"#.utf8)),
        ]
        let good = Array(#"{"id":"ok-1","customer_id":"c9","body":"someone has taken my card"}"#.utf8)
        try harness.produce(cases.map(\.1) + [good])
        let worker = harness.worker("dlq")
        try await harness.run([worker]) { $0[0].completed >= cases.count + 1 }

        var reasons: [String: String] = [:]  // offset -> reason
        var values: [String: [UInt8]] = [:]
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.dlq"]) { message in
            let offset = message.header("triage.source.offset") ?? "?"
            reasons[offset] = message.header("triage.dlq.reason")
            values[offset] = message.value
            #expect(message.header("triage.source.topic") == "tickets")
            #expect(message.header("triage.dlq.message")?.isEmpty == false)
        }
        for (offset, (reason, bytes)) in cases.enumerated() {
            #expect(reasons["\(offset)"] == reason.rawValue, "offset \(offset) should be dead-lettered as \(reason.rawValue)")
            #expect(values["\(offset)"] == bytes, "the original bytes are kept")
        }
        var routed: [String] = []
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: Policy.demo.queueNames.map { "queue.\($0)" } + ["triage.automated"]) { message in
            routed.append(message.header("triage.ticket_id") ?? "?")
        }
        #expect(routed == ["ok-1"], "the well-formed ticket after the bad ones is still handled (routed or answered)")
        #expect(worker.stats.snapshot.deadLettered == cases.count)
    }

    @Test("the routed ticket is the original record byte for byte, unknown fields kept, plus a triage object as its last member")
    func routedShape() async throws {
        let harness = try WorkerHarness(partitions: 1)
        // Spacing, an escape and a number spelling that a re-serialisation would change.
        let input = #"{"id":"r-1", "customer_id":"cust-7","body":"I want to talk to a real person é","zeta":{"keep":true,"n":1E2},"prefers_human":false,"attributes":{"region":"north"}}"#
        try harness.produce([Array(input.utf8)])
        try await harness.run([harness.worker("shape")]) { $0[0].completed >= 1 }
        var records: [KafkaConsumerMessage] = []
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: Policy.demo.queueNames.map { "queue.\($0)" }) { records.append($0) }
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.topic == "queue.human" || record.topic.hasPrefix("queue."))
        #expect(record.key == Array("cust-7".utf8), "keyed by customer id")
        let original = Array(input.utf8)
        #expect(Array(record.value.prefix(original.count - 1)) == Array(original.dropLast()), "every byte of the original before its closing brace, unchanged")
        #expect(String(decoding: record.value.dropFirst(original.count - 1).prefix(10), as: UTF8.self) == #","triage":"#)
        #expect(record.value.last == UInt8(ascii: "}"))
        let object = try #require(try JSONParser().parse(record.value).objectValue)
        #expect(object.keys.prefix(7) == ["id", "customer_id", "body", "zeta", "prefers_human", "attributes", "triage"])
        #expect(object["zeta"] == .object(["keep": .bool(true), "n": .double(100)]))
        let triage = try #require(object["triage"]?.objectValue)
        #expect(triage["decision"]?.stringValue == "handoff")
        #expect(triage["reason_codes"]?.arrayValue?.contains(.string("explicit_request")) == true)
        #expect(triage["model_is_placeholder"]?.boolValue == true)
        #expect(triage["decision_id"]?.stringValue?.hasPrefix("d-") == true)
        #expect(record.header("triage.decision") == "handoff")
    }

    @Test("retriable produce errors are retried and nothing is lost")
    func retriableErrors() async throws {
        let harness = try WorkerHarness(partitions: 2)
        _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 100, seed: 5, malformedRate: 0)
        harness.cluster.cluster.pushRequestErrors(.produce, errors: Array(repeating: 6, count: 10))  // NOT_LEADER_FOR_PARTITION
        try await harness.run([harness.worker("retry")]) { $0[0].completed >= 100 }
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        let explanation = try Self.records(of: report.missingRouted, harness)
        #expect(report.isComplete, "\(report.render())\n\(explanation)")
        #expect(report.routedUnique == 100)
    }

    /// Every record any topic holds for these ticket ids (to explain a failure).
    static func records(of ids: [String], _ harness: WorkerHarness) throws -> String {
        guard !ids.isEmpty else { return "" }
        var lines: [String] = []
        let topics = try KafkaAdmin(bootstrapServers: harness.bootstrap).topics().keys.sorted()
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: topics) { message in
            let text = String(decoding: message.value, as: UTF8.self)
            if ids.contains(where: { text.contains($0) || message.header("triage.ticket_id") == $0 }) {
                lines.append("\(message.topic)[\(message.partition)]@\(message.offset): \(text.prefix(1400))")
            }
        }
        // Stored (watermarks) vs read back, per topic.
        let admin = try KafkaAdmin(bootstrapServers: harness.bootstrap)
        var read: [String: Int] = [:]
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: topics) { read[$0.topic, default: 0] += 1 }
        for (topic, partitions) in try admin.topics().sorted(by: { $0.key < $1.key }) {
            var stored: Int64 = 0
            for p in 0..<Int32(partitions) { let w = try admin.watermarks(topic: topic, partition: p); stored += w.high - w.low }
            if stored != Int64(read[topic] ?? 0) { lines.append("STORED \(topic): \(stored) in the log, \(read[topic] ?? 0) read back") }
        }
        return lines.joined(separator: "\n")
    }

    @Test("graceful stop commits exactly what was acknowledged; a restarted group reprocesses nothing")
    func gracefulStopCommits() async throws {
        let harness = try WorkerHarness(partitions: 2)
        _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 200, seed: 9, malformedRate: 0)
        try await harness.run([harness.worker("first")]) { $0[0].completed >= 200 }
        // Same group again: everything is committed, so it must find nothing to do.
        let second = harness.worker("second")
        try await harness.run([second], atLeast: .seconds(6)) { $0[0].assignedPartitions == 2 }
        #expect(second.stats.snapshot.consumed == 0)
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.routedRecords == 200, "no duplicates after a graceful stop")
    }
}
