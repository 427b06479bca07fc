import Histogram

/// The pure arithmetic of a load-test result: throughput per second, latency percentiles and
/// consumer lag, from timestamps and offsets the runner collected. No I/O.
public enum LoadSeries {
    /// Records per one-second bucket from `startMs` (bucket i holds [start + i s, start + (i+1) s)),
    /// `seconds` buckets; timestamps outside are left out.
    public static func perSecond(_ timestampsMs: [Int64], startMs: Int64, seconds: Int) -> [Int] {
        var buckets = [Int](repeating: 0, count: max(seconds, 0))
        for t in timestampsMs where t >= startMs {
            let i = Int((t - startMs) / 1000)
            if i < buckets.count { buckets[i] += 1 }
        }
        return buckets
    }

    /// The steady rate: the median of the per-second counts in [from, to) seconds (the load's
    /// window without its first seconds of warm-up); 0 when the window is empty.
    public static func steadyRate(_ perSecond: [Int], from: Int, to: Int) -> Double {
        let lo = max(from, 0), hi = min(to, perSecond.count)
        guard hi > lo else { return 0 }
        let window = perSecond[lo..<hi].sorted()
        let mid = window.count / 2
        return window.count % 2 == 1 ? Double(window[mid]) : Double(window[mid - 1] + window[mid]) / 2
    }

    /// The rate of a drain: (N − 1) ÷ (last − first) in records per second.
    public static func drainRate(_ timestampsMs: [Int64]) -> Double {
        guard timestampsMs.count > 1, let first = timestampsMs.min(), let last = timestampsMs.max(), last > first else { return 0 }
        return Double(timestampsMs.count - 1) / (Double(last - first) / 1000)
    }

    /// Lag of a group over some partitions: Σ max(0, high − committed), where a partition with
    /// no commit yet counts from its low watermark.
    public static func lag(high: [Int32: Int64], low: [Int32: Int64], committed: [Int32: Int64]) -> Int64 {
        var total: Int64 = 0
        for (partition, h) in high {
            let from = committed[partition].flatMap { $0 >= 0 ? $0 : nil } ?? low[partition] ?? 0
            total += max(0, h - from)
        }
        return total
    }

    /// CPU use in percent of one core between two `/proc/<pid>/stat` readings (ticks are
    /// utime + stime, `ticksPerSecond` from sysconf(_SC_CLK_TCK)).
    public static func cpuPercent(ticksBefore: Int, ticksAfter: Int, seconds: Double, ticksPerSecond: Int) -> Double {
        guard seconds > 0, ticksPerSecond > 0 else { return 0 }
        return Double(max(ticksAfter - ticksBefore, 0)) / Double(ticksPerSecond) / seconds * 100
    }

    /// User + system CPU ticks from the text of `/proc/<pid>/stat` (fields 14 and 15, counted
    /// after the parenthesised command name, which may hold spaces).
    public static func cpuTicks(statText: String) -> Int? {
        guard let close = statText.lastIndex(of: ")") else { return nil }
        let rest = statText[statText.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); utime is field 14, stime 15.
        guard rest.count > 12, let user = Int(rest[11]), let system = Int(rest[12]) else { return nil }
        return user + system
    }

    /// The start of each phase in seconds since the load started.
    public static func phaseStarts(_ load: [LoadScenario.Phase]) -> [Double] {
        var starts: [Double] = [], t = 0.0
        for phase in load {
            starts.append(t)
            t += phase.seconds
        }
        return starts
    }

    /// Each phase of `load` judged by its own tickets: the input and output rates in its
    /// window (wall-clock ms from `startMs`) and `latency[i]`, the latency of the tickets sent
    /// during phase i.
    public static func phases(_ load: [LoadScenario.Phase], startMs: Int64, sentMs: [Int64], outputMs: [Int64],
                              latency: [LatencySummary]) -> [LoadResult.Phase] {
        let starts = phaseStarts(load)
        let sent = sentMs.sorted(), out = outputMs.sorted()
        func count(_ sorted: [Int64], _ from: Int64, _ to: Int64) -> Int { lowerBound(sorted, to) - lowerBound(sorted, from) }
        return load.indices.map { i in
            let phase = load[i]
            let from = startMs + Int64((starts[i] * 1000).rounded()), to = from + Int64((phase.seconds * 1000).rounded())
            let l = i < latency.count ? latency[i] : LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)
            return LoadResult.Phase(start: starts[i], seconds: phase.seconds, offeredRate: phase.rate,
                                    inputRate: Double(count(sent, from, to)) / phase.seconds,
                                    outputRate: Double(count(out, from, to)) / phase.seconds,
                                    latencyMs: l, keptUp: l.count > 0 && l.p99 <= LoadResult.Phase.keptUpP99Ms)
        }
    }

    /// The highest offered rate of a phase the workers kept up with, when a higher one fell
    /// behind (so the maximum lies between the two); nil when every phase was kept up with
    /// (the maximum is above them all: a burst that was absorbed is not a maximum), or none.
    public static func maxSustainedRate(_ phases: [LoadResult.Phase]) -> Double? {
        guard let kept = phases.filter(\.keptUp).map(\.offeredRate).max(),
              phases.contains(where: { !$0.keptUp && $0.offeredRate > kept }) else { return nil }
        return kept
    }

    private static func lowerBound(_ sorted: [Int64], _ value: Int64) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Resident memory in bytes from the text of `/proc/<pid>/status` (VmRSS).
    public static func residentBytes(statusText: String) -> Int? {
        guard let line = statusText.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
    }
}

/// End-to-end latencies in milliseconds, kept in an HdrHistogram (3 significant digits, up
/// to an hour), with the percentiles a result reports.
public struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three)
    /// Values below 0 (clocks of different hosts, or an output stamped before its input
    /// in the same millisecond) are counted here and recorded as 0.
    public private(set) var negative = 0

    public init() {}

    public mutating func record(ms: Int64) {
        if ms < 0 { negative += 1 }
        _ = histogram.record(UInt64(min(max(ms, 0), 3_600_000)))
    }

    public var count: Int { Int(histogram.totalCount) }

    public var summary: LatencySummary {
        guard count > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        return LatencySummary(count: count,
                              p50: Double(histogram.valueAtPercentile(50)), p90: Double(histogram.valueAtPercentile(90)),
                              p99: Double(histogram.valueAtPercentile(99)), p999: Double(histogram.valueAtPercentile(99.9)),
                              max: Double(histogram.max), mean: histogram.mean)
    }
}

/// Latency percentiles in milliseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double
}
