import Kafka
import TriagePolicy
import TriageWire
import TriageWorker

/// Compares the project's topics as the cluster has them with the plan
/// (`TriageTopics.specs`): `triage topics check`, `triage work --check` and the start of
/// `triage work`.
public struct TopicCheck: Sendable {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Severity: String, Sendable { case error, warning }
        /// What is wrong: `retention` problems keep `triage work` from starting.
        public enum Kind: String, Sendable { case missing, partitions, cleanup, retention, unchecked }
        public var severity: Severity
        public var kind: Kind
        public var topic: String
        public var problem: String
        public var description: String { "\(severity.rawValue): \(topic): \(problem)" }
    }

    public var topics: TriageTopics
    public var plan: [KafkaTopicSpec]
    /// The audit trail (and what the ledger rebuilds from) must be kept at least this long;
    /// nil: retention is not checked.
    public var minRetentionMs: Int64?

    public init(topics: TriageTopics, plan: [KafkaTopicSpec], minRetentionMs: Int64?) {
        self.topics = topics
        self.plan = plan
        self.minRetentionMs = minRetentionMs
    }

    /// Every problem of the observed topics. `configs` nil: the cluster did not say
    /// (`configError` tells why), so retention and cleanup are not checked and a warning says so.
    public func problems(partitions existing: [String: Int], configs: [String: [String: String]]?, configError: String? = nil) -> [Problem] {
        var problems: [Problem] = []
        func error(_ kind: Problem.Kind, _ topic: String, _ text: String) { problems.append(Problem(severity: .error, kind: kind, topic: topic, problem: text)) }
        func warn(_ kind: Problem.Kind, _ topic: String, _ text: String) { problems.append(Problem(severity: .warning, kind: kind, topic: topic, problem: text)) }
        for spec in plan {
            guard let count = existing[spec.name] else {
                error(.missing, spec.name, "missing (`triage topics create` creates it with \(spec.partitions) partitions)")
                continue
            }
            if spec.name == topics.leases, count != 1 {
                error(.partitions, spec.name, "has \(count) partitions; a lease topic needs exactly 1")
            } else if spec.name == topics.contacts, let tickets = existing[topics.tickets], count != tickets {
                error(.partitions, spec.name, "has \(count) partitions but \(topics.tickets) has \(tickets): a ticket partition's contact history must live in the partition of the same number")
            } else if count != spec.partitions, spec.name != topics.leases {
                warn(.partitions, spec.name, "has \(count) partitions; the plan says \(spec.partitions)")
            }
        }
        guard let configs else {
            let why = configError.map { ": \($0)" } ?? ""
            for name in topics.retained where existing[name] != nil {
                warn(.unchecked, name, "retention not checked: the cluster did not describe the topic's configuration\(why)")
            }
            return problems
        }
        for spec in plan {
            guard existing[spec.name] != nil else { continue }
            guard let config = configs[spec.name] else {
                warn(.unchecked, spec.name, "configuration not described by the cluster; not checked")
                continue
            }
            let cleanup = Set((config["cleanup.policy"] ?? "delete").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if spec.config["cleanup.policy"] == "compact", !cleanup.contains("compact") {
                error(.cleanup, spec.name, "cleanup.policy=\(config["cleanup.policy"] ?? "delete"), must include compact (the changelog keeps each customer's latest record)")
            }
            guard topics.retained.contains(spec.name) else { continue }
            if cleanup.contains("compact") {
                error(.retention, spec.name, "cleanup.policy=\(config["cleanup.policy"] ?? ""): compaction would delete records of the trail")
            }
            if cleanup.contains("delete"), let minimum = minRetentionMs {
                let retention = config["retention.ms"].flatMap(Int64.init) ?? 604_800_000
                if retention >= 0, minimum < 0 || retention < minimum {
                    error(.retention, spec.name, "retention.ms=\(retention) (\(Self.days(retention))) deletes the trail sooner than the minimum \(minimum < 0 ? "unlimited" : Self.days(minimum)); set retention.ms=-1 or at least \(minimum)")
                }
                if let bytes = config["retention.bytes"].flatMap(Int64.init), bytes >= 0 {
                    error(.retention, spec.name, "retention.bytes=\(bytes) deletes the oldest records of the trail by size; set retention.bytes=-1")
                }
            }
        }
        return problems
    }

    static func days(_ ms: Int64) -> String {
        let days = Double(ms) / 86_400_000
        return days >= 1 ? "\(Int(days.rounded(.down))) days" : "\(ms / 3_600_000) hours"
    }

    /// Reads the cluster's view and checks it. Metadata must answer within `timeoutMs`;
    /// configurations are asked for with `configTimeoutMs` and, unanswered, only warned about.
    public func run(admin: KafkaAdmin, timeoutMs: Int32 = 10_000, configTimeoutMs: Int32 = 5_000) throws(KafkaError) -> [Problem] {
        let existing = try admin.topics(timeoutMs: timeoutMs)
        let present = plan.map(\.name).filter { existing[$0] != nil }
        do {
            let described = try admin.describeTopicConfigs(present, timeoutMs: configTimeoutMs)
            var problems = self.problems(partitions: existing, configs: described.configs)
            for (topic, why) in described.errors.sorted(by: { $0.key < $1.key }) {
                problems.append(Problem(severity: .warning, kind: .unchecked, topic: topic, problem: "configuration not described: \(why)"))
            }
            return problems
        } catch {
            return self.problems(partitions: existing, configs: nil, configError: error.message)
        }
    }
}
