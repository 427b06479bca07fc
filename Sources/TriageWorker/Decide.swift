import Kafka
import TriageCore
import TriagePolicy

/// Step 4, decide: the policy's decision, with an id that is the same every time the same
/// ticket is read from the same place (so duplicates after a crash can be dropped downstream).
struct Decide {
    let policy: Policy

    func callAsFunction(_ ticket: Ticket, _ classification: Classification, from message: KafkaConsumerMessage) -> Decision {
        let id = "d-" + StableHash.hex64("\(message.topic)|\(message.partition)|\(message.offset)|\(ticket.id)")
        return policy.decide(ticket, classification: classification, decisionID: id)
    }
}
