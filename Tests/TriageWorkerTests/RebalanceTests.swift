import Foundation
import Kafka
import Testing
import TestSupport
import TriageCore
import TriageOps
import TriagePolicy
@testable import TriageWorker

/// Partitions moving between members, in one process on the mock cluster: a revocation
/// arrives inside `poll`, and the pipeline must take it there without crashing.
@Suite("Workers survive partitions moving", .serialized)
struct RebalanceTests {
    @Test("a worker that owns every partition survives a second and a third member joining and leaving; 0 lost")
    func scaleOutAndIn() async throws {
        let harness = try WorkerHarness(partitions: 6)
        let count = 3_000
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: count, seed: 21, malformedRate: 0.01)
        let first = harness.worker("first") { $0.maxBatch = 25 }
        let second = harness.worker("second") { $0.maxBatch = 25 }
        let third = harness.worker("third") { $0.maxBatch = 25 }
        try await Self.stoppingOnFailure([first, second, third]) { group in
            group.addTask { try await first.run() }
            // The first member owns all six partitions and is working when the others join.
            try await waitUntil("the first member owns all six and works", seconds: 45) { first.stats.snapshot.assignedPartitions == 6 && first.stats.snapshot.completed > 0 }
            group.addTask { try await second.run() }
            try await waitUntil("the second member takes some", seconds: 45) { second.stats.snapshot.assignedPartitions > 0 && first.stats.snapshot.assignedPartitions < 6 }
            group.addTask { try await third.run() }
            try await waitUntil("the third member takes some", seconds: 45) { third.stats.snapshot.assignedPartitions > 0 }
            // Scale in again: the third, then the second leave; the first takes everything back.
            third.requestStop()
            try await waitUntil("the third's partitions back with the others", seconds: 60) { first.stats.snapshot.assignedPartitions + second.stats.snapshot.assignedPartitions == 6 }
            second.requestStop()
            try await waitUntil("the first owns all six again", seconds: 60) { first.stats.snapshot.assignedPartitions == 6 }
            try await waitUntil("every ticket routed and audited", seconds: 90) {
                (try? Reconciliation(bootstrapServers: harness.bootstrap).run().isComplete) == true
            }
            first.requestStop()
        }
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.inputRecords == count)
        #expect(report.routedUnique == seeded.wellFormedIDs.count)
        #expect(report.lost == 0)
        #expect(report.isComplete, "\(report.render())")
        #expect(first.stats.snapshot.rebalances >= 4, "the first member saw revocations and assignments")
    }

    /// Runs `body` with a task group for the workers' `run`; whatever happens, every worker
    /// is asked to stop and awaited, so a failed expectation cannot leave a pipeline running.
    static func stoppingOnFailure(_ workers: [Worker], _ body: (inout ThrowingTaskGroup<Void, Error>) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            do {
                try await body(&group)
            } catch {
                workers.forEach { $0.requestStop() }
                try? await group.waitForAll()
                throw error
            }
            workers.forEach { $0.requestStop() }
            try await group.waitForAll()
        }
    }
}

/// A classifier that stalls the pipeline thread once, on one ticket, for `seconds`.
struct StallingClassifier: TicketClassifier {
    var inner = PlaceholderClassifier()
    let ticketID: String
    let seconds: Double
    var stalled = false

    mutating func classify(_ ticket: Ticket) -> Classification {
        if !stalled, ticket.id == ticketID {
            stalled = true
            Thread.sleep(forTimeInterval: seconds)
        }
        return inner.classify(ticket)
    }
}

@Suite("A stalled pipeline checks with the group before writing again", .serialized)
struct StallTests {
    @Test("a loop stalled past the session timeout less two heartbeats stops its batch, polls, seeks back, and loses nothing")
    func stallInTheMiddleOfABatch() async throws {
        let harness = try WorkerHarness(partitions: 1)
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 60, seed: 31, malformedRate: 0)
        let slow = try #require(seeded.wellFormedIDs.dropFirst(10).first)
        var config = WorkerConfiguration(bootstrapServers: harness.bootstrap, workerID: "stall")
        config.groupID = harness.group
        config.shutdownTimeoutMs = 5_000
        config.maxBatch = 100
        // Stall limit: 6 s less two 1 s heartbeats = 4 s; the classifier stalls for 5 s.
        config.consumerProperties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"]
        let worker = Worker(configuration: config, classifier: { StallingClassifier(ticketID: slow, seconds: 5) })
        try await harness.run([worker]) { $0[0].completed >= 60 }
        #expect(worker.stats.snapshot.stalls == 1, "the stall was detected once")
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete, "\(report.render())")
        #expect(report.routedUnique == 60)
        #expect(report.routedRecords == 60, "the stalled ticket and the rest of its batch were written once, after the check")
        let audit = try AuditVerification(bootstrapServers: harness.bootstrap).run()
        #expect(audit.isIntact, "no audit record was sealed for the ticket the stall interrupted: \(audit.findings.prefix(3))")
    }
}
