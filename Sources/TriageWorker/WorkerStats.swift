import Synchronization
import TriagePolicy

/// Counters a worker keeps while it runs: for progress lines, the demo and tests.
public struct WorkerStats: Sendable, Hashable {
    public var consumed = 0
    public var routed = 0
    public var handoffs = 0
    /// Tickets answered with an automated reply backed by actions.
    public var automated = 0
    public var deadLettered = 0
    /// Tickets whose writes were all acknowledged.
    public var completed = 0
    public var deliveryRetries = 0
    /// Writes acknowledged without an offset and therefore written again.
    public var unconfirmedDeliveries = 0
    public var inFlight = 0
    /// CPU time the pipeline thread has used (nanoseconds), for benchmarks: the thread does
    /// every step of every ticket, so tickets per pipeline-CPU-second is the worker's capacity
    /// on a core of its own, whatever else the machine is doing.
    public var pipelineCPUNanos: UInt64 = 0
    public var assignedPartitions = 0
    public var rebalances = 0
    /// Times the loop stalled past the session timeout and checked with the group before writing.
    public var stalls = 0
    /// Exactly-once mode: transactions committed, and aborted (their tickets processed again).
    public var transactionsCommitted = 0
    public var transactionsAborted = 0
    /// Only with `WorkerConfiguration.auditSliceTickets` (the audit-cost benchmark).
    public var auditSlices: [AuditSlice] = []
    /// Cohort attributes of decided tickets that the policy does not declare (cohorts.yaml),
    /// left out of their audit records.
    public var attributesDropped = 0
    /// Declared cohort attributes whose value was not declared, recorded as `other`.
    public var attributeValuesOther = 0
    /// The pipeline reached the cluster (metadata of the audit and contacts topics).
    public var connected = false
    /// The classifier (model) is built; the policy was loaded before the worker started.
    public var classifierLoaded = false
    /// When the loop last went round (monotonic microseconds, `MonotonicClock`); 0: not yet.
    public var loopAdvancedMicros: UInt64 = 0

    public init() {}

    /// Why the worker is not ready for traffic (empty: ready): not connected, no partitions
    /// assigned, model not loaded. For `/readyz`.
    public var notReadyReasons: [String] {
        var reasons: [String] = []
        if !classifierLoaded { reasons.append("model not loaded") }
        if !connected { reasons.append("not connected to Kafka") }
        if assignedPartitions == 0 { reasons.append("no partitions assigned") }
        return reasons
    }

    /// Seconds since the loop last advanced (nil before it started). For `/healthz`.
    public var secondsSinceLoopAdvanced: Double? {
        guard loopAdvancedMicros > 0 else { return nil }
        return Double(MonotonicClock.nowMicros() &- loopAdvancedMicros) / 1e6
    }

    /// Adds one decision's cohort counts.
    public mutating func count(_ cohort: AuditedCohort) {
        attributesDropped += cohort.dropped
        attributeValuesOther += cohort.other
    }
}

/// One slice of the audit-cost benchmark: a run of tickets processed with or without audit
/// records, and every acknowledgement they caused (the worker drains its in-flight writes
/// before the next slice starts), so the slice's CPU time is all of its tickets' work.
public struct AuditSlice: Sendable, Hashable {
    public var withAudit: Bool
    public var tickets: Int
    /// CPU time of the pipeline thread.
    public var pipelineCPUNanos: UInt64
    /// CPU time of the whole process (pipeline and librdkafka's threads).
    public var processCPUNanos: UInt64
    public var wallNanos: UInt64
}

/// A lock around the stats, shared by the pipeline thread and whoever reads them. A worker
/// with several pipelines (`--threads`) has one box per pipeline, and its own box's snapshot
/// is their sum.
public final class WorkerStatsBox: Sendable {
    private let stats = Mutex(WorkerStats())
    private let parts: [WorkerStatsBox]
    public init() { parts = [] }
    init(summing parts: [WorkerStatsBox]) { self.parts = parts }

    public var snapshot: WorkerStats {
        guard !parts.isEmpty else { return stats.withLock { $0 } }
        return WorkerStats(summing: parts.map(\.snapshot))
    }

    func update(_ body: (inout WorkerStats) -> Void) { stats.withLock { body(&$0) } }
}

extension WorkerStats {
    /// Several pipelines' stats as one worker's: counts and CPU time add up; the worker is
    /// connected and its model loaded when every pipeline's is; its loop advanced when the
    /// stalest pipeline's did (health is the slowest pipeline's).
    init(summing parts: [WorkerStats]) {
        self.init()
        for part in parts {
            consumed += part.consumed
            routed += part.routed
            handoffs += part.handoffs
            automated += part.automated
            deadLettered += part.deadLettered
            completed += part.completed
            deliveryRetries += part.deliveryRetries
            unconfirmedDeliveries += part.unconfirmedDeliveries
            inFlight += part.inFlight
            pipelineCPUNanos += part.pipelineCPUNanos
            assignedPartitions += part.assignedPartitions
            rebalances += part.rebalances
            stalls += part.stalls
            transactionsCommitted += part.transactionsCommitted
            transactionsAborted += part.transactionsAborted
            auditSlices += part.auditSlices
            attributesDropped += part.attributesDropped
            attributeValuesOther += part.attributeValuesOther
        }
        connected = !parts.isEmpty && parts.allSatisfy(\.connected)
        classifierLoaded = !parts.isEmpty && parts.allSatisfy(\.classifierLoaded)
        loopAdvancedMicros = parts.contains { $0.loopAdvancedMicros == 0 } ? 0 : parts.map(\.loopAdvancedMicros).min() ?? 0
    }
}
