import Kafka
import Testing
import TriageAudit
import TriageCore
import TriageOps
@testable import TriageWorker

/// `triage work --threads N`: N pipelines in one worker process, each its own group member.
@Suite("Several pipelines in one worker", .serialized)
struct ThreadsTests {
    @Test("two pipelines share the partitions: each does some of the work, every ticket is done once, the worker's stats are their sum")
    func twoPipelines() async throws {
        let harness = try WorkerHarness(partitions: 4)
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 800, seed: 41, malformedRate: 0.01)
        let worker = harness.worker("threads") { $0.threads = 2 }
        try await harness.run([worker]) { $0[0].completed >= 800 }
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete, "\(report.render())")
        #expect(report.routedUnique == seeded.wellFormedIDs.count)
        #expect(report.routedDuplicates == 0)
        let stats = worker.stats.snapshot
        #expect(stats.completed == 800)
        #expect(stats.consumed == 800)
        #expect(stats.routed + stats.handoffs + stats.automated + stats.deadLettered == 800)

        // Each pipeline sealed audit records into chains of its own.
        var byWorker: [String: Int] = [:]
        _ = try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.audit"]) { message in
            for bytes in AuditMessage.records(in: message.value) {
                let record = try JSONParser().parse(bytes)
                byWorker[record["worker_id"]?.stringValue ?? "?", default: 0] += 1
            }
        }
        #expect(Set(byWorker.keys) == ["threads-t0", "threads-t1"], "\(byWorker)")
        #expect(byWorker.values.reduce(0, +) == seeded.wellFormedIDs.count)
        let audit = try AuditVerification(bootstrapServers: harness.bootstrap).run()
        #expect(audit.isIntact, "\(audit.findings.prefix(3))")
    }

    @Test("the worker's stats of several pipelines: counts add up; connected, loaded and the loop's progress are the weakest pipeline's")
    func summedStats() {
        var a = WorkerStats()
        a.completed = 3; a.assignedPartitions = 2; a.connected = true; a.classifierLoaded = true; a.loopAdvancedMicros = 50
        var b = WorkerStats()
        b.completed = 4; b.assignedPartitions = 1; b.connected = false; b.classifierLoaded = true; b.loopAdvancedMicros = 10
        let sum = WorkerStats(summing: [a, b])
        #expect(sum.completed == 7)
        #expect(sum.assignedPartitions == 3)
        #expect(!sum.connected)
        #expect(sum.classifierLoaded)
        #expect(sum.loopAdvancedMicros == 10, "health follows the stalest pipeline")
        b.loopAdvancedMicros = 0
        #expect(WorkerStats(summing: [a, b]).loopAdvancedMicros == 0, "a pipeline whose loop has not started yet")
        #expect(WorkerStats(summing: [a, b]).notReadyReasons == ["not connected to Kafka"])
    }
}
