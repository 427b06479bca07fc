import Kafka
import TriagePolicy

/// The project's topic names. Other tooling relies on them: keep them stable.
public struct TriageTopics: Sendable, Hashable {
    public var tickets = "tickets"
    public var audit = "triage.audit"
    /// Heads of the audit hash chains, written periodically by every worker.
    public var auditCheckpoints = "triage.audit.checkpoints"
    public var deadLetter = "triage.dlq"

    public init() {}

    /// Every topic a worker running `policy` reads or writes, with partition counts.
    public func specs(for policy: Policy, partitions: Int) -> [KafkaTopicSpec] {
        var names = [tickets, audit, auditCheckpoints, deadLetter]
        names += policy.queueNames.map { "queue.\($0)" }
        return names.map { KafkaTopicSpec(name: $0, partitions: partitions) }
    }
}
