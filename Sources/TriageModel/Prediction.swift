/// One label and its calibrated probability.
public struct LabelProbability: Sendable, Equatable, Codable {
    public var label: String
    public var probability: Double

    public init(label: String, probability: Double) {
        self.label = label
        self.probability = probability
    }
}

/// What the model says about one ticket.
public struct Prediction: Sendable {
    /// The most likely label and its calibrated probability.
    public var label: String
    public var probability: Double
    /// The top-k labels, most likely first.
    public var top: [LabelProbability]
    /// Top-1 minus top-2 calibrated probability.
    public var margin: Double
    /// Higher means less sure; compared with the model's threshold.
    public var abstainScore: Double
    /// True when the ticket should go to a person instead of a queue.
    public var abstain: Bool

    public init(label: String, probability: Double, top: [LabelProbability], margin: Double, abstainScore: Double, abstain: Bool) {
        self.label = label
        self.probability = probability
        self.top = top
        self.margin = margin
        self.abstainScore = abstainScore
        self.abstain = abstain
    }
}
