import Testing
import TriageCore
@testable import TriageGovernance

/// The monitor's false-alarm rate under the null, and its power on a real disparity.
@Suite("Calibration")
struct CalibrationTests {
    static let cohorts: [(String, [String])] = [
        ("language", ["en", "es", "fr", "de"]), ("channel", ["web", "chat", "email"]),
        ("region", ["north", "south", "east", "west"]), ("tier", ["basic", "plus", "gold"]),
        ("age_band", ["18-29", "30-44", "45-64", "65+"]),
    ]

    /// `n` decisions with a fixed base handoff rate and random cohort labels.
    static func controlRun(seed: UInt64, n: Int) -> ([DecisionEvent], [CommitmentResolution], [FeedbackEvent]) {
        var random = SeededRandom(seed: seed)
        var events: [DecisionEvent] = []
        var resolutions: [CommitmentResolution] = []
        var feedback: [FeedbackEvent] = []
        for i in 0..<n {
            var cohort: [String: String] = [:]
            for (attribute, values) in cohorts where !random.chance(0.02) { cohort[attribute] = random.pick(values) }
            let u = random.nextDouble()
            let kind: DecisionEvent.Kind = u < 0.2 ? .handoff : u < 0.5 ? .automate : .route
            let abstain = kind == .handoff && random.chance(0.3)
            let reasons = kind == .handoff ? (abstain ? ["model_abstained"] : random.chance(0.5) ? ["low_confidence"] : ["explicit_request"]) : ["routed_by_label"]
            let time = t0 + Int64(random.int(in: 0..<Int(hour)))
            let e = DecisionEvent(decisionID: "d-\(seed)-\(i)", decisionTimeMs: time, decision: kind, reasons: reasons,
                                  abstain: abstain, confidence: random.nextDouble(), cohort: cohort)
            events.append(e)
            if random.chance(0.3) {
                resolutions.append(CommitmentResolution(decisionID: e.decisionID, template: "callback_24h", cohort: cohort,
                                                        madeAtMs: time, dueAtMs: time, keptOnTime: random.chance(0.85)))
            }
            if kind != .handoff && random.chance(0.08) {
                feedback.append(FeedbackEvent(decisionID: e.decisionID, ticketID: "T", timeMs: time + 1))
            }
        }
        return (events, resolutions, feedback)
    }

    @Test("random cohort labels: at most 1 of 24 control runs raises an alert")
    func controlRuns() {
        let config = FairnessConfig(windowLengthMs: hour, minN: 100)
        var runsWithAlerts = 0
        var smallestP = 1.0
        for seed in 1...24 {
            let (events, resolutions, feedback) = Self.controlRun(seed: UInt64(seed), n: 5000)
            let windows = monitorWindows(events, resolutions: resolutions, feedback: feedback, config: config)
            #expect(windows.count == 1)
            if !windows[0].alerts.isEmpty { runsWithAlerts += 1 }
            #expect(windows[0].testCount > 50)
            for a in windows[0].attributes { for c in a.comparisons { smallestP = min(smallestP, c.adjustedPValue) } }
        }
        #expect(runsWithAlerts <= 1)
        #expect(smallestP > 0)
    }

    @Test("a real disparity (handoff 30% vs 20%, n ≈ 2,000 each) is flagged with p < 0.01")
    func seededDisparity() throws {
        var random = SeededRandom(seed: 42)
        var events: [DecisionEvent] = []
        for i in 0..<4000 {
            let cohort = random.chance(0.5) ? "A" : "B"
            let handoff = random.chance(cohort == "A" ? 0.30 : 0.20)
            events.append(DecisionEvent(decisionID: "d-\(i)", decisionTimeMs: t0 + Int64(i), decision: handoff ? .handoff : .route,
                                        reasons: handoff ? ["low_confidence"] : ["routed_by_label"], cohort: ["language": cohort]))
        }
        let w = try #require(monitorWindows(events, config: FairnessConfig(windowLengthMs: hour, attributes: ["language"])).first)
        let a = try #require(w.attribute("language")?.comparison("A", .handoff))
        #expect(a.adjustedPValue < 0.01)
        #expect(a.impactRatio < 0.8 && a.alert)
        #expect(w.alerts.contains { $0.cohort == "A" && $0.metric == .handoff })
        #expect(!w.alerts.contains { $0.cohort == "B" })
    }
}
