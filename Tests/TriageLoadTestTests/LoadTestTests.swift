import Testing
@testable import TriageLoadTest

@Suite("Load-test scenarios, series and compare")
struct LoadTestTests {
    @Test("a scenario file parses into phases and events")
    func parses() throws {
        let s = try LoadScenario.parse("""
            name: burst
            workers: 2
            load:
              - { seconds: 5, rate: 100 }
              - { seconds: 5, rate: 400 }
            events:
              - { at: 6, action: scale, workers: 4 }
            """, file: "burst.yaml")
        #expect(s.name == "burst")
        #expect(s.ticketCount == 2500)
        #expect(s.due(after: 6) == 900)
        #expect(s.events == [.init(at: 6, action: .scale(workers: 4))])
        #expect(s.maxWorkers == 4)
    }

    @Test("a bad value is named by its field and line")
    func namesTheBadField() {
        do {
            _ = try LoadScenario.parse("load:\n  - { seconds: 5, rate: 100 }\n  -\n    seconds: 5\n    rate: fast\n", file: "x.yaml")
            Issue.record("parsed a rate of 'fast'")
        } catch {
            #expect(error.field == "load[1].rate")
            #expect(error.problem == "must be a number, not 'fast'")
            #expect(error.line != nil)
        }
    }

    @Test("throughput buckets, steady rate and lag")
    func series() {
        #expect(LoadSeries.perSecond([1000, 1500, 2100, 9000], startMs: 1000, seconds: 3) == [2, 1, 0])
        #expect(LoadSeries.steadyRate([1, 5, 7, 6, 100], from: 1, to: 4) == 6)
        #expect(LoadSeries.lag(high: [0: 10, 1: 5], low: [0: 0, 1: 2], committed: [0: 7, 1: -1001]) == 6)
        var latency = LatencyRecorder()
        for ms in 1...1000 { latency.record(ms: Int64(ms)) }
        #expect(latency.summary.p50 == 500)
        #expect(latency.summary.p99 == 990)
    }
}
