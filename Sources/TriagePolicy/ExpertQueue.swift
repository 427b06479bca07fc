/// An expert queue: people with the skills for a set of model labels.
public struct ExpertQueue: Sendable, Hashable {
    /// Short name; the Kafka topic is `queue.<name>`.
    public var name: String
    public var description: String
    /// Model labels this queue owns.
    public var labels: [String]

    public init(name: String, description: String, labels: [String]) {
        self.name = name
        self.description = description
        self.labels = labels
    }

    public var topic: String { "queue.\(name)" }

    /// The queue for tickets that need a person and have no clear category.
    public static let humanQueueName = "human"
}
