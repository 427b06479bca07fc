import Kafka

/// Why a worker stopped with an error. No ticket is lost when it does: offsets of tickets
/// whose writes were not all acknowledged are never committed.
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var underlying: KafkaError?

    public init(_ message: String, underlying: KafkaError? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}
