import ArgumentParser
import Foundation
import Kafka
import TriageAudit
import TriageModel
import TriageOps
import TriagePolicy
import TriageWire
import TriageWorker

struct ThroughputBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput-bench",
        abstract: "End-to-end tickets per second: a passthrough baseline and one `triage work` process, on one in-process mock cluster, in one run.",
        discussion: """
            Starts a mock cluster (--brokers, --partitions) in this process, writes a backlog of \
            tickets (rows of --data, as many times as needed, or the project's sample tickets), then \
            (1) copies the backlog to another topic in a consumer group (consume and produce, nothing \
            else: the I/O ceiling through this project's Kafka layer) and (2) runs `triage work` as a \
            child process over the same backlog until it has done every ticket, sampling its memory. \
            Each rate is (N - 1) / (time of the last output - time of the first), from the outputs' \
            record timestamps, so start-up is left out. Prints both rates, their ratio and the worker's \
            resident memory. The cluster shares the machine's cores with both. Build with -c release; \
            benchmarks/throughput/run.sh runs the banking77 measurement of docs/PERFORMANCE.md.
            """
    )

    @Option(help: "Tickets in the backlog.")
    var tickets = 200_000

    @Option(help: "Partitions of every topic.")
    var partitions = 24

    @Option(help: "Brokers of the mock cluster.")
    var brokers = 3

    @Option(help: "Data file (CSV with a header row, or JSONL) whose rows become the tickets; by default the project's sample tickets.")
    var data: String?

    @Option(name: .customLong("text-column"), help: "With --data: the column holding the ticket text.")
    var textColumn = "text"

    @Option(help: "Trained model file for the worker; by default the demo model (trained from prompts/demo/examples.csv, cached).")
    var model: String?

    @OptionGroup var policyOptions: PolicyOptions

    @Option(name: .customLong("worker-arg"), parsing: .unconditionalSingleValue,
            help: "One more argument for `triage work` (repeatable), e.g. --worker-arg=--max-batch --worker-arg=1000.")
    var workerArguments: [String] = []

    @Flag(help: "Skip the passthrough baseline.")
    var noPassthrough = false

    @Flag(name: .customLong("exactly-once-too"), help: "After the worker, run it again with --exactly-once (its own group, the same backlog) and print its rate and its share of the at-least-once rate.")
    var exactlyOnceToo = false

    @Option(help: "Give up on a phase after this many seconds.")
    var timeout = 900

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard tickets >= 2 else { throw ValidationError("--tickets must be at least 2, not \(tickets)") }
        guard (1...1000).contains(partitions) else { throw ValidationError("--partitions must be 1 to 1000, not \(partitions)") }
        guard (1...10).contains(brokers) else { throw ValidationError("--brokers must be 1 to 10, not \(brokers)") }
        guard timeout >= 10 else { throw ValidationError("--timeout must be at least 10 seconds, not \(timeout)") }
        if let data, !FileManager.default.fileExists(atPath: data) { throw ValidationError("--data '\(data)': no such file") }
        if let model, !FileManager.default.fileExists(atPath: model) { throw ValidationError("--model '\(model)': no such file") }
    }

    func run() throws {
        Logs.bootstrap(level: .warning)
        let policy = try policyOptions.load()
        let modelPath = try model ?? {
            _ = try DemoModel.loadOrTrain(examples: DemoModel.examplesPath, say: { printError($0) })
            return DemoModel.cacheDirectory + "/demo.model"
        }()
        let topics = TriageTopics()
        let cluster = try TriageOps.DevCluster(brokers: brokers, partitions: partitions, policy: policy, topics: topics)
        let passthroughTopic = "bench.passthrough"
        try cluster.cluster.createTopic(passthroughTopic, partitions: partitions, replicationFactor: min(3, brokers))
        let kafka = KafkaClientSettings(bootstrapServers: cluster.bootstrapServers)

        let written = try seed(kafka)
        printError("throughput-bench: \(written) tickets written to \(topics.tickets) (\(partitions) partitions, \(brokers) brokers)")

        var passthrough: ThroughputBenchmark.Rate?
        if !noPassthrough {
            printError("throughput-bench: passthrough: copying the backlog to \(passthroughTopic)")
            let copied = try ThroughputBenchmark.passthrough(kafka: kafka, input: topics.tickets, output: passthroughTopic, group: "bench-passthrough",
                                                             count: written, timeoutSeconds: Double(timeout)) { printError("throughput-bench: passthrough: \($0) copied") }
            guard copied == written else { throw ValidationError("the passthrough copied \(copied) of \(written) tickets within \(timeout) s") }
            passthrough = ThroughputBenchmark.Rate(timestamps: try ThroughputBenchmark.timestamps(of: [passthroughTopic], kafka: kafka))
        }

        printError("throughput-bench: worker: `triage work` over the same backlog")
        let (peakResident, lastResident) = try runWorker(bootstrap: cluster.bootstrapServers, model: modelPath, count: written)
        let outputs = policy.queueNames.map { topics.queue($0) } + [topics.automated, topics.deadLetter]
        let worker = ThroughputBenchmark.Rate(timestamps: try ThroughputBenchmark.timestamps(of: outputs, kafka: kafka))
        guard worker.outputs >= written else {
            throw ValidationError("the worker's outputs hold \(worker.outputs) records for \(written) tickets")
        }
        var exactlyOnce: ThroughputBenchmark.Rate?
        if exactlyOnceToo {
            // The same output topics: this run's outputs are those stamped after the first run's last.
            printError("throughput-bench: worker --exactly-once: `triage work --exactly-once` over the same backlog")
            _ = try runWorker(bootstrap: cluster.bootstrapServers, model: modelPath, count: written, group: "bench-worker-eos", extra: ["--exactly-once"])
            let rate = ThroughputBenchmark.Rate(timestamps: try ThroughputBenchmark.timestamps(of: outputs, kafka: kafka).filter { $0 > worker.lastMs })
            guard rate.outputs >= written else {
                throw ValidationError("the exactly-once worker's outputs hold \(rate.outputs) records for \(written) tickets")
            }
            exactlyOnce = rate
        }
        report(written: written, passthrough: passthrough, worker: worker, exactlyOnce: exactlyOnce,
               peakResident: peakResident, lastResident: lastResident, model: modelPath)
    }

    /// The backlog: rows of --data (repeated as needed, ids made unique), or sample tickets.
    private func seed(_ kafka: KafkaClientSettings) throws -> Int {
        guard let data else {
            return try Seeder(kafka: kafka).seed(count: tickets, seed: 1, malformedRate: 0.01).written
        }
        let records = try Dataset.readRecords(path: data)
        let rows = records.count
        guard rows > 0 else { throw ValidationError("--data '\(data)' has no rows") }
        var options = Replayer.Options()
        options.textColumn = textColumn
        options.repeats = (tickets + rows - 1) / rows
        options.customers = max(1, tickets / 4)
        options.runID = "bench"
        do {
            return try Replayer(kafka: kafka, topic: TriageTopics().tickets).replay(rows: records, from: data, options: options, now: { UTCTime.now() }).written
        } catch let error as ReplayError {
            throw ValidationError(error.description)
        }
    }

    /// Runs `triage work` until it reports every ticket done; returns its peak and last
    /// resident memory (bytes; 0 when not readable).
    private func runWorker(bootstrap: String, model: String, count: Int, group: String = "bench-worker", extra: [String] = []) throws -> (Int, Int) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("triage-throughput-bench-\(getpid()).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["work", "--bootstrap", bootstrap, "--group", group, "--dev", "--create-topics", "0",
                             "--model", model, "--policy", policyOptions.directory, "--progress-interval", "1",
                             "--log-format", "text", "--worker-id", "bench"] + workerArguments + extra
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var peak = 0
        var last = 0
        var lastDone = -1
        let deadline = Date().addingTimeInterval(Double(timeout))
        let progress = /progress: (\d+) tickets done/
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            if let memory = ThroughputBenchmark.memory(ofProcess: process.processIdentifier) {
                peak = max(peak, memory.peak)
                last = memory.resident
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard process.isRunning else {
                throw ValidationError("`triage work` exited (status \(process.terminationStatus)) before finishing:\n\(text.suffix(2000))")
            }
            let done = text.matches(of: progress).last.flatMap { Int($0.output.1) } ?? 0
            if done != lastDone, done / 50_000 != lastDone / 50_000 { printError("throughput-bench: worker: \(done) tickets done") }
            lastDone = done
            if done >= count {
                process.terminate()  // SIGTERM: a graceful stop
                process.waitUntilExit()
                return (peak, last)
            }
        }
        throw ValidationError("`triage work` did \(lastDone) of \(count) tickets within \(timeout) s")
    }

    /// The worker's `--threads` as passed with --worker-arg (the last one wins, as in
    /// argument parsing), else 1.
    private var pipelineThreads: Int {
        var threads = 1
        for (index, argument) in workerArguments.enumerated() {
            if argument == "--threads", index + 1 < workerArguments.count, let n = Int(workerArguments[index + 1]) { threads = n }
            if argument.hasPrefix("--threads="), let n = Int(argument.dropFirst("--threads=".count)) { threads = n }
        }
        return threads
    }

    private func report(written: Int, passthrough: ThroughputBenchmark.Rate?, worker: ThroughputBenchmark.Rate, exactlyOnce: ThroughputBenchmark.Rate?,
                        peakResident: Int, lastResident: Int, model: String) {
        let mb = { (bytes: Int) in Double(bytes) / 1_048_576 }
        if json {
            var parts = ["\"tickets\":\(written)", "\"partitions\":\(partitions)", "\"brokers\":\(brokers)",
                         "\"worker_threads\":\(pipelineThreads)", "\"worker_per_second\":\(Int(worker.perSecond))", "\"worker_peak_rss_mb\":\(Int(mb(peakResident)))"]
            if let passthrough {
                parts.append("\"passthrough_per_second\":\(Int(passthrough.perSecond))")
                parts.append(String(format: "\"worker_share_of_passthrough\":%.4f", worker.perSecond / max(passthrough.perSecond, 1)))
            }
            if let exactlyOnce {
                parts.append("\"exactly_once_per_second\":\(Int(exactlyOnce.perSecond))")
                parts.append(String(format: "\"exactly_once_share_of_worker\":%.4f", exactlyOnce.perSecond / max(worker.perSecond, 1)))
            }
            printOut("{" + parts.joined(separator: ",") + "}")
            return
        }
        printOut("throughput-bench: \(written) tickets, \(partitions) partitions, \(brokers) brokers; worker model \(model), policy \(policyOptions.directory)")
        if let passthrough {
            printOut(String(format: "passthrough (consume + produce, no work): %.0f records/s (%d outputs in %.2f s)",
                            passthrough.perSecond, passthrough.outputs, Double(passthrough.lastMs - passthrough.firstMs) / 1000))
        }
        let threads = pipelineThreads
        let label = threads == 1 ? "one pipeline thread" : "\(threads) pipeline threads"
        printOut("triage work (\(label)):".padding(toLength: 42, withPad: " ", startingAt: 0)
                 + String(format: "%.0f tickets/s (%d outputs in %.2f s)", worker.perSecond, worker.outputs, Double(worker.lastMs - worker.firstMs) / 1000))
        if let passthrough, passthrough.perSecond > 0 {
            printOut(String(format: "worker ÷ passthrough: %.3f", worker.perSecond / passthrough.perSecond))
        }
        if let exactlyOnce {
            printOut("triage work --exactly-once:".padding(toLength: 42, withPad: " ", startingAt: 0)
                     + String(format: "%.0f tickets/s (%d outputs in %.2f s)", exactlyOnce.perSecond, exactlyOnce.outputs, Double(exactlyOnce.lastMs - exactlyOnce.firstMs) / 1000))
            if worker.perSecond > 0 {
                printOut(String(format: "exactly-once ÷ at-least-once: %.3f", exactlyOnce.perSecond / worker.perSecond))
            }
        }
        printOut(String(format: "worker resident memory: peak %.0f MB, at the end %.0f MB", mb(peakResident), mb(lastResident)))
    }
}
