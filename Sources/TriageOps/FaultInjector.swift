import Kafka
import Synchronization

/// Applies `FaultCommand`s to a mock cluster, and remembers what `clear` must undo (the
/// mock has no call that lists the topic errors it holds).
public final class FaultInjector: Sendable {
    public let cluster: MockCluster
    private let topicsWithErrors = Mutex<Set<String>>([])

    public init(cluster: MockCluster) {
        self.cluster = cluster
    }

    /// Applies one command; a broker the cluster does not have, or anything the mock refuses,
    /// is an error naming it.
    public func apply(_ command: FaultCommand) throws(KafkaError) {
        switch command {
        case .brokerDown(let brokers):
            for id in try ids(brokers) { try cluster.setBrokerDown(id) }
        case .brokerUp(let brokers):
            for id in try ids(brokers) { try cluster.setBrokerUp(id) }
        case .rtt(let brokers, let ms):
            for id in try ids(brokers) { try cluster.setBrokerRTT(id, milliseconds: ms) }
        case .requestErrors(let api, let count, let error):
            cluster.pushRequestErrors(api, errors: Array(repeating: error, count: count))
        case .topicError(let topic, let error):
            cluster.setTopicError(topic, error: error)
            topicsWithErrors.withLock { topics in
                if error == 0 { topics.remove(topic) } else { topics.insert(topic) }
            }
        case .leader(let topic, let partition, let broker):
            _ = try ids(.one(broker))
            try cluster.setPartitionLeader(topic: topic, partition: partition, brokerID: broker)
        case .coordinator(let group, let broker):
            _ = try ids(.one(broker))
            try cluster.setGroupCoordinator(group: group, brokerID: broker)
        case .clear:
            for id in try ids(.all) {
                try cluster.setBrokerUp(id)
                try cluster.setBrokerRTT(id, milliseconds: 0)
            }
            for api in KafkaAPIKey.allCases { cluster.clearRequestErrors(api) }
            for topic in topicsWithErrors.withLock({ topics in defer { topics = [] }; return topics }) {
                cluster.setTopicError(topic, error: 0)
            }
        }
    }

    private func ids(_ brokers: FaultCommand.Brokers) throws(KafkaError) -> [Int32] {
        switch brokers {
        case .all:
            return (1...Int32(cluster.brokerCount)).map { $0 }
        case .one(let id):
            guard (1...cluster.brokerCount).contains(Int(id)) else {
                throw KafkaError(code: .mockCluster, message: "no broker \(id): the cluster has brokers 1...\(cluster.brokerCount)")
            }
            return [id]
        }
    }
}
