import Kafka
import TriageCore
import TriagePolicy

/// Step 4, decide: the policy's decision, with an id that is the same every time the same
/// ticket is read from the same place (so duplicates after a crash can be dropped downstream).
struct Decide {
    let policy: Policy

    func callAsFunction(_ ticket: Ticket, _ classification: Classification, context: DecisionContext,
                        from message: KafkaConsumerMessage) -> Decision {
        policy.decide(ticket, classification: classification, context: context, decisionID: Self.decisionID(ticket, message))
    }

    static func decisionID(_ ticket: Ticket, _ message: KafkaConsumerMessage) -> String {
        "d-" + StableHash.hex64("\(message.topic)|\(message.partition)|\(message.offset)|\(ticket.id)")
    }
}
