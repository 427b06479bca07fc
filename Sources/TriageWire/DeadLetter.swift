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
public enum DeadLetter {
    public static let tooLargeToCopy = "too_large_to_copy"
    public static let boundedPrefixBytes = 1_024

    public static func record(for message: KafkaConsumerMessage, error: TicketDecodingError, topic: String, workerID: String, at time: String,
                       limits: RecordLimits) -> KafkaProducerMessage {
        let headerBytes = RecordLimits.headerBytes(message.headers)
        let copyBytes = message.value.count + (message.key?.count ?? 0) + headerBytes + 8 * message.headers.count
        let bounded = copyBytes > limits.maxDeadLetterBytes
        var headers = [
            KafkaHeader(key: WireHeader.deadLetterReason, string: bounded ? tooLargeToCopy : error.reason.rawValue),
            KafkaHeader(key: WireHeader.deadLetterMessage, string: error.message),
            KafkaHeader(key: WireHeader.sourceTopic, string: message.topic),
            KafkaHeader(key: WireHeader.sourcePartition, string: String(message.partition)),
            KafkaHeader(key: WireHeader.sourceOffset, string: String(message.offset)),
            KafkaHeader(key: WireHeader.worker, string: workerID),
            KafkaHeader(key: WireHeader.deadLetterTime, string: time),
        ]
        if let field = error.field { headers.append(KafkaHeader(key: WireHeader.deadLetterField, string: field)) }
        guard bounded else {
            headers += message.headers.map { KafkaHeader(key: "original.\($0.key)", value: $0.value) }
            return KafkaProducerMessage(topic: topic, key: message.key, value: message.value, headers: headers, nullValue: message.isTombstone)
        }
        headers += [
            KafkaHeader(key: WireHeader.deadLetterCause, string: error.reason.rawValue),
            KafkaHeader(key: WireHeader.sourceValueBytes, string: String(message.value.count)),
            KafkaHeader(key: WireHeader.sourceKeyBytes, string: String(message.key?.count ?? 0)),
            KafkaHeader(key: WireHeader.sourceHeaderBytes, string: String(headerBytes)),
            KafkaHeader(key: WireHeader.sourceHeaderCount, string: String(message.headers.count)),
            KafkaHeader(key: WireHeader.sourceValueSHA256, string: SHA256.hash(message.value).hexString),
            KafkaHeader(key: WireHeader.deadLetterPrefixBytes, string: String(min(boundedPrefixBytes, message.value.count))),
        ]
        let key = message.key.flatMap { $0.count <= limits.maxKeyBytes ? $0 : nil }
        return KafkaProducerMessage(topic: topic, key: key, value: Array(message.value.prefix(boundedPrefixBytes)), headers: headers)
    }
}
