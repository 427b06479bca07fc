/// One training example.
public struct LabeledText: Sendable, Equatable {
    public var text: String
    public var label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// Every knob of training, with defaults tuned on banking77 (see docs/MODEL.md).
public struct TrainingConfig: Codable, Sendable, Equatable {
    public var featurizer = FeaturizerSettings()
    /// A feature needs to appear in this many training texts to get a weight row.
    public var minCount = 1
    /// Maximum epochs; early stopping on the validation split usually ends sooner.
    public var epochs = 40
    /// Early-stop on validation log-loss (true) or on validation accuracy (false).
    public var stopOnLoss = true
    /// Epochs without validation improvement before stopping.
    public var patience = 5
    /// AdaGrad step size at the start; decays linearly to 10% of it over `epochs`.
    public var learningRate: Float = 0.1
    /// L2 penalty on the weights a step touches.
    public var l2: Float = 1e-4
    /// Share of each label's examples held out to early-stop, calibrate and pick thresholds.
    public var validationFraction = 0.2
    /// After model selection, retrain on all examples for the chosen number of epochs.
    public var refitOnAllData = true
    /// Share of in-scope validation tickets the abstain threshold may hand to a person.
    public var abstainBudget = 0.10
    public var abstainMethod = AbstainMethod.entropy
    public var seed: UInt64 = 42
    /// Use the running mean of the end-of-epoch weights (Polyak averaging), which smooths SGD noise.
    public var averageWeights = true
    /// "f32", or "f16" to halve the model file at a negligible accuracy cost.
    public var weightEncoding = "f16"
    /// Width of the hidden layer added to the linear logits (0: linear only; a multiple of 32).
    /// Optional so headers written before it existed still decode (nil means 0).
    public var hiddenSize: Int? = 0
    /// Step size of the hidden layer relative to `learningRate`.
    public var hiddenRateScale: Float? = 0.5
    /// L2 penalty on the hidden layer's weights.
    public var hiddenL2: Float? = 1e-4

    /// The hidden layer reads only the word uni/bigrams ("words", cheap) or every feature ("all").
    public var hiddenInput: String? = "all"

    /// For `AbstainMethod.classProfile`: weight of the prototype term relative to the centred entropy,
    /// each measured in its standard deviation on validation.
    public var profileWeight: Float? = nil

    var hidden: Int { hiddenSize ?? 0 }
    var hiddenWordsOnly: Bool { hiddenInput == "words" }

    public init() {}
}

/// Reported after every epoch.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var seconds: Double
    /// "train" while selecting the model, "refit" while retraining on all data.
    public var phase: String
}
