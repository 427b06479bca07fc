/// What the model file says about itself besides the weights.
public struct ModelHeader: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var labels: [String]
    public var featurizer: FeaturizerSettings
    public var rowCount: Int
    /// "f32" or "f16" (IEEE half precision, used to keep big models small).
    public var weightEncoding: String
    public var temperature: Float
    public var abstainMethod: AbstainMethod
    public var abstainThreshold: Float
    /// The threshold each abstain method would use at the same validation budget (for comparisons).
    public var abstainThresholdsByMethod: [String: Float]
    public var training: TrainingSummary
    /// Width of the hidden layer (format version 2); nil or absent for a linear model (version 1).
    public var hiddenSize: Int? = nil
    /// What the hidden layer reads: "words" (the word group) or "all"; nil for a linear model.
    public var hiddenInput: String? = nil
    /// Per-class training statistics for `AbstainMethod.classProfile`; nil (absent) unless that method is chosen.
    public var abstainProfile: ClassProfile? = nil
}

/// How the model was trained and how it did on its validation split.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var examples: Int
    /// SHA-256 of the training examples (see `TextClassifier.dataFingerprint`).
    public var dataFingerprint: String
    public var validationExamples: Int
    public var examplesPerLabel: [String: Int]
    public var epochs: Int
    public var refitOnAllData: Bool
    public var config: TrainingConfig
    /// Measured on the validation split by the model selected there (before any refit).
    public var validationAccuracy: Double
    public var validationMacroF1: Double
    public var validationECE: Double
    public var validationECEBeforeCalibration: Double
    public var validationAbstainRate: Double
    public var validationAccuracyWhenConfident: Double
}

/// A trained ticket classifier: featurizer, weights, calibration and abstain threshold.
/// Immutable and `Sendable`; each thread predicts through its own `Predictor`.
public final class TextClassifier: Sendable {
    public let header: ModelHeader
    /// The content hash of the model file, e.g. "m-3fa9c1d2e4b5a6f7"; recorded with every routed ticket.
    public let version: String
    let featurizer: Featurizer
    let index: FeatureIndex
    let model: LinearModel
    let scorer: AbstainScorer

    public var labels: [String] { header.labels }
    public var temperature: Float { header.temperature }
    public var abstainThreshold: Float { header.abstainThreshold }
    public var abstainMethod: AbstainMethod { header.abstainMethod }
    public var trainingSummary: TrainingSummary { header.training }

    init(header: ModelHeader, index: FeatureIndex, model: LinearModel, version: String? = nil) {
        self.header = header
        self.index = index
        self.model = model
        featurizer = Featurizer(settings: header.featurizer)
        scorer = AbstainScorer(method: header.abstainMethod, temperature: header.temperature, profile: header.abstainProfile)
        self.version = version ?? ModelFile.version(ofDigest: ModelFile.encode(header: header, index: index, model: model).digest)
    }

    /// A copy with another abstain rule (used by benchmarks to trace the trade-off curve).
    public func withAbstain(method: AbstainMethod, threshold: Float) -> TextClassifier {
        var header = header
        header.abstainMethod = method
        header.abstainThreshold = threshold
        return TextClassifier(header: header, index: index, model: model)
    }

    /// A new predictor with its own scratch buffers.
    public func makePredictor() -> Predictor { Predictor(classifier: self) }

    /// Reads a model file; the error names the path and what is wrong with it.
    public static func load(contentsOf path: String) throws -> TextClassifier {
        try ModelFile.read(path: path)
    }

    /// Writes the model file (atomically, via a temporary file and rename).
    public func write(to path: String) throws {
        try ModelFile.write(self, to: path)
    }

    /// Size in bytes of the model file this classifier writes.
    public var fileSize: Int { ModelFile.encode(header: header, index: index, model: model).bytes.count }
}
