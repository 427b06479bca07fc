import Foundation

/// What one load-test run wrote to `result.json` (the format is documented in
/// load-tests/README.md, "Result format").
public struct LoadResult: Codable, Sendable, Equatable {
    public struct Sample: Codable, Sendable, Equatable {
        /// Seconds since the load started.
        public var t: Double
        public var value: Double
        public init(t: Double, value: Double) {
            self.t = t
            self.value = value
        }
    }

    /// One worker process (or the passthrough) over time.
    public struct Process: Codable, Sendable, Equatable {
        public var name: String
        public var rssMB: [Sample]
        public var cpuPercent: [Sample]
        public var peakRSSMB: Double
        public var meanCPUPercent: Double
        public var exitCodes: [Int32]

        // The JSON is snake_case (`rss_mb`, `peak_rss_mb`, `mean_cpu_percent`): these key
        // names survive the encoder's and the decoder's case conversion both ways, which
        // `rssMB` (read back as `rssMb`) does not.
        enum CodingKeys: String, CodingKey {
            case name, cpuPercent, exitCodes
            case rssMB = "rssMb"
            case peakRSSMB = "peakRssMb"
            case meanCPUPercent = "meanCpuPercent"
        }
    }

    public struct Event: Codable, Sendable, Equatable {
        public var t: Double
        public var label: String
    }

    public struct Throughput: Codable, Sendable, Equatable {
        /// Outputs per second in each one-second bucket from the load's start.
        public var perSecond: [Int]
        /// Inputs per second written by the load, same buckets.
        public var inputPerSecond: [Int]
        /// The highest one-second bucket.
        public var max: Double
        /// The median bucket over the load's window without its first 3 s.
        public var steady: Double
    }

    /// The in-run ceiling: one `triage work --passthrough` and one worker each drain the same
    /// backlog of the input topic, in groups of their own.
    public struct Passthrough: Codable, Sendable, Equatable {
        /// Records the passthrough copied.
        public var records: Int
        /// (N − 1) ÷ (last − first output timestamp): the passthrough's drain rate, records/s.
        public var ratePerSecond: Double
        /// The worker's drain rate ÷ the passthrough rate (without a drain: the worker's max
        /// one-second throughput ÷ the passthrough rate).
        public var workerMaxRatio: Double
        /// The worker's steady throughput ÷ the passthrough rate.
        public var workerSteadyRatio: Double
        public var process: Process?
        /// One worker's drain rate of the same backlog (outputs/s, same formula): the maximum
        /// sustained rate.
        public var workerDrainRate: Double? = nil
        /// Tickets in the backlog both drained.
        public var backlogTickets: Int? = nil
        /// "before the load" (the scenario's `capacity`) or "after the load" (its own tickets).
        public var measured: String? = nil
    }

    /// One phase of the load (a scenario with `duration` has one), judged by the tickets sent
    /// during it.
    public struct Phase: Codable, Sendable, Equatable {
        /// Seconds since the load started.
        public var start: Double
        public var seconds: Double
        public var offeredRate: Double
        /// Tickets written during the phase, ÷ its seconds.
        public var inputRate: Double
        /// Outputs stamped during the phase, ÷ its seconds (duplicates counted).
        public var outputRate: Double
        /// Input timestamp → output timestamp of the tickets sent during the phase.
        public var latencyMs: LatencySummary
        /// The workers kept up: the phase's p99 is at most `Phase.keptUpP99Ms`. A worker
        /// that falls behind builds a backlog, and the tickets behind it wait far longer.
        public var keptUp: Bool

        public static let keptUpP99Ms = 500.0
    }

    public var scenario: String
    public var description: String
    public var startedAt: String
    public var bootstrap: String
    public var partitions: Int
    public var workersAtStart: Int
    public var maxWorkers: Int
    public var model: String
    public var loadSeconds: Double
    public var offeredRate: [Sample]
    public var ticketsWritten: Int
    public var malformedWritten: Int
    public var hotCustomerTickets: Int
    /// Output records of the workers (routed, automated and dead-lettered; duplicates counted).
    public var outputs: Int
    /// Distinct input records that have at least one output.
    public var inputsWithOutput: Int
    public var throughput: Throughput
    /// Input record timestamp → output record timestamp (the producer's CreateTime on the mock).
    public var latencyMs: LatencySummary
    /// Per-second p50 and p99 (ms), by the output's second.
    public var latencyP50PerSecond: [Sample]
    public var latencyP99PerSecond: [Sample]
    /// Records of the worker group not yet committed, sampled every second.
    public var lag: [Sample]
    public var maxLag: Double
    public var finalLag: Double
    public var drainedSeconds: Double?
    public var workers: [Process]
    /// The runner's own process (the load writer, and the mock cluster when in-process): it
    /// shares the machine with the workers.
    public var runner: Process? = nil
    public var passthrough: Passthrough?
    public var events: [Event]
    public var notes: [String]
    /// The load's phases, each with its own latency.
    public var phases: [Phase]? = nil
    /// The highest offered rate of a `find_max` step one worker kept up with, else of a phase
    /// of the load the workers kept up with when it has phases of more than one rate (the
    /// `ramp` scenario): the maximum sustained rate of paced input, as opposed to
    /// `passthrough.workerDrainRate` of a backlog.
    public var maxSustainedRate: Double? = nil
    /// The scenario's `find_max` steps, run before the load: `maxSustainedRate` is the highest
    /// one kept up with, and `rate_of_max` phases refer to it.
    public var findMaxPhases: [Phase]? = nil

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> LoadResult {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(LoadResult.self, from: data)
    }
}
