import ArgumentParser
import Foundation
import TriageOps

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Check a run end to end: every input ticket routed and audited, every malformed one dead-lettered.",
        discussion: """
            Reads the tickets topic, every queue.<name> topic (those of --policy and every other \
            queue. topic the cluster has), triage.audit and triage.dlq from the \
            beginning to their current end (no consumer group, nothing committed) and compares sets: \
            ticket ids for well-formed input, source positions for malformed input. Exits 1 if any \
            ticket is lost, unaudited or unexpected. Duplicates (at-least-once redelivery) are reported.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var policyOptions: PolicyOptions

    @Option(help: "Topic the tickets were read from (the topic prefix is put in front).")
    var input = "tickets"

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let settings = try kafka.connect("triage reconcile")
        var reconciliation = Reconciliation(kafka: settings.kafka, topics: settings.topics, policy: try policyOptions.load())
        reconciliation.topics.tickets = settings.topics.prefixed(input)
        let report = try reconciliation.run()
        if json {
            print(report.jsonSummary())
        } else {
            print(report.render())
        }
        if !report.isComplete { throw ExitCode(1) }
    }
}
