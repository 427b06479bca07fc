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

    @Test("each phase is judged by its own window and tickets; the maximum sustained rate is the highest phase kept up with")
    func phases() {
        let load: [LoadScenario.Phase] = [.init(seconds: 2, rate: 10), .init(seconds: 2, rate: 20), .init(seconds: 1, rate: 40)]
        #expect(LoadSeries.phaseStarts(load) == [0, 2, 4])
        // Sends: 20 in [0, 2) s, 40 in [2, 4) s, 40 in [4, 5) s from a start of 10,000 ms.
        let start: Int64 = 10_000
        var sent: [Int64] = []
        for i in 0..<20 { sent.append(start + Int64(i) * 100) }
        for i in 0..<40 { sent.append(start + 2_000 + Int64(i) * 50) }
        for i in 0..<40 { sent.append(start + 4_000 + Int64(i) * 25) }
        // Outputs: the first two phases keep up; the last one's come out after the load.
        var outputs: [Int64] = []
        for (i, t) in sent.enumerated() { outputs.append(i < 60 ? t + 5 : t + 3_000) }
        func summary(p99: Double) -> LatencySummary { LatencySummary(count: 10, p50: p99 / 2, p90: p99, p99: p99, p999: p99, max: p99, mean: p99 / 2) }
        let latency = [summary(p99: 5), summary(p99: 500), summary(p99: 3_000)]
        let phases: [LoadResult.Phase] = LoadSeries.phases(load, startMs: start, sentMs: sent.shuffled(), outputMs: outputs, latency: latency)
        #expect(phases.map { $0.start } == [0, 2, 4])
        #expect(phases.map { $0.inputRate } == [10, 20, 40])
        #expect(phases.map { $0.outputRate } == [10, 20, 0])
        #expect(phases.map { $0.keptUp } == [true, true, false])
        #expect(LoadSeries.maxSustainedRate(phases) == 20)
        // One rate, or every phase kept up with: no maximum to speak of (it is above them).
        // No output at all: not kept up.
        #expect(LoadSeries.maxSustainedRate(Array(phases.prefix(1))) == nil)
        #expect(LoadSeries.maxSustainedRate(Array(phases.prefix(2))) == nil)
        let silent = LoadSeries.phases(load, startMs: start, sentMs: sent, outputMs: [], latency: [])
        #expect(silent.allSatisfy { !$0.keptUp })
        #expect(LoadSeries.maxSustainedRate(silent) == nil)
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

    @Test("every scenario file in load-tests/scenarios parses")
    func everyFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.scenarios.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 11)
        for file in files {
            let s = try LoadScenario.load(path: Self.scenarios.appendingPathComponent(file).path)
            #expect(s.name == String(file.dropLast(5)), "\(file)")
            #expect(s.loadSeconds > 0, "\(file)")
        }
        let coordinator = try LoadScenario.load(path: Self.scenarios.appendingPathComponent("coordinator-down-up.yaml").path)
        #expect(coordinator.coordinator == 2)
        #expect(try LoadScenario.load(path: Self.scenarios.appendingPathComponent("broker-down-up.yaml").path).coordinator == 1)
        let ramp = try LoadScenario.load(path: Self.scenarios.appendingPathComponent("ramp.yaml").path)
        #expect(ramp.load.map(\.rate) == stride(from: 2000.0, through: 20000, by: 2000).map { $0 })
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

@Suite("The compare verdict")
struct LoadComparisonTests {
    static func result(steady: Double, p99: Double, ratio: Double? = nil) -> LoadResult {
        let latency = LatencySummary(count: 100, p50: p99 / 4, p90: p99 / 2, p99: p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 3)
        return LoadResult(
            scenario: "steady", description: "", startedAt: "", bootstrap: "", partitions: 12, workersAtStart: 1, maxWorkers: 1,
            model: "", loadSeconds: 20, offeredRate: [], ticketsWritten: 100, malformedWritten: 0, hotCustomerTickets: 0,
            outputs: 100, inputsWithOutput: 100,
            throughput: .init(perSecond: [], inputPerSecond: [], max: steady, steady: steady),
            latencyMs: latency, latencyP50PerSecond: [], latencyP99PerSecond: [], lag: [], maxLag: 0, finalLag: 0,
            drainedSeconds: nil, workers: [],
            passthrough: ratio.map { .init(records: 100, ratePerSecond: steady / $0, workerMaxRatio: $0, workerSteadyRatio: $0, process: nil) },
            events: [], notes: [])
    }

    @Test("a result with every part reads back from its JSON as it was")
    func roundTrip() throws {
        var r = Self.result(steady: 2000, p99: 40, ratio: 0.5)
        let process = LoadResult.Process(name: "w1", rssMB: [.init(t: 1, value: 80.5)], cpuPercent: [.init(t: 1, value: 42)],
                                         peakRSSMB: 80.5, meanCPUPercent: 42, exitCodes: [0, 143])
        r.workers = [process]
        r.runner = process
        r.passthrough?.process = process
        r.passthrough?.workerDrainRate = 31_000
        let phase = LoadResult.Phase(start: 0, seconds: 6, offeredRate: 2000, inputRate: 1999.5, outputRate: 1998, latencyMs: r.latencyMs, keptUp: true)
        r.phases = [phase]
        r.findMaxPhases = [phase, phase]
        r.maxSustainedRate = 2000
        #expect(try LoadResult.decode(r.encoded()) == r)
    }

    @Test("the same figures are no regression")
    func same() {
        let a = Self.result(steady: 2000, p99: 40, ratio: 0.5)
        #expect(!LoadComparison(before: a, after: a).isRegression)
    }

    @Test("a throughput drop beyond the threshold is a regression, within it is not")
    func throughput() {
        let a = Self.result(steady: 2000, p99: 40)
        #expect(LoadComparison(before: a, after: Self.result(steady: 1700, p99: 40), throughputDrop: 0.1).isRegression)
        #expect(!LoadComparison(before: a, after: Self.result(steady: 1850, p99: 40), throughputDrop: 0.1).isRegression)
        #expect(!LoadComparison(before: a, after: Self.result(steady: 1700, p99: 40), throughputDrop: 0.2).isRegression)
    }

    @Test("a p99 rise beyond the threshold is a regression; a rise within the slack is not")
    func latency() {
        let a = Self.result(steady: 2000, p99: 40)
        #expect(LoadComparison(before: a, after: Self.result(steady: 2000, p99: 60), latencyRise: 0.25).isRegression)
        #expect(!LoadComparison(before: a, after: Self.result(steady: 2000, p99: 48), latencyRise: 0.25).isRegression)
        let tiny = Self.result(steady: 2000, p99: 1)
        #expect(!LoadComparison(before: tiny, after: Self.result(steady: 2000, p99: 2), latencyRise: 0.25).isRegression)
    }

    @Test("a fall of the worker/passthrough ratio is a regression")
    func ratio() {
        #expect(LoadComparison(before: Self.result(steady: 2000, p99: 40, ratio: 0.8),
                               after: Self.result(steady: 2000, p99: 40, ratio: 0.5)).isRegression)
    }

    @Test("a lower maximum sustained rate of the phases is a regression; without one on both sides it is not judged")
    func sustained() {
        var a = Self.result(steady: 2000, p99: 40), b = a
        a.maxSustainedRate = 14_000
        b.maxSustainedRate = 10_000
        let verdict = LoadComparison(before: a, after: b)
        #expect(verdict.isRegression)
        #expect(verdict.findings.contains { $0.metric.hasPrefix("max sustained rate") && $0.regression })
        b.maxSustainedRate = nil
        #expect(!LoadComparison(before: a, after: b).isRegression)
    }
}

@Suite("The absolute send schedule and the hot customer")
struct LoadScheduleTests {
    @Test("ticket i is due at phase start + (i - first of phase) / rate")
    func schedule() throws {
        let s = try LoadScenario.parse("phases:\n  - { seconds: 10, rate: 2000 }\n  - { seconds: 5, rate: 10000 }\n", file: "b.yaml")
        #expect(s.sendOffset(ofTicket: 0) == 0)
        #expect(s.sendOffset(ofTicket: 1000) == 0.5)
        #expect(s.sendOffset(ofTicket: 20_000) == 10)
        #expect(s.sendOffset(ofTicket: 25_000) == 10.5)
        #expect(s.sendOffset(ofTicket: 69_999) == 10 + 49_999.0 / 10_000)
        #expect(s.sendOffset(ofTicket: 70_000) == nil)
        #expect(s.ticketCount == 70_000)
    }

    @Test("the hot customer gets its share; the rest spread over the customers", arguments: [0.0, 0.5, 0.9])
    func hot(share: Double) throws {
        var s = try LoadScenario.parse("duration: 10\nrate: 1000\ncustomers: 50\n", file: "h.yaml")
        s.hotCustomerShare = share
        let ids = (0..<10_000).map { s.customerID(ofTicket: $0) }
        let hot = Double(ids.filter { $0 == LoadScenario.hotCustomerID }.count) / 10_000
        #expect(abs(hot - share) < 0.02)
        #expect(Set(ids.filter { $0 != LoadScenario.hotCustomerID }).count == 50)
    }
}
