/// Turns a window's counts into statistics, tests, corrections and alerts.
enum FairnessAnalysis {
    static func window(_ acc: WindowAccumulator, config: FairnessConfig) -> FairnessWindow {
        var attributes: [AttributeStatistics] = []
        for (i, attribute) in acc.attributes.enumerated() {
            let counts = acc.cohorts[i]
            let ordered = counts.sorted { a, b in
                let (sa, sb) = (a.value.n < config.minN, b.value.n < config.minN)
                if sa != sb { return !sa }
                if !sa && a.value.n != b.value.n { return a.value.n > b.value.n }
                return a.key < b.key
            }
            let cohorts = ordered.map { statistics(value: $0.key, $0.value, config: config, canSuppress: true) }
            var comparisons: [CohortComparison] = []
            for metric in FairnessMetric.allCases {
                comparisons += compare(attribute: attribute, metric: metric, cohorts: cohorts,
                                       overall: acc.overall, config: config)
            }
            attributes.append(AttributeStatistics(attribute: attribute, cohorts: cohorts, comparisons: comparisons))
        }
        // One correction across every test of the window.
        let pValues = attributes.flatMap { $0.comparisons.map(\.pValue) }
        let adjusted = config.correction == .holm
            ? Statistics.holm(pValues) : Statistics.benjaminiHochberg(pValues)
        var k = 0
        for a in attributes.indices {
            for c in attributes[a].comparisons.indices {
                var comparison = attributes[a].comparisons[c]
                comparison.adjustedPValue = adjusted[k]
                comparison.significant = adjusted[k] <= config.alpha
                comparison.alert = comparison.significant && comparison.outsideBand && comparison.worseThanRest
                attributes[a].comparisons[c] = comparison
                k += 1
            }
        }
        return FairnessWindow(
            startMs: acc.startMs, endMs: acc.endMs, config: config, records: acc.overall.n,
            duplicatesDropped: acc.duplicates, commitmentResolutions: acc.resolutions, requeued: acc.requeued,
            modelVersions: acc.modelVersions.sorted(), policyVersions: acc.policyVersions.sorted(),
            overall: statistics(value: "all", acc.overall, config: config, canSuppress: false),
            attributes: attributes, testCount: pValues.count)
    }

    static func statistics(value: String, _ c: CohortCounts, config: FairnessConfig, canSuppress: Bool)
        -> CohortStatistics
    {
        let minN = canSuppress ? config.minN : 1
        guard c.n >= minN || !canSuppress else {
            return CohortStatistics(value: value, suppressed: true, n: nil, rates: [:], handoffReasons: [],
                                    meanConfidence: nil, meanLatencyMicros: nil, timeToPersonCount: 0,
                                    timeToPersonMedianMs: nil, timeToPersonP90Ms: nil, sayToDoByTemplate: [])
        }
        var rates: [FairnessMetric: RateStatistic] = [:]
        for metric in FairnessMetric.allCases {
            let (x, n) = c.fraction(metric)
            if n >= minN, let rate = RateStatistic(x, n) { rates[metric] = rate }
        }
        let reasons = c.handoffReasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .compactMap { entry in RateStatistic(entry.value, c.n).map { (reason: entry.key, rate: $0) } }
        let times = c.timeToPerson.sorted()
        let templates = c.commitmentsByTemplate.keys.sorted().map { template in
            let kept = c.commitmentsByTemplate[template]!
            return kept.made >= minN
                ? TemplateStatistic(template: template, keptOnTime: RateStatistic(kept.kept, kept.made), made: kept.made)
                : TemplateStatistic(template: template, keptOnTime: nil, made: nil)
        }
        return CohortStatistics(
            value: value, suppressed: false, n: c.n, rates: rates, handoffReasons: reasons,
            meanConfidence: c.n > 0 ? c.confidenceSum / Double(c.n) : nil,
            meanLatencyMicros: c.n > 0 ? Double(c.latencySum) / Double(c.n) : nil,
            timeToPersonCount: times.count,
            timeToPersonMedianMs: Statistics.quantile(sorted: times, 0.5),
            timeToPersonP90Ms: Statistics.quantile(sorted: times, 0.9),
            sayToDoByTemplate: templates)
    }

    /// Impact ratio against the best-off cohort and a z test against the rest, for every
    /// cohort whose rate is not suppressed. P-values are corrected later.
    static func compare(attribute: String, metric: FairnessMetric,
                        cohorts: [CohortStatistics], overall: CohortCounts, config: FairnessConfig)
        -> [CohortComparison]
    {
        let shown = cohorts.compactMap { c in c.rates[metric].map { (c.value, $0) } }
        guard shown.count >= 2 else { return [] }
        let best = metric.higherIsBetter
            ? shown.max { ($0.1.rate, $1.0) < ($1.1.rate, $0.0) }!
            : shown.min { ($0.1.rate, $0.0) < ($1.1.rate, $1.0) }!
        let (totalX, totalN) = overall.fraction(metric)
        var result: [CohortComparison] = []
        for (value, rate) in shown {
            let restX = totalX - rate.count
            let restN = totalN - rate.denominator
            guard let test = Statistics.twoProportionTest(rate.count, rate.denominator, restX, restN) else { continue }
            let ratio: Double
            if metric.higherIsBetter {
                ratio = best.1.rate > 0 ? rate.rate / best.1.rate : 1
            } else {
                ratio = rate.rate > 0 ? best.1.rate / rate.rate : 1
            }
            let worse = metric.higherIsBetter ? test.difference < 0 : test.difference > 0
            result.append(CohortComparison(
                attribute: attribute, cohort: value, metric: metric, rate: rate.rate,
                restRate: Double(restX) / Double(restN), bestOff: best.0, impactRatio: ratio,
                difference: test.difference, differenceInterval: test.differenceInterval, z: test.z,
                pValue: test.pValue, adjustedPValue: 1, significant: false, outsideBand: ratio < config.band,
                worseThanRest: worse, alert: false))
        }
        return result
    }
}

extension FairnessWindow {
    /// The governance report's statistics over `events` as one window (no time cut), e.g. for
    /// comparing a live and a shadow audit trail. Duplicate decision ids are counted once.
    public static func whole(_ events: [DecisionEvent], config: FairnessConfig) -> FairnessWindow {
        let times = events.map(\.decisionTimeMs)
        var acc = WindowAccumulator(startMs: times.min() ?? 0, endMs: (times.max() ?? 0) + 1,
                                    attributes: config.attributes)
        for event in events { acc.add(event) }
        return FairnessAnalysis.window(acc, config: config)
    }
}
