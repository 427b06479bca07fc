/// An expert queue: people with the skills for a set of model labels.
public struct ExpertQueue: Sendable, Hashable {
    /// Short name; the Kafka topic is `queue.<name>`.
    public var name: String
    public var description: String
    /// Model labels this queue owns.
    public var labels: [String]
    /// What the people of this queue can do (for staffing; not used to decide).
    public var skills: [String]
    /// How soon a ticket of each priority should get a first answer, in milliseconds.
    public var slaMillis: [Priority: Int64]

    public init(name: String, description: String, labels: [String]) {
        self.init(name: name, description: description, labels: labels, skills: [], slaMillis: [:])
    }

    public init(name: String, description: String, labels: [String], skills: [String], slaMillis: [Priority: Int64]) {
        self.name = name
        self.description = description
        self.labels = labels
        self.skills = skills
        self.slaMillis = slaMillis
    }

    /// The queue for tickets that need a person and have no clear category.
    public static let humanQueueName = "human"
}
