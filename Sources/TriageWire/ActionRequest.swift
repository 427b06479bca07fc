import TriageCore
import TriagePolicy

/// A message on `triage.actions`: one action that keeps promises of an automated reply, for
/// the systems that act. The worker writes it (before the reply, which waits for it); the
/// outcome simulator and `triage ledger check` read it. Keyed by customer id, with the
/// `triage-decision-id` and `triage-action-id` headers.
public struct ActionRequest: Sendable, Hashable {
    /// Stable per ticket and action name: the systems that act use it as an idempotency key.
    public var actionID: String
    /// The action's name in actions.yaml (`freeze_card`).
    public var name: String
    public var decisionID: String
    public var ticketID: String
    public var replyID: String
    public var template: String
    /// The reply's commitments this action keeps.
    public var fulfils: [String]
    /// The earliest due time of what it keeps, RFC 3339 UTC; nil when it keeps none.
    public var dueTime: String?
    public var parameters: [ActionParameter]
    /// When the worker asked for it, RFC 3339 UTC.
    public var requestedAt: String

    public init(actionID: String, name: String, decisionID: String, ticketID: String, replyID: String, template: String,
                fulfils: [String], dueTime: String?, parameters: [ActionParameter], requestedAt: String) {
        self.actionID = actionID
        self.name = name
        self.decisionID = decisionID
        self.ticketID = ticketID
        self.replyID = replyID
        self.template = template
        self.fulfils = fulfils
        self.dueTime = dueTime
        self.parameters = parameters
        self.requestedAt = requestedAt
    }

    public var requestedMillis: Int64? { RFC3339Timestamp.milliseconds(requestedAt) }
    public var dueMillis: Int64? { RFC3339Timestamp.milliseconds(dueTime) }

    public func encoded() -> [UInt8] {
        Self.encode(actionID: actionID, name: name, decisionID: decisionID, ticketID: ticketID, replyID: replyID, template: template,
                    fulfils: fulfils, dueTime: dueTime, parameters: parameters, requestedAt: requestedAt)
    }

    /// What `encoded()` writes for a request of these fields, without making the request
    /// first (the worker writes one per action: no copy of its ten fields to make and free).
    public static func encode(actionID: String, name: String, decisionID: String, ticketID: String, replyID: String, template: String,
                              fulfils: [String], dueTime: String?, parameters: [ActionParameter], requestedAt: String) -> [UInt8] {
        // A fixed layout: literal keys and punctuation (`JSONFragmentWriter`), the bytes a
        // `JSONWriter` makes of it (WireBytesTests pins them).
        var w = JSONFragmentWriter(reservingCapacity: 512)
        w.raw(#"{"action_id":"#); w.string(actionID)
        w.raw(#","name":"#); w.string(name)
        w.raw(#","decision_id":"#); w.string(decisionID)
        w.raw(#","ticket_id":"#); w.string(ticketID)
        w.raw(#","reply_id":"#); w.string(replyID)
        w.raw(#","template":"#); w.string(template)
        w.raw(#","fulfils":["#)
        for (i, commitment) in fulfils.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(commitment)
        }
        w.raw(#"],"due_time":"#); w.string(dueTime)
        w.raw(#","parameters":{"#)
        for (i, parameter) in parameters.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(parameter.name); w.raw(":"); w.string(parameter.value)
        }
        w.raw(#"},"requested_at":"#); w.string(requestedAt)
        w.raw("}")
        return w.finish()
    }

    /// Nil unless the record is a JSON object with an `action_id`; the other members may be
    /// missing (strings default to empty, `fulfils` and `parameters` to none, `due_time` to nil).
    /// Parameters whose value is not a string are left out.
    public init?(bytes: [UInt8], parser: JSONParser = JSONParser()) {
        guard let object = try? parser.parse(bytes).objectValue, let actionID = object["action_id"]?.stringValue else { return nil }
        var parameters: [ActionParameter] = []
        if let members = object["parameters"]?.objectValue {
            for (name, value) in members { if let value = value.stringValue { parameters.append(ActionParameter(name: name, value: value)) } }
        }
        self.init(actionID: actionID, name: object["name"]?.stringValue ?? "", decisionID: object["decision_id"]?.stringValue ?? "",
                  ticketID: object["ticket_id"]?.stringValue ?? "", replyID: object["reply_id"]?.stringValue ?? "",
                  template: object["template"]?.stringValue ?? "",
                  fulfils: (object["fulfils"]?.arrayValue ?? []).compactMap(\.stringValue),
                  dueTime: object["due_time"]?.stringValue, parameters: parameters,
                  requestedAt: object["requested_at"]?.stringValue ?? "")
    }
}
