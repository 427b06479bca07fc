import Kafka
import TriagePolicy

/// The project's topic names. Other tooling relies on them: keep them stable.
///
/// With a prefix (`--topic-prefix`, for clusters that grant access by topic prefix) every
/// name starts with it: `TriageTopics(prefix: "team-a.")` reads `team-a.tickets` and writes
/// `team-a.triage.audit` and `team-a.queue.<name>`.
public struct TriageTopics: Sendable, Hashable {
    /// Prepended to every name (empty: none).
    public private(set) var prefix = ""
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
    /// One partition: the single-instance services (ledger, monitor) hold it as a lease
    /// through consumer groups of their own (`ServiceLease`).
    public var leases = "triage.leases"

    public init() {}

    /// Every name with `prefix` in front.
    public init(prefix: String) {
        self.init()
        guard !prefix.isEmpty else { return }
        self.prefix = prefix
        let names: [WritableKeyPath<TriageTopics, String>] = [
            \.tickets, \.audit, \.auditCheckpoints, \.deadLetter, \.automated, \.replies, \.actions, \.outcomes,
            \.commitments, \.sayToDo, \.control, \.contacts, \.feedback, \.fairness, \.leases,
        ]
        for name in names { self[keyPath: name] = prefix + self[keyPath: name] }
    }

    /// A name the operator gave without the prefix (e.g. `--input`), with it.
    public func prefixed(_ name: String) -> String { prefix + name }

    /// The topic of a policy queue: `<prefix>queue.<name>`.
    public func queue(_ name: String) -> String { prefix + "queue." + name }

    /// The queue name of a queue topic (`<prefix>queue.<name>` → `name`), or nil.
    public func queueName(ofTopic topic: String) -> String? {
        let head = prefix + "queue."
        guard topic.hasPrefix(head) else { return nil }
        return String(topic.dropFirst(head.count))
    }

    /// Every topic the project's processes read or write, with partition counts and the
    /// topic configuration each one needs:
    /// - the audit trail, its checkpoints, the resolved commitments and the control channel
    ///   are kept for `retentionMs` (-1: for ever) and never deleted by size: the ledger
    ///   rebuilds its state from commitments and control at start, and a governance review
    ///   needs the whole trail;
    /// - the contacts changelog has as many partitions as the tickets topic (a ticket
    ///   partition's customers live in the same changelog partition) and is compacted;
    /// - the lease topic has one partition.
    public func specs(for policy: Policy, partitions: Int, retentionMs: Int64 = -1) -> [KafkaTopicSpec] {
        let kept = ["retention.ms": String(retentionMs), "retention.bytes": "-1", "cleanup.policy": "delete"]
        var specs = [tickets, deadLetter, automated, replies, actions, outcomes, sayToDo, feedback, fairness]
            .map { KafkaTopicSpec(name: $0, partitions: partitions) }
        specs += policy.queueNames.map { KafkaTopicSpec(name: queue($0), partitions: partitions) }
        specs += [audit, auditCheckpoints, commitments, control].map { KafkaTopicSpec(name: $0, partitions: partitions, config: kept) }
        specs.append(KafkaTopicSpec(name: contacts, partitions: partitions, config: ["cleanup.policy": "compact"]))
        specs.append(KafkaTopicSpec(name: leases, partitions: 1))
        return specs
    }

    /// The topics whose retention keeps the audit trail (checked by `triage topics check`
    /// and by `triage work` at start).
    public var retained: [String] { [audit, auditCheckpoints, commitments, control] }
}
