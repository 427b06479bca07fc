import Dispatch
import Foundation
import Synchronization

/// The hard edge of a graceful shutdown, for commands that stop on SIGTERM/SIGINT.
///
/// The first signal starts the graceful path (ServiceLifecycle hands it to the services) and
/// arms a deadline; if the process is still running when it passes, it exits at once with
/// `deadlineExitCode`. A second signal means now: the process exits with 128 + the signal's
/// number, as a shell reports a process killed by it. Either way nothing that was not
/// committed is lost: the group processes it again.
///
/// Armed as the command starts, before its start-up checks: a signal during start-up is
/// then a request to stop (the command looks at `signalled` between its steps and exits 0
/// without joining), never the default action that kills the process. Once the services
/// run, `onFirstSignal` hands the request on (to `ServiceGroup.triggerGracefulShutdown`),
/// so one handler owns the signals from the first instruction to the last and none falls
/// into a gap between two handlers.
final class ShutdownWatchdog: @unchecked Sendable {
    /// Exit status when the deadline passed before the graceful shutdown finished.
    static let deadlineExitCode: Int32 = 70
    private let queue = DispatchQueue(label: "triage.shutdown-watchdog")
    private var sources: [DispatchSourceSignal] = []
    private let state = Mutex(State())
    private struct State {
        var signalsSeen = 0
        var onFirstSignal: (@Sendable () -> Void)?
    }
    private let graceSeconds: Int
    private let what: String

    /// - Parameters:
    ///   - graceSeconds: how long after the first signal the process may still run.
    ///   - what: the command's name, for the message.
    init(graceSeconds: Int, what: String) {
        self.graceSeconds = graceSeconds
        self.what = what
        for number in [SIGTERM, SIGINT] {
            // The dispatch source sees the signal; the default action (terminate) must not.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in received(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// A stop was asked for (a first signal arrived).
    var signalled: Bool { state.withLock { $0.signalsSeen > 0 } }

    /// Runs `action` on the first signal, or now if it has already come.
    func onFirstSignal(_ action: @escaping @Sendable () -> Void) {
        let already = state.withLock { state in
            state.onFirstSignal = action
            return state.signalsSeen > 0
        }
        if already { action() }
    }

    private func received(_ number: Int32) {
        let (seen, action) = state.withLock { state in
            state.signalsSeen += 1
            return (state.signalsSeen, state.onFirstSignal)
        }
        if seen == 1 {
            action?()
            printError("\(what): signal \(number): shutting down gracefully within \(graceSeconds) s (send it again to stop at once)")
            let limit = graceSeconds
            let name = what
            // A plain thread: the deadline must hold even if every queue is stuck.
            let thread = Thread {
                Thread.sleep(forTimeInterval: Double(limit))
                printError("\(name): the graceful shutdown did not finish within \(limit) s; exiting now (status \(ShutdownWatchdog.deadlineExitCode)). Uncommitted tickets are processed again by the group.")
                _exit(ShutdownWatchdog.deadlineExitCode)
            }
            thread.start()
        } else {
            printError("\(what): second signal \(number): exiting now (status \(128 + number)). Uncommitted tickets are processed again by the group.")
            _exit(128 + number)
        }
    }
}
