/// Counts of one window (or of a whole report range), per configured attribute and cohort.
struct WindowAccumulator: Sendable {
    /// What the misroute join needs to know about a counted decision.
    struct DecisionRef: Sendable {
        /// The decision's cohort value for each configured attribute, in config order.
        var cohorts: [String]
        /// Routed or automated (the misroute denominator).
        var servedByQueue: Bool
        var requeued = false
    }

    var startMs: Int64
    var endMs: Int64
    let attributes: [String]
    var overall = CohortCounts()
    /// Per attribute (config order): cohort value → counts.
    var cohorts: [[String: CohortCounts]]
    var decisions: [String: DecisionRef] = [:]
    var duplicates = 0
    var resolutions = 0
    var requeued = 0
    var modelVersions: Set<String> = []
    var policyVersions: Set<String> = []

    init(startMs: Int64, endMs: Int64, attributes: [String]) {
        self.startMs = startMs
        self.endMs = endMs
        self.attributes = attributes
        cohorts = Array(repeating: [:], count: attributes.count)
    }

    private func values(_ cohort: [String: String]) -> [String] {
        attributes.map { cohort[$0] ?? FairnessConfig.unknownCohort }
    }

    /// Counts a decision; false (and counted as a duplicate) when its id was already counted.
    @discardableResult
    mutating func add(_ e: DecisionEvent) -> Bool {
        guard decisions[e.decisionID] == nil else {
            duplicates += 1
            return false
        }
        let values = values(e.cohort)
        decisions[e.decisionID] = DecisionRef(cohorts: values, servedByQueue: e.decision != .handoff)
        overall.add(e)
        for (i, value) in values.enumerated() { cohorts[i][value, default: CohortCounts()].add(e) }
        if let v = e.modelVersion { modelVersions.insert(v) }
        if let v = e.policyVersion { policyVersions.insert(v) }
        return true
    }

    mutating func add(_ r: CommitmentResolution) {
        resolutions += 1
        overall.add(r)
        for (i, value) in values(r.cohort).enumerated() { cohorts[i][value, default: CohortCounts()].add(r) }
    }

    /// Marks a counted decision as requeued (once). False when the decision is not in this window.
    @discardableResult
    mutating func requeue(_ decisionID: String) -> Bool {
        guard var ref = decisions[decisionID] else { return false }
        if ref.requeued { return true }
        ref.requeued = true
        decisions[decisionID] = ref
        requeued += 1
        if ref.servedByQueue {
            overall.misrouted += 1
            for (i, value) in ref.cohorts.enumerated() { cohorts[i][value, default: CohortCounts()].misrouted += 1 }
        }
        return true
    }
}
