import TriageCore
import TriageWire

/// What the worker remembers about each customer, for the repeat-contact and automation-loop
/// rules: when they wrote recently, and which of their tickets got an automated answer.
///
/// Kept per ticket partition (tickets are keyed by customer, so one customer's tickets stay in
/// one partition) and backed by the compacted changelog `triage.contacts`, keyed by customer
/// pseudonym and written to the same partition number as the ticket: a worker that is assigned
/// a partition restores that partition's customers from the changelog first, so the counts
/// survive restarts and rebalances. No raw customer ids are stored.
struct ContactHistory {
    /// One customer's recent history: the contacts changelog record (`TriageWire`).
    typealias Customer = ContactsRecord
    typealias Contact = ContactsRecord.Contact
    typealias AutomatedAnswer = ContactsRecord.AutomatedAnswer

    /// How far back contacts count (policy `repeat_contact.window`).
    let windowMillis: Int64
    /// Automated answers remembered per customer.
    let automatedLimit = 16
    /// Contacts remembered per customer (more than any sane repeat threshold).
    let contactLimit = 64
    private var partitions: [Int32: [String: Customer]] = [:]
    /// While a transaction is open (exactly-once mode): each customer's state before the
    /// transaction first changed it (nil inside: the customer was unknown), to put back if the
    /// transaction aborts. Nil: no transaction, nothing kept.
    private var undo: [UndoKey: Customer?]?

    private struct UndoKey: Hashable {
        var partition: Int32
        var customer: String
    }

    init(windowMillis: Int64) {
        self.windowMillis = windowMillis
    }

    /// The customer's state as it will be after this ticket, and what the rules need to know.
    /// Does not store anything: call `record` once the decision is made.
    func lookup(partition: Int32, customer: String, ticket: Ticket, atMillis now: Int64) -> (recentContacts: Int, repliesToAutomatedAnswer: Bool) {
        guard let state = partitions[partition]?[customer] else { return (1, false) }
        // A ticket read again (after a crash or rebalance) is not a new contact.
        var recent = 1
        for contact in state.contacts where contact.ticketID != ticket.id && contact.atMillis > now - windowMillis && contact.atMillis <= now {
            recent += 1
        }
        let loop = state.automated.contains { answer in
            (ticket.inReplyTo != nil && ticket.inReplyTo == answer.ticketID)
                || (ticket.threadID != nil && ticket.threadID == answer.threadID)
        }
        return (recent, loop)
    }

    /// Adds this ticket to the customer's history; returns the new state (for the changelog).
    mutating func record(partition: Int32, customer: String, ticket: Ticket, atMillis now: Int64, automated: Bool) -> Customer {
        if undo != nil {
            let key = UndoKey(partition: partition, customer: customer)
            if undo!.index(forKey: key) == nil { undo![key] = .some(partitions[partition]?[customer]) }
        }
        let (windowMillis, contactLimit, automatedLimit) = (windowMillis, contactLimit, automatedLimit)
        // Changed in place in the dictionary: no copy of the customer's arrays per ticket.
        return partitions[partition, default: [:]][customer, default: Customer()].update { state in
            if !state.contacts.contains(where: { $0.ticketID == ticket.id }) {
                state.contacts.append(Contact(ticketID: ticket.id, atMillis: now))
                // Oldest first: only a ticket older than the last one needs moving.
                if state.contacts.count > 1, state.contacts[state.contacts.count - 2].atMillis > now {
                    state.contacts.sort { $0.atMillis < $1.atMillis }
                }
            }
            if let first = state.contacts.first, first.atMillis <= now - windowMillis {
                state.contacts.removeAll { $0.atMillis <= now - windowMillis }
            }
            if state.contacts.count > contactLimit { state.contacts.removeFirst(state.contacts.count - contactLimit) }
            if automated, !state.automated.contains(where: { $0.ticketID == ticket.id }) {
                state.automated.append(AutomatedAnswer(ticketID: ticket.id, threadID: ticket.threadID ?? ticket.id, atMillis: now))
                if state.automated.count > automatedLimit { state.automated.removeFirst(state.automated.count - automatedLimit) }
            }
        }
    }

    // MARK: - Transactions (exactly-once mode)

    /// A transaction opens: from now on the state each customer had before it is kept.
    mutating func beginTransaction() {
        undo = [:]
    }

    /// The transaction committed: its changes stay.
    mutating func commitTransaction() {
        undo = nil
    }

    /// The transaction aborted: every customer it changed gets the state from before it back
    /// (its tickets are read again and recorded again).
    mutating func abortTransaction() {
        guard let changed = undo else { return }
        undo = nil
        for (key, state) in changed {
            partitions[key.partition, default: [:]][key.customer] = state
        }
    }

    /// Restores one changelog record (the last one per key wins).
    mutating func restore(partition: Int32, customer: String, state: Customer?) {
        partitions[partition, default: [:]][customer] = state
    }

    /// Forgets partitions this worker no longer owns.
    mutating func forget(_ gone: [Int32]) {
        for partition in gone { partitions[partition] = nil }
        if undo != nil { undo = undo!.filter { !gone.contains($0.key.partition) } }
    }

    func customers(in partition: Int32) -> Int { partitions[partition]?.count ?? 0 }
}

extension ContactHistory.Customer {
    /// Applies `change` in place and returns the new state.
    fileprivate mutating func update(_ change: (inout Self) -> Void) -> Self {
        change(&self)
        return self
    }
}
