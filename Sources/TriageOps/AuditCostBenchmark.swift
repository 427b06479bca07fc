@_spi(Benchmark) import TriageWorker
import Logging
import TriageCore

/// Worker throughput with and without the audit trail, end to end on an in-process mock
/// cluster: the same seeded tickets, the same classifier and policy, one worker; the only
/// difference is whether each decision's audit record (JSON, hash chain, one more Kafka
/// write) is made. Runs alternate (with, without, with, …) and the medians are compared.
/// For `triage audit-cost-bench`; numbers, not a test.
public struct AuditCostBenchmark {
    public struct Result: Sendable {
        /// Tickets per second of each run.
        public var withAudit: [Double]
        public var withoutAudit: [Double]
        public var medianWith: Double { Self.median(withAudit) }
        public var medianWithout: Double { Self.median(withoutAudit) }
        /// 1 − with ÷ without: the share of throughput the audit trail costs.
        public var cost: Double { 1 - medianWith / medianWithout }

        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    public var tickets: Int
    public var runs: Int
    public var partitions = 4
    public var classifier: ClassifierFactory

    public init(tickets: Int, runs: Int, classifier: @escaping ClassifierFactory) {
        self.tickets = tickets
        self.runs = runs
        self.classifier = classifier
    }

    public func run(progress: (String) -> Void) async throws -> Result {
        var result = Result(withAudit: [], withoutAudit: [])
        for round in 0..<runs {
            for audit in [true, false] {
                let rate = try await once(audit: audit, seed: UInt64(round + 1))
                progress(String(format: "run %d %@ audit: %.0f tickets/s", round + 1, audit ? "with" : "without", rate))
                if audit { result.withAudit.append(rate) } else { result.withoutAudit.append(rate) }
            }
        }
        return result
    }

    /// Tickets per second from the first ticket done to the last.
    private func once(audit: Bool, seed: UInt64) async throws -> Double {
        let cluster = try DevCluster(brokers: 1, partitions: partitions)
        _ = try Seeder(bootstrapServers: cluster.bootstrapServers).seed(count: tickets, seed: seed, malformedRate: 0)
        var config = WorkerConfiguration(bootstrapServers: cluster.bootstrapServers, workerID: "bench")
        config.groupID = "audit-cost-\(seed)-\(audit)"
        config.consumerProperties = ["log_level": "3"]
        config.writesAudit = audit
        var quiet = Logger(label: "triage.bench")
        quiet.logLevel = .error
        let worker = Worker(configuration: config, classifier: classifier, logger: quiet)
        let target = tickets
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            var first: ContinuousClock.Instant?
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                let done = worker.stats.snapshot.completed
                if first == nil && done > 0 { first = ContinuousClock.now }
                if done >= target { break }
            }
            let elapsed = ContinuousClock.now - (first ?? ContinuousClock.now)
            worker.requestStop()
            try await group.waitForAll()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Double(target) / max(seconds, 1e-3)
        }
    }
}
