#if canImport(Glibc)
import Glibc
#endif
import Kafka
import Logging
import TriageCore
@_spi(Benchmark) import TriageWorker

/// Worker throughput with and without the audit trail, end to end on an in-process mock
/// cluster: the same seeded tickets, the same classifier and policy, one worker; the only
/// difference is whether each decision's audit record (JSON, hash chain, one more Kafka
/// write) is made. Runs alternate (with, without, with, …) and the medians are compared.
///
/// Two measures: wall-clock tickets per second (what a user sees, but noisy on a shared
/// machine), and tickets per CPU-second of the worker's pipeline thread (the thread that does
/// every step of every ticket, so its CPU time per ticket bounds a worker's throughput on a
/// core of its own; it does not move when other processes compete for the CPU). The cost is
/// judged on the second. For `triage audit-cost-bench`; numbers, not a test.
public struct AuditCostBenchmark {
    public struct Run: Sendable {
        /// Tickets per wall-clock second.
        public var wall: Double
        /// Tickets per CPU-second of the pipeline thread.
        public var cpu: Double
        /// Tickets per CPU-second of the whole process (pipeline and librdkafka's threads);
        /// meaningful with an external cluster, where the process is only the worker.
        public var processCPU: Double
    }

    public struct Result: Sendable {
        public var withAudit: [Run]
        public var withoutAudit: [Run]
        public var medianWith: Double { Self.median(withAudit.map(\.wall)) }
        public var medianWithout: Double { Self.median(withoutAudit.map(\.wall)) }
        public var medianCPUWith: Double { Self.median(withAudit.map(\.cpu)) }
        public var medianCPUWithout: Double { Self.median(withoutAudit.map(\.cpu)) }
        public var medianProcessCPUWith: Double { Self.median(withAudit.map(\.processCPU)) }
        public var medianProcessCPUWithout: Double { Self.median(withoutAudit.map(\.processCPU)) }
        /// 1 − with ÷ without on whole-process CPU per ticket (external cluster only).
        public var processCost: Double { 1 - medianProcessCPUWith / medianProcessCPUWithout }
        /// 1 − with ÷ without, on pipeline-thread capacity: the share of a worker's throughput
        /// the audit trail costs.
        public var cost: Double { 1 - medianCPUWith / medianCPUWithout }
        /// The same on wall-clock throughput (noisy on a shared machine).
        public var wallCost: Double { 1 - medianWith / medianWithout }

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
    /// An external cluster (e.g. `triage dev-cluster` pinned to another core); nil: an
    /// in-process mock cluster, whose broker threads then compete with the worker.
    public var bootstrapServers: String?

    public init(tickets: Int, runs: Int, classifier: @escaping ClassifierFactory) {
        self.tickets = tickets
        self.runs = runs
        self.classifier = classifier
    }

    public func run(progress: (String) -> Void) async throws -> Result {
        var result = Result(withAudit: [], withoutAudit: [])
        for round in 0..<runs {
            for audit in [true, false] {
                let run = try await once(audit: audit, seed: UInt64(round + 1))
                progress(String(format: "run %d %@ audit: %.0f tickets/s wall, %.0f per pipeline CPU-second, %.0f per process CPU-second",
                                round + 1, audit ? "with" : "without", run.wall, run.cpu, run.processCPU))
                if audit { result.withAudit.append(run) } else { result.withoutAudit.append(run) }
            }
        }
        return result
    }

    /// User + system CPU time of this process.
    static func processCPUNanos() -> UInt64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func nanos(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1_000 }
        return nanos(usage.ru_utime) + nanos(usage.ru_stime)
    }

    /// From the first ticket done to the last.
    private func once(audit: Bool, seed: UInt64) async throws -> Run {
        var cluster: DevCluster?
        let bootstrap: String
        if let external = bootstrapServers {
            bootstrap = external
        } else {
            cluster = try DevCluster(brokers: 1, partitions: partitions)
            bootstrap = cluster!.bootstrapServers
            _ = try Seeder(bootstrapServers: bootstrap).seed(count: tickets, seed: seed, malformedRate: 0)
        }
        var config = WorkerConfiguration(bootstrapServers: bootstrap, workerID: "bench")
        if bootstrapServers != nil {
            // A shared cluster: a fresh group starts at the end, and the tickets are written
            // once it owns its partitions.
            config.consumerProperties["auto.offset.reset"] = "latest"
        }
        config.groupID = "audit-cost-\(seed)-\(audit)"
        config.consumerProperties["log_level"] = "3"
        config.writesAudit = audit
        var quiet = Logger(label: "triage.bench")
        quiet.logLevel = .error
        let worker = Worker(configuration: config, classifier: classifier, logger: quiet)
        let target = tickets
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            var seeded = bootstrapServers == nil
            var first: (time: ContinuousClock.Instant, done: Int, cpu: UInt64, process: UInt64)?
            var last = (time: ContinuousClock.now, done: 0, cpu: UInt64(0), process: UInt64(0))
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                let stats = worker.stats.snapshot
                if !seeded && stats.assignedPartitions > 0 {
                    try await Task.sleep(for: .seconds(1))  // let the fetch positions settle at the end
                    _ = try Seeder(bootstrapServers: bootstrap).seed(count: tickets, seed: seed, malformedRate: 0)
                    seeded = true
                    continue
                }
                last = (ContinuousClock.now, stats.completed, stats.pipelineCPUNanos, Self.processCPUNanos())
                if first == nil && stats.completed > 0 { first = last }
                if stats.completed >= target { break }
            }
            worker.requestStop()
            try await group.waitForAll()
            let start = first ?? last
            let elapsed = last.time - start.time
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let tickets = Double(last.done - start.done)
            _ = cluster
            return Run(wall: tickets / max(seconds, 1e-3), cpu: tickets / max(Double(last.cpu - start.cpu) / 1e9, 1e-6),
                       processCPU: tickets / max(Double(last.process - start.process) / 1e9, 1e-6))
        }
    }
}
