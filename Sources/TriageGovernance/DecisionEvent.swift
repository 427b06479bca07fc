import TriageCore

/// One decision, as read from an audit record on `triage.audit` (schema v1,
/// docs/AUDIT-SCHEMA.md). Only the fields the fairness statistics use are kept; unknown
/// fields (`prev_hash`, `hash`, …) are ignored.
public struct DecisionEvent: Sendable, Hashable {
    /// What the worker decided.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case automate, route, handoff
    }

    /// A promise made to the customer with the decision (`commitments` in the record).
    public struct Commitment: Sendable, Hashable {
        public var name: String
        public var template: String?
        /// `due_time` as milliseconds since the epoch, when present and valid.
        public var dueTimeMs: Int64?
        public init(name: String, template: String? = nil, dueTimeMs: Int64? = nil) {
            self.name = name
            self.template = template
            self.dueTimeMs = dueTimeMs
        }
    }

    public var decisionID: String
    /// `ticket_id`, when the record has one (the key `triage compare` joins two trails on).
    public var ticketID: String? = nil
    /// `decision_time`, milliseconds since the epoch. Windows are cut on this.
    public var decisionTimeMs: Int64
    /// `event_time` (the ticket's `created_at`), when present and valid.
    public var eventTimeMs: Int64?
    public var decision: Kind
    public var queue: String
    /// Reason codes, as strings (new codes pass through).
    public var reasons: [String]
    public var abstain: Bool
    public var confidence: Double
    /// Cohort attributes, e.g. `language` → `en`.
    public var cohort: [String: String]
    public var latencyMicros: Int
    public var modelVersion: String?
    public var policyVersion: String?
    /// The response template, when the record names one.
    public var template: String?
    public var commitments: [Commitment]

    public init(decisionID: String, decisionTimeMs: Int64, eventTimeMs: Int64? = nil, decision: Kind,
                queue: String = "", reasons: [String] = [], abstain: Bool = false, confidence: Double = 1,
                cohort: [String: String] = [:], latencyMicros: Int = 0, modelVersion: String? = nil,
                policyVersion: String? = nil, template: String? = nil, commitments: [Commitment] = [])
    {
        self.decisionID = decisionID
        self.decisionTimeMs = decisionTimeMs
        self.eventTimeMs = eventTimeMs
        self.decision = decision
        self.queue = queue
        self.reasons = reasons
        self.abstain = abstain
        self.confidence = confidence
        self.cohort = cohort
        self.latencyMicros = latencyMicros
        self.modelVersion = modelVersion
        self.policyVersion = policyVersion
        self.template = template
        self.commitments = commitments
    }

    /// Reads an audit record. Refuses a `schema_version` other than 1 or 2, and records without
    /// `decision_id`, a valid `decision_time` or a known `decision`.
    public init(json: JSONValue) throws(GovernanceInputError) {
        let r = try FieldReader(json)
        if let version = r.object["schema_version"], version != .int(1), version != .int(2) {
            throw GovernanceInputError(field: "schema_version", "unsupported version \(version.serializedString())")
        }
        decisionID = try r.string("decision_id")
        ticketID = r.optionalString("ticket_id")
        decisionTimeMs = try r.time("decision_time")
        eventTimeMs = r.optionalTime("event_time")
        let kind = try r.string("decision")
        guard let decision = Kind(rawValue: kind) else { throw GovernanceInputError(field: "decision", "unknown decision \"\(kind)\"") }
        self.decision = decision
        queue = r.optionalString("queue") ?? ""
        reasons = r.object["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? []
        abstain = r.object["abstain"]?.boolValue ?? false
        confidence = try r.double("confidence")
        cohort = r.stringMap("cohort")
        latencyMicros = r.object["latency_us"]?.intValue.map { Int($0) } ?? 0
        modelVersion = r.optionalString("model_version")
        policyVersion = r.optionalString("policy_version")
        template = r.optionalString("template")
        commitments = (r.object["commitments"]?.arrayValue ?? []).compactMap { element in
            guard let name = element["name"]?.stringValue else { return nil }
            return Commitment(name: name, template: element["template"]?.stringValue,
                              dueTimeMs: element["due_time"]?.stringValue.flatMap(FieldReader.millis))
        }
    }

    /// Parses one audit record's JSON bytes.
    public init(jsonBytes: [UInt8]) throws(GovernanceInputError) {
        try self.init(json: try FieldReader.parse(jsonBytes))
    }
}
