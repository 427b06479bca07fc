import Kafka
import TriagePolicy
import TriageWire
import TriageWorker

/// librdkafka's mock cluster with the project's topics created: for `triage dev-cluster`,
/// `triage demo` and tests. Development only; production points at a real Kafka.
public final class DevCluster: Sendable {
    public let cluster: MockCluster
    public let topics: [KafkaTopicSpec]

    public convenience init(brokers: Int = 3, partitions: Int = 12, policy: Policy = .demo, topics: TriageTopics = TriageTopics()) throws(KafkaError) {
        try self.init(brokers: brokers, partitions: partitions, policy: policy, topics: [topics])
    }

    /// A cluster with the whole set of topics of each of `topics` (one per topic prefix).
    public init(brokers: Int = 3, partitions: Int = 12, policy: Policy = .demo, topics: [TriageTopics]) throws(KafkaError) {
        guard partitions >= 1 else {
            throw KafkaError(code: .configuration, message: "--partitions must be at least 1, not \(partitions)")
        }
        cluster = try MockCluster(brokers: brokers)
        self.topics = topics.flatMap { $0.specs(for: policy, partitions: partitions) }
        for spec in self.topics {
            try cluster.createTopic(spec.name, partitions: spec.partitions, replicationFactor: min(3, brokers))
        }
    }

    public var bootstrapServers: String { cluster.bootstrapServers }
}
