import CRdKafka

/// A producer over librdkafka: idempotent by default, with headers, bounded in-flight
/// records, and delivery reports surfaced to Swift.
///
/// Delivery reports are collected while the owner calls `poll` or `flush` and returned by
/// them, so all state stays on the owner's thread; use one producer from one thread.
public final class KafkaProducer {
    private let client: RDKafkaClient
    public let configuration: KafkaProducerConfiguration
    /// Topic handles by name, made once per topic: producing by handle spares librdkafka a
    /// lookup by name for every record.
    private var topics: [String: OpaquePointer] = [:]

    public init(configuration: KafkaProducerConfiguration) throws(KafkaError) {
        self.configuration = configuration
        client = try RDKafkaClient(kind: RD_KAFKA_PRODUCER, role: "producer", settings: configuration.settings,
                                   properties: configuration.properties, events: ClientEvents()) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let opaque else { return }
                let events = Unmanaged<ClientEvents>.fromOpaque(opaque).takeUnretainedValue()
                let m = message.pointee
                let error: KafkaError? = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil
                    : KafkaError.rd(m.err, code: .produce, context: "delivery failed")
                var topic = ""
                if let rkt = m.rkt {
                    if let known = events.topicNames[rkt] {
                        topic = known
                    } else {
                        topic = String(cString: rd_kafka_topic_name(rkt))
                        events.topicNames[rkt] = topic
                    }
                }
                events.deliveries.append(KafkaDeliveryReport(
                    token: UInt(bitPattern: m._private), topic: topic,
                    partition: m.partition, offset: m.offset, error: error))
            }
        }
    }

    /// Enqueues one record. Its delivery report carries `token`.
    ///
    /// When the local queue is full this serves delivery reports for up to
    /// `queueFullWaitMs` and tries again, then throws `.queueFull`.
    public func send(_ message: KafkaProducerMessage, token: UInt, queueFullWaitMs: Int = 5_000) throws(KafkaError) {
        var waited = 0
        while true {
            let error = enqueue(message, token: token)
            guard let error else { return }
            guard error.code == .queueFull, waited < queueFullWaitMs else { throw error }
            rd_kafka_poll(client.handle, 10)
            waited += 10
        }
    }

    deinit {
        for handle in topics.values { rd_kafka_topic_destroy(handle) }
    }

    private func topicHandle(_ name: String) -> OpaquePointer? {
        if let handle = topics[name] { return handle }
        guard let handle = rd_kafka_topic_new(client.handle, name, nil) else { return nil }
        topics[name] = handle
        return handle
    }

    private func enqueue(_ message: KafkaProducerMessage, token: UInt) -> KafkaError? {
        guard let topic = topicHandle(message.topic) else {
            return KafkaError(code: .produce, message: "produce to \(message.topic): cannot make a topic handle")
        }
        let headers: OpaquePointer? = message.headers.isEmpty ? nil : rd_kafka_headers_new(message.headers.count)
        for header in message.headers {
            if let value = header.value {
                value.withUnsafeBytes { _ = rd_kafka_header_add(headers, header.key, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
            }
        }
        let key = message.key ?? []
        let result: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
            message.value.withUnsafeBytes { value in
                key.withUnsafeBytes { keyBytes in
                    vus[0].vtype = RD_KAFKA_VTYPE_RKT
                    vus[0].u.rkt = topic
                    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    vus[1].u.i32 = message.partition ?? RD_KAFKA_PARTITION_UA
                    vus[2].vtype = RD_KAFKA_VTYPE_VALUE
                    // A null value (a tombstone) is a null pointer, not an empty buffer.
                    vus[2].u.mem.ptr = message.nullValue ? nil : UnsafeMutableRawPointer(mutating: value.baseAddress)
                    vus[2].u.mem.size = message.nullValue ? 0 : value.count
                    vus[3].vtype = RD_KAFKA_VTYPE_KEY
                    vus[3].u.mem.ptr = message.key == nil ? nil : UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                    vus[3].u.mem.size = message.key == nil ? 0 : keyBytes.count
                    vus[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    vus[4].u.i = RD_KAFKA_MSG_F_COPY
                    vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE
                    vus[5].u.ptr = UnsafeMutableRawPointer(bitPattern: token)
                    var count = 6
                    if let headers {
                        vus[count].vtype = RD_KAFKA_VTYPE_HEADERS
                        vus[count].u.headers = headers
                        count += 1
                    }
                    if let timestamp = message.timestampMs {
                        vus[count].vtype = RD_KAFKA_VTYPE_TIMESTAMP
                        vus[count].u.i64 = timestamp
                        count += 1
                    }
                    return rd_kafka_produceva(client.handle, vus.baseAddress, count)
                }
            }
        }
        guard let result else { return nil }  // success: librdkafka owns the headers now
        if let headers { rd_kafka_headers_destroy(headers) }
        return KafkaError.consuming(result, code: .produce, context: "produce to \(message.topic)")
    }

    // MARK: - Transactions

    /// Registers the transactional id with its coordinator, fencing any older producer with
    /// the same id and aborting its open transaction. Call once, before the first
    /// `beginTransaction`; a `.timeout` (retriable) may be retried.
    public func initTransactions(timeoutMs: Int32) throws(KafkaError) {
        try check(rd_kafka_init_transactions(client.handle, timeoutMs), "init transactions")
    }

    /// Opens a transaction: every record sent until `commitTransaction` or
    /// `abortTransaction` belongs to it.
    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(client.handle), "begin transaction")
    }

    /// Adds the consumer's next offsets to the open transaction: they are committed for the
    /// consumer's group if and only if the transaction commits. The consumer's group metadata
    /// (member id and generation, KIP-447) lets the group coordinator refuse a member that
    /// has been rebalanced away (a zombie): the call then fails with an error that requires
    /// abort.
    public func sendOffsetsToTransaction(_ offsets: [KafkaTopicPartitionOffset], consumer: KafkaConsumer, timeoutMs: Int32) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        guard let metadata = rd_kafka_consumer_group_metadata(consumer.client.handle) else {
            throw KafkaError(code: .transaction, message: "send offsets to transaction: the consumer has no group metadata (not a group member)")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        try offsets.withPartitionList { list throws(KafkaError) in
            try check(rd_kafka_send_offsets_to_transaction(client.handle, list, metadata, timeoutMs), "send offsets to transaction")
        }
    }

    /// Flushes the transaction's records and commits it. On a retriable error (`.timeout`)
    /// call it again; on one that `transactionRequiresAbort`, abort; a fatal one means this
    /// producer was fenced or broken and must be replaced.
    public func commitTransaction(timeoutMs: Int32) throws(KafkaError) {
        try check(rd_kafka_commit_transaction(client.handle, timeoutMs), "commit transaction")
    }

    /// Aborts the open transaction: its records are never visible to `read_committed`
    /// readers and its offsets are not committed. Records still queued are purged (their
    /// delivery reports carry `_PURGE_QUEUE`).
    public func abortTransaction(timeoutMs: Int32) throws(KafkaError) {
        try check(rd_kafka_abort_transaction(client.handle, timeoutMs), "abort transaction")
    }

    private func check(_ error: OpaquePointer?, _ context: String) throws(KafkaError) {
        guard let error else { return }
        throw KafkaError.consuming(error, code: .transaction, context: context)
    }

    /// Serves callbacks for up to `timeoutMs` and returns the delivery reports since the last call.
    public func poll(timeoutMs: Int32 = 0) -> [KafkaDeliveryReport] {
        rd_kafka_poll(client.handle, timeoutMs)
        return takeDeliveryReports()
    }

    /// Waits until every queued record is delivered or failed, or `timeoutMs` passes.
    /// Returns the delivery reports served meanwhile; `outstanding` tells what is left.
    public func flush(timeoutMs: Int32) -> [KafkaDeliveryReport] {
        _ = rd_kafka_flush(client.handle, timeoutMs)
        return takeDeliveryReports()
    }

    /// Records queued or in flight that have no delivery report yet.
    public var outstanding: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// The latest statistics librdkafka emitted since the last call (only with
    /// `statistics.interval.ms` > 0; served by `poll`, so on the polling thread).
    public func takeStatistics() -> KafkaStatistics? { client.takeStatistics() }

    /// Errors raised by librdkafka's error callback since the last call (e.g. brokers down).
    public func takeErrors() -> [KafkaError] { client.takeErrors() }

    /// A fatal error (e.g. the idempotent producer was fenced); the producer must be recreated.
    public func fatalError() -> KafkaError? { client.fatalError() }

    /// Topic names and partition counts known to the cluster.
    public func topics(timeoutMs: Int32 = 5_000) throws(KafkaError) -> [String: Int] {
        try client.topics(timeoutMs: timeoutMs)
    }

    private func takeDeliveryReports() -> [KafkaDeliveryReport] {
        defer { client.events.deliveries.removeAll(keepingCapacity: true) }
        return client.events.deliveries
    }
}
