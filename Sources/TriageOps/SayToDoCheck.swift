import Kafka
import TriageCore
import TriagePolicy
import TriageWire
import TriageWorker

/// Checks a run's say-to-do from the topics alone, independently of the ledger's own books:
/// - every commitment an automated reply on `triage.replies` states is backed by an action on
///   `triage.actions` for the same decision that fulfils it (no unbacked promise);
/// - every commitment not kept on time (no outcome on `triage.outcomes` at or before its due
///   time, as of `atMillis`) has a `promise_overdue` escalation on `queue.human`.
public struct SayToDoCheck {
    public struct Report: Sendable {
        public var replies = 0
        public var actions = 0
        public var commitmentsStated = 0
        /// Stated commitments with no action that keeps them (must be 0).
        public var unbacked: [String] = []
        public var keptOnTime = 0
        /// Due and not kept on time.
        public var overdue = 0
        public var escalated = 0
        /// Overdue commitments with no escalation (must be 0).
        public var notEscalated: [String] = []
        /// Not yet due.
        public var pending = 0
        public var isClean: Bool { unbacked.isEmpty && notEscalated.isEmpty }
    }

    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topics = TriageTopics()

    public init(bootstrapServers: String) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers))
    }

    public init(kafka: KafkaClientSettings) {
        self.kafka = kafka
    }

    public func run(atMillis: Int64, timeoutMs: Int = 120_000) throws -> Report {
        let reader = KafkaTopicReader(settings: kafka)
        let parser = JSONParser(maxBytes: 1 << 20, maxDepth: 32)
        var report = Report()

        // Actions: id → (decision, what it keeps).
        var actions: [String: (decision: String, fulfils: Set<String>)] = [:]
        try reader.readAll(topics: [topics.actions], timeoutMs: timeoutMs) { message in
            guard let action = ActionRequest(bytes: message.value, parser: parser) else { return }
            if actions[action.actionID] == nil { report.actions += 1 }
            actions[action.actionID] = (action.decisionID, Set(action.fulfils))
        }
        // Outcomes: earliest fulfilment per action.
        var done: [String: Int64] = [:]
        try reader.readAll(topics: [topics.outcomes], timeoutMs: timeoutMs) { message in
            guard let outcome = ActionOutcome(bytes: message.value, parser: parser), outcome.isDone, !outcome.actionID.isEmpty else { return }
            done[outcome.actionID] = min(done[outcome.actionID] ?? .max, outcome.atMillis)
        }
        // Escalations on queue.human.
        var escalations = Set<String>()
        try reader.readAll(topics: [topics.queue(ExpertQueue.humanQueueName)], timeoutMs: timeoutMs) { message in
            guard message.header(WireHeader.decision) == Escalation.decisionHeaderValue,
                  let escalation = Escalation(bytes: message.value, parser: parser) else { return }
            escalations.insert("\(escalation.decisionID)/\(escalation.commitment)")
        }
        // Replies: each stated commitment, once per decision.
        var seen = Set<String>()
        try reader.readAll(topics: [topics.replies], timeoutMs: timeoutMs) { message in
            guard let reply = AutomatedReply(bytes: message.value, parser: parser), seen.insert(reply.decisionID).inserted else { return }
            let decision = reply.decisionID
            report.replies += 1
            for c in reply.commitments {
                let name = c.name
                let key = "\(decision)/\(name)"
                report.commitmentsStated += 1
                guard let actionID = c.actionID, let action = actions[actionID],
                      action.decision == decision, action.fulfils.contains(name) else {
                    report.unbacked.append(key)
                    continue
                }
                guard let due = RFC3339Timestamp.milliseconds(c.dueTime) else { continue }
                if let at = done[actionID], at <= due {
                    report.keptOnTime += 1
                } else if due < atMillis {
                    report.overdue += 1
                    if escalations.contains(key) { report.escalated += 1 } else { report.notEscalated.append(key) }
                } else {
                    report.pending += 1
                }
            }
        }
        return report
    }
}

extension SayToDoCheck.Report {
    public func render() -> String {
        var lines = [
            "automated replies:    \(replies) (\(commitmentsStated) commitments stated, \(actions) actions)",
            "unbacked commitments: \(unbacked.count)",
            "kept on time:         \(keptOnTime)",
            "overdue:              \(overdue) (\(escalated) escalated to a person, \(notEscalated.count) not escalated)",
            "not yet due:          \(pending)",
        ]
        if !unbacked.isEmpty { lines.append("  first unbacked: \(unbacked.prefix(5).joined(separator: ", "))") }
        if !notEscalated.isEmpty { lines.append("  first not escalated: \(notEscalated.prefix(5).joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
