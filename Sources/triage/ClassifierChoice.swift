import ArgumentParser
import Logging
import TriageWorker

/// Which classifier a command runs: a trained model file, or the labelled placeholder.
struct ClassifierChoice {
    var factory: ClassifierFactory
    var description: String

    static func load(modelPath: String?, logger: Logger) throws -> ClassifierChoice {
        guard let modelPath else {
            logger.warning("no --model given: using the PLACEHOLDER keyword classifier (\(PlaceholderClassifier.version)); train one with `triage train`")
            return placeholder
        }
        throw ValidationError("--model '\(modelPath)': loading trained models is not wired in yet")
    }

    static let placeholder = ClassifierChoice(
        factory: { PlaceholderClassifier() },
        description: "PLACEHOLDER keyword classifier (\(PlaceholderClassifier.version)), not a trained model")
}
