import Testing
import TriageCore
@testable import TriageGovernance

/// A decision of ticket `ticket` with the given outcome and channel.
private func decision(_ ticket: String, _ kind: DecisionEvent.Kind, queue: String = "cards", channel: String = "email",
                      side: String = "l") -> DecisionEvent
{
    var e = DecisionEvent(decisionID: "\(side)-\(ticket)", decisionTimeMs: t0 + 1000, decision: kind, queue: queue,
                          reasons: kind == .handoff ? ["low_confidence"] : ["routed_by_label"], cohort: ["channel": channel])
    e.ticketID = ticket
    return e
}

private let channelOnly = FairnessConfig(attributes: ["channel"], minN: 20)

@Suite("Shadow comparison joins two audit trails by ticket id")
struct ShadowComparisonTests {
    @Test("an identical shadow trail passes with nothing changed")
    func identical() {
        let live = (0..<100).map { decision("t\($0)", $0 % 4 == 0 ? .handoff : .route, channel: $0 % 2 == 0 ? "email" : "chat") }
        let shadow = live.map { var e = $0; e.decisionID = "s-" + e.ticketID!; return e }
        let c = ShadowComparison(live: live, shadow: shadow, config: channelOnly)
        #expect(c.joined == 100)
        #expect(c.changedTickets == 0)
        #expect(c.changes.isEmpty)
        #expect(c.joinRate == 1)
        #expect(c.passes, "\(c.failures)")
    }

    @Test("changes are counted per (from → to) pair, with ids as examples")
    func changesCounted() throws {
        let live = (0..<10).map { decision("t\($0)", .route, queue: "cards") }
        var shadow = live.map { var e = $0; e.decisionID = "s-" + e.ticketID!; return e }
        for i in 0..<4 { shadow[i].queue = "fraud" }
        for i in 4..<6 {
            shadow[i].decision = .handoff
            shadow[i].queue = "human"
            shadow[i].reasons = ["low_confidence"]
        }
        let c = ShadowComparison(live: live, shadow: shadow, config: channelOnly, thresholds: ShadowThresholds(maxChangedFraction: 1, maxHandoffRateIncrease: 1, maxDisparityIncrease: 1))
        #expect(c.changedTickets == 6)
        let queue = try #require(c.changes.first { $0.field == "queue" && $0.to == "fraud" })
        #expect(queue.count == 4)
        #expect(queue.from == "cards")
        #expect(queue.examples.count == ShadowComparison.exampleLimit)
        #expect(queue.examples[0] == ShadowComparison.Example(ticketID: "t0", liveDecisionID: "l-t0", shadowDecisionID: "s-t0"))
        #expect(c.changes.first { $0.field == "decision" }.map { ($0.from, $0.to, $0.count) } ?? ("", "", 0) == ("route", "handoff", 2))
        #expect(c.changes.first { $0.field == "reasons" }?.count == 2)
        #expect(c.passes)
    }

    @Test("tickets in only one trail, and records without ticket id, are counted and not joined")
    func oneSided() {
        let live = (0..<8).map { decision("t\($0)", .route) }
        var shadow = (2..<10).map { decision("t\($0)", .route, side: "s") }
        shadow.append(DecisionEvent(decisionID: "no-ticket", decisionTimeMs: t0, decision: .route))
        let c = ShadowComparison(live: live, shadow: shadow, config: channelOnly)
        #expect(c.joined == 6)
        #expect(c.onlyLive == 2)
        #expect(c.onlyShadow == 2)
        #expect(c.shadowWithoutTicket == 1)
        #expect(abs(c.joinRate - 0.6) < 1e-12)
    }

    @Test("thresholds decide the verdict: changed fraction and handoff rate")
    func thresholds() {
        let live = (0..<100).map { decision("t\($0)", .route) }
        var shadow = live.map { var e = $0; e.decisionID = "s-" + e.ticketID!; return e }
        for i in 0..<10 { shadow[i].decision = .handoff }
        let strict = ShadowComparison(live: live, shadow: shadow, config: channelOnly,
                                      thresholds: ShadowThresholds(maxChangedFraction: 0.05, maxHandoffRateIncrease: 0.05, maxDisparityIncrease: 1))
        #expect(!strict.passes)
        #expect(strict.failures.count == 2)
        #expect(strict.failures.contains { $0.contains("--max-changed-fraction") })
        #expect(strict.failures.contains { $0.contains("--max-handoff-rate-increase") })
        let lenient = ShadowComparison(live: live, shadow: shadow, config: channelOnly,
                                       thresholds: ShadowThresholds(maxChangedFraction: 0.2, maxHandoffRateIncrease: 0.2, maxDisparityIncrease: 1))
        #expect(lenient.passes, "\(lenient.failures)")
    }

    @Test("a candidate that hands one cohort to people is worse and names the cohort")
    func disparityIntroduced() {
        let live = (0..<200).map { decision("t\($0)", $0 % 10 == 0 ? .handoff : .route, channel: $0 % 2 == 0 ? "email" : "chat") }
        let shadow = live.map { e -> DecisionEvent in
            var s = e
            s.decisionID = "s-" + e.ticketID!
            if e.cohort["channel"] == "chat", Int(e.ticketID!.dropFirst())! % 5 != 0 { s.decision = .handoff; s.queue = "human" }
            return s
        }
        let c = ShadowComparison(live: live, shadow: shadow, config: channelOnly,
                                 thresholds: ShadowThresholds(maxChangedFraction: 1, maxHandoffRateIncrease: 1, maxDisparityIncrease: 0.1))
        #expect(!c.passes)
        #expect(c.failures.contains { $0.contains("channel=chat handoff") && $0.contains("introduces a disparity") }, "\(c.failures)")
        #expect(c.cohortShifts.contains { $0.cohort == "chat" && $0.metric == .handoff && $0.shadowAlert && !$0.liveAlert })
        #expect(c.textLines().last(where: { $0.hasPrefix("verdict") }) == "verdict: WORSE")
        #expect(c.json()["verdict"]?.stringValue == "worse")
    }

    @Test("a candidate that removes a cohort's disparity passes and says which alert it removes")
    func disparityRemoved() {
        let live = (0..<200).map { i -> DecisionEvent in
            let chat = i % 2 == 1
            return decision("t\(i)", chat && i % 5 != 0 ? .handoff : .route, channel: chat ? "chat" : "email")
        }
        let shadow = live.map { e -> DecisionEvent in
            var s = e
            s.decisionID = "s-" + e.ticketID!
            s.decision = Int(e.ticketID!.dropFirst())! % 5 == 0 ? .handoff : .route  // 10% of each cohort
            return s
        }
        let c = ShadowComparison(live: live, shadow: shadow, config: channelOnly,
                                 thresholds: ShadowThresholds(maxChangedFraction: 1, maxHandoffRateIncrease: 0.05, maxDisparityIncrease: 0.1))
        #expect(c.passes, "\(c.failures)")
        #expect(c.removedDisparities.map { "\($0.cohort) \($0.metric.rawValue)" } == ["chat handoff"])
        #expect(c.textLines().contains { $0.contains("channel=chat handoff") && $0.hasSuffix("alert removed") })
        #expect(c.json()["disparities_removed"] == .array(["channel=chat handoff"]))
    }
}
