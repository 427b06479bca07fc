import Checksums
import Foundation

extension TextClassifier {
    /// Loads the model at `modelPath` when it was trained from exactly these examples with this
    /// config; otherwise trains one and writes it there. Used by `triage demo` to train a default
    /// model from the example tickets in prompts/ at first run and reuse it afterwards.
    public static func loadOrTrain(
        modelPath: String, examples: [LabeledText], config: TrainingConfig = TrainingConfig(),
        progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> TextClassifier {
        let fingerprint = dataFingerprint(examples)
        if FileManager.default.fileExists(atPath: modelPath),
           let cached = try? load(contentsOf: modelPath),
           cached.trainingSummary.dataFingerprint == fingerprint,
           cached.trainingSummary.config == config {
            return cached
        }
        let trained = try train(examples: examples, config: config, progress: progress)
        try trained.write(to: modelPath)
        return trained
    }

    /// SHA-256 (hex) of the examples in order, labels and texts; stored in the training summary.
    public static func dataFingerprint(_ examples: [LabeledText]) -> String {
        var hasher = SHA256()
        for example in examples {
            hasher.update(Array(example.label.utf8) + [0x1f] + Array(example.text.utf8) + [0x1e])
        }
        return hasher.finalize().hexString
    }
}
