import ArgumentParser
import Foundation
import Kafka
import TriageOps
import TriageWire
import TriageWorker

struct DevCluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cluster",
        abstract: "Run librdkafka's mock Kafka cluster on loopback, with the project's topics, until SIGINT/SIGTERM.",
        discussion: """
            For development and load tests only: the mock keeps data in memory (at most 5 MiB \
            per partition; older data is dropped beyond that) and is gone when this process stops. \
            Any Kafka client can connect to the printed bootstrap servers, e.g.
              triage work --dev --bootstrap @dev.bootstrap
              kcat -L -b $(cat dev.bootstrap)

            Faults (docs/DEV-CLUSTER.md), one grammar for --fault and the control file:
              broker down BROKER | broker up BROKER     BROKER: an id 1...--brokers, or all
              rtt BROKER MS                             delay every response (0: none)
              errors API COUNT ERROR                    the next COUNT requests of API fail
              topic error TOPIC ERROR                   NO_ERROR clears it
              leader TOPIC PARTITION BROKER
              coordinator GROUP BROKER
              clear                                     undo all but leader and coordinator moves
            API: produce, fetch, list-offsets, metadata, commit, offset-fetch, find-coordinator, \
            join, heartbeat, leave, sync, api-versions, init-producer-id, add-partitions-to-txn, \
            add-offsets-to-txn, end-txn, txn-offset-commit. ERROR: librdkafka's name \
            (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, _TRANSPORT, ...) or its number. \
            `#` starts a comment.
              triage dev-cluster --fault '5:broker down 1' --fault '15:broker up 1'
              triage dev-cluster --control-file faults.ctl &
              echo 'errors produce 5 NOT_LEADER_FOR_PARTITION' >> faults.ctl
              grep -q '^1 ' faults.ctl.ack    # "1 ok errors produce 5 ..." once applied
            """
    )

    @Option(help: "Number of mock brokers (ids 1...N).")
    var brokers = 3

    @Option(help: "Partitions per topic (bounds how many workers share the load).")
    var partitions = 12

    @Option(name: .customLong("bootstrap-file"), help: "Also write the bootstrap servers to this file.")
    var bootstrapFile: String?

    @OptionGroup var policyOptions: PolicyOptions

    @Option(name: .customLong("topic-prefix"), help: ArgumentHelp(
        "Put this in front of every topic name it creates (as `--topic-prefix` of the other commands). Repeatable: each prefix gets the whole set of topics, e.g. --topic-prefix '' --topic-prefix shadow. for a live and a shadow worker on one cluster (shadow replay, deploy/README.md). Default: none.",
        valueName: "PREFIX"))
    var topicPrefixes: [String] = []

    @Option(name: .customLong("fault"), help: ArgumentHelp(
        "A fault AT_SECONDS after the cluster is up, e.g. '5:broker down 1' (repeatable; the grammar is above).",
        valueName: "AT_SECONDS:COMMAND"))
    var faults: [String] = []

    @Option(name: .customLong("control-file"), help: ArgumentHelp(
        "Follow this file (created when missing, read from its first line) and apply every line appended to it; each line is acknowledged on stderr and in PATH.ack as '<line> ok <command>' or '<line> error <why>'.",
        valueName: "PATH"))
    var controlFile: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be 1…16, not \(brokers)") }
        guard (1...1024).contains(partitions) else { throw ValidationError("--partitions must be 1…1024, not \(partitions)") }
        _ = try schedule()
    }

    func schedule() throws -> [ScheduledFault] {
        var schedule: [ScheduledFault] = []
        for (i, text) in faults.enumerated() {
            do throws(FaultSyntaxError) {
                schedule.append(try ScheduledFault.parse(text, location: "--fault \(i + 1) '\(text)'"))
            } catch {
                throw ValidationError(error.description)
            }
        }
        return schedule
    }

    func run() throws {
        // Handlers, not sigwait: `run` is not on the main thread (the root command is async),
        // so a mask set here would leave other threads to take the default action (exit 143).
        let interrupted = InterruptFlag()
        let policy = try policyOptions.load()
        var prefixes: [String] = []
        for prefix in topicPrefixes.isEmpty ? [""] : topicPrefixes where !prefixes.contains(prefix) { prefixes.append(prefix) }
        let cluster = try TriageOps.DevCluster(brokers: brokers, partitions: partitions, policy: policy,
                                               topics: prefixes.map { TriageTopics(prefix: $0) })
        let runner = try FaultRunner(injector: FaultInjector(cluster: cluster.cluster), schedule: schedule(),
                                     controlFile: controlFile, report: { printError($0) })
        let bootstrap = cluster.bootstrapServers
        runner.start()
        if let bootstrapFile {
            do {
                try (bootstrap + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write --bootstrap-file '\(bootstrapFile)': \(error.localizedDescription)")
            }
        }
        printOut(bootstrap)
        printError("dev-cluster: \(brokers) mock brokers at \(bootstrap); policy \(policyOptions.directory); topics: \(cluster.topics.map { "\($0.name)(\($0.partitions))" }.joined(separator: ", "))")
        if let controlFile { printError("dev-cluster: following control file \(controlFile) (acknowledgements in \(FaultRunner.ackPath(controlFile)))") }
        printError("dev-cluster: running until SIGINT or SIGTERM")
        while !interrupted.isSet { usleep(100_000) }
        printError("dev-cluster: got SIGINT or SIGTERM, stopping")
        runner.stop()
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
    }
}
