import ArgumentParser
import Foundation
import Kafka
import TriageLoadTest
import TriageOps
import TriageWire

/// `triage load-test`: run a scenario of load-tests/scenarios/, and compare two results.
struct LoadTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "Scenario load tests: run one (workers, load, latency, lag, plot), and compare two results.",
        subcommands: [LoadTestRun.self, LoadTestCompare.self]
    )
}

struct LoadTestRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario file: a cluster, `triage work` processes, the load on its schedule; write result.json and plot.svg.",
        discussion: """
            Without --bootstrap it starts a mock cluster in this process (--brokers, the scenario's \
            partitions), as `triage dev-cluster` does; with --bootstrap it uses that cluster and \
            puts `lt-<run id>.` after any --topic-prefix, so runs never share topics (they are \
            left behind: delete them with your cluster's tools). Broker events need the mock.

            Workers are `triage work --dev` processes of --bin (this binary by default) in one \
            group, with the demo model (trained from prompts/demo/examples.csv and cached) unless \
            the scenario or --model names one. The load is sample tickets on an absolute \
            schedule; each input record's timestamp is its send time, and latency is the output \
            record's timestamp minus it (on the mock: the worker producer's create time). Every \
            second the run samples each worker's RSS and CPU and the group's lag. After the load \
            it waits for the lag to reach 0 (at most drain_seconds), stops the workers with \
            SIGTERM and reads the outputs.

            Before the load, a backlog (the scenario's `capacity`, else --ceiling-tickets) is \
            drained by one `triage work --passthrough` in a group of its own, then by the run's \
            first worker: the ceiling and the worker's maximum sustained rate, in the same run.

            Exits 0 when every ticket has an output, 1 when some have none or a worker failed, \
            130 on Ctrl-C (the workers are stopped; no result). Scenario format: load-tests/README.md.
            """
    )

    @Argument(help: "The scenario file (YAML), e.g. load-tests/scenarios/steady.yaml.")
    var scenario: String

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var policyOptions: PolicyOptions

    @Option(help: "Folder for result.json, plot.svg and the worker logs. Default: ${XDG_STATE_HOME:-~/.local/state}/triage/load-tests/<scenario>-<UTC time>.")
    var out: String?

    @Option(help: "The triage binary the workers run (default: this one).")
    var bin: String?

    @Option(help: "Trained model file for the workers (default: the scenario's model, else the demo model).")
    var model: String?

    @Option(help: "Mock brokers when no --bootstrap is given.")
    var brokers = 3

    @Option(help: "Seed of the sample tickets.")
    var seed: UInt64 = 1

    @Option(name: .customLong("worker-arg"), parsing: .unconditionalSingleValue,
            help: "One more argument for every `triage work` (repeatable), e.g. --worker-arg=--max-batch --worker-arg=1000.")
    var workerArguments: [String] = []

    @Flag(name: .customLong("no-ceiling"), help: "Skip the passthrough and drain measurement before the load (a scenario's `capacity` is still drained).")
    var noCeiling = false

    @Option(name: .customLong("ceiling-tickets"), help: "Tickets of the backlog the ceiling is measured on, when the scenario has no `capacity`.")
    var ceilingTickets = 50_000

    func validate() throws {
        guard (1_000...10_000_000).contains(ceilingTickets) else { throw ValidationError("--ceiling-tickets must be 1000 to 10000000, not \(ceilingTickets)") }
        guard (1...10).contains(brokers) else { throw ValidationError("--brokers must be 1 to 10, not \(brokers)") }
        if let bin, !FileManager.default.isExecutableFile(atPath: bin) { throw ValidationError("--bin '\(bin)': not an executable file") }
        if let model, !FileManager.default.fileExists(atPath: model) { throw ValidationError("--model '\(model)': no such file") }
    }

    func run() throws {
        let parsed: LoadScenario
        do { parsed = try LoadScenario.load(path: scenario) } catch { throw ValidationError(error.description) }
        Logs.bootstrap(level: .warning)
        let interrupt = InterruptFlag()
        let settings = try kafka.resolve("load-test run", requireBootstrap: false)
        let policy = try policyOptions.load()
        let runID = Self.runID()
        let external = kafka.bootstrap != nil || ProcessInfo.processInfo.environment["TRIAGE_BOOTSTRAP"] != nil || settings.file?.scalar("kafka.bootstrap") != nil
        let prefix = external ? settings.topics.prefix + "lt-\(runID)." : settings.topics.prefix
        let topics = TriageTopics(prefix: prefix)
        let io = LoadRunner.Topics(input: topics.tickets,
                                   outputs: policy.queueNames.map { topics.queue($0) } + [topics.automated, topics.deadLetter],
                                   passthrough: prefix + "tickets.passthrough",
                                   findMaxInput: prefix + "tickets.find-max", findMaxInputArgument: "tickets.find-max")
        if let file = parsed.model ?? model, !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("model '\(file)' (from \(model != nil ? "--model" : "the scenario")): no such file")
        }
        let modelPath = try model ?? parsed.model ?? {
            _ = try DemoModel.loadOrTrain(examples: DemoModel.examplesPath, say: { printError("load-test: \($0)") })
            return DemoModel.cacheDirectory + "/demo.model"
        }()

        let folder = URL(fileURLWithPath: out ?? Self.defaultFolder(scenario: parsed.name, runID: runID))
        let logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)

        // The cluster: in this process, or the one named.
        var cluster: TriageOps.DevCluster?
        var clientSettings = settings.kafka
        let extraTopics = [io.passthrough] + (parsed.findMax != nil ? [io.findMaxInput] : [])
        let specs = topics.specs(for: policy, partitions: parsed.partitions) + extraTopics.map { KafkaTopicSpec(name: $0, partitions: parsed.partitions) }
        if external {
            try KafkaOptions.checkReachable(settings, "load-test run")
            let admin = try KafkaAdmin(settings: settings.kafka)
            let created = try admin.createMissingTopics(specs)
            printError("load-test: \(created.count) topics created with prefix '\(prefix)' on \(settings.kafka.bootstrapServers)")
        } else {
            let dev = try TriageOps.DevCluster(brokers: brokers, partitions: parsed.partitions, policy: policy, topics: topics)
            for topic in extraTopics { try dev.cluster.createTopic(topic, partitions: parsed.partitions, replicationFactor: min(3, brokers)) }
            cluster = dev
            clientSettings = KafkaClientSettings(bootstrapServers: dev.bootstrapServers)
            printError("load-test: mock cluster of \(brokers) brokers at \(dev.bootstrapServers), \(parsed.partitions) partitions per topic")
        }

        let bootstrap = clientSettings.bootstrapServers
        // librdkafka's mock answers a fetch only after fetch.wait.max.ms (default 500 ms) when
        // it had no records at the start, even if records arrive meanwhile; a real broker
        // answers as soon as fetch.min.bytes (1) is there. Without this the mock's wait, not
        // the worker, is the latency (p50 ≈ 280 ms, p99 ≈ 500 ms at 2,000/s).
        // The mock also holds every rebalance for session.timeout.ms − 1 s (a real broker ends
        // the join once every member has rejoined) and refuses commits meanwhile (a real
        // broker accepts them while preparing the rebalance), so with the default 10 s each
        // cooperative rebalance took two 9 s rounds and the revoked partitions' commits
        // failed (43k duplicates in scale-out). A 4 s session gives 3 s rounds.
        let forwarded = external ? forwardedKafkaArguments(external: true)
            : ["-X", "fetch.wait.max.ms=\(Self.mockFetchWaitMs)",
               "-X", "session.timeout.ms=\(Self.mockSessionTimeoutMs)", "-X", "heartbeat.interval.ms=\(Self.mockHeartbeatMs)"]
        let workerExtra = parsed.workerArgs + workerArguments
        let policyDirectory = policyOptions.directory
        let executable = bin ?? Bundle.main.executablePath ?? "/proc/self/exe"
        let launcher = LoadRunner.WorkerLauncher(executable: executable) { group, passthrough, name in
            var args = ["work", "--bootstrap", bootstrap, "--group", group, "--dev", "--create-topics", "0",
                        "--progress-interval", "5", "--log-format", "text", "--worker-id", "lt-\(name)",
                        "--topic-prefix", prefix, "--shutdown-timeout", "10", "--min-retention-days", "0"] + forwarded
            if passthrough {
                args += ["--passthrough"]
            } else {
                args += ["--model", modelPath, "--policy", policyDirectory] + workerExtra
            }
            return args
        }
        var setup = LoadRunner.Setup(scenario: parsed, settings: clientSettings, cluster: cluster?.cluster,
                                     bootstrapLabel: external ? settings.kafka.bootstrapServers : "in-process mock (\(brokers) brokers)",
                                     topics: io, launcher: launcher, group: "lt-\(runID)", logDirectory: logs)
        setup.seed = seed
        setup.ceiling = !noCeiling
        setup.ceilingTickets = ceilingTickets
        setup.modelLabel = modelPath
        if !external {
            setup.notes.append("in-process mock cluster: workers run with fetch.wait.max.ms=\(Self.mockFetchWaitMs) (the mock holds a fetch that long even when records arrive; a real broker answers when they do)")
            setup.notes.append("in-process mock cluster: workers run with session.timeout.ms=\(Self.mockSessionTimeoutMs) and heartbeat.interval.ms=\(Self.mockHeartbeatMs) (the mock holds each rebalance for the session timeout less 1 s and refuses commits meanwhile, so revoked partitions are redelivered: duplicates)")
        }
        let runner = LoadRunner(setup: setup, say: { printError("load-test: \($0)") }, interrupted: { interrupt.isSet })
        let result: LoadResult
        do {
            result = try runner.run()
        } catch let error as LoadRunner.Interrupted {
            printError("load-test: \(error)")
            throw ExitCode(130)
        } catch let error as LoadRunner.Failure {
            printError("load-test: \(error); logs in \(logs.path)")
            throw ExitCode(1)
        }
        try result.encoded().write(to: folder.appendingPathComponent("result.json"))
        try Data(LoadChart.svg(result).utf8).write(to: folder.appendingPathComponent("plot.svg"))
        for line in Self.summary(result) { printOut(line) }
        printOut("result: \(folder.appendingPathComponent("result.json").path)")
        printOut("plot:   \(folder.appendingPathComponent("plot.svg").path)")
        withExtendedLifetime(cluster) {}
        if result.inputsWithOutput < result.ticketsWritten || result.workers.contains(where: { $0.exitCodes.contains { $0 != 0 } }) {
            printError("load-test: FAILED: \(result.ticketsWritten - result.inputsWithOutput) tickets without output; notes: \(result.notes.joined(separator: "; "))")
            throw ExitCode(1)
        }
    }

    static let mockFetchWaitMs = 10
    static let mockSessionTimeoutMs = 4_000
    static let mockHeartbeatMs = 1_000

    /// -X, --kafka-secret-file and --config as given, for the workers (an external cluster only).
    private func forwardedKafkaArguments(external: Bool) -> [String] {
        guard external else { return [] }
        var args: [String] = []
        if let config = kafka.config { args += ["--config", config] }
        for p in kafka.properties { args += ["-X", p] }
        for s in kafka.secretFiles { args += ["--kafka-secret-file", s] }
        return args
    }

    static func runID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: Date())
    }

    static func defaultFolder(scenario: String, runID: String) -> String {
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return "\(state)/triage/load-tests/\(scenario)-\(runID)"
    }

    static func summary(_ r: LoadResult) -> [String] {
        func f(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : "%.1f", v) }
        let l = r.latencyMs
        var lines = [
            "scenario \(r.scenario): \(r.ticketsWritten) tickets in \(f(r.loadSeconds)) s (\(r.malformedWritten) malformed), \(r.workersAtStart == r.maxWorkers ? "\(r.maxWorkers)" : "\(r.workersAtStart)→\(r.maxWorkers)") workers, \(r.partitions) partitions",
            "throughput: steady \(f(r.throughput.steady))/s, max \(f(r.throughput.max))/s; \(r.outputs) outputs for \(r.inputsWithOutput) tickets"
                + (r.outputs > r.inputsWithOutput ? " (\(r.outputs - r.inputsWithOutput) duplicates: redelivered after a rebalance or restart)" : ""),
            "latency ms: p50 \(f(l.p50)) p90 \(f(l.p90)) p99 \(f(l.p99)) p99.9 \(f(l.p999)) max \(f(l.max)) (\(l.count) outputs)",
            "lag: max \(Int(r.maxLag)), final \(Int(r.finalLag))\(r.drainedSeconds.map { ", drained \(f($0)) s after the load" } ?? ", not drained")",
        ]
        func phaseLine(_ label: String, _ p: LoadResult.Phase) -> String {
            "\(label): offered \(f(p.offeredRate))/s, in \(f(p.inputRate))/s, out \(f(p.outputRate))/s; latency ms p50 \(f(p.latencyMs.p50)) p99 \(f(p.latencyMs.p99)) max \(f(p.latencyMs.max)); \(p.keptUp ? "kept up" : "fell behind")"
        }
        for (i, p) in (r.findMaxPhases ?? []).enumerated() { lines.append(phaseLine("find_max step \(i + 1)", p)) }
        if let phases = r.phases, phases.count > 1 {
            for (i, p) in phases.enumerated() { lines.append(phaseLine("phase \(i + 1) at \(f(p.start)) s", p)) }
        }
        let how = r.findMaxPhases != nil ? "find_max, before the load: the highest step one worker kept up with" : "the highest phase kept up with"
        if let m = r.maxSustainedRate {
            lines.append("max sustained rate (paced; \(how), p99 ≤ \(f(LoadResult.Phase.keptUpP99Ms)) ms): \(f(m))/s")
        } else if let phases = r.phases, Set(phases.map(\.offeredRate)).count > 1 {
            let kept = phases.filter(\.keptUp).map(\.offeredRate).max()
            lines.append(kept.map { "every phase was kept up with, up to \(f($0))/s: the maximum sustained rate is above that" }
                         ?? "max sustained rate: no phase was kept up with")
        }
        for w in r.workers { lines.append("worker \(w.name): peak RSS \(f(w.peakRSSMB)) MB, mean CPU \(f(w.meanCPUPercent)) %, exit \(w.exitCodes)") }
        if let runner = r.runner { lines.append("\(runner.name): peak RSS \(f(runner.peakRSSMB)) MB, mean CPU \(f(runner.meanCPUPercent)) %") }
        if let p = r.passthrough {
            lines.append("ceiling (\(p.measured ?? "a backlog"), \(p.backlogTickets ?? p.records) tickets): passthrough \(f(p.ratePerSecond))/s, one worker \(p.workerDrainRate.map(f) ?? "?")/s, ratio \(f(p.workerMaxRatio * 100)) %")
        }
        for n in r.notes { lines.append("note: \(n)") }
        return lines
    }
}

struct LoadTestCompare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two load-test results; exit 1 when B is a regression of A.",
        discussion: """
            A regression: steady or max throughput, or the worker/passthrough ratio, fell by more \
            than --max-throughput-drop, or p99 latency rose by more than --max-p99-increase (and by \
            more than 2 ms). p50 and p99.9 are printed, not judged.
            """
    )

    @Argument(help: "The earlier result.json (the baseline).")
    var before: String

    @Argument(help: "The later result.json.")
    var after: String

    @Option(help: "A throughput fall of more than this fraction is a regression.")
    var maxThroughputDrop = 0.10

    @Option(name: .customLong("max-p99-increase"), help: "A p99 rise of more than this fraction is a regression.")
    var maxP99Increase = 0.25

    func validate() throws {
        guard (0...1).contains(maxThroughputDrop) else { throw ValidationError("--max-throughput-drop must be within 0…1, not \(maxThroughputDrop)") }
        guard maxP99Increase >= 0 else { throw ValidationError("--max-p99-increase must be 0 or more, not \(maxP99Increase)") }
    }

    func run() throws {
        let a = try read(before), b = try read(after)
        printOut("A: \(before) (\(a.scenario), \(a.startedAt))")
        printOut("B: \(after) (\(b.scenario), \(b.startedAt))")
        if a.scenario != b.scenario { printOut("note: different scenarios (\(a.scenario) vs \(b.scenario))") }
        let comparison = LoadComparison(before: a, after: b, throughputDrop: maxThroughputDrop, latencyRise: maxP99Increase)
        for finding in comparison.findings { printOut(finding.description) }
        if comparison.isRegression {
            printOut("verdict: REGRESSION")
            throw ExitCode(1)
        }
        printOut("verdict: ok")
    }

    private func read(_ path: String) throws -> LoadResult {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("'\(path)': cannot be read") }
        do { return try LoadResult.decode(data) } catch { throw ValidationError("'\(path)' is not a load-test result: \(error)") }
    }
}
