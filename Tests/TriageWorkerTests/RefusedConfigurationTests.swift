import Foundation
import Testing
import TestSupport

/// Runs the built `triage work` with unsafe settings: each is refused before it connects,
/// with exit code 78 and a message naming the setting. Nothing listens on the bootstrap address,
/// so a worker that got past the checks would keep trying to connect instead of exiting.
@Suite("`triage work` refuses unsafe configuration (the built binary)", .serialized)
struct RefusedConfigurationTests {
    static let bootstrap = "127.0.0.1:1"
    static let key = "a-production-key-of-at-least-32-bytes"

    /// Runs `triage` with these arguments and environment additions; returns the exit status
    /// (nil when it was still running after `seconds`, then killed) and what it printed.
    func run(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 20) async throws -> (status: Int32?, output: String) {
        guard let binary = TriageProcess.binary else { throw TestFailure("the triage binary was not found; run `swift build` first or set TRIAGE_BIN") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("triage-refuse-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRIAGE_PSEUDONYM_KEY"] = nil
        env["TRIAGE_POLICY_DIR"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let status: Int32? = process.isRunning ? nil : process.terminationStatus
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try handle.close()
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-refuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("each unsafe setting: exit 78 before connecting, and the message names it", arguments: [
        ([String](), [String: String](), ["TRIAGE_PSEUDONYM_KEY", "at least 32 bytes", "--dev"]),
        ([], ["TRIAGE_PSEUDONYM_KEY": ""], ["TRIAGE_PSEUDONYM_KEY is empty"]),
        ([], ["TRIAGE_PSEUDONYM_KEY": "k"], ["TRIAGE_PSEUDONYM_KEY: the pseudonym key has 1 byte(s)"]),
        (["-X", "enable.idempotence=false", "-X", "acks=0"], ["TRIAGE_PSEUDONYM_KEY": key], ["-X enable.idempotence: 'false'", "-X acks: '0'"]),
        (["-X", "enable.auto.offset.store=true"], ["TRIAGE_PSEUDONYM_KEY": key], ["-X enable.auto.offset.store: 'true'"]),
        (["-X", "group.id=other"], ["TRIAGE_PSEUDONYM_KEY": key], ["-X group.id: 'other' differs from --group 'triage'"]),
        (["--model", "/nonexistent/tickets.model"], ["TRIAGE_PSEUDONYM_KEY": key], ["--model '/nonexistent/tickets.model'"]),
        (["--policy", "/nonexistent/policy"], ["TRIAGE_PSEUDONYM_KEY": key], ["--policy /nonexistent/policy", "no such policy directory"]),
        (["--dev", "--unsafe-override", "ack", "-X", "acks=1"], [:], ["--unsafe-override: 'ack' is not a guarded setting", "-X acks: '1'"]),
    ])
    func refused(arguments: [String], environment: [String: String], expected: [String]) async throws {
        let (status, output) = try await run(["work", "--bootstrap", Self.bootstrap, "--create-topics", "0"] + arguments, environment: environment)
        #expect(status == 78, "output:\n\(output)")
        for text in expected { #expect(output.contains(text), "'\(text)' in:\n\(output)") }
        #expect(output.contains("triage work: refused:"))
        #expect(!output.contains("joining group"), "refused before connecting")
        if let key = environment["TRIAGE_PSEUDONYM_KEY"], key.count > 1 { #expect(!output.contains(key), "the key is never printed") }
    }

    @Test("--threads outside 1 to 64 is a usage error naming the value", arguments: ["0", "65", "-1"])
    func badThreads(_ value: String) async throws {
        let (status, output) = try await run(["work", "--bootstrap", Self.bootstrap, "--dev", "--threads=\(value)"])
        #expect(status == 64, "output:\n\(output)")
        #expect(output.contains("--threads must be 1 to 64, not \(value)"), "output:\n\(output)")
    }

    @Test("a corrupt model file is refused, not replaced by the placeholder classifier")
    func corruptModel() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("broken.model")
        try Data("TRIAGEMD this is not a model".utf8).write(to: model)
        let (status, output) = try await run(["work", "--bootstrap", Self.bootstrap, "--create-topics", "0", "--dev", "--model", model.path])
        #expect(status == 78, "output:\n\(output)")
        #expect(output.contains("--model '\(model.path)'"))
        #expect(!output.contains("PLACEHOLDER"))
    }

    @Test("a policy with a problem is refused with its file:line:col")
    func brokenPolicy() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("prompts/demo")
        let policy = dir.appendingPathComponent("policy")
        try FileManager.default.copyItem(at: source, to: policy)
        let file = policy.appendingPathComponent("policy.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "min_confidence: 0.5", with: "min_confidence: 7")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try await run(["work", "--bootstrap", Self.bootstrap, "--create-topics", "0", "--dev", "--policy", policy.path])
        #expect(status == 78, "output:\n\(output)")
        #expect(output.contains("policy.yaml:"), "file:line:col in:\n\(output)")
        #expect(output.contains("thresholds.min_confidence 7 is out of range"))
    }

    @Test("--dev, a 32-byte key, or --unsafe-override let the worker through its checks (then no cluster answers: exit 69 after --connect-timeout)", arguments: [
        (["--dev"], [String: String]()),
        ([], ["TRIAGE_PSEUDONYM_KEY": key]),
        (["--dev", "--unsafe-override", "auto.offset.reset", "-X", "auto.offset.reset=latest"], [:]),
    ])
    func accepted(arguments: [String], environment: [String: String]) async throws {
        let (status, output) = try await run(["work", "--bootstrap", Self.bootstrap, "--create-topics", "0", "--progress-interval", "0",
                                              "--connect-timeout", "2"] + arguments,
                                             environment: environment, seconds: 8)
        #expect(status == 69, "past every check, then the connection check fails; output:\n\(output)")
        #expect(!output.contains("triage work: refused"))
        #expect(output.contains("cannot reach Kafka at \(Self.bootstrap) within 2 s"))
        if arguments.contains("--unsafe-override") { #expect(output.contains("UNSAFE CONFIGURATION: -X auto.offset.reset")) }
        if arguments == ["--dev"] { #expect(output.contains("DEVELOPMENT pseudonym key")) }
    }
}
