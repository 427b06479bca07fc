import Foundation
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

@Suite("The shipped scenario files and the scenario format")
struct LoadScenarioFileTests {
    static let scenarios = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("load-tests/scenarios")

    @Test("steady, burst, hot-customer and poison parse", arguments: ["steady", "burst", "hot-customer", "poison"])
    func shipped(name: String) throws {
        let s = try LoadScenario.load(path: Self.scenarios.appendingPathComponent("\(name).yaml").path)
        #expect(s.name == name)
        #expect(s.loadSeconds >= 20 && s.loadSeconds <= 30)
        switch name {
        case "burst": #expect(s.load.map(\.rate) == [2000, 10000, 2000])
        case "hot-customer": #expect(s.hotCustomerShare == 0.5)
        case "poison": #expect(s.malformedRate == 0.05)
        default: #expect(s.load == [.init(seconds: 20, rate: 2000)])
        }
    }

    @Test("duration and rate make one phase; workers as a mapping with args")
    func durationAndWorkers() throws {
        let s = try LoadScenario.parse("""
            duration: 4
            rate: 250
            customers: 7
            workers: { count: 3, args: [--max-in-flight, "64"] }
            """, file: "d.yaml")
        #expect(s.ticketCount == 1000)
        #expect(s.customers == 7)
        #expect(s.workers == 3)
        #expect(s.workerArgs == ["--max-in-flight", "64"])
    }

    @Test("errors name the file and the field", arguments: [
        ("rate: 5\n", "rate"),
        ("duration: 5\n", "rate"),
        ("name: x\n", "phases"),
        ("duration: 5\nrate: 10\nphases:\n  - { seconds: 1, rate: 1 }\n", "duration"),
        ("duration: 5\nrate: 10\nworkers: { count: 0 }\n", "workers.count"),
        ("duration: 5\nrate: 10\nworkers: { cnt: 2 }\n", "workers.cnt"),
        ("duration: 5\nrate: 10\ncustomers: many\n", "customers"),
        ("phases:\n  - { seconds: 1 }\n", "phases[0].rate"),
        ("duration: 5\nrate: 10\nbogus: 1\n", "bogus"),
    ])
    func errors(text: String, field: String) {
        do {
            _ = try LoadScenario.parse(text, file: "bad.yaml")
            Issue.record("parsed \(text.debugDescription)")
        } catch {
            #expect(error.field == field)
            #expect(error.description.hasPrefix("bad.yaml"))
        }
    }
}
