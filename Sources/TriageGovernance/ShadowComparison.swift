import TriageCore

/// What a reviewer tolerates from a candidate model or policy replayed in shadow.
public struct ShadowThresholds: Sendable, Hashable {
    /// Largest fraction of joined tickets whose decision, queue or reasons may change.
    public var maxChangedFraction: Double
    /// Largest increase (shadow − live, absolute) of the overall handoff rate.
    public var maxHandoffRateIncrease: Double
    /// Largest drop of any cohort's impact ratio (handoff or automation rate, as in the
    /// governance report) from live to shadow.
    public var maxDisparityIncrease: Double

    public init(maxChangedFraction: Double = 0.2, maxHandoffRateIncrease: Double = 0.05,
                maxDisparityIncrease: Double = 0.1)
    {
        self.maxChangedFraction = maxChangedFraction
        self.maxHandoffRateIncrease = maxHandoffRateIncrease
        self.maxDisparityIncrease = maxDisparityIncrease
    }
}

/// The comparison of a live audit trail with a shadow one (the same tickets decided by a
/// candidate), joined by ticket id. Pure: no I/O. Holds ids only, never customer text.
public struct ShadowComparison: Sendable {
    /// A (from → to) change of one field, with a few examples.
    public struct Change: Sendable, Hashable {
        public var field: String
        public var from: String
        public var to: String
        public var count: Int
        /// Up to `exampleLimit` (ticket id, live decision id, shadow decision id).
        public var examples: [Example]
    }

    public struct Example: Sendable, Hashable {
        public var ticketID: String
        public var liveDecisionID: String
        public var shadowDecisionID: String
    }

    /// A cohort rate (handoff or automation) of both trails, over the joined tickets.
    public struct CohortShift: Sendable, Hashable {
        public var attribute: String
        public var cohort: String
        public var metric: FairnessMetric
        public var liveRate: Double?
        public var shadowRate: Double?
        public var liveImpactRatio: Double?
        public var shadowImpactRatio: Double?
        public var liveAlert: Bool
        public var shadowAlert: Bool

        /// How much the impact ratio fell from live to shadow (positive: more disparity).
        public var disparityIncrease: Double? {
            guard let l = liveImpactRatio, let s = shadowImpactRatio else { return nil }
            return l - s
        }
    }

    public static let exampleLimit = 3
    /// The governance metrics compared per cohort.
    public static let metrics: [FairnessMetric] = [.handoff, .automation]

    public var liveRecords: Int
    public var shadowRecords: Int
    /// Records without a ticket id, per side (not joined).
    public var liveWithoutTicket: Int
    public var shadowWithoutTicket: Int
    public var joined: Int
    public var onlyLive: Int
    public var onlyShadow: Int
    /// Joined tickets with any change of decision, queue or reasons.
    public var changedTickets: Int
    public var changes: [Change]
    public var live: FairnessWindow
    public var shadow: FairnessWindow
    public var cohortShifts: [CohortShift]
    public var thresholds: ShadowThresholds
    /// Why the candidate is worse; empty when it passes.
    public var failures: [String]

    public var passes: Bool { failures.isEmpty }
    /// Joined tickets over the tickets of either trail.
    public var joinRate: Double {
        let all = joined + onlyLive + onlyShadow
        return all > 0 ? Double(joined) / Double(all) : 1
    }
    public var changedFraction: Double { joined > 0 ? Double(changedTickets) / Double(joined) : 0 }

    /// Joins `live` and `shadow` by ticket id (the latest decision of a ticket counts, as a
    /// requeue decides again), counts changes and computes the governance statistics of both
    /// over the joined tickets.
    public init(live liveEvents: [DecisionEvent], shadow shadowEvents: [DecisionEvent],
                config: FairnessConfig = FairnessConfig(), thresholds: ShadowThresholds = ShadowThresholds())
    {
        let (liveByTicket, liveMissing) = Self.byTicket(liveEvents)
        let (shadowByTicket, shadowMissing) = Self.byTicket(shadowEvents)
        liveRecords = liveEvents.count
        shadowRecords = shadowEvents.count
        liveWithoutTicket = liveMissing
        shadowWithoutTicket = shadowMissing
        let common = liveByTicket.keys.filter { shadowByTicket[$0] != nil }.sorted()
        joined = common.count
        onlyLive = liveByTicket.count - common.count
        onlyShadow = shadowByTicket.count - common.count

        var counts: [[String]: (count: Int, examples: [Example])] = [:]
        var changed = 0
        for ticket in common {
            let l = liveByTicket[ticket]!, s = shadowByTicket[ticket]!
            let pairs = [("decision", l.decision.rawValue, s.decision.rawValue), ("queue", l.queue, s.queue),
                         ("reasons", l.reasons.joined(separator: ","), s.reasons.joined(separator: ","))]
            var any = false
            for (field, from, to) in pairs where from != to {
                any = true
                var entry = counts[[field, from, to]] ?? (0, [])
                entry.count += 1
                if entry.examples.count < Self.exampleLimit {
                    entry.examples.append(Example(ticketID: ticket, liveDecisionID: l.decisionID, shadowDecisionID: s.decisionID))
                }
                counts[[field, from, to]] = entry
            }
            if any { changed += 1 }
        }
        changedTickets = changed
        changes = counts.map { Change(field: $0.key[0], from: $0.key[1], to: $0.key[2], count: $0.value.count, examples: $0.value.examples) }
            .sorted { ($0.field, -$0.count, $0.from, $0.to) < ($1.field, -$1.count, $1.from, $1.to) }

        live = FairnessWindow.whole(common.map { liveByTicket[$0]! }, config: config)
        shadow = FairnessWindow.whole(common.map { shadowByTicket[$0]! }, config: config)
        cohortShifts = Self.shifts(live: live, shadow: shadow)
        self.thresholds = thresholds
        failures = []
        failures = verdict()
    }

    private static func byTicket(_ events: [DecisionEvent]) -> ([String: DecisionEvent], Int) {
        var result: [String: DecisionEvent] = [:]
        var missing = 0
        for e in events {
            guard let ticket = e.ticketID, !ticket.isEmpty else {
                missing += 1
                continue
            }
            if let old = result[ticket], (old.decisionTimeMs, old.decisionID) > (e.decisionTimeMs, e.decisionID) { continue }
            result[ticket] = e
        }
        return (result, missing)
    }

    private static func shifts(live: FairnessWindow, shadow: FairnessWindow) -> [CohortShift] {
        var result: [CohortShift] = []
        for (index, liveAttribute) in live.attributes.enumerated() {
            let shadowAttribute = shadow.attributes[index]
            let values = Set(liveAttribute.cohorts.map(\.value)).union(shadowAttribute.cohorts.map(\.value)).sorted()
            for metric in metrics {
                for value in values {
                    func find(_ a: AttributeStatistics) -> (Double?, CohortComparison?) {
                        (a.cohorts.first { $0.value == value }?.rates[metric]?.rate,
                         a.comparisons.first { $0.cohort == value && $0.metric == metric })
                    }
                    let (lr, lc) = find(liveAttribute), (sr, sc) = find(shadowAttribute)
                    guard lr != nil || sr != nil else { continue }
                    result.append(CohortShift(
                        attribute: liveAttribute.attribute, cohort: value, metric: metric, liveRate: lr, shadowRate: sr,
                        liveImpactRatio: lc?.impactRatio, shadowImpactRatio: sc?.impactRatio,
                        liveAlert: lc?.alert ?? false, shadowAlert: sc?.alert ?? false))
                }
            }
        }
        return result
    }

    private func verdict() -> [String] {
        var reasons: [String] = []
        if changedFraction > thresholds.maxChangedFraction {
            reasons.append("changed fraction \(Self.percent(changedFraction)) of \(joined) joined tickets is over --max-changed-fraction \(Self.percent(thresholds.maxChangedFraction))")
        }
        if let l = live.overall.rates[.handoff]?.rate, let s = shadow.overall.rates[.handoff]?.rate,
           s - l > thresholds.maxHandoffRateIncrease
        {
            reasons.append("handoff rate rises from \(Self.percent(l)) to \(Self.percent(s)), over --max-handoff-rate-increase \(Self.percent(thresholds.maxHandoffRateIncrease))")
        }
        for shift in cohortShifts {
            let name = "\(shift.attribute)=\(shift.cohort) \(shift.metric.rawValue) rate"
            if shift.shadowAlert && !shift.liveAlert {
                reasons.append("candidate introduces a disparity: \(name) \(Self.rates(shift)) (governance alert in shadow, none live)")
            } else if let increase = shift.disparityIncrease, increase > thresholds.maxDisparityIncrease {
                reasons.append("disparity grows: \(name) impact ratio \(Self.fixed(shift.liveImpactRatio!)) → \(Self.fixed(shift.shadowImpactRatio!)), over --max-disparity-increase \(Self.fixed(thresholds.maxDisparityIncrease))")
            }
        }
        return reasons
    }

    /// Cohorts whose governance alert the candidate removes.
    public var removedDisparities: [CohortShift] { cohortShifts.filter { $0.liveAlert && !$0.shadowAlert } }

    static func rates(_ s: CohortShift) -> String {
        "\(s.liveRate.map(percent) ?? "–") → \(s.shadowRate.map(percent) ?? "–")"
    }

    public static func percent(_ x: Double) -> String { fixed(x * 100, digits: 1) + "%" }

    public static func fixed(_ x: Double, digits: Int = 2) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        var s = "\(r)"
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        } else {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }
}
