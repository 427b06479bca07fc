/// When each record of a replay is due, counted from the replay's start: pure, so the pacing
/// is tested without Kafka. Due times follow an absolute schedule (record i at i / rate, or at
/// its original offset / speed), so a late send is caught up on, never carried forward.
public struct ReplaySchedule: Sendable {
    public enum Pace: Sendable, Hashable {
        /// As fast as the producer goes.
        case unpaced
        /// A fixed number of records per second.
        case rate(Double)
        /// The records' own inter-arrival times (their timestamps), divided by the factor.
        case speed(Double)
    }

    public let pace: Pace
    private var index: Int64 = 0
    private var firstTimestampMs: Int64?
    private var lastDueNs: Int64 = 0

    public init(pace: Pace) { self.pace = pace }

    /// Nanoseconds after the start at which the next record is due (0: at once). A record
    /// without a timestamp, or one older than its predecessor, is due with its predecessor.
    public mutating func nextDueNanoseconds(timestampMs: Int64?) -> Int64 {
        defer { index += 1 }
        switch pace {
        case .unpaced:
            return 0
        case .rate(let rate):
            return Int64((Double(index) / rate * 1e9).rounded())
        case .speed(let factor):
            guard let timestampMs else { return lastDueNs }
            guard let first = firstTimestampMs else {
                firstTimestampMs = timestampMs
                return 0
            }
            let due = Int64((Double(timestampMs - first) * 1e6 / factor).rounded())
            lastDueNs = max(lastDueNs, due)
            return lastDueNs
        }
    }
}
