import Kafka
import TriageCore
import TriageWire

/// Step 2, decode: a record's bytes become a `Ticket`, or the reason it cannot be one.
///
/// Sizes are checked before any parsing work: the key, then the headers, then the value
/// (the decoder's own first check). A record over a limit is dead-lettered as `too_large`
/// with the part named in `field` (`key`, `headers`; none for the value).
struct Decode {
    let decoder: TicketDecoder
    let limits: RecordLimits

    init(limits: RecordLimits, maxDepth: Int) {
        self.limits = limits
        decoder = TicketDecoder(maxBytes: limits.maxValueBytes, maxDepth: maxDepth)
    }

    /// Not inlined, so an instruction profile (benchmarks/instructions) can attribute its cost.
    @inline(never)
    func callAsFunction(_ message: KafkaConsumerMessage) -> Result<Ticket, TicketDecodingError> {
        if let error = limits.violation(message) { return .failure(error) }
        return Result { () throws(TicketDecodingError) -> Ticket in try decoder.decode(message.value) }
    }
}
