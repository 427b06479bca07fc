/// One generated demo ticket: the Kafka message value plus what the generator knows about it.
public struct SampleTicket: Sendable {
    /// The ticket id (also present in the bytes, unless the message is too broken to hold one).
    public var id: String
    /// The message value to produce.
    public var bytes: [UInt8]
    /// The label the body was written for; `nil` for malformed tickets.
    public var expectedLabel: String?
    /// What ``TicketDecoder`` reports for this message; `nil` when it decodes.
    public var malformedReason: TicketDecodingError.Reason?
    /// The body explicitly asks for a human (the `prefers_human` field may or may not be set).
    public var asksForHuman: Bool
    /// The customer it is from: the Kafka key, so one customer's tickets stay in one partition.
    public var customerID: String?

    public init(
        id: String, bytes: [UInt8], expectedLabel: String?,
        malformedReason: TicketDecodingError.Reason?, asksForHuman: Bool, customerID: String? = nil
    ) {
        self.customerID = customerID
        self.id = id
        self.bytes = bytes
        self.expectedLabel = expectedLabel
        self.malformedReason = malformedReason
        self.asksForHuman = asksForHuman
    }
}
