import Kafka
import TriageCore

/// A record for `triage.dlq`: the original bytes untouched as the value (whatever they
/// are), and why and where from in headers, so nothing is lost and it can be replayed.
enum DeadLetter {
    static func record(for message: KafkaConsumerMessage, error: TicketDecodingError, topic: String, workerID: String, at time: String) -> KafkaProducerMessage {
        var headers = [
            KafkaHeader(key: "triage.dlq.reason", string: error.reason.rawValue),
            KafkaHeader(key: "triage.dlq.message", string: error.message),
            KafkaHeader(key: "triage.source.topic", string: message.topic),
            KafkaHeader(key: "triage.source.partition", string: String(message.partition)),
            KafkaHeader(key: "triage.source.offset", string: String(message.offset)),
            KafkaHeader(key: "triage.worker", string: workerID),
            KafkaHeader(key: "triage.dlq.time", string: time),
        ]
        if let field = error.field { headers.append(KafkaHeader(key: "triage.dlq.field", string: field)) }
        headers += message.headers.map { KafkaHeader(key: "original.\($0.key)", value: $0.value) }
        return KafkaProducerMessage(topic: topic, key: message.key, value: message.value, headers: headers)
    }
}
