/// What the automation does with a ticket.
public enum DecisionKind: String, Sendable, Hashable, CaseIterable {
    /// Answer automatically with a reply backed by actions.
    case automate
    /// Send to the expert queue of its category.
    case route
    /// Give to a person now, with raised priority.
    case handoff
}

/// How soon a person should look.
public enum Priority: String, Sendable, Hashable {
    case normal, high
}

/// The decision for one ticket, with its reasons and evidence.
public struct Decision: Sendable, Hashable {
    /// Stable for the same ticket at the same source position, so a redelivered ticket
    /// gets the same id and consumers can drop duplicates.
    public var id: String
    public var kind: DecisionKind
    /// Queue name (`cards`, `human`, …); the topic is `queue.<name>`.
    public var queue: String
    public var priority: Priority
    /// Reasons, most important first.
    public var reasons: [ReasonCode]
    /// The classification the decision rests on.
    public var classification: Classification
    /// Content hash of the policy that decided.
    public var policyVersion: String

    public var topic: String { "queue.\(queue)" }
}
