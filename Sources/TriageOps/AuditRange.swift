import TriageCore

/// A range of audit records for `triage audit verify/report/tail`: `--from`/`--to` take either
/// an offset (applied to every partition) or an RFC 3339 time (the records' Kafka timestamps,
/// which the worker sets when it writes the decision).
public struct AuditRange: Sendable, Hashable {
    public enum Bound: Sendable, Hashable {
        case offset(Int64)
        /// Milliseconds since 1970.
        case time(Int64)
    }

    public var from: Bound?
    public var to: Bound?

    public init(from: Bound? = nil, to: Bound? = nil) {
        self.from = from
        self.to = to
    }

    /// Parses `1234` as an offset and `2026-11-22T10:00:00Z` as a time; nil for anything else.
    public static func bound(_ text: String) -> Bound? {
        if let offset = Int64(text), offset >= 0 { return .offset(offset) }
        if let time = RFC3339Timestamp.milliseconds(text) { return .time(time) }
        return nil
    }

    /// True when a record at `offset` written at `timestampMs` is inside the range (`to` inclusive).
    public func contains(offset: Int64, timestampMs: Int64?) -> Bool {
        switch from {
        case .offset(let o)?: if offset < o { return false }
        case .time(let t)?: if let ts = timestampMs, ts < t { return false }
        case nil: break
        }
        switch to {
        case .offset(let o)?: if offset > o { return false }
        case .time(let t)?: if let ts = timestampMs, ts > t { return false }
        case nil: break
        }
        return true
    }
}
