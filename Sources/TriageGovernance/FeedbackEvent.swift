import TriageAudit
import TriageCore

/// A correction reported by an agent on `triage.feedback`. Only `requeued` is counted (as a
/// misroute of the decision it names); other kinds are parsed and ignored by the monitor.
///
/// JSON: `{"decision_id":"d-…","ticket_id":"T-…","kind":"requeued","from_queue":"cards",
///         "to_queue":"payments","time":"2026-11-22T10:05:00.000Z"}`
public struct FeedbackEvent: Sendable, Hashable {
    public var decisionID: String
    public var ticketID: String
    public var kind: String
    public var fromQueue: String?
    public var toQueue: String?
    public var timeMs: Int64

    public static let requeued = "requeued"

    public init(decisionID: String, ticketID: String, kind: String = FeedbackEvent.requeued, fromQueue: String? = nil,
                toQueue: String? = nil, timeMs: Int64)
    {
        self.decisionID = decisionID
        self.ticketID = ticketID
        self.kind = kind
        self.fromQueue = fromQueue
        self.toQueue = toQueue
        self.timeMs = timeMs
    }

    public init(json: JSONValue) throws(GovernanceInputError) {
        let r = try FieldReader(json)
        decisionID = try r.string("decision_id")
        ticketID = r.optionalString("ticket_id") ?? ""
        kind = try r.string("kind")
        fromQueue = r.optionalString("from_queue")
        toQueue = r.optionalString("to_queue")
        timeMs = try r.time("time")
    }

    public init(jsonBytes: [UInt8]) throws(GovernanceInputError) {
        try self.init(json: try FieldReader.parse(jsonBytes))
    }

    /// The feedback as compact JSON, in the shape `init(json:)` reads.
    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 192)
        w.beginObject()
        w.key("decision_id"); w.string(decisionID)
        w.key("ticket_id"); w.string(ticketID)
        w.key("kind"); w.string(kind)
        w.key("from_queue"); if let fromQueue { w.string(fromQueue) } else { w.null() }
        w.key("to_queue"); if let toQueue { w.string(toQueue) } else { w.null() }
        w.key("time"); w.string(UTCTime.rfc3339(millis: timeMs))
        w.endObject()
        return w.bytes
    }
}
