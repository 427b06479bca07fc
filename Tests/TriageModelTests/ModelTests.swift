import Foundation
import Testing
@testable import TriageModel

@Suite struct ModelTests {
    static let trained: TextClassifier = try! TextClassifier.train(examples: Fixtures.tickets(perLabel: 60, seed: 1), config: Fixtures.fastConfig)

    @Test func learnsTheSyntheticTask() {
        let model = Self.trained
        #expect(model.labels == ["card_lost", "delivery", "login", "refund"])
        let report = Evaluation.evaluate(model, on: Fixtures.tickets(perLabel: 30, seed: 2))
        #expect(report.accuracy > 0.9)
        let p = model.makePredictor().predict("someone has stolen my card, please block it", topK: 2)
        #expect(p.label == "card_lost")
        #expect(p.top.count == 2 && p.top[0].label == "card_lost" && p.top[0].probability >= p.top[1].probability)
        #expect(model.version.hasPrefix("m-") && model.version.count == 18)
    }

    @Test func predictsOnEmptyAndHugeText() {
        let predictor = Self.trained.makePredictor()
        for text in ["", String(repeating: "refund ", count: 200_000), "🙂🙂"] {
            let p = predictor.predict(text)
            #expect(p.probability > 0 && p.probability <= 1)
            #expect(abs(p.top.map(\.probability).reduce(0, +)) <= 1.0001)
        }
    }

    @Test func trainingIsDeterministic() throws {
        let data = Fixtures.tickets(perLabel: 30, seed: 3)
        let a = try TextClassifier.train(examples: data, config: Fixtures.fastConfig)
        let b = try TextClassifier.train(examples: data, config: Fixtures.fastConfig)
        #expect(a.version == b.version)
        var other = Fixtures.fastConfig
        other.seed = 99
        let c = try TextClassifier.train(examples: data, config: other)
        #expect(c.version != a.version)
    }

    @Test(arguments: ["f16", "f32"])
    func saveLoadRoundTrip(encoding: String) throws {
        var config = Fixtures.fastConfig
        config.weightEncoding = encoding
        let model = try TextClassifier.train(examples: Fixtures.tickets(perLabel: 30, seed: 4), config: config)
        let path = temporaryPath("model-\(encoding).triage")
        try model.write(to: path)
        let loaded = try TextClassifier.load(contentsOf: path)
        #expect(loaded.version == model.version)
        #expect(loaded.header == model.header)
        #expect(loaded.fileSize == (try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int))
        let (p, q) = (model.makePredictor(), loaded.makePredictor())
        for ticket in Fixtures.tickets(perLabel: 5, seed: 5) {
            let (x, y) = (p.predict(ticket.text), q.predict(ticket.text))
            #expect(x.label == y.label && x.abstain == y.abstain)
            #expect(abs(x.probability - y.probability) < (encoding == "f32" ? 1e-6 : 1e-2))
        }
    }

    @Test(arguments: AbstainMethod.allCases)
    func everyAbstainMethodRoundTripsAndKeepsItsBudget(method: AbstainMethod) throws {
        var config = Fixtures.fastConfig
        config.abstainMethod = method
        config.abstainBudget = 0.1
        let model = try TextClassifier.train(examples: Fixtures.tickets(perLabel: 40, seed: 6), config: config)
        #expect(model.abstainMethod == method)
        // classProfile needs the per-class statistics, which are fitted (and stored) only when it is the method.
        let compared = AbstainMethod.allCases.filter { $0 != .classProfile || method == .classProfile }
        #expect(Set(model.header.abstainThresholdsByMethod.keys) == Set(compared.map(\.rawValue)))
        #expect((model.header.abstainProfile != nil) == (method == .classProfile))
        #expect(model.header.abstainThresholdsByMethod[method.rawValue] == model.abstainThreshold)
        #expect(model.trainingSummary.validationAbstainRate <= 0.1 + 1e-9)
        let path = temporaryPath("model-\(method.rawValue).triage")
        try model.write(to: path)
        let loaded = try TextClassifier.load(contentsOf: path)
        #expect(loaded.header == model.header)
        let predictor = loaded.makePredictor()
        for ticket in Fixtures.tickets(perLabel: 3, seed: 7) {
            let p = predictor.predict(ticket.text)
            #expect(p.abstain == (Float(p.abstainScore) > loaded.abstainThreshold))
            let scores = predictor.abstainScores(ticket.text).scores
            #expect(abs(scores[method]! - p.abstainScore) < 1e-6)
        }
    }

    @Test func refusesCorruptTruncatedAndIncompatibleFiles() throws {
        let path = temporaryPath("good.triage")
        try Self.trained.write(to: path)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))

        func refuse(_ bytes: [UInt8], _ code: ModelError.Code, _ fragment: String) throws {
            let bad = temporaryPath("bad.triage")
            try Data(bytes).write(to: URL(fileURLWithPath: bad))
            #expect { try TextClassifier.load(contentsOf: bad) } throws: { error in
                guard let e = error as? ModelError else { return false }
                return e.code == code && e.message.contains(bad) && e.message.contains(fragment)
            }
        }
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try refuse(flipped, .corrupt, "checksum")
        try refuse(Array(good.prefix(good.count - 100)), .truncated, "truncated")
        try refuse(Array(good.prefix(10)), .notAModel, "TRIAGEMD")
        try refuse(Array("text,category\nhello,world\n".utf8), .notAModel, "not a triage model")
        var future = good
        future[8] = 9
        try refuse(future, .incompatibleVersion, "format version 9")
        try refuse(good + [0, 0], .corrupt, "trailing")
        #expect { try TextClassifier.load(contentsOf: "/nonexistent/model.triage") } throws: { error in
            (error as? ModelError)?.code == .fileNotFound && "\(error)".contains("/nonexistent/model.triage")
        }
    }

    @Test(arguments: [0, 32, 64])
    func hiddenLayerWidthsRoundTripWithTheirFormatVersion(hidden: Int) throws {
        var config = Fixtures.fastConfig
        config.hiddenSize = hidden
        config.hiddenInput = hidden == 64 ? "words" : "all"
        let model = try TextClassifier.train(examples: Fixtures.tickets(perLabel: 30, seed: 4), config: config)
        #expect(model.header.hiddenSize == (hidden > 0 ? hidden : nil))
        #expect(model.header.hiddenInput == (hidden == 0 ? nil : hidden == 64 ? "words" : "all"))
        #expect(model.header.formatVersion == (hidden > 0 ? 2 : 1))
        let path = temporaryPath("model-h\(hidden).triage")
        try model.write(to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes[8] == (hidden > 0 ? 2 : 1))
        let loaded = try TextClassifier.load(contentsOf: path)
        #expect(loaded.header == model.header && loaded.version == model.version)
        let (p, q) = (model.makePredictor(), loaded.makePredictor())
        for ticket in Fixtures.tickets(perLabel: 5, seed: 5) {
            let (x, y) = (p.predict(ticket.text), q.predict(ticket.text))
            #expect(x.label == y.label)
            #expect(abs(x.probability - y.probability) < 1e-2)
        }
        #expect(Evaluation.evaluate(loaded, on: Fixtures.tickets(perLabel: 30, seed: 2)).accuracy > 0.9)
    }

    @Test func classProfileIsDeterministicAndRefusesAMismatchedProfile() throws {
        var config = Fixtures.fastConfig
        config.abstainMethod = .classProfile
        let examples = Fixtures.tickets(perLabel: 30, seed: 12)
        let a = try TextClassifier.train(examples: examples, config: config)
        let b = try TextClassifier.train(examples: examples, config: config)
        #expect(a.version == b.version)
        let profile = try #require(a.header.abstainProfile)
        let l = a.labels.count
        #expect(profile.prototypes.count == l * l && profile.entropyMeans.count == l)
        #expect(profile.weight > 0 && profile.weight.isFinite)
        // Other methods leave the header (and so the file) without a profile.
        #expect(try TextClassifier.train(examples: examples, config: Fixtures.fastConfig).header.abstainProfile == nil)
        func refuse(_ header: ModelHeader, _ fragment: String) throws {
            let path = temporaryPath("bad-profile.triage")
            try Data(ModelFile.encode(header: header, index: a.index, model: a.model).bytes).write(to: URL(fileURLWithPath: path))
            #expect { try TextClassifier.load(contentsOf: path) } throws: { error in
                guard let e = error as? ModelError else { return false }
                return e.code == .corrupt && e.message.contains(path) && e.message.contains(fragment)
            }
        }
        var short = a.header
        short.abstainProfile?.entropyMeans.removeLast()
        try refuse(short, "abstain profile")
        var missing = a.header
        missing.abstainProfile = nil
        try refuse(missing, "no abstain profile")
    }

    @Test func refusesBadHiddenLayerParts() throws {
        var config = Fixtures.fastConfig
        config.hiddenSize = 32
        let model = try TextClassifier.train(examples: Fixtures.tickets(perLabel: 20, seed: 9), config: config)
        let path = temporaryPath("hidden.triage")
        try model.write(to: path)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func refuse(_ bytes: [UInt8], _ code: ModelError.Code, _ fragment: String) throws {
            let bad = temporaryPath("bad-hidden.triage")
            try Data(bytes).write(to: URL(fileURLWithPath: bad))
            #expect { try TextClassifier.load(contentsOf: bad) } throws: { error in
                guard let e = error as? ModelError else { return false }
                return e.code == code && e.message.contains(bad) && e.message.contains(fragment)
            }
        }
        // Cut inside the hidden layer (its output weights are the last part before the checksum).
        try refuse(Array(good.prefix(good.count - 32 - 8)), .truncated, "truncated")
        // A hidden-layer file relabelled as version 1: the header disagrees.
        var relabelled = good
        relabelled[8] = 1
        try refuse(relabelled, .incompatibleVersion, "header says format version 2")
        // A bit flip in the hidden layer's weights.
        var flipped = good
        flipped[good.count - 40] ^= 0x01
        try refuse(flipped, .corrupt, "checksum")
        var bad = Fixtures.fastConfig
        bad.hiddenSize = 40
        #expect { try TextClassifier.train(examples: Fixtures.tickets(perLabel: 10, seed: 1), config: bad) } throws: {
            ($0 as? ModelError)?.code == .invalidSettings
        }
    }

    @Test func refusesUnusableTrainingData() {
        #expect { try TextClassifier.train(examples: [], config: Fixtures.fastConfig) } throws: { ($0 as? ModelError)?.code == .emptyData }
        let oneLabel = [LabeledText(text: "a", label: "x"), LabeledText(text: "b", label: "x")]
        #expect { try TextClassifier.train(examples: oneLabel, config: Fixtures.fastConfig) } throws: { ($0 as? ModelError)?.code == .tooFewLabels }
    }

    @Test(.enabled(if: Fixtures.banking77Directory != nil, "banking77 not found at ../shared/data/banking77 or /work/shared/data/banking77"))
    func beatsChanceOnARealSlice() throws {
        let dir = Fixtures.banking77Directory!
        // Ten of the 77 intents, every eighth in the data set's own list (read from ../shared).
        let categories = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/categories.json")))
        let labels = Set(categories.enumerated().filter { $0.offset % 8 == 0 }.map(\.element).prefix(10))
        #expect(labels.count == 10)
        let train = try Dataset.load(path: dir + "/train.csv").filter { labels.contains($0.label) }
        let test = try Dataset.load(path: dir + "/test.csv").filter { labels.contains($0.label) }
        var config = TrainingConfig()
        config.epochs = 8
        config.learningRate = 0.3
        config.featurizer.bucketBits = 18
        let model = try TextClassifier.train(examples: Array(train.prefix(1200)), config: config)
        let report = Evaluation.evaluate(model, on: test)
        // Chance is 10%; the full model reaches ~91% on all 77 intents.
        #expect(report.accuracy > 0.85, "accuracy \(report.accuracy)")
        #expect(report.ece < 0.1, "ECE \(report.ece)")
    }
}

@Suite struct ModelCacheTests {
    @Test func trainsOnceThenReusesTheCachedModel() throws {
        let path = temporaryPath("demo.triage")
        let examples = Fixtures.tickets(perLabel: 20, seed: 8)
        let first = try TextClassifier.loadOrTrain(modelPath: path, examples: examples, config: Fixtures.fastConfig)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(first.trainingSummary.dataFingerprint == TextClassifier.dataFingerprint(examples))
        var calls = 0
        let second = try TextClassifier.loadOrTrain(modelPath: path, examples: examples, config: Fixtures.fastConfig) { _ in calls += 1 }
        #expect(second.version == first.version && calls == 0)
        let changed = try TextClassifier.loadOrTrain(modelPath: path, examples: Array(examples.dropLast()), config: Fixtures.fastConfig)
        #expect(changed.version != first.version)
    }
}
