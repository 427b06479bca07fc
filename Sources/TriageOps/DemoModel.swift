import Foundation
import TriageModel

/// The demo's default model: trained at first run from the examples the project writes in
/// `prompts/demo/examples.csv`, then reused while the examples and settings are unchanged
/// (`TextClassifier.loadOrTrain` compares the data fingerprint and config in the file).
public enum DemoModel {
    /// Where the examples live, relative to the repository root.
    public static let examplesPath = "prompts/demo/examples.csv"

    /// `$XDG_CACHE_HOME/triage` or `~/.cache/triage`.
    public static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/triage" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/triage"
    }

    /// The settings the demo model is trained with: the defaults, with fewer hash buckets
    /// (a few hundred examples need no more).
    public static var trainingConfig: TrainingConfig {
        var config = TrainingConfig()
        config.featurizer.bucketBits = 18
        return config
    }

    /// Loads the cached model for these examples, or trains and caches one.
    public static func loadOrTrain(examples path: String, cacheDirectory: String = DemoModel.cacheDirectory,
                                   say: (String) -> Void) throws -> TextClassifier {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelError(.fileNotFound, "demo examples '\(path)' not found; run from the repository root or pass --model")
        }
        let examples = try Dataset.load(path: path, textColumn: "text", labelColumn: "label")
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        let modelPath = cacheDirectory + "/demo.model"
        let started = ContinuousClock.now
        let model = try TextClassifier.loadOrTrain(modelPath: modelPath, examples: examples, config: trainingConfig)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        say(String(format: "Demo model %@: %d examples from %@, %d labels (%.2f s to load or train; cached at %@)",
                   model.version, examples.count, path, model.labels.count, seconds, modelPath))
        return model
    }
}
