#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Classifies tickets one at a time with scratch buffers it reuses, so a prediction
/// allocates only its result. Not `Sendable`: make one per thread or task with
/// `TextClassifier.makePredictor()`.
public final class Predictor {
    public let classifier: TextClassifier
    private var features = FeatureBuffer()
    private var vector = SparseVector()
    private var logits: [Float]
    private var probabilities: [Float]

    init(classifier: TextClassifier) {
        self.classifier = classifier
        logits = [Float](repeating: 0, count: classifier.labels.count)
        probabilities = logits
    }

    /// The top `topK` labels with calibrated probabilities and the abstain verdict.
    public func predict(_ text: String, topK: Int = 3) -> Prediction {
        let scored = score(text)
        let labels = classifier.labels
        let k = max(1, min(topK, labels.count))
        var top: [LabelProbability] = []
        top.reserveCapacity(k)
        if k <= 3 {
            // The scoring pass already found the top three (ties: lower index first, as below).
            top.append(LabelProbability(label: labels[scored.best], probability: Double(probabilities[scored.best])))
            if k >= 2 { top.append(LabelProbability(label: labels[scored.second], probability: Double(probabilities[scored.second]))) }
            if k >= 3 { top.append(LabelProbability(label: labels[scored.third], probability: Double(probabilities[scored.third]))) }
        } else {
            probabilities.withUnsafeBufferPointer { p in
            // k scans, each taking the best label ranked below the previous one: no scratch allocation.
            var lastP = Float.infinity, lastJ = -1
            for _ in 0..<k {
                var best = -1
                for j in 0..<p.count {
                    let pj = p[j]
                    let below = pj < lastP || (pj == lastP && j > lastJ)
                    if below && (best < 0 || pj > p[best]) { best = j }
                }
                top.append(LabelProbability(label: labels[best], probability: Double(p[best])))
                lastP = p[best]; lastJ = best
            }
            }
        }
        return Prediction(
            label: labels[scored.best], probability: Double(scored.top1), top: top,
            margin: Double(scored.top1 - scored.top2), abstainScore: Double(scored.abstainScore),
            abstain: scored.abstain)
    }

    /// The allocation-free core: featurise, score, calibrate, and decide.
    /// The calibrated probabilities stay in the predictor until the next call.
    @inline(__always)
    func score(_ text: String, allEvidence: Bool = false) -> (best: Int, second: Int, third: Int, top1: Float, top2: Float, abstainScore: Float, abstain: Bool, evidence: AbstainEvidence) {
        let c = classifier
        c.featurizer.extract(text, into: &features)
        c.index.vectorize(features, settings: c.featurizer.settings, into: &vector)
        return logits.withUnsafeMutableBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                c.model.logits(vector, into: z)
                let logSumExp = softmax(z, temperature: c.temperature, into: p)
                let (best, second, third) = topThree(p)
                let top1 = p[best], top2 = second >= 0 ? p[second] : 0
                var evidence = AbstainEvidence(top1: top1, top2: top2, logit1: z[best], logSumExp: logSumExp,
                                               top3: third >= 0 ? p[third] : 0)
                if allEvidence || c.scorer.method == .entropy || c.scorer.method == .classProfile {
                    evidence.entropy = entropyOf(p, logits: z, temperature: c.temperature, logSumExp: logSumExp)
                    if let profile = c.scorer.profile { evidence.profile = profile.score(logits: z, best: best, entropy: evidence.entropy) }
                }
                let s = c.scorer.score(evidence)
                return (best, second, third, top1, top2, s, s > c.abstainThreshold, evidence)
            }
        }
    }

    /// The predicted label index, its probability, and every abstain method's score
    /// (for benchmarks comparing abstain rules).
    public func abstainScores(_ text: String) -> (labelIndex: Int, probability: Double, scores: [AbstainMethod: Double]) {
        let scored = score(text, allEvidence: true)
        var scores: [AbstainMethod: Double] = [:]
        for method in AbstainMethod.allCases {
            scores[method] = Double(AbstainScorer(method: method, temperature: classifier.temperature, profile: classifier.scorer.profile).score(scored.evidence))
        }
        return (scored.best, Double(scored.top1), scores)
    }
}
