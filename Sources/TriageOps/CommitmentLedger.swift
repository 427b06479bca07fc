import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire

/// The say-to-do ledger: every commitment an automated reply made, until it is kept (an
/// outcome on `triage.outcomes` for the action that keeps it) or overdue (escalated to a
/// person with `promise_overdue`). Per template it keeps the say-to-do ratio (kept on time ÷
/// resolved, over the last `window` resolutions) and opens the circuit breaker when the ratio
/// falls under the policy's floor. Pure and deterministic: time is passed in.
public struct CommitmentLedger {
    /// One promise, as the audit record of its decision states it.
    public struct Commitment: Sendable, Hashable {
        public var decisionID: String
        public var ticketID: String
        public var customer: String
        public var name: String
        public var action: String
        public var template: String
        public var madeMillis: Int64
        public var dueMillis: Int64
        public var cohort: [String: String]

        public var key: String { "\(decisionID)/\(name)" }

        public init(decisionID: String, ticketID: String, customer: String, name: String, action: String, template: String,
                    madeMillis: Int64, dueMillis: Int64, cohort: [String: String]) {
            self.decisionID = decisionID
            self.ticketID = ticketID
            self.customer = customer
            self.name = name
            self.action = action
            self.template = template
            self.madeMillis = madeMillis
            self.dueMillis = dueMillis
            self.cohort = cohort
        }
    }

    /// How a commitment ended.
    public struct Resolution: Sendable, Hashable {
        public var commitment: Commitment
        public var keptOnTime: Bool
        /// When the outcome arrived (nil: none yet, so it was escalated).
        public var fulfilledMillis: Int64?
        public var escalated: Bool
    }

    /// A template's recent record.
    public struct TemplateRecord: Sendable, Hashable {
        public var made = 0
        public var resolved = 0
        public var keptOnTime = 0
        /// Last `window` resolutions, true = kept on time.
        var recent: [Bool] = []
        public var recentKept: Int { recent.filter { $0 }.count }
        public var ratio: Double? { recent.isEmpty ? nil : Double(recentKept) / Double(recent.count) }
    }

    public let rule: SayToDoRule
    public let window: Int
    private var open: [String: Commitment] = [:]
    /// Open keys by decision and action, for outcomes.
    private var byAction: [String: [String]] = [:]
    /// Outcomes that arrived before their decision's audit record.
    private var early: [String: Int64] = [:]
    /// Keys already resolved (to ignore redelivered records and late outcomes).
    private var resolved: Set<String> = []
    public private(set) var templates: [String: TemplateRecord] = [:]
    public private(set) var tripped: Set<String> = []
    public private(set) var keptLate = 0

    public init(rule: SayToDoRule, window: Int = 200) {
        self.rule = rule
        self.window = max(window, rule.minCommitments)
    }

    public var openCount: Int { open.count }

    private static func actionKey(_ decisionID: String, _ action: String) -> String { "\(decisionID)#\(action)" }

    /// Commitments made by one decision. Ones already known are ignored (redelivery).
    public mutating func made(_ commitments: [Commitment]) -> [Resolution] {
        var resolutions: [Resolution] = []
        for commitment in commitments where open[commitment.key] == nil && !resolved.contains(commitment.key) {
            templates[commitment.template, default: TemplateRecord()].made += 1
            let actionKey = Self.actionKey(commitment.decisionID, commitment.action)
            if let at = early[actionKey] {
                resolutions.append(resolve(commitment, fulfilledAt: at))
            } else {
                open[commitment.key] = commitment
                byAction[actionKey, default: []].append(commitment.key)
            }
        }
        return resolutions
    }

    /// An outcome: `action` of `decisionID` was done at `atMillis`.
    public mutating func fulfilled(decisionID: String, action: String, atMillis: Int64) -> [Resolution] {
        let actionKey = Self.actionKey(decisionID, action)
        guard let keys = byAction.removeValue(forKey: actionKey) else {
            if early[actionKey] == nil { early[actionKey] = atMillis }
            return []
        }
        return keys.compactMap { key in
            guard let commitment = open.removeValue(forKey: key) else { return nil }
            return resolve(commitment, fulfilledAt: atMillis)
        }
    }

    /// Commitments past due at `nowMillis` with no outcome: escalated, not kept.
    public mutating func sweep(nowMillis: Int64) -> [Resolution] {
        let overdue = open.values.filter { $0.dueMillis < nowMillis }.sorted { ($0.dueMillis, $0.key) < ($1.dueMillis, $1.key) }
        return overdue.map { commitment in
            open[commitment.key] = nil
            let actionKey = Self.actionKey(commitment.decisionID, commitment.action)
            byAction[actionKey]?.removeAll { $0 == commitment.key }
            if byAction[actionKey]?.isEmpty == true { byAction[actionKey] = nil }
            return record(Resolution(commitment: commitment, keptOnTime: false, fulfilledMillis: nil, escalated: true))
        }
    }

    /// Templates whose breaker must open now: at least `minCommitments` recent resolutions and
    /// a ratio under the floor. Each is returned once until `reset`.
    public mutating func trips() -> [(template: String, kept: Int, resolved: Int)] {
        var out: [(String, Int, Int)] = []
        for (template, record) in templates.sorted(by: { $0.key < $1.key }) where !tripped.contains(template) {
            guard record.recent.count >= rule.minCommitments, let ratio = record.ratio, ratio < rule.floor else { continue }
            tripped.insert(template)
            out.append((template, record.recentKept, record.recent.count))
        }
        return out
    }

    /// The breaker is already open (read back from `triage.control` at start).
    public mutating func markTripped(_ template: String) {
        tripped.insert(template)
    }

    /// An operator closed the breaker: the template starts a fresh record.
    public mutating func reset(template: String) {
        tripped.remove(template)
        templates[template]?.recent = []
    }

    /// Marks a commitment resolved elsewhere (read back from `triage.commitments` at start).
    public mutating func alreadyResolved(_ key: String) {
        resolved.insert(key)
        if let commitment = open.removeValue(forKey: key) {
            byAction[Self.actionKey(commitment.decisionID, commitment.action)]?.removeAll { $0 == key }
        }
    }

    /// Kept on time, or kept late: a late outcome means the promise was overdue, and an
    /// overdue promise always goes to a person (even if the sweep has not run yet).
    private mutating func resolve(_ commitment: Commitment, fulfilledAt: Int64) -> Resolution {
        let onTime = fulfilledAt <= commitment.dueMillis
        if !onTime { keptLate += 1 }
        return record(Resolution(commitment: commitment, keptOnTime: onTime, fulfilledMillis: fulfilledAt, escalated: !onTime))
    }

    private mutating func record(_ resolution: Resolution) -> Resolution {
        resolved.insert(resolution.commitment.key)
        var template = templates[resolution.commitment.template, default: TemplateRecord()]
        template.resolved += 1
        if resolution.keptOnTime { template.keptOnTime += 1 }
        template.recent.append(resolution.keptOnTime)
        if template.recent.count > window { template.recent.removeFirst(template.recent.count - window) }
        templates[resolution.commitment.template] = template
        return resolution
    }
}

extension CommitmentLedger.Commitment {
    /// The commitments an audit record states (none for other decisions).
    public static func from(auditRecord r: JSONValue) -> [CommitmentLedger.Commitment] {
        guard r["decision"]?.stringValue == "automate", let decision = r["decision_id"]?.stringValue,
              let template = r["template"]?.stringValue,
              let made = r["decision_time"]?.stringValue.flatMap(RFC3339Timestamp.init) else { return [] }
        var cohort: [String: String] = [:]
        for (key, value) in r["cohort"]?.objectValue ?? [:] { cohort[key] = value.stringValue }
        return (r["commitments"]?.arrayValue ?? []).compactMap { c in
            guard let name = c["name"]?.stringValue, let action = c["action"]?.stringValue,
                  let due = c["due_time"]?.stringValue.flatMap(RFC3339Timestamp.init) else { return nil }
            return CommitmentLedger.Commitment(
                decisionID: decision, ticketID: r["ticket_id"]?.stringValue ?? "", customer: r["customer"]?.stringValue ?? "",
                name: name, action: action, template: template,
                madeMillis: made.millisecondsSince1970, dueMillis: due.millisecondsSince1970,
                cohort: cohort)
        }
    }
}

extension CommitmentLedger.Resolution {
    /// The record for `triage.commitments`: the shape `TriageGovernance.CommitmentResolution`
    /// reads, plus the commitment's name, action, ticket and escalation.
    public func encoded() -> [UInt8] {
        let c = commitment
        var w = JSONWriter(reservingCapacity: 384)
        w.beginObject()
        w.key("decision_id"); w.string(c.decisionID)
        w.key("ticket_id"); w.string(c.ticketID)
        w.key("commitment"); w.string(c.name)
        w.key("action"); w.string(c.action)
        w.key("template"); w.string(c.template)
        w.key("cohort")
        w.beginObject()
        for (key, value) in c.cohort.sorted(by: { $0.key < $1.key }) { w.key(key); w.string(value) }
        w.endObject()
        w.key("made_at"); w.string(UTCTime.rfc3339(millis: c.madeMillis))
        w.key("due_at"); w.string(UTCTime.rfc3339(millis: c.dueMillis))
        w.key("fulfilled_at"); if let f = fulfilledMillis { w.string(UTCTime.rfc3339(millis: f)) } else { w.null() }
        w.key("kept_on_time"); w.bool(keptOnTime)
        w.key("escalated"); w.bool(escalated)
        w.endObject()
        return w.bytes
    }

    /// The escalation for `queue.human`: a person must keep (or repair) the promise now.
    public func escalation(at nowMillis: Int64) -> [UInt8] {
        let c = commitment
        return Escalation(ticketID: c.ticketID, decisionID: c.decisionID, customer: c.customer, template: c.template,
                          commitment: c.name, action: c.action, dueMillis: c.dueMillis, escalatedMillis: nowMillis).encoded()
    }
}
