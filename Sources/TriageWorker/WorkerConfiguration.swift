import Kafka
import TriageAudit
import TriagePolicy
import TriageWire

/// Everything a worker needs to know, in one documented place.
public struct WorkerConfiguration: Sendable {
    /// The command's connection settings: every client the worker makes (group consumer,
    /// producer, admin, control-channel reader, contact-history reader) is built from them.
    public var kafka: KafkaClientSettings
    public var bootstrapServers: String {
        get { kafka.bootstrapServers }
        set { kafka.bootstrapServers = newValue }
    }
    /// Consumer group: every worker of one fleet uses the same id.
    public var groupID: String = "triage"
    /// This worker's name in logs, routed tickets and audit records.
    public var workerID: String
    public var topics = TriageTopics()
    public var policy: Policy = .demo
    public var pseudonymizer: Pseudonymizer = .development
    /// Answer with the policy's reply templates (and their actions). Off: every ticket goes
    /// to people (`route`/`handoff`), e.g. while the downstream systems that act are down.
    public var automation = true
    /// When set, each audit record carries a redacted excerpt of the ticket text (off by default).
    public var auditExcerpt: Redactor? = nil
    /// For the audit-cost benchmark ONLY (`triage audit-cost-bench`): when set, the worker
    /// alternates every this many tickets between writing audit records and not, starting
    /// with, and accounts each slice's CPU time in `WorkerStats.auditSlices` (see
    /// `AuditSlice`). Not reachable from `triage work`: every production decision is audited.
    @_spi(Benchmark) public var auditSliceTickets: Int? = nil
    /// How often the audit chains' acknowledged heads are written to `triage.audit.checkpoints`.
    public var checkpointIntervalMs: Int = 5_000
    /// How often the pipeline hands freed memory back to the system (`MemoryTrim`); 0: never.
    public var memoryTrimIntervalMs: Int = 10_000
    /// Records taken from Kafka per poll.
    public var maxBatch: Int = 500
    /// Pipelines in this process, each on a thread of its own with its own consumer (a member
    /// of the same group), producer, classifier and audit chains; partitions are shared out
    /// between them by the group, as between processes (like Kafka Streams'
    /// `num.stream.threads`).
    public var threads: Int = 1
    /// Tickets read but not yet fully acknowledged; above this the worker pauses fetching.
    public var maxInFlightTickets: Int = 20_000
    /// Size limits of a ticket record (value, key, headers) and of a whole dead-letter copy.
    public var recordLimits = RecordLimits()
    /// Larger tickets go to the dead-letter topic with `too_large`.
    public var maxTicketBytes: Int {
        get { recordLimits.maxValueBytes }
        set { recordLimits.maxValueBytes = newValue }
    }
    /// Deeper JSON goes to the dead-letter topic with `too_deep`.
    public var maxJSONDepth: Int = 16
    /// How long a graceful shutdown (or a revocation) waits for outstanding writes.
    public var shutdownTimeoutMs: Int = 30_000
    /// Application-level re-sends of a write whose delivery failed with a retriable error,
    /// after librdkafka's own retries; then the worker stops.
    public var maxDeliveryRetries: Int = 8
    public var retryBackoffMs: Int = 200
    /// librdkafka's `statistics.interval.ms` for the consumer and the producer (0: off): the
    /// source of the consumer-lag and producer-queue metrics.
    public var statisticsIntervalMs: Int = 0
    /// Exactly-once mode (`triage work --exactly-once`): each batch's writes and its consumed
    /// offsets commit together in one Kafka transaction, or not at all (`Transaction.swift`).
    /// Off: at-least-once (the default).
    public var exactlyOnce = false
    /// The transactional id is `<prefix>.<workerID>` (one producer per pipeline, KIP-447
    /// style). Nil: `triage.<groupID>`. Keep the worker id stable across restarts (a
    /// StatefulSet's pod name): a restarted worker then aborts its predecessor's open
    /// transaction at once instead of leaving it to the transaction timeout.
    public var transactionalIDPrefix: String? = nil
    /// How long the cluster lets one transaction stay open before it aborts it.
    public var transactionTimeoutMs: Int = 60_000
    /// The transactional id of this configuration's pipeline.
    public var transactionalID: String { "\(transactionalIDPrefix ?? "triage.\(groupID)").\(workerID)" }
    /// Passthrough mode (`triage work --passthrough`): copy every ticket record unchanged to
    /// this topic and commit, with no model, policy or audit (`Passthrough.swift`). Nil: the
    /// worker's pipeline.
    public var passthroughTopic: String? = nil
    /// Raw librdkafka properties for the group consumer only and the producer only, applied
    /// after `kafka.properties` (which every client gets).
    public var consumerProperties: [String: String] = [:]
    public var producerProperties: [String: String] = [:]

    /// The consumer properties that also apply to the worker's side readers (the control
    /// channel and the contact-history restore, which read outside the group): connection
    /// security and logging, not group or fetch settings.
    /// A consumer property in effect: the consumer's own, else the shared settings'.
    func consumerProperty(_ key: String) -> String? {
        consumerProperties[key] ?? kafka.properties[key]
    }

    var sideReaderProperties: [String: String] {
        consumerProperties.filter { key, _ in
            ["security.", "sasl.", "ssl.", "log", "client.rack", "broker.address.family"].contains { key.hasPrefix($0) }
        }
    }

    public init(kafka: KafkaClientSettings, workerID: String) {
        self.kafka = kafka
        self.workerID = workerID
    }

    public init(bootstrapServers: String, workerID: String) {
        self.init(kafka: KafkaClientSettings(bootstrapServers: bootstrapServers), workerID: workerID)
    }
}
