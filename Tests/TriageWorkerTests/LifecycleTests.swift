import Testing
@testable import TriageWorker

@Suite("The pipeline's lifecycle")
struct LifecycleTests {
    @Test("running → stopping → abandoned keeps the deadline; the first failure stays the cause")
    func phases() {
        var lifecycle = Lifecycle()
        #expect(lifecycle.phase == .running && lifecycle.deadline == nil && !lifecycle.isStopping && !lifecycle.isAbandoned)
        lifecycle.fail(WorkerError("first"))
        lifecycle.fail(WorkerError("second"))
        #expect(lifecycle.failure?.description.contains("first") == true)
        #expect(lifecycle.phase == .running, "a failure alone does not stop the loop: the loop stops at its next turn")
        lifecycle.stop(deadline: 42)
        #expect(lifecycle.phase == .stopping(deadline: 42) && lifecycle.deadline == 42 && lifecycle.isStopping)
        lifecycle.abandon()
        #expect(lifecycle.isAbandoned && lifecycle.isStopping && lifecycle.deadline == 42)
    }
}
