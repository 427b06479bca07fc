/// The rate metrics compared between cohorts.
public enum FairnessMetric: String, Sendable, Hashable, CaseIterable {
    /// Handoffs ÷ decisions. Adverse: the automation did not serve the ticket.
    case handoff
    /// Automated decisions ÷ decisions. Favourable.
    case automation
    /// Decisions where the model abstained ÷ decisions. Adverse.
    case abstain
    /// Decisions with reason `low_confidence` or `low_margin` ÷ decisions. Adverse.
    case lowConfidence = "low_confidence"
    /// Commitments kept on time ÷ commitments due. Favourable.
    case sayToDo = "say_to_do"
    /// Decisions requeued by an agent ÷ routed and automated decisions. Adverse.
    case misroute

    /// Whether a higher rate is better for the cohort. The impact ratio and the alert
    /// direction follow this (see docs/FAIRNESS.md).
    public var higherIsBetter: Bool { self == .automation || self == .sayToDo }

    /// A human-readable name.
    public var title: String {
        switch self {
        case .handoff: return "Handoff rate"
        case .automation: return "Automation rate"
        case .abstain: return "Abstain rate"
        case .lowConfidence: return "Low-confidence rate"
        case .sayToDo: return "Say-to-do ratio"
        case .misroute: return "Misroute rate"
        }
    }
}

/// Settings of the fairness monitor and the governance report.
public struct FairnessConfig: Sendable, Hashable {
    /// How the p-values of one window are corrected for multiple comparisons.
    public enum Correction: String, Sendable, Hashable {
        /// Holm–Bonferroni: family-wise error rate ≤ alpha (the default).
        case holm
        /// Benjamini–Hochberg: false discovery rate ≤ alpha.
        case benjaminiHochberg = "benjamini_hochberg"
    }

    /// Length of a tumbling window, by `decision_time`, in milliseconds (default 1 hour).
    public var windowLengthMs: Int64
    /// How long after a window's end (in decision time seen) it stays open for late
    /// decisions, feedback and commitment resolutions (default 0).
    public var allowedLatenessMs: Int64
    /// Cohort attributes to compare, in report order. A record without one is in cohort `unknown`.
    public var attributes: [String]
    /// Cohorts (and per-metric denominators) under this size are suppressed: no figures, no tests, no alerts.
    public var minN: Int
    /// Significance level applied to the corrected p-values (default 0.01).
    public var alpha: Double
    /// Impact ratios under this are outside the band (default 0.8, the four-fifths rule).
    public var band: Double
    public var correction: Correction

    public static let defaultAttributes = ["language", "channel", "region", "tier", "age_band"]

    public init(windowLengthMs: Int64 = 3_600_000, allowedLatenessMs: Int64 = 0,
                attributes: [String] = FairnessConfig.defaultAttributes, minN: Int = 100, alpha: Double = 0.01,
                band: Double = 0.8, correction: Correction = .holm)
    {
        self.windowLengthMs = max(1, windowLengthMs)
        self.allowedLatenessMs = max(0, allowedLatenessMs)
        self.attributes = attributes
        self.minN = max(1, minN)
        self.alpha = alpha
        self.band = band
        self.correction = correction
    }

    /// The cohort value used when a record lacks the attribute.
    public static let unknownCohort = "unknown"
}
