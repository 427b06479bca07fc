import Foundation
import TestSupport

/// A `triage dev-cluster` process in a scratch folder of its own, up once its bootstrap file
/// is written: for the tests that run the built binary against it.
struct DevClusterProcess {
    let process: TriageProcess
    let dir: URL
    let bootstrap: String

    /// Starts `triage dev-cluster` with these extra arguments (e.g. `--policy DIR`), in `dir`
    /// (default: a new scratch folder).
    static func start(brokers: Int = 1, partitions: Int = 2, _ extra: [String] = [], label: String = "dc", in folder: URL? = nil) async throws -> DevClusterProcess {
        let dir = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("triage-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bootFile = dir.appendingPathComponent("bootstrap").path
        let process = try TriageProcess(["dev-cluster", "--brokers", "\(brokers)", "--partitions", "\(partitions)", "--bootstrap-file", bootFile] + extra,
                                        logTo: dir.appendingPathComponent("cluster.log"), name: "cluster")
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? String(contentsOfFile: bootFile, encoding: .utf8))?.isEmpty ?? true {
            guard ContinuousClock.now < deadline, process.process.isRunning else {
                process.signal(SIGKILL)
                throw TestFailure("dev-cluster did not start:\n\(process.log)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let bootstrap = try String(contentsOfFile: bootFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return DevClusterProcess(process: process, dir: dir, bootstrap: bootstrap)
    }

    /// Stops the cluster and removes its folder.
    func stop() {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: dir)
    }

    /// Runs the built `triage` with these arguments to its end (killed after `seconds`);
    /// the exit status (nil: killed) and everything it printed.
    func run(_ arguments: [String], seconds: Double = 60) async throws -> (status: Int32?, output: String) {
        let log = dir.appendingPathComponent("run-\(UUID().uuidString.prefix(8)).log")
        let command = try TriageProcess(arguments, logTo: log)
        let status = try await command.wait(seconds: seconds)
        if status == nil { command.signal(SIGKILL) }
        return (status, command.log)
    }
}
