import ArgumentParser
import Foundation
import Logging
import Observability
import TriageOps
import TriageWorker

struct PipelineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline-bench",
        abstract: "Time each pipeline step (decode, classify, decide, route, audit, outbox) on one core, without Kafka.",
        discussion: "Runs the project's sample tickets through the worker's own step code in this process (every write acknowledged at once: librdkafka is left out) and prints the median and 99th-percentile cost of each step and the whole pipeline's tickets per second. Build with -c release for meaningful numbers."
    )

    @Option(help: "Sample tickets to time.")
    var tickets = 50_000

    @Option(help: "Trained model file; by default the demo model (trained from prompts/demo/examples.csv, cached).")
    var model: String?

    @Flag(help: "Time the PLACEHOLDER keyword classifier instead of a model.")
    var placeholder = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Metrics recording per ticket, to measure its cost: none (no metric calls), noop (the calls, into swift-metrics' no-op backend: the worker without --http-port) or prometheus (the worker with --http-port).")
    var metrics = "none"

    func validate() throws {
        guard tickets >= 100 else { throw ValidationError("--tickets must be at least 100, not \(tickets)") }
        guard ["none", "noop", "prometheus"].contains(metrics) else { throw ValidationError("--metrics must be none, noop or prometheus, not '\(metrics)'") }
    }

    func run() throws {
        let choice = try ClassifierChoice.demoDefault(placeholder: placeholder, modelPath: model, examples: DemoModel.examplesPath, say: { printError($0) })
        var benchmark = PipelineBenchmark(classifier: choice.factory)
        switch metrics {
        case "prometheus":
            _ = MetricsBackend.bootstrapPrometheus()
            benchmark.metrics = PipelineMetrics()
        case "noop":
            MetricsBackend.bootstrapNoOp()
            benchmark.metrics = PipelineMetrics()
        default:
            break
        }
        let result = try benchmark.run(tickets: tickets)
        if json {
            let steps = result.steps.map { "\"\($0.step)\":{\"median_ns\":\(Int($0.medianNanos)),\"p99_ns\":\(Int($0.p99Nanos))}" }
            printOut("{\"metrics_backend\":\"\(metrics)\",\"tickets\":\(result.tickets),\"tickets_per_second\":\(Int(result.ticketsPerSecond)),\"audit_share\":\(result.auditShare),\"metrics_share\":\(result.metricsShare),\(steps.joined(separator: ","))}")
            return
        }
        printOut("classifier: \(choice.description)")
        printOut("step        median        p99")
        for step in result.steps {
            printOut(step.step.padding(toLength: 9, withPad: " ", startingAt: 0)
                     + String(format: "%7.2f µs %8.2f µs", step.medianNanos / 1000, step.p99Nanos / 1000))
        }
        printOut(String(format: "whole pipeline: %.0f tickets/s on one core (%d tickets)", result.ticketsPerSecond, result.tickets))
        printOut(String(format: "audit step: %.1f%% of the in-process cost per ticket", result.auditShare * 100))
        if benchmark.metrics != nil {
            printOut(String(format: "metrics (%@): %.2f%% on top of the in-process cost per ticket", metrics, result.metricsShare * 100))
        }
    }
}
