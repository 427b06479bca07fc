import Kafka
import TriageCore

/// Step 2, decode: a record's bytes become a `Ticket`, or the reason it cannot be one.
struct Decode {
    let decoder: TicketDecoder

    init(maxBytes: Int, maxDepth: Int) {
        decoder = TicketDecoder(maxBytes: maxBytes, maxDepth: maxDepth)
    }

    func callAsFunction(_ message: KafkaConsumerMessage) -> Result<Ticket, TicketDecodingError> {
        Result { () throws(TicketDecodingError) -> Ticket in try decoder.decode(message.value) }
    }
}
