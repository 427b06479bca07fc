/// How the abstain score is computed from one prediction. Higher scores mean
/// "less sure": the ticket goes to a person when the score exceeds the threshold.
///
/// Measured on banking77 with 10 intents held out (docs/MODEL.md): the entropy of the
/// calibrated distribution (the default) flags unseen intents best for this linear model,
/// about 3 points more than the calibrated max probability at the same in-scope abstain rate;
/// the logit-based scores (energy, max logit) are much weaker here because inputs are L2-normalised.
public enum AbstainMethod: String, Codable, Sendable, CaseIterable {
    /// 1 − the top calibrated probability.
    case maxProbability
    /// 1 − (top − second calibrated probability).
    case margin
    /// Negative free energy, −T·log Σ exp(z/T) (Liu et al., 2020).
    case energy
    /// Negative largest raw logit (Hendrycks et al., 2022).
    case maxLogit
    /// 1 − (top + second calibrated probability): a ticket torn between two sibling labels
    /// counts as sure, one whose mass is spread wider does not.
    case topTwoMass
    /// 1 − the three largest calibrated probabilities.
    case topThreeMass
    /// Shannon entropy of the calibrated distribution (the default).
    case entropy
    /// Class-conditional: the entropy minus the predicted class's mean entropy on training data,
    /// plus a weight times (1 − cosine) between the ticket's mean-centred logit vector and the
    /// predicted class's mean one (its "prototype", from training data). An unseen intent often lands
    /// in a class with the right top label but the wrong profile over the other labels.
    /// Needs the `ClassProfile` stored in the header (77 × 77 floats for banking77).
    case classProfile
}

/// Per-class statistics of the training logits behind `AbstainMethod.classProfile`.
public struct ClassProfile: Codable, Sendable, Equatable {
    /// `labelCount × labelCount`, row c = unit-length mean of the mean-centred logit vectors of class c's examples.
    public var prototypes: [Float]
    /// Mean calibrated entropy of the examples predicted as each class.
    public var entropyMeans: [Float]
    /// Weight of (1 − cosine) against the centred entropy.
    public var weight: Float

    /// Fits prototypes and entropy means on `logits` (row-major, `labelCount` per example) of a model
    /// on its own training examples.
    static func fit(logits: [Float], labels: [Int], labelCount l: Int, temperature: Float, weight: Float) -> ClassProfile {
        let n = labels.count
        var prototypes = [Double](repeating: 0, count: l * l)
        var entropySums = [Double](repeating: 0, count: l), entropyCounts = [Int](repeating: 0, count: l)
        var totalEntropy = 0.0
        var z = [Float](repeating: 0, count: l), p = z
        for i in 0..<n {
            for j in 0..<l { z[j] = logits[i * l + j] }
            let mean = z.reduce(0, +) / Float(l)
            for j in 0..<l { prototypes[labels[i] * l + j] += Double(z[j] - mean) }
            let (best, h) = z.withUnsafeMutableBufferPointer { z in
                p.withUnsafeMutableBufferPointer { p in
                    let lse = softmax(z, temperature: temperature, into: p)
                    var best = 0
                    for j in 1..<l where p[j] > p[best] { best = j }
                    return (best, entropyOf(p, logits: z, temperature: temperature, logSumExp: lse))
                }
            }
            entropySums[best] += Double(h); entropyCounts[best] += 1; totalEntropy += Double(h)
        }
        var out = [Float](repeating: 0, count: l * l)
        for c in 0..<l {
            var norm = 0.0
            for j in 0..<l { norm += prototypes[c * l + j] * prototypes[c * l + j] }
            norm = norm.squareRoot()
            if norm > 0 { for j in 0..<l { out[c * l + j] = Float(prototypes[c * l + j] / norm) } }
        }
        let fallback = n > 0 ? totalEntropy / Double(n) : 0
        let means = (0..<l).map { Float(entropyCounts[$0] > 0 ? entropySums[$0] / Double(entropyCounts[$0]) : fallback) }
        return ClassProfile(prototypes: out, entropyMeans: means, weight: weight)
    }

    /// σ(centred entropy) / σ(1 − cosine) over the validation logits: the weight that gives both terms equal spread.
    func balancingScale(validationLogits logits: [Float], count: Int, temperature: Float) -> Float {
        let l = entropyMeans.count
        guard count > 1 else { return 1 }
        var a = [Double](), b = [Double]()
        var z = [Float](repeating: 0, count: l), p = z
        for i in 0..<count {
            for j in 0..<l { z[j] = logits[i * l + j] }
            let (x, y) = z.withUnsafeMutableBufferPointer { z in
                p.withUnsafeMutableBufferPointer { p in
                    let lse = softmax(z, temperature: temperature, into: p)
                    var best = 0
                    for j in 1..<l where p[j] > p[best] { best = j }
                    return parts(logits: z, best: best, entropy: entropyOf(p, logits: z, temperature: temperature, logSumExp: lse))
                }
            }
            a.append(Double(x)); b.append(Double(y))
        }
        func sd(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        let sb = sd(b)
        return sb > 0 ? Float(sd(a) / sb) : 1
    }

    /// (centred entropy, 1 − cosine to the predicted class's prototype); the score is `a + weight · b`.
    @inline(__always)
    func parts(logits z: UnsafeMutableBufferPointer<Float>, best: Int, entropy: Float) -> (Float, Float) {
        let l = z.count
        var sum: Float = 0, squares: Float = 0, dot: Float = 0
        prototypes.withUnsafeBufferPointer { proto in
            let row = proto.baseAddress! + best * l
            for j in 0..<l {
                let v = z[j]
                sum += v; squares += v * v; dot += v * row[j]
            }
        }
        // The prototype sums to zero, so the centred dot product equals the raw one.
        let centredSquares = max(squares - sum * sum / Float(l), 1e-12)
        return (entropy - entropyMeans[best], 1 - dot / centredSquares.squareRoot())
    }

    @inline(__always)
    func score(logits z: UnsafeMutableBufferPointer<Float>, best: Int, entropy: Float) -> Float {
        let (a, b) = parts(logits: z, best: best, entropy: entropy)
        return a + weight * b
    }
}

/// What one prediction offers as evidence for abstaining.
struct AbstainEvidence {
    /// Calibrated top-1 and top-2 probabilities.
    var top1: Float
    var top2: Float
    /// Raw top-1 logit.
    var logit1: Float
    /// log Σ exp(z / T).
    var logSumExp: Float
    /// Calibrated third probability.
    var top3: Float = 0
    /// Entropy of the calibrated distribution (only filled in when asked for).
    var entropy: Float = 0
    /// The `classProfile` score (only filled in when asked for).
    var profile: Float = 0
}

/// Computes abstain scores and picks the threshold on validation data.
struct AbstainScorer: Sendable {
    let method: AbstainMethod
    let temperature: Float
    var profile: ClassProfile? = nil

    @inline(__always)
    func score(_ e: AbstainEvidence) -> Float {
        switch method {
        case .maxProbability: return 1 - e.top1
        case .margin: return 1 - (e.top1 - e.top2)
        case .energy: return -temperature * e.logSumExp
        case .maxLogit: return -e.logit1
        case .topTwoMass: return 1 - (e.top1 + e.top2)
        case .topThreeMass: return 1 - (e.top1 + e.top2 + e.top3)
        case .entropy: return e.entropy
        case .classProfile: return e.profile
        }
    }

    /// The smallest threshold such that at most `budget` of `scores` exceed it.
    static func threshold(scores: [Float], budget: Double) -> Float {
        guard !scores.isEmpty else { return .infinity }
        let sorted = scores.sorted()
        let allowed = Int((budget * Double(sorted.count)).rounded(.down))
        if allowed <= 0 { return sorted[sorted.count - 1] }
        if allowed >= sorted.count { return -.infinity }
        return sorted[sorted.count - 1 - allowed]
    }
}

/// The top three entries of `p` (indices; -1 when there are fewer labels).
@inline(__always)
func topThree(_ p: UnsafeMutableBufferPointer<Float>) -> (Int, Int, Int) {
    var a = 0, b = -1, c = -1
    for j in 1..<p.count {
        let v = p[j]
        if v > p[a] { c = b; b = a; a = j } else if b < 0 || v > p[b] { c = b; b = j } else if c < 0 || v > p[c] { c = j }
    }
    return (a, b, c)
}

/// Entropy of `p` = softmax(z / T), from the logits without a logarithm per label:
/// −Σ p·log p = log Σ exp(z/T) − Σ p·z/T, one multiply-add per label.
@inline(__always)
func entropyOf(_ p: UnsafeMutableBufferPointer<Float>, logits z: UnsafeMutableBufferPointer<Float>, temperature: Float, logSumExp: Float) -> Float {
    var dot: Float = 0
    for j in 0..<p.count { dot += p[j] * z[j] }
    return max(0, logSumExp - dot / temperature)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
