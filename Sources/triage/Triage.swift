import ArgumentParser
import Foundation

@main
struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Classify, route and audit support tickets from Kafka.",
        discussion: """
            Start here: `triage demo` runs the whole flow on an embedded Kafka mock cluster. \
            In production, run `triage work --bootstrap HOST:PORT --model MODEL` (with a secret \
            TRIAGE_PSEUDONYM_KEY of at least 32 bytes) on as many \
            workers as the tickets topic has partitions.

            Every command takes --log-format json|text (also TRIAGE_LOG_FORMAT, or log.format in \
            the --config file; default json when stderr is not a terminal) and TRIAGE_LOG_LEVEL \
            (or log.level).
            """,
        subcommands: [
            Work.self, Topics.self, DevCluster.self, Demo.self, Seed.self, Replay.self, Reconcile.self,
            Train.self, Eval.self, Predict.self, ModelBench.self, PipelineBench.self, ThroughputBench.self, LoadTest.self,
            CheckConfig.self, Ledger.self, SimulateOutcomes.self, Audit.self, AuditCostBench.self, Compare.self,
        ]
    )

    /// Logging is bootstrapped for every command before it runs, from `--log-format`
    /// (taken out of the command line here) or the environment.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        do {
            let format = try Logs.extractFormat(from: &arguments)
            Logs.start(format: format, file: Logs.configFile(in: arguments))
        } catch {
            exit(withError: error)
        }
        await main(arguments)
    }
}
