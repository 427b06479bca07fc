import ArgumentParser
import Foundation
import Synchronization
import TriagePolicy
import Logging
import Observability

/// Options every Kafka-facing command shares.
struct BootstrapOptions: ParsableArguments {
    @Option(name: .long, help: "Kafka bootstrap servers, e.g. 127.0.0.1:9092,127.0.0.1:9093. Also read from TRIAGE_BOOTSTRAP or a file given as @PATH (as written by `triage dev-cluster --bootstrap-file`).")
    var bootstrap: String?

    /// The bootstrap servers, from the flag, `@file`, or the environment.
    func resolved() throws -> String {
        guard let value = bootstrap ?? ProcessInfo.processInfo.environment["TRIAGE_BOOTSTRAP"] else {
            throw ValidationError("no bootstrap servers: pass --bootstrap HOST:PORT or set TRIAGE_BOOTSTRAP")
        }
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read bootstrap servers from file '\(path)'")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return value
    }
}

enum Logs {
    enum Format: String, CaseIterable {
        case json, text
    }

    /// The level of loggers made from now on (`bootstrap(level:)` sets it).
    private static let level = Mutex(Logger.Level.info)
    private static let chosenFormat = Mutex(Format.text)
    /// The format `start` chose.
    static var format: Format { chosenFormat.withLock { $0 } }

    /// Bootstraps swift-log once for the whole process, before any command runs (librdkafka's
    /// log callback needs it in every command): `json` (one object per line) or `text` on
    /// stderr; by default json when stderr is not a terminal. `TRIAGE_LOG_LEVEL` sets the level.
    static func start(format: Format?) {
        let env = ProcessInfo.processInfo.environment
        let chosen = format ?? env["TRIAGE_LOG_FORMAT"].flatMap(Format.init(rawValue:)) ?? (isatty(2) == 1 ? .text : .json)
        if let set = env["TRIAGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { level.withLock { $0 = set } }
        chosenFormat.withLock { $0 = chosen }
        LoggingSystem.bootstrap { label in
            let current = level.withLock { $0 }
            switch chosen {
            case .json:
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = current
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = current
                return handler
            }
        }
    }

    /// Takes `--log-format FORMAT` (or `--log-format=FORMAT`) out of the command line: it is
    /// accepted by every command, anywhere after `triage`.
    static func extractFormat(from arguments: inout [String]) throws -> Format? {
        var found: Format?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            var value: String?
            if argument == "--log-format" {
                guard index + 1 < arguments.count else { throw ValidationError("--log-format needs json or text") }
                value = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            } else if argument.hasPrefix("--log-format=") {
                value = String(argument.dropFirst("--log-format=".count))
                arguments.remove(at: index)
            } else {
                index += 1
                continue
            }
            guard let format = value.flatMap(Format.init(rawValue:)) else {
                throw ValidationError("--log-format must be json or text, not '\(value ?? "")'")
            }
            found = format
        }
        return found
    }

    /// The level of the command's loggers (`TRIAGE_LOG_LEVEL` overrides); logging itself was
    /// bootstrapped by `start` before the command ran.
    static func bootstrap(level chosen: Logger.Level) {
        let value = ProcessInfo.processInfo.environment["TRIAGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? chosen
        level.withLock { $0 = value }
    }
}

/// Prints a line to stderr (progress, warnings), leaving stdout for results. With JSON logs
/// it is a log line too (logger `triage`, level notice, never filtered), so stderr stays one
/// JSON object per line.
func printError(_ text: String) {
    guard Logs.format == .json else {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return
    }
    var logger = Logger(label: "triage")
    logger.logLevel = .trace
    logger.notice("\(text)")
}

/// Splits `key=value` librdkafka properties given with -X.
func parseProperties(_ items: [String], flag: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw ValidationError("\(flag) takes key=value, not '\(item)'")
        }
        result[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return result
}

/// Prints a line to stdout at once (unbuffered), for output other processes wait for.
func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Set once SIGINT or SIGTERM arrives, for commands that loop until interrupted (without
/// ServiceLifecycle: `audit tail --follow`, `audit monitor`).
struct InterruptFlag: Sendable {
    private static let flag = Atomic<Bool>(false)

    init() {
        _ = Self.flag.load(ordering: .relaxed)  // initialise before a handler can run
        signal(SIGINT) { _ in InterruptFlag.flag.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in InterruptFlag.flag.store(true, ordering: .relaxed) }
    }

    var isSet: Bool { Self.flag.load(ordering: .relaxed) }
}

/// `--policy DIR` for every command that decides or checks decisions.
struct PolicyOptions: ParsableArguments {
    @Option(help: "Routing-policy directory (docs/POLICY.md). Default: TRIAGE_POLICY_DIR, else ./prompts/demo, else the demo policy of the source tree.")
    var policy: String?

    /// The directory in use.
    var directory: String {
        if let policy { return policy }
        if let env = ProcessInfo.processInfo.environment["TRIAGE_POLICY_DIR"], !env.isEmpty { return env }
        if FileManager.default.fileExists(atPath: "prompts/demo/policy.yaml") { return "prompts/demo" }
        return Policy.demoDirectory
    }

    /// The loaded policy; every problem is reported (as `triage check-config` would).
    func load() throws -> Policy {
        do throws(PolicyLoadError) {
            return try Policy.load(directory: directory)
        } catch {
            throw ValidationError("\(error.description)\n(run `triage check-config \(directory)` for the same list)")
        }
    }
}
