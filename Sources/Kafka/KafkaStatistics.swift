import Foundation

/// The few figures Triage exports from librdkafka's statistics JSON
/// (`statistics.interval.ms`; the schema is librdkafka's STATISTICS.md).
///
/// Parsed here with Foundation's `JSONSerialization`: the Kafka module stays free of the
/// project's JSON (TriageCore), the statistics arrive every few seconds (not per record), and
/// the parsing sits next to the librdkafka schema it mirrors.
public struct KafkaStatistics: Sendable, Hashable {
    /// The client's name (`client.id` and a number), `name` in the JSON.
    public var clientName: String
    /// Messages in the producer's queues waiting for delivery (`msg_cnt`).
    public var queuedMessages: Int
    /// Their size in bytes (`msg_size`).
    public var queuedBytes: Int
    /// Consumer lag of each assigned partition (`topics.*.partitions.*.consumer_lag`), where
    /// librdkafka knows it; partitions it does not consume, and the internal `-1` partition,
    /// are left out.
    public var consumerLag: [KafkaTopicPartition: Int64]

    public init(clientName: String = "", queuedMessages: Int = 0, queuedBytes: Int = 0, consumerLag: [KafkaTopicPartition: Int64] = [:]) {
        self.clientName = clientName
        self.queuedMessages = queuedMessages
        self.queuedBytes = queuedBytes
        self.consumerLag = consumerLag
    }

    /// Nil when `json` is not a statistics object.
    public init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        clientName = object["name"] as? String ?? ""
        queuedMessages = Self.int(object["msg_cnt"]) ?? 0
        queuedBytes = Self.int(object["msg_size"]) ?? 0
        consumerLag = [:]
        for (topicName, topicValue) in object["topics"] as? [String: Any] ?? [:] {
            guard let partitions = (topicValue as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (key, value) in partitions {
                guard let partition = Int32(key), partition >= 0, let fields = value as? [String: Any],
                      let lag = Self.int(fields["consumer_lag"]).map(Int64.init), lag >= 0 else { continue }
                // librdkafka lists partitions it only knows from metadata too; lag is -1 there.
                consumerLag[KafkaTopicPartition(topic: topicName, partition: partition)] = lag
            }
        }
    }

    private static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber: number.intValue
        case let int as Int: int
        default: nil
        }
    }
}
