import Checksums
import Kafka
import TriageCore

/// A record for `triage.dlq`: the original bytes untouched as the value (whatever they
/// are), and why and where from in headers, so nothing is lost and it can be replayed.
///
/// A record too large to copy whole (its value, key and headers together over
/// `RecordLimits.maxDeadLetterBytes`) becomes a *bounded* dead letter instead, so the
/// dead-letter write itself can never be refused and stall the partition: reason
/// `too_large_to_copy` (the decoding reason in `triage.dlq.cause`), the first
/// `boundedPrefixBytes` of the value, the source position, each part's size and the
/// value's SHA-256, and the original key only if it is within the key limit.
enum DeadLetter {
    static let tooLargeToCopy = "too_large_to_copy"
    static let boundedPrefixBytes = 1_024

    static func record(for message: KafkaConsumerMessage, error: TicketDecodingError, topic: String, workerID: String, at time: String,
                       limits: RecordLimits) -> KafkaProducerMessage {
        let headerBytes = RecordLimits.headerBytes(message.headers)
        let copyBytes = message.value.count + (message.key?.count ?? 0) + headerBytes + 8 * message.headers.count
        let bounded = copyBytes > limits.maxDeadLetterBytes
        var headers = [
            KafkaHeader(key: "triage.dlq.reason", string: bounded ? tooLargeToCopy : error.reason.rawValue),
            KafkaHeader(key: "triage.dlq.message", string: error.message),
            KafkaHeader(key: "triage.source.topic", string: message.topic),
            KafkaHeader(key: "triage.source.partition", string: String(message.partition)),
            KafkaHeader(key: "triage.source.offset", string: String(message.offset)),
            KafkaHeader(key: "triage.worker", string: workerID),
            KafkaHeader(key: "triage.dlq.time", string: time),
        ]
        if let field = error.field { headers.append(KafkaHeader(key: "triage.dlq.field", string: field)) }
        guard bounded else {
            headers += message.headers.map { KafkaHeader(key: "original.\($0.key)", value: $0.value) }
            return KafkaProducerMessage(topic: topic, key: message.key, value: message.value, headers: headers, nullValue: message.isTombstone)
        }
        headers += [
            KafkaHeader(key: "triage.dlq.cause", string: error.reason.rawValue),
            KafkaHeader(key: "triage.source.value_bytes", string: String(message.value.count)),
            KafkaHeader(key: "triage.source.key_bytes", string: String(message.key?.count ?? 0)),
            KafkaHeader(key: "triage.source.header_bytes", string: String(headerBytes)),
            KafkaHeader(key: "triage.source.header_count", string: String(message.headers.count)),
            KafkaHeader(key: "triage.source.value_sha256", string: SHA256.hash(message.value).hexString),
            KafkaHeader(key: "triage.dlq.prefix_bytes", string: String(min(boundedPrefixBytes, message.value.count))),
        ]
        let key = message.key.flatMap { $0.count <= limits.maxKeyBytes ? $0 : nil }
        return KafkaProducerMessage(topic: topic, key: key, value: Array(message.value.prefix(boundedPrefixBytes)), headers: headers)
    }
}
