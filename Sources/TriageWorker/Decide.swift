import Kafka
import TriageAudit
import TriageCore
import TriagePolicy

/// Step 4, decide: the policy's decision in the context of what the worker knows about the
/// customer (recent contacts, automated answers) and about its templates (open circuit
/// breakers), with an id that is the same every time the same ticket is read from the same
/// place (so duplicates after a crash can be dropped downstream). It records the ticket in
/// the customer's history, which emit writes to the contacts changelog.
struct Decide {
    let policy: Policy
    var history: ContactHistory
    var pseudonyms: PseudonymCache

    /// A decision and everything emit needs beside it, built once per ticket: emit only reads it.
    struct Outcome {
        var decision: Decision
        var pseudonym: String
        /// The customer's history after this ticket (the changelog record).
        var history: ContactHistory.Customer
        /// For an automated reply: its id (`r-` + the decision id's digits, the same every time
        /// the ticket is read) and its commitments with due times and actions.
        var replyID: String?
        var commitments: [ResolvedCommitment]
    }

    init(policy: Policy, pseudonymizer: Pseudonymizer) {
        self.policy = policy
        self.history = ContactHistory(windowMillis: policy.repeatContact.windowMillis)
        self.pseudonyms = PseudonymCache(pseudonymizer)
    }

    /// Not inlined, so an instruction profile (benchmarks/instructions) can attribute its cost.
    @inline(never)
    mutating func callAsFunction(_ ticket: Ticket, _ classification: Classification, from message: KafkaConsumerMessage,
                                 nowMillis: Int64, disabledTemplates: Set<String>, automation: Bool) -> Outcome {
        let pseudonym = pseudonyms.pseudonym(ticket.customerID)
        let contactMillis = ticket.createdAtMillis ?? nowMillis
        let seen = history.lookup(partition: message.partition, customer: pseudonym, ticket: ticket, atMillis: contactMillis)
        let context = DecisionContext(
            recentContacts: seen.recentContacts, repliesToAutomatedAnswer: seen.repliesToAutomatedAnswer,
            disabledTemplates: disabledTemplates, nowMillis: nowMillis, automationAllowed: automation)
        let idHash = Self.decisionHash(ticket, message)
        let decision = policy.decide(ticket, classification: classification, context: context,
                                     decisionID: StableHash.hex(idHash, prefix: "d-"))
        let state = history.record(partition: message.partition, customer: pseudonym, ticket: ticket,
                                   atMillis: contactMillis, automated: decision.kind == .automate)
        return Outcome(decision: decision, pseudonym: pseudonym, history: state,
                       replyID: decision.reply == nil ? nil : StableHash.hex(idHash, prefix: "r-"), commitments: decision.resolvedCommitments())
    }

    /// "d-" and the FNV-1a hash of "topic|partition|offset|ticket id", fed piece by piece.
    static func decisionID(_ ticket: Ticket, _ message: KafkaConsumerMessage) -> String {
        StableHash.hex(decisionHash(ticket, message), prefix: "d-")
    }

    /// The hash behind a decision id and its reply id ("r-" and the same digits: the same ticket
    /// read again gets the same reply id).
    static func decisionHash(_ ticket: Ticket, _ message: KafkaConsumerMessage) -> UInt64 {
        var hash = StableHash.Hasher()
        hash.add(message.topic)
        hash.add(byte: UInt8(ascii: "|"))
        hash.add(decimal: Int64(message.partition))
        hash.add(byte: UInt8(ascii: "|"))
        hash.add(decimal: message.offset)
        hash.add(byte: UInt8(ascii: "|"))
        hash.add(ticket.id)
        return hash.value
    }
}
