import ArgumentParser
import Foundation
import Kafka
import TriageOps

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
            """
    )

    @Option(help: "Number of mock brokers.")
    var brokers = 3

    @Option(help: "Partitions per topic (bounds how many workers share the load).")
    var partitions = 12

    @Option(name: .customLong("bootstrap-file"), help: "Also write the bootstrap servers to this file.")
    var bootstrapFile: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be 1…16, not \(brokers)") }
        guard (1...1024).contains(partitions) else { throw ValidationError("--partitions must be 1…1024, not \(partitions)") }
    }

    func run() throws {
        // Block the signals before librdkafka starts its threads, so only sigwait sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let cluster = try TriageOps.DevCluster(brokers: brokers, partitions: partitions)
        let bootstrap = cluster.bootstrapServers
        if let bootstrapFile {
            do {
                try (bootstrap + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write --bootstrap-file '\(bootstrapFile)': \(error.localizedDescription)")
            }
        }
        printOut(bootstrap)
        printError("dev-cluster: \(brokers) mock brokers at \(bootstrap); topics: \(cluster.topics.map { "\($0.name)(\($0.partitions))" }.joined(separator: ", "))")
        printError("dev-cluster: running until SIGINT or SIGTERM")
        var received: Int32 = 0
        sigwait(&signals, &received)
        printError("dev-cluster: got signal \(received), stopping")
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
    }
}
