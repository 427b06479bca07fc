import TriageCore
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
        var rng = SeededRandom(seed: seed)
        values.shuffle(using: &rng)  // Fisher–Yates with the standard library's unbiased draws
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
