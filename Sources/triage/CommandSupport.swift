import ArgumentParser
import Foundation
import Synchronization
import TriagePolicy
import Logging
import TriageOps
import Observability

/// The configuration every Kafka-facing command shares (docs/OPERATIONS.md, "Configuration"):
/// flags > environment > config file > defaults. Every client the command makes is built from
/// the one `KafkaClientSettings` it resolves to.
struct KafkaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("YAML config file (kafka.bootstrap, kafka.properties, kafka.secret_files, kafka.connect_timeout, topics.prefix, …). Also TRIAGE_CONFIG. Flags win over the environment, which wins over the file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "Kafka bootstrap servers, e.g. 127.0.0.1:9092,127.0.0.1:9093, or @PATH for a file holding them (as written by `triage dev-cluster --bootstrap-file`). Also TRIAGE_BOOTSTRAP or kafka.bootstrap.")
    var bootstrap: String?

    @Option(name: [.customShort("X"), .customLong("kafka")], help: ArgumentHelp("Raw librdkafka property for every client the command makes (repeatable), e.g. -X security.protocol=SASL_SSL. Also TRIAGE_KAFKA_<KEY> (upper case, . written _) or kafka.properties.", valueName: "key=value"))
    var properties: [String] = []

    @Option(name: .customLong("kafka-secret-file"), help: ArgumentHelp("A librdkafka property whose value is read from a file, e.g. sasl.password=/run/secrets/kafka (repeatable; trailing newline dropped; printed as ***). Also kafka.secret_files, or TRIAGE_KAFKA_SASL_PASSWORD etc.", valueName: "key=path"))
    var secretFiles: [String] = []

    @Option(name: .customLong("topic-prefix"), help: ArgumentHelp("Prepended to every topic name (tickets, triage.*, queue.<name>, and names given with --input/--topic), for clusters that grant access by prefix. Also TRIAGE_TOPIC_PREFIX or topics.prefix.", valueName: "prefix"))
    var topicPrefix: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for the cluster at start; then exit 69 (cannot reach Kafka). Also TRIAGE_CONNECT_TIMEOUT or kafka.connect_timeout. Default 30.", valueName: "seconds"))
    var connectTimeout: Int?

    @Flag(name: .customLong("print-config"), help: "Print the effective configuration (secrets as ***, each value's source) and exit 0 without connecting.")
    var printConfig = false

    /// Exit code when the cluster cannot be reached (EX_UNAVAILABLE of sysexits.h).
    static let unreachableExitCode: Int32 = 69

    var flags: TriageSettings.Flags {
        TriageSettings.Flags(configFile: config, bootstrap: bootstrap, properties: properties, secretFiles: secretFiles,
                             topicPrefix: topicPrefix, connectTimeout: connectTimeout)
    }

    /// The resolved settings, or a `ValidationError` naming the offending value. With
    /// --print-config the configuration is printed and the process exits 0 here. Warnings
    /// (a secret on the command line) go to stderr.
    func resolve(_ command: String, requireBootstrap: Bool = true) throws -> TriageSettings {
        let settings: TriageSettings
        do {
            settings = try TriageSettings.resolve(flags: flags, requireBootstrap: requireBootstrap)
        } catch {
            throw ValidationError(error.message)
        }
        for warning in settings.warnings { printError("\(command): warning: \(warning)") }
        if printConfig {
            printOut("# effective configuration of \(command) (flags > environment > config file > defaults)")
            for line in settings.lines { printOut(line) }
            throw ExitCode.success
        }
        return settings
    }

    /// Resolves the settings and checks that the cluster answers within the connect timeout;
    /// if it does not, prints `cannot reach Kafka at <bootstrap> within N s` and exits 69.
    func connect(_ command: String) throws -> TriageSettings {
        let settings = try resolve(command)
        try Self.checkReachable(settings, command)
        return settings
    }

    static func checkReachable(_ settings: TriageSettings, _ command: String, stopping: () -> Bool = { false }) throws {
        do {
            try settings.kafka.checkReachable(stopping: stopping)
        } catch {
            printError("\(command): \(error.message)")
            throw ExitCode(unreachableExitCode)
        }
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
    static func start(format: Format?, file: ConfigFile? = nil) {
        let env = ProcessInfo.processInfo.environment
        let chosen = format ?? env["TRIAGE_LOG_FORMAT"].flatMap(Format.init(rawValue:))
            ?? file?.scalar("log.format").flatMap { Format(rawValue: $0.value) } ?? (isatty(2) == 1 ? .text : .json)
        if let set = (env["TRIAGE_LOG_LEVEL"] ?? file?.scalar("log.level")?.value).flatMap(Logger.Level.init(rawValue:)) { level.withLock { $0 = set } }
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

    /// The config file named by `--config FILE` (or `--config=FILE`) or `TRIAGE_CONFIG`, for
    /// its `log.format` and `log.level` before any command runs; nil when there is none (a file
    /// that does not load is the command's to report, with the rest of its configuration).
    static func configFile(in arguments: [String]) -> ConfigFile? {
        var path = ProcessInfo.processInfo.environment["TRIAGE_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--config", index + 1 < arguments.count { path = arguments[index + 1] }
            if argument.hasPrefix("--config=") { path = String(argument.dropFirst("--config=".count)) }
        }
        return path.flatMap { try? ConfigFile(path: $0) }
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

/// Runs blocking work (a service's loop) on a thread of its own and awaits it, so the loop never
/// holds one of Swift concurrency's shared threads: the HTTP probe server runs on those, and a
/// machine with one core has only one.
func onOwnThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = name
        thread.start()
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
