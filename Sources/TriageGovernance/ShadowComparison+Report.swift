import TriageCore

// MARK: - Text and JSON for `triage compare` (ids and statistics only, no customer text)

extension ShadowComparison {
    /// Lines for people.
    public func textLines() -> [String] {
        var lines: [String] = []
        lines.append("live: \(liveRecords) records, shadow: \(shadowRecords) records; joined \(joined) tickets by ticket id (join rate \(Self.percent(joinRate)))")
        lines.append("only in live: \(onlyLive), only in shadow: \(onlyShadow); without ticket id: live \(liveWithoutTicket), shadow \(shadowWithoutTicket); not valid audit records (skipped): live \(liveSkipped), shadow \(shadowSkipped)")
        lines.append("changed: \(changedTickets) of \(joined) joined tickets (\(Self.percent(changedFraction)))")
        for c in changes {
            // A decision id derives from the ticket's topic, partition and offset: one id when both read the same record.
            let examples = c.examples.map { e in
                e.liveDecisionID == e.shadowDecisionID ? "\(e.ticketID) (\(e.liveDecisionID))" : "\(e.ticketID) (\(e.liveDecisionID) → \(e.shadowDecisionID))"
            }.joined(separator: ", ")
            lines.append("  \(c.field): \(Self.shown(c.from)) → \(Self.shown(c.to)): \(c.count)  e.g. \(examples)")
        }
        for metric in Self.metrics {
            let l = live.overall.rates[metric]?.rate, s = shadow.overall.rates[metric]?.rate
            lines.append("\(metric.rawValue) rate: live \(l.map(Self.percent) ?? "–"), shadow \(s.map(Self.percent) ?? "–")")
        }
        lines.append("per cohort (over joined tickets; cohorts under --min-n suppressed):")
        for s in cohortShifts {
            let ratios = "impact ratio \(s.liveImpactRatio.map { Self.fixed($0) } ?? "–") → \(s.shadowImpactRatio.map { Self.fixed($0) } ?? "–")"
            let alert = s.shadowAlert && !s.liveAlert ? "  ALERT in shadow" : s.liveAlert && !s.shadowAlert ? "  alert removed" : s.liveAlert ? "  alert in both" : ""
            lines.append("  \(s.attribute)=\(s.cohort) \(s.metric.rawValue): \(Self.rates(s)), \(ratios)\(alert)")
        }
        if passes {
            lines.append("verdict: PASS (changed ≤ \(Self.percent(thresholds.maxChangedFraction)), handoff increase ≤ \(Self.percent(thresholds.maxHandoffRateIncrease)), impact-ratio drop ≤ \(Self.fixed(thresholds.maxDisparityIncrease)), no new governance alert)")
        } else {
            lines.append("verdict: WORSE")
            for f in failures { lines.append("  - \(f)") }
        }
        return lines
    }

    private static func shown(_ s: String) -> String { s.isEmpty ? "(none)" : s }

    /// One JSON object for machines.
    public func json() -> JSONValue {
        func obj(_ pairs: [(String, JSONValue)]) -> JSONValue {
            .object(JSONObject(pairs))
        }
        func num(_ x: Double?) -> JSONValue { x.map(JSONValue.double) ?? .null }
        return obj([
            ("verdict", .string(passes ? "pass" : "worse")),
            ("failures", .array(failures.map(JSONValue.string))),
            ("disparities_removed", .array(removedDisparities.map { .string("\($0.attribute)=\($0.cohort) \($0.metric.rawValue)") })),
            ("live_records", .int(Int64(liveRecords))), ("shadow_records", .int(Int64(shadowRecords))),
            ("joined", .int(Int64(joined))), ("only_live", .int(Int64(onlyLive))), ("only_shadow", .int(Int64(onlyShadow))),
            ("live_without_ticket", .int(Int64(liveWithoutTicket))), ("shadow_without_ticket", .int(Int64(shadowWithoutTicket))),
            ("live_skipped", .int(Int64(liveSkipped))), ("shadow_skipped", .int(Int64(shadowSkipped))),
            ("join_rate", .double(joinRate)), ("changed", .int(Int64(changedTickets))), ("changed_fraction", .double(changedFraction)),
            ("changes", .array(changes.map { c in
                obj([("field", .string(c.field)), ("from", .string(c.from)), ("to", .string(c.to)), ("count", .int(Int64(c.count))),
                     ("examples", .array(c.examples.map { e in
                         obj([("ticket_id", .string(e.ticketID)), ("live_decision_id", .string(e.liveDecisionID)),
                              ("shadow_decision_id", .string(e.shadowDecisionID))])
                     }))])
            })),
            ("rates", obj(Self.metrics.map { m in
                (m.rawValue, obj([("live", num(live.overall.rates[m]?.rate)), ("shadow", num(shadow.overall.rates[m]?.rate))]))
            })),
            ("cohorts", .array(cohortShifts.map { s in
                obj([("attribute", .string(s.attribute)), ("cohort", .string(s.cohort)), ("metric", .string(s.metric.rawValue)),
                     ("live_rate", num(s.liveRate)), ("shadow_rate", num(s.shadowRate)),
                     ("live_impact_ratio", num(s.liveImpactRatio)), ("shadow_impact_ratio", num(s.shadowImpactRatio)),
                     ("live_alert", .bool(s.liveAlert)), ("shadow_alert", .bool(s.shadowAlert))])
            })),
            ("thresholds", obj([("max_changed_fraction", .double(thresholds.maxChangedFraction)),
                                ("max_handoff_rate_increase", .double(thresholds.maxHandoffRateIncrease)),
                                ("max_disparity_increase", .double(thresholds.maxDisparityIncrease))])),
        ])
    }
}
