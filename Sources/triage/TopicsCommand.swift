import ArgumentParser
import Foundation
import Kafka
import TriageOps
import TriagePolicy
import TriageWire
import TriageWorker

/// `triage topics create|check`: the project's topics as configuration.
struct Topics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create the project's topics with their partitions and configuration, or check them.",
        discussion: """
            The plan (docs/OPERATIONS.md, "Topics"): every topic of the policy's queues and of the \
            pipeline with --partitions partitions; triage.audit, triage.audit.checkpoints, \
            triage.commitments and triage.control kept for --retention-days (0: for ever) and never \
            deleted by size; triage.contacts compacted, with as many partitions as the tickets \
            topic; triage.leases with one partition.
            """,
        subcommands: [Create.self, Check.self]
    )

    struct PlanOptions: ParsableArguments {
        @Option(help: "Partitions of each topic (bounds how many workers share the load).")
        var partitions = 12

        @Option(name: .customLong("replication-factor"), help: "Replicas of each partition (-1: the broker's default).")
        var replicationFactor = -1

        @Option(name: .customLong("retention-days"), help: "How long the audit trail (and what the ledger rebuilds from) is kept; 0: for ever.")
        var retentionDays = 0

        @Option(name: .customLong("timeout"), help: "Seconds to wait for the cluster's answers.")
        var timeoutSeconds = 30

        func validate() throws {
            guard (1...10_000).contains(partitions) else { throw ValidationError("--partitions must be 1…10000, not \(partitions)") }
            guard replicationFactor == -1 || (1...32).contains(replicationFactor) else {
                throw ValidationError("--replication-factor must be -1 or 1…32, not \(replicationFactor)")
            }
            guard retentionDays >= 0 else { throw ValidationError("--retention-days must be 0 (for ever) or more, not \(retentionDays)") }
            guard timeoutSeconds >= 1 else { throw ValidationError("--timeout must be at least 1 second, not \(timeoutSeconds)") }
        }

        var retentionMs: Int64 { retentionDays == 0 ? -1 : Int64(retentionDays) * 86_400_000 }

        func plan(_ topics: TriageTopics, policy: Policy) -> [KafkaTopicSpec] {
            topics.specs(for: policy, partitions: partitions, retentionMs: retentionMs).map {
                var spec = $0
                spec.replicationFactor = replicationFactor
                return spec
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create every missing topic of the plan; existing topics are left as they are (then run `check`).")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var policyOptions: PolicyOptions
        @OptionGroup var plan: PlanOptions

        func run() throws {
            let policy = try policyOptions.load()
            let settings = try kafka.connect("triage topics create")
            let specs = plan.plan(settings.topics, policy: policy)
            let admin = try KafkaAdmin(settings: settings.kafka)
            let timeout = Int32(plan.timeoutSeconds * 1000)
            let created: [String]
            do {
                created = try admin.createMissingTopics(specs, timeoutMs: timeout)
            } catch {
                guard error.code == .timeout else { throw error }
                printError("topics create: the cluster did not answer CreateTopics within \(plan.timeoutSeconds) s (\(error.message)); librdkafka's mock cluster never does: start `triage dev-cluster --policy DIR`, which creates the policy's topics")
                throw ExitCode(1)
            }
            let existing = try admin.topics(timeoutMs: timeout)
            let stillMissing = specs.map(\.name).filter { existing[$0] == nil }
            for name in created { printOut("created \(name)") }
            printError("topics create: \(created.count) created, \(specs.count - created.count) already there, policy \(policyOptions.directory)")
            guard stillMissing.isEmpty else {
                printError("topics create: still missing after create: \(stillMissing.joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check the topics against the plan: missing topics, partition counts, compaction, the audit trail's retention. Exit 1 on any error.")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var policyOptions: PolicyOptions
        @OptionGroup var plan: PlanOptions

        @Option(name: .customLong("min-retention-days"), help: "Retention of the audit trail below this is an error (0: must be kept for ever).")
        var minRetentionDays = 365

        @Flag(help: "Warnings fail the check too.")
        var strict = false

        func run() throws {
            let policy = try policyOptions.load()
            let settings = try kafka.connect("triage topics check")
            let check = TopicCheck(topics: settings.topics, plan: plan.plan(settings.topics, policy: policy),
                                   minRetentionMs: minRetentionDays == 0 ? -1 : Int64(minRetentionDays) * 86_400_000)
            let admin = try KafkaAdmin(settings: settings.kafka)
            let problems = try check.run(admin: admin, timeoutMs: Int32(plan.timeoutSeconds * 1000), configTimeoutMs: 5_000)
            for problem in problems { printOut(problem.description) }
            let errors = problems.filter { $0.severity == .error }.count
            printError("topics check: \(check.plan.count) topics, \(errors) errors, \(problems.count - errors) warnings")
            if errors > 0 || (strict && !problems.isEmpty) { throw ExitCode(1) }
        }
    }
}
