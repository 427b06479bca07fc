/// Tumbling-window fairness statistics over decisions, commitment resolutions and feedback.
///
/// Pure and deterministic: the caller hands it events (in any order within the allowed
/// lateness) and takes the windows it closes. Decisions are windowed by `decision_time`,
/// commitment resolutions by `due_at`, and a `requeued` feedback event counts in the window
/// of the decision it names (joined by `decision_id`, also when the feedback arrives first).
///
/// ```swift
/// var monitor = FairnessMonitor(config: FairnessConfig(windowLengthMs: 3_600_000))
/// monitor.add(try DecisionEvent(jsonBytes: message.value))
/// for window in monitor.closeCompletedWindows() { produce("triage.fairness", window.encoded()) }
/// ```
public struct FairnessMonitor: Sendable {
    public let config: FairnessConfig
    private var open: [Int64: WindowAccumulator] = [:]
    /// decision_id → start of the open window that counted it.
    private var index: [String: Int64] = [:]
    /// Requeues whose decision has not been seen yet: decision_id → feedback time.
    private var pendingRequeues: [String: Int64] = [:]
    /// Windows starting before this are closed; later input for them is dropped.
    private var closedBeforeMs: Int64 = .min

    /// The latest decision_time seen.
    public private(set) var watermarkMs: Int64 = .min
    /// Decisions and resolutions that arrived for an already closed window.
    public private(set) var lateDropped = 0
    /// Requeues whose decision was never seen in an open window.
    public private(set) var unmatchedFeedback = 0

    public init(config: FairnessConfig = FairnessConfig()) {
        self.config = config
    }

    /// The start of the window that contains `timeMs`.
    public func windowStart(_ timeMs: Int64) -> Int64 {
        let length = config.windowLengthMs
        let q = timeMs / length
        return (timeMs % length < 0 ? q - 1 : q) * length
    }

    private mutating func accumulator(_ start: Int64) -> WindowAccumulator? {
        guard start >= closedBeforeMs else { return nil }
        return open[start] ?? WindowAccumulator(startMs: start, endMs: start + config.windowLengthMs,
                                                attributes: config.attributes)
    }

    public mutating func add(_ event: DecisionEvent) {
        watermarkMs = max(watermarkMs, event.decisionTimeMs)
        let start = windowStart(event.decisionTimeMs)
        guard var acc = accumulator(start) else {
            lateDropped += 1
            return
        }
        if let other = index[event.decisionID], other != start {
            open[other]?.duplicates += 1
            return
        }
        if acc.add(event) {
            index[event.decisionID] = start
            if pendingRequeues.removeValue(forKey: event.decisionID) != nil { acc.requeue(event.decisionID) }
        }
        open[start] = acc
    }

    public mutating func add(_ resolution: CommitmentResolution) {
        let start = windowStart(resolution.dueAtMs)
        guard var acc = accumulator(start) else {
            lateDropped += 1
            return
        }
        acc.add(resolution)
        open[start] = acc
    }

    public mutating func add(_ feedback: FeedbackEvent) {
        guard feedback.kind == FeedbackEvent.requeued else { return }
        if let start = index[feedback.decisionID] {
            open[start]?.requeue(feedback.decisionID)
        } else {
            pendingRequeues[feedback.decisionID] = feedback.timeMs
        }
    }

    /// Closes and returns (oldest first) every window whose end plus the allowed lateness is
    /// at or before the watermark.
    public mutating func closeCompletedWindows() -> [FairnessWindow] {
        guard watermarkMs > .min else { return [] }
        let (limit, overflow) = watermarkMs.subtractingReportingOverflow(config.allowedLatenessMs)
        return close { overflow ? false : $0.endMs <= limit }
    }

    /// Closes and returns every open window (end of input).
    public mutating func closeAllWindows() -> [FairnessWindow] {
        close { _ in true }
    }

    /// The statistics of the windows still open, without closing them.
    public func openWindows() -> [FairnessWindow] {
        open.keys.sorted().map { FairnessAnalysis.window(open[$0]!, config: config) }
    }

    private mutating func close(where shouldClose: (WindowAccumulator) -> Bool) -> [FairnessWindow] {
        let starts = open.keys.sorted().filter { shouldClose(open[$0]!) }
        guard let last = starts.last else { return [] }
        var closed: [FairnessWindow] = []
        for start in starts {
            let acc = open.removeValue(forKey: start)!
            for id in acc.decisions.keys { index.removeValue(forKey: id) }
            closed.append(FairnessAnalysis.window(acc, config: config))
        }
        closedBeforeMs = max(closedBeforeMs, last + config.windowLengthMs)
        // A requeue for a decision older than every open window cannot be matched any more.
        let oldestOpen = open.keys.min() ?? closedBeforeMs
        let stale = pendingRequeues.filter { $0.value < oldestOpen }.map(\.key)
        for id in stale { pendingRequeues.removeValue(forKey: id) }
        unmatchedFeedback += stale.count
        return closed
    }
}
