import Kafka
import TriageCore

/// The size limits a ticket record must keep, and how they relate to what Kafka accepts.
///
/// Every write a ticket causes carries at most its value, key and headers plus a few hundred
/// bytes, so with these limits far under the producer's `message.max.bytes` (librdkafka's
/// default 1,000,000; the broker's `message.max.bytes` must be at least that) no routed copy
/// can be refused for its size. A dead-letter copy carries the whole record: when that would
/// exceed `maxDeadLetterBytes`, the dead letter is a bounded record instead (`DeadLetter`).
public struct RecordLimits: Sendable, Hashable {
    /// Larger values are dead-lettered as `too_large`.
    public var maxValueBytes = 65_536
    /// Larger keys are dead-lettered as `too_large` (field `key`).
    public var maxKeyBytes = 4_096
    /// More header bytes (names and values, all headers together) are dead-lettered as
    /// `too_large` (field `headers`).
    public var maxHeaderBytes = 16_384
    /// The largest dead-letter record written whole; keep it under the producer's
    /// `message.max.bytes` with room for the dead-letter headers.
    public var maxDeadLetterBytes = 1_000_000 - 16_384

    public init() {}

    /// The first limit the record breaks, checked key, headers, value; nil when it keeps all.
    public func violation(_ message: KafkaConsumerMessage) -> TicketDecodingError? {
        if let key = message.key, key.count > maxKeyBytes {
            return TicketDecodingError(reason: .tooLarge, field: "key", message: "the record key is \(key.count) bytes; at most \(maxKeyBytes) are accepted")
        }
        let headerBytes = Self.headerBytes(message.headers)
        if headerBytes > maxHeaderBytes {
            return TicketDecodingError(reason: .tooLarge, field: "headers", message: "the record's headers are \(headerBytes) bytes; at most \(maxHeaderBytes) are accepted")
        }
        if message.value.count > maxValueBytes {
            return TicketDecodingError(reason: .tooLarge, message: "the ticket is \(message.value.count) bytes; at most \(maxValueBytes) are accepted")
        }
        return nil
    }

    /// Names and values of all headers together.
    public static func headerBytes(_ headers: [KafkaHeader]) -> Int {
        headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }
}
