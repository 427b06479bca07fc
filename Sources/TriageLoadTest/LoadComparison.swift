/// `triage load-test compare A B`: is B a regression of A? Throughput (steady, and the
/// passthrough ratio when both have one) down, or p99 latency up, by more than a threshold.
public struct LoadComparison: Sendable, Equatable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var metric: String
        public var before: Double
        public var after: Double
        /// after ÷ before − 1.
        public var change: Double
        public var regression: Bool

        public var description: String {
            let sign = change >= 0 ? "+" : ""
            return "\(regression ? "REGRESSION" : "ok        ") \(metric): \(Self.format(before)) -> \(Self.format(after)) (\(sign)\(Self.format(change * 100))%)"
        }

        static func format(_ v: Double) -> String {
            let r = (v * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
    }

    public var findings: [Finding]
    public var isRegression: Bool { findings.contains { $0.regression } }

    /// - Parameters:
    ///   - throughputDrop: a fall of more than this fraction (0.1 = 10 %) is a regression.
    ///   - latencyRise: a p99 rise of more than this fraction is a regression; rises of less
    ///     than `latencySlackMs` are not (millisecond timestamps make small p99s jump).
    public init(before a: LoadResult, after b: LoadResult, throughputDrop: Double = 0.10, latencyRise: Double = 0.20,
                latencySlackMs: Double = 2) {
        func change(_ x: Double, _ y: Double) -> Double { x == 0 ? (y == 0 ? 0 : 1) : y / x - 1 }
        var findings: [Finding] = []
        func higherIsBetter(_ name: String, _ x: Double, _ y: Double) {
            let c = change(x, y)
            findings.append(Finding(metric: name, before: x, after: y, change: c, regression: c < -throughputDrop))
        }
        func lowerIsBetter(_ name: String, _ x: Double, _ y: Double, informational: Bool = false) {
            let c = change(x, y)
            findings.append(Finding(metric: name, before: x, after: y, change: c,
                                    regression: !informational && c > latencyRise && y - x > latencySlackMs))
        }
        higherIsBetter("steady throughput (outputs/s)", a.throughput.steady, b.throughput.steady)
        higherIsBetter("max throughput (outputs/s)", a.throughput.max, b.throughput.max)
        if let pa = a.passthrough, let pb = b.passthrough {
            higherIsBetter("worker/passthrough ratio (max)", pa.workerMaxRatio, pb.workerMaxRatio)
            if let da = pa.workerDrainRate, let db = pb.workerDrainRate {
                higherIsBetter("backlog drain rate (one worker, outputs/s)", da, db)
            }
        }
        if let ma = a.maxSustainedRate, let mb = b.maxSustainedRate {
            higherIsBetter("max sustained rate (paced phases, tickets/s)", ma, mb)
        }
        lowerIsBetter("p99 latency (ms)", a.latencyMs.p99, b.latencyMs.p99)
        lowerIsBetter("p50 latency (ms)", a.latencyMs.p50, b.latencyMs.p50, informational: true)
        lowerIsBetter("p99.9 latency (ms)", a.latencyMs.p999, b.latencyMs.p999, informational: true)
        self.findings = findings
    }
}
