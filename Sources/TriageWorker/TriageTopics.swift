import Kafka
import TriagePolicy

/// The project's topic names. Other tooling relies on them: keep them stable.
public struct TriageTopics: Sendable, Hashable {
    /// Input: one ticket per record, keyed by customer id.
    public var tickets = "tickets"
    /// One audit record per decision (docs/AUDIT-SCHEMA.md).
    public var audit = "triage.audit"
    /// Heads of the audit hash chains, written periodically by every worker.
    public var auditCheckpoints = "triage.audit.checkpoints"
    /// Malformed input with its reason.
    public var deadLetter = "triage.dlq"
    /// Tickets answered automatically, with their decision (the record of the automated path).
    public var automated = "triage.automated"
    /// Automated replies to send to customers; each one's commitments are backed by actions.
    public var replies = "triage.replies"
    /// Actions that keep the replies' commitments, for the systems that act.
    public var actions = "triage.actions"
    /// Fulfilment events from the systems that act: they close commitments in the ledger.
    public var outcomes = "triage.outcomes"
    /// Resolved commitments (kept on time or not), written by the ledger.
    public var commitments = "triage.commitments"
    /// Say-to-do ratios per template and per cohort, published periodically by the ledger.
    public var sayToDo = "triage.saytodo"
    /// Circuit-breaker trips and operator resets: the audited control channel.
    public var control = "triage.control"
    /// Compacted changelog of each customer's recent contacts (repeat-contact rule).
    public var contacts = "triage.contacts"
    /// People's feedback on decisions (re-queued tickets), for misroute rates.
    public var feedback = "triage.feedback"
    /// Per-cohort fairness windows from `triage audit monitor`.
    public var fairness = "triage.fairness"

    public init() {}

    /// Every topic the project's processes read or write, with partition counts. The contacts
    /// changelog has as many partitions as the tickets topic (a ticket partition's customers
    /// live in the same changelog partition) and is compacted.
    public func specs(for policy: Policy, partitions: Int) -> [KafkaTopicSpec] {
        var names = [tickets, audit, auditCheckpoints, deadLetter, automated, replies, actions, outcomes,
                     commitments, sayToDo, control, feedback, fairness]
        names += policy.queueNames.map { "queue.\($0)" }
        return names.map { KafkaTopicSpec(name: $0, partitions: partitions) }
            + [KafkaTopicSpec(name: contacts, partitions: partitions, config: ["cleanup.policy": "compact"])]
    }
}
