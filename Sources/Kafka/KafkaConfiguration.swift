/// Typed configuration for a consumer in a consumer group.
///
/// Defaults are the ones this project relies on: offsets are stored only after a record is
/// processed (`enable.auto.offset.store=false`) and committed from the stored offsets;
/// partitions are assigned with the cooperative-sticky protocol. `extra` is the escape
/// hatch for any raw librdkafka key.
public struct KafkaConsumerConfiguration: Sendable {
    /// The command's connection settings (cluster, security, raw properties for every client).
    public var settings: KafkaClientSettings
    public var bootstrapServers: String {
        get { settings.bootstrapServers }
        set { settings.bootstrapServers = newValue }
    }
    public var groupID: String
    public var topics: [String]
    public var clientID: String = "triage"
    public var sessionTimeoutMs: Int = Self.defaultSessionTimeoutMs
    /// How often a member heartbeats; it learns of a rebalance on the next heartbeat.
    public var heartbeatIntervalMs: Int = Self.defaultHeartbeatIntervalMs
    public static let defaultSessionTimeoutMs = 10_000
    public static let defaultHeartbeatIntervalMs = 1_000
    public var maxPollIntervalMs: Int = 300_000
    public var autoCommitIntervalMs: Int = 1_000
    /// Where a group with no committed offset starts: `earliest` or `latest`.
    public var autoOffsetReset: String = "earliest"
    public var assignmentStrategy: String = "cooperative-sticky"
    /// `read_committed` (librdkafka's default, made explicit): records of aborted or open
    /// transactions are skipped, so upstream transactional producers are safe to read.
    public var isolationLevel: String = "read_committed"
    /// Raw librdkafka properties for this consumer only, applied after `settings.properties`.
    public var extra: [String: String] = [:]

    public init(settings: KafkaClientSettings, groupID: String, topics: [String]) {
        self.settings = settings
        self.groupID = groupID
        self.topics = topics
    }

    public init(bootstrapServers: String, groupID: String, topics: [String]) {
        self.init(settings: KafkaClientSettings(bootstrapServers: bootstrapServers), groupID: groupID, topics: topics)
    }

    var properties: [(String, String)] {
        let p: [(String, String)] = [
            ("group.id", groupID),
            ("client.id", clientID),
            ("session.timeout.ms", String(sessionTimeoutMs)),
            ("heartbeat.interval.ms", String(heartbeatIntervalMs)),
            ("max.poll.interval.ms", String(maxPollIntervalMs)),
            ("enable.auto.commit", "true"),
            ("auto.commit.interval.ms", String(autoCommitIntervalMs)),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", autoOffsetReset),
            ("partition.assignment.strategy", assignmentStrategy),
            ("enable.partition.eof", "false"),
            ("isolation.level", isolationLevel),
        ]
        return settings.clientProperties(role: .consumer, defaults: p, extra: extra)
    }
}

/// Typed configuration for a producer. Idempotent by default, so a retried send is never
/// written twice and order per partition is kept.
public struct KafkaProducerConfiguration: Sendable {
    /// The command's connection settings (cluster, security, raw properties for every client).
    public var settings: KafkaClientSettings
    public var bootstrapServers: String {
        get { settings.bootstrapServers }
        set { settings.bootstrapServers = newValue }
    }
    public var clientID: String = "triage"
    public var idempotent: Bool = true
    /// At most this many records wait in the local queue (bounded in-flight).
    public var maxQueuedMessages: Int = 100_000
    public var lingerMs: Int = 5
    /// `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    public var compression: String = "lz4"
    /// How long librdkafka retries one record before reporting it as failed.
    public var messageTimeoutMs: Int = 120_000
    /// Set: a transactional producer (`transactional.id`; implies idempotence). Every record
    /// is then written inside a transaction (`KafkaProducer.beginTransaction`), and a newer
    /// producer with the same id fences this one.
    public var transactionalID: String? = nil
    /// How long the cluster lets a transaction stay open before aborting it (a producer that
    /// died mid-transaction blocks `read_committed` readers of its partitions that long,
    /// unless a successor with the same id starts first).
    public var transactionTimeoutMs: Int = 60_000
    /// Raw librdkafka properties for this producer only, applied after `settings.properties`.
    public var extra: [String: String] = [:]

    public init(settings: KafkaClientSettings) {
        self.settings = settings
    }

    public init(bootstrapServers: String) {
        self.init(settings: KafkaClientSettings(bootstrapServers: bootstrapServers))
    }

    var properties: [(String, String)] {
        var p: [(String, String)] = [
            ("client.id", clientID),
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("queue.buffering.max.messages", String(maxQueuedMessages)),
            ("linger.ms", String(lingerMs)),
            ("compression.type", compression),
            // librdkafka refuses a record timeout longer than the transaction timeout.
            ("message.timeout.ms", String(transactionalID == nil ? messageTimeoutMs : min(messageTimeoutMs, transactionTimeoutMs))),
        ]
        if idempotent || transactionalID != nil { p.append(("acks", "all")) }
        var fixed: [(String, String)] = []
        if let transactionalID {
            p.append(("transaction.timeout.ms", String(transactionTimeoutMs)))
            fixed.append(("transactional.id", transactionalID))
            fixed.append(("enable.idempotence", "true"))
        }
        return settings.clientProperties(role: .producer, defaults: p, extra: extra, fixed: fixed)
    }
}
