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
}

/// Computes abstain scores and picks the threshold on validation data.
struct AbstainScorer: Sendable {
    let method: AbstainMethod
    let temperature: Float

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
