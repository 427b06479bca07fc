import TriageAudit
import TriageCore

/// A rate with its Wilson 95% interval.
public struct RateStatistic: Sendable, Hashable {
    public var count: Int
    public var denominator: Int
    public var rate: Double
    public var interval: Statistics.Interval

    init?(_ count: Int, _ denominator: Int) {
        guard denominator > 0, let interval = Statistics.wilsonInterval(successes: count, trials: denominator) else {
            return nil
        }
        self.count = count
        self.denominator = denominator
        self.rate = Double(count) / Double(denominator)
        self.interval = interval
    }
}

/// Say-to-do for one response template.
public struct TemplateStatistic: Sendable, Hashable {
    public var template: String
    /// Nil when fewer than `min_n` commitments were due (suppressed).
    public var keptOnTime: RateStatistic?
    public var made: Int?
}

/// Figures for one cohort (or for all records). A suppressed cohort carries no figures.
public struct CohortStatistics: Sendable, Hashable {
    public var value: String
    /// The cohort has fewer than `min_n` decisions: nothing is shown, tested or alerted.
    public var suppressed: Bool
    public var n: Int?
    /// Rates by metric; a metric is absent when its denominator is under `min_n`.
    public var rates: [FairnessMetric: RateStatistic]
    /// Handoffs with each reason ÷ decisions (a handoff with two reasons counts in both).
    public var handoffReasons: [(reason: String, rate: RateStatistic)]
    public var meanConfidence: Double?
    public var meanLatencyMicros: Double?
    /// Handoffs with an event time: decision_time − event_time (nearest-rank median and p90), ms.
    public var timeToPersonCount: Int
    public var timeToPersonMedianMs: Int64?
    public var timeToPersonP90Ms: Int64?
    public var sayToDoByTemplate: [TemplateStatistic]

    public static func == (a: Self, b: Self) -> Bool { a.json() == b.json() }
    public func hash(into hasher: inout Hasher) { hasher.combine(json()) }

    public func rate(_ metric: FairnessMetric) -> RateStatistic? { rates[metric] }
}

/// One cohort's comparison on one metric: impact ratio against the best-off cohort and a
/// pooled two-proportion z test against the rest of the records.
public struct CohortComparison: Sendable, Hashable {
    public var attribute: String
    public var cohort: String
    public var metric: FairnessMetric
    public var rate: Double
    /// The rate of every other record of the window (every other cohort, suppressed ones included).
    public var restRate: Double
    /// The non-suppressed cohort with the best rate (highest if higher is better, lowest otherwise).
    public var bestOff: String
    /// ≤ 1; `rate ÷ best` when higher is better, `best ÷ rate` otherwise (1 when both are 0).
    public var impactRatio: Double
    /// rate − restRate, with its 95% (Wald) interval.
    public var difference: Double
    public var differenceInterval: Statistics.Interval
    public var z: Double
    public var pValue: Double
    /// After the window's multiple-comparison correction.
    public var adjustedPValue: Double
    /// adjustedPValue ≤ alpha.
    public var significant: Bool
    /// impactRatio < band.
    public var outsideBand: Bool
    /// The cohort is worse off than the rest (direction of the metric).
    public var worseThanRest: Bool
    /// significant && outsideBand && worseThanRest.
    public var alert: Bool
}

/// All cohorts of one attribute.
public struct AttributeStatistics: Sendable, Hashable {
    public var attribute: String
    /// Sorted by decreasing size, suppressed cohorts last (by name).
    public var cohorts: [CohortStatistics]
    public var comparisons: [CohortComparison]

    public func cohort(_ value: String) -> CohortStatistics? { cohorts.first { $0.value == value } }
    public func comparison(_ cohort: String, _ metric: FairnessMetric) -> CohortComparison? {
        comparisons.first { $0.cohort == cohort && $0.metric == metric }
    }
}

/// The fairness statistics of one tumbling window (or of a whole report range): one JSON
/// object on `triage.fairness` (shape in docs/FAIRNESS.md).
public struct FairnessWindow: Sendable, Hashable {
    public static let schemaVersion = 1

    /// Inclusive start and exclusive end, ms since the epoch.
    public var startMs: Int64
    public var endMs: Int64
    public var config: FairnessConfig
    /// Distinct decisions in the window.
    public var records: Int
    /// Records dropped because their decision_id was already counted.
    public var duplicatesDropped: Int
    public var commitmentResolutions: Int
    /// Distinct decisions in the window requeued by an agent.
    public var requeued: Int
    public var modelVersions: [String]
    public var policyVersions: [String]
    /// All records of the window (never suppressed).
    public var overall: CohortStatistics
    public var attributes: [AttributeStatistics]
    /// How many tests the correction covered.
    public var testCount: Int
    /// Every comparison with `alert == true`, across attributes.
    public var alerts: [CohortComparison] { attributes.flatMap { $0.comparisons.filter(\.alert) } }

    public func attribute(_ name: String) -> AttributeStatistics? { attributes.first { $0.attribute == name } }
}

// MARK: - JSON

extension RateStatistic {
    func write(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("count"); w.int(count)
        w.key("denominator"); w.int(denominator)
        w.key("rate"); w.double(rate)
        w.key("ci_low"); w.double(interval.low)
        w.key("ci_high"); w.double(interval.high)
        w.endObject()
    }
}

extension CohortStatistics {
    func write(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("value"); w.string(value)
        w.key("suppressed"); w.bool(suppressed)
        if !suppressed {
            w.key("n"); w.int(n ?? 0)
            w.key("rates"); w.beginObject()
            for metric in FairnessMetric.allCases {
                w.key(metric.rawValue)
                if let rate = rates[metric] { rate.write(&w) } else { w.null() }
            }
            w.endObject()
            w.key("handoff_reasons"); w.beginObject()
            for (reason, rate) in handoffReasons { w.key(reason); rate.write(&w) }
            w.endObject()
            w.key("mean_confidence"); if let meanConfidence { w.double(meanConfidence) } else { w.null() }
            w.key("mean_latency_us"); if let meanLatencyMicros { w.double(meanLatencyMicros) } else { w.null() }
            w.key("time_to_person_ms"); w.beginObject()
            w.key("count"); w.int(timeToPersonCount)
            w.key("median"); if let timeToPersonMedianMs { w.int(timeToPersonMedianMs) } else { w.null() }
            w.key("p90"); if let timeToPersonP90Ms { w.int(timeToPersonP90Ms) } else { w.null() }
            w.endObject()
            w.key("say_to_do_by_template"); writeTemplates(sayToDoByTemplate, &w)
        }
        w.endObject()
    }

    func json() -> [UInt8] {
        var w = JSONWriter()
        write(&w)
        return w.bytes
    }
}

func writeTemplates(_ templates: [TemplateStatistic], _ w: inout JSONWriter) {
    w.beginObject()
    for t in templates {
        w.key(t.template)
        if let rate = t.keptOnTime { rate.write(&w) } else { w.null() }
    }
    w.endObject()
}

extension CohortComparison {
    func write(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("attribute"); w.string(attribute)
        w.key("cohort"); w.string(cohort)
        w.key("metric"); w.string(metric.rawValue)
        w.key("rate"); w.double(rate)
        w.key("rest_rate"); w.double(restRate)
        w.key("best_off"); w.string(bestOff)
        w.key("impact_ratio"); w.double(impactRatio)
        w.key("difference"); w.double(difference)
        w.key("difference_ci_low"); w.double(differenceInterval.low)
        w.key("difference_ci_high"); w.double(differenceInterval.high)
        w.key("z"); w.double(z)
        w.key("p_value"); w.double(pValue)
        w.key("p_adjusted"); w.double(adjustedPValue)
        w.key("significant"); w.bool(significant)
        w.key("outside_band"); w.bool(outsideBand)
        w.key("worse_than_rest"); w.bool(worseThanRest)
        w.key("alert"); w.bool(alert)
        w.endObject()
    }
}

extension FairnessWindow {
    func write(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("schema_version"); w.int(Self.schemaVersion)
        w.key("window_start"); w.string(UTCTime.rfc3339(millis: startMs))
        w.key("window_end"); w.string(UTCTime.rfc3339(millis: endMs))
        w.key("config"); w.beginObject()
        w.key("attributes"); w.beginArray(); for a in config.attributes { w.string(a) }; w.endArray()
        w.key("min_n"); w.int(config.minN)
        w.key("alpha"); w.double(config.alpha)
        w.key("band"); w.double(config.band)
        w.key("correction"); w.string(config.correction.rawValue)
        w.endObject()
        w.key("records"); w.int(records)
        w.key("duplicates_dropped"); w.int(duplicatesDropped)
        w.key("commitment_resolutions"); w.int(commitmentResolutions)
        w.key("requeued"); w.int(requeued)
        w.key("model_versions"); w.beginArray(); for v in modelVersions { w.string(v) }; w.endArray()
        w.key("policy_versions"); w.beginArray(); for v in policyVersions { w.string(v) }; w.endArray()
        w.key("overall"); overall.write(&w)
        w.key("attributes"); w.beginArray()
        for attribute in attributes {
            w.beginObject()
            w.key("attribute"); w.string(attribute.attribute)
            w.key("cohorts"); w.beginArray(); for c in attribute.cohorts { c.write(&w) }; w.endArray()
            w.key("comparisons"); w.beginArray(); for c in attribute.comparisons { c.write(&w) }; w.endArray()
            w.endObject()
        }
        w.endArray()
        w.key("tests"); w.int(testCount)
        w.key("alerts"); w.beginArray(); for a in alerts { a.write(&w) }; w.endArray()
        w.endObject()
    }

    /// The window as one compact JSON object (the `triage.fairness` message value).
    public func encoded() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 16_384)
        write(&w)
        return w.bytes
    }
}
