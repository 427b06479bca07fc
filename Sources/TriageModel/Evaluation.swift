import Foundation

/// Precision, recall and F1 of one label.
public struct LabelMetrics: Sendable, Codable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int
}

/// A pair of labels the model mixes up: `count` tickets of `actual` predicted as `predicted`.
public struct ConfusedPair: Sendable, Codable, Equatable {
    public var actual: String
    public var predicted: String
    public var count: Int
}

/// Quality of a model on labelled tickets.
public struct EvaluationReport: Sendable, Codable {
    public var examples: Int
    public var accuracy: Double
    public var macroF1: Double
    public var perLabel: [LabelMetrics]
    public var mostConfused: [ConfusedPair]
    /// Expected calibration error of the top-1 probability, 15 equal-width bins.
    public var ece: Double
    public var abstainRate: Double
    /// Accuracy on the tickets the model did not abstain on.
    public var accuracyWhenConfident: Double
    /// Tickets featurised and predicted per second, one at a time on one thread.
    public var ticketsPerSecond: Double?
}

public enum Evaluation {
    /// Scores `examples` with `classifier`; with `measureThroughput`, also times prediction
    /// over the texts for at least `throughputSeconds`.
    public static func evaluate(
        _ classifier: TextClassifier, on examples: [LabeledText],
        measureThroughput: Bool = false, throughputSeconds: Double = 1
    ) -> EvaluationReport {
        var labels = classifier.labels
        var labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var actual: [Int] = [], predicted: [Int] = [], confidence: [Float] = [], abstained: [Bool] = []
        let predictor = classifier.makePredictor()
        for example in examples {
            if labelIndex[example.label] == nil {
                labelIndex[example.label] = labels.count
                labels.append(example.label)
            }
            let scored = predictor.score(example.text)
            actual.append(labelIndex[example.label]!)
            predicted.append(scored.best)
            confidence.append(scored.top1)
            abstained.append(scored.abstain)
        }
        var report = summarize(actual: actual, predicted: predicted, confidence: confidence, abstained: abstained, labels: labels)
        if measureThroughput && !examples.isEmpty {
            report.ticketsPerSecond = throughput(classifier, texts: examples.map(\.text), seconds: throughputSeconds)
        }
        return report
    }

    /// Tickets per second through `Predictor.predict` (featurise, score, calibrate, top-3, abstain).
    public static func throughput(_ classifier: TextClassifier, texts: [String], seconds: Double) -> Double {
        let predictor = classifier.makePredictor()
        var done = 0
        var checksum = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            for text in texts { checksum += predictor.predict(text).probability }
            done += texts.count
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        precondition(checksum.isFinite)
        return Double(done) / elapsed
    }

    static func summarize(actual: [Int], predicted: [Int], confidence: [Float], abstained: [Bool], labels: [String]) -> EvaluationReport {
        let n = actual.count, l = labels.count
        var truePositive = [Int](repeating: 0, count: l), predictedCount = truePositive, support = truePositive
        var confusion: [Int: Int] = [:]
        var correct = 0, kept = 0, keptCorrect = 0
        for i in 0..<n {
            support[actual[i]] += 1
            predictedCount[predicted[i]] += 1
            if actual[i] == predicted[i] { truePositive[actual[i]] += 1; correct += 1 } else { confusion[actual[i] * l + predicted[i], default: 0] += 1 }
            if !abstained[i] { kept += 1; if actual[i] == predicted[i] { keptCorrect += 1 } }
        }
        var perLabel: [LabelMetrics] = []
        var f1Sum = 0.0, f1Count = 0
        for j in 0..<l where support[j] > 0 || predictedCount[j] > 0 {
            let precision = predictedCount[j] == 0 ? 0 : Double(truePositive[j]) / Double(predictedCount[j])
            let recall = support[j] == 0 ? 0 : Double(truePositive[j]) / Double(support[j])
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            perLabel.append(LabelMetrics(label: labels[j], precision: precision, recall: recall, f1: f1, support: support[j]))
            f1Sum += f1; f1Count += 1
        }
        let pairs = confusion.map { ConfusedPair(actual: labels[$0.key / l], predicted: labels[$0.key % l], count: $0.value) }
            .sorted { ($0.count, $1.actual, $1.predicted) > ($1.count, $0.actual, $0.predicted) }
        let isCorrect = (0..<n).map { actual[$0] == predicted[$0] }
        return EvaluationReport(
            examples: n,
            accuracy: n == 0 ? 0 : Double(correct) / Double(n),
            macroF1: f1Count == 0 ? 0 : f1Sum / Double(f1Count),
            perLabel: perLabel,
            mostConfused: Array(pairs.prefix(10)),
            ece: expectedCalibrationError(confidence: confidence, correct: isCorrect),
            abstainRate: n == 0 ? 0 : Double(n - kept) / Double(n),
            accuracyWhenConfident: kept == 0 ? 0 : Double(keptCorrect) / Double(kept),
            ticketsPerSecond: nil)
    }

    /// ECE: the support-weighted mean |accuracy − confidence| over equal-width confidence bins.
    public static func expectedCalibrationError(confidence: [Float], correct: [Bool], bins: Int = 15) -> Double {
        guard !confidence.isEmpty else { return 0 }
        var count = [Int](repeating: 0, count: bins)
        var confidenceSum = [Double](repeating: 0, count: bins), correctSum = confidenceSum
        for (c, ok) in zip(confidence, correct) {
            let bin = min(bins - 1, max(0, Int((Double(c) * Double(bins)).rounded(.up)) - 1))
            count[bin] += 1
            confidenceSum[bin] += Double(c)
            if ok { correctSum[bin] += 1 }
        }
        var ece = 0.0
        for b in 0..<bins where count[b] > 0 {
            ece += abs(correctSum[b] - confidenceSum[b]) / Double(confidence.count)
        }
        return ece
    }
}
