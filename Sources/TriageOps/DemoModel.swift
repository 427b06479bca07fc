import Foundation
import TriageModel

/// The demo's default model: trained at first run from the examples the project writes in
/// `prompts/demo/examples.csv`, then cached by the examples' content hash.
public enum DemoModel {
    /// Where the examples live, relative to the repository root.
    public static let examplesPath = "prompts/demo/examples.csv"

    /// `$XDG_CACHE_HOME/triage` or `~/.cache/triage`.
    public static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/triage" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/triage"
    }

    /// Loads the cached model for these examples, or trains and caches one.
    /// Returns the model and whether it was trained now.
    public static func loadOrTrain(examples path: String, cacheDirectory: String = DemoModel.cacheDirectory,
                                   say: (String) -> Void) throws -> (TextClassifier, trained: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.fileNotFound, "demo examples '\(path)' not found; run from the repository root or pass --model")
        }
        let key = String(format: "%016llx", fnv1a(data))
        let cached = "\(cacheDirectory)/demo-\(key).model"
        if FileManager.default.fileExists(atPath: cached) {
            do {
                return (try TextClassifier.load(contentsOf: cached), false)
            } catch {
                say("cached demo model \(cached) is unusable (\(error)); training again")
            }
        }
        say("Training the demo model from \(path) (first run; cached in \(cacheDirectory))…")
        let examples = try Dataset.load(path: path, textColumn: "text", labelColumn: "label")
        var config = TrainingConfig()
        config.featurizer.bucketBits = min(config.featurizer.bucketBits, 18)
        let model = try TextClassifier.train(examples: examples, config: config)
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try model.write(to: cached)
        say("  trained on \(examples.count) examples, \(model.labels.count) labels; model \(model.version)")
        return (model, true)
    }

    private static func fnv1a(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
