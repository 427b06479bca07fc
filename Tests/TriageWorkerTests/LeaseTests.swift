import Foundation
import Kafka
import Logging
import Synchronization
import Testing
import TestSupport
import TriageAudit
import TriageCore
import TriageOps
import TriagePolicy
@testable import TriageWorker

/// Two live ledgers on one cluster, as two replicas of a Deployment would be: with the lease,
/// each overdue promise is escalated once, across a hand-over; without it, twice.
@Suite("Single-instance services: the ledger's lease", .serialized)
struct LeaseTests {
    /// 2100-01-01: every promise of the run is due by then.
    static let farFuture: Int64 = 4_102_444_800_000

    /// A ledger on a thread of its own, live until stopped.
    final class Replica: Sendable {
        let name: String
        private let stopFlag = Atomic<Bool>(false)
        private let active = Atomic<Bool>(false)
        private let outcome = Mutex<Result<LedgerService.Summary, any Error>?>(nil)
        private let done = Atomic<Bool>(false)

        init(_ name: String, bootstrap: String, leaseGroup: String?) {
            self.name = name
            let thread = Thread { [self] in
                var options = LedgerService.Options()
                options.leaseGroup = leaseGroup
                options.instance = name
                options.now = { LeaseTests.farFuture }
                options.onActive = { [self] in active.store($0, ordering: .relaxed) }
                options.sweepIntervalMs = 200
                options.summaryIntervalMs = 60_000
                var logger = Logger(label: "test.ledger.\(name)")
                logger.logLevel = .warning
                do {
                    let ledger = try LedgerService(bootstrapServers: bootstrap, policy: .demo, options: options, logger: logger)
                    let summary = try ledger.run(shouldStop: { self.stopFlag.load(ordering: .relaxed) })
                    outcome.withLock { $0 = .success(summary) }
                } catch {
                    outcome.withLock { $0 = .failure(error) }
                }
                done.store(true, ordering: .relaxed)
            }
            thread.start()
        }

        var isActive: Bool { active.load(ordering: .relaxed) }

        /// Stops the ledger (it leaves the lease group) and returns its summary.
        func stop() async throws -> LedgerService.Summary {
            stopFlag.store(true, ordering: .relaxed)
            let deadline = ContinuousClock.now + .seconds(60)
            while !done.load(ordering: .relaxed) {
                guard ContinuousClock.now < deadline else { throw TestFailure("ledger \(name) did not stop within 60 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try outcome.withLock { $0! }.get()
        }
    }

    /// A run of tickets whose promises nobody keeps: every commitment falls due by `farFuture`.
    func overduePromises() async throws -> (WorkerHarness, commitments: Int) {
        let harness = try WorkerHarness(partitions: 2)
        _ = try Seeder(bootstrapServers: harness.bootstrap).seed(count: 300, seed: 5, malformedRate: 0)
        try await harness.run([harness.worker("w")]) { $0[0].completed >= 300 }
        var commitments = 0
        try KafkaTopicReader(bootstrapServers: harness.bootstrap).readAll(topics: ["triage.audit"]) { message in
            for bytes in AuditMessage.records(in: message.value) {
                guard let record = try? JSONParser().parse(bytes), record["decision"]?.stringValue == "automate" else { continue }
                commitments += CommitmentLedger.Commitment.from(auditRecord: record).count
            }
        }
        return (harness, commitments)
    }

    /// Escalation records on queue.human: all, and distinct commitments.
    func escalations(_ bootstrap: String) throws -> (records: Int, distinct: Int) {
        var records = 0
        var distinct = Set<String>()
        try KafkaTopicReader(bootstrapServers: bootstrap).readAll(topics: ["queue.human"], timeoutMs: 20_000) { message in
            guard message.header("triage.decision") == "escalation" else { return }
            records += 1
            let body = try? JSONParser().parse(message.value)
            distinct.insert("\(message.header("triage.decision_id") ?? "?")/\(body?["commitment"]?.stringValue ?? "?")")
        }
        return (records, distinct.count)
    }

    @Test("two replicas: one active, each overdue promise escalated once; the holder stops, the standby takes over and escalates nothing twice")
    func oneActive() async throws {
        let (harness, commitments) = try await overduePromises()
        #expect(commitments > 20, "the demo policy answers a share of sample tickets with promises")
        let group = "lease-\(UInt32.random(in: 0...UInt32.max))"
        let a = Replica("a", bootstrap: harness.bootstrap, leaseGroup: group)
        let b = Replica("b", bootstrap: harness.bootstrap, leaseGroup: group)
        try await waitUntil("one replica active", seconds: 60, every: .milliseconds(200)) { a.isActive || b.isActive }
        try await waitUntil("\(commitments) escalations", seconds: 60, every: .milliseconds(200)) { try escalations(harness.bootstrap).records >= commitments }
        try await Task.sleep(for: .seconds(2))
        #expect(!(a.isActive && b.isActive), "never both")
        let (holder, standby) = a.isActive ? (a, b) : (b, a)
        let first = try await holder.stop()
        #expect(first.leaseTerms == 1)
        #expect(first.escalated == commitments)
        try await waitUntil("the standby takes over", seconds: 60, every: .milliseconds(200)) { standby.isActive }
        try await Task.sleep(for: .seconds(2))
        let second = try await standby.stop()
        #expect(second.leaseTerms == 1)
        #expect(second.escalated == 0, "what the holder settled is read back before anything is written")
        let seen = try escalations(harness.bootstrap)
        #expect(seen.records == commitments, "each promise escalated once: \(seen)")
        #expect(seen.distinct == commitments)
    }

    @Test("control: without the lease two replicas escalate the same promises twice (what the lease prevents)")
    func withoutLease() async throws {
        let (harness, commitments) = try await overduePromises()
        let a = Replica("a", bootstrap: harness.bootstrap, leaseGroup: nil)
        let b = Replica("b", bootstrap: harness.bootstrap, leaseGroup: nil)
        try await waitUntil("\(2 * commitments) escalations", seconds: 60, every: .milliseconds(200)) { try escalations(harness.bootstrap).records >= 2 * commitments }
        _ = try await a.stop()
        _ = try await b.stop()
        let seen = try escalations(harness.bootstrap)
        #expect(seen.records == 2 * commitments)
        #expect(seen.distinct == commitments)
    }

    /// A live fairness monitor on a thread of its own; counts the windows it published.
    final class MonitorReplica: Sendable {
        private let stopFlag = Atomic<Bool>(false)
        private let published = Atomic<Int>(0)
        private let done = Atomic<Bool>(false)
        private let failure = Mutex<String?>(nil)

        init(bootstrap: String, leaseGroup: String?, instance: String) {
            let thread = Thread { [self] in
                var options = FairnessMonitoring.Options(bootstrapServers: bootstrap, config: AuditGovernanceTests.config)
                options.fromBeginning = true
                options.progressIntervalSeconds = 0
                options.leaseGroup = leaseGroup
                options.instance = instance
                do {
                    _ = try FairnessMonitoring(options: options).run(shouldStop: { self.stopFlag.load(ordering: .relaxed) }) { event in
                        if case .window = event { self.published.add(1, ordering: .relaxed) }
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
                done.store(true, ordering: .relaxed)
            }
            thread.start()
        }

        var windows: Int { published.load(ordering: .relaxed) }

        func stop() async throws {
            stopFlag.store(true, ordering: .relaxed)
            let deadline = ContinuousClock.now + .seconds(60)
            while !done.load(ordering: .relaxed) {
                guard ContinuousClock.now < deadline else { throw TestFailure("monitor did not stop within 60 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
            if let failure = failure.withLock({ $0 }) { throw TestFailure("monitor failed: \(failure)") }
        }
    }

    @Test("two live monitors with one lease: one publishes each closed window, the other stands by; without the lease both do", arguments: [true, false])
    func monitors(withLease: Bool) async throws {
        let cluster = try AuditGovernanceTests.cluster()
        let group: String? = withLease ? "monitor-lease-\(UInt32.random(in: 0...UInt32.max))" : nil
        let a = MonitorReplica(bootstrap: cluster.bootstrapServers, leaseGroup: group, instance: "a")
        let b = MonitorReplica(bootstrap: cluster.bootstrapServers, leaseGroup: group, instance: "b")
        // The seeded audit has two hours: the first window closes once the backlog is read.
        try await waitUntil("the first window published", seconds: 60, every: .milliseconds(200)) { a.windows + b.windows >= 1 }
        try await Task.sleep(for: .seconds(4))
        let (byA, byB) = (a.windows, b.windows)
        let messages = try AuditGovernanceTests.fairnessMessages(cluster.bootstrapServers)
        if withLease {
            #expect(byA + byB == 1 && min(byA, byB) == 0, "one active publisher: a \(byA), b \(byB)")
            #expect(messages.count == 1)
        } else {
            #expect(byA == 1 && byB == 1, "a \(byA), b \(byB)")
            #expect(messages.count == 2, "the same window twice")
        }
        try await a.stop()
        try await b.stop()
    }
}
