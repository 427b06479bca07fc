import Kafka
import TriageAudit
import TriageCore
import TriageWire
import TriageWorker
import TriageGovernance

/// Everything the governance report (and `triage audit monitor --once`) reads: the decisions
/// of `triage.audit`, the commitment resolutions of `triage.commitments` and the feedback of
/// `triage.feedback`, parsed. Records that do not parse are counted and skipped.
public struct GovernanceInput: Sendable {
    public var decisions: [DecisionEvent] = []
    public var resolutions: [CommitmentResolution] = []
    public var feedback: [FeedbackEvent] = []
    /// Records read, by topic (skipped and out-of-range ones included).
    public var read: [String: Int] = [:]
    /// Records that were not valid input for their topic (unparsable, wrong schema), by topic.
    public var skipped: [String: Int] = [:]
    /// The first reason a record of each topic was skipped, e.g. `decision_time: …`.
    public var firstSkipReason: [String: String] = [:]
    /// Audit records outside `--from`/`--to`, and resolutions due outside the decisions' windows.
    public var outOfRange = 0
    /// Input topics that do not exist on the cluster.
    public var missingTopics: [String] = []

    public init() {}

    public var skippedTotal: Int { skipped.values.reduce(0, +) }
    public var readTotal: Int { read.values.reduce(0, +) }

    mutating func skip(_ topic: String, _ reason: String) {
        skipped[topic, default: 0] += 1
        if firstSkipReason[topic] == nil { firstSkipReason[topic] = reason }
    }

    /// Parses one message of one of the input topics into the matching list (an audit
    /// message can hold several records, `AuditMessage`).
    mutating func ingest(topic: String, value: [UInt8], topics: TriageTopics) {
        if topic == topics.audit {
            for record in AuditMessage.records(in: value) { ingestRecord(topic: topic, value: record, topics: topics) }
        } else {
            ingestRecord(topic: topic, value: value, topics: topics)
        }
    }

    private mutating func ingestRecord(topic: String, value: [UInt8], topics: TriageTopics) {
        read[topic, default: 0] += 1
        do {
            switch topic {
            case topics.audit: decisions.append(try DecisionEvent(jsonBytes: value))
            case topics.commitments: resolutions.append(try CommitmentResolution(jsonBytes: value))
            case topics.feedback: feedback.append(try FeedbackEvent(jsonBytes: value))
            default: skip(topic, "not an input topic")
            }
        } catch {
            skip(topic, "\(error)")
        }
    }
}

/// Reads the governance inputs from their beginning to their current end, outside any consumer
/// group (nothing committed).
public struct GovernanceInputReader {
    public var kafka: KafkaClientSettings
    public var topics: TriageTopics
    /// Applies to `triage.audit` (offsets or Kafka timestamps). Resolutions are then kept when
    /// due within the windows of the decisions read; feedback is always read whole (it only
    /// counts for a decision read).
    public var range: AuditRange
    /// Window length used to bound the resolutions when a range is given.
    public var windowLengthMs: Int64

    public init(bootstrapServers: String, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange(),
                windowLengthMs: Int64 = 3_600_000) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topics: topics, range: range, windowLengthMs: windowLengthMs)
    }

    public init(kafka: KafkaClientSettings, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange(),
                windowLengthMs: Int64 = 3_600_000)
    {
        self.kafka = kafka
        self.topics = topics
        self.range = range
        self.windowLengthMs = max(1, windowLengthMs)
    }

    /// Reads the three topics; `progress` is called every 100,000 records with the count so far.
    public func read(timeoutMs: Int = 300_000, progress: (Int) -> Void = { _ in }) throws -> GovernanceInput {
        var input = GovernanceInput()
        let admin = try KafkaAdmin(settings: kafka)
        let known = try admin.topics()
        input.missingTopics = topics.governanceInputs.filter { known[$0] == nil }
        var count = 0
        try KafkaTopicReader(settings: kafka).readAll(topics: topics.governanceInputs, timeoutMs: timeoutMs) { message in
            count += 1
            if count % 100_000 == 0 { progress(count) }
            if message.topic == topics.audit, !range.contains(offset: message.offset, timestampMs: message.timestampMs) {
                input.read[message.topic, default: 0] += 1
                input.outOfRange += 1
                return
            }
            input.ingest(topic: message.topic, value: message.value, topics: topics)
        }
        if range.from != nil || range.to != nil {
            // Only the resolutions due within the windows of the decisions read.
            let times = input.decisions.map(\.decisionTimeMs)
            if let first = times.min(), let last = times.max() {
                let start = Self.floor(first, windowLengthMs), end = Self.floor(last, windowLengthMs) + windowLengthMs
                let before = input.resolutions.count
                input.resolutions.removeAll { $0.dueAtMs < start || $0.dueAtMs >= end }
                input.outOfRange += before - input.resolutions.count
            } else {
                input.outOfRange += input.resolutions.count
                input.resolutions = []
            }
        }
        return input
    }

    static func floor(_ t: Int64, _ length: Int64) -> Int64 {
        let q = t / length
        return (t % length < 0 ? q - 1 : q) * length
    }
}

extension TriageTopics {
    /// What `triage audit monitor` and `triage audit report` read, in reading order: decisions,
    /// commitment resolutions (from the ledger), and people's feedback.
    public var governanceInputs: [String] { [audit, commitments, feedback] }
}
