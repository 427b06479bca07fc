import ArgumentParser
import Foundation
import TriageOps

struct AuditCostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-cost-bench",
        abstract: "Worker throughput with and without the audit trail (in-process mock cluster, or --bootstrap).",
        discussion: "One worker works through a seeded backlog, switching the audit record on and off every --slice-tickets tickets (waiting for each slice's writes to be acknowledged before the next), and the slices with and without are compared: tickets per CPU-second of the worker's pipeline thread (its capacity on a core of its own), of the whole worker process, and per wall-clock second. Adjacent slices see the same machine, which separate runs on a shared VM do not. The target is a cost of at most 10%. Build with -c release; benchmarks/audit-cost/run.sh pins the cluster and the worker to separate cores."
    )

    /// An external cluster (e.g. `triage dev-cluster` pinned to another core with taskset);
    /// without one, an in-process mock cluster.
    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Tickets per slice.")
    var sliceTickets = 2_000

    @Option(help: "(with, without) slice pairs measured per run, after one warm-up pair.")
    var pairs = 6

    @Option(help: "Runs, each with a fresh worker and tickets topic.")
    var runs = 3

    @Option(help: "Trained model file; by default the demo model.")
    var model: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard sliceTickets >= 100 else { throw ValidationError("--slice-tickets must be at least 100, not \(sliceTickets)") }
        guard pairs >= 1 else { throw ValidationError("--pairs must be at least 1, not \(pairs)") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1, not \(runs)") }
    }

    func run() async throws {
        let choice = try ClassifierChoice.demoDefault(placeholder: false, modelPath: model, examples: DemoModel.examplesPath, say: { printError($0) })
        var benchmark = AuditCostBenchmark(sliceTickets: sliceTickets, pairs: pairs, runs: runs, classifier: choice.factory)
        // An external cluster when one is configured (flag, TRIAGE_BOOTSTRAP or the file).
        let settings = try kafka.resolve("triage audit-cost-bench", requireBootstrap: false)
        if !settings.kafka.bootstrapServers.isEmpty {
            try KafkaOptions.checkReachable(settings, "triage audit-cost-bench")
            benchmark.kafka = settings.kafka
        }
        let result = try await benchmark.run { printError($0) }
        typealias R = AuditCostBenchmark.Result
        let measures: [(name: String, key: KeyPath<AuditCostBenchmark.Slice, Double>)] = [
            ("pipeline_cpu", \.cpu), ("process_cpu", \.processCPU), ("wall", \.wall),
        ]
        if json {
            var parts = ["\"slice_tickets\":\(sliceTickets)", "\"pairs\":\(result.pairCosts(\.cpu).count)"]
            for m in measures {
                let pairs = result.pairCosts(m.key)
                parts.append("\"\(m.name)\":{\"with_audit\":\(Int(result.median(m.key, withAudit: true))),\"without_audit\":\(Int(result.median(m.key, withAudit: false))),\"cost\":\(result.cost(m.key)),\"pair_cost_median\":\(R.median(pairs)),\"pair_costs\":[\(pairs.map { String(format: "%.4f", $0) }.joined(separator: ","))]}")
            }
            printOut("{" + parts.joined(separator: ",") + "}")
            return
        }
        printOut("classifier: \(choice.description)")
        printOut("\(result.pairCosts(\.cpu).count) pairs of \(sliceTickets)-ticket slices (medians; cost = 1 − with ÷ without)")
        for m in measures where kafka.bootstrap != nil || m.name != "process_cpu" {
            let pairs = result.pairCosts(m.key)
            let (q1, q3) = R.quartiles(pairs)
            let label = ["pipeline_cpu": "tickets per pipeline-thread CPU-second", "process_cpu": "tickets per worker-process CPU-second", "wall": "tickets per wall-clock second"][m.name]!
            printOut(String(format: "%@: %.0f with audit, %.0f without: cost %.1f%% (per pair: median %.1f%%, quartiles %.1f%% to %.1f%%)",
                            label, result.median(m.key, withAudit: true), result.median(m.key, withAudit: false),
                            result.cost(m.key) * 100, R.median(pairs) * 100, q1 * 100, q3 * 100))
        }
        printOut("target: at most 10% (pipeline thread: a worker's throughput on a core of its own)")
    }
}
