import Foundation

extension TextClassifier {
    /// Trains a classifier: stratified validation split, AdaGrad with early stopping,
    /// temperature scaling and abstain threshold fitted on the validation split, then
    /// (by default) a refit on all examples for the chosen number of epochs.
    /// Deterministic for a given `config.seed`: the same data and config give the same file and version
    /// (the header holds no timestamps).
    public static func train(
        examples: [LabeledText], config: TrainingConfig, progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> TextClassifier {
        try config.featurizer.validate()
        guard ["words", "all"].contains(config.hiddenInput ?? "all") else {
            throw ModelError(.invalidSettings, "hidden input \(config.hiddenInput ?? "") must be words or all")
        }
        guard config.hidden >= 0, config.hidden % 32 == 0, config.hidden <= 256 else {
            throw ModelError(.invalidSettings, "hidden size \(config.hidden) must be 0 or a multiple of 32 up to 256")
        }
        guard !examples.isEmpty else { throw ModelError(.emptyData, "no training examples") }
        let labels = Array(Set(examples.map(\.label))).sorted()
        guard labels.count >= 2 else {
            throw ModelError(.tooFewLabels, "training needs at least 2 labels; found \(labels.count) (\(labels.joined(separator: ", ")))")
        }
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let targets = examples.map { labelIndex[$0.label]! }
        let featurizer = Featurizer(settings: config.featurizer)
        var buffer = FeatureBuffer()
        let hashed = examples.map { example -> HashedText in
            featurizer.extract(example.text, into: &buffer)
            return HashedText(buckets: Array(buffer.buckets), wordCount: buffer.wordCount)
        }
        let (trainIDs, validationIDs) = stratifiedSplit(targets: targets, labelCount: labels.count, fraction: config.validationFraction, seed: config.seed)
        let trainer = Trainer(config: config, labelCount: labels.count)

        // Model selection on the split.
        let index = FeatureIndex.build(features: trainIDs.map { hashed[$0] }, bucketBits: config.featurizer.bucketBits, minCount: config.minCount)
        let trainSet = SparseDataset(features: trainIDs.map { hashed[$0] }, labels: trainIDs.map { targets[$0] }, index: index, settings: config.featurizer)
        let validationSet = SparseDataset(features: validationIDs.map { hashed[$0] }, labels: validationIDs.map { targets[$0] }, index: index, settings: config.featurizer)
        let selected = trainer.fit(
            train: trainSet, validation: validationSet.count > 0 ? validationSet : nil, rowCount: index.rowCount,
            epochs: config.epochs, phase: "train", progress: progress)

        // Calibration and abstain threshold on the validation split.
        let logits = Trainer.allLogits(selected.model, on: validationSet)
        let temperature = TemperatureScaling.fit(logits: logits, labels: validationSet.labels, labelCount: labels.count)
        // The class profile (only for that method): statistics of the selected model on its own training
        // split score the validation tickets, as the final model's on all rows will score new ones.
        var profile: ClassProfile? = nil
        if config.abstainMethod == .classProfile {
            let trainLogits = Trainer.allLogits(selected.model, on: trainSet)
            var fitted = ClassProfile.fit(logits: trainLogits, labels: trainSet.labels, labelCount: labels.count, temperature: temperature, weight: 0)
            fitted.weight = (config.profileWeight ?? 1) * fitted.balancingScale(validationLogits: logits, count: validationSet.count, temperature: temperature)
            profile = fitted
        }
        let scorer = AbstainScorer(method: config.abstainMethod, temperature: temperature, profile: profile)
        let validation = ValidationScores(logits: logits, count: validationSet.count, labelCount: labels.count, scorer: scorer)
        let threshold = AbstainScorer.threshold(scores: validation.abstainScores, budget: config.abstainBudget)
        var thresholds: [String: Float] = [:]
        for method in AbstainMethod.allCases where method != .classProfile || profile != nil {
            let scores = ValidationScores(logits: logits, count: validationSet.count, labelCount: labels.count,
                                          scorer: AbstainScorer(method: method, temperature: temperature, profile: profile))
            thresholds[method.rawValue] = AbstainScorer.threshold(scores: scores.abstainScores, budget: config.abstainBudget)
        }
        let validationReport = Evaluation.summarize(
            actual: validationSet.labels, predicted: validation.predicted, confidence: validation.confidence,
            abstained: validation.abstainScores.map { $0 > threshold }, labels: labels)
        let uncalibrated = ValidationScores(logits: logits, count: validationSet.count, labelCount: labels.count,
                                            scorer: AbstainScorer(method: .maxProbability, temperature: 1))
        let eceBefore = Evaluation.expectedCalibrationError(
            confidence: uncalibrated.confidence, correct: zip(uncalibrated.predicted, validationSet.labels).map { $0 == $1 })

        // Final weights: refit on everything, or keep the selected model.
        var finalIndex = index, finalModel = selected.model
        let refit = config.refitOnAllData && !validationIDs.isEmpty
        if refit {
            finalIndex = FeatureIndex.build(features: hashed, bucketBits: config.featurizer.bucketBits, minCount: config.minCount)
            let all = SparseDataset(features: hashed, labels: targets, index: finalIndex, settings: config.featurizer)
            finalModel = trainer.fit(train: all, validation: nil, rowCount: finalIndex.rowCount, epochs: max(1, selected.bestEpoch), phase: "refit", progress: progress).model
            if let weight = profile?.weight {
                profile = ClassProfile.fit(logits: Trainer.allLogits(finalModel, on: all), labels: all.labels, labelCount: labels.count, temperature: temperature, weight: weight)
            }
        }

        var perLabel: [String: Int] = [:]
        for example in examples { perLabel[example.label, default: 0] += 1 }
        let summary = TrainingSummary(
            examples: examples.count, dataFingerprint: dataFingerprint(examples), validationExamples: validationIDs.count, examplesPerLabel: perLabel,
            epochs: selected.bestEpoch, refitOnAllData: refit, config: config,
            validationAccuracy: validationReport.accuracy, validationMacroF1: validationReport.macroF1,
            validationECE: validationReport.ece, validationECEBeforeCalibration: eceBefore,
            validationAbstainRate: validationReport.abstainRate,
            validationAccuracyWhenConfident: validationReport.accuracyWhenConfident)
        let header = ModelHeader(
            formatVersion: finalModel.hiddenSize > 0 ? ModelFile.formatVersion : ModelFile.linearFormatVersion, labels: labels, featurizer: config.featurizer,
            rowCount: finalIndex.rowCount, weightEncoding: config.weightEncoding, temperature: temperature,
            abstainMethod: config.abstainMethod, abstainThreshold: threshold,
            abstainThresholdsByMethod: thresholds, training: summary, hiddenSize: finalModel.hiddenSize > 0 ? finalModel.hiddenSize : nil,
            hiddenInput: finalModel.hiddenSize > 0 ? (config.hiddenWordsOnly ? "words" : "all") : nil,
            abstainProfile: profile)
        return TextClassifier(header: header, index: finalIndex, model: finalModel)
    }

    /// Per label, a seeded shuffle and the first `fraction` to validation (at least one when a
    /// label has three or more examples, none when it has fewer).
    static func stratifiedSplit(targets: [Int], labelCount: Int, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var byLabel = [[Int]](repeating: [], count: labelCount)
        for (i, t) in targets.enumerated() { byLabel[t].append(i) }
        var generator = SeededGenerator(seed: seed ^ 0x7370_6c69_74)
        var train: [Int] = [], validation: [Int] = []
        for var ids in byLabel {
            shuffle(&ids, using: &generator)
            var take = Int((Double(ids.count) * fraction).rounded())
            if fraction > 0 && ids.count >= 3 { take = max(1, take) }
            if ids.count < 3 { take = 0 }
            validation.append(contentsOf: ids.prefix(take))
            train.append(contentsOf: ids.dropFirst(take))
        }
        return (train.sorted(), validation.sorted())
    }
}

/// Calibrated predictions and abstain scores for a block of logits.
struct ValidationScores {
    var predicted: [Int] = []
    var confidence: [Float] = []
    var abstainScores: [Float] = []

    init(logits: [Float], count: Int, labelCount l: Int, scorer: AbstainScorer) {
        var z = [Float](repeating: 0, count: l), p = z
        for i in 0..<count {
            for j in 0..<l { z[j] = logits[i * l + j] }
            let logSumExp = z.withUnsafeMutableBufferPointer { z in
                p.withUnsafeMutableBufferPointer { softmax(z, temperature: scorer.temperature, into: $0) }
            }
            let (best, second, third, entropy) = p.withUnsafeMutableBufferPointer { p in
                z.withUnsafeMutableBufferPointer { z in
                    let (a, b, c) = topThree(p)
                    return (a, b, c, entropyOf(p, logits: z, temperature: scorer.temperature, logSumExp: logSumExp))
                }
            }
            var profileScore: Float = 0
            if let profile = scorer.profile {
                profileScore = z.withUnsafeMutableBufferPointer { profile.score(logits: $0, best: best, entropy: entropy) }
            }
            predicted.append(best)
            confidence.append(p[best])
            abstainScores.append(scorer.score(AbstainEvidence(
                top1: p[best], top2: second >= 0 ? p[second] : 0, logit1: z[best], logSumExp: logSumExp,
                top3: third >= 0 ? p[third] : 0, entropy: entropy, profile: profileScore)))
        }
    }
}
