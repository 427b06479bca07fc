import TriageAudit

extension GovernanceReport {
    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}
    main{max-width:1160px;margin:0 auto;padding:24px}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #d8dde6;padding-bottom:4px}
    h3{font-size:15px;margin:18px 0 8px}
    .meta{color:#4b5565}.meta b{color:#1d2330}
    .cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
    .card{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:8px 14px;min-width:120px}
    .card .v{font-size:20px;font-weight:600}.card .k{color:#4b5565;font-size:12px}
    .charts{display:flex;flex-wrap:wrap;gap:12px}
    .chart{background:#fff;border:1px solid #d8dde6;border-radius:6px}
    .ct{font-size:13px;font-weight:600;fill:#1d2330}.ax{font-size:11px;fill:#4b5565}.lg{font-size:11px;fill:#1d2330}
    .grid{stroke:#e6e9ef;stroke-width:1}.axis{stroke:#8a93a3;stroke-width:1}
    .err{stroke:#1d2330;stroke-width:1.2;fill:none}
    .ref{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:6 4}.reft{font-size:11px;fill:#c0392b;font-weight:600}
    .supp{fill:#eef0f3;stroke:#c9ced8;stroke-dasharray:3 3}.suppt{font-size:11px;fill:#6b7384;font-style:italic}
    .na{font-size:11px;fill:#9aa1ad}
    .band{fill:#3b6ea5;opacity:.15}.ln{stroke:#3b6ea5;stroke-width:2;fill:none}.pt{fill:#3b6ea5}.pt-alert{fill:#c0392b}
    table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px}
    th,td{border:1px solid #d8dde6;padding:4px 8px;text-align:right}th{background:#eef1f5}
    td.l,th.l{text-align:left}tr.suppressed td{color:#6b7384;font-style:italic;background:#f8f9fb}
    .alert{color:#c0392b;font-weight:600}.ok{color:#2e7d4f}
    .note{color:#4b5565;font-size:12px;max-width:1100px}
    """

    /// The report as one self-contained HTML page (inline CSS and SVG, no scripts, no external resources).
    public func html() -> String {
        let e = HTML.escape
        var h = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(e(title))</title><style>\(Self.css)</style></head><body><main>"
        h += "<h1>\(e(title))</h1>"
        h += "<p class=\"meta\">Range <b>\(e(UTCTime.rfc3339(millis: overall.startMs)))</b> to <b>\(e(UTCTime.rfc3339(millis: overall.endMs)))</b> · generated \(e(UTCTime.rfc3339(millis: generatedAtMs)))<br>"
        h += "Model versions: \(overall.modelVersions.isEmpty ? "–" : overall.modelVersions.map { "<code>\(e($0))</code>" }.joined(separator: ", "))<br>"
        h += "Policy versions: \(overall.policyVersions.isEmpty ? "–" : overall.policyVersions.map { "<code>\(e($0))</code>" }.joined(separator: ", "))<br>"
        h += "Windows of \(e(HTML.duration(config.windowLengthMs))) · min_n \(config.minN) · alpha \(e(HTML.fixed(config.alpha, digits: 3))) after \(config.correction == .holm ? "Holm–Bonferroni" : "Benjamini–Hochberg") · band: impact ratio ≥ \(e(HTML.fixed(config.band, digits: 2)))</p>"

        let alerts = windowAlerts
        h += "<div class=\"cards\">"
        h += card("\(overall.records)", "decisions")
        h += card("\(windows.count)", "windows")
        h += card(HTML.percent(overall.overall.rate(.handoff)?.rate), "handoff rate")
        h += card(HTML.percent(overall.overall.rate(.automation)?.rate), "automation rate")
        h += card(HTML.percent(overall.overall.rate(.sayToDo)?.rate), "say-to-do")
        h += card(HTML.percent(overall.overall.rate(.misroute)?.rate), "misroute rate")
        h += card("\(overall.alerts.count)", "alerts (whole range)", alert: !overall.alerts.isEmpty)
        h += card("\(alerts.count)", "alerts (windows)", alert: !alerts.isEmpty)
        h += "</div>"
        h += "<p class=\"meta\">\(overall.duplicatesDropped) duplicate records dropped · \(overall.commitmentResolutions) commitment resolutions · \(overall.requeued) decisions requeued by agents</p>"

        // Alerts
        h += "<h2>Alerts</h2>"
        if overall.alerts.isEmpty && alerts.isEmpty {
            h += "<p class=\"ok\">No disparity is both significant after correction and outside the band.</p>"
        } else {
            h += "<table><tr><th class=\"l\">window</th><th class=\"l\">attribute</th><th class=\"l\">cohort</th><th class=\"l\">metric</th><th>rate</th><th>rest</th><th>impact ratio</th><th>best-off</th><th>p (adjusted)</th></tr>"
            let rows = overall.alerts.map { (label: "whole range", alert: $0) }
                + alerts.map { (label: UTCTime.rfc3339(millis: $0.window.startMs), alert: $0.alert) }
            for row in rows {
                let a = row.alert
                h += "<tr><td class=\"l\">\(e(row.label))</td><td class=\"l\">\(e(a.attribute))</td><td class=\"l alert\">\(e(a.cohort))</td><td class=\"l\">\(e(a.metric.title))</td><td>\(HTML.percent(a.rate))</td><td>\(HTML.percent(a.restRate))</td><td class=\"alert\">\(HTML.fixed(a.impactRatio, digits: 2))</td><td class=\"l\">\(e(a.bestOff))</td><td>\(e(HTML.pValue(a.adjustedPValue)))</td></tr>"
            }
            h += "</table>"
        }

        // Time series
        h += "<h2>Handoff rate per window</h2><div class=\"charts\">"
        let points = windows.map { w in
            SVGChart.LinePoint(label: UTCTime.rfc3339(millis: w.startMs).prefix(16).replacingOccurrences(of: "T", with: " "),
                               value: w.overall.rate(.handoff)?.rate, low: w.overall.rate(.handoff)?.interval.low,
                               high: w.overall.rate(.handoff)?.interval.high, highlight: !w.alerts.isEmpty)
        }
        h += SVGChart.line(title: "Handoff rate per window (band: Wilson 95% CI; red: window with an alert)", points: points)
        h += "</div>"

        // Say-to-do per template
        h += "<h2>Say-to-do by template</h2><div class=\"charts\">"
        let templates = overall.overall.sayToDoByTemplate
        h += SVGChart.bars(.init(
            title: "Commitments kept on time, by template (95% CI)", series: ["kept on time"],
            groups: templates.map { t in
                .init(label: t.template, suppressed: t.keptOnTime == nil,
                      bars: [t.keptOnTime.map { .init(value: $0.rate, low: $0.interval.low, high: $0.interval.high) }])
            }, yMax: 1))
        h += "</div>"

        for attribute in overall.attributes { h += section(attribute) }

        h += "<h2>How to read this</h2><p class=\"note\">Rates carry Wilson 95% intervals. The impact ratio compares each cohort with the best-off cohort on that metric (≤ 1; for adverse outcomes — handoff, abstain, low confidence, misroute — it is the best cohort's rate divided by this cohort's; for favourable ones — automation, say-to-do — this cohort's rate divided by the best). Each cohort is tested against all other records with a pooled two-proportion z test; p-values are corrected across all tests of a window. An alert needs a corrected p-value ≤ alpha, an impact ratio under the band, and the cohort worse off than the rest. Cohorts (and per-metric denominators) under min_n are suppressed: no figures, no tests, no alerts. See docs/FAIRNESS.md.</p>"
        h += "</main></body></html>\n"
        return h
    }

    private func card(_ value: String, _ key: String, alert: Bool = false) -> String {
        "<div class=\"card\"><div class=\"v\(alert ? " alert" : "")\">\(HTML.escape(value))</div><div class=\"k\">\(HTML.escape(key))</div></div>"
    }

    private static func bar(_ rate: RateStatistic?) -> SVGChart.Bar? {
        rate.map { .init(value: $0.rate, low: $0.interval.low, high: $0.interval.high) }
    }

    private func section(_ a: AttributeStatistics) -> String {
        let e = HTML.escape
        var h = "<h2>Cohorts by \(e(a.attribute))</h2><div class=\"charts\">"
        let cohorts = a.cohorts
        h += SVGChart.bars(.init(
            title: "Rates by \(a.attribute) (95% CI)", series: ["handoff", "automation", "abstain"],
            groups: cohorts.map { c in
                .init(label: c.value, suppressed: c.suppressed,
                      bars: [Self.bar(c.rate(.handoff)), Self.bar(c.rate(.automation)), Self.bar(c.rate(.abstain))])
            }))
        let metrics = FairnessMetric.allCases
        h += SVGChart.bars(.init(
            title: "Impact ratio vs best-off cohort, by \(a.attribute)", series: metrics.map(\.rawValue),
            groups: cohorts.map { c in
                .init(label: c.value, suppressed: c.suppressed,
                      bars: metrics.map { m in a.comparison(c.value, m).map { .init(value: $0.impactRatio) } })
            },
            referenceLine: (config.band, "impact ratio \(HTML.fixed(config.band, digits: 2))"), yMax: 1,
            percentAxis: false, emptyNote: "no comparison: fewer than two cohorts over min_n"))
        // Same reasons, order and colours in every attribute: by overall frequency.
        var reasons = overall.overall.handoffReasons.map(\.reason)
        for c in cohorts { for r in c.handoffReasons where !reasons.contains(r.reason) { reasons.append(r.reason) } }
        h += SVGChart.bars(.init(
            title: "Handoff reasons (share of decisions), by \(a.attribute)", series: reasons,
            groups: cohorts.map { c in
                .init(label: c.value, suppressed: c.suppressed,
                      bars: reasons.map { r in c.handoffReasons.first { $0.reason == r }.map { .init(value: $0.rate.rate) } })
            }, stacked: true))
        h += SVGChart.bars(.init(
            title: "Say-to-do and misroute rate, by \(a.attribute) (95% CI)", series: ["say-to-do", "misroute"],
            groups: cohorts.map { c in
                .init(label: c.value, suppressed: c.suppressed, bars: [Self.bar(c.rate(.sayToDo)), Self.bar(c.rate(.misroute))])
            }, yMax: 1))
        h += "</div>"

        // Table
        h += "<table><tr><th class=\"l\">\(e(a.attribute))</th><th>n</th>"
        for m in metrics { h += "<th>\(e(m.title))</th>" }
        h += "<th>mean confidence</th><th>time to a person (median / p90)</th></tr>"
        for c in cohorts {
            if c.suppressed {
                h += "<tr class=\"suppressed\"><td class=\"l\">\(e(c.value))</td><td colspan=\"\(metrics.count + 3)\" class=\"l\">suppressed: fewer than \(config.minN) decisions</td></tr>"
                continue
            }
            h += "<tr><td class=\"l\">\(e(c.value))</td><td>\(c.n ?? 0)</td>"
            for m in metrics {
                guard let r = c.rate(m) else { h += "<td title=\"fewer than min_n\">–</td>"; continue }
                let alert = a.comparison(c.value, m)?.alert == true
                h += "<td\(alert ? " class=\"alert\"" : "") title=\"95% CI \(HTML.percent(r.interval.low)) – \(HTML.percent(r.interval.high)); \(r.count)/\(r.denominator)\">\(HTML.percent(r.rate))</td>"
            }
            h += "<td>\(c.meanConfidence.map { HTML.fixed($0, digits: 3) } ?? "–")</td>"
            h += "<td>\(e(HTML.duration(c.timeToPersonMedianMs))) / \(e(HTML.duration(c.timeToPersonP90Ms)))</td></tr>"
        }
        h += "</table>"
        return h
    }
}
