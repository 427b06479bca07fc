import ArgumentParser
import Foundation
import Synchronization
import TriagePolicy
import Logging
import TriageOps

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

    static func checkReachable(_ settings: TriageSettings, _ command: String) throws {
        do {
            try settings.kafka.checkReachable()
        } catch {
            printError("\(command): \(error.message)")
            throw ExitCode(unreachableExitCode)
        }
    }
}

enum Logs {
    /// Logs to stderr at the given level (`TRIAGE_LOG_LEVEL` overrides).
    static func bootstrap(level: Logger.Level) {
        let chosen = ProcessInfo.processInfo.environment["TRIAGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
    }
}

/// Prints a line to stderr (progress, warnings), leaving stdout for results.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
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
