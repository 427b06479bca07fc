/// Test support, linked by test targets only (never by a product).
///
/// The one poller of the test suites: waiting for a condition with a time limit, and
/// retrying a call whose error says it may succeed later. Each check yields between calls
/// (a `Task.sleep`), so the shared threads of Swift concurrency stay free for other suites
/// that run in parallel.

/// A test's own failure, with what did not happen.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Returns once `condition` holds; throws `TestFailure` naming `what` (and the caller's
/// line) when it has not held within `seconds`.
public func waitUntil(
    _ what: String, seconds: Double = 45, every interval: Duration = .milliseconds(50),
    fileID: String = #fileID, line: Int = #line, _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("\(what) (\(fileID):\(line)): not within \(seconds) s") }
        try await Task.sleep(for: interval)
    }
}

/// The result of `body`, called again (for at most `seconds`) while it throws an error
/// `isRetriable` accepts; any other error, or the last one, is thrown. A loaded CI machine
/// may answer a 5 s broker request late, which says nothing about what a test checks.
public func retrying<T>(
    _ what: String, seconds: Double = 30, every interval: Duration = .milliseconds(200),
    when isRetriable: (any Error) -> Bool, _ body: () throws -> T
) async throws -> T {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
    while true {
        do {
            return try body()
        } catch where isRetriable(error) && ContinuousClock.now < deadline {
            try await Task.sleep(for: interval)
        }
    }
}
