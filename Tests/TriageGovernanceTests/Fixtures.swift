import TriageCore
@testable import TriageGovernance

let hour: Int64 = 3_600_000
let t0: Int64 = 1_795_000_000_000 - 1_795_000_000_000 % 3_600_000  // on an hour boundary

/// Builds decisions with running ids.
struct EventFactory {
    var next = 0

    mutating func event(_ kind: DecisionEvent.Kind, cohort: [String: String], at time: Int64 = t0 + 1000,
                        reasons: [String]? = nil, abstain: Bool = false, confidence: Double = 0.9,
                        eventTime: Int64? = nil) -> DecisionEvent
    {
        next += 1
        let defaultReasons = kind == .handoff ? ["low_confidence"] : ["routed_by_label"]
        return DecisionEvent(decisionID: "d-\(next)", decisionTimeMs: time, eventTimeMs: eventTime, decision: kind,
                             queue: "cards", reasons: reasons ?? defaultReasons, abstain: abstain,
                             confidence: confidence, cohort: cohort, latencyMicros: 500,
                             modelVersion: "m-1", policyVersion: "p-1")
    }

    /// `n` decisions of which `handoffs` are handoffs and the rest routed.
    mutating func batch(n: Int, handoffs: Int, cohort: [String: String], at time: Int64 = t0 + 1000) -> [DecisionEvent] {
        (0..<n).map { i in event(i < handoffs ? .handoff : .route, cohort: cohort, at: time) }
    }
}

func monitorWindows(_ events: [DecisionEvent], resolutions: [CommitmentResolution] = [],
                    feedback: [FeedbackEvent] = [], config: FairnessConfig) -> [FairnessWindow]
{
    var monitor = FairnessMonitor(config: config)
    for f in feedback { monitor.add(f) }
    for e in events { monitor.add(e) }
    for r in resolutions { monitor.add(r) }
    return monitor.closeAllWindows()
}
