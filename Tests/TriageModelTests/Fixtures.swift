import Foundation
@testable import TriageModel

/// A small synthetic ticket set: each label has its own words mixed with shared filler.
enum Fixtures {
    static let vocabulary: [String: [String]] = [
        "card_lost": ["lost", "stolen", "card", "missing", "wallet", "block"],
        "refund": ["refund", "money", "back", "return", "charged", "twice"],
        "login": ["password", "login", "locked", "account", "reset", "sign"],
        "delivery": ["delivery", "arrive", "shipping", "post", "waiting", "track"],
    ]
    static let filler = ["please", "help", "my", "the", "i", "need", "urgent", "today", "hi"]

    static func tickets(perLabel: Int, seed: UInt64) -> [LabeledText] {
        var generator = SeededGenerator(seed: seed)
        var out: [LabeledText] = []
        for label in vocabulary.keys.sorted() {
            let words = vocabulary[label]!
            for _ in 0..<perLabel {
                var tokens: [String] = []
                for _ in 0..<(3 + Int(generator.next() % 4)) {
                    let pool = generator.next() % 3 == 0 ? filler : words
                    tokens.append(pool[Int(generator.next() % UInt64(pool.count))])
                }
                out.append(LabeledText(text: tokens.joined(separator: " "), label: label))
            }
        }
        return out
    }

    static var fastConfig: TrainingConfig {
        var config = TrainingConfig()
        config.epochs = 5
        config.learningRate = 0.3
        config.featurizer.bucketBits = 16
        return config
    }

    /// banking77, found from the package root (../shared/data) or /work/shared/data.
    static let banking77Directory: String? = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            packageRoot.appendingPathComponent("../shared/data/banking77").standardized.path,
            "/work/shared/data/banking77",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/train.csv") }
    }()
}
