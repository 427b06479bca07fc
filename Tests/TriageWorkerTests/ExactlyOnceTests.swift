import Foundation
import Kafka
import Testing
import TestSupport
import TriageCore
import TriageOps
@testable import TriageWorker

/// Exactly-once mode in-process (`WorkerConfiguration.exactlyOnce`), on the in-process mock
/// cluster, where the test's own producer is done before the worker starts: so an injected
/// produce error reaches only the worker's transactions.
@Suite("Exactly-once mode: transactions in the pipeline", .serialized)
struct ExactlyOnceTests {
    static func configure(_ config: inout WorkerConfiguration) {
        config.exactlyOnce = true
        config.maxBatch = 50
        config.transactionTimeoutMs = 20_000
    }

    @Test("each batch commits as one transaction: every ticket written once, its offsets committed (a second worker of the group reads nothing again), the audit chain intact")
    func commitsBatches() async throws {
        let harness = try WorkerHarness(partitions: 2)
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 300, seed: 41, malformedRate: 0.02)
        let worker = harness.worker("eos-1", configure: Self.configure)
        try await harness.run([worker]) { $0[0].completed >= seeded.written }
        let stats = worker.stats.snapshot
        #expect(stats.transactionsCommitted >= seeded.written / 50, "one transaction per batch of at most 50: \(stats.transactionsCommitted)")
        #expect(stats.transactionsAborted == 0)
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete, "\(report.render())")
        #expect(report.routedRecords == report.routedUnique && report.routedUnique == seeded.wellFormedIDs.count)
        #expect(report.deadLetterRecords == seeded.written - seeded.wellFormedIDs.count)
        let second = harness.worker("eos-2", configure: Self.configure)
        try await harness.run([second], atLeast: .seconds(6)) { $0[0].assignedPartitions == 2 }
        #expect(second.stats.snapshot.consumed == 0, "the transactions' offsets were committed: nothing is read again")
        let audit = try AuditVerification(bootstrapServers: harness.bootstrap).run()
        #expect(audit.isIntact, "\(audit.findings.prefix(3))")
    }

    @Test("a write that fails inside a transaction (INVALID_RECORD) aborts it; the batch is processed again from its first offset, nothing is lost, every chain a reader sees is intact")
    func abortedBatchIsProcessedAgain() async throws {
        let harness = try WorkerHarness(partitions: 2)
        let seeded = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 300, seed: 42, malformedRate: 0)
        // The worker's first produce requests fail for good: its first transaction must abort.
        harness.cluster.cluster.pushRequestErrors(.produce, errors: [87, 87])
        let worker = harness.worker("eos-abort", configure: Self.configure)
        try await harness.run([worker], atLeast: .seconds(3)) { $0[0].transactionsAborted >= 1 && $0[0].completed >= seeded.written }
        let stats = worker.stats.snapshot
        #expect(stats.transactionsAborted >= 1, "the injected errors aborted a transaction")
        let report = try Reconciliation(bootstrapServers: harness.bootstrap).run()
        #expect(report.isComplete, "nothing lost after the abort: \(report.render())")
        #expect(report.routedUnique == seeded.wellFormedIDs.count)
        // The mock keeps the aborted transaction's records visible (TransactionTests), so some
        // tickets show up twice here; at most one batch per abort.
        #expect(report.routedDuplicates <= 50 * stats.transactionsAborted, "\(report.routedDuplicates) duplicates for \(stats.transactionsAborted) aborts")
        let audit = try AuditVerification(bootstrapServers: harness.bootstrap).run()
        #expect(audit.isIntact, "the chain restarted after the abort: \(audit.findings.prefix(3))")
        #expect(Set(audit.chains.map(\.chainID)).count >= 2, "a new chain after the abort: \(Set(audit.chains.map(\.chainID)))")
    }
}
