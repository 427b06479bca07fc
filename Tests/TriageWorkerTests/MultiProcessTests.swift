import Foundation
import Testing
import TestSupport
import TriageOps

/// Runs the built `triage` binary: a dev cluster and two workers as separate processes.
struct TriageProcess {
    let process = Process()
    let output: URL
    let name: String

    static var binary: URL? {
        if let path = ProcessInfo.processInfo.environment["TRIAGE_BIN"] { return URL(fileURLWithPath: path) }
        // swift test runs the test bundle from the build folder, next to the `triage` binary.
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("triage")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    init(_ arguments: [String], logTo output: URL, name: String? = nil) throws {
        guard let binary = Self.binary else { throw TestFailure("the triage binary was not found next to the tests; run `swift build` first or set TRIAGE_BIN") }
        self.output = output
        self.name = name ?? output.deletingPathExtension().lastPathComponent
        FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = binary
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for exit up to `seconds`; returns the exit status, or nil if still running.
    func wait(seconds: Double) async throws -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

@Suite("Two worker processes against `triage dev-cluster`", .serialized)
struct MultiProcessTests {
    @Test("SIGTERM to one worker mid-stream: it exits 0, the other takes over, every ticket id is routed")
    func sigtermTakeover() async throws {
        let dev = try await DevClusterProcess.start(partitions: 6, label: "mp")
        defer { dev.stop() }
        let (dir, bootstrap) = (dev.dir, dev.bootstrap)

        let common = ["work", "--dev", "--bootstrap", bootstrap, "--group", "mp", "--progress-interval", "1", "--max-batch", "20"]
        let w1 = try TriageProcess(common + ["--worker-id", "w1"], logTo: dir.appendingPathComponent("w1.log"))
        let w2 = try TriageProcess(common + ["--worker-id", "w2"], logTo: dir.appendingPathComponent("w2.log"))
        defer { w1.signal(SIGKILL); w2.signal(SIGKILL) }

        let count = 3000
        let seeded = try Seeder(bootstrapServers: bootstrap).seed(count: count, seed: 77, malformedRate: 0.02)
        // Mid-stream: as soon as worker 1 reports progress, stop it.
        let midDeadline = ContinuousClock.now + .seconds(60)
        while !w1.log.contains("progress:"), ContinuousClock.now < midDeadline { try await Task.sleep(for: .milliseconds(50)) }
        w1.signal(SIGTERM)
        let status = try await w1.wait(seconds: 40)
        #expect(status == 0, "worker 1 exits 0 after SIGTERM; log:\n\(w1.log.suffix(2000))")

        // The other worker finishes the rest.
        var report = try Reconciliation(bootstrapServers: bootstrap).run()
        let finishDeadline = ContinuousClock.now + .seconds(120)
        while !report.isComplete, ContinuousClock.now < finishDeadline {
            try await Task.sleep(for: .seconds(1))
            report = try Reconciliation(bootstrapServers: bootstrap).run()
        }
        w2.signal(SIGTERM)
        #expect(try await w2.wait(seconds: 40) == 0)
        #expect(report.inputRecords == count)
        #expect(report.routedUnique == seeded.wellFormedIDs.count)
        #expect(report.isComplete, "\(report.render())\n--- w2 log ---\n\(w2.log.suffix(2000))")
        #expect(w2.log.contains("partitions assigned"))
    }

    @Test("SIGTERM while the worker is still starting (waiting for the cluster): it stops at once with exit 0, not killed by the signal")
    func sigtermDuringStartUp() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-startup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Nobody answers on port 1: the worker waits up to 30 s in its start-up check.
        let worker = try TriageProcess(["work", "--dev", "--bootstrap", "127.0.0.1:1", "--connect-timeout", "30",
                                        "--create-topics", "0", "--shutdown-timeout", "10", "--log-format", "text"],
                                       logTo: dir.appendingPathComponent("w.log"), name: "starting")
        let deadline = ContinuousClock.now + .seconds(60)
        while !worker.log.contains("configuration:"), worker.process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(worker.process.isRunning, "still waiting for the cluster:\n\(worker.log)")
        worker.signal(SIGTERM)
        let sent = ContinuousClock.now
        let status = try await worker.wait(seconds: 10)
        if status == nil { worker.signal(SIGKILL) }
        #expect(worker.process.terminationReason == .exit, "exited, not killed by the signal:\n\(worker.log)")
        #expect(status == 0, "exit 0:\n\(worker.log)")
        // Under a second alone; 7 s once on a machine also running the fault suite and two builds.
        // The point is that it does not wait out the 30 s connect timeout.
        #expect(ContinuousClock.now - sent < .seconds(15), "stopped well before the 30 s connect timeout")
        #expect(worker.log.contains("stopped during start-up"), "\(worker.log)")
    }
}
