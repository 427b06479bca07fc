import Foundation
import TriageAudit
import TriageCore

/// The governance report over a whole time range: the fairness statistics of the range as
/// one aggregate, the per-window series, and their renderings (HTML, Markdown, JSON).
///
/// ```swift
/// var builder = GovernanceReportBuilder(config: FairnessConfig(windowLengthMs: 86_400_000))
/// for record in auditRecords { builder.add(try DecisionEvent(jsonBytes: record)) }
/// for f in feedback { builder.add(try FeedbackEvent(jsonBytes: f)) }
/// let report = builder.build(generatedAtMs: UTCTime.nowMillis())
/// try report.write(to: URL(fileURLWithPath: "out/report"))
/// ```
public struct GovernanceReport: Sendable {
    public var title: String
    public var generatedAtMs: Int64
    /// Every input of the range as one aggregate (range = first window start ..< last window end).
    public var overall: FairnessWindow
    /// The tumbling windows, oldest first.
    public var windows: [FairnessWindow]

    public var config: FairnessConfig { overall.config }

    public init(title: String, generatedAtMs: Int64, overall: FairnessWindow, windows: [FairnessWindow]) {
        self.title = title
        self.generatedAtMs = generatedAtMs
        self.overall = overall
        self.windows = windows
    }

    /// Builds the report from complete inputs.
    public init<D: Sequence<DecisionEvent>, R: Sequence<CommitmentResolution>, F: Sequence<FeedbackEvent>>(
        config: FairnessConfig, decisions: D, resolutions: R, feedback: F,
        title: String = GovernanceReportBuilder.defaultTitle, generatedAtMs: Int64)
    {
        var builder = GovernanceReportBuilder(config: config)
        for d in decisions { builder.add(d) }
        for r in resolutions { builder.add(r) }
        for f in feedback { builder.add(f) }
        self = builder.build(title: title, generatedAtMs: generatedAtMs)
    }

    /// Every window alert, with the window it was raised in, oldest first.
    public var windowAlerts: [(window: FairnessWindow, alert: CohortComparison)] {
        windows.flatMap { w in w.alerts.map { (window: w, alert: $0) } }
    }

    /// Writes `report.html`, `summary.md` and `figures.json` into `directory` (created if needed).
    public func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(html().utf8).write(to: directory.appendingPathComponent("report.html"), options: .atomic)
        try Data(markdown().utf8).write(to: directory.appendingPathComponent("summary.md"), options: .atomic)
        try Data(figuresJSON()).write(to: directory.appendingPathComponent("figures.json"), options: .atomic)
    }

    /// Every figure of the report as one JSON object (shape in docs/FAIRNESS.md).
    public func figuresJSON() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 65_536)
        w.beginObject()
        w.key("schema_version"); w.int(1)
        w.key("title"); w.string(title)
        w.key("generated_at"); w.string(UTCTime.rfc3339(millis: generatedAtMs))
        w.key("range_start"); w.string(UTCTime.rfc3339(millis: overall.startMs))
        w.key("range_end"); w.string(UTCTime.rfc3339(millis: overall.endMs))
        w.key("window_length_ms"); w.int(config.windowLengthMs)
        w.key("overall"); overall.write(&w)
        w.key("handoff_series"); w.beginArray()
        for window in windows {
            w.beginObject()
            w.key("window_start"); w.string(UTCTime.rfc3339(millis: window.startMs))
            w.key("records"); w.int(window.records)
            w.key("handoff"); if let r = window.overall.rate(.handoff) { r.write(&w) } else { w.null() }
            w.key("alerts"); w.int(window.alerts.count)
            w.endObject()
        }
        w.endArray()
        w.key("windows"); w.beginArray(); for window in windows { window.write(&w) }; w.endArray()
        w.endObject()
        return w.bytes
    }
}

/// Accumulates a report's inputs one at a time (so a command can stream a topic into it).
public struct GovernanceReportBuilder: Sendable {
    public static let defaultTitle = "Triage governance report"

    public let config: FairnessConfig
    private var monitor: FairnessMonitor
    private var total: WindowAccumulator
    private var pendingRequeues: Set<String> = []
    private var firstMs: Int64 = .max
    private var lastMs: Int64 = .min

    public init(config: FairnessConfig = FairnessConfig()) {
        self.config = config
        // Nothing closes before build(): the whole range is in memory anyway.
        var windowConfig = config
        windowConfig.allowedLatenessMs = .max / 4
        monitor = FairnessMonitor(config: windowConfig)
        total = WindowAccumulator(startMs: 0, endMs: 0, attributes: config.attributes)
    }

    public mutating func add(_ event: DecisionEvent) {
        monitor.add(event)
        if total.add(event) {
            firstMs = min(firstMs, event.decisionTimeMs)
            lastMs = max(lastMs, event.decisionTimeMs)
            if pendingRequeues.remove(event.decisionID) != nil { total.requeue(event.decisionID) }
        }
    }

    public mutating func add(_ resolution: CommitmentResolution) {
        monitor.add(resolution)
        total.add(resolution)
    }

    public mutating func add(_ feedback: FeedbackEvent) {
        guard feedback.kind == FeedbackEvent.requeued else { return }
        monitor.add(feedback)
        if !total.requeue(feedback.decisionID) { pendingRequeues.insert(feedback.decisionID) }
    }

    public func build(title: String = GovernanceReportBuilder.defaultTitle, generatedAtMs: Int64) -> GovernanceReport {
        var monitor = self.monitor
        var windows = monitor.closeAllWindows()
        for i in windows.indices { windows[i].config = config }
        var total = self.total
        if firstMs <= lastMs {
            total.startMs = monitor.windowStart(firstMs)
            total.endMs = monitor.windowStart(lastMs) + config.windowLengthMs
        }
        return GovernanceReport(title: title, generatedAtMs: generatedAtMs,
                                overall: FairnessAnalysis.window(total, config: config), windows: windows)
    }
}
