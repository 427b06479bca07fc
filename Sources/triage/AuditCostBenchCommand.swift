import ArgumentParser
import Foundation
import TriageOps

struct AuditCostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-cost-bench",
        abstract: "Worker throughput with and without the audit trail, on an in-process mock cluster.",
        discussion: "Alternates runs with and without the audit record (same tickets, classifier and policy; one worker) and prints the medians and the share of throughput the audit trail costs. The target is at most 10%. Build with -c release."
    )

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
        let result = try await AuditCostBenchmark(tickets: tickets, runs: runs, classifier: choice.factory).run { printError($0) }
        if json {
            printOut("{\"tickets\":\(tickets),\"runs\":\(runs),\"with_audit\":\(result.withAudit.map { Int($0) }),\"without_audit\":\(result.withoutAudit.map { Int($0) }),\"median_with\":\(Int(result.medianWith)),\"median_without\":\(Int(result.medianWithout)),\"cost\":\(result.cost)}")
        } else {
            printOut("classifier: \(choice.description)")
            printOut(String(format: "with audit:    %.0f tickets/s (median of %d)", result.medianWith, runs))
            printOut(String(format: "without audit: %.0f tickets/s (median of %d)", result.medianWithout, runs))
            printOut(String(format: "audit cost:    %.1f%% of worker throughput (target ≤ 10%%)", result.cost * 100))
        }
    }
}
