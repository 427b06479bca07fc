/// How the abstain score is computed from one prediction. Higher scores mean
/// "less sure": the ticket goes to a person when the score exceeds the threshold.
///
/// Measured on banking77 with 10 intents held out (docs/MODEL.md): the calibrated max
/// probability separates unseen intents best for this linear model; the logit-based
/// scores (energy, max logit) are much weaker here because inputs are L2-normalised.
public enum AbstainMethod: String, Codable, Sendable, CaseIterable {
    /// 1 − the top calibrated probability (the default).
    case maxProbability
    /// 1 − (top − second calibrated probability).
    case margin
    /// Negative free energy, −T·log Σ exp(z/T) (Liu et al., 2020).
    case energy
    /// Negative largest raw logit (Hendrycks et al., 2022).
    case maxLogit
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
