import Kafka
import TriageAudit
import TriageCore
import TriagePolicy
import TriageWire
import TriageWorker

/// Checks a run end to end by reading the topics back: every well-formed input ticket
/// is routed and audited, every malformed one is dead-lettered, and nothing else appears.
/// Identity is the ticket id for well-formed input and the source position for the rest.
public struct RunReport: Sendable {
    public var inputRecords = 0
    public var wellFormedInputs = 0
    public var malformedInputs = 0
    public var routedRecords = 0
    public var routedUnique = 0
    public var auditRecords = 0
    public var auditUnique = 0
    public var deadLetterRecords = 0
    public var deadLetterUnique = 0
    /// Well-formed input ids with no routed ticket (lost!).
    public var missingRouted: [String] = []
    /// Well-formed input ids with no audit record.
    public var missingAudit: [String] = []
    /// Malformed input positions with no dead-letter record (lost!).
    public var missingDeadLetters: [String] = []
    /// Output ids that were never input.
    public var unexpected: [String] = []
    public var perQueue: [String: Int] = [:]
    public var perDecision: [String: Int] = [:]
    public var handoffReasons: [String: Int] = [:]
    public var deadLetterReasons: [String: Int] = [:]
    /// Placeholder classifier in use (from the audit records).
    public var placeholderDecisions = 0
    /// Overdue-promise escalations the ledger wrote to queues.
    public var escalations = 0
    /// The queue topics that were read (the policy's and every `queue.` topic found).
    public var queueTopics: [String] = []
    /// The model's label for each audited ticket id.
    public var auditedLabels: [String: String] = [:]

    public var lost: Int { missingRouted.count + missingDeadLetters.count }
    public var routedDuplicates: Int { routedRecords - routedUnique }
    public var auditDuplicates: Int { auditRecords - auditUnique }
    /// Nothing lost, everything audited, nothing unexpected.
    public var isComplete: Bool { lost == 0 && missingAudit.isEmpty && unexpected.isEmpty }
}

public struct Reconciliation {
    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topics: TriageTopics
    public var policy: Policy

    public init(bootstrapServers: String, topics: TriageTopics = TriageTopics(), policy: Policy = .demo) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topics: topics, policy: policy)
    }

    public init(kafka: KafkaClientSettings, topics: TriageTopics = TriageTopics(), policy: Policy = .demo) {
        self.kafka = kafka
        self.topics = topics
        self.policy = policy
    }

    /// The queue topics to read: the policy's, and every other `queue.` topic the cluster
    /// has (a run routed with another policy, or the ledger's escalations), so a ticket that
    /// sits in a queue the given policy does not name is found, not reported lost.
    public func queueTopics() throws -> [String] {
        let declared = policy.queueNames.map(topics.queue)
        let existing = try KafkaAdmin(settings: kafka).topics().keys.filter { topics.queueName(ofTopic: $0) != nil }
        return Array(Set(declared).union(existing)).sorted()
    }

    public func run(timeoutMs: Int = 120_000) throws -> RunReport {
        let reader = KafkaTopicReader(settings: kafka)
        let decoder = TicketDecoder()
        let limits = RecordLimits()
        var report = RunReport()
        var inputIDs = Set<String>()
        var malformedPositions = Set<String>()
        try reader.readAll(topics: [topics.tickets], timeoutMs: timeoutMs) { message in
            report.inputRecords += 1
            if limits.violation(message) == nil, let ticket = try? decoder.decode(message.value) {
                inputIDs.insert(ticket.id)
            } else {
                malformedPositions.insert("\(message.topic)/\(message.partition)/\(message.offset)")
            }
        }
        report.wellFormedInputs = inputIDs.count
        report.malformedInputs = malformedPositions.count

        var routedIDs = Set<String>()
        // Routed to a queue, or answered automatically (triage.automated). Escalations of
        // overdue promises by the ledger also land on queues; they are counted apart.
        report.queueTopics = try queueTopics()
        try reader.readAll(topics: report.queueTopics + [topics.automated], timeoutMs: timeoutMs) { message in
            if message.header(WireHeader.decision) == Escalation.decisionHeaderValue {
                report.escalations += 1
                return
            }
            report.routedRecords += 1
            let id = message.header(WireHeader.ticketID) ?? "?"
            if routedIDs.insert(id).inserted {
                let queue = message.topic == topics.automated ? "(automated)" : (topics.queueName(ofTopic: message.topic) ?? message.topic)
                report.perQueue[queue, default: 0] += 1
            }
        }
        report.routedUnique = routedIDs.count

        var auditIDs = Set<String>()
        let parser = JSONParser(maxBytes: 1 << 20, maxDepth: 32)
        try reader.readAll(topics: [topics.audit], timeoutMs: timeoutMs) { message in
            for bytes in AuditMessage.records(in: message.value) {
                report.auditRecords += 1
                guard let record = try? parser.parse(bytes) else { continue }
                let id = record["ticket_id"]?.stringValue ?? "?"
                guard auditIDs.insert(id).inserted else { continue }
                let decision = record["decision"]?.stringValue ?? "?"
                report.auditedLabels[id] = record["label"]?.stringValue
                report.perDecision[decision, default: 0] += 1
                if record["model_is_placeholder"]?.boolValue == true { report.placeholderDecisions += 1 }
                if decision == DecisionKind.handoff.rawValue {
                    for reason in record["reasons"]?.arrayValue ?? [] {
                        report.handoffReasons[reason.stringValue ?? "?", default: 0] += 1
                    }
                }
            }
        }
        report.auditUnique = auditIDs.count

        var deadLettered = Set<String>()
        try reader.readAll(topics: [topics.deadLetter], timeoutMs: timeoutMs) { message in
            report.deadLetterRecords += 1
            let position = "\(message.header(WireHeader.sourceTopic) ?? "?")/\(message.header(WireHeader.sourcePartition) ?? "?")/\(message.header(WireHeader.sourceOffset) ?? "?")"
            if deadLettered.insert(position).inserted {
                report.deadLetterReasons[message.header(WireHeader.deadLetterReason) ?? "?", default: 0] += 1
            }
        }
        report.deadLetterUnique = deadLettered.count

        report.missingRouted = inputIDs.subtracting(routedIDs).sorted()
        report.missingAudit = inputIDs.subtracting(auditIDs).sorted()
        report.missingDeadLetters = malformedPositions.subtracting(deadLettered).sorted()
        report.unexpected = routedIDs.union(auditIDs).subtracting(inputIDs).sorted()
        return report
    }
}

extension RunReport {
    /// A plain-text account of the check, for people.
    public func render() -> String {
        func table(_ counts: [String: Int]) -> String {
            counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "    \($0.key.padding(to: 24))\($0.value)" }.joined(separator: "\n")
        }
        var lines = [
            "input records:        \(inputRecords) (\(wellFormedInputs) well-formed ids, \(malformedInputs) malformed)",
            "routed records:       \(routedRecords) (\(routedUnique) unique ids, \(routedDuplicates) duplicates)",
            "audit records:        \(auditRecords) (\(auditUnique) unique ids, \(auditDuplicates) duplicates)",
            "queue topics read:    \(queueTopics.count) (\(queueTopics.joined(separator: ", ")))",
            "dead-letter records:  \(deadLetterRecords) (\(deadLetterUnique) unique source positions)",
            "lost:                 \(lost) (\(missingRouted.count) not routed, \(missingDeadLetters.count) malformed not dead-lettered)",
            "not audited:          \(missingAudit.count)",
            "unexpected ids:       \(unexpected.count)",
        ]
        if !missingRouted.isEmpty { lines.append("  first missing ids: \(missingRouted.prefix(10).joined(separator: ", "))") }
        if escalations > 0 { lines.append("escalations:          \(escalations) overdue promises handed to people") }
        lines.append("tickets per queue:\n" + table(perQueue))
        lines.append("decisions:\n" + table(perDecision))
        if !handoffReasons.isEmpty { lines.append("handoff reasons:\n" + table(handoffReasons)) }
        if !deadLetterReasons.isEmpty { lines.append("dead-letter reasons:\n" + table(deadLetterReasons)) }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

extension RunReport {
    /// The counts as one JSON object.
    public func jsonSummary() -> String {
        let object: JSONObject = [
            "input_records": .int(Int64(inputRecords)),
            "well_formed_inputs": .int(Int64(wellFormedInputs)),
            "malformed_inputs": .int(Int64(malformedInputs)),
            "routed_records": .int(Int64(routedRecords)),
            "routed_unique": .int(Int64(routedUnique)),
            "routed_duplicates": .int(Int64(routedDuplicates)),
            "audit_records": .int(Int64(auditRecords)),
            "audit_unique": .int(Int64(auditUnique)),
            "dead_letter_records": .int(Int64(deadLetterRecords)),
            "dead_letter_unique": .int(Int64(deadLetterUnique)),
            "lost": .int(Int64(lost)),
            "missing_audit": .int(Int64(missingAudit.count)),
            "unexpected": .int(Int64(unexpected.count)),
            "complete": .bool(isComplete),
        ]
        return JSONValue.object(object).serializedString()
    }
}
