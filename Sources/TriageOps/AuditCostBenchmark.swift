import Kafka
import Logging
import TriageCore
@_spi(Benchmark) import TriageWorker

/// Worker throughput with and without the audit trail: one worker works through a backlog of
/// seeded tickets, switching the audit record (JSON, hash-chain link, one more Kafka write)
/// on and off every `sliceTickets` tickets. At each switch it waits until every write of the
/// slice is acknowledged, so a slice's CPU time is all of its tickets' work, acknowledgements
/// included (`WorkerConfiguration.auditSliceTickets`).
///
/// Alternating slices within one process, rather than separate runs, is what makes the
/// comparison hold on a shared virtual machine: separate runs of the same work differed by up
/// to 2× in CPU time per ticket here (the host's load changes from second to second), which
/// buried a 10% effect; adjacent slices, a fraction of a second apart, see the same machine.
///
/// Measures: tickets per CPU-second of the pipeline thread (the thread that does every step of
/// every ticket, so it bounds a worker's throughput on a core of its own), tickets per
/// CPU-second of the whole process (pipeline and librdkafka's threads; meaningful with an
/// external cluster, where the process is only the worker), and tickets per wall-clock second
/// (includes each slice's final wait for acknowledgements). For `triage audit-cost-bench`;
/// numbers, not a test.
public struct AuditCostBenchmark {
    public struct Slice: Sendable {
        public var withAudit: Bool
        /// Tickets per CPU-second of the pipeline thread.
        public var cpu: Double
        /// Tickets per CPU-second of the whole process.
        public var processCPU: Double
        /// Tickets per wall-clock second.
        public var wall: Double
    }

    public struct Result: Sendable {
        /// Every measured slice, in order, warm-up pairs left out.
        public var slices: [Slice]
        public var withAudit: [Slice] { slices.filter(\.withAudit) }
        public var withoutAudit: [Slice] { slices.filter { !$0.withAudit } }

        /// Cost per adjacent (with, without) pair: 1 − with ÷ without.
        public func pairCosts(_ measure: KeyPath<Slice, Double>) -> [Double] {
            stride(from: 0, to: slices.count - 1, by: 2).compactMap { i in
                let a = slices[i], b = slices[i + 1]
                guard a.withAudit != b.withAudit else { return nil }
                let (with, without) = a.withAudit ? (a, b) : (b, a)
                return 1 - with[keyPath: measure] / without[keyPath: measure]
            }
        }

        public func median(_ measure: KeyPath<Slice, Double>, withAudit: Bool) -> Double {
            Self.median(slices.filter { $0.withAudit == withAudit }.map { $0[keyPath: measure] })
        }

        /// 1 − median(with) ÷ median(without).
        public func cost(_ measure: KeyPath<Slice, Double>) -> Double {
            1 - median(measure, withAudit: true) / median(measure, withAudit: false)
        }

        public static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }

        /// The 25th and 75th percentiles.
        public static func quartiles(_ values: [Double]) -> (Double, Double) {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return (0, 0) }
            return (sorted[(sorted.count - 1) / 4], sorted[(sorted.count - 1) * 3 / 4])
        }
    }

    /// Tickets per slice.
    public var sliceTickets: Int
    /// (with, without) slice pairs measured per run, after one warm-up pair.
    public var pairs: Int
    /// Runs, each with a fresh worker and tickets topic.
    public var runs: Int
    public var partitions = 4
    public var classifier: ClassifierFactory
    /// An external cluster (e.g. `triage dev-cluster` pinned to another core); nil: an
    /// in-process mock cluster, whose broker threads then compete with the worker.
    public var kafka: KafkaClientSettings?
    public var bootstrapServers: String? {
        get { kafka?.bootstrapServers }
        set { kafka = newValue.map { KafkaClientSettings(bootstrapServers: $0) } }
    }

    public init(sliceTickets: Int, pairs: Int, runs: Int, classifier: @escaping ClassifierFactory) {
        self.sliceTickets = sliceTickets
        self.pairs = pairs
        self.runs = runs
        self.classifier = classifier
    }

    public func run(progress: (String) -> Void) async throws -> Result {
        var result = Result(slices: [])
        for round in 0..<runs {
            let slices = try await once(seed: UInt64(round + 1))
            let measured = Result(slices: slices)
            progress(String(format: "run %d: %d pairs of %d-ticket slices; pipeline-thread cost per pair, median %.1f%%",
                            round + 1, slices.count / 2, sliceTickets, Result.median(measured.pairCosts(\.cpu)) * 100))
            result.slices += slices
        }
        return result
    }

    /// One run on a tickets topic of its own (created by seeding it: the mock cluster gives an
    /// implicitly created topic its default 4 partitions), seeded with all of the run's tickets
    /// before the worker starts, with customers no earlier run has seen (so no run inherits
    /// another's contact history).
    private func once(seed: UInt64) async throws -> [Slice] {
        var cluster: DevCluster?
        let settings: KafkaClientSettings
        if let external = kafka {
            settings = external
        } else {
            cluster = try DevCluster(brokers: 1, partitions: partitions)
            settings = KafkaClientSettings(bootstrapServers: cluster!.bootstrapServers)
        }
        let sliceCount = 2 * (pairs + 1)
        let run = "acb-\(seed)-\(UInt32.random(in: 0 ... .max))"
        var config = WorkerConfiguration(kafka: settings, workerID: "bench")
        config.topics.tickets = "\(run).tickets"
        _ = try Seeder(kafka: settings, topic: config.topics.tickets)
            .seed(count: sliceCount * sliceTickets, seed: seed, malformedRate: 0, customerPrefix: "\(run)-C-")
        config.groupID = run
        config.consumerProperties["auto.offset.reset"] = "earliest"
        config.consumerProperties["log_level"] = "3"
        config.auditSliceTickets = sliceTickets
        var quiet = Logger(label: "triage.bench")
        quiet.logLevel = .error
        let worker = Worker(configuration: config, classifier: classifier, logger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            let deadline = ContinuousClock.now + .seconds(600)
            while ContinuousClock.now < deadline, worker.stats.snapshot.auditSlices.count < sliceCount {
                try await Task.sleep(for: .milliseconds(20))
            }
            worker.requestStop()
            try await group.waitForAll()
            _ = cluster
            let slices = worker.stats.snapshot.auditSlices
            guard slices.count >= sliceCount else {
                throw KafkaError(code: .timeout, message: "audit-cost run \(seed): only \(slices.count) of \(sliceCount) slices finished in 600 s")
            }
            return slices.prefix(sliceCount).dropFirst(2).map { slice in
                let tickets = Double(slice.tickets)
                return Slice(withAudit: slice.withAudit, cpu: tickets / max(Double(slice.pipelineCPUNanos) / 1e9, 1e-9),
                             processCPU: tickets / max(Double(slice.processCPUNanos) / 1e9, 1e-9),
                             wall: tickets / max(Double(slice.wallNanos) / 1e9, 1e-9))
            }
        }
    }
}
