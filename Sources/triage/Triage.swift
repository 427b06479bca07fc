import ArgumentParser

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
            """,
        subcommands: [
            Work.self, Topics.self, DevCluster.self, Demo.self, Seed.self, Replay.self, Reconcile.self,
            Train.self, Eval.self, Predict.self, ModelBench.self, PipelineBench.self,
            CheckConfig.self, Ledger.self, SimulateOutcomes.self, Audit.self, AuditCostBench.self,
        ]
    )
}
