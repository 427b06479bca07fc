import Dispatch
import Synchronization

/// What a long-running service (the ledger, the fairness monitor) tells its health and
/// readiness probes: whether it reached its topics, and when its loop last went round.
/// Updated on the service's thread, read on the HTTP server's.
public final class ServiceProgress: Sendable {
    private struct State {
        var ready = false
        var waitingFor = "not started"
        var loopAdvancedNanos: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// The service is doing its work (state restored, partitions assigned).
    func markReady() { state.withLock { $0.ready = true } }
    /// The service stopped doing its work (a lease lost): not ready, and why.
    func markNotReady(_ why: String) { state.withLock { $0.ready = false; $0.waitingFor = why } }
    /// What it waits for before it is ready (the `/readyz` body).
    func waiting(for what: String) { state.withLock { $0.waitingFor = what } }
    /// The loop went round.
    func advanced() {
        let now = DispatchTime.now().uptimeNanoseconds
        state.withLock { $0.loopAdvancedNanos = now }
    }

    /// Empty when ready; else why not.
    public var notReadyReasons: [String] { state.withLock { $0.ready ? [] : [$0.waitingFor] } }

    /// Seconds since the loop last advanced (nil before it started).
    public var secondsSinceLoopAdvanced: Double? {
        let last = state.withLock { $0.loopAdvancedNanos }
        guard last > 0 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds &- last) / 1e9
    }
}
