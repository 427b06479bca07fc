import ArgumentParser
import Foundation
import TriageOps

struct AuditCostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-cost-bench",
        abstract: "Worker throughput with and without the audit trail (in-process mock cluster, or --bootstrap).",
        discussion: "Alternates runs with and without the audit record (same tickets, classifier and policy; one worker) and prints the medians and the share of throughput the audit trail costs, judged on tickets per CPU-second of the worker's pipeline thread (steady on a shared machine) and shown on wall-clock throughput too. The target is at most 10%. Build with -c release."
    )

    /// An external cluster (e.g. `triage dev-cluster` pinned to another core with taskset);
    /// without one, an in-process mock cluster.
    @OptionGroup var kafka: BootstrapOptions

    @Option(help: "Tickets per run.")
    var tickets = 20_000

    @Option(help: "Runs of each kind.")
    var runs = 3

    @Option(help: "Trained model file; by default the demo model.")
    var model: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard tickets >= 1_000 else { throw ValidationError("--tickets must be at least 1000, not \(tickets)") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1, not \(runs)") }
    }

    func run() async throws {
        let choice = try ClassifierChoice.demoDefault(placeholder: false, modelPath: model, examples: DemoModel.examplesPath, say: { printError($0) })
        var benchmark = AuditCostBenchmark(tickets: tickets, runs: runs, classifier: choice.factory)
        if kafka.bootstrap != nil { benchmark.bootstrapServers = try kafka.resolved() }
        let result = try await benchmark.run { printError($0) }
        if json {
            printOut("{\"tickets\":\(tickets),\"runs\":\(runs),\"cpu_with_audit\":\(result.withAudit.map { Int($0.cpu) }),\"cpu_without_audit\":\(result.withoutAudit.map { Int($0.cpu) }),\"wall_with_audit\":\(result.withAudit.map { Int($0.wall) }),\"wall_without_audit\":\(result.withoutAudit.map { Int($0.wall) }),\"cost\":\(result.cost),\"wall_cost\":\(result.wallCost),\"process_cost\":\(kafka.bootstrap == nil ? "null" : "\(result.processCost)")}")
        } else {
            printOut("classifier: \(choice.description)")
            printOut(String(format: "with audit:    %.0f tickets per pipeline CPU-second, %.0f tickets/s wall (medians of %d)", result.medianCPUWith, result.medianWith, runs))
            printOut(String(format: "without audit: %.0f tickets per pipeline CPU-second, %.0f tickets/s wall (medians of %d)", result.medianCPUWithout, result.medianWithout, runs))
            printOut(String(format: "audit cost:    %.1f%% of pipeline-thread capacity (target ≤ 10%%); %.1f%% on wall-clock throughput", result.cost * 100, result.wallCost * 100))
            if kafka.bootstrap != nil {
                printOut(String(format: "whole worker process: %.0f vs %.0f tickets per CPU-second: %.1f%% of the worker's CPU capacity", result.medianProcessCPUWith, result.medianProcessCPUWithout, result.processCost * 100))
            }
        }
    }
}
