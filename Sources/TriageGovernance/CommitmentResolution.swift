import TriageAudit
import TriageCore

/// Whether a commitment made with a decision was kept on time ("say-to-do").
///
/// JSON (see docs/FAIRNESS.md):
/// `{"decision_id":"d-…","template":"callback_24h","cohort":{"language":"en",…},
///   "made_at":"2026-11-22T10:00:00.000Z","due_at":"2026-11-23T10:00:00.000Z","kept_on_time":true}`
public struct CommitmentResolution: Sendable, Hashable {
    public var decisionID: String
    public var template: String
    public var cohort: [String: String]
    public var madeAtMs: Int64
    /// The monitor puts a resolution in the window that contains `due_at`.
    public var dueAtMs: Int64
    public var keptOnTime: Bool

    public init(decisionID: String, template: String, cohort: [String: String], madeAtMs: Int64, dueAtMs: Int64,
                keptOnTime: Bool)
    {
        self.decisionID = decisionID
        self.template = template
        self.cohort = cohort
        self.madeAtMs = madeAtMs
        self.dueAtMs = dueAtMs
        self.keptOnTime = keptOnTime
    }

    public init(json: JSONValue) throws(GovernanceInputError) {
        let r = try FieldReader(json)
        decisionID = try r.string("decision_id")
        template = try r.string("template")
        cohort = r.stringMap("cohort")
        madeAtMs = try r.time("made_at")
        dueAtMs = try r.time("due_at")
        keptOnTime = try r.bool("kept_on_time")
    }

    public init(jsonBytes: [UInt8]) throws(GovernanceInputError) {
        try self.init(json: try FieldReader.parse(jsonBytes))
    }

    /// The resolution as compact JSON, in the shape `init(json:)` reads.
    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.key("decision_id"); w.string(decisionID)
        w.key("template"); w.string(template)
        w.key("cohort"); w.beginObject()
        for (key, value) in cohort.sorted(by: { $0.key < $1.key }) { w.key(key); w.string(value) }
        w.endObject()
        w.key("made_at"); w.string(UTCTime.rfc3339(millis: madeAtMs))
        w.key("due_at"); w.string(UTCTime.rfc3339(millis: dueAtMs))
        w.key("kept_on_time"); w.bool(keptOnTime)
        w.endObject()
        return w.bytes
    }
}
