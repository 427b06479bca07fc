import CRdKafka

/// A topic to create, with its partition count.
public struct KafkaTopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic-level configuration, e.g. `cleanup.policy=compact`.
    public var config: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = -1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

/// Admin operations: create the project's topics when they are missing.
public final class KafkaAdmin {
    private let client: RDKafkaClient

    /// An admin client with the command's settings (its properties, security included).
    public init(settings: KafkaClientSettings, extra: [String: String] = [:]) throws(KafkaError) {
        client = try RDKafkaClient(kind: RD_KAFKA_PRODUCER, role: "admin", settings: settings,
                                   properties: settings.clientProperties(role: .producer, extra: extra), events: ClientEvents())
    }

    public convenience init(bootstrapServers: String, extra: [String: String] = [:]) throws(KafkaError) {
        try self.init(settings: KafkaClientSettings(bootstrapServers: bootstrapServers), extra: extra)
    }

    /// Errors librdkafka reported since the last call (e.g. why a broker cannot be reached).
    public func takeErrors() -> [KafkaError] {
        rd_kafka_poll(client.handle, 0)  // serves the error callback
        return client.takeErrors()
    }

    /// Topic names and partition counts known to the cluster.
    public func topics(timeoutMs: Int32 = 5_000) throws(KafkaError) -> [String: Int] {
        try client.topics(timeoutMs: timeoutMs)
    }

    /// Creates the topics that do not exist yet. Returns the names it created.
    public func createMissingTopics(_ specs: [KafkaTopicSpec], timeoutMs: Int32 = 10_000) throws(KafkaError) -> [String] {
        let existing = try topics(timeoutMs: timeoutMs)
        let missing = specs.filter { existing[$0.name] == nil }
        guard !missing.isEmpty else { return [] }
        try createTopics(missing, timeoutMs: timeoutMs)
        return missing.map(\.name)
    }

    /// Creates topics; one that already exists is not an error.
    public func createTopics(_ specs: [KafkaTopicSpec], timeoutMs: Int32 = 10_000) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for spec in specs {
            guard let topic = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError(code: .admin, message: "topic \(spec.name) with \(spec.partitions) partitions: \(String(cBuffer: errstr))")
            }
            for (key, value) in spec.config { _ = rd_kafka_NewTopic_set_config(topic, key, value) }
            newTopics.append(topic)
        }
        let what = "create topics \(specs.map(\.name))"
        let event = try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, what, timeoutMs: timeoutMs) { options, queue in
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let topics = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for i in 0..<count {
            let topicErr = rd_kafka_topic_result_error(topics[i])
            guard topicErr != RD_KAFKA_RESP_ERR_NO_ERROR, topicErr != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topics[i]))
            let text = rd_kafka_topic_result_error_string(topics[i]).map { String(cString: $0) } ?? ""
            throw KafkaError(code: .admin, rdKafkaCode: topicErr.rawValue, message: "create topic \(name): \(text)")
        }
    }
}

extension KafkaAdmin {
    /// Low and high watermark offsets of a partition, asked of the broker.
    public func watermarks(topic: String, partition: Int32, timeoutMs: Int32 = 5_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs)
    }

    /// For each partition, the earliest offset whose record timestamp is at or after
    /// `timestampMs` (ListOffsets by time, `rd_kafka_offsets_for_times`); `-1` (the end)
    /// when no record is that late. Throws when the cluster cannot answer (librdkafka 2.0.2's
    /// mock cluster does not look offsets up by time).
    public func offsets(for partitions: [KafkaTopicPartition], atOrAfter timestampMs: Int64,
                        timeoutMs: Int32 = 5_000) throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let query = partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: timestampMs) }
        var result: [KafkaTopicPartition: Int64] = [:]
        for item in try client.offsetsForTimes(query, timeoutMs: timeoutMs) { result[item.topicPartition] = item.offset }
        return result
    }
}

extension KafkaAdmin {
    /// Each topic's configuration as the cluster reports it (DescribeConfigs), defaults
    /// included. A topic the cluster reports an error for is left out of the result and
    /// listed in `errors`. Throws `.timeout` when the cluster does not answer in time
    /// (librdkafka 2.0.2's mock cluster never answers DescribeConfigs).
    public func describeTopicConfigs(_ topics: [String], timeoutMs: Int32 = 10_000) throws(KafkaError)
        -> (configs: [String: [String: String]], errors: [String: String])
    {
        guard !topics.isEmpty else { return ([:], [:]) }
        var resources: [OpaquePointer?] = topics.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
        defer { resources.forEach { rd_kafka_ConfigResource_destroy($0) } }
        let event = try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, "describe configs of \(topics.count) topics", timeoutMs: timeoutMs) { options, queue in
            resources.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConfigs(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        }
        defer { rd_kafka_event_destroy(event) }
        var configs: [String: [String: String]] = [:]
        var errors: [String: String] = [:]
        var count = 0
        guard let result = rd_kafka_event_DescribeConfigs_result(event),
              let described = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return ([:], [:]) }
        for i in 0..<count {
            guard let resource = described[i] else { continue }
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            let resourceErr = rd_kafka_ConfigResource_error(resource)
            guard resourceErr == RD_KAFKA_RESP_ERR_NO_ERROR else {
                errors[name] = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) }
                    ?? String(cString: rd_kafka_err2name(resourceErr))
                continue
            }
            var entryCount = 0
            var entries: [String: String] = [:]
            if let list = rd_kafka_ConfigResource_configs(resource, &entryCount) {
                for j in 0..<entryCount {
                    guard let entry = list[j], let key = rd_kafka_ConfigEntry_name(entry) else { continue }
                    entries[String(cString: key)] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) } ?? ""
                }
            }
            configs[name] = entries
        }
        return (configs, errors)
    }
}

extension KafkaAdmin {
    /// One admin request: `send` issues it with the options (request and operation timeout
    /// `timeoutMs`) on a queue of its own; returns its result event (destroy it), or throws
    /// `.timeout` when no answer comes and `.admin` when the request as a whole failed.
    private func request(_ op: rd_kafka_admin_op_t, _ what: String, timeoutMs: Int32,
                         _ send: (OpaquePointer?, OpaquePointer?) -> Void) throws(KafkaError) -> OpaquePointer {
        var errstr = [CChar](repeating: 0, count: 512)
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errstr, errstr.count)
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1_000) else {
            throw KafkaError(code: .timeout, message: "\(what): no answer within \(timeoutMs) ms", isRetriable: true)
        }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_event_destroy(event)
            throw KafkaError.rd(err, code: .admin, context: what)
        }
        return event
    }
}
