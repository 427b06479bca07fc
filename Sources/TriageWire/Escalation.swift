import TriageAudit
import TriageCore
import TriagePolicy

/// An overdue promise handed to a person: the commitment ledger writes it to `queue.human`
/// with the `triage-decision: escalation` header (reason `promise_overdue`), keyed by
/// customer; `triage ledger check` reads it. A person must now keep, or repair, the promise.
/// Its `triage` object is what every record on a queue carries: a handoff, high priority.
public struct Escalation: Sendable, Hashable {
    /// The `triage-decision` header value that marks an escalation on `queue.human`.
    public static let decisionHeaderValue = "escalation"

    public var ticketID: String
    public var decisionID: String
    /// The customer's id (the record's key).
    public var customer: String
    public var template: String
    /// The commitment's name, as the reply stated it.
    public var commitment: String
    public var action: String
    public var dueMillis: Int64
    public var escalatedMillis: Int64

    public init(ticketID: String, decisionID: String, customer: String, template: String, commitment: String, action: String,
                dueMillis: Int64, escalatedMillis: Int64) {
        self.ticketID = ticketID
        self.decisionID = decisionID
        self.customer = customer
        self.template = template
        self.commitment = commitment
        self.action = action
        self.dueMillis = dueMillis
        self.escalatedMillis = escalatedMillis
    }

    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 512)
        w.beginObject()
        w.key("escalation"); w.string(ReasonCode.promiseOverdue.rawValue)
        w.key("ticket_id"); w.string(ticketID)
        w.key("decision_id"); w.string(decisionID)
        w.key("customer"); w.string(customer)
        w.key("template"); w.string(template)
        w.key("commitment"); w.string(commitment)
        w.key("action"); w.string(action)
        w.key("due_time"); w.string(UTCTime.rfc3339(millis: dueMillis))
        w.key("escalated_at"); w.string(UTCTime.rfc3339(millis: escalatedMillis))
        w.key("triage")
        w.beginObject()
        w.key("decision"); w.string(DecisionKind.handoff.rawValue)
        w.key("queue"); w.string(ExpertQueue.humanQueueName)
        w.key("priority"); w.string(Priority.high.rawValue)
        w.key("reason_codes"); w.beginArray(); w.string(ReasonCode.promiseOverdue.rawValue); w.endArray()
        w.endObject()
        w.endObject()
        return w.bytes
    }

    /// Nil unless the record is a JSON object with a `decision_id` and a `commitment`; other
    /// strings default to empty, unreadable times to 0.
    public init?(bytes: [UInt8], parser: JSONParser = JSONParser()) {
        guard let object = try? parser.parse(bytes).objectValue, let decisionID = object["decision_id"]?.stringValue,
              let commitment = object["commitment"]?.stringValue else { return nil }
        self.init(ticketID: object["ticket_id"]?.stringValue ?? "", decisionID: decisionID, customer: object["customer"]?.stringValue ?? "",
                  template: object["template"]?.stringValue ?? "", commitment: commitment, action: object["action"]?.stringValue ?? "",
                  dueMillis: RFC3339Timestamp.milliseconds(object["due_time"]?.stringValue) ?? 0,
                  escalatedMillis: RFC3339Timestamp.milliseconds(object["escalated_at"]?.stringValue) ?? 0)
    }
}
