import TriageAudit
import TriageCore

/// A message on `triage.outcomes`: a system that acts says what became of one action of an
/// automated reply (`triage.actions`). The commitment ledger and `triage ledger check` read it;
/// `triage ledger simulate-outcomes` writes it when no real system does.
///
/// `status` is `done` unless the writer says otherwise, and only `done` keeps a commitment.
/// `at` is when it was done, RFC 3339 UTC.
public struct ActionOutcome: Sendable, Hashable {
    public var actionID: String
    public var decisionID: String
    public var ticketID: String
    /// The action's name (`triage.actions`' `name`).
    public var action: String
    public var status: String
    public var atMillis: Int64
    /// Written by the outcome simulator, not by a system that acts.
    public var simulated: Bool

    public init(actionID: String, decisionID: String, ticketID: String, action: String, status: String = "done",
                atMillis: Int64, simulated: Bool = false) {
        self.actionID = actionID
        self.decisionID = decisionID
        self.ticketID = ticketID
        self.action = action
        self.status = status
        self.atMillis = atMillis
        self.simulated = simulated
    }

    /// True when the action was carried out (the only status that keeps a commitment).
    public var isDone: Bool { status == "done" }

    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.key("action_id"); w.string(actionID)
        w.key("decision_id"); w.string(decisionID)
        w.key("ticket_id"); w.string(ticketID)
        w.key("action"); w.string(action)
        w.key("status"); w.string(status)
        w.key("at"); w.string(UTCTime.rfc3339(millis: atMillis))
        if simulated { w.key("simulated"); w.bool(true) }
        w.endObject()
        return w.bytes
    }

    /// Nil unless the record is a JSON object with an RFC 3339 `at`. The other members may be
    /// missing: strings default to empty, `status` to `done`. Each reader says which ids it
    /// needs (`triage ledger check` the action id; the ledger the decision id and action name).
    public init?(bytes: [UInt8], parser: JSONParser = JSONParser()) {
        guard let object = try? parser.parse(bytes).objectValue,
              let at = RFC3339Timestamp.milliseconds(object["at"]?.stringValue) else { return nil }
        self.init(actionID: object["action_id"]?.stringValue ?? "", decisionID: object["decision_id"]?.stringValue ?? "",
                  ticketID: object["ticket_id"]?.stringValue ?? "", action: object["action"]?.stringValue ?? "",
                  status: object["status"]?.stringValue ?? "done", atMillis: at,
                  simulated: object["simulated"]?.boolValue ?? false)
    }
}
