import Kafka
import Logging
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWorker

#if canImport(Glibc)
import Glibc
#endif

/// `triage demo`: the whole flow in one process on an embedded mock cluster — sample
/// tickets in, two or more workers in one consumer group, a readable summary out.
public struct Demo {
    public var tickets = 300
    public var workers = 2
    public var brokers = 3
    public var partitions = 6
    public var seed: UInt64 = 2026
    public var classifier: ClassifierFactory
    /// One line saying which classifier runs (trained model or placeholder).
    public var classifierDescription: String
    public var logger = Logger(label: "triage.demo")

    public init(classifier: @escaping ClassifierFactory, classifierDescription: String) {
        self.classifier = classifier
        self.classifierDescription = classifierDescription
    }

    /// Runs the demo, printing as it goes, and returns the check of the run.
    public func run(print say: (String) -> Void, progress: (String) -> Void) async throws -> RunReport {
        say("Starting an in-process Kafka mock cluster (\(brokers) brokers, \(partitions) partitions per topic)…")
        let cluster = try DevCluster(brokers: brokers, partitions: partitions)
        say("  bootstrap servers: \(cluster.bootstrapServers)")
        var workerList: [Worker] = []
        for i in 1...workers {
            var config = WorkerConfiguration(bootstrapServers: cluster.bootstrapServers, workerID: "demo-\(i)")
            config.groupID = "triage-demo"
            config.consumerProperties = ["log_level": "3"]  // keep librdkafka's rebalance chatter out of the demo
            workerList.append(Worker(configuration: config, classifier: classifier, logger: logger))
        }
        say("Classifier: \(classifierDescription)")
        say("Starting \(workers) workers in consumer group \"triage-demo\"…")
        var intended: [String: String] = [:]
        let done = try await withThrowingTaskGroup(of: Void.self) { group -> Duration in
            for worker in workerList { group.addTask { try await worker.run() } }
            try await waitForStableGroup(workerList, progress: progress)
            let seedStarted = ContinuousClock.now
            say("Seeding \(tickets) sample tickets written by the project (several channels, languages and customer attributes, some malformed, some asking for a person)…")
            let seeded = try Seeder(bootstrapServers: cluster.bootstrapServers).seed(count: tickets, seed: seed)
            intended = seeded.intendedLabels
            say("  \(seeded.written) written: \(seeded.wellFormedIDs.count) well-formed, \(seeded.malformed) malformed, \(seeded.asksForHuman) asking for a person")
            let started = seedStarted
            let deadline = started + .seconds(120)
            while true {
                try await Task.sleep(for: .milliseconds(250))
                let stats = workerList.map(\.stats.snapshot)
                let completed = stats.reduce(0) { $0 + $1.completed }
                progress("  processed \(completed)/\(tickets) tickets · answered automatically \(stats.reduce(0) { $0 + $1.automated }) · routed \(stats.reduce(0) { $0 + $1.routed }) · handed off \(stats.reduce(0) { $0 + $1.handoffs }) · dead-lettered \(stats.reduce(0) { $0 + $1.deadLettered }) · \(stats.map { "\($0.assignedPartitions)" }.joined(separator: "+")) partitions")
                if completed >= tickets { break }
                if ContinuousClock.now > deadline {
                    workerList.forEach { $0.requestStop() }
                    throw WorkerError("demo: only \(completed) of \(tickets) tickets processed within 120 s")
                }
            }
            let elapsed = ContinuousClock.now - started
            workerList.forEach { $0.requestStop() }
            try await group.waitForAll()
            return elapsed
        }
        say("")
        say("All workers stopped gracefully. Reading the output topics back to check the run…")
        let report = try Reconciliation(bootstrapServers: cluster.bootstrapServers).run()
        let seconds = Double(done.components.seconds) + Double(done.components.attoseconds) / 1e18
        say("")
        say("=== Summary ===")
        say(report.render())
        say(String(format: "throughput:           %.0f tickets/s over %.2f s (seeding to last ticket done, both workers running; group start-up excluded)", Double(tickets) / max(seconds, 0.001), seconds))
        let compared = intended.compactMap { id, label in report.auditedLabels[id].map { $0 == label } }
        if !compared.isEmpty {
            let agree = compared.filter { $0 }.count
            say(String(format: "model vs intended label: %d of %d agree (%.1f%%): the generator knows which label it wrote each sample for", agree, compared.count, 100 * Double(agree) / Double(compared.count)))
        }
        if report.placeholderDecisions > 0 {
            say("NOTE: \(report.placeholderDecisions) decisions came from the PLACEHOLDER keyword classifier, not a trained model.")
        }
        try sayToDo(cluster.bootstrapServers, say: say)
        try verifyAudit(cluster.bootstrapServers, say: say)
        say("")
        say("Reading the audit records: one JSON record per decision on topic triage.audit (several per message,")
        say("one per line), partitioned by the customer's pseudonym (HMAC-SHA256; never the raw id). Fields are")
        say("documented in docs/AUDIT-SCHEMA.md.")
        say("With a standalone cluster (`triage dev-cluster`), read them with:")
        say("  kcat -C -b <bootstrap> -t triage.audit -e -o beginning")
        if let sample = try sampleAuditRecord(cluster.bootstrapServers) { say("A sample record from this run:\n  \(sample)") }
        return report
    }

    /// Say-to-do over the run: the systems that act are SIMULATED (most actions on time, a few
    /// late, a few never), the ledger settles every promise as of two days from now, and the
    /// independent check joins replies, actions, outcomes and escalations.
    private func sayToDo(_ bootstrap: String, say: (String) -> Void) throws {
        say("")
        say("=== Say-to-do ===")
        let simulated = try OutcomeSimulator(bootstrapServers: bootstrap, onTime: 0.95, late: 0.03, seed: seed).run()
        say("SIMULATED systems that act: \(simulated.actions) actions, \(simulated.onTime) done on time, \(simulated.late) late, \(simulated.never) never")
        let inTwoDays = UTCTime.nowMillis() + 2 * 86_400_000
        var options = LedgerService.Options()
        options.once = true
        options.atMillis = inTwoDays
        var quiet = Logger(label: "triage.demo.ledger")
        quiet.logLevel = .error
        let ledger = try LedgerService(bootstrapServers: bootstrap, policy: .demo, options: options, logger: quiet).run()
        say("ledger (as of two days from now, when every promise is due): \(ledger.keptOnTime) of \(ledger.commitmentsMade) commitments kept on time, \(ledger.escalated) overdue ones escalated to queue.human (promise_overdue)")
        if !ledger.trips.isEmpty { say("circuit breaker opened for: \(ledger.trips.joined(separator: ", ")) (say-to-do ratio under the floor; reset with `triage ledger reset`)") }
        let check = try SayToDoCheck(bootstrapServers: bootstrap).run(atMillis: inTwoDays)
        say(check.render())
        guard check.isClean else { throw WorkerError("demo: say-to-do check failed: \(check.unbacked.count) unbacked, \(check.notEscalated.count) not escalated") }
    }

    private func verifyAudit(_ bootstrap: String, say: (String) -> Void) throws {
        let report = try AuditVerification(bootstrapServers: bootstrap).run()
        say("")
        say("=== Audit trail ===")
        say("hash chains: \(report.recordsRead) records in \(report.chains.count) chains (one per worker process and audit partition), \(report.checkpointsRead) checkpoints: \(report.isIntact ? "intact" : "BROKEN")")
        for finding in report.findings.prefix(5) { say("  \(finding)") }
        guard report.isIntact else { throw WorkerError("demo: the audit hash chains are broken") }
    }

    /// Waits until every partition of the tickets topic is owned by some worker, so the
    /// throughput figure measures processing, not the group's start-up.
    private func waitForStableGroup(_ workers: [Worker], progress: (String) -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let owned = workers.map(\.stats.snapshot.assignedPartitions)
            progress("  waiting for the group to settle: \(owned.map(String.init).joined(separator: "+")) of \(partitions) partitions assigned")
            if owned.reduce(0, +) == partitions, owned.allSatisfy({ $0 > 0 }) || workers.count > partitions { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WorkerError("demo: the consumer group did not settle within 60 s")
    }

    private func sampleAuditRecord(_ bootstrap: String) throws -> String? {
        var sample: String?
        try KafkaTopicReader(bootstrapServers: bootstrap).readAll(topics: ["triage.audit"]) { message in
            if sample == nil, let first = AuditMessage.records(in: message.value).first { sample = String(decoding: first, as: UTF8.self) }
        }
        return sample
    }
}
