/// Where a pipeline is in its life, in one value: running → stopping (a graceful shutdown or
/// an abort after a failure, with the deadline every wait from then on ends by) → abandoned
/// (leaving the group overran that deadline, and the pipeline went on without librdkafka).
/// Beside the phase it keeps the first failure: once there is one, the loop stops at its next
/// turn, nothing more is drained, and `Pipeline.run` throws it.
struct Lifecycle {
    enum Phase: Equatable {
        case running
        /// Every wait ends by `deadline` (monotonic microseconds), so the whole shutdown fits
        /// `shutdownTimeoutMs`.
        case stopping(deadline: UInt64)
        /// Rebalance callbacks of the hung close find nothing to do.
        case abandoned(deadline: UInt64)
    }

    private(set) var phase: Phase = .running
    /// The first failure: the cause that `run` reports.
    private(set) var failure: WorkerError?

    /// Records `error`, unless an earlier failure is already the cause.
    mutating func fail(_ error: WorkerError) {
        if failure == nil { failure = error }
    }

    /// A shutdown starts (graceful, or after a failure).
    mutating func stop(deadline: UInt64) {
        phase = .stopping(deadline: deadline)
    }

    /// Leaving the group overran the deadline; the pipeline goes on without it.
    mutating func abandon() {
        phase = .abandoned(deadline: deadline ?? 0)
    }

    /// The shutdown deadline once stopping (monotonic microseconds); nil while running.
    var deadline: UInt64? {
        switch phase {
        case .running: nil
        case .stopping(let deadline), .abandoned(let deadline): deadline
        }
    }

    var isStopping: Bool { phase != .running }
    var isAbandoned: Bool {
        if case .abandoned = phase { true } else { false }
    }
}
