import ArgumentParser
import Foundation
import Logging
import TriageOps

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole flow in one process on an embedded Kafka mock cluster and print a summary.",
        discussion: """
            Starts librdkafka's mock cluster in this process, seeds sample tickets that the project \
            writes itself, runs several workers in one consumer group, then reads every output topic \
            back and prints tickets per queue, handoffs with reasons, dead letters with reasons, \
            throughput, and a sample audit record. Exits non-zero if any ticket was lost.
            """
    )

    @Option(help: "Sample tickets to seed.")
    var tickets = 300

    @Option(help: "Workers in the consumer group.")
    var workers = 2

    @Option(help: "Partitions per topic.")
    var partitions = 6

    @Option(help: "Seed for the sample tickets.")
    var seed: UInt64 = 2026

    @Option(help: "Trained model file. By default a model is trained from prompts/demo/examples.csv at first run and cached.")
    var model: String?

    @Option(help: "Examples the default model is trained from.")
    var examples = TriageOps.DemoModel.examplesPath

    @Flag(help: "Use the PLACEHOLDER keyword classifier instead of a trained model.")
    var placeholder = false

    func validate() throws {
        guard (1...1_000_000).contains(tickets) else { throw ValidationError("--tickets must be 1…1000000, not \(tickets)") }
        guard (1...16).contains(workers) else { throw ValidationError("--workers must be 1…16, not \(workers)") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be 1…256, not \(partitions)") }
    }

    func run() async throws {
        Logs.bootstrap(level: .warning)
        let logger = Logger(label: "triage.demo")
        let classifier = try ClassifierChoice.demoDefault(placeholder: placeholder, modelPath: model, examples: examples, say: { printOut($0) })
        var demo = TriageOps.Demo(classifier: classifier.factory, classifierDescription: classifier.description)
        demo.tickets = tickets
        demo.workers = workers
        demo.partitions = partitions
        demo.seed = seed
        demo.logger = logger
        let interactive = isatty(STDERR_FILENO) != 0
        var lastPrinted = ContinuousClock.now - .seconds(10)
        let report = try await demo.run(print: { printOut($0) }, progress: { line in
            if interactive {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            } else if ContinuousClock.now - lastPrinted >= .seconds(1) {
                printError(line)
                lastPrinted = ContinuousClock.now
            }
        })
        if interactive { printError("") }
        guard report.isComplete else {
            printError("demo: the run is NOT complete: \(report.lost) lost, \(report.missingAudit.count) not audited, \(report.unexpected.count) unexpected")
            throw ExitCode(1)
        }
        print("")
        print("Every ticket is accounted for: 0 lost.")
    }
}
