import Foundation
import Kafka
import Testing
import TriagePolicy
import TriageWire
@testable import TriageLoadTest

/// The load writer and the whole runner, on an in-process mock cluster.
@Suite("The load-test runner", .serialized)
struct LoadRunnerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `triage`: TRIAGE_BIN, or next to the test bundle.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["TRIAGE_BIN"] { return path }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("triage")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return nil
    }

    @Test("the writer keeps the schedule, stamps each record with its send time and keys the hot customer to one partition")
    func writer() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("tickets", partitions: 6)
        let settings = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)
        var scenario = LoadScenario(name: "w", load: [.init(seconds: 2, rate: 600)])
        scenario.hotCustomerShare = 0.5
        scenario.malformedRate = 0.05
        let writer = try LoadWriter(settings: settings, topic: "tickets", seed: 7, malformedRate: scenario.malformedRate)
        let start = ContinuousClock.now
        let startMs = Int64(Date().timeIntervalSince1970 * 1000)
        try writer.writeLoad(scenario, start: start)
        let counts = writer.snapshot
        #expect(counts.sent == 1200)
        #expect(counts.acknowledged == 1200)
        #expect(counts.failed == 0)
        #expect((450...750).contains(counts.hotCustomer))
        #expect((20...110).contains(counts.malformed))

        // Each ticket went out close to its due time (the writer never runs ahead).
        var late: [Int64] = []
        for i in 0..<counts.sent {
            let due = startMs + Int64(scenario.sendOffset(ofTicket: i)! * 1000)
            let sent = try #require(writer.sentMs(ofTicket: i))
            #expect(sent >= due - 2, "ticket \(i) sent \(due - sent) ms early")
            late.append(sent - due)
        }
        late.sort()
        #expect(late[late.count / 2] < 50, "median lateness \(late[late.count / 2]) ms")

        // Read back: timestamps are the send times, positions map to tickets, ids parse, and
        // the hot customer is in one partition.
        var hotPartitions: Set<Int32> = []
        var read = 0
        try KafkaTopicReader(settings: settings).readAll(topics: ["tickets"]) { message in
            read += 1
            let index = try #require(writer.ticket(atPartition: message.partition, offset: message.offset))
            #expect(message.timestampMs == writer.sentMs(ofTicket: index))
            let key = String(decoding: message.key ?? [], as: UTF8.self)
            #expect(key == scenario.customerID(ofTicket: index, seed: 7))
            if key == LoadScenario.hotCustomerID { hotPartitions.insert(message.partition) }
        }
        #expect(read == 1200)
        #expect(hotPartitions.count == 1)
        #expect(writer.ticketIndex(ofID: "T-7-000042") == 41)
        #expect(writer.ticketIndex(ofID: "T-8-000042") == nil)
    }

    @Test("rate_of_max takes its rate from the measured maximum, and needs find_max or capacity; find_max's fields are checked")
    func rateOfMax() throws {
        let s = try LoadScenario.parse("capacity: 5000\nduration: 10\nrate_of_max: 0.5\n", file: "c.yaml")
        #expect(s.needsMaxRate)
        #expect(s.capacityTickets == 5000)
        let resolved = s.resolved(maxRate: 8000)
        #expect(resolved.load == [.init(seconds: 10, rate: 4000, fractionOfMax: 0.5)])
        #expect(resolved.ticketCount == 40_000)
        do {
            _ = try LoadScenario.parse("duration: 10\nrate_of_max: 0.5\n", file: "c.yaml")
            Issue.record("rate_of_max without capacity parsed")
        } catch {
            #expect(error.field == "rate_of_max")
            #expect(error.problem.contains("needs find_max"))
        }
        #expect(try LoadScenario.parse("find_max: { from: 1000, step: 500, to: 2000, seconds: 3 }\nduration: 10\nrate_of_max: 0.5\n",
                                       file: "f.yaml").findMax == [1000, 1500, 2000].map { .init(seconds: 3, rate: $0) })
        for (text, field) in [("find_max: { from: 1000, step: 500, seconds: 3 }", "find_max.to"),
                              ("find_max: { from: 3000, step: 500, to: 2000, seconds: 3 }", "find_max.to"),
                              ("find_max: { from: 1, step: 1, to: 1000, seconds: 3 }", "find_max.step"),
                              ("find_max: { from: 1000, step: 500, to: 2000, seconds: 3, every: 1 }", "find_max.every")] {
            do {
                _ = try LoadScenario.parse(text + "\nduration: 10\nrate: 5\n", file: "f.yaml")
                Issue.record("parsed \(text)")
            } catch {
                #expect(error.field == field, "\(text)")
            }
        }
        do {
            _ = try LoadScenario.parse("capacity: 5000\nphases:\n  - { seconds: 5, rate: 10, rate_of_max: 0.5 }\n", file: "c.yaml")
            Issue.record("rate and rate_of_max together parsed")
        } catch {
            #expect(error.field == "phases[0].rate_of_max")
        }
    }

    @Test("a run: the ceiling on a backlog, one worker, a short load; every ticket has an output and the result adds up")
    func run() throws {
        guard let binary = Self.binary else {
            print("skipped: the triage binary was not found next to the tests (run `swift build` first or set TRIAGE_BIN)")
            return
        }
        var scenario = LoadScenario(name: "tiny", load: [.init(seconds: 2, rate: 200), .init(seconds: 2, rate: 250)])
        scenario.partitions = 4
        scenario.malformedRate = 0.05
        scenario.drainSeconds = 30
        let fixture = try Fixture(binary: binary, scenario: scenario, name: "t", workerArgs: [])
        defer { fixture.remove() }
        var setup = fixture.setup
        setup.ceilingTickets = 1_000
        let result = try LoadRunner(setup: setup, say: { print("load-test: \($0)") }).run()

        #expect(result.ticketsWritten == 900)
        #expect(result.inputsWithOutput == 900, "notes: \(result.notes)")
        #expect(result.outputs >= 900)
        #expect(result.latencyMs.count == result.outputs)
        #expect(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.max)
        #expect(result.throughput.perSecond.reduce(0, +) == result.outputs)
        #expect(result.throughput.inputPerSecond.reduce(0, +) == 900)
        // The load's own tickets only (not the backlog's): 5 % of 900.
        #expect(result.malformedWritten > 10 && result.malformedWritten < 100, "\(result.malformedWritten) malformed")
        // Two phases, each with its own tickets' latency; a maximum sustained rate only when
        // the higher one fell behind (which depends on the machine).
        let phases = try #require(result.phases)
        #expect(phases.map(\.offeredRate) == [200, 250])
        #expect(phases.map(\.latencyMs.count).reduce(0, +) == result.outputs)
        #expect(abs(phases[0].inputRate - 200) <= 5 && abs(phases[1].inputRate - 250) <= 5, "\(phases.map(\.inputRate))")
        #expect(phases.allSatisfy { $0.keptUp == ($0.latencyMs.p99 <= LoadResult.Phase.keptUpP99Ms) })
        #expect(result.maxSustainedRate == LoadSeries.maxSustainedRate(phases))
        #expect(!result.lag.isEmpty)
        #expect(result.finalLag == 0)
        #expect(result.drainedSeconds != nil)
        let worker = try #require(result.workers.first)
        #expect(worker.exitCodes == [0])
        #expect(worker.peakRSSMB > 1)
        let ceiling = try #require(result.passthrough)
        #expect(ceiling.records == 1_000)
        #expect(ceiling.backlogTickets == 1_000)
        #expect(ceiling.ratePerSecond > 0)
        #expect((ceiling.workerDrainRate ?? 0) > 0)
        #expect(ceiling.measured == "a backlog before the load")
        #expect(result.runner.map { !$0.cpuPercent.isEmpty } == true)
        // result.json reads back as what was written (what `compare` reads).
        #expect(try LoadResult.decode(result.encoded()) == result)
        let json = String(decoding: try result.encoded(), as: UTF8.self)
        for key in ["\"peak_rss_mb\"", "\"rss_mb\"", "\"mean_cpu_percent\"", "\"latency_p99_per_second\"", "\"worker_drain_rate\""] {
            #expect(json.contains(key), "\(key) in result.json")
        }
        // The plot names the scenario and has its four charts.
        let svg = LoadChart.svg(result)
        #expect(svg.contains("Load test: tiny"))
        #expect(svg.components(separatedBy: "class=\"ct\"").count - 1 >= 4)
    }

    @Test("find_max: one worker takes the paced steps before the load; the highest kept up with is the maximum, and rate_of_max refers to it")
    func findMax() throws {
        guard let binary = Self.binary else {
            print("skipped: the triage binary was not found next to the tests (run `swift build` first or set TRIAGE_BIN)")
            return
        }
        var scenario = try LoadScenario.parse("""
            find_max: { from: 50, step: 50, to: 100, seconds: 2 }
            duration: 2
            rate_of_max: 0.5
            partitions: 4
            malformed_rate: 0
            """, file: "f.yaml")
        #expect(scenario.findMax?.map(\.rate) == [50, 100])
        scenario.drainSeconds = 30
        // As the command does on the mock: a short fetch wait, or the mock's 500 ms is the latency.
        let fixture = try Fixture(binary: binary, scenario: scenario, name: "f", workerArgs: ["-X", "fetch.wait.max.ms=10"])
        defer { fixture.remove() }
        var setup = fixture.setup
        setup.ceiling = false
        let result = try LoadRunner(setup: setup, say: { print("load-test: \($0)") }).run()

        let steps = try #require(result.findMaxPhases)
        #expect(steps.map(\.offeredRate) == [50, 100])
        #expect(steps.allSatisfy { $0.latencyMs.count > 0 })
        let max = try #require(result.maxSustainedRate, "50 and 100 tickets/s are kept up with on any machine this runs on")
        #expect(max == steps.filter(\.keptUp).map(\.offeredRate).max())
        // The load ran at half of it, and its tickets are the load's only.
        #expect(result.phases?.map(\.offeredRate) == [max / 2])
        #expect(result.ticketsWritten == Int(max / 2 * 2))
        #expect(result.inputsWithOutput == result.ticketsWritten, "notes: \(result.notes)")
        #expect(result.passthrough == nil)
        #expect(try LoadResult.decode(result.encoded()) == result)
    }

    /// A mock cluster with the demo policy's topics and `tickets.passthrough`, a log folder,
    /// and the runner's setup for `scenario` with workers of `binary`.
    struct Fixture {
        let setup: LoadRunner.Setup
        let logs: URL

        init(binary: String, scenario: LoadScenario, name: String, workerArgs: [String]) throws {
            let policyDirectory = LoadRunnerTests.root.appendingPathComponent("prompts/demo").path
            let policy = try Policy.load(directory: policyDirectory)
            let topics = TriageTopics()
            let cluster = try MockCluster(brokers: 1)
            for spec in topics.specs(for: policy, partitions: scenario.partitions) {
                try cluster.createTopic(spec.name, partitions: spec.partitions)
            }
            try cluster.createTopic("tickets.passthrough", partitions: scenario.partitions)
            try cluster.createTopic("tickets.find-max", partitions: scenario.partitions)
            logs = FileManager.default.temporaryDirectory.appendingPathComponent("triage-load-\(name)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            let bootstrap = cluster.bootstrapServers
            let launcher = LoadRunner.WorkerLauncher(executable: binary) { group, passthrough, member in
                ["work", "--bootstrap", bootstrap, "--group", group, "--dev", "--create-topics", "0", "--log-format", "text",
                 "--worker-id", "\(name)-\(member)", "--shutdown-timeout", "5", "--min-retention-days", "0"] + workerArgs
                    + (passthrough ? ["--passthrough"] : ["--policy", policyDirectory])
            }
            let io = LoadRunner.Topics(input: topics.tickets,
                                       outputs: policy.queueNames.map { topics.queue($0) } + [topics.automated, topics.deadLetter],
                                       passthrough: "tickets.passthrough")
            setup = LoadRunner.Setup(scenario: scenario, settings: KafkaClientSettings(bootstrapServers: bootstrap), cluster: cluster,
                                     bootstrapLabel: "mock", topics: io, launcher: launcher, group: "lt-\(name)", logDirectory: logs)
        }

        func remove() { try? FileManager.default.removeItem(at: logs) }
    }
}
