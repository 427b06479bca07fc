import TriageCore

/// The value of a contacts changelog record (`triage.contacts`, compacted, keyed by customer
/// pseudonym): one customer's recent tickets and automated answers, as the worker that owns
/// the customer's ticket partition remembers them. A worker assigned the partition restores
/// it from here, so repeat-contact counts survive restarts and rebalances.
///
/// ```json
/// {"contacts":[{"ticket":"T-1","at":1767225600000}],"automated":[{"ticket":"T-1","thread":"TH-1","at":1767225600000}]}
/// ```
public struct ContactsRecord: Sendable, Hashable {
    /// Recent tickets, oldest first.
    public var contacts: [Contact] = []
    /// Recent tickets answered automatically, oldest first.
    public var automated: [AutomatedAnswer] = []

    public struct Contact: Sendable, Hashable {
        public var ticketID: String
        /// Ms since 1970 (the ticket's `created_at`, else when it was decided).
        public var atMillis: Int64

        public init(ticketID: String, atMillis: Int64) {
            self.ticketID = ticketID
            self.atMillis = atMillis
        }
    }

    public struct AutomatedAnswer: Sendable, Hashable {
        public var ticketID: String
        public var threadID: String?
        public var atMillis: Int64

        public init(ticketID: String, threadID: String?, atMillis: Int64) {
            self.ticketID = ticketID
            self.threadID = threadID
            self.atMillis = atMillis
        }
    }

    public init(contacts: [Contact] = [], automated: [AutomatedAnswer] = []) {
        self.contacts = contacts
        self.automated = automated
    }

    /// The record's value.
    public func encoded() -> [UInt8] {
        // A fixed layout (a worker keeps at most 64 contacts and 16 answers; written once per
        // customer per batch): literal keys and punctuation, as `ContactsRecordTests` checks
        // against a JSON writer byte for byte.
        var w = JSONFragmentWriter(reservingCapacity: 32 + 48 * contacts.count + 80 * automated.count)
        w.raw(#"{"contacts":["#)
        for (index, contact) in contacts.enumerated() {
            w.raw(index == 0 ? #"{"ticket":"# : #",{"ticket":"#)
            w.string(contact.ticketID)
            w.raw(#","at":"#); w.int(contact.atMillis)
            w.raw("}")
        }
        w.raw(#"],"automated":["#)
        for (index, answer) in automated.enumerated() {
            w.raw(index == 0 ? #"{"ticket":"# : #",{"ticket":"#)
            w.string(answer.ticketID)
            w.raw(#","thread":"#); w.string(answer.threadID)
            w.raw(#","at":"#); w.int(answer.atMillis)
            w.raw("}")
        }
        w.raw("]}")
        return w.finish()
    }

    /// Parses a record's value; nil when it is not one. Entries without a ticket or a time
    /// are skipped; contacts come back oldest first whatever order the record had.
    public init?(bytes: [UInt8]) {
        guard let object = try? JSONParser().parse(bytes).objectValue else { return nil }
        contacts = (object["contacts"]?.arrayValue ?? []).compactMap { value in
            guard let ticket = value["ticket"]?.stringValue, let at = value["at"]?.intValue else { return nil }
            return Contact(ticketID: ticket, atMillis: at)
        }
        contacts.sort { $0.atMillis < $1.atMillis }
        automated = (object["automated"]?.arrayValue ?? []).compactMap { value in
            guard let ticket = value["ticket"]?.stringValue, let at = value["at"]?.intValue else { return nil }
            return AutomatedAnswer(ticketID: ticket, threadID: value["thread"]?.stringValue, atMillis: at)
        }
    }
}
