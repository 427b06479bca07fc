import TriageAudit

extension GovernanceReport {
    private static func cell(_ text: String) -> String {
        HTML.escape(text).replacingOccurrences(of: "|", with: "\\|")
    }

    /// A short Markdown summary: key figures, alerts and what was suppressed.
    public func markdown() -> String {
        let c = Self.cell
        var m = "# \(c(title))\n\n"
        m += "- Range: \(UTCTime.rfc3339(millis: overall.startMs)) to \(UTCTime.rfc3339(millis: overall.endMs)) (\(windows.count) windows of \(HTML.duration(config.windowLengthMs)))\n"
        m += "- Generated: \(UTCTime.rfc3339(millis: generatedAtMs))\n"
        m += "- Decisions: \(overall.records) (\(overall.duplicatesDropped) duplicates dropped); commitment resolutions: \(overall.commitmentResolutions); requeued: \(overall.requeued)\n"
        m += "- Model versions: \(overall.modelVersions.map { "`\(c($0))`" }.joined(separator: ", "))\n"
        m += "- Policy versions: \(overall.policyVersions.map { "`\(c($0))`" }.joined(separator: ", "))\n"
        m += "- Statistics: pooled two-proportion z test per cohort vs the rest, \(config.correction == .holm ? "Holm–Bonferroni" : "Benjamini–Hochberg") per window, alpha \(HTML.fixed(config.alpha, digits: 3)), band \(HTML.fixed(config.band, digits: 2)), min_n \(config.minN)\n\n"

        m += "## Key figures (whole range)\n\n| metric | rate | 95% CI | count / denominator |\n|---|---:|---:|---:|\n"
        for metric in FairnessMetric.allCases {
            if let r = overall.overall.rate(metric) {
                m += "| \(metric.title) | \(HTML.percent(r.rate)) | \(HTML.percent(r.interval.low)) – \(HTML.percent(r.interval.high)) | \(r.count) / \(r.denominator) |\n"
            } else {
                m += "| \(metric.title) | – | – | no data |\n"
            }
        }
        m += "\n## Alerts\n\n"
        let rows = overall.alerts.map { (label: "whole range", alert: $0) }
            + windowAlerts.map { (label: UTCTime.rfc3339(millis: $0.window.startMs), alert: $0.alert) }
        if rows.isEmpty {
            m += "None: no disparity is both significant after correction and outside the band.\n"
        } else {
            m += "| window | attribute | cohort | metric | rate | rest | impact ratio | best-off | p (adjusted) |\n|---|---|---|---|---:|---:|---:|---|---:|\n"
            for row in rows {
                let a = row.alert
                m += "| \(row.label) | \(c(a.attribute)) | \(c(a.cohort)) | \(a.metric.title) | \(HTML.percent(a.rate)) | \(HTML.percent(a.restRate)) | \(HTML.fixed(a.impactRatio, digits: 2)) | \(c(a.bestOff)) | \(HTML.pValue(a.adjustedPValue)) |\n"
            }
        }
        m += "\n## Suppressed (fewer than \(config.minN) decisions in the whole range)\n\n"
        var any = false
        for a in overall.attributes {
            let suppressed = a.cohorts.filter(\.suppressed).map(\.value)
            if !suppressed.isEmpty {
                any = true
                m += "- \(c(a.attribute)): \(suppressed.map(c).joined(separator: ", "))\n"
            }
        }
        if !any { m += "Nothing.\n" }
        let windowSuppressions = windows.reduce(0) { n, w in n + w.attributes.reduce(0) { $0 + $1.cohorts.filter(\.suppressed).count } }
        m += "\nIn the windows, \(windowSuppressions) cohort figures were suppressed in total.\n"
        return m
    }
}
