import Testing
@testable import TriageWorker

@Suite("MemoryTrim: freed memory handed back on a schedule")
struct MemoryTrimTests {
    @Test("due once per interval, timed; never with an interval of 0")
    func schedule() {
        var trim = MemoryTrim(intervalMicros: 10_000_000, now: 1_000)
        #expect(trim.ifDue(now: 1_000) == nil)
        #expect(trim.ifDue(now: 10_000_999) == nil, "not yet: 10 s after the start")
        #expect(trim.ifDue(now: 10_001_000) != nil, "due at 10 s")
        #expect(trim.ifDue(now: 10_001_001) == nil, "and then not again for another 10 s")
        #expect(trim.ifDue(now: 20_001_000) != nil)
        var never = MemoryTrim(intervalMicros: 0, now: 0)
        #expect(never.ifDue(now: .max / 2) == nil)
    }
}
