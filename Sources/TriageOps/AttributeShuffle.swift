import TriageGovernance

/// **Benchmark control only** (`--randomize-attribute NAME --seed N`): replaces one cohort
/// attribute of every decision with a seeded random permutation of the values the decisions
/// had. The marginal distribution of the attribute is exactly preserved (same counts per value,
/// `unknown` included) while any link between the attribute and the outcome is destroyed, so a
/// monitor that alerts on the shuffled attribute raised a false alarm.
///
/// Because the policy never reads cohort attributes, shuffling the labels on the audit records
/// is equivalent to replaying the same tickets with random labels. Commitment resolutions whose
/// decision was read take the decision's new value; others keep theirs.
public struct AttributeShuffle: Sendable, Hashable {
    public var attribute: String
    public var seed: UInt64

    public init(attribute: String, seed: UInt64) {
        self.attribute = attribute
        self.seed = seed
    }

    public func apply(to input: inout GovernanceInput) {
        var values = input.decisions.map { $0.cohort[attribute] }
        var rng = SplitMix64(seed: seed)
        // Fisher–Yates, with an unbiased bounded draw.
        if values.count > 1 {
            for i in stride(from: values.count - 1, to: 0, by: -1) {
                let j = Int(rng.next(below: UInt64(i + 1)))
                values.swapAt(i, j)
            }
        }
        var byDecision: [String: String?] = [:]
        for i in input.decisions.indices {
            input.decisions[i].cohort[attribute] = values[i]
            byDecision[input.decisions[i].decisionID] = values[i]
        }
        for i in input.resolutions.indices {
            if let value = byDecision[input.resolutions[i].decisionID] { input.resolutions[i].cohort[attribute] = value }
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator, the same on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (Lemire's rejection method), bound > 0.
    public mutating func next(below bound: UInt64) -> UInt64 {
        let threshold = (0 &- bound) % bound
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= threshold { return high }
        }
    }
}
