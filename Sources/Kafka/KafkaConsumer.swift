import CRdKafka

/// A consumer over librdkafka, in a consumer group or with a manual assignment.
///
/// - Group mode subscribes to topics with cooperative-sticky rebalancing (incremental
///   assign and unassign in the rebalance callback); the owner sees each change through
///   `onRebalance`, with revocations delivered before the partitions go.
/// - Offsets are stored only when the owner says a record is processed (`store`), and
///   committed from the stored offsets periodically and on `commit`/`close`.
///
/// Callbacks are served inside `poll` on the caller's thread: use one consumer from one thread.
public final class KafkaConsumer {
    let client: RDKafkaClient
    private var closed = false
    /// Subscribed in a group (not a manual assignment).
    private let isGroupMember: Bool

    /// Called inside `poll` when partitions are assigned, about to be revoked, or lost.
    public var onRebalance: ((KafkaRebalanceEvent) -> Void)? {
        get { client.events.rebalance }
        set { client.events.rebalance = newValue }
    }

    /// Creates a group member and subscribes to `configuration.topics`.
    public init(configuration: KafkaConsumerConfiguration) throws(KafkaError) {
        client = try Self.makeClient(role: "group-consumer", settings: configuration.settings, properties: configuration.properties)
        isGroupMember = true
        try configuration.topics.map { KafkaTopicPartitionOffset(topic: $0, partition: RD_KAFKA_PARTITION_UA, offset: 0) }
            .withPartitionList { list throws(KafkaError) in
                let err = rd_kafka_subscribe(client.handle, list)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rd(err, code: .consume, context: "subscribe to \(configuration.topics)")
                }
            }
    }

    /// Creates a consumer outside any group, reading the given partitions from the given
    /// offsets (readers, verifiers, report builders).
    ///
    /// It reads with `isolation.level=read_committed` (librdkafka's default, made explicit):
    /// records of aborted or still open transactions (an exactly-once worker's) are never
    /// returned. `-X isolation.level=read_uncommitted` overrides it.
    ///
    /// The settings' properties (security, tuning) apply; the few a reader relies on (no
    /// commits, a group id of its own) are applied after them and cannot be overridden.
    public init(settings: KafkaClientSettings, assignment: [KafkaTopicPartitionOffset], extra: [String: String] = [:]) throws(KafkaError) {
        let fixed: [(String, String)] = [
            ("group.id", "triage-reader"),  // required by librdkafka; never used to commit
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
        ]
        client = try Self.makeClient(role: "consumer", settings: settings,
                                     properties: settings.clientProperties(role: .consumer, defaults: [("isolation.level", "read_committed")],
                                                                           extra: extra, fixed: fixed))
        isGroupMember = false
        try assignment.withPartitionList { list throws(KafkaError) in
            let err = rd_kafka_assign(client.handle, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rd(err, code: .consume, context: "assign \(assignment.count) partitions")
            }
        }
    }

    /// Creates a consumer that joins no group and reads nothing, with `groupID` as its group
    /// id: it asks that group's coordinator for the group's committed offsets (`committed`)
    /// and the brokers for watermarks, e.g. to sample a group's lag from outside (load tests).
    public init(settings: KafkaClientSettings, observingGroup groupID: String) throws(KafkaError) {
        let fixed: [(String, String)] = [
            ("group.id", groupID),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
        ]
        client = try Self.makeClient(role: "group-observer", settings: settings,
                                     properties: settings.clientProperties(role: .consumer, fixed: fixed))
        isGroupMember = false
    }

    public convenience init(bootstrapServers: String, assignment: [KafkaTopicPartitionOffset], extra: [String: String] = [:]) throws(KafkaError) {
        try self.init(settings: KafkaClientSettings(bootstrapServers: bootstrapServers), assignment: assignment, extra: extra)
    }

    private static func makeClient(role: String, settings: KafkaClientSettings, properties: [(String, String)]) throws(KafkaError) -> RDKafkaClient {
        let client = try RDKafkaClient(kind: RD_KAFKA_CONSUMER, role: role, settings: settings, properties: properties, events: ClientEvents()) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let partitions, let opaque else { return }
                let events = Unmanaged<ClientEvents>.fromOpaque(opaque).takeUnretainedValue()
                KafkaConsumer.rebalance(rk: rk, err: err, partitions: partitions, events: events)
            }
        }
        rd_kafka_poll_set_consumer(client.handle)
        return client
    }

    private static func rebalance(
        rk: OpaquePointer, err: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, events: ClientEvents
    ) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let list = partitions.elements.map(\.topicPartition)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            events.everAssigned = true
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    events.errors.append(KafkaError.consuming(error, code: .consume, context: "incremental assign"))
                }
            } else {
                _ = rd_kafka_assign(rk, partitions)
            }
            events.rebalance?(.assigned(list))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            events.rebalance?(rd_kafka_assignment_lost(rk) != 0 ? .lost(list) : .revoked(list))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) {
                    events.errors.append(KafkaError.consuming(error, code: .consume, context: "incremental unassign"))
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            events.errors.append(KafkaError.rd(err, code: .consume, context: "rebalance"))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        }
    }

    deinit {
        if !closed { _ = rd_kafka_consumer_close(client.handle) }
        if isGroupMember && !client.events.everAssigned { client.leakOnDeinit = true }
    }

    // MARK: - Reading

    /// Returns up to `maxMessages` records, waiting up to `timeoutMs` for the first one.
    /// Serves rebalance and error callbacks meanwhile. Throws only on a fatal error.
    public func poll(maxMessages: Int, timeoutMs: Int32) throws(KafkaError) -> [KafkaConsumerMessage] {
        var batch: [KafkaConsumerMessage] = []
        batch.reserveCapacity(min(maxMessages, 1024))
        var wait = timeoutMs
        while batch.count < maxMessages {
            guard let message = rd_kafka_consumer_poll(client.handle, wait) else { break }
            wait = 0
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                let error = KafkaError.rd(m.err, code: .consume, context: "consume")
                if let fatal = client.fatalError() { throw fatal }
                client.events.errors.append(error)
                continue
            }
            batch.append(Self.copy(message))
        }
        if let fatal = client.fatalError() { throw fatal }
        return batch
    }

    private static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaConsumerMessage {
        let m = message.pointee
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePtr: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &valuePtr, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(KafkaHeader(
                    key: name.map { String(cString: $0) } ?? "",
                    value: valuePtr.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(message, &tsType)
        return KafkaConsumerMessage(
            topic: m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: m.partition, offset: m.offset, key: key, value: value, headers: headers,
            timestampMs: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts, isTombstone: m.payload == nil)
    }

    // MARK: - Offsets

    /// Stores offsets (each the *next* offset to consume) for the periodic and final commits.
    public func store(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try offsets.withPartitionList { list throws(KafkaError) in
            let err = rd_kafka_offsets_store(client.handle, list)
            // _STATE for a partition no longer assigned: its new owner will reprocess (at-least-once).
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__STATE else {
                throw KafkaError.rd(err, code: .consume, context: "store offsets \(offsets)")
            }
        }
    }

    /// Commits synchronously: the given offsets, or every stored offset when `nil`.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]? = nil) throws(KafkaError) {
        let err: rd_kafka_resp_err_t
        if let offsets {
            guard !offsets.isEmpty else { return }
            err = try offsets.withPartitionList { list in rd_kafka_commit(client.handle, list, 0) }
        } else {
            err = rd_kafka_commit(client.handle, nil, 0)
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.rd(err, code: .consume, context: "commit")
        }
    }

    /// Commits the given offsets without waiting for the answer (a failed commit is only
    /// logged by librdkafka; the next one carries the same or later offsets).
    public func commitAsync(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let err = try offsets.withPartitionList { list in rd_kafka_commit(client.handle, list, 1) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.rd(err, code: .consume, context: "commit (async)")
        }
    }

    /// Commits and waits at most `timeoutMs` for the answer: the given offsets, or every
    /// stored offset when `nil`. Unlike `commit(_:)`, this never blocks longer than asked
    /// (a cluster that went away would hold a synchronous commit for minutes); on time-out
    /// it throws a `.timedOut` error and the commit may still land later.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]? = nil, timeoutMs: Int32) throws(KafkaError) {
        if let offsets, offsets.isEmpty { return }
        guard let queue = rd_kafka_queue_new(client.handle) else {
            throw KafkaError(code: .consume, message: "commit: cannot create a result queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        let err: rd_kafka_resp_err_t
        if let offsets {
            err = try offsets.withPartitionList { list in rd_kafka_commit_queue(client.handle, list, queue, nil, nil) }
        } else {
            err = rd_kafka_commit_queue(client.handle, nil, queue, nil, nil)
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.rd(err, code: .consume, context: "commit")
        }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        while true {
            let left = deadline - ContinuousClock.now
            let leftMs = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard leftMs > 0, let event = rd_kafka_queue_poll(queue, leftMs) else {
                throw KafkaError(code: .timeout, message: "commit: no answer from the group coordinator within \(timeoutMs) ms", isRetriable: true)
            }
            defer { rd_kafka_event_destroy(event) }
            guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT else { continue }
            let result = rd_kafka_event_error(event)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR || result == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError.rd(result, code: .consume, context: "commit")
            }
            return
        }
    }

    /// Committed offsets of the group for these partitions (`-1001` when none).
    public func committed(_ partitions: [KafkaTopicPartition], timeoutMs: Int32 = 5_000) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        try partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: -1001) }
            .withPartitionList { list throws(KafkaError) in
                let err = rd_kafka_committed(client.handle, list, timeoutMs)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.rd(err, code: .consume, context: "committed offsets")
                }
                return list.elements
            }
    }

    // MARK: - Flow control and inspection

    /// Stops fetching from these partitions (back-pressure); `poll` keeps serving the group.
    public func pause(_ partitions: [KafkaTopicPartition]) {
        _ = try? partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: 0) }
            .withPartitionList { list in rd_kafka_pause_partitions(client.handle, list) }
    }

    /// Fetches again from paused partitions.
    public func resume(_ partitions: [KafkaTopicPartition]) {
        _ = try? partitions.map { KafkaTopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: 0) }
            .withPartitionList { list in rd_kafka_resume_partitions(client.handle, list) }
    }

    /// Moves the fetch position of assigned partitions back (or on) to the given offsets, so
    /// records fetched but not processed are fetched again. Errors per partition (one no
    /// longer assigned, say) are ignored: its next owner starts from the committed offset.
    public func seek(_ offsets: [KafkaTopicPartitionOffset], timeoutMs: Int32 = 2_000) {
        guard !offsets.isEmpty else { return }
        _ = try? offsets.withPartitionList { list in
            if let error = rd_kafka_seek_partitions(client.handle, list, timeoutMs) { rd_kafka_error_destroy(error) }
        }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return list.elements.map(\.topicPartition)
    }

    /// Low and high watermark offsets of a partition, asked of the broker.
    public func watermarks(topic: String, partition: Int32, timeoutMs: Int32 = 5_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs)
    }

    /// Topic names and partition counts known to the cluster.
    public func topics(timeoutMs: Int32 = 5_000) throws(KafkaError) -> [String: Int] {
        try client.topics(timeoutMs: timeoutMs)
    }

    /// The latest statistics librdkafka emitted since the last call (only with
    /// `statistics.interval.ms` > 0; served by `poll`, so on the polling thread).
    public func takeStatistics() -> KafkaStatistics? { client.takeStatistics() }

    /// Errors reported since the last call (transport problems, failed commits, …).
    public func takeErrors() -> [KafkaError] { client.takeErrors() }

    /// Leaves the group: the final revocation is delivered to `onRebalance` first, then the
    /// stored offsets are committed. Safe to call once; later calls do nothing.
    public func close() throws(KafkaError) {
        guard !closed else { return }
        closed = true
        let err = rd_kafka_consumer_close(client.handle)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rd(err, code: .consume, context: "close")
        }
    }
}
