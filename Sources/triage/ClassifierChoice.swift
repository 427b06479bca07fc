import ArgumentParser
import Logging
import TriageModel
import TriageOps
import TriageWorker

/// Which classifier a command runs: a trained model file, or the labelled placeholder.
struct ClassifierChoice {
    var factory: ClassifierFactory
    var description: String
    /// The model's version (its digest) or the placeholder's, for `triage_build_info`.
    var version: String

    /// A model file when given; otherwise the placeholder, with a warning.
    static func load(modelPath: String?, logger: Logger) throws -> ClassifierChoice {
        guard let modelPath else {
            logger.warning("no --model given: using the PLACEHOLDER keyword classifier (\(PlaceholderClassifier.version)); train one with `triage train`")
            return placeholder
        }
        return try trained(modelPath)
    }

    static func trained(_ path: String) throws -> ClassifierChoice {
        let model: TextClassifier
        do {
            model = try TextClassifier.load(contentsOf: path)
        } catch {
            throw ValidationError("--model '\(path)': \(error)")
        }
        return trained(model, from: path)
    }

    static func trained(_ model: TextClassifier, from source: String) -> ClassifierChoice {
        ClassifierChoice(
            factory: { ModelClassifier(model: model) },
            description: "trained model \(model.version) from \(source) (\(model.labels.count) labels)",
            version: model.version)
    }

    /// For commands that default to the demo model: the placeholder when asked, a model
    /// file when given, otherwise the demo model (trained from `examples` once, cached).
    static func demoDefault(placeholder: Bool, modelPath: String?, examples: String, say: (String) -> Void) throws -> ClassifierChoice {
        if placeholder { return .placeholder }
        if let modelPath { return try trained(modelPath) }
        return trained(try DemoModel.loadOrTrain(examples: examples, say: say), from: examples)
    }

    static let placeholder = ClassifierChoice(
        factory: { PlaceholderClassifier() },
        description: "PLACEHOLDER keyword classifier (\(PlaceholderClassifier.version)), not a trained model",
        version: PlaceholderClassifier.version)
}
