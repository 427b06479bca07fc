/// Running counts for one cohort (or for all records) in one window.
struct CohortCounts: Sendable, Hashable {
    struct Kept: Sendable, Hashable {
        var made = 0
        var kept = 0
    }

    var n = 0
    var automate = 0
    var route = 0
    var handoff = 0
    var abstain = 0
    var lowConfidence = 0
    var confidenceSum = 0.0
    var latencySum = 0
    var handoffReasons: [String: Int] = [:]
    /// decision_time − event_time of handoffs, ms.
    var timeToPerson: [Int64] = []
    var commitments = Kept()
    var commitmentsByTemplate: [String: Kept] = [:]
    var misrouted = 0

    static let lowConfidenceReasons: Set<String> = ["low_confidence", "low_margin"]

    mutating func add(_ e: DecisionEvent) {
        n += 1
        switch e.decision {
        case .automate: automate += 1
        case .route: route += 1
        case .handoff:
            handoff += 1
            for reason in Set(e.reasons) { handoffReasons[reason, default: 0] += 1 }
            if let eventTime = e.eventTimeMs { timeToPerson.append(e.decisionTimeMs - eventTime) }
        }
        if e.abstain { abstain += 1 }
        if e.reasons.contains(where: Self.lowConfidenceReasons.contains) { lowConfidence += 1 }
        confidenceSum += e.confidence
        latencySum += e.latencyMicros
    }

    mutating func add(_ r: CommitmentResolution) {
        commitments.made += 1
        if r.keptOnTime { commitments.kept += 1 }
        commitmentsByTemplate[r.template, default: Kept()].made += 1
        if r.keptOnTime { commitmentsByTemplate[r.template, default: Kept()].kept += 1 }
    }

    /// (numerator, denominator) of a metric.
    func fraction(_ metric: FairnessMetric) -> (Int, Int) {
        switch metric {
        case .handoff: return (handoff, n)
        case .automation: return (automate, n)
        case .abstain: return (abstain, n)
        case .lowConfidence: return (lowConfidence, n)
        case .sayToDo: return (commitments.kept, commitments.made)
        case .misroute: return (misrouted, route + automate)
        }
    }
}
