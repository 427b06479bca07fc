import Kafka
import TriageAudit
import TriageWire
import TriageWorker

/// `triage audit verify`: reads `triage.audit` and `triage.audit.checkpoints` and checks every
/// hash chain (see `ChainVerifier`).
public struct AuditVerification {
    public struct Report: Sendable {
        public var recordsRead: Int
        public var checkpointsRead: Int
        public var findings: [ChainVerifier.Finding]
        public var chains: [ChainVerifier.ChainSummary]
        public var isIntact: Bool { findings.isEmpty }
    }

    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    public var topics: TriageTopics
    public var range: AuditRange

    public init(bootstrapServers: String, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange()) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), topics: topics, range: range)
    }

    public init(kafka: KafkaClientSettings, topics: TriageTopics = TriageTopics(), range: AuditRange = AuditRange()) {
        self.kafka = kafka
        self.topics = topics
        self.range = range
    }

    public func run(timeoutMs: Int = 120_000) throws -> Report {
        var verifier = ChainVerifier(rangeStartsMidTopic: range.from != nil, rangeEndsMidTopic: range.to != nil)
        var checkpoints = 0
        try KafkaTopicReader(settings: kafka).readAll(topics: [topics.audit, topics.auditCheckpoints], timeoutMs: timeoutMs) { message in
            if message.topic == topics.auditCheckpoints {
                if let checkpoint = ChainCheckpoint(bytes: message.value) {
                    verifier.add(checkpoint: checkpoint)
                    checkpoints += 1
                }
                return
            }
            guard range.contains(offset: message.offset, timestampMs: message.timestampMs) else { return }
            for record in AuditMessage.records(in: message.value) {
                verifier.add(partition: message.partition, offset: message.offset, bytes: record)
            }
        }
        return Report(recordsRead: verifier.recordsRead, checkpointsRead: checkpoints,
                      findings: verifier.findings(), chains: verifier.summaries())
    }
}
