/// What the classifier said about a ticket: the policy's view of the model.
public struct Classification: Sendable, Hashable {
    /// One label with its (calibrated) probability.
    public struct Candidate: Sendable, Hashable {
        public var label: String
        public var probability: Double
        public init(label: String, probability: Double) {
            self.label = label
            self.probability = probability
        }
    }

    /// The most likely label.
    public var label: String
    /// Its probability.
    public var confidence: Double
    /// The top labels, most likely first.
    public var top: [Candidate]
    /// Top-1 minus top-2 probability.
    public var margin: Double
    /// The model says it does not know (out of scope or too unsure).
    public var abstain: Bool
    /// The model version (content hash) or the placeholder's name.
    public var modelVersion: String
    /// True when no trained model made this (the placeholder classifier).
    public var isPlaceholder: Bool

    public init(label: String, confidence: Double, top: [Candidate], margin: Double, abstain: Bool,
                modelVersion: String, isPlaceholder: Bool) {
        self.label = label
        self.confidence = confidence
        self.top = top
        self.margin = margin
        self.abstain = abstain
        self.modelVersion = modelVersion
        self.isPlaceholder = isPlaceholder
    }
}
