import CRdKafka

/// Kafka protocol API keys the mock cluster serves, for fault injection.
public enum KafkaAPIKey: Int16, Sendable, CaseIterable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3
    case offsetCommit = 8, offsetFetch = 9, findCoordinator = 10
    case joinGroup = 11, heartbeat = 12, leaveGroup = 13, syncGroup = 14
    case apiVersions = 18, initProducerID = 22
    case addPartitionsToTxn = 24, addOffsetsToTxn = 25, endTxn = 26, txnOffsetCommit = 28
}

/// librdkafka's mock cluster (`rdkafka_mock.h`): Kafka brokers on loopback, inside this
/// process, that any client (here or in another process) reaches through
/// `bootstrapServers`. For development, tests and the demo; never for production.
///
/// The mock's calls hand their work to the cluster's own thread, so this type may be
/// shared across threads.
public final class MockCluster: @unchecked Sendable {
    private let client: RDKafkaClient
    private let cluster: OpaquePointer
    public let brokerCount: Int

    /// Starts `brokers` mock brokers on loopback ports.
    public init(brokers: Int = 3) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(code: .mockCluster, message: "a mock cluster needs at least 1 broker, not \(brokers)")
        }
        // The mock cluster hangs off a client handle; a producer handle that never produces.
        client = try RDKafkaClient(kind: RD_KAFKA_PRODUCER, role: "mock-cluster", settings: nil, properties: [("log_level", "3")], events: ClientEvents())
        guard let cluster = rd_kafka_mock_cluster_new(client.handle, Int32(brokers)) else {
            throw KafkaError(code: .mockCluster, message: "rd_kafka_mock_cluster_new(\(brokers)) failed")
        }
        self.cluster = cluster
        self.brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Comma-separated `host:port` list of the mock brokers.
    public var bootstrapServers: String {
        String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    /// Creates a topic (the mock does not serve CreateTopics requests from clients).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
        try check(err, "create topic \(name) with \(partitions) partitions")
    }

    // MARK: - Fault injection

    /// Takes a broker down: its connections close and it refuses new ones.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, brokerID), "broker \(brokerID) down")
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, brokerID), "broker \(brokerID) up")
    }

    /// Adds a round-trip delay to every request a broker serves.
    public func setBrokerRTT(_ brokerID: Int32, milliseconds: Int) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_rtt(cluster, brokerID, Int32(milliseconds)), "broker \(brokerID) rtt")
    }

    /// Makes the next requests of this API fail with these librdkafka error codes, in order.
    public func pushRequestErrors(_ api: KafkaAPIKey, errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, codes.count, &codes)
    }

    /// Drops the request errors still pushed for this API (cluster-wide ones).
    public func clearRequestErrors(_ api: KafkaAPIKey) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }

    /// Makes requests for a topic fail with this error (0 clears it).
    public func setTopicError(_ topic: String, error: Int32) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error))
    }

    /// Moves a partition's leadership to another broker.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID), "leader of \(topic)[\(partition)]")
    }

    /// Makes a broker the group coordinator for a group.
    public func setGroupCoordinator(group: String, brokerID: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_coordinator_set(cluster, "group", group, brokerID), "coordinator of \(group)")
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rd(err, code: .mockCluster, context: what)
        }
    }
}
