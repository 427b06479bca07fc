import TriageCore

/// A message on `triage.replies`: the exact text an automated answer sends the customer, with
/// each thing it promises, when, and the action that keeps it. The worker writes it only after
/// those actions and the decision's audit record are acknowledged (say-to-do);
/// `triage ledger check` reads it. Keyed by customer id, with the `triage-decision-id` header.
public struct AutomatedReply: Sendable, Hashable {
    /// One promise the reply states.
    public struct Commitment: Sendable, Hashable {
        public var name: String
        /// RFC 3339 UTC.
        public var dueTime: String
        /// The action that keeps it (`triage.actions`); nil when none does.
        public var actionID: String?
        public var action: String?

        public init(name: String, dueTime: String, actionID: String?, action: String?) {
            self.name = name
            self.dueTime = dueTime
            self.actionID = actionID
            self.action = action
        }
    }

    /// `r-` + the decision id's digits.
    public var replyID: String
    public var decisionID: String
    public var ticketID: String
    public var customerID: String
    /// The ticket's thread, or the ticket itself when it has none.
    public var threadID: String
    public var inReplyTo: String
    public var template: String
    public var language: String
    /// With the automated-answer disclosure and the way to a person.
    public var text: String
    public var commitments: [Commitment]
    public var policyVersion: String
    /// RFC 3339 UTC.
    public var sentAt: String

    public init(replyID: String, decisionID: String, ticketID: String, customerID: String, threadID: String, inReplyTo: String,
                template: String, language: String, text: String, commitments: [Commitment], policyVersion: String, sentAt: String) {
        self.replyID = replyID
        self.decisionID = decisionID
        self.ticketID = ticketID
        self.customerID = customerID
        self.threadID = threadID
        self.inReplyTo = inReplyTo
        self.template = template
        self.language = language
        self.text = text
        self.commitments = commitments
        self.policyVersion = policyVersion
        self.sentAt = sentAt
    }

    /// Every reply says `"automated": true`: it is never mistaken for a person's.
    public func encoded() -> [UInt8] {
        Self.encode(replyID: replyID, decisionID: decisionID, ticketID: ticketID, customerID: customerID, threadID: threadID,
                    inReplyTo: inReplyTo, template: template, language: language, text: text, commitments: commitments,
                    policyVersion: policyVersion, sentAt: sentAt)
    }

    /// What `encoded()` writes for a reply of these fields, without making the reply first
    /// (the worker writes one per automated ticket: no copy of its fields to make and free).
    public static func encode(replyID: String, decisionID: String, ticketID: String, customerID: String, threadID: String, inReplyTo: String,
                              template: String, language: String, text: String, commitments: [Commitment], policyVersion: String,
                              sentAt: String) -> [UInt8] {
        // A fixed layout: literal keys and punctuation (`JSONFragmentWriter`), the bytes a
        // `JSONWriter` makes of it (WireBytesTests pins them).
        var w = JSONFragmentWriter(reservingCapacity: 1024)
        w.raw(#"{"reply_id":"#); w.string(replyID)
        w.raw(#","decision_id":"#); w.string(decisionID)
        w.raw(#","ticket_id":"#); w.string(ticketID)
        w.raw(#","customer_id":"#); w.string(customerID)
        w.raw(#","thread_id":"#); w.string(threadID)
        w.raw(#","in_reply_to":"#); w.string(inReplyTo)
        w.raw(#","automated":true,"template":"#); w.string(template)
        w.raw(#","language":"#); w.string(language)
        w.raw(#","text":"#); w.string(text)
        w.raw(#","commitments":["#)
        for (i, commitment) in commitments.enumerated() {
            w.raw(i == 0 ? #"{"name":"# : #",{"name":"#); w.string(commitment.name)
            w.raw(#","due_time":"#); w.string(commitment.dueTime)
            w.raw(#","action_id":"#); w.string(commitment.actionID)
            w.raw(#","action":"#); w.string(commitment.action)
            w.raw("}")
        }
        w.raw(#"],"policy_version":"#); w.string(policyVersion)
        w.raw(#","sent_at":"#); w.string(sentAt)
        w.raw("}")
        return w.finish()
    }

    /// Nil unless the record is a JSON object with a `decision_id`; other members may be
    /// missing (strings default to empty). A commitment without a name is named `?`.
    public init?(bytes: [UInt8], parser: JSONParser = JSONParser()) {
        guard let object = try? parser.parse(bytes).objectValue, let decisionID = object["decision_id"]?.stringValue else { return nil }
        func string(_ key: String) -> String { object[key]?.stringValue ?? "" }
        let commitments = (object["commitments"]?.arrayValue ?? []).map { c in
            Commitment(name: c["name"]?.stringValue ?? "?", dueTime: c["due_time"]?.stringValue ?? "",
                       actionID: c["action_id"]?.stringValue, action: c["action"]?.stringValue)
        }
        self.init(replyID: string("reply_id"), decisionID: decisionID, ticketID: string("ticket_id"), customerID: string("customer_id"),
                  threadID: string("thread_id"), inReplyTo: string("in_reply_to"), template: string("template"),
                  language: string("language"), text: string("text"), commitments: commitments,
                  policyVersion: string("policy_version"), sentAt: string("sent_at"))
    }
}
