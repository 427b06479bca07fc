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
    /// Every buffer in one stored property: a prediction pays one exclusivity check for them.
    private var scratch: Scratch

    private struct Scratch {
        var features = FeatureBuffer()
        var vector = SparseVector()
        var logits: [Float]
        var probabilities: [Float]
    }

    init(classifier: TextClassifier) {
        self.classifier = classifier
        let zeros = [Float](repeating: 0, count: classifier.labels.count)
        scratch = Scratch(logits: zeros, probabilities: zeros)
    }

    /// The top `topK` labels with calibrated probabilities and the abstain verdict.
    public func predict(_ text: String, topK: Int = 3) -> Prediction {
        var top: [LabelProbability] = []
        top.reserveCapacity(max(1, min(topK, classifier.labels.count)))
        let p = predict(subject: nil, body: text, topK: topK) { top.append(LabelProbability(label: $0, probability: $1)) }
        return Prediction(label: p.label, probability: p.probability, top: top, margin: p.margin,
                          abstainScore: p.abstainScore, abstain: p.abstain)
    }

    /// `predict(subject + "\n" + body)` (`predict(body)` when `subject` is nil or empty), without
    /// joining the strings. The top `max(1, min(topK, labels))` labels, most likely first, go
    /// to `top` one by one, so a caller with a type of its own for them builds one array, not two.
    public func predict(
        subject: String?, body: String, topK: Int = 3, top: (_ label: String, _ probability: Double) -> Void
    ) -> (label: String, probability: Double, margin: Double, abstainScore: Double, abstain: Bool) {
        let scored = score(head: subject, body)
        let labels = classifier.labels
        let k = max(1, min(topK, labels.count))
        if k <= 3 {
            // The scoring pass already found the top three (ties: lower index first, as below).
            top(labels[scored.best], Double(scored.top1))
            if k >= 2 { top(labels[scored.second], Double(scored.top2)) }
            if k >= 3 { top(labels[scored.third], Double(scored.top3)) }
        } else {
            scratch.probabilities.withUnsafeBufferPointer { p in
            // k scans, each taking the best label ranked below the previous one: no scratch allocation.
            var lastP = Float.infinity, lastJ = -1
            for _ in 0..<k {
                var best = -1
                for j in 0..<p.count {
                    let pj = p[j]
                    let below = pj < lastP || (pj == lastP && j > lastJ)
                    if below && (best < 0 || pj > p[best]) { best = j }
                }
                top(labels[best], Double(p[best]))
                lastP = p[best]; lastJ = best
            }
            }
        }
        return (labels[scored.best], Double(scored.top1), Double(scored.top1 - scored.top2),
                Double(scored.abstainScore), scored.abstain)
    }

    /// The allocation-free core: featurise, score, calibrate, and decide.
    /// The calibrated probabilities stay in the predictor until the next call.
    @inline(__always)
    func score(head: String? = nil, _ text: String, allEvidence: Bool = false) -> (best: Int, second: Int, third: Int, top1: Float, top2: Float, top3: Float, abstainScore: Float, abstain: Bool, evidence: AbstainEvidence) {
        Self.score(head: head, text, classifier: classifier, allEvidence: allEvidence, scratch: &scratch)
    }

    @inline(__always)
    private static func score(head: String?, _ text: String, classifier c: TextClassifier, allEvidence: Bool, scratch: inout Scratch) -> (best: Int, second: Int, third: Int, top1: Float, top2: Float, top3: Float, abstainScore: Float, abstain: Bool, evidence: AbstainEvidence) {
        // Featurise, look up the model rows and their IDF weights in one pass, then normalise
        // (FeatureIndex.vectorize, fused).
        let sums = c.featurizer.extractRows(head: head, text, index: c.index, features: &scratch.features, into: &scratch.vector)
        c.index.normalise(&scratch.vector, sums: sums, settings: c.featurizer.settings)
        return decide(scratch.vector, classifier: c, allEvidence: allEvidence, logits: &scratch.logits, probabilities: &scratch.probabilities)
    }

    @inline(__always)
    private static func decide(_ vector: SparseVector, classifier c: TextClassifier, allEvidence: Bool, logits: inout [Float], probabilities: inout [Float]) -> (best: Int, second: Int, third: Int, top1: Float, top2: Float, top3: Float, abstainScore: Float, abstain: Bool, evidence: AbstainEvidence) {
        logits.withUnsafeMutableBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                c.model.logits(vector, into: z)
                let logSumExp = softmax(z, temperature: c.temperature, into: p)
                let (best, second, third) = topThree(p)
                let top1 = p[best], top2 = second >= 0 ? p[second] : 0, top3 = third >= 0 ? p[third] : 0
                var evidence = AbstainEvidence(top1: top1, top2: top2, logit1: z[best], logSumExp: logSumExp, top3: top3)
                if allEvidence || c.scorer.method == .entropy || c.scorer.method == .classProfile {
                    evidence.entropy = entropyOf(p, logits: z, temperature: c.temperature, logSumExp: logSumExp)
                    if let profile = c.scorer.profile { evidence.profile = profile.score(logits: z, best: best, entropy: evidence.entropy) }
                }
                let s = c.scorer.score(evidence)
                return (best, second, third, top1, top2, top3, s, s > c.abstainThreshold, evidence)
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
