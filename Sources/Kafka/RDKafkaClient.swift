import CRdKafka
import Logging

/// What librdkafka's callbacks report, collected while the owning thread polls.
///
/// Callbacks run inside `rd_kafka_poll`/`rd_kafka_consumer_poll`/`rd_kafka_flush` on the
/// thread that calls them, so the clients that own one of these are used from one thread.
final class ClientEvents {
    var deliveries: [KafkaDeliveryReport] = []
    /// Topic names by topic handle, so a delivery report does not build a new string.
    var topicNames: [OpaquePointer: String] = [:]
    var errors: [KafkaError] = []
    var rebalance: ((KafkaRebalanceEvent) -> Void)?
    /// A group consumer got an assignment at least once (see `RDKafkaClient.leakOnDeinit`).
    var everAssigned = false
    /// The latest statistics JSON (`statistics.interval.ms`), not yet taken.
    var statistics: String?
}

/// The one place that owns an `rd_kafka_t` and turns properties into an `rd_kafka_conf_t`.
final class RDKafkaClient {
    let handle: OpaquePointer
    let events: ClientEvents

    /// `role` names the client in `ClientRecorder`'s log (consumer, group-consumer, producer, admin).
    /// `settings` is nil only for the handle that hosts a mock cluster (not a client of a command).
    init(kind: rd_kafka_type_t, role: String, settings: KafkaClientSettings?, properties: [(String, String)], events: ClientEvents,
         configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) {
        if let settings { ClientRecorder.record(role: role, settings: settings, properties: properties) }
        let settings = settings ?? KafkaClientSettings(bootstrapServers: "")
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .clientCreation, message: "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    code: .configuration,
                    message: "librdkafka refused \(key)=\(settings.printable(key, value)): \(String(cBuffer: errstr))")
            }
        }
        self.events = events
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(events).toOpaque())
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            guard let opaque else { return }
            let events = Unmanaged<ClientEvents>.fromOpaque(opaque).takeUnretainedValue()
            let text = reason.map { String(cString: $0) } ?? "unknown"
            events.errors.append(KafkaError.rd(rd_kafka_resp_err_t(rawValue: err), code: .other, context: text))
        }
        rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
            guard let json, let opaque else { return 0 }
            let events = Unmanaged<ClientEvents>.fromOpaque(opaque).takeUnretainedValue()
            events.statistics = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
            return 0  // librdkafka frees the buffer
        }
        // librdkafka's own log lines (otherwise `%4|…` lines on stderr) go to swift-log. The
        // callback runs on librdkafka's threads; swift-log handlers are thread-safe.
        rd_kafka_conf_set_log_cb(conf) { client, level, facility, message in
            KafkaLog.emit(level: level, facility: facility, message: message, client: client)
        }
        configure(conf)
        guard let handle = rd_kafka_new(kind, conf, &errstr, errstr.count) else {
            // rd_kafka_new destroys conf only on success.
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .clientCreation, message: "rd_kafka_new failed: \(String(cBuffer: errstr))")
        }
        self.handle = handle
    }

    /// Set for a cooperative-sticky consumer that never received an assignment: librdkafka
    /// 2.0.2 asserts in `rd_kafka_sticky_assignor_state_destroy` when such a handle is
    /// destroyed (librdkafka issue 4312, fixed in 2.3.0) and aborts the process. Such a
    /// handle is left to process exit instead: a small, bounded leak, once per consumer.
    var leakOnDeinit = false

    deinit {
        if !leakOnDeinit { rd_kafka_destroy(handle) }
    }

    /// The error librdkafka raised as fatal, if any; the client must then be recreated.
    func fatalError() -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &errstr, errstr.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: .fatal, rdKafkaCode: err.rawValue,
                          message: "fatal: \(String(cBuffer: errstr))", isFatal: true)
    }

    /// The statistics librdkafka emitted since the last call (the latest), parsed.
    func takeStatistics() -> KafkaStatistics? {
        guard let json = events.statistics else { return nil }
        events.statistics = nil
        return KafkaStatistics(json: json)
    }

    /// Errors reported by the error callback since the last call.
    func takeErrors() -> [KafkaError] {
        defer { events.errors.removeAll(keepingCapacity: true) }
        return events.errors
    }

    /// Low and high watermark offsets of a partition, asked of the broker.
    func watermarks(topic: String, partition: Int32, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rd(err, code: .consume, context: "watermarks of \(topic)[\(partition)]")
        }
        return (low, high)
    }

    /// For each partition (its `offset` holding a timestamp in ms since the epoch), the
    /// earliest offset whose timestamp is at or after it; `-1` (end) when there is none.
    func offsetsForTimes(_ query: [KafkaTopicPartitionOffset], timeoutMs: Int32) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        guard !query.isEmpty else { return [] }
        return try query.withPartitionList { list throws(KafkaError) in
            let err = rd_kafka_offsets_for_times(handle, list, timeoutMs)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rd(err, code: .consume, context: "offsets for times of \(query.count) partitions")
            }
            for i in 0..<Int(list.pointee.cnt) where list.pointee.elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let e = list.pointee.elems[i]
                throw KafkaError.rd(e.err, code: .consume, context: "offset for time of \(String(cString: e.topic))[\(e.partition)]")
            }
            return list.elements
        }
    }

    /// Topic names and partition counts known to the cluster.
    func topics(timeoutMs: Int32) throws(KafkaError) -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError.rd(err, code: .admin, context: "metadata request")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: Int] = [:]
        let md = metadata.pointee
        for i in 0..<Int(md.topic_cnt) {
            let topic = md.topics[i]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            result[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return result
    }
}

// MARK: - Logs

/// librdkafka's log callback, into swift-log (label `librdkafka`).
enum KafkaLog {
    /// Made at the first librdkafka log line, after the process bootstrapped its logging.
    static let logger = Logger(label: "librdkafka")

    static func emit(level: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?, client: OpaquePointer?) {
        let swiftLevel = Self.level(syslog: level)
        guard logger.logLevel <= swiftLevel else { return }
        var metadata: Logger.Metadata = ["facility": "\(facility.map { String(cString: $0) } ?? "")"]
        if let client, let name = rd_kafka_name(client) { metadata["client"] = "\(String(cString: name))" }
        logger.log(level: swiftLevel, "\(message.map { String(cString: $0) } ?? "")", metadata: metadata)
    }

    /// syslog(3) levels, as librdkafka uses them.
    static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}

// MARK: - Partition lists

extension Array where Element == KafkaTopicPartitionOffset {
    /// Calls `body` with a temporary `rd_kafka_topic_partition_list_t`.
    func withPartitionList<R>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> R) throws(KafkaError) -> R {
        let list = rd_kafka_topic_partition_list_new(Int32(count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for item in self {
            let entry = rd_kafka_topic_partition_list_add(list, item.topic, item.partition)!
            entry.pointee.offset = item.offset
        }
        return try body(list)
    }
}

extension UnsafeMutablePointer where Pointee == rd_kafka_topic_partition_list_t {
    var elements: [KafkaTopicPartitionOffset] {
        (0..<Int(pointee.cnt)).map { i in
            let e = pointee.elems[i]
            return KafkaTopicPartitionOffset(topic: String(cString: e.topic), partition: e.partition, offset: e.offset)
        }
    }
}

extension String {
    /// A string from a NUL-terminated error buffer that librdkafka filled in.
    init(cBuffer: [CChar]) {
        self = cBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
