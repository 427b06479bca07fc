import Foundation
import Testing

/// `--log-format` and librdkafka's log callback, seen from outside the process.
@Suite("Log format of a triage process", .serialized)
struct LogFormatTests {
    /// A worker pointed at a port where nothing listens: librdkafka logs its connection
    /// failures (through the log callback) while the worker waits for the cluster.
    private func unreachableWorker(_ extra: [String]) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let worker = try TriageProcess(["work", "--dev", "--bootstrap", "127.0.0.1:1", "--create-topics", "0"] + extra,
                                       logTo: dir.appendingPathComponent("worker.log"))
        defer { worker.signal(SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(20)
        while !worker.log.contains("librdkafka"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        worker.signal(SIGKILL)
        _ = try await worker.wait(seconds: 5)
        return worker.log
    }

    @Test("default (stderr not a terminal): every line is one JSON object, librdkafka's lines included, no %-lines")
    func json() async throws {
        let log = try await unreachableWorker([])
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains(#""logger":"librdkafka""#) && $0.contains("Connect to") }, "\(log.prefix(2000))")
        #expect(!lines.contains { $0.hasPrefix("%") }, "librdkafka's own stderr lines are gone")
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { #expect(Set(object.keys) == ["time", "level", "logger", "message", "metadata"], "\(line)") }
        }
    }

    @Test("--log-format text anywhere on the command line: swift-log's text lines, librdkafka's too")
    func text() async throws {
        let log = try await unreachableWorker(["--log-format", "text"])
        #expect(log.contains("librdkafka"), "\(log.prefix(2000))")
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("{") }, "\(log.prefix(2000))")
    }

    @Test("log.format in the --config file: text lines; --log-format on the command line still wins")
    func fromConfigFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("triage.yaml")
        try "log:\n  format: text\n".write(to: config, atomically: true, encoding: .utf8)
        let text = try await unreachableWorker(["--config", config.path])
        #expect(text.contains("librdkafka"), "\(text.prefix(2000))")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("{") }, "the file's text format: \(text.prefix(2000))")
        let json = try await unreachableWorker(["--config", config.path, "--log-format", "json"])
        #expect(json.split(separator: "\n").allSatisfy { $0.hasPrefix("{") }, "the flag wins: \(json.prefix(2000))")
    }

    @Test("an unknown --log-format is refused before anything runs (exit 64)")
    func refused() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = try TriageProcess(["--log-format=xml", "check-config"], logTo: dir.appendingPathComponent("out.log"))
        #expect(try await process.wait(seconds: 20) == 64)
        #expect(process.log.contains("--log-format must be json or text, not 'xml'"), "\(process.log)")
    }
}
