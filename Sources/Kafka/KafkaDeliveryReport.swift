/// What the broker said about one produced record: which record (by the caller's token)
/// and where it was written, or the error that made it fail.
public struct KafkaDeliveryReport: Sendable {
    /// The token the caller passed to `KafkaProducer.send(_:token:)`.
    public var token: UInt
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// `nil` when the record was written and acknowledged.
    public var error: KafkaError?

    public init(token: UInt, topic: String, partition: Int32, offset: Int64, error: KafkaError? = nil) {
        self.token = token
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
    }
}
